"""Geocode a table's addresses against an address register: :func:`geocode_frame` → :class:`GeocodeResult`.

The address is read from one column (``--address``: ``Storgatan 12 B``, a sentence holding one,
``Vällingby, Bergslagsvägen, Stockholm``) or from a street and a number column (``--street``,
``--number``: ``12``, ``12B``, ``85–89``), with a postort (``--postort``) and a postcode column
when the table has them (recognised by name). Each distinct address is parsed and matched once.
Every row gets a level, a score and the register's address; rows that cannot be placed keep
their row with level ``failed`` and a reason, nothing is dropped silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from pyproj import Transformer

from ...crs import SWEREF99TM, WGS84
from ...errors import SchemaError, one_line
from ...i18n import fmt_num, text
from ..columns import Columns
from .match import FAILED, LEVELS, POSTORT, AddressMatcher, Match
from .normalise import ParsedAddress, fix_text, parse_address, parse_number, parse_postcode, street_keys
from .register import ADDRESS_NAMES, NUMBER_NAMES, POSTCODE_NAMES, POSTORT_NAMES, STREET_NAMES, AddressRegister

__all__ = ["COARSE_LEVELS", "GEOCODE_COLUMNS", "GeocodeResult", "find_address_columns", "geocode", "geocode_frame"]

#: the columns :meth:`GeocodeResult.frame` adds (DESIGN.md, "Locations as they come")
GEOCODE_COLUMNS = ("lat", "lon", "geocode_level", "geocode_score", "matched_address")
#: levels treated like area centroids (left out of hot spots by default)
COARSE_LEVELS = (POSTORT, FAILED)
#: incident-file column names that hold an address (besides the register's names)
INPUT_ADDRESS_NAMES = (*ADDRESS_NAMES, "plats", "platsangivelse", "adress_plats", "location", "location_name",
                       "handelseplats", "brottsplats", "gatuadress_1", "adressrad", "address_line")  # fmt: skip
_TO_WGS84 = Transformer.from_crs(SWEREF99TM, WGS84, always_xy=True)


@dataclass(frozen=True)
class AddressColumns:
    """Which input column plays which address role."""

    address: str | None = None
    street: str | None = None
    number: str | None = None
    postort: str | None = None
    postcode: str | None = None

    def used(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v}


@dataclass(frozen=True)
class GeocodeResult:
    """Per input row: WGS84 position (NaN when failed), level, score, matched address, reason code."""

    lon: np.ndarray
    lat: np.ndarray
    level: np.ndarray
    score: np.ndarray
    matched: np.ndarray
    reason: np.ndarray
    detail: np.ndarray
    written: np.ndarray
    source: str = "the table"
    register: str = "the register"
    columns: dict[str, str] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.level)

    @property
    def placed(self) -> np.ndarray:
        """Rows with a position (every level but ``failed``)."""
        return self.level != FAILED

    @property
    def coarse(self) -> np.ndarray:
        """Rows placed only at a postort's middle (or not at all): treated like area centroids."""
        return np.isin(self.level, COARSE_LEVELS)

    def counts(self) -> dict[str, int]:
        """Level → rows, every level listed (in order, zeros included)."""
        vals, n = np.unique(self.level.astype(str), return_counts=True)
        have = dict(zip(vals.tolist(), n.tolist(), strict=True))
        return {lvl: int(have.get(lvl, 0)) for lvl in LEVELS}

    def notes(self, lang: str = "en") -> np.ndarray:
        """The reason of each row in words ("" for exact matches)."""
        out = np.full(len(self), "", dtype=object)
        for code in pd.unique(self.reason):
            if not code:
                continue
            rows = np.flatnonzero(self.reason == code)
            for i in rows:
                out[i] = reason_text(str(code), str(self.detail[i]), lang)
        return out

    def frame(self, lang: str = "en") -> pd.DataFrame:
        """The output columns: lat, lon, geocode_level, geocode_score, matched_address, geocode_note."""
        return pd.DataFrame({
            "lat": np.round(self.lat, 7), "lon": np.round(self.lon, 7), "geocode_level": self.level,
            "geocode_score": self.score, "matched_address": self.matched, "geocode_note": self.notes(lang),
        })

    def unmatched(self, limit: int = 10, lang: str = "en") -> list[str]:
        """The first failed rows: 'row 7 'Storgtan 99': reason'."""
        rows = np.flatnonzero(~self.placed)[:limit]
        return [f"row {i + 1} '{one_line(str(self.written[i]))[:40]}': "
                f"{reason_text(str(self.reason[i]), str(self.detail[i]), lang)}" for i in rows]

    def summary_lines(self, lang: str = "en") -> list[str]:
        counts = self.counts()
        shown = ", ".join(f"{text('geocode.level.' + lvl, lang)} {fmt_num(n, lang)}" for lvl, n in counts.items() if n)
        lines = [text("geocode.summary", lang, n=fmt_num(len(self), lang), register=self.register, levels=shown)]
        if counts[FAILED]:
            lines.append(text("geocode.failed_head", lang, n=fmt_num(counts[FAILED], lang)))
            lines.extend("  " + u for u in self.unmatched(5, lang))
        return lines


def reason_text(code: str, detail: str, lang: str = "en") -> str:
    """The words of a reason code with its ``key=value`` fields."""
    fields = dict(part.split("=", 1) for part in detail.split(";") if "=" in part)
    fields.setdefault("street", "")
    return text(f"geocode.reason.{code}", lang, **fields)


def find_address_columns(df: pd.DataFrame, *, address: str | None = None, street: str | None = None,
                         number: str | None = None, postort: str | None = None, postcode: str | None = None,
                         source: str = "the table") -> AddressColumns:
    """The address columns: those named, else recognised by name (an address column, or street and number)."""
    cols = Columns([str(c) for c in df.columns])
    if street is not None or number is not None:
        if street is None:
            msg = f"{source}: --number needs --street as well (or give the whole address with --address)"
            raise SchemaError(msg)
        street_c = cols.given(street, "--street", source)
        number_c = cols.given(number, "--number", source) if number is not None else None
        address_c = None
    elif address is not None:
        address_c, street_c, number_c = cols.given(address, "--address", source), None, None
    else:
        street_c = cols.exact(STREET_NAMES)
        number_c = cols.exact(NUMBER_NAMES) if street_c else None
        address_c = None if street_c else cols.exact(INPUT_ADDRESS_NAMES)
        if street_c is None and address_c is None:
            msg = (f"{source}: no address column found among [{cols.listing()}]; name it with --address COL "
                   "(or --street COL --number COL)")
            raise SchemaError(msg)
    postort_c = cols.given(postort, "--postort", source) if postort else cols.exact(POSTORT_NAMES)
    postcode_c = cols.exact(POSTCODE_NAMES)
    found = AddressColumns(address_c, street_c, number_c, postort_c, postcode_c)
    _check_text_column(df, found.address or found.street, source)
    return found


def _check_text_column(df: pd.DataFrame, col: str | None, source: str) -> None:
    if col is None:
        return
    s = df[col]
    present = s.dropna().astype(str).str.strip()
    present = present[present != ""]
    if not len(present):
        msg = f"{source}: column '{col}' is empty; name the address column with --address"
        raise SchemaError(msg)
    letters = present.head(500).str.contains(r"[A-Za-zÅÄÖåäö]{2,}", regex=True)
    if pd.api.types.is_numeric_dtype(s.dtype) or letters.mean() < 0.5:
        i = int(np.flatnonzero(~letters.to_numpy())[0]) if (~letters).any() else 0
        msg = (f"{source}: column '{col}' holds numbers, not addresses (e.g. row {int(present.index[i]) + 1} "
               f"'{one_line(str(present.iloc[i]))[:30]}'); name the address column with --address "
               "(or --street COL --number COL)")
        raise SchemaError(msg)


def geocode_frame(df: pd.DataFrame, register: AddressRegister, *, address: str | None = None,
                  street: str | None = None, number: str | None = None, postort: str | None = None,
                  postcode: str | None = None, source: str = "the table",
                  matcher: AddressMatcher | None = None) -> GeocodeResult:
    """Geocode every row of ``df`` against ``register`` (columns as :func:`find_address_columns` finds them)."""
    cols = find_address_columns(df, address=address, street=street, number=number, postort=postort,
                                postcode=postcode, source=source)
    n = len(df)
    main = _cells(df, cols.address or cols.street, n)
    num = _cells(df, cols.number, n)
    port = _cells(df, cols.postort, n)
    pcode = _cells(df, cols.postcode, n)
    combined = main + "\x1f" + num + "\x1f" + port + "\x1f" + pcode
    codes, uniques = pd.factorize(combined)
    matcher = matcher or AddressMatcher(register)
    matches: list[Match] = []
    parsed_once: dict[tuple[str, str], ParsedAddress | None] = {}
    for u in np.asarray(uniques, dtype=object).tolist():
        a, nb, pt, pc = str(u).split("\x1f")
        parsed = parsed_once.get((a, nb))
        if parsed is None and (a, nb) not in parsed_once:
            parsed = parsed_once[(a, nb)] = _parse(a, nb if cols.street else None)
        matches.append(matcher.match(parsed, postort=pt, postcode=parse_postcode(pc)))
    x = np.array([m.x for m in matches], dtype="float64")[codes]
    y = np.array([m.y for m in matches], dtype="float64")[codes]
    lon, lat = _TO_WGS84.transform(x, y)
    written = (main + np.where(num != "", " " + num, "")).to_numpy(dtype=object)
    return GeocodeResult(
        lon=np.asarray(lon, dtype="float64"), lat=np.asarray(lat, dtype="float64"),
        level=np.array([m.level for m in matches], dtype=object)[codes],
        score=np.array([m.score for m in matches], dtype="float64")[codes],
        matched=np.array([m.address for m in matches], dtype=object)[codes],
        reason=np.array([m.reason for m in matches], dtype=object)[codes],
        detail=np.array([m.detail for m in matches], dtype=object)[codes],
        written=written, source=source, register=register.source, columns=cols.used(),
    )


def geocode(table: pd.DataFrame | str | Path, register: AddressRegister | str | Path, *, address: str | None = None,
            street: str | None = None, number: str | None = None, postort: str | None = None,
            kommun: str | None = None) -> GeocodeResult:
    """Geocode a table (or a file) against a register (or a register file, narrowed to ``kommun``).

    >>> import geo_trygghet as gt                                   # doctest: +SKIP
    >>> res = gt.geocode("reparationer.xlsx", "belagenhetsadresser.gpkg", address="Adress")  # doctest: +SKIP
    >>> res.frame().head()                                          # doctest: +SKIP
    """
    from ..files import check_path, read_any
    from .register import read_register

    reg = register if isinstance(register, AddressRegister) else read_register(register, kommun=kommun)
    if isinstance(table, pd.DataFrame):
        return geocode_frame(table, reg, address=address, street=street, number=number, postort=postort)
    p = check_path(table)
    df, _ = read_any(p)
    return geocode_frame(df, reg, address=address, street=street, number=number, postort=postort, source=p.name)


def _cells(df: pd.DataFrame, col: str | None, n: int) -> pd.Series:
    if col is None:
        return pd.Series(np.full(n, "", dtype=object))
    s = df[col].reset_index(drop=True)
    if pd.api.types.is_float_dtype(s.dtype):
        s = s.astype("Int64")
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    table = np.array([fix_text(v).replace("\x1f", " ") for v in np.asarray(uniques, dtype=object).tolist()] + [""],
                     dtype=object)
    return pd.Series(table[codes])


def _parse(main: str, number: str | None) -> ParsedAddress | None:
    if number is None:
        return parse_address(main)
    n, letter, to = parse_number(number)
    if n is None:
        return parse_address(main)
    keys = street_keys(main)
    return ParsedAddress(street=main, keys=keys, number=n, letter=letter, number_to=to) if keys else None
