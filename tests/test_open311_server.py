"""The Open311 GeoReport v2 endpoint (/open311/v2) on SQLite and PostgreSQL: every resource in JSON and
XML with the specification's element names, the GET filters, dates with their zone, the keys, the
jurisdiction, the rate limit and the error list for every refusal."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from geo_trygghet.remarks.categories import REMARK_CATEGORIES
from tests._open311 import ADMIN, BASE, OPEN311_ENV, assert_error, json_of, make_kommun, new_id, xml_of

REQUEST_FIELDS = ["service_request_id", "status", "status_notes", "service_name", "service_code", "description",
                  "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
                  "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url"]
SERVICE_FIELDS = ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"]
ATTRIBUTE_FIELDS = ["variable", "code", "datatype", "required", "datatype_description", "order", "description",
                    "values"]


@pytest.fixture
def kommun(service, monkeypatch):
    for name in OPEN311_ENV:
        monkeypatch.delenv(name, raising=False)
    k = make_kommun(service)
    yield k
    k.client.close()


def _walk_remark(service, walk, *, days_ago: int = 0, category: str = "klotter", **kw):
    created = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(days=days_ago)
    return service.submit_remark(ADMIN, walk, new_id(), category, kw.pop("text", "Klotter på muren"), lon=16.1852,
                                 lat=58.9926, created_at=created, **kw)


def _aware(value: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(value)
    assert moment.utcoffset() is not None, f"{value} has no time zone"
    return moment


# --------------------------------------------------------------------------- every resource, both formats
def test_discovery_in_json_and_xml(kommun):
    body = json_of(kommun.get("discovery.json", key=None))
    assert set(body) == {"changeset", "contact", "key_service", "endpoints"}
    endpoint = body["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2") and endpoint["type"] == "production"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    _aware(body["changeset"].replace("Z", "+00:00"))
    root = xml_of(kommun.get("discovery.xml", key=None))
    assert root.tag == "discovery" and [c.tag for c in root] == ["changeset", "contact", "key_service", "endpoints"]
    assert [e.tag for e in root.find("endpoints")] == ["endpoint"]
    assert [f.text for f in root.find("endpoints/endpoint/formats")] == ["text/xml", "application/json"]
    assert [f.tag for f in root.find("endpoints/endpoint/formats")] == ["format", "format"]


def test_services_are_the_categories_grouped(kommun):
    body = json_of(kommun.get("services.json", key=None))
    assert [s["service_code"] for s in body] == list(REMARK_CATEGORIES)
    for s in body:
        assert list(s) == SERVICE_FIELDS and s["type"] == "realtime" and s["metadata"] is True
    groups = {s["service_code"]: s["group"] for s in body}
    assert groups["belysning"] == groups["buskage"] != groups["klotter"] == groups["skadegorelse"]
    assert groups["trygg_plats"] == "Positivt"
    english = json_of(kommun.client.get(f"{BASE}/services.json", headers={"Accept-Language": "en"}))
    assert {s["service_code"]: s["service_name"] for s in english}["belysning"] == "Lighting"
    root = xml_of(kommun.get("services.xml", key=None))
    assert root.tag == "services" and {c.tag for c in root} == {"service"} and len(root) == len(REMARK_CATEGORIES)
    assert [c.tag for c in root[0]] == SERVICE_FIELDS and root[0].findtext("metadata") == "true"


def test_a_service_definition_lists_its_attributes(kommun):
    body = json_of(kommun.get("services/belysning.json", key=None))
    assert body["service_code"] == "belysning"
    codes = [a["code"] for a in body["attributes"]]
    assert codes[0] == "feeling" and "lighting" in codes
    for i, attribute in enumerate(body["attributes"], start=1):
        assert list(attribute) == ATTRIBUTE_FIELDS and attribute["order"] == i
        assert attribute["datatype"] == "singlevaluelist" and attribute["required"] is False
    assert [v["key"] for v in body["attributes"][0]["values"]] == ["1", "2", "3", "4", "5"]
    root = xml_of(kommun.get("services/belysning.xml", key=None))
    assert root.tag == "service_definition" and [c.tag for c in root] == ["service_code", "attributes"]
    attribute = root.find("attributes/attribute")
    assert attribute is not None and [c.tag for c in attribute] == ATTRIBUTE_FIELDS
    assert attribute.findtext("variable") == "true" and attribute.findtext("datatype_description") == ""
    assert [v.tag for v in attribute.find("values")] == ["value"] * 5
    assert [c.tag for c in attribute.find("values/value")] == ["key", "name"]
    assert_error(kommun.get("services/potholes.json", key=None), 404, "potholes")
    assert_error(kommun.get("services/potholes.xml", key=None), 404, "potholes")


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_post_then_read_it_back_in_both_formats(kommun, fmt):
    posted = kommun.post(fmt, **{"attribute[fixmystreet_id]": f"fms-{fmt}"})
    assert posted.status_code == 201, posted.text
    if fmt == "json":
        (answer,) = json_of(posted)
        assert list(answer) == ["service_request_id", "service_notice", "account_id"]
        rid = answer["service_request_id"]
    else:
        root = xml_of(posted)
        assert root.tag == "service_requests" and [c.tag for c in root] == ["request"]
        assert [c.tag for c in root[0]] == ["service_request_id", "service_notice", "account_id"]
        rid = root[0].findtext("service_request_id")
    assert "Gatukontoret" in (json_of(posted)[0]["service_notice"] if fmt == "json" else root[0][1].text)

    one = kommun.get(f"requests/{rid}.{fmt}")
    many = kommun.get(f"requests.{fmt}")
    token = kommun.get(f"tokens/fms-{fmt}.{fmt}", key=kommun.rw)
    for response in (one, many, token):
        assert response.status_code == 200, response.text
    if fmt == "json":
        (request,) = json_of(one)
        assert list(request) == REQUEST_FIELDS and json_of(many) == [request]
        assert json_of(token) == [{"service_request_id": rid, "token": f"fms-{fmt}"}]
    else:
        root = xml_of(one)
        assert root.tag == "service_requests" and [c.tag for c in root] == ["request"]
        assert [c.tag for c in root[0]] == REQUEST_FIELDS
        request = {c.tag: c.text for c in root[0]}
        assert ET.tostring(xml_of(many)) == ET.tostring(root)
        token_root = xml_of(token)
        assert [c.tag for c in token_root[0]] == ["service_request_id", "token"]
        assert token_root.findtext("request/service_request_id") == rid
    assert request["service_request_id"] == rid and request["status"] == "open"
    assert request["service_code"] == "belysning" and request["agency_responsible"] == "Gatukontoret"
    assert float(request["lat"]) == pytest.approx(58.99215) and float(request["long"]) == pytest.approx(16.19615)
    for key in ("requested_datetime", "updated_datetime"):
        _aware(request[key])
    assert_error(kommun.get(f"requests/{new_id()}.{fmt}"), 404)
    assert_error(kommun.get(f"tokens/nobody.{fmt}"), 404, "nobody")


def test_state_changes_show_as_status_notes_dates_and_agency(kommun):
    s = kommun.service
    rid = json_of(kommun.post())[0]["service_request_id"]
    s.plan(ADMIN, rid, "2030-05-01", note="Byts vecka 18")
    (request,) = json_of(kommun.get(f"requests/{rid}.json"))
    assert request["status"] == "open" and request["status_notes"] == "Byts vecka 18"
    assert request["expected_datetime"].startswith("2030-05-01") and _aware(request["expected_datetime"])
    s.mark_fixed(ADMIN, rid, note="Ny armatur")
    (request,) = json_of(kommun.get(f"requests/{rid}.json"))
    assert (request["status"], request["status_notes"], request["agency_responsible"]) == (
        "closed", "Ny armatur", "Gatukontoret")
    assert _aware(request["updated_datetime"]) >= _aware(request["requested_datetime"])


# --------------------------------------------------------------------------- GET requests' filters
def test_filters_window_codes_status_and_the_id_that_overrides_them(kommun):
    s = kommun.service
    walk = s.create_walk(ADMIN, "Centrum")
    old = _walk_remark(s, walk, days_ago=200)
    recent = _walk_remark(s, walk, days_ago=10, category="trafik", text="Fort")
    posted = json_of(kommun.post())[0]["service_request_id"]
    s.assign(ADMIN, recent.id, kommun.gata.id)
    s.mark_fixed(ADMIN, recent.id)

    def ids(**params):
        response = kommun.get("requests.json", **params)
        assert response.status_code == 200, response.text
        return [r["service_request_id"] for r in json_of(response)]

    assert ids() == [posted, recent.id]  # the last 90 days, newest first
    assert ids(service_code="trafik") == [recent.id]
    assert ids(service_code="trafik,belysning") == [posted, recent.id]
    assert ids(status="closed") == [recent.id] and ids(status="open") == [posted]
    assert ids(status="open,closed") == [posted, recent.id]
    now = dt.datetime.now(dt.UTC)
    start, end = (now - dt.timedelta(days=220)).isoformat(), (now - dt.timedelta(days=150)).isoformat()
    assert ids(start_date=start, end_date=end) == [old.id]
    assert ids(end_date=(now - dt.timedelta(days=150)).strftime("%Y-%m-%dT%H:%M:%SZ")) == [old.id]  # 90 days back
    assert ids(end_date=(now - dt.timedelta(days=100)).strftime("%Y-%m-%dT%H:%M:%SZ")) == []
    # service_request_id overrides every other filter, the window included
    assert set(ids(service_request_id=f"{old.id},{posted}", service_code="trafik", status="closed")) == {old.id, posted}
    too_long = {"start_date": (now - dt.timedelta(days=100)).isoformat(), "end_date": now.isoformat()}
    assert_error(kommun.get("requests.json", **too_long), 400, "90")
    assert_error(kommun.get("requests.xml", start_date=end, end_date=start), 400, "start_date")
    assert_error(kommun.get("requests.json", start_date="igår"), 400, "start_date")
    assert_error(kommun.get("requests.json", status="pending"), 400, "pending")


def test_pages_and_the_limit_of_a_thousand(kommun):
    made = [json_of(kommun.post(description=f"Lampa {i}"))[0]["service_request_id"] for i in range(5)]
    pages = [json_of(kommun.get("requests.json", page=p, page_size=2)) for p in (1, 2, 3, 4)]
    assert [len(p) for p in pages] == [2, 2, 1, 0]
    assert [r["service_request_id"] for p in pages for r in p] == list(reversed(made))
    assert_error(kommun.get("requests.json", page_size=1001), 400, "1000")
    assert_error(kommun.get("requests.json", page=0), 400, "page")
    assert_error(kommun.get("requests.json", page="två"), 400)
    many = ",".join(new_id() for _ in range(1001))
    assert_error(kommun.client.get(f"{BASE}/requests.json?api_key={kommun.read}&service_request_id={many}"), 400)
    # a value PostgreSQL refuses (a NUL byte) is the client's error, not "the database does not answer"
    assert_error(kommun.client.get(f"{BASE}/requests.json?api_key={kommun.read}&service_request_id=a%00b"), 400)


# --------------------------------------------------------------------------- keys
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_keys_none_wrong_revoked_and_read_only(kommun, fmt):
    assert_error(kommun.post(fmt, key=None), 403, "api_key")
    assert_error(kommun.post(fmt, key="o311_not-a-key"), 403, "api_key")
    assert_error(kommun.post(fmt, key=kommun.revoked), 403, "återkallad")
    assert_error(kommun.post(fmt, key=kommun.read), 403, "läsa")
    assert_error(kommun.get(f"requests.{fmt}", key=None), 403)
    assert_error(kommun.get(f"requests.{fmt}", key="wrong"), 403)
    assert_error(kommun.get(f"requests.{fmt}", key=kommun.revoked), 403)
    assert kommun.get(f"requests.{fmt}", key=kommun.read).status_code == 200
    assert kommun.get(f"requests.{fmt}", key=kommun.rw).status_code == 200
    english = kommun.client.post(f"{BASE}/requests.{fmt}", data={"service_code": "klotter", "lat": "1", "long": "1"},
                                 headers={"Accept-Language": "en"})
    assert_error(english, 403, "api_key is missing")
    assert kommun.service.list_remarks(ADMIN) == []


def test_keys_are_stored_hashed_listed_and_revoked(service):
    from sqlalchemy import select

    from geo_trygghet.remarks.open311.models import ApiKeyRow

    issued = service.create_api_key(ADMIN, "fixamingata", "read-write")
    assert issued.secret.startswith("o311_") and len(issued.secret) > 40
    with service.store.read_session() as s:
        stored = s.scalars(select(ApiKeyRow)).one()
    assert issued.secret not in (stored.key_hash, stored.prefix) and len(stored.key_hash) == 64
    assert issued.secret.startswith(stored.prefix)
    (listed,) = service.list_api_keys(ADMIN)
    assert (listed.partner, listed.scope, listed.active, listed.channel) == (
        "fixamingata", "read-write", True, "Open311: fixamingata")
    assert service.api_keys.authenticate(issued.secret, write=True).id == listed.id
    service.revoke_api_key(ADMIN, listed.prefix)
    assert service.list_api_keys(ADMIN)[0].active is False
    from geo_trygghet.errors import InputError, PermissionDeniedError

    with pytest.raises(PermissionDeniedError, match="revoked"):
        service.api_keys.authenticate(issued.secret)
    with pytest.raises(InputError, match="scope"):
        service.create_api_key(ADMIN, "x", "admin")
    owner = service.create_organisation(ADMIN, "Org")
    service.create_user(ADMIN, "ana", "hemligt123", "analytiker")
    service.create_user(ADMIN, "pa", "hemligt123", "problemagare", organisation_id=owner.id)
    for who in ("ana", "pa"):
        with pytest.raises(PermissionDeniedError):
            service.create_api_key(service.login(who, "hemligt123"), "p")


def test_rate_limit_per_key(service, monkeypatch):
    for name in OPEN311_ENV:
        monkeypatch.delenv(name, raising=False)
    now = [0.0]
    k = make_kommun(service, burst=2, per_minute=60, clock=lambda: now[0])
    try:
        assert k.get("requests.json").status_code == 200
        assert k.get("requests.json").status_code == 200
        limited = k.get("requests.xml")
        assert_error(limited, 429)
        assert int(limited.headers["Retry-After"]) >= 1
        assert k.get("requests.json", key=k.rw).status_code == 200  # another key has its own bucket
        now[0] += 1.0
        assert k.get("requests.json").status_code == 200
    finally:
        k.client.close()


# --------------------------------------------------------------------------- jurisdiction, format, routes
def test_jurisdiction_wrong_is_404_and_missing_where_required_is_400(kommun, monkeypatch):
    assert kommun.get("services.json", key=None, jurisdiction_id="any.se").status_code == 200  # none set: any
    monkeypatch.setenv("GEO_TRYGGHET_OPEN311_JURISDICTION", "katrineholm.se")
    assert kommun.get("services.json", key=None).status_code == 200  # not required: may be left out
    assert kommun.get("services.json", key=None, jurisdiction_id="katrineholm.se").status_code == 200
    assert_error(kommun.get("services.xml", key=None, jurisdiction_id="sfgov.org"), 404, "sfgov.org")
    assert_error(kommun.get("requests.json", jurisdiction_id="sfgov.org"), 404)
    assert_error(kommun.post(jurisdiction_id="sfgov.org"), 404)
    monkeypatch.setenv("GEO_TRYGGHET_OPEN311_REQUIRE_JURISDICTION", "1")
    for path in ("services.json", "services/klotter.xml", "requests.json"):
        assert_error(kommun.get(path), 400, "katrineholm.se")
    assert_error(kommun.post("xml"), 400, "jurisdiction_id")
    assert kommun.post(jurisdiction_id="katrineholm.se").status_code == 201
    assert kommun.get("discovery.json", key=None).status_code == 200  # discovery needs none


def test_unknown_formats_routes_and_methods(kommun):
    assert_error(kommun.get("services.html", key=None), 400, "html")
    assert_error(kommun.get("nothing.json", key=None), 404)
    assert_error(kommun.client.get(f"{BASE}/requests/a/b.xml"), 404)
    assert_error(kommun.client.put(f"{BASE}/requests.json", data={"x": "1"}), 405)
    assert_error(kommun.client.delete(f"{BASE}/services.xml"), 405)


# --------------------------------------------------------------------------- privacy
def test_no_names_or_contact_details_anywhere_and_photos_only_when_public(kommun, monkeypatch):
    from tests.test_api import jpeg

    s = kommun.service
    walk = s.create_walk(ADMIN, "Centrum")
    named = _walk_remark(s, walk, reporter_name="Anna Andersson", photo=jpeg((640, 480)))
    posted = kommun.post(first_name="Bertil", last_name="Bengtsson", email="bertil@example.se", phone="070-1234567",
                         device_id="device-42", account_id="acct-9",
                         media_url="https://fixamingata.se/photo/1.jpeg", **{"attribute[fixmystreet_id]": "77"})
    rid = json_of(posted)[0]["service_request_id"]
    answers = [posted, kommun.get("requests.json"), kommun.get("requests.xml"), kommun.get(f"requests/{rid}.json"),
               kommun.get(f"requests/{named.id}.xml"), kommun.get("tokens/77.json", key=kommun.rw)]
    for response in answers:
        assert response.status_code in (200, 201)
        for secret in ("Anna", "Andersson", "Bertil", "Bengtsson", "bertil@example.se", "070-1234567", "device-42",
                       "acct-9", "photo/1.jpeg", "/media/"):
            assert secret not in response.text, (secret, response.text)
    assert_error(kommun.client.get(f"{BASE}/media/{named.id}.jpg"), 404)
    stored = s.get_remark(ADMIN, rid)
    assert stored.reporter_name == "Bertil Bengtsson"  # kept for the kommun's staff, never published

    monkeypatch.setenv("GEO_TRYGGHET_OPEN311_PUBLIC_PHOTOS", "1")
    media = {r["service_request_id"]: r["media_url"] for r in json_of(kommun.get("requests.json"))}
    assert media[named.id].endswith(f"/open311/v2/media/{named.id}.jpg")
    assert media[rid] == "https://fixamingata.se/photo/1.jpeg"
    photo = kommun.client.get(media[named.id].split("testserver", 1)[1])
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/jpeg"
    assert photo.content == s.get_photo(ADMIN, named.id)
    assert "Anna" not in kommun.get("requests.xml").text
