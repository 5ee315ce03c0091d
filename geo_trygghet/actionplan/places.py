"""Places of problems and actions: GeoJSON text in WGS84, made from a drawn polygon, a hot-spot
area or chosen H3 cells; the displacement buffer around a place; the chosen control areas."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import geopandas as gpd
import numpy as np
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

from ..crs import WGS84, metric_crs_for
from ..errors import InputError

__all__ = ["area_text", "buffer_ring", "cells_area", "control_areas", "controls_text", "geometry", "hectares"]


def geometry(area: Any, what: str = "the place") -> BaseGeometry | None:
    """A shapely geometry from GeoJSON text or dict (geometry, Feature or FeatureCollection),
    a GeoDataFrame/GeoSeries or a shapely geometry; None stays None."""
    if area is None or (isinstance(area, str) and not area.strip()):
        return None
    if isinstance(area, BaseGeometry):
        return area
    if isinstance(area, gpd.GeoDataFrame | gpd.GeoSeries):
        frame = area.to_crs(WGS84) if area.crs is not None else area
        return unary_union(list(frame.geometry if isinstance(frame, gpd.GeoDataFrame) else frame))
    try:
        data = json.loads(area) if isinstance(area, str) else dict(area)
        if data.get("type") == "FeatureCollection":
            return unary_union([shape(f["geometry"]) for f in data["features"]])
        if data.get("type") == "Feature":
            data = data["geometry"]
        return shape(data)
    except (ValueError, TypeError, KeyError, AttributeError):
        msg = f"{what} is not a GeoJSON geometry: give a Polygon or MultiPolygon in WGS84 (lon, lat)"
        raise InputError(msg) from None


def area_text(area: Any, what: str = "the place") -> str | None:
    """A place as GeoJSON geometry text (WGS84); None for no place. Refuses an empty or
    non-polygon geometry and coordinates that are not degrees."""
    geom = geometry(area, what)
    if geom is None:
        return None
    if geom.is_empty:
        msg = f"{what} is empty: draw or upload a polygon"
        raise InputError(msg)
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        msg = f"{what} is a {geom.geom_type}: give an area (Polygon or MultiPolygon)"
        raise InputError(msg)
    minx, miny, maxx, maxy = geom.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        msg = f"{what} is not in WGS84 degrees: reproject it to EPSG:4326 (lon, lat) first"
        raise InputError(msg)
    return json.dumps(mapping(geom))


def cells_area(cells: Iterable[str]) -> tuple[str, tuple[str, ...]]:
    """The union of H3 cells as GeoJSON text, and the cells (sorted, unique)."""
    import h3

    from ..hotspots import grid

    chosen = tuple(sorted({str(c).strip() for c in cells if str(c).strip()}))
    if not chosen:
        msg = "no cells chosen: pick at least one H3 cell"
        raise InputError(msg)
    bad = [c for c in chosen if not h3.is_valid_cell(c)]
    if bad:
        msg = f"'{bad[0]}' is not an H3 cell id: choose cells on the map"
        raise InputError(msg)
    polygons = grid.cell_polygons(np.array(chosen, dtype=object))
    return json.dumps(mapping(unary_union(list(polygons)))), chosen


def _metric(geom: BaseGeometry) -> Any:
    c = geom.representative_point()
    return metric_crs_for(np.array([c.x]), np.array([c.y]))


def buffer_ring(geom: BaseGeometry, metres: float) -> BaseGeometry:
    """The ring ``metres`` wide around ``geom`` (the place itself cut out), in WGS84."""
    if not metres > 0:
        msg = f"buffer {metres} m: give a positive width in metres, e.g. 150"
        raise InputError(msg)
    crs = _metric(geom)
    metric = gpd.GeoSeries([geom], crs=WGS84).to_crs(crs).iloc[0]
    ring = metric.buffer(metres, quad_segs=8).difference(metric)
    return gpd.GeoSeries([ring], crs=crs).to_crs(WGS84).iloc[0]


def hectares(geom: BaseGeometry) -> float:
    """The area of ``geom`` (WGS84) in hectares."""
    return float(gpd.GeoSeries([geom], crs=WGS84).to_crs(_metric(geom)).area.iloc[0] / 10_000)


def controls_text(areas: Any, what: str = "the control areas") -> str | None:
    """Chosen control areas as a GeoJSON FeatureCollection text (one feature per area, with
    its ``name``); from a GeoDataFrame, a FeatureCollection, or a list of geometries."""
    if areas is None or (isinstance(areas, str) and not areas.strip()):
        return None
    features: list[dict[str, Any]] = []
    if isinstance(areas, gpd.GeoDataFrame):
        frame = areas.to_crs(WGS84) if areas.crs is not None else areas
        names = frame["name"].astype(str).tolist() if "name" in frame.columns else [None] * len(frame)
        for name, geom in zip(names, frame.geometry, strict=True):
            features.append({"type": "Feature", "properties": {"name": name}, "geometry": mapping(geom)})
    else:
        data = json.loads(areas) if isinstance(areas, str) else areas
        if isinstance(data, dict) and data.get("type") == "FeatureCollection":
            features = [{"type": "Feature", "properties": {"name": (f.get("properties") or {}).get("name")},
                         "geometry": f["geometry"]} for f in data["features"]]
        else:
            items = data if isinstance(data, list) else [data]
            features = [{"type": "Feature", "properties": {"name": None},
                         "geometry": json.loads(area_text(g, what) or "null")} for g in items]
    for f in features:
        area_text(f["geometry"], what)
    if not features:
        msg = f"{what} are empty: draw or upload at least one area"
        raise InputError(msg)
    return json.dumps({"type": "FeatureCollection", "features": features})


def control_areas(text: str | None) -> list[tuple[str, BaseGeometry]]:
    """The chosen control areas of an action: (name, geometry) pairs."""
    if not text:
        return []
    data = json.loads(text)
    out = []
    for i, f in enumerate(data.get("features", []), start=1):
        name = (f.get("properties") or {}).get("name") or f"control_{i}"
        out.append((str(name), shape(f["geometry"])))
    return out
