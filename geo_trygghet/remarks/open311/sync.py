"""``geo-trygghet remarks sync``: remarks out to problemägare's own systems, their fixes back.

One run (from cron, like ``remarks remind``):

1. **queue**: every remark assigned to an organisation with an enabled endpoint gets its outbox row
   (once per remark and organisation);
2. **send**: each pending row whose time has come is claimed and POSTed to that endpoint, with our
   remark id as ``attribute[external_id]`` (the reference that makes a resend the same request).
   A row whose earlier attempt failed first asks ``tokens/{our id}``: if the request did reach
   that system (the answer was lost), its id is taken from there instead of posting again. A
   failure is kept on the row (shown to the admin) and retried after a backoff (5 min, 10, 20 …
   at most 6 h); nothing is lost while that system is down. A remark no longer with that
   organisation (reassigned, closed here) is not sent.
3. **fetch back**: the sent requests are read from each endpoint (``requests.xml?
   service_request_id=…``); a request it reports ``closed`` marks our remark Åtgärdad, with its
   ``updated_datetime`` (the event's time, its date the fixed date) and its ``status_notes``, as
   an event by that organisation (``open311:<name>``).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from typing import Any

from ... import settings
from ...errors import GeoTrygghetError
from .. import states as st
from ..auth import Actor
from ..models import utcnow
from ..records import Remark
from .client import Open311Client, Opener, PeerError, PeerRequest
from .models import CANCELLED, DONE, SENT
from .records import Endpoint, OutboxEntry, SyncReport

log = logging.getLogger(__name__)
#: How many ids one ``requests.xml`` asks for.
FETCH_CHUNK = 50


def _remark(service: Any, remark_id: str) -> Remark:
    with service.repo.read() as s:
        remark: Remark = service.repo.remark_by_id(s, remark_id, None)
        return remark


def request_params(remark: Remark, service_code: str) -> list[tuple[str, str]]:
    """What is POSTed for ``remark``: the service, the position, the text, our id as reference, and a
    photo's address only when photos are public. Never the reporter's name."""
    params = [("service_code", service_code), ("lat", f"{remark.lat:.7f}"), ("long", f"{remark.lon:.7f}"),
              ("description", remark.text or remark.category_label()), ("attribute[external_id]", remark.id)]
    base = settings.public_url()
    if remark.has_photo and settings.open311_public_photos() and base:
        params.append(("media_url", f"{base.rstrip('/')}/open311/v2/media/{remark.id}.jpg"))
    return params


class Sync:
    """One run of the sync against the service's database (see the module docstring)."""

    def __init__(self, service: Any, *, now: dt.datetime | None = None, timeout: float = 15.0,
                 opener: Opener | None = None) -> None:
        self.service = service
        self.endpoints = service.endpoints
        self.now = now or utcnow()
        self.timeout = timeout
        self.opener = opener
        self.report = SyncReport()
        self._known: dict[int, Endpoint | None] = {}

    def run(self) -> SyncReport:
        self.report.queued = self.endpoints.enqueue(self.now)
        for entry in self.endpoints.due(self.now):
            self.send(entry)
        self.fetch_back()
        return self.report

    def _endpoint(self, organisation_id: int) -> Endpoint | None:
        if organisation_id not in self._known:
            self._known[organisation_id] = self.endpoints.endpoint(organisation_id)
        return self._known[organisation_id]

    def _client(self, endpoint: Endpoint) -> Open311Client:
        return Open311Client(endpoint, timeout=self.timeout, opener=self.opener)

    def _fail(self, entry: OutboxEntry, error: str) -> None:
        self.endpoints.record(entry.id, self.now, error=error)
        self.report.failures.append((entry.organisation_name, f"{entry.remark_title} nr {entry.remark_number}", error))
        log.warning("Open311 sync: %s, remark %s: %s", entry.organisation_name, entry.remark_id, error)

    def send(self, entry: OutboxEntry) -> None:
        """Send one due row (once: a row that may have arrived is looked up before it is sent again)."""
        endpoint = self._endpoint(entry.organisation_id)
        if endpoint is None or not endpoint.enabled:
            return
        remark = _remark(self.service, entry.remark_id)
        if remark.owner_id != entry.organisation_id or not remark.is_open:
            self.endpoints.record(entry.id, self.now, status=CANCELLED)
            self.report.finished += 1
            return
        if not self.endpoints.claim(entry.id, self.now):
            return  # another sync is sending it
        code = endpoint.service_codes.get(remark.category)
        if not code:
            self._fail(entry, f"no service_code for the category '{remark.category}': map it for "
                              f"{endpoint.organisation_name} in the admin page")
            return
        client = self._client(endpoint)
        try:
            external = client.request_for_token(remark.id) if entry.attempts > 0 else None
            external = external or client.post_request(request_params(remark, code))
        except PeerError as exc:
            self._fail(entry, str(exc))
            return
        self.endpoints.record(entry.id, self.now, status=SENT, external_id=external)
        self.report.sent += 1

    def fetch_back(self) -> None:
        """Read the sent requests back from each endpoint and take in the fixes."""
        by_org: dict[int, list[OutboxEntry]] = defaultdict(list)
        for entry in self.endpoints.following():
            by_org[entry.organisation_id].append(entry)
        for org_id, entries in by_org.items():
            endpoint = self._endpoint(org_id)
            if endpoint is None or not endpoint.enabled:
                continue
            client = self._client(endpoint)
            for start in range(0, len(entries), FETCH_CHUNK):
                self._fetch_chunk(client, endpoint, entries[start:start + FETCH_CHUNK])

    def _fetch_chunk(self, client: Open311Client, endpoint: Endpoint, entries: list[OutboxEntry]) -> None:
        try:
            entries = [self._resolve_token(client, e) for e in entries]
            ids = [e.external_id for e in entries if e.external_id and not e.external_id.startswith("token:")]
            theirs = {r.service_request_id: r for r in client.requests(ids)} if ids else {}
        except PeerError as exc:
            for entry in entries:
                self._fail(entry, str(exc))
            return
        for entry in entries:
            self._take_back(endpoint, entry, theirs.get(entry.external_id or ""))

    def _resolve_token(self, client: Open311Client, entry: OutboxEntry) -> OutboxEntry:
        """A row sent to a system that answered with a token: its id, once the token gives one."""
        from dataclasses import replace

        if not (entry.external_id or "").startswith("token:"):
            return entry
        found = client.request_for_token((entry.external_id or "")[len("token:"):])
        if found is None:
            return entry
        self.endpoints.record(entry.id, self.now, external_id=found)
        return replace(entry, external_id=found)

    def _take_back(self, endpoint: Endpoint, entry: OutboxEntry, theirs: PeerRequest | None) -> None:
        remark = _remark(self.service, entry.remark_id)
        if remark.owner_id != entry.organisation_id or not remark.is_open:
            self.endpoints.record(entry.id, self.now, status=DONE, their_status=theirs.status if theirs else None)
            self.report.finished += 1
            return
        if theirs is None or theirs.status != "closed":
            self.endpoints.record(entry.id, self.now, their_status=theirs.status if theirs else None)
            return
        if st.can_reach(remark.state, st.ATGARDAD):
            try:
                self._mark_fixed(endpoint, remark, theirs)
            except GeoTrygghetError as exc:
                self._fail(entry, f"their fix could not be recorded: {exc}")
                return
            self.report.fixed += 1
        self.endpoints.record(entry.id, self.now, status=DONE, their_status=theirs.status)

    def _mark_fixed(self, endpoint: Endpoint, remark: Remark, theirs: PeerRequest) -> None:
        when = theirs.updated or self.now.replace(tzinfo=dt.UTC)
        moment = min(when.astimezone(dt.UTC).replace(tzinfo=None), self.now)
        day = settings.local_date(moment)
        actor = Actor.organisation_system(endpoint.organisation_id, endpoint.organisation_name)
        self.service.transition(actor, remark.id, st.ATGARDAD, note=theirs.status_notes, fixed_date=day, at=moment)


def sync_endpoints(service: Any, *, now: dt.datetime | None = None, timeout: float = 15.0,
                   opener: Opener | None = None) -> SyncReport:
    """Queue, send and fetch back once (see the module docstring); ``now`` is naive UTC."""
    return Sync(service, now=now, timeout=timeout, opener=opener).run()


__all__ = ["FETCH_CHUNK", "Sync", "request_params", "sync_endpoints"]
