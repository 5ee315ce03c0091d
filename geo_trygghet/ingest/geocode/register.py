"""The address register: Lantmäteriet's belägenhetsadresser, or any table of address points.

Lantmäteriet's *Belägenhetsadress Nedladdning, vektor* (CC BY 4.0 since February 2025) is a
GeoPackage with one point layer ``belagenhetsadress`` in SWEREF 99 TM (EPSG:3006). The fields
read here (the product's published names):

=====================================  ==========================================================
``adressomrade_faststalltnamn``        the street (adressområde), e.g. "Storgatan"
``gardsadressomrade_faststalltnamn``   a gårdsadress's farm name, appended to the street
``adressplatsnummer``                  the number, e.g. 12
``bokstavstillagg``                    the letter, e.g. "B"
``postnummer``, ``postort``            postcode and postal town
``kommunkod``, ``kommunnamn``          the kommun (for ``--kommun``)
``statusforbelagenhetsadress``         only "Gällande" addresses are used ("Reserverad" are left out)
``geom``                               the address point
=====================================  ==========================================================

Any other CSV, Excel, GeoPackage or Parquet with a street, a number (a letter may be written in
it, ``12B``), optionally a letter, postcode, postort and kommun, and a position (point geometry,
x/y in SWEREF 99 TM or another Swedish CRS, or lat/lon in WGS84) is recognised by its column
names as incidents are (``gatunamn``/``street``, ``nummer``/``husnummer``/``number``,
``bokstav``/``letter``, ``postnummer``/``postcode``, ``postort``/``city``, ``kommun``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Transformer

from ...crs import SWEDEN_BOUNDS, SWEREF99TM, WGS84
from ...errors import CRSError, GeoTrygghetError, InputError, SchemaError, one_line
from ..columns import Columns, find_lat_lon, find_x_y, norm
from ..files import check_path, read_any
from ..positions import active_geometry, positions
from .normalise import fix_text, parse_address, street_key

__all__ = ["AddressRegister", "read_register", "register_from_frame"]

#: the layer of Lantmäteriet's belägenhetsadress GeoPackage
LM_LAYER = "belagenhetsadress"
STREET_NAMES = ("adressomrade_faststalltnamn", "adressomrade", "adressomradesnamn", "gatunamn", "gatu_namn", "gata",
                "gatan", "street", "street_name", "streetname", "vagnamn", "vag", "road", "addr_street")  # fmt: skip
FARM_NAMES = ("gardsadressomrade_faststalltnamn", "gardsadressomrade")
NUMBER_NAMES = ("adressplatsnummer", "nummer", "husnummer", "gatunummer", "number", "housenumber", "house_number",
                "nr", "addr_housenumber", "adressnummer", "gatunr")  # fmt: skip
LETTER_NAMES = ("bokstavstillagg", "bokstav", "letter", "littera", "addr_letter", "entrance", "uppgang")
POSTCODE_NAMES = ("postnummer", "postnr", "postcode", "post_code", "postal_code", "zip", "zipcode", "addr_postcode")
POSTORT_NAMES = ("postort", "ort", "city", "town", "postal_town", "post_town", "addr_city")
KOMMUN_NAMES = ("kommunnamn", "kommun", "kommun_namn", "municipality", "municipality_name")
KOMMUNKOD_NAMES = ("kommunkod", "kommun_kod", "kommunnr", "kn", "municipality_code")
STATUS_NAMES = ("statusforbelagenhetsadress", "status")
#: one column holding the whole address ("Storgatan 12 B"), used when there is no street column
ADDRESS_NAMES = ("adress", "address", "gatuadress", "belagenhetsadress", "adressplatsbeteckning", "besoksadress",
                 "full_address", "addr")  # fmt: skip

_TO_SWEREF = Transformer.from_crs(WGS84, SWEREF99TM, always_xy=True)


@dataclass(frozen=True)
class AddressRegister:
    """Address points, one row each, in SWEREF 99 TM metres.

    ``points`` has the columns ``street`` (as the register writes it), ``skey`` (its
    :func:`~.normalise.street_key`), ``number`` (int, -1 without), ``letter`` (upper case or ""),
    ``postcode`` (5 digits or ""), ``postort``, ``pkey`` (postort key), ``kommun``, ``kkey``
    (kommun name key), ``kcode`` (kommunkod or ""), ``x``, ``y`` (EPSG:3006).
    """

    points: pd.DataFrame
    source: str
    columns: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.points)


def read_register(path: str | Path, *, kommun: str | None = None, layer: str | None = None) -> AddressRegister:
    """Read an address register file (format by extension; a GeoPackage's ``belagenhetsadress`` layer).

    ``kommun`` (a name or a kommunkod) keeps that kommun's addresses only.
    """
    p = check_path(path, "address register")
    label = f"address register {p.name}"
    if p.suffix.lower() == ".gpkg":
        df = _read_gpkg(p, label, layer, kommun)
        how = ""
    else:
        try:
            df, how = read_any(p, layer=layer)
        except GeoTrygghetError as err:
            raise type(err)(f"{label}: {one_line(str(err))}") from None
    reg = register_from_frame(df, source=p.name, kommun=kommun)
    if how and how != "read as UTF-8 text, comma-separated":
        reg.notes.insert(0, how)
    return reg


def _read_gpkg(p: Path, label: str, layer: str | None, kommun: str | None = None) -> pd.DataFrame:
    """The layer's address fields only; with ``kommun``, only that kommun's rows are read (SQL ``where``),
    so that the national file (3.7 million points) can be narrowed without loading it whole."""
    import pyogrio

    try:
        layers = [str(r[0]) for r in pyogrio.list_layers(p)]
    except Exception as exc:  # noqa: BLE001 - GDAL's errors, translated
        msg = f"{label} cannot be read as a GeoPackage ({one_line(str(exc))[:120]}); check that the file is complete"
        raise InputError(msg) from None
    if layer is None:
        layer = LM_LAYER if LM_LAYER in layers else (layers[0] if layers else None)
    if layer is None or layer not in layers:
        msg = f"{label} has no layer '{layer}'; its layers are {', '.join(layers) or '(none)'}"
        raise InputError(msg)
    fields = [str(f) for f in pyogrio.read_info(p, layer=layer)["fields"]]
    wanted = {norm(n) for n in (*STREET_NAMES, *FARM_NAMES, *NUMBER_NAMES, *LETTER_NAMES, *POSTCODE_NAMES,
                                *POSTORT_NAMES, *KOMMUN_NAMES, *KOMMUNKOD_NAMES, *STATUS_NAMES, *ADDRESS_NAMES,
                                "x", "y", "e", "n", "lat", "lon", "latitude", "longitude")}
    columns = [f for f in fields if norm(f) in wanted] or None
    where = _kommun_where(fields, kommun) if kommun else None
    try:
        df = pyogrio.read_dataframe(p, layer=layer, columns=columns, where=where, use_arrow=True)
        if where and not len(df):  # another spelling or case of the name: filter after reading (and say so)
            df = pyogrio.read_dataframe(p, layer=layer, columns=columns, use_arrow=True)
        return df
    except Exception as exc:  # noqa: BLE001 - translated
        msg = f"{label} cannot be read ({one_line(str(exc))[:120]}); check that the file is complete"
        raise InputError(msg) from None


def _kommun_where(fields: list[str], kommun: str) -> str | None:
    """An OGR SQL filter on the kommun's code or name field, when the layer has one."""
    wanted = str(kommun).strip().replace("'", "''")
    by_norm = {norm(f): f for f in fields}
    if re.fullmatch(r"\d{3,4}", wanted):
        col = next((by_norm[n] for n in KOMMUNKOD_NAMES if n in by_norm), None)
        return f"\"{col}\" = '{wanted.zfill(4)}'" if col else None
    col = next((by_norm[n] for n in KOMMUN_NAMES if n in by_norm), None)
    return f"lower(\"{col}\") = lower('{wanted}')" if col else None


def register_from_frame(df: pd.DataFrame, *, source: str = "the register",
                        kommun: str | None = None) -> AddressRegister:
    """A table of address points → :class:`AddressRegister` (columns recognised by name)."""
    label = f"address register {source}"
    geometry = active_geometry(df)
    names = [str(c) for c in df.columns if geometry is None or c != geometry.name]
    cols = Columns(names)
    if len(df) == 0:
        msg = (f"{label} has no address points ({'only a header' if names else 'no columns'}); give Lantmäteriet's "
               "belägenhetsadress GeoPackage or a table with street, number and position")
        raise InputError(msg)
    used: dict[str, str] = {}
    notes: list[str] = []
    street, number, letter = _street_number_letter(df, cols, label, used)
    n = len(df)
    postcode = _text(df, cols.exact(POSTCODE_NAMES), used, "postcode", n)
    postcode = postcode.str.replace(r"\D", "", regex=True).where(lambda s: s.str.len() == 5, "")
    postort = _text(df, cols.exact(POSTORT_NAMES), used, "postort", n)
    kname = _text(df, cols.exact(KOMMUN_NAMES), used, "kommun", n)
    kcode = _text(df, cols.exact(KOMMUNKOD_NAMES), used, "kommunkod", n).str.replace(r"\.0$", "", regex=True)
    keep = (street != "").to_numpy().copy()
    if (~keep).any():
        notes.append(f"{int((~keep).sum()):,} points without a street name left out")
    status_col = cols.exact(STATUS_NAMES)
    if status_col is not None:
        codes, uniques = pd.factorize(df[status_col].astype("str"))
        status = pd.Series(np.array([norm(u) for u in uniques] + [""], dtype=object)[codes])
        valid = status.str.startswith("gall").to_numpy() | status.isin(["", "nan", "none"]).to_numpy()
        if (keep & ~valid).any():
            notes.append(f"{int((keep & ~valid).sum()):,} addresses not in force (e.g. 'Reserverad') left out")
        keep &= valid
    if kommun is not None:
        keep &= _kommun_mask(kommun, kname, kcode, label, notes)
    lon, lat = _positions(df, cols, geometry, label, used)
    keep &= ~np.isnan(lon)
    if not keep.any():
        msg = f"{label} has no address point with a street and a position; check the file"
        raise InputError(msg)
    idx = np.flatnonzero(keep)
    x, y = _TO_SWEREF.transform(lon[idx], lat[idx])
    streets = street.iloc[idx].reset_index(drop=True)
    out = pd.DataFrame({
        "street": streets,
        "skey": _keys(streets),
        "number": number[idx],
        "letter": letter.iloc[idx].to_numpy(),
        "postcode": postcode.iloc[idx].to_numpy(),
        "postort": postort.iloc[idx].to_numpy(),
        "kommun": kname.iloc[idx].to_numpy(),
        "kcode": kcode.iloc[idx].to_numpy(),
        "x": np.asarray(x, dtype="float64"),
        "y": np.asarray(y, dtype="float64"),
    })
    out["pkey"] = _keys(out["postort"])
    out["kkey"] = _keys(out["kommun"])
    return AddressRegister(points=out, source=source, columns=used, notes=notes)


def _keys(s: pd.Series) -> np.ndarray:
    codes, uniques = pd.factorize(s)
    table = np.array([street_key(str(u)) for u in uniques] + [""], dtype=object)
    return table[codes]


def _text(df: pd.DataFrame, col: str | None, used: dict[str, str], role: str, n: int) -> pd.Series:
    if col is None:
        return pd.Series(np.full(n, "", dtype=object))
    used[role] = col
    s = df[col].reset_index(drop=True)
    if pd.api.types.is_float_dtype(s.dtype):
        s = s.astype("Int64")
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    table = np.array([fix_text(u) for u in uniques] + [""], dtype=object)
    return pd.Series(table[codes])


def _street_number_letter(df, cols: Columns, label: str, used: dict[str, str]):
    n = len(df)
    street_col = cols.exact(STREET_NAMES)
    if street_col is None:
        address_col = cols.exact(ADDRESS_NAMES)
        if address_col is None:
            msg = (f"{label}: no street column found among [{cols.listing()}]; name it 'gatunamn' or 'street' "
                   "(Lantmäteriet's file has 'adressomrade_faststalltnamn')")
            raise SchemaError(msg)
        return _split_addresses(df[address_col], address_col, used)
    street = _text(df, street_col, used, "street", n)
    farm_col = cols.exact(FARM_NAMES)
    if farm_col is not None:
        farm = _text(df, farm_col, used, "farm", n)
        street = street.where(farm == "", street + " " + farm)
    number_col = cols.exact(NUMBER_NAMES)
    if number_col is None:
        msg = f"{label}: no number column found among [{cols.listing()}]; name it 'nummer' or 'number'"
        raise SchemaError(msg)
    used["number"] = number_col
    number, letter_in = _numbers(df[number_col].reset_index(drop=True))
    letter_col = cols.exact(LETTER_NAMES)
    letter = _text(df, letter_col, used, "letter", n).str.upper().str.strip() if letter_col else letter_in
    letter = letter.where(letter != "", letter_in)
    return street, number, letter


def _numbers(s: pd.Series) -> tuple[np.ndarray, pd.Series]:
    if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        v = s.to_numpy(dtype="float64", na_value=np.nan)
        whole = np.where(np.isfinite(v), v, -1).astype(np.int64)
        return whole, pd.Series(np.full(len(s), "", dtype=object))
    parts = s.astype("str").str.extract(r"^\s*(\d{1,5})\s*([A-Za-z]?)", expand=True)
    num = pd.to_numeric(parts[0], errors="coerce").fillna(-1).astype(np.int64).to_numpy()
    return num, parts[1].fillna("").str.upper()


def _split_addresses(s: pd.Series, col: str, used: dict[str, str]):
    used["address"] = col
    codes, uniques = pd.factorize(s.reset_index(drop=True), use_na_sentinel=True)
    parsed = [parse_address(u) for u in uniques]
    streets = np.array([p.street if p else "" for p in parsed] + [""], dtype=object)
    numbers = np.array([p.number if p and p.number is not None else -1 for p in parsed] + [-1], dtype=np.int64)
    letters = np.array([p.letter if p else "" for p in parsed] + [""], dtype=object)
    return pd.Series(streets[codes]), numbers[codes], pd.Series(letters[codes])


def _kommun_mask(kommun: str, kname: pd.Series, kcode: pd.Series, label: str, notes: list[str]) -> np.ndarray:
    wanted = str(kommun).strip()
    if (kname == "").all() and (kcode == "").all():
        notes.append(f"the register has no kommun column: --kommun '{wanted}' does not narrow it")
        return np.ones(len(kname), dtype=bool)
    if re.fullmatch(r"\d{3,4}", wanted):
        mask = (kcode.str.zfill(4) == wanted.zfill(4)).to_numpy()
    else:
        mask = (kname.map(street_key) == street_key(wanted)).to_numpy()
    if not mask.any():
        known = sorted({str(k) for k in kname.unique() if k})[:8] or sorted({str(k) for k in kcode.unique() if k})[:8]
        msg = f"{label} has no addresses in kommun '{wanted}'; its kommuner are {', '.join(known)}: check --kommun"
        raise InputError(msg)
    return mask


def _positions(df, cols: Columns, geometry, label: str, used: dict[str, str]) -> tuple[np.ndarray, np.ndarray]:
    lat_c, lon_c = find_lat_lon(cols)
    x_c, y_c = find_x_y(cols, exclude=[c for c in (lat_c, lon_c) if c])
    has_geometry = geometry is not None and len(geometry) and geometry.notna().any()
    if not ((lat_c and lon_c) or (x_c and y_c) or has_geometry):
        msg = (f"{label}: no position found (no point geometry, no x/y or lat/lon columns among [{cols.listing()}]); "
               "give the register with its points (SWEREF 99 TM or WGS84)")
        raise SchemaError(msg)
    rows = np.arange(1, len(df) + 1, dtype=np.int64)
    notes: list[str] = []
    try:
        pos = positions(df, cols, geometry, label, rows, lat=None, lon=None, x=None, y=None, crs=None, notes=notes,
                        used=used)
    except CRSError as err:
        detail = one_line(str(err)).removeprefix(f"{label}: ").split(";")[0]
        msg = (f"{label}: its positions cannot be read as SWEREF 99 TM or WGS84 in Sweden ({detail}); give a Swedish "
               "address register (Lantmäteriet's belägenhetsadress GeoPackage, or x/y in EPSG:3006 or lat/lon)")
        raise CRSError(msg) from None
    _check_sweden(pos.lon[pos.usable], pos.lat[pos.usable], label, pos.crs)
    lon = np.where(pos.usable, pos.lon, np.nan)
    lat = np.where(pos.usable, pos.lat, np.nan)
    return lon, lat


def _check_sweden(lon: np.ndarray, lat: np.ndarray, label: str, crs: str) -> None:
    w, s, e, n = SWEDEN_BOUNDS
    inside = (lon >= w) & (lon <= e) & (lat >= s) & (lat <= n)
    if inside.mean() >= 0.5:
        return
    msg = (f"{label}: its points lie around lon {np.median(lon):.3f}, lat {np.median(lat):.3f} (read as {crs}), "
           "outside Sweden; give a Swedish address register (Lantmäteriet's belägenhetsadresser, SWEREF 99 TM)")
    raise CRSError(msg)


def as_geodataframe(reg: AddressRegister) -> gpd.GeoDataFrame:
    """The register's points as a GeoDataFrame in EPSG:3006 (for maps and checks)."""
    pts = reg.points
    return gpd.GeoDataFrame(pts.drop(columns=["x", "y"]), geometry=gpd.points_from_xy(pts["x"], pts["y"]),
                            crs=SWEREF99TM)
