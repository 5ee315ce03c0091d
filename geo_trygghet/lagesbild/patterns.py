"""Lägesbild: the patterns the Brå handbook's Steg 2 asks about, as figures.

Pure functions over an incidents (Geo)DataFrame with the columns of
:mod:`geo_trygghet.schema` (``occurred_at``, ``time_resolution``,
``crime_type``, ``category``, ``lon``, ``lat``). None of them changes its input.

- :func:`category_counts`   which problems are commonest (Brå categories)
- :func:`monthly_trend`     monthly counts, zero months included, the trailing
  12-month moving average ("rullande 12 månader") and a trend test
- :func:`seasonal_profile`  month-of-year and season counts with an index (100 = average)
- :func:`weekday_hour`      the 7 × 24 table (rows with a clock time only)

Concentration in days, hours and places is in :mod:`.concentration`, rates per
100 000 inhabitants in :mod:`.rates`, the handbook's stödfrågor answered with these
figures in :mod:`.stodfragor`, and all of it built once into a :class:`.result.Lagesbild`.
Names of days, months, seasons and categories are the label catalogue's
(``lagesbild.toml``); ``lang`` picks the language.

Statistical choices (stated so an analyst can defend them)
-----------------------------------------------------------
Trend: a quasi-Poisson GLM (Poisson mean, variance scaled by the Pearson χ²
dispersion, so overdispersed counts do not give false significance) of the
monthly counts on time in years, with the days of each month as exposure (offset), with
month-of-year terms when at least 24 months are covered. The slope gives the change per
year (a rate ratio); the direction is "rising"/"falling" when its two-sided p is below
``alpha``, else "flat". Seasonality: the drop-in-deviance F test of the month-of-year terms
in that model (≥ 24 months); with a shorter series a χ² test of the calendar-month counts
against their exposure (days covered), flagged as uncertain.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .. import schema as S
from ..i18n import text
from ._frames import (
    SEASON_MONTHS,
    category_name,
    check_lang,
    has_time,
    month_names,
    nonempty,
    require,
    season_name,
    times,
    weekday_names,
)

__all__ = [
    "SEASON_MONTHS",
    "MonthlyTrend",
    "SeasonalProfile",
    "WeekdayHour",
    "category_counts",
    "month_names",
    "monthly_trend",
    "seasonal_profile",
    "weekday_hour",
    "weekday_names",
]

#: fewest months for a trend test
MIN_TREND_MONTHS = 6
#: months from which month-of-year terms enter the trend model
MIN_SEASONAL_MONTHS = 24


def _exposure_days(first: pd.Period, last: pd.Period) -> np.ndarray:
    """Days covered per calendar month (1..12) by the months first..last."""
    days = np.zeros(12)
    for p in pd.period_range(first, last, freq="M"):
        days[p.month - 1] += p.days_in_month
    return days


# --------------------------------------------------------------------------- categories
def category_counts(incidents: pd.DataFrame, *, lang: str = "sv") -> pd.DataFrame:
    """Incidents per Brå category, commonest first.

    Returns a DataFrame with ``category`` (slug), ``label``, ``count`` and
    ``share`` (0..1). Rows without a category are counted as their own row.
    """
    check_lang(lang)
    require(incidents, (S.CATEGORY,))
    cat = incidents[S.CATEGORY].astype("object").where(incidents[S.CATEGORY].notna(), None)
    counts = pd.Series(cat).value_counts(dropna=False)
    out = pd.DataFrame({S.CATEGORY: counts.index.to_list(), "count": counts.to_numpy(np.int64)})
    out["label"] = [category_name(c, lang) for c in out[S.CATEGORY]]
    total = int(out["count"].sum())
    out["share"] = out["count"] / total if total else 0.0
    out = out.sort_values(["count", "label"], ascending=[False, True], kind="stable")
    return out[[S.CATEGORY, "label", "count", "share"]].reset_index(drop=True)


# --------------------------------------------------------------------------- trend
@dataclass(frozen=True)
class MonthlyTrend:
    """Monthly counts and the trend test.

    Attributes
    ----------
    table
        One row per month (and group when ``by`` was given): ``month``
        (Timestamp of the month's first day), ``count``, ``ma12`` (trailing
        12-month mean: the mean of this month and the 11 before it, missing
        until 12 months exist), ``rolling12`` (trailing 12-month sum, "rullande
        12 månader").
    tests
        One row per group (``group`` = "alla"/"all", the catalogue's ``lagesbild.all``, without ``by``):
        ``n_months``, ``total``, ``change_per_year`` (rate ratio per year − 1),
        ``ci_low``/``ci_high`` (95 % for that change), ``p``, ``direction``
        (rising/falling/flat/insufficient), ``seasonal_p``, ``last12``,
        ``prev12`` and ``last12_change`` (the latest 12 months against the 12
        before them), ``method``.
    by
        The grouping column or ``None``.
    """

    table: pd.DataFrame
    tests: pd.DataFrame
    by: str | None = None
    window: int = 12
    ma_kind: str = "trailing"

    def _overall(self, key: str) -> Any:
        return self.tests.iloc[0][key] if len(self.tests) else None

    @property
    def direction(self) -> str:
        return str(self._overall("direction"))

    @property
    def p(self) -> float:
        return float(self._overall("p"))

    @property
    def change_per_year(self) -> float:
        return float(self._overall("change_per_year"))


def _trend_test(months: pd.PeriodIndex, counts: np.ndarray, *, alpha: float) -> dict[str, Any]:
    n = len(counts)
    total = int(counts.sum())
    res: dict[str, Any] = {"n_months": n, "total": total, "change_per_year": np.nan, "ci_low": np.nan,
                           "ci_high": np.nan, "p": np.nan, "direction": "insufficient",
                           "seasonal_p": np.nan, "method": ""}
    if n >= 24:
        last12, prev12 = int(counts[-12:].sum()), int(counts[-24:-12].sum())
        res.update(last12=last12, prev12=prev12,
                   last12_change=(last12 / prev12 - 1.0) if prev12 else np.nan)
    else:
        res.update(last12=np.nan, prev12=np.nan, last12_change=np.nan)
    if n < MIN_TREND_MONTHS or total == 0:
        res["method"] = f"fewer than {MIN_TREND_MONTHS} months or no incidents"
        return res
    import statsmodels.api as sm

    t_years = np.arange(n, dtype=float) / 12.0
    seasonal = n >= MIN_SEASONAL_MONTHS
    X = pd.DataFrame({"const": 1.0, "t": t_years - t_years.mean()})
    if seasonal:
        moy = np.asarray([p.month for p in months])
        dummies = pd.get_dummies(pd.Categorical(moy, categories=range(1, 13)), prefix="m", drop_first=True,
                                 dtype=float)
        X = pd.concat([X, dummies.set_axis(X.index)], axis=1)
        X = X.loc[:, (X != 0).any(axis=0)]
    y = np.asarray(counts, dtype=float)
    offset = np.log(np.asarray([p.days_in_month for p in months], dtype=float))  # months differ in length
    try:
        fit = sm.GLM(y, X, family=sm.families.Poisson(), offset=offset).fit(scale="X2")
    except (np.linalg.LinAlgError, ValueError, FloatingPointError) as err:  # pragma: no cover - odd data
        res["method"] = f"GLM failed: {err}"
        return res
    beta, se, p = float(fit.params["t"]), float(fit.bse["t"]), float(fit.pvalues["t"])
    if not math.isfinite(se) or se == 0:
        p = np.nan
    res.update(change_per_year=math.exp(beta) - 1.0, ci_low=math.exp(beta - 1.96 * se) - 1.0,
               ci_high=math.exp(beta + 1.96 * se) - 1.0, p=p)
    if not math.isfinite(p):
        res["direction"] = "flat"
    elif p < alpha:
        res["direction"] = "rising" if beta > 0 else "falling"
    else:
        res["direction"] = "flat"
    res["method"] = "quasi-Poisson GLM on month index" + (" with month-of-year terms" if seasonal else "")
    if seasonal:
        try:
            reduced = sm.GLM(y, X[["const", "t"]], family=sm.families.Poisson(), offset=offset).fit()
            full_dev, red_dev = float(fit.deviance), float(reduced.deviance)
            df_num = X.shape[1] - 2
            df_den = n - X.shape[1]
            scale = float(fit.scale) if fit.scale and math.isfinite(fit.scale) else 1.0
            f_stat = max(red_dev - full_dev, 0.0) / df_num / max(scale, 1e-12)
            res["seasonal_p"] = float(stats.f.sf(f_stat, df_num, df_den)) if df_den > 0 else np.nan
        except (np.linalg.LinAlgError, ValueError, FloatingPointError):  # pragma: no cover - odd data
            pass
    return res


def monthly_trend(incidents: pd.DataFrame, *, by: str | None = None, window: int = 12,
                  alpha: float = 0.05, lang: str = "sv", start: Any = None, end: Any = None) -> MonthlyTrend:
    """Monthly counts from the first to the last month (zero months included),
    the trailing ``window``-month moving average and sum, and a trend test per group.

    ``by`` names a column (e.g. ``"category"``) to get one series per value.
    ``start``/``end`` (dates) widen the series to the period the extract covers,
    so months without incidents at either end count as zeros.
    """
    check_lang(lang)
    t = times(incidents)
    ok = t.notna().to_numpy()
    nonempty(incidents.loc[ok], "a monthly trend")
    tt = t[ok]
    key = tt.dt.year.to_numpy(np.int64) * 12 + tt.dt.month.to_numpy(np.int64) - 1
    k0, k1 = int(key.min()), int(key.max())
    if start is not None:
        s0 = pd.Timestamp(start)
        k0 = min(k0, s0.year * 12 + s0.month - 1)
    if end is not None:
        e1 = pd.Timestamp(end)
        k1 = max(k1, e1.year * 12 + e1.month - 1)
    span = pd.period_range(pd.Period(year=k0 // 12, month=k0 % 12 + 1, freq="M"),
                           pd.Period(year=k1 // 12, month=k1 % 12 + 1, freq="M"), freq="M")
    n_months = k1 - k0 + 1
    rel = key - k0
    if by is None:
        groups = {text("lagesbild.all", lang): rel}
    else:
        require(incidents, (by,))
        g = incidents.loc[ok, by].astype("object").where(incidents.loc[ok, by].notna(), None)
        codes, uniques = pd.factorize(g, use_na_sentinel=False)
        groups = {value: rel[codes == i] for i, value in enumerate(uniques)}
    month_ts = span.to_timestamp()
    tables, tests = [], []
    for value, r in groups.items():
        c = np.bincount(r, minlength=n_months).astype(np.int64)
        frame = pd.DataFrame({"month": month_ts, "count": c})
        if by is not None:
            frame.insert(0, by, value)
        roll = pd.Series(c, dtype=float).rolling(window, min_periods=window)
        frame["ma12"] = roll.mean().to_numpy()
        frame["rolling12"] = roll.sum().to_numpy()
        tables.append(frame)
        tests.append({"group": value, **_trend_test(span, c, alpha=alpha)})
    table = pd.concat(tables, ignore_index=True)
    tests_df = pd.DataFrame(tests)
    if by is not None:
        tests_df = tests_df.sort_values("total", ascending=False, kind="stable").reset_index(drop=True)
    return MonthlyTrend(table=table, tests=tests_df, by=by, window=window)


# --------------------------------------------------------------------------- season
@dataclass(frozen=True)
class SeasonalProfile:
    """Counts by month of year and by season.

    ``by_month``: ``month`` (1..12), ``name``, ``count``, ``days`` (days of
    that calendar month in the period covered), ``per_30_days``, ``index``
    (100 = the average month, exposure-adjusted). ``by_season``: ``season``
    (slug), ``name``, ``count``, ``days``, ``index``. ``p``: a test of
    seasonal variation (see the module docstring), ``method`` names it.
    """

    by_month: pd.DataFrame
    by_season: pd.DataFrame
    p: float
    method: str
    n_months: int


def seasonal_profile(incidents: pd.DataFrame, *, lang: str = "sv",
                     trend: MonthlyTrend | None = None) -> SeasonalProfile:
    """Month-of-year and season profile with an exposure-adjusted index (100 = average)."""
    check_lang(lang)
    t = times(incidents)
    t = t[t.notna()]
    nonempty(t.to_frame(), "a seasonal profile")
    months = t.dt.to_period("M")
    first, last = months.min(), months.max()
    n_months = len(pd.period_range(first, last, freq="M"))
    days = _exposure_days(first, last)
    counts = np.bincount(t.dt.month.to_numpy() - 1, minlength=12).astype(np.int64)
    rate = np.divide(counts, days, out=np.full(12, np.nan), where=days > 0)
    mean_rate = counts.sum() / days.sum()
    by_month = pd.DataFrame({"month": np.arange(1, 13), "name": list(month_names(lang)), "count": counts,
                             "days": days.astype(int), "per_30_days": rate * 30,
                             "index": 100 * rate / mean_rate if mean_rate > 0 else np.nan})
    rows = []
    for slug, ms in SEASON_MONTHS.items():
        idx = [m - 1 for m in ms]
        c, d = int(counts[idx].sum()), float(days[idx].sum())
        rows.append({"season": slug, "name": season_name(slug, lang), "count": c, "days": int(d),
                     "index": (100 * (c / d) / mean_rate) if d > 0 and mean_rate > 0 else np.nan})
    by_season = pd.DataFrame(rows)
    if trend is None and n_months >= MIN_SEASONAL_MONTHS:
        trend = monthly_trend(incidents, lang=lang)
    if trend is not None and n_months >= MIN_SEASONAL_MONTHS and math.isfinite(trend.tests.iloc[0]["seasonal_p"]):
        p, method = float(trend.tests.iloc[0]["seasonal_p"]), "F test of month-of-year terms in the trend GLM"
    else:
        present = days > 0
        expected = counts.sum() * days[present] / days[present].sum()
        if present.sum() >= 2 and counts.sum() > 0:
            p = float(stats.chisquare(counts[present], expected).pvalue)
        else:
            p = np.nan
        method = "chi-square of calendar-month counts against days covered (under 24 months: uncertain)"
    return SeasonalProfile(by_month=by_month, by_season=by_season, p=p, method=method, n_months=n_months)


# --------------------------------------------------------------------------- weekday × hour
@dataclass(frozen=True)
class WeekdayHour:
    """The 7 × 24 table: ``table`` rows mån…sön (Mon…Sun), columns hours 0..23.

    Only rows with a clock time are used; ``n_without_time`` rows had a date only
    (or month only) and are left out of this table (they still count elsewhere).
    """

    table: pd.DataFrame
    n_used: int
    n_without_time: int

    @property
    def by_weekday(self) -> pd.Series:
        return self.table.sum(axis=1)

    @property
    def by_hour(self) -> pd.Series:
        return self.table.sum(axis=0)


def weekday_hour(incidents: pd.DataFrame, *, lang: str = "sv") -> WeekdayHour:
    """Counts per weekday × hour from the rows with minute resolution."""
    check_lang(lang)
    t = times(incidents)
    use = has_time(incidents) & t.notna().to_numpy()
    tt = t[use]
    cells = tt.dt.day_of_week.to_numpy() * 24 + tt.dt.hour.to_numpy()
    counts = np.zeros((7, 24), np.int64)
    if len(tt):
        counts = np.bincount(cells, minlength=168).reshape(7, 24).astype(np.int64)
    table = pd.DataFrame(counts, index=pd.Index(weekday_names(lang), name="weekday"),
                         columns=pd.Index(range(24), name="hour"))
    return WeekdayHour(table=table, n_used=int(use.sum()), n_without_time=int(len(incidents) - use.sum()))
