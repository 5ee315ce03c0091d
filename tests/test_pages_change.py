"""AppTest of change over time and addresses in the analyst's pages, through app.py: the explorer's
*Utveckling* and *Prognos* layers, the cell size *Automatisk*, the lägesbild's trend answer naming
the places, and an address-only upload placed against the sample's address register.

The expected figures come from the core run here on the same data (emerging_hotspots, forecast,
choose_resolution, the register), so a page that shows something else fails. The app keeps the
sample municipality; its remark database is SQLite and PostgreSQL in turn.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample_data"
REGISTER = SAMPLE / "belagenhetsadresser.gpkg"
ORDERS = SAMPLE / "arbetsordrar_skadegorelse.csv"
ACCOUNT = ("anna", "analys-losen-2025")
ENV = ("GEO_TRYGGHET_DATABASE_URL", "GEO_TRYGGHET_DATASET", "GEO_TRYGGHET_ADDRESS_REGISTER")


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def app_env(request, tmp_path_factory):
    """The app on the sample, an analyst account, the remark database of the parameter."""
    from geo_trygghet.remarks import Actor, RemarkService, open_store

    tmp = tmp_path_factory.mktemp("change_app")
    if request.param == "sqlite":
        url, drop = f"sqlite:///{tmp / 'app.sqlite'}", None
    else:
        from geo_trygghet.remarks.store import create_postgres_database, drop_postgres_database
        from tests.conftest import postgres_server_url

        url = create_postgres_database(postgres_server_url())
        drop = drop_postgres_database
    service = RemarkService(open_store(url))
    service.create_user(Actor.system(), *ACCOUNT, "analytiker", display_name="Anna")
    saved = {k: os.environ.get(k) for k in ENV}
    os.environ["GEO_TRYGGHET_DATABASE_URL"] = url
    os.environ["GEO_TRYGGHET_DATASET"] = str(SAMPLE / "incidents.csv")
    os.environ.pop("GEO_TRYGGHET_ADDRESS_REGISTER", None)
    try:
        yield {"actor": service.login(*ACCOUNT), "tmp": tmp}
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        service.close()
        if drop is not None:
            drop(url)


@pytest.fixture(scope="module")
def sample():
    """The core's own results on the sample's town (the explorer's default study area)."""
    from geo_trygghet.ingest.incidents import read_boundary, read_incidents

    inc = read_incidents(SAMPLE / "incidents.csv").gdf
    town = read_boundary(SAMPLE / "tatort.geojson").geometry.union_all()
    return inc, town


def open_page(env, page: str, role: str = "analytiker", **state) -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=300)
    at.session_state["role"] = role
    at.session_state["actor"] = env["actor"] if role == "analytiker" else None
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    if page != "explorer":
        at.switch_page(f"geo_trygghet/ui/pages/{page}.py").run()
    assert not at.exception, at.exception
    return at


def map_script(at: AppTest) -> str:
    """The Leaflet script streamlit-folium was given (the map as rendered)."""
    for node in _walk(at.main):
        if getattr(node, "type", None) == "component_instance":
            args = json.loads(node.proto.json_args)
            if "script" in args:
                return "\n".join(str(args.get(k) or "") for k in ("script", "feature_group", "layer_control",
                                                                 "html"))
    raise AssertionError("no map on the page")


def _walk(node):
    children = getattr(node, "children", None) or {}
    for child in (children.values() if isinstance(children, dict) else children):
        yield child
        yield from _walk(child)


def shows(script: str, text: str) -> bool:
    return text in script or json.dumps(text)[1:-1] in script


def texts(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info]


def number(text: str) -> int:
    return int(re.sub(r"\D", "", str(text)))


def plain(text: str) -> str:
    """Thin and no-break spaces (Swedish thousands) as plain spaces."""
    return str(text).replace("\u202f", " ").replace("\u00a0", " ")


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


# --------------------------------------------------------------------------- Utveckling
def test_explorer_utveckling_layer_shows_the_patterns_and_where(app_env, sample):
    import geopandas as gpd

    from geo_trygghet.hotspots.emerging import emerging_hotspots, pattern_label

    inc, town = sample
    expected = emerging_hotspots(inc, resolution=9, boundary=town)
    counts = expected.pattern_counts()
    assert counts.get("persistent_hot_spot"), "the sample's planted hot spots are persistent"

    at = open_page(app_env, "explorer")
    assert not shows(map_script(at), "Utveckling (mönster över tid)")  # off until asked for
    at.toggle(key="ex_show_emerging").set_value(True).run()
    assert not at.exception, at.exception
    script = map_script(at)
    assert shows(script, "Utveckling (mönster över tid)")  # the layer, in Swedish in the layer control
    for pattern, n in counts.items():  # the legend: every pattern present with its cells, in Swedish
        assert shows(script, f"{pattern_label(pattern, 'sv')} ({n})"), pattern
    # under the map, where: the same cells counted per delområde as the core counts them
    by_area = expected.by_area(gpd.read_file(SAMPLE / "omraden.geojson"), "name", "persistent_hot_spot")
    sentence = next(s for s in texts(at) if s.startswith("Var det förändras"))
    n_persistent = counts["persistent_hot_spot"]
    assert f"{n_persistent} ihållande heta punkter (2023-01 – 2024-12)" in sentence
    listed = ", ".join(f"{r.cells} i {r.area}" for r in by_area.itertuples())
    assert f"Ihållande ({n_persistent}): {listed}." in sentence
    table = next(d.value for d in at.dataframe if "Mönster" in d.value.columns)
    assert dict(zip(table["Mönster"], table["Celler"], strict=True)) == {
        pattern_label(p, "sv"): n for p, n in counts.items()}

    # quarters: 8 in two years, fewer than the 10 periods a pattern needs: said in app terms
    at.selectbox(key="ex_em_interval").set_value("quarter").run()
    assert not at.exception, at.exception
    problem = next(i.value for i in at.info if "perioder" in i.value)
    assert "minst 10" in problem and "--interval" not in problem
    assert not shows(map_script(at), "Utveckling (mönster över tid)")


# --------------------------------------------------------------------------- Prognos
def test_explorer_prognos_layer_with_coverage_slider_and_validated_scores(app_env, sample):
    from geo_trygghet.hotspots.forecast import forecast
    from geo_trygghet.i18n import fmt_num, fmt_pct

    inc, town = sample
    expected = forecast(inc, train_until="2024-12-31", test_until="2025-03-31", resolution=9, boundary=town,
                        require_test=False)

    at = open_page(app_env, "explorer")
    at.toggle(key="ex_show_forecast").set_value(True).run()
    assert not at.exception, at.exception
    script = map_script(at)
    assert shows(script, "Prognos")
    for coverage in (0.03, 0.10):
        score = expected.validated_at(coverage)
        assert metric(at, "PAI") == fmt_num(score.pai, "sv", 1)
        assert metric(at, "PEI") == fmt_num(score.pei, "sv", 2)
        assert metric(at, "Träffandel") == fmt_pct(score.hit_rate, "sv", decimals=0)
        flagged = int(expected.flagged(coverage).sum())
        assert shows(map_script(at), f"Prognos: {flagged} celler, {fmt_pct(coverage, 'sv', decimals=0)} av ytan")
        at.select_slider(key="ex_fc_coverage").set_value(10).run()
        assert not at.exception, at.exception
    about = next(s for s in texts(at) if "förutsäger" in s)
    assert expected.method.label("sv") in about and "2025-01-01 – 2025-03-31" in about


def test_the_public_gets_neither_layer(app_env):
    at = open_page(app_env, "explorer", role="public")
    assert not [t for t in at.toggle if t.key in ("ex_show_emerging", "ex_show_forecast")]


# --------------------------------------------------------------------------- Automatisk
def test_automatic_cell_size_says_why_and_is_used(app_env, sample):
    from geo_trygghet.hotspots.scale import choose_resolution

    inc, town = sample
    import shapely

    inside = shapely.contains_xy(town, inc["lon"].to_numpy(), inc["lat"].to_numpy())
    choice = choose_resolution(inc["lon"].to_numpy()[inside], inc["lat"].to_numpy()[inside])
    at = open_page(app_env, "explorer")
    assert "auto" in at.select_slider(key="ex__f_res").options or "Automatisk" in at.select_slider(
        key="ex__f_res").options
    at.select_slider(key="ex__f_res").set_value("auto").run()
    assert not at.exception, at.exception
    reason = next(c.value for c in at.caption if "vald automatiskt" in c.value)
    assert choice.reason("sv") in reason
    assert [b.label for b in at.get("download_button")]  # the downloads name the chosen resolution
    from geo_trygghet.hotspots.explorer import prepare_grid

    grid = prepare_grid(inc["lon"].to_numpy(), inc["lat"].to_numpy(), resolution=choice.resolution,
                        boundary=town).grid
    assert number(metric(at, "Celler med händelser")) == int((grid.counts() > 0).sum())
    # the choice is kept on the next page, and the lägesbild's places use it
    at.switch_page("geo_trygghet/ui/pages/lagesbild.py").run()
    assert not at.exception, at.exception
    assert at.select_slider(key="lb__f_res").value == "auto"


# --------------------------------------------------------------------------- the lägesbild
def test_lagesbild_trend_answer_names_the_places(app_env, sample):
    import geopandas as gpd

    from geo_trygghet.hotspots.emerging import emerging_hotspots

    inc, town = sample
    expected = emerging_hotspots(inc, resolution=9, boundary=town)
    areas = gpd.read_file(SAMPLE / "omraden.geojson")
    at = open_page(app_env, "lagesbild")
    answer = next(m.value for m in at.markdown if m.value.startswith("**Har det skett en ökning"))
    counts = expected.pattern_counts()
    new, grow, lasting = (counts.get(f"{k}_hot_spot", 0) for k in ("new", "intensifying", "persistent"))
    assert f"{new} nya, {grow} tilltagande och {lasting} ihållande heta punkter" in answer
    for kind, word in (("intensifying", "Tilltagande"), ("persistent", "Ihållande")):
        rows = expected.by_area(areas, "name", f"{kind}_hot_spot")
        if len(rows):
            assert f"{word} ({counts[f'{kind}_hot_spot']}): " + ", ".join(
                f"{r.cells} i {r.area}" for r in rows.itertuples()) in answer
    # the report says what the page says
    labels = [b.label for b in at.get("download_button")]
    assert "Rapport (HTML)" in labels, labels


# --------------------------------------------------------------------------- addresses
@pytest.fixture
def orders_upload(app_env):
    folder = app_env["tmp"] / "upload"
    folder.mkdir(exist_ok=True)
    path = folder / "arbetsordrar.csv"
    shutil.copy(ORDERS, path)
    return path


def test_address_only_upload_is_placed_against_the_register(app_env, orders_upload, monkeypatch):
    """No coordinates: the page says which column holds addresses; Adresser with the kommun's register
    (GEO_TRYGGHET_ADDRESS_REGISTER) places them; the data panel shows the levels and what hot spots
    leave out; the lägesbild still counts every order."""
    from geo_trygghet.ingest.geocode import geocode_frame, read_register

    monkeypatch.setenv("GEO_TRYGGHET_ADDRESS_REGISTER", str(REGISTER))
    res = geocode_frame(pd.read_csv(ORDERS, sep=";", dtype=str, keep_default_na=False), read_register(REGISTER))
    levels = res.counts()
    coarse = int(res.coarse.sum())

    at = open_page(app_env, "explorer", keep_an_source="upload", an_upload=str(orders_upload))
    assert at.error and "'Adress'" in at.error[0].value and "--address" not in at.error[0].value
    assert not at.metric
    at.radio(key="an_map_kind").set_value("address")
    assert at.radio(key="an_map_register_source").value == "env"
    at.button(key="FormSubmitter:an_mapping-Läs in med dessa kolumner").click().run()
    assert not at.exception, at.exception
    assert not at.error
    assert number(metric(at, "Händelser i urvalet")) == len(res) - coarse  # postort-only left out
    side = [plain(c.value) for c in at.sidebar.caption]
    assert any(f"{len(res):,} händelser inlästa".replace(",", " ") in s for s in side), side
    summary = next(s for s in side if "adresser mot belagenhetsadresser.gpkg" in s)
    assert f"exakt {levels['exact']:,}".replace(",", " ") in summary
    assert f"postort {levels['postort']}" in summary
    assert any(f"{coarse} händelser på områdens mittpunkter eller bara placerade till postort" in s for s in side)
    assert any(e.label.startswith("Adresser som inte placerades exakt") for e in at.sidebar.expander)
    table = next(d.value for d in at.dataframe if "Adress i filen" in d.value.columns)
    assert len(table) == len(res) - levels["exact"]
    assert number(metric(at, "Heta celler (90–99 %)")) > 0

    at.switch_page("geo_trygghet/ui/pages/lagesbild.py").run()
    assert not at.exception, at.exception
    first = next(m.value for m in at.markdown if m.value.startswith("**Vilka problem"))
    assert f"Av {len(res):,} händelser".replace(",", " ") in plain(first)

    # the lägesbild report says the same about the positions, under its title
    from geo_trygghet.ui.address_upload import location_note
    from geo_trygghet.ui.dataset import load_dataset

    note = plain(location_note(load_dataset(orders_upload, {"register": str(REGISTER)})))
    assert note.startswith("Lägen: ") and f"postort {levels['postort']}" in note
    assert f"{coarse} händelser på områdens mittpunkter eller bara placerade till postort lämnas utanför" in note

    # keeping them: the postort-only orders join the hot spots
    at.switch_page("geo_trygghet/ui/pages/explorer.py").run()
    at.toggle(key="an_keep_centroids").set_value(True).run()
    assert not at.exception, at.exception
    assert number(metric(at, "Händelser i urvalet")) == len(res)


def test_the_sample_work_orders_are_placed_where_the_truth_says(tmp_path):
    """The sample's ground truth recovered: at least 95 % of the address-only orders within 50 m of
    their true point, every exact match within 5 m (sample_data/README.md, "Addresses")."""
    from pyproj import Transformer

    from geo_trygghet.ingest.incidents import read_incidents

    data = read_incidents(ORDERS, address="Adress", register=REGISTER)
    truth = pd.read_csv(SAMPLE / "arbetsordrar_truth.csv")
    geo = data.geocode
    x, y = Transformer.from_crs(4326, 3006, always_xy=True).transform(geo.lon, geo.lat)
    dist = np.hypot(np.asarray(x) - truth["E"].to_numpy(), np.asarray(y) - truth["N"].to_numpy())
    assert np.mean(dist <= 50) >= 0.95
    assert (dist[geo.level == "exact"] <= 5).all()
    written = truth["skrivsatt"]
    assert (geo.level[written == "no_street"] != "exact").all()  # no street: never claimed as exact
    missing = ((truth["i_registret"] == 0) & ~written.isin(["no_number", "no_street"])).to_numpy()
    assert missing.sum() >= 10  # numbers the register lacks: interpolated between their neighbours
    assert (geo.level[missing] == "interpolated").all() and (dist[missing] <= 5).all()
