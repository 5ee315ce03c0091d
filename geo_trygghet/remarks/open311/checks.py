"""Checking a POSTed service request before it becomes a remark (no database here).

:func:`check_request` turns the strings a partner sent (:class:`~.records.IncomingRequest`) into a
:class:`Checked` remark or refuses it with the specification's status (:class:`~.records.BadRequest`
400, :class:`~.records.NotThere` 404 for an unknown service). The position is ``lat`` + ``long``
(also ``lon``), else ``address_string`` placed against the address register
(``$GEO_TRYGGHET_ADDRESS_REGISTER``); the description keeps no HTML and at most 4,000 characters;
``attribute[feeling]`` and the factor scores must be among their values, other attributes are kept
as sent (never published); the partner's own reference is ``attribute[external_id]`` (or
FixMyStreet's ``attribute[fixmystreet_id]``).
"""

from __future__ import annotations

import functools
import logging
import math
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from ... import settings
from ...errors import GeoTrygghetError
from ...ingest.geocode import AddressRegister
from .. import states as st
from ..submission import MAX_TEXT
from .records import BadRequest, IncomingRequest, NotThere
from .services import FACTOR_VALUES, FEELING, FEELING_VALUES, is_service

log = logging.getLogger(__name__)

#: Attributes that carry the partner's own reference of the request, in the order looked at.
REFERENCE_ATTRIBUTES = ("external_id", "fixmystreet_id")
MAX_ATTRIBUTES = 60
MAX_VALUES = 20
MAX_VALUE_CHARS = 1000
MAX_URL_CHARS = 2000
_LIMITS = {"email": 320, "first_name": 100, "last_name": 100, "phone": 50, "device_id": 200, "account_id": 200,
           "address_string": 500, "service_code": 50}
_TAG = re.compile(r"<[A-Za-z!/?][^<>]*>")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_BLOCK_TAGS = frozenset({"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6"})
_SKIPPED_TAGS = frozenset({"script", "style", "template", "noscript"})


@dataclass(frozen=True)
class Checked:
    """A request's values once checked: the remark to store and what is kept beside it."""

    category: str
    text: str
    lon: float
    lat: float
    position_source: str
    feeling: int | None
    factors: dict[str, int] | None
    reporter_name: str | None
    external_ref: str | None
    address: str | None
    media_url: str | None
    attributes: dict[str, list[str]] | None
    email: str | None
    phone: str | None


class _TextOnly(HTMLParser):
    """The text of an HTML fragment: tags dropped, scripts and styles with their content."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_TAGS:
            self.skipping += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def plain_text(value: str | None) -> str:
    """``value`` with no HTML kept: tags, comments, scripts and styles removed, entities read (a tag
    written as entities is removed too), control characters dropped, line breaks kept (at most one
    empty line in a row); a ``<`` not starting a tag (``a < b``) stays."""
    text = (value or "").replace("\r\n", "\n").replace("\r", "\n")
    for _ in range(4):  # a tag split by another tag shows up once the inner one is gone
        parser = _TextOnly()
        parser.feed(text)
        parser.close()
        cleaned = _TAG.sub("", "".join(parser.parts))
        if cleaned == text:
            break
        text = cleaned
    text = _TAG.sub("", text)
    lines = [" ".join(_CONTROL.sub("", line).split()) for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _bounded(name: str, value: str | None) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    if len(value) > _LIMITS[name]:
        raise BadRequest(f"{name} is longer than {_LIMITS[name]} characters", "too_long", field=name,
                         max=_LIMITS[name])
    return value


def _number(name: str, value: str) -> float:
    try:
        number = float(value.strip())
    except ValueError:
        raise BadRequest(f"{name} '{value[:40]}' is not a number", "position_bad", field=name) from None
    if not math.isfinite(number):
        raise BadRequest(f"{name} '{value[:40]}' is not a number", "position_bad", field=name)
    return number


def _given(value: str | None) -> str | None:
    """A parameter's value, None when missing or empty (the specification's optional arguments)."""
    return value if value is not None and value.strip() else None


def _position(req: IncomingRequest) -> tuple[float, float, str, str | None]:
    """``(lon, lat, position source, address)`` from lat + long/lon, else address_string."""
    lat, long, lon = _given(req.lat), _given(req.long), _given(req.lon)
    address = _bounded("address_string", req.address_string)
    if long is not None and lon is not None and _number("long", long) != _number("lon", lon):
        raise BadRequest("long and lon differ", "position_twice")
    x = long if long is not None else lon
    if lat is not None or x is not None:
        if lat is None or x is None:
            raise BadRequest("give both lat and long", "position_partial")
        lat_f, lon_f = _number("lat", lat), _number("long", x)
        if not (-90 <= lat_f <= 90 and -180 <= lon_f <= 180):
            raise BadRequest(f"lat {lat_f}, long {lon_f} is out of range", "position_range")
        return lon_f, lat_f, "map", address
    if address is not None:
        lon_f, lat_f = place_address(address)
        return lon_f, lat_f, "address", address
    if _given(req.address_id):
        raise BadRequest("address_id is not supported: send lat and long or address_string", "address_id")
    raise BadRequest("no location: send lat and long, or address_string", "position_missing")


@functools.lru_cache(maxsize=2)
def _register(path: str, mtime: float) -> AddressRegister:
    from ...ingest.geocode import read_register

    return read_register(path)


def place_address(address: str) -> tuple[float, float]:
    """``(lon, lat)`` of an address against the register; BadRequest when there is none or no match."""
    path = settings.address_register()
    if path is None or not Path(path).is_file():
        raise BadRequest("this server has no address register to place address_string", "address_no_register")
    import pandas as pd

    from ..protocol_addresses import place_by_address

    try:
        register = _register(path, Path(path).stat().st_mtime)
        placed = place_by_address(pd.DataFrame({"adress": [address]}), register, address="adress",
                                  source="address_string")
    except GeoTrygghetError as exc:
        log.warning("Open311: address_string could not be placed: %s", exc)
        raise BadRequest(f"address '{address[:60]}' could not be placed", "address_unknown") from None
    if not placed.usable[0]:
        raise BadRequest(f"address '{address[:60]}' is not in the register", "address_unknown")
    return float(placed.lon[0]), float(placed.lat[0])


def _score(code: str, values: tuple[str, ...], allowed: tuple[int, ...]) -> int | None:
    given = [v.strip() for v in values if v.strip()]
    if not given:
        return None
    if len(given) > 1:
        raise BadRequest(f"attribute {code} takes one value", "attribute_one", code=code)
    if not given[0].lstrip("-").isdigit() or int(given[0]) not in allowed:
        raise BadRequest(f"attribute {code} must be one of {allowed}", "attribute_bad", code=code,
                         values=", ".join(str(v) for v in allowed))
    return int(given[0])


def _attributes(req: IncomingRequest) -> tuple[int | None, dict[str, int] | None, dict[str, list[str]] | None]:
    """``(feeling, factors, the other attributes)``."""
    if len(req.attributes) > MAX_ATTRIBUTES:
        raise BadRequest("too many attributes", "attributes_many", max=MAX_ATTRIBUTES)
    feeling = _score(FEELING, req.attributes.get(FEELING, ()), FEELING_VALUES)
    factors = {}
    other: dict[str, list[str]] = {}
    for code, values in req.attributes.items():
        if code in st.FACTORS:
            score = _score(code, values, FACTOR_VALUES)
            if score is not None:
                factors[code] = score
        elif code != FEELING:
            if len(code) > 100 or len(values) > MAX_VALUES or any(len(v) > MAX_VALUE_CHARS for v in values):
                raise BadRequest(f"attribute {code[:40]} is too large", "attribute_large", code=code[:40])
            other[code] = list(values)
    return feeling, factors or None, other or None


def _media_url(urls: tuple[str, ...]) -> str | None:
    for url in urls:
        url = url.strip()
        if not url:
            continue
        if len(url) > MAX_URL_CHARS or not re.match(r"^https?://[^\s<>\"]+$", url):
            raise BadRequest("media_url must be an http(s) URL", "media_url")
        return url
    return None


def _reference(attributes: dict[str, list[str]] | None) -> str | None:
    for code in REFERENCE_ATTRIBUTES:
        values = [v.strip() for v in (attributes or {}).get(code, []) if v.strip()]
        if values:
            if len(values[0]) > 200:
                raise BadRequest(f"attribute {code} is longer than 200 characters", "attribute_large", code=code)
            return values[0]
    return None


def check_request(req: IncomingRequest) -> Checked:
    """Every check of a POSTed request, in the order a partner fixes them."""
    code = _bounded("service_code", req.service_code)
    if code is None:
        raise BadRequest("service_code is missing", "service_code_missing")
    if not is_service(code):
        raise NotThere(f"no service '{code}'", "service_unknown", code=code)
    text = plain_text(req.description)
    if len(text) > MAX_TEXT:
        raise BadRequest(f"description is {len(text)} characters long", "description_long", n=len(text),
                         max=MAX_TEXT)
    lon, lat, source, address = _position(req)
    feeling, factors, other = _attributes(req)
    names = " ".join(n for n in (_bounded("first_name", req.first_name), _bounded("last_name", req.last_name)) if n)
    _bounded("device_id", req.device_id)
    _bounded("account_id", req.account_id)
    return Checked(category=code, text=text, lon=lon, lat=lat, position_source=source, feeling=feeling,
                   factors=factors, reporter_name=names or None, external_ref=_reference(other),
                   address=plain_text(address) or None if address else None, media_url=_media_url(req.media_urls),
                   attributes=other, email=_bounded("email", req.email), phone=_bounded("phone", req.phone))


__all__ = ["REFERENCE_ATTRIBUTES", "Checked", "check_request", "place_address", "plain_text"]
