"""Small parsers shared by the service modules: dates, geometries, distances."""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any
from zoneinfo import ZoneInfo

from .. import settings
from ..errors import InputError

_EARTH_R = 6_371_008.8
#: Dates people write (an as-of date, a back-dated import) are days in Swedish time;
#: the database keeps naive UTC.
_LOCAL = ZoneInfo(settings.local_tz)


def _local_to_utc(day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=_LOCAL).astimezone(dt.UTC).replace(tzinfo=None)


def _as_date(value: Any, what: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if hasattr(value, "to_pydatetime"):  # pandas Timestamp
        return value.to_pydatetime().date()
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        msg = f"{what} '{value}' is not a date: write it as YYYY-MM-DD, e.g. 2025-06-30"
        raise InputError(msg) from None


def _as_instant(value: Any, what: str) -> dt.datetime:
    """A naive-UTC datetime from a datetime (naive = UTC) or a date or ISO text (the end of that
    day in Swedish time)."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value
    day = _as_date(value, what)
    if day is None:
        msg = f"{what} is missing: give a date as YYYY-MM-DD"
        raise InputError(msg)
    return _local_to_utc(day, dt.time(23, 59, 59, 999999))


def _as_moment(value: Any, what: str) -> dt.datetime:
    """A naive-UTC datetime for a back-dated event: a bare date means noon that day, Swedish time."""
    if isinstance(value, dt.datetime) or hasattr(value, "to_pydatetime"):
        return _as_instant(
            value.to_pydatetime() if hasattr(value, "to_pydatetime") else value, what
        )
    day = _as_date(value, what)
    if day is None:
        msg = f"{what} is missing: give a date as YYYY-MM-DD"
        raise InputError(msg)
    return _local_to_utc(day, dt.time(12, 0))


def _distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dphi, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_R * math.asin(min(1.0, math.sqrt(a)))


def _geometry(area: Any, what: str):
    """A shapely geometry from GeoJSON text/dict or a shapely geometry."""
    from shapely.geometry import shape
    from shapely.geometry.base import BaseGeometry

    if area is None:
        return None
    if isinstance(area, BaseGeometry):
        return area
    try:
        data = json.loads(area) if isinstance(area, str) else area
        if data.get("type") == "FeatureCollection":
            from shapely.ops import unary_union

            return unary_union([shape(f["geometry"]) for f in data["features"]])
        if data.get("type") == "Feature":
            data = data["geometry"]
        return shape(data)
    except (ValueError, TypeError, KeyError, AttributeError):
        msg = (
            f"{what} is not a GeoJSON geometry: give a Polygon or MultiPolygon in WGS84 (lon, lat)"
        )
        raise InputError(msg) from None


def _area_text(area: Any, what: str) -> str | None:
    if area is None or area == "":
        return None
    geom = _geometry(area, what)
    from shapely.geometry import mapping

    if geom.is_empty:
        msg = f"{what} is empty: draw or upload a polygon"
        raise InputError(msg)
    minx, miny, maxx, maxy = geom.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        msg = f"{what} is not in WGS84 degrees: reproject it to EPSG:4326 (lon, lat) first"
        raise InputError(msg)
    return json.dumps(mapping(geom))


def _isnan(value: Any) -> bool:
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return False
