"""Widget values kept across the analyst's pages.

Each analyst page draws the same sidebar (data source, filters) under its own widget keys
(``ex__f_cat`` on the explorer, ``lb__f_cat`` on the lägesbild …, see :func:`wkey`); the value
itself lives in ``keep_<name>`` and is handed to the widget before it is drawn
(:func:`kept_widget`), so a choice made on one page holds on the next. Streamlit forgets
widgets that were not rendered (another page) and treats a widget whose label changed (the
language switch) as a new one with its default; this module is what survives both.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

__all__ = ["keep", "kept_widget", "remember", "set_scope", "wkey"]

_SCOPE = "_an_scope"


def set_scope(scope: str) -> None:
    """Call at the top of each analyst page with the page's name (``ex``, ``lb``, ``pw`` …)."""
    st.session_state[_SCOPE] = scope


def wkey(name: str) -> str:
    """The widget key of ``name`` on this page; its value is kept across pages."""
    return f"{st.session_state.get(_SCOPE, 'p')}__{name}"


def kept_widget(name: str, default: Any) -> None:
    """Give this page's widget ``name`` its kept value (or ``default``) before it is drawn."""
    kept = st.session_state.get("keep_" + name)
    st.session_state[wkey(name)] = default if kept is None else kept


def keep(name: str) -> None:
    """on_change callback: remember the widget's new value."""
    st.session_state["keep_" + name] = st.session_state.get(wkey(name))


def remember(*names: str) -> None:
    """Remember the current values of these widgets (after they were drawn)."""
    for name in names:
        keep(name)
