"""Text tables before they are parsed: the bytes decoded (UTF-8, UTF-16, Windows-1252) and checked
for binary data, the delimiter sniffed, Swedish decimal commas recognised; :mod:`.files` parses them."""

from __future__ import annotations

import codecs
import csv
import re

from ..errors import InputError

_DELIMITERS = (",", ";", "\t", "|")
DELIM_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
#: control characters that never occur in a text table
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def decode_bytes(raw: bytes, name: str) -> tuple[bytes, str]:
    """UTF-8 bytes (no BOM) of a text file and the encoding it was read in.

    Accepts UTF-8 with or without BOM, UTF-16 with BOM, and Windows-1252.
    Raises :class:`InputError` for binary data.
    """
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError:
            msg = f"{name} starts like UTF-16 text but cannot be decoded; save it as CSV UTF-8"
            raise InputError(msg) from None
        _check_text(text, name)
        return text.encode("utf-8"), "UTF-16"
    encoding = "UTF-8"
    raw = raw.removeprefix(codecs.BOM_UTF8)
    head = raw[:65536]
    if b"\x00" in head and len(head) >= 4:
        odd, even = head[1::2].count(0) / (len(head) // 2), head[0::2].count(0) / ((len(head) + 1) // 2)
        order = "utf-16-le" if odd > 0.4 and even < 0.05 else "utf-16-be" if even > 0.4 and odd < 0.05 else None
        if order is not None:  # UTF-16 without a byte-order mark
            decoded: str | None
            try:
                decoded = raw[: len(raw) // 2 * 2].decode(order)
            except UnicodeDecodeError:
                decoded = None
            if decoded is not None:
                text = decoded
                _check_text(text, name)
                return text.encode("utf-8"), "UTF-16"
    if b"\x00" in head:
        msg = f"{name} is not a text table (it contains binary data); save it as CSV (UTF-8) or Excel .xlsx"
        raise InputError(msg)
    if _valid_utf8(raw):
        # the first 65,536 characters lie within the first 4 × 65,536 bytes (a character cut at
        # that end lies beyond them)
        _check_text(raw[: 4 * 65536].decode("utf-8", errors="ignore"), name)
        return raw, encoding
    try:
        text = raw.decode("utf-8")  # (not UTF-8: raises, and Windows-1252 is tried)
    except UnicodeDecodeError:
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError as exc:
            msg = (
                f"{name} is neither UTF-8 nor Windows-1252 text (byte 0x{raw[exc.start]:02x} at "
                f"offset {exc.start}); save it as CSV UTF-8"
            )
            raise InputError(msg) from None
        encoding = "Windows-1252"
        _check_text(text, name)
        return text.encode("utf-8"), encoding
    _check_text(text, name)
    return raw, encoding


def _valid_utf8(raw: bytes) -> bool:
    """Whether the bytes are UTF-8, checked by Arrow in place (decoding a large file into a
    Python string only to check it costs six times as long, and the memory of the file again)."""
    import pyarrow as pa

    offsets = pa.py_buffer((0).to_bytes(8, "little") + len(raw).to_bytes(8, "little"))  # one value: the file
    try:
        pa.Array.from_buffers(pa.large_binary(), 1, [None, offsets, pa.py_buffer(raw)]).cast(pa.large_string())
    except pa.ArrowInvalid:
        return False
    return True


def _check_text(text: str, name: str) -> None:
    sample = text[:65536]
    if not sample:
        return
    bad = len(_CONTROL.findall(sample))
    if bad > max(2, len(sample) // 200):
        msg = f"{name} is not a text table (it contains binary data); save it as CSV (UTF-8) or Excel .xlsx"
        raise InputError(msg)


def sniff_delimiter(head: str) -> str:
    """The most consistent of , ; tab | in the first lines of ``head``."""
    lines = head.splitlines()
    if len(head) >= 65536 and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut
    lines = [ln for ln in lines if ln.strip()][:50]
    if not lines:
        return ","
    best, best_score = ",", (-1.0, 0)
    for d in _DELIMITERS:
        try:
            rows = list(csv.reader(lines, delimiter=d))
        except csv.Error:
            continue
        counts = [len(r) for r in rows]
        header = counts[0]
        if header < 2:
            continue
        consistency = sum(c == header for c in counts) / len(counts)
        score = (consistency, header)
        if score > best_score:
            best, best_score = d, score
    return best


_MAGIC = (
    (b"PK\x03\x04", "an Excel workbook or another zip file", ".xlsx"),
    (b"SQLite format 3\x00", "a GeoPackage (SQLite) file", ".gpkg"),
    (b"PAR1", "a Parquet file", ".parquet"),
    (b"\xd0\xcf\x11\xe0", "an old Excel .xls file", ".xls and save it as .xlsx"),
)
_DECIMAL_COMMA = re.compile(r"(?:^|[;\t|])\s*-?\d+,\d+\s*(?:[;\t|]|$)", re.MULTILINE)


def decimal_comma(delim: str, head: str) -> bool:
    """Whether the numbers are Swedish (59,33): a delimiter other than the comma and a decimal
    comma in the first lines."""
    return delim != "," and bool(_DECIMAL_COMMA.search(head))
