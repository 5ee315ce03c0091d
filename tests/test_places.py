"""Places, not codes (issue 9, item 4): H3 cells named by their area and nearest street, on the
sample municipality's districts and streets."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest

from geo_trygghet.hotspots.places import MAX_STREET_M, cell_places, name_column, place_label

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"


@pytest.fixture(scope="module")
def sample_cells():
    from geo_trygghet.hotspots.explorer import gi_cells, prepare_grid
    from geo_trygghet.ingest.incidents import read_incidents

    inc = read_incidents(SAMPLE / "incidents.csv").gdf
    town = gpd.read_file(SAMPLE / "tatort.geojson").geometry.union_all()
    return gi_cells(prepare_grid(inc.lon.to_numpy(), inc.lat.to_numpy(), resolution=9, boundary=town))


def test_busiest_cells_are_named_by_district_and_street(sample_cells):
    areas, streets = gpd.read_file(SAMPLE / "omraden.geojson"), gpd.read_file(SAMPLE / "streets.geojson")
    top = sample_cells.nlargest(10, "count")
    places = cell_places(top, areas=areas, streets=streets)
    assert places["h3"].tolist() == top["h3"].tolist()  # in the cells' order
    assert places["area"].notna().all() and places["street"].notna().all()
    # the planted shopping hot spot lies in Öster (handelsområdet)
    truth = gpd.read_file(SAMPLE / "hotspots_truth.geojson").set_index("hotspot_id")
    centres = top.geometry.to_crs("EPSG:3006").centroid.to_crs("EPSG:4326")
    in_shops = centres.within(truth.loc["HS3", "geometry"]).to_numpy()
    assert in_shops.any()
    assert set(places.loc[in_shops, "area"]) == {"Öster (handelsområdet)"}
    # the street is the nearest one (brute force in SWEREF 99 TM)
    metric = streets.to_crs("EPSG:3006")
    for centre, street in zip(top.geometry.to_crs("EPSG:3006").centroid, places["street"], strict=True):
        d = metric.distance(centre)
        assert street == metric.loc[int(np.argmin(d)), "name"]


def test_far_from_any_street_and_outside_every_area_gives_no_name(sample_cells):
    streets = gpd.read_file(SAMPLE / "streets.geojson")
    far = sample_cells.copy()
    far["geometry"] = far.geometry.translate(xoff=0.5)  # 25 km east: no district, no street
    places = cell_places(far.head(3), areas=gpd.read_file(SAMPLE / "omraden.geojson"), streets=streets)
    assert places["area"].isna().all() and places["street"].isna().all()
    assert MAX_STREET_M == 250.0
    assert cell_places(sample_cells.head(2))["area"].isna().all()  # no layers: no names, no error


def test_labels_and_name_columns():
    assert place_label("Centrum", "Storgatan") == "Storgatan, Centrum"
    assert place_label(None, "Storgatan") == "Storgatan" and place_label("Centrum", None) == "Centrum"
    assert place_label(None, None) == "" and place_label(float("nan"), "") == ""
    assert name_column(gpd.GeoDataFrame({"NAMN": ["x"], "geometry": [None]})) == "NAMN"
