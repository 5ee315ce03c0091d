"""The analyst's real-file path of the lägesbild at a desktop viewport: upload the Lancashire
police.uk export (56 434 incidents) in the explorer, then on the Lägesbild page upload the ward
polygons and the population spreadsheet separately, as councils get them; the rates per
100 000 come per ward, joined on the ward codes. Screenshot: lagesbild_real_file.png."""

from __future__ import annotations

import re

import pytest

from .conftest import ACCOUNTS, shot, until

LANCS_FILES = ("lancashire_asb_2022.csv", "lancashire_wards.gpkg", "lancashire_ward_pop.xlsx")


@pytest.fixture
def lancs(shared_data):
    folder = shared_data / "lancashire_asb_2022"
    return [folder / name for name in LANCS_FILES]


def test_lagesbild_of_an_uploaded_real_file_with_a_separate_population_table(app_server, desktop_page, lancs):
    incidents, wards, population = lancs
    page = desktop_page
    page.goto(f"{app_server}/logga-in")
    until(page, "Användarnamn")
    username, password = ACCOUNTS["analytiker"]
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()
    until(page, "Inloggad som")
    until(page)

    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text("Ladda upp en fil", exact=True).click()
    until(page)
    sidebar.locator("input[type=file]").first.set_input_files(str(incidents))
    until(page, "56 434 händelser inlästa ur lancashire_asb_2022.csv", timeout_ms=120_000)

    page.get_by_role("link", name="Lägesbild").click()
    until(page, "Stödfrågorna besvarade", timeout_ms=120_000)
    until(page, timeout_ms=120_000)
    page.get_by_text("Befolkning och referensvärde").click()
    page.get_by_role("radiogroup", name="Befolkning").get_by_text("Ladda upp områden (GeoJSON/GeoPackage)").click()
    until(page, timeout_ms=120_000)
    inputs = page.get_by_test_id("stExpander").locator("input[type=file]")
    inputs.nth(0).set_input_files(str(wards))
    until(page, timeout_ms=120_000)
    inputs.nth(1).set_input_files(str(population))
    joined = page.get_by_text(re.compile(r"Befolkning kopplad för 245 av 271 områden \(ward_code = gss_code"))
    joined.wait_for(timeout=120_000)
    until(page, timeout_ms=120_000)
    rates = page.get_by_text("Per 100 000 invånare och år", exact=True)
    rates.wait_for(timeout=120_000)
    rates.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    shot(page, "lagesbild_real_file", full_page=False)
    # month-only data: no empty weekday × hour grid, a line saying why instead
    assert page.get_by_text("56 434 händelser saknar klockslag").count() == 1
    assert page.locator(".st-key-lb_weekday_hour").count() == 0
    # the stödfrågor now compare the wards: the highest one is named in the answer
    headline = re.compile(r"Högst (bland säkra områden )?är .+ med [\d\s,]+ per 100\s000 invånare och år")
    assert page.get_by_text(headline).count() >= 1
