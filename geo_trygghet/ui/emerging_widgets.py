"""The explorer's *Utveckling* and *Prognos* layers, and the reason *Automatisk* gives for its cell size.

Above the map two switches add the layers (analysts only; the public view stays as it was):

- *Utveckling över tid*: emerging hot spots (Gi* per cell and month, quarter or week,
  Mann-Kendall, ArcGIS Pro's patterns) coloured by pattern with a Swedish legend; under the map,
  where the hot spots are new, intensifying, persistent or diminishing, by area.
- *Prognos*: the cells where incidents are likeliest in the coming months, the method chosen by
  rolling-origin validation; a coverage slider (the share of the study area flagged) and the
  method's validated hit rate, PAI and PEI at that coverage.

The computations are cached (:mod:`.emerging_compute`); the maps' layers come from the core
(:mod:`geo_trygghet.maps.emerging`, :mod:`geo_trygghet.maps.forecast`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import folium
import pandas as pd
import streamlit as st

from .. import schema as S
from ..i18n import fmt_num, fmt_pct
from .compute import ChangeInputs, View
from .emerging_compute import HORIZONS, INTERVALS, Computed, emerging_of, forecast_of, forecast_period, month_only
from .formats import fmt_count
from .i18n import lang, t

__all__ = ["ChangeView", "change_controls", "change_inputs", "change_panel", "place_areas", "scale_note"]

K_EMERGING = "ex_show_emerging"
K_FORECAST = "ex_show_forecast"
K_INTERVAL = "ex_em_interval"
K_HORIZON = "ex_fc_horizon"
K_COVERAGE = "ex_fc_coverage"
COVERAGE_STEPS = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 15, 20)  # per cent of the study area


@dataclass
class ChangeView:
    """What the switches asked for: the computations, the map's extra layers and their legend."""

    emerging: Computed | None = None
    forecast: Computed | None = None
    coverage: float = 0.03
    groups: list[folium.FeatureGroup] = field(default_factory=list)
    legend: tuple[str, list[tuple[str, str]]] | None = None  # title and (colour, label) rows

    @property
    def has_emerging(self) -> bool:
        """Whether the *Utveckling* layer is drawn (the Gi* classes then start hidden under it)."""
        return self.emerging is not None and self.emerging.result is not None


def scale_note(view: View) -> None:
    """Under the metrics: why *Automatisk* chose the cell size it did."""
    if view.scale is not None:
        st.caption(f":material/hexagon: {view.scale.reason(lang())}")


@st.cache_data(show_spinner=False, max_entries=4)
def _read_areas(path: str, mtime_ns: int) -> Any:
    import geopandas as gpd

    return gpd.read_file(path)


def place_areas(view: View) -> Any:
    """The dataset's named areas (``omraden.geojson`` beside the kept data) to say where hot spots are."""
    path = view.ds.areas_path
    if path is None:
        return None
    return _read_areas(str(path), path.stat().st_mtime_ns)


def change_inputs(view: View) -> ChangeInputs | None:
    """For the lägesbild's trend answer: the view's emerging hot spots (monthly) and the areas that
    name their places, or None when they cannot be computed (the page says why)."""
    em = emerging_of(view, "month")
    if em.result is None:
        why = t("chg.lb.too_short") if em.code in ("periods", "window") else em.problem
        if why and em.code != "empty":
            st.caption(f":material/timeline: {why}")
        return None
    areas = place_areas(view)
    return ChangeInputs(em.result, areas, (*em.key, str(view.ds.areas_path)))


def _switches(view: View) -> tuple[bool, bool, str, int, float]:
    c1, c2, c3, c4 = st.columns([1.2, 1.0, 1.0, 1.4], vertical_alignment="bottom")
    show_em = c1.toggle(t("chg.emerging"), key=K_EMERGING, help=t("chg.emerging_help"))
    show_fc = c2.toggle(t("chg.forecast"), key=K_FORECAST, help=t("chg.forecast_help"))
    intervals = [i for i in INTERVALS if not (i == "week" and month_only(view))]
    interval = str(c3.selectbox(t("chg.interval"), intervals, key=K_INTERVAL, disabled=not show_em,
                                format_func=lambda i: t(f"chg.interval.{i}")) if show_em else "month")
    months, coverage = 3, 0.03
    if show_fc:
        with c4:
            months = int(st.selectbox(t("chg.horizon"), HORIZONS, index=1, key=K_HORIZON,
                                      format_func=lambda m: t("chg.months", n=m)))
        coverage = st.select_slider(t("forecast.coverage"), COVERAGE_STEPS, value=3, key=K_COVERAGE,
                                    format_func=lambda p: f"{p} %") / 100
    return show_em, show_fc, interval, months, float(coverage)


def change_controls(view: View, *, public: bool) -> ChangeView:
    """Above the map: the switches; computes what they ask for and returns the extra layers."""
    if public:
        return ChangeView()
    show_em, show_fc, interval, months, coverage = _switches(view)
    out = ChangeView(coverage=coverage)
    entries: list[tuple[str, str]] = []
    if show_em:
        out.emerging = emerging_of(view, interval)
        if out.emerging.result is not None:
            from ..maps.emerging import add_emerging_layer, emerging_legend_entries

            group = folium.FeatureGroup(name=t("emerging.layer"))
            add_emerging_layer(group, out.emerging.result.cells, lang=lang())
            out.groups.append(group)
            entries += emerging_legend_entries(out.emerging.result, lang())
    if show_fc:
        out.forecast = forecast_of(view, months)
        if out.forecast.result is not None:
            from ..maps.forecast import add_forecast_layer, forecast_legend_entry

            result = out.forecast.result
            flagged = result.cells[result.flagged(coverage)]
            group = folium.FeatureGroup(name=t("forecast.layer"))
            add_forecast_layer(group, flagged, lang=lang())
            out.groups.append(group)
            entries.append(forecast_legend_entry(coverage, len(flagged), lang()))
    if entries:
        has_em = out.emerging is not None and out.emerging.result is not None
        has_fc = out.forecast is not None and out.forecast.result is not None
        title = t("chg.legend.both") if has_em and has_fc else \
            t("emerging.legend", interval=t(f"emerging.interval.{interval}")) if has_em else t("forecast.layer")
        out.legend = (title, entries)
    return out


def _emerging_panel(view: View, em: Computed) -> None:
    from ..hotspots.emerging import pattern_label
    from ..lagesbild.where import change_phrases, change_places

    st.markdown(f"**{t('chg.emerging')}**")
    if em.result is None:
        st.info(em.problem or "", icon=":material/timeline:")
        return
    result = em.result
    if result.scale is not None:
        st.caption(result.scale.reason(lang()))
    places = change_places(result, place_areas(view))
    st.write(" ".join(p.word(lang()) for p in change_phrases(places)))
    counts = result.pattern_counts()
    if counts:
        totals = result.cells.groupby("pattern")[S.COUNT].sum()
        table = pd.DataFrame({t("emerging.col.pattern"): [pattern_label(p, lang()) for p in counts],
                              t("chg.col.cells"): list(counts.values()),
                              t("emerging.col.count"): [int(totals[p]) for p in counts]})
        st.dataframe(table, hide_index=True, key="ex_pattern_table")


def _forecast_panel(view: View, fc: Computed, coverage: float) -> None:
    st.markdown(f"**{t('chg.forecast')}**")
    if fc.result is None:
        st.info(fc.problem or "", icon=":material/query_stats:")
        return
    result, lg = fc.result, lang()
    months = int(fc.key[-1]) if fc.key else 3
    train, test = forecast_period(view, months)
    chosen = t("chg.chosen_auto") if result.auto else ""
    st.write(t("chg.forecast_about", method=result.method.label(lg), chosen=chosen, start=str(train.date()),
               first=str((train + pd.Timedelta(days=1)).date()), last=str(test.date())))
    if result.scale is not None:
        st.caption(result.scale.reason(lg))
    score = result.validated_at(coverage)
    if score is None:
        st.caption(t("chg.not_validated"))
        return
    c1, c2, c3 = st.columns(3)
    c1.metric(t("forecast.hit_rate"), fmt_pct(score.hit_rate, lg, decimals=0))
    c2.metric("PAI", fmt_num(score.pai, lg, 1), help=t("forecast.pai"))
    c3.metric("PEI", fmt_num(score.pei, lg, 2), help=t("forecast.pei"))
    st.caption(t("forecast.validated", folds=len(result.folds), pai=fmt_num(score.pai, lg, 1),
                 pei=fmt_num(score.pei, lg, 2), coverage=fmt_pct(score.area_share, lg, decimals=1))
               + " " + t("chg.cells_flagged", n=fmt_count(int(result.flagged(coverage).sum()))))


def change_panel(view: View, change: ChangeView) -> None:
    """Under the map: where it changes and the forecast's method and validated scores."""
    shown = [c for c in (change.emerging, change.forecast) if c is not None]
    if not shown:
        return
    cols = st.columns(len(shown), gap="large")
    i = 0
    if change.emerging is not None:
        with cols[i]:
            _emerging_panel(view, change.emerging)
        i += 1
    if change.forecast is not None:
        with cols[i]:
            _forecast_panel(view, change.forecast, change.coverage)
