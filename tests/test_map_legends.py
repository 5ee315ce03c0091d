"""Maps that show their data (issue 9, item 6): legends are Leaflet controls that stack with the
scale bar and attribution, start folded on a narrow map and make room beside the data; the
walk route's stops are lettered diamonds, not numbered circles like remarks."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest

from geo_trygghet.maps.base import NARROW_MAP_PX, LegendControl, new_map
from geo_trygghet.maps.explorer import explorer_base_map, map_html, route_stop_html, stop_letter, walk_plan_map
from geo_trygghet.maps.remarks import remarks_map

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"


def _html(m) -> str:
    return map_html(m)


def test_legends_are_controls_that_fold_on_narrow_maps_and_make_room():
    m = new_map((16.18, 58.98, 16.22, 59.0), scale_position="bottomright")
    LegendControl("Hot <spots>", [("#d7301f", "Het & 99 %")], note="1 234 händelser", note_class="gt-summary",
                  css_class="gt-hotspot-legend").add_to(m)
    page = _html(m)
    # a control: stacked, never over scale/attribution; on a phone folded and stacked on the right
    assert 'L.control({position: narrow ? "bottomright" : "bottomleft"})' in page
    assert f"map.getSize().x < {NARROW_MAP_PX}" in page and 'classList.add("gt-min")' in page
    assert "position:fixed" not in page  # the old box lay over the map's corner, data and scale included
    assert "_gtBounds" in page and "paddingBottomRight: [pad.right, pad.bottom]" in page  # room for the legend
    assert "Hot \\u0026lt;spots\\u0026gt;" in page and "Het \\u0026amp; 99 %" in page  # escaped twice: HTML, JS
    assert ".gt-legend.gt-min .gt-row" in page  # folding hides the rows, keeps the title
    assert NARROW_MAP_PX >= 400  # a 390 px phone is narrow


def test_explorer_and_remarks_maps_use_legend_controls(service):
    from geo_trygghet.remarks import Actor

    walk = service.create_walk(Actor.system(), "Centrum", walk_date="2025-05-01")
    import uuid

    service.submit_remark(Actor.system(), walk, str(uuid.uuid4()), "belysning", "Mörkt", lon=16.2, lat=58.99)
    frame = service.remarks_frame(Actor.system())
    page = _html(explorer_base_map((16.18, 58.98, 16.22, 59.0), summary="12 händelser", remarks=frame))
    assert '"bottomright" : "bottomleft"})' in page and '"bottomright" : "bottomright"})' in page
    assert "position:fixed" not in page
    assert '"bottomright" : "bottomright"})' in _html(remarks_map(frame))


def test_route_stops_are_lettered_diamonds():
    assert [stop_letter(i) for i in (0, 1, 2, 25, 26, 27)] == ["A", "B", "C", "Z", "AA", "AB"]
    stop = route_stop_html("B")
    assert "rotate(45deg)" in stop and ">B<" in stop and "border-radius:50%" not in stop


@pytest.fixture(scope="module")
def sample_plan():
    from geo_trygghet.hotspots.clusters import find_clusters
    from geo_trygghet.hotspots.explorer import gi_cells, prepare_grid, propose_walk
    from geo_trygghet.ingest.incidents import read_incidents

    inc = read_incidents(SAMPLE / "incidents.csv").gdf
    town = gpd.read_file(SAMPLE / "tatort.geojson").geometry.union_all()
    cells = gi_cells(prepare_grid(inc.lon.to_numpy(), inc.lat.to_numpy(), resolution=9, boundary=town))
    clusters = find_clusters(inc.lon.to_numpy(), inc.lat.to_numpy())
    return cells, clusters, propose_walk(clusters, clusters["cluster_id"].tolist()[:3])


def test_walk_plan_map_letters_its_stops(sample_plan):
    cells, clusters, plan = sample_plan
    assert len(plan.cluster_order) == 3
    page = _html(walk_plan_map(cells, clusters, plan)).replace("\\u003e", ">").replace("\\u003c", "<")
    assert page.count("gt-route-stop") == 3
    for letter in "ABC":
        assert f">{letter}</div>" in page
    assert f"Stopp A: hot spot-område {plan.cluster_order[0]}" in page
