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

Rates per 100 000 inhabitants are in :mod:`geo_trygghet.rates`; the handbook's
stödfrågor answered with these figures in :mod:`geo_trygghet.stodfragor`.

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
from ..errors import InputError, InsufficientDataError, SchemaError

__all__ = [
    "MONTHS",
    "SEASONS",
    "WEEKDAYS",
    "Concentration",
    "MonthlyTrend",
    "SeasonalProfile",
    "WeekdayHour",
    "category_counts",
    "concentration",
    "monthly_trend",
    "seasonal_profile",
    "weekday_hour",
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
        from ..ingest.crime_types import BRA_CATEGORIES, category_label
    except ImportError:  # pragma: no cover - categories is part of the package
        return str(slug)
    return category_label(slug, lang) if slug in BRA_CATEGORIES else str(slug)


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
        from ..hotspots.grid import build_grid

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
