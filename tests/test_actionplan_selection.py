"""From the lägesbild to a problem: a selection of chosen cells, a hot-spot area or a drawn polygon,
and the figures of the moment counted in it (checked against a plain count)."""

from __future__ import annotations

import datetime as dt
import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box, shape

from geo_trygghet import schema as S
from geo_trygghet.actionplan import PlanSelection, ProblemFigures, problem_figures
from geo_trygghet.errors import InputError


def incidents(n_inside_2023: int, n_inside_2024: int, n_outside: int) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(3)
    rows = []
    for year, n in ((2023, n_inside_2023), (2024, n_inside_2024)):
        days = rng.integers(0, 365, n)
        for d in days:
            rows.append((16.195 + rng.uniform(-0.002, 0.002), 58.992 + rng.uniform(-0.001, 0.001),
                         pd.Timestamp(year, 1, 1) + pd.Timedelta(days=int(d), hours=20), "skadegorelse", "Klotter"))
    for _ in range(n_outside):
        rows.append((16.25, 58.95, pd.Timestamp(2024, 6, 1), "tillgreppsbrott", "Stöld"))
    df = pd.DataFrame(rows, columns=[S.LON, S.LAT, S.OCCURRED_AT, S.CATEGORY, S.CRIME_TYPE])
    return gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df[S.LON], df[S.LAT]), crs="EPSG:4326")


AREA = box(16.19, 58.99, 16.20, 58.995)


def test_figures_of_a_drawn_polygon():
    data = incidents(40, 90, 25)
    sel = PlanSelection.from_polygon(AREA.__geo_interface__, label="Torget")
    fig = problem_figures(data, sel)
    assert fig.incidents == 130
    assert fig.by_category == (("skadegorelse", 130),) and fig.by_type == (("Klotter", 130),)
    t = data[S.OCCURRED_AT]
    inside = data.within(AREA)
    last = t[inside].max().normalize() + pd.Timedelta(days=1)
    days = (last - t.min().normalize()).days // 2  # half of what the data covers, under a year here
    assert fig.window_days == days
    window = pd.Timedelta(days=days)
    assert fig.recent == int((inside & (t >= last - window)).sum())
    assert fig.earlier == int((inside & (t >= last - 2 * window) & (t < last - window)).sum())
    assert fig.trend == "rising" and fig.trend_p < 0.001
    assert fig.hectares == pytest.approx(32, rel=0.05)  # 573 m × 556 m
    assert "130 händelser" in fig.describe("sv") and "Ökande" in fig.describe("sv")
    assert ProblemFigures.from_dict(fig.to_dict()) == fig


def test_filters_of_the_moment_and_a_short_data_span():
    data = incidents(40, 90, 25)
    sel = PlanSelection.from_polygon(AREA, categories=["tillgreppsbrott"])
    assert problem_figures(data, sel).incidents == 0
    sel = PlanSelection.from_polygon(AREA, since=dt.date(2024, 1, 1), until=dt.date(2024, 6, 30))
    fig = problem_figures(data, sel)
    t = data[S.OCCURRED_AT]
    assert fig.incidents == int(((t >= "2024-01-01") & (t < "2024-07-01") & data.within(AREA)).sum())
    assert (fig.period_from, fig.period_to) == (dt.date(2024, 1, 1), dt.date(2024, 6, 30))
    assert fig.window_days == 91  # half of the chosen period's 182 days
    short = PlanSelection.from_polygon(AREA, since=dt.date(2024, 6, 1), until=dt.date(2024, 6, 30))
    assert problem_figures(data, short).trend is None  # too short to say


def test_cells_and_a_hot_spot_area():
    cells = ["8908b3a0a2bffff", "8908b3a0a2fffff"]
    sel = PlanSelection.from_cells(cells + cells[:1], label="Två celler")
    assert sel.kind == "cells" and sel.cells == tuple(sorted(cells))
    assert shape(json.loads(sel.area)).area > 0
    clusters = gpd.GeoDataFrame({S.CLUSTER_ID: [3, 7], S.COUNT: [10, 20], S.AREA_M2: [1.0, 2.0]},
                                geometry=[AREA, box(16.3, 59.0, 16.31, 59.01)], crs="EPSG:4326")
    picked = PlanSelection.from_cluster(clusters, 3, categories=["skadegorelse"])
    assert picked.kind == "polygon" and shape(json.loads(picked.area)).equals(AREA)
    assert picked.categories == ("skadegorelse",)
    with pytest.raises(InputError, match="no hot-spot area 5"):
        PlanSelection.from_cluster(clusters, 5)
    with pytest.raises(InputError, match="no cells chosen"):
        PlanSelection.from_cells([])
