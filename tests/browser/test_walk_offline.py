"""Offline for real: the phone form in a persistent Chromium profile (a phone's browser that is closed
and opened again), the network switched off and on by the test, the server stopped and started.

* submit online; go offline, reload and get the form from the service worker; log three remarks and
  see them saved on the phone; close the browser, open it again on the same profile with the outbox
  intact; go online and see "Skickad som nr N" for each: exactly three more stored.
* the server stops while the outbox sends and comes back on the same address: every remark and photo
  arrives exactly once, numbered without gaps.
"""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import CHROMIUM_ARGS, PHONE, SAMPLE_TOWN, _free_port, _serve, shot

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
SENT = re.compile(r"^Skickad som nr (\d+)$")


def persistent_phone(browser, profile: Path, *, offline: bool = False):
    """A phone browser on ``profile`` (kept on disk between launches), GPS at the sample town."""
    context = browser.browser_type.launch_persistent_context(
        str(profile), executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"), headless=True,
        args=CHROMIUM_ARGS, viewport=PHONE, screen=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
        locale="sv-SE", timezone_id="Europe/Stockholm", geolocation=SAMPLE_TOWN, permissions=["geolocation"],
        offline=offline)
    context.set_default_timeout(20_000)
    return context


def ready(page) -> None:
    page.locator("body[data-ready='1']").wait_for()


def service_worker_ready(page) -> None:
    """The form's service worker is installed (its files kept) and controls the page."""
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function("navigator.serviceWorker.controller !== null")


def log_remark(page, category: str, text: str, photo: Path | None = None) -> None:
    page.get_by_role("radio", name=category, exact=True).check()
    page.get_by_label("Beskriv kort").fill(text)
    if photo is not None:
        page.locator("#photo").set_input_files(str(photo))
        expect(page.locator("#photo-status")).to_contain_text("Fotot är med")
    expect(page.locator("#position-status")).to_contain_text("±8 m")
    page.get_by_role("button", name="Skicka anmärkningen").tap()
    expect(page.get_by_label("Beskriv kort")).to_have_value("")


def states(page) -> list[str]:
    return page.locator("#outbox-list .state").all_inner_texts()


def wait_all_sent(page, n: int, timeout_ms: int = 60_000) -> list[int]:
    """The outbox's n remarks all acknowledged; their numbers, oldest first."""
    expect(page.locator("#outbox-list .state")).to_have_count(n)
    for i in range(n):
        expect(page.locator("#outbox-list .state").nth(i)).to_have_text(SENT, timeout=timeout_ms)
    return sorted(int(SENT.match(s).group(1)) for s in states(page))


def remarks_of(database_url: str, walk_id: int) -> list:
    from geo_trygghet.remarks import Actor, RemarkService, open_store

    service = RemarkService(open_store(database_url))
    try:
        return service.list_remarks(Actor.system(), walk=walk_id)
    finally:
        service.close()


def fresh_walk(database_url: str, title: str):
    from geo_trygghet.remarks import Actor, RemarkService, open_store

    service = RemarkService(open_store(database_url))
    try:
        return service.create_walk(Actor.system(), f"{title} {uuid.uuid4().hex[:6]}", walk_date="2025-10-02")
    finally:
        service.close()


def test_the_outbox_survives_offline_reloads_and_a_closed_browser(app_server, browser, tmp_path):
    walk = fresh_walk(app_server.database_url, "Tunnelvandring")
    url = f"{app_server}/walk/?kod={walk.join_code}"
    profile = tmp_path / "profile"
    context = persistent_phone(browser, profile)
    try:
        page = context.pages[0] if context.pages else context.new_page()
        page.goto(url)
        ready(page)
        service_worker_ready(page)
        log_remark(page, "Belysning", "Online: trasig lampa")
        expect(page.locator("#outbox-list .state").first).to_have_text(SENT, timeout=30_000)
        # the tunnel: no network; the page opens again from the service worker
        context.set_offline(True)
        page.reload()
        ready(page)
        expect(page.locator("#walk-title")).to_have_text(walk.title)
        expect(page.locator("#net")).to_have_text("Ingen anslutning")
        expect(page.locator("#remark-list")).to_contain_text("1. Belysning · Ny")  # the walk's list, kept
        for category, text in (("Klotter", "Offline ett"), ("Trafik", "Offline två"), ("Annat", "Offline tre")):
            log_remark(page, category, text)
        expect(page.locator("#outbox-summary")).to_have_text("3 väntar på att skickas.")
        assert states(page) == ["Sparad i telefonen"] * 3 + ["Skickad som nr 1"]
        expect(page.locator(".gt-num.own")).to_have_count(3)  # on the map too, not numbered yet
        shot(page, "walk_offline_queued", full_page=False)
    finally:
        context.close()
    assert len(remarks_of(app_server.database_url, walk.id)) == 1

    # the browser was closed; it opens again, still without network: the outbox is intact
    context = persistent_phone(browser, profile, offline=True)
    try:
        page = context.pages[0] if context.pages else context.new_page()
        page.goto(url)
        ready(page)
        assert states(page) == ["Sparad i telefonen"] * 3 + ["Skickad som nr 1"]
        context.set_offline(False)  # the online event sends the outbox
        numbers = wait_all_sent(page, 4)
        shot(page, "walk_offline_sent", full_page=False)
    finally:
        context.close()
    assert numbers == [1, 2, 3, 4]
    stored = remarks_of(app_server.database_url, walk.id)
    assert sorted(r.text for r in stored) == ["Offline ett", "Offline tre", "Offline två", "Online: trasig lampa"]
    assert [r.number for r in stored] == [1, 2, 3, 4]


@pytest.fixture
def restartable_server(tmp_path, seed_database):
    """An app whose server the test can stop and start again on the same address and database."""
    database_url = f"sqlite:///{tmp_path / 'restart.sqlite'}"
    seed = seed_database(database_url)
    port = _free_port()
    runs: list = []

    def start():
        run = _serve(tmp_path / f"run{len(runs)}", database_url, seed, port=port)
        (tmp_path / f"run{len(runs)}").mkdir()
        runs.append(run)
        return next(run)

    def stop():
        runs[-1].close()

    try:
        yield start, stop, database_url
    finally:
        for run in runs:
            run.close()


def noisy_jpeg(path: Path, seed: int) -> Path:
    """A phone photo that stays large after shrinking (noise does not compress)."""
    from PIL import Image

    Image.effect_noise((2600, 1950), 60 + seed).convert("RGB").save(path, "JPEG", quality=92)
    return path


def test_the_outbox_sends_through_a_server_restart(restartable_server, browser, tmp_path):
    start, stop, database_url = restartable_server
    server = start()
    walk = fresh_walk(database_url, "Omstartsvandring")
    context = persistent_phone(browser, tmp_path / "profile")
    try:
        page = context.pages[0] if context.pages else context.new_page()
        page.goto(f"{server}/walk/?kod={walk.join_code}")
        ready(page)
        service_worker_ready(page)
        context.set_offline(True)
        count = 8
        for i in range(count):
            log_remark(page, "Klotter", f"Klotter nr {i + 1}", noisy_jpeg(tmp_path / f"foto{i}.jpg", i))
        assert states(page) == ["Sparad i telefonen"] * count
        context.set_offline(False)
        expect(page.locator("#outbox-list .state", has_text=SENT).first).to_be_visible(timeout=30_000)
        stop()  # the server goes away while the outbox sends
        sent_before = sum(bool(SENT.match(s)) for s in states(page))
        shot(page, "walk_offline_server_down", full_page=False)
        server = start()  # and comes back on the same address: the outbox carries on by itself
        numbers = wait_all_sent(page, count, timeout_ms=90_000)
    finally:
        context.close()
    assert sent_before < count, "the outbox had sent everything before the server stopped"
    assert numbers == list(range(1, count + 1))
    stored = remarks_of(database_url, walk.id)
    assert sorted(r.text for r in stored) == sorted(f"Klotter nr {i + 1}" for i in range(count))
    assert [r.number for r in stored] == list(range(1, count + 1)) and all(r.has_photo for r in stored)
