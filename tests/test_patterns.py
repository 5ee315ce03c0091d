"""Lägesbild patterns: every answer is checked against a truth planted in synthetic data."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from geo_trygghet import schema as S
from geo_trygghet.errors import InputError, InsufficientDataError
from geo_trygghet.lagesbild import concentration as C
from geo_trygghet.lagesbild import patterns as P
from geo_trygghet.lagesbild import stodfragor as Q

LON0, LAT0 = 17.10, 60.65  # a town-sized box near Gävle
DLON, DLAT = 0.09, 0.045   # about 5 km × 5 km


def make_incidents(rng: np.random.Generator, *, start: str = "2022-01-01", months: int = 36,
                   base_per_day: float = 4.0, growth_per_year: float = 0.0, summer_factor: float = 1.0,
                   weekend_night_share: float = 0.0, hot_share: float = 0.0,
                   categories: dict[str, float] | None = None, resolution: str = "minute") -> pd.DataFrame:
    """Incidents with a planted trend, season, weekend-night share and hot spot."""
    end = pd.Timestamp(start) + pd.DateOffset(months=months)
    days = pd.date_range(start, end - pd.Timedelta(days=1), freq="D")
    years = np.arange(len(days)) / 365.25
    lam = base_per_day * (1 + growth_per_year) ** years
    summer = np.isin(days.month, [6, 7, 8])
    lam = lam * np.where(summer, summer_factor, 1.0)
    n_per_day = rng.poisson(lam)
    day_of = np.repeat(days.to_numpy(), n_per_day)
    n = len(day_of)
    minutes = rng.integers(0, 24 * 60, size=n)
    t = pd.to_datetime(day_of) + pd.to_timedelta(minutes, unit="m")
    if weekend_night_share > 0:
        # move a share of incidents to Friday/Saturday 22-23 or Saturday/Sunday 00-02 of the same week
        move = rng.random(n) < weekend_night_share
        week_start = pd.to_datetime(day_of).to_period("W-SUN").start_time  # Monday
        slot = rng.integers(0, 10, size=n)  # 0-3: Fri/Sat 22,23 ; 4-9: Sat/Sun 0,1,2
        offs_day = np.where(slot < 4, 4 + slot // 2, 5 + (slot - 4) // 3)
        offs_hour = np.where(slot < 4, 22 + slot % 2, (slot - 4) % 3)
        night = week_start + pd.to_timedelta(offs_day, unit="D") + pd.to_timedelta(offs_hour, unit="h") \
            + pd.to_timedelta(rng.integers(0, 60, size=n), unit="m")
        inside = (night >= days[0]) & (night < end)  # keep the planted period's edges clean
        t = pd.DatetimeIndex(np.where(move & inside, night, t))
    lon = LON0 + rng.random(n) * DLON
    lat = LAT0 + rng.random(n) * DLAT
    if hot_share > 0:
        hot = rng.random(n) < hot_share
        lon = np.where(hot, LON0 + 0.6 * DLON + rng.normal(0, 0.0008, n), lon)
        lat = np.where(hot, LAT0 + 0.4 * DLAT + rng.normal(0, 0.0004, n), lat)
    cats = categories or {"tillgreppsbrott": 0.5, "brott_mot_liv_och_halsa": 0.3, "skadegorelse": 0.2}
    cat = rng.choice(list(cats), size=n, p=np.array(list(cats.values())) / sum(cats.values()))
    types = {"tillgreppsbrott": "Stöld/snatteri i butik", "brott_mot_liv_och_halsa": "Misshandel utomhus",
             "skadegorelse": "Klotter", "narkotika": "Eget bruk", "bedrageri": "Bedrägeri"}
    df = pd.DataFrame({
        S.OCCURRED_AT: pd.DatetimeIndex(t).astype("datetime64[ns]"),
        S.TIME_RESOLUTION: resolution,
        S.CRIME_TYPE: [types.get(c, "Övrigt") for c in cat],
        S.CATEGORY: cat,
        S.LON: lon,
        S.LAT: lat,
        S.SOURCE_ROW: np.arange(1, n + 1),
    })
    return df.sort_values(S.OCCURRED_AT, kind="stable").reset_index(drop=True)


@pytest.fixture(scope="module")
def patterned() -> pd.DataFrame:
    rng = np.random.default_rng(20240601)
    return make_incidents(rng, growth_per_year=0.30, summer_factor=1.8, weekend_night_share=0.5, hot_share=0.3)


@pytest.fixture(scope="module")
def plain() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    return make_incidents(rng, months=36)


def _areas() -> gpd.GeoDataFrame:
    west = box(LON0, LAT0, LON0 + DLON / 2, LAT0 + DLAT)
    east = box(LON0 + DLON / 2, LAT0, LON0 + DLON, LAT0 + DLAT)
    return gpd.GeoDataFrame({"namn": ["Väster", "Öster"], "population": [10_000, 40_000]},
                            geometry=[west, east], crs="EPSG:4326")


# ----------------------------------------------------------------------------- categories
def test_category_counts_plants_and_labels():
    rng = np.random.default_rng(1)
    df = make_incidents(rng, months=12, categories={"tillgreppsbrott": 6, "narkotika": 3, "bedrageri": 1})
    cc = P.category_counts(df)
    truth = df[S.CATEGORY].value_counts()
    assert cc[S.CATEGORY].tolist() == truth.index.tolist()
    assert cc["count"].tolist() == truth.tolist()
    assert cc.loc[0, "label"] == "Stöld, rån och andra tillgreppsbrott"
    assert math.isclose(cc["share"].sum(), 1.0)
    en = P.category_counts(df, lang="en")
    assert en.loc[0, "label"].startswith("Theft")


def test_category_counts_keeps_missing_category():
    df = pd.DataFrame({S.CATEGORY: ["narkotika", None, "narkotika", None, None]})
    cc = P.category_counts(df)
    assert cc.loc[0, "label"] == "okänd" and cc.loc[0, "count"] == 3
    assert cc["count"].sum() == 5


def test_unknown_language_is_an_input_error(plain):
    with pytest.raises(InputError):
        P.category_counts(plain, lang="de")


# ----------------------------------------------------------------------------- trend
def test_monthly_trend_zero_months_and_trailing_average():
    t = pd.to_datetime(["2023-01-05", "2023-01-20", "2023-04-02"] + ["2024-01-10"] * 5)
    df = pd.DataFrame({S.OCCURRED_AT: t, S.TIME_RESOLUTION: "day"})
    mt = P.monthly_trend(df)
    tab = mt.table
    assert len(tab) == 13  # Jan 2023 .. Jan 2024, zero months included
    assert tab["count"].tolist() == [2, 0, 0, 1] + [0] * 8 + [5]
    assert tab["ma12"].iloc[:11].isna().all()
    assert math.isclose(tab["ma12"].iloc[11], 3 / 12)        # Jan..Dec 2023
    assert math.isclose(tab["ma12"].iloc[12], (1 + 5) / 12)  # Feb 2023..Jan 2024 (trailing)
    assert tab["rolling12"].iloc[12] == 6
    assert mt.ma_kind == "trailing"
    wide = P.monthly_trend(df, start="2022-11-15", end="2024-03-31").table
    assert len(wide) == 17 and wide["count"].iloc[:2].tolist() == [0, 0] and wide["count"].iloc[-2:].tolist() == [0, 0]
    assert wide["count"].sum() == len(df)


def test_rising_trend_is_found(patterned):
    mt = P.monthly_trend(patterned)
    assert mt.direction == "rising"
    assert mt.p < 0.01
    assert 0.15 < mt.change_per_year < 0.45  # planted +30 % per year
    row = mt.tests.iloc[0]
    assert row["ci_low"] < 0.30 < row["ci_high"]


def test_falling_and_flat_per_group():
    rng = np.random.default_rng(3)
    up = make_incidents(rng, growth_per_year=0.4, categories={"narkotika": 1})
    down = make_incidents(rng, growth_per_year=-0.35, categories={"bedrageri": 1})
    flat = make_incidents(rng, categories={"skadegorelse": 1})
    df = pd.concat([up, down, flat], ignore_index=True)
    mt = P.monthly_trend(df, by=S.CATEGORY)
    d = dict(zip(mt.tests["group"], mt.tests["direction"], strict=True))
    assert d == {"narkotika": "rising", "bedrageri": "falling", "skadegorelse": "flat"}
    assert set(mt.table[S.CATEGORY]) == {"narkotika", "bedrageri", "skadegorelse"}
    assert mt.table.groupby(S.CATEGORY).size().nunique() == 1  # same months for every group


def test_flat_series_rarely_called_a_trend():
    false = 0
    for seed in range(30):
        df = make_incidents(np.random.default_rng(1000 + seed), months=30, base_per_day=2.0)
        false += P.monthly_trend(df).direction != "flat"
    assert false <= 4  # α = 0.05 → about 1.5 expected of 30


def test_short_series_is_insufficient():
    df = pd.DataFrame({S.OCCURRED_AT: pd.to_datetime(["2024-01-01", "2024-03-01"])})
    mt = P.monthly_trend(df)
    assert mt.direction == "insufficient"


def test_empty_incidents_raise():
    df = pd.DataFrame({S.OCCURRED_AT: pd.to_datetime([]), S.CATEGORY: [], S.LON: [], S.LAT: []})
    with pytest.raises(InsufficientDataError):
        P.monthly_trend(df)
    with pytest.raises(InsufficientDataError):
        Q.lagesbild_answers(df)


# ----------------------------------------------------------------------------- season
def test_seasonal_profile_finds_summer(patterned, plain):
    sp = P.seasonal_profile(patterned)
    idx = sp.by_season.set_index("season")["index"]
    assert idx.idxmax() == "sommar"
    assert idx["sommar"] > 130
    assert sp.p < 0.01
    assert sp.by_month["count"].sum() == len(patterned)
    assert list(sp.by_month["name"])[:3] == ["jan", "feb", "mar"]
    sp0 = P.seasonal_profile(plain)
    assert sp0.p > 0.01
    assert sp0.by_season["index"].between(85, 115).all()


def test_season_index_adjusts_for_exposure():
    # 14 months: Jan and Feb occur twice; one incident per day gives index 100 everywhere
    days = pd.date_range("2023-01-01", "2024-02-29", freq="D")
    df = pd.DataFrame({S.OCCURRED_AT: days})
    sp = P.seasonal_profile(df)
    assert np.allclose(sp.by_month["index"], 100.0)
    assert sp.by_month.loc[0, "days"] == 62


# ----------------------------------------------------------------------------- weekday × hour
def test_weekday_hour_uses_only_clock_times():
    t = pd.to_datetime(["2024-05-03 22:15", "2024-05-04 01:30", "2024-05-06 00:00", "2024-05-01 00:00"])
    df = pd.DataFrame({S.OCCURRED_AT: t, S.TIME_RESOLUTION: ["minute", "minute", "day", "month"]})
    wh = P.weekday_hour(df)
    assert wh.table.shape == (7, 24)
    assert list(wh.table.index) == ["mån", "tis", "ons", "tor", "fre", "lör", "sön"]
    assert wh.table.loc["fre", 22] == 1 and wh.table.loc["lör", 1] == 1
    assert wh.table.to_numpy().sum() == 2
    assert wh.n_used == 2 and wh.n_without_time == 2


def test_concentration_weekend_nights(patterned, plain):
    c = C.concentration(patterned)
    assert 5 in c.top_days  # lördag
    assert c.weekday_p < 1e-6
    s, _ = c.peak_window
    assert s in (20, 21, 22)  # the 6-hour window spans the planted 22-03
    assert c.peak_window_share > 0.5
    assert c.top_cells_share > 0.45  # half the incidents sit in 10 of 168 cells
    c0 = C.concentration(plain)
    assert c0.top_cells_share < 0.2
    assert c0.peak_window_share < 0.3


def test_concentration_places(patterned, plain):
    c = C.concentration(patterned)
    assert c.top_places_share > 0.3 > c.top_places_expected
    assert c.places_p < 0.01
    assert c.n_cells > 100
    assert c.cell_counts[S.COUNT].sum() == len(patterned)
    c0 = C.concentration(plain)
    assert c0.places_p > 0.01
    assert abs(c0.top_places_share - c0.top_places_expected) < 0.03
