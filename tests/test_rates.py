"""Rates per 100 000: counts, rates and exact Poisson intervals checked against hand calculations."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from geo_trygghet import schema as S
from geo_trygghet.errors import InputError, SchemaError
from geo_trygghet.lagesbild import rates as R
from geo_trygghet.lagesbild import stodfragor as Q

from . import test_patterns
from .test_patterns import DLON, LAT0, LON0, _areas

#: the synthetic incidents with planted patterns, the module-scoped fixture of test_patterns
patterned = test_patterns.patterned


def test_poisson_ci_matches_known_values():
    lo, hi = R.poisson_ci(10)
    assert math.isclose(float(lo), 4.7954, abs_tol=1e-3)
    assert math.isclose(float(hi), 18.3904, abs_tol=1e-3)
    lo0, hi0 = R.poisson_ci(0)
    assert float(lo0) == 0 and math.isclose(float(hi0), 3.6889, abs_tol=1e-3)


def test_rates_per_100k_hand_calculation():
    # exactly two years (2022-01-01 .. 2023-12-31), 30 incidents west, 12 east, 3 outside
    rng = np.random.default_rng(5)
    t = pd.to_datetime(rng.choice(pd.date_range("2022-01-02", "2023-12-30").to_numpy(), 45))
    t = t.append(pd.DatetimeIndex(["2022-01-01", "2023-12-31"]))
    lon = np.r_[LON0 + 0.01 + rng.random(30) * 0.02, LON0 + 0.06 + rng.random(12) * 0.02, [LON0 - 0.5] * 3,
                LON0 + 0.01, LON0 + 0.07]
    lat = np.full(len(lon), LAT0 + 0.02)
    df = pd.DataFrame({S.OCCURRED_AT: t, S.LON: lon, S.LAT: lat})
    areas = _areas().to_crs("EPSG:3006")  # any CRS is accepted
    before = df.copy()
    r = R.rates_per_100k(df, areas, reference=50.0)
    pd.testing.assert_frame_equal(df, before)
    tab = r.table.set_index("name")
    years = 730 / 365.25
    assert math.isclose(r.period_years, years)
    assert tab.loc["Väster", "count"] == 31 and tab.loc["Öster", "count"] == 13
    assert math.isclose(tab.loc["Väster", "rate"], 31 / (10_000 * years) * 1e5)
    assert math.isclose(tab.loc["Öster", "rate"], 13 / (40_000 * years) * 1e5)
    total = r.table[r.table["is_total"]].iloc[0]
    assert total["count"] == 44 and total["population"] == 50_000
    assert r.n_outside == 3
    assert math.isclose(tab.loc["Väster", "ratio"], tab.loc["Väster", "rate"] / 50.0)
    assert tab.loc["Väster", "rate_low"] < tab.loc["Väster", "rate"] < tab.loc["Väster", "rate_high"]
    lo, hi = R.poisson_ci(31)
    assert math.isclose(tab.loc["Väster", "rate_low"], float(lo) / (10_000 * years) * 1e5)
    by_year = r.by_year.set_index(["name", "year"])
    assert by_year["count"].sum() == 44
    # rows without a position are skipped, and per-year counts still line up
    holes = df.copy()
    holes.loc[[0, 5], [S.LON, S.LAT]] = np.nan
    r2 = R.rates_per_100k(holes, areas)
    assert r2.table["count"].iloc[-1] == 44 - int(((lon[[0, 5]] > LON0) & (lon[[0, 5]] < LON0 + DLON)).sum())
    assert r2.by_year["count"].sum() == r2.table["count"].iloc[-1]
    assert r2.by_year.groupby("name")["count"].sum().to_dict() == \
        r2.table[~r2.table["is_total"]].set_index("name")["count"].to_dict()
    assert math.isclose(by_year.loc[("Väster", 2022), "years"], 1.0)


def test_rates_against_another_area_and_kommun():
    rng = np.random.default_rng(11)
    n_w, n_e = 400, 400  # same counts, four times the population in the east → ratio west/east = 4
    t = pd.to_datetime(rng.choice(pd.date_range("2023-01-01", "2023-12-31").to_numpy(), n_w + n_e))
    lon = np.r_[LON0 + 0.005 + rng.random(n_w) * 0.035, LON0 + 0.05 + rng.random(n_e) * 0.035]
    lat = LAT0 + 0.005 + rng.random(n_w + n_e) * 0.035
    df = pd.DataFrame({S.OCCURRED_AT: t, S.LON: lon, S.LAT: lat})
    r = R.rates_per_100k(df, _areas(), reference="Öster")
    tab = r.table.set_index("name")
    assert math.isclose(tab.loc["Väster", "ratio"], 4.0, rel_tol=1e-9)
    assert tab.loc["Väster", "ratio_low"] < 4.0 < tab.loc["Väster", "ratio_high"]
    assert tab.loc["Öster", "ratio_low"] < 1.0 < tab.loc["Öster", "ratio_high"]
    rk = R.rates_per_100k(df, _areas(), reference="kommun")
    assert math.isclose(rk.table.iloc[-1]["ratio"], 1.0)
    with pytest.raises(InputError):
        R.rates_per_100k(df, _areas(), reference="Norr")
    with pytest.raises(SchemaError):
        R.rates_per_100k(df, _areas(), population_col="invanare")


def test_category_rates_against_a_per_category_reference(patterned):
    # planted: skadegorelse at about 20 % of ~5.5/day; compare with references set far above/below/at it
    pop = 50_000
    tab0 = R.category_rates(patterned, population=pop)
    rate = tab0.set_index(S.CATEGORY)["rate"]
    ref = pd.DataFrame({S.CATEGORY: ["skadegorelse", "tillgreppsbrott", "brott_mot_liv_och_halsa",
                                     "tillgreppsbrott"],
                        S.CRIME_TYPE: ["", "", "", "Cykelstöld"],
                        "rate_per_100000": [rate["skadegorelse"] / 2, rate["tillgreppsbrott"] * 2,
                                            rate["brott_mot_liv_och_halsa"], 1.0]})
    tab = R.category_rates(patterned, population=pop, reference=ref).set_index(S.CATEGORY)
    assert tab.loc["skadegorelse", "verdict"] == "higher"
    assert math.isclose(tab.loc["skadegorelse", "ratio"], 2.0)
    assert tab.loc["tillgreppsbrott", "verdict"] == "lower"  # the crime-type row is not added to the total
    assert tab.loc["brott_mot_liv_och_halsa", "verdict"] == "similar"
    years = tab.attrs["years"]
    n = int((patterned[S.CATEGORY] == "skadegorelse").sum())
    assert math.isclose(tab.loc["skadegorelse", "rate"], n / (pop * years) * 1e5)
    ans = {a.key: a for a in Q.lagesbild_answers(patterned, population=pop, reference=ref)}["reference"]
    assert ans.answer.startswith("Ja, högre än referensvärdet: Skadegörelsebrott")
    assert "Lägre: Stöld, rån och andra tillgreppsbrott" in ans.answer
    with pytest.raises(SchemaError):
        R.category_rates(patterned, population=pop, reference=pd.DataFrame({"x": [1]}))


# --------------------------------------------------------------------------- population from a table
def test_attach_population_joins_lancashire_wards_on_their_codes_not_their_names(shared_data):
    """Ward names repeat across districts (6 twice); the codes do not: the join takes the codes."""
    import geopandas as gpd

    from geo_trygghet.ingest.incidents import read_table

    lancs = shared_data / "lancashire_asb_2022"
    wards = gpd.read_file(lancs / "lancashire_wards.gpkg")
    table = read_table(lancs / "lancashire_ward_pop.xlsx")
    out = R.attach_population(wards, table)
    join = out.attrs["population_join"]
    assert (join["area_key"], join["table_key"], join["population_col"]) == ("ward_code", "gss_code", "population")
    truth = wards.merge(table, left_on="ward_code", right_on="gss_code")  # pandas as the reference
    assert join["matched"] == len(truth) == len(out) and join["areas"] == len(wards)
    assert sorted(join["unmatched"]) == sorted(set(wards.ward_code) - set(table.gss_code))
    got = out.set_index("ward_code")["population"]
    assert (got.loc[truth.ward_code].to_numpy() == truth.population.to_numpy()).all()


def test_attach_population_matches_kommun_codes_an_excel_sheet_made_numbers():
    import geopandas as gpd
    from shapely.geometry import box

    areas = gpd.GeoDataFrame({"kommunkod": ["0180", "0181", "0182"], "namn": ["A", "B", "C"]},
                             geometry=[box(i, 0, i + 1, 1) for i in range(3)], crs="EPSG:4326")
    table = pd.DataFrame({"Kod": [180, 181, 182], "Kommun": ["A", "B", "C"], "Folkmängd": [1000, 2000, 3000]})
    out = R.attach_population(areas, table)
    assert out["population"].tolist() == [1000, 2000, 3000]
    assert out.attrs["population_join"]["population_col"] == "Folkmängd"


def test_attach_population_says_in_one_line_what_is_wrong():
    import geopandas as gpd
    from shapely.geometry import box

    areas = gpd.GeoDataFrame({"code": ["X1", "X2"]}, geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs="EPSG:4326")
    with pytest.raises(SchemaError, match="share no code") as err:
        R.attach_population(areas, pd.DataFrame({"kod": ["Y1", "Y2"], "population": [1, 2]}))
    assert "\n" not in str(err.value)
    with pytest.raises(SchemaError, match="repeats codes in 'kod'"):
        R.attach_population(areas, pd.DataFrame({"kod": ["X1", "X1"], "population": [1, 2]}), table_key="kod")
    with pytest.raises(SchemaError, match="several numeric columns"):
        R.attach_population(areas, pd.DataFrame({"kod": ["X1", "X2"], "män": [1, 2], "kvinnor": [1, 2]}))
    with pytest.raises(SchemaError, match="no column 'pop'"):
        R.attach_population(areas, pd.DataFrame({"kod": ["X1", "X2"], "n": [1, 2]}), population_col="pop")
