"""The participant's phone in a real browser (390×844, touch, faked GPS at the sample town):
join with the QR link, log a remark with a camera photo (EXIF GPS inside) and the phone's
position, see it numbered on the map and in the list; the stored remark carries the GPS
accuracy and a photo stripped of its metadata."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from tests.browser.conftest import SAMPLE_TOWN, shot, until

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


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


def join_on_phone(page, app_server) -> None:
    page.goto(f"{app_server}/?kod={app_server.seed['walk_code']}")
    until(page, "Ny anmärkning")
    geo = page.frame_locator("iframe[title*='gt_geolocation']")
    geo.get_by_text("Position från mobilen").wait_for(timeout=20_000)


def pick_category(page, category: str, attempts: int = 4) -> None:
    """Tap the category pill until it shows as chosen (a tap on a pill the page is just
    redrawing, e.g. right after a tap on the map, is lost, as a person would see)."""
    pill = page.get_by_role("radio", name=category, exact=True).first
    for attempt in range(attempts):
        until(page)
        if pill.get_attribute("aria-checked") != "true":
            pill.tap()
        try:
            expect(pill).to_have_attribute("aria-checked", "true", timeout=5_000)
            until(page)
            return
        except AssertionError:
            if attempt == attempts - 1:
                raise


def attach_photo(page, photo: Path, attempts: int = 4) -> None:
    """Choose ``photo`` in the file input until the uploader lists it (a rerun that lands
    just then redraws the uploader and drops the choice)."""
    for attempt in range(attempts):
        until(page)
        page.locator("input[type=file]").first.set_input_files(str(photo))
        try:
            page.get_by_text(photo.name).first.wait_for(timeout=10_000)
            return
        except PlaywrightTimeout:
            if attempt == attempts - 1:
                raise


def send_remark(page, category: str, text: str, photo: Path | None = None) -> int:
    """Fill the phone form and send it; the number the server acknowledged.

    Like a person outdoors, it taps send again when nothing seems to happen (a tap
    that lands while the page redraws): the form's UUID makes that harmless.
    """
    pick_category(page, category)
    page.get_by_label("Beskriv kort").fill(text)
    page.get_by_label("Beskriv kort").blur()
    page.wait_for_timeout(300)
    until(page, "Ny anmärkning")
    if photo is not None:
        attach_photo(page, photo)
    until(page, "Ny anmärkning")
    sent = page.get_by_text(re.compile(r"Skickad som nr \d+"))
    anyway = page.get_by_role("button", name="Skicka ändå")
    for attempt in range(3):
        page.get_by_role("button", name="Skicka anmärkningen").tap()
        try:
            sent.or_(anyway).first.wait_for(timeout=15_000)
            break
        except PlaywrightTimeout:
            if attempt == 2:
                shot(page, "walk_phone_send_failed", full_page=False)
                raise
    if anyway.count():  # an open remark of the same kind within 25 m: it is a new one, send anyway
        until(page, "Skicka ändå")
        shot(page, "walk_phone_duplicate_hint", full_page=False)
        for attempt in range(3):
            anyway.tap()
            try:
                sent.wait_for(timeout=15_000)
                break
            except PlaywrightTimeout:
                if attempt == 2:
                    shot(page, "walk_phone_send_failed", full_page=False)
                    raise
    ack = sent.first.inner_text()
    return int(re.search(r"\d+", ack).group())


def test_phone_logs_a_remark_with_photo_and_gps(app_server, phone_page, tmp_path):
    from PIL import Image

    from geo_trygghet.remarks import Actor

    page = phone_page
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    join_on_phone(page, app_server)
    assert page.frame_locator("iframe[title*='gt_geolocation']").get_by_text("±8 m").is_visible()
    shot(page, "walk_phone_form", full_page=False)
    shot(page, "walk_phone_form_full")

    number = send_remark(page, "Belysning", "Trasig belysning på Åvägen 37", exif_jpeg(tmp_path / "lampa.jpg"))
    shot(page, "walk_phone_sent", full_page=False)
    # the form starts afresh, the remark is numbered on the map and in the list
    try:
        expect(page.locator("textarea")).to_have_count(1, timeout=15_000)
    except AssertionError:
        shot(page, "walk_phone_two_textareas", full_page=False)
        raise
    expect(page.get_by_label("Beskriv kort")).to_have_value("", timeout=15_000)
    page.get_by_text(f"{number}. Belysning").first.wait_for()
    walk_map = page.frame_locator("iframe[title*='st_folium']").last
    marker = walk_map.locator(".gt-remark", has_text=re.compile(rf"^\s*{number}\s*$"))
    marker.first.wait_for(timeout=20_000)
    page.locator("iframe[title*='st_folium']").last.scroll_into_view_if_needed()
    shot(page, "walk_phone_map_list", full_page=False)

    service = service_for(app_server)
    try:
        stored = [r for r in service.list_remarks(Actor.system(), walk=app_server.seed["walk_id"])
                  if r.number == number]
        assert len(stored) == 1
        r = stored[0]
        assert r.text == "Trasig belysning på Åvägen 37" and r.category == "belysning"
        assert r.position_source == "gps" and r.accuracy_m == pytest.approx(SAMPLE_TOWN["accuracy"])
        assert r.lat == pytest.approx(SAMPLE_TOWN["latitude"]) and r.lon == pytest.approx(SAMPLE_TOWN["longitude"])
        photo = Image.open(io.BytesIO(service.get_photo(Actor.system(), r.id)))
        assert max(photo.size) <= 2048 and not photo.getexif()
    finally:
        service.close()
    # a double tap on send: one remark, one number
    pick_category(page, "Klotter")
    page.get_by_label("Beskriv kort").fill("Dubbeltryck")
    page.get_by_label("Beskriv kort").blur()
    page.wait_for_timeout(300)
    page.get_by_role("button", name="Skicka anmärkningen").evaluate("b => { b.click(); b.click(); }")
    page.get_by_text(f"Skickad som nr {number + 1}").wait_for(timeout=30_000)
    until(page, f"{number + 1}. Klotter")
    assert page.get_by_text("Välj en kategori.").count() == 0
    service = service_for(app_server)
    try:
        texts = [r.text for r in service.list_remarks(Actor.system(), walk=app_server.seed["walk_id"])]
    finally:
        service.close()
    assert texts.count("Dubbeltryck") == 1
    assert not dialogs


def test_phone_page_fits_one_hand(app_server, phone_page):
    page = phone_page
    join_on_phone(page, app_server)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{width} px wide"
    # big tap targets: the category pills and the send button
    pill = page.get_by_role("radio", name="Trygg plats", exact=True).bounding_box()
    send = page.get_by_role("button", name="Skicka anmärkningen").bounding_box()
    assert pill["height"] >= 44 and send["height"] >= 44
    # the send button stays on screen while the form scrolls (sticky bar)
    page.get_by_label("Beskriv kort").scroll_into_view_if_needed()
    box = page.get_by_role("button", name="Skicka anmärkningen").bounding_box()
    shot(page, "walk_phone_sticky_send", full_page=False)
    assert box["y"] >= 0 and box["y"] + box["height"] <= page.viewport_size["height"]


def test_phone_without_position_taps_the_map(app_server, browser):
    """Location denied (or plain http on a phone): the map opens and a tap places the remark."""
    from geo_trygghet.remarks import Actor
    from tests.browser.conftest import PHONE

    context = browser.new_context(viewport=PHONE, screen=PHONE, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, locale="sv-SE", timezone_id="Europe/Stockholm")
    context.set_default_timeout(20_000)
    try:
        page = context.new_page()
        page.goto(f"{app_server}/?kod={app_server.seed['walk_code']}")
        until(page, "Ny anmärkning")
        geo = page.frame_locator("iframe[title*='gt_geolocation']")
        geo.get_by_text(re.compile("tryck på kartan", re.IGNORECASE)).wait_for()
        page.get_by_text("Tryck på kartan där anmärkningen gäller.").first.wait_for()
        tap_map = page.locator("iframe[title*='st_folium']").first
        tap_map.scroll_into_view_if_needed()
        box = tap_map.bounding_box()
        page.mouse.click(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.5)
        page.get_by_text(re.compile(r"Vald plats på kartan: \d+\.\d+, \d+\.\d+")).wait_for(timeout=30_000)
        shot(page, "walk_phone_tap_map", full_page=False)
        number = send_remark(page, "Nedskräpning", "Skräp vid återvinningen")
    finally:
        context.close()
    service = service_for(app_server)
    try:
        r = next(r for r in service.list_remarks(Actor.system(), walk=app_server.seed["walk_id"])
                 if r.number == number)
    finally:
        service.close()
    assert r.position_source == "map" and r.accuracy_m is None and r.category == "nedskrapning"


def test_phone_bad_photo_is_one_swedish_line_and_the_text_stays(app_server, phone_page, tmp_path):
    page = phone_page
    join_on_phone(page, app_server)
    bad = tmp_path / "inte_en_bild.jpg"
    bad.write_bytes(b"this is not a JPEG at all" * 40)
    pick_category(page, "Annat")
    page.get_by_label("Beskriv kort").fill("Texten ska finnas kvar")
    page.get_by_label("Beskriv kort").blur()
    page.wait_for_timeout(300)
    until(page, "Ny anmärkning")
    attach_photo(page, bad)
    until(page, "Ny anmärkning")
    error = page.get_by_text("Fotot kunde inte läsas: skicka ett foto i JPEG, PNG eller WebP.")
    for attempt in range(3):
        page.get_by_role("button", name="Skicka anmärkningen").tap()
        try:
            error.wait_for(timeout=15_000)
            break
        except PlaywrightTimeout:
            if attempt == 2:
                raise
    expect(page.get_by_label("Beskriv kort")).to_have_value("Texten ska finnas kvar")
    shot(page, "walk_phone_photo_error", full_page=False)
