"""The lägesbild report (HTML or PDF): the handbook's Steg 2 questions answered
with figures, tables and charts, and the hot spots on a static map.

The report is an aggregate product (sekretess): it never shows incident points,
counts of 1–2 in any cell, cluster or crime-type table are suppressed
(:mod:`geo_trygghet.privacy`), and every text that came from a user or a file
(title, area names, crime types) is escaped.

>>> html = lagesbild_report(incidents, title="Lägesbild Katrineholm 2023–2024")  # doctest: +SKIP
>>> write_report(html, "lagesbild.pdf")                                            # doctest: +SKIP
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .. import schema as S
from ..errors import InputError
from ..hotspots.privacy import public_cells, public_clusters, suppress_small_cells
from ..lagesbild import patterns as P
from ..lagesbild import rates as R
from ..lagesbild import stodfragor as Q
from ._html import esc, fmt_value, html_to_pdf, img_tag, page, table_html

__all__ = ["lagesbild_report", "write_report"]

_T: dict[str, dict[str, str]] = {
    "sv": {
        "_lang": "sv",
        "period": "Period", "incidents": "Händelser", "no_time": "utan klockslag",
        "generated": "Framtagen", "privacy": ("Aggregerad produkt (sekretess): inga enskilda händelser visas; "
                                             "celler, områden och rader med 1–2 händelser redovisas inte (–)."),
        "summary": "Sammanfattning: stödfrågorna", "question": "Fråga", "answer": "Svar",
        "categories": "Vanligaste problemen", "category": "Brottskategori", "count": "Antal", "share": "Andel (%)",
        "types": "Vanligaste brottstyperna", "crime_type": "Brottstyp",
        "trend": "Utveckling över tid", "month_count": "Händelser per månad",
        "ma": "Glidande medelvärde, 12 månader (bakåtblickande)", "year": "År", "months": "Månader",
        "trend_by_category": "Utveckling per brottskategori", "change_year": "Förändring per år (%)",
        "direction": "Bedömning (trend)",
        "season": "Säsong", "month": "Månad", "index": "Index (100 = genomsnitt)", "season_name": "Årstid",
        "weekday_hour": "Veckodag och tid på dygnet", "hour": "Timme", "weekday": "Veckodag",
        "wh_note": "Endast händelser med klockslag ({n} st); {m} händelser saknar klockslag.",
        "rates": "Per 100 000 invånare och år", "rates_areas": "Per 100 000 invånare och år, per område",
        "higher": "högre", "lower": "lägre", "similar": "ingen säker skillnad", "verdict": "Bedömning",
        "area": "Område", "population": "Invånare",
        "rate": "Per 100 000 och år", "ci": "95 % KI", "ratio": "Kvot mot referens", "reference": "Referensvärde",
        "ref_line": "referens", "rates_note": "Period {y} år. 95 % KI: exakt Poissonintervall.",
        "hotspots": "Hot spots (Getis-Ord Gi*)", "clusters": "Största hot spot-områdena", "cluster": "Område nr",
        "area_ha": "Yta (ha)", "hot_cells": "Hetaste cellerna", "cell": "Cell (H3)", "z": "Gi* z",
        "class": "Klass", "map_note": ("Celler (H3 upplösning {r}) färgade efter Gi*-klass efter FDR-korrektion; "
                                       "hot spot-områden (täthetskluster) med svart kant."),
        "suppressed_note": "– = 1–2 händelser, redovisas inte (sekretess).",
        "trend_title": "Händelser per månad", "season_title": "Index per månad",
        "wh_title": "Händelser per veckodag och timme", "rates_title": "Per 100 000 invånare och år",
        "hot_title": "Hot spots (Gi*, FDR)", "total_row": "alla områden", "none": "Inga hot spot-områden hittades.",
    },
    "en": {
        "_lang": "en",
        "period": "Period", "incidents": "Incidents", "no_time": "without a clock time",
        "generated": "Made", "privacy": ("Aggregate product (confidentiality): no single incident is shown; "
                                        "cells, areas and rows with 1–2 incidents are not reported (–)."),
        "summary": "Summary: the guiding questions", "question": "Question", "answer": "Answer",
        "categories": "Commonest problems", "category": "Crime category", "count": "Count", "share": "Share (%)",
        "types": "Commonest crime types", "crime_type": "Crime type",
        "trend": "Development over time", "month_count": "Incidents per month",
        "ma": "Moving average, 12 months (trailing)", "year": "Year", "months": "Months",
        "trend_by_category": "Development by crime category", "change_year": "Change per year (%)",
        "direction": "Assessment (trend)",
        "season": "Season", "month": "Month", "index": "Index (100 = average)", "season_name": "Season",
        "weekday_hour": "Weekday and time of day", "hour": "Hour", "weekday": "Weekday",
        "wh_note": "Only incidents with a clock time ({n}); {m} incidents have no clock time.",
        "rates": "Per 100,000 inhabitants per year", "rates_areas": "Per 100,000 inhabitants per year, by area",
        "higher": "higher", "lower": "lower", "similar": "no clear difference", "verdict": "Assessment",
        "area": "Area", "population": "Inhabitants",
        "rate": "Per 100,000 per year", "ci": "95% CI", "ratio": "Ratio to reference", "reference": "Reference",
        "ref_line": "reference", "rates_note": "Period {y} years. 95% CI: exact Poisson interval.",
        "hotspots": "Hot spots (Getis-Ord Gi*)", "clusters": "Largest hot-spot areas", "cluster": "Area no.",
        "area_ha": "Area (ha)", "hot_cells": "Hottest cells", "cell": "Cell (H3)", "z": "Gi* z",
        "class": "Class", "map_note": ("Cells (H3 resolution {r}) coloured by Gi* class after FDR correction; "
                                       "hot-spot areas (density clusters) outlined in black."),
        "suppressed_note": "– = 1–2 incidents, not reported (confidentiality).",
        "trend_title": "Incidents per month", "season_title": "Index per month",
        "wh_title": "Incidents per weekday and hour", "rates_title": "Per 100,000 inhabitants per year",
        "hot_title": "Hot spots (Gi*, FDR)", "total_row": "all areas", "none": "No hot-spot areas were found.",
    },
}

_BLUE, _ORANGE, _GREY = "#1b3a5c", "#d9822b", "#8a8a8a"
_SEASON_COLOURS = {"vinter": "#6f9fd8", "var": "#7bbf6a", "sommar": "#e3b23c", "host": "#c0693c"}


def _fig(width: float = 7.0, height: float = 3.0) -> Figure:
    fig = Figure(figsize=(width, height))
    fig.set_layout_engine("tight")
    return fig


def _tbl(t: dict[str, str], df: pd.DataFrame, **kwargs: Any) -> str:
    return table_html(df, lang=t["_lang"], **kwargs)


def _fv(t: dict[str, str], value: Any, **kwargs: Any) -> str:
    return fmt_value(value, lang=t["_lang"], **kwargs)


# --------------------------------------------------------------------------- charts
def _trend_chart(trend: P.MonthlyTrend, t: dict[str, str]) -> str:
    tab = trend.table
    fig = _fig(7.2, 2.8)
    ax = fig.add_subplot()
    ax.bar(tab["month"], tab["count"], width=20, color="#9db4cc", label=t["month_count"])
    ax.plot(tab["month"], tab["ma12"], color=_ORANGE, linewidth=2.2, label=t["ma"])
    ax.set_ylabel(t["count"])
    ax.set_title(t["trend_title"], fontsize=10)
    ax.legend(fontsize=8, loc="upper left", frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_ylim(0, max(1, float(tab["count"].max())) * 1.25)
    fig.autofmt_xdate()
    return img_tag(fig, t["trend_title"])


def _season_chart(sp: P.SeasonalProfile, t: dict[str, str]) -> str:
    bm = sp.by_month
    fig = _fig(7.2, 2.4)
    ax = fig.add_subplot()
    colours = [_SEASON_COLOURS[P._MONTH_SEASON[int(m)]] for m in bm["month"]]
    ax.bar(bm["name"], bm["index"].fillna(0), color=colours)
    ax.axhline(100, color=_GREY, linewidth=1, linestyle="--")
    ax.set_ylabel(t["index"], fontsize=8)
    ax.set_title(t["season_title"], fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    return img_tag(fig, t["season_title"])


def _weekday_hour_chart(wh: P.WeekdayHour, t: dict[str, str]) -> str:
    fig = _fig(7.2, 2.6)
    ax = fig.add_subplot()
    data = wh.table.to_numpy(float)
    im = ax.imshow(data, aspect="auto", cmap="YlOrRd", interpolation="nearest")
    ax.set_yticks(range(7), labels=list(wh.table.index))
    ax.set_xticks(range(0, 24, 2), labels=[f"{h:02d}" for h in range(0, 24, 2)])
    ax.set_xlabel(t["hour"], fontsize=8)
    ax.set_title(t["wh_title"], fontsize=10)
    fig.colorbar(im, ax=ax, fraction=0.03, pad=0.01).set_label(t["count"], fontsize=8)
    return img_tag(fig, t["wh_title"])


def _rates_chart(rates: R.Rates, t: dict[str, str]) -> str:
    tab = rates.table
    n = len(tab)
    fig = _fig(7.2, max(1.6, 0.35 * n + 0.8))
    ax = fig.add_subplot()
    y = np.arange(n)[::-1]
    colours = [_BLUE if not tot else _ORANGE for tot in tab["is_total"]]
    ax.barh(y, tab["rate"].fillna(0), color=colours, alpha=0.85)
    err = np.vstack([(tab["rate"] - tab["rate_low"]).clip(lower=0), (tab["rate_high"] - tab["rate"]).clip(lower=0)])
    ax.errorbar(tab["rate"], y, xerr=np.nan_to_num(err), fmt="none", ecolor="#333333", capsize=2, linewidth=1)
    ax.set_yticks(y, labels=[str(s) for s in tab["name"]], fontsize=8)
    if rates.reference_rate is not None and math.isfinite(rates.reference_rate):
        ax.axvline(rates.reference_rate, color="#b2182b", linestyle="--", linewidth=1.2, label=t["ref_line"])
        ax.legend(fontsize=8, frameon=False, loc="lower right")
    ax.set_title(t["rates_title"], fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    return img_tag(fig, t["rates_title"])


def _hotspot_map(cells: Any, clusters: Any, areas: Any, t: dict[str, str], lang: str) -> str:
    from matplotlib.patches import Patch

    from ..hotspots.gistar import GI_BIN_COLOURS, gi_bin_label

    fig = _fig(6.4, 5.6)
    ax = fig.add_subplot()
    # zoom to the significant cells and the clusters (padded), else to every cell with incidents
    focus = cells[cells[S.GI_BIN].fillna(0) != 0]
    parts = [focus.total_bounds] if len(focus) else []
    if clusters is not None and len(clusters):
        parts.append(clusters.total_bounds)
    if not parts:
        busy = cells[cells[S.COUNT].fillna(1) > 0]
        parts.append((busy if len(busy) else cells).total_bounds)
    b = np.array(parts, dtype=float)
    x0, y0, x1, y1 = b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max()
    pad_x, pad_y = max((x1 - x0) * 0.15, 0.004), max((y1 - y0) * 0.15, 0.002)
    x0, x1, y0, y1 = x0 - pad_x, x1 + pad_x, y0 - pad_y, y1 + pad_y
    cells = cells.cx[x0:x1, y0:y1]
    shown = cells[(cells[S.COUNT].fillna(1) > 0) | (cells[S.GI_BIN].fillna(0) != 0)]
    if len(cells):
        cells.boundary.plot(ax=ax, color="#dddddd", linewidth=0.15)
    bins = shown[S.GI_BIN].fillna(0).astype(int)
    colours = [GI_BIN_COLOURS[int(b)] for b in bins]
    if len(shown):
        shown.plot(ax=ax, color=colours, edgecolor="#888888", linewidth=0.2)
    if areas is not None and len(areas):
        areas.to_crs("EPSG:4326").boundary.plot(ax=ax, color="#1b3a5c", linewidth=0.8)
    if clusters is not None and len(clusters):
        clusters.boundary.plot(ax=ax, color="#000000", linewidth=1.0)
        for row in clusters.itertuples():
            c = row.geometry.representative_point()
            ax.annotate(str(getattr(row, S.CLUSTER_ID)), (c.x, c.y), fontsize=7, ha="center", va="center",
                        color="#000000", fontweight="bold")
    if len(parts):
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_aspect(1 / math.cos(math.radians((y0 + y1) / 2)))
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_title(t["hot_title"], fontsize=10)
    handles = [Patch(facecolor=GI_BIN_COLOURS[b], edgecolor="#888888", label=gi_bin_label(b, lang))
               for b in range(3, -4, -1)]
    ax.legend(handles=handles, fontsize=7, loc="lower left", frameon=True, framealpha=0.9)
    return img_tag(fig, t["hot_title"], width_pt=430)


# --------------------------------------------------------------------------- sections
def _section(title: str, body: str) -> str:
    return f"<h2>{esc(title)}</h2>\n{body}\n"


def _summary(answers: list[Q.Answer], t: dict[str, str]) -> str:
    rows = "".join(f"<tr><td><b>{esc(a.question)}</b></td><td>{esc(a.answer)}</td></tr>" for a in answers)
    return (f'<table class="data" cellspacing="0"><thead><tr><th width="32%">{esc(t["question"])}</th>'
            f'<th>{esc(t["answer"])}</th></tr></thead><tbody>{rows}</tbody></table>')


def _categories(incidents: pd.DataFrame, t: dict[str, str], lang: str) -> str:
    cc = P.category_counts(incidents, lang=lang)
    cc = cc.assign(share=cc["share"] * 100)
    cc = suppress_small_cells(cc, "count", also=("share",))
    body = _tbl(t, cc[["label", "count", "share"]].rename(
        columns={"label": t["category"], "count": t["count"], "share": t["share"]}))
    if S.CRIME_TYPE in incidents.columns and incidents[S.CRIME_TYPE].notna().any():
        types = incidents[S.CRIME_TYPE].dropna().astype(str).value_counts().head(10)
        tt = pd.DataFrame({t["crime_type"]: types.index, "count": types.to_numpy(np.int64)})
        tt = suppress_small_cells(tt, "count").drop(columns="suppressed").rename(columns={"count": t["count"]})
        body += f"<h3>{esc(t['types'])}</h3>" + _tbl(t, tt)
    return body


def _trend(trend: P.MonthlyTrend, answer: Q.Answer, t: dict[str, str],
           incidents: pd.DataFrame | None = None) -> str:
    yearly = trend.table.assign(year=trend.table["month"].dt.year).groupby("year")["count"].agg(["sum", "size"])
    yearly = yearly.reset_index().rename(columns={"year": t["year"], "sum": t["count"],
                                                  "size": t["months"]})
    body = (f"<p>{esc(answer.answer)}</p>\n{_trend_chart(trend, t)}\n"
            + _tbl(t, yearly.astype({t["year"]: str})))
    if incidents is not None and S.CATEGORY in incidents.columns:
        lang = t["_lang"]
        by_cat = P.monthly_trend(incidents, by=S.CATEGORY, lang=lang).tests
        by_cat = by_cat[by_cat["total"] >= 3]  # small categories: not shown (sekretess)
        if len(by_cat):
            directions = {k: (sv if lang == "sv" else en) for k, (sv, en) in P.DIRECTIONS.items()}
            show = pd.DataFrame({
                t["category"]: [P._label(g, lang) for g in by_cat["group"]],
                t["count"]: by_cat["total"].astype("int64"),
                t["change_year"]: (by_cat["change_per_year"] * 100).round(0).astype("Int64"),
                "p": by_cat["p"].round(3),
                t["direction"]: [directions.get(d, d) for d in by_cat["direction"]],
            })
            body += f"<h3>{esc(t['trend_by_category'])}</h3>" + _tbl(t, show, index=False, decimals=3)
    return body


def _season(sp: P.SeasonalProfile, answer: Q.Answer, t: dict[str, str]) -> str:
    bs = sp.by_season[["name", "count", "index"]].rename(
        columns={"name": t["season_name"], "count": t["count"], "index": t["index"]})
    return f"<p>{esc(answer.answer)}</p>\n{_season_chart(sp, t)}\n" + _tbl(t, bs)


def _weekday_hour(wh: P.WeekdayHour, answers: dict[str, Q.Answer], t: dict[str, str]) -> str:
    body = "".join(f"<p>{esc(answers[k].answer)}</p>" for k in ("days", "hours") if k in answers)
    body += f'<p class="note">{esc(t["wh_note"].format(n=wh.n_used, m=wh.n_without_time))}</p>'
    if wh.n_used:
        body += _weekday_hour_chart(wh, t)
    return body


def _rates(rates: R.Rates, answer: Q.Answer | None, t: dict[str, str], lang: str) -> str:
    tab = rates.table.copy()
    tab.loc[tab["is_total"], "name"] = t["total_row"]
    tab = suppress_small_cells(tab, "count", also=("rate", "rate_low", "rate_high", "ratio", "ratio_low",
                                                   "ratio_high"))
    ci = [f"{_fv(t, lo, decimals=0)}–{_fv(t, hi, decimals=0)}" if pd.notna(lo) else "–"
          for lo, hi in zip(tab["rate_low"], tab["rate_high"], strict=True)]
    show = pd.DataFrame({t["area"]: tab["name"], t["population"]: tab["population"].astype(np.int64),
                         t["count"]: tab["count"], t["rate"]: tab["rate"].round(0), t["ci"]: ci})
    if rates.reference_rate is not None:
        show[t["ratio"]] = tab["ratio"].round(2)
    body = f"<p>{esc(answer.answer)}</p>" if answer is not None else ""
    if rates.reference_label:
        body += f'<p class="meta">{esc(t["reference"])}: {esc(rates.reference_label)}</p>'
    body += _rates_chart(rates, t) + _tbl(t, show, decimals=2)
    body += f'<p class="note">{esc(t["rates_note"].format(y=_fv(t, rates.period_years, decimals=2)))}</p>'
    return body


def _category_rates(incidents: pd.DataFrame, population: float, reference: Any, answer: Q.Answer,
                    t: dict[str, str], lang: str) -> str:
    tab = R.category_rates(incidents, population=population, reference=reference, lang=lang)
    tab = suppress_small_cells(tab, "count", also=("rate", "rate_low", "rate_high", "ratio"))
    ci = [f"{_fv(t, lo, decimals=0)}–{_fv(t, hi, decimals=0)}" if pd.notna(lo) else "–"
          for lo, hi in zip(tab["rate_low"], tab["rate_high"], strict=True)]
    verdicts = {"higher": t["higher"], "lower": t["lower"], "similar": t["similar"]}
    show = pd.DataFrame({t["category"]: tab["label"], t["count"]: tab["count"], t["rate"]: tab["rate"].round(0),
                         t["ci"]: ci, t["reference"]: tab["reference"].round(0), t["ratio"]: tab["ratio"].round(2),
                         t["verdict"]: [verdicts.get(v, "") if isinstance(v, str) else "" for v in tab["verdict"]]})
    return f"<p>{esc(answer.answer)}</p>" + _tbl(t, show, decimals=2, index=False)


def _hotspots(result: Any, areas: Any, answer: Q.Answer | None, t: dict[str, str], lang: str) -> str:
    from ..hotspots.gistar import gi_bin_label

    cells = public_cells(result)
    clusters = public_clusters(result) if getattr(result, "clusters", None) is not None else None
    body = f"<p>{esc(answer.answer)}</p>" if answer is not None else ""
    cells_full = result.cells
    z = cells.merge(cells_full[[S.H3, S.GI_Z]], on=S.H3, how="left")[S.GI_Z]
    body += _hotspot_map(cells, clusters, areas, t, lang)
    body += f'<p class="note">{esc(t["map_note"].format(r=getattr(result, "resolution", ""))) }</p>'
    if clusters is not None and len(clusters):
        top = clusters.sort_values(S.COUNT, ascending=False, na_position="last").head(10)
        ct = pd.DataFrame({t["cluster"]: top[S.CLUSTER_ID].astype(str), t["count"]: top[S.COUNT],
                           t["area_ha"]: (top[S.AREA_M2] / 1e4).round(1) if S.AREA_M2 in top else np.nan})
        body += f"<h3>{esc(t['clusters'])}</h3>" + _tbl(t, ct, index=False)
    else:
        body += f"<p>{esc(t['none'])}</p>"
    hot = cells.assign(_z=z.to_numpy())
    hot = hot[(hot[S.GI_BIN].fillna(0) > 0) & hot[S.COUNT].notna()].sort_values("_z", ascending=False).head(10)
    if len(hot):
        ht = pd.DataFrame({t["cell"]: hot[S.H3], t["count"]: hot[S.COUNT], t["z"]: hot["_z"].round(2),
                           t["class"]: [gi_bin_label(int(b), lang) for b in hot[S.GI_BIN]]})
        body += f"<h3>{esc(t['hot_cells'])}</h3>" + _tbl(t, ht, decimals=2, index=False)
    return body


# --------------------------------------------------------------------------- the report
def lagesbild_report(incidents: pd.DataFrame, *, title: str, areas: Any = None, population: float | None = None,
                     reference: float | str | None = None, hotspot_result: Any = None, lang: str = "sv",
                     subtitle: str | None = None, resolution: int | None = None,
                     made_on: date | None = None) -> str:
    """The lägesbild as one self-contained HTML page (charts embedded as PNG).

    Parameters
    ----------
    incidents
        The incidents the lägesbild is about (filter first).
    title, subtitle
        Shown at the top (escaped).
    areas, population, reference
        For rates per 100 000 (see :func:`geo_trygghet.rates.rates_per_100k`
        and :func:`~geo_trygghet.stodfragor.lagesbild_answers`).
    hotspot_result
        A :class:`geo_trygghet.hotspots.HotSpotResult`: adds the static hot-spot
        map and the tables of clusters and hottest cells (small counts suppressed).
    lang
        ``"sv"`` (default) or ``"en"``.
    made_on
        The date printed as "Framtagen" (default today).
    """
    if lang not in _T:
        msg = f"unknown language '{lang}': use 'sv' or 'en'"
        raise InputError(msg)
    t = _T[lang]
    answers = Q.lagesbild_answers(incidents, areas=areas, population=population, reference=reference, lang=lang,
                                  hotspot_result=hotspot_result, resolution=resolution)
    by_key = {a.key: a for a in answers}
    trend = P.monthly_trend(incidents, lang=lang)
    sp = P.seasonal_profile(incidents, lang=lang, trend=trend)
    wh = P.weekday_hour(incidents, lang=lang)
    times = pd.to_datetime(incidents[S.OCCURRED_AT], errors="coerce").dropna()
    made = made_on or date.today()
    meta = (f'<p class="meta">{esc(t["period"])}: {esc(times.min().date().isoformat())} – '
            f'{esc(times.max().date().isoformat())} · {esc(t["incidents"])}: {esc(_fv(t, len(incidents)))} '
            f'({esc(_fv(t, wh.n_without_time))} {esc(t["no_time"])}) · {esc(t["generated"])}: '
            f'{esc(made.isoformat())}</p>')
    if subtitle:
        meta = f"<p><b>{esc(subtitle)}</b></p>" + meta
    body = [meta, f'<p class="note">{esc(t["privacy"])}</p>',
            _section(t["summary"], _summary(answers, t)),
            _section(t["categories"], _categories(incidents, t, lang)),
            _section(t["trend"], _trend(trend, by_key["trend"], t, incidents)),
            _section(t["season"], _season(sp, by_key["season"], t)),
            _section(t["weekday_hour"], _weekday_hour(wh, by_key, t))]
    per_category = isinstance(reference, (Mapping, pd.DataFrame))
    if per_category and "reference" in by_key:
        pop = by_key["reference"].figures["population"]
        body.append(_section(t["rates"], _category_rates(incidents, pop, reference, by_key["reference"], t, lang)))
    if areas is not None:
        rates = R.rates_per_100k(incidents, areas, reference=None if per_category else reference, lang=lang)
        title_areas = t["rates_areas"] if per_category else t["rates"]
        body.append(_section(title_areas, _rates(rates, None if per_category else by_key.get("reference"), t, lang)))
    elif "reference" in by_key and not per_category:
        body.append(_section(t["rates"], f"<p>{esc(by_key['reference'].answer)}</p>"))
    if hotspot_result is not None:
        body.append(_section(t["hotspots"], _hotspots(hotspot_result, areas, by_key.get("places"), t, lang)))
    elif "places" in by_key:
        body.append(_section(t["hotspots"], f"<p>{esc(by_key['places'].answer)}</p>"))
    body.append(f'<p class="note">{esc(t["suppressed_note"])}</p>')
    return page(title, "\n".join(body), lang=lang)


def write_report(html: str, path: str | Path) -> Path:
    """Write a report page to ``path``: ``.html``/``.htm`` as UTF-8 text, ``.pdf`` via xhtml2pdf."""
    out = Path(path)
    suffix = out.suffix.lower()
    if suffix in (".html", ".htm"):
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(html, encoding="utf-8")
        return out
    if suffix == ".pdf":
        return html_to_pdf(html, out)
    msg = f"cannot write a report to '{out.name}': give a file name ending in .html or .pdf"
    raise InputError(msg)
