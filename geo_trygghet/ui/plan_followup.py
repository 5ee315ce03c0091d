"""The plan's follow-up in the app: the handbook's table with the lights, each action's production,
effect, goals and remarks, the lights set by hand (with their reason), the history, the map, the
styrgrupp's report and the Excel table to download, and a plan imported from Excel."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from .. import settings
from ..actionplan import rules
from ..errors import GeoTrygghetError
from ..i18n.formatting import fmt_num
from . import state
from .i18n import lang, t
from .plan_data import NEXT_PLAN, kept_hotspots, plan_error, plan_follow_up
from .plan_widgets import handbook_frame, light_md, light_text, show_plan_map, styled_handbook
from .remark_display import actor_name, labeller, local_time, md

__all__ = ["downloads", "follow_up_view", "history_view", "import_form", "plan_overview"]


def plan_overview(view: Any, follow: Any) -> None:
    """The lights counted, the handbook's table with the lights, and the map."""
    counts = follow.light_counts()
    cols = st.columns(len(counts))
    for col, (light, n) in zip(cols, counts.items(), strict=True):
        col.metric(light_md(light), n)
    if not view.actions:
        st.info(t("ap.overview.empty"))
    else:
        st.dataframe(styled_handbook(handbook_frame(view, follow)), hide_index=True, width="stretch", key="ap_table")
    with st.expander(t("ap.overview.rule")):
        st.markdown(t("ap.report.rule_1"))
        st.markdown(t("ap.report.rule_2"))
        st.markdown(t("ap.report.rule_3"))
    hot = kept_hotspots()
    show_plan_map(view, follow, hotspot_cells=hot.cells if hot is not None else None, key=f"ap_map_{view.plan.id}")


def _effect_lines(f: Any) -> list[str]:
    lg = lang()
    if f.effect is None:
        return [t("ap.fu.no_effect", why=t(f"ap.effect_note.{f.effect_note}") if f.effect_note else "–")]
    e = f.effect
    source = t(f"ap.report.controls_{e.control_source}", n=len(e.control_names))
    return [t("ap.fu.effect", before=e.target_before, after=e.target_after, cb=e.control_before, ca=e.control_after,
              days=e.after_days, source=source), e.reading(lg)]


def _goal_lines(f: Any) -> list[str]:
    lg = lang()
    out = []
    for g in f.goals:
        if g.goal.measurable and g.current is not None:
            out.append(t("ap.fu.goal", text=g.goal.text, status=rules.label("goal", g.status, lg),
                         baseline=fmt_num(g.baseline, lg), current=g.current, target=fmt_num(g.target, lg)))
        else:
            out.append(t("ap.fu.goal_text", text=g.goal.text))
    return out


def _override_form(service: Any, actor: Any, f: Any) -> None:
    a = f.action
    with st.form(f"ap_override_{a.id}", border=False):
        c1, c2 = st.columns([1, 3])
        light = c1.selectbox(t("ap.fu.set_light"), rules.LIGHTS, key=f"ap_override_light_{a.id}",
                             format_func=labeller({x: light_text(x) for x in rules.LIGHTS}))
        reason = c2.text_input(t("ap.fu.reason"), key=f"ap_override_reason_{a.id}")
        c3, c4 = st.columns(2)
        go = c3.form_submit_button(t("ap.fu.override"))
        clear = c4.form_submit_button(t("ap.fu.clear"), disabled=a.light_override is None)
    try:
        if go:
            service.override_light(actor, a.id, light, reason)
            state.flash(t("ap.fu.overridden", nr=a.nr), toast=True)
            st.rerun()
        if clear:
            service.clear_override(actor, a.id, reason or None)
            state.flash(t("ap.fu.cleared", nr=a.nr), toast=True)
            st.rerun()
    except GeoTrygghetError as exc:
        st.error(plan_error(exc))


def follow_up_view(service: Any, actor: Any, view: Any, *, staff: bool = True) -> Any:
    """As-of date, then one box per action: light, production, effect, goals, remarks; staff may
    set a light by hand. Returns the follow-up."""
    as_of = st.date_input(t("ap.fu.as_of"), value=settings.local_today(), key="ap_as_of", format="YYYY-MM-DD")
    with st.spinner(t("ap.fu.computing")):
        follow = plan_follow_up(view, as_of)
    if follow.data_until is None:
        st.info(t("ap.fu.no_data"))
    for f in follow.actions:
        a = f.action
        with st.expander(f"{light_md(f.light.light)} · {a.nr}. {md(a.description)}", expanded=False):
            done = rules.label("production", f.production, lang())
            if f.production_from_remarks:
                done += " " + t("ap.report.from_remarks")
            st.markdown(f"**{t('ap.col.production')}:** {md(done)}")
            lines = [*_effect_lines(f), *_goal_lines(f)]
            if f.remarks is not None:
                lines.append(t("ap.table.remarks", fixed=f.remarks.fixed, linked=f.remarks.linked))
            if a.process_note:
                lines.append(t("ap.fu.process", note=a.process_note))
            if f.light.source == "override":
                lines.append(t("ap.fu.by_hand", reason=f.light.reason or ""))
            for line in lines:
                st.markdown("- " + md(line))
            if staff:
                _override_form(service, actor, f)
    return follow


def history_view(service: Any, actor: Any, view: Any) -> None:
    """Every change of the plan, oldest first: when, who, what, on which part, the note."""
    events = service.history(actor, view.plan)
    names = {"plan": t("ap.hist.plan"), "problem": t("ap.hist.problem"), "cause": t("ap.hist.cause"),
             "action": t("ap.hist.action"), "goal": t("ap.hist.goal")}
    numbers = {a.id: a.nr for a in view.actions}
    frame = pd.DataFrame({
        t("col.when"): [local_time(e.at).strftime("%Y-%m-%d %H:%M") for e in events],
        t("col.who"): [actor_name(e.actor) for e in events],
        t("ap.hist.what"): [e.what_label(lang()) for e in events],
        t("ap.hist.part"): [f"{names.get(e.entity, e.entity)} {numbers.get(e.entity_id, '')}".strip()
                            if e.entity == "action" else names.get(e.entity, e.entity) for e in events],
        t("col.note"): [e.note or "" for e in events],
    })
    st.dataframe(frame, hide_index=True, width="stretch", key="ap_history")


def downloads(view: Any, follow: Any) -> None:
    """The styrgrupp's report (HTML, PDF) and the handbook's table (Excel), made on request."""
    c1, c2, c3, c4 = st.columns(4, vertical_alignment="bottom")
    if c1.button(t("ap.dl.make"), key="ap_dl_make", icon=":material/description:"):
        from ..actionplan.export import export_plan
        from ..reports.actionplan import plan_report_html, plan_report_pdf_bytes

        hot = kept_hotspots()
        cells = hot.cells if hot is not None else None
        with st.spinner("…"):
            html = plan_report_html(view, follow, hotspot_cells=cells, lang=lang())
            pdf = plan_report_pdf_bytes(view, follow, hotspot_cells=cells, lang=lang())
            with tempfile.TemporaryDirectory() as tmp:
                xlsx = export_plan(view, Path(tmp) / "plan.xlsx", follow_up=follow, lang=lang()).read_bytes()
        st.session_state["ap_dl"] = (view.plan.id, follow.as_of, html, pdf, xlsx)
    made = st.session_state.get("ap_dl")
    if made and made[0] == view.plan.id:
        name = f"atgardsplan_{view.plan.id}_{made[1].isoformat()}"
        c2.download_button("HTML", made[2].encode("utf-8"), f"{name}.html", "text/html", key="ap_dl_html")
        c3.download_button("PDF", made[3], f"{name}.pdf", "application/pdf", key="ap_dl_pdf")
        c4.download_button("Excel", made[4], f"{name}.xlsx",
                           "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="ap_dl_xlsx")


def import_form(service: Any, actor: Any) -> None:
    """A plan kept in Excel or CSV with the handbook's columns, imported as a new plan."""
    from ..actionplan.importer import import_plan

    with st.form("ap_import", border=True):
        upload = st.file_uploader(t("ap.import.file"), type=["xlsx", "csv"], key="ap_import_file")
        title = st.text_input(t("ap.import.title"), key="ap_import_title")
        go = st.form_submit_button(t("ap.import.button"), type="primary")
    st.caption(t("ap.import.help"))
    if not go or upload is None:
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / Path(upload.name).name
        path.write_bytes(upload.getvalue())
        try:
            summary = import_plan(service, path, title, actor=actor)
        except GeoTrygghetError as exc:
            st.error(plan_error(exc))
            return
    st.session_state[NEXT_PLAN] = summary.plan_id
    state.flash(t("ap.import.done", title=summary.title, n=summary.actions), toast=True)
    st.rerun()
