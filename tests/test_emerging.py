"""Emerging hot spots: the 17 patterns on golden series, planted patterns, uniform noise, real data."""

from __future__ import annotations

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import pytest

from geo_trygghet.errors import InsufficientDataError
from geo_trygghet.hotspots import grid as G
from geo_trygghet.hotspots.cube import SpaceTimeCube, cube_hotspots
from geo_trygghet.hotspots.emerging import (
    EMERGING_COLUMNS,
    PATTERN_COLOURS,
    PATTERNS,
    classify,
    emerging_for_cube,
    emerging_hotspots,
    pattern_label,
)
from geo_trygghet.ingest.incidents import read_incidents

T = 20  # need = ceil(0.9 · 20) = 18
HOT, COLD, CALM = 3.5, -3.5, 0.5


def series(default: float = CALM, **at: float) -> np.ndarray:
    z = np.full(T, default)
    for key, value in at.items():
        lo, _, hi = key[1:].partition("_")
        z[int(lo): int(hi or lo) + 1] = value
    return z


#: Hand-made Gi* z series for every hot pattern (the cold ones are their mirror, −z).
GOLDEN_HOT: dict[str, np.ndarray] = {
    "new_hot_spot": series(t19=HOT),
    "consecutive_hot_spot": series(t16_19=HOT),
    "intensifying_hot_spot": np.linspace(2.5, 6.0, T),
    "persistent_hot_spot": HOT + 0.3 * np.tile([0, 1, -1, 1, 0], 4),
    "diminishing_hot_spot": np.linspace(6.0, 2.5, T),
    "sporadic_hot_spot": series(t2=HOT, t7_8=HOT, t12=HOT, t19=HOT),
    "oscillating_hot_spot": series(t3_4=COLD, t19=HOT),
    "historical_hot_spot": series(HOT, t18_19=CALM),
}


@pytest.mark.parametrize("name", list(GOLDEN_HOT))
def test_golden_series_hot_and_its_cold_mirror(name: str) -> None:
    z = GOLDEN_HOT[name]
    assert classify(z).patterns.tolist() == [name]
    assert classify(-z).patterns.tolist() == [name.replace("_hot_", "_cold_")]


def test_persistent_golden_series_has_no_trend() -> None:
    found = classify(GOLDEN_HOT["persistent_hot_spot"])
    assert found.trend.p[0] > 0.05 and found.hot_periods[0] == T


def test_no_pattern_golden_series() -> None:
    calm = series()
    hot_long_ago = series(t2_9=HOT)  # 8 of 20 hot, final not: neither historical nor anything else
    z = np.vstack([calm, hot_long_ago])
    assert classify(z).patterns.tolist() == ["no_pattern", "no_pattern"]


def test_ninety_percent_is_ceil_of_point_nine_t() -> None:
    # T = 20: 17 hot periods ending now are consecutive (one run) or sporadic; 18 make it persistent
    assert classify(series(t3_19=HOT)).patterns.tolist() == ["consecutive_hot_spot"]
    assert classify(series(HOT, t5=CALM, t10=CALM, t14=CALM)).patterns.tolist() == ["sporadic_hot_spot"]
    assert classify(series(HOT, t5=CALM, t14=CALM)).patterns.tolist() == ["persistent_hot_spot"]
    # T = 24: ceil(21.6) = 22 hot periods are needed for historical
    z = np.full(24, CALM)
    z[:21] = HOT
    assert classify(z).patterns.tolist() == ["no_pattern"]
    z[21] = HOT
    assert classify(z).patterns.tolist() == ["historical_hot_spot"]
    # T = 10: ceil(9) = 9
    z = np.full(10, HOT)
    z[0] = CALM
    assert classify(z).patterns.tolist() == ["persistent_hot_spot"]


def test_rule_order_a_cold_past_makes_a_new_hot_spot_oscillating() -> None:
    # hot only in the final period (the wording of "new") but cold before: oscillating is checked first
    assert classify(series(t5=COLD, t19=HOT)).patterns.tolist() == ["oscillating_hot_spot"]
    # the final period decides the side: mostly hot but cold now is an oscillating cold spot
    assert classify(series(HOT, t19=COLD)).patterns.tolist() == ["oscillating_cold_spot"]


def test_fewer_than_ten_periods_is_an_error() -> None:
    with pytest.raises(InsufficientDataError, match="at least 10 periods, got 9"):
        classify(np.zeros((1, 9)))


def test_every_pattern_has_labels_and_a_colour() -> None:
    assert len(PATTERNS) == 17 and len(set(PATTERNS)) == 17
    for p in PATTERNS:
        assert PATTERN_COLOURS[p].startswith("#")
        assert pattern_label(p, "sv") != f"pattern.{p}" and pattern_label(p, "en") != f"pattern.{p}"
    assert pattern_label("intensifying_hot_spot", "sv") == "Tilltagande het punkt"


# ---------------------------------------------------------------- planted patterns in synthetic incidents

N_PERIODS = 24
BACKGROUND = 30.0  # incidents per cell and month (high, so that a month of zeros is a clear cold bin)


def _profile(name: str) -> np.ndarray:
    """Rate multipliers over 24 months for the cell and its ring-1 neighbours."""
    m = np.ones(N_PERIODS)
    kind, side = name.rsplit("_", 2)[0], "hot" if "_hot_" in name else "cold"
    high, low = (2.5, 0.0) if side == "hot" else (0.0, 2.5)  # cold: the mirror
    if kind == "new":
        m[-1] = high
    elif kind == "consecutive":
        m[-4:] = high
    elif kind == "intensifying":
        m = np.linspace(1.75, 3.5, N_PERIODS) if side == "hot" else np.linspace(0.4, 0.0, N_PERIODS)
    elif kind == "persistent":
        m[:] = 2.0 if side == "hot" else 0.1
    elif kind == "diminishing":
        m = np.linspace(3.5, 1.75, N_PERIODS) if side == "hot" else np.linspace(0.0, 0.4, N_PERIODS)
    elif kind == "sporadic":
        m[[3, 9, 15, 23]] = high
    elif kind == "oscillating":
        m[2:6] = low
        m[-1] = high
    elif kind == "historical":
        m[:22] = 2.0 if side == "hot" else 0.0
    return m


def planted_rates() -> tuple[G.Grid, np.ndarray, dict[str, int]]:
    """A disk of cells, a background rate, and the 16 patterns planted 4 rings apart."""
    centre = h3.latlng_to_cell(59.0, 16.2, 9)
    cells = np.sort(G.to_int(h3.grid_disk(centre, 11)))
    chosen: list[str] = []
    for c in sorted(h3.grid_disk(centre, 9)):
        if all(h3.grid_distance(c, o) >= 4 for o in chosen):
            chosen.append(c)
    rate = np.full((len(cells), N_PERIODS), BACKGROUND)
    where: dict[str, int] = {}
    for name, c in zip((p for p in PATTERNS if p != "no_pattern"), chosen, strict=False):
        rate[np.searchsorted(cells, G.to_int(h3.grid_disk(c, 1)))] = BACKGROUND * _profile(name)
        where[name] = int(np.searchsorted(cells, G.to_int([c])[0]))
    assert len(where) == 16
    return G.Grid(cells=cells, incident_cell=np.zeros(0, np.int64), resolution=9), rate, where


def _cube(grid: G.Grid, counts: np.ndarray) -> SpaceTimeCube:
    return SpaceTimeCube(grid, "month", pd.date_range("2022-01-01", periods=counts.shape[1], freq="MS"), counts)


@pytest.mark.slow
def test_planted_patterns_are_recovered_in_95_percent_of_200_runs() -> None:
    grid, rate, where = planted_rates()
    hits = dict.fromkeys(where, 0)
    hits_window0 = dict.fromkeys(("persistent_hot_spot", "persistent_cold_spot"), 0)
    hits_unthinned = dict.fromkeys(("persistent_hot_spot", "persistent_cold_spot"), 0)
    runs = 200
    for seed in range(runs):
        cube = _cube(grid, np.random.default_rng(seed).poisson(rate))
        gi = cube_hotspots(cube, time_window=1)  # as emerging_hotspots does with its default window
        found = classify(gi.z, gi.q, trend_from=1, trend_step=2).patterns
        for name, i in where.items():
            hits[name] += found[i] == name
        gi0 = cube_hotspots(cube, time_window=0)
        found0 = classify(gi0.z, gi0.q, trend_from=0).patterns
        for name in hits_window0:
            hits_window0[name] += found0[where[name]] == name
        unthinned = classify(gi.z, gi.q, trend_from=1).patterns
        for name in hits_unthinned:
            hits_unthinned[name] += unthinned[where[name]] == name
    share = {name: n / runs for name, n in hits.items()}
    assert all(share[n] >= 0.95 for n in share), share
    # A constant rate has no trend, so persistent misses only when Mann-Kendall finds a false trend:
    # about α = 5 % with independent z (time window 0, or every second period with a window of 1);
    # on all periods of a window of 1, whose overlapping windows correlate neighbouring z's, far more
    # (plain Mann-Kendall on every period, as ArcGIS Pro's, ignores that): why the trend is thinned.
    assert all(n / runs >= 0.92 for n in hits_window0.values()), hits_window0
    assert all(n / runs < 0.90 for n in hits_unthinned.values()), hits_unthinned


def test_a_noise_free_persistent_plant_is_persistent() -> None:
    grid, rate, where = planted_rates()
    for seed in range(5):
        counts = np.random.default_rng(seed).poisson(rate)
        for name in ("persistent_hot_spot", "persistent_cold_spot"):
            region = np.searchsorted(grid.cells, G.to_int(h3.grid_disk(G.to_str(grid.cells[[where[name]]])[0], 1)))
            counts[region] = np.rint(rate[region]).astype(np.int64)  # exactly the planted rate every month
        found = emerging_for_cube(_cube(grid, counts)).cells["pattern"].to_numpy()
        assert found[where["persistent_hot_spot"]] == "persistent_hot_spot"
        assert found[where["persistent_cold_spot"]] == "persistent_cold_spot"


@pytest.mark.slow
def test_uniform_poisson_gives_few_cells_any_pattern() -> None:
    cells = np.sort(G.to_int(h3.grid_disk(h3.latlng_to_cell(59.0, 16.2, 9), 11)))
    grid = G.Grid(cells=cells, incident_cell=np.zeros(0, np.int64), resolution=9)
    shares = []
    for seed in range(40):
        lam = (0.1, 0.5, 2.0, 8.0)[seed % 4]
        counts = np.random.default_rng(1000 + seed).poisson(lam, (len(cells), 24))
        gi = cube_hotspots(_cube(grid, counts))
        found = classify(gi.z, gi.q, alpha=0.05, trend_from=1).patterns
        shares.append(float((found != "no_pattern").mean()))
    assert max(shares) <= 0.06, shares


def test_cube_gi_of_the_result_is_the_cube_hotspots() -> None:
    grid, rate, _ = planted_rates()
    counts = np.random.default_rng(7).poisson(rate)
    result = emerging_for_cube(_cube(grid, counts))
    np.testing.assert_allclose(result.gi.z, cube_hotspots(_cube(grid, counts)).z)
    assert list(result.cells.columns) == [*EMERGING_COLUMNS, "geometry"]
    assert (result.cells["count"].to_numpy() == counts.sum(axis=1)).all()
    assert sum(result.pattern_counts(include_none=True).values()) == len(grid.cells)


def test_pipeline_on_points_finds_a_planted_new_hot_spot() -> None:
    rng = np.random.default_rng(11)
    centre = h3.latlng_to_cell(59.3, 18.0, 9)
    cells = G.to_str(G.to_int(h3.grid_disk(centre, 6)))
    months = pd.date_range("2023-01-01", periods=14, freq="MS")
    rows = []
    for cell in cells:
        lat, lon = h3.cell_to_latlng(cell)
        for m, start in enumerate(months):
            k = rng.poisson(40 if (m == 13 and h3.grid_distance(cell, centre) <= 1) else 4)
            days = rng.integers(0, start.days_in_month, k)
            rows += [(lat + rng.normal(0, 2e-4), lon + rng.normal(0, 4e-4), start + pd.Timedelta(days=int(d)))
                     for d in days]
    frame = pd.DataFrame(rows, columns=["lat", "lon", "occurred_at"])
    from geo_trygghet.ingest.incidents import incidents_from_frame

    incidents = incidents_from_frame(frame).gdf
    result = emerging_hotspots(incidents, resolution=9, since="2023-01-01", until="2024-02-29")
    assert result.cube.shape[1] == 14
    by_cell = dict(zip(result.cells["h3"], result.cells["pattern"], strict=True))
    assert by_cell[centre] == "new_hot_spot"
    assert result.where("new_hot_spot")["h3"].iloc[0] in {c for c in h3.grid_disk(centre, 1)}


def test_sample_planted_hot_spots_are_persistent_or_intensifying(tmp_path) -> None:
    from pathlib import Path

    sample = Path(__file__).resolve().parents[1] / "sample_data"
    result = emerging_hotspots(read_incidents(sample / "incidents.csv").gdf, resolution=9)
    truth = gpd.read_file(sample / "hotspots_truth.geojson")
    centres = result.cells.assign(geometry=result.cells.to_crs(3006).centroid.to_crs(4326))
    inside = gpd.sjoin(centres, truth[["name", "geometry"]], predicate="within")
    assert set(inside["name"]) == set(truth["name"])
    assert set(inside["pattern"]) <= {"persistent_hot_spot", "intensifying_hot_spot"}


def test_lancashire_monthly_real_data(lancashire) -> None:
    from geo_trygghet.ingest.incidents import incidents_from_frame

    incidents = incidents_from_frame(lancashire).gdf
    result = emerging_hotspots(incidents, resolution=8)
    assert result.cube.shape[1] == 12 and result.cube.left_out == ()
    counts = result.pattern_counts()
    assert counts.get("persistent_hot_spot", 0) > 50
    assert result.cells["count"].sum() == len(incidents)
    assert set(result.cells["pattern"]) <= set(PATTERNS)


def test_where_and_by_area_name_the_places() -> None:
    from pathlib import Path

    sample = Path(__file__).resolve().parents[1] / "sample_data"
    result = emerging_hotspots(read_incidents(sample / "incidents.csv").gdf, resolution=9)
    hot = result.where("persistent_hot_spot", "intensifying_hot_spot")
    assert len(hot) == sum(result.pattern_counts().get(p, 0) for p in ("persistent_hot_spot", "intensifying_hot_spot"))
    assert hot["count"].is_monotonic_decreasing and {"lat", "lon"} <= set(hot.columns)
    areas = gpd.read_file(sample / "omraden.geojson")
    table = result.by_area(areas, "name", "persistent_hot_spot", "intensifying_hot_spot")
    assert list(table.columns) == ["pattern", "area", "cells", "count"]
    assert table["cells"].sum() <= len(hot) and set(table["area"]) <= set(areas["name"])
    assert table["cells"].is_monotonic_decreasing


def test_trend_periods_are_independent_for_the_time_window() -> None:
    from geo_trygghet.hotspots.emerging import MIN_TREND_VALUES, trend_periods

    assert trend_periods(24, trend_from=1, trend_step=2).tolist() == list(range(1, 24, 2))
    assert trend_periods(24, trend_from=0, trend_step=1).tolist() == list(range(24))
    # the final period is always tested; counted back from it
    assert trend_periods(15, trend_from=2, trend_step=3).tolist() == [2, 5, 8, 11, 14]
    # too few values when thinned: every period from trend_from on
    short = trend_periods(10, trend_from=3, trend_step=4)
    assert short.tolist() == list(range(3, 10)) and len(range(3, 10, 4)) < MIN_TREND_VALUES
