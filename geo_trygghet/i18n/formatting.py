"""Numbers and dates as a person reads them, in Swedish or English.

Swedish: a space between thousands and a decimal comma, a true minus sign
(``1 234,5``, ``−3``, ``45 %``); English: ``1,234.5``, ``-3``, ``45%``.

Examples
--------
>>> fmt_num(216852.4, "sv"), fmt_num(216852.4, "en")
('216 852', '216,852')
>>> fmt_num(3.456, "sv", 2), fmt_pct(0.451, "sv"), fmt_pct(0.451, "en")
('3,46', '45 %', '45%')
>>> fmt_value(3400, lang="sv"), fmt_value(42.28, lang="sv"), fmt_value(True, lang="en")
('3 400', '42,3', 'yes')
"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["fmt_date", "fmt_num", "fmt_p", "fmt_pct", "fmt_signed_pct", "fmt_value", "localise"]

NA = "–"


def localise(text: str, lang: str) -> str:
    """Turn Python's ``1,234.5`` / ``-3`` into the language's way of writing it."""
    if lang == "en":
        return text
    return text.replace(",", " ").replace(".", ",").replace("-", "−")


def fmt_num(x: float | None, lang: str = "sv", decimals: int = 0) -> str:
    """A number for a sentence or a table: ``1 234,5`` in Swedish, ``1,234.5`` in English."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return NA
    return localise(f"{x:,.{decimals}f}", lang)


def fmt_pct(share: float, lang: str = "sv", decimals: int = 0) -> str:
    """A share 0..1 as a percentage (``45 %`` / ``45%``)."""
    return fmt_num(100.0 * share, lang, decimals) + (" %" if lang != "en" else "%")


def fmt_signed_pct(share: float | None, lang: str = "sv", decimals: int = 0) -> str:
    """A signed percentage (``+12 %``, ``−3 %``); no sign when it rounds to zero."""
    if share is None or not math.isfinite(share):
        return NA
    value = fmt_pct(abs(share), lang, decimals)
    if round(abs(share) * 100, decimals) == 0:
        return value
    return ("+" if share > 0 else ("-" if lang == "en" else "−")) + value


def fmt_p(p: float | None, lang: str = "sv") -> str:
    """``p < 0,001`` or ``p = 0,03``."""
    if p is None or not math.isfinite(p):
        return f"p = {NA}"
    if p < 0.001:
        return "p < " + localise("0.001", lang)
    return "p = " + fmt_num(p, lang, 3 if p < 0.01 else 2)


def fmt_date(value: Any) -> str:
    """A date as ISO ``YYYY-MM-DD`` (how Swedes write dates), with ``HH:MM`` when it has a time."""
    if value is None or value is pd.NaT:
        return NA
    if isinstance(value, (pd.Timestamp, datetime)):
        ts = pd.Timestamp(value)
        return ts.strftime("%Y-%m-%d") if ts == ts.normalize() else ts.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _is_na(value: Any) -> bool:
    if value is None or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def fmt_value(value: Any, *, decimals: int = 1, na: str = NA, lang: str = "sv") -> str:
    """One table cell: integers without decimals, floats with ``decimals``, dates as ISO,
    booleans as ja/nej (yes/no), missing values as ``na``."""
    if _is_na(value):
        return na
    if isinstance(value, (bool, np.bool_)):
        if lang == "en":
            return "yes" if value else "no"
        return "ja" if value else "nej"
    if isinstance(value, (int, np.integer)):
        return localise(f"{int(value):,}", lang)
    if isinstance(value, (float, np.floating)):
        v = float(value)
        if v.is_integer() and abs(v) >= 1000:
            return localise(f"{int(v):,}", lang)
        return localise(f"{v:,.{decimals}f}", lang)
    if isinstance(value, (pd.Timestamp, datetime, date)):
        return fmt_date(value)
    return str(value)
