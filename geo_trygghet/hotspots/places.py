"""Places, not codes: each H3 cell named by the area it lies in and its nearest street.

A cell id such as ``8908b3a0c57ffff`` tells a reader nothing; "Storgatan, Centrum" does. The
area comes from the kommun's districts (any polygons with a name column, e.g.
``sample_data/omraden.geojson``), the street from a street layer (lines with a name, e.g.
``sample_data/streets.geojson`` or an extract of Lantmäteriet's or OpenStreetMap's roads).
Both are optional: without them a cell has no place and the caller shows its id.

The cell's centre decides: the area that contains it, and the named street nearest to it
within :data:`MAX_STREET_M` metres (measured in SWEREF 99 TM).

>>> import geopandas as gpd
>>> from shapely.geometry import LineString, box
>>> cells = gpd.GeoDataFrame({"h3": ["a", "b"]}, geometry=[box(16.0, 59.0, 16.001, 59.001),
...                          box(16.05, 59.0, 16.051, 59.001)], crs="EPSG:4326")
>>> areas = gpd.GeoDataFrame({"name": ["Centrum"]}, geometry=[box(15.99, 58.99, 16.01, 59.01)], crs="EPSG:4326")
>>> streets = gpd.GeoDataFrame({"name": ["Storgatan"]}, geometry=[LineString([(16.0, 59.0011), (16.002, 59.0011)])],
...                            crs="EPSG:4326")
>>> cell_places(cells, areas=areas, streets=streets)[["area", "street"]].to_dict("records")
[{'area': 'Centrum', 'street': 'Storgatan'}, {'area': None, 'street': None}]
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from .. import schema as S
from ..crs import SWEREF99TM, WGS84

__all__ = ["MAX_STREET_M", "NAME_COLUMNS", "cell_places", "name_column", "place_label"]

#: A street farther than this from the cell's centre does not name it.
MAX_STREET_M = 250.0
#: Name columns recognised in area and street layers, in this order.
NAME_COLUMNS = ("name", "namn", "omrade", "område", "gatunamn", "street", "adressomrade", "deso_namn", "regso_namn")


def name_column(layer: gpd.GeoDataFrame) -> str | None:
    """The layer's name column (``name``, ``namn``, ``område`` … any case), or None."""
    lower = {str(c).strip().lower(): c for c in layer.columns}
    return next((lower[c] for c in NAME_COLUMNS if c in lower), None)


def _named(layer: Any) -> gpd.GeoDataFrame | None:
    if layer is None or not len(layer):
        return None
    col = name_column(layer)
    if col is None:
        return None
    out = layer[[col, "geometry"]].rename(columns={col: "_name"})
    out = out[out["_name"].notna() & (out["_name"].astype(str).str.strip() != "")]
    return out.to_crs(WGS84) if out.crs is not None else out.set_crs(WGS84)


def cell_places(cells: gpd.GeoDataFrame, *, areas: gpd.GeoDataFrame | None = None,
                streets: gpd.GeoDataFrame | None = None, max_street_m: float = MAX_STREET_M) -> pd.DataFrame:
    """``h3``, ``area`` and ``street`` of each cell (None where none applies), in the cells'
    order. ``cells`` needs ``h3`` and a polygon geometry (WGS84)."""
    centres = gpd.GeoDataFrame({S.H3: cells[S.H3].to_numpy()},
                               geometry=cells.geometry.to_crs(SWEREF99TM).centroid.to_numpy(), crs=SWEREF99TM)
    out = pd.DataFrame({S.H3: centres[S.H3].to_numpy(), "area": None, "street": None}, dtype=object)
    named_areas = _named(areas)
    if named_areas is not None and len(centres):
        hit = gpd.sjoin(centres, named_areas.to_crs(SWEREF99TM), how="left", predicate="within")
        first = hit[~hit.index.duplicated(keep="first")]["_name"].reindex(centres.index)
        out["area"] = [str(v) if isinstance(v, str) or pd.notna(v) else None for v in first.to_numpy()]
    named_streets = _named(streets)
    if named_streets is not None and len(centres):
        near = gpd.sjoin_nearest(centres, named_streets.to_crs(SWEREF99TM), how="left", max_distance=max_street_m,
                                 distance_col="_dist")
        near = near.sort_values("_dist", kind="stable")
        first = near[~near.index.duplicated(keep="first")]["_name"].reindex(centres.index)
        out["street"] = [str(v) if isinstance(v, str) or pd.notna(v) else None for v in first.to_numpy()]
    return out.replace({np.nan: None})


def place_label(area: Any, street: Any, fmt: str = "{street}, {area}") -> str:
    """One line for a cell: ``fmt`` with both, else whichever there is, else ""."""
    area = area if isinstance(area, str) and area else None
    street = street if isinstance(street, str) and street else None
    if area and street:
        return fmt.format(street=street, area=area)
    return street or area or ""
