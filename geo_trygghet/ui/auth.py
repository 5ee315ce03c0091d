"""Login, logout and joining a walk: function-pages and the ``?kod=`` deep link.

Authentication goes through the remark service (``service.login`` checks the
argon2 hash; ``service.walk_by_code`` finds the walk a participant joins); the
session only remembers the returned ``Actor`` (see :mod:`.state`).

Walk participants do not use the Streamlit app: joining a walk (the code box, a
``?kod=`` link) checks the code and forwards the browser to the offline phone form at
``/walk/?kod=CODE`` (:mod:`geo_trygghet.web`), which keeps the code on the phone.

A reload must not log anybody out. A login leaves a random token in the cookie
``gt_login`` (the service keeps its hash, :meth:`RemarkService.start_session`);
:func:`restore` signs a new browser session in from it. It is a session cookie (gone
when the browser closes) unless "Kom ihåg mig" keeps the login for two weeks. Logout
ends the token in the database.
"""

from __future__ import annotations

import contextlib
import html
from typing import Any

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from ..errors import GeoTrygghetError
from . import cookies, links, state
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


def join(code: str) -> str | None:
    """Forward this browser to the phone form of the walk with ``code``; the error text or None."""
    from ..remarks import normalise_code

    walk, problem = find_walk(code)
    if problem:
        return problem
    clean = normalise_code(code)
    forward_to_form(clean, _walk_title(walk, clean))
    return None


def forward_to_form(code: str, title: str) -> None:
    """Open the phone form of the walk with ``code`` (a refresh the browser follows at once),
    with a button to it for a browser that does not follow."""
    link = links.join_link(code)
    st.markdown(f'<meta http-equiv="refresh" content="0; url={html.escape(link, quote=True)}">',
                unsafe_allow_html=True)
    st.success(t("web.forward", title=title))
    st.link_button(t("web.open_form"), link, type="primary", icon=":material/edit_location_alt:")


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
    if code:  # a participant's cookie from before the phone form: the form keeps the code now
        cookies.drop(WALK_COOKIE)


def join_from_query() -> None:
    """Handle a join link ``?kod=ABC123`` that reached the app: forward to the phone form (the
    server already redirects ``/?kod=``; this catches the app's other pages)."""
    code = st.query_params.get(state.JOIN_QUERY_PARAM)
    if not code:
        return
    del st.query_params[state.JOIN_QUERY_PARAM]
    problem = join(code)
    if problem:
        state.flash(problem, "error")


def join_form(key: str = "join") -> None:
    """The code field and button (the join page and the public start page use it)."""
    with st.container(width=420), st.form(key, border=False):
        code = st.text_input(t("join.code"), max_chars=12, key=f"{key}_code",
                             placeholder=t("join.placeholder"), autocomplete="off")
        submitted = st.form_submit_button(t("join.submit"), type="primary", width="stretch")
    if submitted:
        problem = join(code) if code.strip() else t("join.unknown", code="–")
        if problem:
            st.error(problem)


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
