"""The participant's phone form (/walk/) in a real browser at phone size, with the phone's GPS set by
the test: join by link or typed code, log a remark with a camera photo and the phone's position, a tap
on the map when the phone gives none, the photo's GPS when there is nothing else, possible duplicates
offered, user text shown as text, English on a switch, a closed walk, a draft that survives a reload;
the stored remark carries the GPS accuracy and a photo stripped of its metadata."""

from __future__ import annotations

import io
import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, SAMPLE_TOWN, shot

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
NARROW = {"width": 360, "height": 740}
SENT = re.compile(r"Skickad som nr (\d+)")


def exif_jpeg(path: Path, *, lat=(58.0, 59.0, 30.0), lon=(16.0, 11.0, 50.0), size=(3000, 2000)) -> Path:
    """A camera-like JPEG with a maker and a GPS position in its EXIF."""
    from PIL import ExifTags, Image

    img = Image.new("RGB", size, (120, 140, 160))
    exif = Image.Exif()
    exif[0x010F] = "TestCam"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[1], gps[2], gps[3], gps[4] = "N", lat, "E", lon
    img.save(path, "JPEG", exif=exif, quality=80)
    return path


def service_for(app_server):
    from geo_trygghet.remarks import RemarkService, open_store

    return RemarkService(open_store(app_server.database_url))


def stored(app_server, walk_id=None) -> list:
    from geo_trygghet.remarks import Actor

    service = service_for(app_server)
    try:
        return service.list_remarks(Actor.system(), walk=walk_id or app_server.seed["walk_id"])
    finally:
        service.close()


def new_walk(app_server, title: str, *, close: bool = False):
    from geo_trygghet.remarks import Actor

    service = service_for(app_server)
    try:
        walk = service.create_walk(Actor.system(), f"{title} {uuid.uuid4().hex[:6]}", walk_date="2025-10-02")
        if close:
            service.close_walk(Actor.system(), walk.id)
        return walk
    finally:
        service.close()


def phone(browser, *, located: bool = True, viewport=PHONE):
    options = dict(viewport=viewport, screen=viewport, device_scale_factor=2, is_mobile=True, has_touch=True,
                   locale="sv-SE", timezone_id="Europe/Stockholm")
    if located:
        options.update(geolocation=SAMPLE_TOWN, permissions=["geolocation"])
    context = browser.new_context(**options)
    context.set_default_timeout(20_000)
    return context


def open_form(page, app_server, code: str, *, located: bool = True) -> None:
    page.goto(f"{app_server}/walk/?kod={code}")
    page.locator("body[data-ready='1']").wait_for()
    if located:
        expect(page.locator("#position-status")).to_have_text("Position från mobilen, ±8 m")


def pick(page, category: str) -> None:
    page.get_by_role("radio", name=category, exact=True).check()


def send(page) -> None:
    page.get_by_role("button", name="Skicka anmärkningen").tap()


def wait_sent(page, items: int = 1) -> int:
    """The number the newest remark of the outbox was acknowledged with, once the phone's outbox
    holds ``items`` remarks (read in one go: the list is redrawn as the outbox sends)."""
    handle = page.wait_for_function("""items => {
        const rows = document.querySelectorAll('#outbox-list li');
        const sent = rows.length === items && rows[0].querySelector('.state').textContent
            .match(/^Skickad som nr (\\d+)$/);
        return sent && Number(sent[1]);
    }""", arg=items, timeout=30_000)
    return int(handle.json_value())


def test_phone_logs_a_remark_with_photo_and_gps(app_server, browser, tmp_path):
    from PIL import Image

    from geo_trygghet.remarks import Actor
    from geo_trygghet.remarks.photos import has_metadata

    context = phone(browser)
    try:
        page = context.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        open_form(page, app_server, app_server.seed["walk_code"].lower())
        expect(page.locator("#walk-title")).to_have_text(app_server.seed["walk_title"])
        shot(page, "walk_phone_form", full_page=False)
        shot(page, "walk_phone_form_full")

        pick(page, "Belysning")
        page.get_by_label("Beskriv kort").fill("Trasig belysning på Åvägen 37")
        page.locator("#photo").set_input_files(str(exif_jpeg(tmp_path / "lampa.jpg")))
        expect(page.locator("#photo-status")).to_have_text(re.compile(r"Fotot är med \(\d+ kB\)\."))
        send(page)
        number = wait_sent(page)
        shot(page, "walk_phone_sent", full_page=False)
        # the form starts afresh; the remark is numbered on the map and in the list
        expect(page.get_by_label("Beskriv kort")).to_have_value("")
        expect(page.locator("input[name=category]:checked")).to_have_count(0)
        expect(page.locator("#remark-list")).to_contain_text(f"{number}. Belysning · Ny")
        expect(page.locator(".gt-num", has_text=re.compile(rf"^{number}$"))).to_have_count(1)
        page.locator("#remark-list").scroll_into_view_if_needed()
        shot(page, "walk_phone_map_list", full_page=False)

        (r,) = [x for x in stored(app_server) if x.number == number]
        assert r.text == "Trasig belysning på Åvägen 37" and r.category == "belysning"
        assert r.position_source == "gps" and r.accuracy_m == pytest.approx(SAMPLE_TOWN["accuracy"])
        assert r.lat == pytest.approx(SAMPLE_TOWN["latitude"]) and r.lon == pytest.approx(SAMPLE_TOWN["longitude"])
        service = service_for(app_server)
        try:
            photo = service.get_photo(Actor.system(), r.id)
        finally:
            service.close()
        assert max(Image.open(io.BytesIO(photo)).size) == 2048 and not has_metadata(photo)

        # a double tap on send: one remark, one number, no complaint about the emptied form
        pick(page, "Klotter")
        page.get_by_label("Beskriv kort").fill("Dubbeltryck")
        page.get_by_role("button", name="Skicka anmärkningen").evaluate("b => { b.click(); b.click(); }")
        assert wait_sent(page, items=2) == number + 1
        expect(page.locator("#form-error")).to_have_text("")
        assert [x.text for x in stored(app_server)].count("Dubbeltryck") == 1
        assert not dialogs
    finally:
        context.close()


def test_phone_form_fits_one_hand_at_360_px(app_server, browser):
    context = phone(browser, viewport=NARROW)
    try:
        page = context.new_page()
        open_form(page, app_server, app_server.seed["walk_code"])
        page.locator("details.more summary").tap()
        assert page.evaluate("() => document.documentElement.scrollWidth") <= NARROW["width"]
        small = page.evaluate("""() => [...document.querySelectorAll(
              '#walk button:not([hidden]), #walk .choice span, #walk select, #walk textarea, #walk summary,'
            + ' #walk label.button, .top button')]
            .filter(el => el.offsetParent !== null)
            .map(el => [el.id || el.textContent.trim().slice(0, 30), el.getBoundingClientRect()])
            .filter(([, box]) => box.height < 44 || box.width < 44)
            .map(([name, box]) => `${name}: ${Math.round(box.width)}×${Math.round(box.height)}`)""")
        assert not small, f"targets under 44 px: {small}"
        unlabelled = page.evaluate("""() => [...document.querySelectorAll('input, select, textarea, button')]
            .filter(el => el.type !== 'hidden')
            .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                          && !el.textContent.trim())
            .map(el => el.outerHTML.slice(0, 80))""")
        assert not unlabelled, unlabelled
        # while typing the text the send button stays on screen, in the lower half (a thumb's reach)
        page.get_by_label("Beskriv kort").scroll_into_view_if_needed()
        box = page.get_by_role("button", name="Skicka anmärkningen").bounding_box()
        shot(page, "walk_phone_sticky_send", full_page=False)
        assert NARROW["height"] / 2 <= box["y"] and box["y"] + box["height"] <= NARROW["height"]
    finally:
        context.close()


def test_phone_without_position_taps_the_map(app_server, browser):
    """Location denied (or plain http on a phone): a tap on the map places the remark."""
    context = phone(browser, located=False)
    try:
        page = context.new_page()
        open_form(page, app_server, app_server.seed["walk_code"], located=False)
        expect(page.locator("#position-status")).to_contain_text("tryck på kartan")
        expect(page.locator("#map-hint")).to_have_text("Tryck på kartan där anmärkningen gäller.")
        pick(page, "Nedskräpning")
        page.get_by_label("Beskriv kort").fill("Skräp vid återvinningen")
        send(page)
        expect(page.locator("#form-error")).to_have_text(
            "Anmärkningen saknar plats: tillåt platstjänster, tryck på kartan eller bifoga ett foto med GPS.")
        page.locator("#map").scroll_into_view_if_needed()
        box = page.locator("#map").bounding_box()
        page.mouse.click(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.5)
        expect(page.locator("#position-status")).to_have_text(
            re.compile(r"Vald plats på kartan: \d+\.\d{5}, \d+\.\d{5}"))
        shot(page, "walk_phone_tap_map", full_page=False)
        send(page)
        number = wait_sent(page)
    finally:
        context.close()
    (r,) = [x for x in stored(app_server) if x.number == number]
    assert r.position_source == "map" and r.accuracy_m is None and r.category == "nedskrapning"
    assert r.text == "Skräp vid återvinningen"


def test_the_photos_gps_fills_a_missing_position(app_server, browser, tmp_path):
    context = phone(browser, located=False)
    try:
        page = context.new_page()
        open_form(page, app_server, app_server.seed["walk_code"], located=False)
        pick(page, "Skadegörelse")
        page.locator("#photo").set_input_files(str(exif_jpeg(tmp_path / "dorr.jpg")))
        expect(page.locator("#position-status")).to_have_text("Platsen tas från fotots GPS: 58.99167, 16.19722")
        send(page)
        number = wait_sent(page)
    finally:
        context.close()
    (r,) = [x for x in stored(app_server) if x.number == number]
    assert r.position_source == "exif" and r.has_photo
    assert (r.lat, r.lon) == (pytest.approx(58 + 59 / 60 + 30 / 3600), pytest.approx(16 + 11 / 60 + 50 / 3600))


def test_a_bad_photo_is_one_swedish_line_and_the_text_stays(app_server, browser, tmp_path):
    bad = tmp_path / "inte_en_bild.jpg"
    bad.write_bytes(b"this is not a JPEG at all" * 40)
    context = phone(browser)
    try:
        page = context.new_page()
        open_form(page, app_server, app_server.seed["walk_code"])
        pick(page, "Annat")
        page.get_by_label("Beskriv kort").fill("Texten ska finnas kvar")
        page.locator("#photo").set_input_files(str(bad))
        expect(page.locator("#photo-status")).to_have_text(
            "Fotot kunde inte läsas: skicka ett foto i JPEG, PNG eller WebP.")
        expect(page.get_by_label("Beskriv kort")).to_have_value("Texten ska finnas kvar")
        expect(page.get_by_role("radio", name="Annat", exact=True)).to_be_checked()
        shot(page, "walk_phone_photo_error", full_page=False)
    finally:
        context.close()


def test_an_open_remark_within_25_m_is_offered_as_a_duplicate(app_server, browser):
    from geo_trygghet.remarks import Actor

    walk = new_walk(app_server, "Dubblettvandring")
    service = service_for(app_server)
    try:  # a lamp 3 m from where the phone is
        lamp = service.submit_remark(Actor.participant(walk.join_code), walk, str(uuid.uuid4()), "belysning",
                                     "Trasig lampa vid entrén", lon=SAMPLE_TOWN["longitude"] + 0.00005,
                                     lat=SAMPLE_TOWN["latitude"])
    finally:
        service.close()
    context = phone(browser)
    try:
        page = context.new_page()
        open_form(page, app_server, walk.join_code)
        pick(page, "Belysning")
        page.get_by_label("Beskriv kort").fill("Mörkt här också")
        send(page)
        dupes = page.locator("#dupes")
        expect(dupes).to_contain_text("Det finns redan öppna anmärkningar i samma kategori inom 25 m.")
        expect(dupes).to_contain_text(f"nr {lamp.number}, 3 m bort · Belysning: Trasig lampa vid entrén")
        shot(page, "walk_phone_duplicate_hint", full_page=False)
        assert len(stored(app_server, walk.id)) == 1  # nothing sent yet
        page.get_by_role("button", name="Skicka ändå").tap()
        assert wait_sent(page) == lamp.number + 1
    finally:
        context.close()
    assert [r.text for r in stored(app_server, walk.id)] == ["Trasig lampa vid entrén", "Mörkt här också"]


def test_user_text_is_shown_as_text(app_server, browser):
    from geo_trygghet.remarks import Actor

    xss = "<img src=x onerror=alert(1)> <script>alert(2)</script> **fet**"
    walk = new_walk(app_server, "Textvandring")
    service = service_for(app_server)
    try:
        service.submit_remark(Actor.participant(walk.join_code), walk, str(uuid.uuid4()), "klotter", xss,
                              lon=SAMPLE_TOWN["longitude"], lat=SAMPLE_TOWN["latitude"],
                              reporter_name="Kalle Reporter")
    finally:
        service.close()
    context = phone(browser)
    try:
        page = context.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        open_form(page, app_server, walk.join_code)
        expect(page.locator("#remark-list .text")).to_have_text(xss)
        pick(page, "Klotter")
        page.get_by_label("Beskriv kort").fill(xss)
        page.get_by_role("radio", name="Klotter", exact=True).check()
        page.get_by_role("button", name="Skicka anmärkningen").tap()
        page.get_by_role("button", name="Skicka ändå").tap()  # the first one is 0 m away
        wait_sent(page)
        expect(page.locator("#outbox-list li").first).to_contain_text(xss[:40])
        assert page.locator("img[src='x']").count() == 0 and page.locator("main script").count() == 0
        assert "Kalle Reporter" not in page.content()
        assert not dialogs
    finally:
        context.close()


def test_english_on_a_switch_kept_on_the_phone(app_server, browser):
    context = phone(browser)
    try:
        page = context.new_page()
        open_form(page, app_server, app_server.seed["walk_code"])
        page.get_by_role("button", name="Byt språk till engelska").tap()
        expect(page.get_by_role("button", name="Send the remark")).to_be_visible()
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.get_by_role("radio", name="Lighting", exact=True)).to_have_count(1)
        expect(page.locator("#position-status")).to_have_text("Position from the phone, ±8 m")
        page.reload()
        page.locator("body[data-ready='1']").wait_for()
        expect(page.get_by_role("button", name="Send the remark")).to_be_visible()
        page.get_by_role("button", name="Change the language to Swedish").tap()
        expect(page.get_by_role("button", name="Skicka anmärkningen")).to_be_visible()
    finally:
        context.close()


def test_a_closed_walk_shows_its_remarks_but_takes_none(app_server, browser):
    walk = new_walk(app_server, "Avslutad vandring", close=True)
    context = phone(browser)
    try:
        page = context.new_page()
        open_form(page, app_server, walk.join_code, located=False)
        expect(page.locator("#walk-status")).to_have_text(
            "Vandringen är avslutad: du kan se anmärkningarna men inte lägga till fler.")
        expect(page.get_by_role("button", name="Skicka anmärkningen")).to_be_hidden()
        expect(page.locator("#list-status")).to_have_text("Inga anmärkningar ännu.")
    finally:
        context.close()


def test_the_draft_survives_a_reload(app_server, browser):
    context = phone(browser)
    try:
        page = context.new_page()
        open_form(page, app_server, app_server.seed["walk_code"])
        pick(page, "Trafik")
        page.get_by_label("Beskriv kort").fill("Halvskriven anmärkning")
        page.wait_for_timeout(600)  # the draft is kept a quarter of a second after the last key
        page.reload()
        page.locator("body[data-ready='1']").wait_for()
        expect(page.get_by_label("Beskriv kort")).to_have_value("Halvskriven anmärkning")
        expect(page.get_by_role("radio", name="Trafik", exact=True)).to_be_checked()
    finally:
        context.close()


def test_join_by_typed_code_and_the_phone_keeps_it(app_server, browser):
    context = phone(browser)
    try:
        page = context.new_page()
        page.goto(f"{app_server}/walk/")
        page.locator("body[data-ready='1']").wait_for()
        page.get_by_label("Vandringskod").fill("QQQ-QQQ")
        page.get_by_role("button", name="Gå med").tap()
        expect(page.locator("#join-error")).to_have_text(
            "Ingen vandring har koden QQQQQQ. Kontrollera koden och försök igen.")
        code = app_server.seed["walk_code"]
        page.get_by_label("Vandringskod").fill(f"{code[:3].lower()} {code[3:].lower()}")
        page.get_by_role("button", name="Gå med").tap()
        expect(page.locator("#walk-title")).to_have_text(app_server.seed["walk_title"])
        assert page.url.endswith(f"/walk/?kod={code}")
        page.goto(f"{app_server}/walk/")  # the code stays on the phone
        expect(page.locator("#walk-title")).to_have_text(app_server.seed["walk_title"])
        page.get_by_role("button", name="Byt vandring").tap()
        expect(page.get_by_label("Vandringskod")).to_be_visible()
    finally:
        context.close()


def test_join_links_and_the_apps_code_box_lead_to_the_form(app_server, browser):
    code = app_server.seed["walk_code"]
    context = phone(browser)
    try:
        page = context.new_page()
        page.goto(f"{app_server}/?kod={code.lower()}")  # a QR code printed before the phone form
        page.wait_for_url(re.compile(rf"/walk/\?kod={code}$", re.IGNORECASE))
        expect(page.locator("#walk-title")).to_have_text(app_server.seed["walk_title"])
        page.goto(f"{app_server}/")  # the app's start page: its code box
        page.get_by_label("Vandringskod").fill(code)
        page.get_by_role("button", name="Gå med").tap()
        page.wait_for_url(re.compile(rf"/walk/\?kod={code}$"), timeout=30_000)
        expect(page.locator("#walk-title")).to_have_text(app_server.seed["walk_title"])
    finally:
        context.close()


def test_a_long_walk_title_keeps_its_words_whole_at_360_px(app_server, browser):
    """The title shares the bar with the network status and the language button: a long one wraps
    between words (the status and button move below it if need be), never inside a word."""
    walk = new_walk(app_server, "Trygghetsvandring Centrum kvällsvandring")
    context = phone(browser, viewport=NARROW)
    try:
        page = context.new_page()
        open_form(page, app_server, walk.join_code, located=False)
        expect(page.locator("#walk-title")).to_contain_text("kvällsvandring")
        broken = page.evaluate("""() => {
            const h1 = document.getElementById('walk-title'), text = h1.firstChild, out = [];
            for (const m of text.textContent.matchAll(/\\S+/g)) {
              const r = document.createRange();
              r.setStart(text, m.index); r.setEnd(text, m.index + m[0].length);
              const tops = new Set([...r.getClientRects()].map(b => Math.round(b.top)));
              if (tops.size > 1) out.push(m[0]);
            }
            return out;
        }""")
        assert not broken, f"words broken across lines: {broken}"
        assert page.evaluate("() => document.documentElement.scrollWidth") <= NARROW["width"]
        shot(page, "walk_phone_long_title", full_page=False)
    finally:
        context.close()
