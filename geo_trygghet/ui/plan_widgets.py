"""Widgets of the åtgärdsplan that other pages reuse: "Lägg till i åtgärdsplan" for a selection
made in the explorer or the lägesbild, the lights, the handbook's table, the plan's map.

:func:`add_to_plan` takes a :class:`~geo_trygghet.actionplan.PlanSelection` (chosen cells, a
hot-spot area or a drawn polygon with the filter of the moment), shows the figures of the moment
and adds a problem with them to an existing plan or a new one::

    from geo_trygghet.actionplan import PlanSelection
    from geo_trygghet.ui.plan_widgets import add_to_plan

    selection = PlanSelection.from_cluster(view.clusters, chosen_id, categories=filters.categories,
                                           since=filters.since, until=filters.until, label="Torget")
    add_to_plan(selection, key="explorer_plan", incidents=ds.incidents)
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from ..actionplan import rules
from ..errors import GeoTrygghetError
from . import state
from .i18n import lang, t
from .plan_data import NEXT_PLAN, plan_error, plan_service_or_error
from .remark_display import labeller

__all__ = ["add_to_plan", "figures_caption", "handbook_frame", "light_md", "light_text", "show_plan_map",
           "styled_handbook"]

#: Streamlit's colour names for the lights (markdown ``:green[…]`` in labels).
_MD_COLOURS = {rules.GRON: "green", rules.GUL: "yellow", rules.ROD: "red", None: "gray"}
_NEW = -1


def light_text(light: str | None) -> str:
    """A light as a dot and its word (plain text, e.g. for an option or a table cell)."""
    return f"● {rules.label('light', light or 'none', lang())}"


def light_md(light: str | None) -> str:
    """A light as a coloured dot and its word, for a label that takes markdown (metric, expander)."""
    return f":{_MD_COLOURS[light]}[●] {rules.label('light', light or 'none', lang())}"


def figures_caption(figures: Any) -> str:
    """The figures of the moment in one sentence (plain text)."""
    return t("ap.fig.none") if figures is None else figures.describe(lang())


def add_to_plan(selection: Any, *, key: str, incidents: Any = None, service: Any = None, actor: Any = None,
                plan: Any = None) -> Any:
    """"Lägg till i åtgärdsplan": the selection's figures and a form that adds it as a problem to
    ``plan`` (preselected), another plan or a new one. Staff only; returns the new Problem (or None)."""
    from ..actionplan import problem_figures

    if service is None:
        service, problem = plan_service_or_error()
        if service is None:
            st.error(t("service.missing", why=problem))
            return None
    actor = actor if actor is not None else state.actor()
    if actor is None or getattr(actor, "role", None) not in rules.STAFF:
        st.caption(t("ap.add.staff_only"))
        return None
    figures = problem_figures(incidents, selection) if incidents is not None else None
    st.caption(figures_caption(figures))
    plans = service.list_plans(actor)
    options = [p.id for p in plans] + [_NEW]
    default = options.index(plan.id) if plan is not None and plan.id in options else 0
    with st.form(f"{key}_form", border=False):
        chosen = st.selectbox(t("ap.add.plan"), options, index=default, key=f"{key}_plan",
                              format_func=labeller({**{p.id: p.title for p in plans}, _NEW: t("ap.add.new_plan")}))
        new_title = st.text_input(t("ap.add.new_title"), key=f"{key}_new_title")
        title = st.text_input(t("ap.add.problem_title"), value=selection.label, key=f"{key}_title")
        description = st.text_area(t("ap.add.description"), key=f"{key}_description", height=80)
        go = st.form_submit_button(t("ap.add.button"), type="primary", icon=":material/playlist_add:")
    if not go:
        return None
    try:
        target = service.create_plan(actor, new_title) if chosen == _NEW else next(p for p in plans if p.id == chosen)
        problem = service.add_problem(actor, target, title or t("ap.add.untitled"), description=description or "",
                                      selection=selection, figures=figures)
    except GeoTrygghetError as exc:
        st.error(plan_error(exc))
        return None
    st.session_state[NEXT_PLAN] = target.id  # the plan page opens this plan
    st.success(t("ap.add.done", title=problem.title, plan=target.title))
    return problem


def handbook_frame(view: Any, follow: Any = None) -> pd.DataFrame:
    """The handbook's table with the lights, for ``st.dataframe`` (plain text cells)."""
    from ..actionplan.export import handbook_table

    table = handbook_table(view, follow, lang=lang())
    frame = table[["ORSAK", "ÅTGÄRD", "OPERATIVA MÅL", "NÄR", "VEM", "UPPFÖLJNING"]].copy()
    frame.columns = [t(f"ap.col.h{i}") for i in range(6)]
    frame.insert(0, t("ap.col.light"), [light_text(x) for x in table["_light"]])
    return frame


def styled_handbook(frame: pd.DataFrame) -> Any:
    """The handbook's table with its light column coloured as the handbook's figures."""
    column = t("ap.col.light")
    by_word = {light_text(x): rules.LIGHT_COLOURS[x] for x in (*rules.LIGHTS, None)}

    def colour(value: Any) -> str:
        background = by_word.get(value)
        if background is None:
            return ""
        fg = "#222222" if background in (rules.LIGHT_COLOURS[rules.GUL], rules.LIGHT_COLOURS[None]) else "#ffffff"
        return f"background-color: {background}; color: {fg}; font-weight: bold"

    return frame.style.map(colour, subset=[column])


def show_plan_map(view: Any, follow: Any = None, *, hotspot_cells: Any = None, key: str, height: int = 460) -> None:
    """The plan's map (actions by light over the hot spots) in the page; no reruns on pan or zoom."""
    from streamlit_folium import st_folium

    from ..maps.actionplan import plan_map

    m = plan_map(view, follow, hotspot_cells=hotspot_cells, lang=lang())
    st_folium(m, key=key, height=height, use_container_width=True, returned_objects=[])
