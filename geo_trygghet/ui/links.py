"""The app's own address, join links and QR codes: one place for every page.

``app_base_url()`` is ``GEO_TRYGGHET_PUBLIC_URL`` when set (the address participants can
reach, e.g. ``https://trygghet.kommun.se``), else the address this browser used. Every
join link and QR code (the walks page, planning a walk from hot spots) is built here.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import streamlit as st

from ..remarks.joinlink import LOCAL_URL, base_url, join_url
from ..remarks.joinlink import qr_png as _qr_png

__all__ = ["app_base_url", "join_link", "qr_png"]

def app_base_url() -> str:
    """The address participants open: ``GEO_TRYGGHET_PUBLIC_URL``, else this page's own."""
    public = base_url()
    if public != LOCAL_URL:
        return public
    try:
        url = str(st.context.url or "")
    except Exception:  # noqa: BLE001 - outside a browser session (AppTest) there is no context
        url = ""
    if url.startswith(("http://", "https://")):
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}/"
    return LOCAL_URL


def join_link(code: str) -> str:
    """The participants' link for the walk with ``code``."""
    return join_url(app_base_url(), code)


def qr_png(link: str) -> bytes:
    """A QR code of ``link`` (PNG bytes) sized for a page and a printed handout."""
    return _qr_png(link, box_size=8, border=3)
