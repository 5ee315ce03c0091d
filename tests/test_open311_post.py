"""POST requests on SQLite and PostgreSQL: FixMyStreet's form, lat + long or lon, address_string, the
description without HTML, attributes; a request becomes a remark outside any walk, numbered in its
channel, routed to its problemägare by category and area, and visible to that problemägare."""

from __future__ import annotations

import concurrent.futures
import json
import re
import urllib.parse
from pathlib import Path

import pytest
from sqlalchemy import select

from geo_trygghet.remarks import Actor
from geo_trygghet.remarks.open311.models import RemarkOriginRow
from tests._open311 import ADMIN, BASE, IN_YARD, OPEN311_ENV, TOWN, assert_error, json_of, make_kommun, xml_of

REGISTER = Path(__file__).resolve().parents[1] / "sample_data" / "belagenhetsadresser.gpkg"
FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def kommun(service, monkeypatch):
    for name in OPEN311_ENV:
        monkeypatch.delenv(name, raising=False)
    k = make_kommun(service)
    yield k
    k.client.close()


def _raw(kommun, pairs, fmt="json", content_type=FORM):
    body = urllib.parse.urlencode(pairs).encode("utf-8") if not isinstance(pairs, bytes) else pairs
    return kommun.client.post(f"{BASE}/requests.{fmt}", content=body, headers={"Content-Type": content_type})


def _origin(service, rid):
    with service.store.read_session() as s:
        return s.scalars(select(RemarkOriginRow).where(RemarkOriginRow.remark_id == rid)).one()


def fixmystreet_form(kommun, fms_id="1001", **changes):
    """The form FixMyStreet's Open311 client sends: repeated values kept as repeated keys."""
    pairs = [("jurisdiction_id", "katrineholm.se"), ("api_key", kommun.rw), ("service_code", "klotter"),
             ("lat", IN_YARD["lat"]), ("long", IN_YARD["long"]), ("email", "test@example.com"),
             ("first_name", "Bob"), ("last_name", "Mould"), ("phone", "0701234567"),
             ("description", "title: Klotter på gaveln\n\ndetail: Stora tags &amp; <b>färg</b>\n\nurl: "
                             "https://fixamingata.se/report/1001\n\nSubmitted via FixMyStreet"),
             ("media_url", "https://fixamingata.se/photo/1001.0.full.jpeg"),
             ("media_url", "https://fixamingata.se/photo/1001.1.full.jpeg"),
             ("attribute[title]", "Klotter på gaveln"), ("attribute[description]", "Stora tags"),
             ("attribute[report_url]", "https://fixamingata.se/report/1001"),
             ("attribute[fixmystreet_id]", fms_id), ("attribute[easting]", "568102"),
             ("attribute[northing]", "6540223"), ("attribute[category]", "Klotter"),
             ("attribute[closest_address]", "Nearest road: Åvägen"),
             ("attribute[surface]", "tegel"), ("attribute[surface]", "trä"),
             ("attribute[feeling]", "2"), ("attribute[lighting]", "1")]
    return [(k, changes.get(k, v)) for k, v in pairs]


# --------------------------------------------------------------------------- FixMyStreet's form
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_fixmystreets_form_becomes_a_remark_of_its_channel(kommun, fmt):
    posted = _raw(kommun, fixmystreet_form(kommun), fmt)
    assert posted.status_code == 201, posted.text
    rid = (json_of(posted)[0]["service_request_id"] if fmt == "json"
           else xml_of(posted).findtext("request/service_request_id"))
    remark = kommun.service.get_remark(ADMIN, rid)
    assert (remark.walk_id, remark.walk_title, remark.number) == (None, "Open311: fixamingata", 1)
    assert remark.from_outside and remark.category == "klotter" and remark.position_source == "map"
    assert remark.text.startswith("title: Klotter på gaveln\n\ndetail: Stora tags & färg\n\nurl:")
    assert "<b>" not in remark.text and remark.feeling == 2 and remark.factors == {"lighting": 1}
    assert remark.reporter_name == "Bob Mould"
    origin = _origin(kommun.service, rid)
    assert origin.external_ref == "1001" and origin.contact_email == "test@example.com"
    assert origin.contact_phone == "0701234567" and origin.media_url.endswith("1001.0.full.jpeg")
    assert origin.attributes["surface"] == ["tegel", "trä"] and origin.attributes["fixmystreet_id"] == ["1001"]
    assert "feeling" not in origin.attributes
    # sent again (the answer was lost): the same request, nothing new
    again = _raw(kommun, fixmystreet_form(kommun), "json")
    assert again.status_code == 200 and json_of(again)[0]["service_request_id"] == rid
    assert len(kommun.service.list_remarks(ADMIN)) == 1
    other = _raw(kommun, fixmystreet_form(kommun, fms_id="1002"), "json")
    assert other.status_code == 201 and kommun.service.get_remark(
        ADMIN, json_of(other)[0]["service_request_id"]).number == 2
    events = kommun.service.history(ADMIN, rid)
    assert [(e.actor, e.to_state) for e in events] == [("open311:fixamingata", "ny"), ("system", "tilldelad")]


def test_multivaluelist_in_brackets_and_lon_instead_of_long(kommun):
    pairs = [("api_key", kommun.rw), ("service_code", "belysning"), ("lat", TOWN["lat"]), ("lon", TOWN["long"]),
             ("attribute[tider][]", "kväll"), ("attribute[tider][]", "natt"), ("attribute[feeling][]", "4")]
    posted = _raw(kommun, pairs)
    assert posted.status_code == 201, posted.text
    rid = json_of(posted)[0]["service_request_id"]
    remark = kommun.service.get_remark(ADMIN, rid)
    assert remark.lon == pytest.approx(16.19615) and remark.feeling == 4
    assert _origin(kommun.service, rid).attributes == {"tider": ["kväll", "natt"]}
    same = _raw(kommun, [*pairs, ("long", TOWN["long"])])
    assert same.status_code == 201
    assert_error(_raw(kommun, [*pairs, ("long", "17.0")]), 400, "long")


def test_address_string_is_placed_against_the_register(kommun, monkeypatch):
    assert_error(kommun.post(lat=None, long=None, address_string="Åvägen 37"), 400, "adressregister")
    monkeypatch.setenv("GEO_TRYGGHET_ADDRESS_REGISTER", str(REGISTER))
    posted = kommun.post(lat=None, long=None, address_string="Åvägen 37, Katrineholm")
    assert posted.status_code == 201, posted.text
    rid = json_of(posted)[0]["service_request_id"]
    remark = kommun.service.get_remark(ADMIN, rid)
    assert remark.position_source == "address"
    assert remark.lat == pytest.approx(58.9961, abs=0.002) and remark.lon == pytest.approx(16.1843, abs=0.002)
    (request,) = json_of(kommun.get(f"requests/{rid}.json"))
    assert request["address"] == "Åvägen 37, Katrineholm"
    assert_error(kommun.post(lat=None, long=None, address_string="Finnsintegatan 999"), 400, "address_string")
    with_both = kommun.post(address_string="Åvägen 37")  # lat + long win; the address is kept as written
    assert kommun.service.get_remark(ADMIN, json_of(with_both)[0]["service_request_id"]).position_source == "map"


def test_the_description_keeps_no_html_and_at_most_4000_characters(kommun):
    nasty = ('<script>alert("x")</script><style>b{}</style><p>Trasig <b>lampa</b></p><!-- c --><img src=x '
             'onerror=alert(1)>vid busshållplatsen &amp; kiosken&lt;script&gt;alert(3)&lt;/script&gt;<br>'
             'rad två <scr<script>ipt>alert(2)</script>')
    rid = json_of(kommun.post(description=nasty))[0]["service_request_id"]
    text = kommun.service.get_remark(ADMIN, rid).text
    assert re.search(r"<[A-Za-z!/?]", text) is None, text
    assert 'alert("x")' not in text and "b{}" not in text and "onerror" not in text and "<!--" not in text
    assert text.startswith("Trasig lampa\nvid busshållplatsen & kiosken") and "\nrad två" in text
    kept = json_of(kommun.post(description="Lampa 3 < 5 m från 2 > 1\r\n\r\n\r\n\r\nAndra raden\x07"))
    assert kommun.service.get_remark(ADMIN, kept[0]["service_request_id"]).text == (
        "Lampa 3 < 5 m från 2 > 1\n\nAndra raden")
    (request,) = json_of(kommun.get(f"requests/{rid}.json"))
    assert request["description"] == text
    assert kommun.post(description="å" * 4000).status_code == 201
    assert_error(kommun.post(description="å" * 4001), 400, "4001")
    assert_error(kommun.post(description="<b>" + "x" * 4001 + "</b>"), 400, "4001")


@pytest.mark.parametrize(("fields", "status", "word"), [
    ({"service_code": None}, 400, "service_code"),
    ({"service_code": ""}, 400, "service_code"),
    ({"service_code": "potholes"}, 404, "potholes"),
    ({"lat": None, "long": None}, 400, "lat"),
    ({"long": None}, 400, "lat"),
    ({"lat": "north"}, 400, "lat"),
    ({"lat": "nan"}, 400, "lat"),
    ({"lat": "91"}, 400, "−90"),
    ({"long": "-181"}, 400, "−180"),
    ({"lat": None, "long": None, "address_id": "545483"}, 400, "address_id"),
    ({"attribute[feeling]": "7"}, 400, "feeling"),
    ({"attribute[lighting]": "high"}, 400, "lighting"),
    ({"media_url": "javascript:alert(1)"}, 400, "media_url"),
    ({"email": "a" * 400}, 400, "email"),
])
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_every_bad_post_is_an_error_list(kommun, fields, status, word, fmt):
    assert_error(kommun.post(fmt, **fields), status, word)
    assert kommun.service.list_remarks(ADMIN) == []


def test_bodies_that_cannot_be_read(kommun):
    assert_error(_raw(kommun, b"api_key=x&description=%ff%fe", content_type=FORM), 400)
    assert_error(_raw(kommun, b"\xff\xfe", content_type=FORM), 400)
    assert_error(_raw(kommun, b"--x\r\n", content_type="multipart/form-data; boundary=x"), 400,
                 "x-www-form-urlencoded")
    assert_error(_raw(kommun, [("api_key", kommun.rw)] + [("f", "1")] * 600), 400)
    big = _raw(kommun, [("api_key", kommun.rw), ("description", "x" * 200_000)], "xml")
    assert_error(big, 413, "kB")
    two = _raw(kommun, [("api_key", kommun.rw), ("service_code", "klotter"), *TOWN.items(),
                        ("attribute[feeling]", "1"), ("attribute[feeling]", "2")])
    assert_error(two, 400, "feeling")


# --------------------------------------------------------------------------- routing and visibility
def test_routed_by_category_and_area_and_seen_by_that_problemagare_only(kommun):
    s = kommun.service
    s.create_user(ADMIN, "bo", "hemligt123", "problemagare", organisation_id=kommun.bostader.id)
    s.create_user(ADMIN, "gata", "hemligt123", "problemagare", organisation_id=kommun.gata.id)
    in_yard = json_of(kommun.post(service_code="klotter", **IN_YARD))[0]
    elsewhere = json_of(kommun.post(service_code="klotter"))[0]
    nobody = json_of(kommun.post(service_code="annat"))[0]
    assert "Bostäder AB" in in_yard["service_notice"] and "Gatukontoret" in elsewhere["service_notice"]
    assert "kommunen" in nobody["service_notice"]
    assert s.get_remark(ADMIN, nobody["service_request_id"]).state == "ny"
    bo, gata = s.login("bo", "hemligt123"), s.login("gata", "hemligt123")
    assert [r.id for r in s.list_remarks(bo)] == [in_yard["service_request_id"]]
    assert [r.id for r in s.list_remarks(gata)] == [elsewhere["service_request_id"]]
    assert s.allowed_changes(bo, s.get_remark(bo, in_yard["service_request_id"]))
    s.plan(bo, in_yard["service_request_id"], "2030-01-15")
    s.mark_fixed(bo, in_yard["service_request_id"], note="Sanerat")
    (request,) = json_of(kommun.get(f"requests/{in_yard['service_request_id']}.json"))
    assert (request["status"], request["status_notes"], request["agency_responsible"]) == (
        "closed", "Sanerat", "Bostäder AB")
    from geo_trygghet.errors import PermissionDeniedError

    with pytest.raises(PermissionDeniedError):
        s.get_remark(gata, in_yard["service_request_id"])
    with pytest.raises(PermissionDeniedError):
        s.get_remark(Actor.participant("ACDEFG"), in_yard["service_request_id"])


def test_numbered_per_channel_apart_from_walks(kommun):
    s = kommun.service
    other = s.create_api_key(ADMIN, "bostadsbolagets-app", "read-write").secret
    walk = s.create_walk(ADMIN, "Centrum")
    first = s.submit_remark(ADMIN, walk, "0b0e4b1c-1d1e-4f00-8c7a-000000000001", "klotter", "x", lon=16.19, lat=58.99)
    numbers = [s.get_remark(ADMIN, json_of(kommun.post())[0]["service_request_id"]).number for _ in range(3)]
    theirs = s.get_remark(ADMIN, json_of(kommun.post(key=other))[0]["service_request_id"])
    assert numbers == [1, 2, 3] and first.number == 1
    assert (theirs.number, theirs.walk_title) == (1, "Open311: bostadsbolagets-app")
    later = s.submit_remark(ADMIN, walk, "0b0e4b1c-1d1e-4f00-8c7a-000000000002", "klotter", "y", lon=16.19, lat=58.99)
    assert later.number == 2
    assert s.get_walk(walk.id).remark_count == 2
    summary = s.public_summary()
    assert summary.remarks_count == 6 and summary.walks_count == 1


def test_concurrent_posts_are_numbered_without_gaps_or_repeats(kommun):
    def post(i):
        return kommun.post(description=f"Lampa {i}", **{"attribute[external_id]": f"ref-{i % 6}"})

    with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(post, range(12)))
    assert sorted(a.status_code for a in answers) == [200] * 6 + [201] * 6
    remarks = kommun.service.list_remarks(ADMIN)
    assert sorted(r.number for r in remarks) == [1, 2, 3, 4, 5, 6]
    assert {json_of(a)[0]["service_request_id"] for a in answers} == {r.id for r in remarks}


def test_the_export_file_has_the_remarks_from_outside(kommun, tmp_path):
    from geo_trygghet.remarks.export import export_remarks

    kommun.post(address_string="Vid kiosken", **{"attribute[external_id]": "k1"})
    path = tmp_path / "out.json"
    assert export_remarks(kommun.service, path, "open311") == 1
    (request,) = json.loads(path.read_text(encoding="utf-8"))
    assert request["extended_attributes"]["walk"] == "Open311: fixamingata"
    assert request["address"] == "Vid kiosken" and request["agency_responsible"] == "Gatukontoret"
    csv = tmp_path / "out.csv"
    assert export_remarks(kommun.service, csv, "csv") == 1
