"""Mann-Kendall, vectorised over series, against pymannkendall (test-only dependency)."""

from __future__ import annotations

import numpy as np
import pymannkendall as mk
import pytest

from geo_trygghet.errors import InputError
from geo_trygghet.hotspots.trend import mann_kendall, tie_term


def _series_with_ties(seed: int, n: int, t: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    ints = rng.integers(0, 5, (n // 2, t)).astype(float)  # many ties
    trend = np.linspace(-1, 1, t) * rng.normal(0, 1, (n - n // 2, 1))
    rounded = np.round(rng.normal(0, 1, (n - n // 2, t)) + trend, 1)  # some ties
    return np.vstack([ints, rounded])


@pytest.mark.parametrize(("t", "seed"), [(10, 1), (24, 2), (36, 3), (5, 4)])
def test_equals_pymannkendall_on_series_with_ties(t: int, seed: int) -> None:
    x = _series_with_ties(seed, 120, t)
    ours = mann_kendall(x)
    for i, row in enumerate(x):
        ref = mk.original_test(row)
        assert ours.s[i] == pytest.approx(ref.s, abs=1e-9)
        assert ours.var_s[i] == pytest.approx(ref.var_s, abs=1e-9)
        assert ours.z[i] == pytest.approx(ref.z, abs=1e-9)
        assert ours.p[i] == pytest.approx(ref.p, abs=1e-9)
        assert ours.tau[i] == pytest.approx(ref.Tau, abs=1e-9)


def test_no_ties_and_all_ties() -> None:
    t = 12
    r = mann_kendall(np.vstack([np.arange(t, dtype=float), np.full(t, 3.0)]))
    assert r.s.tolist() == [t * (t - 1) // 2, 0]
    assert r.var_s[0] == pytest.approx(t * (t - 1) * (2 * t + 5) / 18)
    assert r.var_s[1] == 0 and r.z[1] == 0 and r.p[1] == 1
    assert r.trend().tolist() == [1, 0]


def test_tie_term_counts_groups_per_row() -> None:
    x = np.array([[1.0, 1.0, 2.0, 2.0, 2.0], [5.0, 4.0, 3.0, 2.0, 1.0]])
    # groups of 2 and 3: 2·1·9 + 3·2·11 = 84; no ties: 0
    assert tie_term(x).tolist() == [84.0, 0.0]


def test_bad_series_are_clear_errors() -> None:
    with pytest.raises(InputError, match="at least 3 values"):
        mann_kendall(np.zeros((2, 2)))
    with pytest.raises(InputError, match="missing values"):
        mann_kendall(np.array([[1.0, np.nan, 2.0, 3.0]]))
