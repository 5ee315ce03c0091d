"""The problemägare on a desktop: logs in, finds the remark assigned to its organisation,
plans it with a date and marks it fixed with a note; the history shows both steps."""

from __future__ import annotations

import re
import uuid

import pytest

from geo_trygghet.settings import local_today
from tests.browser.conftest import ACCOUNTS, SAMPLE_TOWN, shot, until

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def log_in(page, app_server, role: str) -> None:
    username, password = ACCOUNTS[role]
    page.goto(f"{app_server}/logga-in")
    until(page, "Användarnamn")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()


def pick_remark(page, text: str) -> None:
    """Choose the remark in the "Välj anmärkning" box (type to filter, then Enter)."""
    box = page.locator(".st-key-ow_pick")
    if text[:25] not in box.inner_text():
        box.locator("input").fill(text[:25])
        page.keyboard.press("Enter")
    page.get_by_test_id("stMarkdownContainer").filter(has_text=text).first.wait_for()
    until(page, "Välj anmärkning")


def save_visible(page) -> None:
    until(page)
    page.locator("button:visible", has_text=re.compile(r"^Spara$")).first.click()


def open_tab(page, name: str, shows: str):
    """Click the tab called `name` until its own panel shows `shows`; the panel.

    After a save the actions are redrawn for the remark's new state, and for a moment the old
    tab set (about to be removed) and the new one are both in the page: click the last visible
    tab of that name, as often as a redraw swallows the click."""
    tab = page.locator("[role=tab]:visible", has_text=re.compile(f"^{re.escape(name)}$"))
    panel = page.get_by_role("tabpanel", name=name)
    until(page, lambda: panel.last.locator(shows).first.is_visible(), act=lambda: tab.last.click(timeout=5000))
    return panel.last


def test_owner_plans_and_fixes_a_remark(app_server, desktop_page):
    from geo_trygghet.remarks import Actor, RemarkService, open_store

    text = f"Uppbrutna källardörrar Storgatan 85–89 ({uuid.uuid4().hex[:6]})"
    service = RemarkService(open_store(app_server.database_url))
    try:
        remark = service.submit_remark(Actor.participant(app_server.seed["walk_code"]), app_server.seed["walk_id"],
                                       str(uuid.uuid4()), "belysning", text, lon=SAMPLE_TOWN["longitude"] + 0.003,
                                       lat=SAMPLE_TOWN["latitude"] + 0.001)
        service.assign(Actor.system(), remark.id, app_server.seed["organisation_id"])

        page = desktop_page
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        log_in(page, app_server, "problemagare")
        until(page, "Anmärkningar till Gatukontoret")
        pick_remark(page, text)
        page.frame_locator("iframe[title*='st_folium']").first.locator(".gt-remark").first.wait_for()
        page.get_by_text("Välj anmärkning").scroll_into_view_if_needed()
        shot(page, "owner_desktop_list", full_page=False)

        save_visible(page)  # the first tab: Planera, today's date
        until(page, "är nu Planerad")
        planned = service.get_remark(Actor.system(), remark.id)
        assert planned.state == "planerad" and planned.planned_date == local_today()

        pick_remark(page, text)
        panel = open_tab(page, "Åtgärdad", shows="input[aria-label='Kommentar']")
        comment = panel.locator("input[aria-label='Kommentar']")
        comment.fill("Ny lampa monterad")
        comment.press("Tab")  # commit the text before the button reads it
        until(page)
        panel.get_by_role("button", name="Spara").click()
        until(page, "är nu Åtgärdad")
        shot(page, "owner_desktop_fixed")
        fixed = service.get_remark(Actor.system(), remark.id)
        assert fixed.state == "atgardad" and fixed.fixed_date == local_today()
        steps = [(e.to_state, e.note) for e in service.history(Actor.system(), remark.id)]
        assert [s for s, _ in steps][-3:] == ["tilldelad", "planerad", "atgardad"]
        assert steps[-1][1] == "Ny lampa monterad"
        assert not dialogs
    finally:
        service.close()
