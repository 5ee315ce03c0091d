"""Guards in front of the phone API: body size limits (413) and a per-client write limit (429).

Plain ASGI middleware (no buffering of anything but the limited body, no thread hop). For
requests under ``/api/``:

* a write (POST, PUT, PATCH, DELETE) takes a token from its client's bucket: ``burst``
  tokens, refilled at ``per_minute``; an empty bucket is 429 with ``Retry-After``. The
  client is the connection's address (uvicorn puts the ``X-Forwarded-For`` address there
  when a reverse proxy on this machine forwards the request).
* a body larger than its limit is 413 before the route reads it: a photo
  (``…/photo``) ``settings.photo_max_bytes``, anything else ``settings.api_json_max_bytes``;
  a ``Content-Length`` over the limit is refused without reading the body.
* every answer carries ``Cache-Control: no-store`` and ``X-Content-Type-Options: nosniff``.

The sentences are the catalogue's (:mod:`.api_problems`), Swedish unless the phone asks for English.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .. import settings
from .api_problems import body, language

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Any]
Send = Callable[[Message], Any]
ASGIApp = Callable[[Scope, Receive, Send], Any]

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
API_PREFIX = "/api/"
_API_HEADERS = [(b"cache-control", b"no-store"), (b"x-content-type-options", b"nosniff")]
#: Buckets kept before full ones are forgotten (a full bucket holds nothing worth keeping).
_MAX_CLIENTS = 10_000


@dataclass
class TokenBuckets:
    """One token bucket per client: ``burst`` tokens, ``per_minute`` back each minute."""

    burst: int
    per_minute: int
    clock: Callable[[], float] = time.monotonic
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)

    @property
    def enabled(self) -> bool:
        return self.burst > 0 and self.per_minute > 0

    def take(self, client: str) -> float:
        """Take a token for ``client``: 0.0 when granted, else the seconds until one is back."""
        if not self.enabled:
            return 0.0
        now = self.clock()
        tokens, last = self._buckets.get(client, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - last) * self.per_minute / 60.0)
        if tokens < 1.0:
            self._buckets[client] = (tokens, now)
            return (1.0 - tokens) * 60.0 / self.per_minute
        self._buckets[client] = (tokens - 1.0, now)
        if len(self._buckets) > _MAX_CLIENTS:
            self._forget_full(now)
        return 0.0

    def _forget_full(self, now: float) -> None:
        refill = self.per_minute / 60.0
        for client, (tokens, last) in list(self._buckets.items()):
            if tokens + (now - last) * refill >= self.burst:
                del self._buckets[client]


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers") or ():
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


async def send_problem(send: Send, status: int, payload: dict[str, Any],
                       headers: list[tuple[bytes, bytes]] | None = None) -> None:
    """Answer with a problem body (JSON) and close the response."""
    data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(data)).encode()),
        *_API_HEADERS, *(headers or [])]})
    await send({"type": "http.response.body", "body": data})


class _TooLarge(Exception):
    pass


class PhoneApiGuard:
    """The ASGI middleware: see the module docstring."""

    def __init__(self, app: ASGIApp, *, prefix: str = API_PREFIX, json_max_bytes: int | None = None,
                 photo_max_bytes: int | None = None, burst: int | None = None, per_minute: int | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.app = app
        self.prefix = prefix
        self.json_max = settings.api_json_max_bytes if json_max_bytes is None else json_max_bytes
        self.photo_max = settings.photo_max_bytes if photo_max_bytes is None else photo_max_bytes
        default_burst, default_rate = settings.api_rate_limit()
        self.buckets = TokenBuckets(default_burst if burst is None else burst,
                                    default_rate if per_minute is None else per_minute, clock)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("type") != "http" or not str(scope.get("path", "")).startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        lang = language(_header(scope, b"accept-language"))
        if any(ord(ch) < 32 or ord(ch) == 127 for ch in str(scope["path"])):
            # control characters match no route (Starlette's patterns stop at a line break): say so in JSON
            await send_problem(send, 404, body("web.no_route", lang))
            return
        if scope.get("method") in WRITE_METHODS:
            wait = self.buckets.take(self._client(scope))
            if wait:
                retry = str(max(1, math.ceil(wait))).encode()
                await send_problem(send, 429, body("web.too_many", lang), [(b"retry-after", retry)])
                return
            limit = self.photo_max if str(scope["path"]).rstrip("/").endswith("/photo") else self.json_max
            checked = await self._limited_body(scope, receive, send, limit, lang)
            if checked is None:
                return
            receive = checked

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *_API_HEADERS]}
            await send(message)

        await self.app(scope, receive, send_with_headers)

    @staticmethod
    def _client(scope: Scope) -> str:
        client = scope.get("client")
        return str(client[0]) if client else "unknown"

    async def _limited_body(self, scope: Scope, receive: Receive, send: Send, limit: int,
                            lang: str) -> Receive | None:
        """A ``receive`` that replays the body once it is known to be within ``limit``; None
        when the answer (413, or 400 for a broken Content-Length) has been sent."""
        declared = _header(scope, b"content-length")
        if declared is not None and (not declared.strip().isdigit()):
            await send_problem(send, 400, body("web.bad.body", lang, "body"))
            return None
        if declared is not None and int(declared) > limit:
            await send_problem(send, 413, self._too_large(scope, lang, limit))
            return None
        try:
            data = await self._read(receive, limit)
        except _TooLarge:
            await send_problem(send, 413, self._too_large(scope, lang, limit))
            return None
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": data, "more_body": False}
            return await receive()

        return replay

    @staticmethod
    async def _read(receive: Receive, limit: int) -> bytes:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise _TooLarge
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)

    def _too_large(self, scope: Scope, lang: str, limit: int) -> dict[str, Any]:
        if str(scope["path"]).rstrip("/").endswith("/photo"):
            return body("err.photo_big", lang, "photo", mb=max(1, limit // (1024 * 1024)))
        return body("web.too_large", lang, "body", kb=max(1, limit // 1024))
