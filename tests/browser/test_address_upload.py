"""An analyst uploads a file with addresses only (the sample's skadegörelse work orders, as a kommun's
repair-order export) and the sample's address register in the column mapping; the incidents are
placed on their addresses and mapped, with the match levels and what hot spots leave out in the data
panel. Screenshot: address_upload.png."""

from __future__ import annotations

import re
from pathlib import Path

from .conftest import ACCOUNTS, shot, until

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
ORDERS = SAMPLE / "arbetsordrar_skadegorelse.csv"
REGISTER = SAMPLE / "belagenhetsadresser.gpkg"


def test_an_address_only_file_is_placed_with_an_uploaded_register(app_server, desktop_page):
    page = desktop_page
    page.goto(f"{app_server}/logga-in")
    until(page, "Användarnamn")
    username, password = ACCOUNTS["analytiker"]
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()
    until(page, "Inloggad som")

    sidebar = page.get_by_test_id("stSidebar")
    until(page, sidebar.get_by_text("Ladda upp en fil", exact=True),
          act=lambda: sidebar.get_by_text("Ladda upp en fil", exact=True).click())
    until(page, sidebar.get_by_test_id("stFileUploaderDropzone"))
    sidebar.locator("input[type=file]").first.set_input_files(str(ORDERS))
    # no coordinates: the page names the address column and what to choose (no command-line flags)
    hint = page.get_by_text("Filen har inga koordinater men adresser i kolumnen 'Adress'")
    until(page, hint, timeout_ms=120_000)
    assert page.get_by_text("--address").count() == 0

    form = page.get_by_test_id("stForm")
    choice = form.get_by_text("Adresser (geokodas mot ett adressregister)")
    until(page, choice)
    choice.click()
    upload = form.get_by_text("Ladda upp ett register", exact=True)
    if upload.count():
        upload.click()
    page.locator(".st-key-an_map_register_upload input[type=file]").set_input_files(str(REGISTER))
    page.wait_for_timeout(500)  # the upload is kept by the form until it is sent
    read = form.get_by_role("button", name="Läs in med dessa kolumner")
    loaded = sidebar.get_by_text(re.compile(r"1\s176 händelser inlästa ur arbetsordrar_skadegorelse\.csv"))
    until(page, loaded, act=lambda: read.click(), timeout_ms=180_000)

    # the data panel: match levels, location quality, what hot spots leave out and why
    levels = sidebar.get_by_text(re.compile(
        r"1\s176 adresser mot belagenhetsadresser\.gpkg: exakt 1\s121, utan bokstav 4, interpolerad 22, "
        r"gata 15, postort 14"))
    until(page, levels)
    until(page, sidebar.get_by_text(re.compile(r"14 händelser på områdens mittpunkter eller bara placerade till "
                                               r"postort lämnas utanför hot spots")))
    until(page, sidebar.get_by_text(re.compile(r"Adresser som inte placerades exakt \(55\)")))
    # the map: the 1 162 orders placed to an address or a street, with their hot spots
    metric = page.get_by_test_id("stMetric").filter(has_text="Händelser i urvalet")
    until(page, metric.filter(has_text=re.compile(r"1\s162")))
    until(page, page.locator("iframe[title='streamlit_folium.st_folium']").first, timeout_ms=120_000)
    shot(page, "address_upload", full_page=False)
