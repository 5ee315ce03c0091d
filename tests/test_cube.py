"""The space-time cube: counts per (cell, period) with zeros, periods, and Gi* per bin against brute force."""

from __future__ import annotations

import h3
import numpy as np
import pandas as pd
import pytest

from geo_trygghet.errors import InputError, InsufficientDataError
from geo_trygghet.hotspots import grid as G
from geo_trygghet.hotspots.cube import (
    SpaceTimeCube,
    build_cube,
    cube_frame,
    cube_gi_star,
    cube_hotspots,
    period_label,
    period_range,
    require_periods,
    space_time_weights,
    spatial_weights,
)
from geo_trygghet.hotspots.gistar import gi_star
from geo_trygghet.hotspots.significance import fdr_bh

CENTRE = h3.latlng_to_cell(59.0, 16.2, 9)


def disk(k: int) -> np.ndarray:
    return np.sort(G.to_int(h3.grid_disk(CENTRE, k)))


def toy_grid(k: int = 2) -> G.Grid:
    return G.Grid(cells=disk(k), incident_cell=np.zeros(0, np.int64), resolution=9)


def brute_force_gi(counts: np.ndarray, cells: np.ndarray, rings: int, window: int) -> np.ndarray:
    """Getis-Ord Gi* (1995) bin by bin, from the definition, with plain loops."""
    n_cells, n_periods = counts.shape
    x = counts.astype(float).ravel()
    n = len(x)
    mean = x.mean()
    s = np.sqrt((x**2).mean() - mean**2)
    strs = G.to_str(cells)
    z = np.zeros_like(counts, dtype=float)
    for i in range(n_cells):
        near = {c for c in h3.grid_disk(strs[i], rings)}
        for t in range(n_periods):
            lag, weight = 0.0, 0
            for j in range(n_cells):
                if strs[j] not in near:
                    continue
                for u in range(max(0, t - window), t + 1):
                    lag += counts[j, u]
                    weight += 1
            numerator = lag - mean * weight
            denominator = s * np.sqrt((n * weight - weight**2) / (n - 1))
            z[i, t] = numerator / denominator
    return z


@pytest.mark.parametrize(("rings", "window"), [(1, 0), (1, 1), (1, 2), (2, 1)])
def test_cube_gi_star_equals_brute_force(rings: int, window: int) -> None:
    cells = disk(3)
    counts = np.random.default_rng(rings * 10 + window).poisson(2.0, (len(cells), 7))
    counts[5, 3:] += 9  # something to find
    z, p = cube_gi_star(counts, spatial_weights(cells, rings), window)
    expected = brute_force_gi(counts, cells, rings, window)
    np.testing.assert_allclose(z, expected, rtol=0, atol=1e-9)
    np.testing.assert_allclose(p, 2 * (1 - __import__("scipy").stats.norm.cdf(np.abs(expected))), atol=1e-12)


def test_factorised_product_equals_the_sparse_space_time_matrix() -> None:
    cells = disk(4)
    counts = np.random.default_rng(3).poisson(1.5, (len(cells), 12))
    spatial = spatial_weights(cells, 1)
    w = space_time_weights(spatial, 12, 2)
    assert w.shape == (len(cells) * 12, len(cells) * 12)
    # the same Gi* through the existing (esda-checked) gi_star on the flattened cube
    off_diagonal = w.tolil()
    off_diagonal.setdiag(0)
    csr = off_diagonal.tocsr()
    csr.eliminate_zeros()
    z_flat, _ = gi_star(counts.ravel().astype(float), csr.indptr, csr.indices)
    z, _ = cube_gi_star(counts, spatial, 2)
    np.testing.assert_allclose(z.ravel(), z_flat, atol=1e-9)


def test_spatial_weights_are_rings_with_the_cell_itself() -> None:
    cells = disk(3)
    w1, w2 = spatial_weights(cells, 1), spatial_weights(cells, 2)
    centre = int(np.searchsorted(cells, G.to_int([CENTRE])[0]))
    assert w1[centre].sum() == 7 and w2[centre].sum() == 19
    assert (w1.diagonal() == 1).all()
    with pytest.raises(InputError, match="--k"):
        spatial_weights(cells, 0)


def test_fdr_runs_over_all_bins_and_bins_follow_q() -> None:
    grid = toy_grid(4)
    counts = np.random.default_rng(1).poisson(1.0, (len(grid.cells), 10))
    counts[0, -3:] += 15
    cube = SpaceTimeCube(grid, "month", pd.date_range("2023-01-01", periods=10, freq="MS"), counts)
    gi = cube_hotspots(cube)
    np.testing.assert_allclose(gi.q.ravel(), fdr_bh(gi.p.ravel()))
    assert (np.sign(gi.bins) == np.sign(gi.z) * (gi.q <= 0.10)).all()
    assert gi.bins[0, -1] == 3


def _points_in(cells: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    lat, lon = np.array([h3.cell_to_latlng(c) for c in G.to_str(cells[:n])]).T
    return lon, lat


def test_build_cube_keeps_empty_cells_and_empty_periods() -> None:
    cells = disk(2)
    lon, lat = _points_in(cells, 3)
    when = pd.to_datetime(["2023-01-05", "2023-04-20", "2023-04-21"])  # nothing in February and March
    grid = G.build_grid(lon, lat, resolution=9)
    cube = build_cube(grid, when.to_numpy(), interval="month", since="2023-01-01", until="2023-04-30")
    assert cube.shape == (len(grid.cells), 4)
    assert cube.counts.sum() == 3 and (cube.counts.sum(axis=0) == [1, 0, 0, 2]).all()
    assert [cube.label(t) for t in range(4)] == ["2023-01", "2023-02", "2023-03", "2023-04"]
    frame = cube_frame(cube, cube_hotspots(cube))
    assert list(frame.columns) == ["h3", "period", "count", "gi_z", "gi_bin"]
    assert len(frame) == len(grid.cells) * 4 and frame["period"].iloc[0] == "2023-01-01"


def test_partial_end_periods_are_left_out_and_said() -> None:
    # 2023-01-01 is a Sunday: the week of 2022-12-26 holds one day of data; 2023-03-01 a Wednesday
    when = pd.date_range("2023-01-01", "2023-03-01", freq="D").to_numpy()
    first, last, left = period_range(when, interval="week")
    assert [str(p.start.date()) for p in left] == ["2022-12-26", "2023-02-27"]
    assert left[0].share == pytest.approx(1 / 7, abs=1e-3)
    assert last - first + 1 == 8  # 2023-01-02 … 2023-02-20
    # a month whose last day has no incident is still complete enough (30/31)
    first, last, left = period_range(pd.to_datetime(["2023-01-01", "2023-03-30"]).to_numpy(), interval="month")
    assert last - first + 1 == 3 and left == ()


def test_month_only_dates_cover_their_month_but_not_weeks() -> None:
    when = pd.to_datetime(["2022-01-01", "2022-12-01"]).to_numpy()
    first, last, left = period_range(when, interval="month", month_resolution=True)
    assert last - first + 1 == 12 and left == ()
    first, last, _ = period_range(when, interval="quarter", month_resolution=True)
    assert last - first + 1 == 4
    with pytest.raises(InputError, match="months only.*--interval month or quarter"):
        period_range(when, interval="week", month_resolution=True)


def test_an_empty_period_range_and_too_few_periods_are_clear_errors() -> None:
    with pytest.raises(InputError, match="no complete month between 2024-03-10 and 2024-03-20"):
        period_range(pd.to_datetime(["2024-03-12"]).to_numpy(), interval="month", since="2024-03-10",
                     until="2024-03-20")
    grid = toy_grid(1)
    cube = SpaceTimeCube(grid, "month", pd.date_range("2023-01-01", periods=6, freq="MS"),
                         np.ones((len(grid.cells), 6), dtype=np.int64))
    with pytest.raises(InsufficientDataError, match=r"at least 10 complete periods.*6 months \(2023-01 … 2023-06\)"):
        require_periods(cube)


def test_period_labels() -> None:
    assert period_label(pd.Timestamp("2024-03-04"), "week") == "2024-W10"
    assert period_label(pd.Timestamp("2024-04-01"), "quarter") == "2024-Q2"
    assert period_label(pd.Timestamp("2024-12-01"), "month") == "2024-12"
