"""The explorer's Utveckling and Prognos layers in the real app: an analyst turns them on, the map
gets the pattern layer and the forecast cells with one Swedish legend, the coverage slider changes
the cells flagged. Screenshot: explorer_change_layers.png."""

from __future__ import annotations

import re

from .conftest import ACCOUNTS, shot, until

MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'


def _map(page):
    return page.locator(MAP_FRAME).last.content_frame


def test_utveckling_and_prognos_on_the_explorer_map(app_server, desktop_page):
    page = desktop_page
    page.goto(f"{app_server}/logga-in")
    until(page, "Användarnamn")
    username, password = ACCOUNTS["analytiker"]
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()
    until(page, "Inloggad som")
    until(page, "Hot spots: var koncentreras brotten?", timeout_ms=120_000)

    legend = _map(page).locator(".gt-change-legend")
    page.locator(".st-key-ex_show_emerging label").click()
    until(page, lambda: legend.count() and "Ihållande het punkt" in legend.inner_text(), timeout_ms=180_000)
    assert "Utveckling över tid (Gi* per månad, Mann-Kendall)" in legend.inner_text()
    until(page, page.get_by_text(re.compile(r"^Var det förändras \(Gi\* per månad")))

    page.locator(".st-key-ex_show_forecast label").click()
    until(page, lambda: legend.count() and "Prognos:" in legend.inner_text(), timeout_ms=180_000)
    text = legend.inner_text()
    assert "Utveckling och prognos" in text and re.search(r"Prognos: \d+ celler, 3 % av ytan", text), text
    control = _map(page).locator(".leaflet-control-layers-overlays")
    assert "Utveckling (mönster över tid)" in control.inner_text() and "Prognos" in control.inner_text()
    until(page, page.get_by_test_id("stMetric").filter(has_text="PEI"))
    shot(page, "explorer_change_layers", full_page=False)
