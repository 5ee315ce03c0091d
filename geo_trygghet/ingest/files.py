"""File readers behind :func:`geo_trygghet.ingest.read_incidents` and ``read_boundary``.

Each reader turns one file format into a (Geo)DataFrame and translates every
failure of the underlying library (pandas, pyarrow, openpyxl, pyogrio) into a
one-line :class:`~geo_trygghet.errors.InputError` that names the file and the fix.
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..errors import GeoTrygghetError, InputError, one_line
from .text import _MAGIC, DELIM_NAMES, decimal_comma, decode_bytes, sniff_delimiter

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

TEXT_EXTENSIONS = (".csv", ".txt", ".tsv")
EXCEL_EXTENSIONS = (".xlsx", ".xlsm")
VECTOR_EXTENSIONS = (".gpkg", ".shp", ".geojson", ".json")
PARQUET_EXTENSIONS = (".parquet", ".geoparquet")
SUPPORTED = TEXT_EXTENSIONS + EXCEL_EXTENSIONS + VECTOR_EXTENSIONS + PARQUET_EXTENSIONS



def _reason(exc: BaseException, limit: int = 160) -> str:
    text = one_line(str(exc)) or type(exc).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


def check_path(path: str | Path, what: str = "input file") -> Path:
    """The path as a :class:`Path`, or a one-line error if it cannot be read."""
    p = Path(path)
    if not p.exists():
        msg = f"{what} {p} does not exist: check the path"
        raise InputError(msg)
    if p.is_dir():
        msg = f"{what} {p} is a folder, not a file: give the file inside it"
        raise InputError(msg)
    return p


def unsupported(p: Path) -> InputError:
    msg = (
        f"{p.name}: unsupported file type '{p.suffix or '(none)'}'; "
        f"use one of {', '.join(SUPPORTED)}"
    )
    return InputError(msg)


# --------------------------------------------------------------------------- text


#: a byte of anything but white space, byte-order marks and NUL
_NOT_BLANK = re.compile(rb"[^ \t\r\n\xef\xbb\xbf\x00\xff\xfe]")
_FIELDS_C = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")


def read_text_table(p: Path) -> tuple[pd.DataFrame, str]:
    """Read a delimited text file; returns the frame and a note on how it was read."""
    try:
        raw = p.read_bytes()
    except OSError as exc:
        msg = f"{p.name} cannot be read ({_reason(exc)}): check the file's permissions"
        raise InputError(msg) from None
    if not _NOT_BLANK.search(raw):  # (found at the first byte of any real file; strip() copies the file)
        raise InputError(_empty(p.name))
    for magic, kind, ext in _MAGIC:
        if raw.startswith(magic):
            msg = f"{p.name} is {kind}, not a text table: rename it to {ext} (or save it as CSV)"
            raise InputError(msg)
    data, encoding = decode_bytes(raw, p.name)
    return parse_text(data, p.name, encoding)


def parse_text(data: bytes, name: str, encoding: str = "UTF-8") -> tuple[pd.DataFrame, str]:
    """Parse UTF-8 text (a whole file, or a header line and a block of lines of one) as a table:
    the delimiter sniffed, decimal commas read, pyarrow first; the note says how it was read.

    pyarrow parses the text as pandas' pyarrow engine would (:mod:`.arrow_csv`: the parse needs
    no pandas); where it cannot, pandas reads every column as text, with pyarrow and then with its
    own parser, which names the line that is wrong."""
    from . import arrow_csv

    head = data[:65536].decode("utf-8", errors="replace")
    delim = sniff_delimiter(head)
    how = f"read as {encoding} text, {DELIM_NAMES[delim]}-separated"
    # Swedish numbers: 59,33 (columns with dots are read as text, then fixed)
    decimal = "," if decimal_comma(delim, head) else "."
    last: Exception | None = None
    try:
        table = arrow_csv.parse(data, delim, decimal)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            df = arrow_csv.frame(table)
    except arrow_csv.EmptyTable:
        raise InputError(_empty(name)) from None
    except Exception as exc:  # noqa: BLE001 - the text readers below say what is wrong
        last = exc
    else:
        df.columns = _unique_names(df.columns)
        return df, how
    import pandas as pd

    for kwargs in ({"engine": "pyarrow", "dtype": str}, {"engine": "c", "dtype": str, "low_memory": False}):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                df = pd.read_csv(_source(data, str(kwargs["engine"])), sep=delim, **kwargs)  # type: ignore[call-overload]
        except pd.errors.EmptyDataError:
            raise InputError(_empty(name)) from None
        except Exception as exc:  # noqa: BLE001 - translated below
            last = exc
            continue
        df.columns = _unique_names(df.columns)
        return df, how
    reason = _reason(last) if last is not None else "unknown error"
    m = _FIELDS_C.search(reason)
    if m:
        want, line, saw = m.groups()
        msg = (
            f"{name}: line {line} has {saw} fields where the header has {want} "
            f"({DELIM_NAMES[delim]}-separated); check the delimiter and the quoting of that line"
        )
    else:
        msg = f"{name} cannot be read as a {DELIM_NAMES[delim]}-separated table ({reason}); save it as CSV UTF-8"
    raise InputError(msg)


def _empty(name: str) -> str:
    return f"{name} is empty: it has no header and no data rows"


def _source(data: bytes, engine: str):
    """The bytes as a file for ``engine``: pyarrow reads them in place (a Python file object
    would hand them over a block at a time, each one copied)."""
    if engine == "pyarrow":
        import pyarrow as pa

        return pa.BufferReader(data)
    return io.BytesIO(data)


def _unique_names(columns: pd.Index) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for c in columns:
        name = str(c).strip() or "unnamed"
        if name in seen:
            seen[name] += 1
            name = f"{name}.{seen[name]}"
        else:
            seen[name] = 0
        out.append(name)
    return out


# --------------------------------------------------------------------------- excel


def read_excel(p: Path, sheet: str | int | None) -> tuple[pd.DataFrame, str]:
    import pandas as pd

    try:
        import openpyxl
    except ImportError:  # pragma: no cover - a dependency
        msg = "reading .xlsx needs openpyxl: pip install openpyxl"
        raise InputError(msg) from None
    try:
        wb = openpyxl.load_workbook(p, read_only=True)
        names = list(wb.sheetnames)
        heads = {
            name: [list(r) for r in wb[name].iter_rows(min_row=1, max_row=15, values_only=True)] for name in names
        }
        wb.close()
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        msg = (f"{p.name} is not a readable Excel .xlsx file ({_reason(exc)}); "
               "open it in Excel and save it as .xlsx or CSV")
        raise InputError(msg) from None
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on corrupt files
        msg = (f"{p.name} is not a readable Excel .xlsx file ({_reason(exc)}); "
               "open it in Excel and save it as .xlsx or CSV")
        raise InputError(msg) from None
    target: str | int
    if sheet is None:
        target = 0
    elif isinstance(sheet, int) or str(sheet).strip().isdigit() and str(sheet).strip() not in names:
        idx = int(sheet)
        if not 0 <= idx < len(names):
            shown = ", ".join(repr(n) for n in names)
            msg = f"{p.name} has no sheet number {idx}; its sheets are {shown} (numbered from 0)"
            raise InputError(msg)
        target = idx
    else:
        if sheet not in names:
            msg = f"{p.name} has no sheet '{sheet}'; its sheets are {', '.join(repr(n) for n in names)}"
            raise InputError(msg)
        target = sheet
    sheet_name = names[target] if isinstance(target, int) else target
    header = header_row(heads.get(sheet_name, []))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            df = pd.read_excel(p, sheet_name=target, engine="openpyxl", header=header)
    except Exception as exc:  # noqa: BLE001 - translated
        msg = f"{p.name} cannot be read as Excel ({_reason(exc)}); save it as .xlsx or CSV"
        raise InputError(msg) from None
    df = df.dropna(how="all")
    df = df.loc[:, [not str(c).startswith("Unnamed:") or df[c].notna().any() for c in df.columns]]
    df.columns = _unique_names(df.columns)
    note = f"read sheet '{sheet_name}'" + (f" of {len(names)}" if len(names) > 1 else "")
    if header:
        note += f", header in row {header + 1}"
    return df.reset_index(drop=True), note


def header_row(rows: list[list[object]]) -> int:
    """Index of the header row: the first row naming at least two known columns.

    Police exports often start with a title and a blank row; 0 when the first
    row already looks like a header or no row does.
    """
    from .columns import KNOWN_NAMES, norm

    def score(row: list[object]) -> int:
        return sum(1 for v in row if isinstance(v, str) and norm(v) in KNOWN_NAMES)

    if not rows or score(rows[0]) >= 2:
        return 0
    for i, row in enumerate(rows[1:], start=1):
        if score(row) >= 2:
            return i
    return 0


# --------------------------------------------------------------------------- vector


def read_vector(p: Path, layer: str | int | None, what: str = "") -> tuple[gpd.GeoDataFrame, str]:
    import geopandas as gpd
    import pyogrio

    label = what or p.name
    if p.stat().st_size == 0:
        msg = f"{label} is empty: it has no features"
        raise InputError(msg)
    note = ""
    try:
        layers = pyogrio.list_layers(p)
    except Exception as exc:  # noqa: BLE001 - pyogrio/GDAL errors
        if p.suffix.lower() == ".json":
            return _read_plain_json(p, label, exc), "read as JSON records"
        msg = f"{label} cannot be read as {_format_name(p)} ({_reason(exc)}); check that the file is complete"
        raise InputError(msg) from None
    layer_names = [str(row[0]) for row in layers]
    if layer is not None:
        if isinstance(layer, int) or (str(layer).isdigit() and str(layer) not in layer_names):
            idx = int(layer)
            if not 0 <= idx < len(layer_names):
                msg = f"{label} has no layer number {idx}; its layers are {', '.join(layer_names)}"
                raise InputError(msg)
            layer = layer_names[idx]
        elif layer not in layer_names:
            msg = f"{label} has no layer '{layer}'; its layers are {', '.join(layer_names) or '(none)'}"
            raise InputError(msg)
    elif len(layer_names) > 1:
        layer = layer_names[0]
        note = f"read layer '{layer}' of {', '.join(layer_names)}; pass a layer to choose another"
    elif not layer_names:
        msg = f"{label} has no layers: it is empty"
        raise InputError(msg)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            gdf = gpd.read_file(p, layer=layer, engine="pyogrio")
    except Exception as exc:  # noqa: BLE001 - translated
        msg = f"{label} cannot be read as {_format_name(p)} ({_reason(exc)}); check that the file is complete"
        raise InputError(msg) from None
    if not isinstance(gdf, gpd.GeoDataFrame):
        gdf = gpd.GeoDataFrame(gdf)
    gdf.columns = [str(c) for c in gdf.columns]
    return gdf, note


def _read_plain_json(p: Path, label: str, first: Exception) -> pd.DataFrame:
    """A JSON array of records (nested objects flattened: location.gps), e.g. the police event feed."""
    import json

    import pandas as pd

    try:
        data = json.loads(p.read_bytes().decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        msg = f"{label} is neither GeoJSON nor a JSON table ({_reason(first)}); save it as GeoJSON or CSV"
        raise InputError(msg) from None
    if isinstance(data, dict):  # {"events": [...]} and the like: the first list of records
        data = next((v for v in data.values() if isinstance(v, list)), None)
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        msg = f"{label} is not a JSON list of records; save it as GeoJSON or CSV"
        raise InputError(msg)
    try:
        df = pd.json_normalize(data)
    except Exception as exc:  # noqa: BLE001 - translated
        msg = f"{label} cannot be read as a JSON table ({_reason(exc)}); save it as GeoJSON or CSV"
        raise InputError(msg) from None
    df.columns = _unique_names(df.columns)
    return df


def _format_name(p: Path) -> str:
    return {
        ".gpkg": "a GeoPackage",
        ".shp": "a Shapefile",
        ".geojson": "GeoJSON",
        ".json": "GeoJSON",
        ".parquet": "Parquet",
        ".geoparquet": "GeoParquet",
    }.get(p.suffix.lower(), "a vector file")


# --------------------------------------------------------------------------- parquet


def read_parquet(p: Path, what: str = "") -> tuple[pd.DataFrame, str]:
    import geopandas as gpd
    import pandas as pd

    label = what or p.name
    if p.stat().st_size == 0:
        msg = f"{label} is empty: it has no rows"
        raise InputError(msg)
    try:
        import pyarrow.parquet as pq

        meta = pq.read_schema(p).metadata or {}
    except Exception as exc:  # noqa: BLE001 - translated
        msg = f"{label} is not a readable Parquet file ({_reason(exc)}); check that the file is complete"
        raise InputError(msg) from None
    try:
        if b"geo" in meta:
            df = gpd.read_parquet(p)
            how = "read as GeoParquet"
        else:
            df = pd.read_parquet(p)
            how = "read as Parquet"
    except GeoTrygghetError:
        raise
    except Exception as exc:  # noqa: BLE001 - translated
        msg = f"{label} cannot be read as Parquet ({_reason(exc)}); check that the file is complete"
        raise InputError(msg) from None
    df.columns = _unique_names(df.columns) if not isinstance(df, gpd.GeoDataFrame) else [str(c) for c in df.columns]
    return df, how


def read_any(p: Path, *, layer: str | int | None = None, sheet: str | int | None = None) -> tuple[pd.DataFrame, str]:
    """Dispatch on the file extension."""
    ext = p.suffix.lower()
    if ext in TEXT_EXTENSIONS:
        return read_text_table(p)
    if ext in EXCEL_EXTENSIONS:
        return read_excel(p, sheet)
    if ext in VECTOR_EXTENSIONS:
        return read_vector(p, layer)
    if ext in PARQUET_EXTENSIONS:
        return read_parquet(p)
    if ext == ".xls":
        msg = f"{p.name}: old Excel .xls files are not supported; save it as .xlsx or CSV"
        raise InputError(msg)
    raise unsupported(p)


def is_numeric(s: pd.Series) -> bool:
    import pandas as pd

    return pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype)


def finite(a: np.ndarray) -> np.ndarray:
    return np.isfinite(a)
