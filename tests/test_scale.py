"""Automatic scale: the finest resolution from 7 to 10 the data support, deterministic, with a reason."""

from __future__ import annotations

import numpy as np
import pytest

from geo_trygghet.errors import InsufficientDataError
from geo_trygghet.hotspots.scale import choose_resolution, supported_shares


def town(n: int, seed: int = 0, spread: float = 0.004) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return 16.2 + rng.normal(0, spread * 1.9, n), 59.0 + rng.normal(0, spread, n)


def test_dense_points_get_fine_cells_and_periods_make_them_coarser() -> None:
    lon, lat = town(5000)
    assert choose_resolution(lon, lat).resolution == 10
    monthly = choose_resolution(lon, lat, periods=24, interval="month")
    weekly = choose_resolution(lon, lat, periods=104, interval="week")
    assert 7 <= weekly.resolution <= monthly.resolution <= 10
    assert weekly.resolution < 10


def test_the_choice_is_the_finest_meeting_the_rule_and_says_so() -> None:
    lon, lat = town(3000, seed=4)
    choice = choose_resolution(lon, lat, periods=12, interval="month")
    shares = supported_shares(lon, lat, periods=12)
    assert shares == choice.shares
    assert choice.met and shares[choice.resolution] >= 0.5
    assert all(shares[r] < 0.5 for r in shares if r > choice.resolution)
    reason = choice.reason("en")
    assert f"H3 resolution {choice.resolution} chosen automatically" in reason
    assert "at least 50% of the incidents" in reason and "per month" in reason
    assert f"{choice.resolution}: " in reason
    assert "vald automatiskt" in choice.reason("sv") and "per månad" in choice.reason("sv")


def test_same_input_same_choice() -> None:
    lon, lat = town(2000, seed=9)
    assert choose_resolution(lon, lat, periods=24) == choose_resolution(lon.copy(), lat.copy(), periods=24)


def test_too_sparse_falls_back_to_seven_and_says_why() -> None:
    lon, lat = town(40, seed=2, spread=0.2)
    choice = choose_resolution(lon, lat, periods=36, interval="month")
    assert choice.resolution == 7 and not choice.met
    assert "so the coarsest is used" in choice.reason("en")


def test_no_points_is_an_error() -> None:
    with pytest.raises(InsufficientDataError, match="no incidents"):
        choose_resolution(np.array([]), np.array([]))
