"""The handbook's stödfrågor (Steg 2, "Identifiera mönster") answered with figures.

Each answer is a sentence in Swedish or English built from the patterns of
:mod:`geo_trygghet.patterns` and the rates of :mod:`geo_trygghet.rates`, with
the figures behind it. None of the functions changes its input.

- :func:`lagesbild_answers` the stödfrågor answered with computed figures, as :class:`Answer`
- :func:`answers_frame`     the answers as a two-column table for display and export
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .. import schema as S
from ..i18n.formatting import fmt_num, fmt_p, fmt_pct, fmt_signed_pct
from .patterns import (
    _WEEKDAYS_LONG,
    MIN_EVENTS,
    MIN_SEASONAL_MONTHS,
    MIN_TREND_MONTHS,
    STRONG_RATIO,
    Concentration,
    MonthlyTrend,
    SeasonalProfile,
    _check_lang,
    _nonempty,
    _require,
    _times,
    category_counts,
    concentration,
    monthly_trend,
    seasonal_profile,
)
from .rates import _period, category_rates, poisson_ci, rates_per_100k

__all__ = ["Answer", "lagesbild_answers"]


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
