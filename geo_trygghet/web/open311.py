"""The Open311 GeoReport v2 endpoint under ``/open311/v2/``: XML and JSON for every resource.

Thin routes: each reads its parameters (:mod:`.open311_params`), checks the jurisdiction, the
partner's key and its rate, calls the remark service, and answers (:mod:`.open311_format`).

=================================  ==========================================================
``GET  discovery.{fmt}``           the endpoint, its formats and how to get a key
``GET  services.{fmt}``            the remark categories as services (groups, attributes)
``GET  services/{code}.{fmt}``     a service's definition: its attributes and their values
``GET  requests.{fmt}``            requests (a key that may read): ``service_request_id``
                                   (overrides the rest), ``service_code``, ``start_date``/
                                   ``end_date`` (≤ 90 days; default the last 90), ``status``,
                                   ``page``/``page_size`` (≤ 1,000)
``POST requests.{fmt}``            a new request (form-encoded; a read-write key) → its id
``GET  requests/{id}.{fmt}``       one request
``GET  tokens/{token}.{fmt}``      the id of the request a partner sent with its reference
``GET  media/{id}.jpg``            a remark's photo, only when photos are configured public
=================================  ==========================================================

Errors are the specification's list with the HTTP status: 400 bad or missing parameters (and a
missing ``jurisdiction_id`` where it is required), 403 no, wrong, revoked or read-only key,
404 unknown service, request, token or jurisdiction, 413 too large, 429 too many requests for
the key (``Retry-After``), 503 the database does not answer. The descriptions are the catalogue's
(``o311.err.*``), Swedish, English with ``Accept-Language: en``. Never a 500 with a traceback.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import DataError, DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .. import settings
from ..errors import GeoTrygghetError, NotFoundError, PermissionDeniedError
from ..i18n import text
from ..remarks import RemarkService
from ..remarks.open311 import ApiKey, NotThere, Open311Error
from ..remarks.open311.services import is_service, service_definition, service_list
from . import open311_params as params
from .api_problems import language
from .guards import TokenBuckets
from .open311_format import FORMATS, HEADERS, answer, errors, format_of

log = logging.getLogger(__name__)
ServiceProvider = Callable[[], RemarkService]
PREFIX = "/open311/v2"
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
#: When this endpoint last changed what it serves (discovery's ``changeset``).
CHANGESET = "2026-12-01T00:00:00Z"


class Refused(Exception):
    """An answer that is an error list: the status, the words, and headers (Retry-After)."""

    def __init__(self, status: int, description: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.headers = headers


def _lang(request: Request) -> str:
    return language(request.headers.get("accept-language"))


def refusal(exc: BaseException, lang: str) -> Refused:
    """The error list's status and words for whatever the service raised (never a traceback)."""
    if isinstance(exc, Refused):
        return exc
    if isinstance(exc, Open311Error):
        return Refused(exc.status, text(f"o311.err.{exc.key}", lang, **exc.fields))
    if isinstance(exc, PermissionDeniedError):
        return Refused(403, text("o311.err.key_unknown", lang))
    if isinstance(exc, NotFoundError):
        return Refused(404, text("o311.err.no_route", lang))
    if isinstance(exc, GeoTrygghetError | DataError):  # DataError: a value the database refuses (a NUL byte)
        return Refused(400, text("o311.err.bad_request", lang))
    if isinstance(exc, OperationalError | PoolTimeout | DBAPIError):
        log.warning("Open311: the database did not answer: %s", str(exc).splitlines()[0][:300])
        return Refused(503, text("o311.err.unavailable", lang))
    log.exception("Open311: unexpected error", exc_info=exc)
    return Refused(500, text("o311.err.server_error", lang))


class Open311Endpoint:
    """The routes' shared state: the remark service and the per-key rate limit."""

    def __init__(self, service: ServiceProvider, *, clock: Callable[[], float] = time.monotonic,
                 burst: int | None = None, per_minute: int | None = None) -> None:
        self.service = service
        default_burst, default_rate = settings.open311_rate_limit()
        self.buckets = TokenBuckets(default_burst if burst is None else burst,
                                    default_rate if per_minute is None else per_minute, clock)

    # ------------------------------------------------------------ the checks every route makes
    @staticmethod
    def fmt(request: Request) -> str:
        fmt = str(request.path_params.get("fmt", "")).lower()
        if fmt not in FORMATS:
            raise Refused(400, text("o311.err.format", _lang(request), fmt=fmt[:20]))
        return fmt

    @staticmethod
    def jurisdiction(form: params.Form, lang: str) -> None:
        """404 for another jurisdiction than this server's; 400 for none where it is required."""
        ours = settings.open311_jurisdiction()
        given = (form.first("jurisdiction_id") or "").strip()
        if not given:
            if settings.open311_jurisdiction_required():
                raise Refused(400, text("o311.err.jurisdiction_missing", lang, jurisdiction=ours))
            return
        if ours is not None and given.lower() != ours.lower():
            raise Refused(404, text("o311.err.jurisdiction_unknown", lang, jurisdiction=given[:100]))

    def limit(self, client: str, lang: str) -> None:
        wait = self.buckets.take(client)
        if wait:
            raise Refused(429, text("o311.err.too_many", lang), {"Retry-After": str(max(1, math.ceil(wait)))})

    async def key(self, form: params.Form, lang: str, *, write: bool = False) -> ApiKey:
        key: ApiKey = await run_in_threadpool(self.service().api_keys.authenticate, form.first("api_key"),
                                              write=write)
        self.limit(f"key:{key.id}", lang)
        return key

    def open_limit(self, request: Request, lang: str) -> None:
        client = request.client.host if request.client else "unknown"
        self.limit(f"client:{client}", lang)

    # ------------------------------------------------------------ resources
    async def discovery(self, request: Request) -> Response:
        fmt, lang = self.fmt(request), _lang(request)
        self.open_limit(request, lang)
        url = self.endpoint_url(request)
        data = {"changeset": CHANGESET, "contact": text("o311.contact", lang),
                "key_service": text("o311.key_service", lang),
                "endpoints": [{"specification": SPECIFICATION, "url": url, "changeset": CHANGESET,
                               "type": "production", "formats": ["text/xml", "application/json"]}]}
        return answer(fmt, "discovery", data)

    async def services(self, request: Request) -> Response:
        fmt, lang = self.fmt(request), _lang(request)
        self.jurisdiction(params.query_of(request), lang)
        self.open_limit(request, lang)
        return answer(fmt, "services", service_list(lang))

    async def definition(self, request: Request) -> Response:
        fmt, lang = self.fmt(request), _lang(request)
        self.jurisdiction(params.query_of(request), lang)
        self.open_limit(request, lang)
        code = str(request.path_params["code"])
        if not is_service(code):
            raise NotThere(f"no service '{code}'", "service_unknown", code=code[:50])
        return answer(fmt, "service_definition", service_definition(code, lang))

    async def requests(self, request: Request) -> Response:
        fmt, lang = self.fmt(request), _lang(request)
        form = params.query_of(request)
        self.jurisdiction(form, lang)
        key = await self.key(form, lang)
        query = params.request_query(form)
        found = await run_in_threadpool(self.service().open311_reader.service_requests, key, query, lang=lang,
                                        media_base=self.endpoint_url(request))
        return answer(fmt, "service_requests", found)

    async def post_request(self, request: Request) -> Response:
        fmt, lang = self.fmt(request), _lang(request)
        try:
            body = await params.read_body(request)
        except params.TooLarge:
            raise Refused(413, text("o311.err.too_large", lang, kb=settings.open311_max_bytes // 1024)) from None
        form = params.merged(params.form_of(body, request.headers.get("content-type")), params.query_of(request))
        self.jurisdiction(form, lang)
        key = await self.key(form, lang, write=True)
        accepted = await run_in_threadpool(self.service().receive_request, key, params.incoming(form))
        notice = (text("o311.notice.assigned", lang, owner=accepted.owner_name) if accepted.owner_name
                  else text("o311.notice.new", lang))
        data = [{"service_request_id": accepted.service_request_id, "service_notice": notice, "account_id": None}]
        return answer(fmt, "service_requests", data, 201 if accepted.created else 200)

    async def one_request(self, request: Request) -> Response:
        fmt, lang = self.fmt(request), _lang(request)
        form = params.query_of(request)
        self.jurisdiction(form, lang)
        key = await self.key(form, lang)
        found = await run_in_threadpool(self.service().open311_reader.service_request, key,
                                        str(request.path_params["rid"]), lang=lang,
                                        media_base=self.endpoint_url(request))
        return answer(fmt, "service_requests", found)

    async def token(self, request: Request) -> Response:
        fmt, lang = self.fmt(request), _lang(request)
        form = params.query_of(request)
        self.jurisdiction(form, lang)
        key = await self.key(form, lang)
        found = await run_in_threadpool(self.service().open311_reader.token, key, str(request.path_params["token"]))
        return answer(fmt, "service_requests", found)

    async def media(self, request: Request) -> Response:
        lang = _lang(request)
        self.open_limit(request, lang)
        photo = await run_in_threadpool(self.service().open311_reader.public_photo, str(request.path_params["rid"]))
        return Response(photo, media_type="image/jpeg", headers={**HEADERS, "Cache-Control": "public, max-age=3600"})

    @staticmethod
    def endpoint_url(request: Request) -> str:
        """This endpoint's address (``$GEO_TRYGGHET_PUBLIC_URL`` or the request's) ending in ``/open311/v2``."""
        base = (settings.public_url() or str(request.base_url)).rstrip("/")
        return base if base.endswith(PREFIX) else base + PREFIX


def _guarded(handler: Callable[[Request], Any]) -> Callable[[Request], Any]:
    """A route that answers every failure with the error list, never a traceback."""

    async def route(request: Request) -> Response:
        try:
            response: Response = await handler(request)
            return response
        except Exception as exc:  # noqa: BLE001 - every failure becomes the specification's error list
            refused = refusal(exc, _lang(request))
            return errors(format_of(request.url.path), refused.status, [refused.description], refused.headers)

    return route


def create_open311(service: ServiceProvider, **options: Any) -> Starlette:
    """The endpoint on the remark service ``service()`` returns (mounted at ``/open311/v2``);
    ``options`` go to :class:`Open311Endpoint` (a test's clock and rate)."""
    ep = Open311Endpoint(service, **options)
    routes = [
        Route("/discovery.{fmt}", _guarded(ep.discovery), methods=["GET"]),
        Route("/services.{fmt}", _guarded(ep.services), methods=["GET"]),
        Route("/services/{code}.{fmt}", _guarded(ep.definition), methods=["GET"]),
        Route("/requests.{fmt}", _guarded(ep.requests), methods=["GET"]),
        Route("/requests.{fmt}", _guarded(ep.post_request), methods=["POST"]),
        Route("/requests/{rid}.{fmt}", _guarded(ep.one_request), methods=["GET"]),
        Route("/tokens/{token}.{fmt}", _guarded(ep.token), methods=["GET"]),
        Route("/media/{rid}.jpg", _guarded(ep.media), methods=["GET"]),
    ]

    async def not_routed(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 400
        key = {404: "no_route", 405: "method"}.get(status, "bad_request")
        return errors(format_of(request.url.path), status, [text(f"o311.err.{key}", _lang(request))])

    return Starlette(routes=routes, exception_handlers={HTTPException: not_routed})


__all__ = ["CHANGESET", "PREFIX", "Open311Endpoint", "create_open311", "refusal"]
