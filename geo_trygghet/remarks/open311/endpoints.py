"""Problemägare's own Open311 endpoints, and the outbox of remarks on their way there.

An organisation may work in its own system (a kommun's work-order system, a housing company's
maintenance system, FixaMinGata): the admin gives its base URL, the key it gave us, its
jurisdiction and which of its service codes each of our categories is. Every remark assigned to it
gets one outbox row (unique per remark and organisation: sent once); the row is sent, retried
with backoff while that system is down (``next_attempt_at``, ``last_error``, shown to the admin),
followed once sent until that system reports the fix, and finished. A row is claimed for a while
before it is sent (``claimed_until``), so two ``remarks sync`` running at once never send it twice.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError

from ...errors import InputError, NotFoundError
from .. import states as st
from ..auth import Actor, require_admin, require_staff
from ..categories import REMARK_CATEGORIES
from ..models import OrganisationRow, RemarkChannelRow, RemarkRow, WalkRow, utcnow
from ..repository import Repository
from .models import CANCELLED, DONE, PENDING, SENT, EndpointRow, OutboxRow
from .records import Endpoint, OutboxEntry

#: The first retry waits this long; each next one twice as long, up to :data:`MAX_BACKOFF`.
FIRST_BACKOFF = dt.timedelta(minutes=5)
MAX_BACKOFF = dt.timedelta(hours=6)
#: How long a sync holds a row it is sending (another sync leaves it alone meanwhile).
LEASE = dt.timedelta(minutes=5)
_URL = re.compile(r"^https?://[^\s/?#]+(/[^\s?#]*)?$")


def backoff(attempts: int) -> dt.timedelta:
    """The wait after the ``attempts``-th failed attempt: 5 min, 10, 20 … at most 6 h."""
    return min(FIRST_BACKOFF * (2 ** max(0, attempts - 1)), MAX_BACKOFF)


def _check_codes(codes: Mapping[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for category, code in (codes or {}).items():
        if category not in REMARK_CATEGORIES:
            msg = f"unknown remark category '{category}': use one of {', '.join(REMARK_CATEGORIES)}"
            raise InputError(msg)
        value = str(code or "").strip()
        if value:
            if len(value) > 100:
                msg = f"service_code for '{category}' is longer than 100 characters"
                raise InputError(msg)
            out[category] = value
    return out


class Endpoints:
    """The endpoints (admin) and the outbox rows the sync works through."""

    def __init__(self, repo: Repository) -> None:
        self.repo = repo

    # ------------------------------------------------------------ endpoints
    @staticmethod
    def _endpoint(row: EndpointRow, name: str) -> Endpoint:
        return Endpoint(organisation_id=row.organisation_id, organisation_name=name, base_url=row.base_url,
                        api_key=row.api_key, jurisdiction_id=row.jurisdiction_id,
                        service_codes=dict(row.service_codes or {}), enabled=row.enabled)

    def set_endpoint(self, actor: Actor, organisation: int | str, base_url: str, *, api_key: str | None = None,
                     jurisdiction_id: str | None = None, service_codes: Mapping[str, Any] | None = None,
                     enabled: bool = True) -> Endpoint:
        """Give ``organisation`` its own Open311 endpoint, or change it (admin only). ``api_key``
        None keeps the key stored before; ``service_codes`` maps our categories to theirs."""
        require_admin(actor, "set Open311 endpoints")
        url = (base_url or "").strip().rstrip("/")
        if not _URL.match(url):
            msg = f"endpoint '{base_url}' is not an http(s) URL: give the base, e.g. https://fix.kommun.se/open311/v2"
            raise InputError(msg)
        codes = _check_codes(service_codes or {})
        with self.repo.write() as s:
            org_id = self.repo.organisation_id(s, organisation)
            org = s.get(OrganisationRow, org_id)
            if org is None:
                msg = f"no problemägare with id {org_id}"
                raise NotFoundError(msg)
            row = s.get(EndpointRow, org_id)
            if row is None:
                row = EndpointRow(organisation_id=org_id, created_at=utcnow())
                s.add(row)
            row.base_url, row.service_codes, row.enabled, row.updated_at = url, codes, bool(enabled), utcnow()
            row.jurisdiction_id = (jurisdiction_id or "").strip() or None
            if api_key is not None:
                row.api_key = api_key.strip() or None
            s.flush()
            return self._endpoint(row, org.name)

    def list_endpoints(self, actor: Actor) -> list[Endpoint]:
        """Every organisation's endpoint, by name (staff)."""
        require_staff(actor, "see Open311 endpoints")
        with self.repo.read() as s:
            rows = s.execute(select(EndpointRow, OrganisationRow.name)
                             .join(OrganisationRow, OrganisationRow.id == EndpointRow.organisation_id)
                             .order_by(OrganisationRow.name)).all()
            return [self._endpoint(r, name) for r, name in rows]

    def endpoint(self, organisation_id: int) -> Endpoint | None:
        with self.repo.read() as s:
            found = s.execute(select(EndpointRow, OrganisationRow.name)
                              .join(OrganisationRow, OrganisationRow.id == EndpointRow.organisation_id)
                              .where(EndpointRow.organisation_id == organisation_id)).first()
            return self._endpoint(*found) if found else None

    # ------------------------------------------------------------ the outbox
    def enqueue(self, now: dt.datetime | None = None) -> int:
        """One pending row for every remark now with an organisation that has an enabled endpoint and
        none yet for that remark and organisation. Returns the rows added."""
        now = now or utcnow()
        waiting = (select(RemarkRow.id, RemarkRow.owner_id)
                   .join(EndpointRow, EndpointRow.organisation_id == RemarkRow.owner_id)
                   .outerjoin(OutboxRow, (OutboxRow.remark_id == RemarkRow.id)
                              & (OutboxRow.organisation_id == RemarkRow.owner_id))
                   .where(EndpointRow.enabled.is_(True), RemarkRow.state.in_(st.WITH_OWNER_STATES),
                          OutboxRow.id.is_(None)))
        try:
            with self.repo.write() as s:
                rows = s.execute(waiting).all()
                for rid, org in rows:
                    s.add(OutboxRow(remark_id=rid, organisation_id=org, status=PENDING, attempts=0, created_at=now))
                s.flush()
                return len(rows)
        except IntegrityError:  # another sync queued the same rows meanwhile
            return 0

    def due(self, now: dt.datetime, limit: int = 200) -> list[OutboxEntry]:
        """Pending rows whose time has come and that no other sync holds."""
        q = self._entries().where(OutboxRow.status == PENDING,
                                  or_(OutboxRow.next_attempt_at.is_(None), OutboxRow.next_attempt_at <= now),
                                  or_(OutboxRow.claimed_until.is_(None), OutboxRow.claimed_until < now))
        return self._load(q.order_by(OutboxRow.id).limit(limit))

    def following(self) -> list[OutboxEntry]:
        """Sent rows whose remark's fix has not come back yet."""
        return self._load(self._entries().where(OutboxRow.status == SENT).order_by(OutboxRow.id))

    def claim(self, entry_id: int, now: dt.datetime) -> bool:
        """Hold a pending row for :data:`LEASE`; False when another sync holds it (or it was sent)."""
        with self.repo.write() as s:
            done = s.execute(update(OutboxRow).where(
                OutboxRow.id == entry_id, OutboxRow.status == PENDING,
                or_(OutboxRow.claimed_until.is_(None), OutboxRow.claimed_until < now),
            ).values(claimed_until=now + LEASE, attempts=OutboxRow.attempts + 1, last_attempt_at=now))
            return bool(done.rowcount)  # type: ignore[attr-defined]

    def record(self, entry_id: int, now: dt.datetime, *, status: str | None = None, external_id: str | None = None,
               their_status: str | None = None, error: str | None = None) -> None:
        """Write what an attempt or a check gave: a new status, their id, their status, and the error
        (a pending row then waits its backoff) or none (the last error is cleared)."""
        with self.repo.write() as s:
            row = s.get(OutboxRow, entry_id)
            if row is None:
                return
            row.claimed_until = None
            row.last_error = error[:2000] if error else None
            if error:
                row.next_attempt_at = now + backoff(row.attempts)
            if status is not None:
                row.status = status
                if status == SENT:
                    row.sent_at, row.next_attempt_at = now, None
                elif status in (DONE, CANCELLED):
                    row.done_at = now
            if external_id is not None:
                row.external_id = external_id[:200]
            if their_status is not None:
                row.their_status = their_status[:20]

    def open311_outbox(self, actor: Actor, *, failing: bool = False) -> list[OutboxEntry]:
        """The outbox for the admin: every row, newest first; ``failing`` only those whose last
        attempt failed."""
        require_staff(actor, "see the Open311 outbox")
        q = self._entries()
        if failing:
            q = q.where(OutboxRow.last_error.is_not(None))
        return self._load(q.order_by(OutboxRow.id.desc()))

    def retry_open311_send(self, actor: Actor, entry_id: int) -> None:
        """Send a waiting row at the next sync instead of after its backoff (admin)."""
        require_admin(actor, "retry Open311 sends")
        with self.repo.write() as s:
            s.execute(update(OutboxRow).where(OutboxRow.id == entry_id, OutboxRow.status == PENDING)
                      .values(next_attempt_at=None))

    @staticmethod
    def _entries() -> Any:
        title = func.coalesce(WalkRow.title, RemarkChannelRow.name)
        return (select(OutboxRow, title, RemarkRow.number, OrganisationRow.name)
                .join(RemarkRow, RemarkRow.id == OutboxRow.remark_id)
                .outerjoin(WalkRow, WalkRow.id == RemarkRow.walk_id)
                .outerjoin(RemarkChannelRow, RemarkChannelRow.id == RemarkRow.channel_id)
                .join(OrganisationRow, OrganisationRow.id == OutboxRow.organisation_id))

    def _load(self, q: Any) -> list[OutboxEntry]:
        with self.repo.read() as s:
            return [_entry(row, title, number, org) for row, title, number, org in s.execute(q).all()]


def _entry(row: OutboxRow, title: str, number: int | None, org: str) -> OutboxEntry:
    return OutboxEntry(id=row.id, remark_id=row.remark_id, remark_title=title or "", remark_number=int(number or 0),
                       organisation_id=row.organisation_id, organisation_name=org, status=row.status,
                       attempts=row.attempts, next_attempt_at=row.next_attempt_at,
                       last_attempt_at=row.last_attempt_at, last_error=row.last_error, external_id=row.external_id,
                       sent_at=row.sent_at, done_at=row.done_at)


__all__ = ["FIRST_BACKOFF", "LEASE", "MAX_BACKOFF", "Endpoints", "backoff"]
