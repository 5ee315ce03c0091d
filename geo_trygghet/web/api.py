"""The phone form's JSON API (FastAPI, mounted at ``/api/v1``; OpenAPI at ``/api/v1/openapi.json``).

Thin routes: each parses its request (pydantic, :mod:`.api_models`), calls the remark
service as a participant holding the walk's code, and answers; every error becomes one
sentence and the field it is about (:mod:`.api_problems`). Size and rate limits sit in
front (:mod:`.guards`).

=====================================  ===================================================
``GET  /walks/{code}``                 the walk (title, date, area, open or closed) and its
                                       categories
``POST /walks/{code}/remarks``         201 ``{id, number}`` new; 200 the same remark again;
                                       409 the id with other content; 403 closed walk
``PUT  /remarks/{id}/photo``           the photo (JPEG/PNG/WebP body, ``X-Walk-Code``
                                       header): 201 stored, 200 the same photo again
``GET  /walks/{code}/remarks``         the walk's remarks: number, position, category,
                                       state, text; no names, no photos
=====================================  ===================================================
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import uuid
from collections.abc import Callable, Iterator
from typing import Annotated, Any

from fastapi import FastAPI, Header, Path, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import settings
from ..errors import NotFoundError
from ..remarks import Actor, RemarkService, normalise_code
from ..remarks.auth import CODE_ALPHABET, CODE_LENGTH
from ..remarks.categories import POSITIVE_REMARK_CATEGORIES, REMARK_CATEGORIES
from ..remarks.states import is_open
from ..remarks.submission import MAX_TEXT
from .api_models import PHOTO_BODY, Category, PhotoAck, Problem, RemarkAck, RemarkIn, RemarkOut, WalkOut
from .api_problems import body, language, problem_for, validation_problem

ServiceProvider = Callable[[], RemarkService]
Code = Annotated[str, Path(min_length=1, max_length=20, description="the walk's join code (any case)")]
WalkCode = Annotated[str, Header(min_length=1, max_length=20, description="the join code of the remark's walk")]
_PROBLEMS: dict[int | str, dict[str, Any]] = {
    400: {"model": Problem, "description": "bad input: one sentence naming the field"},
    404: {"model": Problem, "description": "no walk with this code (or no remark with this id)"},
    413: {"model": Problem, "description": "the body is too large"},
    429: {"model": Problem, "description": "too many writes from this client; see Retry-After"},
    503: {"model": Problem, "description": "the database does not answer; send again later"},
}


class ApiProblem(Exception):
    """An answer that is a problem: ``status`` and the body of :class:`~.api_models.Problem`."""

    def __init__(self, status: int, payload: dict[str, Any]) -> None:
        super().__init__(payload.get("error"))
        self.status = status
        self.payload = payload


@contextlib.contextmanager
def answering(request: Request, code: str | None = None) -> Iterator[None]:
    """Turn whatever the service raises into an :class:`ApiProblem` (never a traceback)."""
    try:
        yield
    except Exception as exc:  # noqa: BLE001 - every failure becomes one sentence for the phone
        status, payload = problem_for(exc, language(request.headers.get("accept-language")), code=code)
        raise ApiProblem(status, payload) from None


def create_api(service: ServiceProvider) -> FastAPI:
    """The API on the remark service ``service()`` returns (called per request, so a test or
    the server can hand over one shared service)."""
    api = FastAPI(title="geo_trygghet: walk participants' API", version="1",
                  summary="The offline phone form's API: walks, remarks, photos.",
                  openapi_url="/openapi.json", docs_url=None, redoc_url=None, responses=_PROBLEMS)
    _install_handlers(api)

    @api.get("/walks/{code}", response_model=WalkOut, tags=["walks"])
    def get_walk(code: Code, request: Request) -> WalkOut:
        """The walk a participant joins with ``code``, and the categories of its form."""
        with answering(request, code):
            walk = service().walk_by_code(code)
        return WalkOut(
            code=walk.join_code, title=walk.title, date=walk.walk_date, state=walk.state,
            open=walk.is_open_for_remarks, area=json.loads(walk.area) if walk.area else None,
            categories=[Category(slug=s, positive=s in POSITIVE_REMARK_CATEGORIES) for s in REMARK_CATEGORIES],
            duplicate_radius_m=settings.duplicate_radius_m, text_max=MAX_TEXT,
            photo_max_px=settings.photo_max_px, photo_max_bytes=settings.photo_max_bytes,
        )

    @api.post("/walks/{code}/remarks", status_code=201, response_model=RemarkAck, tags=["remarks"],
              responses={200: {"model": RemarkAck, "description": "the same remark again: nothing new stored"},
                         403: {"model": Problem, "description": "the walk is closed"},
                         409: {"model": Problem, "description": "the id is known with other content"}})
    def submit_remark(code: Code, remark: RemarkIn, request: Request, response: Response) -> RemarkAck:
        """A new remark (201), or the same remark sent again (200, the same answer)."""
        with answering(request, code):
            received = service().receive_remark(
                Actor.participant(code), _known_code(code), str(remark.id), remark.category, remark.text,
                lon=remark.lon, lat=remark.lat, accuracy_m=remark.accuracy_m,
                position_source=remark.position_source, feeling=remark.feeling,
                factors=dict(remark.factors) if remark.factors else None, reporter_name=remark.reporter,
                observed_at=remark.created_at)
        if not received.created:
            response.status_code = 200
        return RemarkAck(id=uuid.UUID(received.remark.id), number=received.remark.number)

    @api.put("/remarks/{remark_id}/photo", status_code=201, response_model=PhotoAck, tags=["remarks"],
             openapi_extra={"requestBody": PHOTO_BODY},
             responses={200: {"model": PhotoAck, "description": "the same photo again: nothing new stored"},
                        403: {"model": Problem, "description": "the walk code does not reach this remark"},
                        409: {"model": Problem, "description": "the remark has another photo"}})
    async def put_photo(remark_id: uuid.UUID, request: Request, response: Response,
                        x_walk_code: WalkCode) -> PhotoAck:
        """The remark's photo: stripped of all metadata and shrunk to 2048 px before it is stored."""
        data = await request.body()
        with answering(request):
            received = await run_in_threadpool(service().attach_photo, Actor.participant(x_walk_code),
                                               str(remark_id), data)
        if not received.created:
            response.status_code = 200
        return PhotoAck(id=remark_id, number=received.remark.number)

    @api.get("/walks/{code}/remarks", response_model=list[RemarkOut], tags=["remarks"])
    def walk_remarks(code: Code, request: Request) -> list[RemarkOut]:
        """The walk's remarks by number, as every participant of the walk sees them."""
        with answering(request, code):
            remarks = service().list_remarks(Actor.participant(code), walk=_known_code(code))
        return [RemarkOut(number=r.number, lat=r.lat, lon=r.lon, category=r.category, state=r.state,
                          open=is_open(r.state), text=r.text,
                          created_at=r.created_at.replace(tzinfo=dt.UTC) if r.created_at else None)
                for r in remarks]

    _document_400_not_422(api)
    return api


def _known_code(code: str) -> str:
    """``code`` normalised; a text that cannot be a join code (length, alphabet) is NotFoundError at once,
    without asking the database (the service would also try it as a walk's title)."""
    clean = normalise_code(code)
    if len(clean) != CODE_LENGTH or set(clean) - set(CODE_ALPHABET):
        msg = f"no walk has the code '{code}'"
        raise NotFoundError(msg)
    return clean


def _install_handlers(api: FastAPI) -> None:
    def lang_of(request: Request) -> str:
        return language(request.headers.get("accept-language"))

    @api.exception_handler(ApiProblem)
    async def on_problem(request: Request, exc: ApiProblem) -> JSONResponse:
        return JSONResponse(exc.payload, status_code=exc.status)

    @api.exception_handler(RequestValidationError)
    async def on_invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        status, payload = validation_problem(exc.errors(), lang_of(request))
        return JSONResponse(payload, status_code=status)

    @api.exception_handler(StarletteHTTPException)
    async def on_http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        key = {404: "web.no_route", 405: "web.method"}.get(exc.status_code, "web.bad.request")
        return JSONResponse(body(key, lang_of(request), method=request.method), status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))

    @api.exception_handler(Exception)
    async def on_bug(request: Request, exc: Exception) -> JSONResponse:
        status, payload = problem_for(exc, lang_of(request))
        return JSONResponse(payload, status_code=status)


def _document_400_not_422(api: FastAPI) -> None:
    """FastAPI documents validation errors as 422; this API answers them 400 with a :class:`Problem`."""
    original = api.openapi

    def openapi() -> dict[str, Any]:
        if api.openapi_schema is None:
            schema = original()
            for path in schema.get("paths", {}).values():
                for operation in path.values():
                    operation.get("responses", {}).pop("422", None)
            components = schema.get("components", {}).get("schemas", {})
            for name in ("HTTPValidationError", "ValidationError"):
                components.pop(name, None)
            api.openapi_schema = schema
        return api.openapi_schema

    api.openapi = openapi  # type: ignore[method-assign]
