"""Automatic scale: which H3 resolution from 7 to 10 the data support.

The criterion (documented in the README) is a minimum expected count where the
incidents are. For each resolution, every incident is given the count of its
own cell (per period for a space-time cube: the cell's total divided by the
number of periods); the share of incidents whose cell reaches ``min_count``
(5) is the *supported share*. The chosen resolution is the finest of 10, 9, 8,
7 whose supported share is at least one half: at least half of the incidents
lie in cells that hold on average five or more per period, so a typical
incident's Gi* neighbourhood is not made of zeros and ones, and the cells are
as small as that allows. When no resolution reaches it, 7 is chosen and the
reason says so. The choice depends only on the points (and the number of
periods), so it is deterministic.

Examples
--------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> lon, lat = 16.2 + rng.normal(0, 0.004, 2000), 59.0 + rng.normal(0, 0.002, 2000)
>>> choice = choose_resolution(lon, lat)
>>> choice.resolution, choice.met
(10, True)
>>> choose_resolution(lon, lat, periods=24, interval="month").resolution
9
"""

from __future__ import annotations

from dataclasses import dataclass

import h3.api.numpy_int as h3i
import numpy as np

from ..errors import InsufficientDataError
from ..i18n import fmt_pct, text
from .grid import points_to_cell_ints

#: The resolutions ``auto`` chooses from, finest first.
CANDIDATES: tuple[int, ...] = (10, 9, 8, 7)
#: Incidents per cell and period a supported cell holds at least.
MIN_COUNT = 5.0
#: The share of incidents that must lie in supported cells.
MIN_SHARE = 0.5


@dataclass(frozen=True)
class ScaleChoice:
    """The resolution ``auto`` chose and why.

    Attributes
    ----------
    resolution
        The chosen H3 resolution.
    shares
        Resolution → share of incidents in cells with at least ``min_count`` per period.
    met
        Whether the chosen resolution meets the criterion (False: none did, 7 is the fallback).
    periods, interval
        The number of periods the counts are divided by, and their kind (None: the whole span).
    """

    resolution: int
    shares: dict[int, float]
    met: bool
    periods: int = 1
    interval: str | None = None
    min_count: float = MIN_COUNT
    min_share: float = MIN_SHARE

    def reason(self, lang: str = "sv") -> str:
        """One sentence: the choice, the rule and the figures behind it."""
        shown = [r for r in sorted(self.shares, reverse=True) if r >= self.resolution]
        figures = ", ".join(f"{r}: {fmt_pct(self.shares[r], lang, decimals=0)}" for r in shown)
        unit = text(f"scale.per.{self.interval}", lang) if self.interval else ""
        key = "scale.reason" if self.met else "scale.reason.none"
        return text(key, lang, resolution=self.resolution, lo=min(self.shares), hi=max(self.shares),
                    share=fmt_pct(self.min_share, lang, decimals=0), count=f"{self.min_count:g}", unit=unit,
                    figures=figures)


def supported_shares(lon: np.ndarray, lat: np.ndarray, *, periods: int = 1,
                     candidates: tuple[int, ...] = CANDIDATES, min_count: float = MIN_COUNT) -> dict[int, float]:
    """Resolution → share of incidents whose cell holds at least ``min_count`` per period."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    if len(lon) == 0:
        msg = "no incidents to choose a resolution from: check the file, the date filter and the boundary"
        raise InsufficientDataError(msg)
    cells, per_cell = np.unique(points_to_cell_ints(lon, lat, max(candidates)), return_counts=True)
    return shares_of_cells(cells, per_cell, periods=periods, candidates=candidates, min_count=min_count)


def shares_of_cells(cells: np.ndarray, per_cell: np.ndarray, *, periods: int = 1,
                    candidates: tuple[int, ...] = CANDIDATES, min_count: float = MIN_COUNT) -> dict[int, float]:
    """:func:`supported_shares` from incidents counted per cell of the finest candidate resolution
    (``cells`` distinct, as the engines count them)."""
    finest = max(candidates)
    shares: dict[int, float] = {}
    for res in sorted(candidates, reverse=True):
        if res == finest:
            counts = np.asarray(per_cell)
        else:
            parents = np.fromiter((h3i.cell_to_parent(int(c), res) for c in cells), dtype=np.uint64,
                                  count=len(cells))
            _, inverse = np.unique(parents, return_inverse=True)
            counts = np.bincount(inverse, weights=per_cell).astype(np.int64)
        supported = counts / max(int(periods), 1) >= min_count
        shares[res] = float(counts[supported].sum() / counts.sum())
    return shares


def choose_resolution(lon: np.ndarray, lat: np.ndarray, *, periods: int = 1, interval: str | None = None,
                      candidates: tuple[int, ...] = CANDIDATES, min_count: float = MIN_COUNT,
                      min_share: float = MIN_SHARE) -> ScaleChoice:
    """The finest resolution whose supported share reaches ``min_share`` (else the coarsest)."""
    shares = supported_shares(lon, lat, periods=periods, candidates=candidates, min_count=min_count)
    return choice_of(shares, periods=periods, interval=interval, candidates=candidates, min_count=min_count,
                     min_share=min_share)


def choice_of(shares: dict[int, float], *, periods: int = 1, interval: str | None = None,
              candidates: tuple[int, ...] = CANDIDATES, min_count: float = MIN_COUNT,
              min_share: float = MIN_SHARE) -> ScaleChoice:
    """The :class:`ScaleChoice` of given supported shares."""
    for res in sorted(candidates, reverse=True):
        if shares[res] >= min_share:
            return ScaleChoice(res, shares, True, periods, interval, min_count, min_share)
    return ScaleChoice(min(candidates), shares, False, periods, interval, min_count, min_share)
