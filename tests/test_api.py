"""The phone form's JSON API (/api/v1) on SQLite and PostgreSQL: idempotent submission, the status
codes DESIGN.md names, one Swedish sentence naming the field for every 400, size and rate limits,
photos; and the phone form's files under /walk/ (CSP, no inline script, texts, service worker)."""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import io
import re
import uuid

import pytest
from starlette.testclient import TestClient

from geo_trygghet.remarks import Actor
from geo_trygghet.remarks.categories import REMARK_CATEGORIES
from geo_trygghet.remarks.states import STATES
from geo_trygghet.web.stack import web_app

ADMIN = Actor.system()
TOWN = {"lat": 58.99215, "lon": 16.19615}


def remark(**changes) -> dict:
    body = {"id": str(uuid.uuid4()), **TOWN, "accuracy_m": 8.0, "category": "belysning",
            "text": "Trasig lampa vid Åvägen 37", "created_at": dt.datetime.now(dt.UTC).isoformat()}
    body.update(changes)
    return {k: v for k, v in body.items() if v is not ...}


def jpeg(size=(3000, 2000), *, gps=True, color=(120, 140, 160)) -> bytes:
    """A camera-like JPEG with a maker and (optionally) a GPS position in its EXIF."""
    from PIL import ExifTags, Image

    img = Image.new("RGB", size, color)
    exif = Image.Exif()
    exif[0x010F] = "TestCam"
    if gps:
        info = exif.get_ifd(ExifTags.IFD.GPSInfo)
        info[1], info[2], info[3], info[4] = "N", (58.0, 59.0, 30.0), "E", (16.0, 11.0, 50.0)
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif, quality=80)
    return buf.getvalue()


@pytest.fixture
def walk(service):
    return service.create_walk(ADMIN, "Centrum kvällsvandring", walk_date="2025-10-02")


@pytest.fixture
def client(service):
    with TestClient(web_app(lambda: service, burst=0, per_minute=0)) as c:
        yield c


def post(client, code, body, **kw):
    return client.post(f"/api/v1/walks/{code}/remarks", json=body, **kw)


def assert_sentence(response, status: int, field: str | None):
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error", "field"} and body["field"] == field
    sentence = body["error"]
    assert sentence.endswith(".") and "\n" not in sentence and "Traceback" not in sentence
    assert sentence[0].isupper()
    return sentence


# --------------------------------------------------------------------------- walks
def test_the_walk_as_the_phone_sees_it(client, walk):
    r = client.get(f"/api/v1/walks/{walk.join_code.lower()}")
    assert r.status_code == 200
    body = r.json()
    assert (body["code"], body["title"], body["date"], body["open"]) == (walk.join_code, walk.title, "2025-10-02", True)
    assert [c["slug"] for c in body["categories"]][:3] == ["belysning", "buskage", "klotter"]
    assert len(body["categories"]) == 11 and [c["slug"] for c in body["categories"] if c["positive"]] == ["trygg_plats"]
    assert body["duplicate_radius_m"] == 25 and body["text_max"] == 4000
    assert r.headers["cache-control"] == "no-store"
    sentence = assert_sentence(client.get("/api/v1/walks/QQQQQQ"), 404, "code")
    assert sentence == "Ingen vandring har koden QQQQQQ. Kontrollera koden och försök igen."


# --------------------------------------------------------------------------- remarks
def test_a_resend_is_the_same_remark_and_other_content_is_409(client, service, walk):
    first = remark()
    r1 = post(client, walk.join_code, first)
    assert r1.status_code == 201 and r1.json() == {"id": first["id"], "number": 1}
    again = post(client, walk.join_code, first)
    assert again.status_code == 200 and again.json() == r1.json()
    other = post(client, walk.join_code, remark(category="klotter", id=first["id"]))
    assert_sentence(other, 409, "id")
    moved = post(client, walk.join_code, remark(id=first["id"], lat=TOWN["lat"] + 0.001))
    assert_sentence(moved, 409, "id")
    second = post(client, walk.join_code, remark())
    assert second.status_code == 201 and second.json()["number"] == 2
    elsewhere = service.create_walk(ADMIN, "Norra vandringen")
    assert_sentence(post(client, elsewhere.join_code, first), 409, "id")
    stored = service.list_remarks(ADMIN, walk=walk)
    assert [(r.number, r.category) for r in stored] == [(1, "belysning"), (2, "belysning")]
    assert len(service.history(ADMIN, first["id"])) == 1


def test_the_phone_time_is_kept_when_believable(client, service, walk):
    tapped = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(hours=5)
    kept = remark(created_at=tapped.isoformat())
    assert post(client, walk.join_code, kept).status_code == 201
    assert service.get_remark(ADMIN, kept["id"]).created_at == tapped.replace(tzinfo=None)
    wrong_clock = remark(created_at="2001-01-01T12:00:00Z")
    assert post(client, walk.join_code, wrong_clock).status_code == 201
    assert service.get_remark(ADMIN, wrong_clock["id"]).created_at.year == dt.datetime.now().year
    assert post(client, walk.join_code, wrong_clock).status_code == 200  # the resend is still the same remark


def test_concurrent_resends_store_one_remark(client, service, walk):
    body = remark()
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        statuses = sorted(pool.map(lambda _: post(client, walk.join_code, body).status_code, range(16)))
    assert statuses == [200] * 15 + [201]
    assert [r.number for r in service.list_remarks(ADMIN, walk=walk)] == [1]


def test_closed_walk_is_403_with_the_sentence_the_form_shows(client, service, walk):
    before = remark()
    assert post(client, walk.join_code, before).status_code == 201
    service.close_walk(ADMIN, walk)
    assert client.get(f"/api/v1/walks/{walk.join_code}").json()["open"] is False
    sentence = assert_sentence(post(client, walk.join_code, remark()), 403, None)
    assert sentence == "Vandringen är avslutad och tar inte emot fler anmärkningar."
    assert post(client, walk.join_code, before).status_code == 200  # an answer lost before the close


@pytest.mark.parametrize(("change", "field", "said"), [
    ({"lat": ...}, "lat", "Uppgiften lat saknas."),
    ({"lat": 200}, "lat", "Latituden måste vara ett tal mellan −90 och 90 (WGS84-grader)."),
    ({"lon": "öster"}, "lon", "Longituden måste vara ett tal mellan −180 och 180 (WGS84-grader)."),
    ({"category": "lampor"}, "category", "Välj en kategori."),
    ({"category": 7}, "category", "Välj en av vandringens kategorier."),
    ({"text": "x" * 4001}, "text", "Texten måste vara text på högst 4 000 tecken."),
    ({"id": "inte-ett-uuid"}, "id", "Anmärkningens id måste vara ett UUID som formuläret skapar när det öppnas."),
    ({"created_at": "igår"}, "created_at", None),
    ({"accuracy_m": -3}, "accuracy_m", None),
    ({"feeling": 9}, "feeling", None),
    ({"factors": {"lukt": 1}}, "factors", None),
    ({"position_source": "gissning"}, "position_source", None),
    ({"reporter": "x" * 201}, "reporter", None),
    ({"photo": "data:..."}, "photo", "Uppgiften photo hör inte till en anmärkning: ta bort den."),
])
def test_bad_input_is_400_with_one_swedish_sentence_naming_the_field(client, service, walk, change, field, said):
    sentence = assert_sentence(post(client, walk.join_code, remark(**change)), 400, field)
    if said is not None:
        assert sentence == said
    assert service.list_remarks(ADMIN, walk=walk) == []


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b"", "\"Åvägen\"".encode()])
def test_a_body_that_is_no_remark_is_400(client, walk, raw):
    r = client.post(f"/api/v1/walks/{walk.join_code}/remarks", content=raw,
                    headers={"content-type": "application/json"})
    assert r.status_code == 400 and r.json()["error"] and "Traceback" not in r.text


def test_english_on_request(client, walk):
    r = post(client, walk.join_code, remark(category="lampor"), headers={"accept-language": "en-GB,en;q=0.8"})
    assert r.json() == {"error": "Choose a category.", "field": "category"}
    r = client.delete(f"/api/v1/walks/{walk.join_code}", headers={"accept-language": "en"})
    assert r.status_code == 405 and r.json()["error"] == "This address does not take DELETE."


def test_the_walk_list_has_no_names_photos_or_ids(client, service, walk):
    xss = "<img src=x onerror=alert(1)> <script>alert(1)</script>"
    post(client, walk.join_code, remark(reporter="Kalle Reporter", text=xss))
    other = service.create_walk(ADMIN, "Norra vandringen")
    post(client, other.join_code, remark(text="Skräp i norr"))
    r = client.get(f"/api/v1/walks/{walk.join_code}/remarks")
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    (only,) = r.json()
    assert set(only) == {"number", "lat", "lon", "category", "state", "open", "text", "created_at"}
    assert only["text"] == xss and only["state"] == "ny" and only["open"] is True
    assert "Kalle" not in r.text and "Skräp i norr" not in r.text
    assert service.list_remarks(ADMIN, walk=walk)[0].reporter_name == "Kalle Reporter"  # kept for staff


# --------------------------------------------------------------------------- photos
def test_photo_is_idempotent_stripped_and_shrunk(client, service, walk):
    from PIL import Image

    from geo_trygghet.remarks.photos import has_metadata

    body = remark()
    post(client, walk.join_code, body)
    url, headers = f"/api/v1/remarks/{body['id']}/photo", {"x-walk-code": walk.join_code.lower(),
                                                            "content-type": "image/jpeg"}
    photo = jpeg()
    r = client.put(url, content=photo, headers=headers)
    assert r.status_code == 201 and r.json() == {"id": body["id"], "number": 1}
    stored = service.get_photo(ADMIN, body["id"])
    assert max(Image.open(io.BytesIO(stored)).size) == 2048 and not has_metadata(stored)
    assert client.put(url, content=photo, headers=headers).status_code == 200
    assert service.get_photo(ADMIN, body["id"]) == stored
    assert_sentence(client.put(url, content=jpeg(color=(10, 200, 10)), headers=headers), 409, "photo")
    assert service.get_photo(ADMIN, body["id"]) == stored


def test_photo_errors(client, service, walk):
    body = remark()
    post(client, walk.join_code, body)
    url = f"/api/v1/remarks/{body['id']}/photo"
    code = {"x-walk-code": walk.join_code}
    said = assert_sentence(client.put(f"/api/v1/remarks/{uuid.uuid4()}/photo", content=jpeg(), headers=code),
                           404, "id")
    assert said == "Anmärkningen finns inte: skicka anmärkningen före fotot."
    other = service.create_walk(ADMIN, "Norra vandringen")
    assert_sentence(client.put(url, content=jpeg(), headers={"x-walk-code": other.join_code}), 403, None)
    said = assert_sentence(client.put(url, content=jpeg()), 400, "x-walk-code")
    assert said == "Rubriken x-walk-code med vandringskoden saknas."
    said = assert_sentence(client.put(url, content=jpeg(), headers={"x-walk-code": "X" * 30}), 400, "x-walk-code")
    assert said == "Vandringskoden måste vara 1–20 tecken."
    said = assert_sentence(client.put("/api/v1/remarks/nej/photo", content=jpeg(), headers=code), 400, "remark_id")
    assert said == "Anmärkningens id måste vara ett UUID som formuläret skapar när det öppnas."
    said = assert_sentence(client.put(url, content=b"not a photo" * 50, headers=code), 400, "photo")
    assert said == "Fotot kunde inte läsas: skicka ett foto i JPEG, PNG eller WebP."
    assert_sentence(client.put(url, content=b"", headers=code), 400, "photo")
    assert service.get_photo(ADMIN, body["id"]) is None


# --------------------------------------------------------------------------- limits
def test_size_limits_are_413(service, walk):
    with TestClient(web_app(lambda: service, burst=0, per_minute=0, photo_max_bytes=50_000)) as client:
        said = assert_sentence(post(client, walk.join_code, remark(text="x" * 70_000)), 413, "body")
        assert said == "Anmärkningen är för stor: högst 64 kB."
        body = remark()
        assert post(client, walk.join_code, body).status_code == 201
        r = client.put(f"/api/v1/remarks/{body['id']}/photo", content=jpeg(), headers={"x-walk-code": walk.join_code})
        assert_sentence(r, 413, "photo")

        def chunks():  # no Content-Length: the guard counts what comes
            yield b'{"text": "'
            for _ in range(100):
                yield b"x" * 1000
            yield b'"}'

        r = client.post(f"/api/v1/walks/{walk.join_code}/remarks", content=chunks(),
                        headers={"content-type": "application/json"})
        assert_sentence(r, 413, "body")
    assert len(service.list_remarks(ADMIN, walk=walk)) == 1


def test_writes_per_client_are_limited_with_429(service, walk):
    now = [1000.0]
    app = web_app(lambda: service, burst=3, per_minute=60, clock=lambda: now[0])
    with TestClient(app) as client:
        assert [post(client, walk.join_code, remark()).status_code for _ in range(3)] == [201] * 3
        limited = post(client, walk.join_code, remark())
        assert_sentence(limited, 429, None)
        assert limited.headers["retry-after"] == "1"
        assert client.get(f"/api/v1/walks/{walk.join_code}/remarks").status_code == 200  # reads are not limited
        now[0] += 1.0
        assert post(client, walk.join_code, remark()).status_code == 201
    assert len(service.list_remarks(ADMIN, walk=walk)) == 4


# --------------------------------------------------------------------------- the database
def test_the_remark_id_is_unique_in_the_database(service, walk):
    """A second row with a known id fails in the database itself, not only in the service's code."""
    from sqlalchemy import insert
    from sqlalchemy.exc import IntegrityError

    from geo_trygghet.remarks.models import RemarkRow

    r = service.submit_remark(Actor.participant(walk.join_code), walk, str(uuid.uuid4()), "klotter", "x", **TOWN)
    row = {"id": r.id, "walk_id": walk.id, "number": 99, "category": "klotter", "text": "y", "lon": 16.0,
           "lat": 59.0, "position_source": "gps", "state": "ny", "created_by": "test"}
    with pytest.raises(IntegrityError), service.store.engine.begin() as conn:
        conn.execute(insert(RemarkRow), row)
    assert len(service.list_remarks(ADMIN, walk=walk)) == 1


# --------------------------------------------------------------------------- the API's schema
def test_openapi_documents_every_route_with_400_problems(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert set(schema["paths"]) == {"/walks/{code}", "/walks/{code}/remarks", "/remarks/{remark_id}/photo"}
    post_op = schema["paths"]["/walks/{code}/remarks"]["post"]
    assert {"200", "201", "400", "403", "404", "409", "413", "429"} <= set(post_op["responses"])
    assert "422" not in str(schema)
    assert set(schema["paths"]["/remarks/{remark_id}/photo"]["put"]["requestBody"]["content"]) >= {"image/jpeg"}


# --------------------------------------------------------------------------- the phone form's files
def test_the_form_page_has_a_strict_csp_and_no_inline_script(client):
    r = client.get("/walk/?kod=ABC234")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    page = r.text
    assert "{{" not in page and "Skicka anmärkningen" in page and 'lang="sv"' in page
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", page, flags=re.S)
    assert scripts and all('src="' in attrs and not body.strip() for attrs, body in scripts)
    assert not re.search(r"\son[a-z]+\s*=", page) and not re.search(r"\sstyle\s*=", page)
    assert "<style" not in page
    assert len(re.findall(r'name="category"', page)) == 11
    assert 'for="text"' in page and 'id="text"' in page  # every field has a label


def test_the_form_files_texts_and_service_worker(client):
    texts = client.get("/walk/texts.json").json()
    assert texts["sv"]["web.status_saved"] == "Sparad i telefonen"
    assert texts["en"]["web.status_sent"] == "Sent as no. {n}"
    assert texts["sv"]["category.gangtunnel"] == "Gångtunnel/passage"
    worker = client.get("/walk/sw.js")
    assert worker.headers["content-type"].startswith("text/javascript")
    assert "__VERSION__" not in worker.text and '"leaflet.js"' in worker.text
    assert client.get("/walk/leaflet.js").text.startswith("/* @preserve\n * Leaflet 1.9.4")
    manifest = client.get("/walk/manifest.json").json()
    assert manifest["start_url"] == "./" and manifest["display"] == "standalone"
    etag = client.get("/walk/app.js").headers["etag"]
    assert client.get("/walk/app.js", headers={"if-none-match": etag}).status_code == 304
    assert client.get("/walk/nothing.js").status_code == 404
    assert client.get("/walk/../app.py").status_code == 404


def test_old_join_links_and_the_bare_path_lead_to_the_form(client):
    r = client.get("/?kod=abc234", follow_redirects=False)
    assert r.status_code == 302 and r.headers["location"] == "/walk/?kod=abc234"
    r = client.get("/walk?kod=ABC234", follow_redirects=False)
    assert r.status_code == 308 and r.headers["location"] == "/walk/?kod=ABC234"


def test_every_text_the_form_names_is_in_its_texts(client):
    """The scripts' T("key") / label("key") and the page's data-t="key" all exist in texts.json (the
    catalogue), so the form never shows a bare key in either language."""
    from geo_trygghet.web.phone_form import STATIC

    texts = client.get("/walk/texts.json").json()
    page = client.get("/walk/").text + (STATIC / "index.html").read_text(encoding="utf-8")
    used = set(re.findall(r'data-t(?:-[a-z-]+)?="([a-z_.]+)"', page))
    for script in STATIC.glob("*.js"):
        used |= set(re.findall(r"""\b(?:T|label)\(\s*["']([a-z_.]+)["']""", script.read_text(encoding="utf-8")))
    used = {k for k in used if not k.endswith(".")}  # "category." + slug: every slug is checked below
    used |= {f"geo.{k}" for k in ("denied", "timeout", "unavailable", "insecure", "unsupported")}  # by name
    used |= {f"category.{c}" for c in REMARK_CATEGORIES} | {f"state.{s}" for s in STATES}
    assert len(used) > 40
    for lang in ("sv", "en"):
        assert not used - set(texts[lang]), f"{lang}: {sorted(used - set(texts[lang]))}"
