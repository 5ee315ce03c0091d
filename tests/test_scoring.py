"""Hit rate, PAI and PEI: the ptools::pai example, pessimistic ties, true cell areas, coverage."""

from __future__ import annotations

import numpy as np
import pytest

from geo_trygghet.errors import InsufficientDataError
from geo_trygghet.hotspots.scoring import cumulative_scores, pessimistic_order, score_at, scores


def test_ptools_pai_example_exactly() -> None:
    cum = cumulative_scores([6, 7, 3, 2, 1, 0], [8, 4, 4, 2, 1, 0])
    np.testing.assert_allclose(cum.pai, [36 / 19, 27 / 19, 32 / 19, 27 / 19, 1.2, 1.0], rtol=0, atol=1e-12)
    assert cum.pai.round(4).tolist() == [1.8947, 1.4211, 1.6842, 1.4211, 1.2, 1.0]
    np.testing.assert_allclose(cum.pei, [6 / 7, 9 / 13, 1, 1, 1, 1], rtol=0, atol=1e-12)
    assert cum.pei.round(4).tolist() == [0.8571, 0.6923, 1.0, 1.0, 1.0, 1.0]
    np.testing.assert_allclose(cum.hit_rate, np.array([6, 9, 16, 18, 19, 19]) / 19)


def test_ties_are_broken_pessimistically() -> None:
    # the two cells predicted 4 observed 7 and 3: the 3 comes first
    assert pessimistic_order(np.array([8, 4, 4, 2]), np.array([6, 7, 3, 2])).tolist() == [0, 2, 1, 3]
    # a prediction that cannot tell cells apart scores as badly as possible
    cum = cumulative_scores([0, 0, 5, 0], [1, 1, 1, 1])
    assert cum.hits.tolist() == [0, 0, 0, 5]


def test_true_areas_enter_pai_and_coverage() -> None:
    observed, predicted = np.array([5, 3, 0, 0]), np.array([4, 3, 2, 1])
    area = np.array([2.0, 1.0, 1.0, 4.0])
    cum = cumulative_scores(observed, predicted, area)
    assert cum.area_share.tolist() == [0.25, 0.375, 0.5, 1.0]
    assert cum.pai[0] == pytest.approx((5 / 8) / 0.25)
    # best 1 cell by count is the same cell: PEI 1; coverage 0.3 takes only the first cell
    assert cum.pei[0] == pytest.approx(1.0)
    s = score_at(cum, 0.3)
    assert (s.cells, s.hits, s.area_share) == (1, 5, 0.25)
    # at least one cell even when it is larger than the coverage
    assert score_at(cum, 0.01).cells == 1


def test_scores_at_the_four_coverages() -> None:
    rng = np.random.default_rng(0)
    observed = rng.poisson(1.0, 400)
    predicted = observed + rng.normal(0, 0.5, 400)
    out = scores(observed, predicted)
    assert [s.coverage for s in out] == [0.01, 0.03, 0.05, 0.10]
    assert [s.cells for s in out] == [4, 12, 20, 40]
    assert all(0 < s.pei <= 1 + 1e-12 for s in out)
    assert all(s.pai == pytest.approx(s.hit_rate / s.area_share) for s in out)


def test_nothing_observed_is_a_clear_error() -> None:
    with pytest.raises(InsufficientDataError, match="no observed incidents"):
        cumulative_scores([0, 0], [1, 2])
