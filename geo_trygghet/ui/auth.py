"""Login, logout and joining a walk: function-pages and the ``/?kod=`` deep link.

Authentication goes through the remark service (``service.login`` checks the
argon2 hash; ``service.walk_by_code`` finds the walk a participant joins); the
session only remembers the returned ``Actor`` (see :mod:`.state`).
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from ..errors import GeoTrygghetError
from . import state
from .data import remark_service_or_error
from .i18n import t


def _walk_title(walk: Any, code: str) -> str:
    if isinstance(walk, dict):
        return str(walk.get("title") or code)
    return str(getattr(walk, "title", None) or code)


def find_walk(code: str) -> tuple[Any, str | None]:
    """``(walk, None)`` for a known join code, else ``(None, message for the user)``."""
    service, problem = remark_service_or_error()
    if service is None:
        return None, t("service.missing", why=problem)
    try:
        walk = service.walk_by_code(code)
    except GeoTrygghetError:
        walk = None
    except Exception as exc:  # database down: say so, do not crash the page
        return None, t("service.error", why=str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__)
    if walk is None:
        return None, t("join.unknown", code=code.strip().upper())
    return walk, None


def join(code: str) -> str | None:
    """Make this session a participant of the walk with ``code``; the error text or None."""
    from ..remarks import Actor

    walk, problem = find_walk(code)
    if problem:
        return problem
    actor = Actor.participant(code)
    state.sign_in(actor, walk_code=actor.walk_code)
    state.flash(t("join.joined", title=_walk_title(walk, actor.walk_code)))
    return None


def join_from_query() -> None:
    """Handle the QR link ``/?kod=ABC123``: join that walk directly (once)."""
    code = st.query_params.get(state.JOIN_QUERY_PARAM)
    if not code:
        return
    del st.query_params[state.JOIN_QUERY_PARAM]
    if state.role() == state.DELTAGARE and st.session_state.get(state.WALK_CODE) == _normal(code):
        return
    problem = join(code)
    if problem:
        state.flash(problem, "error")


def _normal(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def join_form(key: str = "join") -> None:
    """The code field and button (the join page and the public start page use it)."""
    with st.container(width=420), st.form(key, border=False):
        code = st.text_input(t("join.code"), max_chars=12, key=f"{key}_code",
                             placeholder=t("join.placeholder"), autocomplete="off")
        if st.form_submit_button(t("join.submit"), type="primary", width="stretch"):
            problem = join(code) if code.strip() else t("join.unknown", code="–")
            if problem:
                st.error(problem)
            else:
                st.rerun()


def join_page() -> None:
    st.header(t("join.heading"))
    st.write(t("join.intro"))
    join_form("join_page")


def login_page() -> None:
    st.header(t("login.heading"))
    st.caption(t("login.intro"))
    with st.container(width=480), st.form("login", border=True):
        username = st.text_input(t("login.username"), key="login_username", autocomplete="username")
        password = st.text_input(t("login.password"), type="password", key="login_password",
                                 autocomplete="current-password")
        submitted = st.form_submit_button(t("login.submit"), type="primary")
    if not submitted:
        return
    service, problem = remark_service_or_error()
    if service is None:
        st.error(t("service.missing", why=problem))
        return
    try:
        actor = service.login(username.strip(), password)
    except GeoTrygghetError:
        actor = None
    if actor is None:
        st.error(t("login.failed"))
        return
    who = getattr(actor, "display_name", None) or username.strip()
    state.sign_in(actor, username=username.strip())
    state.flash(t("login.welcome", who=who))
    st.rerun()


def logout_page() -> None:
    state.sign_out()
    state.flash(t("logout.done"), "info")
    st.rerun()
