"""What the plan pages share: the plan service, the kept incidents, cached follow-up and hot
spots, and the plan service's errors said in the interface language.

The kept dataset is the incident file the app keeps (``GEO_TRYGGHET_DATASET``, default the
sample municipality's ``incidents.csv``; the same setting the explorer reads), with its hot-spot
study area: ``tatort.geojson`` or ``kommun.geojson`` beside it. Follow-ups are cached by the
plan's content (its records, linked remarks' states included), the file and the date.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from pathlib import Path
from typing import Any

import streamlit as st

from .. import settings
from ..errors import GeoTrygghetError, PermissionDeniedError
from .data import SAMPLE_DIR, database_url, file_key, remark_service_or_error
from .i18n import t
from .service_errors import swedish_error

DATASET_ENV = "GEO_TRYGGHET_DATASET"
#: session_state: the plan the plan page shows (its selectbox), and the one it is to show next
#: (set by a widget that made or imported a plan; the page moves it into PLAN before the box is drawn).
PLAN, NEXT_PLAN = "ap_plan", "ap_plan_next"
#: Hot-spot study areas looked for beside the kept dataset, the first found is used.
STUDY_AREAS = ("tatort.geojson", "kommun.geojson")


@st.cache_resource(show_spinner=False)
def _plan_service_for(url: str) -> Any:
    from ..actionplan import PlanService

    service, _problem = remark_service_or_error()
    return PlanService(service.store if service is not None else url)


def plan_service_or_error() -> tuple[Any, str | None]:
    """``(PlanService, None)`` sharing the remark service's database, or ``(None, reason)``."""
    service, problem = remark_service_or_error()
    if service is None:
        return None, problem
    return _plan_service_for(database_url()), None


def kept_incidents_path() -> Path | None:
    """The incident file the app keeps (``$GEO_TRYGGHET_DATASET`` or the sample's)."""
    env = os.environ.get(DATASET_ENV, "").strip()
    path = Path(env) if env else SAMPLE_DIR / "incidents.csv"
    return path if path.is_file() else None


@st.cache_resource(show_spinner=False, max_entries=2)
def _incidents(path: str, mtime_ns: int, size: int) -> Any:
    from ..ingest.incidents import read_incidents

    return read_incidents(path, require_time=True).gdf


def kept_incidents() -> tuple[Any, str | None]:
    """The kept incidents (shared, read-only) and their file's name, or ``(None, None)``."""
    path = kept_incidents_path()
    if path is None:
        return None, None
    try:
        return _incidents(*file_key(path)), path.name
    except GeoTrygghetError:
        return None, None


@st.cache_resource(show_spinner=False, max_entries=2)
def _hotspots(path: str, mtime_ns: int, size: int) -> Any:
    from ..hotspots import hotspots
    from ..ingest.incidents import read_boundary

    area = next((Path(path).parent / name for name in STUDY_AREAS if (Path(path).parent / name).is_file()), None)
    boundary = read_boundary(area).geometry.union_all() if area is not None else None
    return hotspots(_incidents(path, mtime_ns, size), boundary=boundary)


def kept_hotspots() -> Any:
    """The hot spots (Gi* cells and hot-spot areas) of the kept incidents, or None."""
    path = kept_incidents_path()
    if path is None:
        return None
    try:
        return _hotspots(*file_key(path))
    except GeoTrygghetError:
        return None


def _version(view: Any) -> str:
    return hashlib.sha1(repr(view).encode("utf-8")).hexdigest()


@st.cache_data(show_spinner=False, max_entries=16)
def _follow_up(version: str, file: tuple, as_of: dt.date, _view: Any) -> Any:
    from ..actionplan import follow_up

    incidents = _incidents(*file) if file else None
    return follow_up(_view, incidents, as_of=as_of)


def plan_follow_up(view: Any, as_of: dt.date | None = None) -> Any:
    """The follow-up of ``view`` on the kept incidents as of ``as_of`` (default today), cached."""
    path = kept_incidents_path()
    return _follow_up(_version(view), file_key(path) if path else (), as_of or settings.local_today(), _view=view)


#: The plan service's English one-liners that a form can cause, said in the interface language.
_ERRORS = [(re.compile(p), key) for p, key in (
    (r"title is empty", "ap.err.title"),
    (r"^an åtgärdsplan called '(?P<name>.+)' exists already", "ap.err.title_taken"),
    (r"^the cause \(ORSAK\) is empty", "ap.err.cause"),
    (r"^the action \(ÅTGÄRD\) is empty", "ap.err.action"),
    (r"is due \((?P<due>[^)]+)\) before it starts", "ap.err.dates"),
    (r"period ends .* before it starts", "ap.err.dates"),
    (r"^a medborgarlöfte needs its public text", "ap.err.promise"),
    (r"own place is missing", "ap.err.own_place"),
    (r"problem has no place", "ap.err.problem_place"),
    (r"measurable goal needs its target change", "ap.err.target"),
    (r"^the operational goal is empty", "ap.err.goal"),
    (r"light set by hand needs a reason", "ap.err.reason"),
    (r"is in the future", "ap.err.future"),
    (r"^nothing to report", "ap.err.nothing"),
    (r"give the date it was decided", "ap.err.decided"),
)]


def plan_error(exc: BaseException) -> str:
    """One line for the user about a plan service error, in the session's language."""
    if isinstance(exc, PermissionDeniedError):
        return t("err.denied", why=str(exc))
    msg = str(exc)
    for pattern, key in _ERRORS:
        found = pattern.search(msg)
        if found:
            return t(key, **found.groupdict())
    return swedish_error(exc)
