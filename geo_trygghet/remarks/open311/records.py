"""Plain records and refusals of the Open311 services (never ORM objects).

A refusal (:class:`Open311Error`) carries the HTTP status the specification gives it (400, 403,
404), a catalogue key (``o311.err.<key>``, :mod:`geo_trygghet.i18n`) with its fields for the words
a partner reads, and an English one-line message for logs and the command line.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from ...errors import GeoTrygghetError, InputError, NotFoundError, PermissionDeniedError
from .models import READ_WRITE


class Open311Error(GeoTrygghetError):
    """A request refused: ``status``, and ``key``/``fields`` for the catalogue's sentence."""

    status = 400

    def __init__(self, message: str, key: str, **fields: Any) -> None:
        super().__init__(message)
        self.key = key
        self.fields = fields


class BadRequest(Open311Error, InputError):
    """400: a parameter is missing or cannot be used."""


class KeyRefused(Open311Error, PermissionDeniedError):
    """403: no api_key, an unknown or revoked one, or one whose scope does not allow this."""

    status = 403


class NotThere(Open311Error, NotFoundError):
    """404: no such service, request, token or jurisdiction."""

    status = 404


@dataclass(frozen=True)
class ApiKey:
    """A partner's key as stored (the key itself is never stored; ``prefix`` tells keys apart)."""

    id: int
    partner: str
    prefix: str
    scope: str
    channel_id: int
    channel: str
    created_at: dt.datetime
    created_by: str = ""
    revoked_at: dt.datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    @property
    def can_write(self) -> bool:
        return self.active and self.scope == READ_WRITE


@dataclass(frozen=True)
class IssuedKey:
    """A key just made: ``secret`` is shown this once and then only its hash is kept."""

    key: ApiKey
    secret: str


@dataclass(frozen=True)
class IncomingRequest:
    """A POSTed service request as sent (strings; checked by the intake service).

    ``attributes`` holds every ``attribute[CODE]`` (and ``attribute[CODE][]``) with all its values
    in the order sent; ``media_urls`` every ``media_url``.
    """

    service_code: str | None = None
    lat: str | None = None
    long: str | None = None
    lon: str | None = None
    address_string: str | None = None
    address_id: str | None = None
    description: str | None = None
    media_urls: tuple[str, ...] = ()
    attributes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    device_id: str | None = None
    account_id: str | None = None


@dataclass(frozen=True)
class Accepted:
    """What POST made: the remark's id, whether this request made it (False: the partner's
    reference was known), the problemägare it went to (or None: the kommun assigns it)."""

    service_request_id: str
    created: bool
    number: int
    owner_name: str | None = None


@dataclass(frozen=True)
class RequestQuery:
    """GET requests' filters: ``ids`` (overrides the rest), service codes, statuses (open,
    closed), the window of ``requested_datetime`` (aware datetimes) and the page (1-based)."""

    ids: tuple[str, ...] = ()
    service_codes: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    page: int = 1
    page_size: int = 1000


@dataclass(frozen=True)
class Endpoint:
    """A problemägare's own Open311 endpoint: where the remarks assigned to it are sent."""

    organisation_id: int
    organisation_name: str
    base_url: str
    api_key: str | None
    jurisdiction_id: str | None
    service_codes: dict[str, str]
    enabled: bool = True

    @property
    def has_key(self) -> bool:
        return bool(self.api_key)


@dataclass(frozen=True)
class OutboxEntry:
    """One remark on its way to (or followed at) an organisation's endpoint."""

    id: int
    remark_id: str
    remark_title: str
    remark_number: int
    organisation_id: int
    organisation_name: str
    status: str
    attempts: int
    next_attempt_at: dt.datetime | None = None
    last_attempt_at: dt.datetime | None = None
    last_error: str | None = None
    external_id: str | None = None
    sent_at: dt.datetime | None = None
    done_at: dt.datetime | None = None


@dataclass
class SyncReport:
    """What one ``remarks sync`` did: counts, and the failures as ``(organisation, remark, error)``."""

    queued: int = 0
    sent: int = 0
    fixed: int = 0
    finished: int = 0
    failures: list[tuple[str, str, str]] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"queued {self.queued}, sent {self.sent}, fixed {self.fixed} (reported closed), "
               f"finished {self.finished}, failed {len(self.failures)}"]
        out.extend(f"  failed: {org}, remark {remark}: {error}" for org, remark, error in self.failures)
        return out


__all__ = ["Accepted", "ApiKey", "BadRequest", "Endpoint", "IncomingRequest", "IssuedKey", "KeyRefused",
           "NotThere", "Open311Error", "OutboxEntry", "RequestQuery", "SyncReport"]
