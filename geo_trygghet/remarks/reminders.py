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
from . import states as st

if TYPE_CHECKING:
    from .records import Remark
    from .service import RemarkService


def overdue_reason(
    remark: Remark, today: dt.date | None = None, days: int | None = None
) -> str | None:
    """Why ``remark`` is overdue (Swedish, one line), or None when it is not."""
    today = today or dt.date.today()
    days = settings.overdue_days if days is None else days
    if (
        remark.state == st.PLANERAD
        and remark.planned_date is not None
        and remark.planned_date < today
    ):
        return f"planerat till {remark.planned_date.isoformat()}, ännu inte åtgärdat"
    if remark.state == st.TILLDELAD and remark.assigned_at is not None:
        waited = (today - remark.assigned_at.date()).days
        if waited >= days:
            return (
                f"tilldelad {remark.assigned_at.date().isoformat()}, ingen åtgärd på {waited} dagar"
            )
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
    msg["Subject"] = f"Påminnelse: {len(remarks)} försenade anmärkningar från trygghetsvandringar"
    msg["From"] = sender
    msg["To"] = to
    lines = [
        f"Hej {organisation_name}!",
        "",
        f"Följande anmärkningar från trygghetsvandringar är försenade per {today.isoformat()}.",
        "Planera en åtgärd med datum, markera dem som åtgärdade, eller svara",
        "'inte vårt ansvar' med en motivering i geo_trygghet.",
        "",
    ]
    for r in sorted(remarks, key=lambda r: (r.walk_title, r.number)):
        text = " ".join((r.text or "").split())
        if len(text) > 140:
            text = text[:137] + "..."
        reason = overdue_reason(r, today, days) or ""
        lines.append(f"- {r.walk_title} nr {r.number} ({r.category_label()}): {text}")
        lines.append(f"  {reason}. Id: {r.id}")
    lines += [
        "",
        "Tack för hjälpen!",
        "",
        "Detta meddelande skickades automatiskt av geo_trygghet.",
    ]
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

    today = today or dt.date.today()
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
