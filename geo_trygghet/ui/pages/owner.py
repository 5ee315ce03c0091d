"""Problemägare, "Mina uppgifter": my organisation's remarks on a map and in a list (plan, fix,
decline; history) and, in the second tab, its actions in the åtgärdsplan (report them done).

The services decide what this account sees (only its organisation's remarks and plan actions)
and which changes it may make; the page offers the transitions the state table allows from the
remark's state for the session's role.
"""

from __future__ import annotations

import streamlit as st

from geo_trygghet.remarks.states import STATES, actionable_states
from geo_trygghet.ui import remark_display as D
from geo_trygghet.ui import state
from geo_trygghet.ui.data import remark_service_or_error
from geo_trygghet.ui.i18n import lang, t
from geo_trygghet.ui.plan_data import plan_service_or_error
from geo_trygghet.ui.plan_tasks import my_actions, my_actions_view
from geo_trygghet.ui.staff_editors import owner_actions

service, problem = remark_service_or_error()
actor = state.actor()
if service is None or actor is None:
    st.error(t("service.missing", why=problem) if service is None else t("login.failed"))
    st.stop()
org_name = "–"
if getattr(actor, "organisation_id", None):
    org_name = next((o.name for o in service.list_organisations(actor) if o.id == actor.organisation_id), "–")
st.header(t("ow.heading", org=org_name))

# the plan's actions first in the code (the remarks' part below may stop the script), second on the page
plans, _ = plan_service_or_error()
actions = my_actions(plans, actor) if plans is not None else []
remarks_tab, actions_tab = st.tabs([t("ap.task.remarks_tab"), t("ap.task.actions_tab", n=len(actions))])
with actions_tab:
    if plans is not None:
        my_actions_view(plans, actor)
with remarks_tab:
    slugs = list(STATES)
    open_default = list(actionable_states(actor.role))
    c1, c2, c3 = st.columns([3, 2, 1], vertical_alignment="bottom")
    chosen = c1.multiselect(t("ow.state"), slugs, default=open_default, key="ow_state",
                            format_func=D.labeller({s: STATES[s].label(lang()) for s in slugs}),
                            placeholder=t("ui.choose"))
    everything = service.list_remarks(actor)
    walk_titles = sorted({r.walk_title for r in everything})
    walk = c2.selectbox(t("ow.walk"), [None, *walk_titles], key="ow_walk",
                        format_func=D.labeller({None: t("ow.all")}))
    overdue = c3.toggle(t("ow.overdue_only"), key="ow_overdue")

    frame = service.remarks_frame(actor, walk=walk, state=chosen or None, overdue=True if overdue else None,
                                  lang=lang())
    if frame.empty:
        st.info(t("ow.none"))
        st.stop()
    left, right = st.columns([1, 1])
    with left:
        D.show_map(frame, key="ow_map", height=420)
    with right:
        # a click on a row picks that remark below (as the "Välj anmärkning" box does)
        table = st.dataframe(D.remarks_table(frame, owner=False), hide_index=True, width="stretch", key="ow_table",
                             on_select="rerun", selection_mode="single-row",
                             column_config=D.remarks_columns())
        rows = list(getattr(getattr(table, "selection", None), "rows", None) or [])
        clicked = str(frame["id"].iloc[rows[0]]) if rows and rows[0] < len(frame) else None
        if clicked and clicked != st.session_state.get("_ow_clicked"):
            st.session_state["ow_pick"] = clicked
        st.session_state["_ow_clicked"] = clicked
        st.caption(t("ow.click_row"))

    remarks = {r.id: r for r in service.list_remarks(actor) if r.id in set(frame["id"])}
    rid = st.selectbox(t("ow.pick"), list(remarks), key="ow_pick",
                       format_func=D.labeller({i: D.remark_choice_label(r) for i, r in remarks.items()}))
    r = remarks[rid]
    st.markdown(f"**{r.number}. {D.md(r.category_label(lang()))}** · {D.md(r.walk_title)} · "
                f"{D.md(r.state_label(lang()))}")
    st.markdown(D.md(r.text))
    if r.has_photo:
        with st.expander(t("ow.photo")):
            st.image(service.get_photo(actor, r.id), width=480)

    owner_actions(service, actor, r)

    with st.expander(t("ow.history"), expanded=False):
        st.dataframe(D.history_table(service.history(actor, rid)), hide_index=True, width="stretch")
