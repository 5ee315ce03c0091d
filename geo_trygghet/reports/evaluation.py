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
from matplotlib.figure import Figure

from ..errors import InputError
from ..followup.evaluation import (
    MIN_INCIDENTS,
    VERDICT_FELL,
    VERDICT_ROSE,
    VERDICT_TOO_FEW,
    EvaluationResult,
)
from ._html import esc, fmt_value, img_tag, page, table_html
from .lagesbild import write_report

__all__ = ["ROLE_COLOURS", "counts_table", "effect_table", "evaluation_report", "monthly_series",
           "verdict_text", "write_report"]

#: Map and chart colours per area role.
ROLE_COLOURS = {"target": "#c0392b", "control": "#1f78b4", "buffer": "#e6922e", "candidate": "#7f7f7f"}

_T: dict[str, dict[str, str]] = {
    "sv": {
        "_lang": "sv",
        "intervention": "Åtgärdsdatum", "before": "Före", "after": "Efter", "days": "dagar",
        "same_months": "samma kalendermånader ett år tidigare", "made": "Framtagen",
        "reading": "Bedömning", "counts": "Antal brott före och efter", "area": "Område",
        "change": "Förändring (%)", "target": "Målområde", "control": "Kontrollområden (summa)",
        "control_one": "Kontrollområde", "control_named": "Kontroll: {name}", "buffer": "Buffertzon",
        "effects": "Effektmått", "measure": "Mått", "value": "Värde", "ci": "95 % KI", "comment": "Tolkning",
        "or": "Oddskvot (Campbell), OR", "or_comment": "över 1 = brotten minskade i målområdet jämfört med kontroll",
        "or_od": "OR, KI justerat för överspridning (D = {d})",
        "or_od_comment": "D skattat ur månadsantalen; detta intervall ligger till grund för bedömningen",
        "or_haldane": "OR med Haldanes korrigering (+0,5)", "haldane_comment": "ett antal är 0: endast en grov vägledning",
        "wdq": "WDQ (Bowers & Johnson)", "wdd": "WDD (Wheeler & Ratcliffe)",
        "wdd_comment": "z = {z}, p {p}; negativt = brotten minskade",
        "irr_p": "IRR, Poisson-DiD", "irr_nb": "IRR, negativ binomial-DiD",
        "irr_comment": "under 1 = brotten minskade; p {p}", "irr_nb_comment": "under 1 = brotten minskade; α {a}, p {p}",
        "too_few": "För få brott för att säga något", "per_control": "Varje kontrollområde för sig",
        "series": "Brott per månad", "series_title": "Brott per 30 dagar, månad för månad",
        "per30": "Brott per 30 dagar", "control_mean": "Kontrollområden (medel per område)",
        "line": "Åtgärd", "map": "Områdena", "map_title": "Målområde, kontrollområden och buffertzon",
        "notes": "Metodanteckningar", "method": (
            "Före = de {b} dagarna som slutar dagen före åtgärdsdatumet, efter = de {a} dagarna från och med "
            "datumet. Oddskvoten OR = (a·d)/(b·c) med a, b = målområdet före/efter och c, d = kontrollområdena "
            "före/efter (Campbell-översikterna); 95 % KI ur var(ln OR) = 1/a + 1/b + 1/c + 1/d. WDQ och WDD mäter "
            "förflyttning till eller spridning av vinster i buffertzonen. IRR från en Poisson- respektive "
            "negativ binomial-modell (difference-in-differences) på månadsantalen."),
        "notes_en": "Anteckningar från beräkningen (på engelska):",
    },
    "en": {
        "_lang": "en",
        "intervention": "Intervention date", "before": "Before", "after": "After", "days": "days",
        "same_months": "the same calendar months one year earlier", "made": "Made",
        "reading": "Assessment", "counts": "Incidents before and after", "area": "Area",
        "change": "Change (%)", "target": "Target area", "control": "Control areas (sum)",
        "control_one": "Control area", "control_named": "Control: {name}", "buffer": "Buffer",
        "effects": "Effect sizes", "measure": "Measure", "value": "Value", "ci": "95 % CI", "comment": "Reading",
        "or": "Odds ratio (Campbell), OR", "or_comment": "above 1 = crime fell in the target relative to control",
        "or_od": "OR, CI adjusted for overdispersion (D = {d})",
        "or_od_comment": "D estimated from the monthly counts; the assessment uses this interval",
        "or_haldane": "OR with Haldane's correction (+0.5)", "haldane_comment": "a count is 0: a rough guide only",
        "wdq": "WDQ (Bowers & Johnson)", "wdd": "WDD (Wheeler & Ratcliffe)",
        "wdd_comment": "z = {z}, p {p}; negative = crime fell",
        "irr_p": "IRR, Poisson DiD", "irr_nb": "IRR, negative binomial DiD",
        "irr_comment": "below 1 = crime fell; p {p}", "irr_nb_comment": "below 1 = crime fell; α {a}, p {p}",
        "too_few": "Not enough incidents to say", "per_control": "Each control area on its own",
        "series": "Incidents per month", "series_title": "Incidents per 30 days, month by month",
        "per30": "Incidents per 30 days", "control_mean": "Control areas (mean per area)",
        "line": "Intervention", "map": "The areas", "map_title": "Target, control areas and buffer",
        "notes": "Method notes", "method": (
            "Before = the {b} days ending the day before the intervention date, after = the {a} days starting on "
            "it. Odds ratio OR = (a·d)/(b·c) with a, b = target before/after and c, d = control before/after "
            "(the Campbell reviews); 95 % CI from var(ln OR) = 1/a + 1/b + 1/c + 1/d. WDQ and WDD measure "
            "displacement to, or diffusion of benefits into, the buffer. IRR from a Poisson and a negative "
            "binomial difference-in-differences model on the monthly counts."),
        "notes_en": "Notes from the computation:",
    },
}


def _texts(lang: str) -> dict[str, str]:
    if lang not in _T:
        msg = f"unknown language '{lang}': use 'sv' or 'en'"
        raise InputError(msg)
    return _T[lang]


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
        return "< 0,001" if lang == "sv" else "< 0.001"
    return "= " + _num(value, lang, 3)


def _change(before: int | None, after: int | None) -> float:
    if before is None or after is None or before == 0:
        return math.nan
    return 100.0 * (after - before) / before


def verdict_text(result: EvaluationResult, lang: str = "sv") -> str:
    """The plain reading of the result (Swedish or English)."""
    return result.reading_sv if lang == "sv" else result.reading_en


def counts_table(result: EvaluationResult, lang: str = "sv") -> pd.DataFrame:
    """Target, control group (and each control when there are several) and buffer × before/after."""
    t = _texts(lang)
    many = len(result.per_control) > 1
    rows = [(t["target"], result.target_before, result.target_after),
            (t["control"] if many else t["control_one"], result.control_before, result.control_after)]
    if many:
        rows += [(t["control_named"].format(name=pc["name"]), pc["control_before"], pc["control_after"])
                 for pc in result.per_control]
    if result.buffer_before is not None:
        rows.append((t["buffer"], result.buffer_before, result.buffer_after))
    df = pd.DataFrame(rows, columns=[t["area"], t["before"], t["after"]])
    df[t["change"]] = [_change(b, a) for _, b, a in rows]
    return df


def effect_table(result: EvaluationResult, lang: str = "sv") -> pd.DataFrame:
    """The effect sizes as text rows: measure, value, 95 % CI, reading (formatted for ``lang``)."""
    t = _texts(lang)
    m = result.models
    if result.verdict == VERDICT_TOO_FEW:
        return pd.DataFrame([(t["or"], "–", "–", t["too_few"])],
                            columns=[t["measure"], t["value"], t["ci"], t["comment"]])
    rows = [(t["or"], _num(result.odds_ratio, lang), _ci(result.odds_ratio_ci, lang), t["or_comment"])]
    if math.isfinite(result.overdispersion):
        rows.append((t["or_od"].format(d=_num(result.overdispersion, lang)), _num(result.odds_ratio, lang),
                     _ci(result.odds_ratio_ci_overdispersed, lang), t["or_od_comment"]))
    if not math.isfinite(result.odds_ratio) and math.isfinite(result.odds_ratio_haldane):
        rows.append((t["or_haldane"], _num(result.odds_ratio_haldane, lang), _ci(result.odds_ratio_haldane_ci, lang),
                     t["haldane_comment"]))
    if result.buffer_before is not None:
        reading = result.wdq_reading_sv if lang == "sv" else result.wdq_reading
        rows.append((t["wdq"], _num(result.wdq, lang), "–", reading or "–"))
    rows.append((t["wdd"], _num(result.wdd, lang, 0), "–",
                 t["wdd_comment"].format(z=_num(result.wdd_z, lang), p=_p(result.wdd_p, lang))))
    rows.append((t["irr_p"], _num(m.get("irr_poisson"), lang),
                 _ci((m.get("irr_poisson_lo"), m.get("irr_poisson_hi")), lang),
                 t["irr_comment"].format(p=_p(m.get("irr_poisson_p", math.nan), lang))))
    rows.append((t["irr_nb"], _num(m.get("irr_negbin"), lang),
                 _ci((m.get("irr_negbin_lo"), m.get("irr_negbin_hi")), lang),
                 t["irr_nb_comment"].format(a=_p(m.get("negbin_alpha", math.nan), lang),
                                            p=_p(m.get("irr_negbin_p", math.nan), lang))))
    return pd.DataFrame(rows, columns=[t["measure"], t["value"], t["ci"], t["comment"]])


def monthly_series(result: EvaluationResult, lang: str = "sv") -> pd.DataFrame:
    """Long table ``month`` (first day), ``series``, ``role``, ``value`` (incidents per 30 days).

    Partial months at the window edges are scaled by their days; months outside
    the data's time span (exposure 0) are left out. Several controls are shown
    as their mean per area, so the line is on the target's scale.
    """
    t = _texts(lang)
    mon = result.monthly
    if mon is None or not len(mon):
        return pd.DataFrame(columns=["month", "series", "role", "value"])
    mon = mon[mon["days"] > 0]
    names = [pc["name"] for pc in result.per_control]
    scale = 30.0 / mon["days"].to_numpy(float)
    series = [(t["target"], "target", mon["target"].to_numpy(float))]
    if names:
        control = mon[names].to_numpy(float).sum(axis=1) / len(names)
        series.append((t["control_mean"] if len(names) > 1 else t["control_one"], "control", control))
    if "buffer" in mon.columns and result.buffer_before is not None:
        series.append((t["buffer"], "buffer", mon["buffer"].to_numpy(float)))
    frames = [pd.DataFrame({"month": pd.to_datetime(mon["start"]).to_numpy(), "series": label, "role": role,
                            "value": values * scale}) for label, role, values in series]
    return pd.concat(frames, ignore_index=True)


# --------------------------------------------------------------------------- figures
def _series_chart(result: EvaluationResult, t: dict[str, str], lang: str) -> str:
    long = monthly_series(result, lang)
    fig = Figure(figsize=(7.2, 3.0))
    fig.set_layout_engine("tight")
    ax = fig.add_subplot()
    for (label, role), grp in long.groupby(["series", "role"], sort=False):
        ax.plot(grp["month"], grp["value"], marker="o", markersize=3, linewidth=1.8,
                color=ROLE_COLOURS.get(role, "#333333"), label=label)
    day = result.windows.intervention
    ax.axvline(day, color="#222222", linestyle="--", linewidth=1.2)
    ymax = float(long["value"].max()) if len(long) else 1.0
    ax.text(day, ymax * 1.12, f" {t['line']} {day.date().isoformat()}", fontsize=8, va="bottom")
    ax.set_ylim(0, max(ymax, 1.0) * 1.45)
    ax.set_ylabel(t["per30"], fontsize=8)
    ax.set_title(t["series_title"], fontsize=10)
    ax.legend(fontsize=8, frameon=False, loc="upper left", ncol=3)
    ax.spines[["top", "right"]].set_visible(False)
    fig.autofmt_xdate()
    return img_tag(fig, t["series_title"])


def _areas_map(areas: Any, t: dict[str, str]) -> str:
    import geopandas as gpd

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
    ax.set_title(t["map_title"], fontsize=10)
    from matplotlib.patches import Patch

    present = [r for r in ("target", "control", "buffer") if r in set(gdf.get("role", []))]
    label = {"target": t["target"], "control": t["control_one"], "buffer": t["buffer"]}
    ax.legend(handles=[Patch(facecolor=ROLE_COLOURS[r], alpha=0.5, label=label[r]) for r in present],
              fontsize=7, loc="lower left", framealpha=0.9)
    return img_tag(fig, t["map_title"], width_pt=400)


# --------------------------------------------------------------------------- the report
def evaluation_report(result: EvaluationResult, *, title: str, areas: Any = None, lang: str = "sv",
                      subtitle: str | None = None, made_on: date | None = None) -> str:
    """The follow-up as one self-contained HTML page (charts and map embedded as PNG).

    Parameters
    ----------
    result
        What :func:`geo_trygghet.evaluation.evaluate` returned.
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
    t = _texts(lang)
    w = result.windows.to_dict()
    made = made_on or date.today()
    before = f"{w['before'][0]} – {w['before'][1]} ({w['before_days']} {t['days']}"
    before += f", {t['same_months']})" if w["same_months"] else ")"
    meta = (f'<p class="meta">{esc(t["intervention"])}: <b>{esc(w["intervention"])}</b> · '
            f'{esc(t["before"])}: {esc(before)} · {esc(t["after"])}: {esc(w["after"][0])} – {esc(w["after"][1])} '
            f'({esc(w["after_days"])} {esc(t["days"])}) · {esc(t["made"])}: {esc(made.isoformat())}</p>')
    if subtitle:
        meta = f"<p><b>{esc(subtitle)}</b></p>" + meta
    colour = {VERDICT_FELL: "#1a7f37", VERDICT_ROSE: "#b2182b"}.get(result.verdict, "#555555")
    body = [meta, f"<h2>{esc(t['reading'])}</h2>",
            f'<p style="color:{colour}"><b>{esc(verdict_text(result, lang))}</b></p>']
    if result.verdict == VERDICT_TOO_FEW:
        body.append(f'<p class="note">{esc(t["too_few"])} (&lt; {MIN_INCIDENTS}).</p>')
    body += [f"<h2>{esc(t['counts'])}</h2>", table_html(counts_table(result, lang), lang=lang, decimals=0, index=False),
             f"<h2>{esc(t['effects'])}</h2>", table_html(effect_table(result, lang), lang=lang, index=False)]
    if len(result.per_control) > 1 and result.verdict != VERDICT_TOO_FEW:
        per = pd.DataFrame([(pc["name"], pc["control_before"], pc["control_after"], _num(pc["odds_ratio"], lang),
                             _ci(pc["odds_ratio_ci"], lang)) for pc in result.per_control],
                           columns=[t["control_one"], t["before"], t["after"], "OR", t["ci"]])
        body += [f"<h3>{esc(t['per_control'])}</h3>", table_html(per, lang=lang, index=False)]
    if result.monthly is not None and len(result.monthly):
        body += [f'<h2 style="-pdf-keep-with-next: true">{esc(t["series"])}</h2>', _series_chart(result, t, lang)]
    if areas is not None and len(areas):
        body += [f'<h2 style="-pdf-keep-with-next: true">{esc(t["map"])}</h2>', _areas_map(areas, t)]
    body += [f"<h2>{esc(t['notes'])}</h2>",
             f"<p>{esc(t['method'].format(b=w['before_days'], a=w['after_days']))}</p>"]
    if result.notes:
        items = "".join(f"<li>{esc(n)}</li>" for n in result.notes)
        body.append(f'<p class="note">{esc(t["notes_en"])}</p><ul class="note">{items}</ul>')
    return page(title, "\n".join(body), lang=lang)

