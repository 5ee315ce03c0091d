"""The analyst's editors of an åtgärdsplan: a new plan, its status, problems (from a hot spot of
the lägesbild, chosen hot cells, or without a place), causes, actions with their goals and linked
walk remarks. Every change goes through the plan service, which checks who may make it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import streamlit as st

from .. import schema as S
from .. import settings
from ..actionplan import PlanSelection, rules
from ..errors import GeoTrygghetError
from ..i18n.formatting import fmt_num
from ..ingest.crime_types import BRA_CATEGORIES, category_label
from . import state
from .i18n import lang, t
from .plan_data import NEXT_PLAN, kept_hotspots, kept_incidents, plan_error
from .plan_widgets import add_to_plan, figures_caption
from .remark_display import labeller, md

__all__ = ["action_editor", "cause_editor", "new_plan_form", "plan_status_editor", "problem_editor"]


def _saved(message: str) -> None:
    state.flash(message, toast=True)
    st.rerun()


def new_plan_form(service: Any, actor: Any, *, key: str = "ap_new") -> None:
    """A new plan: title, kommun or area, period."""
    with st.form(key, border=True):
        title = st.text_input(t("ap.plan.title"), key=f"{key}_title")
        area = st.text_input(t("ap.plan.area"), key=f"{key}_area")
        c1, c2 = st.columns(2)
        start = c1.date_input(t("ap.plan.start"), value=None, key=f"{key}_start", format="YYYY-MM-DD")
        end = c2.date_input(t("ap.plan.end"), value=None, key=f"{key}_end", format="YYYY-MM-DD")
        go = st.form_submit_button(t("ap.plan.create"), type="primary")
    if go:
        try:
            plan = service.create_plan(actor, title, area_name=area or None, period_start=start, period_end=end)
        except GeoTrygghetError as exc:
            st.error(plan_error(exc))
            return
        st.session_state[NEXT_PLAN] = plan.id
        _saved(t("ap.plan.created", title=plan.title))


def plan_status_editor(service: Any, actor: Any, view: Any) -> None:
    """Decide, close or reopen the plan along the status table."""
    plan = view.plan
    targets = rules.PLAN_TRANSITIONS.get(plan.status, ())
    if not targets:
        return
    with st.form(f"ap_status_{plan.id}", border=False):
        c1, c2, c3 = st.columns([2, 2, 1], vertical_alignment="bottom")
        target = c1.selectbox(t("ap.plan.new_status"), targets, key=f"ap_status_to_{plan.id}",
                              format_func=labeller({s: rules.label("status", s, lang()) for s in targets}))
        decided = c2.date_input(t("ap.plan.decided"), value=plan.decided_date or settings.local_today(),
                                key=f"ap_status_date_{plan.id}", format="YYYY-MM-DD")
        go = c3.form_submit_button(t("ap.save"))
    if go:
        try:
            service.set_plan_status(actor, plan, target, decided_date=decided)
        except GeoTrygghetError as exc:
            st.error(plan_error(exc))
            return
        _saved(t("ap.plan.status_saved", status=rules.label("status", target, lang())))


# ---------------------------------------------------------------- problems
def _drawn_selection() -> Any:
    """A PlanSelection from an uploaded GeoJSON polygon (drawn in a GIS or on the explorer's map)."""
    upload = st.file_uploader(t("ap.problem.upload"), type=["geojson", "json"], key="ap_problem_upload")
    if upload is None:
        return None
    try:
        return PlanSelection.from_polygon(json.loads(upload.getvalue().decode("utf-8")),
                                          label=Path(upload.name).stem)
    except (GeoTrygghetError, ValueError) as exc:
        st.error(plan_error(exc) if isinstance(exc, GeoTrygghetError) else t("ap.problem.bad_file"))
        return None


def _hotspot_selection() -> Any:
    """A PlanSelection from a hot-spot area or chosen hot cells of the kept data (or None)."""
    result = kept_hotspots()
    if result is None:
        st.info(t("ap.problem.no_data"))
        return None
    kind = st.radio(t("ap.problem.source"), ["area", "cells"], horizontal=True, key="ap_hs_kind",
                    format_func=labeller({"area": t("ap.problem.from_area"), "cells": t("ap.problem.from_cells")}))
    if kind == "area":
        clusters = result.clusters.sort_values(S.COUNT, ascending=False)
        if clusters.empty:
            st.info(t("ap.problem.no_areas"))
            return None
        ids = [int(c) for c in clusters[S.CLUSTER_ID]]
        labels = {int(r[S.CLUSTER_ID]): t("ap.problem.area_label", id=int(r[S.CLUSTER_ID]),
                                           n=fmt_num(int(r[S.COUNT]), lang()),
                                           ha=fmt_num(float(r[S.AREA_M2]) / 10_000, lang(), 1))
                  for _, r in clusters.iterrows()}
        chosen = st.selectbox(t("ap.problem.area"), ids, key="ap_hs_area", format_func=labeller(labels))
        return PlanSelection.from_cluster(result.clusters, chosen, label=labels[chosen])
    hot = result.cells[result.cells[S.GI_BIN] >= 2].sort_values(S.COUNT, ascending=False)
    labels = {h: t("ap.problem.cell_label", h=h, n=fmt_num(int(n), lang()))
              for h, n in zip(hot[S.H3], hot[S.COUNT], strict=True)}
    cells = st.multiselect(t("ap.problem.cells"), list(labels), key="ap_hs_cells", format_func=labeller(labels),
                           placeholder=t("ui.choose"))
    return PlanSelection.from_cells(cells, label=t("ap.problem.cells_label", n=len(cells))) if cells else None


def problem_editor(service: Any, actor: Any, view: Any) -> None:
    """The plan's problems with their figures, and a new one from the lägesbild or without a place."""
    for p in view.problems:
        from ..actionplan import ProblemFigures

        with st.container(border=True):
            st.markdown(f"**{md(p.title)}**")
            if p.description:
                st.markdown(md(p.description))
            cats = ", ".join(category_label(c, lang()) for c in p.categories)
            st.caption((cats + " · " if cats else "") + figures_caption(ProblemFigures.from_dict(p.figures)))
    st.markdown(f"#### {t('ap.problem.new')}")
    sources = {"hotspot": t("ap.problem.from_hotspot"), "drawn": t("ap.problem.drawn"),
               "none": t("ap.problem.no_place")}
    source = st.radio(t("ap.problem.where"), list(sources), horizontal=True, key="ap_problem_source",
                      format_func=labeller(sources))
    if source in ("hotspot", "drawn"):
        incidents, _name = kept_incidents()
        selection = _hotspot_selection() if source == "hotspot" else _drawn_selection()
        if selection is not None and add_to_plan(selection, key="ap_add", incidents=incidents, service=service,
                                                 actor=actor, plan=view.plan) is not None:
            _saved(t("ap.problem.added"))
        return
    with st.form("ap_problem_plain", border=True):
        title = st.text_input(t("ap.add.problem_title"), key="ap_problem_title")
        description = st.text_area(t("ap.add.description"), key="ap_problem_description", height=80)
        cats = st.multiselect(t("ap.problem.categories"), list(BRA_CATEGORIES), key="ap_problem_cats",
                              format_func=labeller({c: category_label(c, lang()) for c in BRA_CATEGORIES}),
                              placeholder=t("ui.choose"))
        go = st.form_submit_button(t("ap.add.button"), type="primary")
    if go:
        try:
            service.add_problem(actor, view.plan, title, description=description, categories=cats)
        except GeoTrygghetError as exc:
            st.error(plan_error(exc))
            return
        _saved(t("ap.problem.added"))


def cause_editor(service: Any, actor: Any, view: Any) -> None:
    """The causes (ORSAK 1, 2 …) and a new one."""
    for c in view.causes:
        problem = view.problem(c.problem_id)
        st.markdown(f"**{c.number}.** {md(c.text)}" + (f"  \n_{md(problem.title)}_" if problem else ""))
    with st.form("ap_cause", border=True):
        text = st.text_area(t("ap.cause.text"), key="ap_cause_text", height=70)
        options = [None, *[p.id for p in view.problems]]
        problem_id = st.selectbox(t("ap.cause.problem"), options, key="ap_cause_problem",
                                  format_func=labeller({None: "–", **{p.id: p.title for p in view.problems}}))
        go = st.form_submit_button(t("ap.cause.add"), type="primary")
    if go:
        try:
            cause = service.add_cause(actor, view.plan, text, problem_id=problem_id)
        except GeoTrygghetError as exc:
            st.error(plan_error(exc))
            return
        _saved(t("ap.cause.added", n=cause.number))


# ---------------------------------------------------------------- actions
def _remark_options(actor: Any) -> dict[str, str]:
    from .data import remark_service_or_error

    remarks_service, _ = remark_service_or_error()
    if remarks_service is None:
        return {}
    return {r.id: f"{r.walk_title} · {r.number} · {r.category_label(lang())} · {r.text[:50]}"
            for r in remarks_service.list_remarks(actor)}


def _action_fields(view: Any, organisations: list[Any], action: Any, key: str, remarks: dict[str, str]) -> dict:
    """The action's fields as form widgets (prefilled from ``action`` when editing)."""
    a = action
    values: dict[str, Any] = {}
    values["description"] = st.text_area(t("ap.action.description"), value=a.description if a else "",
                                         key=f"{key}_description", height=70)
    c1, c2, c3 = st.columns(3)
    values["kind"] = c1.selectbox(t("ap.action.kind"), rules.ACTION_KINDS, key=f"{key}_kind",
                                  index=rules.ACTION_KINDS.index(a.kind) if a else 0,
                                  format_func=labeller({k: rules.label("kind", k, lang()) for k in rules.ACTION_KINDS}))
    orgs = [None, *[o.id for o in organisations]]
    values["responsible"] = c2.selectbox(t("ap.action.responsible"), orgs, key=f"{key}_responsible",
                                         index=orgs.index(a.responsible_id) if a and a.responsible_id in orgs else 0,
                                         format_func=labeller({None: "–", **{o.id: o.name for o in organisations}}))
    values["contact"] = c3.text_input(t("ap.action.contact"), value=(a.contact or "") if a else "",
                                      key=f"{key}_contact")
    d1, d2, d3 = st.columns(3)
    values["start_date"] = d1.date_input(t("ap.action.start"), value=a.start_date if a else None,
                                         key=f"{key}_start", format="YYYY-MM-DD")
    values["due_date"] = d2.date_input(t("ap.action.due"), value=a.due_date if a else None, key=f"{key}_due",
                                       format="YYYY-MM-DD")
    values["position"] = d3.number_input(t("ap.action.order"), min_value=0, step=1, key=f"{key}_order",
                                         value=int(a.position) if a else 0)
    places = list(rules.ACTION_PLACES)
    values["place_kind"] = st.radio(t("ap.action.place"), places, horizontal=True, key=f"{key}_place",
                                    index=places.index(a.place_kind) if a else places.index(rules.PLACE_NONE),
                                    format_func=labeller({p: rules.label("place", p, lang()) for p in places}))
    upload = st.file_uploader(t("ap.action.own_place"), type=["geojson", "json"], key=f"{key}_area")
    if upload is not None:
        values["area"] = json.loads(upload.getvalue().decode("utf-8"))
    values["promise"] = st.checkbox(t("ap.action.promise"), value=a.promise if a else False, key=f"{key}_promise")
    values["promise_text"] = st.text_area(t("ap.action.promise_text"), value=(a.promise_text or "") if a else "",
                                          key=f"{key}_promise_text", height=70)
    linked = [r.id for r in a.remarks] if a else []
    values["_remarks"] = st.multiselect(t("ap.action.remarks"), list(remarks),
                                        default=[r for r in linked if r in remarks], key=f"{key}_remarks",
                                        format_func=labeller(remarks), placeholder=t("ui.choose"))
    return values


def _save_action(service: Any, actor: Any, view: Any, values: dict, action: Any, cause_number: int | None) -> None:
    chosen = values.pop("_remarks")
    if values.get("place_kind") != rules.PLACE_OWN:
        values.pop("area", None)
    try:
        if action is None:
            saved = service.add_action(actor, view.plan, cause_number, values.pop("description"), remark_ids=chosen,
                                       **values)
        else:
            saved = service.update_action(actor, action.id, **values)
            before = {r.id for r in action.remarks}
            if set(chosen) - before:
                service.link_remarks(actor, action.id, [r for r in chosen if r not in before])
            if before - set(chosen):
                service.unlink_remarks(actor, action.id, [r for r in before if r not in chosen])
    except GeoTrygghetError as exc:
        st.error(plan_error(exc))
        return
    _saved(t("ap.action.saved", nr=saved.nr))


def action_editor(service: Any, actor: Any, view: Any) -> None:
    """A new action under a cause, or the chosen action changed; its goals."""
    if not view.causes:
        st.info(t("ap.action.need_cause"))
        return
    from .data import remark_service_or_error

    remarks_service, _ = remark_service_or_error()
    organisations = remarks_service.list_organisations(actor) if remarks_service is not None else []
    remarks = _remark_options(actor)
    new = "new"
    options = [new, *[a.id for a in view.actions]]
    pick = st.selectbox(t("ap.action.pick"), options, key="ap_action_pick",
                        format_func=labeller({new: t("ap.action.new"),
                                              **{a.id: f"{a.nr}. {a.description[:60]}" for a in view.actions}}))
    action = None if pick == new else view.action(pick)
    key = f"ap_action_{pick}"
    with st.form(key, border=True):
        cause_number = None
        if action is None:
            numbers = [c.number for c in view.causes]
            cause_number = st.selectbox(t("ap.action.cause"), numbers, key=f"{key}_cause",
                                        format_func=labeller({c.number: f"{c.number}. {c.text[:70]}"
                                                              for c in view.causes}))
        values = _action_fields(view, organisations, action, key, remarks)
        go = st.form_submit_button(t("ap.action.add") if action is None else t("ap.save"), type="primary")
    if go:
        _save_action(service, actor, view, values, action, cause_number)
    if action is not None:
        _goal_editor(service, actor, action)


def _goal_editor(service: Any, actor: Any, action: Any) -> None:
    st.markdown(f"#### {t('ap.goal.heading', nr=action.nr)}")
    for g in action.goals:
        extra = ""
        if g.measurable and g.target_change is not None:
            cats = ", ".join(category_label(c, lang()) for c in g.categories) or t("ap.goal.all")
            extra = " · " + t("ap.goal.measure", change=fmt_num(100 * g.target_change, lang()), cats=cats,
                              by=g.by_date.isoformat() if g.by_date else "–")
        st.markdown(f"- {md(g.text)}{md(extra)}")
    with st.form(f"ap_goal_{action.id}", border=True):
        text = st.text_input(t("ap.goal.text"), key=f"ap_goal_text_{action.id}")
        measurable = st.checkbox(t("ap.goal.measurable"), key=f"ap_goal_measurable_{action.id}")
        c1, c2, c3 = st.columns(3)
        cats = c1.multiselect(t("ap.problem.categories"), list(BRA_CATEGORIES), key=f"ap_goal_cats_{action.id}",
                              format_func=labeller({c: category_label(c, lang()) for c in BRA_CATEGORIES}),
                              placeholder=t("ap.goal.all"))
        change = c2.number_input(t("ap.goal.change"), min_value=-100, max_value=100, value=-20, step=5,
                                 key=f"ap_goal_change_{action.id}")
        by = c3.date_input(t("ap.goal.by"), value=None, key=f"ap_goal_by_{action.id}", format="YYYY-MM-DD")
        go = st.form_submit_button(t("ap.goal.add"))
    if go:
        try:
            service.add_goal(actor, action.id, text, measurable=measurable, categories=cats,
                             target_change=change / 100 if measurable else None, by_date=by)
        except GeoTrygghetError as exc:
            st.error(plan_error(exc))
            return
        _saved(t("ap.goal.added", nr=action.nr))
