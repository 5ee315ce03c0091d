"""What every lägesbild module needs: input checks, the times of the incidents, and the
names of days, months, seasons and categories (words from the label catalogue)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from .. import schema as S
from ..errors import InputError, InsufficientDataError, SchemaError
from ..i18n import LANGUAGES, text
from ..ingest.crime_types import BRA_CATEGORIES
from .wording import Word

#: season slug → its months (the names are the catalogue's ``lagesbild.season.<slug>``)
SEASON_MONTHS: dict[str, tuple[int, ...]] = {
    "vinter": (12, 1, 2),
    "var": (3, 4, 5),
    "sommar": (6, 7, 8),
    "host": (9, 10, 11),
}
MONTH_SEASON: dict[int, str] = {m: slug for slug, months in SEASON_MONTHS.items() for m in months}
#: trend directions a test can give (words: ``lagesbild.direction.<code>``)
DIRECTIONS = ("rising", "falling", "flat", "insufficient")


def check_lang(lang: str) -> str:
    if lang not in LANGUAGES:
        msg = f"unknown language '{lang}': use 'sv' or 'en'"
        raise InputError(msg)
    return lang


def require(incidents: pd.DataFrame, columns: tuple[str, ...], what: str = "incidents") -> None:
    if not isinstance(incidents, pd.DataFrame):
        msg = f"{what} must be a DataFrame, got {type(incidents).__name__}"
        raise InputError(msg)
    missing = [c for c in columns if c not in incidents.columns]
    if missing:
        msg = (f"{what} lack the column(s) {', '.join(missing)}: read the file with "
               f"geo_trygghet.ingest.read_incidents, which names them")
        raise SchemaError(msg)


def times(incidents: pd.DataFrame) -> pd.Series:
    """``occurred_at`` as naive Swedish local time (NaT where unknown)."""
    require(incidents, (S.OCCURRED_AT,))
    t = pd.to_datetime(incidents[S.OCCURRED_AT], errors="coerce")
    if getattr(t.dt, "tz", None) is not None:
        t = t.dt.tz_convert("Europe/Stockholm").dt.tz_localize(None)
    return t


def nonempty(incidents: pd.DataFrame, what: str = "a lägesbild") -> None:
    if len(incidents) == 0:
        msg = f"no incidents to build {what} from: check the file and the filters (category, dates)"
        raise InsufficientDataError(msg)


def has_time(incidents: pd.DataFrame) -> np.ndarray:
    """Rows that carry a clock time (``time_resolution == "minute"``)."""
    if S.TIME_RESOLUTION in incidents.columns:
        return (incidents[S.TIME_RESOLUTION].astype("string") == S.RESOLUTION_MINUTE).fillna(False).to_numpy(bool)
    return np.ones(len(incidents), dtype=bool)


def period(t: pd.Series, incidents: pd.DataFrame) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First day and the day after the last day covered (month-resolution rows cover their month)."""
    start = t.min().normalize()
    end = t.max().normalize() + pd.Timedelta(days=1)
    if S.TIME_RESOLUTION in incidents.columns:
        monthly = (incidents[S.TIME_RESOLUTION].astype("string") == S.RESOLUTION_MONTH).fillna(False).to_numpy(bool)
        if monthly.any():
            end = max(end, (t[monthly].max().to_period("M") + 1).to_timestamp())
            start = min(start, t[monthly].min().to_period("M").to_timestamp())
    return start, end


# --------------------------------------------------------------------------- names
def weekday_names(lang: str = "sv", *, long: bool = False) -> tuple[str, ...]:
    """Monday … Sunday: ``mån … sön`` (``long``: ``måndag … söndag``) or ``Mon … Sun``."""
    kind = "weekday_long" if long else "weekday"
    return tuple(text(f"lagesbild.{kind}.{d}", lang) for d in range(7))


def month_names(lang: str = "sv") -> tuple[str, ...]:
    """January … December, short: ``jan … dec`` / ``Jan … Dec``."""
    return tuple(text(f"lagesbild.month.{m}", lang) for m in range(1, 13))


def season_name(slug: str, lang: str = "sv") -> str:
    return text(f"lagesbild.season.{slug}", lang)


def direction_name(code: str, lang: str = "sv") -> str:
    return text(f"lagesbild.direction.{code}", lang) if code in DIRECTIONS else code


def category_word(slug: Any) -> Word | str:
    """A category as a word: a Brå category's label, "okänd" for a missing one, any other
    value (a category the user's own table names) as it is."""
    if slug is None or slug is pd.NA or (isinstance(slug, float) and math.isnan(slug)):
        return Word("lagesbild.unknown")
    if slug in BRA_CATEGORIES:
        return Word(f"crime_category.{slug}")
    return str(slug)


def category_name(slug: Any, lang: str = "sv") -> str:
    """:func:`category_word` in ``lang``."""
    value = category_word(slug)
    return value if isinstance(value, str) else value.word(lang)
