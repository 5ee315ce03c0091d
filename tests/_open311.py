"""Shared pieces of the Open311 tests: a kommun with two problemägare, partners' keys, a client."""

from __future__ import annotations

import json
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

from starlette.testclient import TestClient

from geo_trygghet.remarks import Actor
from geo_trygghet.web.stack import web_app

ADMIN = Actor.system()
BASE = "/open311/v2"
TOWN = {"lat": "58.99215", "long": "16.19615"}
#: The housing company's yard (WGS84), where klotter is its to fix.
YARD = {"type": "Polygon", "coordinates": [[[16.180, 58.990], [16.190, 58.990], [16.190, 58.995],
                                            [16.180, 58.995], [16.180, 58.990]]]}
IN_YARD = {"lat": "58.9925", "long": "16.1850"}
OPEN311_ENV = ("GEO_TRYGGHET_OPEN311_JURISDICTION", "GEO_TRYGGHET_OPEN311_REQUIRE_JURISDICTION",
               "GEO_TRYGGHET_OPEN311_PUBLIC_PHOTOS", "GEO_TRYGGHET_OPEN311_RATE_LIMIT", "GEO_TRYGGHET_ADDRESS_REGISTER",
               "GEO_TRYGGHET_PUBLIC_URL")


@dataclass
class Kommun:
    """A service with two problemägare and three keys (read-write, read, revoked), and a client."""

    service: Any
    client: TestClient
    gata: Any
    bostader: Any
    rw: str
    read: str
    revoked: str

    def post(self, fmt: str = "json", key: str | None = "", data: Any = None, **fields: Any):
        body: dict[str, Any] = {"service_code": "belysning", **TOWN, "description": "Trasig lampa vid Åvägen 37",
                                **fields}
        if key is not None:
            body["api_key"] = key or self.rw
        body = {k: v for k, v in body.items() if v is not None}
        return self.client.post(f"{BASE}/requests.{fmt}", data=data if data is not None else body)

    def get(self, path: str, key: str | None = "", **params: Any):
        if key is not None:
            params["api_key"] = key or self.read
        return self.client.get(f"{BASE}/{path}", params=params)


def make_kommun(service, **open311_options: Any) -> Kommun:
    gata = service.create_organisation(ADMIN, "Gatukontoret", categories=["belysning", "klotter", "trafik"],
                                       email="gata@kommun.se")
    bostader = service.create_organisation(ADMIN, "Bostäder AB", categories=["klotter"], area=YARD)
    rw = service.create_api_key(ADMIN, "fixamingata", "read-write").secret
    read = service.create_api_key(ADMIN, "statistik", "read").secret
    revoked = service.create_api_key(ADMIN, "gammal", "read-write")
    service.revoke_api_key(ADMIN, revoked.key.id)
    options = {"burst": 0, "per_minute": 0, **open311_options}
    client = TestClient(web_app(lambda: service, burst=0, per_minute=0, open311_options=options))
    return Kommun(service, client, gata, bostader, rw, read, revoked.secret)


def xml_of(response) -> ET.Element:
    assert response.headers["content-type"].startswith("text/xml"), response.headers["content-type"]
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(response.content)


def json_of(response) -> Any:
    assert response.headers["content-type"].startswith("application/json"), response.headers["content-type"]
    return json.loads(response.content)


def assert_error(response, status: int, *words: str) -> str:
    """The response is the specification's error list with ``status``; its description is returned."""
    assert response.status_code == status, response.text
    if response.headers["content-type"].startswith("text/xml"):
        root = xml_of(response)
        assert root.tag == "errors" and [e.tag for e in root] == ["error"]
        assert [c.tag for c in root[0]] == ["code", "description"]
        code, description = root[0].findtext("code"), root[0].findtext("description") or ""
    else:
        body = json_of(response)
        assert isinstance(body, list) and len(body) == 1 and set(body[0]) == {"code", "description"}
        code, description = body[0]["code"], body[0]["description"]
    assert int(code) == status
    assert description and "Traceback" not in description and "\n" not in description
    for word in words:
        assert word in description, description
    return description


def new_id() -> str:
    return str(uuid.uuid4())
