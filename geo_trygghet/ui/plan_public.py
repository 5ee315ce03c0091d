"""The medborgarlöften on the public page: what the police and the kommun promised, by when, and
how it is going, in plain Swedish (no names of organisations or people, no notes); those with a
place on a small map. The plan service gives only this much to the public."""

from __future__ import annotations

from typing import Any

import streamlit as st

from ..errors import GeoTrygghetError
from .i18n import lang, t
from .remark_display import md

__all__ = ["promises_section"]


def promises_section(service: Any, *, key: str = "pub_promises") -> None:
    """The medborgarlöften of every decided plan (nothing when there are none)."""
    try:
        promises = service.public_promises(None)
    except GeoTrygghetError:
        return
    if not promises:
        return
    st.subheader(t("ap.pub.heading"))
    st.caption(t("ap.pub.intro"))
    for p in promises:
        with st.container(border=True):
            st.markdown(md(p.text))
            when = t("ap.pub.due", d=p.due_date.isoformat()) if p.due_date else ""
            judged = f" · {t('ap.pub.judged', light=p.light_label(lang()))}" if p.light else ""
            st.markdown(f"**{md(p.production_label(lang()))}**{(' · ' + md(when)) if when else ''}{md(judged)}")
            st.caption(md(p.plan_title))
    from ..maps.actionplan import promise_map

    m = promise_map(promises, lang=lang())
    if m is not None:
        from streamlit_folium import st_folium

        st_folium(m, key=key, height=320, use_container_width=True, returned_objects=[])
