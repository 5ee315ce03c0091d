"""Plans, problems and causes: create, change, read, list, history; each change an event.

Staff (admin, analytiker) edit; a problemägare reads the parts of a plan its organisation's
actions belong to (:mod:`.permissions`). A problem keeps the figures of the moment it was
written (:func:`~.selection.problem_figures`); causes are numbered 1, 2, 3 … in the plan.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..errors import InputError
from ..remarks.auth import Actor
from ..remarks.models import utcnow
from . import rules
from .models import ActionRow, CauseRow, PlanRow, ProblemRow
from .permissions import is_staff, reading_scope, require
from .places import area_text, cells_area
from .records import Cause, Plan, PlanEvent, PlanRef, PlanView, Problem
from .repository import PlanRepository
from .selection import PlanSelection, ProblemFigures
from .values import as_date, as_text, check_categories

TITLE_LIMIT = 300
TEXT_LIMIT = 4000


def clean_title(title: Any, what: str = "plan") -> str:
    text = " ".join(str(title or "").split())
    if not text:
        msg = f"{what} title is empty: give it a title, e.g. 'Åtgärdsplan Centrum 2025'"
        raise InputError(msg)
    if len(text) > TITLE_LIMIT:
        msg = f"{what} title of {len(text)} characters is too long: keep it under {TITLE_LIMIT}"
        raise InputError(msg)
    return text


def _period(start: Any, end: Any) -> tuple[dt.date | None, dt.date | None]:
    s, e = as_date(start, "period start"), as_date(end, "period end")
    if s and e and e < s:
        msg = f"the period ends ({e}) before it starts ({s}): swap the dates"
        raise InputError(msg)
    return s, e


class PlanEditor:
    """Plans, their problems and causes."""

    def __init__(self, repo: PlanRepository) -> None:
        self.repo = repo

    # ------------------------------------------------------------ plans
    def create_plan(self, actor: Actor, title: str, *, area_name: str | None = None, area: Any = None,
                    period_start: Any = None, period_end: Any = None, decided_date: Any = None,
                    note: str | None = None) -> Plan:
        """A new plan (utkast; beslutad when ``decided_date`` is given). Titles are unique."""
        require(actor, rules.EDIT, "create åtgärdsplaner")
        title = clean_title(title)
        start, end = _period(period_start, period_end)
        decided = as_date(decided_date, "decided date")
        values = {"title": title, "area_name": as_text(area_name, 200), "area": area_text(area, "the plan's area"),
                  "period_start": start, "period_end": end, "decided_date": decided,
                  "status": rules.BESLUTAD if decided else rules.UTKAST}
        taken = f"an åtgärdsplan called '{title}' exists already: choose another title"
        try:
            with self.repo.write() as s:
                if self.repo.plan_by_title(s, title) is not None:
                    raise InputError(taken)
                row = PlanRow(**values)
                s.add(row)
                s.flush()
                self.repo.append(s, row.id, "plan", row.id, actor, "plan_created", note=note, data=values)
                return self.repo.plan_record(row)
        except IntegrityError:  # the same title, written meanwhile by someone else
            raise InputError(taken) from None

    def update_plan(self, actor: Actor, plan: PlanRef, *, note: str | None = None, **changes: Any) -> Plan:
        """Change a plan's title, area name, area or period (given values only)."""
        require(actor, rules.EDIT, "change åtgärdsplaner")
        allowed = {"title", "area_name", "area", "period_start", "period_end"}
        unknown = set(changes) - allowed
        if unknown:
            msg = f"cannot change {', '.join(sorted(unknown))} of a plan: change {', '.join(sorted(allowed))}"
            raise InputError(msg)
        with self.repo.write() as s:
            row = self.repo.plan_row(s, plan, lock=True)
            values: dict[str, Any] = {}
            if "title" in changes:
                values["title"] = clean_title(changes["title"])
                other = self.repo.plan_by_title(s, values["title"])
                if other is not None and other.id != row.id:
                    msg = f"an åtgärdsplan called '{values['title']}' exists already: choose another title"
                    raise InputError(msg)
            if "area_name" in changes:
                values["area_name"] = as_text(changes["area_name"], 200)
            if "area" in changes:
                values["area"] = area_text(changes["area"], "the plan's area")
            if "period_start" in changes or "period_end" in changes:
                values["period_start"], values["period_end"] = _period(
                    changes.get("period_start", row.period_start), changes.get("period_end", row.period_end))
            for key, value in values.items():
                setattr(row, key, value)
            now = utcnow()
            row.updated_at = now
            self.repo.append(s, row.id, "plan", row.id, actor, "plan_changed", note=note, data=values, at=now)
            return self.repo.plan_record(row)

    def set_plan_status(self, actor: Actor, plan: PlanRef, status: str, *, decided_date: Any = None,
                        note: str | None = None) -> Plan:
        """Move a plan along :data:`~.rules.PLAN_TRANSITIONS`; deciding it needs the date."""
        require(actor, rules.EDIT, "change the status of åtgärdsplaner")
        with self.repo.write() as s:
            row = self.repo.plan_row(s, plan, lock=True)
            rules.check_plan_transition(row.status, status)
            decided = as_date(decided_date, "decided date") or row.decided_date
            if rules.needs_decided_date(status) and decided is None:
                msg = f"plan '{row.title}': give the date it was decided (YYYY-MM-DD)"
                raise InputError(msg)
            row.status, row.decided_date = status, decided
            now = utcnow()
            row.updated_at = now
            self.repo.append(s, row.id, "plan", row.id, actor, "plan_status", note=note,
                             data={"status": status, "decided_date": decided}, at=now)
            return self.repo.plan_record(row)

    def list_plans(self, actor: Actor) -> list[Plan]:
        """Every plan for staff; for a problemägare the plans with actions of its organisation."""
        scope = reading_scope(actor)
        query = select(PlanRow)
        if scope is not None:
            query = query.where(PlanRow.id.in_(select(ActionRow.plan_id).where(ActionRow.responsible_id == scope)))
        with self.repo.read() as s:
            rows = s.scalars(query.order_by(PlanRow.id)).all()
            return [self.repo.plan_record(r) for r in rows]

    def get_plan(self, actor: Actor, plan: PlanRef) -> PlanView:
        """The plan as ``actor`` may see it (staff: whole; a problemägare: its actions)."""
        scope = reading_scope(actor)
        with self.repo.read() as s:
            return self.repo.view(s, self.repo.plan_row(s, plan), responsible=scope)

    def history(self, actor: Actor, plan: PlanRef, *, action_id: int | None = None) -> list[PlanEvent]:
        """The plan's events, oldest first (a problemägare: those of its actions and their goals);
        with ``action_id`` only that action's (and its goals')."""
        view = self.get_plan(actor, plan)
        with self.repo.read() as s:
            events = self.repo.events(s, view.plan.id)
        if action_id is not None or not is_staff(actor):
            ids = {a.id for a in view.actions} if action_id is None else {view.action(action_id).id}
            goals = {g.id for a in view.actions if a.id in ids for g in a.goals}
            events = [e for e in events if (e.entity == "action" and e.entity_id in ids)
                      or (e.entity == "goal" and e.entity_id in goals)]
        return events

    # ------------------------------------------------------------ problems
    def add_problem(self, actor: Actor, plan: PlanRef, title: str, *, description: str = "",
                    selection: PlanSelection | None = None, figures: ProblemFigures | dict | None = None,
                    categories: Any = None, area: Any = None, cells: Any = None, note: str | None = None) -> Problem:
        """A problem of the plan: its place from ``selection`` (or ``area`` / ``cells``), its crime
        categories, and the figures of the moment."""
        require(actor, rules.EDIT, "add problems to åtgärdsplaner")
        place_kind, area_json = rules.PROBLEM_NONE, None
        cell_ids: tuple[str, ...] = ()
        if selection is not None:
            place_kind, area_json, cell_ids = selection.kind, selection.area, selection.cells
            categories = categories if categories is not None else selection.categories
        elif cells:
            area_json, cell_ids = cells_area(cells)
            place_kind = rules.PROBLEM_CELLS
        elif area is not None:
            area_json, place_kind = area_text(area, "the problem's place"), rules.PROBLEM_POLYGON
        figs = figures.to_dict() if isinstance(figures, ProblemFigures) else (dict(figures) if figures else None)
        values = {"title": clean_title(title, "problem"), "description": as_text(description, TEXT_LIMIT) or "",
                  "categories": list(check_categories(categories)), "place_kind": place_kind,
                  "area": area_json, "cells": list(cell_ids) or None, "figures": figs}
        with self.repo.write() as s:
            row = self.repo.plan_row(s, plan, lock=True)
            position = len(s.scalars(select(ProblemRow.id).where(ProblemRow.plan_id == row.id)).all()) + 1
            problem = ProblemRow(plan_id=row.id, position=position, **values)
            s.add(problem)
            s.flush()
            now = self.repo.append(s, row.id, "problem", problem.id, actor, "problem_added", note=note,
                                   data={k: v for k, v in values.items() if k not in ("area", "figures")})
            self.repo.touch(s, row.id, now)
            return self.repo.problem_record(problem)

    def update_problem(self, actor: Actor, problem_id: int, *, title: str | None = None,
                       description: str | None = None, categories: Any = None, note: str | None = None) -> Problem:
        """Change a problem's title, description or categories (its place and figures stay)."""
        require(actor, rules.EDIT, "change problems of åtgärdsplaner")
        with self.repo.write() as s:
            row = self.repo.problem_row(s, problem_id)
            values: dict[str, Any] = {}
            if title is not None:
                values["title"] = clean_title(title, "problem")
            if description is not None:
                values["description"] = as_text(description, TEXT_LIMIT) or ""
            if categories is not None:
                values["categories"] = list(check_categories(categories))
            for key, value in values.items():
                setattr(row, key, value)
            now = utcnow()
            row.updated_at = now
            self.repo.append(s, row.plan_id, "problem", row.id, actor, "problem_changed", note=note, data=values,
                             at=now)
            self.repo.touch(s, row.plan_id, now)
            return self.repo.problem_record(row)

    # ------------------------------------------------------------ causes
    def add_cause(self, actor: Actor, plan: PlanRef, text: str, *, problem_id: int | None = None,
                  note: str | None = None) -> Cause:
        """ORSAK number n+1 of the plan, optionally for one of its problems."""
        require(actor, rules.EDIT, "add causes to åtgärdsplaner")
        body = as_text(text, TEXT_LIMIT)
        if body is None:
            msg = "the cause (ORSAK) is empty: describe what is thought to cause the problem"
            raise InputError(msg)
        with self.repo.write() as s:
            row = self.repo.plan_row(s, plan, lock=True)
            if problem_id is not None and self.repo.problem_row(s, problem_id).plan_id != row.id:
                msg = f"problem {problem_id} belongs to another plan: choose one of this plan's problems"
                raise InputError(msg)
            cause = CauseRow(plan_id=row.id, problem_id=problem_id, number=self.repo.next_cause_number(s, row.id),
                             text=body)
            s.add(cause)
            s.flush()
            now = self.repo.append(s, row.id, "cause", cause.id, actor, "cause_added", note=note,
                                   data={"number": cause.number, "text": body, "problem_id": problem_id})
            self.repo.touch(s, row.id, now)
            return self.repo.cause_record(cause)

    def update_cause(self, actor: Actor, plan: PlanRef, number: int, *, text: str | None = None,
                     problem_id: int | None = None, note: str | None = None) -> Cause:
        """Change cause ``number``'s text or problem."""
        require(actor, rules.EDIT, "change causes of åtgärdsplaner")
        with self.repo.write() as s:
            plan_row = self.repo.plan_row(s, plan, lock=True)
            row = self.repo.cause_row(s, plan_row.id, number)
            values: dict[str, Any] = {}
            if text is not None:
                body = as_text(text, TEXT_LIMIT)
                if body is None:
                    msg = "the cause (ORSAK) is empty: describe what is thought to cause the problem"
                    raise InputError(msg)
                values["text"] = body
            if problem_id is not None:
                if self.repo.problem_row(s, problem_id).plan_id != plan_row.id:
                    msg = f"problem {problem_id} belongs to another plan: choose one of this plan's problems"
                    raise InputError(msg)
                values["problem_id"] = problem_id
            for key, value in values.items():
                setattr(row, key, value)
            now = utcnow()
            row.updated_at = now
            self.repo.append(s, plan_row.id, "cause", row.id, actor, "cause_changed", note=note, data=values, at=now)
            self.repo.touch(s, plan_row.id, now)
            return self.repo.cause_record(row)


__all__ = ["PlanEditor", "clean_title"]
