"""Photos from phones: check, read the EXIF GPS position, strip, shrink.

:func:`prepare_photo` is what the service calls: it checks the size and type
(JPEG, PNG or WebP; HEIC is refused with a hint to use JPEG), reads the GPS
position from EXIF, applies the EXIF orientation, and re-encodes the picture
as a JPEG with *no* metadata at all (no EXIF, no GPS, no ICC profile, no
comments), the longest side at most ``settings.photo_max_px``.

A photo that is already what would be stored (a JPEG no larger than that, with no
metadata segment at all, as the phone form sends after shrinking the photo itself) is
checked by decoding it and kept as it is, without the bytes after its end: re-encoding
it would cost a tenth of a second of CPU and lose quality for nothing.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageOps, UnidentifiedImageError

from .. import settings
from ..errors import PhotoError

ACCEPTED_FORMATS = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "WEBP": "image/webp",
    "MPO": "image/jpeg",
}
_GPS_IFD = 0x8825
_JPEG_QUALITY = 85


@dataclass(frozen=True)
class PreparedPhoto:
    """A photo ready to store: ``content`` is a metadata-free JPEG."""

    content: bytes
    width: int
    height: int
    lon: float | None
    lat: float | None
    mime: str = "image/jpeg"


def _sniff_heic(data: bytes) -> bool:
    return (
        len(data) > 12
        and data[4:8] == b"ftyp"
        and data[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"heim", b"hevc", b"avif")
    )


def _to_float(value: Any) -> float:
    try:
        return float(value)  # IFDRational and plain numbers
    except (TypeError, ValueError, ZeroDivisionError):
        num, den = value
        return float(num) / float(den)


def _dms(values: Any) -> float:
    parts = [_to_float(v) for v in values]
    while len(parts) < 3:
        parts.append(0.0)
    return parts[0] + parts[1] / 60.0 + parts[2] / 3600.0


def gps_from_exif(image: Image.Image) -> tuple[float, float] | None:
    """``(lon, lat)`` from the image's EXIF GPSInfo, or None when there is none."""
    try:
        gps = image.getexif().get_ifd(_GPS_IFD)
    except Exception:  # noqa: BLE001 - broken EXIF blocks are common; treat as "no position"
        return None
    if not gps or 2 not in gps or 4 not in gps:
        return None
    try:
        lat = _dms(gps[2])
        lon = _dms(gps[4])
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    lat_ref = str(gps.get(1, "N")).strip().upper()[:1]
    lon_ref = str(gps.get(3, "E")).strip().upper()[:1]
    if lat_ref == "S":
        lat = -lat
    if lon_ref == "W":
        lon = -lon
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
        return None
    return lon, lat


def open_image(
    data: bytes, *, name: str = "photo", max_bytes: int | None = None, max_px: int | None = None
) -> Image.Image:
    """Open ``data`` as an image after the size and type checks (:class:`PhotoError`).

    With ``max_px``, a large JPEG is decoded at 1/2, 1/4 or 1/8 scale when that
    still leaves its longest side at 90 % of ``max_px`` or more (much faster
    than decoding every pixel and shrinking afterwards).
    """
    max_bytes = settings.photo_max_bytes if max_bytes is None else max_bytes
    if not data:
        msg = f"{name}: the file is empty: take or choose the photo again"
        raise PhotoError(msg)
    if len(data) > max_bytes:
        msg = (f"{name}: {len(data) / 1e6:.1f} MB is larger than the {max_bytes / 1e6:.0f} MB allowed: "
               "send a smaller photo")
        raise PhotoError(msg)
    if _sniff_heic(data):
        msg = f"{name}: HEIC/HEIF photos cannot be read: set the camera to 'Most compatible' (JPEG) or send a JPEG"
        raise PhotoError(msg)
    try:
        image = Image.open(io.BytesIO(data))
        if max_px and image.format == "JPEG":
            longest = max(image.size)
            scale = next((k for k in (8, 4, 2) if longest / k >= 0.9 * max_px), 1)
            if scale > 1:
                image.draft("RGB", (-(-image.size[0] // scale), -(-image.size[1] // scale)))
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        msg = f"{name}: not a readable image: send a JPEG, PNG or WebP photo"
        raise PhotoError(msg) from None
    if image.format not in ACCEPTED_FORMATS:
        msg = f"{name}: {image.format or 'this'} images are not accepted: send a JPEG, PNG or WebP photo"
        raise PhotoError(msg)
    return image


def strip_and_shrink(image: Image.Image, *, max_px: int | None = None) -> tuple[bytes, int, int]:
    """Apply the EXIF orientation, shrink, and encode a JPEG with no metadata."""
    max_px = settings.photo_max_px if max_px is None else max_px
    image = ImageOps.exif_transpose(image)
    if image.mode not in ("RGB", "L"):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    if max(image.size) > max_px:
        image.thumbnail((max_px, max_px), Image.Resampling.LANCZOS, reducing_gap=3.0)
    # a fresh image with only the pixels: nothing of the original's info survives
    clean = Image.frombytes(image.mode, image.size, image.tobytes())
    out = io.BytesIO()
    clean.save(out, format="JPEG", quality=_JPEG_QUALITY)
    return out.getvalue(), clean.width, clean.height


def _clean_jpeg(data: bytes, max_px: int) -> PreparedPhoto | None:
    """``data`` as it is when it is a JPEG of at most ``max_px`` with no metadata segment
    (no APP1–APP15, no comment) that decodes; else None (it goes through re-encoding)."""
    if data[:2] != b"\xff\xd8":
        return None
    i = 2
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xDA:  # start of scan: the headers are over
            break
        if 0xE1 <= marker <= 0xEF or marker == 0xFE:
            return None
        i += 2 + int.from_bytes(data[i + 2 : i + 4], "big")
    end = data.rfind(b"\xff\xd9")
    if end < i:
        return None
    content = data[: end + 2]  # nothing after the end of the image
    try:
        image = Image.open(io.BytesIO(content))
        if image.format != "JPEG" or image.mode not in ("RGB", "L") or max(image.size) > max_px:
            return None
        width, height = image.size
        image.draft(image.mode, (max(1, width // 8), max(1, height // 8)))
        image.load()  # every scan decodes (at an eighth of the size: fast)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None
    return PreparedPhoto(content=content, width=width, height=height, lon=None, lat=None)


def prepare_photo(
    data: bytes, *, name: str = "photo", max_px: int | None = None, max_bytes: int | None = None
) -> PreparedPhoto:
    """Check ``data``, read its GPS position, and return the stripped, shrunk JPEG."""
    max_px = settings.photo_max_px if max_px is None else max_px
    limit = settings.photo_max_bytes if max_bytes is None else max_bytes
    clean = _clean_jpeg(data, max_px) if 0 < len(data) <= limit else None
    if clean is not None:
        return clean
    image = open_image(data, name=name, max_bytes=max_bytes, max_px=max_px)
    position = gps_from_exif(image)
    content, width, height = strip_and_shrink(image, max_px=max_px)
    lon, lat = position if position else (None, None)
    return PreparedPhoto(content=content, width=width, height=height, lon=lon, lat=lat)


def has_metadata(data: bytes) -> bool:
    """True when the JPEG/PNG ``data`` carries EXIF, XMP, ICC or comment blocks."""
    image = Image.open(io.BytesIO(data))
    if len(image.getexif()) or image.info.get("exif") or image.info.get("icc_profile"):
        return True
    if any(k in image.info for k in ("xmp", "XML:com.adobe.xmp", "comment")):
        return True
    # look for APP1..APP15 / COM segments directly in a JPEG
    if data[:2] == b"\xff\xd8":
        i = 2
        while i + 4 <= len(data) and data[i] == 0xFF:
            marker = data[i + 1]
            if marker == 0xDA:  # start of scan: no more headers
                break
            length = int.from_bytes(data[i + 2 : i + 4], "big")
            if 0xE1 <= marker <= 0xEF or marker == 0xFE:
                return True
            i += 2 + length
    return False
