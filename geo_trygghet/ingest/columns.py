"""Which column plays which role: recognising Swedish and English column names.

Names are compared after :func:`norm` (lower case, no diacritics, runs of
anything but letters and digits → ``_``), so ``"Händelsedatum"``,
``"handelsedatum"`` and ``" HÄNDELSE DATUM"``-like spellings meet. Exact names
win over token matches (``"x_sweref99tm"`` matches x through its first token).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

from ..errors import SchemaError

LAT_NAMES = ("lat", "latitude", "breddgrad", "latitud", "lat_wgs84", "wgs84_lat", "latitude_wgs84", "y_lat")
LON_NAMES = (
    "lon", "lng", "long", "longitude", "langdgrad", "longitud", "lon_wgs84", "wgs84_lon",
    "lng_wgs84", "longitude_wgs84", "x_lon",
)  # fmt: skip
LAT_TOKENS = {"lat", "latitude", "breddgrad", "latitud"}
LON_TOKENS = {"lon", "lng", "longitude", "langdgrad", "longitud"}

X_NAMES = ("x", "e", "east", "easting", "ost", "ostlig", "ostkoordinat", "x_koordinat", "koordinat_x", "e_koordinat")
Y_NAMES = ("y", "n", "north", "northing", "nord", "nordlig", "nordkoordinat", "y_koordinat", "koordinat_y",
           "n_koordinat")
X_TOKENS = {"x", "e", "east", "easting", "ost", "ostlig", "ostkoordinat", "xkoordinat", "xkoord"}
Y_TOKENS = {"y", "n", "north", "northing", "nord", "nordlig", "nordkoordinat", "ykoordinat", "ykoord"}
#: other tokens allowed beside an axis token, e.g. x_sweref99tm, sweref_99_tm_x, e_m, x_koord
_AXIS_QUALIFIER = re.compile(
    r"^(sweref\w*|99|tm|rt90\w*|rt|90|koord\w*|coord\w*|m|meter|metres|meters|wgs84|epsg\d*|\d{4,5}|utm|pos|position|gon|v|2|5)$"
)

#: one column holding "lat,lon" (the Swedish police's open event feed gives "gps": "59.33,18.06")
POINT_NAMES = ("gps", "position", "koordinater", "koordinat", "coordinates", "coords", "latlon", "lat_lon",
               "latlng", "lat_lng", "location_gps", "gps_position")  # fmt: skip

DATETIME_NAMES = (
    "datetime", "date_time", "datum_tid", "datum_och_tid", "datumtid", "occurred_at", "occurred",
    "tidpunkt", "handelsetid", "handelsetidpunkt", "brottstid", "brottstidpunkt", "timestamp",
    "time_stamp", "starttid", "start_time", "begin", "incident_datetime", "crime_datetime",
)  # fmt: skip
DATE_NAMES = (
    "date", "datum", "handelsedatum", "brottsdatum", "dag", "day", "crime_date", "incident_date",
    "reported_date", "date_reported", "anmalningsdatum", "startdatum", "start_date", "fran_datum",
    "from_date", "event_date",
)  # fmt: skip
MONTH_NAMES = ("month", "manad", "year_month", "ar_manad", "armanad", "yearmonth")
CLOCK_NAMES = ("tid", "klockslag", "time", "kl", "klocka", "klockan", "clock", "tid_pa_dygnet", "time_of_day")
TYPE_NAMES = (
    "brottstyp", "crime_type", "crimetype", "brottsrubricering", "rubricering", "handelsetyp", "type",
    "typ", "brott", "crime", "offence", "offense", "offence_type", "offense_type", "brottskategori",
    "crime_category", "category", "kategori", "event_type", "handelse", "brottskod",
)  # fmt: skip


def norm(name: object) -> str:
    """Lower case, diacritics removed, non-alphanumerics collapsed to ``_``."""
    s = unicodedata.normalize("NFKD", str(name))
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).lower()
    return re.sub(r"[^a-z0-9]+", "_", s).strip("_")


class Columns:
    """Look columns up by exact, stripped or normalised name."""

    def __init__(self, names: Sequence[str]) -> None:
        self.names = list(names)
        self.by_norm: dict[str, str] = {}
        for n in self.names:
            self.by_norm.setdefault(norm(n), n)

    def listing(self, limit: int = 25) -> str:
        shown = [repr(n) for n in self.names[:limit]]
        if len(self.names) > limit:
            shown.append(f"… ({len(self.names)} in all)")
        return ", ".join(shown)

    def given(self, name: str, flag: str, source: str) -> str:
        """The column a user named with a flag (``--lat``), or a SchemaError."""
        if name in self.names:
            return name
        stripped = str(name).strip()
        for n in self.names:
            if n.strip() == stripped:
                return n
        hit = self.by_norm.get(norm(name))
        if hit is not None:
            return hit
        msg = f"{source}: no column '{name}' (given with {flag}); its columns are {self.listing()}"
        raise SchemaError(msg)

    def exact(self, candidates: Iterable[str], exclude: Iterable[str] = ()) -> str | None:
        skip = set(exclude)
        for c in candidates:
            hit = self.by_norm.get(c)
            if hit is not None and hit not in skip:
                return hit
        return None

    def token(self, tokens: set[str], exclude: Iterable[str] = (),
              qualifier: re.Pattern[str] | None = None) -> str | None:
        """First column whose first or last ``_``-token is in ``tokens``."""
        skip = set(exclude)
        for n in self.names:
            if n in skip:
                continue
            parts = norm(n).split("_")
            if not parts or parts == [""]:
                continue
            for pos in (0, -1):
                if parts[pos] in tokens:
                    others = parts[1:] if pos == 0 else parts[:-1]
                    if qualifier is None or all(qualifier.match(o) for o in others):
                        return n
        return None

    def find(self, names: Sequence[str], tokens: set[str] | None = None, exclude: Iterable[str] = (),
             qualifier: re.Pattern[str] | None = None) -> str | None:  # fmt: skip
        hit = self.exact(names, exclude)
        if hit is None and tokens:
            hit = self.token(tokens, exclude, qualifier)
        return hit


def find_lat_lon(cols: Columns) -> tuple[str | None, str | None]:
    lat = cols.find(LAT_NAMES, LAT_TOKENS)
    lon = cols.find(LON_NAMES, LON_TOKENS, exclude=[lat] if lat else ())
    return lat, lon


def find_x_y(cols: Columns, exclude: Iterable[str] = ()) -> tuple[str | None, str | None]:
    skip = list(exclude)
    x = cols.find(X_NAMES, X_TOKENS, skip, _AXIS_QUALIFIER)
    y = cols.find(Y_NAMES, Y_TOKENS, [*skip, x] if x else skip, _AXIS_QUALIFIER)
    return x, y


#: every recognised column name (normalised), for finding a header row below a title
KNOWN_NAMES = frozenset(
    (*LAT_NAMES, *LON_NAMES, *X_NAMES, *Y_NAMES, *POINT_NAMES, *DATETIME_NAMES, *DATE_NAMES, *MONTH_NAMES,
     *CLOCK_NAMES, *TYPE_NAMES)
)  # fmt: skip
