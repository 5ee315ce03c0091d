"""Hot-spot areas: density clusters of incidents as polygons with counts.

DBSCAN runs in metres (SWEREF 99 TM in Sweden, else the local UTM zone) on
*weighted unique locations*: points are snapped to a grid of ``eps / 4``
metres and each snapped location carries its number of incidents as the
DBSCAN sample weight. Police data put many incidents on the same point, and a
1 000 000-row file collapses to a few hundred thousand locations at most. A
location sits at the mean of its points (kept as whole micrometres from the
snap cell's corner, so that the sum over a file split in parts is exact and
every engine gives the same location), less than a snap-cell diagonal
(0.35·eps) from any of them; the benchmark reports how often the result agrees
with DBSCAN on the raw points.

Sparse locations never enter a neighbour graph. The incidents in the 3 × 3
block of ``eps``-sized squares around a location bound its neighbourhood from
above; a location whose bound is below the density threshold cannot be a core
location, so only the others get their exact neighbourhood (a k-d tree over
the locations near them), and only core locations are linked into clusters.
The density threshold (the neighbourhood the densest tenth of incidents live
at) is found exactly from the same bounds: see :func:`dense_dbscan`. The result
equals :func:`weighted_dbscan` over every location, which is kept as the
reference (the tests compare the two).

The estimator follows scikit-learn's shape: :class:`HotSpotAreas` has ``fit``
that sets ``labels_``, and ``areas_`` holds the polygons.
"""

from __future__ import annotations

from functools import lru_cache

import geopandas as gpd
import numpy as np
import shapely
from pyproj import Transformer

from .. import schema as S
from .. import settings
from ..crs import WGS84, metric_crs_for
from .density import square_keys
from .locations import Fetch, InMemoryFetch, SnappedLocations, search_groups


def empty_clusters(crs: str = WGS84) -> gpd.GeoDataFrame:
    """A clusters layer with no rows (the columns and types kept)."""
    return _empty(crs).copy()


@lru_cache(maxsize=4)
def _empty(crs: str) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({S.CLUSTER_ID: np.empty(0, np.int64), S.COUNT: np.empty(0, np.int64),
                             S.AREA_M2: np.empty(0, float)}, geometry=gpd.GeoSeries([], crs=crs), crs=crs)


def density_min_samples(neighbourhood: np.ndarray, weight: np.ndarray,
                        quantile: float | None = None) -> float:
    """The default DBSCAN threshold: the density the densest tenth of incidents live at.

    ``neighbourhood`` is, per location, the incidents within eps; weighted by the
    incidents at each location, its ``quantile`` (``settings.cluster_density_quantile``,
    0.90) is the threshold, at least ``settings.cluster_min_samples``. A fixed share
    of all incidents would make a whole town one cluster in a small municipality and
    find nothing in a county; this adapts to the data.
    """
    q = settings.cluster_density_quantile if quantile is None else quantile
    order = np.argsort(neighbourhood)
    cum = np.cumsum(np.asarray(weight, float)[order])
    at = order[min(np.searchsorted(cum, q * cum[-1], side="right"), len(order) - 1)]
    return max(float(settings.cluster_min_samples), float(neighbourhood[at]))


def weighted_dbscan(points: np.ndarray, weight: np.ndarray, *, eps: float,
                    min_samples: float | None = None) -> np.ndarray:
    """DBSCAN labels with sample weights over every point's neighbour graph: the reference.

    The same definition as ``sklearn.cluster.DBSCAN(eps, min_samples).fit(points,
    sample_weight=weight)``: a point is core when the weights within ``eps``
    (itself included) reach ``min_samples``; clusters are the connected
    components of core points; a non-core point within ``eps`` of a core point
    joins the cluster of its first such neighbour (scikit-learn gives it to the
    cluster that reaches it first, so the two can differ only for such border
    points). Noise is -1. ``min_samples=None`` takes :func:`density_min_samples`.
    This was the hot-spot areas' algorithm until :func:`dense_dbscan`, which gives the
    same areas without the graph over sparse points; the tests compare the two.
    """
    from scipy.sparse.csgraph import connected_components
    from sklearn.neighbors import radius_neighbors_graph

    n = len(points)
    if n == 0:
        return np.empty(0, np.int64)
    graph = radius_neighbors_graph(points, eps, mode="connectivity", include_self=True).tocsr()
    neighbourhood = graph @ np.asarray(weight, dtype=float)
    if min_samples is None:
        min_samples = density_min_samples(neighbourhood, weight)
    core = neighbourhood >= min_samples
    labels = np.full(n, -1, dtype=np.int64)
    if not core.any():
        return labels
    core_idx = np.flatnonzero(core)
    _, component = connected_components(graph[core_idx][:, core_idx], directed=False)
    labels[core_idx] = component
    border = graph[~core][:, core_idx].tocsr()
    has = np.diff(border.indptr) > 0
    rows = np.flatnonzero(~core)[has]
    labels[rows] = component[border.indices[border.indptr[:-1][has]]]
    return labels


class HotSpotAreas:
    """DBSCAN in metres on weighted unique locations.

    Parameters
    ----------
    eps_m
        Neighbourhood radius in metres.
    min_samples
        Incidents within ``eps_m`` that make a core location; default
        :func:`density_min_samples` (the density of the densest tenth of incidents).
    """

    def __init__(self, *, eps_m: float | None = None, min_samples: int | None = None) -> None:
        self.eps_m = float(settings.cluster_eps_m if eps_m is None else eps_m)
        self.min_samples = min_samples

    @property
    def snap(self) -> float:
        """The side of the snap squares: a quarter of ``eps_m``."""
        return self.eps_m / 4.0

    def fit(self, lon: np.ndarray, lat: np.ndarray) -> HotSpotAreas:
        """Cluster WGS84 points; ``labels_`` gives each point's cluster (-1: noise)."""
        lon = np.asarray(lon, dtype=float)
        lat = np.asarray(lat, dtype=float)
        self.n_ = len(lon)
        self.labels_ = np.full(self.n_, -1, np.int64)
        self.located_: SnappedLocations | None = None
        if self.n_ == 0:
            self.location_labels_ = np.empty(0, np.int64)
            self.areas_ = empty_clusters()
            return self
        point_keys = square_keys(lon, lat, self.eps_m)
        keys, counts = np.unique(point_keys, return_counts=True)
        fetch = InMemoryFetch(lon, lat, point_keys, metric_crs_for(lon, lat), self.snap)
        self.fit_squares(keys, counts, fetch)
        if len(self.location_labels_):
            self.labels_[fetch.taken] = self.location_labels_[fetch.inverse]
        return self

    def fit_squares(self, keys: np.ndarray, counts: np.ndarray, fetch: Fetch) -> HotSpotAreas:
        """Cluster incidents counted per density square, fetching the locations that can be dense
        (the engines' path); sets ``located_``, ``location_labels_`` and ``areas_``."""
        found = search_groups(keys, counts, fetch, eps=self.eps_m, min_samples=self.min_samples)
        self.located_, self.location_labels_ = found.get(0, (None, np.empty(0, np.int64)))
        self.areas_ = self.polygons(*found[0]) if 0 in found else empty_clusters()
        return self

    def polygons(self, located: SnappedLocations, labels: np.ndarray) -> gpd.GeoDataFrame:
        """The areas (polygons in WGS84) of labelled locations."""
        if len(located) == 0:
            return empty_clusters()
        return self._polygons(located.xy, located.weight, labels, located.crs, located.snap)

    @staticmethod
    def _polygons(locations, weight, labels, crs, snap) -> gpd.GeoDataFrame:
        table = _hulls({0: (locations, weight, labels)}, crs, snap)
        return table.drop(columns="group") if len(table) else empty_clusters()


def _hulls(groups: dict, crs, snap: float) -> gpd.GeoDataFrame:
    """Hot-spot areas of every group in one table (``group``, ``cluster_id``, ``count``, ``area_m2``,
    polygon in WGS84): the convex hull of each cluster's locations, buffered by a snap square;
    ``cluster_id`` 1 is a group's area with the most incidents."""
    rows_g, rows_label, geoms, counts = [], [], [], []
    for g, (locations, weight, labels) in groups.items():
        ids = np.unique(labels[labels >= 0])
        if len(ids) == 0:
            continue
        order = np.argsort(labels, kind="stable")
        bounds = np.searchsorted(labels[order], np.append(ids, int(ids[-1]) + 1)).tolist()
        for k in range(len(ids)):
            member = order[bounds[k]:bounds[k + 1]]
            geoms.append(shapely.MultiPoint(locations[member]).convex_hull.buffer(snap, quad_segs=4))
            counts.append(int(weight[member].sum()))
            rows_g.append(g)
            rows_label.append(k)
    if not geoms:
        return empty_clusters().assign(group=np.empty(0, np.int64))[["group", S.CLUSTER_ID, S.COUNT, S.AREA_M2,
                                                                      "geometry"]]
    geom = np.asarray(geoms, dtype=object)
    count = np.asarray(counts, np.int64)
    group = np.asarray(rows_g, np.int64)
    order = np.lexsort((np.asarray(rows_label), -count, group))  # per group most incidents first, ties in order
    group, count, geom = group[order], count[order], geom[order]
    first = np.r_[True, group[1:] != group[:-1]]
    start = np.maximum.accumulate(np.where(first, np.arange(len(group)), 0))
    area = shapely.area(geom)
    to_wgs84 = Transformer.from_crs(crs, WGS84, always_xy=True)
    lonlat = shapely.transform(geom, lambda xy: np.column_stack(to_wgs84.transform(xy[:, 0], xy[:, 1])))
    return gpd.GeoDataFrame({"group": group, S.CLUSTER_ID: np.arange(len(group)) - start + 1, S.COUNT: count,
                             S.AREA_M2: area}, geometry=lonlat, crs=WGS84)


def areas_by_group(keys: np.ndarray, counts: np.ndarray, fetch: Fetch, *, eps_m: float | None = None,
                   min_samples: int | None = None) -> gpd.GeoDataFrame:
    """Hot-spot areas of every group (area of a by-area run) from incidents counted per density
    square, in one table with the group's number as ``group``."""
    model = HotSpotAreas(eps_m=eps_m, min_samples=min_samples)
    found = search_groups(keys, counts, fetch, eps=model.eps_m, min_samples=min_samples)
    if not found:
        return _hulls({}, WGS84, model.snap)
    crs = next(iter(found.values()))[0].crs
    return _hulls({g: (loc.xy, loc.weight, labels) for g, (loc, labels) in found.items()}, crs, model.snap)


def find_clusters(lon: np.ndarray, lat: np.ndarray, *, eps_m: float | None = None,
                  min_samples: int | None = None) -> gpd.GeoDataFrame:
    """Hot-spot areas of WGS84 points: ``cluster_id`` (1 = most incidents), ``count``, ``area_m2``, polygon."""
    return HotSpotAreas(eps_m=eps_m, min_samples=min_samples).fit(lon, lat).areas_
