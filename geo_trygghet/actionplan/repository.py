"""The plan repository: sessions, the queries the plan services share, and the row mapping.

Only this module and the services of :mod:`geo_trygghet.actionplan` read the ORM rows of
:mod:`.models`; what they hand out are the records of :mod:`.records`. A plan is read whole
(:meth:`PlanRepository.view`): its problems, causes and actions with their goals and linked
remarks, in the handbook's order (cause number, then the action's order and letter).
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..errors import InputError, NotFoundError
from ..remarks.auth import Actor
from ..remarks.models import OrganisationRow, RemarkChannelRow, RemarkRow, WalkRow, utcnow
from ..remarks.store import Sessions
from .models import ActionRemarkRow, ActionRow, CauseRow, GoalRow, PlanEventRow, PlanRow, ProblemRow
from .records import Action, Cause, Goal, LinkedRemark, Plan, PlanEvent, PlanRef, PlanView, Problem

_LETTERS = string.ascii_lowercase


def letter_for(index: int) -> str:
    """The letter of the ``index``-th action of a cause (0 → a … 25 → z, 26 → aa …)."""
    if index < len(_LETTERS):
        return _LETTERS[index]
    return _LETTERS[index // len(_LETTERS) - 1] + _LETTERS[index % len(_LETTERS)]


def jsonable(values: Mapping[str, Any]) -> dict[str, Any]:
    """Values for an event's ``data``: dates as ISO text, tuples as lists."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, dt.date | dt.datetime):
            out[key] = value.isoformat()
        elif isinstance(value, tuple | set):
            out[key] = list(value)
        else:
            out[key] = value
    return out


class PlanRepository(Sessions):
    """Sessions of one :class:`~geo_trygghet.remarks.store.Store` plus the plan's queries."""

    # ------------------------------------------------------------ plans
    @staticmethod
    def plan_record(row: PlanRow) -> Plan:
        return Plan(id=row.id, title=row.title, status=row.status, area_name=row.area_name, area=row.area,
                    period_start=row.period_start, period_end=row.period_end, decided_date=row.decided_date,
                    created_at=row.created_at, updated_at=row.updated_at)

    @staticmethod
    def plan_row(s: Session, ref: PlanRef, *, lock: bool = False) -> PlanRow:
        """A plan by record, id or title (:class:`NotFoundError` with a hint)."""
        row: PlanRow | None = None
        if isinstance(ref, Plan | int):
            query = select(PlanRow).where(PlanRow.id == (ref.id if isinstance(ref, Plan) else ref))
        else:
            text = " ".join(str(ref).split())
            query = select(PlanRow).where(PlanRow.title == text)
            if text.isdigit() and s.scalars(query).first() is None:
                query = select(PlanRow).where(PlanRow.id == int(text))
        row = s.scalars(query.with_for_update() if lock else query).first()
        if row is None:
            msg = f"no åtgärdsplan '{ref}': give an existing plan's id or title (geo-trygghet plan list)"
            raise NotFoundError(msg)
        return row

    @staticmethod
    def plan_by_title(s: Session, title: str) -> PlanRow | None:
        return s.scalars(select(PlanRow).where(PlanRow.title == title)).first()

    @staticmethod
    def touch(s: Session, plan_id: int, now: dt.datetime) -> None:
        row = s.get(PlanRow, plan_id)
        if row is not None:
            row.updated_at = now

    # ------------------------------------------------------------ parts
    @staticmethod
    def problem_record(row: ProblemRow) -> Problem:
        return Problem(id=row.id, plan_id=row.plan_id, title=row.title, description=row.description or "",
                       position=row.position, categories=tuple(row.categories or ()), place_kind=row.place_kind,
                       area=row.area, cells=tuple(row.cells or ()),
                       figures=dict(row.figures) if row.figures else None)

    @staticmethod
    def cause_record(row: CauseRow) -> Cause:
        return Cause(id=row.id, plan_id=row.plan_id, number=row.number, text=row.text or "",
                     problem_id=row.problem_id)

    @staticmethod
    def goal_record(row: GoalRow) -> Goal:
        return Goal(id=row.id, action_id=row.action_id, text=row.text or "", measurable=bool(row.measurable),
                    categories=tuple(row.categories or ()), baseline=row.baseline,
                    target_change=row.target_change, by_date=row.by_date)

    @staticmethod
    def action_record(row: ActionRow, cause_number: int, responsible_name: str | None,
                      goals: tuple[Goal, ...] = (), remarks: tuple[LinkedRemark, ...] = ()) -> Action:
        return Action(
            id=row.id, plan_id=row.plan_id, cause_id=row.cause_id, cause_number=cause_number, letter=row.letter,
            description=row.description or "", kind=row.kind, position=row.position,
            responsible_id=row.responsible_id, responsible_name=responsible_name, contact=row.contact,
            start_date=row.start_date, due_date=row.due_date, when_text=row.when_text, place_kind=row.place_kind,
            area=row.area, buffer_m=row.buffer_m, controls=row.controls, promise=bool(row.promise),
            promise_text=row.promise_text, production=row.production, production_date=row.production_date,
            production_count=row.production_count, production_hours=row.production_hours,
            process_note=row.process_note, light_override=row.light_override, light_reason=row.light_reason,
            goals=goals, remarks=remarks, updated_at=row.updated_at)

    @staticmethod
    def cause_row(s: Session, plan_id: int, ref: int) -> CauseRow:
        """A cause of the plan by its number (1, 2 …)."""
        row = s.scalars(select(CauseRow).where(CauseRow.plan_id == plan_id, CauseRow.number == int(ref))).first()
        if row is None:
            msg = f"the plan has no cause number {ref}: add the cause (ORSAK) first"
            raise NotFoundError(msg)
        return row

    @staticmethod
    def action_row(s: Session, action_id: int, *, lock: bool = False) -> ActionRow:
        return Sessions.row_by_id(s, ActionRow, int(action_id), f"no plan action with id {action_id}", lock=lock)

    @staticmethod
    def problem_row(s: Session, problem_id: int) -> ProblemRow:
        row = s.get(ProblemRow, int(problem_id))
        if row is None:
            msg = f"no plan problem with id {problem_id}"
            raise NotFoundError(msg)
        return row

    @staticmethod
    def next_cause_number(s: Session, plan_id: int) -> int:
        return int(s.scalar(select(func.max(CauseRow.number)).where(CauseRow.plan_id == plan_id)) or 0) + 1

    @staticmethod
    def next_letter(s: Session, cause_id: int) -> str:
        taken = set(s.scalars(select(ActionRow.letter).where(ActionRow.cause_id == cause_id)))
        i = 0
        while letter_for(i) in taken:
            i += 1
        return letter_for(i)

    @staticmethod
    def organisation_id(s: Session, ref: int | str | None) -> int | None:
        """An organisation's id from its id or exact name; None stays None."""
        if ref is None or ref == "":
            return None
        if isinstance(ref, int):
            if s.get(OrganisationRow, ref) is None:
                msg = f"no organisation with id {ref}: choose one of the problemägare"
                raise NotFoundError(msg)
            return ref
        row = s.scalars(select(OrganisationRow).where(OrganisationRow.name == " ".join(str(ref).split()))).first()
        if row is None:
            msg = f"no organisation '{ref}': add it as a problemägare first or check the spelling"
            raise NotFoundError(msg)
        return row.id

    @staticmethod
    def check_remarks(s: Session, remark_ids: list[str]) -> list[str]:
        found = set(s.scalars(select(RemarkRow.id).where(RemarkRow.id.in_(remark_ids))))
        missing = [r for r in remark_ids if r not in found]
        if missing:
            msg = f"no remark with id '{missing[0]}' to link: choose remarks of the walks"
            raise InputError(msg)
        return remark_ids

    # ------------------------------------------------------------ the whole plan
    def view(self, s: Session, plan_row: PlanRow, *, responsible: int | None = None) -> PlanView:
        """The plan with its parts; with ``responsible`` only that organisation's actions (and
        the causes and problems they belong to)."""
        query = select(ActionRow).where(ActionRow.plan_id == plan_row.id)
        if responsible is not None:
            query = query.where(ActionRow.responsible_id == responsible)
        action_rows = list(s.scalars(query))
        causes = list(s.scalars(select(CauseRow).where(CauseRow.plan_id == plan_row.id).order_by(CauseRow.number)))
        problems = list(s.scalars(select(ProblemRow).where(ProblemRow.plan_id == plan_row.id)
                                  .order_by(ProblemRow.position, ProblemRow.id)))
        if responsible is not None:
            keep = {a.cause_id for a in action_rows}
            causes = [c for c in causes if c.id in keep]
            keep_problems = {c.problem_id for c in causes}
            problems = [p for p in problems if p.id in keep_problems]
        numbers = {c.id: c.number for c in causes}
        names = {o.id: o.name for o in s.scalars(select(OrganisationRow))}
        ids = [a.id for a in action_rows]
        goals = self.goals_of(s, ids)
        remarks = self.linked_remarks(s, ids)
        actions = [self.action_record(a, numbers.get(a.cause_id, 0), names.get(a.responsible_id or -1),
                                      goals.get(a.id, ()), remarks.get(a.id, ())) for a in action_rows]
        actions.sort(key=lambda a: (a.cause_number, a.position, len(a.letter), a.letter))
        return PlanView(plan=self.plan_record(plan_row), problems=tuple(self.problem_record(p) for p in problems),
                        causes=tuple(self.cause_record(c) for c in causes), actions=tuple(actions))

    def goals_of(self, s: Session, action_ids: list[int]) -> dict[int, tuple[Goal, ...]]:
        if not action_ids:
            return {}
        out: dict[int, list[Goal]] = {}
        for g in s.scalars(select(GoalRow).where(GoalRow.action_id.in_(action_ids)).order_by(GoalRow.id)):
            out.setdefault(g.action_id, []).append(self.goal_record(g))
        return {k: tuple(v) for k, v in out.items()}

    @staticmethod
    def linked_remarks(s: Session, action_ids: list[int]) -> dict[int, tuple[LinkedRemark, ...]]:
        if not action_ids:
            return {}
        rows = s.execute(
            # a remark from outside any walk (Open311) has its channel's name for a title
            select(ActionRemarkRow.action_id, RemarkRow, func.coalesce(WalkRow.title, RemarkChannelRow.name))
            .join(RemarkRow, RemarkRow.id == ActionRemarkRow.remark_id)
            .outerjoin(WalkRow, WalkRow.id == RemarkRow.walk_id)
            .outerjoin(RemarkChannelRow, RemarkChannelRow.id == RemarkRow.channel_id)
            .where(ActionRemarkRow.action_id.in_(action_ids))
            .order_by(WalkRow.id.is_(None), WalkRow.id, RemarkChannelRow.id, RemarkRow.number)
        ).all()
        out: dict[int, list[LinkedRemark]] = {}
        for action_id, r, title in rows:
            out.setdefault(action_id, []).append(LinkedRemark(
                id=r.id, walk_title=title, number=int(r.number or 0), category=r.category, text=r.text or "",
                state=r.state, fixed_date=r.fixed_date, lon=r.lon, lat=r.lat, owner_id=r.owner_id))
        return {k: tuple(v) for k, v in out.items()}

    # ------------------------------------------------------------ events
    @staticmethod
    def append(s: Session, plan_id: int, entity: str, entity_id: int, actor: Actor, what: str, *,
               note: str | None = None, data: Mapping[str, Any] | None = None,
               at: dt.datetime | None = None) -> dt.datetime:
        """Append one event (the values in ``data`` are those after the change)."""
        now = at or utcnow()
        s.add(PlanEventRow(plan_id=plan_id, entity=entity, entity_id=entity_id, at=now, actor=actor.label,
                           actor_user_id=actor.user_id, what=what, note=(note or "").strip() or None,
                           data=jsonable(data) if data else None))
        s.flush()
        return now

    @staticmethod
    def event_record(e: PlanEventRow) -> PlanEvent:
        return PlanEvent(id=e.id, plan_id=e.plan_id, entity=e.entity, entity_id=e.entity_id, at=e.at,
                         actor=e.actor, what=e.what, note=e.note, data=dict(e.data) if e.data else None)

    def events(self, s: Session, plan_id: int, *, entity: str | None = None,
               entity_ids: list[int] | None = None) -> list[PlanEvent]:
        query = select(PlanEventRow).where(PlanEventRow.plan_id == plan_id)
        if entity is not None:
            query = query.where(PlanEventRow.entity == entity)
        if entity_ids is not None:
            query = query.where(PlanEventRow.entity_id.in_(entity_ids))
        return [self.event_record(e) for e in s.scalars(query.order_by(PlanEventRow.at, PlanEventRow.id))]


__all__ = ["PlanRepository", "jsonable", "letter_for", "utcnow"]
