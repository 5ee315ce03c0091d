"""Start page: what this session's role can do here (Swedish first)."""

from __future__ import annotations

import streamlit as st

from geo_trygghet.ui import auth, shell, state
from geo_trygghet.ui.i18n import t

role = state.role()
st.title(shell.product_name())
kommun = shell.kommun_name()
if kommun:
    st.subheader(kommun, divider="gray")
st.caption(t("app.tagline"))

if role == state.PUBLIC:
    st.subheader(t("home.what_can_i_do"))
    st.markdown(t("home.public.walk"))
    auth.join_form("home_join")
    st.markdown(t("home.public.feedback"))
    st.markdown(t("home.public.staff"))
    with st.expander(t("home.roles")):
        for r in (state.DELTAGARE, state.PROBLEMAGARE, state.ANALYTIKER, state.ADMIN):
            st.markdown(f"**{t('role.' + r)}** {t('home.role.' + r)}")
elif role == state.DELTAGARE:
    st.info(t("home.you.deltagare", code=st.session_state.get(state.WALK_CODE) or "–"))
else:
    st.markdown(t("home.you." + role))
st.caption(t("home.menu_hint"))
