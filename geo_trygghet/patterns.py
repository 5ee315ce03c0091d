"""Lägesbild: the patterns the Brå handbook's Steg 2 asks about, as figures.

Pure functions over an incidents (Geo)DataFrame with the columns of
:mod:`geo_trygghet.schema` (``occurred_at``, ``time_resolution``,
``crime_type``, ``category``, ``lon``, ``lat``). None of them changes its input.

- :func:`category_counts`   which problems are commonest (Brå categories)
- :func:`monthly_trend`     monthly counts, zero months included, the trailing
  12-month moving average ("rullande 12 månader") and a trend test
- :func:`seasonal_profile`  month-of-year and season counts with an index (100 = average)
- :func:`weekday_hour`      the 7 × 24 table (rows with a clock time only)
- :func:`concentration`     how concentrated incidents are in days, hours and places
- :func:`rates_per_100k`    counts and rates per 100 000 inhabitants and year per area,
  with exact Poisson confidence intervals and the ratio to a reference value
- :func:`lagesbild_answers` the handbook's stödfrågor answered with computed figures

Statistical choices (stated so an analyst can defend them)
-----------------------------------------------------------
Trend: a quasi-Poisson GLM (Poisson mean, variance scaled by the Pearson χ²
dispersion, so overdispersed counts do not give false significance) of the
monthly counts on time in years, with the days of each month as exposure (offset), with month-of-year terms when at least 24
months are covered. The slope gives the change per year (a rate ratio); the
direction is "rising"/"falling" when its two-sided p is below ``alpha``, else
"flat". Seasonality: the drop-in-deviance F test of the month-of-year terms in
that model (≥ 24 months); with a shorter series a χ² test of the calendar-month
counts against their exposure (days covered), flagged as uncertain.
Days and hours: χ² goodness of fit against an even spread (Monte Carlo p when
expected counts are below 5), and the answer says "Svagt" (only slightly) when
the busiest days/hours hold less than 1.2 times their even share. Places: the share of
incidents in the top 5 % of the study area's H3 cells (empty cells included),
compared with what complete spatial randomness in the study area gives (the
same number of incidents spread over the cells in proportion to each cell's
part of the convex hull of the incidents; seeded multinomial simulation).
Rates: exact Poisson (Garwood) intervals from ``scipy.stats.chi2``; against
another area, the exact conditional (binomial) interval for the ratio of two
Poisson rates.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from . import schema as S
from . import settings
from .errors import InputError, InsufficientDataError, SchemaError

__all__ = [
    "WEEKDAYS", "MONTHS", "SEASONS", "Answer", "MonthlyTrend", "SeasonalProfile", "WeekdayHour",
    "Concentration", "Rates", "category_counts", "monthly_trend", "seasonal_profile",
    "weekday_hour", "concentration", "rates_per_100k", "category_rates", "lagesbild_answers",
]

_LANGS = ("sv", "en")
WEEKDAYS = {"sv": ("mån", "tis", "ons", "tor", "fre", "lör", "sön"),
            "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")}
_WEEKDAYS_LONG = {"sv": ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag"),
                  "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")}
MONTHS = {"sv": ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"),
          "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")}
#: season slug → (sv, en, months)
SEASONS: dict[str, tuple[str, str, tuple[int, ...]]] = {
    "vinter": ("vinter", "winter", (12, 1, 2)),
    "var": ("vår", "spring", (3, 4, 5)),
    "sommar": ("sommar", "summer", (6, 7, 8)),
    "host": ("höst", "autumn", (9, 10, 11)),
}
_MONTH_SEASON = {m: slug for slug, (_, _, months) in SEASONS.items() for m in months}
DIRECTIONS = {"rising": ("ökande", "rising"), "falling": ("minskande", "falling"),
              "flat": ("ingen säker förändring", "no clear change"),
              "insufficient": ("för få månader för att bedöma", "too few months to judge")}
#: a significant concentration counts as clear ("Ja") when the busiest days/hours hold at
#: least this many times their even share; below it the answer says "Svagt" (only slightly)
STRONG_RATIO = 1.2
#: fewest incidents for judging concentration in days or hours
MIN_EVENTS = 20
#: fewest months for a trend test
MIN_TREND_MONTHS = 6
#: months from which month-of-year terms enter the trend model
MIN_SEASONAL_MONTHS = 24


# --------------------------------------------------------------------------- helpers
def _check_lang(lang: str) -> str:
    if lang not in _LANGS:
        msg = f"unknown language '{lang}': use 'sv' or 'en'"
        raise InputError(msg)
    return lang


def _require(incidents: pd.DataFrame, columns: tuple[str, ...], what: str = "incidents") -> None:
    if not isinstance(incidents, pd.DataFrame):
        msg = f"{what} must be a DataFrame, got {type(incidents).__name__}"
        raise InputError(msg)
    missing = [c for c in columns if c not in incidents.columns]
    if missing:
        msg = (f"{what} lack the column(s) {', '.join(missing)}: read the file with "
               f"geo_trygghet.ingest.read_incidents, which names them")
        raise SchemaError(msg)


def _times(incidents: pd.DataFrame) -> pd.Series:
    _require(incidents, (S.OCCURRED_AT,))
    t = pd.to_datetime(incidents[S.OCCURRED_AT], errors="coerce")
    if getattr(t.dt, "tz", None) is not None:
        t = t.dt.tz_convert("Europe/Stockholm").dt.tz_localize(None)
    return t


def _nonempty(incidents: pd.DataFrame, what: str = "a lägesbild") -> None:
    if len(incidents) == 0:
        msg = f"no incidents to build {what} from: check the file and the filters (category, dates)"
        raise InsufficientDataError(msg)


def _has_time(incidents: pd.DataFrame) -> np.ndarray:
    """Rows that carry a clock time (``time_resolution == "minute"``)."""
    if S.TIME_RESOLUTION in incidents.columns:
        return (incidents[S.TIME_RESOLUTION].astype("string") == S.RESOLUTION_MINUTE).fillna(False).to_numpy(bool)
    return np.ones(len(incidents), dtype=bool)


def _label(slug: Any, lang: str) -> str:
    if slug is None or (isinstance(slug, float) and math.isnan(slug)) or slug is pd.NA:
        return "okänd" if lang == "sv" else "unknown"
    try:
        from .categories import BRA_CATEGORIES, category_label
    except ImportError:  # pragma: no cover - categories is part of the package
        return str(slug)
    return category_label(slug, lang) if slug in BRA_CATEGORIES else str(slug)


def fmt_num(x: float, lang: str = "sv", decimals: int = 0) -> str:
    """A number for a sentence: ``1 234,5`` in Swedish, ``1,234.5`` in English."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "–"
    s = f"{x:,.{decimals}f}"
    if lang == "sv":
        s = s.replace(",", " ").replace(".", ",").replace("-", "−")
    return s


def fmt_pct(share: float, lang: str = "sv", decimals: int = 0) -> str:
    """A share 0..1 as a percentage (``45 %`` / ``45%``)."""
    return fmt_num(100.0 * share, lang, decimals) + (" %" if lang == "sv" else "%")


def fmt_signed_pct(share: float, lang: str = "sv", decimals: int = 0) -> str:
    """A signed percentage (``+12 %``, ``−3 %``); no sign when it rounds to zero."""
    if share is None or not math.isfinite(share):
        return "–"
    text = fmt_pct(abs(share), lang, decimals)
    if round(abs(share) * 100, decimals) == 0:
        return text
    return ("+" if share > 0 else ("−" if lang == "sv" else "-")) + text


def fmt_p(p: float, lang: str = "sv") -> str:
    """``p < 0,001`` or ``p = 0,03``."""
    if p is None or not math.isfinite(p):
        return "p = –"
    if p < 0.001:
        return "p < 0,001" if lang == "sv" else "p < 0.001"
    return "p = " + fmt_num(p, lang, 3 if p < 0.01 else 2)


def _month_index(t: pd.Series) -> pd.Series:
    return t.dt.to_period("M")


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
    _check_lang(lang)
    _require(incidents, (S.CATEGORY,))
    cat = incidents[S.CATEGORY].astype("object").where(incidents[S.CATEGORY].notna(), None)
    counts = pd.Series(cat).value_counts(dropna=False)
    out = pd.DataFrame({S.CATEGORY: counts.index.to_list(), "count": counts.to_numpy(np.int64)})
    out["label"] = [_label(c, lang) for c in out[S.CATEGORY]]
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
        One row per group (``group`` = "alla"/"all" without ``by``):
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
    except Exception as err:  # pragma: no cover - numerical failure on odd data
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
        except Exception:  # pragma: no cover
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
    _check_lang(lang)
    t = _times(incidents)
    ok = t.notna().to_numpy()
    _nonempty(incidents.loc[ok], "a monthly trend")
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
        groups = {("alla" if lang == "sv" else "all"): rel}
    else:
        _require(incidents, (by,))
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
    _check_lang(lang)
    t = _times(incidents)
    t = t[t.notna()]
    _nonempty(t.to_frame(), "a seasonal profile")
    months = _month_index(t)
    first, last = months.min(), months.max()
    n_months = len(pd.period_range(first, last, freq="M"))
    days = _exposure_days(first, last)
    counts = np.bincount(t.dt.month.to_numpy() - 1, minlength=12).astype(np.int64)
    rate = np.divide(counts, days, out=np.full(12, np.nan), where=days > 0)
    mean_rate = counts.sum() / days.sum()
    by_month = pd.DataFrame({"month": np.arange(1, 13), "name": list(MONTHS[lang]), "count": counts,
                             "days": days.astype(int), "per_30_days": rate * 30,
                             "index": 100 * rate / mean_rate if mean_rate > 0 else np.nan})
    rows = []
    for slug, (sv, en, ms) in SEASONS.items():
        idx = [m - 1 for m in ms]
        c, d = int(counts[idx].sum()), float(days[idx].sum())
        rows.append({"season": slug, "name": sv if lang == "sv" else en, "count": c, "days": int(d),
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
    _check_lang(lang)
    t = _times(incidents)
    use = _has_time(incidents) & t.notna().to_numpy()
    tt = t[use]
    cells = tt.dt.day_of_week.to_numpy() * 24 + tt.dt.hour.to_numpy()
    counts = np.bincount(cells, minlength=168).reshape(7, 24).astype(np.int64) if len(tt) else np.zeros((7, 24), np.int64)
    table = pd.DataFrame(counts, index=pd.Index(WEEKDAYS[lang], name="weekday"),
                         columns=pd.Index(range(24), name="hour"))
    return WeekdayHour(table=table, n_used=int(use.sum()), n_without_time=int(len(incidents) - use.sum()))


# --------------------------------------------------------------------------- concentration
@dataclass(frozen=True)
class Concentration:
    """How concentrated incidents are in days, hours and places.

    Time (from rows with a clock time; weekday figures also use rows with a date):
    ``weekday_counts`` (mån…sön), ``weekday_p`` (χ² against an even spread),
    ``top_days`` (the two commonest weekdays) and ``top_days_share``;
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

    pts = np.column_stack([lon, lat])
    if len(pts) >= 3:
        try:
            from scipy.spatial import ConvexHull

            return shapely.Polygon(pts[ConvexHull(pts).vertices])
        except Exception:  # collinear or repeated points (qhull error): fall back below
            pass
    return shapely.convex_hull(shapely.multipoints(np.unique(pts.round(7), axis=0)))


def _cell_weights_in_hull(grid: Any, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Each cell's share of the study area: the part of the hexagon inside the
    convex hull of the points (edge cells count less), so the "even spread"
    baseline is complete spatial randomness within the area, not an equal
    share per cell."""
    import shapely

    from .grid import cell_polygons

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


def concentration(incidents: pd.DataFrame, *, resolution: int | None = None, top_time: float = 0.10,
                  top_places: float = 0.05, window_hours: int = 6, simulations: int = 200,
                  seed: int = 0, lang: str = "sv", grid: Any = None) -> Concentration:
    """Concentration in weekdays, hours, weekday × hour cells and H3 cells (see :class:`Concentration`).

    ``grid``: an already built :class:`geo_trygghet.grid.Grid` of these same
    incidents (e.g. ``HotSpotResult.grid``) to reuse instead of binning again;
    used only when it has one entry per located incident.
    """
    _check_lang(lang)
    t = _times(incidents)
    _nonempty(incidents)
    res = settings.h3_resolution if resolution is None else resolution
    with_time = _has_time(incidents) & t.notna().to_numpy()
    with_date = t.notna().to_numpy()
    if S.TIME_RESOLUTION in incidents.columns:
        with_date = with_date & (incidents[S.TIME_RESOLUTION].astype("string") != S.RESOLUTION_MONTH).fillna(True).to_numpy(bool)
    # weekdays: every row with at least a date
    wd = np.bincount(t[with_date].dt.day_of_week.to_numpy(), minlength=7).astype(np.int64)
    weekday_counts = pd.Series(wd, index=list(WEEKDAYS[lang]), name="count")
    rng_gof = np.random.default_rng(seed)
    weekday_p = _gof_even_p(wd, rng_gof)
    order = np.argsort(-wd, kind="stable")
    top_days = (int(order[0]), int(order[1]))
    top_days_share = float(wd[list(top_days)].sum() / wd.sum()) if wd.sum() else float("nan")
    # hours and weekday × hour: rows with a clock time
    wh = weekday_hour(incidents, lang=lang)
    hours = wh.by_hour.to_numpy(np.int64)
    hour_p = _gof_even_p(hours, rng_gof)
    sums = np.array([hours[(np.arange(window_hours) + s) % 24].sum() for s in range(24)])
    start = int(np.argmax(sums))
    peak_share = float(sums[start] / hours.sum()) if hours.sum() else float("nan")
    k_time = max(1, math.ceil(top_time * 168))
    top_cells_share = _top_share(wh.table.to_numpy().ravel(), k_time)
    # places
    _require(incidents, (S.LON, S.LAT))
    lon = pd.to_numeric(incidents[S.LON], errors="coerce").to_numpy(float)
    lat = pd.to_numeric(incidents[S.LAT], errors="coerce").to_numpy(float)
    located = np.isfinite(lon) & np.isfinite(lat)
    n_loc = int(located.sum())
    cell_counts = pd.DataFrame({S.H3: pd.Series(dtype=object), S.COUNT: pd.Series(dtype=np.int64)})
    if n_loc:
        from .grid import build_grid

        if grid is None or len(grid.incident_cell) != n_loc:
            grid = build_grid(lon[located], lat[located], resolution=res)
        res = grid.resolution
        counts = grid.counts()
        cell_counts = pd.DataFrame({S.H3: grid.h3, S.COUNT: counts})
        n_cells = len(counts)
        k = max(1, math.ceil(top_places * n_cells))
        top_share = _top_share(counts, k)
        rng = np.random.default_rng(seed)
        weights = _cell_weights_in_hull(grid, lon[located], lat[located])
        sims = rng.multinomial(int(counts.sum()), weights, size=simulations)
        sim_shares = np.sort(sims, axis=1)[:, ::-1][:, :k].sum(axis=1) / counts.sum()
        expected = float(sim_shares.mean())
        places_p = float((1 + (sim_shares >= top_share - 1e-12).sum()) / (simulations + 1))
        cum = np.cumsum(np.sort(counts)[::-1])
        cells_for_half = float((np.searchsorted(cum, 0.5 * cum[-1]) + 1) / n_cells)
        with_any = float((counts > 0).mean())
    else:
        n_cells, k, top_share, expected, places_p, cells_for_half, with_any = 0, 0, *([float("nan")] * 5)
    return Concentration(
        weekday_counts=weekday_counts, weekday_p=weekday_p, top_days=top_days, top_days_share=top_days_share,
        hour_counts=pd.Series(hours, index=range(24), name="count"), hour_p=hour_p,
        peak_window=(start, (start + window_hours) % 24), peak_window_share=peak_share,
        top_cells_share=top_cells_share, top_cells_n=k_time, n_with_time=int(with_time.sum()),
        n_with_date=int(with_date.sum()), resolution=int(res), n_cells=int(n_cells), n_located=n_loc,
        top_places_share=top_share, top_places_n=int(k), top_places_expected=expected, places_p=places_p,
        cells_for_half=cells_for_half, share_cells_with_any=with_any, cell_counts=cell_counts,
        simulations=int(simulations))


# --------------------------------------------------------------------------- rates
@dataclass(frozen=True)
class Rates:
    """Rates per 100 000 inhabitants and year.

    ``table``: one row per area plus a last row for all areas together
    (``is_total``): ``name``, ``population``, ``count``, ``years``,
    ``rate`` (per 100 000 and year), ``rate_low``/``rate_high`` (exact 95 %
    Poisson interval), ``ratio`` (rate / reference), ``ratio_low``/``ratio_high``.
    ``by_year``: ``name``, ``year``, ``count``, ``years`` (the part of that
    calendar year the data cover), ``rate``. ``reference_rate`` and
    ``reference_label`` describe what the ratio compares with.
    """

    table: pd.DataFrame
    by_year: pd.DataFrame
    period_years: float
    start: pd.Timestamp
    end: pd.Timestamp
    reference_rate: float | None
    reference_label: str | None
    n_outside: int


_NAME_CANDIDATES = ("name", "namn", "omrade", "område", "omradesnamn", "områdesnamn", "area", "deso",
                    "deso_namn", "kommundel", "stadsdel")


def poisson_ci(count: np.ndarray | float, alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """Exact (Garwood) two-sided ``1 - alpha`` interval for a Poisson count."""
    k = np.asarray(count, dtype=float)
    low = np.where(k > 0, stats.chi2.ppf(alpha / 2, 2 * k) / 2, 0.0)
    high = stats.chi2.ppf(1 - alpha / 2, 2 * k + 2) / 2
    return low, high


def _period(t: pd.Series, incidents: pd.DataFrame) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First day and the day after the last day covered (month-resolution rows cover their month)."""
    start = t.min().normalize()
    end = t.max().normalize() + pd.Timedelta(days=1)
    if S.TIME_RESOLUTION in incidents.columns:
        monthly = (incidents[S.TIME_RESOLUTION].astype("string") == S.RESOLUTION_MONTH).fillna(False).to_numpy(bool)
        if monthly.any():
            end = max(end, (t[monthly].max().to_period("M") + 1).to_timestamp())
            start = min(start, t[monthly].min().to_period("M").to_timestamp())
    return start, end


def _year_fractions(start: pd.Timestamp, end: pd.Timestamp) -> dict[int, float]:
    out = {}
    for year in range(start.year, end.year + 1):
        y0, y1 = pd.Timestamp(year=year, month=1, day=1), pd.Timestamp(year=year + 1, month=1, day=1)
        days = (min(end, y1) - max(start, y0)).days
        if days > 0:
            out[year] = days / (y1 - y0).days
    return out


def _points_in_areas(lon: np.ndarray, lat: np.ndarray, good: np.ndarray,
                     geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(area index, incident index) pairs of points inside each area (boundary included:
    a point on a shared edge counts in both). Vectorised per area with a bounding-box prefilter."""
    import shapely

    areas_out, points_out = [], []
    for j, geom in enumerate(geoms):
        if geom is None or geom.is_empty:
            continue
        x0, y0, x1, y1 = geom.bounds
        cand = np.flatnonzero(good & (lon >= x0) & (lon <= x1) & (lat >= y0) & (lat <= y1))
        if not len(cand):
            continue
        shapely.prepare(geom)
        inside = cand[shapely.intersects_xy(geom, lon[cand], lat[cand])]
        areas_out.append(np.full(len(inside), j, dtype=np.int64))
        points_out.append(inside.astype(np.int64))
    if not areas_out:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    return np.concatenate(areas_out), np.concatenate(points_out)


def rates_per_100k(incidents: pd.DataFrame, areas_gdf: Any, *, population_col: str = "population",
                   name_col: str | None = None, reference: float | str | None = None,
                   alpha: float = 0.05, lang: str = "sv") -> Rates:
    """Counts and rates per 100 000 inhabitants and year for each area (point in polygon).

    ``reference``: a number (a rate per 100 000 and year, e.g. the national
    average), the name of one of the areas, or ``"kommun"``/``"total"`` for all
    areas together. Against a number or the total the reference is treated as
    fixed; against another area the interval is the exact conditional one for
    the ratio of two Poisson rates. The period is the span of the incidents
    (first to last day; month-only rows cover their whole month).
    """
    import geopandas as gpd

    from .crs import to_wgs84

    _check_lang(lang)
    if not isinstance(areas_gdf, gpd.GeoDataFrame):
        msg = "areas must be a GeoDataFrame of polygons with a population column (e.g. read with geopandas.read_file)"
        raise InputError(msg)
    if population_col not in areas_gdf.columns:
        msg = (f"the areas have no column '{population_col}': name the population column "
               f"(population_col=...) or add the number of inhabitants per area")
        raise SchemaError(msg)
    if name_col is None:
        lower = {str(c).lower(): c for c in areas_gdf.columns}
        name_col = next((lower[c] for c in _NAME_CANDIDATES if c in lower), None)
    elif name_col not in areas_gdf.columns:
        msg = f"the areas have no column '{name_col}': choose one of {', '.join(map(str, areas_gdf.columns))}"
        raise SchemaError(msg)
    areas = to_wgs84(areas_gdf, "the areas").reset_index(drop=True)
    names = (areas[name_col].astype(str) if name_col is not None
             else pd.Series([f"{'område' if lang == 'sv' else 'area'} {i + 1}" for i in range(len(areas))]))
    pop = pd.to_numeric(areas[population_col], errors="coerce").to_numpy(float)
    if np.isnan(pop).any() or (pop < 0).any():
        bad = int(np.flatnonzero(np.isnan(pop) | (pop < 0))[0]) + 1
        msg = f"the areas' column '{population_col}' must hold numbers of inhabitants ≥ 0; row {bad} does not"
        raise SchemaError(msg)
    t = _times(incidents)
    _require(incidents, (S.LON, S.LAT))
    ok = t.notna().to_numpy()
    _nonempty(incidents.loc[ok], "rates")
    inc = incidents.loc[ok]
    t = t[ok]
    start, end = _period(t, inc)
    period_years = (end - start).days / 365.25
    lon = pd.to_numeric(inc[S.LON], errors="coerce").to_numpy(float)
    lat = pd.to_numeric(inc[S.LAT], errors="coerce").to_numpy(float)
    good = np.isfinite(lon) & np.isfinite(lat)
    area_idx, inc_idx = _points_in_areas(lon, lat, good, areas.geometry.to_numpy())
    counts = np.bincount(area_idx, minlength=len(areas)).astype(np.int64)
    seen = np.zeros(len(lon), dtype=bool)
    seen[inc_idx] = True
    n_inside = int(seen.sum())
    n_total_inside = n_inside
    # total row: every incident inside any area, once
    all_names = [*names.tolist(), "alla områden" if lang == "sv" else "all areas"]
    all_counts = np.append(counts, n_total_inside)
    all_pop = np.append(pop, pop.sum())
    person_years = all_pop * period_years
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(person_years > 0, all_counts / person_years * 1e5, np.nan)
        lo, hi = poisson_ci(all_counts, alpha)
        rate_low = np.where(person_years > 0, lo / person_years * 1e5, np.nan)
        rate_high = np.where(person_years > 0, hi / person_years * 1e5, np.nan)
    table = pd.DataFrame({"name": all_names, "population": all_pop, "count": all_counts,
                          "years": period_years, "rate": rate, "rate_low": rate_low, "rate_high": rate_high,
                          "is_total": [False] * len(areas) + [True]})
    ref_rate, ref_label = None, None
    ratio = np.full(len(table), np.nan)
    ratio_low, ratio_high = ratio.copy(), ratio.copy()
    if reference is not None:
        if isinstance(reference, (int, float, np.integer, np.floating)) and not isinstance(reference, bool):
            ref_rate = float(reference)
            ref_label = ("referensvärde" if lang == "sv" else "reference value") + f" {fmt_num(ref_rate, lang, 1)}"
            if not ref_rate > 0:
                msg = f"the reference rate must be a positive number per 100 000 and year, got {reference}"
                raise InputError(msg)
            ratio, ratio_low, ratio_high = rate / ref_rate, rate_low / ref_rate, rate_high / ref_rate
        elif isinstance(reference, str) and reference.strip().lower() in ("kommun", "total", "all", "alla"):
            ref_rate = float(rate[-1])
            ref_label = "hela kommunen" if lang == "sv" else "the whole municipality"
            ratio, ratio_low, ratio_high = rate / ref_rate, rate_low / ref_rate, rate_high / ref_rate
        elif isinstance(reference, str) and reference in set(names):
            j = int(np.flatnonzero(names.to_numpy() == reference)[0])
            ref_rate, ref_label = float(rate[j]), reference
            k2, e2 = all_counts[j], person_years[j]
            for i in range(len(table)):
                k1, e1 = all_counts[i], person_years[i]
                if e1 <= 0 or e2 <= 0 or k2 == 0:
                    continue
                ratio[i] = (k1 / e1) / (k2 / e2)
                n = k1 + k2
                pl = stats.beta.ppf(alpha / 2, k1, k2 + 1) if k1 > 0 else 0.0
                pu = stats.beta.ppf(1 - alpha / 2, k1 + 1, k2) if k2 > 0 else 1.0
                ratio_low[i] = pl / (1 - pl) * e2 / e1 if n else np.nan
                ratio_high[i] = pu / (1 - pu) * e2 / e1 if pu < 1 else np.inf
        else:
            msg = (f"reference '{reference}' is neither a number (per 100 000 and year), an area name "
                   f"({', '.join(names[:5])}…) nor 'kommun'")
            raise InputError(msg)
    table["ratio"], table["ratio_low"], table["ratio_high"] = ratio, ratio_low, ratio_high
    # per calendar year
    fractions = _year_fractions(start, end)
    years_of = t.dt.year.to_numpy()[inc_idx]
    rows = []
    for i, nm in enumerate(names):
        sel = area_idx == i
        yc = pd.Series(years_of[sel]).value_counts()
        for year, frac in fractions.items():
            c = int(yc.get(year, 0))
            py = pop[i] * frac
            rows.append({"name": nm, "year": year, "count": c, "years": frac,
                         "rate": c / py * 1e5 if py > 0 else np.nan})
    by_year = pd.DataFrame(rows, columns=["name", "year", "count", "years", "rate"])
    return Rates(table=table, by_year=by_year, period_years=period_years, start=start, end=end,
                 reference_rate=ref_rate, reference_label=ref_label, n_outside=int(good.sum() - n_inside))


def _reference_table(reference: Any) -> dict[str, float]:
    """Category slug → reference rate from a mapping or a table (Brå-style reference_rates.csv)."""
    if isinstance(reference, Mapping):
        return {str(k): float(v) for k, v in reference.items()}
    if isinstance(reference, pd.DataFrame):
        rate_col = next((c for c in ("rate_per_100000", "rate_per_100k", "rate", "per_100000")
                         if c in reference.columns), None)
        if S.CATEGORY not in reference.columns or rate_col is None:
            msg = ("the reference table needs the columns 'category' and 'rate_per_100000' "
                   "(a rate per 100 000 inhabitants and year per Brå category)")
            raise SchemaError(msg)
        ref = reference
        if S.CRIME_TYPE in ref.columns:
            whole = ref[ref[S.CRIME_TYPE].isna() | (ref[S.CRIME_TYPE].astype(str).str.strip() == "")]
            if len(whole):
                ref = whole
        return {str(k): float(v) for k, v in ref.groupby(S.CATEGORY)[rate_col].sum().items()}
    msg = "a per-category reference must be a mapping {category: rate} or a table with category and rate_per_100000"
    raise InputError(msg)


def category_rates(incidents: pd.DataFrame, *, population: float, reference: Any = None,
                   alpha: float = 0.05, lang: str = "sv") -> pd.DataFrame:
    """Rates per 100 000 inhabitants and year per Brå category, against a per-category reference.

    ``reference``: a mapping ``{category slug: rate}`` or a table with
    ``category`` and ``rate_per_100000`` (rows with an empty ``crime_type`` are
    the category totals; without them the crime-type rows are summed).
    Columns: ``category``, ``label``, ``count``, ``rate``, ``rate_low``,
    ``rate_high`` (exact 95 %), ``reference``, ``ratio``, ``verdict``
    (higher/lower/similar when the interval excludes/includes the reference, or
    missing without a reference for that category).
    """
    _check_lang(lang)
    if not (isinstance(population, (int, float, np.number)) and population > 0):
        msg = f"population must be a positive number of inhabitants, got {population!r}"
        raise InputError(msg)
    t = _times(incidents)
    ok = t.notna().to_numpy()
    _nonempty(incidents.loc[ok], "rates")
    start, end = _period(t[ok], incidents.loc[ok])
    years = (end - start).days / 365.25
    cc = category_counts(incidents.loc[ok], lang=lang)
    person_years = float(population) * years
    lo, hi = poisson_ci(cc["count"].to_numpy(), alpha)
    out = cc[[S.CATEGORY, "label", "count"]].copy()
    out["rate"] = out["count"] / person_years * 1e5
    out["rate_low"] = lo / person_years * 1e5
    out["rate_high"] = hi / person_years * 1e5
    ref = _reference_table(reference) if reference is not None else {}
    out["reference"] = [ref.get(c, np.nan) if isinstance(c, str) else np.nan for c in out[S.CATEGORY]]
    out["ratio"] = out["rate"] / out["reference"]
    out["verdict"] = np.select([out["rate_low"] > out["reference"], out["rate_high"] < out["reference"],
                                out["reference"].notna()], ["higher", "lower", "similar"], default=None)
    out["verdict"] = out["verdict"].where(out["reference"].notna(), None)
    out.attrs["years"] = years
    return out


# --------------------------------------------------------------------------- the stödfrågor
@dataclass(frozen=True)
class Answer:
    """One stödfråga answered: iterates as ``(question, answer, figures)``."""

    key: str
    question: str
    answer: str
    figures: dict[str, Any]

    def __iter__(self) -> Iterator[Any]:
        return iter((self.question, self.answer, self.figures))


QUESTIONS: dict[str, tuple[str, str]] = {
    "commonest": ("Vilka problem är vanligast?", "Which problems are commonest?"),
    "trend": ("Har det skett en ökning eller minskning över tid?", "Has there been an increase or decrease over time?"),
    "season": ("Finns det säsongsvariationer?", "Is there seasonal variation?"),
    "days": ("Är fenomenet koncentrerat till vissa dagar?", "Is it concentrated on certain days?"),
    "hours": ("Är fenomenet koncentrerat till vissa tider på dygnet?",
              "Is it concentrated at certain times of day?"),
    "places": ("Är fenomenet koncentrerat till vissa platser, så kallade hot spots?",
               "Is it concentrated in certain places (hot spots)?"),
    "reference": ("Är fenomenet mer omfattande än referensvärdet?",
                  "Is it more extensive than the reference value?"),
}


def _q(key: str, lang: str) -> str:
    sv, en = QUESTIONS[key]
    return sv if lang == "sv" else en


def _answer_commonest(incidents: pd.DataFrame, lang: str) -> Answer:
    cc = category_counts(incidents, lang=lang)
    top = cc.head(3)
    parts = [f"{r.label} ({fmt_num(r.count, lang)}, {fmt_pct(r.share, lang)})" for r in top.itertuples()]
    n = int(cc["count"].sum())
    if lang == "sv":
        text = (f"Av {fmt_num(n, lang)} {'händelse' if n == 1 else 'händelser'} är de vanligaste kategorierna: "
                + "; ".join(parts) + ".")
    else:
        text = f"Of {fmt_num(n, lang)} incidents the commonest categories are: " + "; ".join(parts) + "."
    if S.CRIME_TYPE in incidents.columns and incidents[S.CRIME_TYPE].notna().any():
        types = incidents[S.CRIME_TYPE].dropna().astype(str).value_counts().head(3)
        tl = ", ".join(f"{k} ({fmt_num(v, lang)})" for k, v in types.items())
        text += (f" Vanligaste brottstyper: {tl}." if lang == "sv" else f" Commonest crime types: {tl}.")
    else:
        types = pd.Series(dtype=int)
    figures = {"total": n, "top_categories": top[[S.CATEGORY, "label", "count", "share"]].to_dict("records"),
               "top_crime_types": {str(k): int(v) for k, v in types.items()}}
    return Answer("commonest", _q("commonest", lang), text, figures)


def _answer_trend(trend: MonthlyTrend, lang: str) -> Answer:
    row = trend.tests.iloc[0]
    direction = str(row["direction"])
    n = int(row["n_months"])
    figures = {k: (row[k].item() if hasattr(row[k], "item") else row[k])
               for k in ("direction", "p", "change_per_year", "ci_low", "ci_high", "n_months", "last12",
                         "prev12", "last12_change")}
    if direction == "insufficient":
        text = (f"Underlaget täcker bara {n} {'månad' if n == 1 else 'månader'}; minst {MIN_TREND_MONTHS} behövs för att bedöma utvecklingen."
                if lang == "sv" else
                f"The data cover only {n} month{'' if n == 1 else 's'}; at least {MIN_TREND_MONTHS} are needed to judge the trend.")
        return Answer("trend", _q("trend", lang), text, figures)
    ch = float(row["change_per_year"])
    ch_txt = fmt_pct(abs(ch), lang)
    ci = f"{fmt_pct(float(row['ci_low']), lang)} – {fmt_pct(float(row['ci_high']), lang)}"
    if lang == "sv":
        if direction == "rising":
            text = f"Ja, en ökning: antalet har ökat med omkring {ch_txt} per år (95 % KI {ci}; {fmt_p(row['p'], lang)})"
        elif direction == "falling":
            text = f"Ja, en minskning: antalet har minskat med omkring {ch_txt} per år (95 % KI {ci}; {fmt_p(row['p'], lang)})"
        else:
            text = (f"Ingen säker ökning eller minskning: skattad förändring {fmt_signed_pct(ch, lang)} per år "
                    f"(95 % KI {ci}; {fmt_p(row['p'], lang)})")
        text += f" under {n} månader."
        if math.isfinite(row.get("last12_change", np.nan)):
            text += (f" Senaste 12 månaderna: {fmt_num(row['last12'], lang)} händelser mot "
                     f"{fmt_num(row['prev12'], lang)} de 12 månaderna före "
                     f"({fmt_signed_pct(row['last12_change'], lang)}).")
    else:
        if direction == "rising":
            text = f"Yes, an increase: about {ch_txt} more per year (95% CI {ci}; {fmt_p(row['p'], lang)})"
        elif direction == "falling":
            text = f"Yes, a decrease: about {ch_txt} fewer per year (95% CI {ci}; {fmt_p(row['p'], lang)})"
        else:
            text = (f"No clear increase or decrease: estimated change {fmt_signed_pct(ch, lang)} per year "
                    f"(95% CI {ci}; {fmt_p(row['p'], lang)})")
        text += f" over {n} months."
        if math.isfinite(row.get("last12_change", np.nan)):
            text += (f" Last 12 months: {fmt_num(row['last12'], lang)} incidents against "
                     f"{fmt_num(row['prev12'], lang)} in the 12 months before "
                     f"({fmt_signed_pct(row['last12_change'], lang)}).")
    return Answer("trend", _q("trend", lang), text, figures)


def _answer_season(sp: SeasonalProfile, alpha: float, lang: str) -> Answer:
    if sp.n_months < 12:
        text = (f"Underlaget täcker bara {sp.n_months} {'månad' if sp.n_months == 1 else 'månader'}; minst ett helt år behövs för att bedöma säsong."
                if lang == "sv" else
                f"The data cover only {sp.n_months} month{'' if sp.n_months == 1 else 's'}; at least a full year is needed to judge seasons.")
        return Answer("season", _q("season", lang), text, {"p": float("nan"), "n_months": sp.n_months})
    bs = sp.by_season
    hi = bs.loc[bs["index"].idxmax()]
    lo = bs.loc[bs["index"].idxmin()]
    sig = math.isfinite(sp.p) and sp.p < alpha
    figures = {"p": sp.p, "method": sp.method, "n_months": sp.n_months,
               "season_index": dict(zip(bs["season"], bs["index"].round(1), strict=True)),
               "peak_season": hi["season"], "low_season": lo["season"]}
    caveat_sv = " (kortare än två år: osäkert)" if sp.n_months < MIN_SEASONAL_MONTHS else ""
    caveat_en = " (under two years of data: uncertain)" if sp.n_months < MIN_SEASONAL_MONTHS else ""
    if lang == "sv":
        lead = "Ja" if sig else "Ingen tydlig säsongsvariation"
        text = (f"{lead}{caveat_sv}: flest under {hi['name']} (index {fmt_num(hi['index'], lang)}), "
                f"färrest under {lo['name']} (index {fmt_num(lo['index'], lang)}; 100 = genomsnitt), {fmt_p(sp.p, lang)}.")
    else:
        lead = "Yes" if sig else "No clear seasonal variation"
        text = (f"{lead}{caveat_en}: most in {hi['name']} (index {fmt_num(hi['index'], lang)}), "
                f"fewest in {lo['name']} (index {fmt_num(lo['index'], lang)}; 100 = average), {fmt_p(sp.p, lang)}.")
    return Answer("season", _q("season", lang), text, figures)


def _answer_days(c: Concentration, alpha: float, lang: str) -> Answer:
    names = _WEEKDAYS_LONG[lang]
    d1, d2 = names[c.top_days[0]], names[c.top_days[1]]
    sig = math.isfinite(c.weekday_p) and c.weekday_p < alpha
    even = 2 / 7
    figures = {"weekday_counts": {k: int(v) for k, v in c.weekday_counts.items()}, "p": c.weekday_p,
               "top_days": [d1, d2], "top_days_share": c.top_days_share, "even_share": even,
               "n": c.n_with_date}
    strong = c.top_days_share / even >= STRONG_RATIO
    figures["strength"] = "strong" if sig and strong else ("weak" if sig else "none")
    if c.n_with_date == 0:
        text = ("Inga händelser har datum per dag." if lang == "sv" else "No incident has a day date.")
    elif c.n_with_date < MIN_EVENTS:
        text = (f"För få händelser ({c.n_with_date}) för att bedöma veckodagar; minst {MIN_EVENTS} behövs."
                if lang == "sv" else
                f"Too few incidents ({c.n_with_date}) to judge weekdays; at least {MIN_EVENTS} are needed.")
    elif lang == "sv":
        lead = ("Ja" if strong else "Svagt") if sig else "Nej, ingen tydlig skillnad mellan veckodagar"
        text = (f"{lead}: {d1} och {d2} har {fmt_pct(c.top_days_share, lang)} av händelserna "
                f"(jämnt fördelat vore {fmt_pct(even, lang)}), {fmt_p(c.weekday_p, lang)}.")
    else:
        lead = ("Yes" if strong else "Only slightly") if sig else "No, no clear difference between weekdays"
        text = (f"{lead}: {d1} and {d2} have {fmt_pct(c.top_days_share, lang)} of incidents "
                f"(an even spread gives {fmt_pct(even, lang)}), {fmt_p(c.weekday_p, lang)}.")
    return Answer("days", _q("days", lang), text, figures)


def _answer_hours(c: Concentration, n_total: int, alpha: float, lang: str) -> Answer:
    sig = math.isfinite(c.hour_p) and c.hour_p < alpha
    s, e = c.peak_window
    window = (e - s) % 24 or 24
    missing = n_total - c.n_with_time
    figures = {"hour_counts": {int(k): int(v) for k, v in c.hour_counts.items()}, "p": c.hour_p,
               "peak_window": [s, e], "peak_window_share": c.peak_window_share,
               "top_cells_share": c.top_cells_share, "top_cells_n": c.top_cells_n,
               "n_with_time": c.n_with_time, "n_without_time": missing}
    if c.n_with_time == 0:
        text = ("Inga händelser har klockslag; tiden på dygnet kan inte bedömas." if lang == "sv"
                else "No incident has a clock time; time of day cannot be judged.")
        return Answer("hours", _q("hours", lang), text, figures)
    if c.n_with_time < MIN_EVENTS:
        text = (f"För få händelser med klockslag ({c.n_with_time}) för att bedöma tid på dygnet; "
                f"minst {MIN_EVENTS} behövs." if lang == "sv" else
                f"Too few incidents with a clock time ({c.n_with_time}) to judge the time of day; "
                f"at least {MIN_EVENTS} are needed.")
        return Answer("hours", _q("hours", lang), text, figures)
    strong = c.peak_window_share / (window / 24) >= STRONG_RATIO
    figures["strength"] = "strong" if sig and strong else ("weak" if sig else "none")
    if lang == "sv":
        lead = ("Ja" if strong else "Svagt") if sig else "Nej, ingen tydlig koncentration till vissa tider"
        text = (f"{lead}: mellan kl. {s:02d} och {e:02d} sker {fmt_pct(c.peak_window_share, lang)} av händelserna "
                f"(jämnt fördelat 25 %), {fmt_p(c.hour_p, lang)}. De 10 % mest belastade timmarna i veckan "
                f"({c.top_cells_n} av 168 veckodag-timmar) har {fmt_pct(c.top_cells_share, lang)} av händelserna.")
        if missing:
            text += f" {fmt_num(missing, lang)} händelser saknar klockslag och ingår inte."
    else:
        lead = ("Yes" if strong else "Only slightly") if sig else "No, no clear concentration in certain hours"
        text = (f"{lead}: {fmt_pct(c.peak_window_share, lang)} of incidents happen between {s:02d}:00 and {e:02d}:00 "
                f"(even spread 25%), {fmt_p(c.hour_p, lang)}. The busiest 10% of the week's hours "
                f"({c.top_cells_n} of 168 weekday-hours) hold {fmt_pct(c.top_cells_share, lang)} of incidents.")
        if missing:
            text += f" {fmt_num(missing, lang)} incidents have no clock time and are left out."
    return Answer("hours", _q("hours", lang), text, figures)


def _fmt_sim_p(c: Concentration, lang: str) -> str:
    floor = 1.0 / (c.simulations + 1)
    if c.places_p <= floor + 1e-12:
        return "p ≤ " + fmt_num(floor, lang, 3)
    return fmt_p(c.places_p, lang)


def _answer_places(c: Concentration, alpha: float, lang: str, hotspot_result: Any = None) -> Answer:
    figures = {"n_cells": c.n_cells, "resolution": c.resolution, "top_places_share": c.top_places_share,
               "top_places_n": c.top_places_n, "expected_even": c.top_places_expected, "p": c.places_p,
               "cells_for_half": c.cells_for_half, "share_cells_with_any": c.share_cells_with_any}
    if c.n_cells == 0:
        text = ("Inga händelser har position." if lang == "sv" else "No incident has a position.")
        return Answer("places", _q("places", lang), text, figures)
    sig = c.places_p < alpha and c.top_places_share > c.top_places_expected
    if lang == "sv":
        lead = "Ja" if sig else "Nej, inte mer än slumpen ger"
        text = (f"{lead}: de 5 % av rutorna (H3 upplösning {c.resolution}; {c.top_places_n} av {c.n_cells}) "
                f"med flest händelser har {fmt_pct(c.top_places_share, lang)} av alla händelser "
                f"(vid jämn spridning omkring {fmt_pct(c.top_places_expected, lang)}, {_fmt_sim_p(c, lang)}). "
                f"Hälften av händelserna finns i {fmt_pct(c.cells_for_half, lang, 1)} av rutorna.")
    else:
        lead = "Yes" if sig else "No, no more than chance gives"
        text = (f"{lead}: the 5% of cells (H3 resolution {c.resolution}; {c.top_places_n} of {c.n_cells}) "
                f"with most incidents hold {fmt_pct(c.top_places_share, lang)} of all incidents "
                f"(about {fmt_pct(c.top_places_expected, lang)} under an even spread, {_fmt_sim_p(c, lang)}). "
                f"Half of the incidents lie in {fmt_pct(c.cells_for_half, lang, 1)} of the cells.")
    if hotspot_result is not None and hasattr(hotspot_result, "cells"):
        cells = hotspot_result.cells
        if S.GI_BIN in cells.columns:
            hot = int((cells[S.GI_BIN] >= 2).sum())
            hot_counts = int(cells.loc[cells[S.GI_BIN] >= 2, S.COUNT].sum()) if S.COUNT in cells.columns else 0
            total = int(cells[S.COUNT].sum()) if S.COUNT in cells.columns else 0
            figures.update(hot_cells_95=hot, hot_cells_share=(hot_counts / total) if total else np.nan)
            if lang == "sv":
                text += (f" Getis-Ord Gi*: {hot} rutor är heta punkter med minst 95 % säkerhet (FDR-korrigerat)"
                         + (f", med {fmt_pct(hot_counts / total, lang)} av händelserna." if total else "."))
            else:
                text += (f" Getis-Ord Gi*: {hot} cells are hot spots at 95% confidence or more (FDR-corrected)"
                         + (f", holding {fmt_pct(hot_counts / total, lang)} of incidents." if total else "."))
    return Answer("places", _q("places", lang), text, figures)


def _answer_category_reference(incidents: pd.DataFrame, population: float, reference: Any,
                               lang: str) -> Answer:
    tab = category_rates(incidents, population=population, reference=reference, lang=lang)
    with_ref = tab[tab["reference"].notna()]
    figures = {"population": float(population), "years": tab.attrs["years"],
               "categories": tab.drop(columns=["rate_low", "rate_high"]).to_dict("records")}

    def item(r: Any) -> str:
        if lang == "sv":
            return (f"{r.label} ({fmt_num(r.rate, lang)} mot {fmt_num(r.reference, lang)} per 100 000; "
                    f"{fmt_num(r.ratio, lang, 1)} gånger)")
        return (f"{r.label} ({fmt_num(r.rate, lang)} against {fmt_num(r.reference, lang)} per 100,000; "
                f"{fmt_num(r.ratio, lang, 1)} times)")

    higher = [item(r) for r in with_ref[with_ref["verdict"] == "higher"].sort_values("ratio", ascending=False).itertuples()]
    lower = [item(r) for r in with_ref[with_ref["verdict"] == "lower"].sort_values("ratio").itertuples()]
    similar = [r.label for r in with_ref[with_ref["verdict"] == "similar"].itertuples()]
    if lang == "sv":
        parts = []
        if higher:
            parts.append("Ja, högre än referensvärdet: " + "; ".join(higher) + ".")
        else:
            parts.append("Nej, ingen kategori ligger säkert över referensvärdet.")
        if lower:
            parts.append("Lägre: " + "; ".join(lower) + ".")
        if similar:
            parts.append("Ingen säker skillnad: " + ", ".join(similar) + ".")
        parts.append(f"Per 100 000 invånare och år ({fmt_num(population, lang)} invånare, "
                     f"{fmt_num(tab.attrs['years'], lang, 1)} år; 95 % KI exakt Poisson).")
    else:
        parts = []
        if higher:
            parts.append("Yes, higher than the reference: " + "; ".join(higher) + ".")
        else:
            parts.append("No, no category is clearly above the reference.")
        if lower:
            parts.append("Lower: " + "; ".join(lower) + ".")
        if similar:
            parts.append("No clear difference: " + ", ".join(similar) + ".")
        parts.append(f"Per 100,000 inhabitants per year ({fmt_num(population, lang)} inhabitants, "
                     f"{fmt_num(tab.attrs['years'], lang, 1)} years; exact Poisson 95% CI).")
    return Answer("reference", _q("reference", lang), " ".join(parts), figures)


def _answer_reference(incidents: pd.DataFrame, areas: Any, population: float | None,
                      reference: Any, lang: str) -> Answer | None:
    if areas is None and population is None:
        return None
    if isinstance(reference, (Mapping, pd.DataFrame)):
        if isinstance(population, (int, float, np.number)) and not isinstance(population, bool):
            pop = float(population)
        elif areas is not None:
            col = population if isinstance(population, str) else "population"
            pop = float(pd.to_numeric(areas[col], errors="coerce").sum())
        else:  # pragma: no cover - guarded above
            return None
        return _answer_category_reference(incidents, pop, reference, lang)
    if areas is not None:
        rates = rates_per_100k(incidents, areas, reference=reference, lang=lang,
                               **({"population_col": population} if isinstance(population, str) else {}))
        tab = rates.table
        total = tab.iloc[-1]
        figures: dict[str, Any] = {"rate": float(total["rate"]), "rate_low": float(total["rate_low"]),
                                   "rate_high": float(total["rate_high"]), "reference_rate": rates.reference_rate,
                                   "reference": rates.reference_label, "years": rates.period_years,
                                   "areas": tab[["name", "count", "rate", "ratio"]].to_dict("records")}
        areas_only = tab[~tab["is_total"]]
        top = areas_only.sort_values("rate", ascending=False).head(1)
        rate, low, high = float(total["rate"]), float(total["rate_low"]), float(total["rate_high"])
        ref_rate = rates.reference_rate
        ref_label = rates.reference_label
        if ref_rate is not None and isinstance(reference, str) and reference.lower() in ("kommun", "total", "all", "alla"):
            ref_rate = None  # the whole against itself says nothing; compare the areas instead
        extra_sv = extra_en = ""
        if len(top):
            r = top.iloc[0]
            extra_sv = f" Högst är {r['name']} med {fmt_num(r['rate'], lang)} per 100 000 invånare och år"
            extra_en = f" Highest is {r['name']} with {fmt_num(r['rate'], 'en')} per 100,000 inhabitants per year"
            if math.isfinite(r["ratio"]):
                extra_sv += f" ({fmt_num(r['ratio'], lang, 2)} gånger {ref_label})"
                extra_en += f" ({fmt_num(r['ratio'], 'en', 2)} times {ref_label})"
            extra_sv += "."
            extra_en += "."
    else:
        pop = float(population)
        t = _times(incidents)
        ok = t.notna()
        start, end = _period(t[ok], incidents.loc[ok.to_numpy()])
        years = (end - start).days / 365.25
        n = int(ok.sum())
        lo_c, hi_c = poisson_ci(n)
        rate, low, high = n / (pop * years) * 1e5, float(lo_c) / (pop * years) * 1e5, float(hi_c) / (pop * years) * 1e5
        ref_rate = float(reference) if isinstance(reference, (int, float, np.number)) else None
        ref_label = ("referensvärdet" if lang == "sv" else "the reference value")
        figures = {"rate": rate, "rate_low": low, "rate_high": high, "reference_rate": ref_rate,
                   "population": pop, "years": years, "count": n}
        extra_sv = extra_en = ""
    rate_sv = (f"{fmt_num(rate, lang)} per 100 000 invånare och år (95 % KI {fmt_num(low, lang)}–{fmt_num(high, lang)})")
    rate_en = (f"{fmt_num(rate, 'en')} per 100,000 inhabitants per year (95% CI {fmt_num(low, 'en')}–{fmt_num(high, 'en')})")
    if ref_rate is not None and ref_rate > 0:
        ratio = rate / ref_rate
        figures.update(ratio=ratio, ratio_low=low / ref_rate, ratio_high=high / ref_rate)
        if low > ref_rate:
            verdict_sv, verdict_en = "Ja, högre än", "Yes, higher than"
        elif high < ref_rate:
            verdict_sv, verdict_en = "Nej, lägre än", "No, lower than"
        else:
            verdict_sv, verdict_en = "Ingen säker skillnad mot", "No clear difference from"
        text_sv = (f"{verdict_sv} referensvärdet: {rate_sv} mot {fmt_num(ref_rate, lang)} "
                   f"({fmt_num(ratio, lang, 2)} gånger).")
        text_en = (f"{verdict_en} the reference value: {rate_en} against {fmt_num(ref_rate, 'en')} "
                   f"({fmt_num(ratio, 'en', 2)} times).")
    elif areas is not None and rates.reference_rate is not None:
        text_sv = f"Alla områden tillsammans: {rate_sv}; områdena jämförs med {ref_label}."
        text_en = f"All areas together: {rate_en}; the areas are compared with {ref_label}."
    else:
        text_sv = f"Hela området: {rate_sv}; inget referensvärde angivet."
        text_en = f"Whole area: {rate_en}; no reference value given."
    text = (text_sv + extra_sv) if lang == "sv" else (text_en + extra_en)
    years = float(figures.get("years", 1.0))
    if years < 0.5:
        days = round(years * 365.25)
        text += (f" Obs: underlaget täcker bara {days} {'dag' if days == 1 else 'dagar'}, så takten per år är osäker."
                 if lang == "sv" else
                 f" Note: the data cover only {days} day{'' if days == 1 else 's'}, so the yearly rate is uncertain.")
    return Answer("reference", _q("reference", lang), text, figures)


def lagesbild_answers(incidents: pd.DataFrame, areas: Any = None, population: float | str | None = None,
                      reference: float | str | None = None, lang: str = "sv", *,
                      hotspot_result: Any = None, resolution: int | None = None, alpha: float = 0.05,
                      seed: int = 0) -> list[Answer]:
    """The handbook's stödfrågor (Steg 2, "Identifiera mönster") answered with figures.

    Parameters
    ----------
    incidents
        The incidents (already filtered to what the lägesbild is about).
    areas
        Optional areas (GeoDataFrame with a ``population`` column) for rates per 100 000.
    population
        Without ``areas``: the number of inhabitants of the whole area. With
        ``areas``: optionally the name of their population column.
    reference
        A reference rate per 100 000 and year (e.g. the national average); with
        ``areas`` also an area name or ``"kommun"``; or per category a mapping
        ``{category: rate}`` / a table like ``sample_data/reference_rates.csv``
        (then each category is compared with its own reference).
    hotspot_result
        Optional :class:`geo_trygghet.hotspots.HotSpotResult`; adds the Gi* hot cells.

    Returns
    -------
    A list of :class:`Answer` (each iterates as ``(question, answer, figures)``)
    in the order: commonest, trend, season, days, hours, places, and reference
    when areas or a population were given.
    """
    _check_lang(lang)
    _require(incidents, (S.OCCURRED_AT, S.CATEGORY, S.LON, S.LAT))
    _nonempty(incidents)
    trend = monthly_trend(incidents, alpha=alpha, lang=lang)
    sp = seasonal_profile(incidents, lang=lang, trend=trend)
    grid = getattr(hotspot_result, "grid", None)
    if grid is not None and resolution is not None and grid.resolution != resolution:
        grid = None
    conc = concentration(incidents, resolution=resolution, seed=seed, lang=lang, grid=grid)
    answers = [
        _answer_commonest(incidents, lang),
        _answer_trend(trend, lang),
        _answer_season(sp, alpha, lang),
        _answer_days(conc, alpha, lang),
        _answer_hours(conc, len(incidents), alpha, lang),
        _answer_places(conc, alpha, lang, hotspot_result),
    ]
    ref = _answer_reference(incidents, areas, population, reference, lang)
    if ref is not None:
        answers.append(ref)
    return answers


def answers_frame(answers: list[Answer]) -> pd.DataFrame:
    """The answers as a two-column table (question, answer) for display and export."""
    return pd.DataFrame({"question": [a.question for a in answers], "answer": [a.answer for a in answers]})

