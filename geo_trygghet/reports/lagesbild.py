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
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .. import schema as S
from .. import settings
from ..errors import InputError
from ..hotspots.gistar import GI_BIN_COLOURS, gi_bin_label
from ..hotspots.privacy import public_cells, public_clusters, suppress_small_cells
from ..i18n import text
from ..lagesbild._frames import MONTH_SEASON, category_name, direction_name
from ..lagesbild.patterns import MonthlyTrend, SeasonalProfile, WeekdayHour
from ..lagesbild.rates import Rates
from ..lagesbild.result import Lagesbild, build_lagesbild
from ..lagesbild.stodfragor import Answer
from ._html import esc, fmt_value, html_to_pdf, img_tag, page, table_html

__all__ = ["lagesbild_report", "report_html", "write_report"]

_BLUE, _ORANGE, _GREY = "#1b3a5c", "#d9822b", "#8a8a8a"
_SEASON_COLOURS = {"vinter": "#6f9fd8", "var": "#7bbf6a", "sommar": "#e3b23c", "host": "#c0693c"}


def _fig(width: float = 7.0, height: float = 3.0) -> Figure:
    fig = Figure(figsize=(width, height))
    fig.set_layout_engine("tight")
    return fig


class _Words:
    """The report's words, tables and numbers in one language (``t(key, **fields)``)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def __call__(self, key: str, **fields: Any) -> str:
        return text(key, self.lang, **fields)

    def table(self, df: pd.DataFrame, **kwargs: Any) -> str:
        return table_html(df, lang=self.lang, **kwargs)

    def value(self, value: Any, **kwargs: Any) -> str:
        return fmt_value(value, lang=self.lang, **kwargs)


# --------------------------------------------------------------------------- charts
def _trend_chart(trend: MonthlyTrend, t: _Words) -> str:
    tab = trend.table
    fig = _fig(7.2, 2.8)
    ax = fig.add_subplot()
    ax.bar(tab["month"], tab["count"], width=20, color="#9db4cc", label=t("lagesbild.report.month_count"))
    ax.plot(tab["month"], tab["ma12"], color=_ORANGE, linewidth=2.2, label=t("lagesbild.report.ma"))
    ax.set_ylabel(t("lagesbild.report.count"))
    ax.set_title(t("lagesbild.report.trend_title"), fontsize=10)
    ax.legend(fontsize=8, loc="upper left", frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_ylim(0, max(1, float(tab["count"].max())) * 1.25)
    fig.autofmt_xdate()
    return img_tag(fig, t("lagesbild.report.trend_title"))


def _season_chart(sp: SeasonalProfile, t: _Words) -> str:
    bm = sp.by_month
    fig = _fig(7.2, 2.4)
    ax = fig.add_subplot()
    colours = [_SEASON_COLOURS[MONTH_SEASON[int(m)]] for m in bm["month"]]
    ax.bar(bm["name"], bm["index"].fillna(0), color=colours)
    ax.axhline(100, color=_GREY, linewidth=1, linestyle="--")
    ax.set_ylabel(t("lagesbild.report.index"), fontsize=8)
    ax.set_title(t("lagesbild.report.season_title"), fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    return img_tag(fig, t("lagesbild.report.season_title"))


def _weekday_hour_chart(wh: WeekdayHour, t: _Words) -> str:
    fig = _fig(7.2, 2.6)
    ax = fig.add_subplot()
    data = wh.table.to_numpy(float)
    im = ax.imshow(data, aspect="auto", cmap="YlOrRd", interpolation="nearest")
    ax.set_yticks(range(7), labels=list(wh.table.index))
    ax.set_xticks(range(0, 24, 2), labels=[f"{h:02d}" for h in range(0, 24, 2)])
    ax.set_xlabel(t("lagesbild.report.hour"), fontsize=8)
    ax.set_title(t("lagesbild.report.wh_title"), fontsize=10)
    fig.colorbar(im, ax=ax, fraction=0.03, pad=0.01).set_label(t("lagesbild.report.count"), fontsize=8)
    return img_tag(fig, t("lagesbild.report.wh_title"))


def _rates_chart(rates: Rates, t: _Words) -> str:
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
        ax.axvline(rates.reference_rate, color="#b2182b", linestyle="--", linewidth=1.2,
                   label=t("lagesbild.report.ref_line"))
        ax.legend(fontsize=8, frameon=False, loc="lower right")
    ax.set_title(t("lagesbild.report.rates"), fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    return img_tag(fig, t("lagesbild.report.rates"))


def _hotspot_map(cells: Any, clusters: Any, areas: Any, t: _Words) -> str:
    from matplotlib.patches import Patch

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
    ax.set_title(t("lagesbild.report.hot_title"), fontsize=10)
    handles = [Patch(facecolor=GI_BIN_COLOURS[b], edgecolor="#888888", label=gi_bin_label(b, t.lang))
               for b in range(3, -4, -1)]
    ax.legend(handles=handles, fontsize=7, loc="lower left", frameon=True, framealpha=0.9)
    return img_tag(fig, t("lagesbild.report.hot_title"), width_pt=430)


# --------------------------------------------------------------------------- sections
def _section(title: str, body: str) -> str:
    return f"<h2>{esc(title)}</h2>\n{body}\n"


def _para(answer: Answer | None) -> str:
    return f"<p>{esc(answer.answer)}</p>" if answer is not None else ""


def _summary(answers: tuple[Answer, ...], t: _Words) -> str:
    rows = "".join(f"<tr><td><b>{esc(a.question)}</b></td><td>{esc(a.answer)}</td></tr>" for a in answers)
    return (f'<table class="data" cellspacing="0"><thead><tr><th width="32%">{esc(t("lagesbild.report.question"))}</th>'
            f'<th>{esc(t("lagesbild.report.answer"))}</th></tr></thead><tbody>{rows}</tbody></table>')


def _categories(lb: Lagesbild, t: _Words) -> str:
    cc = lb.categories.assign(share=lb.categories["share"] * 100)
    cc = suppress_small_cells(cc, "count", also=("share",))
    body = t.table(cc[["label", "count", "share"]].rename(
        columns={"label": t("lagesbild.report.category"), "count": t("lagesbild.report.count"),
                 "share": t("lagesbild.report.share")}))
    if len(lb.crime_types):
        types = lb.crime_types.head(10)
        tt = pd.DataFrame({t("lagesbild.report.crime_type"): types.index, "count": types.to_numpy(np.int64)})
        tt = suppress_small_cells(tt, "count").drop(columns="suppressed")
        tt = tt.rename(columns={"count": t("lagesbild.report.count")})
        body += f"<h3>{esc(t('lagesbild.report.types'))}</h3>" + t.table(tt)
    return body


def _trend(lb: Lagesbild, trend: MonthlyTrend, t: _Words) -> str:
    yearly = trend.table.assign(year=trend.table["month"].dt.year).groupby("year")["count"].agg(["sum", "size"])
    year = t("lagesbild.report.year")
    yearly = yearly.reset_index().rename(columns={"year": year, "sum": t("lagesbild.report.count"),
                                                  "size": t("lagesbild.report.months")})
    body = f"{_para(lb.answer('trend'))}\n{_trend_chart(trend, t)}\n" + t.table(yearly.astype({year: str}))
    by_cat = lb.trend_by_category
    if by_cat is not None:
        by_cat = by_cat[by_cat["total"] >= 3]  # small categories: not shown (sekretess)
    if by_cat is not None and len(by_cat):
        show = pd.DataFrame({
            t("lagesbild.report.category"): [category_name(g, t.lang) for g in by_cat["group"]],
            t("lagesbild.report.count"): by_cat["total"].astype("int64"),
            t("lagesbild.report.change_year"): (by_cat["change_per_year"] * 100).round(0).astype("Int64"),
            "p": by_cat["p"].round(3),
            t("lagesbild.report.direction"): [direction_name(str(d), t.lang) for d in by_cat["direction"]],
        })
        body += f"<h3>{esc(t('lagesbild.report.trend_by_category'))}</h3>" + t.table(show, index=False, decimals=3)
    return body


def _season(lb: Lagesbild, sp: SeasonalProfile, t: _Words) -> str:
    bs = sp.by_season[["name", "count", "index"]].rename(
        columns={"name": t("lagesbild.report.season_name"), "count": t("lagesbild.report.count"),
                 "index": t("lagesbild.report.index")})
    return f"{_para(lb.answer('season'))}\n{_season_chart(sp, t)}\n" + t.table(bs)


def _weekday_hour(lb: Lagesbild, t: _Words) -> str:
    body = _para(lb.answer("days")) + _para(lb.answer("hours"))
    wh = lb.weekday_hour
    if wh is not None:
        body += f'<p class="note">{esc(t("lagesbild.report.wh_note", n=wh.n_used, m=wh.n_without_time))}</p>'
        if wh.n_used:
            body += _weekday_hour_chart(wh, t)
    return body


def _rates(rates: Rates, answer: Answer | None, t: _Words) -> str:
    tab = rates.table.copy()
    tab.loc[tab["is_total"], "name"] = text("lagesbild.all_areas", t.lang)
    tab = suppress_small_cells(tab, "count", also=("rate", "rate_low", "rate_high", "ratio", "ratio_low",
                                                   "ratio_high"))
    ci = [f"{t.value(lo, decimals=0)}–{t.value(hi, decimals=0)}" if pd.notna(lo) else "–"
          for lo, hi in zip(tab["rate_low"], tab["rate_high"], strict=True)]
    show = pd.DataFrame({t("lagesbild.report.area"): tab["name"],
                         t("lagesbild.report.population"): tab["population"].astype(np.int64),
                         t("lagesbild.report.count"): tab["count"], t("lagesbild.report.rate"): tab["rate"].round(0),
                         t("lagesbild.report.ci"): ci})
    if rates.reference_rate is not None:
        show[t("lagesbild.report.ratio")] = tab["ratio"].round(2)
    if "rate_eb" in tab.columns:  # smoothed towards all areas together (reliability.py)
        show[t("lagesbild.report.rate_eb")] = tab["rate_eb"].where(tab["rate"].notna()).round(0)
    if "uncertain" in tab.columns:
        show[t("lagesbild.report.reliability")] = [t(f"lagesbild.report.uncertain.{r}") if isinstance(r, str)
                                                   else t("lagesbild.report.uncertain.none") for r in tab["uncertain"]]
    body = _para(answer)
    if rates.reference_label:
        body += f'<p class="meta">{esc(t("lagesbild.report.reference"))}: {esc(rates.reference_label)}</p>'
    body += _rates_chart(rates, t) + t.table(show, decimals=2)
    body += f'<p class="note">{esc(t("lagesbild.report.rates_note", y=t.value(rates.period_years, decimals=2)))}</p>'
    body += f'<p class="note">{esc(t("lagesbild.report.reliability_note", min=t.value(rates.min_population)))}</p>'
    return body


def _category_rates(table: pd.DataFrame, answer: Answer | None, t: _Words) -> str:
    tab = suppress_small_cells(table, "count", also=("rate", "rate_low", "rate_high", "ratio"))
    ci = [f"{t.value(lo, decimals=0)}–{t.value(hi, decimals=0)}" if pd.notna(lo) else "–"
          for lo, hi in zip(tab["rate_low"], tab["rate_high"], strict=True)]
    verdicts = [t(f"lagesbild.report.verdict.{v}") if isinstance(v, str) else "" for v in tab["verdict"]]
    show = pd.DataFrame({t("lagesbild.report.category"): tab["label"], t("lagesbild.report.count"): tab["count"],
                         t("lagesbild.report.rate"): tab["rate"].round(0), t("lagesbild.report.ci"): ci,
                         t("lagesbild.report.reference"): tab["reference"].round(0),
                         t("lagesbild.report.ratio"): tab["ratio"].round(2),
                         t("lagesbild.report.verdict"): verdicts})
    return _para(answer) + t.table(show, decimals=2, index=False)


def _hotspots(result: Any, areas: Any, answer: Answer | None, t: _Words) -> str:
    cells = public_cells(result)
    clusters = public_clusters(result) if getattr(result, "clusters", None) is not None else None
    body = _para(answer)
    cells_full = result.cells
    z = cells.merge(cells_full[[S.H3, S.GI_Z]], on=S.H3, how="left")[S.GI_Z]
    body += _hotspot_map(cells, clusters, areas, t)
    body += f'<p class="note">{esc(t("lagesbild.report.map_note", r=getattr(result, "resolution", "")))}</p>'
    if clusters is not None and len(clusters):
        top = clusters.sort_values(S.COUNT, ascending=False, na_position="last").head(10)
        area_ha = (top[S.AREA_M2] / 1e4).round(1) if S.AREA_M2 in top else np.nan
        ct = pd.DataFrame({t("lagesbild.report.cluster"): top[S.CLUSTER_ID].astype(str),
                           t("lagesbild.report.count"): top[S.COUNT], t("lagesbild.report.area_ha"): area_ha})
        body += f"<h3>{esc(t('lagesbild.report.clusters'))}</h3>" + t.table(ct, index=False)
    else:
        body += f"<p>{esc(t('lagesbild.report.no_clusters'))}</p>"
    hot = cells.assign(_z=z.to_numpy())
    hot = hot[(hot[S.GI_BIN].fillna(0) > 0) & hot[S.COUNT].notna()].sort_values("_z", ascending=False).head(10)
    if len(hot):
        ht = pd.DataFrame({t("lagesbild.report.cell"): hot[S.H3], t("lagesbild.report.count"): hot[S.COUNT],
                           t("lagesbild.report.z"): hot["_z"].round(2),
                           t("lagesbild.report.class"): [gi_bin_label(int(b), t.lang) for b in hot[S.GI_BIN]]})
        body += f"<h3>{esc(t('lagesbild.report.hot_cells'))}</h3>" + t.table(ht, decimals=2, index=False)
    return body


# --------------------------------------------------------------------------- the report
def report_html(lb: Lagesbild, *, title: str, subtitle: str | None = None, made_on: date | None = None) -> str:
    """The lägesbild ``lb`` as one self-contained HTML page (charts embedded as PNG), in
    the language it was built in. ``title`` and ``subtitle`` are shown at the top
    (escaped); ``made_on`` is printed as "Framtagen" (default today)."""
    t = _Words(lb.lang)
    no_time = lb.weekday_hour.n_without_time if lb.weekday_hour is not None else 0
    meta = (f'<p class="meta">{esc(t("lagesbild.report.period"))}: {esc(lb.start.date().isoformat())} – '
            f'{esc(lb.end.date().isoformat())} · {esc(t("lagesbild.report.incidents"))}: {esc(t.value(lb.n))} '
            f'({esc(t.value(no_time))} {esc(t("lagesbild.report.no_time"))}) · {esc(t("lagesbild.report.generated"))}: '
            f'{esc((made_on or settings.local_today()).isoformat())}</p>')
    if subtitle:
        meta = f"<p><b>{esc(subtitle)}</b></p>" + meta
    body = [meta, f'<p class="note">{esc(t("lagesbild.report.privacy"))}</p>',
            _section(t("lagesbild.report.summary"), _summary(lb.answers, t)),
            _section(t("lagesbild.report.categories"), _categories(lb, t))]
    if lb.trend is not None:
        body.append(_section(t("lagesbild.report.trend"), _trend(lb, lb.trend, t)))
    if lb.season is not None:
        body.append(_section(t("lagesbild.report.season"), _season(lb, lb.season, t)))
    body.append(_section(t("lagesbild.report.weekday_hour"), _weekday_hour(lb, t)))
    reference = lb.answer("reference")
    if lb.category_rates is not None:
        body.append(_section(t("lagesbild.report.rates"), _category_rates(lb.category_rates, reference, t)))
    if lb.area_rates is not None:
        per_category = lb.category_rates is not None
        body.append(_section(t("lagesbild.report.rates_areas") if per_category else t("lagesbild.report.rates"),
                             _rates(lb.area_rates, None if per_category else reference, t)))
    elif lb.whole_rates is not None:
        body.append(_section(t("lagesbild.report.rates"), _para(reference)))
    if lb.hotspot_result is not None:
        hot = _hotspots(lb.hotspot_result, lb.areas, lb.answer("places"), t)
        body.append(_section(t("lagesbild.report.hotspots"), hot))
    elif lb.answer("places") is not None:
        body.append(_section(t("lagesbild.report.hotspots"), _para(lb.answer("places"))))
    body.append(f'<p class="note">{esc(t("lagesbild.report.suppressed_note"))}</p>')
    return page(title, "\n".join(body), lang=lb.lang)


def lagesbild_report(incidents: pd.DataFrame, *, title: str, areas: Any = None, population: float | None = None,
                     reference: Any = None, hotspot_result: Any = None, lang: str = "sv",
                     subtitle: str | None = None, resolution: int | None = None,
                     made_on: date | None = None) -> str:
    """The lägesbild of ``incidents`` as one self-contained HTML page: :func:`build_lagesbild`
    then :func:`report_html`.

    Parameters
    ----------
    incidents
        The incidents the lägesbild is about (filter first).
    title, subtitle
        Shown at the top (escaped).
    areas, population, reference
        For rates per 100 000 (see :func:`geo_trygghet.lagesbild.build_lagesbild`).
    hotspot_result
        A :class:`geo_trygghet.hotspots.HotSpotResult`: adds the static hot-spot
        map and the tables of clusters and hottest cells (small counts suppressed).
    lang
        ``"sv"`` (default) or ``"en"``.
    made_on
        The date printed as "Framtagen" (default today).
    """
    lb = build_lagesbild(incidents, areas=areas, population=population, reference=reference,
                         hotspot_result=hotspot_result, resolution=resolution, lang=lang)
    return report_html(lb, title=title, subtitle=subtitle, made_on=made_on)


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
