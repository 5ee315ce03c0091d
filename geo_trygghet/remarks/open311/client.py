"""A small Open311 GeoReport v2 client for a problemägare's own endpoint (standard library only).

It speaks the specification's required format, XML: ``POST requests.xml`` (form-encoded),
``GET tokens/{token}.xml`` and ``GET requests.xml?service_request_id=a,b,c``. Every failure (no
connection, a timeout, an HTTP error with the specification's error list, an answer that cannot be
read) is a :class:`PeerError` with one line saying what happened; nothing here touches the
database.
"""

from __future__ import annotations

import datetime as dt
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .records import Endpoint

#: The largest answer read from another system.
MAX_ANSWER_BYTES = 5 * 1024 * 1024
USER_AGENT = "geo_trygghet Open311 client"
Opener = Callable[..., Any]


class PeerError(Exception):
    """The other system could not be reached or refused: ``str()`` is one line."""


@dataclass(frozen=True)
class PeerRequest:
    """A service request as the other system reports it."""

    service_request_id: str
    status: str
    status_notes: str | None
    updated: dt.datetime | None


def parse_datetime(value: str | None) -> dt.datetime | None:
    """An ISO 8601 (w3) datetime with its zone (``Z`` or an offset) as aware UTC; a value without a
    zone is taken as UTC; None when it cannot be read."""
    if not value or not value.strip():
        return None
    text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def _records(data: bytes, item: str) -> list[dict[str, str]]:
    """The children ``item`` of the answer's root as ``{tag: text}`` (PeerError when it is not XML)."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        msg = f"the answer is not XML ({exc})"
        raise PeerError(msg) from None
    return [{child.tag: (child.text or "").strip() for child in element} for element in root.iter(item)]


def _error_text(data: bytes) -> str:
    try:
        errors = _records(data, "error")
    except PeerError:
        return data[:200].decode("utf-8", "replace").strip()
    return "; ".join(f"{e.get('code', '')}: {e.get('description', '')}".strip(": ") for e in errors)[:500]


class Open311Client:
    """Talks to one :class:`~.records.Endpoint` (its base URL ends before ``requests.xml``)."""

    def __init__(self, endpoint: Endpoint, *, timeout: float = 15.0, opener: Opener | None = None) -> None:
        self.endpoint = endpoint
        self.timeout = timeout
        self.opener = opener or urllib.request.urlopen

    def _common(self) -> list[tuple[str, str]]:
        params = []
        if self.endpoint.jurisdiction_id:
            params.append(("jurisdiction_id", self.endpoint.jurisdiction_id))
        if self.endpoint.api_key:
            params.append(("api_key", self.endpoint.api_key))
        return params

    def _call(self, path: str, params: Sequence[tuple[str, str]], *, post: bool = False) -> tuple[int, bytes]:
        url = f"{self.endpoint.base_url.rstrip('/')}/{path}"
        query = urllib.parse.urlencode([*self._common(), *params])
        headers = {"User-Agent": USER_AGENT, "Accept": "text/xml, application/xml"}
        if post:
            headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
            request = urllib.request.Request(url, data=query.encode("utf-8"), headers=headers, method="POST")
        else:
            request = urllib.request.Request(f"{url}?{query}", headers=headers, method="GET")
        try:
            with self.opener(request, timeout=self.timeout) as answer:
                return int(answer.status), answer.read(MAX_ANSWER_BYTES)
        except urllib.error.HTTPError as exc:
            body = exc.read(MAX_ANSWER_BYTES) if exc.fp is not None else b""
            return exc.code, body
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            msg = f"{self.endpoint.base_url} did not answer: {reason}"
            raise PeerError(msg) from None

    def post_request(self, params: Sequence[tuple[str, str]]) -> str:
        """POST a request; its ``service_request_id`` there (or ``token:<token>`` when it answered
        with a token that does not give an id yet)."""
        status, body = self._call("requests.xml", params, post=True)
        if status >= 400:
            msg = f"{self.endpoint.base_url} refused the request (HTTP {status}): {_error_text(body)}"
            raise PeerError(msg)
        answers = _records(body, "request")
        first = answers[0] if answers else {}
        if first.get("service_request_id"):
            return first["service_request_id"]
        if first.get("token"):
            found = self.request_for_token(first["token"])
            return found or f"token:{first['token']}"
        msg = f"{self.endpoint.base_url} answered without a service_request_id or token"
        raise PeerError(msg)

    def request_for_token(self, token: str) -> str | None:
        """The ``service_request_id`` a token stands for there, or None when it knows no such token."""
        status, body = self._call(f"tokens/{urllib.parse.quote(token, safe='')}.xml", [])
        if status == 404:
            return None
        if status >= 400:
            msg = f"{self.endpoint.base_url} refused tokens/{token} (HTTP {status}): {_error_text(body)}"
            raise PeerError(msg)
        found = [r.get("service_request_id") for r in _records(body, "request") if r.get("service_request_id")]
        return found[0] if found else None

    def requests(self, ids: Sequence[str]) -> list[PeerRequest]:
        """The requests ``ids`` as that system reports them (those it does not know are left out)."""
        status, body = self._call("requests.xml", [("service_request_id", ",".join(ids))])
        if status >= 400:
            msg = f"{self.endpoint.base_url} refused requests.xml (HTTP {status}): {_error_text(body)}"
            raise PeerError(msg)
        return [PeerRequest(service_request_id=r["service_request_id"], status=r.get("status", "").lower(),
                            status_notes=r.get("status_notes") or None,
                            updated=parse_datetime(r.get("updated_datetime")))
                for r in _records(body, "request") if r.get("service_request_id")]


__all__ = ["MAX_ANSWER_BYTES", "Open311Client", "PeerError", "PeerRequest", "parse_datetime"]
