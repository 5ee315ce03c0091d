"""Analytiker/admin: walks: create, join code + link + QR, assign owners, close, follow up,
protocol (HTML/PDF), overdue list and reminder e-mails."""

from __future__ import annotations

import streamlit as st

from geo_trygghet import settings
from geo_trygghet.remarks import states
from geo_trygghet.ui import links, state
from geo_trygghet.ui import remark_display as D
from geo_trygghet.ui.data import remark_service_or_error
from geo_trygghet.ui.i18n import lang, t
from geo_trygghet.ui.period import date_field
from geo_trygghet.ui.service_errors import swedish_error
from geo_trygghet.ui.staff_editors import assign_editor, followup_editor, overdue_and_reminders, protocol_downloads

service, problem = remark_service_or_error()
actor = state.actor()
if service is None or actor is None:
    st.error(t("service.missing", why=problem) if service is None else t("login.failed"))
    st.stop()
st.header(t("wa.heading"))

with st.expander(t("wa.new"), icon=":material/add:"), st.form("wa_new", border=False):
    c1, c2, c3, c4 = st.columns([3, 1, 1, 2])
    title = c1.text_input(t("wa.title"), key="wa_title")
    day = date_field(t("wa.date"), value=settings.local_today(), key="wa_date", where=c2)
    group = c3.selectbox(t("wa.group"), states.WALK_GROUPS, key="wa_group",
                         index=states.WALK_GROUPS.index(states.DEFAULT_WALK_GROUP),
                         format_func=D.labeller({g: states.walk_group_label(g, lang()) for g in states.WALK_GROUPS}))
    organiser = c4.text_input(t("wa.organiser"), key="wa_organiser")
    area = st.file_uploader(t("wa.area"), type=["geojson", "json"], key="wa_area")
    if st.form_submit_button(t("wa.create"), type="primary"):
        if day is None and (st.session_state.get("wa_date") or "").strip():
            st.error(t("period.bad_one"))
            st.stop()
        try:
            w = service.create_walk(actor, title.strip(), area=area.getvalue().decode("utf-8") if area else None,
                                    walk_date=day, group=group, organiser=organiser.strip() or None)
        except Exception as exc:  # noqa: BLE001 - one line for the user
            st.error(swedish_error(exc))
        else:
            st.session_state["wa_pick"] = w.id
            state.flash(t("wa.created", title=w.title, code=w.join_code))
            st.rerun()

walks = {w.id: w for w in service.list_walks(actor)}
if not walks:
    st.info(t("wa.none"))
    st.stop()
wid = st.selectbox(t("wa.pick"), list(walks), key="wa_pick",
                   format_func=D.labeller({i: f"{w.title} ({w.walk_date or '–'}, {w.state_label(lang())})"
                                           for i, w in walks.items()}))
walk = walks[wid]

link = links.join_link(walk.join_code)
info, qr = st.columns([3, 1])
with info:
    m1, m2, m3 = st.columns(3)
    m1.metric(t("wa.code"), walk.join_code)
    m2.metric(t("wa.state"), walk.state_label(lang()))
    m3.metric(t("wa.remarks"), walk.remark_count)
    st.text_input(t("wa.link"), link, disabled=True, key=f"wa_link_{wid}")
    if walk.can_close:
        # one misclick must not end a walk: the button opens a box that says what closing means
        with st.popover(t("wa.close"), icon=":material/lock:"):
            st.caption(t("wa.close_means"))
            if st.button(t("wa.close_confirm"), key="wa_close", type="primary"):
                service.close_walk(actor, wid)
                state.flash(t("wa.closed"))
                st.rerun()
    if walk.can_follow_up and st.button(t("wa.followed_up"), key="wa_uppfoljd"):
        service.set_walk_state(actor, wid, states.WALK_UPPFOLJD)
        st.rerun()
png = links.qr_png(link)
qr.image(png, width=180)
qr.download_button(t("wa.qr_dl"), png, f"vandring_{walk.join_code}.png", "image/png", key="wa_qr_dl")

frame = service.remarks_frame(actor, walk=wid, lang=lang())
if not frame.empty:
    left, right = st.columns([1, 1])
    with left:
        D.show_map(frame, key="wa_map", area=walk.area, height=380)
    with right:
        st.dataframe(D.remarks_table(frame, walk=False), hide_index=True, width="stretch", key="wa_table",
                     column_config=D.remarks_columns())
remarks = service.list_remarks(actor, walk=wid)
assignable = [r for r in remarks if states.can_assign(r.state)]
if assignable:
    st.subheader(t("wa.to_assign"))
    assign_editor(service, actor, assignable, service.list_organisations(actor), key=f"wa_assign_{wid}")
fixed = [r for r in remarks if states.awaits_follow_up(r.state)]
if fixed:
    st.subheader(t("wa.followup"))
    followup_editor(service, actor, fixed, key=f"wa_follow_{wid}")

st.subheader(t("label.protocol"))
protocol_downloads(service, actor, walk)
st.subheader(t("wa.overdue"))
overdue_and_reminders(service, actor)
