"""End to end at a desktop viewport (1440×900): an analyst logs in, opens the hot-spot
explorer, changes a filter and sees the map change, downloads the GeoPackage and
reads it back; screenshots of the explorer, the lägesbild and the walk planner
are saved under test-artifacts/screenshots/ (see ``shot``)."""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest

from .conftest import ACCOUNTS, shot, until

MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'



def _login(page, base: str, role: str = "analytiker") -> None:
    username, password = ACCOUNTS[role]
    page.goto(f"{base}/logga-in")
    until(page, "Användarnamn")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()
    page.get_by_text("Inloggad som").wait_for(timeout=30_000)
    until(page)


def _map(page):
    """The (newest) map iframe: while a rerun renders, the stale one may still be there."""
    return page.locator(MAP_FRAME).last.content_frame


def _download(page, label: str):
    """Click a download button until the file comes (a click that lands while the page
    reruns can hit the previous run's file, which Streamlit has released)."""
    got = []

    def click() -> None:
        with page.expect_download(timeout=30_000) as info:
            page.get_by_role("button", name=label).click()
        got.append(info.value)

    return until(page, lambda: got and got[-1], act=click, timeout_ms=120_000)


def _legend(page) -> str:
    legend = _map(page).locator(".gt-summary")
    legend.wait_for(state="visible", timeout=60_000)
    return legend.inner_text()


def _open(page, link: str, text: str) -> None:
    page.get_by_role("link", name=link).click()
    until(page, text, timeout_ms=60_000)
    until(page)


def test_analyst_explores_filters_and_downloads(app_server, desktop_page, tmp_path):
    page = desktop_page
    _login(page, app_server)
    _open(page, "Hot spots", "Hot spots: var koncentreras brotten?")
    before = _legend(page)
    n_before = int(re.sub(r"\D", "", before.split("händelser")[0]))
    assert n_before > 1000
    # the layers are drawn on a canvas (prefer_canvas); the layer control lists them
    control = _map(page).locator(".leaflet-control-layers-overlays")
    assert "Gi* het/kall punkt (FDR)" in control.inner_text()
    # one scale bar, in metres or kilometres (no feet, no miles)
    scale = _map(page).locator(".leaflet-control-scale-line")
    assert scale.count() == 1 and re.fullmatch(r"\d+ k?m", scale.inner_text().strip()), scale.all_inner_texts()
    shot(page, "analyst_explorer")

    # filter: one Brå category
    category = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').first
    category.scroll_into_view_if_needed()
    category.locator("input").click()
    page.keyboard.type("Skadegörelse")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    until(page)
    _map(page).locator(".gt-summary").filter(
        has_not_text=before).wait_for(timeout=60_000)
    after = _legend(page)
    n_after = int(re.sub(r"\D", "", after.split("händelser")[0]))
    assert 0 < n_after < n_before
    assert re.sub(r"\D", "", page.get_by_test_id("stMetricValue").first.inner_text()) == str(n_after)
    shot(page, "analyst_explorer_filtered")

    # click a cell in the middle of the hot area: its months and crime types appear
    box = page.locator(MAP_FRAME).last.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.get_by_text("Händelser per månad").wait_for(timeout=60_000)
    until(page)
    assert page.get_by_text("Vanligaste brottstyper").count() == 1
    page.get_by_text("Händelser per månad").scroll_into_view_if_needed()
    shot(page, "analyst_explorer_cell", full_page=False)

    # download the GeoPackage and read it back
    got = _download(page, "GeoPackage (celler + områden)")
    path = tmp_path / got.suggested_filename
    got.save_as(path)
    assert path.suffix == ".gpkg"
    assert {name for name, _ in pyogrio.list_layers(path)} == {"cells", "clusters"}
    cells = gpd.read_file(path, layer="cells")
    clusters = gpd.read_file(path, layer="clusters")
    assert cells.crs.to_epsg() == 4326 and clusters.crs.to_epsg() == 4326
    assert {"h3", "count", "gi_z", "gi_p", "gi_bin"} <= set(cells.columns)
    # the filtered selection within the hot-spot study area (the town, by default), not the whole file
    from geo_trygghet.hotspots.grid import build_grid
    from geo_trygghet.ingest.incidents import read_boundary, read_incidents

    sample = Path(__file__).resolve().parents[2] / "sample_data"
    inc = read_incidents(sample / "incidents.csv").gdf
    town = read_boundary(sample / "tatort.geojson").geometry.union_all()
    grid = build_grid(inc.lon.to_numpy(), inc.lat.to_numpy(), resolution=9, boundary=town)
    want = int(grid.counts((inc["category"] == "skadegorelse").to_numpy()).sum())
    assert 0 < want < n_after
    assert int(cells["count"].sum()) == want
    assert set(cells["gi_bin"].unique()) <= set(range(-3, 4))


def test_screenshots_of_the_analyst_pages(app_server, desktop_page):
    page = desktop_page
    _login(page, app_server, "admin")
    _open(page, "Lägesbild", "Stödfrågorna besvarade")
    page.get_by_test_id("stTable").first.wait_for(timeout=60_000)  # the rates, as a page table
    page.get_by_test_id("stVegaLiteChart").first.wait_for(timeout=60_000)
    shot(page, "analyst_lagesbild")
    _open(page, "Planera vandring", "Planera en trygghetsvandring från hot spots")
    _map(page).locator(".leaflet-control-layers-overlays").wait_for(
        state="attached", timeout=60_000)
    assert page.get_by_text(re.compile(r"Rutt: \d+,\d km")).count() == 1
    shot(page, "analyst_plan_walk")
    page.get_by_role("button", name="Skapa vandring").click()
    until(page)
    page.get_by_text("Koden är").wait_for(timeout=30_000)
    qr = page.locator('[data-testid="stImage"] img').first  # the QR code
    qr.wait_for(timeout=30_000)
    page.wait_for_function("() => [...document.querySelectorAll('[data-testid=stImage] img')]"
                           ".every(i => i.complete && i.naturalWidth > 0)", timeout=30_000)
    assert qr.evaluate("i => i.naturalWidth") >= 100
    shot(page, "analyst_plan_walk_created")


@pytest.mark.parametrize("role", ["public"])
def test_public_explorer_has_no_points_and_no_full_export(app_server, desktop_page, role):
    page = desktop_page
    page.goto(app_server)
    until(page, "Start")
    _open(page, "Hot spots", "Hot spots: var koncentreras brotten?")
    assert "Offentligt läge" in page.get_by_test_id("stAlert").first.inner_text()
    _legend(page)
    assert page.get_by_role("button", name="GeoPackage (celler + områden)").count() == 0
    assert page.get_by_role("button", name="GeoPackage, offentlig").count() == 1
    shot(page, "public_explorer")
