"""Login, logout and joining a walk: function-pages and the ``/?kod=`` deep link.

Authentication goes through the remark service (``service.login`` checks the
argon2 hash; ``service.walk_by_code`` finds the walk a participant joins); the
session only remembers the returned ``Actor`` (see :mod:`.state`).

A reload must not log anybody out. A login leaves a random token in the cookie
``gt_login`` (the service keeps its hash, :meth:`RemarkService.start_session`), a
participant the walk code in ``gt_walk``; :func:`restore` signs a new browser session
in from them. Both are session cookies (gone when the browser closes) unless
"Kom ihåg mig" keeps the login for two weeks. Logout ends the token in the database.
"""

from __future__ import annotations

import contextlib
from typing import Any

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from ..errors import GeoTrygghetError
from . import cookies, state
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
    except (SQLAlchemyError, OSError) as exc:  # database down: say so, do not crash the page
        return None, t("service.error", why=str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__)
    if walk is None:
        return None, t("join.unknown", code=code.strip().upper())
    return walk, None


LOGIN_COOKIE = "gt_login"
WALK_COOKIE = "gt_walk"
#: Server-side life of a login token: a working day without "Kom ihåg mig", two weeks with it.
SESSION_DAYS, REMEMBER_DAYS = 0.5, 14
_TOKEN = "_login_token"
_RESTORED = "_login_restore_tried"


def join(code: str, *, quiet: bool = False) -> str | None:
    """Make this session a participant of the walk with ``code``; the error text or None."""
    from ..remarks import Actor

    walk, problem = find_walk(code)
    if problem:
        return problem
    actor = Actor.participant(code)
    state.sign_in(actor, walk_code=actor.walk_code)
    cookies.put(WALK_COOKIE, actor.walk_code)
    if not quiet:
        state.flash(t("join.joined", title=_walk_title(walk, actor.walk_code)))
    return None


def restore() -> None:
    """Once per browser session, sign in from the cookie a login or a join left (a reload)."""
    if st.session_state.get(_RESTORED):
        return
    st.session_state[_RESTORED] = True
    if state.role() != state.PUBLIC:
        return
    token, code = cookies.get(LOGIN_COOKIE), cookies.get(WALK_COOKIE)
    if token:
        service, _problem = remark_service_or_error()
        try:
            actor = service.resume_session(token) if service is not None else None
        except Exception:  # noqa: BLE001 - database down: stay public, the pages say why
            actor = None
        if actor is not None:
            state.sign_in(actor, username=actor.username)
            st.session_state[_TOKEN] = token
            return
        cookies.drop(LOGIN_COOKIE)  # ended or expired: do not try it again
    if code and join(code, quiet=True):
        cookies.drop(WALK_COOKIE)


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
    slot = st.empty()  # emptied on success: the form must not linger while the next page loads
    with slot.container(width=480), st.form("login", border=True):
        username = st.text_input(t("login.username"), key="login_username", autocomplete="username")
        password = st.text_input(t("login.password"), type="password", key="login_password",
                                 autocomplete="current-password")
        remember = st.checkbox(t("login.remember"), key="login_remember", help=t("login.remember_help"))
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
    days = REMEMBER_DAYS if remember else SESSION_DAYS
    try:
        token = service.start_session(actor, days=days)
    except Exception:  # noqa: BLE001 - logged in for this tab all the same
        token = None
    if token:
        st.session_state[_TOKEN] = token
        cookies.put(LOGIN_COOKIE, token, max_age_s=int(days * 86400) if remember else None)
    state.flash(t("login.welcome", who=who))
    slot.empty()
    st.rerun()


def logout_page() -> None:
    token = st.session_state.pop(_TOKEN, None)
    if token:
        service, _problem = remark_service_or_error()
        with contextlib.suppress(Exception):  # database down: the cookie goes all the same
            if service is not None:
                service.end_session(token)
    cookies.drop(LOGIN_COOKIE)
    cookies.drop(WALK_COOKIE)
    state.sign_out()
    state.flash(t("logout.done"), "info")
    st.rerun()
