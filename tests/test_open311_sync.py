"""The other direction, on SQLite and PostgreSQL: a remark assigned to an organisation with its own
Open311 endpoint is sent there exactly once and its fix comes back as an Åtgärdad event by that
organisation. The peer is geo_trygghet's own endpoint on a real HTTP server on loopback (another
database); it is down for a while, it loses an answer, and nothing is lost or doubled."""

from __future__ import annotations

import datetime as dt
import socket
import threading
import time
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import uvicorn

from geo_trygghet import settings
from geo_trygghet.remarks import Actor, RemarkService
from geo_trygghet.remarks.open311 import sync_endpoints
from geo_trygghet.remarks.open311.endpoints import FIRST_BACKOFF
from geo_trygghet.settings import local_today
from geo_trygghet.web.stack import web_app
from tests._open311 import ADMIN, OPEN311_ENV, new_id


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Peer:
    """Another kommun's geo_trygghet (its own database) serving Open311 on 127.0.0.1:``port``."""

    def __init__(self, tmp_path, port: int) -> None:
        self.service = RemarkService(f"sqlite:///{tmp_path / 'peer.sqlite'}")
        self.port = port
        self.owner = self.service.create_organisation(ADMIN, "Förvaltarna", categories=["klotter", "belysning"])
        self.key = self.service.create_api_key(ADMIN, "kommunen", "read-write").secret
        self.posts = 0
        self.lose_answers = 0  # the next N POSTs are stored, but their answers never arrive
        self.tokens_unknown = False  # answer 404 to every tokens/… (a peer without that resource)
        self.server: uvicorn.Server | None = None
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/open311/v2"

    def app(self):  # type: ignore[no-untyped-def]
        inner = web_app(lambda: self.service, burst=0, per_minute=0, open311_options={"burst": 0, "per_minute": 0})

        async def app(scope, receive, send):  # type: ignore[no-untyped-def]
            path = scope.get("path", "")
            if scope["type"] == "http" and "/tokens/" in path and self.tokens_unknown:
                await send({"type": "http.response.start", "status": 404, "headers": [(b"content-type", b"text/xml")]})
                await send({"type": "http.response.body", "body": b"<errors/>"})
                return
            if scope["type"] == "http" and scope["method"] == "POST" and path.endswith("/requests.xml"):
                self.posts += 1
                if self.lose_answers:
                    self.lose_answers -= 1

                    async def swallow(message):  # type: ignore[no-untyped-def]
                        return None

                    await inner(scope, receive, swallow)  # stored there …
                    await send({"type": "http.response.start", "status": 502, "headers": []})
                    await send({"type": "http.response.body", "body": b"bad gateway"})  # … the answer is lost
                    return
            await inner(scope, receive, send)

        return app

    def start(self) -> None:
        config = uvicorn.Config(self.app(), host="127.0.0.1", port=self.port, log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        while not self.server.started:  # a readiness wait: only a peer that died fails it
            if not self.thread.is_alive():
                pytest.fail("the peer stopped before it started listening")
            time.sleep(0.02)

    def stop(self) -> None:
        if self.server is not None and self.thread is not None:
            self.server.should_exit = True
            self.thread.join(timeout=20)
            self.server = self.thread = None

    def remarks(self):  # type: ignore[no-untyped-def]
        return self.service.list_remarks(ADMIN)


@pytest.fixture
def peer(tmp_path, monkeypatch) -> Iterator[Peer]:
    for name in OPEN311_ENV:
        monkeypatch.delenv(name, raising=False)
    p = Peer(tmp_path, free_port())
    try:
        yield p
    finally:
        p.stop()
        p.service.close()


@pytest.fixture
def ours(service, peer):
    """Our kommun: Fastighetsbolaget works in the peer's system; a klotter remark assigned to it."""
    org = service.create_organisation(ADMIN, "Fastighetsbolaget", categories=["klotter"])
    service.set_endpoint(ADMIN, org.id, peer.url, api_key=peer.key, jurisdiction_id="peer.se",
                         service_codes={"klotter": "klotter", "belysning": "belysning"})
    walk = service.create_walk(ADMIN, "Centrum kväll")
    remark = service.submit_remark(ADMIN, walk, new_id(), "klotter", "Tags på gaveln", lon=16.1852, lat=58.9926)
    service.assign(ADMIN, remark.id, org.id)
    return org, remark


def sync(service, now=None):  # type: ignore[no-untyped-def]
    return sync_endpoints(service, now=now, timeout=5)


def test_round_trip_sent_once_and_the_fix_comes_back(service, peer, ours):
    org, remark = ours
    peer.start()
    report = sync(service)
    assert (report.queued, report.sent, report.failures) == (1, 1, [])
    (theirs,) = peer.remarks()
    assert theirs.walk_title == "Open311: kommunen" and theirs.text == "Tags på gaveln"
    assert theirs.category == "klotter" and theirs.owner_name == "Förvaltarna" and theirs.state == "tilldelad"
    (entry,) = service.open311_outbox(ADMIN)
    assert (entry.status, entry.external_id, entry.attempts) == ("sent", theirs.id, 1)

    again = sync(service)
    assert (again.queued, again.sent, again.fixed) == (0, 0, 0) and peer.posts == 1 and len(peer.remarks()) == 1
    assert service.get_remark(ADMIN, remark.id).state == "tilldelad"

    peer.service.mark_fixed(ADMIN, theirs.id, note="Sanerat med högtryck")
    fixed_there = peer.service.history(ADMIN, theirs.id)[-1].at
    report = sync(service)
    assert report.fixed == 1 and report.failures == []
    ours_now = service.get_remark(ADMIN, remark.id)
    # their updated_datetime, as a day in the kommun's time zone (after 23:00 UTC it is tomorrow there)
    fixed_day = fixed_there.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(settings.local_tz)).date()
    assert ours_now.state == "atgardad" and ours_now.fixed_date == fixed_day
    *_, before, last = service.history(ADMIN, remark.id)
    assert (last.actor, last.to_state, last.note) == ("open311:Fastighetsbolaget", "atgardad", "Sanerat med högtryck")
    # their updated_datetime (whole seconds, as Open311 writes it), not when we heard of it; a
    # history never runs backwards, so not before our own previous event either
    assert last.at == max(fixed_there.replace(microsecond=0), before.at)
    assert service.open311_outbox(ADMIN)[0].status == "done"
    final = sync(service)
    assert (final.sent, final.fixed) == (0, 0) and peer.posts == 1 and len(peer.remarks()) == 1


def test_the_peer_down_for_a_while_then_up_nothing_lost_or_doubled(service, peer, ours):
    org, remark = ours
    t0 = dt.datetime(2030, 3, 1, 8, 0)
    first = sync(service, t0)
    assert first.sent == 0 and len(first.failures) == 1 and "did not answer" in first.failures[0][2]
    (entry,) = service.open311_outbox(ADMIN, failing=True)
    assert (entry.status, entry.attempts, entry.next_attempt_at) == ("pending", 1, t0 + FIRST_BACKOFF)
    assert sync(service, t0 + dt.timedelta(minutes=1)).failures == []  # waits its backoff
    assert service.open311_outbox(ADMIN)[0].attempts == 1
    second = sync(service, t0 + dt.timedelta(minutes=6))
    assert len(second.failures) == 1
    (entry,) = service.open311_outbox(ADMIN)
    assert entry.attempts == 2 and entry.next_attempt_at == t0 + dt.timedelta(minutes=6) + 2 * FIRST_BACKOFF

    peer.start()
    up = sync(service, t0 + dt.timedelta(minutes=30))
    assert (up.sent, up.failures) == (1, [])
    (theirs,) = peer.remarks()
    (entry,) = service.open311_outbox(ADMIN)
    assert (entry.status, entry.external_id, entry.last_error) == ("sent", theirs.id, None)
    assert service.open311_outbox(ADMIN, failing=True) == []
    sync(service, t0 + dt.timedelta(hours=2))
    assert peer.posts == 1 and len(peer.remarks()) == 1


@pytest.mark.parametrize("tokens", ["known", "unknown"])
def test_an_answer_lost_after_the_peer_stored_it_makes_no_second_request(service, peer, ours, tokens):
    org, remark = ours
    peer.lose_answers = 1
    peer.tokens_unknown = tokens == "unknown"
    peer.start()
    t0 = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    lost = sync(service, t0)
    assert lost.sent == 0 and "502" in lost.failures[0][2] and len(peer.remarks()) == 1
    retried = sync(service, t0 + dt.timedelta(hours=1))
    assert (retried.sent, retried.failures) == (1, [])
    (theirs,) = peer.remarks()  # still one: found by its token, or recognised by our id as reference
    assert service.open311_outbox(ADMIN)[0].external_id == theirs.id
    assert peer.posts == (1 if tokens == "known" else 2)


def test_not_sent_when_no_longer_theirs_and_a_missing_code_is_shown(service, peer, ours):
    org, remark = ours
    other = service.create_organisation(ADMIN, "Gatukontoret", categories=["belysning"])
    walk = service.get_walk("Centrum kväll")
    lamp = service.submit_remark(ADMIN, walk, new_id(), "trafik", "Fortkörning", lon=16.19, lat=58.99)
    service.assign(ADMIN, lamp.id, org.id)
    peer.start()
    t0 = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    report = sync(service, t0)
    assert report.sent == 1 and len(report.failures) == 1 and "trafik" in report.failures[0][2]
    (failing,) = service.open311_outbox(ADMIN, failing=True)
    assert failing.remark_id == lamp.id and "service_code" in (failing.last_error or "")
    service.assign(ADMIN, lamp.id, other.id)  # given to someone else before it could be sent
    later = sync(service, t0 + dt.timedelta(hours=1))
    assert later.sent == 0 and later.finished == 1
    assert {e.remark_id: e.status for e in service.open311_outbox(ADMIN)}[lamp.id] == "cancelled"
    assert len(peer.remarks()) == 1


def test_the_cli_runs_the_sync_and_shows_failures(service, peer, ours, db_url, monkeypatch, capsys):
    from geo_trygghet.cli import main

    monkeypatch.setenv("GEO_TRYGGHET_DATABASE_URL", db_url)
    assert main(["remarks", "sync", "--timeout", "2"]) == 0
    out, err = capsys.readouterr()
    assert "queued 1, sent 0" in out and "failed 1" in out
    assert "Fastighetsbolaget" in err and "did not answer" in err
    assert main(["remarks", "endpoint"]) == 0
    out, _ = capsys.readouterr()
    assert "Fastighetsbolaget" in out and "klotter=klotter" in out and "key set" in out


def test_a_problemagares_system_is_recorded_as_the_organisation(service, ours):
    org, remark = ours
    actor = Actor.organisation_system(org.id, org.name)
    assert actor.label == "open311:Fastighetsbolaget"
    service.mark_fixed(actor, remark.id, fixed_date=local_today(), note="Klart",
                       at=dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(minutes=5))
    assert service.history(ADMIN, remark.id)[-1].actor == "open311:Fastighetsbolaget"
