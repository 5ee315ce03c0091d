"""Whether a rate per 100 000 can be trusted, and rates smoothed towards the kommun's.

A rate needs a denominator worth dividing by. A shopping district with 600 residents and
2 600 shop thefts has the highest rate per 100 000 inhabitants of the whole kommun, with a
narrow interval: the crimes are real, the residents are not who they happen to. A small
village with 3 incidents in two years has a wide interval: chance alone can double it.
Neither should be the headline of a lägesbild.

The rule (documented in the README and in the app):

- **too few inhabitants**: an area with fewer than :data:`MIN_POPULATION` (1 000) inhabitants
  is uncertain, whatever its interval (SCB's DeSO, made for such statistics, have 700–2 700);
- **too wide an interval**: an area whose exact Poisson 95 % interval is wider than the rate
  itself (``(high − low) / rate >`` :data:`MAX_RELATIVE_CI_WIDTH` = 1.0, about 17 incidents
  or fewer) is uncertain; so is an area with no incidents.

Smoothed rates: **global empirical Bayes** (Marshall 1991, *Mapping disease and mortality
rates using empirical Bayes estimators*, Applied Statistics 40(2): 283–294). Each area's rate
is pulled towards the rate of all areas together (the kommun's) by a weight that is small for
an area with few person-years and close to one for a large one:

    b = Σk / Σn,  s² = Σ nᵢ(rᵢ − b)² / Σn,  a = max(0, s² − b / n̄),
    Cᵢ = a / (a + b / nᵢ),  EBᵢ = b + Cᵢ (rᵢ − b)

with kᵢ the count, nᵢ the person-years (inhabitants × years) and n̄ the mean nᵢ.

>>> import numpy as np
>>> eb = eb_rates(np.array([3, 400, 500]), np.array([20.0, 10_000.0, 12_000.0]))
>>> [round(x * 1e5) for x in eb]  # the tiny area (15 000 raw) is pulled to the others
[4132, 4041, 4143]
>>> flags = uncertain(np.array([600, 5000, 5000]), np.array([2604, 3, 900]), np.array([216852., 30., 9000.]),
...                   np.array([208606., 6., 8420.]), np.array([225344., 88., 9610.]))
>>> flags.tolist()
['population', 'interval', None]
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

__all__ = ["EB_METHOD", "MAX_RELATIVE_CI_WIDTH", "MIN_POPULATION", "add_reliability", "eb_rates", "uncertain"]

#: Fewer inhabitants than this: the rate per 100 000 is marked uncertain.
MIN_POPULATION = 1_000
#: A 95 % interval wider than this share of the rate: marked uncertain.
MAX_RELATIVE_CI_WIDTH = 1.0
#: The smoothing method, as a code (the catalogue words it: ``lagesbild.eb_method``).
EB_METHOD = "empirical_bayes_marshall_1991"


def uncertain(population: ArrayLike, count: ArrayLike, rate: ArrayLike, low: ArrayLike, high: ArrayLike, *,
              min_population: float = MIN_POPULATION,
              max_relative_width: float = MAX_RELATIVE_CI_WIDTH) -> np.ndarray:
    """Why each rate is uncertain: ``"population"`` (fewer inhabitants than ``min_population``),
    ``"interval"`` (no incidents, or a 95 % interval wider than ``max_relative_width`` × the
    rate), or None for a rate that can be trusted. An object array."""
    population, count = np.asarray(population, float), np.asarray(count, float)
    rate, low, high = (np.asarray(x, float) for x in (rate, low, high))
    with np.errstate(divide="ignore", invalid="ignore"):
        width = np.where(rate > 0, (high - low) / rate, np.inf)
    out = np.full(len(population), None, dtype=object)
    out[(count <= 0) | ~(width <= max_relative_width)] = "interval"
    out[~(population >= min_population)] = "population"  # the stronger reason wins
    return out


def eb_rates(counts: ArrayLike, person_years: ArrayLike) -> np.ndarray:
    """Marshall's (1991) global empirical Bayes rates per person-year (see the module text);
    NaN where an area has no person-years."""
    k = np.asarray(counts, float)
    n = np.asarray(person_years, float)
    ok = n > 0
    out = np.full(len(k), np.nan)
    if not ok.any():
        return out
    k_ok, n_ok = k[ok], n[ok]
    b = k_ok.sum() / n_ok.sum()
    r = k_ok / n_ok
    s2 = float((n_ok * (r - b) ** 2).sum() / n_ok.sum())
    a = max(0.0, s2 - b / n_ok.mean())
    weight = a / (a + b / n_ok) if a > 0 or b > 0 else np.ones_like(n_ok)
    out[ok] = b + weight * (r - b)
    return out


def add_reliability(table: pd.DataFrame, *, smooth: bool = True, min_population: float = MIN_POPULATION,
                    max_relative_width: float = MAX_RELATIVE_CI_WIDTH) -> pd.DataFrame:
    """``table`` (a rates table: ``population``, ``count``, ``years``, ``rate``, ``rate_low``,
    ``rate_high``, ``is_total``) with ``uncertain`` (the reason, or None), ``reliable`` and,
    with ``smooth``, ``rate_eb``: the empirical Bayes rate per 100 000 and year of each area,
    pulled towards all areas together (the total row keeps its own rate). A new frame."""
    out = table.copy()
    reason = uncertain(out["population"], out["count"], out["rate"], out["rate_low"], out["rate_high"],
                       min_population=min_population, max_relative_width=max_relative_width)
    out["uncertain"] = reason
    out["reliable"] = [r is None for r in reason]
    if smooth:
        areas = ~out["is_total"].to_numpy(bool)
        person_years = (out["population"] * out["years"]).to_numpy(float)
        eb = out["rate"].to_numpy(float).copy()
        if areas.any():
            eb[areas] = eb_rates(out["count"].to_numpy(float)[areas], person_years[areas]) * 1e5
        out["rate_eb"] = eb
    return out
