"""How concentrated incidents are in weekdays, hours and places (the handbook's
"Är fenomenet koncentrerat till vissa dagar / tider / platser?").

Statistical choices (stated so an analyst can defend them)
-----------------------------------------------------------
Days and hours: χ² goodness of fit against an even spread (Monte Carlo p when
expected counts are below 5), and the answer says "Svagt" (only slightly) when
the busiest days/hours hold less than :data:`STRONG_RATIO` times their even share.
Places: the share of incidents in the top 5 % of the study area's H3 cells (empty
cells included), compared with what complete spatial randomness in the study area
gives (the same number of incidents spread over the cells in proportion to each
cell's part of the convex hull of the incidents; seeded multinomial simulation).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .. import schema as S
from .. import settings
from ._frames import check_lang, has_time, nonempty, require, times, weekday_names
from .patterns import WeekdayHour, weekday_hour

__all__ = ["MIN_EVENTS", "STRONG_RATIO", "Concentration", "concentration"]

#: a significant concentration counts as clear ("Ja") when the busiest days/hours hold at
#: least this many times their even share; below it the answer says "Svagt" (only slightly)
STRONG_RATIO = 1.2
#: fewest incidents for judging concentration in days or hours
MIN_EVENTS = 20


@dataclass(frozen=True)
class Concentration:
    """How concentrated incidents are in days, hours and places.

    Time (from rows with a clock time; weekday figures also use rows with a date):
    ``weekday_counts`` (mån…sön), ``weekday_p`` (χ² against an even spread),
    ``top_days`` (the two commonest weekdays, 0 = Monday) and ``top_days_share``;
    ``hour_counts``, ``hour_p``, ``peak_window`` (start hour, end hour) of the
    6-hour window (wrapping midnight) with most incidents and ``peak_window_share``
    (an even spread gives 25 %); ``top_cells_share``: share of incidents in the
    top 10 % of the 168 weekday × hour cells (an even spread gives about 10 %).

    Places: ``n_cells`` H3 cells of the study area (empty cells included) at
    ``resolution``; ``top_places_share``: share of incidents in the top 5 % of
    cells; ``top_places_expected``: the same share under an even spread (mean
    of seeded simulations) and ``places_p`` (share of simulations at least as
    concentrated); ``cells_for_half``: the share of cells that hold half of all
    incidents; ``share_cells_with_any``.
    """

    weekday_counts: pd.Series
    weekday_p: float
    top_days: tuple[int, int]
    top_days_share: float
    hour_counts: pd.Series
    hour_p: float
    peak_window: tuple[int, int]
    peak_window_share: float
    top_cells_share: float
    top_cells_n: int
    n_with_time: int
    n_with_date: int
    resolution: int
    n_cells: int
    n_located: int
    top_places_share: float
    top_places_n: int
    top_places_expected: float
    places_p: float
    cells_for_half: float
    share_cells_with_any: float
    cell_counts: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)
    simulations: int = 200


def _gof_even_p(counts: np.ndarray, rng: np.random.Generator, simulations: int = 4999) -> float:
    """p of the χ² goodness of fit against an even spread: asymptotic when every expected
    count is at least 5, else by seeded Monte Carlo (valid for small numbers)."""
    counts = np.asarray(counts, dtype=np.int64)
    n, k = int(counts.sum()), len(counts)
    if n == 0:
        return float("nan")
    if n / k >= 5:
        return float(stats.chisquare(counts).pvalue)
    expected = n / k
    observed = float(((counts - expected) ** 2).sum() / expected)
    sims = rng.multinomial(n, np.full(k, 1.0 / k), size=simulations)
    sim_stat = ((sims - expected) ** 2).sum(axis=1) / expected
    return float((1 + (sim_stat >= observed - 1e-9).sum()) / (simulations + 1))


def _top_share(counts: np.ndarray, k: int) -> float:
    total = counts.sum()
    if total == 0 or k <= 0:
        return float("nan")
    return float(np.sort(counts)[::-1][:k].sum() / total)


def _convex_hull(lon: np.ndarray, lat: np.ndarray) -> Any:
    """Convex hull of WGS84 points as a shapely geometry (qhull: fast on a million points)."""
    import shapely
    from scipy.spatial import ConvexHull, QhullError

    pts = np.column_stack([lon, lat])
    if len(pts) >= 3:
        try:
            return shapely.Polygon(pts[ConvexHull(pts).vertices])
        except QhullError:  # collinear or repeated points: fall back below
            pass
    return shapely.convex_hull(shapely.multipoints(np.unique(pts.round(7), axis=0)))


def _cell_weights_in_hull(grid: Any, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Each cell's share of the study area: the part of the hexagon inside the
    convex hull of the points (edge cells count less), so the "even spread"
    baseline is complete spatial randomness within the area, not an equal
    share per cell."""
    import shapely

    from ..hotspots.grid import cell_polygons

    n = len(grid.cells)
    hull = _convex_hull(lon, lat)
    polys = cell_polygons(grid.cells).to_numpy()
    if hull.area <= 0:
        return np.full(n, 1.0 / n)
    frac = shapely.area(shapely.intersection(polys, hull)) / np.maximum(shapely.area(polys), 1e-30)
    frac = np.clip(frac, 0.0, 1.0)
    if frac.sum() <= 0:
        return np.full(n, 1.0 / n)
    return frac / frac.sum()


def _weekdays(t: pd.Series, with_date: np.ndarray, rng: np.random.Generator, lang: str) -> dict[str, Any]:
    """Weekday counts from every row with at least a date."""
    wd = np.bincount(t[with_date].dt.day_of_week.to_numpy(), minlength=7).astype(np.int64)
    order = np.argsort(-wd, kind="stable")
    top_days = (int(order[0]), int(order[1]))
    return {"weekday_counts": pd.Series(wd, index=list(weekday_names(lang)), name="count"),
            "weekday_p": _gof_even_p(wd, rng), "top_days": top_days,
            "top_days_share": float(wd[list(top_days)].sum() / wd.sum()) if wd.sum() else float("nan"),
            "n_with_date": int(with_date.sum())}


def _hours(wh: WeekdayHour, rng: np.random.Generator, top_time: float, window_hours: int) -> dict[str, Any]:
    """Hours and weekday × hour cells from the rows with a clock time."""
    hours = wh.by_hour.to_numpy(np.int64)
    sums = np.array([hours[(np.arange(window_hours) + s) % 24].sum() for s in range(24)])
    start = int(np.argmax(sums))
    k_time = max(1, math.ceil(top_time * 168))
    return {"hour_counts": pd.Series(hours, index=range(24), name="count"), "hour_p": _gof_even_p(hours, rng),
            "peak_window": (start, (start + window_hours) % 24),
            "peak_window_share": float(sums[start] / hours.sum()) if hours.sum() else float("nan"),
            "top_cells_share": _top_share(wh.table.to_numpy().ravel(), k_time), "top_cells_n": k_time}


def _places(incidents: pd.DataFrame, resolution: int, grid: Any, top_places: float, simulations: int,
            seed: int) -> dict[str, Any]:
    """Concentration in the H3 cells of the study area against complete spatial randomness."""
    require(incidents, (S.LON, S.LAT))
    lon = pd.to_numeric(incidents[S.LON], errors="coerce").to_numpy(float)
    lat = pd.to_numeric(incidents[S.LAT], errors="coerce").to_numpy(float)
    located = np.isfinite(lon) & np.isfinite(lat)
    n_loc = int(located.sum())
    if not n_loc:
        nan = float("nan")
        return {"resolution": int(resolution), "n_cells": 0, "n_located": 0, "top_places_share": nan,
                "top_places_n": 0, "top_places_expected": nan, "places_p": nan, "cells_for_half": nan,
                "share_cells_with_any": nan,
                "cell_counts": pd.DataFrame({S.H3: pd.Series(dtype=object), S.COUNT: pd.Series(dtype=np.int64)})}
    from ..hotspots.grid import build_grid

    if grid is None or len(grid.incident_cell) != n_loc:
        grid = build_grid(lon[located], lat[located], resolution=resolution)
    counts = grid.counts()
    n_cells = len(counts)
    k = max(1, math.ceil(top_places * n_cells))
    top_share = _top_share(counts, k)
    weights = _cell_weights_in_hull(grid, lon[located], lat[located])
    sims = np.random.default_rng(seed).multinomial(int(counts.sum()), weights, size=simulations)
    sim_shares = np.sort(sims, axis=1)[:, ::-1][:, :k].sum(axis=1) / counts.sum()
    cum = np.cumsum(np.sort(counts)[::-1])
    return {"resolution": int(grid.resolution), "n_cells": int(n_cells), "n_located": n_loc,
            "top_places_share": top_share, "top_places_n": int(k), "top_places_expected": float(sim_shares.mean()),
            "places_p": float((1 + (sim_shares >= top_share - 1e-12).sum()) / (simulations + 1)),
            "cells_for_half": float((np.searchsorted(cum, 0.5 * cum[-1]) + 1) / n_cells),
            "share_cells_with_any": float((counts > 0).mean()),
            "cell_counts": pd.DataFrame({S.H3: grid.h3, S.COUNT: counts})}


def concentration(incidents: pd.DataFrame, *, resolution: int | None = None, top_time: float = 0.10,
                  top_places: float = 0.05, window_hours: int = 6, simulations: int = 200,
                  seed: int = 0, lang: str = "sv", grid: Any = None,
                  weekday_hours: WeekdayHour | None = None) -> Concentration:
    """Concentration in weekdays, hours, weekday × hour cells and H3 cells (see :class:`Concentration`).

    ``grid``: an already built :class:`geo_trygghet.hotspots.grid.Grid` of these same
    incidents (e.g. ``HotSpotResult.grid``) to reuse instead of binning again;
    used only when it has one entry per located incident. ``weekday_hours``: the
    :func:`~geo_trygghet.lagesbild.patterns.weekday_hour` table of these incidents, when
    already made.
    """
    check_lang(lang)
    t = times(incidents)
    nonempty(incidents)
    res = settings.h3_resolution if resolution is None else resolution
    with_time = has_time(incidents) & t.notna().to_numpy()
    with_date = t.notna().to_numpy()
    if S.TIME_RESOLUTION in incidents.columns:
        by_month = incidents[S.TIME_RESOLUTION].astype("string") == S.RESOLUTION_MONTH
        with_date = with_date & ~by_month.fillna(False).to_numpy(bool)
    rng = np.random.default_rng(seed)  # weekdays first, then hours: the same stream as always
    days = _weekdays(t, with_date, rng, lang)
    wh = weekday_hours if weekday_hours is not None else weekday_hour(incidents, lang=lang)
    hours = _hours(wh, rng, top_time, window_hours)
    places = _places(incidents, res, grid, top_places, simulations, seed)
    return Concentration(**days, **hours, **places, n_with_time=int(with_time.sum()), simulations=int(simulations))
