"""The effect follow-up report (effektuppföljning, the handbook's Steg 5) as HTML or PDF.

One self-contained page: what was compared (windows, areas), the plain reading,
the counts table (target / control / buffer × before / after), the effect sizes
with their 95 % intervals (Campbell odds ratio with the plain and the
overdispersion-adjusted CI, WDQ with its reading, WDD with z, Poisson and
negative-binomial difference-in-differences IRR), the monthly series of target
against control (and buffer) with the intervention date marked, a static map of
the areas, and the method notes. Charts are matplotlib figures embedded as
data URIs, so the file opens offline and converts to PDF (:func:`write_report`).

Every name that came from a user or a file (title, area names) is escaped.
The tables are built by :func:`counts_table` and :func:`effect_table`, which the
app's follow-up page shows too, so the page and the report cannot disagree.

>>> result = evaluate(incidents, target=..., controls=[...], intervention="2024-01-01")  # doctest: +SKIP
>>> html = evaluation_report(result, title="Uppföljning Resecentrum")                    # doctest: +SKIP
>>> write_report(html, "uppfoljning.pdf")                                                # doctest: +SKIP
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import pandas as pd
from matplotlib.dates import date2num
from matplotlib.figure import Figure

from .. import settings
from ..errors import InputError
from ..followup import MIN_INCIDENTS, EvaluationResult, Verdict
from ..i18n import LANGUAGES, text
from ..i18n.formatting import localise
from ._html import esc, fmt_value, img_tag, page, table_html
from .lagesbild import write_report

__all__ = ["ROLE_COLOURS", "counts_table", "effect_table", "evaluation_report", "monthly_series",
           "verdict_text", "write_report"]

#: Map and chart colours per area role.
ROLE_COLOURS = {"target": "#c0392b", "control": "#1f78b4", "buffer": "#e6922e", "candidate": "#7f7f7f"}


def _check_lang(lang: str) -> str:
    if lang not in LANGUAGES:
        msg = f"unknown language '{lang}': use 'sv' or 'en'"
        raise InputError(msg)
    return lang


def _num(value: Any, lang: str, decimals: int = 2) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    return fmt_value(float(value), decimals=decimals, lang=lang)


def _ci(pair: Any, lang: str, decimals: int = 2) -> str:
    lo, hi = (pair or (math.nan, math.nan))[:2]
    if not all(v is not None and math.isfinite(float(v)) for v in (lo, hi)):
        return "–"
    return f"{_num(lo, lang, decimals)}–{_num(hi, lang, decimals)}"


def _p(value: Any, lang: str) -> str:
    """``= 0,051`` or ``< 0,001`` (to follow "p" or "α")."""
    if value is None or not math.isfinite(float(value)):
        return "= –"
    if value < 0.001:
        return "< " + localise("0.001", lang)
    return "= " + _num(value, lang, 3)


def _change(before: int | None, after: int | None) -> float:
    if before is None or after is None or before == 0:
        return math.nan
    return 100.0 * (after - before) / before


def verdict_text(result: EvaluationResult, lang: str = "sv") -> str:
    """The plain reading of the result (Swedish or English)."""
    return result.reading(_check_lang(lang))


def counts_table(result: EvaluationResult, lang: str = "sv") -> pd.DataFrame:
    """Target, control group (and each control when there are several) and buffer × before/after."""
    _check_lang(lang)
    many = len(result.per_control) > 1
    control = text("fu.report.control", lang) if many else text("fu.report.control_one", lang)
    rows: list[tuple[str, int | None, int | None]] = [
        (text("fu.report.target", lang), result.target_before, result.target_after),
        (control, result.control_before, result.control_after),
    ]
    if many:
        rows += [(text("fu.report.control_named", lang, name=pc.name), pc.before, pc.after)
                 for pc in result.per_control]
    if result.has_buffer:
        rows.append((text("fu.report.buffer", lang), result.buffer_before, result.buffer_after))
    df = pd.DataFrame(rows, columns=[text("fu.report.area", lang), text("fu.report.before", lang),
                                     text("fu.report.after", lang)])
    df[text("fu.report.change", lang)] = [_change(b, a) for _, b, a in rows]
    return df


def _effect_columns(lang: str) -> list[str]:
    return [text("fu.report.measure", lang), text("fu.report.value", lang), text("fu.report.ci", lang),
            text("fu.report.comment", lang)]


def _odds_ratio_rows(result: EvaluationResult, lang: str) -> list[tuple[str, str, str, str]]:
    rows = [(text("fu.report.or", lang), _num(result.odds_ratio.value, lang), _ci(result.odds_ratio.ci, lang),
             text("fu.report.or_comment", lang))]
    if math.isfinite(result.overdispersion):
        rows.append((text("fu.report.or_od", lang, d=_num(result.overdispersion, lang)),
                     _num(result.odds_ratio.value, lang), _ci(result.odds_ratio_overdispersed.ci, lang),
                     text("fu.report.or_od_comment", lang)))
    if not result.odds_ratio.has_value and result.odds_ratio_haldane.has_value:
        rows.append((text("fu.report.or_haldane", lang), _num(result.odds_ratio_haldane.value, lang),
                     _ci(result.odds_ratio_haldane.ci, lang), text("fu.report.haldane_comment", lang)))
    return rows


def effect_table(result: EvaluationResult, lang: str = "sv") -> pd.DataFrame:
    """The effect sizes as text rows: measure, value, 95 % CI, reading (formatted for ``lang``)."""
    _check_lang(lang)
    if result.verdict == Verdict.TOO_FEW:
        return pd.DataFrame([(text("fu.report.or", lang), "–", "–", text("fu.report.too_few", lang))],
                            columns=_effect_columns(lang))
    rows = _odds_ratio_rows(result, lang)
    if result.has_buffer:
        rows.append((text("fu.report.wdq", lang), _num(result.wdq, lang), "–", result.wdq_reading(lang) or "–"))
    rows.append((text("fu.report.wdd", lang), _num(result.wdd.value, lang, 0), "–",
                 text("fu.report.wdd_comment", lang, z=_num(result.wdd.z, lang), p=_p(result.wdd.p, lang))))
    m = result.models
    rows.append((text("fu.report.irr_p", lang), _num(m.poisson.value, lang), _ci(m.poisson.ci, lang),
                 text("fu.report.irr_comment", lang, p=_p(m.poisson.p, lang))))
    rows.append((text("fu.report.irr_nb", lang), _num(m.negbin.value, lang), _ci(m.negbin.ci, lang),
                 text("fu.report.irr_nb_comment", lang, a=_p(m.negbin_alpha, lang), p=_p(m.negbin.p, lang))))
    return pd.DataFrame(rows, columns=_effect_columns(lang))


def monthly_series(result: EvaluationResult, lang: str = "sv") -> pd.DataFrame:
    """Long table ``month`` (first day), ``series``, ``role``, ``value`` (incidents per 30 days).

    Partial months at the window edges are scaled by their days; months outside
    the data's time span (exposure 0) are left out. Several controls are shown
    as their mean per area, so the line is on the target's scale.
    """
    _check_lang(lang)
    mon = result.monthly
    if mon is None or not len(mon):
        return pd.DataFrame(columns=["month", "series", "role", "value"])
    mon = mon[mon["days"] > 0]
    names = [pc.name for pc in result.per_control]
    scale = 30.0 / mon["days"].to_numpy(float)
    series = [(text("fu.report.target", lang), "target", mon["target"].to_numpy(float))]
    if names:
        control = mon[names].to_numpy(float).sum(axis=1) / len(names)
        label = text("fu.report.control_mean", lang) if len(names) > 1 else text("fu.report.control_one", lang)
        series.append((label, "control", control))
    if "buffer" in mon.columns and result.has_buffer:
        series.append((text("fu.report.buffer", lang), "buffer", mon["buffer"].to_numpy(float)))
    frames = [pd.DataFrame({"month": pd.to_datetime(mon["start"]).to_numpy(), "series": label, "role": role,
                            "value": values * scale}) for label, role, values in series]
    return pd.concat(frames, ignore_index=True)


# --------------------------------------------------------------------------- figures
def _series_chart(result: EvaluationResult, lang: str) -> str:
    long = monthly_series(result, lang)
    title = text("fu.report.series_title", lang)
    fig = Figure(figsize=(7.2, 3.0))
    fig.set_layout_engine("tight")
    ax = fig.add_subplot()
    for (label, role), grp in long.groupby(["series", "role"], sort=False):
        ax.plot(grp["month"], grp["value"], marker="o", markersize=3, linewidth=1.8,
                color=ROLE_COLOURS.get(str(role), "#333333"), label=label)
    day = result.windows.intervention
    x_day = float(date2num(day))
    ax.axvline(x_day, color="#222222", linestyle="--", linewidth=1.2)
    ymax = float(long["value"].max()) if len(long) else 1.0
    ax.text(x_day, ymax * 1.12, f" {text('fu.report.line', lang)} {day.date().isoformat()}", fontsize=8, va="bottom")
    ax.set_ylim(0, max(ymax, 1.0) * 1.45)
    ax.set_ylabel(text("fu.report.per30", lang), fontsize=8)
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8, frameon=False, loc="upper left", ncol=3)
    ax.spines[["top", "right"]].set_visible(False)
    fig.autofmt_xdate()
    return img_tag(fig, title)


def _areas_map(areas: Any, lang: str) -> str:
    import geopandas as gpd
    from matplotlib.patches import Patch

    title = text("fu.report.map_title", lang)
    gdf = areas if isinstance(areas, gpd.GeoDataFrame) else gpd.GeoDataFrame(areas)
    gdf = gdf.to_crs("EPSG:4326") if gdf.crs is not None else gdf.set_crs("EPSG:4326")
    gdf = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty]
    fig = Figure(figsize=(6.0, 5.0))
    fig.set_layout_engine("tight")
    ax = fig.add_subplot()
    order = {"buffer": 0, "candidate": 1, "control": 2, "target": 3}
    gdf = gdf.assign(_o=[order.get(str(r), 1) for r in gdf.get("role", pd.Series("target", index=gdf.index))])
    for row in gdf.sort_values("_o").itertuples():
        role = str(getattr(row, "role", "target"))
        colour = ROLE_COLOURS.get(role, "#333333")
        g = gpd.GeoSeries([row.geometry], crs="EPSG:4326")
        g.plot(ax=ax, color=colour, alpha=0.18 if role == "buffer" else 0.35, edgecolor=colour, linewidth=1.2)
        p = row.geometry.representative_point()
        name = str(getattr(row, "name", "") or "")
        if name and role != "buffer":
            ax.annotate(name, (p.x, p.y), fontsize=7, ha="center", va="center", color="#111111")
    x0, y0, x1, y1 = gdf.total_bounds
    pad_x, pad_y = max((x1 - x0) * 0.08, 0.002), max((y1 - y0) * 0.08, 0.001)
    ax.set_xlim(x0 - pad_x, x1 + pad_x)
    ax.set_ylim(y0 - pad_y, y1 + pad_y)
    ax.set_aspect(1 / math.cos(math.radians((y0 + y1) / 2)))
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_title(title, fontsize=10)
    present = [r for r in ("target", "control", "buffer") if r in set(gdf.get("role", []))]
    label = {"target": text("fu.report.target", lang), "control": text("fu.report.control_one", lang),
             "buffer": text("fu.report.buffer", lang)}
    ax.legend(handles=[Patch(facecolor=ROLE_COLOURS[r], alpha=0.5, label=label[r]) for r in present],
              fontsize=7, loc="lower left", framealpha=0.9)
    return img_tag(fig, title, width_pt=400)


# --------------------------------------------------------------------------- the report
def _meta(result: EvaluationResult, lang: str, made: date) -> str:
    w = result.windows.to_dict()
    days = text("fu.report.days", lang)
    before = f"{w['before'][0]} – {w['before'][1]} ({w['before_days']} {days}"
    before += f", {text('fu.report.same_months', lang)})" if w["same_months"] else ")"
    return (f'<p class="meta">{esc(text("fu.report.intervention", lang))}: <b>{esc(w["intervention"])}</b> · '
            f'{esc(text("fu.report.before", lang))}: {esc(before)} · {esc(text("fu.report.after", lang))}: '
            f'{esc(w["after"][0])} – {esc(w["after"][1])} ({esc(w["after_days"])} {esc(days)}) · '
            f'{esc(text("fu.report.made", lang))}: {esc(made.isoformat())}</p>')


def _per_control_table(result: EvaluationResult, lang: str) -> str:
    per = pd.DataFrame([(pc.name, pc.before, pc.after, _num(pc.odds_ratio.value, lang), _ci(pc.odds_ratio.ci, lang))
                        for pc in result.per_control],
                       columns=[text("fu.report.control_one", lang), text("fu.report.before", lang),
                                text("fu.report.after", lang), "OR", text("fu.report.ci", lang)])
    return table_html(per, lang=lang, index=False)


def evaluation_report(result: EvaluationResult, *, title: str, areas: Any = None, lang: str = "sv",
                      subtitle: str | None = None, made_on: date | None = None) -> str:
    """The follow-up as one self-contained HTML page (charts and map embedded as PNG).

    Parameters
    ----------
    result
        What :func:`geo_trygghet.followup.evaluate` returned.
    title, subtitle
        Shown at the top (escaped).
    areas
        Optional GeoDataFrame of the areas for the static map: ``role``
        ("target", "control", "buffer"), ``name`` (escaped, shown as labels)
        and a geometry in any CRS.
    lang
        ``"sv"`` (default) or ``"en"``.
    made_on
        The date printed as "Framtagen" (default today).
    """
    _check_lang(lang)
    meta = _meta(result, lang, made_on or settings.local_today())
    if subtitle:
        meta = f"<p><b>{esc(subtitle)}</b></p>" + meta
    colour = {Verdict.FELL: "#1a7f37", Verdict.ROSE: "#b2182b"}.get(result.verdict, "#555555")
    body = [meta, f"<h2>{esc(text('fu.report.reading', lang))}</h2>",
            f'<p style="color:{colour}"><b>{esc(verdict_text(result, lang))}</b></p>']
    if result.verdict == Verdict.TOO_FEW:
        body.append(f'<p class="note">{esc(text("fu.report.too_few", lang))} (&lt; {MIN_INCIDENTS}).</p>')
    body += [f"<h2>{esc(text('fu.report.counts', lang))}</h2>",
             table_html(counts_table(result, lang), lang=lang, decimals=0, index=False),
             f"<h2>{esc(text('fu.report.effects', lang))}</h2>",
             table_html(effect_table(result, lang), lang=lang, index=False)]
    if len(result.per_control) > 1 and result.verdict != Verdict.TOO_FEW:
        body += [f"<h3>{esc(text('fu.report.per_control', lang))}</h3>", _per_control_table(result, lang)]
    if result.monthly is not None and len(result.monthly):
        body += [f'<h2 style="-pdf-keep-with-next: true">{esc(text("fu.report.series", lang))}</h2>',
                 _series_chart(result, lang)]
    if areas is not None and len(areas):
        body += [f'<h2 style="-pdf-keep-with-next: true">{esc(text("fu.report.map", lang))}</h2>',
                 _areas_map(areas, lang)]
    w = result.windows
    body += [f"<h2>{esc(text('fu.report.notes', lang))}</h2>",
             f"<p>{esc(text('fu.report.method', lang, b=w.before_days, a=w.after_days))}</p>"]
    if result.notes:
        items = "".join(f"<li>{esc(n)}</li>" for n in result.note_texts(lang))
        heading = esc(text("fu.report.computation_notes", lang))
        body.append(f'<p class="note">{heading}</p><ul class="note">{items}</ul>')
    return page(title, "\n".join(body), lang=lang)
