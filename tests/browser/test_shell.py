"""The app shell in a real browser: start page, language switch, join link, login."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ACCOUNTS, shot, until

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

START_SV = "Vad kan jag göra här?"
START_EN = "What can I do here?"


def _no_horizontal_scroll(page) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"]
    assert width <= viewport, f"the page is {width} px wide on a {viewport} px screen"


def test_desktop_start_page_in_swedish_then_english(app_server, desktop_page):
    page = desktop_page
    page.goto(app_server)
    until(page, START_SV)
    expect(page.get_by_role("link", name="Logga in")).to_be_visible()
    expect(page.get_by_role("link", name="Gå med i en vandring")).to_be_visible()
    shot(page, "shell_desktop_start_sv")

    page.get_by_text("English", exact=True).click()
    until(page, START_EN)
    expect(page.get_by_role("link", name="Log in")).to_be_visible()
    expect(page.get_by_text(START_SV)).to_have_count(0)
    shot(page, "shell_desktop_start_en")

    # the choice survives moving to another page
    page.get_by_role("link", name="Log in").click()
    until(page, "User name")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    # ... and a reload or a new tab (the browser keeps it in a cookie for a year)
    page.wait_for_function("() => document.cookie.includes('gt_lang=en')")
    page.reload()
    until(page, "User name")
    expect(page.get_by_text("Användarnamn")).to_have_count(0)


def test_phone_start_page_fits_and_offers_the_join_form(app_server, phone_page):
    page = phone_page
    page.goto(app_server)
    until(page, START_SV)
    expect(page.get_by_label("Vandringskod")).to_be_visible()
    expect(page.get_by_role("button", name="Gå med")).to_be_visible()
    _no_horizontal_scroll(page)
    shot(page, "shell_phone_start")


def test_phone_join_with_typed_code(app_server, phone_page):
    """The start page's code box opens the walk's phone form (/walk/)."""
    page = phone_page
    page.goto(app_server)
    until(page, START_SV)
    page.get_by_label("Vandringskod").fill(app_server.seed["walk_code"].lower())
    page.get_by_role("button", name="Gå med").tap()
    page.wait_for_url(f"**/walk/?kod={app_server.seed['walk_code']}", timeout=30_000)
    expect(page.locator("#walk-title")).to_have_text(app_server.seed["walk_title"])
    shot(page, "shell_phone_joined_by_code")


def test_phone_deep_link_joins_the_walk(app_server, phone_page):
    """A join link as printed before the phone form (/?kod=) opens the form; a reload keeps it."""
    page = phone_page
    code = app_server.seed["walk_code"]
    page.goto(f"{app_server}/?kod={code}")
    page.wait_for_url(f"**/walk/?kod={code}")
    expect(page.locator("#walk-title")).to_have_text(app_server.seed["walk_title"])
    _no_horizontal_scroll(page)
    shot(page, "shell_phone_deep_link")
    # a reload in the middle of the walk keeps the phone in it, on the remark form
    page.goto(f"{app_server}/walk/")
    expect(page.locator("#walk-title")).to_have_text(app_server.seed["walk_title"])
    expect(page.get_by_role("button", name="Skicka anmärkningen")).to_be_visible()


def test_deep_link_with_unknown_code_explains(app_server, phone_page):
    page = phone_page
    page.goto(f"{app_server}/?kod=QQQQQQ")
    expect(page.locator("#join-error")).to_have_text(
        "Ingen vandring har koden QQQQQQ. Kontrollera koden och försök igen.")
    expect(page.get_by_label("Vandringskod")).to_be_visible()  # the form's code box, to try again
    shot(page, "shell_phone_unknown_code")


def test_login_wrong_password_then_right_then_logout(app_server, desktop_page):
    page = desktop_page
    username, password = ACCOUNTS["analytiker"]
    page.goto(app_server)
    until(page, START_SV)
    page.get_by_role("link", name="Logga in").click()
    until(page, "Användarnamn")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill("fel-losen")
    page.get_by_role("button", name="Logga in").click()
    until(page, "Fel användarnamn eller lösenord.")
    shot(page, "shell_desktop_login_failed")

    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()
    until(page, "Välkommen")
    expect(page.get_by_test_id("stSidebar")).to_contain_text(
        re.compile(r"Inloggad som \w+ \(Analytiker\)"))
    expect(page.get_by_role("link", name="Logga ut")).to_be_visible()
    expect(page.get_by_role("link", name="Logga in")).to_have_count(0)
    shot(page, "shell_desktop_analytiker")

    # a reload (or a link from a reminder e-mail in a new tab) keeps the login
    cookie = until(page, lambda: next((c for c in page.context.cookies() if c["name"] == "gt_login"), None))
    assert cookie["expires"] == -1 and cookie["sameSite"] == "Strict"  # a session cookie
    page.reload()
    until(page, "Inloggad som")
    expect(page.get_by_test_id("stSidebar")).to_contain_text("(Analytiker)")
    second = page.context.new_page()
    second.goto(app_server)
    until(second, "Inloggad som")
    second.close()

    page.get_by_role("link", name="Logga ut").click()
    until(page, "Du är utloggad.")
    expect(page.get_by_role("link", name="Logga in")).to_be_visible()
    page.wait_for_function("() => !document.cookie.includes('gt_login=')")
    page.reload()
    until(page, START_SV)
    expect(page.get_by_role("link", name="Logga in")).to_be_visible()


def test_remember_me_keeps_the_login_and_a_stolen_old_token_is_dead(app_server, browser):
    """"Kom ihåg mig" gives a two-week cookie; after logout the same token no longer works,
    even when a browser still sends it."""
    username, password = ACCOUNTS["problemagare"]
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="sv-SE")
    try:
        page = context.new_page()
        page.goto(f"{app_server}/logga-in")
        until(page, "Användarnamn")
        page.get_by_label("Användarnamn").fill(username)
        page.get_by_label("Lösenord").fill(password)
        page.get_by_text("Kom ihåg mig i två veckor").click()
        page.get_by_role("button", name="Logga in").click()
        until(page, "Välkommen")
        page.wait_for_function("() => document.cookie.includes('gt_login=')")
        kept = next(c for c in context.cookies() if c["name"] == "gt_login")
        assert kept["expires"] > time.time() + 13 * 86400
        page.reload()
        until(page, "Anmärkningar till")  # the problemägare's own start page
        page.get_by_role("link", name="Logga ut").click()
        until(page, "Du är utloggad.")
    finally:
        context.close()
    replay = browser.new_context(locale="sv-SE")
    try:
        replay.add_cookies([{k: kept[k] for k in ("name", "value", "domain", "path")}])
        page = replay.new_page()
        page.goto(app_server)
        until(page, START_SV)
        expect(page.get_by_role("link", name="Logga in")).to_be_visible()
    finally:
        replay.close()


@pytest.mark.postgres
def test_the_app_on_postgresql_logs_in_and_joins(app_server_postgres, desktop_page, phone_page):
    """The same shell, served from PostgreSQL (GEO_TRYGGHET_DATABASE_URL)."""
    page = desktop_page
    username, password = ACCOUNTS["admin"]
    page.goto(f"{app_server_postgres}/logga-in")
    until(page, "Användarnamn")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()
    until(page, "Välkommen")
    expect(page.get_by_test_id("stSidebar")).to_contain_text("(Administratör)")
    shot(page, "shell_desktop_admin_postgres")

    phone_page.goto(f"{app_server_postgres}/?kod={app_server_postgres.seed['walk_code']}")
    expect(phone_page.locator("#walk-title")).to_have_text(app_server_postgres.seed["walk_title"])
