"""Remark categories: what a walk participant picks on the phone.

The slugs are data here, in display order; their Swedish and English labels are the
catalogue's ``category.<slug>`` texts. ``trygg_plats`` is the positive one (a place
that feels safe). :func:`category_from_label` reads a label typed into an old
protocol (any case, with or without å ä ö, a few common spellings).

Examples
--------
>>> category_label("buskage", "en")
'Vegetation/blocked view'
>>> category_from_label("GATUBELYSNING")
('belysning', True)
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any

from ..i18n import text

#: The remark categories, in display order (the glossary's eleven).
REMARK_CATEGORIES: tuple[str, ...] = (
    "belysning",
    "buskage",
    "klotter",
    "skadegorelse",
    "nedskrapning",
    "gangtunnel",
    "trafik",
    "orienterbarhet",
    "overgivet_foremal",
    "trygg_plats",
    "annat",
)
#: Categories that praise a place rather than report a problem.
POSITIVE_REMARK_CATEGORIES: frozenset[str] = frozenset({"trygg_plats"})
#: What an unknown or empty label is imported as.
FALLBACK_CATEGORY = "annat"

#: Spellings seen in hand-typed protocols, beside the labels themselves.
_SPELLINGS = {
    "gatubelysning": "belysning", "ljus": "belysning", "vegetation": "buskage", "buskar": "buskage",
    "grafitti": "klotter", "graffiti": "klotter", "skrapp": "nedskrapning", "skrap": "nedskrapning",
    "tunnel": "gangtunnel", "trygg": "trygg_plats", "ovrigt": "annat", "other": "annat",
}  # fmt: skip


@dataclass(frozen=True)
class RemarkCategory:
    """One category: its slug; labels from the catalogue."""

    slug: str

    def label(self, lang: str = "sv") -> str:
        return text(f"category.{self.slug}", lang)

    @property
    def sv(self) -> str:
        return self.label("sv")

    @property
    def en(self) -> str:
        return self.label("en")

    @property
    def is_positive(self) -> bool:
        return self.slug in POSITIVE_REMARK_CATEGORIES


def remark_categories() -> dict[str, RemarkCategory]:
    """The remark categories by slug, in display order."""
    return {slug: RemarkCategory(slug) for slug in REMARK_CATEGORIES}


def category_label(slug: str, lang: str = "sv") -> str:
    """The label of a category slug (an unknown slug is shown as it is)."""
    return RemarkCategory(slug).label(lang) if slug in REMARK_CATEGORIES else slug


def is_positive(slug: str) -> bool:
    return slug in POSITIVE_REMARK_CATEGORIES


@functools.lru_cache(maxsize=1)
def _lookup() -> dict[str, str]:
    from ..ingest.columns import norm

    out: dict[str, str] = {}
    for slug, cat in remark_categories().items():
        for name in (slug, cat.sv, cat.en):
            out.setdefault(norm(name), slug)
        for label in (cat.sv, cat.en):
            for part in label.split("/"):  # "Buskage/skymd sikt" → buskage, skymd sikt
                out.setdefault(norm(part), slug)
    for spelling, slug in _SPELLINGS.items():
        out.setdefault(spelling, slug)
    return out


def category_from_label(label: Any) -> tuple[str, bool]:
    """The category slug for a Swedish (or English) label, any case.

    Returns ``(slug, known)``; an empty or unknown label gives ``("annat", False)``.
    """
    if label is None or (isinstance(label, float) and math.isnan(label)):
        return FALLBACK_CATEGORY, False
    from ..ingest.columns import norm

    key = norm(label)
    slug = _lookup().get(key) if key else None
    return (slug, True) if slug else (FALLBACK_CATEGORY, False)
