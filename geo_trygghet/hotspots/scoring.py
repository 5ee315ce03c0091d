"""How well a ranking of cells predicted where incidents happened: hit rate, PAI and PEI.

Cells are taken in the order of the prediction, highest first. Ties in the
prediction are broken pessimistically, the cell with the fewest observed
incidents first, as R's ``ptools::pai`` does, so a method that cannot tell
cells apart gets no credit for luck. For the first k cells:

- **hit rate** = n / N, the share of the test period's incidents in them;
- **PAI** (predictive accuracy index, Chainey, Tompson & Uhlig 2008) =
  (n / N) / (a / A), with a and A the true areas of the k cells and of the
  whole study area (H3 cells differ a little in size);
- **PEI** (predictive efficiency index, Hunt 2016) = PAI / PAI*, where PAI* is
  the PAI of the best possible k cells, those with the most observed incidents
  (ties: smaller area first).

At a coverage c (a share of the area), the cells taken are the longest prefix
of the ranking whose area is at most c·A (at least one cell).

Examples
--------
The ``ptools::pai`` example (equal areas):

>>> cum = cumulative_scores([6, 7, 3, 2, 1, 0], [8, 4, 4, 2, 1, 0])
>>> cum.pai.round(4).tolist()
[1.8947, 1.4211, 1.6842, 1.4211, 1.2, 1.0]
>>> cum.pei.round(4).tolist()
[0.8571, 0.6923, 1.0, 1.0, 1.0, 1.0]
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from ..errors import InsufficientDataError

#: The coverages every forecast is scored at (shares of the study area).
COVERAGES: tuple[float, ...] = (0.01, 0.03, 0.05, 0.10)


def pessimistic_order(predicted: np.ndarray, observed: np.ndarray) -> np.ndarray:
    """Cell positions by prediction, highest first; among equal predictions the fewest observed first."""
    return np.lexsort((np.asarray(observed, dtype=float), -np.asarray(predicted, dtype=float)))


@dataclass(frozen=True)
class Cumulative:
    """Scores of every prefix of the ranking (index k − 1 = the first k cells)."""

    order: np.ndarray
    hits: np.ndarray
    hit_rate: np.ndarray
    area_share: np.ndarray
    pai: np.ndarray
    pei: np.ndarray
    total: int
    total_area: float


def cumulative_scores(observed, predicted, area=None) -> Cumulative:
    """Hit rate, PAI and PEI of each prefix of the (pessimistic) ranking by ``predicted``.

    ``area`` gives the cells' areas (any unit); equal areas when omitted.
    """
    obs = np.asarray(observed, dtype=float)
    pred = np.asarray(predicted, dtype=float)
    if obs.shape != pred.shape or obs.ndim != 1:
        msg = f"observed and predicted must be two lists of the same length, got {obs.shape} and {pred.shape}"
        raise ValueError(msg)
    size = np.ones_like(obs) if area is None else np.asarray(area, dtype=float)
    total = obs.sum()
    if not total > 0:
        msg = "no observed incidents to score the forecast against: choose a test period with incidents"
        raise InsufficientDataError(msg)
    total_area = size.sum()
    order = pessimistic_order(pred, obs)
    hits = np.cumsum(obs[order])
    area_share = np.cumsum(size[order]) / total_area
    hit_rate = hits / total
    pai = hit_rate / area_share
    best = np.lexsort((size, -obs))
    best_pai = (np.cumsum(obs[best]) / total) / (np.cumsum(size[best]) / total_area)
    with np.errstate(divide="ignore", invalid="ignore"):
        pei = np.where(best_pai > 0, pai / best_pai, 1.0)
    return Cumulative(order=order, hits=hits, hit_rate=hit_rate, area_share=area_share, pai=pai, pei=pei,
                      total=int(round(total)), total_area=float(total_area))


@dataclass(frozen=True)
class CoverageScore:
    """The scores when the top cells covering at most ``coverage`` of the area are flagged."""

    coverage: float
    cells: int
    area_share: float
    hits: int
    hit_rate: float
    pai: float
    pei: float

    def to_dict(self) -> dict:
        return {k: (round(v, 6) if isinstance(v, float) else v) for k, v in asdict(self).items()}


def prefix_for(cum: Cumulative, coverage: float) -> int:
    """The number of leading cells whose area is at most ``coverage`` of the study area (at least 1)."""
    if not 0 < coverage <= 1:
        msg = f"coverage must be a share of the area above 0 and at most 1 (0.03 = 3 %), got {coverage}"
        raise ValueError(msg)
    return max(1, int(np.searchsorted(cum.area_share, coverage * (1 + 1e-12), side="right")))


def score_at(cum: Cumulative, coverage: float) -> CoverageScore:
    """The scores at one coverage."""
    k = prefix_for(cum, coverage) - 1
    return CoverageScore(coverage=float(coverage), cells=k + 1, area_share=float(cum.area_share[k]),
                         hits=int(round(cum.hits[k])), hit_rate=float(cum.hit_rate[k]), pai=float(cum.pai[k]),
                         pei=float(cum.pei[k]))


def scores(observed, predicted, area=None, coverages: tuple[float, ...] = COVERAGES) -> tuple[CoverageScore, ...]:
    """The scores at each coverage (default 1, 3, 5 and 10 % of the area)."""
    cum = cumulative_scores(observed, predicted, area)
    return tuple(score_at(cum, c) for c in coverages)
