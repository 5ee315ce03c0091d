"""The areas of a follow-up: target, controls and buffer as WGS84 geometries, and the points in them.

An area can be given as a shapely geometry (WGS84 lon/lat), a (Geo)DataFrame
or GeoSeries in any CRS, a file (GeoJSON, GeoPackage, Shapefile), or a list of
H3 cell ids; :func:`as_area` turns any of them into one valid WGS84 geometry.
:func:`circle_area` draws a circle in metres around a point (a fixed remark,
a clicked point).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TypeAlias

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from .. import schema
from ..crs import WGS84, metric_crs_for, to_wgs84
from ..errors import InputError
from ._errors import FollowupInputError

AreaLike: TypeAlias = BaseGeometry | gpd.GeoDataFrame | gpd.GeoSeries | str | Path | Sequence[str]


def read_area(path: str | Path, *, radius_m: float | None = None) -> BaseGeometry:
    """Read a GeoJSON / GeoPackage / Shapefile of polygons as one WGS84 polygon.

    Several features are unioned into one (multi)polygon. A file without a
    CRS is read as WGS84 only when it is GeoJSON (which is WGS84 by definition).
    With ``radius_m``, point features become circles of that radius.
    """
    p = Path(path)
    if not p.exists():
        msg = f"{p}: no such file; give the path of a GeoJSON or GeoPackage with the area's polygon"
        raise InputError(msg)
    try:
        gdf = gpd.read_file(p)
    except Exception as exc:  # noqa: BLE001 - pyogrio / fiona raise many kinds
        msg = f"{p}: cannot be read as a map layer ({' '.join(str(exc).split())[:120]}); give a GeoJSON or GeoPackage"
        raise InputError(msg) from None
    if gdf.crs is None:
        if p.suffix.lower() in {".geojson", ".json"}:
            gdf = gdf.set_crs(WGS84)
        else:
            msg = f"{p}: the layer has no coordinate system; save it with one (e.g. EPSG:3006) or as GeoJSON"
            raise InputError(msg)
    if radius_m is not None:
        gdf = to_wgs84(gdf, str(p))
        points = gdf.geom_type == "Point"
        if points.any():
            circles = [circle_area(g.x, g.y, radius_m) for g in gdf.geometry[points]]
            gdf = gpd.GeoDataFrame(geometry=[*gdf.geometry[~points], *circles], crs=WGS84)
    return area_from_frame(gdf, what=str(p))


def area_from_frame(gdf: gpd.GeoDataFrame | gpd.GeoSeries, *, what: str = "the area") -> BaseGeometry:
    """Union the polygons of a (Geo)DataFrame/GeoSeries into one WGS84 geometry."""
    if isinstance(gdf, gpd.GeoSeries):
        gdf = gpd.GeoDataFrame(geometry=gdf)
    gdf = to_wgs84(gdf, what)
    geoms = gdf.geometry[~(gdf.geometry.isna() | gdf.geometry.is_empty)]
    if len(geoms) == 0:
        msg = f"{what}: has no geometry; draw or export the area as a polygon"
        raise FollowupInputError(msg, code="empty_area")
    kinds = set(geoms.geom_type)
    if not kinds <= {"Polygon", "MultiPolygon"}:
        msg = (
            f"{what}: has {', '.join(sorted(kinds - {'Polygon', 'MultiPolygon'}))} geometry, "
            "not polygons; give the area as a polygon (or points with --radius METRES)"
        )
        raise InputError(msg)
    geom = geoms.iloc[0] if len(geoms) == 1 else shapely.union_all(geoms.to_numpy())
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    return geom


def area_from_h3(cells: Iterable[str]) -> BaseGeometry:
    """The union of a set of H3 cells (h3 v4 string ids) as a WGS84 polygon."""
    import h3

    ids = [str(c) for c in cells]
    if not ids:
        msg = "no H3 cells given for the area; pick at least one cell"
        raise FollowupInputError(msg, code="empty_area")
    bad = [c for c in ids if not h3.is_valid_cell(c)]
    if bad:
        msg = f"not H3 cell ids: {', '.join(bad[:5])}; give cells such as 891f1d48177ffff"
        raise InputError(msg)
    return shapely.geometry.shape(h3.cells_to_geo(ids))


def circle_area(lon: float, lat: float, radius_m: float) -> BaseGeometry:
    """A circle of ``radius_m`` metres around (lon, lat), as a WGS84 polygon.

    The buffer is drawn in the metric CRS of the point (SWEREF 99 TM in Sweden,
    else the UTM zone) with 64 segments per quarter circle.

    Examples
    --------
    >>> c = circle_area(13.0, 55.6, 150)
    >>> round(c.centroid.x, 4), round(c.centroid.y, 4)
    (13.0, 55.6)
    """
    if not (math.isfinite(radius_m) and radius_m > 0):
        msg = f"radius {radius_m} m: give a positive radius in metres, e.g. 150"
        raise InputError(msg)
    crs = metric_crs_for(np.array([lon]), np.array([lat]))
    pt = gpd.GeoSeries(gpd.points_from_xy([lon], [lat]), crs=WGS84).to_crs(crs)
    return pt.buffer(radius_m, quad_segs=64).to_crs(WGS84).iloc[0]


def as_area(area: AreaLike, *, what: str = "the area") -> BaseGeometry:
    """Turn a geometry, (Geo)DataFrame, file path or list of H3 cells into a WGS84 geometry.

    A bare shapely geometry is taken to be in WGS84 (lon/lat).
    """
    if isinstance(area, BaseGeometry):
        if area.is_empty:
            msg = f"{what} is empty; draw or give a polygon"
            raise FollowupInputError(msg, code="empty_area")
        return area if area.is_valid else shapely.make_valid(area)
    if isinstance(area, (gpd.GeoDataFrame, gpd.GeoSeries)):
        return area_from_frame(area, what=what)
    if isinstance(area, (str, Path)):
        return read_area(area)
    return area_from_h3(area)


def overlaps(a: BaseGeometry, b: BaseGeometry, reference_area: float) -> bool:
    """Whether ``a`` and ``b`` share more than a sliver (a billionth of ``reference_area``)."""
    return bool(a.intersection(b).area > 1e-9 * max(reference_area, 1e-12))


def incident_xy(incidents: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 lon and lat of each incident (NaN where it has no position)."""
    if isinstance(incidents, gpd.GeoDataFrame) and incidents.geometry.name in incidents:
        gdf = to_wgs84(incidents, "the incidents")
        geom = gdf.geometry
        ok = ~(geom.isna() | geom.is_empty)
        x = np.full(len(gdf), np.nan)
        y = np.full(len(gdf), np.nan)
        x[ok.to_numpy()] = geom[ok].x.to_numpy()
        y[ok.to_numpy()] = geom[ok].y.to_numpy()
        return x, y
    if schema.LON in incidents and schema.LAT in incidents:
        return incidents[schema.LON].to_numpy(float), incidents[schema.LAT].to_numpy(float)
    msg = (
        f"the incidents have neither a point geometry nor '{schema.LON}'/'{schema.LAT}' columns; "
        "read them with geo_trygghet.ingest"
    )
    raise InputError(msg)


def points_in(geom: BaseGeometry, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Boolean mask of the points strictly inside ``geom`` (same as GeoPandas ``within``).

    Examples
    --------
    >>> from shapely.geometry import box
    >>> points_in(box(0, 0, 1, 1), np.array([0.5, 2.0, np.nan]), np.array([0.5, 0.5, 0.5])).tolist()
    [True, False, False]
    """
    if len(x) == 0:
        return np.zeros(0, dtype=bool)
    shapely.prepare(geom)
    ok = np.isfinite(x) & np.isfinite(y)
    out = np.zeros(len(x), dtype=bool)
    out[ok] = shapely.contains_xy(geom, x[ok], y[ok])
    return out


__all__ = [
    "AreaLike",
    "area_from_frame",
    "area_from_h3",
    "as_area",
    "circle_area",
    "incident_xy",
    "overlaps",
    "points_in",
    "read_area",
]
