"""Actions (ÅTGÄRD 1a, 1b …), their operational goals and linked walk remarks.

An action belongs to a cause and gets the cause's next letter. It names a responsible
organisation (VEM: the same organisations as problemägare) and a contact, start and due dates
(NÄR) and its order, a place (the problem's, its own polygon, or none), optionally chosen control
areas and a displacement buffer for the effect follow-up, linked walk remarks, and a
medborgarlöfte with its public text. Every change appends an event with the values after it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select

from .. import settings
from ..errors import InputError
from ..remarks.auth import Actor
from ..remarks.models import OrganisationRow, utcnow
from . import rules
from .models import ActionRemarkRow, ActionRow, CauseRow, GoalRow, ProblemRow
from .permissions import require
from .places import area_text, controls_text
from .records import Action, Goal, PlanRef
from .repository import PlanRepository
from .values import as_date, as_float, as_int, as_text, check_categories

TEXT_LIMIT = 4000
#: What :meth:`ActionEditor.update_action` may change (the production has its own report).
ACTION_FIELDS = ("description", "kind", "responsible", "contact", "start_date", "due_date", "when_text", "position",
                 "place_kind", "area", "buffer_m", "controls", "promise", "promise_text")


def _action_values(s: Any, repo: PlanRepository, cause: CauseRow, given: dict[str, Any],
                   current: ActionRow | None = None) -> dict[str, Any]:
    """Checked column values for the fields in ``given`` (an update keeps the others)."""
    out: dict[str, Any] = {}
    if "description" in given:
        body = as_text(given["description"], TEXT_LIMIT)
        if body is None:
            msg = "the action (ÅTGÄRD) is empty: describe what is to be done"
            raise InputError(msg)
        out["description"] = body
    if "kind" in given:
        out["kind"] = rules.check_kind(given["kind"])
    if "responsible" in given:
        out["responsible_id"] = repo.organisation_id(s, given["responsible"])
    if "contact" in given:
        out["contact"] = as_text(given["contact"], 300)
    if "when_text" in given:
        out["when_text"] = as_text(given["when_text"], 300)
    for key, what in (("start_date", "start date"), ("due_date", "due date")):
        if key in given:
            out[key] = as_date(given[key], what)
    if "position" in given:
        out["position"] = as_int(given["position"], "order") or 0
    if "buffer_m" in given:
        out["buffer_m"] = as_float(given["buffer_m"], "buffer width (m)")
        if out["buffer_m"] is not None and out["buffer_m"] <= 0:
            msg = f"buffer width {out['buffer_m']} m: give a positive width, e.g. {settings.evaluation_radius_m:.0f}"
            raise InputError(msg)
    if "controls" in given:
        out["controls"] = controls_text(given["controls"])
    if "promise" in given:
        out["promise"] = bool(given["promise"])
    if "promise_text" in given:
        out["promise_text"] = as_text(given["promise_text"], TEXT_LIMIT)
    _place(s, cause, given, out, current)
    _check_consistent(out, current)
    return out


def _place(s: Any, cause: CauseRow, given: dict[str, Any], out: dict[str, Any], current: ActionRow | None) -> None:
    if "area" in given:
        out["area"] = area_text(given["area"], "the action's place")
    kind = given.get("place_kind")
    if kind is None and "area" in given:
        kind = rules.PLACE_OWN if out["area"] else rules.PLACE_NONE
    if kind is None:
        return
    if kind not in rules.ACTION_PLACES:
        msg = f"unknown place '{kind}': use one of {', '.join(rules.ACTION_PLACES)}"
        raise InputError(msg)
    area = out.get("area", current.area if current is not None else None)
    if kind == rules.PLACE_OWN and not area:
        msg = "the action's own place is missing: draw or upload it, or use the problem's place"
        raise InputError(msg)
    if kind == rules.PLACE_PROBLEM:
        problem = s.get(ProblemRow, cause.problem_id) if cause.problem_id is not None else None
        if problem is None or not problem.area:
            msg = "the cause's problem has no place: draw the action's own place or choose no place"
            raise InputError(msg)
    out["place_kind"] = kind


def _check_consistent(out: dict[str, Any], current: ActionRow | None) -> None:
    def value(key: str) -> Any:
        return out[key] if key in out else getattr(current, key, None)

    start, due = value("start_date"), value("due_date")
    if start and due and due < start:
        msg = f"the action is due ({due}) before it starts ({start}): swap the dates"
        raise InputError(msg)
    if value("promise") and not value("promise_text"):
        msg = "a medborgarlöfte needs its public text: write what is promised, in plain words, without names"
        raise InputError(msg)


class ActionEditor:
    """Actions, goals and the remarks they gather."""

    def __init__(self, repo: PlanRepository) -> None:
        self.repo = repo

    def _action(self, s: Any, row: ActionRow) -> Action:
        cause = s.get(CauseRow, row.cause_id)
        org = s.get(OrganisationRow, row.responsible_id) if row.responsible_id is not None else None
        return self.repo.action_record(row, cause.number if cause else 0, org.name if org is not None else None,
                                       self.repo.goals_of(s, [row.id]).get(row.id, ()),
                                       self.repo.linked_remarks(s, [row.id]).get(row.id, ()))

    def add_action(self, actor: Actor, plan: PlanRef, cause_number: int, description: str, *,
                   remark_ids: Any = (), note: str | None = None, **fields: Any) -> Action:
        """ÅTGÄRD for cause ``cause_number`` (the cause's next letter). ``fields``: any of
        :data:`ACTION_FIELDS`; ``remark_ids``: walk remarks it gathers."""
        require(actor, rules.EDIT, "add actions to åtgärdsplaner")
        unknown = set(fields) - set(ACTION_FIELDS)
        if unknown:
            msg = f"unknown action field {', '.join(sorted(unknown))}: use {', '.join(ACTION_FIELDS)}"
            raise InputError(msg)
        with self.repo.write() as s:
            plan_row = self.repo.plan_row(s, plan, lock=True)
            cause = self.repo.cause_row(s, plan_row.id, cause_number)
            given = {"kind": rules.ANNAN, "place_kind": rules.PLACE_NONE, **fields, "description": description}
            if "area" in fields and "place_kind" not in fields:
                given.pop("place_kind")
            values = _action_values(s, self.repo, cause, given)
            row = ActionRow(plan_id=plan_row.id, cause_id=cause.id, letter=self.repo.next_letter(s, cause.id),
                            **values)
            s.add(row)
            s.flush()
            now = self.repo.append(s, plan_row.id, "action", row.id, actor, "action_added", note=note,
                                   data={"nr": f"{cause.number}{row.letter}",
                                         **{k: v for k, v in values.items() if k not in ("area", "controls")}})
            ids = [str(r) for r in remark_ids or ()]
            if ids:
                self._link(s, row, ids, actor, None, now)
            self.repo.touch(s, plan_row.id, now)
            return self._action(s, row)

    def update_action(self, actor: Actor, action_id: int, *, note: str | None = None, **fields: Any) -> Action:
        """Change the given fields of an action (any of :data:`ACTION_FIELDS`)."""
        require(actor, rules.EDIT, "change actions of åtgärdsplaner")
        unknown = set(fields) - set(ACTION_FIELDS)
        if unknown:
            msg = f"unknown action field {', '.join(sorted(unknown))}: use {', '.join(ACTION_FIELDS)}"
            raise InputError(msg)
        with self.repo.write() as s:
            row = self.repo.action_row(s, action_id, lock=True)
            cause = s.get(CauseRow, row.cause_id)
            assert cause is not None
            values = _action_values(s, self.repo, cause, dict(fields), row)
            for key, value in values.items():
                setattr(row, key, value)
            now = utcnow()
            row.updated_at = now
            self.repo.append(s, row.plan_id, "action", row.id, actor, "action_changed", note=note,
                             data={k: v for k, v in values.items() if k not in ("area", "controls")}
                             | {k: True for k in ("area", "controls") if k in values}, at=now)
            self.repo.touch(s, row.plan_id, now)
            return self._action(s, row)

    # ------------------------------------------------------------ remarks
    def _link(self, s: Any, row: ActionRow, ids: list[str], actor: Actor, note: str | None, now: Any) -> list[str]:
        have = set(s.scalars(select(ActionRemarkRow.remark_id).where(ActionRemarkRow.action_id == row.id)))
        new = [r for r in dict.fromkeys(self.repo.check_remarks(s, ids)) if r not in have]
        for remark_id in new:
            s.add(ActionRemarkRow(action_id=row.id, remark_id=remark_id, linked_at=now))
        if new:
            s.flush()
            self.repo.append(s, row.plan_id, "action", row.id, actor, "remarks_linked", note=note,
                             data={"remark_ids": new}, at=now)
        return new

    def link_remarks(self, actor: Actor, action_id: int, remark_ids: Any, *, note: str | None = None) -> Action:
        """Let the action gather these walk remarks (already linked ones are left as they are)."""
        require(actor, rules.EDIT, "link remarks to actions")
        with self.repo.write() as s:
            row = self.repo.action_row(s, action_id, lock=True)
            now = utcnow()
            if self._link(s, row, [str(r) for r in remark_ids or ()], actor, note, now):
                row.updated_at = now
            return self._action(s, row)

    def unlink_remarks(self, actor: Actor, action_id: int, remark_ids: Any, *, note: str | None = None) -> Action:
        """Stop gathering these remarks under the action (the link's history stays)."""
        require(actor, rules.EDIT, "unlink remarks from actions")
        ids = [str(r) for r in remark_ids or ()]
        with self.repo.write() as s:
            row = self.repo.action_row(s, action_id, lock=True)
            have = set(s.scalars(select(ActionRemarkRow.remark_id).where(ActionRemarkRow.action_id == row.id)))
            gone = [r for r in dict.fromkeys(ids) if r in have]
            if gone:
                s.execute(delete(ActionRemarkRow).where(ActionRemarkRow.action_id == row.id,
                                                        ActionRemarkRow.remark_id.in_(gone)))
                now = utcnow()
                row.updated_at = now
                self.repo.append(s, row.plan_id, "action", row.id, actor, "remarks_unlinked", note=note,
                                 data={"remark_ids": gone}, at=now)
            return self._action(s, row)

    # ------------------------------------------------------------ goals
    @staticmethod
    def _goal_values(given: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if "text" in given:
            body = as_text(given["text"], TEXT_LIMIT)
            if body is None:
                msg = "the operational goal is empty: write what the action is to achieve"
                raise InputError(msg)
            out["text"] = body
        if "measurable" in given:
            out["measurable"] = bool(given["measurable"])
        if "categories" in given:
            out["categories"] = list(check_categories(given["categories"]))
        if "baseline" in given:
            out["baseline"] = as_float(given["baseline"], "baseline")
        if "target_change" in given:
            change = as_float(given["target_change"], "target change")
            if change is not None and abs(change) > 1 and abs(change) <= 100:
                change = change / 100  # "−20" meant −20 %
            if change is not None and change < -1:
                msg = f"target change {change:+.0%} is below −100 %: give e.g. −0.2 for 20 % fewer incidents"
                raise InputError(msg)
            out["target_change"] = change
        if "by_date" in given:
            out["by_date"] = as_date(given["by_date"], "goal date")
        return out

    def add_goal(self, actor: Actor, action_id: int, text: str, *, measurable: bool = False, categories: Any = (),
                 baseline: Any = None, target_change: Any = None, by_date: Any = None,
                 note: str | None = None) -> Goal:
        """An operational goal; measurable: ``target_change`` (−0.2 = 20 % fewer incidents of
        ``categories`` in the action's place per 12 months) from ``baseline`` (None: counted from
        the data, the 12 months before the action starts) by ``by_date``."""
        require(actor, rules.EDIT, "add operational goals")
        values = self._goal_values({"text": text, "measurable": measurable, "categories": categories,
                                    "baseline": baseline, "target_change": target_change, "by_date": by_date})
        if values["measurable"] and values.get("target_change") is None:
            msg = "a measurable goal needs its target change, e.g. −20 % (−0.2)"
            raise InputError(msg)
        with self.repo.write() as s:
            action = self.repo.action_row(s, action_id, lock=True)
            goal = GoalRow(action_id=action.id, **values)
            s.add(goal)
            s.flush()
            now = self.repo.append(s, action.plan_id, "goal", goal.id, actor, "goal_added", note=note,
                                   data={"action_id": action.id, **values})
            action.updated_at = now
            return self.repo.goal_record(goal)

    def update_goal(self, actor: Actor, goal_id: int, *, note: str | None = None, **changes: Any) -> Goal:
        """Change the given fields of a goal (text, measurable, categories, baseline,
        target_change, by_date)."""
        require(actor, rules.EDIT, "change operational goals")
        values = self._goal_values(changes)
        with self.repo.write() as s:
            goal = s.get(GoalRow, int(goal_id))
            if goal is None:
                msg = f"no operational goal with id {goal_id}"
                raise InputError(msg)
            for key, value in values.items():
                setattr(goal, key, value)
            if goal.measurable and goal.target_change is None:
                msg = "a measurable goal needs its target change, e.g. −20 % (−0.2)"
                raise InputError(msg)
            now = utcnow()
            goal.updated_at = now
            action = self.repo.action_row(s, goal.action_id)
            self.repo.append(s, action.plan_id, "goal", goal.id, actor, "goal_changed", note=note, data=values, at=now)
            return self.repo.goal_record(goal)


__all__ = ["ACTION_FIELDS", "ActionEditor"]
