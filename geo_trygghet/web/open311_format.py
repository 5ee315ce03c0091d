"""Open311 answers as the specification writes them: XML (required) and JSON (its mechanical mapping).

A resource's data is plain Python (dicts, lists, strings, numbers, booleans, None); :func:`answer`
writes it in the asked format. In XML a list is an element named for the collection holding one
element per item (``services``/``service``, ``service_requests``/``request``, ``errors``/``error``,
``attributes``/``attribute``, ``values``/``value``, ``endpoints``/``endpoint``,
``formats``/``format``); None is an empty element, a boolean ``true``/``false``. Errors are the
specification's list ``[{"code": …, "description": …}]`` with the HTTP status.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from typing import Any

from starlette.responses import Response

FORMATS = ("xml", "json")
CONTENT_TYPES = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
#: The element of each item of a collection.
ITEMS = {"services": "service", "service_requests": "request", "errors": "error", "endpoints": "endpoint",
         "formats": "format", "attributes": "attribute", "values": "value"}
HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
#: Characters XML 1.0 cannot carry (left out of text).
_NOT_XML = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def format_of(path: str) -> str:
    """The format a path asks for (``….json`` JSON, anything else the required XML)."""
    return "json" if path.rstrip("/").lower().endswith(".json") else "xml"


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return _NOT_XML.sub("", str(value))


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _fill(ET.SubElement(element, key), item)
    elif isinstance(value, list | tuple):
        child = ITEMS.get(element.tag, "item")
        for item in value:
            _fill(ET.SubElement(element, child), item)
    elif value is not None:
        element.text = _text(value)


def to_xml(root: str, data: Any) -> bytes:
    """``data`` under the element ``root``, with the declaration the specification asks for."""
    element = ET.Element(root)
    _fill(element, data)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(element, encoding="unicode").encode("utf-8")


def _clean_json(value: Any) -> Any:
    if isinstance(value, str):
        return _NOT_XML.sub("", value)
    if isinstance(value, dict):
        return {k: _clean_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean_json(v) for v in value]
    return value


def answer(fmt: str, root: str, data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """``data`` as the answer in ``fmt`` (``root`` names the XML root element)."""
    if fmt == "json":
        body = json.dumps(_clean_json(data), ensure_ascii=False, allow_nan=False).encode("utf-8")
    else:
        body = to_xml(root, data)
    return Response(body, status_code=status, media_type=CONTENT_TYPES[fmt], headers={**HEADERS, **(headers or {})})


def errors(fmt: str, status: int, descriptions: list[str], headers: dict[str, str] | None = None) -> Response:
    """The specification's error list: one ``{code, description}`` per description."""
    return answer(fmt, "errors", [{"code": status, "description": d} for d in descriptions], status, headers)


__all__ = ["CONTENT_TYPES", "FORMATS", "ITEMS", "answer", "errors", "format_of", "to_xml"]
