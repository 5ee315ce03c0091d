"""Reading Open311 parameters: the query string, and the form-encoded body of POST requests.

The body is read up to ``settings.open311_max_bytes`` (413 beyond), must be
``application/x-www-form-urlencoded`` UTF-8, and keeps every repeated value in order, as FixMyStreet
sends them: ``attribute[CODE]`` repeated (or ``attribute[CODE][]``) for a multivaluelist, ``media_url``
repeated. ``long`` and ``lon`` are both read. Nothing here judges the values (the remark service
does): a parameter that cannot even be read is a :class:`~geo_trygghet.remarks.open311.BadRequest`.
"""

from __future__ import annotations

import datetime as dt
import re
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass

from starlette.requests import Request

from .. import settings
from ..remarks.open311 import BadRequest, IncomingRequest, RequestQuery
from ..remarks.open311.client import parse_datetime

_ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]{1,200})\](\[\])?$")
MAX_FIELDS = 500
_SINGLE = ("service_code", "lat", "long", "lon", "address_string", "address_id", "description", "email",
           "first_name", "last_name", "phone", "device_id", "account_id")


class TooLarge(Exception):
    """The body is over the limit (413)."""


@dataclass(frozen=True)
class Form:
    """The parameters of a request, every value of every name in order."""

    pairs: tuple[tuple[str, str], ...]

    def all(self, name: str) -> list[str]:
        return [v for k, v in self.pairs if k == name]

    def first(self, name: str) -> str | None:
        values = self.all(name)
        return values[0] if values else None

    def listed(self, name: str) -> tuple[str, ...]:
        """A comma-delimited parameter (given once or several times) as its items."""
        return tuple(item.strip() for value in self.all(name) for item in value.split(",") if item.strip())


def parse_pairs(text: str) -> tuple[tuple[str, str], ...]:
    try:
        pairs = urllib.parse.parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict",
                                       max_num_fields=MAX_FIELDS)
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("the parameters cannot be read", "form") from None
    return tuple(pairs)


def query_of(request: Request) -> Form:
    """The query's parameters; a NUL character in one is refused (no id, code or date holds one,
    and PostgreSQL cannot even compare with it)."""
    pairs = parse_pairs(request.scope.get("query_string", b"").decode("latin-1"))
    if any("\x00" in name or "\x00" in value for name, value in pairs):
        raise BadRequest("a parameter holds a NUL character", "form")
    return Form(pairs)


async def read_body(request: Request) -> bytes:
    """The body, at most ``settings.open311_max_bytes`` (:class:`TooLarge` beyond)."""
    limit = settings.open311_max_bytes
    declared = request.headers.get("content-length")
    if declared is not None and declared.strip().isdigit() and int(declared) > limit:
        raise TooLarge
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def form_of(body: bytes, content_type: str | None) -> Form:
    """The form-encoded body's parameters (400 for another encoding or text that is not UTF-8)."""
    kind = (content_type or "application/x-www-form-urlencoded").split(";")[0].strip().lower()
    if kind not in ("application/x-www-form-urlencoded", "text/plain", ""):
        raise BadRequest(f"POST body is {kind}", "form_encoding")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("the POST body is not UTF-8", "form") from None
    return Form(parse_pairs(text))


def incoming(form: Form) -> IncomingRequest:
    """A POSTed request's parameters, as sent."""
    attributes: dict[str, list[str]] = {}
    for name, value in form.pairs:
        match = _ATTRIBUTE.match(name)
        if match:
            attributes.setdefault(match.group(1), []).append(value)
    single = {name: form.first(name) for name in _SINGLE}
    return IncomingRequest(**single, media_urls=tuple(form.all("media_url")),
                           attributes={k: tuple(v) for k, v in attributes.items()})


def _int(form: Form, name: str, default: int) -> int:
    value = form.first(name)
    if value is None or not value.strip():
        return default
    if not value.strip().isdigit() or len(value.strip()) > 9:
        raise BadRequest(f"{name} '{value[:20]}' is not a whole number", name, max=settings.open311_page_size)
    return int(value)


def _moment(form: Form, name: str) -> dt.datetime | None:
    value = form.first(name)
    if value is None or not value.strip():
        return None
    moment = parse_datetime(value)
    if moment is None:
        raise BadRequest(f"{name} '{value[:40]}' is not a w3 datetime", "date", field=name)
    return moment


def request_query(form: Form) -> RequestQuery:
    """GET requests' filters (their meaning is checked by the service)."""
    return RequestQuery(ids=form.listed("service_request_id"), service_codes=form.listed("service_code"),
                        statuses=tuple(s.lower() for s in form.listed("status")), start=_moment(form, "start_date"),
                        end=_moment(form, "end_date"), page=_int(form, "page", 1),
                        page_size=_int(form, "page_size", settings.open311_page_size))


def merged(*forms: Form) -> Form:
    """Several sources of parameters as one (the body's first, then the query string's)."""
    pairs: Iterable[tuple[str, str]] = (p for f in forms for p in f.pairs)
    return Form(tuple(pairs))


__all__ = ["Form", "TooLarge", "form_of", "incoming", "merged", "query_of", "read_body", "request_query"]
