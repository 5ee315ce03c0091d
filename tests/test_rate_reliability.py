"""Rates that can be trusted before they are headlined (issue 9, item 3), on planted areas.

Five square areas side by side with planted counts over exactly two years:

====================  ===========  ======  ==============================================
area                  inhabitants  count   why
====================  ===========  ======  ==============================================
Handelsområdet               600    1 200   highest raw rate, narrow interval, few residents
Byn                        2 000        3   high raw rate? no: few incidents, wide interval
Centrum                    8 000      900   the highest reliable rate
Norr                      10 000      500
Söder                     12 000      400
====================  ===========  ======  ==============================================
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from geo_trygghet import schema as S
from geo_trygghet.lagesbild import build_lagesbild
from geo_trygghet.lagesbild import rates as R
from geo_trygghet.lagesbild.reliability import MAX_RELATIVE_CI_WIDTH, MIN_POPULATION, eb_rates

LON0, LAT0, STEP = 16.0, 59.0, 0.01
PLANTED = [("Handelsområdet", 600, 1200), ("Byn", 2000, 3), ("Centrum", 8000, 900), ("Norr", 10_000, 500),
           ("Söder", 12_000, 400)]


@pytest.fixture(scope="module")
def planted() -> tuple[pd.DataFrame, gpd.GeoDataFrame]:
    rng = np.random.default_rng(9)
    areas = gpd.GeoDataFrame(
        {"name": [n for n, _, _ in PLANTED], "population": [p for _, p, _ in PLANTED]},
        geometry=[box(LON0 + i * STEP, LAT0, LON0 + (i + 0.9) * STEP, LAT0 + 0.009) for i in range(len(PLANTED))],
        crs="EPSG:4326")
    rows = []
    days = pd.date_range("2022-01-02", "2023-12-30").to_numpy()
    for i, (_, _, count) in enumerate(PLANTED):
        lon = LON0 + (i + 0.1 + rng.random(count) * 0.7) * STEP
        lat = LAT0 + 0.001 + rng.random(count) * 0.007
        rows.append(pd.DataFrame({S.OCCURRED_AT: rng.choice(days, count), S.LON: lon, S.LAT: lat}))
    ends = pd.DataFrame({S.OCCURRED_AT: pd.to_datetime(["2022-01-01", "2023-12-31"]),
                         S.LON: [LON0 + 2.5 * STEP] * 2, S.LAT: [LAT0 + 0.004] * 2})  # the span: 2 years
    incidents = pd.concat([*rows, ends], ignore_index=True)
    incidents[S.CATEGORY] = "stold"
    incidents[S.CRIME_TYPE] = "Stöld"
    return incidents, areas


def test_every_rate_has_an_exact_interval_and_a_verdict(planted):
    incidents, areas = planted
    tab = R.rates_per_100k(incidents, areas).table.set_index("name")
    years = 730 / 365.25
    lo, hi = R.poisson_ci(3)
    assert math.isclose(tab.loc["Byn", "rate_low"], float(lo) / (2000 * years) * 1e5)
    assert math.isclose(tab.loc["Byn", "rate_high"], float(hi) / (2000 * years) * 1e5)
    assert tab.loc["Handelsområdet", "uncertain"] == "population"  # 600 < 1 000, however narrow
    assert tab.loc["Handelsområdet", "rate_high"] / tab.loc["Handelsområdet", "rate"] < 1.2
    assert tab.loc["Byn", "uncertain"] == "interval"  # 3 incidents: the interval is wider than the rate
    assert (tab.loc["Byn", "rate_high"] - tab.loc["Byn", "rate_low"]) / tab.loc["Byn", "rate"] > MAX_RELATIVE_CI_WIDTH
    for name in ("Centrum", "Norr", "Söder"):
        assert pd.isna(tab.loc[name, "uncertain"]) and tab.loc[name, "reliable"], name
    assert not tab.loc["Handelsområdet", "reliable"] and not tab.loc["Byn", "reliable"]
    assert MIN_POPULATION == 1000


def test_the_headline_names_the_highest_reliable_rate(planted):
    incidents, areas = planted
    raw = R.rates_per_100k(incidents, areas).table
    assert raw.loc[~raw["is_total"]].sort_values("rate").iloc[-1]["name"] == "Handelsområdet"  # raw: the shops
    lb = build_lagesbild(incidents, areas=areas, reference="kommun")
    answer = lb.answer("reference").answer
    assert "Högst bland säkra områden är Centrum" in answer, answer
    assert "Handelsområdet" in answer and "osäker" in answer  # named, but as uncertain, not as the highest
    assert "färre än 1 000 invånare" in answer
    en = lb.answer("reference").worded("en").answer
    assert "Highest among reliable areas is Centrum" in en, en


def test_smoothed_rates_pull_small_areas_towards_the_kommun(planted):
    """Marshall's global empirical Bayes: the small area moves most, towards the kommun's rate."""
    incidents, areas = planted
    r = R.rates_per_100k(incidents, areas)
    tab = r.table.set_index("name")
    kommun = float(r.table.loc[r.table["is_total"], "rate"].iloc[0])
    assert r.smoothing == "empirical_bayes_marshall_1991"
    byn_raw, byn_eb = tab.loc["Byn", "rate"], tab.loc["Byn", "rate_eb"]
    assert abs(byn_eb - kommun) < abs(byn_raw - kommun)  # towards the kommun's rate
    big_shift = abs(tab.loc["Söder", "rate_eb"] - tab.loc["Söder", "rate"]) / tab.loc["Söder", "rate"]
    small_shift = abs(byn_eb - byn_raw) / byn_raw
    assert small_shift > 10 * big_shift  # the small area moves far more than a large one
    # by hand, Marshall (1991): b = Σk/Σn, s² = Σn(r-b)²/Σn, a = s² - b/n̄, C = a/(a + b/n)
    names = [nm for nm, _, _ in PLANTED]
    k = tab.loc[names, "count"].to_numpy(float)  # as planted, and the two rows that fix the span
    n = np.array([p for _, p, _ in PLANTED], float) * r.period_years
    b, rr = k.sum() / n.sum(), k / n
    a = max(0.0, (n * (rr - b) ** 2).sum() / n.sum() - b / n.mean())
    want = (b + a / (a + b / n) * (rr - b)) * 1e5
    np.testing.assert_allclose(tab.loc[names, "rate_eb"], want, rtol=1e-9)
    np.testing.assert_allclose(eb_rates(k, n) * 1e5, want, rtol=1e-12)


def test_no_between_area_variation_gives_the_kommun_rate_everywhere():
    eb = eb_rates(np.array([10, 20, 40]), np.array([1000.0, 2000.0, 4000.0]))
    np.testing.assert_allclose(eb, 0.01)
    assert np.isnan(eb_rates(np.array([1, 2]), np.array([0.0, 100.0]))[0])


def test_the_report_marks_uncertain_areas_and_names_the_method(planted):
    from geo_trygghet.reports.lagesbild import report_html

    incidents, areas = planted
    html = report_html(build_lagesbild(incidents, areas=areas, reference="kommun"), title="Lägesbild")
    assert "osäker: få invånare" in html and "osäker: få händelser" in html
    assert "Utjämnad (EB)" in html and "Marshall (1991)" in html
    assert "Högst bland säkra områden är Centrum" in html
