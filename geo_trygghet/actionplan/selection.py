"""From the lägesbild to a plan: a selection (chosen cells, a hot-spot area or a drawn polygon)
and the figures of the moment, which a new problem keeps.

:class:`PlanSelection` is what the explorer or the lägesbild hands to "Lägg till i åtgärdsplan"
(:func:`geo_trygghet.ui.plan_widgets.add_to_plan`); :func:`problem_figures` counts the incidents
in it: how many, of which categories and types, the last 12 months against the 12 before
(or, when the data covers less than two years, the last half of what it covers against the half
before, at least :data:`MIN_WINDOW_DAYS` days each), with an exact test of the change (under an
unchanged rate the recent window's share of the two windows' incidents is Binomial(n, ½)); pure
and without the database.

>>> sel = PlanSelection.from_cells(["891f1d48177ffff"], label="Torget")
>>> sel.kind, sel.cells
('cells', ('891f1d48177ffff',))
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import shapely

from .. import schema as S
from .. import settings
from ..errors import InputError
from . import rules
from .places import area_text, cells_area, geometry, hectares

__all__ = ["TREND_FALLING", "TREND_FLAT", "TREND_RISING", "PlanSelection", "ProblemFigures", "problem_figures"]

TREND_RISING, TREND_FALLING, TREND_FLAT = "rising", "falling", "flat"
#: A change of the last 12 months against the 12 before counts as rising or falling below this p.
TREND_ALPHA = 0.05
#: The trend compares two windows of this many days at most (a year), and at least MIN_WINDOW_DAYS.
MAX_WINDOW_DAYS = 365
MIN_WINDOW_DAYS = 90
TOP = 5


@dataclass(frozen=True)
class PlanSelection:
    """A place chosen in the lägesbild, the filter of the moment, and a label for the problem."""

    kind: str  # rules.PROBLEM_CELLS or rules.PROBLEM_POLYGON
    area: str  # GeoJSON geometry text, WGS84
    cells: tuple[str, ...] = ()
    label: str = ""
    categories: tuple[str, ...] = ()
    crime_types: tuple[str, ...] = ()
    since: dt.date | None = None
    until: dt.date | None = None

    @classmethod
    def from_cells(cls, cells: Any, **kw: Any) -> PlanSelection:
        """Chosen H3 cells (the place is their union)."""
        area, chosen = cells_area(cells)
        return cls(kind=rules.PROBLEM_CELLS, area=area, cells=chosen, **_filters(kw))

    @classmethod
    def from_polygon(cls, polygon: Any, **kw: Any) -> PlanSelection:
        """A drawn or uploaded polygon (GeoJSON text/dict or shapely, WGS84)."""
        area = area_text(polygon, "the drawn area")
        assert area is not None
        return cls(kind=rules.PROBLEM_POLYGON, area=area, **_filters(kw))

    @classmethod
    def from_cluster(cls, clusters: Any, cluster_id: int, **kw: Any) -> PlanSelection:
        """A hot-spot area: row ``cluster_id`` of the explorer's clusters layer."""
        ids = clusters[S.CLUSTER_ID].astype(int).to_numpy()
        hit = np.flatnonzero(ids == int(cluster_id))
        if not len(hit):
            msg = f"no hot-spot area {cluster_id}: choose one of the areas on the map"
            raise InputError(msg)
        return cls.from_polygon(clusters.geometry.iloc[int(hit[0])], **kw)

    @property
    def geometry(self) -> Any:
        return geometry(self.area)


def _filters(kw: dict[str, Any]) -> dict[str, Any]:
    out = dict(kw)
    for key in ("categories", "crime_types", "cells"):
        if key in out:
            out[key] = tuple(str(v) for v in out[key] or ())
    return out


@dataclass(frozen=True)
class ProblemFigures:
    """The figures of the moment for a problem's place (kept with the problem)."""

    incidents: int
    period_from: dt.date | None
    period_to: dt.date | None
    hectares: float
    by_category: tuple[tuple[str, int], ...] = ()
    by_type: tuple[tuple[str, int], ...] = ()
    recent: int | None = None  # incidents in the last ``window_days`` days
    earlier: int | None = None  # in the ``window_days`` days before those
    window_days: int | None = None
    change: float | None = None
    trend_p: float | None = None
    trend: str | None = None
    categories: tuple[str, ...] = ()
    crime_types: tuple[str, ...] = ()
    computed_on: dt.date = field(default_factory=settings.local_today)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (dates as ISO text, pairs as lists)."""
        d = asdict(self)
        for key in ("period_from", "period_to", "computed_on"):
            d[key] = d[key].isoformat() if d[key] is not None else None
        for key in ("by_category", "by_type"):
            d[key] = [list(pair) for pair in d[key]]
        for key in ("categories", "crime_types"):
            d[key] = list(d[key])
        return json.loads(json.dumps(d))

    def describe(self, lang: str = "sv") -> str:
        """The figures in one sentence (the catalogue's ``ap.fig.*``), plain text."""
        from ..i18n import text
        from ..i18n.formatting import fmt_num, fmt_signed_pct
        from ..ingest.crime_types import category_label

        period = " – ".join(d.isoformat() for d in (self.period_from, self.period_to) if d) or "–"
        cats = ", ".join(f"{category_label(c, lang)} {fmt_num(n, lang)}" for c, n in self.by_category[:3]) or "–"
        out = text("ap.fig.sentence", lang, n=fmt_num(self.incidents, lang), period=period,
                   ha=fmt_num(self.hectares, lang, 1), cats=cats)
        if self.trend is not None:
            out += " " + text(f"ap.fig.trend_{self.trend}", lang, days=self.window_days,
                              change=fmt_signed_pct(self.change, lang))
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> ProblemFigures | None:
        if not d:
            return None
        values = dict(d)
        for key in ("period_from", "period_to", "computed_on"):
            values[key] = dt.date.fromisoformat(values[key]) if values.get(key) else None
        for key in ("by_category", "by_type"):
            values[key] = tuple((str(a), int(b)) for a, b in values.get(key) or ())
        for key in ("categories", "crime_types"):
            values[key] = tuple(values.get(key) or ())
        if values.get("computed_on") is None:
            values.pop("computed_on", None)
        names = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in values.items() if k in names})


def _in_place(incidents: pd.DataFrame, geom: Any) -> np.ndarray:
    lon = incidents[S.LON].to_numpy(float)
    lat = incidents[S.LAT].to_numpy(float)
    ok = np.isfinite(lon) & np.isfinite(lat)
    inside = np.zeros(len(incidents), dtype=bool)
    inside[ok] = shapely.contains_xy(shapely.buffer(geom, 1e-9), lon[ok], lat[ok])
    return inside


def _top(values: pd.Series, n: int = TOP) -> tuple[tuple[str, int], ...]:
    counts = values.dropna().astype(str).value_counts()
    counts = counts.sort_index(kind="stable").sort_values(ascending=False, kind="stable")
    return tuple((str(k), int(v)) for k, v in counts.head(n).items())


def _trend(last: int, previous: int) -> tuple[float | None, float | None, str | None]:
    from scipy.stats import binomtest

    if last + previous == 0:
        return None, None, None
    change = (last - previous) / previous if previous else None
    p = float(binomtest(last, last + previous, 0.5).pvalue)
    if p >= TREND_ALPHA:
        return change, p, TREND_FLAT
    return change, p, TREND_RISING if last > previous else TREND_FALLING


def problem_figures(incidents: pd.DataFrame, selection: PlanSelection, *,
                    as_of: dt.date | None = None) -> ProblemFigures:
    """Count the incidents in the selection's place and filter (up to ``until`` or ``as_of``)."""
    geom = selection.geometry
    mask = _in_place(incidents, geom)
    if selection.categories and S.CATEGORY in incidents:
        mask &= incidents[S.CATEGORY].isin(list(selection.categories)).to_numpy()
    if selection.crime_types and S.CRIME_TYPE in incidents:
        mask &= incidents[S.CRIME_TYPE].isin(list(selection.crime_types)).to_numpy()
    t = pd.to_datetime(incidents[S.OCCURRED_AT]) if S.OCCURRED_AT in incidents else None
    end = selection.until or as_of
    if t is not None:
        if selection.since is not None:
            mask &= (t >= pd.Timestamp(selection.since)).to_numpy()
        if end is not None:
            mask &= (t < pd.Timestamp(end) + pd.Timedelta(days=1)).to_numpy()
    chosen = incidents[mask]
    recent = earlier = days = None
    change = p = trend = None
    first = last_day = None
    if t is not None and len(chosen):
        times = t[mask]
        first, last_day = times.min().date(), times.max().date()
        stop = pd.Timestamp(end or last_day) + pd.Timedelta(days=1)
        start = max(t.min().normalize(), pd.Timestamp(selection.since)) if selection.since else t.min().normalize()
        days = min(MAX_WINDOW_DAYS, int((stop - start).days) // 2)
        if days >= MIN_WINDOW_DAYS:
            window = pd.Timedelta(days=days)
            recent = int(((times >= stop - window) & (times < stop)).sum())
            earlier = int(((times >= stop - 2 * window) & (times < stop - window)).sum())
            change, p, trend = _trend(recent, earlier)
        else:
            days = None
    return ProblemFigures(
        incidents=int(mask.sum()), period_from=selection.since or first, period_to=end or last_day,
        hectares=round(hectares(geom), 2),
        by_category=_top(chosen[S.CATEGORY], n=len(chosen)) if S.CATEGORY in chosen else (),
        by_type=_top(chosen[S.CRIME_TYPE]) if S.CRIME_TYPE in chosen else (),
        recent=recent, earlier=earlier, window_days=days, change=change, trend_p=p, trend=trend,
        categories=selection.categories, crime_types=selection.crime_types,
    )
