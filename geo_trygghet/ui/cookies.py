"""Browser cookies for the app: read from the request (``st.context.cookies``), written by a
one-line script in the page (Streamlit has no API to set one).

Writes are queued in the session and flushed by :func:`flush` once per run, so a page may
call :func:`put`/:func:`drop` and then ``st.rerun()``: the next run writes them, and the run after
it writes them again (writing a cookie twice changes nothing, and a run that another one cuts
short may never put its script in the browser).
"""

from __future__ import annotations

import json

import streamlit as st

_PENDING = "_cookies_pending"
#: the runs that write a queued cookie
_RUNS = 2


def get(name: str) -> str | None:
    """The cookie ``name`` as the browser sent it when this session connected."""
    try:
        value = st.context.cookies.get(name)
    except Exception:  # noqa: BLE001 - no browser request (AppTest, bare mode)
        return None
    return value or None


def put(name: str, value: str, *, max_age_s: int | None = None) -> None:
    """Set ``name`` (Path=/, SameSite=Strict, Secure on https). Without ``max_age_s`` it is
    a session cookie: it survives a reload and ends when the browser is closed."""
    pending = [w for w in st.session_state.get(_PENDING, []) if w[0] != name]  # the newest write of a name
    st.session_state[_PENDING] = [*pending, (name, value, max_age_s, _RUNS)]


def drop(name: str) -> None:
    """Delete the cookie ``name``."""
    put(name, "", max_age_s=0)


def flush() -> None:
    """Write the queued cookies (call once per run, before a page may stop the script)."""
    pending = st.session_state.pop(_PENDING, None)
    if not pending:
        return
    again = [(name, value, max_age, runs - 1) for name, value, max_age, runs in pending if runs > 1]
    if again:
        st.session_state[_PENDING] = again
    lines = []
    for name, value, max_age, _ in pending:
        age = "" if max_age is None else f"; Max-Age={int(max_age)}"
        lines.append(f"document.cookie = {json.dumps(name)} + '=' + encodeURIComponent({json.dumps(value)})"
                     f" + {json.dumps('; Path=/; SameSite=Strict' + age)} + secure;")
    script = ("<script>(() => { const secure = location.protocol === 'https:' ? '; Secure' : '';\n"
              + "\n".join(lines) + "\n})();</script>")
    st.html(script, unsafe_allow_javascript=True, width="content")
