"""The lägesbild's answer to "har det skett en ökning eller minskning över tid?" names the places:
how many cells are new, intensifying, persistent (and diminishing) hot spots, and in which areas."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from geo_trygghet.hotspots.emerging import emerging_hotspots
from geo_trygghet.lagesbild import build_lagesbild
from geo_trygghet.lagesbild.where import KINDS, change_phrases, change_places

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"


@pytest.fixture(scope="module")
def sample():
    from geo_trygghet.ingest.incidents import read_boundary, read_incidents

    inc = read_incidents(SAMPLE / "incidents.csv").gdf
    town = read_boundary(SAMPLE / "tatort.geojson").geometry.union_all()
    areas = gpd.read_file(SAMPLE / "omraden.geojson")
    return inc, emerging_hotspots(inc, resolution=9, boundary=town), areas


def test_places_are_the_emerging_cells_counted_per_area(sample):
    _inc, result, areas = sample
    places = change_places(result, areas)
    counts = result.pattern_counts()
    assert places.counts == {k: counts.get(f"{k}_hot_spot", 0) for k in KINDS}
    assert places.named and (places.first, places.last, places.interval) == ("2023-01", "2024-12", "month")
    for kind in KINDS:
        table = result.by_area(areas, "name", f"{kind}_hot_spot")
        assert places.areas[kind] == tuple(zip(table["area"], table["cells"], strict=True))
        assert sum(n for _, n in places.areas[kind]) + places.outside.get(kind, 0) == places.counts[kind]
    assert places.counts["persistent"] >= 3  # the three planted hot spots last the whole period


def test_the_trend_answer_names_them_in_swedish_and_english(sample):
    inc, result, areas = sample
    lb = build_lagesbild(inc, areas=areas, emerging=result)
    answer = lb.answer("trend")
    places = lb.change
    assert places is not None and answer.figures["emerging"]["hot_spot_cells"] == places.counts
    sv, en = answer.answer, answer.worded("en").answer
    n = places.counts
    assert (f"Var det förändras (Gi* per månad och H3-cell, upplösning 9): {n['new']} nya, "
            f"{n['intensifying']} tilltagande och {n['persistent']} ihållande heta punkter (2023-01 – 2024-12).") in sv
    top_area, top_cells = places.areas["persistent"][0]
    assert f"Ihållande ({n['persistent']}): {top_cells} i {top_area}" in sv
    assert f"Persistent ({n['persistent']}): {top_cells} in {top_area}" in en
    # the report shows the same answer
    from geo_trygghet.reports.lagesbild import report_html

    assert f"Ihållande ({n['persistent']}): {top_cells} i {top_area}" in report_html(lb, title="Lägesbild")


def test_without_named_areas_only_the_counts_and_cells_outside_are_said(sample):
    inc, result, areas = sample
    bare = build_lagesbild(inc, emerging=result).answer("trend").answer
    assert "ihållande heta punkter" in bare and "Ihållande (" not in bare
    # areas that cover part of the town: the rest is "utanför områdena"
    centre = areas[areas["name"] == "Centrum"]
    places = change_places(result, centre)
    text = " ".join(p.word("sv") for p in change_phrases(places))
    if places.outside.get("persistent"):
        assert f"{places.outside['persistent']} utanför områdena" in text


def test_no_hot_spot_pattern_says_so():
    rng = np.random.default_rng(3)
    n = 3000
    inc = pd.DataFrame({
        "lon": 16.19 + rng.uniform(0, 0.02, n), "lat": 58.99 + rng.uniform(0, 0.01, n),
        "occurred_at": pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.uniform(0, 730, n), unit="D"),
        "time_resolution": "minute", "category": "stold", "crime_type": "Stöld",
    })
    result = emerging_hotspots(inc, resolution=8)
    places = change_places(result)
    if any(places.counts[k] for k in KINDS[:3]):
        pytest.skip("uniform noise gave a pattern at this seed")
    text = " ".join(p.word("sv") for p in change_phrases(places))
    assert "Inga nya, tilltagande eller ihållande heta punkter (2023-01 – 2024-12)" in text


def test_located_incidents_are_the_places_and_all_are_counted(sample):
    """Area centroids (the police feed's kommun points) count in the totals and the trend, not in
    the concentration of places."""
    inc, _result, _areas = sample
    stacked = inc.sample(300, random_state=1).assign(lon=16.2, lat=58.99)  # one point, as a feed gives
    everything = pd.concat([inc, stacked], ignore_index=True)
    lb = build_lagesbild(everything, located=inc)
    assert lb.n == len(everything) and lb.answer("commonest").figures["total"] == len(everything)
    assert lb.concentration.n_with_date == len(inc)  # the places (and days, hours) of the located ones
    assert build_lagesbild(everything).concentration.n_with_date == len(everything)  # (so the check can fail)
