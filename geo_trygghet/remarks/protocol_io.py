"""Import old walk protocols and export remarks (CSV, Excel, GeoPackage, Open311).

Import
    :func:`import_protocol` reads a protocol typed into Excel or CSV with the
    handbook's headers (``NR``, ``ANMÄRKNING``, ``KATEGORI``, ``PROBLEMÄGARE``,
    ``PLANERAT``, ``ÅTGÄRDAT``; any case, with or without å ä ö) and the
    coordinates under any name :mod:`geo_trygghet.ingest` recognises (lat/lon
    in WGS84, E/N or x/y in SWEREF 99 TM, told apart by their value ranges).
    Every row becomes a remark with a deterministic id (uuid5 of the walk title
    and NR), so importing the same file again adds nothing. The lifecycle is
    written as back-dated events: ny (on the walk date) → tilldelad (the
    PROBLEMÄGARE, created as an organisation when unknown) → planerad (the
    PLANERAT date) → åtgärdad (the ÅTGÄRDAT date). A re-import moves a remark
    forward when the file says more (a new fixed date) and never backwards.

Export
    :func:`export_remarks` writes ``csv``, ``xlsx`` (the handbook's protocol
    layout), ``gpkg`` (layer ``remarks``, EPSG:4326) or ``open311`` (GeoReport
    v2 JSON). Every format carries SWEREF 99 TM ``e``/``n`` beside WGS84
    ``lon``/``lat``. Reporter names are left out unless asked for
    (``include_reporter``; never in Open311); photos are never exported.

Only :class:`~geo_trygghet.remarks.RemarkService` touches the database: the
functions here take a service and call it as :meth:`Actor.system` unless given
another actor.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._values import is_missing
from ..errors import DateError, InputError, NotFoundError, SchemaError
from ..ingest.columns import Columns, norm

__all__ = [
    "EXPORT_FORMATS",
    "ImportSummary",
    "category_from_label",
    "export_frame",
    "export_remarks",
    "import_frame",
    "import_protocol",
    "open311_requests",
    "read_protocol_table",
    "remark_uuid",
]

EXPORT_FORMATS = ("gpkg", "csv", "xlsx", "open311")

#: The namespace of the deterministic remark ids of imported protocols.
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
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# --------------------------------------------------------------------------- ids and categories


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


@lru_cache(maxsize=1)
def _category_lookup() -> dict[str, str]:
    from .states import remark_categories

    out: dict[str, str] = {}
    for slug, cat in remark_categories().items():
        for name in (slug, cat.sv, cat.en):
            out.setdefault(norm(name), slug)
        for label in (cat.sv, cat.en):
            for part in label.split("/"):  # "Buskage/skymd sikt" → buskage, skymd sikt
                out.setdefault(norm(part), slug)
    extra = {"gatubelysning": "belysning", "ljus": "belysning", "vegetation": "buskage", "buskar": "buskage",
             "grafitti": "klotter", "graffiti": "klotter", "skrapp": "nedskrapning", "skrap": "nedskrapning",
             "tunnel": "gangtunnel", "trygg": "trygg_plats", "ovrigt": "annat", "other": "annat"}
    for k, v in extra.items():
        out.setdefault(k, v)
    return out


def category_from_label(label: Any) -> tuple[str, bool]:
    """The remark category slug for a Swedish (or English) label, any case.

    Returns ``(slug, known)``; an empty or unknown label gives ``("annat", False)``.
    """
    if label is None or (isinstance(label, float) and math.isnan(label)):
        return "annat", False
    key = norm(label)
    if not key:
        return "annat", False
    slug = _category_lookup().get(key)
    return (slug, True) if slug else ("annat", False)


# --------------------------------------------------------------------------- reading


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
        df, _ = _read_excel_raw(p, sheet, read_excel)
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


def _read_excel_raw(p: Path, sheet, read_excel):  # type: ignore[no-untyped-def]
    return read_excel(p, sheet)


@dataclass
class _Row:
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


def _text(value: Any) -> str:
    if is_missing(value):
        return ""
    s = str(value).strip()
    if len(s) > 1 and s[0] == "'" and s[1] in _FORMULA_START:  # our own CSV guard, undone
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


def _protocol_rows(
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
) -> tuple[list[_Row], str]:
    try:  # the ingest funnel's position reader (moved between modules over time)
        from ..ingest.positions import positions as _positions
    except ImportError:  # pragma: no cover - older layout
        from ..ingest.incidents import _positions  # type: ignore[attr-defined,no-redef]

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
    used: dict[str, str] = {}
    if lat is None and lon is None and x is None and y is None:
        from ..ingest.columns import find_lat_lon, find_x_y

        la, lo = find_lat_lon(pos_cols)
        xx, yy = find_x_y(pos_cols, exclude=[c for c in (la, lo) if c])
        if not (la or lo or xx or yy):
            msg = (
                f"{source}: no coordinate columns beside the protocol's (found {Columns(names).listing()}); "
                "add lat/lon (WGS84) or E/N (SWEREF 99 TM) columns, or name them with --lat/--lon or --x/--y --crs"
            )
            raise SchemaError(msg)
    pos = _positions(df, pos_cols, None, source, lines, lat=lat, lon=lon, x=x, y=y, crs=crs, notes=notes, used=used)
    fixed = _dates(df, roles.get("fixed"), source, lines, "ÅTGÄRDAT")
    planned = _dates(df, roles.get("planned"), source, lines, "PLANERAT")
    today = dt.date.today()
    rows: list[_Row] = []
    seen: dict[str, int] = {}
    auto_nr = "nr" not in roles
    if auto_nr:
        notes.append("no NR column: the remarks are numbered in the order of the rows")
    for i in range(len(df)):
        text = _text(df.at[i, roles["text"]])
        nr = _clean_nr(df.at[i, roles["nr"]]) if not auto_nr and _text(df.at[i, roles["nr"]]) else ""
        cat_raw = _text(df.at[i, roles["category"]]) if "category" in roles else ""
        owner = _text(df.at[i, roles["owner"]]) if "owner" in roles else ""
        has_pos = bool(pos.usable[i])
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
        if fixed[i] is not None and fixed[i] > today:
            msg = (
                f"{source}, row {line} (NR {nr}): ÅTGÄRDAT {fixed[i].isoformat()} is in the future; "
                "give the day it was fixed (a coming date belongs under PLANERAT)"
            )
            raise DateError(msg)
        if fixed[i] is not None and not owner:
            msg = (
                f"{source}, row {line} (NR {nr}): ÅTGÄRDAT is filled in but PROBLEMÄGARE is empty; "
                "name who fixed it under PROBLEMÄGARE"
            )
            raise InputError(msg)
        slug, known = category_from_label(cat_raw) if cat_raw else ("annat", False)
        rows.append(_Row(
            line=line, nr=nr, text=text, category=slug, category_raw=None if known else (cat_raw or None),
            owner=owner or None, planned=planned[i], fixed=fixed[i],
            lon=float(pos.lon[i]) if has_pos else None, lat=float(pos.lat[i]) if has_pos else None,
        ))
    if not rows:
        msg = f"{source} has no remarks (every row is empty); fill in ANMÄRKNING"
        raise InputError(msg)
    return rows, pos.crs


# --------------------------------------------------------------------------- import


@dataclass(frozen=True)
class ImportSummary:
    """What :func:`import_protocol` did."""

    source: str
    walk_title: str
    walk_created: bool
    rows_read: int
    imported: int
    already_present: int
    updated: int
    fixed: int
    planned: int
    assigned: int
    without_position: tuple[str, ...] = ()
    unknown_categories: dict[str, str] = field(default_factory=dict)  # NR → label
    new_organisations: tuple[str, ...] = ()
    crs: str = "EPSG:4326"
    remark_ids: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    def summary_lines(self) -> list[str]:
        walk = f"walk '{self.walk_title}'" + (" (created)" if self.walk_created else "")
        lines = [
            (f"{self.source} → {walk}: {self.rows_read} rows read, {self.imported} imported, "
            f"{self.already_present} already present ({self.updated} updated), {self.fixed} fixed, "
            f"{len(self.without_position)} without position")
        ]
        if self.without_position:
            lines.append(
                "  left out (no position): NR " + ", ".join(self.without_position)
                + "; add their coordinates and import the file again"
            )
        if self.unknown_categories:
            shown = ", ".join(f"NR {k} '{v}'" for k, v in list(self.unknown_categories.items())[:8])
            lines.append(f"  unknown KATEGORI, imported as Annat: {shown}")
        if self.new_organisations:
            lines.append("  new problemägare added: " + ", ".join(self.new_organisations))
        lines.append(f"  coordinates read as {self.crs}")
        lines.extend(f"  note: {n}" for n in self.notes)
        return lines


def import_protocol(
    service: Any,
    path: str | Path,
    walk_title: str,
    *,
    actor: Any = None,
    walk_date: dt.date | str | None = None,
    sheet: str | int | None = None,
    lat: str | None = None,
    lon: str | None = None,
    x: str | None = None,
    y: str | None = None,
    crs: str | None = None,
    group: str | None = None,
    organiser: str | None = None,
    area: Any = None,
) -> ImportSummary:
    """Import the protocol file at ``path`` into the walk called ``walk_title``
    (created, with ``walk_date``/``group``/``organiser``/``area``, if no walk has
    that title). See the module docstring for the rules."""
    p = Path(path)
    df, header_row = read_protocol_table(p, sheet=sheet)
    return import_frame(service, df, walk_title, source=p.name, header_row=header_row, actor=actor,
                        walk_date=walk_date, lat=lat, lon=lon, x=x, y=y, crs=crs, group=group,
                        organiser=organiser, area=area)


def import_frame(
    service: Any,
    df: pd.DataFrame,
    walk_title: str,
    *,
    source: str = "the protocol",
    header_row: int = 1,
    actor: Any = None,
    walk_date: dt.date | str | None = None,
    lat: str | None = None,
    lon: str | None = None,
    x: str | None = None,
    y: str | None = None,
    crs: str | None = None,
    group: str | None = None,
    organiser: str | None = None,
    area: Any = None,
) -> ImportSummary:
    """:func:`import_protocol` for a frame already read (headers as in the file)."""
    from . import Actor

    actor = actor or Actor.system()
    title = _clean_title(walk_title)
    if not title:
        msg = "--walk is empty: give the walk's title, e.g. --walk 'Centrum våren 2023'"
        raise InputError(msg)
    notes: list[str] = []
    rows, crs_used = _protocol_rows(df, source=source, header_row=header_row, lat=lat, lon=lon, x=x, y=y,
                                    crs=crs, notes=notes)
    # all checks done: now write
    kwargs: dict[str, Any] = {}
    if walk_date is not None:
        kwargs["walk_date"] = walk_date
    if group is not None:
        kwargs["group"] = group
    if organiser is not None:
        kwargs["organiser"] = organiser
    if area is not None:
        kwargs["area"] = area
    walk, created = service.get_or_create_walk(actor, title, **kwargs)
    base = walk.walk_date
    if base is None:
        dates = [d for r in rows for d in (r.fixed, r.planned) if d is not None]
        base = min([dt.date.today(), *dates])
        notes.append(f"the walk has no date: the remarks are dated {base.isoformat()} (give --date)")
    for r in rows:
        if r.fixed is not None and r.fixed < base:
            msg = (
                f"{source}, row {r.line} (NR {r.nr}): ÅTGÄRDAT {r.fixed.isoformat()} is before the walk "
                f"({base.isoformat()}); check the date"
            )
            raise DateError(msg)

    orgs = _Organisations(service, actor)
    imported = present = updated = n_fixed = n_planned = n_assigned = 0
    without: list[str] = []
    unknown: dict[str, str] = {}
    ids: list[str] = []
    for r in sorted(rows, key=_nr_key):
        if r.category_raw:
            unknown[r.nr] = r.category_raw
        rid = remark_uuid(title, r.nr)
        try:
            remark = service.get_remark(actor, rid)
            is_new = False
        except NotFoundError:
            remark = None
            is_new = True
        if remark is None:
            if r.lon is None or r.lat is None:
                without.append(r.nr)
                continue
            created_at = dt.datetime.combine(base, dt.time(12, 0))
            remark = service.submit_remark(actor, walk, rid, r.category, r.text, lon=r.lon, lat=r.lat,
                                           position_source="import", created_at=created_at)
            last_at = created_at
            imported += 1
        else:
            present += 1
            last_at = _last_event_at(service, actor, rid)
        ids.append(rid)
        changed = False
        note = f"importerat från {source}"
        # → tilldelad
        if r.owner and remark.state in ("ny", "inte_vart_ansvar"):
            org_id = orgs.get(r.owner)
            at = max(dt.datetime.combine(base + dt.timedelta(days=1), dt.time(8, 0)), last_at + dt.timedelta(minutes=1))
            if r.fixed is not None:
                fix_at = dt.datetime.combine(r.fixed, dt.time(12, 0))
                at = max(min(at, fix_at - dt.timedelta(minutes=2)), last_at + dt.timedelta(minutes=1))
            remark = service.assign(actor, rid, org_id, note=note, at=at)
            last_at = at
            changed = True
            n_assigned += 1
        elif r.owner and remark.owner_name and remark.owner_name.casefold() != r.owner.casefold() and remark.is_open:
            notes.append(f"NR {r.nr}: PROBLEMÄGARE '{r.owner}' in the file, '{remark.owner_name}' in the database; kept")
        # → planerad
        if r.planned is not None and remark.state in ("tilldelad", "planerad") and remark.planned_date != r.planned:
            at = last_at + dt.timedelta(minutes=1)
            remark = service.plan(actor, rid, r.planned, note=note, at=at)
            last_at = at
            changed = True
            n_planned += 1
        # → åtgärdad
        if r.fixed is not None and remark.state in ("tilldelad", "planerad"):
            at = max(dt.datetime.combine(r.fixed, dt.time(12, 0)), last_at + dt.timedelta(minutes=1))
            remark = service.mark_fixed(actor, rid, r.fixed, note=f"åtgärdat enligt protokollet ({source})", at=at)
            changed = True
        if r.fixed is not None and remark.is_fixed:
            n_fixed += 1
        if changed and not is_new:
            updated += 1
    return ImportSummary(
        source=source, walk_title=walk.title, walk_created=created, rows_read=len(rows), imported=imported,
        already_present=present, updated=updated, fixed=n_fixed, planned=n_planned, assigned=n_assigned,
        without_position=tuple(without), unknown_categories=unknown, new_organisations=tuple(orgs.created),
        crs=crs_used, remark_ids=tuple(ids), notes=tuple(notes),
    )


def _nr_key(r: _Row) -> tuple[int, float, str]:
    try:
        return (0, float(r.nr), r.nr)
    except ValueError:
        return (1, 0.0, r.nr)


def _last_event_at(service: Any, actor: Any, rid: str) -> dt.datetime:
    events = service.history(actor, rid)
    return max(e.at for e in events) if events else dt.datetime(1970, 1, 1)


class _Organisations:
    """Problemägare by name (exact, then any case), created when unknown."""

    def __init__(self, service: Any, actor: Any) -> None:
        self.service, self.actor = service, actor
        self.by_name = {o.name: o.id for o in service.list_organisations()}
        self.created: list[str] = []

    def get(self, name: str) -> int:
        name = " ".join(name.split())
        if name in self.by_name:
            return self.by_name[name]
        for known, oid in self.by_name.items():
            if known.casefold() == name.casefold():
                return oid
        try:
            org = self.service.create_organisation(self.actor, name)
            self.created.append(name)
        except InputError:  # created meanwhile
            org = self.service.get_organisation(name)
        self.by_name[org.name] = org.id
        return org.id


# --------------------------------------------------------------------------- export


_EXPORT_COLUMNS = [
    "walk_title", "number", "id", "category", "category_label", "text", "state", "state_label", "state_kind",
    "owner_name", "planned_date", "fixed_date", "duplicate_of", "created_at", "assigned_at", "updated_at",
    "lon", "lat", "e", "n", "accuracy_m", "position_source", "feeling", "factors", "has_photo", "overdue",
]  # fmt: skip
_DATETIME_COLUMNS = ("created_at", "assigned_at", "updated_at")


@lru_cache(maxsize=1)
def _to_sweref():  # type: ignore[no-untyped-def]
    from pyproj import Transformer

    return Transformer.from_crs("EPSG:4326", "EPSG:3006", always_xy=True)


def sweref_en(lon: Any, lat: Any) -> tuple[np.ndarray, np.ndarray]:
    """SWEREF 99 TM easting and northing (metres, rounded to the millimetre) of WGS84 lon/lat."""
    lon_a = np.asarray(lon, dtype="float64")
    lat_a = np.asarray(lat, dtype="float64")
    if lon_a.size == 0:
        return lon_a.copy(), lat_a.copy()
    e, n = _to_sweref().transform(lon_a, lat_a)
    return np.round(np.asarray(e, dtype="float64"), 3), np.round(np.asarray(n, dtype="float64"), 3)


def export_frame(
    service: Any,
    *,
    walk: Any = None,
    as_of: dt.date | str | None = None,
    actor: Any = None,
    include_reporter: bool = False,
    lang: str = "sv",
):  # type: ignore[no-untyped-def]
    """The remarks to export as a GeoDataFrame (EPSG:4326) with ``e``/``n``
    (SWEREF 99 TM) beside ``lon``/``lat``; ``as_of`` rebuilds each walk's
    states for that date from the events."""
    import geopandas as gpd

    from . import Actor

    actor = actor or Actor.system()
    if as_of is not None and walk is None:
        frames = [service.remarks_frame(actor, w, as_of=as_of, lang=lang) for w in service.list_walks(actor)]
        frames = [f for f in frames if len(f)]
        if frames:
            gdf = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs="EPSG:4326")
        else:
            gdf = service.remarks_frame(actor, lang=lang).iloc[0:0]
    else:
        gdf = service.remarks_frame(actor, walk, as_of=as_of, lang=lang)
    gdf = gdf.sort_values(["walk_id", "number"]).reset_index(drop=True)
    e, n = sweref_en(gdf["lon"].to_numpy(), gdf["lat"].to_numpy())
    gdf["e"], gdf["n"] = e, n
    cols = list(_EXPORT_COLUMNS)
    if include_reporter:
        cols.append("reporter_name")
    return gdf[[*cols, "geometry"]]


def _iso_utc(value: Any) -> str | None:
    """A naive-UTC timestamp as ISO 8601 with its zone (``…+00:00``)."""
    if is_missing(value):
        return None
    ts = pd.Timestamp(value)
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    return ts.to_pydatetime().isoformat(timespec="seconds")


def _iso_date(value: Any) -> str | None:
    if is_missing(value):
        return None
    return pd.Timestamp(value).date().isoformat()


def _flat(gdf) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    """Text/number columns for CSV and GeoPackage: dates ISO, timestamps ISO with zone."""
    df = pd.DataFrame(gdf.drop(columns="geometry"))
    for c in ("planned_date", "fixed_date"):
        df[c] = df[c].map(_iso_date).astype(object)
    for c in _DATETIME_COLUMNS:
        df[c] = df[c].map(_iso_utc).astype(object)
    return df


def _guard(value: Any) -> Any:
    """Keep a spreadsheet from running user text as a formula."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def export_remarks(
    service: Any,
    path: str | Path,
    fmt: str | None = None,
    *,
    walk: Any = None,
    as_of: dt.date | str | None = None,
    actor: Any = None,
    include_reporter: bool = False,
    lang: str = "sv",
) -> int:
    """Write the remarks to ``path`` as ``fmt`` (gpkg, csv, xlsx or open311;
    default from the extension). Returns the number of remarks written."""
    out = Path(path)
    fmt = (fmt or _format_from_suffix(out)).lower()
    if fmt not in EXPORT_FORMATS:
        msg = f"unknown export format '{fmt}': use one of {', '.join(EXPORT_FORMATS)}"
        raise InputError(msg)
    if out.parent and not out.parent.exists():
        msg = f"folder {out.parent} does not exist: create it or choose another -o path"
        raise InputError(msg)
    if fmt == "open311":
        data = open311_requests(service, walk=walk, as_of=as_of, actor=actor)
        out.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        return len(data)
    gdf = export_frame(service, walk=walk, as_of=as_of, actor=actor,
                       include_reporter=include_reporter and fmt != "open311", lang=lang)
    if fmt == "csv":
        df = _flat(gdf)
        for c in ("text", "owner_name", "walk_title", "reporter_name"):
            if c in df:
                df[c] = df[c].map(_guard)
        df.to_csv(out, index=False, encoding="utf-8-sig")
    elif fmt == "gpkg":
        import geopandas as gpd

        flat = _flat(gdf)
        layer = gpd.GeoDataFrame(flat, geometry=gdf.geometry.to_numpy(), crs="EPSG:4326")
        if out.exists():
            out.unlink()
        layer.to_file(out, layer="remarks", driver="GPKG")
    else:
        _write_xlsx(gdf, out, single_walk=walk is not None, lang=lang, as_of=as_of)
    return len(gdf)


def _format_from_suffix(p: Path) -> str:
    ext = p.suffix.lower().lstrip(".")
    if ext == "json":
        return "open311"
    if ext in EXPORT_FORMATS:
        return ext
    msg = f"cannot tell the export format from '{p.name}': give --format gpkg, csv, xlsx or open311"
    raise InputError(msg)


#: the protocol layout of the handbook (Excel export)
PROTOCOL_HEADERS = ("NR", "ANMÄRKNING", "KATEGORI", "PROBLEMÄGARE", "PLANERAT", "ÅTGÄRDAT", "STATUS")


def _write_xlsx(gdf, out: Path, *, single_walk: bool, lang: str, as_of: Any) -> None:  # type: ignore[no-untyped-def]
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "Protokoll"
    headers = list(PROTOCOL_HEADERS) + ["lat", "lon", "e", "n"]
    if not single_walk:
        headers = ["VANDRING", *headers]
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="E8EEF4")
    for row in gdf.itertuples(index=False):
        values: list[Any] = [
            int(row.number), row.text or "", row.category_label, row.owner_name or None,
            _xl_date(row.planned_date), _xl_date(row.fixed_date), row.state_label,
            round(float(row.lat), 7), round(float(row.lon), 7), float(row.e), float(row.n),
        ]
        if not single_walk:
            values = [row.walk_title, *values]
        ws.append(values)
        r = ws.max_row
        for c in range(1, len(values) + 1):
            cell = ws.cell(row=r, column=c)
            if isinstance(cell.value, str):
                cell.data_type = "s"  # user text is never a formula
            elif isinstance(cell.value, dt.date):
                cell.number_format = "yyyy-mm-dd"
    widths = {"VANDRING": 28, "NR": 5, "ANMÄRKNING": 60, "KATEGORI": 20, "PROBLEMÄGARE": 34, "PLANERAT": 12,
              "ÅTGÄRDAT": 12, "STATUS": 16, "lat": 11, "lon": 11, "e": 12, "n": 12}
    for i, h in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(i)].width = widths.get(h, 12)
    text_col = headers.index("ANMÄRKNING") + 1
    for r in range(2, ws.max_row + 1):
        ws.cell(row=r, column=text_col).alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    wb.save(out)


def _xl_date(value: Any) -> dt.date | None:
    if is_missing(value):
        return None
    return pd.Timestamp(value).date()


# --------------------------------------------------------------------------- Open311


def open311_requests(
    service: Any, *, walk: Any = None, as_of: dt.date | str | None = None, actor: Any = None
) -> list[dict[str, Any]]:
    """The remarks as Open311 GeoReport v2 service requests (a JSON-ready list).

    ``status`` is ``closed`` for fixed and closed kinds, else ``open``;
    ``status_notes`` the latest event note (else the Swedish state label);
    ``agency_responsible`` the problemägare; ``expected_datetime`` the planned
    date; ``media_url`` is null (photos are never public); reporter names are
    never included. Datetimes are ISO 8601 in UTC (``+00:00``).
    """
    from . import Actor

    actor = actor or Actor.system()
    gdf = export_frame(service, walk=walk, as_of=as_of, actor=actor)
    until = None
    if as_of is not None:
        day = pd.Timestamp(str(as_of)[:10]).date()
        until = dt.datetime.combine(day, dt.time(23, 59, 59, 999999))
    out: list[dict[str, Any]] = []
    for row in gdf.itertuples(index=False):
        events = [e for e in service.history(actor, row.id) if until is None or e.at <= until]
        note = next((e.note for e in reversed(events) if e.note), None)
        updated = max((e.at for e in events), default=row.updated_at)
        status = "open" if row.state_kind == "open" else "closed"
        out.append({
            "service_request_id": row.id,
            "status": status,
            "status_notes": note or row.state_label,
            "service_name": row.category_label,
            "service_code": row.category,
            "description": row.text or "",
            "agency_responsible": row.owner_name if isinstance(row.owner_name, str) else None,
            "service_notice": None,
            "requested_datetime": _iso_utc(row.created_at),
            "updated_datetime": _iso_utc(updated),
            "expected_datetime": _iso_utc(pd.Timestamp(row.planned_date)) if _iso_date(row.planned_date) else None,
            "address": None,
            "address_id": None,
            "zipcode": None,
            "lat": float(row.lat),
            "long": float(row.lon),
            "media_url": None,
            "extended_attributes": {
                "walk": row.walk_title,
                "number": int(row.number),
                "state": row.state,
                "state_label": row.state_label,
                "fixed_date": _iso_date(row.fixed_date),
                "planned_date": _iso_date(row.planned_date),
                "e": float(row.e),
                "n": float(row.n),
                "crs_en": "EPSG:3006",
            },
        })
    return out
