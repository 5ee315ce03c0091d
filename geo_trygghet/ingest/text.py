"""Text tables before pandas: bytes decoded, the delimiter sniffed, the CSV parsed by pyarrow.

Nothing here imports pandas, so a command can start reading its input file (:func:`prefetch`)
while pandas and GeoPandas are still being imported: pyarrow parses outside the GIL. The reader
in :mod:`.files` takes what was fetched (:func:`take`) and turns the Arrow table into the same
DataFrame ``pandas.read_csv(engine="pyarrow")`` gives.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError

_DELIMITERS = (",", ";", "\t", "|")
DELIM_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
#: control characters that never occur in a text table
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: the texts pandas reads as missing by default (``pandas._libs.parsers.STR_NA_VALUES``; a test
#: checks they agree)
NA_VALUES = ("", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN", "<NA>",
             "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null")


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
    try:
        text = raw.decode("utf-8")
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


def arrow_csv(data: bytes, delim: str, comma: bool = False) -> Any:
    """UTF-8 text parsed by pyarrow with the options pandas' pyarrow engine uses (its missing
    values, empty text missing, the header row as names), ``comma``: decimal commas."""
    import pyarrow.csv as pc

    convert = pc.ConvertOptions(null_values=list(NA_VALUES), strings_can_be_null=True,
                                decimal_point="," if comma else ".")
    return pc.read_csv(io.BytesIO(data), read_options=pc.ReadOptions(encoding="utf8"),
                       parse_options=pc.ParseOptions(delimiter=delim), convert_options=convert)


@dataclass
class Fetched:
    """A text file read ahead: its bytes, or (once decoded and parsed) its UTF-8 text, encoding,
    delimiter, decimal-comma rule and Arrow table (None when pyarrow could not parse it)."""

    raw: bytes
    data: bytes | None = None
    encoding: str = "UTF-8"
    delim: str = ","
    comma: bool = False
    table: Any = None


_AHEAD: dict[tuple, threading.Thread] = {}
_FETCHED: dict[tuple, Fetched] = {}


def _key(path: Path) -> tuple | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (str(path.resolve()), st.st_size, st.st_mtime_ns)


def prefetch(path: str | Path) -> None:
    """Start reading and parsing a text table in a background thread (anything else: nothing).

    Whatever goes wrong is left for the reader to find again and report in its own words."""
    p = Path(path)
    key = _key(p) if p.suffix.lower() in (".csv", ".txt", ".tsv") and p.is_file() else None
    if key is None or key in _AHEAD:
        return

    def fetch() -> None:
        try:
            raw = p.read_bytes()
        except OSError:
            return
        got = Fetched(raw)
        _FETCHED[key] = got
        if not raw.strip(b" \t\r\n\xef\xbb\xbf\x00\xff\xfe") or any(raw.startswith(m[0]) for m in _MAGIC):
            return
        try:
            data, encoding = decode_bytes(raw, p.name)
            head = data[:65536].decode("utf-8", errors="replace")
            delim = sniff_delimiter(head)
            comma = decimal_comma(delim, head)
            table = arrow_csv(data, delim, comma)
        except Exception:  # noqa: BLE001 - the reader reports it
            return
        _FETCHED[key] = Fetched(raw, data, encoding, delim, comma, table)

    thread = threading.Thread(target=fetch, name="prefetch", daemon=True)
    _AHEAD[key] = thread
    thread.start()


def take(path: Path) -> Fetched | None:
    """What :func:`prefetch` read of ``path`` (waiting for it), once; None if it was not asked
    for or the file changed since."""
    key = _key(path)
    thread = _AHEAD.pop(key, None) if key is not None else None
    if thread is None:
        return None
    thread.join()
    return _FETCHED.pop(key, None) if key is not None else None
