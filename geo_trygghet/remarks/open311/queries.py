"""Reading service requests for Open311: ``requests``, ``requests/{id}`` and ``tokens/{token}``.

A partner's key that may read sees every remark (of walks and from outside), each mapped by the one
mapping (:func:`~.mapping.service_request`): never reporter names or contact details; a photo only
when photos are configured public (``$GEO_TRYGGHET_OPEN311_PUBLIC_PHOTOS``). ``requests`` filters
as the specification says: ``service_request_id`` overrides everything else; otherwise the
``requested_datetime`` window (at most 90 days; by default the last 90), the service codes and the
statuses, newest first, one page of at most 1,000.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import select

from ... import settings
from .. import states as st
from ..models import EventRow, PhotoRow, RemarkRow
from ..records import Event, Remark
from ..repository import Repository
from .intake import Intake, Origin
from .mapping import service_request
from .records import ApiKey, BadRequest, KeyRefused, NotThere, RequestQuery

#: The longest window of ``start_date``–``end_date`` (and the default window, ending now).
MAX_SPAN = dt.timedelta(days=90)
#: The most ids one ``service_request_id`` may list.
MAX_IDS = 1000
_STATUS_STATES = {"open": st.OPEN_STATES, "closed": (*st.FIXED_STATES, *st.CLOSED_STATES)}


def _naive_utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC).replace(tzinfo=None) if moment.tzinfo else moment


def window(start: dt.datetime | None, end: dt.datetime | None,
           now: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime]:
    """The ``requested_datetime`` window as naive UTC: at most 90 days, by default the last 90."""
    if start is not None and end is not None:
        first, last = _naive_utc(start), _naive_utc(end)
    elif start is not None:
        first = _naive_utc(start)
        last = first + MAX_SPAN
    else:
        last = _naive_utc(end) if end is not None else (now or dt.datetime.now(dt.UTC).replace(tzinfo=None))
        first = last - MAX_SPAN
    if first > last:
        raise BadRequest("start_date is after end_date", "dates_order")
    if last - first > MAX_SPAN:
        raise BadRequest("start_date and end_date are more than 90 days apart", "dates_span", days=MAX_SPAN.days)
    return first, last


def check_query(query: RequestQuery) -> None:
    if query.page < 1:
        raise BadRequest("page must be 1 or more", "page")
    if not 1 <= query.page_size <= settings.open311_page_size:
        raise BadRequest("page_size is out of range", "page_size", max=settings.open311_page_size)
    if len(query.ids) > MAX_IDS:
        raise BadRequest("too many service_request_id", "ids_many", max=MAX_IDS)
    unknown = [s for s in query.statuses if s not in _STATUS_STATES]
    if unknown:
        raise BadRequest(f"unknown status '{unknown[0]}'", "status", status=unknown[0][:40])


class Requests:
    """Service requests as a partner with a reading key sees them."""

    def __init__(self, repo: Repository, intake: Intake) -> None:
        self.repo = repo
        self.intake = intake

    def service_requests(self, key: ApiKey, query: RequestQuery, *, lang: str = "sv",
                         media_base: str | None = None, now: dt.datetime | None = None) -> list[dict[str, Any]]:
        """GET requests: the page of requests ``query`` asks for (see the module docstring).

        ``media_base`` is the address under which ``media/{id}.jpg`` serves public photos.
        """
        _require_read(key)
        check_query(query)
        q = self.repo.remark_query()
        if query.ids:
            q = q.where(RemarkRow.id.in_(query.ids))
        else:
            first, last = window(query.start, query.end, now)
            q = q.where(RemarkRow.created_at >= first, RemarkRow.created_at <= last)
            if query.service_codes:
                q = q.where(RemarkRow.category.in_(query.service_codes))
            if query.statuses:
                q = q.where(RemarkRow.state.in_([s for status in query.statuses for s in _STATUS_STATES[status]]))
        q = q.order_by(RemarkRow.created_at.desc(), RemarkRow.id)
        q = q.offset((query.page - 1) * query.page_size).limit(query.page_size)
        with self.repo.read() as s:
            remarks = [self.repo.remark_record(r, title, owner, bool(photo), None)
                       for r, title, owner, photo in s.execute(q).all()]
            events = self._events(s, [r.id for r in remarks])
        return self._map(remarks, events, lang, media_base)

    def service_request(self, key: ApiKey, remark_id: str, *, lang: str = "sv",
                        media_base: str | None = None) -> list[dict[str, Any]]:
        """GET requests/{id}: the one request (NotThere when there is none)."""
        _require_read(key)
        found = self.service_requests(key, RequestQuery(ids=(remark_id,)), lang=lang, media_base=media_base)
        if not found:
            raise NotThere(f"no service request '{remark_id}'", "request_unknown", id=remark_id[:40])
        return found

    def token(self, key: ApiKey, token: str) -> list[dict[str, Any]]:
        """GET tokens/{token}: the id of the request this partner sent with its reference ``token``."""
        _require_read(key)
        rid = self.intake.remark_for_token(key, token)
        if rid is None:
            raise NotThere(f"no request with token '{token}'", "token_unknown", token=token[:40])
        return [{"service_request_id": rid, "token": token}]

    def public_photo(self, remark_id: str) -> bytes:
        """A remark's photo for ``media/{id}.jpg``: only when photos are configured public."""
        if settings.open311_public_photos():
            with self.repo.read() as s:
                row = s.get(PhotoRow, remark_id)
                if row is not None:
                    return bytes(row.content)
        raise NotThere(f"no public photo '{remark_id}'", "photo_none")

    def _events(self, s: Any, ids: list[str]) -> dict[str, list[Event]]:
        out: dict[str, list[Event]] = defaultdict(list)
        for start in range(0, len(ids), 500):
            rows = s.scalars(select(EventRow).where(EventRow.remark_id.in_(ids[start:start + 500]))
                             .order_by(EventRow.at, EventRow.id))
            for e in rows:
                out[e.remark_id].append(self.repo.event_record(e, None))
        return out

    def _map(self, remarks: list[Remark], events: dict[str, list[Event]], lang: str,
             media_base: str | None) -> list[dict[str, Any]]:
        origins = self.intake.origins([r.id for r in remarks if r.from_outside])
        public = settings.open311_public_photos()
        return [service_request(r, events.get(r.id, []), lang=lang, address=_address(origins.get(r.id)),
                                media_url=_media(r, origins.get(r.id), media_base) if public else None)
                for r in remarks]


def _require_read(key: ApiKey) -> None:
    if not key.active:
        raise KeyRefused(f"api_key {key.prefix}… was revoked", "key_revoked")


def _address(origin: Origin | None) -> str | None:
    return origin.address if origin is not None else None


def _media(remark: Remark, origin: Origin | None, media_base: str | None) -> str | None:
    """A public photo's address: ours when the remark has a photo, else the partner's media URL."""
    if remark.has_photo and media_base:
        return f"{media_base.rstrip('/')}/media/{remark.id}.jpg"
    return origin.media_url if origin is not None else None


__all__ = ["MAX_IDS", "MAX_SPAN", "Requests", "check_query", "window"]
