"""Small parsers for what people type into a plan: dates, numbers, text, category lists."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from typing import Any

from .._values import is_missing
from ..errors import DateError, InputError

__all__ = ["as_date", "as_float", "as_int", "as_text", "check_categories"]


def as_date(value: Any, what: str) -> dt.date | None:
    """A date from a date, a datetime, a pandas Timestamp or ISO text; blank → None."""
    if is_missing(value) or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if hasattr(value, "to_pydatetime"):
        return value.to_pydatetime().date()
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        msg = f"{what} '{value}' is not a date: write it as YYYY-MM-DD, e.g. 2025-06-30"
        raise DateError(msg) from None


def as_text(value: Any, limit: int | None = None) -> str | None:
    """Stripped text; blank → None; longer than ``limit`` is refused."""
    if is_missing(value):
        return None
    text = str(value).strip()
    if not text:
        return None
    if limit is not None and len(text) > limit:
        msg = f"text of {len(text)} characters is too long: keep it under {limit}"
        raise InputError(msg)
    return text


def as_float(value: Any, what: str) -> float | None:
    """A number from a number or text (decimal comma allowed); blank → None."""
    if is_missing(value) or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = float(str(value).replace(",", ".").replace("\u2212", "-").strip())
    except ValueError:
        msg = f"{what} '{value}' is not a number: write e.g. 12 or 2,5"
        raise InputError(msg) from None
    if not math.isfinite(number):
        msg = f"{what} '{value}' is not a finite number"
        raise InputError(msg)
    return number


def as_int(value: Any, what: str) -> int | None:
    number = as_float(value, what)
    if number is None:
        return None
    if not float(number).is_integer() or number < 0:
        msg = f"{what} '{value}' is not a whole number of 0 or more"
        raise InputError(msg)
    return int(number)


def check_categories(categories: Iterable[str] | None) -> tuple[str, ...]:
    """Brå crime category slugs (or their Swedish/English labels), unique, in the given order."""
    from ..ingest.crime_types import BRA_CATEGORIES, category_label

    out: list[str] = []
    for c in categories or ():
        value = str(c).strip()
        slug = next((s for s in BRA_CATEGORIES
                     if value.lower() in (s, category_label(s, "sv").lower(), category_label(s, "en").lower())),
                    None)
        if slug is None:
            msg = f"unknown crime category '{value}': use one of {', '.join(BRA_CATEGORIES)}"
            raise InputError(msg)
        if slug not in out:
            out.append(slug)
    return tuple(out)
