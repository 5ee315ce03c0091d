"""Walks: create one with a join code, find it, list what an actor may see, change its state.

A walk's state changes follow :data:`~.states.WALK_TRANSITIONS` (planerad → genomford →
uppfoljd, and genomford → planerad to take remarks again); anything else is refused
with :class:`~geo_trygghet.errors.InvalidTransitionError`.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..errors import InputError, NotFoundError
from . import states as st
from ._util import _area_text, _as_date
from .auth import CODE_ALPHABET, CODE_LENGTH, Actor, can_see_all, normalise_code, require_staff
from .models import RemarkRow, WalkRow, utcnow
from .records import Walk, WalkRef
from .repository import Repository

_CODE_ATTEMPTS = 20


def check_group(group: str | None) -> str | None:
    """A walk group's slug from its slug or label (any case, sv or en); free text stays as typed."""
    if group is None or group == "":
        return None
    value = str(group).strip().lower()
    for slug in st.WALK_GROUPS:
        if value in (slug, st.walk_group_label(slug, "sv").lower(), st.walk_group_label(slug, "en").lower()):
            return slug
    return value


class WalkService:
    """Create, find, list and change walks."""

    def __init__(self, repo: Repository) -> None:
        self.repo = repo

    def create_walk(self, actor: Actor, title: str, area: Any = None, walk_date: dt.date | str | None = None,
                    group: str | None = None, organiser: str | None = None) -> Walk:
        """Create a walk (admin, analytiker) with a fresh join code. Titles are unique."""
        require_staff(actor, "create walks")
        title = " ".join((title or "").split())
        if not title:
            msg = "walk title is empty: give the walk a title, e.g. 'Centrum kväll 2025-10-02'"
            raise InputError(msg)
        values = {"title": title, "area": _area_text(area, f"area of walk '{title}'"),
                  "walk_date": _as_date(walk_date, f"date of walk '{title}'"), "group": check_group(group),
                  "organiser": organiser, "state": st.WALK_INITIAL_STATE, "next_number": 0}
        for _attempt in range(_CODE_ATTEMPTS):
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            try:
                walk = self._insert(values, code)
            except IntegrityError:
                walk = None
            if walk is not None:
                return walk
            with self.repo.read() as s:  # a racing writer may have taken the title
                self._refuse_taken_title(s, title)
        msg = "could not make a unique join code: try again"
        raise InputError(msg)

    def _insert(self, values: dict[str, Any], code: str) -> Walk | None:
        """The new walk, or None when ``code`` is taken (another try follows)."""
        with self.repo.write() as s:
            self._refuse_taken_title(s, values["title"])
            if self.repo.walk_by_code(s, code) is not None:
                return None
            row = WalkRow(**values, join_code=code)
            s.add(row)
            s.flush()
            return self.repo.walk_record(row)

    def _refuse_taken_title(self, s: Session, title: str) -> None:
        if self.repo.walk_by_title(s, title) is not None:
            msg = f"a walk called '{title}' exists already: choose another title"
            raise InputError(msg)

    def get_or_create_walk(self, actor: Actor, title: str, **kwargs: Any) -> tuple[Walk, bool]:
        """The walk called ``title``, creating it (with ``kwargs``) if there is none."""
        try:
            return self.get_walk(title), False
        except NotFoundError:
            try:
                return self.create_walk(actor, title, **kwargs), True
            except InputError:
                return self.get_walk(title), False  # created meanwhile by someone else

    def get_walk(self, ref: WalkRef) -> Walk:
        """A walk by id, title or join code (NotFoundError)."""
        with self.repo.read() as s:
            return self.repo.walk_with_count(s, self.repo.walk_row(s, ref))

    def walk_by_code(self, code: str) -> Walk:
        """The walk a participant joins with ``code`` (NotFoundError with a hint)."""
        with self.repo.read() as s:
            row = self.repo.walk_by_code(s, code)
            if row is None:
                msg = (f"no walk has the code '{code}': check the code on the handout "
                       "(letters and digits, no O/0 or I/1)")
                raise NotFoundError(msg)
            return self.repo.walk_with_count(s, row)

    def list_walks(self, actor: Actor) -> list[Walk]:
        """Walks ``actor`` may see: all for staff; for a problemägare the walks with
        its remarks; for a participant the walk of its code."""
        q = select(WalkRow)
        if actor.role == st.DELTAGARE:
            q = q.where(WalkRow.join_code == normalise_code(actor.walk_code or ""))
        elif actor.role == st.PROBLEMAGARE:
            owned = select(RemarkRow.walk_id).where(RemarkRow.owner_id == actor.organisation_id)
            q = q.where(WalkRow.id.in_(owned))
        elif not can_see_all(actor):
            return []
        with self.repo.read() as s:
            rows = s.scalars(q.order_by(WalkRow.walk_date.desc(), WalkRow.id.desc())).all()
            counts = self.repo.count_remarks(s, [r.id for r in rows])
            return [self.repo.walk_record(r, counts.get(r.id, 0)) for r in rows]

    def set_walk_state(self, actor: Actor, walk: WalkRef, state: str) -> Walk:
        """Move a walk along :data:`~.states.WALK_TRANSITIONS` (admin, analytiker); moving
        it to the state it has is no change. Other changes: InvalidTransitionError."""
        require_staff(actor, "change a walk's state")
        with self.repo.write() as s:
            row = self.repo.walk_row(s, walk)
            if row.state != state:
                st.check_walk_transition(row.state, state)
                row.state = state
                row.updated_at = utcnow()
                s.flush()
            return self.repo.walk_with_count(s, row)

    def close_walk(self, actor: Actor, walk: WalkRef) -> Walk:
        """Mark the walk genomförd: participants can add no more remarks."""
        return self.set_walk_state(actor, walk, st.WALK_GENOMFORD)

    def update_walk(self, actor: Actor, walk: WalkRef, *, area: Any = None, walk_date: Any = None,
                    group: str | None = None, organiser: str | None = None) -> Walk:
        """Change a walk's area, date, group or organiser (given values only)."""
        require_staff(actor, "change walks")
        with self.repo.write() as s:
            row = self.repo.walk_row(s, walk)
            if area is not None:
                row.area = _area_text(area, f"area of walk '{row.title}'")
            if walk_date is not None:
                row.walk_date = _as_date(walk_date, f"date of walk '{row.title}'")
            if group is not None:
                row.group = check_group(group)
            if organiser is not None:
                row.organiser = organiser
            row.updated_at = utcnow()
            s.flush()
            return self.repo.walk_with_count(s, row)

