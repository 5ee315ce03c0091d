"""AppTest of the analyst's pages (explorer, lägesbild, plan a walk) through app.py,
for the roles analytiker and admin, and the explorer's public mode for the public.

The app keeps the sample municipality (``sample_data/incidents.csv``; made
with ``sample_data/make_sample.py`` into a temporary folder when the checkout
has not generated it) and uses a fresh SQLite remark database.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

REPO = Path(__file__).resolve().parents[1]
ACCOUNTS = {"analytiker": ("anna", "analys-losen-2025"), "admin": ("admin", "admin-losen-2025")}
STAFF = list(ACCOUNTS)


@pytest.fixture(scope="module")
def app_env(tmp_path_factory):
    """Dataset + database for the app; environment set for the module, restored after."""
    from geo_trygghet.ingest.incidents import read_incidents
    from geo_trygghet.remarks import Actor, RemarkService, open_store

    tmp = tmp_path_factory.mktemp("analyst_app")
    dataset = REPO / "sample_data" / "incidents.csv"
    if not dataset.is_file():
        subprocess.run([sys.executable, str(REPO / "sample_data" / "make_sample.py"), str(tmp / "sample")],
                       check=True, capture_output=True)
        dataset = tmp / "sample" / "incidents.csv"
    url = f"sqlite:///{tmp / 'app.sqlite'}"
    service = RemarkService(open_store(url))
    system = Actor.system()
    for role, (username, password) in ACCOUNTS.items():
        service.create_user(system, username, password, role, display_name=username.title())
    walk = service.create_walk(system, "Centrum kvällsvandring", walk_date="2025-10-02", group="blandad")
    participant = Actor.participant(walk.join_code)
    service.submit_remark(participant, walk, str(uuid.UUID(int=1)), "belysning",
                          "Trasig belysning <script>alert(1)</script>", lon=16.1962, lat=58.9921)
    service.submit_remark(participant, walk, str(uuid.UUID(int=2)), "klotter", "Klotter på tunneln",
                          lon=16.1990, lat=58.9905)
    saved = {k: os.environ.get(k) for k in ("GEO_TRYGGHET_DATABASE_URL", "GEO_TRYGGHET_DATASET")}
    os.environ["GEO_TRYGGHET_DATABASE_URL"] = url
    os.environ["GEO_TRYGGHET_DATASET"] = str(dataset)
    actors = {role: service.login(*ACCOUNTS[role]) for role in ACCOUNTS}
    incidents = read_incidents(dataset).gdf
    try:
        yield {"service": service, "actors": actors, "incidents": incidents, "dataset": dataset}
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        service.close()


def open_page(env, role: str, page: str) -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=240)
    at.session_state["role"] = role
    at.session_state["actor"] = env["actors"].get(role)
    at.run()
    at.switch_page(f"geo_trygghet/ui/pages/{page}.py").run()
    assert not at.exception, at.exception
    return at


def table_with(at: AppTest, column: str) -> pd.DataFrame:
    """The first table on the page with ``column`` (AppTest does not expose dataframe keys)."""
    for df in [*at.dataframe, *at.table]:
        if column in df.value.columns:
            return df.value
    raise AssertionError(f"no table with a column {column!r}")


def number(text: str) -> int:
    return int(re.sub(r"\D", "", str(text)))


def map_script(at: AppTest) -> str:
    """The Leaflet script streamlit-folium was given (the map as rendered)."""
    for node in _walk(at.main):
        if getattr(node, "type", None) == "component_instance":
            args = json.loads(node.proto.json_args)
            if "script" in args:
                return "\n".join(str(args.get(k) or "") for k in ("script", "feature_group", "layer_control",
                                                                 "html"))
    raise AssertionError("no map on the page")


def shows(script: str, text: str) -> bool:
    """``text`` is in the map, literally or JSON-escaped (folium escapes non-ASCII in layer names)."""
    return text in script or json.dumps(text)[1:-1] in script


def _walk(node):
    children = getattr(node, "children", None) or {}
    for child in (children.values() if isinstance(children, dict) else children):
        yield child
        yield from _walk(child)


def counts_shown(at: AppTest) -> list[float]:
    """Every count in every table on the page (columns Antal/Count/count)."""
    values: list[float] = []
    for df in at.dataframe:
        frame = df.value
        for col in frame.columns:
            if str(col).lower() in ("antal", "count"):
                values += pd.to_numeric(frame[col], errors="coerce").dropna().tolist()
    return values


# --------------------------------------------------------------------------- explorer
@pytest.mark.parametrize("role", STAFF)
def test_explorer_shows_the_sample_and_a_filter_changes_it(app_env, role):
    at = open_page(app_env, role, "explorer")
    inc = app_env["incidents"]
    assert number(at.metric[0].value) == len(inc)
    assert [b.label for b in at.get("download_button")][:2] == ["GeoPackage (celler + områden)",
                                                                 "GeoPackage, offentlig"]
    script = map_script(at)
    for layer in ("Gi* het/kall punkt (FDR)", "Antal händelser per cell", "Hot spot-områden", "Kommungräns"):
        assert shows(script, layer), layer
    assert "Trasig belysning" in script and "<script>alert(1)</script>" not in script  # remarks, escaped
    hot_before = number(at.metric[2].value)

    at.multiselect(key="ex__f_cat").set_value(["skadegorelse"]).run()
    assert not at.exception
    want = int((inc["category"] == "skadegorelse").sum())
    assert number(at.metric[0].value) == want
    assert number(at.metric[2].value) != hot_before
    assert shows(map_script(at), f"{want:,}".replace(",", "\u202f"))  # the legend says what is shown


def test_explorer_draws_points_only_when_few_and_not_public(app_env):
    at = open_page(app_env, "analytiker", "explorer")
    assert not shows(map_script(at), "Enskilda händelser")  # 11 000+: aggregated only
    at.multiselect(key="ex__f_type").set_value(["Rån"]).run()
    n = number(at.metric[0].value)
    assert 0 < n < 2000
    assert shows(map_script(at), "Enskilda händelser")
    at.toggle(key="ex__an_public").set_value(True).run()
    assert not at.exception
    assert not shows(map_script(at), "Enskilda händelser")


def test_explorer_public_role_suppresses_small_counts(app_env):
    at = open_page(app_env, "public", "explorer")
    assert any("Offentligt läge" in i.value for i in at.info)
    labels = [b.label for b in at.get("download_button")]
    assert "GeoPackage (celler + områden)" not in labels and "GeoPackage, offentlig" in labels
    assert not at.sidebar.get("file_uploader")  # only the kept dataset
    # a rare crime type makes small cells the commonest kind
    at.multiselect(key="ex__f_type").set_value(["Rån"]).run()
    at.select_slider(key="ex__f_res").set_value(10).run()
    assert not at.exception
    shown = counts_shown(at)
    assert shown, "the top-cells table should list counts"
    assert not [c for c in shown if 1 <= c <= 2]
    assert not shows(map_script(at), "Enskilda händelser")
    # the same selection for an analyst does show counts of 1-2 (so the check above can fail)
    at2 = open_page(app_env, "analytiker", "explorer")
    at2.multiselect(key="ex__f_type").set_value(["Rån"]).run()
    at2.select_slider(key="ex__f_res").set_value(10).run()
    assert [c for c in counts_shown(at2) if 1 <= c <= 2]


def test_public_gpkg_export_has_no_small_counts(app_env, tmp_path):
    import geopandas as gpd

    from geo_trygghet.maps.explorer import map_html
    from geo_trygghet.ui.compute import compute_view
    from geo_trygghet.ui.dataset import load_dataset
    from geo_trygghet.ui.explorer_widgets import cells_csv, gpkg_bytes, static_map
    from geo_trygghet.ui.filters import Filters

    ds = load_dataset(app_env["dataset"])
    view = compute_view(ds, Filters(crime_types=("Rån",), resolution=9))
    assert view.cells["count"].between(1, 2).any()
    path = tmp_path / "pub.gpkg"
    path.write_bytes(gpkg_bytes(view.cells, view.clusters, True))
    for layer in ("cells", "clusters"):
        back = gpd.read_file(path, layer=layer)
        assert back.crs.to_epsg() == 4326
        assert not back["count"].between(1, 2).any()
    csv = pd.read_csv(pd.io.common.BytesIO(cells_csv(view.cells, public=True)))
    assert not csv["count"].between(1, 2).any() and "gi_z" not in csv
    # the HTML map download: public has no cell with 1-2 and no incident points
    small = re.compile(r'"count": [12][,}]')
    analyst_html = map_html(static_map(view, public=False))
    assert small.search(analyst_html) and "Point" in analyst_html  # (so the checks below can fail)
    public_html = map_html(static_map(view, public=True))
    assert not small.search(public_html) and "Point" not in public_html


# --------------------------------------------------------------------------- lägesbild
@pytest.mark.parametrize("role", STAFF)
def test_lagesbild_answers_the_questions(app_env, role):
    at = open_page(app_env, role, "lagesbild")
    answers = [m.value for m in at.markdown if m.value.startswith("**") and "?**" in m.value]
    assert len(answers) >= 6
    assert answers[0].startswith("**Vilka problem är vanligast?**")
    first = answers[0]
    assert "Stöld, rån och andra tillgreppsbrott" in first
    assert len(at.get("arrow_vega_lite_chart")) >= 4 or len(at.get("vega_lite_chart")) >= 4
    at.multiselect(key="lb__f_cat").set_value(["skadegorelse"]).run()
    assert not at.exception
    assert next(m.value for m in at.markdown if m.value.startswith("**Vilka problem")) != first
    labels = [b.label for b in at.get("download_button")]
    assert labels[-2:] == ["Rapport (HTML)", "Rapport (PDF)"]
    assert "Nivåerna (Excel)" in labels  # the rates table for a Swedish Excel (issue 9, item 2)


def test_lagesbild_rates_against_a_typed_reference(app_env):
    at = open_page(app_env, "analytiker", "lagesbild")
    at.radio(key="lb_pop_source").set_value("number").run()
    at.number_input(key="lb_pop_value").set_value(34_500).run()
    at.selectbox(key="lb_reference").set_value("Eget värde (per 100 000 och år)").run()
    at.number_input(key="lb_ref_value").set_value(5000.0).run()
    assert not at.exception
    rates = table_with(at, "Per 100 000 och år")
    inc = app_env["incidents"]
    years = (inc["occurred_at"].max() - inc["occurred_at"].min()).days / 365.25
    assert len(rates) == 1 and rates["Antal"].iloc[0] == len(inc)
    total_rate = rates["Per 100 000 och år"].iloc[0]
    assert total_rate == pytest.approx(len(inc) / 34_500 / years * 1e5, rel=0.02)
    assert rates["Kvot mot referens"].iloc[0] == pytest.approx(total_rate / 5000, abs=0.01)


# --------------------------------------------------------------------------- plan a walk
@pytest.mark.parametrize("role", STAFF)
def test_plan_walk_creates_a_walk_with_the_area(app_env, role):
    from shapely.geometry import shape

    at = open_page(app_env, role, "plan_walk")
    chosen = at.multiselect(key="pw_clusters").value
    assert chosen, "the sample has hot-spot areas"
    assert any("km genom" in m.value for m in at.markdown)
    title = f"Vandring från hot spots ({role})"
    at.text_input(key="pw_title").input(title)
    at.button(key="FormSubmitter:pw_form-Skapa vandring").click().run()
    assert not at.exception
    assert at.success and "Koden är" in at.success[0].value
    walk = app_env["service"].get_walk(title)
    assert walk.join_code in at.success[0].value
    area = shape(json.loads(walk.area) if isinstance(walk.area, str) else walk.area)
    assert area.geom_type == "Polygon" and area.is_valid and area.area > 0
    assert any(f"?kod={walk.join_code}" in c.value for c in at.code)
    assert [n for n in _walk(at.main) if getattr(n, "type", None) == "image"]  # the QR code


def test_plan_walk_link_and_qr_carry_the_public_url(app_env, monkeypatch):
    """The join link and its QR code name GEO_TRYGGHET_PUBLIC_URL, not the analyst's own address."""
    monkeypatch.setenv("GEO_TRYGGHET_PUBLIC_URL", "https://trygghet.katrineholm.example")
    at = open_page(app_env, "analytiker", "plan_walk")
    at.text_input(key="pw_title").input("Vandring med publik adress")
    at.button(key="FormSubmitter:pw_form-Skapa vandring").click().run()
    assert not at.exception
    code = app_env["service"].get_walk("Vandring med publik adress").join_code
    links = [c.value for c in at.code]
    assert f"https://trygghet.katrineholm.example/walk/?kod={code}" in links, links  # the phone form
    assert [n for n in _walk(at.main) if getattr(n, "type", None) == "image"]  # the QR code of that link


# --------------------------------------------------------------------------- upload + column mapping
def test_upload_with_unrecognised_columns_asks_for_the_mapping(app_env, tmp_path):
    """Auto-detection fails on made-up column names: the page shows the core's error and
    the mapping step; with the columns chosen the file is read."""
    inc = app_env["incidents"].head(300)
    from pyproj import Transformer

    e, n = Transformer.from_crs("EPSG:4326", "EPSG:3006", always_xy=True).transform(inc["lon"], inc["lat"])
    odd = pd.DataFrame({"a_koord": np.round(e), "b_koord": np.round(n),
                        "stund": inc["occurred_at"].dt.strftime("%Y-%m-%d %H:%M"), "sort": inc["crime_type"]})
    path = tmp_path / "export.csv"
    odd.to_csv(path, sep=";", index=False)
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=240)
    at.session_state["role"] = "analytiker"
    at.session_state["actor"] = app_env["actors"]["analytiker"]
    at.session_state["keep_an_source"] = "upload"
    at.session_state["an_upload"] = str(path)
    at.run()
    assert not at.exception
    assert at.error and "kolumn" in at.error[0].value.lower()
    assert not at.metric  # nothing shown before the columns are known
    at.radio(key="an_map_kind").set_value("xy")
    at.selectbox(key="an_map_a").set_value("b_koord")
    at.selectbox(key="an_map_b").set_value("a_koord")
    at.selectbox(key="an_map_crs").set_value("EPSG:3006")
    at.selectbox(key="an_map_time").set_value("stund")
    at.selectbox(key="an_map_type").set_value("sort")
    at.button(key="FormSubmitter:an_mapping-Läs in med dessa kolumner").click().run()
    assert not at.exception
    assert not at.error
    assert number(at.metric[0].value) == len(odd)


def test_month_only_data_disables_weekday_and_hour_filters(app_env, shared_data):
    """police.uk data (Lancashire ASB 2022) has months only and no crime type."""
    saved = os.environ["GEO_TRYGGHET_DATASET"]
    os.environ["GEO_TRYGGHET_DATASET"] = str(shared_data / "lancashire_asb_2022" / "lancashire_asb_2022.csv")
    try:
        at = open_page(app_env, "analytiker", "explorer")
        assert number(at.metric[0].value) == 56_434
        assert all(w.disabled for w in at.sidebar.multiselect)  # no category, no crime type
        assert at.sidebar.slider(key="ex__f_hours").disabled  # no clock times
        assert not at.sidebar.select_slider(key="ex__f_res").disabled  # the resolution stays
        assert number(at.metric[2].value) > 0  # hot cells in Lancashire
    finally:
        os.environ["GEO_TRYGGHET_DATASET"] = saved


def test_explorer_speaks_english_when_asked(app_env):
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=240)
    at.session_state["role"] = "analytiker"
    at.session_state["actor"] = app_env["actors"]["analytiker"]
    at.session_state["lang"] = "en"
    at.run()  # the analyst's start page is the explorer
    assert not at.exception
    assert at.header[0].value == "Hot spots: where do incidents concentrate?"
    assert at.sidebar.multiselect[0].label == "Crime category (Brå)"
    assert "Crimes against life and health" in at.sidebar.multiselect[0].options
    assert at.metric[0].label == "Incidents selected"


def test_lagesbild_report_html_and_pdf(app_env):
    """What the report download buttons give: the filtered selection as HTML and PDF."""
    from geo_trygghet.reports._html import esc
    from geo_trygghet.ui.compute import RateInputs, compute_view, lagesbild_of
    from geo_trygghet.ui.dataset import load_dataset
    from geo_trygghet.ui.filters import Filters
    from geo_trygghet.ui.lagesbild_widgets import report_bytes

    ds = load_dataset(app_env["dataset"])
    view = compute_view(ds, Filters(categories=("skadegorelse",)))
    rates = RateInputs(areas=None, population=34_500.0, reference=3000.0, key=(34_500.0, 3000.0))
    lb = lagesbild_of(view, rates)
    assert lagesbild_of(view, rates) is lb  # built once: the page and both downloads share it
    html = report_bytes(lb, fmt="html", title="Lägesbild <test>").decode()
    assert "Lägesbild &lt;test&gt;" in html and "<test>" not in html
    assert "Vilka problem är vanligast?" in html and "Skadegörelsebrott" in html
    assert f"{view.n:,}".replace(",", " ") in html  # the number of incidents, as Swedes write it
    for answer in lb.answers:  # the report says what the page says
        assert esc(answer.answer) in html, answer.key
    pdf = report_bytes(lb, fmt="pdf", title="Lägesbild")
    assert pdf.startswith(b"%PDF-") and len(pdf) > 10_000


def test_explorer_study_area_defaults_to_the_town_and_finds_the_planted_hot_spots(app_env):
    """Against the kommun's empty countryside the whole town is hot; the town as study area
    (the default when the kept dataset has one) gives the planted hot spots as its areas."""
    import geopandas as gpd

    from geo_trygghet.hotspots.explorer import prepare_grid
    from geo_trygghet.ingest.incidents import read_boundary

    at = open_page(app_env, "analytiker", "explorer")
    assert at.radio(key="ex__f_area").value == "tatort"
    hot_town, areas_town = number(at.metric[2].value), number(at.metric[3].value)
    truth = gpd.read_file(REPO / "sample_data" / "hotspots_truth.geojson")
    assert areas_town == len(truth)
    inc = app_env["incidents"]
    town = read_boundary(REPO / "sample_data" / "tatort.geojson").geometry.union_all()
    grid = prepare_grid(inc.lon.to_numpy(), inc.lat.to_numpy(), resolution=9, boundary=town).grid
    assert 0 < hot_town < (grid.counts() > 0).sum() / 3  # a few concentrations, not the whole town
    at.radio(key="ex__f_area").set_value("").run()
    assert not at.exception
    assert number(at.metric[0].value) == len(inc)  # the selection is the same
    assert number(at.metric[2].value) > 2 * hot_town  # the whole town lights up against the countryside


def test_reports_say_which_incidents_they_count():
    """A report's reader sees the file and every filter set (the Uppföljning report said neither)."""
    import datetime as dt

    from geo_trygghet.ui.filters import Filters

    assert Filters().describe("brott.csv") == "Data: brott.csv · alla händelser (inget urval)"
    text = Filters(categories=("skadegorelse",), crime_types=("Klotter",), since=dt.date(2024, 1, 1),
                   weekdays=(4, 5), hours=tuple(range(18, 24))).describe("brott.csv")
    assert text == ("Data: brott.csv · Brottskategori (Brå): Skadegörelsebrott · Brottstyp: Klotter · "
                    "Period: 2024-01-01 – … · Veckodagar: fre, lör · Timmar: 18–24")


# --------------------------------------------------------------------------- the period (issue 9, item 1)
def _in_period(inc: pd.DataFrame, since: str, until: str) -> int:
    day = pd.to_datetime(inc["occurred_at"]).dt.date  # naive local times, as the file has them
    return int(((day >= pd.Timestamp(since).date()) & (day <= pd.Timestamp(until).date())).sum())


def test_period_typed_changes_the_count_and_survives_reruns(app_env):
    """Typing 2024-01-01 – 2024-06-30 applies (the count changes); a rerun such as a map click
    and a visit to another page keep it; a date that is no date is refused, visibly."""
    inc = app_env["incidents"]
    at = open_page(app_env, "analytiker", "explorer")
    assert number(at.metric[0].value) == len(inc)
    at.text_input(key="ex__f_from").set_value("2024-01-01")
    at.text_input(key="ex__f_to").set_value("2024-06-30").run()
    assert not at.exception, at.exception
    want = _in_period(inc, "2024-01-01", "2024-06-30")
    assert 0 < want < len(inc)
    assert number(at.metric[0].value) == want
    assert any("2024-01-01 – 2024-06-30" in c.value for c in at.sidebar.caption)  # it says what it shows
    # a click on the map reruns the page with a clicked point: the period stays
    at.session_state["an_clicked"] = (16.1962, 58.9921)
    at.run()
    assert at.text_input(key="ex__f_from").value == "2024-01-01"
    assert number(at.metric[0].value) == want
    # another page and back: still the same period
    at.switch_page("geo_trygghet/ui/pages/lagesbild.py").run()
    assert at.text_input(key="lb__f_to").value == "2024-06-30"
    at.switch_page("geo_trygghet/ui/pages/explorer.py").run()
    assert number(at.metric[0].value) == want
    # not a date: refused with a reason, the last period still applies
    at.text_input(key="ex__f_to").set_value("2024-13-45").run()
    assert not at.exception
    assert any("ÅÅÅÅ-MM-DD" in e.value for e in at.sidebar.error)
    assert number(at.metric[0].value) == want
    # from after to: refused too
    at.text_input(key="ex__f_to").set_value("2023-06-30").run()
    assert any("efter" in e.value for e in at.sidebar.error)
    assert number(at.metric[0].value) == want


def test_period_presets(app_env):
    """The presets analysts use, counted from the data's last day (2024-12-31 in the sample)."""
    inc = app_env["incidents"]
    at = open_page(app_env, "analytiker", "explorer")
    presets = at.pills(key="ex__f_preset")
    assert presets.options == [
        "Hela perioden", "Senaste 12 månaderna", "I år", "Förra året", "Samma period förra året"]
    assert presets.value == "all"  # the preset that matches the period is shown as chosen
    at.pills(key="ex__f_preset").set_value("last_year").run()
    assert not at.exception, at.exception
    assert (at.text_input(key="ex__f_from").value, at.text_input(key="ex__f_to").value) == ("2023-01-01",
                                                                                           "2023-12-31")
    assert number(at.metric[0].value) == _in_period(inc, "2023-01-01", "2023-12-31")
    at.pills(key="ex__f_preset").set_value("last12").run()
    assert at.text_input(key="ex__f_from").value == "2024-01-01"
    assert number(at.metric[0].value) == _in_period(inc, "2024-01-01", "2024-12-31")
    at.text_input(key="ex__f_from").set_value("2024-03-01").run()
    assert at.pills(key="ex__f_preset").value is None  # a typed period is no preset


def test_weekday_buttons_say_their_state(app_env):
    """Issue 9, item 8: the weekday buttons say in words which days count (the colours alone
    looked the same on and off)."""
    at = open_page(app_env, "analytiker", "explorer")
    assert any(c.value == "Alla sju dagar är med." for c in at.sidebar.caption)
    at.pills(key="ex__f_days").set_value(["fre", "lör"]).run()
    assert not at.exception, at.exception
    assert any(c.value == "2 av 7 dagar: fre, lör." for c in at.sidebar.caption)
    weekday = pd.to_datetime(app_env["incidents"]["occurred_at"]).dt.weekday
    assert number(at.metric[0].value) == int(weekday.isin([4, 5]).sum())


# --------------------------------------------------------------------------- numbers as written (issue 9, item 2)
def shown_cells(df) -> pd.DataFrame:
    """What a ``st.dataframe`` table shows in its cells: the Styler's display values where the
    page gave them, else the values as the browser would format them (no formatting = raw)."""
    import pyarrow as pa

    styler = df.proto.arrow_data.styler if df.proto.arrow_data.HasField("styler") else None
    if styler is None or not styler.display_values:
        return df.value.astype(str)
    shown = pa.ipc.open_stream(styler.display_values).read_all().to_pandas()
    shown.columns = df.value.columns
    return shown.replace("\u00a0", " ", regex=True)  # no-break spaces in numbers read as spaces


def test_lagesbild_rate_table_writes_numbers_as_swedes_do(app_env):
    """The table *Per 100 000 invånare och år* showed "3,400" inhabitants and rates "216,852" (the
    browser's English format): a Swede reads the comma as a decimal sign."""
    at = open_page(app_env, "analytiker", "lagesbild")
    rates = next(df for df in at.table if "Invånare" in df.value.columns)
    cells = shown_cells(rates).set_index("Område")
    assert cells.loc["Centrum", "Invånare"] == "3 400"
    assert cells.loc["Öster (handelsområdet)", "Per 100 000 och år"] == "216 852"
    assert re.fullmatch(r"\d{1,3}( \d{3})*", cells.loc["Centrum", "95 % KI, låg"])
    assert cells.loc["Öster (handelsområdet)", "Tillförlitlighet"] == "osäker: få invånare"
    assert cells.loc["Centrum", "Tillförlitlighet"] == "säker"
    assert "Utjämnad (EB)" in cells.columns
    assert any("Marshall (1991)" in c.value and "1\u202f000 invånare" in c.value for c in at.caption)
    assert rates.value.set_index("Område").loc["Centrum", "Invånare"] == 3400  # still a number: it sorts
    answer = next(m.value for m in at.markdown if m.value.startswith("**Är fenomenet mer omfattande"))
    assert "216\u00a0852" in answer  # a number never breaks over two lines
    answer = answer.replace("\u00a0", " ")
    assert "Högst bland säkra områden är Stationsområdet" in answer and "Öster (handelsområdet): 216 852" in answer
    # English conventions in English
    at.session_state["lang"] = "en"
    at.run()
    rates = next(df for df in at.table if "Inhabitants" in df.value.columns)
    assert shown_cells(rates).set_index("Area").loc["Centrum", "Inhabitants"] == "3,400"


def test_explorer_tables_and_popups_write_numbers_in_the_language(app_env):
    at = open_page(app_env, "analytiker", "explorer")
    top = next(df for df in at.dataframe if "Gi* z" in df.value.columns)
    z = shown_cells(top)["Gi* z"]
    assert z.str.fullmatch(r"−?\d+,\d").all(), z.tolist()  # 6,0 not 6.0
    script = map_script(at)
    # popups are written by the page, not by the browser's locale (toLocaleString gave "1,234")
    assert "properties[v]).toLocaleString()" not in script
    assert re.search(r'"count_text": "\d', script)
    assert re.search(r'"z_text": "(\\u2212|−)?\d+,\d\d"', script)


def test_lagesbild_charts_carry_the_language_number_format(app_env):
    """Vega formats numbers in en-US unless told: every chart gets the language's format locale."""
    at = open_page(app_env, "analytiker", "lagesbild")
    charts = at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")
    assert len(charts) >= 4
    for chart in charts:
        spec = json.loads(chart.proto.spec)
        assert spec["config"]["locale"]["number"]["decimal"] == ","
        assert spec["config"]["locale"]["number"]["thousands"] == "\u00a0"
        assert "maj" in spec["config"]["locale"]["time"]["shortMonths"]


def test_downloads_for_excel_are_workbooks_with_numbers(app_env):
    """A CSV with "," opens in a Swedish Excel as one column: the cells and the rates are offered
    as .xlsx beside the plain CSV, with numbers as numbers."""
    import io

    from geo_trygghet.ui.compute import compute_view
    from geo_trygghet.ui.dataset import load_dataset
    from geo_trygghet.ui.explorer_widgets import cells_csv, cells_xlsx
    from geo_trygghet.ui.filters import Filters

    at = open_page(app_env, "analytiker", "explorer")
    labels = [b.label for b in at.get("download_button")]
    assert "Celler (CSV)" in labels and "Celler (Excel)" in labels
    view = compute_view(load_dataset(app_env["dataset"]), Filters())
    book = pd.read_excel(io.BytesIO(cells_xlsx(view.cells, public=False)))
    plain = pd.read_csv(io.BytesIO(cells_csv(view.cells, public=False)))
    assert list(book.columns) == list(plain.columns) and len(book) == len(plain)
    assert pd.api.types.is_integer_dtype(book["count"]) and pd.api.types.is_float_dtype(book["gi_z"])
    public = pd.read_excel(io.BytesIO(cells_xlsx(view.cells, public=True)))
    assert not public["count"].between(1, 2).any()
