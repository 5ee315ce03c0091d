"""The staff's and problemägare's editors: assign owners, follow up fixed remarks, and the
problemägare's own changes (plan, fixed, not ours, cannot fix), each offered from the
state table for the remark's state and the session's role."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from .. import settings
from ..errors import GeoTrygghetError
from ..remarks import states
from . import state
from .i18n import lang, t
from .period import date_field
from .remark_display import remarks_columns, remarks_table
from .service_errors import swedish_error


def assign_editor(service: Any, actor: Any, remarks: list[Any], organisations: list[Any], *, key: str) -> None:
    """Remarks and their problemägare: a new one with a suggestion comes ticked; a new one
    without one says "Välj problemägare …", unticked; an assigned one shows its owner, unticked
    (change the owner and tick it to re-assign). The caption says how many are ticked and why.
    Assigns the ticked rows that name an owner."""
    names = {o.name: o.id for o in organisations}
    prompt = t("wa.choose_owner")
    rows, new, suggested = [], 0, 0
    for r in remarks:
        owner, tick = r.owner_name, False
        if owner is None:
            new += 1
            try:
                suggestion = service.suggest_owner(r.id)
            except GeoTrygghetError:
                suggestion = None
            owner, tick = (suggestion.name, True) if suggestion else (prompt, False)
            suggested += bool(suggestion)
        rows.append({"id": r.id, t("col.nr"): r.number, t("col.state"): r.state_label(lang()),
                     t("col.category"): r.category_label(lang()), t("wa.suggested"): owner,
                     t("wa.assign_col"): tick, t("col.text"): r.text, "_owner": r.owner_name})
    st.caption(_assign_help(new, suggested))
    frame = pd.DataFrame(rows)
    editable = (t("wa.suggested"), t("wa.assign_col"))
    edited = st.data_editor(
        frame, key=key, hide_index=True, width="stretch", disabled=[c for c in frame.columns if c not in editable],
        column_config={"id": None, "_owner": None,
                       t("wa.suggested"): st.column_config.SelectboxColumn(options=[prompt, *names], required=True),
                       t("wa.assign_col"): st.column_config.CheckboxColumn()})
    if st.button(t("wa.assign_btn"), key=f"{key}_go", type="primary"):
        done, errors = 0, []
        for row in edited.to_dict("records"):
            owner = row[t("wa.suggested")]
            if row[t("wa.assign_col")] and owner in names and owner != row["_owner"]:
                try:
                    service.assign(actor, row["id"], names[owner])
                    done += 1
                except GeoTrygghetError as exc:
                    errors.append(f"{row[t('col.nr')]}: {swedish_error(exc)}")
        for line in errors:
            st.error(line)
        if not errors:
            key_ = "wa.assigned_0" if done == 0 else "wa.assigned_1" if done == 1 else "wa.assigned"
            state.flash(t(key_, n=done), "info" if done == 0 else "success")
            st.rerun()


def _assign_help(new: int, suggested: int) -> str:
    """What the table has ticked, said as it is: "1 av 2 nya anmärkningar har ett förslag …"."""
    if new == 0:
        return t("wa.assign_help.none_new")
    if suggested == new:
        return t("wa.assign_help.all" if new > 1 else "wa.assign_help.all_one", n=new)
    if suggested == 0:
        return t("wa.assign_help.no_suggestion" if new > 1 else "wa.assign_help.no_suggestion_one", n=new)
    return t("wa.assign_help.some", k=suggested, n=new, rest=new - suggested)


def followup_editor(service: Any, actor: Any, remarks: list[Any], *, key: str) -> None:
    """Fixed remarks seen again at the follow-up walk: mark Kontrollerad or reopen."""
    options = [t("wa.keep"), t("wa.verify"), t("wa.reopen")]
    frame = pd.DataFrame([{"id": r.id, t("col.nr"): r.number, t("col.category"): r.category_label(lang()),
                           t("col.text"): r.text, t("col.owner"): r.owner_name,
                           t("col.fixed"): r.fixed_date, t("wa.action"): options[0]} for r in remarks])
    edited = st.data_editor(
        frame, key=key, hide_index=True, width="stretch",
        disabled=[c for c in frame.columns if c != t("wa.action")],
        column_config={"id": None, t("wa.action"): st.column_config.SelectboxColumn(options=options)})
    if st.button(t("wa.followup_btn"), key=f"{key}_go", type="primary"):
        done, errors = 0, []
        for row in edited.to_dict("records"):
            action = row[t("wa.action")]
            try:
                if action == options[1]:
                    service.verify(actor, row["id"])
                    done += 1
                elif action == options[2]:
                    service.reopen(actor, row["id"])
                    done += 1
            except GeoTrygghetError as exc:
                errors.append(f"{row[t('col.nr')]}: {swedish_error(exc)}")
        for line in errors:
            st.error(line)
        if not errors:
            state.flash(t("wa.followed_1" if done == 1 else "wa.followed", n=done))
            st.rerun()


def owner_actions(service: Any, actor: Any, remark: Any) -> None:
    """One tab per change the state table lets ``actor`` make on ``remark`` (plan, fixed, not
    ours, cannot fix), each asking for what its table row needs: a date, or a reason."""
    targets = [s for s in service.allowed_changes(actor, remark)
               if states.find_transition(remark.state, s).name in _OWNER_CHANGES]
    if not targets:
        st.caption(t("ow.no_actions", state=remark.state_label(lang())))
        return
    rows = [states.find_transition(remark.state, s) for s in targets]
    for tab, row in zip(st.tabs([t(f"ow.do.{r.name}") for r in rows]), rows, strict=True):
        with tab, st.form(f"ow_form_{row.target}_{remark.id}", border=False):
            _owner_form(service, actor, remark, row)


#: The changes a problemägare makes on its page, and the date each asks for.
_OWNER_CHANGES = {"plan": "ow.plan_date", "mark_fixed": "ow.fix_date", "not_ours": None, "cannot_fix": None}


def _owner_form(service: Any, actor: Any, remark: Any, row: Any) -> None:
    key = f"{row.target}_{remark.id}"  # per remark: a date typed for one is not offered for another
    values: dict[str, Any] = {}
    if row.needs in (states.NEEDS_PLANNED, states.NEEDS_FIXED):
        today = settings.local_today()
        default = (remark.planned_date or today) if row.needs == states.NEEDS_PLANNED else today
        values[row.needs] = date_field(t(_OWNER_CHANGES[row.name] or "ow.note"), value=default, key=f"ow_date_{key}")
        values["note"] = st.text_input(t("ow.note"), key=f"ow_note_{key}") or None
    else:
        values["reason"] = (st.text_area(t("ow.reason"), key=f"ow_reason_{key}", height=80) or "").strip()
    if not st.form_submit_button(t("ow.save"), type="primary"):
        return
    if row.needs in (states.NEEDS_PLANNED, states.NEEDS_FIXED) and values[row.needs] is None:
        st.error(t("period.bad_one"))
        return
    if row.needs == states.NEEDS_REASON and not values["reason"]:
        st.error(t("ow.need_reason"))
        return
    try:
        done = service.transition(actor, remark.id, row.target, **values)
    except GeoTrygghetError as exc:
        st.error(swedish_error(exc))
    else:
        state.flash(t("ow.saved", n=done.ref, walk=done.walk_title, state=done.state_label(lang())), toast=True)
        st.rerun()


def protocol_downloads(service: Any, actor: Any, walk: Any) -> None:
    """The walk's protocol as of a chosen day, as HTML and PDF downloads."""
    p1, p2, p3, p4 = st.columns([1, 1, 1, 1], vertical_alignment="bottom")
    as_of = date_field(t("wa.protocol_as_of"), value=settings.local_today(), key="wa_asof", where=p1)
    if p2.button(t("wa.protocol_make"), key="wa_protocol", disabled=as_of is None):
        from ..reports.protocol import protocol_html, protocol_pdf_bytes

        with st.spinner("…"):
            html = protocol_html(service, walk.id, as_of=as_of, lang=lang(), actor=actor)
            pdf = protocol_pdf_bytes(service, walk.id, as_of=as_of, lang=lang(), actor=actor)
            st.session_state["wa_proto"] = (walk.id, as_of, html, pdf)
    made = st.session_state.get("wa_proto")
    if made and made[0] == walk.id:
        name = f"protokoll_{walk.join_code}_{made[1].isoformat()}"
        p3.download_button("HTML", made[2].encode("utf-8"), f"{name}.html", "text/html", key="wa_dl_html")
        p4.download_button("PDF", made[3], f"{name}.pdf", "application/pdf", key="wa_dl_pdf")


def overdue_and_reminders(service: Any, actor: Any) -> None:
    """The overdue remarks, and a button that e-mails each problemägare its own."""
    late = service.remarks_frame(actor, overdue=True, lang=lang())
    if late.empty:
        st.caption(t("wa.no_overdue"))
    else:
        st.dataframe(remarks_table(late), hide_index=True, width="stretch", key="wa_late",
                     column_config=remarks_columns())
        if st.button(t("wa.remind"), key="wa_remind", icon=":material/mail:"):
            smtp = settings.smtp_settings()
            if smtp is None:
                st.warning(t("smtp.missing"))
            else:
                from ..remarks.reminders import send_overdue_reminders

                try:
                    sent = send_overdue_reminders(service, smtp["smtp_host"], smtp["smtp_port"], smtp["sender"],
                                                  username=smtp["username"], password=smtp["password"],
                                                  starttls=smtp["starttls"])
                    st.success(t("wa.reminded", n=sent))
                except Exception as exc:  # noqa: BLE001 - SMTP down: say it in one line
                    st.error(f"SMTP: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}")
