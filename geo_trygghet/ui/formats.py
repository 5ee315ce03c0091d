"""How the analyst's pages write counts, decimals and chart axes in the session's language."""

from __future__ import annotations

from ..i18n.formatting import fmt_num
from .i18n import lang

__all__ = ["AXIS_MONTH", "AXIS_NUMBER", "fmt_count", "fmt_dec"]

#: Chart axes without English month names or "1,000" (Vega formats in en-US): 2024-03, 1000.
AXIS_MONTH, AXIS_NUMBER = "%Y-%m", "~r"


def fmt_count(value: float) -> str:
    """A whole number with the thousands separator of the interface language (a narrow
    no-break space in Swedish, so that ``56 434`` never breaks over two lines)."""
    return fmt_num(int(value), lang()).replace(" ", "\u202f")


def fmt_dec(value: float, decimals: int = 1) -> str:
    """A decimal number in the interface language: ``3,4`` in Swedish, ``3.4`` in English."""
    return fmt_num(float(value), lang(), decimals)
