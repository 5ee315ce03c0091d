"""Positions for ingest: coordinate columns or point geometry → WGS84 lon/lat.

Finds the coordinate columns, reads numbers (decimal commas too), leaves out
rows without a position or at 0/0, tells degrees from metres, detects the
Swedish x = north convention, guesses SWEREF 99 TM / RT90 when no CRS is given,
and rejects swapped, metre-as-degree and out-of-range coordinates with one line.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from ..crs import SWEDISH_PROJECTED, WGS84, parse_crs
from ..errors import CRSError, SchemaError, one_line
from .columns import POINT_NAMES, find_lat_lon, find_x_y

# reasons rows are left out (keys of IngestReport.dropped)
NO_POSITION = "no position"
ZERO_POSITION = "position 0/0"
BAD_POSITION = "position not a number"



@dataclass
class Positions:
    lon: np.ndarray
    lat: np.ndarray
    usable: np.ndarray
    dropped: dict[str, np.ndarray]
    crs: str
    guessed: bool


def active_geometry(df: pd.DataFrame) -> gpd.GeoSeries | None:
    if isinstance(df, gpd.GeoDataFrame):
        try:
            return df.geometry
        except AttributeError:
            return None
    return None


def dedupe(names: list[str]) -> list[str]:
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
        msg = (f"{source}, column '{column}' holds dates, not coordinates; "
               "name the coordinate columns with --lat/--lon or --x/--y")
        raise SchemaError(msg)
    text = s.astype("str").str.strip()
    text = text.where(text != "")
    cleaned = text.str.replace(",", ".", regex=False)
    spaced = cleaned.str.contains(" ", regex=False) | cleaned.str.contains("\u00a0", regex=False)
    if spaced.fillna(False).any():  # thousands separators: "6 580 000"
        cleaned = cleaned.str.replace(r"[\s\u00a0\u202f']", "", regex=True)
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


def positions(df, cols, geometry, source, rows, *, lat, lon, x, y, crs, notes, used) -> Positions:
    """Find the coordinate columns (or the geometry), read them and convert them to WGS84."""
    crs_obj = parse_crs(crs) if crs is not None else None
    mode, pair = _mode(df, cols, geometry, source, lat=lat, lon=lon, x=x, y=y, crs_obj=crs_obj)
    first, second, invalid, labels, crs_obj = _coordinates(df, mode, pair, geometry, crs_obj, source, notes, used)
    if mode == "combined":
        mode = "latlon"
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
    a, b, src, guessed = _source_crs(first[u], second[u], mode, crs_obj, labels, source, rows[u], notes)
    lon_all = np.full(len(df), np.nan)
    lat_all = np.full(len(df), np.nan)
    lon_all[u], lat_all[u] = _to_wgs84(a, b, src, labels, source, rows[u], guessed)
    return Positions(lon=lon_all, lat=lat_all, usable=usable, dropped=dropped, crs=_epsg(src) or src.to_string(),
                     guessed=guessed)


def _given_pair(cols, source: str, a: str | None, b: str | None, flags: tuple[str, str]) -> tuple[str, str]:
    if a is None or b is None:
        msg = f"{source}: give both {flags[0]} and {flags[1]} (got only {flags[0] if a else flags[1]})"
        raise SchemaError(msg)
    return cols.given(a, flags[0], source), cols.given(b, flags[1], source)


def _mode(df, cols, geometry, source, *, lat, lon, x, y, crs_obj) -> tuple[str, tuple[str, str] | None]:
    """How the positions are given: latlon, xy, combined ("lat,lon" in one column) or geometry."""
    if lat is not None or lon is not None:
        return "latlon", _given_pair(cols, source, lat, lon, ("--lat", "--lon"))
    if x is not None or y is not None:
        return "xy", _given_pair(cols, source, x, y, ("--x", "--y"))
    lat_c, lon_c = find_lat_lon(cols)
    x_c, y_c = find_x_y(cols, exclude=[c for c in (lat_c, lon_c) if c])
    projected_flag = crs_obj is not None and not crs_obj.is_geographic
    if lat_c and lon_c and not (projected_flag and x_c and y_c):
        return "latlon", (lat_c, lon_c)
    if x_c and y_c:
        return "xy", (x_c, y_c)
    if geometry is not None and len(geometry) and geometry.notna().any():
        return "geometry", None
    pt_c = cols.exact(POINT_NAMES)
    if pt_c is not None and _is_point_text(df[pt_c]):
        return "combined", (pt_c, pt_c)
    for have, pair_flag in ((lat_c, "--lon"), (lon_c, "--lat"), (x_c, "--y"), (y_c, "--x")):
        if have:
            msg = f"{source}: found coordinate column '{have}' but not its pair; name it with {pair_flag}"
            raise SchemaError(msg)
    msg = (
        f"{source}: no coordinate columns found among [{cols.listing()}]; name them with "
        "--lat/--lon (WGS84) or --x/--y and --crs (e.g. EPSG:3006)"
    )
    raise SchemaError(msg)


def _coordinates(df, mode, pair, geometry, crs_obj, source, notes, used):
    """(first, second, invalid, labels, crs): x-like and y-like floats of every row."""
    rows = np.arange(1, len(df) + 1, dtype=np.int64)
    if mode in ("latlon", "xy"):
        c1, c2 = pair
        v1, bad1 = _numbers(df[c1], c1, source, rows)
        v2, bad2 = _numbers(df[c2], c2, source, rows)
        if mode == "latlon":
            used["lat"], used["lon"] = c1, c2
            return v2, v1, bad1 | bad2, (c2, c1), crs_obj
        used["x"], used["y"] = c1, c2
        return v1, v2, bad1 | bad2, (c1, c2), crs_obj
    if mode == "combined":
        pt_c = pair[0]
        lat_v, lon_v, invalid = _split_point_text(df[pt_c])
        ok = ~np.isnan(lat_v) & ~np.isnan(lon_v)
        if ok.any():
            mlat, mlon = float(np.median(lat_v[ok])), float(np.median(lon_v[ok]))
            if (10 <= mlat <= 25 and 54 <= mlon <= 70) or (abs(mlat) > 90 >= abs(mlon)):
                lat_v, lon_v = lon_v, lat_v
                notes.append(f"column '{pt_c}' holds 'longitude,latitude'; read it that way")
        used["position"] = pt_c
        return lon_v, lat_v, invalid, (f"{pt_c} (longitude)", f"{pt_c} (latitude)"), crs_obj
    first, second = _geometry_xy(geometry, source)
    used["geometry"] = str(geometry.name)
    file_crs = CRS.from_user_input(geometry.crs) if geometry.crs is not None else None
    if crs_obj is not None and file_crs is not None and not crs_obj.equals(file_crs):
        notes.append(f"the file says {_crs_name(file_crs)}; read as {_crs_name(crs_obj)} as asked")
    invalid = np.zeros(len(df), dtype=bool)
    return first, second, invalid, ("geometry x", "geometry y"), crs_obj if crs_obj is not None else file_crs


def _source_crs(a, b, mode, crs_obj, labels, source, rows, notes):
    """The usable coordinates (swapped where detected) and their CRS, declared or guessed."""
    if mode == "latlon" and (crs_obj is None or crs_obj.is_geographic):
        a, b = _check_degrees(a, b, labels, source, rows, mode)
        return a, b, crs_obj or CRS.from_user_input(WGS84), False
    if mode == "geometry" and crs_obj is not None and crs_obj.is_geographic:
        a, b = _check_degrees(a, b, labels, source, rows, mode)
        return a, b, crs_obj, False
    # x/y (or geometry) in a projected CRS, declared or guessed
    swedish = crs_obj is None or _epsg(crs_obj) in SWEDISH_PROJECTED
    mx, my = float(np.median(a)), float(np.median(b))
    if swedish and _is_northing(mx) and 0 < my < 2.0e6 and not _is_northing(my):
        a, b, mx, my = b, a, my, mx
        notes.append(f"column '{labels[0]}' holds northings and '{labels[1]}' eastings (the Swedish x = north "
                     "convention); read them that way")
        labels = (labels[1], labels[0])
    if crs_obj is not None:
        if not crs_obj.is_geographic and np.all(np.abs(a) <= 180) and np.all(np.abs(b) <= 90):
            msg = (
                f"{source}: {_pair(labels)} hold values like {a[0]:.5g}, {b[0]:.5g}, which look like "
                f"degrees, not metres of {_epsg(crs_obj) or crs_obj.name}; use --lat/--lon (WGS84) or check --crs"
            )
            raise CRSError(msg)
        if crs_obj.is_geographic:
            a, b = _check_degrees(a, b, labels, source, rows, mode)
        return a, b, crs_obj, False
    if abs(mx) <= 180 and abs(my) <= 180:
        if 54 <= mx <= 70 and 10 <= my <= 25:  # x = north in degrees
            a, b = b, a
            notes.append(f"column '{labels[0]}' holds latitudes and '{labels[1]}' longitudes; read them that way")
            labels = (labels[1], labels[0])
        a, b = _check_degrees(a, b, labels, source, rows, mode)
        notes.append(f"coordinates in {_pair(labels)} look like degrees: read as WGS84 (EPSG:4326); "
                     "pass --crs to override")
        return a, b, CRS.from_user_input(WGS84), False
    src = _guess_metric(mx, my, labels, source)
    notes.append(f"coordinates look like {_crs_name(src)} ({_epsg(src)}); pass --crs to override")
    return a, b, src, True


def _to_wgs84(a, b, src: CRS, labels, source, rows, guessed: bool) -> tuple[np.ndarray, np.ndarray]:
    if src.equals(CRS.from_user_input(WGS84)):
        return a, b
    lo, la = _transformer(src.to_wkt()).transform(a, b)
    lo, la = np.asarray(lo, dtype="float64"), np.asarray(la, dtype="float64")
    bad = ~np.isfinite(lo) | ~np.isfinite(la) | (np.abs(la) > 90) | (np.abs(lo) > 180)
    if bad.any():
        i = np.flatnonzero(bad)[:5]
        ex = ", ".join(f"row {int(rows[j])} ({a[j]:.6g}, {b[j]:.6g})" for j in i)
        msg = (
            f"{source}: {int(bad.sum())} rows cannot be converted from {_epsg(src) or src.name} "
            f"to WGS84, e.g. {ex}; check --crs and the coordinate columns"
        )
        raise CRSError(msg)
    _check_area(lo, la, src, source, labels, guessed)
    return lo, la


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
    # (a median of 25 or less needs half the latitudes at 25 or less: most files are spared the sort)
    if mode == "latlon" and 2 * int(np.count_nonzero(lat <= 25)) >= len(lat):
        mlat, mlon = float(np.median(lat)), float(np.median(lon))
    else:
        mlat = mlon = float("nan")
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
