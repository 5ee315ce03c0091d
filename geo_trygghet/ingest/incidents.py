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
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS

from .. import schema
from ..crs import WGS84
from ..errors import DateError, GeoTrygghetError, InputError, SchemaError, one_line
from .boundary import OUTSIDE, _clip, read_boundary  # noqa: F401 - OUTSIDE: a reason rows are left out
from .columns import TYPE_NAMES, Columns
from .crime_types import categorize
from .files import check_path, read_any, read_vector
from .location_quality import CENTROID, LEFT_OUT, PLACE, POINT, SHARED, LocationQuality, classify_positions
from .positions import (
    BAD_POSITION,
    NO_POSITION,
    ZERO_POSITION,
    Positions,
    active_geometry,
    dedupe,
    positions,
)
from .report import AREA_CENTROID, IngestReport
from .timecols import AFTER_UNTIL, BEFORE_SINCE, RESOLUTION_UNKNOWN, times, window

if TYPE_CHECKING:  # the geocoder loads only when addresses are placed
    from .geocode import AddressRegister, GeocodeResult

__all__ = ["IncidentRows", "Incidents", "IngestReport", "incident_rows", "incidents_from_frame", "read_boundary",
           "read_incidents", "read_table"]

F = TypeVar("F", bound=Callable[..., object])

# reasons rows are left out (the keys of IngestReport.dropped)
__all__ += ["AFTER_UNTIL", "AREA_CENTROID", "BAD_POSITION", "BEFORE_SINCE", "NO_POSITION", "RESOLUTION_UNKNOWN",
            "ZERO_POSITION"]
NO_DATE = "no date"
NO_ADDRESS = "address not found"


@dataclass(frozen=True)
class Incidents:
    """Incident points (EPSG:4326, columns of :data:`schema.INCIDENT_COLUMNS`) and the report;
    ``geocode`` is the geocoding of every input row (levels, reasons) when a register placed them."""

    gdf: gpd.GeoDataFrame
    report: IngestReport
    geocode: GeocodeResult | None = None

    def mappable(self, keep_centroids: bool = False) -> gpd.GeoDataFrame:
        """The incidents hot spots, clusters and emerging hot spots use: without area centroids and
        postort-only geocodes unless ``keep_centroids`` (the report's ``location`` says how many)."""
        if keep_centroids or schema.LOCATION_QUALITY not in self.gdf.columns:
            return self.gdf
        return self.gdf.loc[~self.gdf[schema.LOCATION_QUALITY].isin(LEFT_OUT)]


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


@dataclass(frozen=True)
class _Options:
    """The column, filter and location options of one read."""

    lat: str | None = None
    lon: str | None = None
    x: str | None = None
    y: str | None = None
    crs: str | int | CRS | None = None
    time: str | None = None
    date: str | None = None
    clock: str | None = None
    crime_type: str | None = None
    since: str | dt.date | None = None
    until: str | dt.date | None = None
    boundary: str | Path | gpd.GeoDataFrame | None = None
    require_time: bool = True
    crime_type_table: object = None
    address: str | None = None
    register: str | Path | AddressRegister | None = None
    areas: str | Path | gpd.GeoDataFrame | None = None
    drop_centroids: bool = False


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
    address: str | None = None,
    register: str | Path | AddressRegister | None = None,
    areas: str | Path | gpd.GeoDataFrame | None = None,
    drop_centroids: bool = False,
) -> Incidents:
    """Read an incident file (format by extension) into :class:`Incidents`.

    Column options name columns and override detection; ``crs`` declares the
    CRS of ``x``/``y`` (or of a layer without one). ``since``/``until`` keep
    whole days (inclusive). ``boundary`` (a path or GeoDataFrame) drops the
    points outside it. ``require_time=False`` accepts files without dates.

    ``register`` (a file or an :class:`~geo_trygghet.ingest.geocode.AddressRegister`) places
    the incidents by their addresses instead (``address`` names the column, else it is
    recognised); the output then has ``geocode_level``, ``geocode_score`` and
    ``matched_address``. ``areas`` (polygons) adds their central points to the bundled Swedish
    kommuner and län for recognising area centroids; ``drop_centroids`` leaves those rows out
    (as the CLI does unless ``--keep-centroids``), else :meth:`Incidents.mappable` does.
    """
    p = check_path(path)
    df, how = read_any(p, layer=layer, sheet=sheet)
    return incidents_from_frame(
        df, source=p.name, lat=lat, lon=lon, x=x, y=y, crs=crs, time=time, date=date, clock=clock,
        crime_type=crime_type, since=since, until=until, boundary=boundary, require_time=require_time,
        crime_type_table=crime_type_table, address=address, register=register, areas=areas,
        drop_centroids=drop_centroids, _how=how,
    )


@dataclass(frozen=True)
class IncidentRows:
    """The funnel's first half: every input row's position, time and crime type, before the
    ``since``/``until`` window, the boundary and the location-quality steps.

    The engines (:mod:`geo_trygghet.engines`) read a file in parts and take each part this far,
    then apply the window, the boundary and the area-centroid rule to the file as a whole.
    """

    source: str
    pos: Positions
    keep: np.ndarray
    occurred: np.ndarray
    resolution: str
    crime: pd.Series
    rows: np.ndarray
    geo: GeocodeResult | None
    dropped: dict[str, int]
    used: dict[str, str]
    notes: list[str]

    @property
    def rows_read(self) -> int:
        return len(self.rows)


@_one_line_errors
def incident_rows(df: pd.DataFrame, *, source: str = "the table", _how: str = "", **options) -> IncidentRows:
    """Columns, positions, dates and crime types of a table (the options of :func:`read_incidents`
    but ``layer``/``sheet``; ``since``, ``until``, ``boundary`` and ``drop_centroids`` are not applied)."""
    return _rows(df, source, _how, _Options(**options))


def _rows(df: pd.DataFrame, source: str, how: str, opt: _Options) -> IncidentRows:
    if not isinstance(df, pd.DataFrame):
        msg = f"{source}: expected a table (DataFrame), got {type(df).__name__}"
        raise InputError(msg)
    notes: list[str] = [how] if how and how != "read as UTF-8 text, comma-separated" else []
    df, names, geometry = _prepared(df, source)
    cols = Columns(names)
    n = len(df)
    rows = np.arange(1, n + 1, dtype=np.int64)
    used: dict[str, str] = {}
    dropped: dict[str, int] = {}

    pos, geo = _locate(df, cols, geometry, source, rows, opt, notes, used)
    keep = pos.usable.copy()
    for reason, mask in pos.dropped.items():
        if mask.any():
            dropped[reason] = int(mask.sum())
    occurred, resolution = times(df, cols, source, rows, time=opt.time, date=opt.date, clock=opt.clock,
                                 require_time=opt.require_time, notes=notes, used=used)
    if opt.require_time:
        keep = _with_dates(keep, occurred, used, source, dropped)
    crime = _crime_types(df, cols, source, opt.crime_type, used, notes, n)
    return IncidentRows(source=source, pos=pos, keep=keep, occurred=occurred, resolution=resolution, crime=crime,
                        rows=rows, geo=geo, dropped=dropped, used=used, notes=notes)


@_one_line_errors
def incidents_from_frame(df: pd.DataFrame, *, source: str = "the table", _how: str = "", **options) -> Incidents:
    """The funnel every reader ends in: a (Geo)DataFrame → :class:`Incidents`.

    Takes the keyword options of :func:`read_incidents` (but ``layer`` and ``sheet``). A
    GeoDataFrame's point geometry is used when no coordinate columns are found.
    """
    opt = _Options(**options)
    r = _rows(df, source, _how, opt)
    pos, geo, dropped, notes, used = r.pos, r.geo, r.dropped, r.notes, r.used
    keep = r.keep
    if opt.since is not None or opt.until is not None:
        keep = window(r.occurred, keep, opt.since, opt.until, r.resolution, source, dropped)
    if opt.boundary is not None:
        keep = _clip(pos, keep, opt.boundary, source, dropped)
    quality, location = _location(pos, keep, geo, opt, dropped)
    if opt.drop_centroids and location.left_out:
        left = keep & np.isin(quality, LEFT_OUT)
        dropped[AREA_CENTROID] = int(left.sum())
        keep &= ~left
    idx = np.flatnonzero(keep)
    gdf, unmapped = _frame(idx, r.occurred, r.resolution, r.crime, pos, r.rows, quality, geo, used, notes, opt)
    report = IngestReport(source=source, rows_read=r.rows_read, rows_used=len(idx), dropped=dropped, columns=used,
                          crs=pos.crs, time_resolution=r.resolution, unmapped_types=unmapped, notes=notes,
                          location=location, geocoded=geo.counts() if geo is not None else {})
    return Incidents(gdf=gdf, report=report, geocode=geo)


def _prepared(df: pd.DataFrame, source: str) -> tuple[pd.DataFrame, list[str], gpd.GeoSeries | None]:
    geometry = active_geometry(df)
    names = [str(c) for c in df.columns if geometry is None or c != geometry.name]
    if df.columns.has_duplicates or any(not isinstance(c, str) for c in df.columns):
        df = df.copy()
        df.columns = dedupe([str(c) for c in df.columns])
        names = [c for c in df.columns if geometry is None or c != geometry.name]
    if len(df) == 0:
        what = "only a header" if len(names) else "no columns"
        msg = f"{source} has no data rows ({what}); give a file with at least one incident"
        raise InputError(msg)
    return df, names, geometry


def _locate(df, cols: Columns, geometry, source: str, rows: np.ndarray, opt: _Options, notes: list[str],
            used: dict[str, str]) -> tuple[Positions, GeocodeResult | None]:
    """Positions from coordinates, or from addresses when a register is given."""
    if opt.register is None:
        if opt.address is not None:
            msg = (f"{source}: --address '{opt.address}' needs an address register to place the addresses: "
                   "give --register FILE (Lantmäteriet's belägenhetsadress GeoPackage or a CSV)")
            raise SchemaError(msg)
        try:
            return positions(df, cols, geometry, source, rows, lat=opt.lat, lon=opt.lon, x=opt.x, y=opt.y,
                             crs=opt.crs, notes=notes, used=used), None
        except SchemaError as err:
            raise _with_address_hint(err, df, source) from None
    from .geocode import AddressRegister, geocode_frame, read_register

    reg = opt.register if isinstance(opt.register, AddressRegister) else read_register(opt.register)
    geo = geocode_frame(df, reg, address=opt.address, source=source)
    used.update({"address" if k == "address" else k: v for k, v in geo.columns.items()})
    placed = geo.placed
    if not placed.any():
        msg = (f"{source}: no address in column '{next(iter(geo.columns.values()))}' was found in the register "
               f"{reg.source} (e.g. {geo.unmatched(1)[0]}); check the column and that the register covers the area")
        raise InputError(msg)
    if (~placed).any():
        examples = "; ".join(geo.unmatched(3))
        notes.append(f"{int((~placed).sum()):,} addresses not found in {reg.source}, e.g. {examples}")
    pos = Positions(lon=np.where(placed, geo.lon, np.nan), lat=np.where(placed, geo.lat, np.nan), usable=placed,
                    dropped={NO_ADDRESS: ~placed}, crs=f"{WGS84} (geocoded against {reg.source})", guessed=False)
    return pos, geo


def _with_address_hint(err: SchemaError, df: pd.DataFrame, source: str) -> SchemaError:
    """A missing-coordinates error that names the address column a register could place."""
    text = str(err)
    if not text.startswith(f"{source}: no coordinate columns found"):
        return err
    try:
        from .geocode import find_address_columns

        col = find_address_columns(df, source=source)
    except SchemaError:
        return err
    name = col.address or col.street
    return SchemaError(f"{text}; or place the addresses in column '{name}' with --address '{name}' --register FILE")


def _with_dates(keep, occurred, used, source, dropped):
    no_date = keep & np.isnat(occurred)
    if no_date.any():
        dropped[NO_DATE] = int(no_date.sum())
        keep = keep & ~no_date
        if not keep.any():
            col = used.get("time") or used.get("date") or "the time column"
            msg = f"{source}: no row has both a position and a date in column '{col}'; fill in the dates"
            raise DateError(msg)
    return keep


def _location(pos: Positions, keep, geo, opt: _Options, dropped) -> tuple[np.ndarray, LocationQuality]:
    areas = _read_areas(opt.areas) if opt.areas is not None else None
    quality, stacked = classify_positions(pos.lon, pos.lat, areas=areas,
                                          coarse=geo.coarse if geo is not None else None)
    kept = quality[keep]
    withheld = dropped.get(NO_POSITION, 0) + dropped.get(ZERO_POSITION, 0)
    shown = tuple(s for s in stacked)
    location = LocationQuality(
        points=int((kept == POINT).sum()), shared=int((kept == SHARED).sum()), centroids=int((kept == CENTROID).sum()),
        places=int((kept == PLACE).sum()), withheld=withheld, stacked=shown,
        shared_positions=_shared_positions(pos, keep, quality),
    )
    return quality, location


def _read_areas(areas: str | Path | gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A file's own area polygons with their attributes (names), checked as a boundary is."""
    if isinstance(areas, gpd.GeoDataFrame):
        raw = areas
    else:
        p = check_path(areas, "areas file")
        raw, _ = read_vector(p, None, f"areas {p.name}")
    read_boundary(raw)  # the one-line errors of a boundary: no polygons, no CRS, metres as degrees
    return raw.loc[raw.geometry.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy()]


def _shared_positions(pos: Positions, keep, quality) -> int:
    mask = keep & (quality == SHARED)
    if not mask.any():
        return 0
    return len(np.unique(np.round(pos.lon[mask], 6) * 1e7 + np.round(pos.lat[mask], 6)))


def _frame(idx, occurred, resolution, crime, pos, rows, quality, geo, used, notes, opt):
    crime = crime.iloc[idx].reset_index(drop=True)
    if schema.CRIME_TYPE in used:
        category, unmapped = categorize(crime, opt.crime_type_table)
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
            schema.LOCATION_QUALITY: pd.Series(quality[idx], dtype="str"),
        }
    )
    if geo is not None:
        out[schema.GEOCODE_LEVEL] = pd.Series(geo.level[idx], dtype="str")
        out[schema.GEOCODE_SCORE] = geo.score[idx]
        out[schema.MATCHED_ADDRESS] = pd.Series(geo.matched[idx], dtype="str")
    gdf = gpd.GeoDataFrame(out, geometry=gpd.points_from_xy(lon_out, lat_out), crs=WGS84)
    return gdf, unmapped


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


# --------------------------------------------------------------------------- crime types


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
