"""Placing an old walk protocol's remarks by their addresses (protocols typed before phones gave positions).

A protocol from before the app often has no coordinates, only an address in a column of its
own or in the remark itself ("Trasig belysning på Åvägen nr 37"). :func:`place_by_address`
geocodes those rows against an address register (:mod:`geo_trygghet.ingest.geocode`). Rows
that have coordinates keep them; the others get the register's point. A row placed only at a
postort's middle, or not at all, gets no position (a remark there would be drawn in the wrong
place, as an area centroid would): the importer leaves it out and lists it with its reason.
Nothing here touches the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import SchemaError
from ..i18n import text
from ..ingest.geocode import AddressRegister, geocode_frame, read_register

__all__ = ["AddressPlacement", "place_by_address"]

#: what ImportSummary and the rows call a position from the register (remarks.position_source)
POSITION_SOURCE = "address"


@dataclass(frozen=True)
class AddressPlacement:
    """How a protocol's rows were placed by their addresses.

    ``lon``/``lat`` per row (NaN where no usable position), ``level`` per row ("" for rows that
    kept their coordinates), ``note`` per row (why a geocoded row has no position, or how it was
    placed when not exactly), ``levels`` the count per geocode level of the rows geocoded.
    """

    lon: np.ndarray
    lat: np.ndarray
    level: np.ndarray
    note: np.ndarray
    register: str
    column: str
    levels: dict[str, int] = field(default_factory=dict)
    kept_coordinates: int = 0

    @property
    def usable(self) -> np.ndarray:
        return np.isfinite(self.lon) & np.isfinite(self.lat)

    def summary_line(self, lang: str = "en") -> str:
        """'geocoded 13 rows against REG (column 'ANMÄRKNING'): exact 11, street 1, failed 1'."""
        shown = ", ".join(f"{text('geocode.level.' + k, lang)} {n}" for k, n in self.levels.items() if n)
        kept = f"; {self.kept_coordinates} rows kept their coordinates" if self.kept_coordinates else ""
        return (f"geocoded {sum(self.levels.values())} rows against {self.register} "
                f"(column '{self.column}'): {shown}{kept}")


def place_by_address(df: pd.DataFrame, register: AddressRegister | str, *, address: str | None,
                     postort: str | None = None, source: str = "the protocol",
                     has_position: np.ndarray | None = None, lon: np.ndarray | None = None,
                     lat: np.ndarray | None = None, lang: str = "en") -> AddressPlacement:
    """Geocode the rows of ``df`` without a position (``has_position`` False, all rows when None).

    ``address`` names the column holding the address (an ADRESS column, or ANMÄRKNING when the
    address is written in the remark), else it is recognised by name. Rows at postort level or
    worse get no position.
    """
    reg = register if isinstance(register, AddressRegister) else read_register(register)
    n = len(df)
    have = np.zeros(n, dtype=bool) if has_position is None else np.asarray(has_position, dtype=bool)
    out_lon = np.full(n, np.nan) if lon is None else np.where(have, lon, np.nan).astype(float)
    out_lat = np.full(n, np.nan) if lat is None else np.where(have, lat, np.nan).astype(float)
    level = np.full(n, "", dtype=object)
    note = np.full(n, "", dtype=object)
    need = np.flatnonzero(~have)
    column = address or ""
    counts: dict[str, int] = {}
    if len(need):
        part = df.iloc[need].reset_index(drop=True)
        try:
            res = geocode_frame(part, reg, address=address, postort=postort, source=source)
        except SchemaError as err:
            if address is None:
                msg = (f"{source}: no coordinates and no address column to place the remarks by ({err}); "
                       "name the column with --address (ANMÄRKNING when the address is in the remark)")
                raise SchemaError(msg) from None
            raise
        column = res.columns.get("address") or res.columns.get("street") or column
        counts = {k: v for k, v in res.counts().items() if v}
        good = res.placed & ~res.coarse
        out_lon[need[good]] = res.lon[good]
        out_lat[need[good]] = res.lat[good]
        level[need] = res.level
        reasons = res.notes(lang)
        for i, j in enumerate(need):
            lvl = text("geocode.level." + str(res.level[i]), lang)
            if not good[i]:
                note[j] = f"'{str(res.written[i])[:40]}': " + (f"{reasons[i]} ({lvl})" if reasons[i] else lvl)
            elif res.level[i] != "exact":
                note[j] = f"'{str(res.written[i])[:40]}' → {res.matched[i]} ({lvl})"
    return AddressPlacement(lon=out_lon, lat=out_lat, level=level, note=note, register=reg.source, column=column,
                            levels=counts, kept_coordinates=int(have.sum()))
