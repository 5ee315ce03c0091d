"""Forecasts: the three methods, auto by rolling-origin validation, the study area, the real data."""

from __future__ import annotations

from pathlib import Path

import h3
import numpy as np
import pandas as pd
import pytest

from geo_trygghet.errors import InputError, InsufficientDataError
from geo_trygghet.hotspots import grid as G
from geo_trygghet.hotspots.forecast import BASELINE, Method, _Space, forecast, predict
from geo_trygghet.hotspots.gistar import hotspots
from geo_trygghet.ingest.incidents import incidents_from_frame, read_incidents

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data" / "incidents.csv"
CENTRE = h3.latlng_to_cell(59.3, 18.0, 9)


def toy_space() -> _Space:
    cells = np.sort(G.to_int(h3.grid_disk(CENTRE, 3)))
    grid = G.Grid(cells=cells, incident_cell=np.zeros(0, np.int64), resolution=9)
    return _Space(grid=grid, area_km2=np.ones(len(cells)))


def test_count_decay_and_kde_by_hand() -> None:
    space = toy_space()
    centre = int(np.searchsorted(space.grid.cells, G.to_int([CENTRE])[0]))
    origin = np.datetime64("2024-01-01T00:00")
    when = np.array(["2023-12-31T00:00", "2023-12-02T00:00", "2020-01-01T00:00"], dtype="datetime64[ns]")
    cell = np.full(3, centre)
    assert predict(BASELINE, space, cell, when, origin)[centre] == 2  # the 2020 one is older than 3 years
    assert predict(Method("count", window_days=None), space, cell, when, origin)[centre] == 3
    decay = predict(Method("decay", window_days=None, half_life_days=30), space, cell, when, origin)
    assert decay[centre] == pytest.approx(2 ** (-1 / 30) + 2 ** (-30 / 30) + 2 ** (-1461 / 30))
    kde = predict(Method("kde", window_days=1095, rings=2), space, cell, when, origin)
    ring = {c: h3.grid_distance(CENTRE, c) for c in G.to_str(space.grid.cells)}
    expected = {0: 2.0, 1: 2 * (1 - (1 / 3) ** 2) ** 2, 2: 2 * (1 - (2 / 3) ** 2) ** 2, 3: 0.0}
    for pos, c in enumerate(G.to_str(space.grid.cells)):
        assert kde[pos] == pytest.approx(expected[ring[c]])
    # nothing on or after the origin is used
    assert predict(BASELINE, space, cell, np.array(["2024-01-01"] * 3, dtype="datetime64[ns]"), origin).sum() == 0


def _incidents(rates: dict[str, np.ndarray], months: pd.DatetimeIndex, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for cell, rate in rates.items():
        lat, lon = h3.cell_to_latlng(cell)
        for m, start in enumerate(months):
            for d in rng.integers(0, start.days_in_month, rng.poisson(rate[m])):
                rows.append((lat, lon, start + pd.Timedelta(days=int(d), hours=12)))
    return incidents_from_frame(pd.DataFrame(rows, columns=["lat", "lon", "occurred_at"])).gdf


def moved_hot_spot() -> tuple[pd.DataFrame, str, str]:
    """36 months: a hot spot at A for 30 months, then at B for the last 6."""
    months = pd.date_range("2021-01-01", periods=36, freq="MS")
    cells = list(h3.grid_disk(CENTRE, 7))
    a, b = sorted(c for c in cells if h3.grid_distance(CENTRE, c) == 5)[0], CENTRE
    near_a, near_b = set(h3.grid_disk(a, 1)), set(h3.grid_disk(b, 1))
    rates = {}
    for c in cells:
        r = np.full(36, 0.3)
        if c in near_a:
            r[:30] = 12.0
        if c in near_b:
            r[30:] = 12.0
        rates[c] = r
    return _incidents(rates, months), a, b


def test_auto_finds_that_recent_incidents_predict_better() -> None:
    incidents, _, b = moved_hot_spot()
    res = forecast(incidents, train_until="2023-10-31", test_until="2023-12-31", method="auto")
    assert res.method.name == "decay" and res.auto
    assert len(res.validation.origins) == 3
    base = forecast(incidents, train_until="2023-10-31", test_until="2023-12-31", method="count")
    assert res.scores[1].pei > base.scores[1].pei
    top = res.cells.sort_values("rank").iloc[0]["h3"]
    assert h3.grid_distance(top, b) <= 1


def test_auto_picks_the_baseline_when_nothing_does_better() -> None:
    months = pd.date_range("2022-01-01", periods=24, freq="MS")
    cells = list(h3.grid_disk(CENTRE, 5))
    rates = {c: np.full(24, 6.0 if c == CENTRE else 0.0) for c in cells}
    rates[cells[-1]] = np.full(24, 0.05)
    incidents = _incidents(rates, months, seed=3)
    res = forecast(incidents, train_until="2023-06-30", test_until="2023-12-31", method="auto")
    assert res.method == BASELINE
    peis = {c.mean_pei for c in res.validation.candidates}
    assert max(peis) == res.validation.of(BASELINE).mean_pei


def test_layer_rank_observed_and_the_study_area_of_hotspots() -> None:
    incidents, _, _ = moved_hot_spot()
    res = forecast(incidents, train_until="2023-10-31", test_until="2023-12-31", method="kde")
    assert list(res.cells.columns) == ["h3", "predicted", "rank", "observed", "geometry"]
    assert res.cells["h3"].tolist() == hotspots(incidents, clusters=False).cells["h3"].tolist()
    when = incidents["occurred_at"]
    assert res.cells["observed"].sum() == ((when >= "2023-11-01") & (when < "2024-01-01")).sum()
    top = res.cells["predicted"].max()
    assert (res.cells.loc[res.cells["predicted"] == top, "rank"] == 1).all()
    counted = forecast(incidents, train_until="2023-10-31", test_until="2023-12-31", method="count").cells
    groups = counted.groupby("predicted")["rank"]
    assert (groups.size() > 1).any() and (groups.nunique() == 1).all()  # equal predictions share a rank
    assert res.area_km2 == pytest.approx([h3.cell_area(c, unit="km^2") for c in res.cells["h3"]])
    s = res.score_at(0.03)
    assert s.pei == pytest.approx(res.scores[1].pei) and s.coverage == 0.03
    out = res.to_dict()
    assert out["method"] == "kde" and out["coverage"] == [0.01, 0.03, 0.05, 0.1]
    assert len(out["hit_rate"]) == len(out["pai"]) == len(out["pei"]) == 4


def test_bad_periods_are_clear_errors() -> None:
    incidents, _, _ = moved_hot_spot()
    with pytest.raises(InputError, match="--test-until 2023-01-31 must be after --train-until 2023-06-30"):
        forecast(incidents, train_until="2023-06-30", test_until="2023-01-31")
    with pytest.raises(InsufficientDataError, match="no incidents from 2024-02-01 to 2024-12-31"):
        forecast(incidents, train_until="2024-01-31", test_until="2024-12-31")
    with pytest.raises(InsufficientDataError, match="on or before --train-until 2019-01-01"):
        forecast(incidents, train_until="2019-01-01", test_until="2023-12-31")
    with pytest.raises(InputError, match="--method must be"):
        forecast(incidents, train_until="2023-06-30", test_until="2023-12-31", method="magic")


@pytest.mark.parametrize("case", ["sample", "lancashire"])
def test_auto_is_at_least_the_three_year_count_on_pei_at_three_percent(case: str, lancashire) -> None:
    if case == "sample":
        incidents, train, test = read_incidents(SAMPLE).gdf, "2024-06-30", "2024-12-31"
    else:
        incidents, train, test = incidents_from_frame(lancashire).gdf, "2022-09-30", "2022-12-31"
    auto = forecast(incidents, train_until=train, test_until=test, method="auto")
    base = forecast(incidents, train_until=train, test_until=test, method="count")
    assert auto.validation.folds >= 2
    assert auto.scores[1].pei >= base.scores[1].pei


def test_a_forecast_of_the_coming_months_has_validated_scores_for_any_coverage() -> None:
    incidents, _, b = moved_hot_spot()
    res = forecast(incidents, train_until="2023-12-31", test_until="2024-03-31", require_test=False)
    assert not res.scored and res.to_dict()["pei"] is None
    assert res.cells["observed"].sum() == 0 and len(res.folds) == 3
    chosen = res.validation.of(res.method)
    assert res.validated_at(0.03).pei == pytest.approx(chosen.scores[1].pei)
    slider = res.validated_at(0.07)
    assert 0 < slider.pei <= 1 and slider.coverage == 0.07
    mask = res.flagged(0.05)
    assert abs(int(mask.sum()) - res.validated_at(0.05).cells) <= 1
    assert res.area_km2[mask].sum() <= 0.05 * res.area_km2.sum() + 1e-9
    assert res.cells.loc[mask, "predicted"].min() >= res.cells.loc[~mask, "predicted"].max()
    assert b in set(res.cells.loc[mask, "h3"])
    with pytest.raises(InsufficientDataError, match="the test period"):
        forecast(incidents, train_until="2023-12-31", test_until="2024-03-31")
