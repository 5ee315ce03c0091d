"""Exporting remarks: CSV, Excel (the handbook's protocol layout), GeoPackage, Open311.

:func:`export_remarks` writes ``csv``, ``xlsx``, ``gpkg`` (layer ``remarks``,
EPSG:4326) or ``open311`` (GeoReport v2 JSON, :mod:`.open311`). Every format carries
SWEREF 99 TM ``e``/``n`` beside WGS84 ``lon``/``lat``. Reporter names are left out
unless asked for (``include_reporter``; never in Open311); photos are never exported.
User text is kept from running as a spreadsheet formula.
"""

from __future__ import annotations

import datetime as dt
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._values import is_missing
from ..errors import InputError
from .protocol_file import FORMULA_START
from .records import FRAME_COLUMNS

__all__ = ["EXPORT_COLUMNS", "EXPORT_FORMATS", "PROTOCOL_HEADERS", "export_frame", "export_remarks", "sweref_en"]

EXPORT_FORMATS = ("gpkg", "csv", "xlsx", "open311")

#: Columns of a remarks table that stay inside the database (ids of rows, who reported it).
_INTERNAL = ("walk_id", "owner_id", "reporter_name")
#: The exported columns: the remarks table's (:data:`~.records.FRAME_COLUMNS`) without the
#: internal ones, with SWEREF 99 TM ``e``/``n`` after ``lon``/``lat``.
EXPORT_COLUMNS: tuple[str, ...] = tuple(
    c for col in FRAME_COLUMNS if col not in _INTERNAL for c in ((col, "e", "n") if col == "lat" else (col,))
)
_DATETIME_COLUMNS = ("created_at", "assigned_at", "updated_at")


@lru_cache(maxsize=1)
def _to_sweref():
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
):
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
    cols = list(EXPORT_COLUMNS)
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


def _flat(gdf) -> pd.DataFrame:
    """Text/number columns for CSV and GeoPackage: dates ISO, timestamps ISO with zone."""
    df = pd.DataFrame(gdf.drop(columns="geometry"))
    for c in ("planned_date", "fixed_date"):
        df[c] = df[c].map(_iso_date).astype(object)
    for c in _DATETIME_COLUMNS:
        df[c] = df[c].map(_iso_utc).astype(object)
    return df


def _guard(value: Any) -> Any:
    """Keep a spreadsheet from running user text as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
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
        from .open311 import open311_requests

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


def _write_xlsx(gdf, out: Path, *, single_walk: bool, lang: str, as_of: Any) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "Protokoll"
    headers = list(PROTOCOL_HEADERS) + ["lat", "lon", "e", "n"]
    if not single_walk:  # several walks: NR repeats, REF (V3-9) tells the remarks apart
        headers = ["VANDRING", "REF", *headers]
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
            values = [row.walk_title, row.ref, *values]
        ws.append(values)
        r = ws.max_row
        for c in range(1, len(values) + 1):
            cell = ws.cell(row=r, column=c)
            if isinstance(cell.value, str):
                cell.data_type = "s"  # user text is never a formula
            elif isinstance(cell.value, dt.date):
                cell.number_format = "yyyy-mm-dd"
    widths = {"VANDRING": 28, "REF": 8, "NR": 5, "ANMÄRKNING": 60, "KATEGORI": 20, "PROBLEMÄGARE": 34, "PLANERAT": 12,
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


