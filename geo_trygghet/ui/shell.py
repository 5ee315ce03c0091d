"""The app's frame around the pages: its name, where the root address lands, and what a page
says to someone who may not open it.

- :func:`product_name`, :func:`kommun_name`, :func:`tab_title`: the product and the kommun on the
  start page and in the browser tab (settings ``GEO_TRYGGHET_PRODUCT`` and ``GEO_TRYGGHET_KOMMUN``;
  without the latter, the name in the kept dataset's boundary file, e.g. the sample's
  "Katrineholms kommun (exempel)").
- :func:`land`: the root address ``/`` (and the run after a login) opens the role's start page;
  the start page itself stays reachable from the menu.
- :func:`gate_page`: every page has its own address for every role; a page the role may not
  open asks the public to log in (then shows the page) and tells anyone else whose page it is.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import streamlit as st

from .. import settings
from . import auth, state
from .i18n import t

__all__ = ["CLOSE_MENU_JS", "close_menu_after_choice", "gate_page", "kommun_name", "land", "product_name",
           "tab_title"]

#: On a phone the menu (Streamlit puts even its top navigation in the sidebar there) covers most of
#: the screen and stayed open after a page was chosen; this closes it once a page is chosen.
CLOSE_MENU_JS = """<script>(() => {
  if (window.__gtCloseMenu) { return; }
  window.__gtCloseMenu = true;
  document.addEventListener("click", (event) => {
    const link = event.target.closest('[data-testid="stSidebarNavLink"], [data-testid="stSidebarNav"] a');
    if (!link || !window.matchMedia("(max-width: 768px)").matches) { return; }
    setTimeout(() => {
      const close = document.querySelector('[data-testid="stSidebarCollapseButton"] button')
        || document.querySelector('[data-testid="stSidebarHeader"] button');
      if (close) { close.click(); }
    }, 0);
  }, true);
})();</script>"""


def product_name() -> str:
    return settings.product_name()


@cache
def _boundary_label(path: str, mtime_ns: int) -> str | None:
    try:
        features = json.loads(Path(path).read_text(encoding="utf-8")).get("features") or []
    except (OSError, ValueError):
        return None
    props = (features[0].get("properties") or {}) if features else {}
    label = props.get("label") or props.get("name") or props.get("namn")
    return str(label) if label else None


def kommun_name() -> str | None:
    """``$GEO_TRYGGHET_KOMMUN``, else the label of the kept dataset's boundary (kommun.geojson)."""
    named = settings.kommun_name()
    if named:
        return named
    from .dataset import _kept_boundary_path, kept_dataset_path

    dataset = kept_dataset_path()
    boundary = _kept_boundary_path(dataset) if dataset is not None else None
    if boundary is None or not boundary.is_file():
        return None
    return _boundary_label(str(boundary), boundary.stat().st_mtime_ns)


def tab_title(page_title: str) -> str:
    """"Hot spots · Trygghetsportalen · Katrineholms kommun" for the browser tab."""
    return " · ".join(p for p in (page_title, product_name(), kommun_name()) if p)


def _asked_for(page: Any) -> bool:
    """Whether this run asked for ``page`` itself (a click on it in the menu, a rerun on it), not
    the root address or a page this role does not have (the run after a login)."""
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        manager = get_script_run_ctx().pages_manager  # type: ignore[union-attr]
        wanted = manager.intended_page_script_hash
    except Exception:  # noqa: BLE001 - no run context or another Streamlit: show the page asked for
        return True
    return bool(wanted) and wanted == page._script_hash


def land(current: Any, home: Any, start: Any) -> None:
    """From the root address, or after a login, go on to the role's ``start`` page."""
    if start is None or home is None or current is None or current._script_hash != home._script_hash:
        return
    if not _asked_for(home):
        st.switch_page(start)


def close_menu_after_choice() -> None:
    """Put :data:`CLOSE_MENU_JS` in the page (once per run; the script guards against twice)."""
    st.html(CLOSE_MENU_JS, unsafe_allow_javascript=True, width="content")


def gate_page(title: str) -> None:
    """A page the session's role may not open: the public logs in here and then sees the page;
    another role is told the page is not for it."""
    if state.role() == state.PUBLIC:
        st.info(t("gate.login", page=title), icon=":material/lock:")
        auth.login_page()
    else:
        st.warning(t("gate.other_role", page=title, role=t("role." + state.role())), icon=":material/block:")
