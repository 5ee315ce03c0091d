"""The numbered-remarks map layer: colours by state, escaped popups, no CDN plugins."""

from __future__ import annotations

import datetime as dt
import json
import re
from html.parser import HTMLParser

import folium
import geopandas as gpd
import pytest
from shapely.geometry import Point, box

from geo_trygghet.maps.remarks import (
    STATE_COLOURS,
    add_remarks_layer,
    popup_html,
    remarks_map,
    state_group,
)
from geo_trygghet.remarks.joinlink import join_url, qr_png

XSS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "${alert(3)} `x`", "</script><b>bold</b>"]


def _frame():
    states = [("ny", "open", "Ny"), ("planerad", "open", "Planerad"), ("atgardad", "fixed", "Åtgärdad"),
              ("kontrollerad", "fixed", "Kontrollerad"), ("dubblett", "closed", "Dubblett"),
              ("tilldelad", "open", "Tilldelad")]
    rows = []
    for i, (slug, kind, label) in enumerate(states):
        rows.append({
            "number": i + 1, "category": "klotter", "category_label": "Klotter", "text": XSS[i % len(XSS)],
            "owner_name": "<b>Ägare & Co</b>" if i else None, "state": slug, "state_label": label,
            "state_kind": kind, "planned_date": dt.date(2024, 6, 1) if slug == "planerad" else None,
            "fixed_date": dt.date(2024, 5, 2) if kind == "fixed" else None, "walk_title": "Centrum <i>",
        })
    geoms = [Point(16.18 + 0.002 * i, 58.99 + 0.001 * i) for i in range(len(rows))]
    return gpd.GeoDataFrame(rows, geometry=geoms, crs="EPSG:4326")


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.attrs, self.text = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(k for k, _ in attrs)

    def handle_data(self, data):
        self.text.append(data)


def _popups(doc: str) -> list[str]:
    return [json.loads(m) for m in re.findall(r"\.bindPopup\((\"(?:[^\"\\]|\\.)*\")", doc)]


def test_markers_are_numbered_and_coloured_by_state():
    gdf = _frame()
    m = remarks_map(gdf, lang="sv")
    doc = m.get_root().render()
    assert [state_group(s, k) for s, k in zip(gdf.state, gdf.state_kind, strict=True)] == [
        "open", "planned", "fixed", "fixed", "closed", "open"]
    icons = [json.loads(h) for h in re.findall(r'L\.divIcon\(\{\s*"html": ("(?:[^"\\]|\\.)*")', doc)]
    got = {}
    for h in icons:
        colour, number = re.fullmatch(r'<div style="background:(#[0-9a-f]{6});.*">(\d+)</div>', h).groups()
        got[int(number)] = colour
    assert got == {1: STATE_COLOURS["open"], 2: STATE_COLOURS["planned"], 3: STATE_COLOURS["fixed"],
                   4: STATE_COLOURS["fixed"], 5: STATE_COLOURS["closed"], 6: STATE_COLOURS["open"]}
    assert "Anmärkningar" in doc and "Planerad (1)" in doc and "Åtgärdad (2)" in doc  # legend with counts
    # self-contained: no CDN, no jQuery/awesome-markers (popups must not need them)
    assert "cdn.jsdelivr" not in doc and "awesome-markers" not in doc and "$(`" not in doc


def test_user_text_is_escaped_in_popups_and_page():
    doc = remarks_map(_frame(), lang="sv").get_root().render()
    for bad in ("<script>alert", "<img src=x", "<b>bold", "<b>Ägare", "<i>"):
        assert bad not in doc
    popups = _popups(doc)
    assert len(popups) == 6
    for html_text, raw in zip(popups, [XSS[i % len(XSS)] for i in range(6)], strict=True):
        p = _Tags()
        p.feed(html_text)
        assert set(p.tags) <= {"b", "br", "div", "span", "i"}, p.tags
        assert "onerror" not in p.attrs
        assert raw in "".join(p.text)  # the text shows as typed
    owner = _Tags()
    owner.feed(popups[1])
    assert "<b>Ägare & Co</b>" in "".join(owner.text)


def test_popup_has_number_category_owner_state():
    row = _frame().iloc[2]
    p = _Tags()
    p.feed(popup_html(row.to_dict(), lang="sv"))
    text = " ".join(p.text)
    for part in ("3. Klotter", "Problemägare", "Åtgärdad", "2024-05-02", "Centrum <i>"):
        assert part in text


def test_public_frame_without_states_is_shown_as_fixed():
    fixed = gpd.GeoDataFrame({"walk_title": ["A"], "number": [4], "category": ["belysning"],
                              "category_label": ["Belysning"], "text": ["Lampan lagad"],
                              "fixed_date": [dt.date(2024, 1, 2)]}, geometry=[Point(16.2, 58.99)], crs="EPSG:4326")
    m = folium.Map()
    add_remarks_layer(m, fixed, lang="en")
    doc = m.get_root().render()
    assert STATE_COLOURS["fixed"] in doc and "Fixed (1)" in doc and "Lampan lagad" in doc


def test_map_fits_area_and_remarks():
    area = box(16.17, 58.98, 16.21, 59.0)
    m = remarks_map(_frame(), lang="en", area=json.dumps(area.__geo_interface__))
    doc = m.get_root().render()
    assert "Walk area" in doc and "fitBounds" in doc
    empty = remarks_map(_frame().iloc[0:0], lang="sv", area=area)
    assert "fitBounds" in empty.get_root().render()


def test_join_url_and_qr():
    assert join_url("https://app.kommun.se", "ab-12 cd") == "https://app.kommun.se/walk/?kod=AB12CD"
    assert join_url("https://app.kommun.se/vandring?lang=sv&kod=OLD", "XY7") == \
        "https://app.kommun.se/vandring/walk/?lang=sv&kod=XY7"
    assert join_url("https://app.kommun.se/walk/", "XY7") == "https://app.kommun.se/walk/?kod=XY7"
    png = qr_png(join_url("http://localhost:8501", "ABC234"))
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    import io

    from PIL import Image

    img = Image.open(io.BytesIO(png))
    assert img.size[0] == img.size[1] >= 200
    from geo_trygghet.errors import InputError

    with pytest.raises(InputError):
        join_url("app.kommun.se", "ABC")
    with pytest.raises(InputError):
        join_url("https://app.kommun.se", " - ")


def test_trygg_plats_is_blue_until_someone_acts_on_it():
    assert state_group("ny", "open", None, "trygg_plats") == "positive"
    assert state_group("tilldelad", "open", None, "trygg_plats") == "open"
    assert state_group("ny", "open", None, "belysning") == "open"
    gdf = _frame().iloc[:1].assign(category="trygg_plats", category_label="Trygg plats")
    doc = remarks_map(gdf, lang="sv").get_root().render()
    assert STATE_COLOURS["positive"] in doc and "Trygg plats (positiv) (1)" in doc


def test_spread_positions_separates_close_markers():
    import numpy as np

    from geo_trygghet.reports.protocol import spread_positions

    xy = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [100.0, 100.0]])
    out = spread_positions(xy, 10.0)
    assert np.allclose(out[3], xy[3])  # a lone marker stays
    d = np.hypot(*(out[:3, None, :] - out[None, :3, :]).transpose(2, 0, 1))
    assert (d[np.triu_indices(3, 1)] >= 10.0 - 1e-9).all()


def test_legend_controls_are_built_not_patched():
    """Corner, width, class and the rewritable note are parameters (string patches of the HTML broke
    silently when the box changed); text is escaped; a tap folds the box; one kind of legend."""
    import json

    import folium

    from geo_trygghet.maps.base import LegendControl

    box = LegendControl("Hot <spots>", [("#d7301f", "Het & 99 %")], corner="right", css_class="gt-hotspot-legend",
                        max_width_px=230, note="<b>11 661</b>", note_class="gt-summary")
    body = json.loads(box.body_js)
    assert box.classes == "gt-legend leaflet-control gt-hotspot-legend" and box.position == "bottomright"
    assert "max-width:230px" in body and '<div class="gt-summary"' in body and "&lt;b&gt;11 661&lt;/b&gt;" in body
    assert "Hot &lt;spots&gt;" in body and "Het &amp; 99 %" in body
    assert "<" not in box.body_js  # the body cannot end the page's <script>
    m = folium.Map(location=[59.0, 16.2], zoom_start=12)
    box.add_to(m)
    page = m.get_root().render()
    assert 'classList.toggle("gt-min")' in page and "gt-legend.gt-min .gt-row" in page
