"""The handbook's stödfrågor (Steg 2, "Identifiera mönster") answered with figures.

Each answer is data: which question (``key``), what the figures say (catalogue keys
with their fields: numbers, names, other keys; see :mod:`.wording`) and the figures
behind it. It is worded on demand in Swedish or English from the label catalogue
(``lagesbild.toml``), so the same answer reads in either language. The answers are
made from the patterns, concentration and rates that :func:`.result.build_lagesbild`
computes once; :func:`lagesbild_answers` is the shortcut that builds them all.

- :class:`Answer`            one stödfråga answered (iterates as ``(question, answer, figures)``)
- :func:`lagesbild_answers`  the stödfrågor answered for a set of incidents
- :func:`answers_frame`      the answers as a two-column table for display and export
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .. import schema as S
from ..i18n import text
from ._frames import category_word, weekday_names
from .concentration import MIN_EVENTS, STRONG_RATIO, Concentration
from .patterns import MIN_SEASONAL_MONTHS, MIN_TREND_MONTHS, MonthlyTrend, SeasonalProfile
from .rates import Rates
from .where import ChangePlaces, change_phrases
from .wording import Join, Num, Phrase, Word

if TYPE_CHECKING:  # pragma: no cover
    from .result import Lagesbild

__all__ = ["QUESTION_KEYS", "Answer", "answers_frame", "lagesbild_answers"]

#: the stödfrågor in the order the handbook asks them (words: ``lagesbild.q.<key>``)
QUESTION_KEYS = ("commonest", "trend", "season", "days", "hours", "places", "reference")
_A = "lagesbild.a."


@dataclass(frozen=True)
class Answer:
    """One stödfråga answered: ``key`` (see :data:`QUESTION_KEYS`), ``parts`` (the
    sentences as catalogue keys with fields), ``figures`` (the numbers behind them) and
    ``lang``, the language :attr:`question` and :attr:`answer` are worded in.
    Iterates as ``(question, answer, figures)``."""

    key: str
    parts: tuple[Phrase, ...]
    figures: dict[str, Any]
    lang: str = "sv"

    @property
    def code(self) -> str:
        """What the answer says, as a code: ``trend.rising``, ``days.few``, ``places`` …"""
        return self.parts[0].code

    @property
    def question(self) -> str:
        return text(f"lagesbild.q.{self.key}", self.lang)

    @property
    def answer(self) -> str:
        return " ".join(part.word(self.lang) for part in self.parts)

    def worded(self, lang: str) -> Answer:
        """The same answer worded in ``lang``."""
        return replace(self, lang=lang)

    def __iter__(self) -> Iterator[Any]:
        return iter((self.question, self.answer, self.figures))


def _plural(n: int) -> str:
    return "one" if n == 1 else "many"


def _pct(value: float, decimals: int = 0) -> Num:
    return Num(value, decimals, "pct")


def _p(value: float) -> Num:
    return Num(value, style="p")


def _strength(significant: bool, strong: bool) -> str:
    return ("strong" if strong else "weak") if significant else "none"


# --------------------------------------------------------------------------- the questions
def answer_commonest(categories: pd.DataFrame, crime_types: pd.Series, lang: str = "sv") -> Answer:
    """Which problems are commonest: the top three categories and crime types."""
    top = categories.head(3)
    n = int(categories["count"].sum())
    items = Join(tuple(Phrase(_A + "commonest.item", {"label": category_word(cat), "count": Num(count),
                                                      "share": _pct(share)})
                       for cat, count, share in zip(top[S.CATEGORY], top["count"], top["share"], strict=True)), "; ")
    parts = [Phrase(_A + f"commonest.{_plural(n)}", {"n": Num(n), "items": items})]
    types = crime_types.head(3)
    if len(types):
        listed = Join(tuple(Phrase(_A + "commonest.type", {"type": str(k), "count": Num(v)})
                            for k, v in types.items()))
        parts.append(Phrase(_A + "commonest.types", {"types": listed}))
    figures = {"total": n, "top_categories": top[[S.CATEGORY, "label", "count", "share"]].to_dict("records"),
               "top_crime_types": {str(k): int(v) for k, v in types.items()}}
    return Answer("commonest", tuple(parts), figures, lang)


def answer_trend(trend: MonthlyTrend, lang: str = "sv", places: ChangePlaces | None = None) -> Answer:
    """Has there been an increase or decrease: the trend test and the last 12 months, and with
    ``places`` (:func:`~.where.change_places`) where: the new, intensifying, persistent and
    diminishing hot spots by area."""
    answer = _answer_trend(trend, lang)
    if places is None:
        return answer
    return replace(answer, parts=(*answer.parts, *change_phrases(places)),
                   figures={**answer.figures, "emerging": places.figures()})


def _answer_trend(trend: MonthlyTrend, lang: str) -> Answer:
    row = trend.tests.iloc[0]
    direction = str(row["direction"])
    n = int(row["n_months"])
    figures = {k: (row[k].item() if hasattr(row[k], "item") else row[k])
               for k in ("direction", "p", "change_per_year", "ci_low", "ci_high", "n_months", "last12",
                         "prev12", "last12_change")}
    if direction == "insufficient":
        part = Phrase(_A + f"trend.insufficient.{_plural(n)}", {"n": n, "min": MIN_TREND_MONTHS})
        return Answer("trend", (part,), figures, lang)
    change = float(row["change_per_year"])
    fields = {"change": _pct(abs(change)) if direction in ("rising", "falling") else Num(change, style="signed_pct"),
              "ci_low": _pct(float(row["ci_low"])), "ci_high": _pct(float(row["ci_high"])),
              "p": _p(float(row["p"])), "n": n}
    parts = [Phrase(_A + f"trend.{direction}", fields)]
    if math.isfinite(row.get("last12_change", np.nan)):
        parts.append(Phrase(_A + "trend.last12", {"last12": Num(row["last12"]), "prev12": Num(row["prev12"]),
                                                  "change": Num(row["last12_change"], style="signed_pct")}))
    return Answer("trend", tuple(parts), figures, lang)


def answer_season(sp: SeasonalProfile, alpha: float = 0.05, lang: str = "sv") -> Answer:
    """Is there seasonal variation: the busiest and the quietest season, and the test."""
    if sp.n_months < 12:
        part = Phrase(_A + f"season.short.{_plural(sp.n_months)}", {"n": sp.n_months})
        return Answer("season", (part,), {"p": float("nan"), "n_months": sp.n_months}, lang)
    bs = sp.by_season
    hi = bs.iloc[int(np.nanargmax(bs["index"].to_numpy(float)))]
    lo = bs.iloc[int(np.nanargmin(bs["index"].to_numpy(float)))]
    sig = math.isfinite(sp.p) and sp.p < alpha
    figures = {"p": sp.p, "method": sp.method, "n_months": sp.n_months,
               "season_index": dict(zip(bs["season"], bs["index"].round(1), strict=True)),
               "peak_season": hi["season"], "low_season": lo["season"]}
    fields = {"lead": Word(_A + "season.lead." + ("yes" if sig else "no")),
              "caveat": Word(_A + "season.caveat") if sp.n_months < MIN_SEASONAL_MONTHS else "",
              "high": Word(f"lagesbild.season.{hi['season']}"), "high_index": Num(hi["index"]),
              "low": Word(f"lagesbild.season.{lo['season']}"), "low_index": Num(lo["index"]), "p": _p(sp.p)}
    return Answer("season", (Phrase(_A + "season", fields),), figures, lang)


def answer_days(c: Concentration, alpha: float = 0.05, lang: str = "sv") -> Answer:
    """Is it concentrated on certain days: the two busiest weekdays against an even spread."""
    d1, d2 = c.top_days
    names = weekday_names(lang, long=True)
    sig = math.isfinite(c.weekday_p) and c.weekday_p < alpha
    even = 2 / 7
    strength = _strength(sig, c.top_days_share / even >= STRONG_RATIO)
    figures = {"weekday_counts": {k: int(v) for k, v in c.weekday_counts.items()}, "p": c.weekday_p,
               "top_days": [names[d1], names[d2]], "top_days_share": c.top_days_share, "even_share": even,
               "n": c.n_with_date, "strength": strength}
    if c.n_with_date == 0:
        part = Phrase(_A + "days.no_dates")
    elif c.n_with_date < MIN_EVENTS:
        part = Phrase(_A + "days.few", {"n": c.n_with_date, "min": MIN_EVENTS})
    else:
        part = Phrase(_A + "days", {"lead": Word(_A + f"days.lead.{strength}"),
                                    "day1": Word(f"lagesbild.weekday_long.{d1}"),
                                    "day2": Word(f"lagesbild.weekday_long.{d2}"),
                                    "share": _pct(c.top_days_share), "even": _pct(even), "p": _p(c.weekday_p)})
    return Answer("days", (part,), figures, lang)


def answer_hours(c: Concentration, n_total: int, alpha: float = 0.05, lang: str = "sv") -> Answer:
    """Is it concentrated at certain times of day: the busiest 6 hours and weekday-hours."""
    s, e = c.peak_window
    missing = n_total - c.n_with_time
    figures = {"hour_counts": dict(enumerate(c.hour_counts.to_numpy().astype(int).tolist())), "p": c.hour_p,
               "peak_window": [s, e], "peak_window_share": c.peak_window_share,
               "top_cells_share": c.top_cells_share, "top_cells_n": c.top_cells_n,
               "n_with_time": c.n_with_time, "n_without_time": missing}
    if c.n_with_time == 0:
        return Answer("hours", (Phrase(_A + "hours.no_times"),), figures, lang)
    if c.n_with_time < MIN_EVENTS:
        return Answer("hours", (Phrase(_A + "hours.few", {"n": c.n_with_time, "min": MIN_EVENTS}),), figures, lang)
    sig = math.isfinite(c.hour_p) and c.hour_p < alpha
    window = (e - s) % 24 or 24
    strength = _strength(sig, c.peak_window_share / (window / 24) >= STRONG_RATIO)
    figures["strength"] = strength
    parts = [Phrase(_A + "hours", {"lead": Word(_A + f"hours.lead.{strength}"), "start": s, "end": e,
                                   "share": _pct(c.peak_window_share), "p": _p(c.hour_p),
                                   "top_n": c.top_cells_n, "top_share": _pct(c.top_cells_share)})]
    if missing:
        parts.append(Phrase(_A + "hours.missing", {"n": Num(missing)}))
    return Answer("hours", tuple(parts), figures, lang)


def _hot_cells(hotspot_result: Any, figures: dict[str, Any]) -> Phrase | None:
    """The Gi* hot cells (95 % or more) of a hot-spot result, as a sentence."""
    cells = getattr(hotspot_result, "cells", None)
    if cells is None or S.GI_BIN not in cells.columns:
        return None
    hot_rows = cells[S.GI_BIN] >= 2
    hot = int(hot_rows.sum())
    hot_counts = int(cells.loc[hot_rows, S.COUNT].sum()) if S.COUNT in cells.columns else 0
    total = int(cells[S.COUNT].sum()) if S.COUNT in cells.columns else 0
    figures.update(hot_cells_95=hot, hot_cells_share=(hot_counts / total) if total else np.nan)
    if total:
        return Phrase(_A + "places.hot", {"hot": hot, "share": _pct(hot_counts / total)})
    return Phrase(_A + "places.hot_no_count", {"hot": hot})


def answer_places(c: Concentration, alpha: float = 0.05, lang: str = "sv", hotspot_result: Any = None) -> Answer:
    """Is it concentrated in certain places: the busiest 5 % of cells against an even spread,
    and the Gi* hot spots when a hot-spot result is given."""
    figures = {"n_cells": c.n_cells, "resolution": c.resolution, "top_places_share": c.top_places_share,
               "top_places_n": c.top_places_n, "expected_even": c.top_places_expected, "p": c.places_p,
               "cells_for_half": c.cells_for_half, "share_cells_with_any": c.share_cells_with_any}
    if c.n_cells == 0:
        return Answer("places", (Phrase(_A + "places.no_positions"),), figures, lang)
    sig = c.places_p < alpha and c.top_places_share > c.top_places_expected
    floor = 1.0 / (c.simulations + 1)
    p = Num(floor, style="p_at_most") if c.places_p <= floor + 1e-12 else _p(c.places_p)
    parts = [Phrase(_A + "places", {"lead": Word(_A + "places.lead." + ("yes" if sig else "no")),
                                    "resolution": c.resolution, "top_n": c.top_places_n, "n_cells": c.n_cells,
                                    "share": _pct(c.top_places_share), "expected": _pct(c.top_places_expected),
                                    "p": p, "half": _pct(c.cells_for_half, 1)})]
    hot = _hot_cells(hotspot_result, figures) if hotspot_result is not None else None
    if hot is not None:
        parts.append(hot)
    return Answer("places", tuple(parts), figures, lang)


def answer_category_reference(table: pd.DataFrame, population: float, lang: str = "sv") -> Answer:
    """Is it more extensive than the reference, per category (``table`` from
    :func:`~geo_trygghet.lagesbild.rates.category_rates`)."""
    with_ref = table[table["reference"].notna()]
    figures = {"population": float(population), "years": table.attrs["years"],
               "categories": table.drop(columns=["rate_low", "rate_high"]).to_dict("records")}

    def item(r: Any) -> Phrase:
        return Phrase(_A + "reference.category", {"label": category_word(getattr(r, S.CATEGORY)),
                                                  "rate": Num(r.rate), "reference": Num(r.reference),
                                                  "ratio": Num(r.ratio, 1)})

    higher = [item(r) for r in with_ref[with_ref["verdict"] == "higher"].sort_values("ratio", ascending=False)
              .itertuples()]
    lower = [item(r) for r in with_ref[with_ref["verdict"] == "lower"].sort_values("ratio").itertuples()]
    similar = [category_word(getattr(r, S.CATEGORY)) for r in with_ref[with_ref["verdict"] == "similar"].itertuples()]
    parts = [Phrase(_A + "reference.categories_higher", {"items": Join(tuple(higher), "; ")}) if higher
             else Phrase(_A + "reference.no_category_higher")]
    if lower:
        parts.append(Phrase(_A + "reference.categories_lower", {"items": Join(tuple(lower), "; ")}))
    if similar:
        parts.append(Phrase(_A + "reference.categories_similar", {"items": Join(tuple(similar))}))
    parts.append(Phrase(_A + "reference.categories_basis", {"population": Num(population),
                                                            "years": Num(table.attrs["years"], 1)}))
    return Answer("reference", tuple(parts), figures, lang)


def _reference_word(rates: Rates) -> Any:
    """What the areas are compared with, as a word: the whole municipality, a value, an area."""
    if rates.reference_kind == "total":
        return Word("lagesbild.whole_municipality")
    if rates.reference_kind == "value" and rates.reference_rate is not None:
        return Phrase("lagesbild.reference_value", {"value": Num(rates.reference_rate, 1)})
    return rates.reference_label or ""


def _uncertain_item(r: Any) -> Phrase:
    """An uncertain area, its rate and why: "Öster (216 852; 600 invånare)"."""
    why = (Phrase("lagesbild.uncertain.population", {"population": Num(r["population"])})
           if r["uncertain"] == "population" else Phrase("lagesbild.uncertain.interval", {"count": Num(r["count"])}))
    return Phrase(_A + "reference.uncertain_item", {"name": str(r["name"]), "rate": Num(r["rate"]), "why": why})


def _highest_area(rates: Rates) -> list[Phrase]:
    """The highest *reliable* rate (exact 95 % interval), and the uncertain areas whose rate is
    higher, named as uncertain (see :mod:`.reliability`): an area of 600 residents with shops
    must not headline the lägesbild."""
    areas = rates.table[~rates.table["is_total"]].sort_values("rate", ascending=False)
    if not len(areas):
        return []
    reliable = areas["reliable"].to_numpy(bool) if "reliable" in areas else np.ones(len(areas), bool)
    parts = []
    top_rate = np.inf
    if reliable.any():
        r = areas[reliable].iloc[0]
        top_rate = float(r["rate"])
        ranked = "_reliable" if not reliable[0] else ""
        fields = {"name": str(r["name"]), "rate": Num(r["rate"]), "low": Num(r["rate_low"]),
                  "high": Num(r["rate_high"])}
        if math.isfinite(r["ratio"]):
            parts.append(Phrase(_A + f"reference.highest{ranked}_ratio",
                                {**fields, "ratio": Num(r["ratio"], 2), "reference": _reference_word(rates)}))
        else:
            parts.append(Phrase(_A + f"reference.highest{ranked}", fields))
    else:
        parts.append(Phrase(_A + "reference.no_reliable"))
    above = areas[~reliable & (areas["rate"].to_numpy(float) > top_rate)] if reliable.any() else areas
    if len(above):
        items = Join(tuple(_uncertain_item(r) for _, r in above.head(3).iterrows()), "; ")
        parts.append(Phrase(_A + "reference.uncertain_higher",
                            {"items": items, "min": Num(rates.min_population)}))
    return parts


def answer_rate_reference(rates: Rates, lang: str = "sv") -> Answer:
    """Is it more extensive than the reference: the rate of all areas together (or of the
    whole area, from :func:`~geo_trygghet.lagesbild.rates.population_rates`) against the
    reference, and the highest area."""
    tab = rates.table
    per_area = bool((~tab["is_total"]).any())
    total = tab.iloc[-1]
    rate, low, high = float(total["rate"]), float(total["rate_low"]), float(total["rate_high"])
    figures: dict[str, Any] = {"rate": rate, "rate_low": low, "rate_high": high,
                               "reference_rate": rates.reference_rate, "years": rates.period_years}
    if per_area:
        figures.update(reference=rates.reference_label,
                       areas=tab[["name", "count", "rate", "ratio"]].to_dict("records"))
    else:
        figures.update(population=float(total["population"]), count=int(total["count"]))
    # the whole against itself says nothing: then the areas are compared instead
    ref_rate = None if rates.reference_kind == "total" else rates.reference_rate
    rate_text = Phrase(_A + "reference.rate", {"rate": Num(rate), "low": Num(low), "high": Num(high)})
    if ref_rate is not None and ref_rate > 0:
        figures.update(ratio=rate / ref_rate, ratio_low=low / ref_rate, ratio_high=high / ref_rate)
        verdict = "higher" if low > ref_rate else ("lower" if high < ref_rate else "similar")
        parts = [Phrase(_A + f"reference.{verdict}", {"rate": rate_text, "reference": Num(ref_rate),
                                                       "ratio": Num(rate / ref_rate, 2)})]
    elif per_area and rates.reference_rate is not None:
        parts = [Phrase(_A + "reference.areas_compared", {"rate": rate_text, "reference": _reference_word(rates)})]
    else:
        parts = [Phrase(_A + "reference.none", {"rate": rate_text})]
    if per_area:
        parts += _highest_area(rates)
    if rates.period_years < 0.5:
        days = round(rates.period_years * 365.25)
        parts.append(Phrase(_A + f"reference.short.{_plural(days)}", {"days": days}))
    return Answer("reference", tuple(parts), figures, lang)


# --------------------------------------------------------------------------- all of them
def lagesbild_answers(incidents: pd.DataFrame, areas: Any = None, population: float | str | None = None,
                      reference: Any = None, lang: str = "sv", *, hotspot_result: Any = None,
                      resolution: int | None = None, alpha: float = 0.05, seed: int = 0) -> list[Answer]:
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
    when areas or a population were given. The answers of
    :attr:`geo_trygghet.lagesbild.Lagesbild.answers`, which holds the figures too.
    """
    from .result import build_lagesbild  # the result builds the answers from its parts

    lb: Lagesbild = build_lagesbild(incidents, areas=areas, population=population, reference=reference,
                                    hotspot_result=hotspot_result, resolution=resolution, alpha=alpha, seed=seed,
                                    lang=lang)
    return list(lb.answers)


def answers_frame(answers: Sequence[Answer]) -> pd.DataFrame:
    """The answers as a two-column table (question, answer) for display and export."""
    return pd.DataFrame({"question": [a.question for a in answers], "answer": [a.answer for a in answers]})
