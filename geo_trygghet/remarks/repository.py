"""The remark repository: the queries and the row mapping every service shares.

Only this module and the services of :mod:`geo_trygghet.remarks` read the ORM rows of
:mod:`.models`; everything they hand out is a plain record of :mod:`.records`. A remark
row becomes a :class:`~.records.Remark` in one place (:meth:`Repository.remark_record`),
driven by the one list of a remark's fields (:data:`~.records.STORED_FIELDS`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from ..errors import NotFoundError
from . import states as st
from .auth import CODE_ALPHABET, CODE_LENGTH, Actor, can_see_all, normalise_code
from .models import (
    EventRow,
    OrganisationCategoryRow,
    OrganisationRow,
    PhotoRow,
    RemarkChannelRow,
    RemarkRow,
    WalkRow,
)
from .records import STORED_FIELDS, Event, Organisation, Remark, Walk, WalkRef
from .store import Sessions

#: The remark query: the remark, its walk's title (a channel's name for a remark from outside any
#: walk), its owner's name, whether it has a photo.
RemarkSelect = Select[RemarkRow, str, str, bool]


class Repository(Sessions):
    """Sessions of one :class:`~.store.Store` plus the queries the services share."""

    @property
    def dialect(self) -> str:
        return self.store.dialect

    # ------------------------------------------------------------ walks
    @staticmethod
    def walk_record(row: WalkRow, count: int = 0) -> Walk:
        return Walk(id=row.id, title=row.title, join_code=row.join_code, state=row.state, area=row.area,
                    walk_date=row.walk_date, group=row.group, organiser=row.organiser,
                    created_at=row.created_at, remark_count=count)

    @staticmethod
    def count_remarks(s: Session, walk_ids: list[int]) -> dict[int, int]:
        if not walk_ids:
            return {}
        rows = s.execute(
            select(RemarkRow.walk_id, func.count()).where(RemarkRow.walk_id.in_(walk_ids)).group_by(RemarkRow.walk_id)
        ).all()
        return {int(w): int(n) for w, n in rows if w is not None}

    def walk_with_count(self, s: Session, row: WalkRow) -> Walk:
        return self.walk_record(row, self.count_remarks(s, [row.id]).get(row.id, 0))

    @staticmethod
    def walk_by_title(s: Session, title: str) -> WalkRow | None:
        return s.scalars(select(WalkRow).where(WalkRow.title == title)).first()

    @staticmethod
    def walk_by_code(s: Session, code: str) -> WalkRow | None:
        return s.scalars(select(WalkRow).where(WalkRow.join_code == normalise_code(code))).first()

    def walk_row(self, s: Session, ref: WalkRef) -> WalkRow:
        """A walk by record, id, join code or title (:class:`NotFoundError` with a hint)."""
        row: WalkRow | None
        if isinstance(ref, Walk | int):
            row = s.get(WalkRow, ref.id if isinstance(ref, Walk) else ref)
        else:
            row = self._walk_by_text(s, str(ref).strip())
        if row is None:
            msg = f"no walk '{ref}': give an existing walk's title, id or join code"
            raise NotFoundError(msg)
        return row

    def _walk_by_text(self, s: Session, text: str) -> WalkRow | None:
        code = normalise_code(text)
        looks_like_code = len(code) == CODE_LENGTH and not set(code) - set(CODE_ALPHABET)
        row = self.walk_by_code(s, code) if looks_like_code else None
        row = row or self.walk_by_title(s, text) or self.walk_by_code(s, code)
        if row is None and text.isdigit():
            row = s.get(WalkRow, int(text))
        return row

    # ------------------------------------------------------------ remarks
    @staticmethod
    def remark_record(source: RemarkRow | Mapping[str, Any], walk_title: str, owner_name: str | None,
                      has_photo: bool, actor: Actor | None) -> Remark:
        """A :class:`Remark` from a row (or the values just inserted); the reporter's name
        only for staff (and for internal calls, ``actor`` None)."""
        get = source.get if isinstance(source, Mapping) else lambda f: getattr(source, f)  # a value not given: None
        values: dict[str, Any] = {f: get(f) for f in STORED_FIELDS}
        values["factors"] = dict(values["factors"]) if values["factors"] else None
        if actor is not None and not can_see_all(actor):
            values["reporter_name"] = None
        return Remark(**values, walk_title=walk_title, owner_name=owner_name, has_photo=has_photo)

    @staticmethod
    def remark_query() -> RemarkSelect:
        """Remarks with their walk's title (or channel's name), owner's name and whether they have a photo."""
        has_photo = select(PhotoRow.remark_id).where(PhotoRow.remark_id == RemarkRow.id).exists()
        title = func.coalesce(WalkRow.title, RemarkChannelRow.name)
        return (
            select(RemarkRow, title, OrganisationRow.name, has_photo)
            .outerjoin(WalkRow, WalkRow.id == RemarkRow.walk_id)
            .outerjoin(RemarkChannelRow, RemarkChannelRow.id == RemarkRow.channel_id)
            .outerjoin(OrganisationRow, OrganisationRow.id == RemarkRow.owner_id)
        )

    def load_remarks(self, s: Session, query: RemarkSelect, actor: Actor | None) -> list[Remark]:
        """The remarks of ``query`` by walk and number; remarks from outside walks last, by channel."""
        order = (WalkRow.id.is_(None), WalkRow.id, RemarkChannelRow.id, RemarkRow.number)
        rows = s.execute(query.order_by(*order)).all()
        return [self.remark_record(r, title, owner, bool(photo), actor) for r, title, owner, photo in rows]

    @staticmethod
    def source_of(s: Session, row: RemarkRow) -> tuple[str, str]:
        """``(title, join code)`` of a remark's walk; a remark from outside any walk has its
        channel's name and no join code (no participant reaches it)."""
        if row.walk_id is not None:
            walk = s.get(WalkRow, row.walk_id)
            assert walk is not None
            return walk.title, walk.join_code
        channel = s.get(RemarkChannelRow, row.channel_id)
        return (channel.name if channel is not None else ""), ""

    def remark_by_id(self, s: Session, remark_id: str, actor: Actor | None) -> Remark:
        rows = self.load_remarks(s, self.remark_query().where(RemarkRow.id == str(remark_id)), actor)
        if not rows:
            msg = f"no remark with id '{remark_id}'"
            raise NotFoundError(msg)
        return rows[0]

    @staticmethod
    def remark_row(s: Session, remark_id: str, *, lock: bool = False) -> RemarkRow:
        return Sessions.row_by_id(s, RemarkRow, str(remark_id), f"no remark with id '{remark_id}'", lock=lock)

    @staticmethod
    def visible_filter(actor: Actor) -> ColumnElement[bool] | None:
        """A WHERE clause limiting remarks to what ``actor`` may see (None: all)."""
        if can_see_all(actor):
            return None
        if actor.role == st.PROBLEMAGARE and actor.organisation_id is not None:
            return RemarkRow.owner_id == actor.organisation_id
        if actor.role == st.DELTAGARE:
            return WalkRow.join_code == normalise_code(actor.walk_code or "")
        return RemarkRow.id.is_(None)

    @staticmethod
    def state_set(state: str | Any) -> list[str]:
        """State slugs for a filter: one slug, several, or a kind (open, fixed, closed)."""
        values = [state] if isinstance(state, str) else list(state)
        out: list[str] = []
        for v in values:
            if v in st.KINDS:
                out.extend(st.slugs_of_kind(v))
            else:
                out.append(st.state(v).slug)
        return out

    # ------------------------------------------------------------ events
    @staticmethod
    def event_record(e: EventRow, owner_name: str | None) -> Event:
        return Event(id=e.id, remark_id=e.remark_id, at=e.at, actor=e.actor, from_state=e.from_state,
                     to_state=e.to_state, note=e.note, owner_id=e.owner_id, owner_name=owner_name,
                     planned_date=e.planned_date, fixed_date=e.fixed_date, duplicate_of=e.duplicate_of)

    def events(self, s: Session, remark_id: str) -> list[Event]:
        rows = s.execute(
            select(EventRow, OrganisationRow.name)
            .outerjoin(OrganisationRow, OrganisationRow.id == EventRow.owner_id)
            .where(EventRow.remark_id == str(remark_id))
            .order_by(EventRow.at, EventRow.id)
        ).all()
        return [self.event_record(e, name) for e, name in rows]

    # ------------------------------------------------------------ organisations
    @staticmethod
    def organisation_record(s: Session, row: OrganisationRow) -> Organisation:
        cats = s.scalars(
            select(OrganisationCategoryRow.category)
            .where(OrganisationCategoryRow.organisation_id == row.id)
            .order_by(OrganisationCategoryRow.category)
        ).all()
        return Organisation(row.id, row.name, row.kind, row.email, row.area, tuple(cats))

    @staticmethod
    def organisation_id(s: Session, ref: int | str) -> int:
        """An organisation's id from its id or exact name (:class:`NotFoundError`)."""
        if isinstance(ref, int):
            return ref
        org = s.scalars(select(OrganisationRow).where(OrganisationRow.name == str(ref))).first()
        if org is None:
            msg = f"no problemägare '{ref}'"
            raise NotFoundError(msg)
        return org.id

    @staticmethod
    def owner_names(s: Session) -> dict[int, str]:
        return {o.id: o.name for o in s.scalars(select(OrganisationRow))}
