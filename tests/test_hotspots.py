import h3
import numpy as np
import pytest

from geo_trygghet.errors import InsufficientDataError
from geo_trygghet.hotspots import grid
from geo_trygghet.hotspots.gistar import bins_from_q, gi_star, hotspots, hotspots_for_grid
from geo_trygghet.hotspots.significance import conditional_permutation_p, fdr_bh

from ._synthetic import planted, points_in_cells, study_cells

esda = pytest.importorskip("esda")
from libpysal.weights import W  # noqa: E402


def _esda_z(cells: list[str], y: np.ndarray) -> np.ndarray:
    present = set(cells)
    neigh = {c: [x for x in h3.grid_disk(c, 1) if x in present and x != c] for c in cells}
    w = W(neigh, id_order=cells, silence_warnings=True)
    return np.asarray(esda.G_Local(y.astype(float), w, star=True, transform="B", permutations=0).Zs)


def _grid_for(cells: list[str]):
    ints = np.sort(grid.to_int(cells))
    return ints, grid.to_str(ints)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_gi_z_equals_esda(seed):
    rng = np.random.default_rng(seed)
    ints, cells = _grid_for(study_cells(radius=8))
    y = rng.poisson(rng.gamma(1.0, 3.0, len(cells))).astype(float)
    indptr, indices = grid.neighbour_graph(ints)
    z, p = gi_star(y, indptr, indices)
    np.testing.assert_allclose(z, _esda_z(list(cells), y), rtol=0, atol=1e-9)
    assert ((p >= 0) & (p <= 1)).all()


def test_gi_z_equals_esda_on_real_lancashire(lancashire):
    g = grid.build_grid(lancashire.lon.to_numpy(), lancashire.lat.to_numpy(), resolution=9)
    cells = hotspots_for_grid(g)
    assert (cells["count"] == 0).any() and cells["count"].sum() == len(lancashire)
    dz = np.abs(_esda_z(list(cells.h3), cells["count"].to_numpy()) - cells.gi_z.to_numpy())
    assert dz.max() <= 1e-9
    hot = cells[cells.gi_bin == 3]
    assert len(hot) > 50 and (hot.gi_z > 0).all()


@pytest.mark.filterwarnings("ignore::DeprecationWarning:esda")
def test_permutation_p_agrees_with_esda():
    rng = np.random.default_rng(5)
    ints, cells = _grid_for(study_cells(radius=10))
    y = rng.poisson(rng.gamma(0.8, 4.0, len(cells))).astype(float)
    indptr, indices = grid.neighbour_graph(ints)
    ours = conditional_permutation_p(y, indptr, indices, permutations=999, seed=7)
    present = set(cells)
    w = W({c: [x for x in h3.grid_disk(c, 1) if x in present and x != c] for c in cells},
          id_order=list(cells), silence_warnings=True)
    theirs = esda.G_Local(y, w, star=True, transform="B", permutations=999, seed=7).p_sim
    # two independent Monte Carlo estimates of the same p: SD ≤ sqrt(0.25/999) ≈ 0.016
    assert np.abs(ours - theirs).mean() < 0.01
    assert np.corrcoef(ours, theirs)[0, 1] > 0.99
    assert ((ours > 0) & (ours <= 0.5 + 1e-12)).all()


def test_permutations_are_seeded():
    ints, cells = _grid_for(study_cells(radius=5))
    y = np.random.default_rng(8).poisson(3, len(cells)).astype(float)
    indptr, indices = grid.neighbour_graph(ints)
    a = conditional_permutation_p(y, indptr, indices, permutations=199, seed=3)
    b = conditional_permutation_p(y, indptr, indices, permutations=199, seed=3)
    c = conditional_permutation_p(y, indptr, indices, permutations=199, seed=4)
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_fdr_bh_matches_statsmodels():
    from statsmodels.stats.multitest import multipletests

    p = np.random.default_rng(9).uniform(0, 0.2, 300) ** 2
    np.testing.assert_allclose(fdr_bh(p), multipletests(p, method="fdr_bh")[1], atol=1e-12)


def test_bins_follow_q_and_sign():
    z = np.array([3.0, -3.0, 2.0, 1.0, 0.5])
    q = np.array([0.005, 0.005, 0.03, 0.08, 0.5])
    assert bins_from_q(z, q).tolist() == [3, -3, 2, 1, 0]


def test_uniform_poisson_rarely_gives_a_hot_cell():
    """Under the null (uniform Poisson), FDR at 5 % keeps the share of runs with any
    significant hot cell at or below 0.06 (200 seeded runs)."""
    ints, cells = _grid_for(study_cells(radius=11))  # 397 cells
    indptr, indices = grid.neighbour_graph(ints)
    rng = np.random.default_rng(2026)
    runs, any_hot = 200, 0
    for _ in range(runs):
        y = rng.poisson(10.0, len(cells)).astype(float)
        z, p = gi_star(y, indptr, indices)
        bins = bins_from_q(z, fdr_bh(p))
        any_hot += bool((bins >= 2).any())
    assert any_hot / runs <= 0.06


def test_planted_hot_spot_is_found():
    """A block of 7 cells at 3 × the base rate is found (≥ 1 cell at 95 %) in ≥ 95 % of 200 runs,
    and the cells flagged lie in or next to the planted block."""
    cells = study_cells(radius=11)
    ints, strs = _grid_for(cells)
    indptr, indices = grid.neighbour_graph(ints)
    rng = np.random.default_rng(7)
    found, stray = 0, 0
    for _ in range(200):
        counts, hot = planted(list(strs), base_rate=5.0, ratio=3.0, n_hot=7, rng=rng)
        z, p = gi_star(counts, indptr, indices)
        bins = bins_from_q(z, fdr_bh(p))
        flagged = {strs[i] for i in np.flatnonzero(bins >= 2)}
        near = {n for c in hot for n in h3.grid_disk(c, 1)}
        found += bool(flagged & hot)
        stray += len(flagged - near)
    assert found / 200 >= 0.95
    assert stray / 200 < 1.0  # on average less than one flagged cell away from the block


def test_pipeline_on_points_finds_the_planted_block_and_its_cluster():
    rng = np.random.default_rng(11)
    cells = study_cells(radius=10)
    counts, hot = planted(cells, base_rate=3.0, ratio=6.0, n_hot=7, rng=rng)
    pts = points_in_cells(cells, counts, rng)
    result = hotspots(pts, resolution=9, cluster_eps_m=200, cluster_min_samples=25)
    top = set(result.cells.nlargest(7, "gi_z").h3)
    assert len(top & hot) >= 5
    assert len(result.clusters) >= 1
    biggest = result.clusters.iloc[0]
    centres = [h3.cell_to_latlng(c) for c in hot]
    import shapely

    assert sum(shapely.contains_xy(biggest.geometry, lng, lat) for lat, lng in centres) >= 4


def test_no_incidents_is_a_clear_error():
    import pandas as pd

    with pytest.raises(InsufficientDataError, match="no incidents"):
        hotspots(pd.DataFrame({"lon": [], "lat": []}))
