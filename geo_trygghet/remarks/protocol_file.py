"""Reading a walk protocol typed into Excel or CSV: the handbook's table, row by row.

The headers are the handbook's (``NR``, ``ANMÄRKNING``, ``KATEGORI``, ``PROBLEMÄGARE``,
``PLANERAT``, ``ÅTGÄRDAT``; any case, with or without å ä ö) and the coordinates come
under any name :mod:`geo_trygghet.ingest` recognises (lat/lon in WGS84, E/N or x/y in
SWEREF 99 TM, told apart by their value ranges). Title lines above the header are
skipped. Every problem is one line naming the file, the row and the fix. Nothing here
touches the database: :mod:`.importer` writes what this module reads.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import settings
from .._values import is_missing
from ..errors import DateError, InputError, SchemaError
from ..ingest.columns import Columns
from .categories import FALLBACK_CATEGORY, category_from_label

__all__ = ["FORMULA_START", "ProtocolRow", "protocol_rows", "read_protocol_table", "remark_uuid"]

IMPORT_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://geo-trygghet.se/remarks/import")

# normalised header names (see _ingest_columns.norm) → role
_ROLE_NAMES: dict[str, tuple[str, ...]] = {
    "nr": ("nr", "nummer", "no", "number", "lopnummer", "lopnr", "id_nr", "punkt"),
    "text": ("anmarkning", "anmarkningar", "beskrivning", "remark", "description", "problem", "text"),
    "category": ("kategori", "category", "typ"),
    "owner": ("problemagare", "ansvarig", "ansvar", "owner", "owner_name", "agency_responsible", "atgardas_av"),
    "planned": ("planerat", "planerad", "planerat_datum", "planned", "planned_date", "expected_datetime"),
    "fixed": ("atgardat", "atgardad", "atgardat_datum", "datum_atgardat", "fixed", "fixed_date"),
}
_HEADER_LABELS = {"nr": "NR", "text": "ANMÄRKNING", "category": "KATEGORI", "owner": "PROBLEMÄGARE",
                  "planned": "PLANERAT", "fixed": "ÅTGÄRDAT"}
#: characters that make a spreadsheet read a cell as a formula (CSV/Excel injection)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _clean_title(title: str) -> str:
    return " ".join(str(title or "").split())


def _clean_nr(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    try:
        f = float(text.replace(",", "."))
        if f.is_integer():
            return str(int(f))
    except ValueError:
        pass
    return text


def remark_uuid(walk_title: str, nr: Any) -> str:
    """The deterministic id of remark ``nr`` of an imported protocol of ``walk_title``."""
    return str(uuid.uuid5(IMPORT_NAMESPACE, f"{_clean_title(walk_title)}\x1f{_clean_nr(nr)}"))



def _find_role_columns(names: Iterable[str]) -> dict[str, str]:
    cols = Columns(list(names))
    roles: dict[str, str] = {}
    taken: list[str] = []
    for role in ("text", "nr", "category", "owner", "fixed", "planned"):
        hit = cols.exact(_ROLE_NAMES[role], exclude=taken)
        if hit is not None:
            roles[role] = hit
            taken.append(hit)
    return roles


def read_protocol_table(path: str | Path, *, sheet: str | int | None = None) -> tuple[pd.DataFrame, int]:
    """Read a protocol file (``.xlsx`` or ``.csv``) into a frame of text/values.

    Title lines above the header (``Protokoll trygghetsvandring …``) are
    skipped: the header is the first of the first ten rows that has an
    ANMÄRKNING column. Returns the frame and the 1-based row number of the
    header in the file (to name rows as a spreadsheet shows them).
    """
    from ..ingest.files import check_path, read_excel, read_text_table

    p = check_path(path, "protocol file")
    ext = p.suffix.lower()
    if ext in (".xlsx", ".xlsm"):
        df, _ = read_excel(p, sheet)
    elif ext in (".csv", ".txt", ".tsv"):
        df, _ = read_text_table(p)
    else:
        msg = f"{p.name}: unsupported file type '{p.suffix or '(none)'}'; give the protocol as .xlsx or .csv"
        raise InputError(msg)
    header_row = 1
    if "text" not in _find_role_columns(df.columns):
        for i in range(min(10, len(df))):
            values = ["" if pd.isna(v) else str(v) for v in df.iloc[i].tolist()]
            if "text" in _find_role_columns(values):
                new = []
                for j, v in enumerate(values):
                    new.append(v.strip() or f"unnamed_{j}")
                df = df.iloc[i + 1:].reset_index(drop=True)
                df.columns = new
                header_row = i + 2
                break
    df = df.dropna(how="all").copy()
    return df, header_row


@dataclass
class ProtocolRow:
    line: int
    nr: str
    text: str
    category: str
    category_raw: str | None
    owner: str | None
    planned: dt.date | None
    fixed: dt.date | None
    lon: float | None
    lat: float | None
    #: with addresses: the geocode level ("" when the row's own coordinates were used) and a note
    geocode_level: str = ""
    geocode_note: str = ""


def _text(value: Any) -> str:
    if is_missing(value):
        return ""
    s = str(value).strip()
    if len(s) > 1 and s[0] == "'" and s[1] in FORMULA_START:  # our own CSV guard, undone
        s = s[1:]
    return s


_MONTHS = {
    "januari": 1, "jan": 1, "februari": 2, "feb": 2, "mars": 3, "mar": 3, "april": 4, "apr": 4, "maj": 5,
    "juni": 6, "jun": 6, "juli": 7, "jul": 7, "augusti": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})\s*[/.]\s*(\d{1,2})(?:\s*[-/.]\s*|\s+)(\d{4}|\d{2})$")
_DAY_NAME_YEAR = re.compile(r"^(\d{1,2})\s*\.?\s+([a-zåäö]+)\.?\s+(\d{4})$")


def _swedish_date_text(value: Any) -> Any:
    """Hand-typed Swedish dates as ISO text: 30/4 2023, 30/4-23, 30.4.2023, 30 april 2023."""
    if not isinstance(value, str):
        return value
    text = value.strip().lower()
    if not text:
        return None
    m = _DAY_MONTH_YEAR.match(text)
    if m:
        day, month, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
    else:
        m = _DAY_NAME_YEAR.match(text)
        if not m or m.group(2) not in _MONTHS:
            return value
        day, month, year = int(m.group(1)), _MONTHS[m.group(2)], int(m.group(3))
    if year < 100:
        year += 2000
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return value


def _dates(df: pd.DataFrame, column: str | None, source: str, lines: np.ndarray, label: str) -> list[dt.date | None]:
    from ..ingest.dates import parse_dates

    if column is None:
        return [None] * len(df)
    s = df[column]
    if s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
        s = s.astype(object).map(lambda v: v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else v)
        s = s.map(_swedish_date_text)
    parsed, _ = parse_dates(s, column=column, source=source, rows=lines)
    out: list[dt.date | None] = []
    for v in parsed:
        out.append(None if pd.isna(v) else pd.Timestamp(v).date())
    return out


def protocol_rows(
    df: pd.DataFrame,
    *,
    source: str,
    header_row: int = 1,
    lat: str | None = None,
    lon: str | None = None,
    x: str | None = None,
    y: str | None = None,
    crs: str | None = None,
    notes: list[str],
    register: Any = None,
    address: str | None = None,
    postort: str | None = None,
) -> tuple[list[ProtocolRow], str]:
    """The protocol's remarks, row by row, and the CRS their coordinates were read in.

    With ``register`` (an address register or its file) the rows without coordinates are placed
    by their addresses (column ``address``, e.g. ANMÄRKNING; :mod:`.protocol_addresses`)."""

    if len(df) == 0:
        msg = f"{source} has no data rows; give a protocol with at least one remark"
        raise InputError(msg)
    names = [str(c) for c in df.columns]
    roles = _find_role_columns(names)
    if "text" not in roles:
        msg = (
            f"{source}: no ANMÄRKNING column (its columns are {Columns(names).listing()}); "
            "name the column with the remark texts ANMÄRKNING"
        )
        raise SchemaError(msg)
    df = df.reset_index(drop=True)
    lines = np.arange(header_row + 1, header_row + 1 + len(df), dtype=np.int64)
    # drop rows that are empty in every role column and the coordinates (Excel's trailing rows)
    rest = [c for c in names if c not in roles.values()]
    pos_cols = Columns(rest)
    pos, placed = _row_positions(df, pos_cols, names, source, lines, lat=lat, lon=lon, x=x, y=y, crs=crs,
                                 notes=notes, register=register, address=address, postort=postort)
    fixed = _dates(df, roles.get("fixed"), source, lines, "ÅTGÄRDAT")
    planned = _dates(df, roles.get("planned"), source, lines, "PLANERAT")
    today = settings.local_today()
    rows: list[ProtocolRow] = []
    seen: dict[str, int] = {}
    auto_nr = "nr" not in roles
    if auto_nr:
        notes.append("no NR column: the remarks are numbered in the order of the rows")
    for i in range(len(df)):
        text = _text(df.at[i, roles["text"]])
        nr = _clean_nr(df.at[i, roles["nr"]]) if not auto_nr and _text(df.at[i, roles["nr"]]) else ""
        cat_raw = _text(df.at[i, roles["category"]]) if "category" in roles else ""
        owner = _text(df.at[i, roles["owner"]]) if "owner" in roles else ""
        has_pos = bool(pos.usable[i]) or (placed is not None and bool(placed.usable[i]))
        if not (text or nr or cat_raw or owner or fixed[i] or planned[i] or has_pos):
            continue
        line = int(lines[i])
        if auto_nr:
            nr = str(len(rows) + 1)
        elif not nr:
            msg = f"{source}, row {line}: NR is empty; give every remark its number (1, 2, 3 …)"
            raise InputError(msg)
        if nr in seen:
            msg = f"{source}, rows {seen[nr]} and {line}: NR {nr} appears twice; give every remark its own number"
            raise InputError(msg)
        seen[nr] = line
        fixed_day = fixed[i]
        if fixed_day is not None and fixed_day > today:
            msg = (
                f"{source}, row {line} (NR {nr}): ÅTGÄRDAT {fixed_day.isoformat()} is in the future; "
                "give the day it was fixed (a coming date belongs under PLANERAT)"
            )
            raise DateError(msg)
        if fixed[i] is not None and not owner:
            msg = (
                f"{source}, row {line} (NR {nr}): ÅTGÄRDAT is filled in but PROBLEMÄGARE is empty; "
                "name who fixed it under PROBLEMÄGARE"
            )
            raise InputError(msg)
        slug, known = category_from_label(cat_raw) if cat_raw else (FALLBACK_CATEGORY, False)
        lon_i, lat_i = (pos.lon[i], pos.lat[i]) if pos.usable[i] or placed is None else (placed.lon[i], placed.lat[i])
        rows.append(ProtocolRow(
            line=line, nr=nr, text=text, category=slug, category_raw=None if known else (cat_raw or None),
            owner=owner or None, planned=planned[i], fixed=fixed[i],
            lon=float(lon_i) if has_pos else None, lat=float(lat_i) if has_pos else None,
            geocode_level=str(placed.level[i]) if placed is not None else "",
            geocode_note=str(placed.note[i]) if placed is not None else "",
        ))
    if not rows:
        msg = f"{source} has no remarks (every row is empty); fill in ANMÄRKNING"
        raise InputError(msg)
    if placed is not None:
        return rows, f"{pos.crs if placed.kept_coordinates else 'EPSG:4326'} ({placed.summary_line()})"
    return rows, pos.crs


def _row_positions(df: pd.DataFrame, pos_cols: Columns, names: list[str], source: str, lines: np.ndarray, *,
                   lat, lon, x, y, crs, notes: list[str], register: Any, address: str | None,
                   postort: str | None) -> tuple[Any, Any]:
    """The rows' coordinates, and with a register the rows without them placed by their addresses."""
    from ..ingest.columns import find_lat_lon, find_x_y
    from ..ingest.positions import Positions
    from ..ingest.positions import positions as _positions

    if address is not None and register is None:
        msg = (f"{source}: --address '{address}' needs an address register to place the addresses: give "
               "--register FILE (Lantmäteriet's belägenhetsadress GeoPackage or a CSV)")
        raise SchemaError(msg)
    has_columns = lat is not None or lon is not None or x is not None or y is not None
    if not has_columns:
        la, lo = find_lat_lon(pos_cols)
        xx, yy = find_x_y(pos_cols, exclude=[c for c in (la, lo) if c])
        has_columns = bool(la or lo or xx or yy)
    if not has_columns and register is None:
        msg = (
            f"{source}: no coordinate columns beside the protocol's (found {Columns(names).listing()}); "
            "add lat/lon (WGS84) or E/N (SWEREF 99 TM) columns, or name them with --lat/--lon or --x/--y --crs, "
            "or place the remarks by their addresses with --address COL --register FILE"
        )
        raise SchemaError(msg)
    if has_columns:
        pos = _positions(df, pos_cols, None, source, lines, lat=lat, lon=lon, x=x, y=y, crs=crs, notes=notes,
                         used={})
    else:
        n = len(df)
        pos = Positions(lon=np.full(n, np.nan), lat=np.full(n, np.nan), usable=np.zeros(n, dtype=bool), dropped={},
                        crs="EPSG:4326", guessed=False)
    if register is None:
        return pos, None
    from .protocol_addresses import place_by_address

    placed = place_by_address(df, register, address=address, postort=postort, source=source,
                              has_position=pos.usable, lon=pos.lon, lat=pos.lat)
    return pos, placed


