"""The styrgrupp's report on the åtgärdsplan (handbook step 5, *Återkoppla uppföljningen till
styrgruppen*), as HTML and PDF.

Sections: the plan's facts; a summary of the lights; the handbook's table ORSAK · ÅTGÄRD ·
OPERATIVA MÅL · NÄR · VEM · UPPFÖLJNING with each action's light (the green, yellow or red
figure); the effect per action (before/after against control areas) and the operational goals;
a map of the actions' places over the hot spots (static, offline: no tiles); the production
and process notes; the medborgarlöften; how the lights are set and which were set by hand.
Every text a person typed is escaped (:func:`~._html.esc`).
"""

from __future__ import annotations

import html
import tempfile
from pathlib import Path
from typing import Any

from .. import settings
from ..actionplan import rules
from ..actionplan.export import HEADERS, handbook_table, who_text
from ..actionplan.outcomes import PlanFollowUp, follow_up
from ..actionplan.records import PlanView
from ..errors import InputError
from ..i18n import fmt_num, text
from ._html import esc, html_to_pdf, img_tag, page
from ._plan_map import static_plan_figure
from .protocol import _breakable

__all__ = ["plan_report_html", "plan_report_pdf_bytes", "write_plan_report"]

_EXTRA_CSS = """
table.meta td { padding: 1pt 8pt 1pt 0; font-size: 9.5pt; vertical-align: top; }
table.meta td.k { color: #555; }
table.plan th { background-color: #e8eef4; text-align: left; padding: 3pt; font-size: 7.5pt;
                border-bottom: 1px solid #8aa0b6; }
table.plan td { padding: 3pt; border-bottom: 1px solid #dde3ea; font-size: 8pt; vertical-align: top; }
td.light { font-weight: bold; text-align: center; }
span.dot { font-weight: bold; }
iframe.map { width: 100%; height: 480px; border: 1px solid #c9d3de; }
.print-only { display: none; }
@media print { .print-only { display: block; } .screen-only { display: none; } }
"""


def _t(key: str, lang: str, **fields: Any) -> str:
    return text(f"ap.report.{key}", lang, **fields)


def _cell(value: Any, pdf: bool = False) -> str:
    """Escaped text with line breaks kept and break chances in long words (the PDF's table cells
    do not break words themselves)."""
    if value is None:
        return ""
    return _breakable(str(value), pdf, longest=12 if pdf else 20).replace("\n", "<br>")


def _light_td(light: str | None, lang: str) -> str:
    colour = rules.LIGHT_COLOURS[light]
    fg = "#222222" if light in (rules.GUL, None) else "#ffffff"
    return (f'<td class="light" style="background-color:{colour};color:{fg}">'
            f"{esc(rules.label('light', light or 'none', lang))}</td>")


def _table(rows: list[list[str]], head: list[str], widths: list[str], css: str = "plan") -> str:
    th = "".join(f'<th width="{w}">{esc(h)}</th>' for h, w in zip(head, widths, strict=True))
    body = "".join("<tr>" + "".join(r) + "</tr>" for r in rows)
    return f'<table class="{css}" cellspacing="0" repeat="1"><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>'


def _meta(view: PlanView, follow: PlanFollowUp, lang: str) -> str:
    p = view.plan
    period = " – ".join(d.isoformat() for d in (p.period_start, p.period_end) if d) or "–"
    rows = [(_t("area", lang), p.area_name or "–"), (_t("period", lang), period),
            (_t("decided", lang), p.decided_date.isoformat() if p.decided_date else "–"),
            (_t("status", lang), p.status_label(lang)), (_t("as_of", lang), follow.as_of.isoformat()),
            (_t("data_until", lang), follow.data_until.isoformat() if follow.data_until else _t("no_data", lang))]
    cells = "".join(f'<tr><td class="k" width="24%">{esc(k)}</td><td width="76%">{esc(v)}</td></tr>' for k, v in rows)
    return f'<table class="meta" cellspacing="0" width="100%">{cells}</table>'


def _summary(follow: PlanFollowUp, lang: str) -> str:
    counts = follow.light_counts()
    parts = [f'<span class="dot" style="color:{rules.LIGHT_COLOURS[light]}">&#9679;</span> '
             f"{esc(rules.label('light', light or 'none', lang))}: {n}" for light, n in counts.items()]
    produced: dict[str, int] = {}
    for f in follow.actions:
        produced[f.production] = produced.get(f.production, 0) + 1
    done = ", ".join(f"{esc(rules.label('production', s, lang))} {n}" for s, n in produced.items())
    promises = sum(f.action.promise for f in follow.actions)
    return (f"<p>{esc(_t('summary', lang, n=len(follow.actions)))} {' &nbsp; '.join(parts)}</p>"
            f"<p>{esc(_t('produced', lang))}: {done}. {esc(_t('promises_n', lang, n=promises))}</p>")


def _problems(view: PlanView, lang: str) -> str:
    from ..actionplan.selection import ProblemFigures
    from ..ingest.crime_types import category_label

    if not view.problems:
        return f"<p>{esc(_t('no_problems', lang))}</p>"
    out = []
    for p in view.problems:
        figures = ProblemFigures.from_dict(p.figures)
        cats = ", ".join(category_label(c, lang) for c in p.categories)
        out.append(f"<h3>{esc(p.title)}</h3>" + (f"<p>{_cell(p.description)}</p>" if p.description else "")
                   + (f'<p class="meta">{esc(cats)}</p>' if cats else "")
                   + (f'<p class="meta">{esc(figures.describe(lang))}</p>' if figures is not None else ""))
    return "".join(out)


def _handbook(view: PlanView, follow: PlanFollowUp, lang: str, pdf: bool) -> str:
    table = handbook_table(view, follow, lang=lang)
    if table.empty:
        return f"<p>{esc(_t('no_actions', lang))}</p>"
    head = [*[text(f"ap.col.h{i}", lang) for i in range(6)], text("ap.col.light", lang)]
    rows = [[*(f"<td>{_cell(r[c], pdf)}</td>" for c in HEADERS), _light_td(r["_light"], lang)]
            for r in table.to_dict("records")]
    return _table(rows, head, ["16%", "17%", "15%", "10%", "12%", "23%", "7%"])


def _effects(follow: PlanFollowUp, lang: str, pdf: bool) -> str:
    rows = []
    for f in follow.actions:
        a, e = f.action, f.effect
        if e is None:
            note = text(f"ap.effect_note.{f.effect_note}", lang) if f.effect_note else "–"
            rows.append([f"<td>{esc(a.nr)}</td>", f"<td>{_cell(a.description, pdf)}</td>",
                         f'<td colspan="4">{esc(note)}</td>'])
            continue
        ci = e.odds_ratio_ci
        ratio = fmt_num(e.odds_ratio, lang, 2) if e.odds_ratio is not None else "–"
        interval = (f" ({fmt_num(ci[0], lang, 2)}–{fmt_num(ci[1], lang, 2)})"
                    if ci[0] is not None and ci[1] is not None else "")
        controls = _t("controls_" + e.control_source, lang, n=len(e.control_names))
        rows.append([f"<td>{esc(a.nr)}</td>", f"<td>{_cell(a.description, pdf)}</td>",
                     f"<td>{e.target_before} → {e.target_after}</td>",
                     f"<td>{e.control_before} → {e.control_after}<br>{esc(controls)}</td>",
                     f"<td>{esc(ratio + interval)}</td>", f"<td>{esc(e.reading(lang))}</td>"])
    head = [_t(k, lang) for k in ("nr", "action", "target", "control", "ratio", "reading")]
    out = _table(rows, head, ["5%", "22%", "11%", "16%", "13%", "33%"])
    goal_rows = []
    for f in follow.actions:
        for g in f.goals:
            if not g.goal.measurable:
                continue
            target = fmt_num(g.target, lang, 0) if g.target is not None else "–"
            goal_rows.append([f"<td>{esc(f.action.nr)}</td>", f"<td>{_cell(g.goal.text, pdf)}</td>",
                              f"<td>{esc(fmt_num(g.baseline, lang, 0))}</td>",
                              f"<td>{esc(fmt_num(g.current, lang, 0))}</td>", f"<td>{esc(target)}</td>",
                              f"<td>{esc(rules.label('goal', g.status, lang))}</td>"])
    if goal_rows:
        head = [_t(k, lang) for k in ("nr", "goal", "baseline", "current", "goal_target", "goal_status")]
        out += f"<h3>{esc(_t('goals', lang))}</h3>" + _table(goal_rows, head, ["5%", "45%", "12%", "12%", "12%", "14%"])
    return out


def _production(follow: PlanFollowUp, lang: str, pdf: bool) -> str:
    rows = []
    for f in follow.actions:
        a = f.action
        done = rules.label("production", f.production, lang)
        if f.production_from_remarks:
            done += " " + _t("from_remarks", lang)
        elif a.production_date:
            done += f" {a.production_date.isoformat()}"
        remarks = f"{f.remarks.fixed}/{f.remarks.linked}" if f.remarks is not None else "–"
        rows.append([f"<td>{esc(a.nr)}</td>", f"<td>{_cell(who_text(a), pdf)}</td>", f"<td>{_cell(done, pdf)}</td>",
                     f"<td>{esc(fmt_num(a.production_count, lang))}</td>",
                     f"<td>{esc(fmt_num(a.production_hours, lang))}</td>", f"<td>{esc(remarks)}</td>",
                     f"<td>{_cell(a.process_note or '', pdf)}</td>"])
    head = [_t(k, lang) for k in ("nr", "who", "production", "count", "hours", "remarks", "process")]
    return _table(rows, head, ["5%", "17%", "17%", "7%", "7%", "9%", "38%"])


def _promises(follow: PlanFollowUp, lang: str) -> str:
    items = [f for f in follow.actions if f.action.promise]
    if not items:
        return f"<p>{esc(_t('no_promises', lang))}</p>"
    out = []
    for f in items:
        a = f.action
        state = rules.label("production", f.production, lang)
        out.append(f"<p><b>{esc(a.nr)}.</b> {_cell(a.promise_text or '')}<br>"
                   f'<span class="meta">{esc(_t("promise_state", lang, state=state))}</span></p>')
    return "".join(out)


def _lights(follow: PlanFollowUp, lang: str, pdf: bool) -> str:
    rule = "".join(f"<p>{esc(_t(f'rule_{i}', lang))}</p>" for i in range(1, 4))
    by_hand = [f for f in follow.actions if f.light.source == "override"]
    if not by_hand:
        return rule + f"<p>{esc(_t('no_overrides', lang))}</p>"
    rows = [[f"<td>{esc(f.action.nr)}</td>", _light_td(f.light.light, lang),
             f"<td>{esc(rules.label('light', rules.light_for(f.production, f.outcome) or 'none', lang))}</td>",
             f"<td>{_cell(f.light.reason or '', pdf)}</td>"] for f in by_hand]
    head = [_t(k, lang) for k in ("nr", "set_light", "rule_light", "reason")]
    return rule + _table(rows, head, ["6%", "14%", "16%", "64%"])


def _map(view: PlanView, follow: PlanFollowUp, hotspot_cells: Any, lang: str, for_pdf: bool) -> str:
    fig = static_plan_figure(view, follow, hotspot_cells=hotspot_cells, lang=lang)
    static = img_tag(fig, alt=_t("map", lang), width_pt=500, dpi=150)
    if for_pdf:
        return static
    from ..maps.actionplan import plan_map

    doc = plan_map(view, follow, hotspot_cells=hotspot_cells, lang=lang).get_root().render()
    frame = f'<iframe class="map" title="{esc(_t("map", lang))}" srcdoc="{html.escape(doc, quote=True)}"></iframe>'
    return f'<div class="screen-only">{frame}</div><div class="print-only">{static}</div>'


def plan_report_html(view: PlanView, follow: PlanFollowUp | None = None, *, incidents: Any = None,
                     hotspot_cells: Any = None, as_of: Any = None, lang: str = "sv", for_pdf: bool = False) -> str:
    """The report as one self-contained HTML page (``for_pdf``: the static map only). Without
    ``follow`` it is computed from ``incidents`` (None: production and lights only)."""
    lang = "en" if lang == "en" else "sv"
    follow = follow or follow_up(view, incidents, as_of=as_of)
    sections = [
        ("plan", _meta(view, follow, lang) + _summary(follow, lang)),
        ("problems", _problems(view, lang)),
        ("table", _handbook(view, follow, lang, for_pdf)),
        ("effects", _effects(follow, lang, for_pdf)),
        ("map", _map(view, follow, hotspot_cells, lang, for_pdf)),
        ("production_process", _production(follow, lang, for_pdf)),
        ("promises", _promises(follow, lang)),
        ("lights", _lights(follow, lang, for_pdf)),
    ]
    body = f'<p class="meta">{esc(_t("subtitle", lang))}</p>'
    body += "".join(f"<h2>{esc(_t(key, lang))}</h2>{content}" for key, content in sections)
    body += f'<p class="note">{esc(_t("footer", lang, d=settings.local_today().isoformat()))}</p>'
    return page(view.plan.title, body, lang=lang, extra_css=_EXTRA_CSS)


def plan_report_pdf_bytes(view: PlanView, follow: PlanFollowUp | None = None, **kw: Any) -> bytes:
    """The report as PDF bytes (for a download button)."""
    doc = plan_report_html(view, follow, for_pdf=True, **kw)
    with tempfile.TemporaryDirectory() as tmp:
        return html_to_pdf(doc, Path(tmp) / "atgardsplan.pdf").read_bytes()


def write_plan_report(view: PlanView, path: str | Path, follow: PlanFollowUp | None = None, **kw: Any) -> Path:
    """Write the report to ``path``: ``.pdf`` as PDF, ``.html`` as HTML."""
    out = Path(path)
    if not out.parent.exists():
        msg = f"folder {out.parent} does not exist: create it or choose another -o path"
        raise InputError(msg)
    suffix = out.suffix.lower()
    if suffix == ".pdf":
        out.write_bytes(plan_report_pdf_bytes(view, follow, **kw))
    elif suffix in (".html", ".htm"):
        out.write_text(plan_report_html(view, follow, **kw), encoding="utf-8")
    else:
        msg = f"cannot tell the report format from '{out.name}': end the file name in .html or .pdf"
        raise InputError(msg)
    return out
