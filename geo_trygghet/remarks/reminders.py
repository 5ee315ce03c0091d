"""Overdue remarks (försenade) and reminder e-mails to the problemägare.

A remark is overdue when it is still with its problemägare and either its
planned date has passed, or it was assigned ``days`` (``settings.overdue_days``,
30) or more days ago and nothing has happened since (still Tilldelad).

:func:`send_overdue_reminders` sends one plain-text Swedish message per
organisation e-mail address over SMTP (:mod:`smtplib`).
"""

from __future__ import annotations

import datetime as dt
import smtplib
from collections import defaultdict
from email.message import EmailMessage
from typing import TYPE_CHECKING

from .. import settings
from ..i18n import text
from . import states as st

if TYPE_CHECKING:
    from .records import Remark
    from .service import RemarkService


def overdue_reason(
    remark: Remark, today: dt.date | None = None, days: int | None = None, lang: str = "sv"
) -> str | None:
    """Why ``remark`` is overdue (one line in ``lang``), or None when it is not."""
    today = today or settings.local_today()
    days = settings.overdue_days if days is None else days
    if (
        remark.state == st.PLANERAD
        and remark.planned_date is not None
        and remark.planned_date < today
    ):
        return text("reminder.reason_planned", lang, date=remark.planned_date.isoformat())
    if remark.state == st.TILLDELAD and remark.assigned_at is not None:
        assigned = settings.local_date(remark.assigned_at)
        waited = (today - assigned).days
        if waited >= days:
            return text("reminder.reason_assigned", lang, date=assigned.isoformat(),
                        days=waited)
    return None


def is_overdue(remark: Remark, today: dt.date | None = None, days: int | None = None) -> bool:
    return overdue_reason(remark, today, days) is not None


def reminder_message(
    organisation_name: str,
    remarks: list[Remark],
    *,
    sender: str,
    to: str,
    today: dt.date,
    days: int,
) -> EmailMessage:
    """The reminder for one organisation (plain text, Swedish)."""
    msg = EmailMessage()
    msg["Subject"] = text("reminder.subject", "sv", n=len(remarks))
    msg["From"] = sender
    msg["To"] = to
    lines = [text("reminder.greeting", "sv", name=organisation_name), "",
             *text("reminder.intro", "sv", date=today.isoformat()).splitlines(), ""]
    for r in sorted(remarks, key=lambda r: (r.walk_title, r.number)):
        said = " ".join((r.text or "").split())
        if len(said) > 140:
            said = said[:137] + "..."
        reason = overdue_reason(r, today, days) or ""
        lines.append(f"- {r.walk_title} nr {r.number} [{r.ref}] ({r.category_label()}): {said}")
        lines.append(f"  {reason}. Id: {r.id}")
    lines += ["", text("reminder.thanks", "sv"), "", text("reminder.automatic", "sv")]
    msg.set_content("\n".join(lines))
    return msg


def send_overdue_reminders(
    service: RemarkService,
    smtp_host: str = "localhost",
    smtp_port: int = 25,
    sender: str = "geo-trygghet@localhost",
    today: dt.date | None = None,
    *,
    days: int | None = None,
    username: str | None = None,
    password: str | None = None,
    starttls: bool = False,
    timeout: float = 30.0,
) -> int:
    """Send one reminder per organisation e-mail with overdue remarks; return how many were sent.

    Organisations without an e-mail address are skipped.
    """
    from .auth import Actor

    today = today or settings.local_today()
    days = settings.overdue_days if days is None else days
    overdue = service.overdue(Actor.system(), today=today, days=days)
    by_org: dict[int, list[Remark]] = defaultdict(list)
    for remark in overdue:
        if remark.owner_id is not None:
            by_org[remark.owner_id].append(remark)
    if not by_org:
        return 0
    orgs = {o.id: o for o in service.list_organisations()}
    messages = []
    for org_id, remarks in sorted(by_org.items()):
        org = orgs.get(org_id)
        if org is None or not org.email:
            continue
        messages.append(
            reminder_message(org.name, remarks, sender=sender, to=org.email, today=today, days=days)
        )
    if not messages:
        return 0
    with smtplib.SMTP(smtp_host, smtp_port, timeout=timeout) as smtp:
        if starttls:
            smtp.starttls()
        if username:
            smtp.login(username, password or "")
        for message in messages:
            smtp.send_message(message)
    return len(messages)
