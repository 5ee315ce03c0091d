"""The analyst's filters: Brå category, crime type, period, weekdays, hours, cell size and
study area in the sidebar (kept across pages, see :mod:`.kept`), and the public-mode toggle.

Widgets the data cannot support are shown disabled, not left out: the sidebar keeps its
layout, so Streamlit's widgets keep their values when the file changes (month-only data
such as police.uk has no weekdays or hours; a file without crime types no categories).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import streamlit as st

from ..hotspots import explorer as E
from ..ingest.crime_types import BRA_CATEGORIES
from ..lagesbild._frames import category_name as lagesbild_category_name
from ..lagesbild._frames import weekday_names
from . import state
from .dataset import Dataset
from .i18n import lang, t
from .kept import keep, kept_widget, remember, wkey
from .period import period_widget

__all__ = ["AUTO", "RESOLUTIONS", "Filters", "category_name", "filter_widgets", "public_mode"]

RESOLUTIONS = (7, 8, 9, 10)
AUTO = "auto"                   # the cell size chosen from the data (hotspots.scale), "Automatisk"
#: Weekday buttons that say whether they are on: filled with a tick when on, pale, dashed and
#: struck through when off (Streamlit's own pills differ only by a faint tint).
WEEKDAY_CSS = """<style>
[class*="__f_days"] button[aria-pressed="true"] {
  background: #1f4e79 !important; border: 1px solid #1f4e79 !important; color: #fff !important; }
[class*="__f_days"] button[aria-pressed="true"] p { color: #fff !important; font-weight: 600; }
[class*="__f_days"] button[aria-pressed="true"] p::before { content: "✓ "; }
[class*="__f_days"] button[aria-pressed="false"] {
  background: transparent !important; border: 1px dashed #999 !important; }
[class*="__f_days"] button[aria-pressed="false"] p { color: #777 !important; text-decoration: line-through; }
</style>"""
K_PUBLIC = "an_public"          # the analyst's public-mode toggle


def category_name(slug: str) -> str:
    """A category's label in the session's language ("(utan kategori)" for unmapped types)."""
    return t("f.uncategorised") if slug == E.UNCATEGORISED else lagesbild_category_name(slug, lang())


@dataclass(frozen=True)
class Filters:
    """The analyst's choices; hashable so it can key caches."""

    categories: tuple | None = None
    crime_types: tuple | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    weekdays: tuple | None = None
    hours: tuple | None = None
    resolution: int | str = 9  # or AUTO
    study_area: str = ""  # "" = the dataset's boundary; else a name in Dataset.study_areas

    def selection(self) -> Filters:
        """The same filters without the resolution (what selects incidents, and where hot spots are sought)."""
        return Filters(self.categories, self.crime_types, self.since, self.until, self.weekdays, self.hours, 0,
                       self.study_area)

    def describe(self, source: str) -> str:
        """What the incidents are, for a report's reader: the file and every filter that is set."""
        parts = [t("rep.data", source=source)]
        if self.categories:
            parts.append(f"{t('f.category')}: {', '.join(category_name(c) for c in self.categories)}")
        if self.crime_types:
            parts.append(f"{t('f.crime_type')}: {', '.join(map(str, self.crime_types))}")
        if self.since or self.until:
            parts.append(f"{t('f.dates')}: {self.since or '…'} – {self.until or '…'}")
        if self.weekdays and len(self.weekdays) < 7:
            names = weekday_names(lang())
            parts.append(f"{t('f.weekdays')}: {', '.join(names[int(d)] for d in self.weekdays)}")
        if self.hours:  # the hours picked, e.g. (18, …, 23): "18–24"
            parts.append(f"{t('f.hours')}: {min(self.hours)}–{max(self.hours) + 1}")
        if len(parts) == 1:
            parts.append(t("rep.all"))
        return " · ".join(parts)

    def mask(self, arrays: E.IncidentArrays) -> np.ndarray:
        return E.filter_mask(arrays, categories=self.categories, crime_types=self.crime_types, since=self.since,
                             until=self.until, weekdays=self.weekdays, hours=self.hours)


def _what_the_data_has(ds: Dataset) -> dict:
    """Worked out once per dataset: each crime type's category, whether there are weekdays and hours."""
    if "type_category" not in ds.extra:
        a = ds.arrays
        ds.extra["type_category"] = E.type_categories(a)
        ds.extra["has_weekday"] = bool((a.weekday >= 0).any())
        ds.extra["has_hour"] = bool((a.hour >= 0).any())
    return ds.extra


def _category_widgets(ds: Dataset) -> tuple[list, list]:
    """Brå categories and crime types (the types of the chosen categories)."""
    order = {slug: i for i, slug in enumerate(BRA_CATEGORIES)}
    cats = sorted(ds.arrays.categories, key=lambda c: (order.get(c, 99), c))
    typed = ds.arrays.categories != (E.UNCATEGORISED,)
    st.session_state[wkey("f_cat")] = [c for c in st.session_state[wkey("f_cat")] if c in cats]
    chosen = st.multiselect(t("f.category"), cats, format_func=category_name, key=wkey("f_cat"),
                            placeholder=t("f.all"), disabled=not typed, on_change=keep, args=("f_cat",))
    allowed = set(chosen)
    types = [ty for ty, cat in ds.extra["type_category"].items() if not allowed or cat in allowed]
    st.session_state[wkey("f_type")] = [ty for ty in st.session_state[wkey("f_type")] if ty in types]
    chosen_types = st.multiselect(t("f.crime_type"), types, key=wkey("f_type"), placeholder=t("f.all"),
                                  format_func=lambda x: x or t("f.uncategorised"), disabled=not typed,
                                  on_change=keep, args=("f_type",))
    return (chosen, chosen_types) if typed else ([], [])


def _time_widgets(ds: Dataset, days: list[str]) -> tuple[list[str], int, int]:
    """Weekdays and hours (disabled for data without them)."""
    st.html(WEEKDAY_CSS)
    picked_days = st.pills(t("f.weekdays"), days, selection_mode="multi", key=wkey("f_days"),
                           disabled=not ds.extra["has_weekday"], on_change=keep, args=("f_days",))
    if ds.extra["has_weekday"]:  # the state in words too: a colour alone is easy to misread
        chosen = [d for d in days if d in (picked_days or [])]
        st.caption(t("f.weekdays_all") if len(chosen) == len(days) else
                   t("f.weekdays_none") if not chosen else
                   t("f.weekdays_some", n=len(chosen), days=", ".join(chosen)))
    lo, hi = st.slider(t("f.hours"), 0, 24, key=wkey("f_hours"), disabled=not ds.extra["has_hour"],
                       on_change=keep, args=("f_hours",))
    if not ds.extra["has_weekday"]:
        picked_days = days
    if not ds.extra["has_hour"]:
        lo, hi = 0, 24
    return list(picked_days or []), int(lo), int(hi)


def _resolution(value: object) -> int | str:
    return AUTO if value == AUTO else int(str(value))


def _grid_widgets(ds: Dataset, resolution: bool) -> tuple[int | str, str]:
    """The cell size (or *Automatisk*) and, when the dataset has smaller study areas, the study area."""
    if not resolution:
        return _resolution(st.session_state[wkey("f_res")]), ""
    res = _resolution(st.select_slider(t("f.resolution"), (*RESOLUTIONS, AUTO), key=wkey("f_res"),
                                       help=t("f.resolution_help"), on_change=keep, args=("f_res",),
                                       format_func=lambda r: t("scale.auto") if r == AUTO else str(r)))
    if not ds.study_areas:
        return res, ""
    names = [*ds.study_areas, ""]
    kept_widget("f_area", names[0])
    if st.session_state[wkey("f_area")] not in names:
        st.session_state[wkey("f_area")] = names[0]
    area = st.radio(t("f.area"), names, key=wkey("f_area"), help=t("f.area_help"),
                    format_func=lambda n: t("f.area." + (n or "all")), on_change=keep, args=("f_area",))
    remember("f_area")
    return res, str(area or "")


def filter_widgets(ds: Dataset, *, resolution: bool = True) -> Filters:
    """Filters in the sidebar: Brå category, crime type, period, weekdays, hours, H3 resolution."""
    span = ds.arrays.date_range()
    days = list(weekday_names(lang()))
    for key, default in (("f_cat", []), ("f_type", []), ("f_days", days), ("f_hours", (0, 24)),
                         ("f_res", 9)):
        kept_widget(key, default)
    if [d for d in st.session_state[wkey("f_days")] if d not in days]:  # language switched
        st.session_state[wkey("f_days")] = days
    _what_the_data_has(ds)
    with st.sidebar:
        st.markdown(f"**{t('f.heading')}**")
        chosen, chosen_types = _category_widgets(ds)
        since, until = period_widget(span)
        picked_days, lo, hi = _time_widgets(ds, days)
        res, area = _grid_widgets(ds, resolution)
    remember("f_cat", "f_type", "f_days", "f_hours", "f_res")
    day_idx = tuple(sorted(days.index(d) for d in picked_days))
    return Filters(categories=tuple(chosen) or None, crime_types=tuple(chosen_types) or None, since=since,
                   until=until, weekdays=None if len(day_idx) == 7 else day_idx,
                   hours=None if (lo, hi) == (0, 24) else tuple(range(lo, hi)), resolution=res, study_area=area)


def public_mode() -> bool:
    """True for the public role, or when an analyst previews the public view."""
    if state.role() == state.PUBLIC:
        return True
    if state.role() in (state.ANALYTIKER, state.ADMIN):
        kept_widget(K_PUBLIC, False)
        with st.sidebar:
            on = bool(st.toggle(t("f.public"), key=wkey(K_PUBLIC), help=t("f.public_help"),
                                on_change=keep, args=(K_PUBLIC,)))
        remember(K_PUBLIC)
        return on
    return True
