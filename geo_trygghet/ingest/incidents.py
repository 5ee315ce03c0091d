"""Read incident files into one canonical GeoDataFrame of points.

Every reader ends in :func:`incidents_from_frame`, the funnel that finds the
columns (Swedish and English names, see :mod:`geo_trygghet._ingest_columns`),
reads positions in any supported CRS, parses dates, maps crime types to the Brå
categories, applies ``since``/``until``/``boundary`` and returns
:class:`Incidents`: the points in EPSG:4326 plus an :class:`IngestReport` that
says what was read, what was left out and why, and what was guessed.

Formats (by extension): ``.csv``/``.txt``/``.tsv`` (delimiter , ; tab or |,
sniffed; UTF-8 with or without BOM, UTF-16, Windows-1252; decimal commas),
``.xlsx`` (title rows above the header are skipped), ``.gpkg``, ``.shp``,
``.geojson``/``.json`` (also a JSON list of records such as the police's event
feed, whose ``location.gps`` holds "lat,lon"), ``.parquet`` (plain or GeoParquet).

Row numbers in messages and in ``source_row`` count data rows from 1 (the
header is not a row).

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
from pathlib import Path
from typing import TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from .. import schema
from ..crs import WGS84
from ..errors import CRSError, DateError, GeoTrygghetError, InputError, SchemaError, one_line
from .columns import CLOCK_NAMES, DATE_NAMES, DATETIME_NAMES, MONTH_NAMES, TYPE_NAMES, Columns, norm
from .crime_types import categorize
from .dates import looks_like_clock, parse_bound, parse_clock, parse_dates
from .files import check_path, read_any, read_parquet, read_vector, unsupported
from .positions import (
    BAD_POSITION,
    NO_POSITION,
    ZERO_POSITION,
    Positions,
    active_geometry,
    dedupe,
    positions,
)

__all__ = ["Incidents", "IngestReport", "incidents_from_frame", "read_boundary", "read_incidents", "read_table"]

RESOLUTION_UNKNOWN = "unknown"
F = TypeVar("F", bound=Callable[..., object])

# reasons rows are left out (the keys of IngestReport.dropped)
__all__ += ["BAD_POSITION", "NO_POSITION", "ZERO_POSITION"]
NO_DATE = "no date"
BEFORE_SINCE = "before --since"
AFTER_UNTIL = "after --until"
OUTSIDE = "outside boundary"


@dataclass(frozen=True)
class IngestReport:
    """What :func:`read_incidents` read, left out and guessed.

    Attributes
    ----------
    source
        The file name (or "the table").
    rows_read, rows_used
        Data rows in the input, and rows in the result.
    dropped
        Reason → rows left out: "no position", "position 0/0", "position not a
        number", "no date", "before --since", "after --until", "outside boundary".
    columns
        Role → input column used: lat, lon, x, y, position (one "lat,lon" column),
        geometry, time (a date-time or month column), date, clock, crime_type.
    crs
        CRS of the input coordinates, e.g. "EPSG:3006".
    time_resolution
        "minute", "day", "month", or "unknown" (no time column, ``require_time=False``).
    unmapped_types
        Raw crime types (of the rows used) without a Brå category → rows.
    notes
        What was guessed or noticed, one sentence each.
    """

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
                "(add them to geo_trygghet/ingest/data/crime_types.csv)"
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
    geometry = active_geometry(df)
    names = [str(c) for c in df.columns if geometry is None or c != geometry.name]
    if df.columns.has_duplicates or any(not isinstance(c, str) for c in df.columns):
        df = df.copy()
        df.columns = dedupe([str(c) for c in df.columns])
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
    pos = positions(df, cols, geometry, source, rows, lat=lat, lon=lon, x=x, y=y, crs=crs, notes=notes, used=used)
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

    # ---- crime type (categorised below, on the rows kept)
    crime = _crime_types(df, cols, source, crime_type, used, notes, n)

    # ---- since / until
    if since is not None or until is not None:
        keep = _window(occurred, keep, since, until, resolution, source, dropped)

    # ---- boundary
    if boundary is not None:
        keep = _clip(pos, keep, boundary, source, dropped)

    idx = np.flatnonzero(keep)
    crime = crime.iloc[idx].reset_index(drop=True)
    if schema.CRIME_TYPE in used:
        category, unmapped = categorize(crime, crime_type_table)
        missing = int(crime.isna().sum())
        if missing:
            notes.append(f"{missing} rows have no crime type in column '{used[schema.CRIME_TYPE]}'")
    else:
        category, unmapped = crime.copy(), {}
    lon_out = pos.lon[idx]
    lat_out = pos.lat[idx]
    out = pd.DataFrame(
        {
            schema.OCCURRED_AT: pd.Series(occurred[idx], dtype="datetime64[ns]"),
            schema.TIME_RESOLUTION: pd.Series(np.full(len(idx), resolution, dtype=object), dtype="str"),
            schema.CRIME_TYPE: crime,
            schema.CATEGORY: category.reset_index(drop=True),
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
@_one_line_errors
def read_table(path: str | Path, *, sheet: str | int | None = None) -> pd.DataFrame:
    """A plain table (CSV in any delimiter and encoding, Excel .xlsx, Parquet), e.g. the
    population per area from SCB or a council's own spreadsheet; geometry, if any, is dropped."""
    p = check_path(path, "table")
    df, _how = read_any(p, sheet=sheet)
    if "geometry" in df.columns:
        df = pd.DataFrame(df.drop(columns="geometry"))
    if df.empty:
        msg = f"{p.name}: the table has no rows"
        raise InputError(msg)
    return df


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
        if not isinstance(gdf, gpd.GeoDataFrame) or active_geometry(gdf) is None:
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


# --------------------------------------------------------------------------- time


def _is_month_name(name: str) -> bool:
    k = norm(name)
    return k in MONTH_NAMES or k.split("_")[0] in ("month", "manad")


def _times(df, cols, source, rows, *, time, date, clock, require_time, notes, used):
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


def _crime_types(df, cols, source, crime_type, used, notes, n) -> pd.Series:
    """The raw crime-type text (stripped, missing for empty cells), all rows."""
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
        return pd.Series(np.full(n, np.nan, dtype=object), dtype="str")
    used[schema.CRIME_TYPE] = col
    s = df[col].reset_index(drop=True)
    if pd.api.types.is_float_dtype(s.dtype):
        v = s.to_numpy(dtype="float64", na_value=np.nan)
        if np.all(np.isnan(v) | (np.floor(v) == v)):
            s = s.astype("Int64")  # brottskod 393.0 → 393
    if s.dtype == object:
        codes, uniques = pd.factorize(s, use_na_sentinel=True)
        texts = np.array([str(v) for v in uniques] + [None], dtype=object)
        s = pd.Series(texts[codes])
    text = s.astype("str").str.strip()
    return text.where(text != "")


def _clip(pos: Positions, keep, boundary, source, dropped):
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
