"""Every map shows its scale in metres and kilometres only: Swedish users read no feet or miles."""

from __future__ import annotations

import re

import geopandas as gpd
import pytest
from shapely.geometry import Point

from geo_trygghet.hotspots.gistar import hotspots
from geo_trygghet.maps import explorer_map, hotspot_map, new_map, walk_plan_map
from geo_trygghet.maps.explorer import map_html
from geo_trygghet.maps.remarks import remarks_map

from .test_patterns import make_incidents

SCALE = re.compile(r"L\.control\.scale\(([^)]*)\)")


def scales(html: str) -> list[str]:
    return SCALE.findall(html)


def metric_only(html: str) -> bool:
    """One scale bar, and it leaves out feet and miles."""
    found = scales(html)
    return len(found) == 1 and "imperial: false" in found[0] and "metric: true" in found[0]


@pytest.fixture(scope="module")
def result():
    import numpy as np

    return hotspots(make_incidents(np.random.default_rng(3), months=12, hot_share=0.3), resolution=9, seed=1)


def test_the_base_map_has_one_metric_scale():
    assert scales(map_html(new_map((16.1, 58.9, 16.3, 59.1)))) == [
        '{imperial: false, metric: true, position: "bottomleft"}']
    assert 'position: "bottomright"' in map_html(new_map(scale_position="bottomright"))


def test_the_maps_built_on_it_have_no_imperial_scale(result):
    from geo_trygghet.hotspots.explorer import propose_walk

    plan = propose_walk(result.clusters, result.clusters["cluster_id"].head(2).tolist())
    remarks = gpd.GeoDataFrame({"number": [1], "category": ["belysning"], "category_label": ["Belysning"],
                                "text": ["Trasig lampa"], "state": ["ny"], "state_label": ["Ny"],
                                "state_kind": ["open"]}, geometry=[Point(17.15, 60.67)], crs="EPSG:4326")
    maps = {
        "hotspots": hotspot_map(result),
        "explorer": explorer_map(result.cells, result.clusters, public=True, summary="x"),
        "walk plan": walk_plan_map(result.cells, result.clusters, plan),
        "remarks": remarks_map(remarks),
    }
    for name, m in maps.items():
        assert metric_only(map_html(m)), (name, scales(map_html(m)))
    assert 'position: "bottomright"' in map_html(maps["explorer"])  # away from the legend (bottom left)
