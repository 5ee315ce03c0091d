"""Where it is changing: the emerging hot spots named by area, for the answer to
"har det skett en ökning eller minskning över tid?".

The lägesbild's trend answer says whether the whole area has more or fewer incidents; the
analyst's next question is *where*. :func:`change_places` reads an
:class:`~geo_trygghet.hotspots.emerging.EmergingResult` (Gi* per cell and period, Mann-Kendall,
ArcGIS Pro's patterns) and counts the cells that are **new**, **intensifying**, **persistent**
and **diminishing** hot spots, per named area (the area holding the cell's centre);
:func:`change_phrases` words that as the answer's last sentences, e.g.

    Var det förändras (Gi* per månad och H3-cell, upplösning 9): 0 nya, 4 tilltagande och 12 ihållande heta
    punkter (2023-01 – 2024-12). Tilltagande (4): 3 i Centrum, 1 i Öster (handelsområdet).
    Ihållande (12): 6 i Öster (handelsområdet), 4 i Stationsområdet, 2 i Centrum.

Examples
--------
>>> places = ChangePlaces(counts={"new": 2, "intensifying": 0, "persistent": 1, "diminishing": 0},
...                       areas={"new": (("Centrum", 2),), "persistent": (("Söder", 1),)}, outside={},
...                       first="2023-01", last="2024-12", interval="month", resolution=9, named=True)
>>> " ".join(p.word("sv") for p in change_phrases(places))  # doctest: +NORMALIZE_WHITESPACE
'Var det förändras (Gi* per månad och H3-cell, upplösning 9): 2 nya, 0 tilltagande och 1 ihållande heta punkter
(2023-01 – 2024-12). Nya (2): 2 i Centrum. Ihållande (1): 1 i Söder.'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import geopandas as gpd

from .wording import Join, Num, Phrase, Word

__all__ = ["KINDS", "NAME_COLUMNS", "ChangePlaces", "change_phrases", "change_places"]

#: the hot-spot patterns the answer names, in the order it names them
KINDS = ("new", "intensifying", "persistent", "diminishing")
#: columns that name an area (the first one present is used)
NAME_COLUMNS = ("name", "namn", "omrade", "område", "area_name", "label")
_A = "lagesbild.a.where."


@dataclass(frozen=True)
class ChangePlaces:
    """Hot-spot cells per pattern kind (:data:`KINDS`) and where they are.

    ``areas`` maps a kind to ``((area name, cells), …)``, most cells first; ``outside`` the cells
    of a kind outside every named area; ``named`` says whether areas were given at all.
    """

    counts: dict[str, int]
    areas: dict[str, tuple[tuple[str, int], ...]]
    outside: dict[str, int]
    first: str
    last: str
    interval: str
    resolution: int
    named: bool

    def figures(self) -> dict[str, Any]:
        """The numbers behind the sentences (for the answer's figures and the report)."""
        return {"hot_spot_cells": dict(self.counts), "first": self.first, "last": self.last,
                "interval": self.interval, "resolution": self.resolution,
                "areas": {k: [{"area": a, "cells": n} for a, n in v] for k, v in self.areas.items()},
                "outside_areas": dict(self.outside)}


def name_column(areas: gpd.GeoDataFrame) -> str | None:
    """The column that names the areas, or None."""
    lower = {str(c).lower(): str(c) for c in areas.columns}
    return next((lower[c] for c in NAME_COLUMNS if c in lower), None)


def change_places(result: Any, areas: gpd.GeoDataFrame | None = None, name_col: str | None = None) -> ChangePlaces:
    """Count ``result``'s new, intensifying, persistent and diminishing hot spots, per area of ``areas``."""
    from ..hotspots.cube import period_label

    patterns = [f"{k}_hot_spot" for k in KINDS]
    counts = result.pattern_counts()
    cube = result.cube
    col = name_col or (name_column(areas) if areas is not None else None)
    by_kind: dict[str, tuple[tuple[str, int], ...]] = {}
    outside: dict[str, int] = {}
    if col is not None and areas is not None:
        table = result.by_area(areas, col, *patterns)
        for kind, pattern in zip(KINDS, patterns, strict=True):
            rows = table[table["pattern"] == pattern]
            by_kind[kind] = tuple((str(a), int(n)) for a, n in zip(rows["area"], rows["cells"], strict=True))
            missing = counts.get(pattern, 0) - int(rows["cells"].sum())
            if missing > 0:
                outside[kind] = missing
    return ChangePlaces(counts={k: int(counts.get(p, 0)) for k, p in zip(KINDS, patterns, strict=True)},
                        areas=by_kind, outside=outside, first=period_label(cube.periods[0], cube.interval),
                        last=period_label(cube.periods[-1], cube.interval), interval=cube.interval,
                        resolution=int(result.resolution), named=col is not None)


def change_phrases(places: ChangePlaces) -> tuple[Phrase, ...]:
    """The sentences: the counts over the whole area, then each kind present with its areas."""
    span = {"first": places.first, "last": places.last}
    lead = {"interval": Word(f"emerging.interval.{places.interval}"), "resolution": places.resolution}
    if not any(places.counts[k] for k in KINDS[:3]):
        parts = [Phrase(_A + "none", {**lead, "none": Phrase("emerging.sentence.none", span)})]
    else:
        counts = Phrase("emerging.sentence.counts", {**span, **{k: Num(places.counts[k]) for k in KINDS[:3]}})
        parts = [Phrase(_A + "counts", {**lead, "counts": counts})]
    for kind in KINDS:
        n = places.counts[kind]
        if not n or not places.named:
            continue
        items = [Phrase(_A + "area", {"n": Num(cells), "area": name}) for name, cells in places.areas.get(kind, ())]
        if places.outside.get(kind):
            items.append(Phrase(_A + "outside", {"n": Num(places.outside[kind])}))
        parts.append(Phrase(_A + "kind", {"kind": Word(_A + f"kind.{kind}"), "n": Num(n),
                                          "items": Join(tuple(items), ", ")}))
    return tuple(parts)
