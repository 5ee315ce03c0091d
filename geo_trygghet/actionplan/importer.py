"""Reading an åtgärdsplan kept in Excel or CSV: the handbook's table, row by row.

The headers are the handbook's ``ORSAK · ÅTGÄRD · OPERATIVA MÅL · NÄR · VEM · UPPFÖLJNING``, in
any case and order, with or without å ä ö; title lines above them and blank rows are skipped.

* ORSAK: ``1. text`` (or ``1)``, ``1 -``, or no number). An empty cell — a merged one too —
  continues the cause above, so one cause spans several actions; the same text again does too.
  Causes are numbered 1, 2 … in the order they come (the file's numbers link the actions).
* ÅTGÄRD: ``1a. text`` (or ``1a)``, ``1 a``, ``a)``, no label). A label naming a cause's number
  puts the action under that cause; otherwise it belongs to the cause above it.
* OPERATIVA MÅL: one operational goal per line.
* NÄR: a date (the due date) or two (start and due), as Excel dates or ``YYYY-MM-DD``;
  other text is kept as written.
* VEM: the responsible organisation (a problemägare; added if unknown), then a contact after
  a comma, semicolon or new line.
* UPPFÖLJNING: kept as the process note; "genomförd", "delvis", "ej genomförd" report the
  production (with the first date in it), and a light word (grön, gul, röd) is kept as a light
  set by hand, with the cell as its reason.

Every problem is one line naming the file, the row and the fix.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._values import is_missing
from ..errors import InputError, SchemaError
from ..ingest.columns import norm
from ..remarks.auth import Actor
from . import rules

__all__ = ["ImportRow", "ImportSummary", "import_plan", "read_plan_rows"]

_ROLE_NAMES: dict[str, tuple[str, ...]] = {
    "cause": ("orsak", "orsaker", "cause", "causes"),
    "action": ("atgard", "atgarder", "action", "actions", "measure"),
    "goal": ("operativa_mal", "operativt_mal", "operativa_malen", "mal", "goal", "goals", "operational_goal"),
    "when": ("nar", "tidpunkt", "tid", "when", "datum"),
    "who": ("vem", "ansvarig", "ansvar", "who", "responsible"),
    "follow_up": ("uppfoljning", "follow_up", "followup"),
}
_LABELS = {"cause": "ORSAK", "action": "ÅTGÄRD", "goal": "OPERATIVA MÅL", "when": "NÄR", "who": "VEM",
           "follow_up": "UPPFÖLJNING"}
_CAUSE_LABEL = re.compile(r"^\s*(\d{1,3})\s*[.):\-–]?\s+(.*)$", re.S)
#: "1a. text", "1 a) text", "1a text" | "a) text", "b. text" | "1. text"
_ACTION_LABELS = (re.compile(r"^\s*(\d{1,3})\s*[a-zåäö]{1,2}\s*[.):\-–]?\s+(.*)$", re.S | re.I),
                  re.compile(r"^\s*()[a-zåäö]{1,2}\s*[.):]\s+(.*)$", re.S | re.I),
                  re.compile(r"^\s*(\d{1,3})\s*[.):]\s+(.*)$", re.S))
_ISO = re.compile(r"\b(\d{4}-\d{2}-\d{2})\b")
_MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober",
           "november", "december")
_MONTH_YEAR = re.compile(r"\b(" + "|".join(_MONTHS) + r")\s+(\d{4})\b", re.I)
_PRODUCTION_WORDS = ((rules.EJ_GENOMFORD, re.compile(r"\b(ej|inte|icke)\s+(genomf[öo]rd|utf[öo]rd|gjord)", re.I)),
                     (rules.DELVIS, re.compile(r"\bdelvis\b", re.I)),
                     (rules.GENOMFORD, re.compile(r"\b(genomf[öo]rd|utf[öo]rd|klar|klart)\b", re.I)))
_LIGHT_WORDS = ((rules.GRON, re.compile(r"\b(gr[öo]n|green)\b", re.I)),
                (rules.GUL, re.compile(r"\b(gul|yellow)\b", re.I)),
                (rules.ROD, re.compile(r"\b(r[öo]d|red)\b", re.I)))
_FORMULA_GUARD = ("'=", "'+", "'-", "'@")


@dataclass(frozen=True)
class ImportRow:
    """One action of the file, with its cause (as numbered in the file) and the row it came from."""

    line: int
    cause_key: int
    cause_text: str
    action_text: str
    goals: tuple[str, ...] = ()
    start: dt.date | None = None
    due: dt.date | None = None
    when_text: str | None = None
    who: str | None = None
    follow_up: str | None = None
    production: str | None = None
    production_date: dt.date | None = None
    light: str | None = None


def _text(value: Any) -> str:
    if is_missing(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).replace("\r\n", "\n").strip()
    if text.startswith(_FORMULA_GUARD):  # our own export's guard against formulas, undone
        text = text[1:]
    return text


def _raw_rows(p: Path, sheet: str | int | None) -> list[list[Any]]:
    from ..ingest.files import check_path, read_text_table

    path = check_path(p, "plan file")
    ext = path.suffix.lower()
    if ext in (".xlsx", ".xlsm"):
        import openpyxl

        try:
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
            ws = wb[sheet] if isinstance(sheet, str) else wb.worksheets[int(sheet or 0)]
            rows = [list(r) for r in ws.iter_rows(values_only=True)]
            wb.close()
        except (KeyError, IndexError):
            msg = f"{path.name} has no sheet '{sheet}': name one of its sheets with --sheet"
            raise InputError(msg) from None
        except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on a broken file
            msg = f"{path.name} is not a readable Excel .xlsx file ({type(exc).__name__}); save it as .xlsx or CSV"
            raise InputError(msg) from None
        return rows
    if ext in (".csv", ".txt", ".tsv"):
        df, _ = read_text_table(path)
        return [list(df.columns), *df.astype(object).where(df.notna(), None).values.tolist()]
    msg = f"{path.name}: unsupported file type '{path.suffix or '(none)'}'; give the plan as .xlsx or .csv"
    raise InputError(msg)


def _roles(row: list[Any]) -> dict[str, int]:
    found: dict[str, int] = {}
    for i, cell in enumerate(row):
        key = norm(_text(cell))
        for role, names in _ROLE_NAMES.items():
            if key in names and role not in found:
                found[role] = i
    return found


def _header(rows: list[list[Any]], name: str) -> tuple[int, dict[str, int]]:
    for i, row in enumerate(rows[:20]):
        roles = _roles(row)
        if "action" in roles and len(roles) >= 2:
            return i, roles
    msg = (f"{name}: no header row with the handbook's columns: put ORSAK, ÅTGÄRD, OPERATIVA MÅL, NÄR, VEM "
           "and UPPFÖLJNING (any case) above the plan")
    raise SchemaError(msg)


def _dates(value: Any, where: str) -> tuple[dt.date | None, dt.date | None, str | None]:
    """(start, due, text kept as written) from a NÄR cell."""
    if isinstance(value, dt.datetime | dt.date):
        day = value.date() if isinstance(value, dt.datetime) else value
        return None, day, None
    text = _text(value)
    if not text:
        return None, None, None
    found = []
    for iso in _ISO.findall(text):
        try:
            found.append(dt.date.fromisoformat(iso))
        except ValueError:
            msg = f"{where}: NÄR '{text}' has a date that does not exist; write it as YYYY-MM-DD"
            raise InputError(msg) from None
    if not found:
        m = _MONTH_YEAR.search(text)
        if m:
            month = _MONTHS.index(m.group(1).lower()) + 1
            nxt = dt.date(int(m.group(2)) + month // 12, month % 12 + 1, 1)
            return None, nxt - dt.timedelta(days=1), text
        return None, None, text
    rest = re.sub(r"[\s–—\-/]|till|to", "", _ISO.sub("", text))
    kept = text if rest else None
    if len(found) == 1:
        return None, found[0], kept
    return min(found[:2]), max(found[:2]), kept


def _follow_up(text: str) -> tuple[str | None, dt.date | None, str | None]:
    production = next((slug for slug, pattern in _PRODUCTION_WORDS if pattern.search(text)), None)
    light = next((slug for slug, pattern in _LIGHT_WORDS if pattern.search(text)), None)
    iso = _ISO.search(text)
    day = None
    if production and iso:
        try:
            day = dt.date.fromisoformat(iso.group(1))
        except ValueError:
            day = None
    return production, day, light


def _action_label(text: str) -> tuple[int | None, str]:
    """The cause number an action's label names (None: none), and the text without the label."""
    for pattern in _ACTION_LABELS:
        m = pattern.match(text)
        if m and m.group(2).strip():
            return (int(m.group(1)) if m.group(1) else None), m.group(2).strip()
    return None, text


def read_plan_rows(path: str | Path, *, sheet: str | int | None = None) -> tuple[list[ImportRow], list[str]]:
    """The actions of a plan file (see the module docstring) and notes on what was read."""
    p = Path(path)
    rows = _raw_rows(p, sheet)
    head, roles = _header(rows, p.name)
    notes: list[str] = []
    missing = [_LABELS[r] for r in _LABELS if r not in roles]
    if missing:
        notes.append(f"no {', '.join(missing)} column: left empty")
    out: list[ImportRow] = []
    causes: dict[int, str] = {}  # the file's cause number -> text
    current: int | None = None

    def cell(row: list[Any], role: str) -> Any:
        i = roles.get(role)
        return row[i] if i is not None and i < len(row) else None

    for offset, row in enumerate(rows[head + 1:], start=head + 2):
        where = f"{p.name} row {offset}"
        cause_text, action_text = _text(cell(row, "cause")), _text(cell(row, "action"))
        if not any(_text(v) for v in row):
            continue
        if cause_text:
            m = _CAUSE_LABEL.match(cause_text)
            number, body = (int(m.group(1)), m.group(2).strip()) if m else (None, cause_text)
            same = next((k for k, v in causes.items() if v == body), None)
            if number is None:
                number = same if same is not None else max(causes, default=0) + 1
            if number in causes and causes[number] != body and body:
                msg = f"{where}: ORSAK {number} is written twice with different texts; give each cause its own number"
                raise InputError(msg)
            causes[number] = body or causes.get(number, "")
            current = number
        if not action_text:
            continue
        label, body = _action_label(action_text)
        owner = label if label is not None and label in causes else current
        if owner is None:
            msg = f"{where}: ÅTGÄRD '{action_text[:40]}' has no ORSAK: write its cause in the ORSAK column above"
            raise InputError(msg)
        start, due, when_text = _dates(cell(row, "when"), where)
        follow = _text(cell(row, "follow_up")) or None
        production, day, light = _follow_up(follow) if follow else (None, None, None)
        goals = tuple(g.strip() for g in _text(cell(row, "goal")).split("\n") if g.strip())
        out.append(ImportRow(line=offset, cause_key=owner, cause_text=causes[owner], action_text=body or action_text,
                             goals=goals, start=start, due=due, when_text=when_text,
                             who=_text(cell(row, "who")) or None, follow_up=follow, production=production,
                             production_date=day, light=light))
    if not out:
        msg = f"{p.name}: no actions under the ÅTGÄRD header; write one action per row"
        raise InputError(msg)
    return out, notes


@dataclass(frozen=True)
class ImportSummary:
    """What :func:`import_plan` made."""

    plan_id: int
    title: str
    causes: int
    actions: int
    goals: int
    reports: int
    lights: int
    organisations_created: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)

    def lines(self) -> list[str]:
        out = [f"imported plan '{self.title}' (id {self.plan_id}): {self.causes} causes, {self.actions} actions, "
               f"{self.goals} operational goals, {self.reports} follow-up reports, {self.lights} lights set by hand"]
        if self.organisations_created:
            out.append("organisations added: " + ", ".join(self.organisations_created))
        out.extend(f"note: {n}" for n in self.notes)
        return out


def _split_who(who: str, names: list[str]) -> tuple[str, str | None]:
    """(organisation, contact): the longest known organisation name the cell starts with, else the
    text before the first comma, semicolon or new line."""
    for name in sorted(names, key=len, reverse=True):
        if who.casefold().startswith(name.casefold()):
            rest = who[len(name):].strip(" ,;:–-\n")
            return name, rest or None
    m = re.match(r"^(.*?)[,;\n](.*)$", who, re.S)
    if m:
        return m.group(1).strip(), m.group(2).strip() or None
    return who.strip(), None


def import_plan(service: Any, path: str | Path, title: str, *, actor: Actor | None = None,
                sheet: str | int | None = None) -> ImportSummary:
    """Create the plan ``title`` from the file (see the module docstring); ``service`` is a
    :class:`~.service.PlanService`. Unknown organisations under VEM are added as problemägare."""
    from ..remarks import RemarkService

    me = actor or Actor.system()
    rows, notes = read_plan_rows(path, sheet=sheet)
    remarks = RemarkService(service.store)
    names = [o.name for o in remarks.list_organisations(me)]
    created: list[str] = []
    plan = service.create_plan(me, title, note=f"imported from {Path(path).name}")
    numbers: dict[int, int] = {}
    goals = reports = lights = 0
    for r in rows:
        if r.cause_key not in numbers:
            numbers[r.cause_key] = service.add_cause(me, plan, r.cause_text or "–").number
        responsible, contact = _split_who(r.who, names) if r.who else (None, None)
        if responsible and responsible not in names:
            remarks.create_organisation(me, responsible)
            names.append(responsible)
            created.append(responsible)
        action = service.add_action(me, plan, numbers[r.cause_key], r.action_text, responsible=responsible,
                                    contact=contact, start_date=r.start, due_date=r.due, when_text=r.when_text,
                                    note=f"{Path(path).name} row {r.line}")
        for text in r.goals:
            service.add_goal(me, action.id, text)
            goals += 1
        if r.follow_up:
            service.report(me, action.id, production=r.production, production_date=r.production_date,
                           process_note=r.follow_up, note=f"UPPFÖLJNING, {Path(path).name} row {r.line}")
            reports += 1
        if r.light:
            service.override_light(me, action.id, r.light, f"UPPFÖLJNING i {Path(path).name}: {r.follow_up}")
            lights += 1
    if any(k != v for k, v in numbers.items()):
        notes.append("causes renumbered 1, 2, 3 … in the order they come")
    return ImportSummary(plan.id, plan.title, len(numbers), len(rows), goals, reports, lights, tuple(created),
                         tuple(notes))
