"""AppTest of the follow-up page (uppföljning) through app.py as an analyst.

The app keeps the sample municipality and a fresh SQLite database loaded with
``geo_trygghet.sample.load_sample`` (demo users, walks, fixed remarks). What
the page shows is compared with calling the core directly on the same data:
:func:`geo_trygghet.followup.evaluate` for the sample's intervention preset
and :func:`geo_trygghet.followup.fixed_remarks.remark_effects` for the fixed remarks.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

REPO = Path(__file__).resolve().parents[1]
PAGE = "geo_trygghet/ui/pages/uppfoljning.py"


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    from geo_trygghet.ingest.incidents import read_incidents
    from geo_trygghet.remarks import RemarkService, open_store
    from geo_trygghet.sample import DEMO_USERS, load_sample

    tmp = tmp_path_factory.mktemp("followup_app")
    sample = REPO / "sample_data"
    if not (sample / "incidents.csv").is_file():
        subprocess.run([sys.executable, str(sample / "make_sample.py"), str(tmp / "sample")], check=True,
                       capture_output=True)
        sample = tmp / "sample"
    url = f"sqlite:///{tmp / 'app.sqlite'}"
    service = RemarkService(open_store(url))
    load_sample(service, sample)
    user = next((u, p) for u, p, r in DEMO_USERS if r == "analytiker")
    saved = {k: os.environ.get(k) for k in ("GEO_TRYGGHET_DATABASE_URL", "GEO_TRYGGHET_DATASET")}
    os.environ["GEO_TRYGGHET_DATABASE_URL"] = url
    os.environ["GEO_TRYGGHET_DATASET"] = str(sample / "incidents.csv")
    try:
        yield {"service": service, "actor": service.login(*user), "sample": sample,
               "incidents": read_incidents(sample / "incidents.csv").gdf}
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        service.close()


def open_page(env, **state) -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=300)
    at.session_state["role"] = "analytiker"
    at.session_state["actor"] = env["actor"]
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def table_with(at: AppTest, column: str) -> pd.DataFrame:
    tables = [*at.dataframe, *at.table]
    for df in tables:
        if column in df.value.columns:
            return df.value
    raise AssertionError(f"no table with a column {column!r}; tables: {[list(d.value.columns) for d in tables]}")


def metric(at: AppTest, label: str) -> str:
    for m in at.metric:
        if m.label == label:
            return m.value
    raise AssertionError(f"no metric {label!r}; metrics: {[m.label for m in at.metric]}")


def sv2(x: float) -> str:
    return f"{x:.2f}".replace(".", ",")


@pytest.fixture(scope="module")
def direct(env):
    """The sample's intervention evaluated by the core, from the sample files (not through the page)."""
    from geo_trygghet.followup import evaluate, read_area

    sample = env["sample"]
    meta = json.loads((sample / "intervention.json").read_text(encoding="utf-8"))
    controls = gpd.read_file(sample / meta["files"]["controls"])
    return evaluate(env["incidents"], target=read_area(sample / meta["files"]["target"]),
                    controls=[controls.iloc[[i]] for i in range(len(controls))],
                    control_names=list(controls["name"]), buffer=read_area(sample / meta["files"]["buffer"]),
                    intervention=meta["date"])


def test_sample_preset_gives_the_core_numbers(env, direct):
    from geo_trygghet.reports.evaluation import effect_table

    at = open_page(env)
    assert not at.error, [e.value for e in at.error]
    counts = table_with(at, "Område").set_index("Område")
    assert counts.loc["Målområde", "Före"] == direct.target_before
    assert counts.loc["Målområde", "Efter"] == direct.target_after
    assert counts.loc["Kontrollområden (summa)", "Före"] == direct.control_before
    assert counts.loc["Kontrollområden (summa)", "Efter"] == direct.control_after
    assert counts.loc["Buffertzon", "Före"] == direct.buffer_before
    assert counts.loc["Buffertzon", "Efter"] == direct.buffer_after
    for pc in direct.per_control:
        assert counts.loc[f"Kontroll: {pc.name}", "Före"] == pc.before
    assert metric(at, "Oddskvot (OR)") == sv2(direct.odds_ratio.value)
    lo, hi = direct.odds_ratio_overdispersed.ci
    assert metric(at, "95 % KI (justerat)") == f"{sv2(lo)}–{sv2(hi)}"
    pd.testing.assert_frame_equal(table_with(at, "Mått").reset_index(drop=True), effect_table(direct, "sv"))
    assert direct.reading("sv") in [s.value for s in at.success] + [i.value for i in at.info]
    # the similarity of the sample's controls is shown, one row per control
    sim = table_with(at, "Likhet")
    assert sorted(sim["Kontrollområden"]) == sorted(pc.name for pc in direct.per_control)
    assert sim["Likhet"].between(0, 1).all()
    # the downloads are offered
    labels = [b.label for b in at.get("download_button")]
    assert {"Rapport (HTML)", "Rapport (PDF)"} <= set(labels)


def test_english_switch(env, direct):
    at = open_page(env)
    at.session_state["lang"] = "en"  # the sidebar's language switch
    at.run()
    assert not at.exception, at.exception
    assert metric(at, "Odds ratio (OR)") == f"{direct.odds_ratio.value:.2f}"
    assert direct.reading("en") in [s.value for s in at.success] + [i.value for i in at.info]
    assert "Target area" in list(table_with(at, "Area")["Area"])


def test_too_few_incidents_says_so(env):
    # a 25 m circle in the countryside north-east of the town: no incidents in the target
    at = open_page(env, fu_point=(16.30, 59.05))
    at.selectbox(key="fu_mode").set_value("point").run()
    assert not at.exception, at.exception
    warnings = " ".join(w.value for w in at.warning)
    assert "För få brott för att säga något" in warnings
    assert metric(at, "Oddskvot (OR)") == "–"


def test_fixed_remarks_tab_lists_the_sample_fixed_remarks(env):
    from geo_trygghet.followup.fixed_remarks import remark_effects

    at = open_page(env)
    fixed = env["service"].remarks_frame(env["actor"], state="fixed")
    assert len(fixed) >= 7  # the sample has at least the seven lamp repairs
    table = table_with(at, "Anmärkning")
    shown = set(zip(table["Vandring"], table["Nr"].astype(int), strict=True))
    assert shown == set(zip(fixed["walk_title"], fixed["number"].astype(int), strict=True))
    assert set(table["Anmärkning"]) == set(fixed["text"])
    # the pooled estimate per category equals the core's on the same remarks and incidents
    remarks = pd.DataFrame(fixed.drop(columns="geometry")).rename(columns={"id": "remark_id"})
    effects = remark_effects(remarks, env["incidents"])
    core = effects.pooled.set_index("category")
    pooled = table_with(at, "Med skattning").set_index("Kategori")
    assert pooled.loc["Belysning", "Anmärkningar"] == core.loc["belysning", "remarks"]
    assert pooled.loc["Belysning", "OR"] == f"{core.loc['belysning', 'odds_ratio']:.2f}".replace(".", ",")
    assert "None" not in pooled.to_string() and "nan" not in pooled.to_string()
    assert effects.reading("belysning", "sv") in [i.value for i in at.info]
    lo, hi = core.loc["belysning", "ci_lo"], core.loc["belysning", "ci_hi"]
    expected = "minskade" if lo > 1 else "ökade" if hi < 1 else "ingen säker förändring"
    assert pooled.loc["Belysning", "Brotten nära anmärkningarna"] == expected
    assert any(re.search(r"belysning", m.value) for m in at.markdown if "?" in m.value)


def test_a_fixed_remark_as_the_target(env):
    from geo_trygghet.followup import circle_area, evaluate

    at = open_page(env)
    at.selectbox(key="fu_mode").set_value("remark").run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    fixed = env["service"].remarks_frame(env["actor"], state="fixed")
    first = fixed[fixed["fixed_date"].notna()].iloc[0]  # the page's default choice
    assert at.date_input(key="fu_date").value == pd.Timestamp(first["fixed_date"]).date()
    # the target counts do not depend on the controls: any far-away control gives them
    direct = evaluate(env["incidents"], target=circle_area(first["lon"], first["lat"], 150),
                      controls=circle_area(first["lon"] + 0.05, first["lat"], 150),
                      intervention=first["fixed_date"])
    counts = table_with(at, "Område").set_index("Område")
    assert (counts.loc["Målområde", "Före"], counts.loc["Målområde", "Efter"]) == (
        direct.target_before, direct.target_after)
    assert metric(at, "Oddskvot (OR)") != ""


def test_hot_spot_cells_as_the_target(env):
    at = open_page(env)
    at.selectbox(key="fu_mode").set_value("cluster").run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    counts = table_with(at, "Område").set_index("Område")
    assert counts.loc["Målområde", "Före"] + counts.loc["Målområde", "Efter"] > 0
    assert len(table_with(at, "Likhet")) == 3  # the three most similar suggestions are chosen


class _Upload:
    """What st.file_uploader gives the page: a name and the bytes."""

    def __init__(self, path: Path, name: str | None = None):
        self.name = name or path.name
        self._data = path.read_bytes()

    def getvalue(self) -> bytes:
        return self._data


def test_uploaded_areas_one_per_feature_with_names(env, tmp_path):
    from geo_trygghet.errors import GeoTrygghetError
    from geo_trygghet.ui.followup.areas import areas_from_upload, ring_around

    parts = areas_from_upload(_Upload(env["sample"] / "intervention_controls.geojson"))
    expected = gpd.read_file(env["sample"] / "intervention_controls.geojson")
    assert [n for n, _ in parts] == list(expected["name"])
    assert all(g.equals_exact(e, 1e-9) for (_, g), e in zip(parts, expected.geometry, strict=True))
    # a file in SWEREF 99 TM comes back in WGS84; a nameless feature is named after the file
    sweref = tmp_path / "omrade.gpkg"
    expected.iloc[[0]].drop(columns=["name"]).to_crs("EPSG:3006").to_file(sweref)
    (name, geom), = areas_from_upload(_Upload(sweref))
    assert name == "omrade" and geom.centroid.distance(expected.geometry.iloc[0].centroid) < 1e-6
    points = tmp_path / "points.geojson"
    gpd.GeoDataFrame(geometry=gpd.points_from_xy([16.2], [59.0]), crs="EPSG:4326").to_file(points)
    with pytest.raises(GeoTrygghetError, match="points.geojson: har inga polygoner"):
        areas_from_upload(_Upload(points))
    # the ring: outside the target, about the requested width
    target = parts[0][1]
    ring = ring_around(target, 150)
    assert ring.intersection(target).area < 1e-12
    metric_ring = gpd.GeoSeries([ring], crs="EPSG:4326").to_crs("EPSG:3006").iloc[0]
    metric_target = gpd.GeoSeries([target], crs="EPSG:4326").to_crs("EPSG:3006").iloc[0]
    expected_area = metric_target.buffer(150).area - metric_target.area
    assert metric_ring.area == pytest.approx(expected_area, rel=0.01)


def test_a_drawn_area_as_the_target(env, direct):
    """A polygon drawn on the map (Leaflet.draw, as st_folium returns it) becomes the target;
    drawn over the sample's intervention area it gives the preset's target counts."""
    at = open_page(env)
    at.selectbox(key="fu_mode").set_value("draw").run()
    assert not at.exception, at.exception
    assert any("Rita målområdet" in i.value for i in at.info)  # nothing drawn yet: how to draw
    target = gpd.read_file(env["sample"] / "intervention_target.geojson").to_crs(4326).geometry.union_all()
    at.session_state["fu_drawn"] = target.__geo_interface__
    at.run()
    assert not at.exception, at.exception
    at.date_input(key="fu_date").set_value(pd.Timestamp("2024-01-01").date()).run()
    assert not at.exception, at.exception
    counts = table_with(at, "Område").set_index("Område")
    assert (counts.loc["Målområde", "Före"], counts.loc["Målområde", "Efter"]) == (
        direct.target_before, direct.target_after)
