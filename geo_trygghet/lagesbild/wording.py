"""Sentences from codes and numbers: the lägesbild's answers as data, worded on demand.

The core decides *what* to say (a catalogue key and its fields: numbers, names, other
keys); this module turns that into text in a language, with the words from the label
catalogue (:func:`geo_trygghet.i18n.text`) and the numbers written by
:mod:`geo_trygghet.i18n.formatting`. A field is one of

- :class:`Num`: a number and how to write it (a count, a share as a percentage, a p-value …),
- :class:`Word`: another catalogue key (a weekday, a season, a crime category),
- :class:`Phrase`: a key with its own fields (a clause inside a sentence),
- :class:`Join`: several of these joined by a separator (a list of categories),
- anything else (an area name from a file, an int formatted by the text itself) as it is.

Examples
--------
>>> p = Phrase("lagesbild.a.days.few", {"n": Num(7), "min": 20})
>>> p.word("sv")
'För få händelser (7) för att bedöma veckodagar; minst 20 behövs.'
>>> Num(0.456, style="pct").word("en"), Num(1234.5, 1).word("sv"), Num(0.0004, style="p").word("sv")
('46%', '1 234,5', 'p < 0,001')
>>> Join((Word("lagesbild.season.var"), "Lancaster"), " / ").word("en")
'spring / Lancaster'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..i18n import text
from ..i18n.formatting import fmt_num, fmt_p, fmt_pct, fmt_signed_pct

__all__ = ["Join", "Num", "Phrase", "Word", "word"]

_STYLES = ("num", "pct", "signed_pct", "p", "p_at_most")


@dataclass(frozen=True)
class Num:
    """A number and how to write it: ``num`` (``decimals``), ``pct`` (a share 0..1 as a
    percentage), ``signed_pct`` (with + or −), ``p`` (``p = 0,03`` / ``p < 0,001``),
    ``p_at_most`` (``p ≤ 0,005``, the floor of a simulation test)."""

    value: float
    decimals: int = 0
    style: str = "num"

    def __post_init__(self) -> None:
        if self.style not in _STYLES:
            msg = f"unknown number style '{self.style}': use one of {', '.join(_STYLES)}"
            raise ValueError(msg)

    def word(self, lang: str) -> str:
        value = float(self.value)
        if self.style == "pct":
            return fmt_pct(value, lang, self.decimals)
        if self.style == "signed_pct":
            return fmt_signed_pct(value, lang, self.decimals)
        if self.style == "p":
            return fmt_p(value, lang)
        if self.style == "p_at_most":
            return "p ≤ " + fmt_num(value, lang, 3)
        return fmt_num(value, lang, self.decimals)


@dataclass(frozen=True)
class Word:
    """A catalogue key worded as it is (a weekday, a season, a crime category)."""

    key: str

    def word(self, lang: str) -> str:
        return text(self.key, lang)


@dataclass(frozen=True)
class Phrase:
    """A catalogue key with fields, each worded first (see the module docstring)."""

    key: str
    fields: Mapping[str, Any] = field(default_factory=dict)

    @property
    def code(self) -> str:
        """The key without its area prefix (``lagesbild.a.trend.rising`` → ``trend.rising``)."""
        return self.key.removeprefix("lagesbild.a.")

    def word(self, lang: str) -> str:
        fields = {name: word(value, lang) for name, value in self.fields.items()}
        return text(self.key, lang, **fields) if fields else text(self.key, lang)


@dataclass(frozen=True)
class Join:
    """Several fields worded and joined by ``sep``."""

    items: tuple[Any, ...]
    sep: str = ", "

    def word(self, lang: str) -> str:
        return self.sep.join(str(word(item, lang)) for item in self.items)


def word(value: Any, lang: str) -> Any:
    """``value`` worded in ``lang`` when it is a :class:`Num`, :class:`Word`, :class:`Phrase`
    or :class:`Join`; anything else unchanged (so ``{start:02d}`` can format an int)."""
    if isinstance(value, (Num, Word, Phrase, Join)):
        return value.word(lang)
    return value
