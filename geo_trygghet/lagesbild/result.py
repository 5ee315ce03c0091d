"""The lägesbild as one result object, built once from the incidents.

:func:`build_lagesbild` computes every part the handbook's Steg 2 asks for (the
commonest problems, the monthly trend, the season, weekday × hour, concentration in
days, hours and places, rates per 100 000 against a reference) and answers the
stödfrågor from those same parts. The app's Lägesbild page and the HTML/PDF report
(:mod:`geo_trygghet.reports.lagesbild`) both show one :class:`Lagesbild`, so the page
and the report always tell the same figures.

>>> import geo_trygghet as gt                                                # doctest: +SKIP
>>> inc = gt.read_incidents("sample_data/incidents.csv").gdf                 # doctest: +SKIP
>>> lb = build_lagesbild(inc, population=34_500, reference=3000.0)           # doctest: +SKIP
>>> lb.answer("trend").answer                                                # doctest: +SKIP
'Ja, en ökning: antalet har ökat med omkring 12 % per år …'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from .. import schema as S
from ..errors import GeoTrygghetError
from ._frames import check_lang, nonempty, require, times
from .concentration import Concentration, concentration
from .patterns import MonthlyTrend, SeasonalProfile, WeekdayHour, category_counts, monthly_trend, seasonal_profile
from .patterns import weekday_hour as weekday_hour_table
from .rates import Rates, category_rates, population_rates, rates_per_100k
from .stodfragor import (
    Answer,
    answer_category_reference,
    answer_commonest,
    answer_days,
    answer_hours,
    answer_places,
    answer_rate_reference,
    answer_season,
    answer_trend,
)
from .where import ChangePlaces, change_places

__all__ = ["Lagesbild", "build_lagesbild", "crime_type_counts"]

T = TypeVar("T")


@dataclass(frozen=True)
class Lagesbild:
    """Everything the lägesbild shows for one set of incidents, computed once.

    Attributes
    ----------
    n, start, end
        How many incidents, the first and the last time among them.
    categories
        :func:`~.patterns.category_counts`: ``category``, ``label``, ``count``, ``share``.
    crime_types
        Incidents per crime type, commonest first (empty without crime types).
    answers
        The stödfrågor answered (:class:`~.stodfragor.Answer`), in the handbook's order.
    trend, trend_by_category, season, weekday_hour, concentration
        The time patterns (:class:`~.patterns.MonthlyTrend`, its ``tests`` per category,
        :class:`~.patterns.SeasonalProfile`, :class:`~.patterns.WeekdayHour`) and
        :class:`~.concentration.Concentration`; None when they could not be computed
        (see ``problems``).
    area_rates, category_rates, whole_rates
        Rates per 100 000: per area (areas given), per category against a per-category
        reference, or for the whole area from a typed population.
    problems
        Part → why it could not be computed (only with ``errors="collect"``).
    """

    n: int
    start: pd.Timestamp
    end: pd.Timestamp
    categories: pd.DataFrame
    crime_types: pd.Series
    answers: tuple[Answer, ...]
    trend: MonthlyTrend | None = None
    trend_by_category: pd.DataFrame | None = None
    season: SeasonalProfile | None = None
    weekday_hour: WeekdayHour | None = None
    concentration: Concentration | None = None
    area_rates: Rates | None = None
    category_rates: pd.DataFrame | None = None
    whole_rates: Rates | None = None
    hotspot_result: Any = field(default=None, repr=False)
    areas: Any = field(default=None, repr=False)
    #: where it changes: the emerging hot spots by area (:class:`~.where.ChangePlaces`), when given
    change: ChangePlaces | None = None
    problems: Mapping[str, str] = field(default_factory=dict)
    lang: str = "sv"

    def answer(self, key: str) -> Answer | None:
        """The answer to stödfråga ``key`` (``commonest``, ``trend`` …), or None."""
        return next((a for a in self.answers if a.key == key), None)

    @property
    def rates_table(self) -> pd.DataFrame | None:
        """The rates to show first: per area, else per category, else the whole area."""
        if self.area_rates is not None:
            return self.area_rates.table
        if self.category_rates is not None:
            return self.category_rates
        return self.whole_rates.table if self.whole_rates is not None else None


def crime_type_counts(incidents: pd.DataFrame) -> pd.Series:
    """Incidents per crime type, commonest first (empty when the file has no crime types)."""
    if S.CRIME_TYPE not in incidents.columns or not incidents[S.CRIME_TYPE].notna().any():
        return pd.Series(dtype="int64", name="count")
    return incidents[S.CRIME_TYPE].dropna().astype(str).value_counts()


class _Parts:
    """Computes one part after another; a part that fails either raises (``errors="raise"``)
    or is noted in ``problems`` and left out (``errors="collect"``, for the app)."""

    def __init__(self, errors: str) -> None:
        if errors not in ("raise", "collect"):
            msg = f"errors must be 'raise' or 'collect', got {errors!r}"
            raise ValueError(msg)
        self.collect = errors == "collect"
        self.problems: dict[str, str] = {}

    def __call__(self, name: str, make: Callable[[], T]) -> T | None:
        try:
            return make()
        except GeoTrygghetError as exc:
            if not self.collect:
                raise
            self.problems.setdefault(name, str(exc))
            return None


def _number(value: Any) -> float | None:
    if isinstance(value, (int, float, np.number)) and not isinstance(value, bool):
        return float(value)
    return None


def _rates(incidents: pd.DataFrame, areas: Any, population: float | str | None, reference: Any,
           lang: str) -> tuple[Rates | None, pd.DataFrame | None, Rates | None]:
    """(per area, per category, whole area): what the areas, population and reference allow."""
    per_category = isinstance(reference, (Mapping, pd.DataFrame))
    typed = _number(population)
    area_rates = None
    if areas is not None:
        col = population if isinstance(population, str) else "population"
        area_rates = rates_per_100k(incidents, areas, population_col=col,
                                    reference=None if per_category else reference, lang=lang)
    if per_category:
        if typed is None and area_rates is not None:
            typed = float(area_rates.table["population"].iloc[-1])  # all areas together
        if typed is None:
            return area_rates, None, None
        return area_rates, category_rates(incidents, population=typed, reference=reference, lang=lang), None
    if areas is None and typed is not None:
        return None, None, population_rates(incidents, typed, reference=_number(reference), lang=lang)
    return area_rates, None, None


def _reference_answer(area_rates: Rates | None, category_table: pd.DataFrame | None, whole: Rates | None,
                      lang: str) -> Answer | None:
    if category_table is not None:
        population = category_table.attrs["population"]
        return answer_category_reference(category_table, population, lang)
    if area_rates is not None:
        return answer_rate_reference(area_rates, lang)
    return answer_rate_reference(whole, lang) if whole is not None else None


def build_lagesbild(incidents: pd.DataFrame, *, areas: Any = None, population: float | str | None = None,
                    reference: Any = None, hotspot_result: Any = None, resolution: int | None = None,
                    alpha: float = 0.05, seed: int = 0, lang: str = "sv", errors: str = "raise",
                    emerging: Any = None, place_areas: Any = None, located: pd.DataFrame | None = None) -> Lagesbild:
    """The lägesbild of ``incidents``, every part computed once (see :class:`Lagesbild`).

    Parameters
    ----------
    incidents
        The incidents the lägesbild is about (filter first), with the columns of
        :mod:`geo_trygghet.schema` (``occurred_at``, ``category``, ``lon``, ``lat`` at least).
    areas
        Optional areas (GeoDataFrame with a population column) for rates per 100 000 per area.
    population
        Without ``areas``: the number of inhabitants of the whole area. With ``areas``:
        optionally the name of their population column.
    reference
        A rate per 100 000 and year (e.g. the national average); with ``areas`` also an
        area name or ``"kommun"``; or per category a mapping ``{category: rate}`` / a table
        like ``sample_data/reference_rates.csv``.
    hotspot_result
        Optional :class:`geo_trygghet.hotspots.HotSpotResult`: its grid is reused for the
        places (when at ``resolution``), its Gi* hot cells are named in the answer and the
        report maps them.
    lang
        ``"sv"`` or ``"en"``: the language of labels in the tables and of the answers
        (each :class:`~.stodfragor.Answer` can be worded again in the other).
    errors
        ``"raise"`` (default): a part that cannot be computed raises. ``"collect"``: it is
        left out and ``problems`` says why (the app shows what it can).
    emerging
        Optional :class:`geo_trygghet.hotspots.emerging.EmergingResult` of the same incidents:
        the trend answer then says where it changes (new, intensifying, persistent and
        diminishing hot spots, by area of ``place_areas``, else of ``areas``).
    place_areas
        Named polygons the emerging hot spots are counted in (a ``name`` column; default ``areas``).
    located
        The incidents whose positions say where they happened (without area centroids, see
        :meth:`geo_trygghet.ingest.Incidents.mappable`), for the concentration in days, hours and
        places; default ``incidents``. The counts, the trend and the rates per area use ``incidents``.
    """
    check_lang(lang)
    require(incidents, (S.OCCURRED_AT, S.CATEGORY, S.LON, S.LAT))
    nonempty(incidents)
    part = _Parts(errors)
    t = times(incidents).dropna()
    categories = category_counts(incidents, lang=lang)
    crime_types = crime_type_counts(incidents)
    trend = part("time", lambda: monthly_trend(incidents, alpha=alpha, lang=lang))
    season = part("time", lambda: seasonal_profile(incidents, lang=lang, trend=trend)) if trend is not None else None
    by_category = part("time", lambda: monthly_trend(incidents, by=S.CATEGORY, lang=lang).tests)
    wh = part("time", lambda: weekday_hour_table(incidents, lang=lang))
    grid = getattr(hotspot_result, "grid", None)
    if grid is not None and resolution is not None and grid.resolution != resolution:
        grid = None
    placed = incidents if located is None else located
    conc = part("places", lambda: concentration(placed, resolution=resolution, seed=seed, lang=lang, grid=grid,
                                                weekday_hours=wh)) if len(placed) else None
    where_areas = place_areas if place_areas is not None else areas
    change = part("places", lambda: change_places(emerging, where_areas)) if emerging is not None else None
    rates = part("rates", lambda: _rates(incidents, areas, population, reference, lang)) or (None, None, None)
    answers = [answer_commonest(categories, crime_types, lang)]
    if trend is not None and season is not None:
        answers += [answer_trend(trend, lang, change), answer_season(season, alpha, lang)]
    if conc is not None:
        answers += [answer_days(conc, alpha, lang), answer_hours(conc, len(incidents), alpha, lang),
                    answer_places(conc, alpha, lang, hotspot_result)]
    reference_answer = _reference_answer(*rates, lang)
    if reference_answer is not None:
        answers.append(reference_answer)
    return Lagesbild(n=len(incidents), start=t.min(), end=t.max(), categories=categories, crime_types=crime_types,
                     answers=tuple(answers), trend=trend, trend_by_category=by_category, season=season,
                     weekday_hour=wh, concentration=conc, area_rates=rates[0], category_rates=rates[1],
                     whole_rates=rates[2], hotspot_result=hotspot_result, areas=areas, problems=part.problems,
                     lang=lang, change=change)
