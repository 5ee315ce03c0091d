"""Reminder e-mails for overdue remarks, sent to a real local SMTP server (aiosmtpd)."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import socket
import uuid

import pytest
from aiosmtpd.controller import Controller

from geo_trygghet.remarks import Actor, overdue_reason, send_overdue_reminders
from geo_trygghet.settings import local_today

ADMIN = Actor.system()


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), msg))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp():
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield controller.hostname, controller.port, inbox
    finally:
        controller.stop()


def test_one_swedish_reminder_per_organisation_with_its_overdue_remarks(service, smtp):
    host, port, inbox = smtp
    gata = service.create_organisation(ADMIN, "Gatukontoret", email="gata@kommun.example")
    bolag = service.create_organisation(ADMIN, "Stångåstaden", email="felanmalan@bolag.example")
    tyst = service.create_organisation(ADMIN, "Utan e-post")
    walk = service.create_walk(ADMIN, "Centrum kväll")
    today = local_today()

    def remark(text):
        return service.submit_remark(
            ADMIN, walk, str(uuid.uuid4()), "belysning", text, lon=15.62, lat=58.41
        )

    a, b, c, d, e = (
        remark(t)
        for t in ("Trasig lampa Åvägen 37", "Mörk passage", "Klotter", "Ok", "Ingen e-post")
    )
    service.assign(ADMIN, a.id, gata.id)
    service.assign(ADMIN, b.id, gata.id)
    service.plan(ADMIN, b.id, today + dt.timedelta(days=5))
    service.assign(ADMIN, c.id, bolag.id)
    service.assign(ADMIN, d.id, bolag.id)
    service.mark_fixed(ADMIN, d.id, today)
    service.assign(ADMIN, e.id, tyst.id)

    assert send_overdue_reminders(service, host, port, "trygghet@kommun.example", today=today) == 0
    assert inbox.messages == []

    later = today + dt.timedelta(days=40)
    sent = send_overdue_reminders(service, host, port, "trygghet@kommun.example", today=later)
    assert sent == 2
    by_to = {tuple(rcpt): msg for _, rcpt, msg in inbox.messages}
    assert set(by_to) == {("gata@kommun.example",), ("felanmalan@bolag.example",)}
    gata_msg = by_to[("gata@kommun.example",)]
    assert gata_msg["From"] == "trygghet@kommun.example"
    assert "försenade" in gata_msg["Subject"] and gata_msg["Subject"].startswith("Påminnelse: 2")
    body = gata_msg.get_content()
    assert "Hej Gatukontoret!" in body
    assert "Trasig lampa Åvägen 37" in body and "Mörk passage" in body
    assert "Klotter" not in body  # another organisation's remark
    assert "ingen åtgärd på 40 dagar" in body and "planerat till" in body
    bolag_body = by_to[("felanmalan@bolag.example",)].get_content()
    assert (
        "Klotter" in bolag_body and bolag_body.count("- Centrum kväll nr") == 1
    )  # the fixed one is not listed
    assert body.count("- Centrum kväll nr") == 2
    assert overdue_reason(service.get_remark(ADMIN, d.id), later) is None


def test_cli_remind_sends_through_the_configured_smtp_server(tmp_path, smtp):
    """`geo-trygghet remarks remind` reads GEO_TRYGGHET_SMTP_* and mails each owner."""
    import os
    import subprocess
    import sys

    from geo_trygghet.remarks import RemarkService

    host, port, inbox = smtp
    url = f"sqlite:///{tmp_path / 'r.sqlite'}"
    service = RemarkService(url)
    org = service.create_organisation(ADMIN, "Gatukontoret", email="gata@kommun.example")
    walk = service.create_walk(ADMIN, "Kväll")
    r = service.submit_remark(ADMIN, walk, str(uuid.uuid4()), "belysning", "Lampa trasig", lon=15.6, lat=58.4)
    service.assign(ADMIN, r.id, org.id)
    service.close()
    env = {**os.environ, "GEO_TRYGGHET_DATABASE_URL": url, "GEO_TRYGGHET_SMTP_HOST": host,
           "GEO_TRYGGHET_SMTP_PORT": str(port), "GEO_TRYGGHET_SMTP_SENDER": "bf@kommun.example"}
    dry = subprocess.run([sys.executable, "-m", "geo_trygghet", "remarks", "remind", "--days", "0", "--dry-run"],
                         capture_output=True, text=True, env=env)
    assert dry.returncode == 0 and "Gatukontoret: 1 overdue" in dry.stdout and not inbox.messages
    out = subprocess.run([sys.executable, "-m", "geo_trygghet", "remarks", "remind", "--days", "0"],
                         capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
    assert "sent 1 reminder" in out.stdout
    assert [rcpt for _, rcpt, _ in inbox.messages] == [["gata@kommun.example"]]
    env.pop("GEO_TRYGGHET_SMTP_HOST")
    bad = subprocess.run([sys.executable, "-m", "geo_trygghet", "remarks", "remind"],
                         capture_output=True, text=True, env=env)
    assert bad.returncode == 2 and "GEO_TRYGGHET_SMTP_HOST" in bad.stderr
