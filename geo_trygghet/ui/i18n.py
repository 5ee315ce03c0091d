"""The pages' view of the label catalogue (:mod:`geo_trygghet.i18n`): the session's language.

``t(key, **fields)`` words ``key`` in the language of ``st.session_state["lang"]``
(Swedish unless the user switched). Texts are added to the TOML files of
``geo_trygghet/i18n/catalogue/``, never in a page.
"""

from __future__ import annotations

import streamlit as st

from ..i18n import LANGUAGES, text
from ..i18n.formatting import fmt_num, fmt_pct, fmt_value

__all__ = ["LANGUAGES", "fmt_num", "fmt_pct", "fmt_value", "lang", "t"]


def lang() -> str:
    """The session's language: "sv" or "en"."""
    try:
        value = st.session_state.get("lang", "sv")
    except Exception:  # noqa: BLE001 - outside a Streamlit run there is no session
        value = "sv"
    return value if value in LANGUAGES else "sv"


def t(key: str, /, **fields: object) -> str:
    """The text for ``key`` in the session's language, formatted with ``fields``."""
    return text(key, lang(), **fields)
