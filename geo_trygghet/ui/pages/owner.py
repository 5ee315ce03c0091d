"""Problemägare: my organisation's remarks on a map and in a list; plan, fix, decline; history.

The service decides what this account sees (only its organisation's remarks)
and which changes it may make; the page offers the transitions the state
table allows from the remark's state for the session's role.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from geo_trygghet.remarks.states import STATES, allowed_targets
from geo_trygghet.ui import state
from geo_trygghet.ui import walk_widgets as W
from geo_trygghet.ui.data import remark_service_or_error
from geo_trygghet.ui.i18n import lang, t

service, problem = remark_service_or_error()
actor = state.actor()
if service is None or actor is None:
    st.error(t("service.missing", why=problem) if service is None else t("login.failed"))
    st.stop()
org_name = "–"
if getattr(actor, "organisation_id", None):
    org_name = next((o.name for o in service.list_organisations(actor) if o.id == actor.organisation_id), "–")
st.header(t("ow.heading", org=org_name))

slugs = list(STATES)
open_default = [s for s in slugs if s in ("tilldelad", "planerad")]
c1, c2, c3 = st.columns([3, 2, 1], vertical_alignment="bottom")
chosen = c1.multiselect(t("ow.state"), slugs, default=open_default, key="ow_state",
                        format_func=W.labeller({s: STATES[s].label(lang()) for s in slugs}),
                        placeholder=t("ui.choose"))
everything = service.list_remarks(actor)
walk_titles = sorted({r.walk_title for r in everything})
walk = c2.selectbox(t("ow.walk"), [None, *walk_titles], key="ow_walk",
                    format_func=W.labeller({None: t("ow.all")}))
overdue = c3.toggle(t("ow.overdue_only"), key="ow_overdue")

frame = service.remarks_frame(actor, walk=walk, state=chosen or None, overdue=True if overdue else None,
                              lang=lang())
if frame.empty:
    st.info(t("ow.none"))
    st.stop()
left, right = st.columns([1, 1])
with left:
    W.show_map(frame, key="ow_map", height=420)
with right:
    # a click on a row picks that remark below (as the "Välj anmärkning" box does)
    table = st.dataframe(W.remarks_table(frame, owner=False), hide_index=True, width="stretch", key="ow_table",
                         on_select="rerun", selection_mode="single-row")
    rows = list(getattr(getattr(table, "selection", None), "rows", None) or [])
    clicked = str(frame["id"].iloc[rows[0]]) if rows and rows[0] < len(frame) else None
    if clicked and clicked != st.session_state.get("_ow_clicked"):
        st.session_state["ow_pick"] = clicked
    st.session_state["_ow_clicked"] = clicked
    st.caption(t("ow.click_row"))

remarks = {r.id: r for r in service.list_remarks(actor) if r.id in set(frame["id"])}
rid = st.selectbox(t("ow.pick"), list(remarks), key="ow_pick", format_func=W.labeller({i: W.remark_choice_label(r) for i, r in remarks.items()}))
r = remarks[rid]
st.markdown(f"**{r.number}. {W.md(r.category_label(lang()))}** · {W.md(r.walk_title)} · {W.md(r.state_label(lang()))}")
st.markdown(W.md(r.text))
if r.has_photo:
    with st.expander(t("ow.photo")):
        st.image(service.get_photo(actor, r.id), width=480)

targets = allowed_targets(r.state, actor.role)
tabs_for = [(s, label) for s, label in (("planerad", t("ow.plan")), ("atgardad", t("ow.fix")),
                                         ("inte_vart_ansvar", STATES["inte_vart_ansvar"].label(lang())),
                                         ("kan_inte_atgardas", STATES["kan_inte_atgardas"].label(lang())))
            if s in targets]
if not tabs_for:
    st.caption(t("ow.no_actions", state=r.state_label(lang())))
for tab, (target, _label) in zip(st.tabs([label for _, label in tabs_for]), tabs_for, strict=False):
    with tab, st.form(f"ow_form_{target}_{rid}", border=False):
        day = note = None
        if target in ("planerad", "atgardad"):
            day = st.date_input(t("ow.plan_date" if target == "planerad" else "ow.fix_date"),
                                value=r.planned_date or dt.date.today() if target == "planerad" else dt.date.today(),
                                key=f"ow_date_{target}_{rid}", format="YYYY-MM-DD")  # per remark
            note = st.text_input(t("ow.note"), key=f"ow_note_{target}_{rid}")
        else:
            note = st.text_area(t("ow.reason"), key=f"ow_reason_{target}_{rid}", height=80)
        if st.form_submit_button(t("ow.save"), type="primary"):
            if target in ("inte_vart_ansvar", "kan_inte_atgardas") and not (note or "").strip():
                st.error(t("ow.need_reason"))
                st.stop()
            try:
                if target == "planerad":
                    done = service.plan(actor, rid, day, note=note or None)
                elif target == "atgardad":
                    done = service.mark_fixed(actor, rid, day, note=note or None)
                elif target == "inte_vart_ansvar":
                    done = service.not_ours(actor, rid, note.strip())
                else:
                    done = service.cannot_fix(actor, rid, note.strip())
            except Exception as exc:  # noqa: BLE001 - one line for the user
                st.error(W.swedish_error(exc))
            else:
                state.flash(t("ow.saved", n=done.number, walk=done.walk_title, state=done.state_label(lang())),
                            toast=True)
                st.rerun()

with st.expander(t("ow.history"), expanded=False):
    st.dataframe(W.history_table(service.history(actor, rid)), hide_index=True, width="stretch")
