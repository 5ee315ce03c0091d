"""Control areas: similarity measures and suggestions."""

from __future__ import annotations

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import pytest
import shapely

from geo_trygghet.errors import InputError
from geo_trygghet.followup.controls import (
    control_similarity,
    resolution_for_area,
    similarity_table,
    suggest_controls,
)

D = pd.Timestamp("2022-07-01")
RES = 8


def _cell_geom(cell):
    return shapely.geometry.shape(h3.cells_to_geo([cell]))


def _monthly_points(cell, counts, rng):
    """Points inside ``cell`` with counts[i] incidents in month i of the 12 months before D."""
    geom = _cell_geom(cell)
    minx, miny, maxx, maxy = geom.bounds
    rows = []
    for i, n in enumerate(counts):
        start = D - pd.DateOffset(months=12 - i)
        got = 0
        while got < n:
            x = rng.uniform(minx, maxx, 50)
            y = rng.uniform(miny, maxy, 50)
            ok = shapely.contains_xy(geom, x, y)
            take = min(n - got, int(ok.sum()))
            t = start + pd.to_timedelta(rng.integers(0, 28, take), unit="D")
            rows.append(pd.DataFrame({"occurred_at": t, "lon": x[ok][:take], "lat": y[ok][:take]}))
            got += take
    return rows


@pytest.fixture(scope="module")
def town():
    rng = np.random.default_rng(42)
    centre = h3.latlng_to_cell(55.605, 13.0, RES)
    rising = [10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21]
    far = sorted(h3.grid_ring(centre, 6))
    twin, half, falling, flat_big = far[0], far[3], far[7], far[11]
    neighbour = min(h3.grid_ring(centre, 1))
    rows = []
    rows += _monthly_points(centre, rising, rng)
    rows += _monthly_points(neighbour, rising, rng)  # identical but touching: must be excluded
    rows += _monthly_points(twin, [c + 1 for c in rising], rng)  # the best control
    rows += _monthly_points(half, [c // 2 for c in rising], rng)
    rows += _monthly_points(falling, rising[::-1], rng)
    rows += _monthly_points(flat_big, [60] * 12, rng)
    df = pd.concat(rows, ignore_index=True)
    gdf = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df.lon, df.lat), crs="EPSG:4326")
    return {
        "gdf": gdf,
        "centre": centre,
        "twin": twin,
        "neighbour": neighbour,
        "half": half,
        "falling": falling,
    }


def test_similarity_table_by_hand():
    t = np.array([10, 12, 14, 16])
    tab = similarity_table(t, np.array([[10, 12, 14, 16], [20, 24, 28, 32], [16, 14, 12, 10]]))
    assert tab["similarity"].iloc[0] == pytest.approx(1.0)
    # twice the level, same relative trend, perfectly correlated: distance = ln 2
    assert tab["distance"].iloc[1] == pytest.approx(np.log(2))
    assert tab["trend_difference"].iloc[1] == pytest.approx(0.0, abs=1e-12)
    # same level, opposite trend: trend per month ±2/13, correlation −1
    slope = 2 / 13
    assert tab["trend_difference"].iloc[2] == pytest.approx(-2 * slope)
    assert tab["distance"].iloc[2] == pytest.approx(4 * 2 * slope / 2 + 1.0)


def test_suggest_ranks_the_planted_twin_first_and_skips_touching(town):
    target = _cell_geom(town["centre"])
    out = suggest_controls(town["gdf"], target=target, intervention=D, k=3, resolution=RES)
    assert out["h3"].iloc[0] == town["twin"]
    assert town["neighbour"] not in set(out["h3"])
    assert town["centre"] not in set(out["h3"])
    assert list(out["rank"]) == [1, 2, 3]
    assert out["similarity"].is_monotonic_decreasing
    assert out.crs.to_epsg() == 4326
    assert (out["target_pre_count"] == sum(range(10, 22))).all()
    assert not out.geometry.intersects(target).any()


def test_buffer_excludes_candidates(town):
    target = _cell_geom(town["centre"])
    buffer = _cell_geom(town["twin"]).buffer(0.0001)
    out = suggest_controls(
        town["gdf"], target=target, buffer=buffer, intervention=D, k=5, resolution=RES
    )
    assert town["twin"] not in set(out["h3"])


def test_resolution_follows_target_size(town):
    target = _cell_geom(town["centre"])
    area = gpd.GeoSeries([target], crs=4326).to_crs(3006).area.iloc[0]
    assert resolution_for_area(area) == RES
    out = suggest_controls(town["gdf"], target=target, intervention=D, k=1)
    assert out.attrs["resolution"] == RES
    with pytest.raises(InputError):
        resolution_for_area(0.0)


def test_user_drawn_candidates_are_scored(town):
    target = _cell_geom(town["centre"])
    cands = gpd.GeoSeries(
        [_cell_geom(town["falling"]), _cell_geom(town["twin"]), _cell_geom(town["neighbour"])],
        crs=4326,
    ).to_crs(3006)
    out = control_similarity(town["gdf"], target=target, candidates=cands, intervention=D)
    # the touching neighbour has the same monthly counts: most similar, but flagged as touching
    assert out["similarity"].iloc[0] == pytest.approx(1.0)
    assert out["touches_target"].tolist() == [True, False, False]
    assert out.geometry.iloc[1].equals_exact(_cell_geom(town["twin"]), 1e-7)
    assert out["distance_m"].iloc[0] < out["distance_m"].iloc[1]
    falling = out[out["correlation"] < 0]
    assert len(falling) == 1 and falling["level_ratio"].iloc[0] == pytest.approx(1.0)
