"""Analytiker/admin: walks: create, join code + link + QR, assign owners, close, follow up,
protocol (HTML/PDF), overdue list and reminder e-mails."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from geo_trygghet.remarks.states import WALK_GROUP_LABELS, WALK_GROUPS
from geo_trygghet.ui import links, state
from geo_trygghet.ui import walk_widgets as W
from geo_trygghet.ui.data import remark_service_or_error
from geo_trygghet.ui.i18n import lang, t

service, problem = remark_service_or_error()
actor = state.actor()
if service is None or actor is None:
    st.error(t("service.missing", why=problem) if service is None else t("login.failed"))
    st.stop()
st.header(t("wa.heading"))

with st.expander(t("wa.new"), icon=":material/add:"), st.form("wa_new", border=False):
    c1, c2, c3, c4 = st.columns([3, 1, 1, 2])
    title = c1.text_input(t("wa.title"), key="wa_title")
    day = c2.date_input(t("wa.date"), value=dt.date.today(), key="wa_date", format="YYYY-MM-DD")
    group = c3.selectbox(t("wa.group"), WALK_GROUPS, key="wa_group", index=WALK_GROUPS.index("blandad"),
                         format_func=W.labeller({g: WALK_GROUP_LABELS[g][1 if lang() == "en" else 0] for g in WALK_GROUPS}))
    organiser = c4.text_input(t("wa.organiser"), key="wa_organiser")
    area = st.file_uploader(t("wa.area"), type=["geojson", "json"], key="wa_area")
    if st.form_submit_button(t("wa.create"), type="primary"):
        try:
            w = service.create_walk(actor, title.strip(), area=area.getvalue().decode("utf-8") if area else None,
                                    walk_date=day, group=group, organiser=organiser.strip() or None)
        except Exception as exc:  # noqa: BLE001 - one line for the user
            st.error(W.swedish_error(exc))
        else:
            st.session_state["wa_pick"] = w.id
            state.flash(t("wa.created", title=w.title, code=w.join_code))
            st.rerun()

walks = {w.id: w for w in service.list_walks(actor)}
if not walks:
    st.info(t("wa.none"))
    st.stop()
wid = st.selectbox(t("wa.pick"), list(walks), key="wa_pick",
                   format_func=W.labeller({i: f"{w.title} ({w.walk_date or '–'}, {w.state_label(lang())})"
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
    if walk.state == "planerad":
        # one misclick must not end a walk: the button opens a box that says what closing means
        with st.popover(t("wa.close"), icon=":material/lock:"):
            st.caption(t("wa.close_means"))
            if st.button(t("wa.close_confirm"), key="wa_close", type="primary"):
                service.close_walk(actor, wid)
                state.flash(t("wa.closed"))
                st.rerun()
    if walk.state == "genomford" and st.button(t("wa.followed_up"), key="wa_uppfoljd"):
        service.set_walk_state(actor, wid, "uppfoljd")
        st.rerun()
png = links.qr_png(link)
qr.image(png, width=180)
qr.download_button(t("wa.qr_dl"), png, f"vandring_{walk.join_code}.png", "image/png", key="wa_qr_dl")

frame = service.remarks_frame(actor, walk=wid, lang=lang())
if not frame.empty:
    left, right = st.columns([1, 1])
    with left:
        W.show_map(frame, key="wa_map", area=walk.area, height=380)
    with right:
        st.dataframe(W.remarks_table(frame, walk=False), hide_index=True, width="stretch", key="wa_table")
remarks = service.list_remarks(actor, walk=wid)
assignable = [r for r in remarks if r.state in W.ASSIGNABLE]
if assignable:
    st.subheader(t("wa.to_assign"))
    st.caption(t("wa.to_assign_help"))
    W.assign_editor(service, actor, assignable, service.list_organisations(actor), key=f"wa_assign_{wid}")
fixed = [r for r in remarks if r.state == "atgardad"]
if fixed:
    st.subheader(t("wa.followup"))
    W.followup_editor(service, actor, fixed, key=f"wa_follow_{wid}")

st.subheader(t("label.protocol"))
p1, p2, p3, p4 = st.columns([1, 1, 1, 1], vertical_alignment="bottom")
as_of = p1.date_input(t("wa.protocol_as_of"), value=dt.date.today(), key="wa_asof", format="YYYY-MM-DD")
if p2.button(t("wa.protocol_make"), key="wa_protocol"):
    from geo_trygghet.reports.protocol import protocol_html, protocol_pdf_bytes

    with st.spinner("…"):
        st.session_state["wa_proto"] = (wid, as_of, protocol_html(service, wid, as_of=as_of, lang=lang(), actor=actor),
                                        protocol_pdf_bytes(service, wid, as_of=as_of, lang=lang(), actor=actor))
made = st.session_state.get("wa_proto")
if made and made[0] == wid:
    name = f"protokoll_{walk.join_code}_{made[1].isoformat()}"
    p3.download_button("HTML", made[2].encode("utf-8"), f"{name}.html", "text/html", key="wa_dl_html")
    p4.download_button("PDF", made[3], f"{name}.pdf", "application/pdf", key="wa_dl_pdf")

st.subheader(t("wa.overdue"))
late = service.remarks_frame(actor, overdue=True, lang=lang())
if late.empty:
    st.caption(t("wa.no_overdue"))
else:
    st.dataframe(W.remarks_table(late), hide_index=True, width="stretch", key="wa_late")
    if st.button(t("wa.remind"), key="wa_remind", icon=":material/mail:"):
        smtp = W.smtp_settings()
        if smtp is None:
            st.warning(t("smtp.missing"))
        else:
            from geo_trygghet.remarks.reminders import send_overdue_reminders

            try:
                sent = send_overdue_reminders(service, smtp["smtp_host"], smtp["smtp_port"], smtp["sender"],
                                              username=smtp["username"], password=smtp["password"],
                                              starttls=smtp["starttls"])
                st.success(t("wa.reminded", n=sent))
            except Exception as exc:  # noqa: BLE001 - SMTP down: say it in one line
                st.error(f"SMTP: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}")
