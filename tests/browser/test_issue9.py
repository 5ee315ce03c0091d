"""What people tripped over (issue 9), in a real browser at phone (390 px) and desktop (1440 px)
size: the period filter, Swedish numbers in an English browser, linkable pages, a phone menu
that closes, legends clear of the data, remarks told apart, and a screenshot of every page.

Screenshots go to test-artifacts/screenshots/issue9_<page>_<width>.png (the whole page: the
viewport is stretched to the page's height, since Streamlit scrolls inside its own container).
"""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ACCOUNTS, CHROMIUM_ARGS, DESKTOP, PHONE, SAMPLE_TOWN, SCREENSHOTS, until

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
KOMMUN = "Katrineholms kommun (exempel)"  # the sample's boundary label: no GEO_TRYGGHET_KOMMUN set


def whole_page(page, name: str) -> None:
    """Save the whole page: stretch the viewport to the main area's height, then shoot."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    height = page.evaluate("() => { const main = document.querySelector('[data-testid=stMain]');"
                           " const bar = document.querySelector('[data-testid=stSidebarContent]');"
                           " const open = bar && bar.getBoundingClientRect().right > 0;"
                           " return Math.max(main ? main.scrollHeight : 0, open ? bar.scrollHeight : 0, 600); }")
    page.set_viewport_size({"width": size["width"], "height": min(int(height) + 60, 7000)})
    page.wait_for_timeout(800)
    until(page)
    page.screenshot(path=str(SCREENSHOTS / f"issue9_{name}_{size['width']}.png"), full_page=True)
    page.set_viewport_size(size)


def log_in(page, base: str, role: str) -> None:
    username, password = ACCOUNTS[role]
    page.goto(f"{base}/logga-in")
    until(page, "Användarnamn")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()
    page.get_by_text("Inloggad som").wait_for(timeout=60_000)
    until(page)


def no_page_not_found(page) -> None:
    expect(page.get_by_text("Page not found")).to_have_count(0)


def metric(page, index: int = 0) -> int:
    return int(re.sub(r"\D", "", page.get_by_test_id("stMetricValue").nth(index).inner_text()))


def _map(page):
    return page.locator(MAP_FRAME).last.content_frame


def _boxes_apart(a: dict | None, b: dict | None) -> bool:
    if a is None or b is None:
        return True
    return (a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]
            or a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"])


# --------------------------------------------------------------------------- 7: addresses, menu, names
def test_the_feedback_page_opens_at_its_own_address(app_server, phone_page):
    page = phone_page
    page.goto(f"{app_server}/aterkoppling")
    until(page, "Återkoppling: vad hittade vandringarna")
    no_page_not_found(page)
    assert page.url.endswith("/aterkoppling")
    page.goto(f"{app_server}/public")  # the old address forwards
    until(page, "Återkoppling: vad hittade vandringarna")
    assert page.url.endswith("/aterkoppling")


def test_a_page_that_needs_a_login_opens_after_it(app_server, desktop_page):
    page = desktop_page
    page.goto(f"{app_server}/lagesbild")
    until(page, "är för inloggade")
    no_page_not_found(page)
    username, password = ACCOUNTS["analytiker"]
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()
    page.get_by_text("Inloggad som").wait_for(timeout=60_000)
    # the login form is gone at once, not left greyed out while the page loads
    expect(page.get_by_label("Lösenord")).to_have_count(0)
    until(page, "Stödfrågorna besvarade", timeout_ms=120_000)
    assert page.url.endswith("/lagesbild")
    no_page_not_found(page)
    # another page by its address, signed in
    page.goto(f"{app_server}/hotspots")
    until(page, "Hot spots: var koncentreras brotten?")
    no_page_not_found(page)


def test_phone_menu_closes_after_a_choice(app_server, phone_page):
    page = phone_page
    page.goto(app_server)
    until(page, "Vad kan jag göra här?")
    sidebar = page.get_by_test_id("stSidebar")
    page.get_by_test_id("stExpandSidebarButton").click()
    until(page, lambda: sidebar.bounding_box()["x"] >= 0)
    page.get_by_test_id("stSidebarNavLink").filter(has_text="Återkoppling").click()
    until(page, "Återkoppling: vad hittade vandringarna")
    until(page, lambda: sidebar.bounding_box()["x"] + sidebar.bounding_box()["width"] <= 0)  # closed again


def test_start_page_and_tab_carry_product_and_kommun(app_server, desktop_page):
    page = desktop_page
    page.goto(app_server)
    until(page, "Vad kan jag göra här?")
    expect(page.get_by_role("heading", name="Trygghetsportalen")).to_be_visible()
    expect(page.get_by_text(KOMMUN).first).to_be_visible()
    assert "geo_trygghet" not in page.title()
    assert "Trygghetsportalen" in page.title() and KOMMUN in page.title()


# --------------------------------------------------------------------------- 1: the period
def test_period_applies_and_survives_a_click_on_the_map(app_server, desktop_page):
    page = desktop_page
    log_in(page, app_server, "analytiker")  # lands on the hot spots
    until(page, "Hot spots: var koncentreras brotten?")
    before = metric(page)
    since = page.locator(".st-key-ex__f_from input")
    until_ = page.locator(".st-key-ex__f_to input")
    since.fill("2024-01-01")
    since.press("Enter")
    until(page, lambda: metric(page) != before)
    until_.fill("2024-06-30")
    until_.press("Enter")
    until(page, "Visar 2024-01-01 – 2024-06-30")
    chosen = metric(page)
    assert 0 < chosen < before
    box = page.locator(MAP_FRAME).last.bounding_box()
    # clicked again if the map was still being drawn when the first click came
    until(page, page.get_by_text("Händelser per månad"), timeout_ms=90_000,
          act=lambda: page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2))
    assert since.input_value() == "2024-01-01" and until_.input_value() == "2024-06-30"
    assert metric(page) == chosen
    # the clicked cell is named by its street and district, not its H3 code
    panel = page.get_by_text("H3-cell").first
    expect(panel).to_be_visible()
    # a preset: last year
    page.locator(".st-key-ex__f_preset").get_by_text("Förra året", exact=True).click()
    until(page, "Visar 2023-01-01 – 2023-12-31")
    assert since.input_value() == "2023-01-01"
    # a date that is no date is refused, visibly, and the count stays
    last_year = metric(page)
    until_.fill("2023-02-31")
    until_.press("Enter")
    until(page, "Perioden används inte")
    assert metric(page) == last_year


def test_weekday_buttons_look_on_and_off(app_server, desktop_page):
    page = desktop_page
    log_in(page, app_server, "analytiker")
    until(page, "Hot spots: var koncentreras brotten?")
    days = page.locator(".st-key-ex__f_days button")
    until(page, lambda: days.count() == 7)
    days.filter(has_text="sön").click()
    until(page, "6 av 7 dagar")
    on = days.filter(has_text="mån").evaluate("b => getComputedStyle(b).backgroundColor")
    off = days.filter(has_text="sön").evaluate("b => getComputedStyle(b).backgroundColor")
    assert on != off and on not in ("rgba(0, 0, 0, 0)", "transparent")
    decoration = days.filter(has_text="sön").locator("p").evaluate("p => getComputedStyle(p).textDecorationLine")
    assert decoration == "line-through"


# --------------------------------------------------------------------------- 2: numbers, whatever the browser
def test_rate_table_is_swedish_in_an_english_browser(app_server, browser):
    context = browser.new_context(viewport=DESKTOP, locale="en-US", timezone_id="Europe/Stockholm")
    context.set_default_timeout(20_000)
    page = context.new_page()
    try:
        log_in(page, app_server, "analytiker")
        page.goto(f"{app_server}/lagesbild")
        until(page, "Per 100 000 invånare och år", timeout_ms=120_000)
        table = page.get_by_test_id("stTable").last
        table.scroll_into_view_if_needed()
        until(page, lambda: table.locator("td").count() > 20)
        cells = [c.strip().replace("\u00a0", " ") for c in table.locator("td").all_inner_texts()]
        assert "3 400" in cells, cells[:30]  # Centrum's inhabitants; "3,400" is what the browser wrote
        assert "216 852" in cells
        assert not [c for c in cells if re.fullmatch(r"\d{1,3}(,\d{3})+", c)]
    finally:
        context.close()


# --------------------------------------------------------------------------- 6: legends
@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["390", "1440"])
def test_legends_leave_scale_attribution_and_data_free(app_server, browser, size):
    phone = size is PHONE
    context = browser.new_context(viewport=size, locale="sv-SE", is_mobile=phone, has_touch=phone)
    context.set_default_timeout(20_000)
    page = context.new_page()
    try:
        page.goto(f"{app_server}/hotspots")
        until(page, "Hot spots: var koncentreras brotten?", timeout_ms=120_000)
        frame = _map(page)
        legend = frame.locator(".gt-hotspot-legend")
        legend.wait_for(timeout=60_000)
        rows = legend.locator(".gt-row")
        if phone:
            expect(rows.first).to_be_hidden()  # folded to its title
            legend.click()
            expect(rows.first).to_be_visible()  # a tap opens it
            legend.click()
        else:
            expect(rows.first).to_be_visible()
        boxes = [frame.locator(sel).first.bounding_box() for sel in
                 (".leaflet-control-scale", ".leaflet-control-attribution")]
        for other in frame.locator(".gt-legend").all():
            mine = other.bounding_box()
            for box in boxes:
                assert _boxes_apart(mine, box), (mine, box)
    finally:
        context.close()


# --------------------------------------------------------------------------- 5: remarks told apart
def test_problem_owner_map_tells_remarks_of_two_walks_apart(app_server, desktop_page):
    from geo_trygghet.remarks import Actor, RemarkService, open_store

    service = RemarkService(open_store(app_server.database_url))
    try:
        refs = []
        for title in (f"Vandring A {uuid.uuid4().hex[:4]}", f"Vandring B {uuid.uuid4().hex[:4]}"):
            walk = service.create_walk(Actor.system(), title, walk_date="2025-09-01")
            r = service.submit_remark(Actor.participant(walk.join_code), walk, str(uuid.uuid4()), "belysning",
                                      f"Mörk gång ({title})", lon=SAMPLE_TOWN["longitude"] + 0.004,
                                      lat=SAMPLE_TOWN["latitude"] + 0.002)
            refs.append(service.assign(Actor.system(), r.id, app_server.seed["organisation_id"]).ref)
    finally:
        service.close()
    page = desktop_page
    log_in(page, app_server, "problemagare")
    until(page, "Anmärkningar till Gatukontoret")
    markers = _map(page).locator(".gt-remark")
    markers.first.wait_for(timeout=60_000)
    shown = set(markers.all_inner_texts())
    assert set(refs) <= shown, (refs, shown)
    # a staff page says at its address that it is not for this role
    page.goto(f"{app_server}/lagesbild")
    until(page, "inte till för din roll")
    no_page_not_found(page)


# --------------------------------------------------------------------------- screenshots of every page
PUBLIC_PAGES = ["", "aterkoppling", "hotspots", "ga-med", "logga-in"]
STAFF_PAGES = {"analytiker": ["hotspots", "lagesbild", "planera-vandring", "uppfoljning", "vandringar"],
               "admin": ["administration"], "problemagare": ["problemagare"]}


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["390", "1440"])
def test_screenshots_of_every_page(app_server, browser, size):
    phone = size is PHONE
    shots = []
    for role, paths in [("public", PUBLIC_PAGES), *STAFF_PAGES.items()]:
        context = browser.new_context(viewport=size, locale="sv-SE", is_mobile=phone, has_touch=phone,
                                      device_scale_factor=1, timezone_id="Europe/Stockholm")
        context.set_default_timeout(20_000)
        page = context.new_page()
        try:
            if role != "public":
                log_in(page, app_server, role)
            for path in paths:
                page.goto(f"{app_server}/{path}")
                until(page, timeout_ms=120_000)
                page.wait_for_timeout(1500)  # maps and charts draw after the script has run
                no_page_not_found(page)
                assert not page.get_by_test_id("stException").count(), f"/{path} failed for {role}"
                name = f"{role}_{path or 'start'}"
                whole_page(page, name)
                shots.append(name)
        finally:
            context.close()
    assert len(shots) == len(PUBLIC_PAGES) + sum(map(len, STAFF_PAGES.values()))
    assert CHROMIUM_ARGS  # the same Chromium as every browser test
