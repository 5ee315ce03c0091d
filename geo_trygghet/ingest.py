"""Read incident files into one canonical GeoDataFrame of points.

Every reader ends in :func:`incidents_from_frame`, the funnel that finds the
columns (Swedish and English names, see :mod:`geo_trygghet._ingest_columns`),
reads positions in any supported CRS, parses dates, maps crime types to the Brå
categories, applies ``since``/``until``/``boundary`` and returns
:class:`Incidents`: the points in EPSG:4326 plus an :class:`IngestReport` that
says what was read, what was left out and why, and what was guessed.

Formats (by extension): ``.csv``/``.txt``/``.tsv`` (delimiter , ; tab or |,
sniffed; UTF-8 with or without BOM, UTF-16 with BOM, Windows-1252), ``.xlsx``,
``.gpkg``, ``.shp``, ``.geojson``/``.json``, ``.parquet`` (plain or GeoParquet).

Positions: ``lat``/``lon`` columns in WGS84, or ``x``/``y`` (also E/N, öst/nord,
easting/northing) in a metric CRS: SWEREF 99 TM (EPSG:3006), the local SWEREF 99
zones (EPSG:3007–3018), RT90 2.5 gon V (EPSG:3021) or any EPSG code given with
``crs``. Without ``crs``, Swedish SWEREF 99 TM and RT90 ranges are recognised
(with a note); in Swedish data the column called "x" often holds the northing
(Lantmäteriet's convention), which is detected from the value ranges. Rows with
an empty position or exactly 0/0 (withheld locations) are left out and counted.

Every user mistake raises a :class:`~geo_trygghet.errors.GeoTrygghetError`
whose message is one line naming the file, the column or rows, and the fix.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from . import schema
from ._ingest_columns import (
    CLOCK_NAMES,
    DATE_NAMES,
    DATETIME_NAMES,
    MONTH_NAMES,
    POINT_NAMES,
    TYPE_NAMES,
    Columns,
    find_lat_lon,
    find_x_y,
    norm,
)
from ._ingest_dates import looks_like_clock, parse_bound, parse_clock, parse_dates
from ._ingest_read import check_path, read_any, read_parquet, read_vector, unsupported
from .categories import categorize
from .crs import SWEDISH_PROJECTED, WGS84, parse_crs
from .errors import CRSError, DateError, GeoTrygghetError, InputError, SchemaError, one_line

__all__ = ["Incidents", "IngestReport", "incidents_from_frame", "read_boundary", "read_incidents"]

RESOLUTION_UNKNOWN = "unknown"
F = TypeVar("F", bound=Callable[..., object])

# reasons rows are left out (the keys of IngestReport.dropped)
NO_POSITION = "no position"
ZERO_POSITION = "position 0/0"
BAD_POSITION = "position not a number"
NO_DATE = "no date"
BEFORE_SINCE = "before --since"
AFTER_UNTIL = "after --until"
OUTSIDE = "outside boundary"


@dataclass(frozen=True)
class IngestReport:
    """What :func:`read_incidents` read, left out and guessed."""

    source: str
    rows_read: int
    rows_used: int
    dropped: dict[str, int] = field(default_factory=dict)
    columns: dict[str, str] = field(default_factory=dict)
    crs: str = WGS84
    time_resolution: str = schema.RESOLUTION_DAY
    unmapped_types: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def summary_lines(self) -> list[str]:
        """Short human lines for the CLI summary."""
        lines = [f"{self.source}: {_n(self.rows_read)} rows read, {_n(self.rows_used)} used"]
        for reason, n in self.dropped.items():
            if n:
                lines.append(f"  left out: {_n(n)} rows ({reason})")
        if self.columns:
            cols = ", ".join(f"{role}={name!r}" for role, name in self.columns.items())
            lines.append(f"  columns: {cols}; coordinates {self.crs}; time resolution {self.time_resolution}")
        if self.unmapped_types:
            top = list(self.unmapped_types.items())[:5]
            shown = ", ".join(f"'{t}' ({n})" for t, n in top)
            more = f" and {len(self.unmapped_types) - 5} more" if len(self.unmapped_types) > 5 else ""
            lines.append(
                f"  crime types without a Brå category: {shown}{more} "
                "(add them to geo_trygghet/data/crime_types.csv)"
            )
        lines.extend(f"  note: {note}" for note in self.notes)
        return lines


def _n(k: int) -> str:
    return f"{k:,}"


@dataclass(frozen=True)
class Incidents:
    """Incident points (EPSG:4326, columns of :data:`schema.INCIDENT_COLUMNS`) and the report."""

    gdf: gpd.GeoDataFrame
    report: IngestReport


# --------------------------------------------------------------------------- public API


def _one_line_errors(func: F) -> F:
    """Guarantee the one-line contract: a user's cell or column name may hold a line break."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except GeoTrygghetError as err:
            text = str(err)
            flat = one_line(text)
            if flat == text:
                raise
            raise type(err)(flat) from None

    return wrapper  # type: ignore[return-value]



@_one_line_errors
def read_incidents(
    path: str | Path,
    *,
    lat: str | None = None,
    lon: str | None = None,
    x: str | None = None,
    y: str | None = None,
    crs: str | int | CRS | None = None,
    time: str | None = None,
    date: str | None = None,
    clock: str | None = None,
    crime_type: str | None = None,
    since: str | dt.date | None = None,
    until: str | dt.date | None = None,
    boundary: str | Path | gpd.GeoDataFrame | None = None,
    layer: str | int | None = None,
    sheet: str | int | None = None,
    require_time: bool = True,
    crime_type_table: object = None,
) -> Incidents:
    """Read an incident file (format by extension) into :class:`Incidents`.

    Column options name columns and override detection; ``crs`` declares the
    CRS of ``x``/``y`` (or of a layer without one). ``since``/``until`` keep
    whole days (inclusive). ``boundary`` (a path or GeoDataFrame) drops the
    points outside it. ``require_time=False`` accepts files without dates.
    """
    p = check_path(path)
    df, how = read_any(p, layer=layer, sheet=sheet)
    return incidents_from_frame(
        df,
        source=p.name,
        lat=lat,
        lon=lon,
        x=x,
        y=y,
        crs=crs,
        time=time,
        date=date,
        clock=clock,
        crime_type=crime_type,
        since=since,
        until=until,
        boundary=boundary,
        require_time=require_time,
        crime_type_table=crime_type_table,
        _how=how,
    )


@_one_line_errors
def incidents_from_frame(
    df: pd.DataFrame,
    *,
    source: str = "the table",
    lat: str | None = None,
    lon: str | None = None,
    x: str | None = None,
    y: str | None = None,
    crs: str | int | CRS | None = None,
    time: str | None = None,
    date: str | None = None,
    clock: str | None = None,
    crime_type: str | None = None,
    since: str | dt.date | None = None,
    until: str | dt.date | None = None,
    boundary: str | Path | gpd.GeoDataFrame | None = None,
    require_time: bool = True,
    crime_type_table: object = None,
    _how: str = "",
) -> Incidents:
    """The funnel every reader ends in: a (Geo)DataFrame → :class:`Incidents`.

    A GeoDataFrame's point geometry is used when no coordinate columns are found.
    """
    if not isinstance(df, pd.DataFrame):
        msg = f"{source}: expected a table (DataFrame), got {type(df).__name__}"
        raise InputError(msg)
    notes: list[str] = [_how] if _how and _how != "read as UTF-8 text, comma-separated" else []
    geometry = _active_geometry(df)
    names = [str(c) for c in df.columns if geometry is None or c != geometry.name]
    if df.columns.has_duplicates or any(not isinstance(c, str) for c in df.columns):
        df = df.copy()
        df.columns = _dedupe([str(c) for c in df.columns])
        names = [c for c in df.columns if geometry is None or c != geometry.name]
    cols = Columns(names)
    n = len(df)
    if n == 0:
        what = "only a header" if len(names) else "no columns"
        msg = f"{source} has no data rows ({what}); give a file with at least one incident"
        raise InputError(msg)
    rows = np.arange(1, n + 1, dtype=np.int64)
    used: dict[str, str] = {}
    dropped: dict[str, int] = {}

    # ---- positions
    pos = _positions(df, cols, geometry, source, rows, lat=lat, lon=lon, x=x, y=y, crs=crs, notes=notes, used=used)
    keep = pos.usable.copy()
    for reason, mask in pos.dropped.items():
        if mask.any():
            dropped[reason] = int(mask.sum())

    # ---- time
    occurred, resolution = _times(
        df, cols, source, rows, time=time, date=date, clock=clock, require_time=require_time, notes=notes, used=used
    )
    if require_time:
        no_date = keep & np.isnat(occurred)
        if no_date.any():
            dropped[NO_DATE] = int(no_date.sum())
            keep &= ~no_date
            if not keep.any():
                col = used.get("time") or used.get("date") or "the time column"
                msg = f"{source}: no row has both a position and a date in column '{col}'; fill in the dates"
                raise DateError(msg)

    # ---- crime type and category
    crime, category, unmapped = _crime_types(df, cols, source, crime_type, used, notes, crime_type_table, n)

    # ---- since / until
    if since is not None or until is not None:
        keep = _window(occurred, keep, since, until, resolution, source, dropped)

    # ---- boundary
    if boundary is not None:
        keep = _clip(pos, keep, boundary, source, dropped)

    idx = np.flatnonzero(keep)
    lon_out = pos.lon[idx]
    lat_out = pos.lat[idx]
    out = pd.DataFrame(
        {
            schema.OCCURRED_AT: pd.Series(occurred[idx], dtype="datetime64[ns]"),
            schema.TIME_RESOLUTION: pd.Series(np.full(len(idx), resolution, dtype=object), dtype="str"),
            schema.CRIME_TYPE: crime.iloc[idx].reset_index(drop=True),
            schema.CATEGORY: category.iloc[idx].reset_index(drop=True),
            schema.LON: lon_out,
            schema.LAT: lat_out,
            schema.SOURCE_ROW: rows[idx],
        }
    )
    gdf = gpd.GeoDataFrame(out, geometry=gpd.points_from_xy(lon_out, lat_out), crs=WGS84)
    report = IngestReport(
        source=source,
        rows_read=n,
        rows_used=len(idx),
        dropped=dropped,
        columns=used,
        crs=pos.crs,
        time_resolution=resolution,
        unmapped_types=unmapped,
        notes=notes,
    )
    return Incidents(gdf=gdf, report=report)


@_one_line_errors
def read_boundary(path_or_gdf: str | Path | gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Polygons of a study area in EPSG:4326 (only polygon features are kept).

    A GeoJSON without a ``crs`` member is WGS84 (RFC 7946); a legacy ``crs``
    member (e.g. ``urn:ogc:def:crs:EPSG::3006``) is honoured.
    """
    if isinstance(path_or_gdf, gpd.GeoDataFrame):
        gdf, label = path_or_gdf, "the boundary"
    else:
        p = check_path(path_or_gdf, "boundary file")
        label = f"boundary {p.name}"
        ext = p.suffix.lower()
        if ext in (".parquet", ".geoparquet"):
            gdf, _ = read_parquet(p, label)
        elif ext in (".gpkg", ".shp", ".geojson", ".json"):
            gdf, _ = read_vector(p, None, label)
        else:
            raise unsupported(p)
        if not isinstance(gdf, gpd.GeoDataFrame) or _active_geometry(gdf) is None:
            msg = f"{label} has no geometry; give polygons as GeoJSON, GeoPackage or Shapefile"
            raise InputError(msg)
    if len(gdf) == 0:
        msg = f"{label} has no features; give a file with the area's polygon"
        raise InputError(msg)
    geoms = gdf.geometry
    types = geoms.geom_type
    poly = types.isin(["Polygon", "MultiPolygon"]).to_numpy() & ~geoms.is_empty.to_numpy()
    if not poly.any():
        kinds = ", ".join(sorted({str(t) for t in types.dropna()})) or "empty geometries"
        msg = f"{label} has no polygons (found {kinds}); give the area as a polygon layer"
        raise InputError(msg)
    gdf = gdf.loc[poly]
    if gdf.crs is None:
        msg = f"{label} has no coordinate system: save it with one (e.g. EPSG:3006 or EPSG:4326)"
        raise CRSError(msg)
    crs = CRS.from_user_input(gdf.crs)
    if crs.is_geographic:
        minx, miny, maxx, maxy = gdf.total_bounds
        if max(abs(minx), abs(maxx)) > 360 or max(abs(miny), abs(maxy)) > 90:
            msg = (
                f"{label} says WGS84 (a GeoJSON without a 'crs' member is WGS84) but its coordinates "
                f"look like metres (e.g. {minx:.0f}, {miny:.0f}); reproject it to EPSG:4326 or give it its CRS"
            )
            raise CRSError(msg)
    out = gdf.to_crs(WGS84) if not crs.equals(CRS.from_user_input(WGS84)) else gdf.copy()
    out = out[[out.geometry.name]].reset_index(drop=True)
    out = out.set_geometry(shapely.make_valid(out.geometry.to_numpy()))
    out.attrs["label"] = label if label != "the boundary" else path_or_gdf.attrs.get("label", label)
    return out


# --------------------------------------------------------------------------- positions


@dataclass
class _Positions:
    lon: np.ndarray
    lat: np.ndarray
    usable: np.ndarray
    dropped: dict[str, np.ndarray]
    crs: str
    guessed: bool


def _active_geometry(df: pd.DataFrame) -> gpd.GeoSeries | None:
    if isinstance(df, gpd.GeoDataFrame):
        try:
            return df.geometry
        except AttributeError:
            return None
    return None


def _dedupe(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        if name in seen:
            seen[name] += 1
            out.append(f"{name}.{seen[name]}")
        else:
            seen[name] = 0
            out.append(name)
    return out


def _numbers(s: pd.Series, column: str, source: str, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Floats of a coordinate column and a mask of cells that are text but not numbers."""
    if pd.api.types.is_bool_dtype(s.dtype):
        msg = f"{source}, column '{column}' holds true/false values, not coordinates; name the coordinate columns"
        raise SchemaError(msg)
    if pd.api.types.is_numeric_dtype(s.dtype):
        return s.to_numpy(dtype="float64", na_value=np.nan), np.zeros(len(s), dtype=bool)
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        msg = f"{source}, column '{column}' holds dates, not coordinates; name the coordinate columns with --lat/--lon or --x/--y"
        raise SchemaError(msg)
    text = s.astype("str").str.strip()
    text = text.where(text != "")
    cleaned = text.str.replace(r"[\s\u00a0\u202f']", "", regex=True).str.replace(",", ".", regex=False)
    vals = pd.to_numeric(cleaned, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    bad = text.notna().to_numpy() & np.isnan(vals)
    present = int(text.notna().sum())
    if present and bad.sum() > present / 2:
        i = int(np.flatnonzero(bad)[0])
        msg = (
            f"{source}, column '{column}' does not hold numbers (e.g. row {int(rows[i])} "
            f"'{one_line(str(s.iloc[i]))[:30]}'); name the coordinate columns with --lat/--lon or --x/--y"
        )
        raise SchemaError(msg)
    return vals, bad


def _positions(df, cols, geometry, source, rows, *, lat, lon, x, y, crs, notes, used) -> _Positions:  # noqa: PLR0912, PLR0915
    crs_obj = parse_crs(crs) if crs is not None else None
    mode = None
    if lat is not None or lon is not None:
        if lat is None or lon is None:
            msg = f"{source}: give both --lat and --lon (got only {'--lat' if lat else '--lon'})"
            raise SchemaError(msg)
        lat_c, lon_c = cols.given(lat, "--lat", source), cols.given(lon, "--lon", source)
        mode = "latlon"
    elif x is not None or y is not None:
        if x is None or y is None:
            msg = f"{source}: give both --x and --y (got only {'--x' if x else '--y'})"
            raise SchemaError(msg)
        x_c, y_c = cols.given(x, "--x", source), cols.given(y, "--y", source)
        mode = "xy"
    else:
        lat_c, lon_c = find_lat_lon(cols)
        x_c, y_c = find_x_y(cols, exclude=[c for c in (lat_c, lon_c) if c])
        projected_flag = crs_obj is not None and not crs_obj.is_geographic
        if lat_c and lon_c and not (projected_flag and x_c and y_c):
            mode = "latlon"
        elif x_c and y_c:
            mode = "xy"
        elif geometry is not None and len(geometry) and geometry.notna().any():
            mode = "geometry"
        elif (pt_c := cols.exact(POINT_NAMES)) is not None and _is_point_text(df[pt_c]):
            mode = "combined"
        elif lat_c or lon_c:
            have, need = (lat_c, "--lon") if lat_c else (lon_c, "--lat")
            msg = f"{source}: found coordinate column '{have}' but not its pair; name it with {need}"
            raise SchemaError(msg)
        elif x_c or y_c:
            have, need = (x_c, "--y") if x_c else (y_c, "--x")
            msg = f"{source}: found coordinate column '{have}' but not its pair; name it with {need}"
            raise SchemaError(msg)
        else:
            msg = (
                f"{source}: no coordinate columns found among [{cols.listing()}]; name them with "
                "--lat/--lon (WGS84) or --x/--y and --crs (e.g. EPSG:3006)"
            )
            raise SchemaError(msg)

    invalid = np.zeros(len(df), dtype=bool)
    file_crs = None
    if mode == "latlon":
        lat_v, bad1 = _numbers(df[lat_c], lat_c, source, rows)
        lon_v, bad2 = _numbers(df[lon_c], lon_c, source, rows)
        invalid = bad1 | bad2
        first, second = lon_v, lat_v
        labels = (lon_c, lat_c)
        used["lat"], used["lon"] = lat_c, lon_c
    elif mode == "xy":
        xv, bad1 = _numbers(df[x_c], x_c, source, rows)
        yv, bad2 = _numbers(df[y_c], y_c, source, rows)
        invalid = bad1 | bad2
        first, second = xv, yv
        labels = (x_c, y_c)
        used["x"], used["y"] = x_c, y_c
    elif mode == "combined":
        lat_v, lon_v, invalid = _split_point_text(df[pt_c])
        ok = ~np.isnan(lat_v) & ~np.isnan(lon_v)
        if ok.any():
            mlat, mlon = float(np.median(lat_v[ok])), float(np.median(lon_v[ok]))
            if (10 <= mlat <= 25 and 54 <= mlon <= 70) or (abs(mlat) > 90 >= abs(mlon)):
                lat_v, lon_v = lon_v, lat_v
                notes.append(f"column '{pt_c}' holds 'longitude,latitude'; read it that way")
        first, second = lon_v, lat_v
        labels = (f"{pt_c} (longitude)", f"{pt_c} (latitude)")
        used["position"] = pt_c
        mode = "latlon"
    else:
        first, second = _geometry_xy(geometry, source)
        labels = ("geometry x", "geometry y")
        used["geometry"] = str(geometry.name)
        file_crs = CRS.from_user_input(geometry.crs) if geometry.crs is not None else None
        if crs_obj is not None and file_crs is not None and not crs_obj.equals(file_crs):
            notes.append(f"the file says {_crs_name(file_crs)}; read as {_crs_name(crs_obj)} as asked")
        if crs_obj is None:
            crs_obj = file_crs

    missing = np.isnan(first) | np.isnan(second)
    zero = ~missing & (first == 0) & (second == 0)
    usable = ~missing & ~zero
    dropped = {NO_POSITION: missing & ~invalid, BAD_POSITION: invalid, ZERO_POSITION: zero}
    if invalid.any():
        i = int(np.flatnonzero(invalid)[0])
        notes.append(f"{int(invalid.sum())} rows have a position that is not a number (first: row {int(rows[i])})")
    if not usable.any():
        msg = (
            f"{source}: no row has a usable position in {_pair(labels)} ({int(missing.sum())} empty, "
            f"{int(zero.sum())} at 0/0); fill in the coordinates"
        )
        raise CRSError(msg)

    u = np.flatnonzero(usable)
    a, b = first[u], second[u]
    guessed = False
    if mode == "latlon" and (crs_obj is None or crs_obj.is_geographic):
        a, b = _check_degrees(a, b, labels, source, rows[u], mode)
        src = crs_obj or CRS.from_user_input(WGS84)
    elif mode == "geometry" and crs_obj is not None and crs_obj.is_geographic:
        a, b = _check_degrees(a, b, labels, source, rows[u], mode)
        src = crs_obj
    else:
        # x/y (or geometry) in a projected CRS, declared or guessed
        swedish = crs_obj is None or _epsg(crs_obj) in SWEDISH_PROJECTED
        mx, my = float(np.median(a)), float(np.median(b))
        if swedish and _is_northing(mx) and 0 < my < 2.0e6 and not _is_northing(my):
            a, b = b, a
            mx, my = my, mx
            notes.append(
                f"column '{labels[0]}' holds northings and '{labels[1]}' eastings (the Swedish x = north "
                "convention); read them that way"
            )
            labels = (labels[1], labels[0])
        if crs_obj is None:
            if abs(mx) <= 180 and abs(my) <= 180:
                if 54 <= mx <= 70 and 10 <= my <= 25:  # x = north in degrees
                    a, b = b, a
                    notes.append(f"column '{labels[0]}' holds latitudes and '{labels[1]}' longitudes; read them that way")
                    labels = (labels[1], labels[0])
                a, b = _check_degrees(a, b, labels, source, rows[u], mode)
                src = CRS.from_user_input(WGS84)
                notes.append(f"coordinates in {_pair(labels)} look like degrees: read as WGS84 (EPSG:4326); pass --crs to override")
            else:
                src = _guess_metric(mx, my, labels, source)
                guessed = True
                notes.append(
                    f"coordinates look like {_crs_name(src)} ({_epsg(src)}); pass --crs to override"
                )
        else:
            src = crs_obj
            if not src.is_geographic and np.all(np.abs(a) <= 180) and np.all(np.abs(b) <= 90):
                msg = (
                    f"{source}: {_pair(labels)} hold values like {a[0]:.5g}, {b[0]:.5g}, which look like "
                    f"degrees, not metres of {_epsg(src) or src.name}; use --lat/--lon (WGS84) or check --crs"
                )
                raise CRSError(msg)
            if src.is_geographic:
                a, b = _check_degrees(a, b, labels, source, rows[u], mode)
    lon_all = np.full(len(df), np.nan)
    lat_all = np.full(len(df), np.nan)
    if src.equals(CRS.from_user_input(WGS84)):
        lo, la = a, b
    else:
        lo, la = _transformer(src.to_wkt()).transform(a, b)
        lo, la = np.asarray(lo, dtype="float64"), np.asarray(la, dtype="float64")
        bad = ~np.isfinite(lo) | ~np.isfinite(la) | (np.abs(la) > 90) | (np.abs(lo) > 180)
        if bad.any():
            i = np.flatnonzero(bad)[:5]
            ex = ", ".join(f"row {int(rows[u][j])} ({a[j]:.6g}, {b[j]:.6g})" for j in i)
            msg = (
                f"{source}: {int(bad.sum())} rows cannot be converted from {_epsg(src) or src.name} "
                f"to WGS84, e.g. {ex}; check --crs and the coordinate columns"
            )
            raise CRSError(msg)
        _check_area(lo, la, src, source, labels, guessed)
    lon_all[u], lat_all[u] = lo, la
    return _Positions(
        lon=lon_all,
        lat=lat_all,
        usable=usable,
        dropped=dropped,
        crs=_epsg(src) or src.to_string(),
        guessed=guessed,
    )


_POINT_TEXT = r"^\s*\(?\s*([-+]?\d+(?:\.\d+)?)\s*[,; ]\s*([-+]?\d+(?:\.\d+)?)\s*\)?\s*$"


def _is_point_text(s: pd.Series) -> bool:
    if pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_datetime64_any_dtype(s.dtype):
        return False
    sample = s.dropna().head(200).astype("str")
    return bool(len(sample)) and bool(sample.str.fullmatch(_POINT_TEXT).mean() >= 0.8)


def _split_point_text(s: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """'59.33,18.06' (latitude first, as the police feed writes it) → two float arrays."""
    text = s.astype("str").str.strip()
    text = text.where(text != "")
    parts = text.str.extract(_POINT_TEXT)
    a = pd.to_numeric(parts[0], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    b = pd.to_numeric(parts[1], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    invalid = text.notna().to_numpy() & (np.isnan(a) | np.isnan(b))
    return a, b, invalid


def _geometry_xy(geometry: gpd.GeoSeries, source: str) -> tuple[np.ndarray, np.ndarray]:
    geoms = geometry.to_numpy()
    types = shapely.get_type_id(geoms)
    ok = (types == 0) | (types == 4) | (types == -1)  # Point, MultiPoint, missing
    if not ok.all():
        kinds = sorted({str(t) for t in geometry[~ok].geom_type.dropna()})
        msg = f"{source}: the layer holds {', '.join(kinds)} geometries; incidents must be points"
        raise SchemaError(msg)
    empty = shapely.is_empty(geoms) | shapely.is_missing(geoms)
    pts = shapely.centroid(geoms)
    xs = shapely.get_x(pts)
    ys = shapely.get_y(pts)
    xs = np.where(empty, np.nan, xs)
    ys = np.where(empty, np.nan, ys)
    return xs.astype("float64"), ys.astype("float64")


def _pair(labels: tuple[str, str]) -> str:
    return f"'{labels[0]}'/'{labels[1]}'" if not labels[0].startswith("geometry") else "the geometry"


def _is_northing(v: float) -> bool:
    return 6.0e6 <= v <= 7.8e6


def _epsg(crs: CRS) -> str | None:
    code = crs.to_epsg(min_confidence=70)
    return f"EPSG:{code}" if code else None


def _crs_name(crs: CRS) -> str:
    names = {"EPSG:3006": "SWEREF 99 TM", "EPSG:3021": "RT90 2.5 gon V", "EPSG:4326": "WGS84"}
    return names.get(_epsg(crs) or "", crs.name)


@lru_cache(maxsize=16)
def _transformer(wkt: str) -> Transformer:
    return Transformer.from_crs(CRS.from_wkt(wkt), CRS.from_user_input(WGS84), always_xy=True)


def _guess_metric(e: float, n: float, labels: tuple[str, str], source: str) -> CRS:
    if 6.05e6 <= n <= 7.75e6:
        if 2.0e5 <= e <= 1.0e6:
            return CRS.from_user_input("EPSG:3006")
        if 1.1e6 <= e <= 2.0e6:
            return CRS.from_user_input("EPSG:3021")
        if 3.0e4 <= e < 2.0e5:
            msg = (
                f"{source}: coordinates in {_pair(labels)} (e.g. {e:.0f}, {n:.0f}) look like a local "
                "SWEREF 99 zone; pass its code with --crs (EPSG:3007–3018, e.g. EPSG:3011 for SWEREF 99 18 00)"
            )
            raise CRSError(msg)
    hint = "e.g. --crs EPSG:3006 for SWEREF 99 TM"
    msg = (
        f"{source}: coordinates in {_pair(labels)} (e.g. {e:.6g}, {n:.6g}) fit neither WGS84 degrees nor "
        f"SWEREF 99 TM or RT90 in Sweden; pass their CRS with --crs ({hint})"
    )
    raise CRSError(msg)


def _check_degrees(lon: np.ndarray, lat: np.ndarray, labels: tuple[str, str], source: str, rows: np.ndarray, mode: str):
    """Validate WGS84-like lon/lat arrays; raise the one-line fix for the usual mistakes."""
    lon_c, lat_c = labels
    big = (np.abs(lon) > 1000) | (np.abs(lat) > 1000)
    if big.mean() > 0.5:
        e, n = float(np.median(lon)), float(np.median(lat))
        if _is_northing(e) and not _is_northing(n):
            e, n = n, e
        try:
            hint = _epsg(_guess_metric(e, n, labels, source)) or "EPSG:3006"
        except CRSError:
            hint = "EPSG:3006"
        where = "the geometry" if mode == "geometry" else f"columns '{lat_c}'/'{lon_c}'"
        if mode == "geometry":
            fix = f"pass --crs {hint} (a GeoJSON without a 'crs' member is read as WGS84)"
        elif mode == "xy":
            fix = f"pass --crs {hint}"
        else:
            fix = f"use --x/--y with --crs {hint}"
        msg = (
            f"{source}: {where} hold values like {lat[0]:.0f}, {lon[0]:.0f}, which look like metres "
            f"(e.g. SWEREF 99 TM), not degrees; {fix}"
        )
        raise CRSError(msg)
    lat_out = np.abs(lat) > 90
    if mode == "latlon" and lat_out.mean() > 0.5 and (np.abs(lon) <= 90).mean() > 0.5:
        msg = (
            f"{source}: latitude and longitude look swapped: '{lat_c}' holds values like {lat[0]:.6g} "
            f"(above 90) and '{lon_c}' values like {lon[0]:.6g}; pass --lat {lon_c} --lon {lat_c}"
        )
        raise CRSError(msg)
    mlat, mlon = float(np.median(lat)), float(np.median(lon))
    if mode == "latlon" and 10 <= mlat <= 25 and 54 <= mlon <= 70:
        msg = (
            f"{source}: latitude and longitude look swapped: '{lat_c}' holds values like {mlat:.4g} "
            f"(a longitude in Sweden) and '{lon_c}' values like {mlon:.4g}; pass --lat {lon_c} --lon {lat_c}"
        )
        raise CRSError(msg)
    bad = lat_out | (np.abs(lon) > 180)
    if bad.any():
        idx = np.flatnonzero(bad)[:5]
        ex = ", ".join(f"row {int(rows[i])} ({lat[i]:.6g}, {lon[i]:.6g})" for i in idx)
        where = "the geometry" if mode == "geometry" else f"columns '{lat_c}'/'{lon_c}'"
        msg = (
            f"{source}: {int(bad.sum())} rows have coordinates out of range in {where} (latitude -90..90, "
            f"longitude -180..180), e.g. {ex}; correct or remove those rows"
        )
        raise CRSError(msg)
    return lon, lat


def _check_area(lon: np.ndarray, lat: np.ndarray, src: CRS, source: str, labels, guessed: bool) -> None:
    area = src.area_of_use
    if area is None:
        return
    w, s, e, n = area.bounds
    margin = 2.0
    if w > e:  # crosses the antimeridian
        return
    inside = (lon >= w - margin) & (lon <= e + margin) & (lat >= s - margin) & (lat <= n + margin)
    if inside.mean() >= 0.5:
        return
    how = "guessed as" if guessed else "read as"
    msg = (
        f"{source}: coordinates in {_pair(labels)} {how} {_epsg(src) or src.name} fall around "
        f"lon {np.median(lon):.3f}, lat {np.median(lat):.3f}, outside the area that CRS is for "
        f"({area.name}); check --crs (SWEREF 99 TM is EPSG:3006, RT90 EPSG:3021) and the x/y columns"
    )
    raise CRSError(msg)


# --------------------------------------------------------------------------- time


def _is_month_name(name: str) -> bool:
    k = norm(name)
    return k in MONTH_NAMES or k.split("_")[0] in ("month", "manad")


def _times(df, cols, source, rows, *, time, date, clock, require_time, notes, used):  # noqa: PLR0912
    n = len(df)
    date_col = clock_col = None
    if time is not None:
        date_col = cols.given(time, "--time", source)
        role = "time"
    elif date is not None:
        date_col = cols.given(date, "--date", source)
        role = "date"
    else:
        dt_c = cols.find(DATETIME_NAMES, {"datetime", "tidpunkt", "handelsetid", "timestamp", "brottstid"})
        d_c = cols.find(DATE_NAMES, {"date", "datum", "handelsedatum", "brottsdatum"}, exclude=[dt_c] if dt_c else ())
        m_c = cols.find(MONTH_NAMES, {"month", "manad"})
        c_c = cols.find(CLOCK_NAMES, {"klockslag", "time", "kl"}, exclude=[c for c in (dt_c, d_c, m_c) if c])
        if dt_c and d_c and looks_like_clock(df[dt_c]):
            date_col, role, clock_col = d_c, "date", dt_c
        elif dt_c:
            date_col, role = dt_c, "time"
        elif d_c:
            date_col, role = d_c, "date"
            if c_c and clock is None and looks_like_clock(df[c_c]):
                clock_col = c_c
        elif m_c:
            date_col, role = m_c, "time"
        elif c_c and not looks_like_clock(df[c_c]):
            date_col, role = c_c, "time"
        elif c_c:
            msg = f"{source}: column '{c_c}' holds times of day but no date column was found; name it with --time"
            raise SchemaError(msg)
    if clock is not None:
        clock_col = cols.given(clock, "--clock", source)
        if date_col is None:
            msg = f"{source}: --clock '{clock}' needs a date column as well; name it with --time or --date"
            raise SchemaError(msg)
        role = "date"
    if date_col is None:
        if require_time:
            msg = f"{source}: no time column found among [{cols.listing()}]; name it with --time"
            raise SchemaError(msg)
        notes.append("no time column: dates left empty (time analyses need one; name it with --time)")
        return np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]"), RESOLUTION_UNKNOWN
    used[role] = date_col
    ts, resolution = parse_dates(df[date_col], column=date_col, source=source, rows=rows, month=_is_month_name(date_col))
    if clock_col is not None and resolution != schema.RESOLUTION_MONTH:
        used["clock"] = clock_col
        td = parse_clock(df[clock_col], column=clock_col, source=source, rows=rows)
        if td.notna().any():
            ts = ts.dt.normalize() + td.fillna(pd.Timedelta(0))
            resolution = schema.RESOLUTION_MINUTE
    if resolution == schema.RESOLUTION_MONTH:
        ts = ts.dt.to_period("M").dt.to_timestamp()
        notes.append(f"column '{date_col}' gives months only: time resolution is month")
    return ts.to_numpy(dtype="datetime64[ns]"), resolution


def _window(occurred, keep, since, until, resolution, source, dropped):
    if resolution == RESOLUTION_UNKNOWN:
        msg = f"{source}: --since/--until need a time column; name it with --time"
        raise SchemaError(msg)
    lo = parse_bound(since, "--since") if since is not None else None
    hi = parse_bound(until, "--until") if until is not None else None
    if lo is not None and hi is not None and hi < lo:
        msg = f"--until {hi.date()} is before --since {lo.date()}; swap them"
        raise DateError(msg)
    before_n = keep.sum()
    if lo is not None:
        mask = keep & (occurred < lo.to_datetime64())
        if mask.any():
            dropped[BEFORE_SINCE] = int(mask.sum())
        keep = keep & ~mask
    if hi is not None:
        end = (hi + pd.Timedelta(days=1)).to_datetime64()
        mask = keep & (occurred >= end)
        if mask.any():
            dropped[AFTER_UNTIL] = int(mask.sum())
        keep = keep & ~mask
    if before_n and not keep.any():
        ts = occurred[~np.isnat(occurred)]
        span = f"{pd.Timestamp(ts.min()).date()} to {pd.Timestamp(ts.max()).date()}" if len(ts) else "no dates"
        window = f"{lo.date() if lo is not None else '…'} to {hi.date() if hi is not None else '…'}"
        msg = f"{source}: no incidents from {window}; the file's dates run from {span}: change --since/--until"
        raise DateError(msg)
    return keep


# --------------------------------------------------------------------------- crime types and boundary


def _crime_types(df, cols, source, crime_type, used, notes, table, n):
    if crime_type is not None:
        col = cols.given(crime_type, "--category", source)
    else:
        taken = set(used.values())
        col = cols.find(
            TYPE_NAMES,
            {"brottstyp", "brottskod", "type", "category", "rubricering", "crime", "brott", "kategori"},
            exclude=taken,
        )
    if col is None:
        notes.append("no crime-type column found: crime type and category left empty (name it with --category)")
        empty = pd.Series(np.full(n, np.nan, dtype=object), dtype="str")
        return empty, empty.copy(), {}
    used["crime_type"] = col
    s = df[col].reset_index(drop=True)
    if pd.api.types.is_float_dtype(s.dtype):
        v = s.to_numpy(dtype="float64", na_value=np.nan)
        if np.all(np.isnan(v) | (np.floor(v) == v)):
            s = s.astype("Int64")
    text = s.astype("str").str.strip() if s.dtype != object else s.map(
        lambda v: v if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)
    ).astype("str").str.strip()
    text = text.where(text != "")
    category, unmapped = categorize(text, table)
    missing = int(text.isna().sum())
    if missing:
        notes.append(f"{missing} rows have no crime type in column '{col}'")
    return text, category.reset_index(drop=True), unmapped


def _clip(pos: _Positions, keep, boundary, source, dropped):
    area = read_boundary(boundary)
    label = area.attrs.get("label") or "the boundary"
    union = shapely.union_all(area.geometry.to_numpy())
    shapely.prepare(union)
    idx = np.flatnonzero(keep)
    inside = shapely.contains_xy(union, pos.lon[idx], pos.lat[idx])
    if inside.any():
        out = np.zeros_like(keep)
        out[idx[inside]] = True
        if (~inside).any():
            dropped[OUTSIDE] = int((~inside).sum())
        return out
    lo, la = float(np.median(pos.lon[idx])), float(np.median(pos.lat[idx]))
    c = union.centroid
    hint = "check the boundary file and the coordinate columns"
    swapped = shapely.contains_xy(union, pos.lat[idx], pos.lon[idx])
    if swapped.mean() > 0.5:
        hint = "the points would fall inside with latitude and longitude swapped: check --lat/--lon"
    elif pos.guessed:
        hint = f"the coordinates were taken to be {pos.crs}: pass the right --crs, or check the boundary file"
    elif pos.crs != WGS84:
        hint = f"the coordinates were read as {pos.crs}: check --crs and the boundary file"
    msg = (
        f"{source}: all {len(idx)} points lie outside {label} (points around lon {lo:.3f}, lat {la:.3f}; "
        f"boundary around lon {c.x:.3f}, lat {c.y:.3f}); {hint}"
    )
    raise CRSError(msg)
