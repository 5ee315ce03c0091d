"""Join links and QR codes for a walk (to print on the handout): they open the phone form.

The participants' form is served at ``/walk/`` beside the app (:mod:`geo_trygghet.web`); a
link is the app's address + ``walk/?kod=CODE``. Links printed before the form existed
(``/?kod=CODE``) are redirected there by the server.
"""

from __future__ import annotations

import io
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ..errors import InputError

__all__ = ["FORM_PATH", "LOCAL_URL", "base_url", "join_url", "qr_png"]

#: Where ``geo-trygghet serve`` answers on this machine (Streamlit's default port).
LOCAL_URL = "http://localhost:8501/"
#: Where the phone form is, under the app's address.
FORM_PATH = "walk/"


def base_url() -> str:
    """The address participants open when there is no browser to ask (the CLI):
    ``GEO_TRYGGHET_PUBLIC_URL`` when set, else :data:`LOCAL_URL`."""
    from .. import settings

    public = settings.public_url()
    if not public:
        return LOCAL_URL
    return public if public.endswith("/") else public + "/"


def join_url(base_url: str, code: str) -> str:
    """The link a participant opens to join a walk: the phone form under ``base_url``,
    ``…/walk/?kod=CODE``.

    Other query parameters of ``base_url`` are kept; an old ``kod`` is replaced.

    >>> join_url("https://trygghet.kommun.se", "k7qx-3m")
    'https://trygghet.kommun.se/walk/?kod=K7QX3M'
    """
    from .auth import normalise_code

    base = (base_url or "").strip()
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        msg = f"'{base_url}' is not a web address: give the app's address, e.g. https://trygghet.kommun.se"
        raise InputError(msg)
    clean = normalise_code(code or "")
    if not clean:
        msg = "the walk code is empty: give the walk's join code"
        raise InputError(msg)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "kod"]
    query.append(("kod", clean))
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    if not path.endswith("/" + FORM_PATH):
        path += FORM_PATH
    return urlunsplit((parts.scheme, parts.netloc, path, urlencode(query), ""))


def qr_png(url: str, *, box_size: int = 10, border: int = 4) -> bytes:
    """A QR code of ``url`` as PNG bytes (error correction M: survives a smudged print)."""
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    if not url:
        msg = "nothing to encode: give the join link"
        raise InputError(msg)
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=border)
    qr.add_data(url)
    qr.make(fit=True)
    img = qr.make_image(fill_color="black", back_color="white")
    buf = io.BytesIO()
    img.save(buf)
    return buf.getvalue()
