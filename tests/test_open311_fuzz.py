"""The Open311 POST (and GET requests) fuzzed with generated form data (hypothesis), on SQLite and
PostgreSQL: never a 500, always the specification's error list or an answer, never a traceback.

Half of the generated forms carry a real read-write key and a known service, so they reach the
checks of the remark service and the database instead of stopping at the key."""

from __future__ import annotations

import json
import urllib.parse
import xml.etree.ElementTree as ET

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo_trygghet.remarks.categories import REMARK_CATEGORIES
from geo_trygghet.remarks.states import FACTORS
from tests._open311 import BASE, OPEN311_ENV, make_kommun

NAMES = ["api_key", "jurisdiction_id", "service_code", "lat", "long", "lon", "address_string", "address_id",
         "description", "media_url", "email", "first_name", "last_name", "phone", "device_id", "account_id",
         "attribute[feeling]", "attribute[feeling][]", "attribute[external_id]", "attribute[fixmystreet_id]",
         *(f"attribute[{f}]" for f in FACTORS), "attribute[title]", "attribute[x][]", "attribute[]",
         "attribute[a][b]",
         "service_request_id", "page", "page_size", "start_date", "end_date", "status"]
NUMBERS = st.one_of(st.floats(allow_nan=True, allow_infinity=True).map(str), st.integers().map(str),
                    st.sampled_from(["58.99", "16.19", "-0", "1e309", "nan", "inf", "0x10", " 58.9 ", "٥٨", "58,99"]))
TEXT = st.one_of(st.text(max_size=60), st.text(alphabet=st.characters(max_codepoint=0x10FFFF), max_size=30),
                 st.sampled_from(["<script>alert(1)</script>", "&lt;b&gt;", "\x00\x07", "a" * 4100,
                                  "https://fixamingata.se/p.jpg", "javascript:x", "2025-01-01T00:00:00Z",
                                  "open,closed"]))
VALUE = st.one_of(NUMBERS, TEXT, st.sampled_from(list(REMARK_CATEGORIES) + ["", "potholes", "read-write"]))
NAME = st.one_of(st.sampled_from(NAMES), st.text(max_size=20))
PAIRS = st.lists(st.tuples(NAME, VALUE), max_size=25)
RAW = st.one_of(st.binary(max_size=300), st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")))
CONTENT_TYPES = st.sampled_from(["application/x-www-form-urlencoded",
                                 "application/x-www-form-urlencoded; charset=utf-8", "multipart/form-data; boundary=x",
                                 "application/json", "text/plain", ""])


@pytest.fixture(scope="module")
def fuzzed(module_service):
    with pytest.MonkeyPatch.context() as mp:
        for name in OPEN311_ENV:
            mp.delenv(name, raising=False)
        k = make_kommun(module_service)
        yield k
        k.client.close()


def _check(response) -> None:
    assert response.status_code != 500, response.text
    assert response.status_code in (200, 201, 400, 403, 404, 405, 413, 429), response.status_code
    assert "Traceback" not in response.text
    if response.headers["content-type"].startswith("application/json"):
        body = json.loads(response.content)
    else:
        root = ET.fromstring(response.content)  # always well-formed XML
        body = [{c.tag: c.text for c in e} for e in root]
    if response.status_code >= 400:
        assert isinstance(body, list) and body and {"code", "description"} <= set(body[0])


def _body(pairs) -> bytes:
    try:
        return urllib.parse.urlencode(pairs).encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates: send the bytes the way a broken client would
        return urllib.parse.urlencode(pairs, encoding="utf-8", errors="surrogatepass").encode("ascii")


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                     HealthCheck.too_slow])
@given(pairs=PAIRS, real=st.booleans(), code=st.sampled_from(REMARK_CATEGORIES), fmt=st.sampled_from(["json", "xml"]))
def test_generated_forms_never_make_a_500(fuzzed, pairs, real, code, fmt):
    if real:
        pairs = [("api_key", fuzzed.rw), ("service_code", code), *pairs]
    response = fuzzed.client.post(f"{BASE}/requests.{fmt}", content=_body(pairs),
                                  headers={"Content-Type": "application/x-www-form-urlencoded"})
    _check(response)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                     HealthCheck.too_slow])
@given(raw=RAW, content_type=CONTENT_TYPES, fmt=st.sampled_from(["json", "xml", "html", ""]))
def test_raw_bodies_never_make_a_500(fuzzed, raw, content_type, fmt):
    response = fuzzed.client.post(f"{BASE}/requests.{fmt}?api_key={fuzzed.rw}", content=raw,
                                  headers={"Content-Type": content_type} if content_type else {})
    _check(response)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                     HealthCheck.too_slow])
@given(pairs=PAIRS, path=st.sampled_from(["requests.json", "requests.xml", "services.json", "tokens/x.xml",
                                          "requests/abc.json", "services/klotter.xml"]))
def test_generated_queries_never_make_a_500(fuzzed, pairs, path):
    query = _body([("api_key", fuzzed.read), *pairs]).decode("ascii")
    _check(fuzzed.client.get(f"{BASE}/{path}?{query}"))
