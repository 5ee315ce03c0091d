"""Åtgärdsplan (analyst, samordnare, admin): from the lägesbild's hot spots to problems, causes
and actions with owners and dates, followed up with the handbook's traffic lights.

The page is thin: the plan service checks every change; the widgets live in
``ui/plan_editor.py``, ``ui/plan_followup.py`` and ``ui/plan_widgets.py``.
"""

from __future__ import annotations

import streamlit as st

from geo_trygghet.actionplan import rules
from geo_trygghet.ui import state
from geo_trygghet.ui.i18n import lang, t
from geo_trygghet.ui.plan_data import NEXT_PLAN, PLAN, plan_service_or_error
from geo_trygghet.ui.plan_editor import action_editor, cause_editor, new_plan_form, plan_status_editor, problem_editor
from geo_trygghet.ui.plan_followup import downloads, follow_up_view, history_view, import_form, plan_overview
from geo_trygghet.ui.remark_display import labeller, md

service, problem = plan_service_or_error()
actor = state.actor()
if service is None or actor is None:
    st.error(t("service.missing", why=problem) if service is None else t("login.failed"))
    st.stop()
st.header(t("ap.page.heading"))
st.caption(t("ap.page.intro"))

plans = service.list_plans(actor)
if NEXT_PLAN in st.session_state:  # a plan just made or imported
    st.session_state[PLAN] = st.session_state.pop(NEXT_PLAN)
if st.session_state.get(PLAN) not in [p.id for p in plans]:
    st.session_state.pop(PLAN, None)
c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
if plans:
    chosen = c1.selectbox(t("ap.page.plan"), [p.id for p in plans], key=PLAN,
                          format_func=labeller({p.id: f"{p.title} ({p.status_label(lang())})" for p in plans}))
with c2.popover(t("ap.plan.new"), icon=":material/add:", use_container_width=True):
    new_plan_form(service, actor)
if not plans:
    st.info(t("ap.page.none"))
    with st.expander(t("ap.import.heading")):
        import_form(service, actor)
    st.stop()

view = service.get_plan(actor, chosen)
plan = view.plan
period = " – ".join(d.isoformat() for d in (plan.period_start, plan.period_end) if d)
facts = [md(plan.area_name or ""), md(period), rules.label("status", plan.status, lang())]
if plan.decided_date:
    facts.append(t("ap.page.decided", d=plan.decided_date.isoformat()))
st.markdown(" · ".join(f for f in facts if f))
plan_status_editor(service, actor, view)

tabs = st.tabs([t("ap.tab.overview"), t("ap.tab.problems"), t("ap.tab.actions"), t("ap.tab.follow_up"),
                t("ap.tab.history"), t("ap.tab.import")])
with tabs[1]:
    left, right = st.columns(2)
    with left:
        st.subheader(t("ap.tab.problems"))
        problem_editor(service, actor, view)
    with right:
        st.subheader(t("ap.cause.heading"))
        cause_editor(service, actor, view)
with tabs[2]:
    action_editor(service, actor, view)
with tabs[3]:
    follow = follow_up_view(service, actor, view)
    downloads(view, follow)
with tabs[0]:
    plan_overview(view, follow)
with tabs[4]:
    history_view(service, actor, view)
with tabs[5]:
    import_form(service, actor)
