"""Where incidents are likely next: a forecast per H3 cell, scored on held-out data.

The incidents up to ``train_until`` predict the cells of the test period
(the day after ``train_until`` … ``test_until``), with one of three methods:

- ``count``: incidents per cell over the last ``window_days`` of the training
  data (default 3 years), the baseline: in a Swedish municipality simple counts
  did as well as kernel density (Camacho Doyle, Gerell & Andershed 2021);
- ``decay``: every past incident weighted ``2^(−age / half-life)``, a
  time-decayed count (prospective mapping, Bowers, Johnson & Pease 2004);
- ``kde``: the count smoothed over hexagon rings with a quartic kernel,
  ``w_d = (1 − (d / (rings + 1))²)²`` for a neighbour d rings away.

``auto`` chooses among a small set of these by rolling-origin validation
inside the training data: the training span is cut at ``train_until`` minus
1, 2 and 3 test-period lengths, each candidate predicts the following period
from the data before the cut, and the candidate with the best mean PEI wins,
the mean taken over the cuts and over the coverages 1, 3, 5 and 10 % and the
asked one: at a single small coverage the PEI rests on a handful of cells and
would choose by noise (ties: the simpler, earlier in :data:`AUTO_CANDIDATES`,
so the baseline wins a tie). A cut needs about as much training as the period
it predicts (at least 90 % of its length). The test period itself is never looked at.

The study area is the one :func:`geo_trygghet.hotspots.hotspots` would use for
the same incidents (the boundary, else the convex hull of all of them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import h3.api.numpy_int as h3i
import numpy as np
import pandas as pd
from scipy import sparse
from scipy.stats import rankdata
from shapely.geometry.base import BaseGeometry

from .. import schema as S
from ..crs import WGS84
from ..errors import InputError, InsufficientDataError
from ..i18n import text
from .cube import spatial_weights
from .grid import Grid, build_grid, cell_polygons
from .scale import ScaleChoice, choose_resolution
from .scoring import COVERAGES, CoverageScore, Cumulative, cumulative_scores, score_at

METHODS = ("count", "decay", "kde")
LAYER_FORECAST = "forecast"


@dataclass(frozen=True)
class Method:
    """A forecast method and its parameters."""

    name: str
    window_days: int | None = 1095
    half_life_days: int | None = None
    rings: int = 0

    def label(self, lang: str = "sv") -> str:
        if self.name == "decay":
            return text("forecast.method.decay", lang, days=self.half_life_days)
        if self.name == "kde":
            return text("forecast.method.kde", lang, rings=self.rings)
        return text("forecast.method.count", lang, days=self.window_days)

    def parameters(self) -> dict:
        if self.name == "decay":
            return {"half_life_days": self.half_life_days}
        if self.name == "kde":
            return {"window_days": self.window_days, "rings": self.rings}
        return {"window_days": self.window_days}


#: The baseline: the count of the last three years.
BASELINE = Method("count", window_days=1095)
#: What ``--method count|decay|kde`` means.
DEFAULTS: dict[str, Method] = {
    "count": BASELINE,
    "decay": Method("decay", window_days=None, half_life_days=90),
    "kde": Method("kde", window_days=1095, rings=1),
}
#: What ``auto`` chooses among, simplest first (the first wins a tie).
AUTO_CANDIDATES: tuple[Method, ...] = (
    BASELINE,
    Method("count", window_days=365),
    Method("decay", window_days=None, half_life_days=30),
    Method("decay", window_days=None, half_life_days=90),
    Method("decay", window_days=None, half_life_days=365),
    Method("kde", window_days=1095, rings=1),
    Method("kde", window_days=1095, rings=2),
)
#: Rolling origins ``auto`` tries (each one test-period length further back).
FOLDS = 3


@dataclass
class _Space:
    """The study area's cells, their areas, and ring matrices (built once, on demand)."""

    grid: Grid
    area_km2: np.ndarray
    rings: dict[int, sparse.csr_matrix] = field(default_factory=dict)

    def ring(self, d: int) -> sparse.csr_matrix:
        """Binary matrix of the cells exactly ``d`` rings away."""
        if d not in self.rings:
            within = spatial_weights(self.grid.cells, d)
            inner = spatial_weights(self.grid.cells, d - 1) if d > 1 else sparse.identity(
                len(self.grid.cells), format="csr")
            self.rings[d] = (within - inner).tocsr()
        return self.rings[d]


def predict(method: Method, space: _Space, cell: np.ndarray, when: np.ndarray, origin: np.datetime64) -> np.ndarray:
    """The method's score per cell from the incidents (cell position, time) before ``origin``."""
    n = len(space.grid.cells)
    before = when < origin
    age = (origin - when[before]).astype("timedelta64[s]").astype(np.float64) / 86_400.0
    cell = cell[before]
    if method.window_days is not None:
        recent = age <= method.window_days
        cell, age = cell[recent], age[recent]
    if method.name == "decay":
        weights = np.exp2(-age / float(method.half_life_days or 1))
        return np.bincount(cell, weights=weights, minlength=n)
    counts = np.bincount(cell, minlength=n).astype(float)
    if method.name == "kde":
        smoothed = counts.copy()
        for d in range(1, method.rings + 1):
            smoothed += (1 - (d / (method.rings + 1)) ** 2) ** 2 * (space.ring(d) @ counts)
        return smoothed
    return counts


@dataclass(frozen=True)
class CandidateScore:
    """A candidate's mean scores over the validation folds."""

    method: Method
    scores: tuple[CoverageScore, ...]
    mean_pei: float

    def to_dict(self) -> dict:
        return {"method": self.method.name, "parameters": self.method.parameters(), "mean_pei": self.mean_pei,
                "scores": [s.to_dict() for s in self.scores]}


@dataclass(frozen=True)
class Validation:
    """Rolling-origin validation inside the training data."""

    origins: tuple[pd.Timestamp, ...]
    candidates: tuple[CandidateScore, ...]

    @property
    def folds(self) -> int:
        return len(self.origins)

    def of(self, method: Method) -> CandidateScore | None:
        return next((c for c in self.candidates if c.method == method), None)


@dataclass
class ForecastResult:
    """A forecast and its scores.

    Attributes
    ----------
    cells
        The ``forecast`` layer (EPSG:4326): ``h3``, ``predicted``, ``rank`` (1 = highest;
        equal predictions share a rank), ``observed`` (incidents in the test period), hexagon.
    area_km2
        True area of each cell (the same order as ``cells``).
    method
        The method used (chosen by validation for ``auto``).
    scores
        Hit rate, PAI and PEI at 1, 3, 5, 10 % coverage on the test period (empty when
        the test period holds no incidents, see ``require_test``).
    validation
        The rolling-origin validation (every candidate for ``auto``, the method alone otherwise).
    folds
        The chosen method's cumulative scores on each rolling origin (:meth:`validated_at`).
    """

    cells: gpd.GeoDataFrame
    area_km2: np.ndarray
    method: Method
    auto: bool
    train_until: pd.Timestamp
    test_until: pd.Timestamp
    coverage: float
    scores: tuple[CoverageScore, ...]
    validation: Validation
    resolution: int
    scale: ScaleChoice | None = None
    folds: tuple[Cumulative, ...] = ()

    @property
    def scored(self) -> bool:
        """Whether the test period held incidents to score against."""
        return bool(self.scores)

    def score_at(self, coverage: float) -> CoverageScore:
        """Scores on the test period at any coverage."""
        cum = cumulative_scores(self.cells["observed"].to_numpy(), self.cells["predicted"].to_numpy(), self.area_km2)
        return score_at(cum, coverage)

    def validated_at(self, coverage: float) -> CoverageScore | None:
        """The chosen method's mean scores over the rolling origins at any coverage (the app's slider),
        or None when the training data were too short for a single origin."""
        if not self.folds:
            return None
        return _mean_score([score_at(cum, coverage) for cum in self.folds])

    def flagged(self, coverage: float) -> np.ndarray:
        """The cells a map shows at ``coverage``: the highest predictions whose area is at most that
        share of the study area (equal predictions in cell order; the scores break them pessimistically)."""
        order = np.argsort(-self.cells["predicted"].to_numpy(), kind="stable")
        share = np.cumsum(self.area_km2[order]) / self.area_km2.sum()
        k = max(1, int(np.searchsorted(share, coverage * (1 + 1e-12), side="right")))
        mask = np.zeros(len(order), dtype=bool)
        mask[order[:k]] = True
        return mask

    def to_dict(self) -> dict:
        """The JSON object the ``forecast`` command prints."""
        chosen = self.validation.of(self.method)
        scores = self.scores
        return {
            "method": self.method.name,
            "parameters": self.method.parameters(),
            "chosen_by": "rolling-origin validation" if self.auto else "--method",
            "train_until": str(self.train_until.date()),
            "test_until": str(self.test_until.date()),
            "resolution": self.resolution,
            "cells": len(self.cells),
            "test_incidents": int(self.cells["observed"].sum()),
            "coverage": list(COVERAGES),
            "hit_rate": [round(s.hit_rate, 6) for s in scores] if scores else None,
            "pai": [round(s.pai, 6) for s in scores] if scores else None,
            "pei": [round(s.pei, 6) for s in scores] if scores else None,
            "at_coverage": self.score_at(self.coverage).to_dict() if scores else None,
            "validation": {
                "origins": [str(o.date()) for o in self.validation.origins],
                "chosen": chosen.to_dict() if chosen else None,
                "candidates": [c.to_dict() for c in self.validation.candidates] if self.auto else [],
            },
        }

    def to_gpkg(self, path: str | Path) -> Path:
        """Write the ``forecast`` layer (replacing the file)."""
        path = Path(path)
        if path.exists():
            path.unlink()
        self.cells.to_file(path, layer=LAYER_FORECAST, driver="GPKG", engine="pyogrio")
        return path


def _bound(value: str | pd.Timestamp, flag: str) -> pd.Timestamp:
    from ..ingest.dates import parse_bound

    return parse_bound(value, flag).normalize()


def _horizon_origins(train_until: pd.Timestamp, test_until: pd.Timestamp, folds: int) -> list[pd.Timestamp]:
    """The last day of training of each validation fold (month steps when both dates end a month)."""
    if train_until.is_month_end and test_until.is_month_end:
        months = (test_until.year - train_until.year) * 12 + test_until.month - train_until.month
        return [train_until - pd.offsets.MonthEnd(months * f) for f in range(1, folds + 1)]
    days = (test_until - train_until).days
    return [train_until - pd.Timedelta(days=days * f) for f in range(1, folds + 1)]


def _end(day: pd.Timestamp) -> np.datetime64:
    """The instant after the last moment of ``day``."""
    return (day + pd.Timedelta(days=1)).to_datetime64()


def _folds(cell: np.ndarray, when: np.ndarray, n_cells: int, train_until: pd.Timestamp,
           test_until: pd.Timestamp) -> list[tuple[pd.Timestamp, np.ndarray]]:
    """(last training day, observed per cell in the period after it) of each rolling origin with enough data."""
    first = when.min() if len(when) else None
    folds = []
    horizon_end = train_until
    for origin in _horizon_origins(train_until, test_until, FOLDS):
        span = _end(horizon_end) - _end(origin)
        if first is None or _end(origin) - 0.9 * span < first:  # less training than the period it predicts
            break
        target = (when >= _end(origin)) & (when < _end(horizon_end))
        observed = np.bincount(cell[target], minlength=n_cells)
        if observed.sum() > 0:
            folds.append((origin, observed))
        horizon_end = origin
    return folds


def validate(methods: tuple[Method, ...], space: _Space, cell: np.ndarray, when: np.ndarray,
             train_until: pd.Timestamp, test_until: pd.Timestamp, coverage: float) -> Validation:
    """Each method's mean scores over the rolling origins that have enough data."""
    folds = _folds(cell, when, len(space.grid.cells), train_until, test_until)
    extra = () if any(abs(coverage - c) < 1e-12 for c in COVERAGES) else (coverage,)
    candidates = []
    for m in methods if folds else ():
        scored = []
        for origin, observed in folds:
            cum = cumulative_scores(observed, predict(m, space, cell, when, _end(origin)), space.area_km2)
            scored.append([score_at(cum, c) for c in (*COVERAGES, *extra)])
        mean = tuple(_mean_score([f[i] for f in scored]) for i in range(len(COVERAGES)))
        pei = float(np.mean([[s.pei for s in f] for f in scored]))
        candidates.append(CandidateScore(method=m, scores=mean, mean_pei=round(pei, 12)))
    return Validation(origins=tuple(origin for origin, _ in folds), candidates=tuple(candidates))


def fold_cumulatives(method: Method, space: _Space, cell: np.ndarray, when: np.ndarray,
                     train_until: pd.Timestamp, test_until: pd.Timestamp) -> tuple[Cumulative, ...]:
    """The method's cumulative scores on each rolling origin (for validated scores at any coverage)."""
    folds = _folds(cell, when, len(space.grid.cells), train_until, test_until)
    return tuple(cumulative_scores(observed, predict(method, space, cell, when, _end(origin)), space.area_km2)
                 for origin, observed in folds)


def _mean_score(items: list[CoverageScore]) -> CoverageScore:
    return CoverageScore(coverage=items[0].coverage, cells=int(round(np.mean([s.cells for s in items]))),
                         area_share=float(np.mean([s.area_share for s in items])),
                         hits=int(round(np.mean([s.hits for s in items]))),
                         hit_rate=float(np.mean([s.hit_rate for s in items])),
                         pai=float(np.mean([s.pai for s in items])), pei=float(np.mean([s.pei for s in items])))


def _choose(validation: Validation) -> Method:
    if not validation.candidates:
        return BASELINE
    best = max(c.mean_pei for c in validation.candidates)
    return next(c.method for c in validation.candidates if c.mean_pei >= best)


def forecast(incidents: pd.DataFrame, *, train_until: str | pd.Timestamp, test_until: str | pd.Timestamp,
             method: str = "auto", resolution: int | str = 9, boundary: BaseGeometry | None = None,
             coverage: float = 0.03, require_test: bool = True) -> ForecastResult:
    """Predict the test period's incidents per cell from the training period, and score it.

    ``method`` is "auto", "count", "decay" or "kde"; ``resolution`` an H3
    resolution or "auto" (chosen as for hot spots, on the training incidents);
    ``coverage`` a share of the area ``auto`` also weighs in its choice and
    ``to_dict`` reports as ``at_coverage``. With ``require_test=False`` the
    test period may hold no incidents (a forecast of the coming months, as the
    app's *Prognos* layer makes it): the result then has no test scores, only
    the rolling-origin validation.
    """
    if method not in ("auto", *METHODS):
        msg = f"--method must be auto, count, decay or kde, got {method!r}"
        raise InputError(msg)
    if not 0 < coverage <= 1:
        msg = f"--coverage must be a share of the area above 0 and at most 1 (0.03 = 3 %), got {coverage}"
        raise InputError(msg)
    train_end, test_end = _bound(train_until, "--train-until"), _bound(test_until, "--test-until")
    if test_end <= train_end:
        msg = f"--test-until {test_end.date()} must be after --train-until {train_end.date()}"
        raise InputError(msg)
    if len(incidents) == 0:
        msg = "no incidents to forecast from: check the file, the date filter and the boundary"
        raise InsufficientDataError(msg)
    lon, lat = incidents[S.LON].to_numpy(float), incidents[S.LAT].to_numpy(float)
    when_all = incidents[S.OCCURRED_AT].to_numpy(dtype="datetime64[ns]")
    in_training = when_all < _end(train_end)
    test = (when_all >= _end(train_end)) & (when_all < _end(test_end))
    if not in_training.any():
        msg = f"no incidents on or before --train-until {train_end.date()}: choose a later date"
        raise InsufficientDataError(msg)
    if require_test and not test.any():
        msg = (f"no incidents from {(train_end + pd.Timedelta(days=1)).date()} to {test_end.date()} "
               f"(the test period): choose --train-until/--test-until within the data")
        raise InsufficientDataError(msg)
    scale = None
    if resolution == "auto":
        scale = choose_resolution(lon[in_training], lat[in_training])
        resolution = scale.resolution
    grid = build_grid(lon, lat, resolution=int(resolution), boundary=boundary)
    area = np.array([h3i.cell_area(int(c), unit="km^2") for c in grid.cells])
    space = _Space(grid=grid, area_km2=area)
    inside = grid.incident_cell >= 0
    cell, when = grid.incident_cell[inside], when_all[inside]
    training = when < _end(train_end)
    cands = AUTO_CANDIDATES if method == "auto" else (DEFAULTS[method],)
    validation = validate(cands, space, cell[training], when[training], train_end, test_end, coverage)
    chosen = _choose(validation) if method == "auto" else DEFAULTS[method]
    predicted = predict(chosen, space, cell[training], when[training], _end(train_end))
    target = (when >= _end(train_end)) & (when < _end(test_end))
    observed = np.bincount(cell[target], minlength=len(grid.cells))
    scores: tuple[CoverageScore, ...] = ()
    if observed.sum() > 0:
        cum = cumulative_scores(observed, predicted, area)
        scores = tuple(score_at(cum, c) for c in COVERAGES)
    folds = fold_cumulatives(chosen, space, cell[training], when[training], train_end, test_end)
    cells = gpd.GeoDataFrame({
        S.H3: grid.h3,
        "predicted": predicted.astype(float),
        "rank": rankdata(-predicted, method="min").astype(np.int64),
        "observed": observed.astype(np.int64),
    }, geometry=cell_polygons(grid.cells).to_numpy(), crs=WGS84)
    return ForecastResult(cells=cells, area_km2=area, method=chosen, auto=method == "auto", train_until=train_end,
                          test_until=test_end, coverage=float(coverage), scores=scores, validation=validation,
                          resolution=grid.resolution, scale=scale, folds=folds)
