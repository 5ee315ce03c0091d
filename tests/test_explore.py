"""geo_trygghet.explore: filters as masks, Gi* on a prepared grid, one cell's
history, the walk proposal, the GeoPackage export (public variant suppressed)."""

from __future__ import annotations

import itertools
import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from shapely.geometry import Point, shape

from geo_trygghet import schema as S
from geo_trygghet.crs import WGS84
from geo_trygghet.errors import InputError
from geo_trygghet.hotspots import explorer as E
from geo_trygghet.hotspots.gistar import hotspots_for_grid

CATS = ["tillgreppsbrott", "skadegorelse", None]
TYPES = {"tillgreppsbrott": ["Stöld", "Cykelstöld"], "skadegorelse": ["Klotter"], None: ["Okänt"]}


@pytest.fixture(scope="module")
def incidents() -> pd.DataFrame:
    """2 000 seeded incidents around Katrineholm with minute, day and month resolution rows."""
    rng = np.random.default_rng(42)
    n = 2000
    cat = rng.choice(np.array(CATS, dtype=object), n, p=[0.5, 0.3, 0.2])
    typ = [rng.choice(TYPES[c]) for c in cat]
    start = pd.Timestamp("2023-01-01")
    when = start + pd.to_timedelta(rng.integers(0, 730 * 24 * 60, n), unit="min")
    res = rng.choice(np.array([S.RESOLUTION_MINUTE, S.RESOLUTION_DAY, S.RESOLUTION_MONTH]), n, p=[0.8, 0.15, 0.05])
    when = pd.Series(when)
    when[res == S.RESOLUTION_DAY] = when[res == S.RESOLUTION_DAY].dt.normalize()
    when[res == S.RESOLUTION_MONTH] = when[res == S.RESOLUTION_MONTH].dt.to_period("M").dt.start_time
    hot = rng.random(n) < 0.4
    lon = np.where(hot, 16.196 + rng.normal(0, 0.002, n), 16.20 + rng.uniform(-0.03, 0.03, n))
    lat = np.where(hot, 58.992 + rng.normal(0, 0.001, n), 58.99 + rng.uniform(-0.015, 0.015, n))
    return pd.DataFrame({S.OCCURRED_AT: when.to_numpy(), S.TIME_RESOLUTION: res, S.CRIME_TYPE: typ,
                         S.CATEGORY: cat, S.LON: lon, S.LAT: lat})


@pytest.fixture(scope="module")
def arrays(incidents):
    return E.incident_arrays(incidents)


@pytest.fixture(scope="module")
def prepared(arrays):
    return E.prepare_grid(arrays.lon, arrays.lat, resolution=9)


def test_arrays_match_pandas(incidents, arrays):
    t = pd.to_datetime(incidents[S.OCCURRED_AT])
    minute = (incidents[S.TIME_RESOLUTION] == S.RESOLUTION_MINUTE).to_numpy()
    month = (incidents[S.TIME_RESOLUTION] == S.RESOLUTION_MONTH).to_numpy()
    np.testing.assert_array_equal(arrays.weekday[~month], t.dt.day_of_week.to_numpy()[~month])
    assert (arrays.weekday[month] == -1).all()
    np.testing.assert_array_equal(arrays.hour[minute], t.dt.hour.to_numpy()[minute])
    assert (arrays.hour[~minute] == -1).all()
    assert arrays.date_range() == (t.min().date(), t.max().date())
    assert E.UNCATEGORISED in arrays.categories


@pytest.mark.parametrize("filters", [
    {"categories": ["tillgreppsbrott"]},
    {"categories": [None, "skadegorelse"]},
    {"crime_types": ["Cykelstöld", "Klotter"]},
    {"since": "2023-06-01", "until": "2023-12-31"},
    {"weekdays": [4, 5]},
    {"hours": list(range(22, 24)) + list(range(4))},
    {"categories": ["tillgreppsbrott"], "weekdays": [5, 6], "hours": [20, 21, 22, 23], "since": "2024-01-01"},
])
def test_filter_mask_matches_pandas(incidents, arrays, filters):
    t = pd.to_datetime(incidents[S.OCCURRED_AT])
    res = incidents[S.TIME_RESOLUTION]
    want = pd.Series(True, index=incidents.index)
    if "categories" in filters:
        want &= incidents[S.CATEGORY].isin([c for c in filters["categories"] if c]) | (
            incidents[S.CATEGORY].isna() & (None in filters["categories"]))
    if "crime_types" in filters:
        want &= incidents[S.CRIME_TYPE].isin(filters["crime_types"])
    if "since" in filters:
        want &= t >= pd.Timestamp(filters["since"])
    if "until" in filters:
        want &= t < pd.Timestamp(filters["until"]) + pd.Timedelta(days=1)
    if "weekdays" in filters:
        want &= t.dt.day_of_week.isin(filters["weekdays"]) & (res != S.RESOLUTION_MONTH)
    if "hours" in filters:
        want &= t.dt.hour.isin(filters["hours"]) & (res == S.RESOLUTION_MINUTE)
    mask = E.filter_mask(arrays, **filters)
    np.testing.assert_array_equal(mask, want.to_numpy())
    assert 0 < mask.sum() < len(mask)
    assert len(E.filter_incidents(incidents, **filters)) == mask.sum()


def test_full_week_and_day_are_no_filter(arrays):
    assert E.filter_mask(arrays, weekdays=range(7), hours=range(24)).all()


def test_type_categories(arrays):
    mapping = E.type_categories(arrays)
    assert mapping["Cykelstöld"] == "tillgreppsbrott"
    assert mapping["Klotter"] == "skadegorelse"
    assert mapping["Okänt"] == E.UNCATEGORISED


def test_gi_cells_equal_the_pipeline_on_the_same_grid(arrays, prepared):
    mask = E.filter_mask(arrays, categories=["tillgreppsbrott"])
    fast = E.gi_cells(prepared, mask)
    ref = hotspots_for_grid(prepared.grid, prepared.grid.counts(mask))
    np.testing.assert_allclose(fast[S.GI_Z].to_numpy(), ref[S.GI_Z].to_numpy(), atol=1e-12)
    np.testing.assert_array_equal(fast[S.GI_BIN].to_numpy(), ref[S.GI_BIN].to_numpy())
    assert fast[S.COUNT].sum() == mask.sum()
    assert (fast[S.GI_BIN] > 0).any()  # the planted concentration is found
    # a different filter gives different counts on the same cells
    other = E.gi_cells(prepared, E.filter_mask(arrays, categories=["skadegorelse"]))
    assert list(other[S.H3]) == list(fast[S.H3])
    assert not np.array_equal(other[S.COUNT].to_numpy(), fast[S.COUNT].to_numpy())


def test_gi_cells_with_nothing_selected(arrays, prepared):
    cells = E.gi_cells(prepared, np.zeros(arrays.n, bool))
    assert (cells[S.COUNT] == 0).all() and (cells[S.GI_BIN] == 0).all()
    assert len(E.drawn_cells(cells)) == 0


def test_cell_history(incidents, arrays, prepared):
    cells = E.gi_cells(prepared)
    pos = int(cells[S.COUNT].to_numpy().argmax())
    lat, lon = shape(cells.geometry.iloc[pos].__geo_interface__).centroid.y, cells.geometry.iloc[pos].centroid.x
    assert E.cell_position(prepared, lon, lat) == pos
    assert E.cell_position(prepared, 18.0, 59.3) is None  # Stockholm: outside
    monthly = E.cell_monthly(arrays, prepared, pos)
    in_cell = prepared.grid.incident_cell == pos
    assert monthly[S.COUNT].sum() == in_cell.sum() == cells[S.COUNT].iloc[pos]
    assert len(monthly) == 24 and monthly["month"].iloc[0] == pd.Timestamp("2023-01-01")
    sub = incidents[in_cell]
    by_month = sub.groupby(pd.to_datetime(sub[S.OCCURRED_AT]).dt.to_period("M")).size()
    assert monthly.set_index(monthly["month"].dt.to_period("M"))[S.COUNT].loc[by_month.index].tolist() == \
        by_month.tolist()
    top = E.cell_top_types(arrays, prepared, pos, n=2)
    want = sub[S.CRIME_TYPE].value_counts().head(2)
    assert top[S.COUNT].tolist() == want.tolist()
    assert top[S.CRIME_TYPE].iloc[0] == want.index[0]
    mask = E.filter_mask(arrays, crime_types=["Klotter"])
    assert E.cell_top_types(arrays, prepared, pos, mask)[S.CRIME_TYPE].tolist() in (["Klotter"], [])


def _tour_length(xy, order, closed=True):
    pts = xy[list(order) + ([order[0]] if closed else [])]
    return float(np.hypot(*np.diff(pts, axis=0).T).sum())


def test_order_route_finds_the_optimal_tour_on_small_sets():
    rng = np.random.default_rng(7)
    for _ in range(20):
        xy = rng.uniform(0, 1000, (7, 2))
        order = E.order_route(xy, closed=True)
        assert sorted(order.tolist()) == list(range(7)) and order[0] == 0
        best = min(_tour_length(xy, (0, *p)) for p in itertools.permutations(range(1, 7)))
        assert _tour_length(xy, order) <= best * 1.10  # 2-opt: within 10 % of optimal
    line = np.array([[0, 0], [30, 0], [10, 0], [20, 0]], float)
    assert E.order_route(line, closed=False).tolist() == [0, 2, 3, 1]


@pytest.fixture(scope="module")
def clusters() -> gpd.GeoDataFrame:
    metric = gpd.GeoSeries([Point(568_700 + dx, 6_539_800 + dy).buffer(r) for dx, dy, r in
                            [(0, 0, 120), (900, 300, 80), (400, -700, 100), (-600, 500, 60)]], crs="EPSG:3006")
    gdf = gpd.GeoDataFrame({S.CLUSTER_ID: [1, 2, 3, 4], S.COUNT: [500, 300, 200, 100],
                            S.AREA_M2: metric.area}, geometry=metric, crs="EPSG:3006")
    return gdf.to_crs(WGS84)


def test_propose_walk_covers_the_chosen_areas(clusters):
    plan = E.propose_walk(clusters, [1, 2, 3], buffer_m=50)
    chosen = clusters[clusters[S.CLUSTER_ID].isin([1, 2, 3])]
    assert all(plan.area.contains(g) for g in chosen.geometry)
    assert not plan.area.contains(clusters.geometry.iloc[3])
    assert plan.cluster_order[0] == 1 and sorted(plan.cluster_order) == [1, 2, 3]
    assert plan.route.coords[0] == plan.route.coords[-1]  # back to the start
    # three centres 900-1 200 m apart: the loop is their triangle's perimeter
    cent = chosen.to_crs("EPSG:3006").geometry.representative_point()
    tri = sum(cent.iloc[i].distance(cent.iloc[(i + 1) % 3]) for i in range(3))
    assert plan.length_m == pytest.approx(tri, rel=0.01)
    area = shape(json.loads(plan.area_geojson()))
    assert area.geom_type == "Polygon" and area.buffer(1e-5).contains(plan.route)
    assert list(plan.to_gdf()["kind"]) == ["area", "route"]


def test_propose_walk_one_area_goes_round_it(clusters):
    plan = E.propose_walk(clusters, [2], buffer_m=50)
    ring = clusters.to_crs("EPSG:3006").geometry.iloc[1]
    assert plan.length_m > ring.length  # round the outside of the area
    assert shapely.Polygon(plan.route.coords).contains(clusters.geometry.iloc[1].centroid)


def test_propose_walk_errors(clusters):
    with pytest.raises(InputError, match="at least one"):
        E.propose_walk(clusters, [])
    with pytest.raises(InputError, match="no hot-spot area has the number 9"):
        E.propose_walk(clusters, [1, 9])


def test_write_gpkg_public_variant_suppresses_small_counts(arrays, prepared, clusters, tmp_path):
    cells = E.gi_cells(prepared)
    assert cells[S.COUNT].between(1, 2).any()  # there is something to suppress
    full = E.write_gpkg(cells, clusters.assign(**{S.COUNT: [500, 300, 2, 1]}), tmp_path / "full.gpkg")
    public = E.write_gpkg(cells, clusters.assign(**{S.COUNT: [500, 300, 2, 1]}), tmp_path / "pub.gpkg", public=True)
    layers = {name for name, _ in pyogrio.list_layers(full)}
    assert layers == {"cells", "clusters"}
    back_full = gpd.read_file(full, layer="cells")
    assert back_full.crs.to_epsg() == 4326 and len(back_full) == len(cells)
    assert back_full[S.COUNT].between(1, 2).any()
    for layer in ("cells", "clusters"):
        back = gpd.read_file(public, layer=layer)
        assert back.crs.to_epsg() == 4326
        assert not back[S.COUNT].between(1, 2).any()
        assert not back.geometry.geom_type.isin(["Point", "MultiPoint"]).any()
    assert gpd.read_file(public, layer="cells")[S.COUNT].isna().sum() == cells[S.COUNT].between(1, 2).sum()


def test_nearby_clusters_starts_with_the_busiest(clusters):
    # centres: 1 at 0/0, 2 at 900/300, 3 at 400/-700, 4 at -600/500 (metres)
    assert E.nearby_clusters(clusters, within_m=1000) == [1, 2, 3]
    assert E.nearby_clusters(clusters, within_m=800, limit=3) == [1, 4]
    assert E.nearby_clusters(clusters, within_m=2000, limit=2) == [1, 2]
    assert E.nearby_clusters(clusters.iloc[:0]) == []
