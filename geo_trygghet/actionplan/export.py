"""The plan out as the handbook's table: ORSAK · ÅTGÄRD · OPERATIVA MÅL · NÄR · VEM · UPPFÖLJNING.

:func:`handbook_table` makes the table (raw text: escape before HTML) from a plan and,
optionally, its computed follow-up; the UPPFÖLJNING cell starts with the light's word (the
handbook's green, yellow or red figure) and says the production, the effect or goal, the fixed
remarks and the process note. :func:`export_plan` writes it as Excel (the UPPFÖLJNING cell
coloured by its light) or CSV; :mod:`.importer` reads such a file back. User text that would
start a spreadsheet formula gets a leading apostrophe.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from .. import settings
from ..errors import InputError
from ..i18n import fmt_num, text
from . import rules
from .outcomes import ActionFollowUp, PlanFollowUp
from .records import Action, PlanView
from .reporting import effective_production

__all__ = ["EXPORT_FORMATS", "HEADERS", "export_plan", "follow_up_text", "handbook_table", "when_text", "who_text"]

EXPORT_FORMATS = ("xlsx", "csv")
#: The handbook's columns (Brå, *Upprätta åtgärdsplan*).
HEADERS = ("ORSAK", "ÅTGÄRD", "OPERATIVA MÅL", "NÄR", "VEM", "UPPFÖLJNING")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FILLS = {rules.GRON: "B7E1CD", rules.GUL: "FCE8B2", rules.ROD: "F4C7C3"}


def when_text(action: Action) -> str:
    """NÄR: ``start – due`` (or the text as written)."""
    dates = " – ".join(d.isoformat() for d in (action.start_date, action.due_date) if d is not None)
    return " · ".join(p for p in (dates, action.when_text or "") if p)


def who_text(action: Action) -> str:
    """VEM: the organisation, then the contact."""
    return ", ".join(p for p in (action.responsible_name or "", action.contact or "") if p)


def _effect_words(f: ActionFollowUp, lang: str) -> str:
    if f.effect is not None:
        e = f.effect
        ratio = fmt_num(e.odds_ratio, lang, 2) if e.odds_ratio is not None else "–"
        return text("ap.table.effect", lang, outcome=rules.label("outcome", e.outcome, lang), ratio=ratio,
                    before=e.target_before, after=e.target_after)
    return ""


def _goal_words(f: ActionFollowUp, lang: str) -> list[str]:
    out = []
    for g in f.goals:
        if g.goal.measurable and g.current is not None:
            out.append(text("ap.table.goal", lang, status=rules.label("goal", g.status, lang),
                            current=g.current, target=fmt_num(g.target, lang, 0)))
    return out


def follow_up_text(action: Action, follow: ActionFollowUp | None, lang: str = "sv") -> str:
    """The UPPFÖLJNING cell: light, production (date, count, hours), effect, goal, remarks, note."""
    production = follow.production if follow is not None else effective_production(action)
    if follow is not None:
        light = follow.light
    else:
        light = rules.decide_light(production, rules.UNKNOWN, action.light_override, action.light_reason)
    parts = []
    if light.light is not None:
        parts.append(rules.label("light", light.light, lang) + (" (" + text("ap.table.by_hand", lang) + ")"
                                                               if light.source == "override" else ""))
    done = rules.label("production", production, lang)
    if action.production_date and production == action.production:
        done += f" {action.production_date.isoformat()}"
    extra = []
    if action.production_count is not None:
        extra.append(text("ap.table.count", lang, n=fmt_num(action.production_count, lang)))
    if action.production_hours is not None:
        extra.append(text("ap.table.hours", lang, h=fmt_num(action.production_hours, lang, 0)))
    parts.append(done + (f" ({', '.join(extra)})" if extra else ""))
    if follow is not None:
        parts.extend(p for p in [_effect_words(follow, lang), *_goal_words(follow, lang)] if p)
        if follow.remarks is not None:
            parts.append(text("ap.table.remarks", lang, fixed=follow.remarks.fixed, linked=follow.remarks.linked))
    if action.light_reason and light.source == "override":
        parts.append(action.light_reason)
    if action.process_note:
        parts.append(action.process_note)
    return ". ".join(p.rstrip(".") for p in parts if p) + "."


def handbook_table(view: PlanView, follow_up: PlanFollowUp | None = None, *, lang: str = "sv") -> pd.DataFrame:
    """One row per action in the handbook's order; a cause's text on its first action's row only
    (as the handbook's table is filled in). Extra columns ``_light`` and ``_action_id`` for callers."""
    rows = []
    shown: set[int] = set()
    for a in view.actions:
        cause = view.cause(a.cause_id)
        orsak = f"{cause.number}. {cause.text}" if cause is not None and cause.id not in shown else ""
        shown.add(a.cause_id)
        follow = follow_up.of(a) if follow_up is not None else None
        light = follow.light.light if follow is not None else (
            a.light_override or rules.light_for(effective_production(a), rules.UNKNOWN))
        rows.append({"ORSAK": orsak, "ÅTGÄRD": f"{a.nr}. {a.description}",
                     "OPERATIVA MÅL": "\n".join(g.text for g in a.goals), "NÄR": when_text(a), "VEM": who_text(a),
                     "UPPFÖLJNING": follow_up_text(a, follow, lang), "_light": light, "_action_id": a.id})
    table = pd.DataFrame(rows, columns=[*HEADERS, "_light", "_action_id"])
    lights = table["_light"].astype(object)
    table["_light"] = lights.where(lights.notna(), None)  # "not judged" stays None, not NaN
    return table


def _guard(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def export_plan(view: PlanView, path: str | Path, fmt: str | None = None, *, follow_up: PlanFollowUp | None = None,
                lang: str = "sv") -> Path:
    """Write the handbook's table to ``path`` as ``xlsx`` or ``csv`` (default from the suffix)."""
    out = Path(path)
    fmt = (fmt or out.suffix.lstrip(".")).lower()
    if fmt not in EXPORT_FORMATS:
        msg = f"cannot write a plan as '{fmt}': use one of {', '.join(EXPORT_FORMATS)} (or html, pdf for the report)"
        raise InputError(msg)
    if not out.parent.exists():
        msg = f"folder {out.parent} does not exist: create it or choose another -o path"
        raise InputError(msg)
    table = handbook_table(view, follow_up, lang=lang)
    cells = table[list(HEADERS)].map(_guard)
    if fmt == "csv":
        cells.to_csv(out, index=False, encoding="utf-8-sig")
        return out
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = Workbook()
    ws = wb.active
    ws.title = text("ap.sheet", lang)
    ws.append([view.plan.title])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([text("ap.sheet.printed", lang, d=settings.local_today().isoformat())])
    ws.append(list(HEADERS))
    for cell in ws[3]:
        cell.font = Font(bold=True)
    for row, light in zip(cells.itertuples(index=False, name=None), table["_light"], strict=True):
        ws.append(list(row))
        if light in _FILLS:
            ws.cell(ws.max_row, len(HEADERS)).fill = PatternFill("solid", fgColor=_FILLS[light])
    for col, width in zip("ABCDEF", (40, 50, 40, 24, 40, 60), strict=True):
        ws.column_dimensions[col].width = width
    for row in ws.iter_rows(min_row=4):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    wb.save(out)
    return out
