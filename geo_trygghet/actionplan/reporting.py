"""Follow-up that people enter: production reports and process notes, light overrides, the
problemägare's own actions ("Mina uppgifter") and the medborgarlöften for the public.

Production (genomförd / delvis / ej genomförd, with its date, counts and hours) and the process
note are reported by the action's responsible organisation or by the samordnare. A light set by
hand needs a reason; the override and its clearing are events, so the history keeps both.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from .. import settings
from ..errors import InputError
from ..remarks.auth import Actor
from ..remarks.models import utcnow
from . import rules
from .models import ActionRow, PlanRow
from .permissions import assert_own_scope, require, require_action_report
from .records import Action, PlanView, PublicPromise
from .repository import PlanRepository
from .values import as_date, as_float, as_int, as_text

TEXT_LIMIT = 4000


class Reporting:
    """What the responsible organisations and the samordnare report, and the public view."""

    def __init__(self, repo: PlanRepository) -> None:
        self.repo = repo

    def _action(self, s: Any, row: ActionRow) -> Action:
        view = self.repo.view(s, self.repo.plan_row(s, row.plan_id))
        return view.action(row.id)

    def report(self, actor: Actor, action_id: int, *, production: str | None = None, production_date: Any = None,
               count: Any = None, hours: Any = None, process_note: str | None = None, note: str | None = None,
               at: Any = None) -> Action:
        """Report the production of an action (its status, the date, counts, hours) and/or a process
        note. The responsible organisation reports its own actions; staff any. ``at`` (staff only)
        back-dates the report's event (an imported plan, the sample)."""
        status = rules.check_production(production) if production is not None else None
        if status == rules.EJ_RAPPORTERAD:
            msg = f"report what was done: {', '.join(rules.REPORTABLE)}"
            raise InputError(msg)
        day = as_date(production_date, "production date")
        values: dict[str, Any] = {}
        if day is not None and day > settings.local_today() + dt.timedelta(days=1):
            msg = f"production date {day} is in the future: give the day it was done"
            raise InputError(msg)
        if status is not None or day is not None:
            values["production_date"] = day
        if status is not None:
            values["production"] = status
        if count is not None:
            values["production_count"] = as_int(count, "count")
        if hours is not None:
            values["production_hours"] = as_float(hours, "hours")
            if values["production_hours"] is not None and values["production_hours"] < 0:
                msg = f"hours {hours}: give the hours spent, 0 or more"
                raise InputError(msg)
        if process_note is not None:
            values["process_note"] = as_text(process_note, TEXT_LIMIT)
        if not values:
            msg = "nothing to report: give the production status, its date, counts, hours or a process note"
            raise InputError(msg)
        when = None
        if at is not None:
            require(actor, rules.EDIT, "back-date reports")
            when = dt.datetime.combine(as_date(at, "report date") or settings.local_today(), dt.time(12, 0))
        with self.repo.write() as s:
            row = self.repo.action_row(s, action_id, lock=True)
            nr = self._nr(s, row)
            require_action_report(actor, row.responsible_id, nr)
            for key, value in values.items():
                setattr(row, key, value)
            now = utcnow()
            row.updated_at = now
            self.repo.append(s, row.plan_id, "action", row.id, actor, "production_reported", note=note,
                             data=values, at=when or now)
            return self._action(s, row)

    @staticmethod
    def _nr(s: Any, row: ActionRow) -> str:
        from .models import CauseRow

        cause = s.get(CauseRow, row.cause_id)
        return f"{cause.number if cause else '?'}{row.letter}"

    def override_light(self, actor: Actor, action_id: int, light: str, reason: str, *, at: Any = None) -> Action:
        """Set the action's light by hand (staff), with the reason; kept in the history."""
        require(actor, rules.OVERRIDE, "set a traffic light by hand")
        slug = rules.check_light(light)
        why = as_text(reason, TEXT_LIMIT)
        if why is None:
            msg = "a light set by hand needs a reason: say why the rule's light does not fit"
            raise InputError(msg)
        when = dt.datetime.combine(as_date(at, "date") or settings.local_today(), dt.time(12, 0)) if at else None
        with self.repo.write() as s:
            row = self.repo.action_row(s, action_id, lock=True)
            row.light_override, row.light_reason = slug, why
            now = utcnow()
            row.updated_at = now
            self.repo.append(s, row.plan_id, "action", row.id, actor, "light_overridden", note=why,
                             data={"light": slug}, at=when or now)
            return self._action(s, row)

    def clear_override(self, actor: Actor, action_id: int, reason: str | None = None) -> Action:
        """Let the rule decide the action's light again (staff); an event says who and why."""
        require(actor, rules.OVERRIDE, "clear a traffic light set by hand")
        with self.repo.write() as s:
            row = self.repo.action_row(s, action_id, lock=True)
            if row.light_override is None:
                return self._action(s, row)
            row.light_override, row.light_reason = None, None
            now = utcnow()
            row.updated_at = now
            self.repo.append(s, row.plan_id, "action", row.id, actor, "light_override_cleared",
                             note=as_text(reason, TEXT_LIMIT), data={"light": None}, at=now)
            return self._action(s, row)

    # ------------------------------------------------------------ views by role
    def my_actions(self, actor: Actor) -> list[PlanView]:
        """"Mina uppgifter": for a problemägare, one view per plan with its organisation's actions."""
        assert_own_scope(actor, "list its plan actions")
        org = actor.organisation_id
        with self.repo.read() as s:
            plan_rows = s.scalars(select(PlanRow).where(PlanRow.id.in_(
                select(ActionRow.plan_id).where(ActionRow.responsible_id == org))).order_by(PlanRow.id)).all()
            return [self.repo.view(s, p, responsible=org) for p in plan_rows]

    def public_promises(self, actor: Actor | None = None, *, today: dt.date | None = None) -> list[PublicPromise]:
        """The medborgarlöften of every plan that is not a draft, for anyone: the promise, its date,
        how it is going (in plain words) and the light if the samordnare set one; no names, no notes."""
        require(actor, rules.READ_PROMISES, "see the medborgarlöften")
        day = today or settings.local_today()
        with self.repo.read() as s:
            plans = s.scalars(select(PlanRow).where(PlanRow.status != rules.UTKAST).order_by(PlanRow.id)).all()
            views = [self.repo.view(s, p) for p in plans]
        out = []
        for view in views:
            for a in view.actions:
                if not a.promise or not a.promise_text:
                    continue
                production = public_state(effective_production(a), a.start_date, day)
                out.append(PublicPromise(plan_title=view.plan.title, text=a.promise_text, due_date=a.due_date,
                                         production=production, light=a.light_override,
                                         period_end=view.plan.period_end, place=view.place_of(a)))
        return out


def effective_production(action: Action) -> str:
    """The reported production, or, with no report, what the linked remarks tell
    (:func:`~.rules.production_from_remarks`; closed remarks are left out)."""
    if action.production != rules.EJ_RAPPORTERAD or not action.remarks:
        return action.production
    counted = [r for r in action.remarks if not r.is_closed]
    return rules.production_from_remarks(len(counted), sum(r.is_fixed for r in counted))


#: The public's words for an action's state (the catalogue's ``ap.public.<code>``).
PUBLIC_PLANNED, PUBLIC_ONGOING = "planerat", "pagar"


def public_state(production: str, start: dt.date | None, today: dt.date) -> str:
    """How a medborgarlöfte is going, for residents: genomförd, delvis, ej genomförd as reported;
    before a report "planerat" (not started) or "pågår" (started)."""
    if production != rules.EJ_RAPPORTERAD:
        return production
    return PUBLIC_ONGOING if start is not None and start <= today else PUBLIC_PLANNED


__all__ = ["Reporting", "effective_production", "public_state"]
