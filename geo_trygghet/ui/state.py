"""The app's ``st.session_state`` keys and their initialisation (one place).

Keys
----
``lang``        "sv" (default) or "en"
``role``        "public" (not logged in), "deltagare", "problemagare", "analytiker", "admin"
``actor``       the remark service's ``Actor`` for the session (None when public)
``walk_code``   the join code a deltagare holds
``username``    the logged-in account's user name
``flash``       a one-shot message shown at the top of the next page
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from ..remarks.states import ADMIN, ANALYTIKER, DELTAGARE, PROBLEMAGARE

LANG = "lang"
ROLE = "role"
ACTOR = "actor"
WALK_CODE = "walk_code"
USERNAME = "username"
FLASH = "flash"

#: Not logged in (the remark roles come from :mod:`geo_trygghet.remarks.states`).
PUBLIC = "public"
#: Every role the navigation knows, the public first.
ROLES = (PUBLIC, DELTAGARE, PROBLEMAGARE, ANALYTIKER, ADMIN)
#: Roles that log in with an account.
ACCOUNT_ROLES = (PROBLEMAGARE, ANALYTIKER, ADMIN)

_DEFAULTS: dict[str, Any] = {
    LANG: "sv",
    ROLE: PUBLIC,
    ACTOR: None,
    WALK_CODE: None,
    USERNAME: None,
    FLASH: None,
}

#: Query parameter of the join link printed as a QR code: ``/?kod=ABC123``.
JOIN_QUERY_PARAM = "kod"


def init(*, lang: str | None = None) -> None:
    """Give every key its default unless the session (or a test) set it already; ``lang`` is
    the language this browser chose before (a cookie), used for a new session."""
    if LANG not in st.session_state and lang in ("sv", "en"):
        st.session_state[LANG] = lang
    for key, value in _DEFAULTS.items():
        if key not in st.session_state:
            st.session_state[key] = value
    if st.session_state[ROLE] not in ROLES:
        st.session_state[ROLE] = PUBLIC
    if st.session_state[LANG] not in ("sv", "en"):
        st.session_state[LANG] = "sv"


def role() -> str:
    return st.session_state.get(ROLE, PUBLIC)


def actor() -> Any:
    """The remark service's ``Actor`` of this session, or None for the public."""
    return st.session_state.get(ACTOR)


def sign_in(actor_: Any, *, username: str | None = None, walk_code: str | None = None) -> None:
    """Remember who this session is: an account (``username``) or a participant (``walk_code``)."""
    st.session_state[ACTOR] = actor_
    st.session_state[ROLE] = getattr(actor_, "role", PUBLIC)
    st.session_state[USERNAME] = username
    st.session_state[WALK_CODE] = walk_code


def sign_out() -> None:
    """Back to the public role; the language choice stays."""
    for key in (ROLE, ACTOR, WALK_CODE, USERNAME):
        st.session_state[key] = _DEFAULTS[key]


def flash(message: str, kind: str = "success", *, toast: bool = False) -> None:
    """Show ``message`` once, at the top of the next page run; with ``toast`` also as a toast
    (in view wherever the page is scrolled, e.g. after a save far down a long page)."""
    st.session_state[FLASH] = (kind, message, toast)


def show_flash() -> None:
    pending = st.session_state.get(FLASH)
    if pending:
        kind, message, toast = (*pending, False)[:3]
        getattr(st, kind if kind in ("success", "info", "warning", "error") else "info")(message)
        if toast:
            st.toast(message, icon=":material/check_circle:" if kind == "success" else None)
        st.session_state[FLASH] = None
