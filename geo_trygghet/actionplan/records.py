"""Plain, immutable records the plan service hands out (never ORM objects).

Free text in them (titles, descriptions, causes, notes, the medborgarlöfte) is raw user input:
escape it before it reaches HTML.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from . import rules


@dataclass(frozen=True)
class Plan:
    """An åtgärdsplan: title, kommun or area, period, decided date, status."""

    id: int
    title: str
    status: str = rules.UTKAST
    area_name: str | None = None
    area: str | None = None  # GeoJSON geometry text, WGS84
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    decided_date: dt.date | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None

    def status_label(self, lang: str = "sv") -> str:
        return rules.label("status", self.status, lang)


@dataclass(frozen=True)
class Problem:
    """What the lägesbild showed: categories, a place (polygon, hot-spot cells or none) and the
    figures at the time (:class:`~.selection.ProblemFigures` as a dict)."""

    id: int
    plan_id: int
    title: str
    description: str = ""
    position: int = 0
    categories: tuple[str, ...] = ()
    place_kind: str = rules.PROBLEM_NONE
    area: str | None = None
    cells: tuple[str, ...] = ()
    figures: dict[str, Any] | None = None


@dataclass(frozen=True)
class Cause:
    """ORSAK number ``number`` (1, 2, 3 …)."""

    id: int
    plan_id: int
    number: int
    text: str
    problem_id: int | None = None


@dataclass(frozen=True)
class Goal:
    """OPERATIVA MÅL; measurable when it names a change of incidents in the action's place."""

    id: int
    action_id: int
    text: str
    measurable: bool = False
    categories: tuple[str, ...] = ()
    baseline: float | None = None
    target_change: float | None = None
    by_date: dt.date | None = None


@dataclass(frozen=True)
class LinkedRemark:
    """A walk remark an action gathers, as the plan needs it (no reporter, no photo)."""

    id: str
    walk_title: str
    number: int
    category: str
    text: str
    state: str
    fixed_date: dt.date | None
    lon: float
    lat: float
    owner_id: int | None = None

    @property
    def is_fixed(self) -> bool:
        from ..remarks.states import is_fixed

        return is_fixed(self.state)

    @property
    def is_closed(self) -> bool:
        from ..remarks.states import is_closed

        return is_closed(self.state)

    def state_label(self, lang: str = "sv") -> str:
        from ..remarks.states import state_label

        return state_label(self.state, lang)


@dataclass(frozen=True)
class Action:
    """ÅTGÄRD ``nr`` (1a, 1b …): what, who (VEM), when (NÄR), where, and its production report."""

    id: int
    plan_id: int
    cause_id: int
    cause_number: int
    letter: str
    description: str
    kind: str = rules.ANNAN
    position: int = 0
    responsible_id: int | None = None
    responsible_name: str | None = None
    contact: str | None = None
    start_date: dt.date | None = None
    due_date: dt.date | None = None
    when_text: str | None = None
    place_kind: str = rules.PLACE_NONE
    area: str | None = None
    buffer_m: float | None = None
    controls: str | None = None
    promise: bool = False
    promise_text: str | None = None
    production: str = rules.EJ_RAPPORTERAD
    production_date: dt.date | None = None
    production_count: int | None = None
    production_hours: float | None = None
    process_note: str | None = None
    light_override: str | None = None
    light_reason: str | None = None
    goals: tuple[Goal, ...] = ()
    remarks: tuple[LinkedRemark, ...] = ()
    updated_at: dt.datetime | None = None

    @property
    def nr(self) -> str:
        """The handbook's number: the cause's number and the action's letter, e.g. ``1a``."""
        return f"{self.cause_number}{self.letter}"

    def kind_label(self, lang: str = "sv") -> str:
        return rules.label("kind", self.kind, lang)

    def production_label(self, lang: str = "sv") -> str:
        return rules.label("production", self.production, lang)


@dataclass(frozen=True)
class PlanEvent:
    """One appended change: who, when, what (a code, worded by the catalogue's ``ap.what.*``),
    on which part of the plan, the note, and the changed values after it."""

    id: int
    plan_id: int
    entity: str
    entity_id: int
    at: dt.datetime
    actor: str
    what: str
    note: str | None = None
    data: dict[str, Any] | None = None

    def what_label(self, lang: str = "sv") -> str:
        from ..i18n import text

        return text(f"ap.what.{self.what}", lang)


@dataclass(frozen=True)
class PlanView:
    """A plan and what the actor may see of it, in the handbook's order.

    Staff see everything; a problemägare sees the actions its organisation answers for, with
    their causes and problems for context.
    """

    plan: Plan
    problems: tuple[Problem, ...] = ()
    causes: tuple[Cause, ...] = ()
    actions: tuple[Action, ...] = ()

    def cause(self, cause_id: int) -> Cause | None:
        return next((c for c in self.causes if c.id == cause_id), None)

    def problem(self, problem_id: int | None) -> Problem | None:
        return next((p for p in self.problems if p.id == problem_id), None)

    def problem_of(self, action: Action) -> Problem | None:
        cause = self.cause(action.cause_id)
        return self.problem(cause.problem_id) if cause is not None else None

    def actions_of(self, cause_id: int) -> tuple[Action, ...]:
        return tuple(a for a in self.actions if a.cause_id == cause_id)

    def action(self, ref: int | str) -> Action:
        """An action by id or number (``1a``)."""
        from ..errors import NotFoundError

        for a in self.actions:
            if a.id == ref or (isinstance(ref, str) and a.nr == ref.strip().lower()):
                return a
        msg = f"plan '{self.plan.title}' has no action '{ref}'"
        raise NotFoundError(msg)

    def place_of(self, action: Action) -> str | None:
        """The GeoJSON place the action works in: its own, its problem's, or None."""
        if action.place_kind == rules.PLACE_OWN:
            return action.area
        if action.place_kind == rules.PLACE_PROBLEM:
            problem = self.problem_of(action)
            return problem.area if problem is not None else None
        return None


@dataclass(frozen=True)
class PublicPromise:
    """A medborgarlöfte as the public sees it: the promise, when, and how it is going, in plain
    words (no names of organisations, people or contacts)."""

    plan_title: str
    text: str
    due_date: dt.date | None
    production: str
    light: str | None
    period_end: dt.date | None = None
    place: str | None = field(default=None, repr=False)  # GeoJSON, for a map

    def production_label(self, lang: str = "sv") -> str:
        return rules.label("public", self.production, lang)

    def light_label(self, lang: str = "sv") -> str:
        return rules.label("light", self.light or "none", lang)


#: How callers name a plan: the record, its id or its title.
PlanRef = Plan | int | str
