"""Rates per 100 000 inhabitants and year, per area or per Brå category.

Pure functions over an incidents (Geo)DataFrame with the columns of
:mod:`geo_trygghet.schema`; the period is the span of the incidents. None of
them changes its input.

- :func:`rates_per_100k`    counts and rates per 100 000 inhabitants and year per area,
  with exact Poisson confidence intervals and the ratio to a reference value
- :func:`population_rates`  the same for one area given only its number of inhabitants
- :func:`category_rates`    the same per Brå category, against a per-category reference
- :func:`poisson_ci`        the exact interval for a Poisson count
- :func:`attach_population` areas and a separate population table joined on their common
  code (SCB, ONS and most councils publish the two apart)

Rates: exact Poisson (Garwood) intervals from ``scipy.stats.chi2``; against
another area, the exact conditional (binomial) interval for the ratio of two
Poisson rates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .. import schema as S
from ..errors import InputError, SchemaError
from ..i18n import text
from ..i18n.formatting import fmt_num
from ._frames import check_lang, nonempty, period, require, times
from .patterns import category_counts
from .reliability import EB_METHOD, MAX_RELATIVE_CI_WIDTH, MIN_POPULATION, add_reliability, uncertain

__all__ = ["Rates", "attach_population", "category_rates", "population_rates", "rates_per_100k"]

#: references that mean "all areas together"
TOTAL_REFERENCES = ("kommun", "total", "all", "alla")


@dataclass(frozen=True)
class Rates:
    """Rates per 100 000 inhabitants and year.

    ``table``: one row per area plus a last row for all areas together
    (``is_total``): ``name``, ``population``, ``count``, ``years``,
    ``rate`` (per 100 000 and year), ``rate_low``/``rate_high`` (exact 95 %
    Poisson interval), ``ratio`` (rate / reference), ``ratio_low``/``ratio_high``.
    ``by_year``: ``name``, ``year``, ``count``, ``years`` (the part of that
    calendar year the data cover), ``rate``. ``reference_rate``, ``reference_label``
    (worded in the language asked for) and ``reference_kind`` describe what the ratio
    compares with.
    """

    table: pd.DataFrame
    by_year: pd.DataFrame
    period_years: float
    start: pd.Timestamp
    end: pd.Timestamp
    reference_rate: float | None
    reference_label: str | None
    n_outside: int
    #: what the reference is: "value" (a number), "total" (all areas together), "area" (one of them)
    reference_kind: str | None = None
    #: the smoothing of ``rate_eb`` (:data:`.reliability.EB_METHOD`), None without smoothed rates
    smoothing: str | None = None
    #: the reliability rule: fewer inhabitants, or a relatively wider 95 % interval, is uncertain
    min_population: float = MIN_POPULATION
    max_relative_ci_width: float = MAX_RELATIVE_CI_WIDTH


_NAME_CANDIDATES = ("name", "namn", "omrade", "område", "omradesnamn", "områdesnamn", "area", "deso",
                    "deso_namn", "kommundel", "stadsdel", "regso", "regso_namn", "ward_name", "ward",
                    "district_name", "lad_name")
_POPULATION_CANDIDATES = ("population", "befolkning", "folkmangd", "folkmängd", "invanare", "invånare",
                          "antal_invanare", "antal invånare", "pop", "total", "totalt", "all_ages", "all ages")


def _key_text(values: pd.Series) -> pd.Series:
    """Codes compared as text: stripped, upper case; '180.0' (read as a number) as '180', and
    leading zeros of all-digit codes dropped (a spreadsheet turns kommun code 0180 into 180)."""
    text = values.astype(str).str.strip().str.upper().str.replace(r"\.0$", "", regex=True)
    digits = text.str.fullmatch(r"\d+")
    return text.where(~digits, text.str.lstrip("0").replace("", "0"))


def _population_column(table: pd.DataFrame, population_col: str | None) -> str:
    if population_col is not None:
        if population_col not in table.columns:
            msg = (f"the population table has no column '{population_col}': "
                   f"choose one of {', '.join(map(str, table.columns))}")
            raise SchemaError(msg)
        return population_col
    lower = {str(c).strip().lower(): c for c in table.columns}
    named = next((lower[c] for c in _POPULATION_CANDIDATES if c in lower), None)
    if named is not None:
        return named
    numeric = [c for c in table.columns if pd.api.types.is_numeric_dtype(table[c])]
    if len(numeric) == 1:
        return numeric[0]
    msg = ("the population table has no column called population/befolkning/invånare and "
           f"{'no' if not numeric else 'several'} numeric columns: name it (population_col=...)")
    raise SchemaError(msg)


def _best_key_pair(areas: pd.DataFrame, area_cols: list[Any], table: pd.DataFrame,
                   table_cols: list[Any]) -> tuple[int, Any, Any]:
    """(matches, area column, table column) of the pair of code columns that match most areas."""
    best: tuple[int, Any, Any] = (0, None, None)
    for a in area_cols:
        left = _key_text(areas[a])
        for b in table_cols:
            hits = int(left.isin(set(_key_text(table[b]))).sum())
            if hits > best[0]:
                best = (hits, a, b)
    return best


def attach_population(areas_gdf: Any, table: pd.DataFrame, *, area_key: str | None = None,
                      table_key: str | None = None, population_col: str | None = None) -> Any:
    """``areas_gdf`` with a ``population`` column taken from ``table``, joined on a code.

    Without ``area_key``/``table_key`` the pair of columns whose values match for the most
    areas is used, among columns that name each area once (compared as trimmed upper-case
    text, so ``E05001643``, ``0180`` or a DeSO code match however the spreadsheet stored them).
    The population column is found by name (population, befolkning, folkmängd, invånare …) or
    as the table's only numeric column.
    Areas without a match (or with an empty population) are left out, so their incidents count
    as outside the areas; ``result.attrs["population_join"]`` says which columns were joined and
    which areas were left out. If no pair of columns matches at least half of the areas it is an
    error saying so.
    """
    import geopandas as gpd

    if not isinstance(areas_gdf, gpd.GeoDataFrame):
        msg = "areas must be a GeoDataFrame of polygons (e.g. read with geopandas.read_file)"
        raise InputError(msg)
    pop_col = _population_column(table, population_col)
    population = pd.to_numeric(table[pop_col], errors="coerce")
    area_cols = [area_key] if area_key else [c for c in areas_gdf.columns if c != "geometry"]
    table_cols = [table_key] if table_key else [c for c in table.columns if c != pop_col]
    for col, frame, what in ((area_key, areas_gdf, "areas"), (table_key, table, "population table")):
        if col is not None and col not in frame.columns:
            msg = f"the {what} have no column '{col}': choose one of {', '.join(map(str, frame.columns))}"
            raise SchemaError(msg)
    # a key must name each area once on both sides (ward names repeat across districts: codes do not)
    unique_areas = [a for a in area_cols if area_key or not _key_text(areas_gdf[a]).duplicated().any()]
    unique_table = [b for b in table_cols if not _key_text(table[b]).duplicated().any()]
    if table_key and not unique_table:
        msg = f"the population table repeats codes in '{table_key}': give a column that names each area once"
        raise SchemaError(msg)
    hits, a, b = _best_key_pair(areas_gdf, unique_areas, table, unique_table)
    if a is None or b is None or hits < max(1, len(areas_gdf) / 2):
        msg = ("the areas and the population table share no code for at least half of the areas "
               f"(best: {hits} of {len(areas_gdf)}): give both a column with the same area codes")
        raise SchemaError(msg)
    lookup = pd.Series(population.to_numpy(), index=_key_text(table[b]))
    out = areas_gdf.copy()
    out["population"] = _key_text(out[a]).map(lookup).to_numpy()
    unmatched = out["population"].isna()
    out = out[~unmatched].reset_index(drop=True)
    out.attrs["population_join"] = {"area_key": a, "table_key": b, "population_col": pop_col,
                                    "matched": len(out), "areas": len(areas_gdf),
                                    "unmatched": [str(v) for v in areas_gdf.loc[unmatched.to_numpy(), a]]}
    return out


def poisson_ci(count: np.ndarray | float, alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """Exact (Garwood) two-sided ``1 - alpha`` interval for a Poisson count."""
    k = np.asarray(count, dtype=float)
    low = np.where(k > 0, stats.chi2.ppf(alpha / 2, 2 * k) / 2, 0.0)
    high = stats.chi2.ppf(1 - alpha / 2, 2 * k + 2) / 2
    return low, high


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


def _dated(incidents: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series, pd.Timestamp, pd.Timestamp]:
    """The incidents with a known time, their times, and the period they cover."""
    t = times(incidents)
    ok = t.notna().to_numpy()
    nonempty(incidents.loc[ok], "rates")
    start, end = period(t[ok], incidents.loc[ok])
    return incidents.loc[ok], t[ok], start, end


def _rate_table(names: list[str], counts: np.ndarray, population: np.ndarray, years: float, alpha: float,
                is_total: list[bool]) -> pd.DataFrame:
    person_years = np.asarray(population, float) * years
    counts = np.asarray(counts, np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        lo, hi = poisson_ci(counts, alpha)
        rate = np.where(person_years > 0, counts / person_years * 1e5, np.nan)
        rate_low = np.where(person_years > 0, lo / person_years * 1e5, np.nan)
        rate_high = np.where(person_years > 0, hi / person_years * 1e5, np.nan)
    nan = np.full(len(names), np.nan)
    return pd.DataFrame({"name": names, "population": np.asarray(population, float), "count": counts,
                         "years": years, "rate": rate, "rate_low": rate_low, "rate_high": rate_high,
                         "is_total": is_total, "ratio": nan, "ratio_low": nan.copy(), "ratio_high": nan.copy()})


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def _is_total(reference: Any) -> bool:
    return isinstance(reference, str) and reference.strip().lower() in TOTAL_REFERENCES


def _ratio_to_rate(table: pd.DataFrame, ref_rate: float) -> None:
    """Ratios against a fixed rate (a number, or all areas together)."""
    for col in ("", "_low", "_high"):
        table["ratio" + col] = table["rate" + col] / ref_rate


def _ratio_to_area(table: pd.DataFrame, j: int, alpha: float) -> None:
    """Ratios against area ``j``: the exact conditional (binomial) interval for the ratio of
    two Poisson rates."""
    counts, person_years = table["count"].to_numpy(), (table["population"] * table["years"]).to_numpy()
    k2, e2 = counts[j], person_years[j]
    ratio, low, high = (np.full(len(table), np.nan) for _ in range(3))
    for i in range(len(table)):
        k1, e1 = counts[i], person_years[i]
        if e1 <= 0 or e2 <= 0 or k2 == 0:
            continue
        ratio[i] = (k1 / e1) / (k2 / e2)
        pl = stats.beta.ppf(alpha / 2, k1, k2 + 1) if k1 > 0 else 0.0
        pu = stats.beta.ppf(1 - alpha / 2, k1 + 1, k2) if k2 > 0 else 1.0
        low[i] = pl / (1 - pl) * e2 / e1 if k1 + k2 else np.nan
        high[i] = pu / (1 - pu) * e2 / e1 if pu < 1 else np.inf
    table["ratio"], table["ratio_low"], table["ratio_high"] = ratio, low, high


def _reference_value(reference: Any, lang: str) -> tuple[float, str]:
    ref_rate = float(reference)
    if not ref_rate > 0:
        msg = f"the reference rate must be a positive number per 100 000 and year, got {reference}"
        raise InputError(msg)
    return ref_rate, text("lagesbild.reference_value", lang, value=fmt_num(ref_rate, lang, 1))


def _apply_reference(table: pd.DataFrame, reference: Any, names: pd.Series, alpha: float,
                     lang: str) -> tuple[float | None, str | None, str | None]:
    """Fill the ratio columns of ``table`` against ``reference``; returns (rate, label, kind)."""
    if reference is None:
        return None, None, None
    if _is_number(reference):
        ref_rate, label = _reference_value(reference, lang)
        _ratio_to_rate(table, ref_rate)
        return ref_rate, label, "value"
    if _is_total(reference):
        ref_rate = float(table["rate"].iloc[-1])
        _ratio_to_rate(table, ref_rate)
        return ref_rate, text("lagesbild.whole_municipality", lang), "total"
    if isinstance(reference, str) and reference in set(names):
        j = int(np.flatnonzero(names.to_numpy() == reference)[0])
        _ratio_to_area(table, j, alpha)
        return float(table["rate"].iloc[j]), reference, "area"
    msg = (f"reference '{reference}' is neither a number (per 100 000 and year), an area name "
           f"({', '.join(names[:5])}…) nor 'kommun'")
    raise InputError(msg)


def _by_year(names: list[str], population: np.ndarray, area_of: np.ndarray, year_of: np.ndarray,
             start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Counts and rates per area and calendar year (the part of each year the data cover)."""
    fractions = _year_fractions(start, end)
    rows = []
    for i, nm in enumerate(names):
        yc = pd.Series(year_of[area_of == i]).value_counts()
        for year, frac in fractions.items():
            c = int(yc.get(year, 0))
            py = population[i] * frac
            rows.append({"name": nm, "year": year, "count": c, "years": frac,
                         "rate": c / py * 1e5 if py > 0 else np.nan})
    return pd.DataFrame(rows, columns=["name", "year", "count", "years", "rate"])


def _areas_frame(areas_gdf: Any, population_col: str, name_col: str | None,
                 lang: str) -> tuple[Any, pd.Series, np.ndarray]:
    """The areas in WGS84, their names and their populations (checked)."""
    import geopandas as gpd

    from ..crs import to_wgs84

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
             else pd.Series([text("lagesbild.area_n", lang, n=i + 1) for i in range(len(areas))]))
    pop = pd.to_numeric(areas[population_col], errors="coerce").to_numpy(float)
    if np.isnan(pop).any() or (pop < 0).any():
        bad = int(np.flatnonzero(np.isnan(pop) | (pop < 0))[0]) + 1
        msg = f"the areas' column '{population_col}' must hold numbers of inhabitants ≥ 0; row {bad} does not"
        raise SchemaError(msg)
    return areas, names, pop


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
    check_lang(lang)
    areas, names, pop = _areas_frame(areas_gdf, population_col, name_col, lang)
    require(incidents, (S.LON, S.LAT))
    inc, t, start, end = _dated(incidents)
    period_years = (end - start).days / 365.25
    lon = pd.to_numeric(inc[S.LON], errors="coerce").to_numpy(float)
    lat = pd.to_numeric(inc[S.LAT], errors="coerce").to_numpy(float)
    good = np.isfinite(lon) & np.isfinite(lat)
    area_idx, inc_idx = _points_in_areas(lon, lat, good, areas.geometry.to_numpy())
    counts = np.bincount(area_idx, minlength=len(areas)).astype(np.int64)
    n_inside = len(np.unique(inc_idx))  # every incident inside any area, once: the total row
    table = _rate_table([*names.tolist(), text("lagesbild.all_areas", lang)], np.append(counts, n_inside),
                        np.append(pop, pop.sum()), period_years, alpha, [False] * len(areas) + [True])
    ref_rate, ref_label, ref_kind = _apply_reference(table, reference, names, alpha, lang)
    by_year = _by_year(names.tolist(), pop, area_idx, t.dt.year.to_numpy()[inc_idx], start, end)
    return Rates(table=add_reliability(table), by_year=by_year, period_years=period_years, start=start, end=end,
                 reference_rate=ref_rate, reference_label=ref_label, n_outside=int(good.sum() - n_inside),
                 reference_kind=ref_kind, smoothing=EB_METHOD)


def population_rates(incidents: pd.DataFrame, population: float, *, reference: float | None = None,
                     name: str | None = None, alpha: float = 0.05, lang: str = "sv") -> Rates:
    """The rate per 100 000 inhabitants and year of all ``incidents`` in one area of
    ``population`` inhabitants (no polygons needed), against a reference rate if given.

    ``table`` has one row (``is_total``), named ``name`` or "hela området".

    >>> import pandas as pd
    >>> inc = pd.DataFrame({"occurred_at": pd.date_range("2024-01-01", "2024-12-31", periods=500)})
    >>> r = population_rates(inc, 10_000, reference=4000.0)
    >>> round(float(r.table["rate"].iloc[0]), -2), round(float(r.table["ratio"].iloc[0]), 1)
    (5000.0, 1.2)
    """
    check_lang(lang)
    if not (_is_number(population) and population > 0):
        msg = f"population must be a positive number of inhabitants, got {population!r}"
        raise InputError(msg)
    _inc, t, start, end = _dated(incidents)
    years = (end - start).days / 365.25
    table = _rate_table([name or text("lagesbild.whole_area", lang)], np.array([len(t)]),
                        np.array([float(population)]), years, alpha, [True])
    ref_rate = ref_label = ref_kind = None
    if reference is not None:
        ref_rate, ref_label = _reference_value(reference, lang)
        ref_kind = "value"
        _ratio_to_rate(table, ref_rate)
    by_year = _by_year(table["name"].tolist(), np.array([float(population)]), np.zeros(len(t), np.int64),
                       t.dt.year.to_numpy(), start, end)
    return Rates(table=add_reliability(table, smooth=False), by_year=by_year, period_years=years, start=start,
                 end=end, reference_rate=ref_rate, reference_label=ref_label, n_outside=0, reference_kind=ref_kind)


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
    missing without a reference for that category), ``uncertain`` and ``reliable``
    (see :mod:`.reliability`).
    """
    check_lang(lang)
    if not (_is_number(population) and population > 0):
        msg = f"population must be a positive number of inhabitants, got {population!r}"
        raise InputError(msg)
    inc, _t, start, end = _dated(incidents)
    years = (end - start).days / 365.25
    cc = category_counts(inc, lang=lang)
    person_years = float(population) * years
    lo, hi = poisson_ci(cc["count"].to_numpy(), alpha)
    out = cc[[S.CATEGORY, "label", "count"]].copy()
    out["rate"] = out["count"] / person_years * 1e5
    out["rate_low"] = lo / person_years * 1e5
    out["rate_high"] = hi / person_years * 1e5
    ref = _reference_table(reference) if reference is not None else {}
    out["reference"] = [ref.get(c, np.nan) if isinstance(c, str) else np.nan for c in out[S.CATEGORY]]
    out["ratio"] = out["rate"] / out["reference"]
    ref_rate = out["reference"].to_numpy(float)
    verdict = np.where(out["rate_low"].to_numpy() > ref_rate, "higher",
                       np.where(out["rate_high"].to_numpy() < ref_rate, "lower", "similar")).astype(object)
    verdict[np.isnan(ref_rate)] = None
    out["verdict"] = verdict
    out["uncertain"] = uncertain(np.full(len(out), float(population)), out["count"], out["rate"], out["rate_low"],
                                 out["rate_high"])
    out["reliable"] = [r is None for r in out["uncertain"]]
    out.attrs["years"] = years
    out.attrs["population"] = float(population)
    return out
