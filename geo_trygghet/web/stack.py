"""The HTTP layer beside Streamlit: routes, middleware and the remark service they share.

:func:`routes` and :func:`middleware` go to ``st.App`` (:mod:`.asgi`); :func:`web_app` is
the same layer without Streamlit, for tests and benchmarks. The routes use one
:class:`~geo_trygghet.remarks.RemarkService` per process on the configured database
(``GEO_TRYGGHET_DATABASE_URL``), opened at the first request.
"""

from __future__ import annotations

import asyncio.base_events
import contextlib
import socket
import threading
from collections.abc import AsyncIterator, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Mount

from ..remarks import RemarkService
from . import phone_form
from .api import create_api
from .guards import PhoneApiGuard
from .open311 import PREFIX as OPEN311_PREFIX
from .open311 import create_open311

API_PREFIX = "/api/v1"


class SharedService:
    """One remark service per process, opened on first use (the database may be slow to come up)."""

    def __init__(self, url: str | None = None) -> None:
        self.url = url
        self._service: RemarkService | None = None
        self._lock = threading.Lock()

    def __call__(self) -> RemarkService:
        if self._service is None:
            with self._lock:
                if self._service is None:
                    self._service = RemarkService(self.url)
        return self._service

    def close(self) -> None:
        with self._lock:
            if self._service is not None:
                self._service.close()
                self._service = None


def routes(service: Callable[[], RemarkService], **open311_options: Any) -> list[BaseRoute]:
    """The API under ``/api/v1``, the Open311 endpoint under ``/open311/v2`` and the phone form
    under ``/walk/`` (``open311_options`` go to :func:`~.open311.create_open311`)."""
    return [Mount(API_PREFIX, app=create_api(service)),
            Mount(OPEN311_PREFIX, app=create_open311(service, **open311_options)), *phone_form.routes()]


def middleware(**guard_options: Any) -> list[Middleware]:
    """The old join link's redirect, then the API's size and rate limits (``guard_options``
    override :class:`~.guards.PhoneApiGuard`'s settings)."""
    return [Middleware(phone_form.LegacyJoinRedirect), Middleware(PhoneApiGuard, **guard_options)]


def lifespan_for(service: SharedService) -> Callable[[Any], contextlib.AbstractAsyncContextManager[None]]:
    """A lifespan that closes the shared service when the server stops."""

    @contextlib.asynccontextmanager
    async def lifespan(_app: Any) -> AsyncIterator[None]:
        try:
            yield
        finally:
            service.close()

    return lifespan


def switch_off_nagle() -> None:
    """Make asyncio switch off Nagle's algorithm on every TCP connection the server accepts.

    Streamlit 1.67 binds its listening socket as ``socket.socket(family)`` (protocol number 0),
    and asyncio only sets ``TCP_NODELAY`` on sockets whose protocol is ``IPPROTO_TCP``; without
    it, every answer on a kept-alive connection (the outbox sends on one) waits about 40 ms for
    the client's delayed ACK. Plain uvicorn is not affected. Called once by :mod:`.asgi`.
    """

    def set_nodelay(sock: socket.socket) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.type == socket.SOCK_STREAM:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    asyncio.base_events._set_nodelay = set_nodelay  # type: ignore[attr-defined]


def web_app(service: Callable[[], RemarkService], *, open311_options: dict[str, Any] | None = None,
            **guard_options: Any) -> Starlette:
    """The HTTP layer alone (no Streamlit): for tests and benchmarks."""
    return Starlette(routes=routes(service, **(open311_options or {})), middleware=middleware(**guard_options))
