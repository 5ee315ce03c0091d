"""Deltagare: the remark form is the offline phone form at ``/walk/``; this page forwards there.

A participant's session in the app (a link from before the phone form) opens the form of
its walk; without a code it offers the code box, which forwards as well.
"""

from __future__ import annotations

import streamlit as st

from geo_trygghet.ui import auth, state
from geo_trygghet.ui.i18n import t

st.subheader(t("label.new_remark"))
code = st.session_state.get(state.WALK_CODE)
if code:
    auth.forward_to_form(code, code)
else:
    st.info(t("wk.nowalk"))
    auth.join_form("walk_join")
