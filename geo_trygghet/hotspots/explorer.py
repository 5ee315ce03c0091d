"""What the analyst's explorer needs beyond the hot-spot pipeline: fast filters,
Gi* on a prepared grid, one cell's history, and a walk proposed from hot spots.

Everything here is pure (no Streamlit, no folium) and fast on a million rows:

- :func:`incident_arrays` turns an incidents frame into plain numpy arrays once
  (codes for category and crime type, day, weekday, hour); :func:`filter_mask`
  is then a handful of vectorised comparisons, so a filter change never
  re-reads or copies the frame.
- :func:`prepare_grid` builds the H3 grid, its ring-1 neighbour graph and the
  hexagon polygons once per dataset and resolution; :func:`gi_cells` recomputes
  Gi* with FDR bins for any filter mask on that same grid (``Grid.counts(mask)``),
  giving exactly what :func:`geo_trygghet.hotspots.hotspots_for_grid` gives.
- :func:`cell_monthly` and :func:`cell_top_types` describe one clicked cell.
- :func:`propose_walk` turns selected hot-spot areas into a walk area (the
  buffered convex hull) and a route through their centres (nearest neighbour
  then 2-opt, in metres).

Examples
--------
>>> import numpy as np
>>> xy = np.array([[0, 0], [10, 0], [5, 0], [20, 0]], dtype=float)
>>> order_route(xy, closed=False).tolist()
[0, 2, 1, 3]
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from shapely.geometry import LineString, Polygon, mapping
from shapely.geometry.base import BaseGeometry

from .. import schema as S
from ..crs import WGS84, metric_crs_for
from ..errors import InputError, InsufficientDataError
from .gistar import bins_from_q, gi_star
from .grid import Grid, build_grid, cell_polygons, neighbour_graph, points_to_cell_ints
from .significance import fdr_bh

#: The category code of incidents whose crime type maps to no Brå category.
UNCATEGORISED = ""
_NO_DAY = np.iinfo(np.int64).min


# --------------------------------------------------------------------------- arrays and filters
@dataclass(frozen=True)
class IncidentArrays:
    """Incidents as plain arrays (one position per incident, the frame's row order).

    ``day`` is days since 1970-01-01 (``_NO_DAY`` when unknown), ``weekday``
    0 = Monday … 6 (−1 when the date is unknown or only the month is known),
    ``hour`` 0…23 (−1 without a clock time), ``month`` months since 1970-01
    (−1 when unknown). ``category_code``/``type_code`` index ``categories`` /
    ``crime_types`` (``UNCATEGORISED`` is the empty string).
    """

    lon: np.ndarray
    lat: np.ndarray
    day: np.ndarray
    weekday: np.ndarray
    hour: np.ndarray
    month: np.ndarray
    category_code: np.ndarray
    categories: tuple[str, ...]
    type_code: np.ndarray
    crime_types: tuple[str, ...]

    @property
    def n(self) -> int:
        return len(self.lon)

    def date_range(self) -> tuple[dt.date, dt.date] | None:
        """First and last known day, or None."""
        known = self.day[self.day != _NO_DAY]
        if not len(known):
            return None
        epoch = dt.date(1970, 1, 1)
        return epoch + dt.timedelta(days=int(known.min())), epoch + dt.timedelta(days=int(known.max()))


def _codes(values: pd.Series) -> tuple[np.ndarray, tuple[str, ...]]:
    text = values.astype("object").where(values.notna(), UNCATEGORISED).astype(str)
    codes, uniques = pd.factorize(text, sort=True)
    return codes.astype(np.int32), tuple(str(u) for u in uniques)


def incident_arrays(incidents: pd.DataFrame) -> IncidentArrays:
    """The arrays :func:`filter_mask` works on, from an incidents frame (schema columns)."""
    missing = [c for c in (S.LON, S.LAT) if c not in incidents.columns]
    if missing:
        msg = f"the incidents have no column {', '.join(missing)}; read them with geo_trygghet.ingest.read_incidents"
        raise InputError(msg)
    n = len(incidents)
    lon = incidents[S.LON].to_numpy(float)
    lat = incidents[S.LAT].to_numpy(float)
    if S.OCCURRED_AT in incidents.columns:
        t = pd.to_datetime(incidents[S.OCCURRED_AT])
        known = t.notna().to_numpy()
        ns = t.to_numpy("datetime64[ns]").astype(np.int64)
        day = np.where(known, ns // 86_400_000_000_000, _NO_DAY)
        weekday = np.where(known, (day + 3) % 7, -1).astype(np.int8)  # 1970-01-01 was a Thursday
        res = (incidents[S.TIME_RESOLUTION].astype(str).to_numpy() if S.TIME_RESOLUTION in incidents.columns
               else np.full(n, S.RESOLUTION_MINUTE))
        weekday[res == S.RESOLUTION_MONTH] = -1
        hour = np.where(known & (res == S.RESOLUTION_MINUTE), (ns // 3_600_000_000_000) % 24, -1).astype(np.int8)
        month = np.full(n, -1, dtype=np.int32)
        if known.any():
            month[known] = t[known].dt.year.to_numpy() * 12 + t[known].dt.month.to_numpy() - 1 - 1970 * 12
    else:
        day = np.full(n, _NO_DAY, dtype=np.int64)
        weekday = np.full(n, -1, np.int8)
        hour = np.full(n, -1, np.int8)
        month = np.full(n, -1, np.int32)
    cat = incidents[S.CATEGORY] if S.CATEGORY in incidents.columns else pd.Series([None] * n)
    typ = incidents[S.CRIME_TYPE] if S.CRIME_TYPE in incidents.columns else pd.Series([None] * n)
    category_code, categories = _codes(cat)
    type_code, crime_types = _codes(typ)
    return IncidentArrays(lon=lon, lat=lat, day=day.astype(np.int64), weekday=weekday, hour=hour, month=month,
                          category_code=category_code, categories=categories,
                          type_code=type_code, crime_types=crime_types)


def type_categories(arrays: IncidentArrays) -> dict[str, str]:
    """Each crime type's (commonest) Brå category, types in sorted order."""
    ncat = max(len(arrays.categories), 1)
    pair, freq = np.unique(arrays.type_code.astype(np.int64) * ncat + arrays.category_code, return_counts=True)
    best: dict[int, tuple[int, int]] = {}
    for p, f in zip(pair.tolist(), freq.tolist(), strict=True):
        ty, cat = divmod(p, ncat)
        if ty not in best or f > best[ty][1]:
            best[ty] = (cat, f)
    return {arrays.crime_types[ty]: arrays.categories[cat] for ty, (cat, _) in sorted(best.items())}


def _day(value: Any) -> int:
    return int((pd.Timestamp(value).normalize() - pd.Timestamp("1970-01-01")).days)


def _member(codes: np.ndarray, universe: tuple[str, ...], chosen: Any) -> np.ndarray:
    wanted = np.zeros(len(universe) + 1, dtype=bool)
    index = {v: i for i, v in enumerate(universe)}
    for value in chosen:
        key = UNCATEGORISED if value is None else str(value)
        if key in index:
            wanted[index[key]] = True
    return wanted[codes]


def filter_mask(arrays: IncidentArrays, *, categories: Any = None, crime_types: Any = None,
                since: Any = None, until: Any = None, weekdays: Any = None,
                hours: Any = None) -> np.ndarray:
    """Which incidents pass the filters (a boolean array; None = no filter on that).

    ``categories`` Brå slugs (``UNCATEGORISED`` for unmapped types), ``crime_types``
    raw types, ``since``/``until`` whole days (inclusive), ``weekdays`` 0 = Monday …
    6, ``hours`` 0…23. An incident whose weekday or hour is unknown fails an active
    weekday or hour filter (a filter that keeps all seven days or all 24 hours is
    not active).
    """
    mask = np.ones(arrays.n, dtype=bool)
    if categories is not None:
        mask &= _member(arrays.category_code, arrays.categories, categories)
    if crime_types is not None:
        mask &= _member(arrays.type_code, arrays.crime_types, crime_types)
    if since is not None:
        mask &= (arrays.day != _NO_DAY) & (arrays.day >= _day(since))
    if until is not None:
        mask &= (arrays.day != _NO_DAY) & (arrays.day <= _day(until))
    if weekdays is not None and {int(w) for w in weekdays} != set(range(7)):
        allowed = np.zeros(8, dtype=bool)
        allowed[[int(w) for w in weekdays]] = True
        mask &= allowed[arrays.weekday.astype(np.int64)]  # −1 → index 7 (False)
    if hours is not None and {int(h) for h in hours} != set(range(24)):
        allowed = np.zeros(25, dtype=bool)
        allowed[[int(h) for h in hours]] = True
        mask &= allowed[arrays.hour.astype(np.int64)]
    return mask


def filter_incidents(incidents: pd.DataFrame, **filters: Any) -> pd.DataFrame:
    """The rows of ``incidents`` that pass :func:`filter_mask` (a new frame)."""
    mask = filter_mask(incident_arrays(incidents), **filters)
    return incidents.loc[mask].reset_index(drop=True)


# --------------------------------------------------------------------------- grid and Gi*
@dataclass(frozen=True)
class PreparedGrid:
    """A grid with what every Gi* recomputation reuses: neighbours and hexagons."""

    grid: Grid
    indptr: np.ndarray
    indices: np.ndarray
    polygons: gpd.GeoSeries

    @property
    def resolution(self) -> int:
        return self.grid.resolution


def prepare_grid(lon: np.ndarray, lat: np.ndarray, *, resolution: int = 9,
                 boundary: BaseGeometry | None = None) -> PreparedGrid:
    """Build the grid of the whole dataset once (filters then only change counts)."""
    grid = build_grid(lon, lat, resolution=resolution, boundary=boundary)
    indptr, indices = neighbour_graph(grid.cells)
    polygons = cell_polygons(grid.cells).set_precision(1e-6)
    return PreparedGrid(grid=grid, indptr=indptr, indices=indices, polygons=polygons)


def gi_cells(prepared: PreparedGrid, mask: np.ndarray | None = None) -> gpd.GeoDataFrame:
    """Gi* cells (``h3``, ``count``, ``gi_z``, ``gi_p``, ``gi_q``, ``gi_bin``, hexagon) for the
    incidents in ``mask`` on the prepared grid; all-zero counts give zero z and bin 0."""
    grid = prepared.grid
    counts = grid.counts(mask)
    try:
        z, p = gi_star(counts, prepared.indptr, prepared.indices)
    except InsufficientDataError:
        z, p = np.zeros(len(counts)), np.ones(len(counts))
    q = fdr_bh(p)
    return gpd.GeoDataFrame({S.H3: grid.h3, S.COUNT: counts, S.GI_Z: z, S.GI_P: p, S.GI_Q: q,
                             S.GI_BIN: bins_from_q(z, q)},
                            geometry=prepared.polygons.values, crs=WGS84)


def cell_position(prepared: PreparedGrid, lon: float, lat: float) -> int | None:
    """The row of the grid cell holding the WGS84 point, or None outside the study area."""
    cell = points_to_cell_ints(np.array([lon], float), np.array([lat], float), prepared.resolution)[0]
    cells = prepared.grid.cells
    pos = int(np.searchsorted(cells, cell))
    return pos if pos < len(cells) and cells[pos] == cell else None


def _in_cell(prepared: PreparedGrid, pos: int, mask: np.ndarray | None) -> np.ndarray:
    sel = prepared.grid.incident_cell == pos
    return sel if mask is None else sel & np.asarray(mask, bool)


def cell_monthly(arrays: IncidentArrays, prepared: PreparedGrid, pos: int,
                 mask: np.ndarray | None = None) -> pd.DataFrame:
    """Incidents per month in one cell (``month`` first day, ``count``), zero months
    included over the months the whole dataset spans."""
    known = arrays.month[arrays.month >= 0]
    if not len(known):
        return pd.DataFrame({"month": pd.Series([], dtype="datetime64[ns]"), S.COUNT: np.empty(0, np.int64)})
    lo, hi = int(known.min()), int(known.max())
    sel = _in_cell(prepared, pos, mask) & (arrays.month >= 0)
    counts = np.bincount(arrays.month[sel] - lo, minlength=hi - lo + 1)
    months = pd.date_range(pd.Timestamp(1970 + lo // 12, lo % 12 + 1, 1), periods=hi - lo + 1, freq="MS")
    return pd.DataFrame({"month": months, S.COUNT: counts.astype(np.int64)})


def cell_top_types(arrays: IncidentArrays, prepared: PreparedGrid, pos: int,
                   mask: np.ndarray | None = None, n: int = 5) -> pd.DataFrame:
    """The ``n`` commonest crime types in one cell: ``crime_type``, ``category``, ``count``."""
    sel = _in_cell(prepared, pos, mask)
    counts = np.bincount(arrays.type_code[sel], minlength=len(arrays.crime_types))
    order = np.argsort(-counts, kind="stable")[:n]
    order = order[counts[order] > 0]
    cat_of_type = np.full(len(arrays.crime_types), -1)
    cat_of_type[arrays.type_code[sel]] = arrays.category_code[sel]
    return pd.DataFrame({S.CRIME_TYPE: [arrays.crime_types[i] for i in order],
                         S.CATEGORY: [arrays.categories[cat_of_type[i]] if cat_of_type[i] >= 0 else UNCATEGORISED
                                      for i in order],
                         S.COUNT: counts[order].astype(np.int64)})


def drawn_cells(cells: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The cells worth drawing: some incidents or a significant bin."""
    keep = cells[S.COUNT].fillna(0).to_numpy() > 0
    if S.GI_BIN in cells:
        keep |= cells[S.GI_BIN].fillna(0).to_numpy() != 0
    return cells[keep]


# --------------------------------------------------------------------------- planning a walk
def order_route(xy: np.ndarray, *, closed: bool = True, start: int = 0) -> np.ndarray:
    """Visit order of points (metres): nearest neighbour from ``start``, improved by 2-opt.

    ``closed`` treats the route as a loop back to the start (a walk that ends
    where it began); otherwise an open path that keeps ``start`` first.
    """
    xy = np.asarray(xy, dtype=float)
    n = len(xy)
    if n <= 2:
        return np.arange(n)
    dist = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    order = [start]
    left = set(range(n)) - {start}
    while left:
        last = order[-1]
        nxt = min(left, key=lambda j: (dist[last, j], j))
        order.append(nxt)
        left.remove(nxt)
    route = np.array(order)
    improved = True
    while improved:
        improved = False
        for i in range(1, n - 1):
            for k in range(i + 1, n):
                a, b = route[i - 1], route[i]
                c = route[k]
                d = route[(k + 1) % n] if (closed or k + 1 < n) else None
                before = dist[a, b] + (dist[c, d] if d is not None else 0.0)
                after = dist[a, c] + (dist[b, d] if d is not None else 0.0)
                if after < before - 1e-9:
                    route[i:k + 1] = route[i:k + 1][::-1]
                    improved = True
    return route


@dataclass(frozen=True)
class WalkPlan:
    """A proposed walk: the area (polygon) and the route (line), both WGS84.

    ``length_m`` is the route length in metres, ``cluster_order`` the hot-spot
    areas in the order the route visits them, ``buffer_m`` the margin around them.
    """

    area: Polygon
    route: LineString
    length_m: float
    cluster_order: tuple[int, ...]
    buffer_m: float

    def area_geojson(self) -> str:
        """The area as GeoJSON geometry text (what the remark service stores for a walk)."""
        return json.dumps(mapping(shapely.set_precision(self.area, 1e-6)))

    def to_gdf(self) -> gpd.GeoDataFrame:
        """Two rows, ``kind`` = area / route, in EPSG:4326."""
        return gpd.GeoDataFrame({"kind": ["area", "route"], "length_m": [np.nan, self.length_m]},
                                geometry=[self.area, self.route], crs=WGS84)


def propose_walk(clusters: gpd.GeoDataFrame, cluster_ids: Any, *, buffer_m: float = 75.0,
                 closed: bool = True) -> WalkPlan:
    """A walk area and route covering the chosen hot-spot areas.

    The area is the convex hull of the chosen cluster polygons grown by
    ``buffer_m`` metres; the route joins the clusters' centres in the order of
    :func:`order_route` (starting at the area with most incidents) and, with
    ``closed``, returns to the start. With one cluster the route goes round its
    edge. Distances are computed in a metric CRS (SWEREF 99 TM in Sweden).
    """
    ids = [int(i) for i in cluster_ids]
    if not ids:
        msg = "choose at least one hot-spot area to plan a walk around"
        raise InputError(msg)
    chosen = clusters[clusters[S.CLUSTER_ID].isin(ids)]
    unknown = sorted(set(ids) - set(chosen[S.CLUSTER_ID].astype(int)))
    if unknown:
        msg = f"no hot-spot area has the number {', '.join(map(str, unknown))}; pick from the listed areas"
        raise InputError(msg)
    chosen = chosen.to_crs(WGS84) if chosen.crs is not None else chosen.set_crs(WGS84)
    centre = chosen.geometry.union_all().centroid
    crs = metric_crs_for(np.array([centre.x]), np.array([centre.y]))
    metric = chosen.to_crs(crs)
    if S.COUNT in metric:
        metric = metric.sort_values(S.COUNT, ascending=False, kind="stable")
    area_m = shapely.convex_hull(metric.geometry.union_all()).buffer(buffer_m, quad_segs=8)
    if len(metric) == 1:
        ring = metric.geometry.iloc[0].buffer(min(buffer_m / 2, 25.0))
        if ring.geom_type == "MultiPolygon":
            ring = max(ring.geoms, key=lambda g: g.area)
        route_m = LineString(ring.exterior.coords)
        order = np.array([0])
    else:
        pts = np.array([(p.x, p.y) for p in metric.geometry.representative_point()])
        order = order_route(pts, closed=closed, start=0)
        coords = [tuple(pts[i]) for i in order]
        if closed:
            coords.append(coords[0])
        route_m = LineString(coords)
    back = Transformer.from_crs(crs, WGS84, always_xy=True)

    def to_wgs(xy: np.ndarray) -> np.ndarray:
        return np.column_stack(back.transform(xy[:, 0], xy[:, 1]))

    area = shapely.transform(area_m, to_wgs)
    route = shapely.transform(route_m, to_wgs)
    return WalkPlan(area=area, route=route, length_m=float(route_m.length),
                    cluster_order=tuple(int(metric[S.CLUSTER_ID].iloc[i]) for i in order), buffer_m=float(buffer_m))


def nearby_clusters(clusters: gpd.GeoDataFrame, *, within_m: float = 1500.0, limit: int = 3) -> list[int]:
    """A sensible first choice for a walk: the hot-spot area with most incidents and the
    next busiest ones whose centres lie within ``within_m`` metres of it (at most ``limit``)."""
    if not len(clusters):
        return []
    ordered = clusters.sort_values(S.COUNT, ascending=False, kind="stable") if S.COUNT in clusters else clusters
    pts = ordered.geometry.representative_point()
    crs = metric_crs_for(pts.x.to_numpy(), pts.y.to_numpy())
    metric = pts.to_crs(crs) if ordered.crs is not None else pts.set_crs(WGS84).to_crs(crs)
    first = metric.iloc[0]
    near = metric.distance(first).to_numpy() <= within_m
    return [int(i) for i in ordered[S.CLUSTER_ID].to_numpy()[near][:limit]]


# --------------------------------------------------------------------------- exports
def write_gpkg(cells: gpd.GeoDataFrame, clusters: gpd.GeoDataFrame, path: str | Path, *,
               public: bool = False) -> Path:
    """Write layers ``cells`` and ``clusters`` (EPSG:4326), replacing the file.

    ``public`` writes the privacy-safe variant: counts 1–2 suppressed, Gi*
    details dropped, no points (:func:`geo_trygghet.privacy.public_cells`).
    """
    from .privacy import public_cells, public_clusters

    path = Path(path)
    if path.exists():
        path.unlink()
    if public:
        cells, clusters = public_cells(cells), public_clusters(clusters)
    cells.to_crs(WGS84).to_file(path, layer=S.LAYER_CELLS, driver="GPKG", engine="pyogrio")
    clusters.to_crs(WGS84).to_file(path, layer=S.LAYER_CLUSTERS, driver="GPKG", engine="pyogrio")
    return path

