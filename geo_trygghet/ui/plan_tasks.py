""""Mina uppgifter" for a problemägare: the åtgärdsplan's actions its organisation is responsible
for, each with its plan, cause, dates, goals and light, and a form to report the production (done,
partly, not done, with the date, counts and hours) and a process note. The plan service shows
only the organisation's own actions and refuses reports on others'."""

from __future__ import annotations

from typing import Any

import streamlit as st

from .. import settings
from ..actionplan import rules
from ..errors import GeoTrygghetError
from . import state
from .i18n import lang, t
from .plan_data import plan_error, plan_follow_up
from .plan_widgets import light_md
from .remark_display import labeller, md

__all__ = ["my_actions", "my_actions_view"]


def my_actions(service: Any, actor: Any) -> list[tuple[Any, Any]]:
    """(plan view, action) for every action of the actor's organisation."""
    try:
        views = service.my_actions(actor)
    except GeoTrygghetError:
        return []
    return [(v, a) for v in views for a in v.actions]


def _report_form(service: Any, actor: Any, action: Any) -> None:
    key = f"ap_report_{action.id}"
    with st.form(key, border=True):
        c1, c2 = st.columns(2)
        status = c1.selectbox(t("ap.task.status"), rules.REPORTABLE, key=f"{key}_status",
                              format_func=labeller({s: rules.label("production", s, lang()) for s in rules.REPORTABLE}))
        day = c2.date_input(t("ap.task.date"), value=settings.local_today(), key=f"{key}_date", format="YYYY-MM-DD")
        c3, c4 = st.columns(2)
        count = c3.number_input(t("ap.task.count"), min_value=0, step=1, value=action.production_count or 0,
                                key=f"{key}_count")
        hours = c4.number_input(t("ap.task.hours"), min_value=0.0, step=1.0,
                                value=float(action.production_hours or 0.0), key=f"{key}_hours")
        note = st.text_area(t("ap.task.process"), value=action.process_note or "", key=f"{key}_note", height=80)
        go = st.form_submit_button(t("ap.task.report"), type="primary")
    if not go:
        return
    try:
        done = service.report(actor, action.id, production=status, production_date=day, count=count or None,
                              hours=hours or None, process_note=note)
    except GeoTrygghetError as exc:
        st.error(plan_error(exc))
        return
    state.flash(t("ap.task.saved", nr=done.nr, status=rules.label("production", done.production, lang())),
                toast=True)
    st.rerun()


def my_actions_view(service: Any, actor: Any) -> None:
    """The organisation's plan actions, one box each, with the report form."""
    items = my_actions(service, actor)
    if not items:
        st.info(t("ap.task.none"))
        return
    follow_ups = {}
    for view, _a in items:
        if view.plan.id not in follow_ups:
            follow_ups[view.plan.id] = plan_follow_up(view)
    for view, a in items:
        follow = follow_ups[view.plan.id].of(a)
        cause = view.cause(a.cause_id)
        due = a.due_date.isoformat() if a.due_date else "–"
        label = f"{light_md(follow.light.light)} · {a.nr}. {md(a.description)}"
        with st.expander(label, expanded=len(items) == 1):
            st.markdown(f"**{md(view.plan.title)}** · {t('ap.col.due')} {due} · "
                        f"{md(rules.label('production', follow.production, lang()))}")
            if cause is not None:
                st.markdown(f"{t('ap.task.cause')}: {cause.number}. {md(cause.text)}")
            for g in a.goals:
                st.markdown("- " + md(g.text))
            if a.promise and a.promise_text:
                st.markdown(f"{t('ap.task.promise')}: {md(a.promise_text)}")
            if follow.remarks is not None:
                st.caption(t("ap.table.remarks", fixed=follow.remarks.fixed, linked=follow.remarks.linked))
            _report_form(service, actor, a)
