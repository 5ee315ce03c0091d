"""State changes of a remark, along the one table of :mod:`.states`, each an appended event.

:meth:`StateChanges.transition` looks the change up in
:data:`~.states.TRANSITIONS`, checks who may make it (a problemägare only on its own
organisation's remarks), asks for what the row says the change needs (an owner, a
planned or fixed date, a reason, the original of a duplicate), writes the remark's
new values and appends the event that carries them. The named changes (``assign``,
``plan``, ``mark_fixed`` …) are that one method with the target filled in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..errors import InputError, NotFoundError, PermissionDeniedError
from ..settings import local_today
from . import states as st
from ._util import _as_date, _as_moment
from .auth import Actor, owns, require_backdating, require_remark_access
from .models import EventRow, OrganisationRow, PhotoRow, RemarkRow, utcnow
from .records import EVENT_FIELDS, Remark
from .repository import Repository


@dataclass(frozen=True)
class _Asked:
    """What the caller gave with a change, and where the remark is (for messages)."""

    owner_id: int | None
    planned: dt.date | None
    fixed: dt.date | None
    reason: str | None
    note: str | None
    duplicate_of: str | None
    where: str = ""


def _set_owner(s: Session, row: RemarkRow, t: st.Transition, asked: _Asked, now: dt.datetime) -> None:
    owner = asked.owner_id if asked.owner_id is not None else (row.owner_id if t.keeps_owner else None)
    if owner is None:
        msg = f"{asked.where}: choose a problemägare to assign it to"
        raise InputError(msg)
    if s.get(OrganisationRow, owner) is None:
        msg = f"no problemägare with id {owner}"
        raise NotFoundError(msg)
    row.owner_id = owner
    row.planned_date = None
    row.fixed_date = None
    row.assigned_at = now


def _set_planned(s: Session, row: RemarkRow, t: st.Transition, asked: _Asked, now: dt.datetime) -> None:
    if asked.planned is None:
        msg = f"{asked.where}: give the planned date (YYYY-MM-DD)"
        raise InputError(msg)
    row.planned_date = asked.planned


def _set_fixed(s: Session, row: RemarkRow, t: st.Transition, asked: _Asked, now: dt.datetime) -> None:
    if asked.fixed is None:
        msg = f"{asked.where}: give the date it was fixed (YYYY-MM-DD)"
        raise InputError(msg)
    if asked.fixed > utcnow().date() + dt.timedelta(days=1):
        msg = f"fixed date {asked.fixed.isoformat()} is in the future: give the day the fix was done"
        raise InputError(msg)
    row.fixed_date = asked.fixed


def _need_reason(s: Session, row: RemarkRow, t: st.Transition, asked: _Asked, now: dt.datetime) -> None:
    if not asked.reason and not asked.note:
        msg = f"{asked.where}: give a reason"
        raise InputError(msg)


def _set_duplicate(s: Session, row: RemarkRow, t: st.Transition, asked: _Asked, now: dt.datetime) -> None:
    if not asked.duplicate_of:
        msg = f"{asked.where}: name the original remark it duplicates"
        raise InputError(msg)
    original = s.get(RemarkRow, str(asked.duplicate_of))
    if original is None:
        msg = f"no remark with id '{asked.duplicate_of}' to mark as the original"
        raise NotFoundError(msg)
    if original.id == row.id:
        msg = "a remark cannot be a duplicate of itself: choose the original remark"
        raise InputError(msg)
    row.duplicate_of = original.id


_Apply = Callable[[Session, RemarkRow, st.Transition, _Asked, dt.datetime], None]
#: What each kind of change writes, by the field its table row needs.
_APPLY: dict[str | None, _Apply] = {
    st.NEEDS_OWNER: _set_owner,
    st.NEEDS_PLANNED: _set_planned,
    st.NEEDS_FIXED: _set_fixed,
    st.NEEDS_REASON: _need_reason,
    st.NEEDS_DUPLICATE: _set_duplicate,
    None: lambda *_: None,
}


class StateChanges:
    """Moves remarks between states and appends the events."""

    def __init__(self, repo: Repository) -> None:
        self.repo = repo

    def transition(self, actor: Actor, remark_id: str, to_state: str, note: str | None = None,
                   planned_date: dt.date | str | None = None, fixed_date: dt.date | str | None = None,
                   owner_id: int | None = None, duplicate_of: str | None = None, reason: str | None = None,
                   *, at: dt.datetime | dt.date | None = None) -> Remark:
        """Change a remark's state along :data:`~geo_trygghet.remarks.states.TRANSITIONS`
        and append the event. ``at`` back-dates a change: staff importing a protocol, or a
        problemägare's own system reporting when it fixed the remark."""
        if actor.role == st.DELTAGARE:
            msg = f"deltagare '{actor.label}' may not change remarks"
            raise PermissionDeniedError(msg)
        st.state(to_state)
        asked = _Asked(owner_id, _as_date(planned_date, "planned date"), _as_date(fixed_date, "fixed date"),
                       reason, note, duplicate_of)
        when = None
        if at is not None:
            require_backdating(actor)
            when = _as_moment(at, "at")
        with self.repo.write() as s:
            row = self.repo.remark_row(s, remark_id, lock=True)
            title, join_code = self.repo.source_of(s, row)
            require_remark_access(actor, row.id, row.owner_id, join_code)
            t = st.find_transition(row.state, to_state)
            if actor.role not in t.roles:
                msg = (f"{actor.role} '{actor.label}' may not move a remark from "
                       f"'{st.state_label(row.state)}' to '{st.state_label(to_state)}'")
                raise PermissionDeniedError(msg)
            now = self._moment(s, row.id, when)
            where = f"remark {row.number} in '{title}'"
            _APPLY[t.needs](s, row, t, _with_where(asked, where), now)
            if t.clears_owner:
                row.owner_id = None
                row.planned_date = None
                row.assigned_at = None
            self._append(s, row, actor, to_state, now, asked)
            owner = s.get(OrganisationRow, row.owner_id) if row.owner_id else None
            has_photo = s.get(PhotoRow, row.id) is not None
            return self.repo.remark_record(row, title, owner.name if owner else None, has_photo, actor)

    @staticmethod
    def _moment(s: Session, remark_id: str, when: dt.datetime | None) -> dt.datetime:
        """Now, or the back-dated moment, never before the remark's last event."""
        if when is None:
            return utcnow()
        last_at = s.scalar(select(func.max(EventRow.at)).where(EventRow.remark_id == remark_id))
        return last_at if last_at is not None and when < last_at else when

    @staticmethod
    def _append(s: Session, row: RemarkRow, actor: Actor, to_state: str, now: dt.datetime, asked: _Asked) -> None:
        text = " — ".join(x.strip() for x in (asked.reason, asked.note) if x and x.strip()) or None
        from_state = row.state
        row.state = to_state
        row.updated_at = now
        s.add(EventRow(remark_id=row.id, at=now, actor=actor.label, actor_user_id=actor.user_id,
                       from_state=from_state, to_state=to_state, note=text,
                       **{f: getattr(row, f) for f in EVENT_FIELDS}))
        s.flush()

    def allowed_changes(self, actor: Actor, remark: Remark) -> tuple[str, ...]:
        """The states ``actor`` may move ``remark`` to now (for showing the right buttons).

        A problemägare only for its own organisation's remarks; a deltagare never.
        """
        if actor.role == st.DELTAGARE:
            return ()
        if actor.role == st.PROBLEMAGARE and not owns(actor, remark.owner_id):
            return ()
        return st.allowed_targets(remark.state, actor.role)

    # ------------------------------------------------------------ the named changes
    def assign(self, actor: Actor, remark_id: str, owner_id: int, note: str | None = None, **kw: Any) -> Remark:
        """Ny / Inte vårt ansvar / Tilldelad / Planerad → Tilldelad (admin, analytiker)."""
        return self.transition(actor, remark_id, st.TILLDELAD, note=note, owner_id=owner_id, **kw)

    def plan(self, actor: Actor, remark_id: str, planned_date: dt.date | str, note: str | None = None,
             **kw: Any) -> Remark:
        """Tilldelad / Planerad → Planerad with a date (the problemägare)."""
        return self.transition(actor, remark_id, st.PLANERAD, note=note, planned_date=planned_date, **kw)

    def mark_fixed(self, actor: Actor, remark_id: str, fixed_date: dt.date | str | None = None,
                   note: str | None = None, **kw: Any) -> Remark:
        """Tilldelad / Planerad → Åtgärdad on ``fixed_date`` (default today; the problemägare)."""
        return self.transition(actor, remark_id, st.ATGARDAD, note=note, fixed_date=fixed_date or local_today(),
                               **kw)

    def not_ours(self, actor: Actor, remark_id: str, reason: str, **kw: Any) -> Remark:
        """→ Inte vårt ansvar (reason required); the remark goes back to assignment."""
        return self.transition(actor, remark_id, st.INTE_VART_ANSVAR, reason=reason, **kw)

    def cannot_fix(self, actor: Actor, remark_id: str, reason: str, **kw: Any) -> Remark:
        """→ Kan inte åtgärdas (reason required)."""
        return self.transition(actor, remark_id, st.KAN_INTE_ATGARDAS, reason=reason, **kw)

    def mark_duplicate(self, actor: Actor, remark_id: str, original_id: str, note: str | None = None,
                       **kw: Any) -> Remark:
        """→ Dubblett, linked to ``original_id`` (admin, analytiker)."""
        return self.transition(actor, remark_id, st.DUBBLETT, note=note, duplicate_of=original_id, **kw)

    def verify(self, actor: Actor, remark_id: str, note: str | None = None, **kw: Any) -> Remark:
        """Åtgärdad → Kontrollerad at the follow-up walk (admin, analytiker)."""
        return self.transition(actor, remark_id, st.KONTROLLERAD, note=note, **kw)

    def reopen(self, actor: Actor, remark_id: str, note: str | None = None, **kw: Any) -> Remark:
        """Åtgärdad → Tilldelad to the same problemägare (admin, analytiker)."""
        return self.transition(actor, remark_id, st.TILLDELAD, note=note, **kw)


def _with_where(asked: _Asked, where: str) -> _Asked:
    from dataclasses import replace

    return replace(asked, where=where)
