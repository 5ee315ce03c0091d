"""The åtgärdsplan in the real app: an analyst builds a plan from a hot spot of the kept sample data
and adds an action with an owner; the responsible organisation reports it done in "Mina
uppgifter"; the public page shows the medborgarlöfte; hostile text in an action stays text in the
plan map's popup. Any alert/confirm dialog fails a test."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import shot, until
from tests.browser.test_owner import log_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

XSS = "<img src=x onerror=alert(1)><script>alert(1)</script>"


def _services(app_server):
    from geo_trygghet.actionplan import PlanService
    from geo_trygghet.remarks import RemarkService, open_store

    remarks = RemarkService(open_store(app_server.database_url))
    return remarks, PlanService(remarks.store)


def _seed_plan(app_server, title: str, *, description: str = "Laga belysningen vid Torget",
               promise: str = "Vi lagar lamporna vid Torget före sommaren.") -> dict:
    from geo_trygghet.remarks import Actor

    remarks, plans = _services(app_server)
    me = Actor.system()
    try:
        plan = plans.create_plan(me, title, decided_date="2024-01-15", period_start="2024-01-01",
                                 period_end="2024-12-31")
        area = {"type": "Polygon", "coordinates": [[[16.190, 58.990], [16.200, 58.990], [16.200, 58.995],
                                                    [16.190, 58.995], [16.190, 58.990]]]}
        problem = plans.add_problem(me, plan, "Mörkt vid Torget", area=area)
        plans.add_cause(me, plan, "Trasig belysning", problem_id=problem.id)
        action = plans.add_action(me, plan, 1, description, responsible=app_server.seed["organisation_id"],
                                  contact="Driftledaren Anna", start_date="2024-02-01", due_date="2024-06-30",
                                  place_kind="problem", promise=True, promise_text=promise)
        return {"plan": plan, "action": action}
    finally:
        plans.close()


def _no_injected_nodes(frame_or_page) -> None:
    assert frame_or_page.locator("img[src='x']").count() == 0
    scripts = frame_or_page.locator("script").evaluate_all("els => els.map(e => e.textContent)")
    assert not any(s.strip() == "alert(1)" for s in scripts)


def _tab(page, name: str) -> None:
    tab = page.get_by_role("tab", name=re.compile(f"^{re.escape(name)}")).first
    until(page, lambda: tab.get_attribute("aria-selected") == "true", act=lambda: tab.click(timeout=5_000))


def _button(page, name: str) -> None:
    """Click the visible button whose text holds ``name`` (a Material icon's ligature, e.g. "add",
    is part of a button's text)."""
    until(page)
    page.locator("button:visible", has_text=name).first.click()


def test_an_analyst_builds_a_plan_from_a_hot_spot_and_adds_an_action(app_server, desktop_page):
    from geo_trygghet.remarks import Actor

    page = desktop_page
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    title = f"Åtgärdsplan {uuid.uuid4().hex[:6]}"
    log_in(page, app_server, "analytiker")
    until(page, "Inloggad som")
    page.goto(f"{app_server}/plan")
    until(page, "Åtgärdsplan")
    _button(page, "Ny plan")
    page.locator(".st-key-ap_new_title input").fill(title)
    page.locator(".st-key-ap_new_area input").fill("Centrum")
    _button(page, "Skapa planen")
    until(page, f"Planen {title} är skapad")

    _tab(page, "Problem")
    expect(page.get_by_text("Hot spot-område", exact=True).first).to_be_visible()
    expect(page.get_by_text(re.compile(r"\d+ händelser .* ha; vanligast")).first).to_be_visible()
    problem = page.locator(".st-key-ap_add_title input")
    problem.fill("Stölder vid Resecentrum")
    problem.press("Tab")
    _button(page, "Lägg till i åtgärdsplan")
    until(page, "Problemet är tillagt i planen")
    _tab(page, "Problem")
    cause = page.locator(".st-key-ap_cause_text textarea")
    cause.fill("Mörkt och ingen naturlig övervakning")
    cause.press("Tab")
    _button(page, "Lägg till orsak")
    until(page, "Orsak 1 är tillagd")

    _tab(page, "Åtgärder")
    what = page.locator(".st-key-ap_action_new_description textarea")
    what.fill("Ny belysning vid cykelparkeringen")
    what.press("Tab")
    until(page)
    page.locator(".st-key-ap_action_new_responsible").click()
    page.get_by_role("option", name="Gatukontoret", exact=True).click()
    _button(page, "Lägg till åtgärd")
    until(page, "Åtgärd 1a är sparad")
    shot(page, "plan_analyst_action", full_page=False)

    remarks, plans = _services(app_server)
    try:
        view = plans.get_plan(Actor.system(), title)
        assert view.problems[0].title == "Stölder vid Resecentrum" and view.problems[0].figures["incidents"] > 0
        assert [(a.nr, a.description, a.responsible_name) for a in view.actions] == [
            ("1a", "Ny belysning vid cykelparkeringen", "Gatukontoret")]
    finally:
        plans.close()
    assert not dialogs


@pytest.mark.parametrize("server", ["app_server", pytest.param("app_server_postgres", marks=pytest.mark.postgres)])
def test_the_responsible_organisation_reports_its_action_done(request, server, desktop_page):
    from geo_trygghet.remarks import Actor

    app_server = request.getfixturevalue(server)
    made = _seed_plan(app_server, f"Plan att rapportera {uuid.uuid4().hex[:6]}",
                      description=f"Byt armaturerna {uuid.uuid4().hex[:4]}")
    page = desktop_page
    log_in(page, app_server, "problemagare")
    until(page, "Anmärkningar till Gatukontoret")
    _tab(page, "Åtgärder i åtgärdsplanen")
    until(page)
    box = page.locator("[data-testid='stExpander']", has_text=made["action"].description)
    note = page.locator(f".st-key-ap_report_{made['action'].id}_note textarea")
    if not note.is_visible():  # a single action's box opens by itself; others are opened here
        box.locator("summary").first.click()
    expect(note).to_be_visible()
    note.fill("Armaturerna bytta, klart före sommaren")
    note.press("Tab")
    until(page)
    box.get_by_role("button", name="Rapportera").click()
    until(page, "1a är rapporterad: Genomförd")
    shot(page, "plan_owner_reported", full_page=False)
    remarks, plans = _services(app_server)
    try:
        action = plans.get_plan(Actor.system(), made["plan"]).action("1a")
        assert (action.production, action.process_note) == ("genomford", "Armaturerna bytta, klart före sommaren")
        assert plans.history(Actor.system(), made["plan"])[-1].actor == "user:gata"
    finally:
        plans.close()


def test_the_public_page_shows_the_medborgarlofte(app_server, phone_page):
    promise = f"Vi lovar fler vuxna ute kring Torget {uuid.uuid4().hex[:4]} {XSS}"
    _seed_plan(app_server, f"Plan med löfte {uuid.uuid4().hex[:6]}", promise=promise)
    page = phone_page
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"{app_server}/public")
    until(page, "Medborgarlöften")
    expect(page.get_by_text(promise).first).to_be_visible()
    assert "Gatukontoret" not in page.locator("[data-testid='stMain']").inner_text()
    assert "Driftledaren" not in page.locator("[data-testid='stMain']").inner_text()
    _no_injected_nodes(page)
    shot(page, "plan_public_promise")
    page.wait_for_timeout(500)
    assert not dialogs


def test_hostile_text_stays_text_in_the_plan_maps_popup(app_server, desktop_page):
    made = _seed_plan(app_server, f"Plan {uuid.uuid4().hex[:6]}", description=f"Åtgärd {XSS}")
    page = desktop_page
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    log_in(page, app_server, "analytiker")
    until(page, "Inloggad som")
    page.goto(f"{app_server}/plan")
    until(page, "Åtgärdsplan")
    until(page)
    box = page.locator(".st-key-ap_plan input").first
    option = page.get_by_role("option", name=re.compile(re.escape(made["plan"].title))).first
    until(page, lambda: made["plan"].title in box.input_value(),
          act=lambda: (box.click(timeout=5_000), option.click(timeout=3_000)))
    plan_map = page.frame_locator("iframe[title*='st_folium']").first
    popup = plan_map.locator(".leaflet-popup-content")
    marker = plan_map.locator(".gt-plan-action", has_text="1a").first
    until(page, popup, act=lambda: marker.click(timeout=10_000))
    assert f"1a. Åtgärd {XSS}" in popup.inner_text().replace("\n", " ")
    _no_injected_nodes(plan_map)
    _no_injected_nodes(page)
    shot(page, "plan_map_popup", full_page=False)
    page.wait_for_timeout(500)
    assert not dialogs
