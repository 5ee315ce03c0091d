"""Study-area boundaries: :func:`read_boundary` (polygons in EPSG:4326 with one-line errors) and
the clip of incident positions to a boundary that the ingest applies (``boundary=``)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS

from ..crs import WGS84
from ..errors import CRSError, InputError
from .files import check_path, read_parquet, read_vector, unsupported
from .positions import Positions, active_geometry

OUTSIDE = "outside boundary"


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
    given = path_or_gdf.attrs.get("label", label) if isinstance(path_or_gdf, gpd.GeoDataFrame) else label
    out.attrs["label"] = label if label != "the boundary" else given
    return out


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
