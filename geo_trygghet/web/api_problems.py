"""Every error of the phone API as one sentence the form can show, and the field it is about.

The remark service raises English one-liners for developers and the CLI; a participant gets a
Swedish sentence (English with ``Accept-Language: en``) from the catalogue (``web.toml``,
``walk.toml``), never a traceback. :func:`problem_for` maps an exception to ``(status, body)``.

========================================  ======  ==========================================
what                                      status  body
========================================  ======  ==========================================
a field that is missing or malformed      400     the field's sentence, ``field`` = its name
the service refuses a value               400     its sentence, ``field`` = the value's name
unknown walk code or remark id            404     ``field`` = ``code`` / ``id``
a closed walk, a code for another walk    403     ``err.closed`` / ``web.denied``
the id is known with other content        409     ``field`` = ``id`` (or ``photo``)
a body over the limit                     413     (:mod:`.guards`)
too many writes from one client           429     (:mod:`.guards`)
the database cannot be reached            503     the remark stays on the phone
anything else                             500     no details (logged on the server)
========================================  ======  ==========================================
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from .. import settings
from ..errors import (
    ConflictError,
    GeoTrygghetError,
    InputError,
    NotFoundError,
    PermissionDeniedError,
    PhotoError,
)
from ..i18n import text
from ..remarks.states import FACTORS

log = logging.getLogger(__name__)

#: Request fields with a sentence of their own (``web.bad.<field>``).
FIELDS = ("id", "lat", "lon", "accuracy_m", "category", "text", "created_at", "reporter", "position_source",
          "feeling", "factors", "code")
#: Words of the service's English messages that name a field (checked in this order).
_SERVICE_FIELDS = (
    ("not a uuid", "id"), ("unknown remark category", "category"), ("characters long", "text"),
    ("no position", "lat"), ("out of range: give wgs84", "lat"), ("position source", "position_source"),
    ("känsla", "feeling"), ("factor", "factors"), ("another walk", "id"),
)


def language(accept_language: str | None) -> str:
    """``en`` when the phone asks for English first, else ``sv``."""
    first = (accept_language or "").split(",")[0].strip().lower()
    return "en" if first.startswith("en") else "sv"


def body(key: str, lang: str, field: str | None = None, /, **fields: Any) -> dict[str, Any]:
    """A problem body: the catalogue sentence of ``key`` in ``lang`` and the field."""
    return {"error": text(key, lang, **fields), "field": field}


#: Path parameters and headers that carry a field of :data:`FIELDS` under another name.
ALIASES = {"remark_id": "id", "x-walk-code": "code"}


def field_sentence(field: str, lang: str) -> str:
    """The sentence for a bad value of ``field``."""
    field = ALIASES.get(field, field)
    if field in FIELDS:
        names = ", ".join(FACTORS)
        return text(f"web.bad.{field}", lang, max=settings.api_json_max_bytes, names=names)
    return text("web.bad.unknown_field", lang, field=field)


def validation_problem(errors: Sequence[Any], lang: str) -> tuple[int, dict[str, Any]]:
    """400 for the first of FastAPI's validation errors: the field and its sentence."""
    first = dict(errors[0]) if errors else {}
    loc = [str(part) for part in first.get("loc", ()) if not isinstance(part, int)]
    kind = str(first.get("type", ""))
    where = loc[0] if loc else "body"
    names = loc[1:] if where in ("body", "path", "query", "header") else loc
    field = names[0] if names else where
    if where == "body" and not names:
        return 400, body("web.bad.body", lang, "body")
    if kind == "extra_forbidden":
        return 400, body("web.bad.unknown_field", lang, field, field=field)
    if kind == "missing" and where == "header":
        return 400, body("web.missing_header", lang, field, field=field)
    if kind == "missing":
        return 400, {"error": text("web.missing", lang, field=field), "field": field}
    return 400, {"error": field_sentence(field, lang), "field": field}


def problem_for(exc: BaseException, lang: str, *, code: str | None = None) -> tuple[int, dict[str, Any]]:
    """``(status, body)`` for an exception raised while answering a request."""
    if isinstance(exc, NotFoundError):
        low = str(exc).lower()
        if "remark" in low:
            return 404, body("web.no_remark", lang, "id")
        return 404, body("join.unknown", lang, "code", code=(code or "").upper()[:20])
    if isinstance(exc, PermissionDeniedError):
        if "is closed" in str(exc):
            return 403, body("err.closed", lang)
        return 403, body("web.denied", lang)
    if isinstance(exc, ConflictError):
        if "photo" in str(exc):
            return 409, body("web.conflict_photo", lang, "photo")
        return 409, body("web.conflict", lang, "id")
    if isinstance(exc, PhotoError):
        return 400, photo_problem(exc, lang)
    if isinstance(exc, InputError | GeoTrygghetError):
        return 400, input_problem(exc, lang)
    if isinstance(exc, OperationalError | PoolTimeout | DBAPIError):
        log.warning("phone API: the database did not answer: %s", str(exc).splitlines()[0][:300])
        return 503, body("web.unavailable", lang)
    log.exception("phone API: unexpected error", exc_info=exc)
    return 500, body("web.server_error", lang)


def photo_problem(exc: BaseException, lang: str) -> dict[str, Any]:
    low = str(exc).lower()
    if "empty" in low:
        return body("err.photo_empty", lang, "photo")
    if "larger than" in low:
        return body("err.photo_big", lang, "photo", mb=settings.photo_max_bytes // (1024 * 1024))
    if "heic" in low:
        return body("err.photo_heic", lang, "photo")
    return body("err.photo", lang, "photo")


def input_problem(exc: BaseException, lang: str) -> dict[str, Any]:
    low = str(exc).lower()
    for words, field in _SERVICE_FIELDS:
        if words in low:
            if field == "lat" and "no position" in low:
                return body("err.no_position", lang, "lat")
            if field == "category":
                return body("err.category", lang, "category")
            return {"error": field_sentence(field, lang), "field": field}
    return body("web.bad.request", lang)
