"""The participants' offline phone form under ``/walk/``: static files, texts, service worker.

Everything is plain files in ``static/walk/`` (no build step), read once per process:

* ``index.html`` is a template: ``{{key}}`` is the catalogue's Swedish text of ``key``
  (HTML-escaped), ``{{categories}}`` and ``{{factors}}`` the form's choices, so the form
  shows in Swedish before any script runs; the scripts switch it to English.
* ``texts.json`` is made from the catalogue (both languages) for what the scripts write.
* ``leaflet.js`` / ``leaflet.css`` are the one vendored copy in ``geo_trygghet/maps/static``.
* ``sw.js`` gets the version (a hash of every file) and the list of files to keep offline,
  so a changed file makes a new service worker and a fresh cache.

Every answer carries a Content-Security-Policy without inline script or style, an ETag
(a repeat request is 304), ``Cache-Control: no-cache`` (the service worker keeps the
offline copy). The old join link ``/?kod=CODE`` is redirected here (:class:`LegacyJoinRedirect`).
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from ..i18n import LANGUAGES, all_texts, text
from ..remarks.categories import POSITIVE_REMARK_CATEGORIES, REMARK_CATEGORIES
from ..remarks.states import FACTORS

STATIC = Path(__file__).resolve().parent / "static" / "walk"
LEAFLET = Path(__file__).resolve().parents[1] / "maps" / "static"
#: Where the OpenStreetMap background tiles come from (the only other origin the form uses).
TILE_HOSTS = "https://tile.openstreetmap.org https://*.tile.openstreetmap.org"
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; "
       f"img-src 'self' data: blob: {TILE_HOSTS}; connect-src 'self'; worker-src 'self'; manifest-src 'self'; "
       "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "geolocation=(self), camera=(self), microphone=()",
}
#: Catalogue texts the scripts need, by key prefix (texts.json).
TEXT_PREFIXES = ("web.", "wk.", "geo.", "join.", "category.", "state.", "factor.", "label.new_remark")
TEXT_KEYS = ("err.category", "err.no_position", "err.too_long", "err.closed", "err.network", "err.photo",
             "err.photo_empty", "err.photo_big", "err.photo_heic")
_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
          ".css": "text/css; charset=utf-8", ".json": "application/json", ".svg": "image/svg+xml",
          ".png": "image/png"}
#: The files of the form, in the order the service worker keeps them ("./" is index.html).
SHELL = ("./", "walk.css", "leaflet.css", "outbox.js", "photo.js", "walkmap.js", "lists.js", "app.js", "leaflet.js",
         "texts.json", "manifest.json", "icon.svg", "icon-192.png")
_PLACEHOLDER = re.compile(r"\{\{([A-Za-z0-9_.\-]+)\}\}")


@dataclass(frozen=True)
class Asset:
    content: bytes
    media_type: str
    etag: str


def _escape(value: str) -> str:
    return html.escape(value, quote=True)


def _breakable(label: str) -> str:
    """A label that may break after its slash (``Gångtunnel/passage`` in a narrow button)."""
    return _escape(label).replace("/", "/&#8203;")


def _categories_html() -> str:
    rows = []
    for slug in REMARK_CATEGORIES:
        kind = " positive" if slug in POSITIVE_REMARK_CATEGORIES else ""
        rows.append(f'<label class="choice{kind}"><input type="radio" name="category" value="{slug}">'
                    f'<span data-t="category.{slug}">{_breakable(text("category." + slug, "sv"))}</span></label>')
    return "\n".join(rows)


def _factors_html() -> str:
    rows = []
    for name in FACTORS:
        options = '<option value="">–</option>' + "".join(f'<option value="{v}">{v}</option>' for v in range(4))
        rows.append(f'<div class="factor"><label for="factor-{name}" data-t="factor.{name}">'
                    f'{_escape(text("factor." + name, "sv"))}</label>'
                    f'<select id="factor-{name}" name="factor-{name}" data-factor="{name}">{options}</select></div>')
    return "\n".join(rows)


def render_index(template: str) -> str:
    """``index.html`` with its placeholders filled in Swedish (unknown keys stay visible)."""
    blocks = {"categories": _categories_html(), "factors": _factors_html()}

    def fill(match: re.Match[str]) -> str:
        key = match.group(1)
        return blocks[key] if key in blocks else _escape(text(key, "sv"))

    return _PLACEHOLDER.sub(fill, template)


def texts_json() -> bytes:
    """The scripts' texts: ``{"sv": {key: text}, "en": {…}}`` (English falls back to Swedish)."""
    keys = sorted(k for k in all_texts() if k.startswith(TEXT_PREFIXES) or k in TEXT_KEYS)
    data = {lang: {k: text(k, lang) for k in keys} for lang in LANGUAGES}
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


def _asset(content: bytes, name: str) -> Asset:
    etag = '"' + hashlib.sha256(content).hexdigest()[:20] + '"'
    return Asset(content, _TYPES.get(Path(name).suffix, "application/octet-stream"), etag)


@functools.cache
def assets() -> dict[str, Asset]:
    """Every file of the form by its name under ``/walk/`` (``""`` is the page itself)."""
    raw: dict[str, bytes] = {}
    for path in sorted(STATIC.iterdir()):
        if path.is_file() and path.name not in ("index.html", "sw.js"):
            raw[path.name] = path.read_bytes()
    for name in ("leaflet.js", "leaflet.css"):
        raw[name] = (LEAFLET / name).read_bytes()
    raw["texts.json"] = texts_json()
    raw[""] = render_index((STATIC / "index.html").read_text(encoding="utf-8")).encode("utf-8")
    version = hashlib.sha256(b"".join(hashlib.sha256(raw[k]).digest() for k in sorted(raw))).hexdigest()[:16]
    worker = (STATIC / "sw.js").read_text(encoding="utf-8")
    worker = worker.replace("__VERSION__", version).replace("__SHELL__", json.dumps(list(SHELL)))
    raw["sw.js"] = worker.encode("utf-8")
    out = {name: _asset(content, name) for name, content in raw.items()}
    out[""] = Asset(raw[""], _TYPES[".html"], out[""].etag)
    return out


def serve_asset(request: Request, name: str) -> Response:
    asset = assets().get(name)
    if asset is None:
        return Response(text("web.no_file", "sv"), status_code=404, media_type="text/plain; charset=utf-8",
                        headers=SECURITY_HEADERS)
    headers = {**SECURITY_HEADERS, "ETag": asset.etag, "Cache-Control": "no-cache"}
    if name == "sw.js":
        headers["Service-Worker-Allowed"] = "./"
    if asset.etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(asset.content, media_type=asset.media_type, headers=headers)


async def _page(request: Request) -> Response:
    return serve_asset(request, "")


async def _file(request: Request) -> Response:
    return serve_asset(request, request.path_params["name"])


async def _to_slash(request: Request) -> Response:
    query = request.url.query
    return RedirectResponse(f"{request.url.path}/" + (f"?{query}" if query else ""), status_code=308)


def routes() -> list[BaseRoute]:
    """``/walk`` → ``/walk/``, the page and its files."""
    return [Route("/walk", _to_slash, methods=["GET", "HEAD"]),
            Route("/walk/", _page, methods=["GET", "HEAD"]),
            Route("/walk/{name:str}", _file, methods=["GET", "HEAD"])]


class LegacyJoinRedirect:
    """``/?kod=CODE`` (join links and QR codes printed before the phone form) → ``/walk/?kod=CODE``."""

    def __init__(self, app: Callable[..., Any]) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        if scope.get("type") == "http" and scope.get("path") == "/" and scope.get("method") in ("GET", "HEAD"):
            query = parse_qs(bytes(scope.get("query_string", b"")).decode("latin-1"))
            if query.get("kod"):
                root = str(scope.get("root_path", "")).rstrip("/")
                response = RedirectResponse(f"{root}/walk/?{urlencode({'kod': query['kod'][0]})}", status_code=302)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
