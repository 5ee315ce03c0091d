"""Scale without changing results: vectorised binning equals h3-py, and the hot-spot areas that
skip sparse points equal the areas of the algorithm that built the neighbour graph over every
location (the code before issue 15), on the county-sized spread case and on the town case."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from pyproj import Transformer

from geo_trygghet import settings
from geo_trygghet.crs import WGS84, metric_crs_for
from geo_trygghet.hotspots.clusters import HotSpotAreas, weighted_dbscan
from geo_trygghet.hotspots.grid import points_to_cell_ints, points_to_cell_ints_h3py
from tests._scale_data import spread_points, town_points


def test_vectorised_binning_equals_h3py_on_a_million_points_in_sweden():
    rng = np.random.default_rng(2024)
    lon, lat = rng.uniform(10.5, 24.5, 1_000_000), rng.uniform(55.0, 69.5, 1_000_000)
    assert (points_to_cell_ints(lon, lat, 9) == points_to_cell_ints_h3py(lon, lat, 9)).all()
    for res in (0, 5, 8, 12, 15):  # other resolutions, fewer points
        assert (points_to_cell_ints(lon[:50_000], lat[:50_000], res)
                == points_to_cell_ints_h3py(lon[:50_000], lat[:50_000], res)).all()


def _reference_areas(lon: np.ndarray, lat: np.ndarray):
    """The hot-spot areas as computed before issue 15: every point snapped (float means), DBSCAN
    over the neighbour graph of every location (scikit-learn's radius graph)."""
    eps = settings.cluster_eps_m
    x, y = Transformer.from_crs(WGS84, metric_crs_for(lon, lat), always_xy=True).transform(lon, lat)
    x, y = np.asarray(x), np.asarray(y)
    snap = eps / 4.0
    gx, gy = np.floor(x / snap).astype(np.int64), np.floor(y / snap).astype(np.int64)
    key = (gx - gx.min()) * (int(gy.max() - gy.min()) + 1) + (gy - gy.min())
    _, inverse, weight = np.unique(key, return_inverse=True, return_counts=True)
    locations = np.column_stack([np.bincount(inverse, weights=x) / weight, np.bincount(inverse, weights=y) / weight])
    labels = weighted_dbscan(locations, weight, eps=eps)
    ids = np.unique(labels[labels >= 0])
    out = []
    for cid in ids:
        member = labels == cid
        hull = shapely.MultiPoint(locations[member]).convex_hull.buffer(snap, quad_segs=4)
        out.append((int(weight[member].sum()), hull))
    out.sort(key=lambda t: -t[0])
    return labels[inverse], out


@pytest.mark.parametrize("case", ["spread", "town"])
def test_areas_without_sparse_graphs_equal_the_full_graph(case):
    points = spread_points if case == "spread" else town_points
    lon, lat = points(300_000, seed=9)
    model = HotSpotAreas().fit(lon, lat)
    labels, reference = _reference_areas(lon, lat)
    assert len(reference) >= 1
    assert [int(c) for c in model.areas_["count"]] == [c for c, _ in reference]  # same areas, same counts
    metric = model.areas_.to_crs(metric_crs_for(lon, lat))
    for (_, hull), geom in zip(reference, metric.geometry, strict=True):
        assert hull.symmetric_difference(geom).area < 1e-3 * hull.area
    assert ((model.labels_ >= 0) == (labels >= 0)).all()  # every incident in or out alike
    if case == "spread":  # most locations are sparse countryside: never snapped, never in a graph
        assert len(model.located_) < 0.2 * len(np.unique(np.round(lon, 4) * 1e5 + np.round(lat, 4)))
