"""RemarkService: walks, remarks, problemägare, state changes and permissions.

The only code in geo_trygghet that touches the database. Every method that
reads or changes remarks takes an :class:`~geo_trygghet.remarks.auth.Actor`
and checks what that actor may do; it returns plain records
(:mod:`geo_trygghet.remarks.records`), never ORM objects.
"""

from __future__ import annotations

import datetime as dt
import math
import secrets
import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import JSON, bindparam, func, insert, select, update
from sqlalchemy import text as sql_text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import settings
from ..errors import InputError, NotFoundError, PermissionDeniedError
from . import states as st
from ._people import PeopleMixin
from ._util import _area_text, _as_date, _as_moment, _distance_m, _isnan
from ._views import ViewsMixin
from .auth import CODE_ALPHABET, CODE_LENGTH, Actor, can_see_all, normalise_code, require_staff
from .models import EventRow, OrganisationRow, PhotoRow, RemarkRow, WalkRow, utcnow
from .photos import prepare_photo
from .records import Event, Remark, Walk, WalkRef
from .reminders import is_overdue
from .store import Store, open_store

MAX_TEXT = 4000


# statements of the submission hot path, built once (parameters bound per call)
_INSERT_REMARK = insert(RemarkRow.__table__)
_INSERT_PHOTO = insert(PhotoRow.__table__)
_INSERT_EVENT = insert(EventRow.__table__)
_NEXT_NUMBER = (
    update(WalkRow.__table__)
    .where(WalkRow.__table__.c.id == bindparam("walk_id"))
    .values(next_number=WalkRow.__table__.c.next_number + 1)
    .returning(WalkRow.__table__.c.next_number)
)


def _submit_pg_sql(with_photo: bool) -> str:
    """One PostgreSQL statement: counter + remark + creation event (+ photo)."""
    photo = (
        ", p AS (INSERT INTO photos (remark_id, content, mime, width, height, created_at) "
        "SELECT r.id, CAST(:p_content AS BYTEA), CAST(:p_mime AS VARCHAR), CAST(:p_width AS INTEGER), "
        "CAST(:p_height AS INTEGER), CAST(:p_created_at AS TIMESTAMP) FROM r)"
    )
    return (
        "WITH n AS (UPDATE walks SET next_number = next_number + 1 WHERE id = :walk_id "
        "RETURNING next_number), "
        "r AS (INSERT INTO remarks (id, walk_id, number, category, text, lon, lat, accuracy_m, "
        "position_source, feeling, factors, reporter_name, owner_id, state, created_by, created_at, "
        "updated_at) SELECT CAST(:id AS VARCHAR), CAST(:walk_id AS INTEGER), n.next_number, "
        "CAST(:category AS VARCHAR), CAST(:text AS TEXT), CAST(:lon AS DOUBLE PRECISION), "
        "CAST(:lat AS DOUBLE PRECISION), CAST(:accuracy_m AS DOUBLE PRECISION), "
        "CAST(:position_source AS VARCHAR), CAST(:feeling AS INTEGER), CAST(:factors AS JSON), "
        "CAST(:reporter_name AS VARCHAR), CAST(:owner_id AS INTEGER), CAST(:state AS VARCHAR), "
        "CAST(:created_by AS VARCHAR), CAST(:created_at AS TIMESTAMP), CAST(:updated_at AS TIMESTAMP) "
        "FROM n RETURNING id, number), "
        "e AS (INSERT INTO remark_events (remark_id, at, actor, actor_user_id, from_state, to_state) "
        "SELECT r.id, CAST(:e_at AS TIMESTAMP), CAST(:e_actor AS VARCHAR), "
        "CAST(:e_actor_user_id AS INTEGER), NULL, CAST(:e_to_state AS VARCHAR) FROM r)"
        + (photo if with_photo else "")
        + " SELECT number FROM r"
    )


_SUBMIT_PG = sql_text(_submit_pg_sql(False)).bindparams(bindparam("factors", type_=JSON))
_SUBMIT_PG_PHOTO = sql_text(_submit_pg_sql(True)).bindparams(bindparam("factors", type_=JSON))


class RemarkService(PeopleMixin, ViewsMixin):
    """Everything the app and the CLI do with walks and remarks.

    Parameters
    ----------
    store
        An open :class:`~geo_trygghet.remarks.store.Store`, a database URL, or
        None for :func:`geo_trygghet.settings.database_url`.
    """

    def __init__(self, store: Store | str | None = None) -> None:
        self.store = store if isinstance(store, Store) else open_store(store)

    def close(self) -> None:
        self.store.dispose()

    # ------------------------------------------------------------ helpers
    @staticmethod
    def _walk_record(row: WalkRow, count: int = 0) -> Walk:
        return Walk(
            id=row.id,
            title=row.title,
            join_code=row.join_code,
            state=row.state,
            area=row.area,
            walk_date=row.walk_date,
            group=row.group,
            organiser=row.organiser,
            created_at=row.created_at,
            remark_count=count,
        )

    @staticmethod
    def _remark_record(
        row: RemarkRow,
        walk_title: str,
        owner_name: str | None,
        has_photo: bool,
        actor: Actor | None,
    ) -> Remark:
        show_name = actor is None or can_see_all(actor)
        return Remark(
            id=row.id,
            walk_id=row.walk_id,
            walk_title=walk_title,
            number=row.number,
            category=row.category,
            text=row.text,
            lon=row.lon,
            lat=row.lat,
            state=row.state,
            accuracy_m=row.accuracy_m,
            position_source=row.position_source,
            feeling=row.feeling,
            factors=dict(row.factors) if row.factors else None,
            reporter_name=row.reporter_name if show_name else None,
            owner_id=row.owner_id,
            owner_name=owner_name,
            planned_date=row.planned_date,
            fixed_date=row.fixed_date,
            duplicate_of=row.duplicate_of,
            assigned_at=row.assigned_at,
            created_at=row.created_at,
            updated_at=row.updated_at,
            has_photo=has_photo,
        )

    def _remark_query(self):  # type: ignore[no-untyped-def]
        has_photo = select(PhotoRow.remark_id).where(PhotoRow.remark_id == RemarkRow.id).exists()
        return (
            select(RemarkRow, WalkRow.title, OrganisationRow.name, has_photo)
            .join(WalkRow, WalkRow.id == RemarkRow.walk_id)
            .outerjoin(OrganisationRow, OrganisationRow.id == RemarkRow.owner_id)
        )

    def _load_remarks(self, session: Session, query, actor: Actor | None) -> list[Remark]:  # type: ignore[no-untyped-def]
        rows = session.execute(query.order_by(WalkRow.id, RemarkRow.number)).all()
        return [
            self._remark_record(r, title, owner, bool(photo), actor)
            for r, title, owner, photo in rows
        ]

    def _remark_by_id(self, session: Session, remark_id: str, actor: Actor | None) -> Remark:
        rows = self._load_remarks(
            session, self._remark_query().where(RemarkRow.id == str(remark_id)), actor
        )
        if not rows:
            msg = f"no remark with id '{remark_id}'"
            raise NotFoundError(msg)
        return rows[0]

    @staticmethod
    def _walk_row(session: Session, ref: WalkRef) -> WalkRow:
        if isinstance(ref, Walk):
            row = session.get(WalkRow, ref.id)
        elif isinstance(ref, int):
            row = session.get(WalkRow, ref)
        else:
            text = str(ref).strip()
            code = normalise_code(text)
            row = None
            if len(code) == CODE_LENGTH and not set(code) - set(
                CODE_ALPHABET
            ):  # looks like a join code
                row = session.scalars(select(WalkRow).where(WalkRow.join_code == code)).first()
            if row is None:
                row = session.scalars(select(WalkRow).where(WalkRow.title == text)).first()
            if row is None:
                row = session.scalars(select(WalkRow).where(WalkRow.join_code == code)).first()
            if row is None and text.isdigit():
                row = session.get(WalkRow, int(text))
        if row is None:
            msg = f"no walk '{ref}': give an existing walk's title, id or join code"
            raise NotFoundError(msg)
        return row

    @staticmethod
    def _require_walk_access(actor: Actor, walk: WalkRow) -> None:
        if actor.role == st.DELTAGARE and normalise_code(actor.walk_code or "") != walk.join_code:
            msg = f"the walk code you hold does not give access to walk '{walk.title}'"
            raise PermissionDeniedError(msg)

    @staticmethod
    def _visible_filter(actor: Actor):  # type: ignore[no-untyped-def]
        """A WHERE clause limiting remarks to what ``actor`` may see (None: all)."""
        if can_see_all(actor):
            return None
        if actor.role == st.PROBLEMAGARE:
            if actor.organisation_id is None:
                return RemarkRow.id.is_(None)
            return RemarkRow.owner_id == actor.organisation_id
        if actor.role == st.DELTAGARE:
            return WalkRow.join_code == normalise_code(actor.walk_code or "")
        return RemarkRow.id.is_(None)

    @staticmethod
    def _require_remark_access(actor: Actor, row: RemarkRow, walk_code: str) -> None:
        if can_see_all(actor):
            return
        if (
            actor.role == st.PROBLEMAGARE
            and actor.organisation_id is not None
            and row.owner_id == actor.organisation_id
        ):
            return
        if actor.role == st.DELTAGARE and normalise_code(actor.walk_code or "") == walk_code:
            return
        msg = f"{actor.role} '{actor.label}' may not see remark {row.id}"
        raise PermissionDeniedError(msg)

    # ------------------------------------------------------------ walks
    def create_walk(
        self,
        actor: Actor,
        title: str,
        area: Any = None,
        walk_date: dt.date | str | None = None,
        group: str | None = None,
        organiser: str | None = None,
    ) -> Walk:
        """Create a walk (admin, analytiker) with a fresh join code. Titles are unique."""
        require_staff(actor, "create walks")
        title = " ".join((title or "").split())
        if not title:
            msg = "walk title is empty: give the walk a title, e.g. 'Centrum kväll 2025-10-02'"
            raise InputError(msg)
        group = self._check_group(group)
        area_text = _area_text(area, f"area of walk '{title}'")
        day = _as_date(walk_date, f"date of walk '{title}'")
        for _attempt in range(20):
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            try:
                with self.store.write_session() as s:
                    if (
                        s.scalars(select(WalkRow.id).where(WalkRow.title == title)).first()
                        is not None
                    ):
                        msg = f"a walk called '{title}' exists already: choose another title"
                        raise InputError(msg)
                    if (
                        s.scalars(select(WalkRow.id).where(WalkRow.join_code == code)).first()
                        is not None
                    ):
                        continue
                    row = WalkRow(
                        title=title,
                        area=area_text,
                        walk_date=day,
                        group=group,
                        organiser=organiser,
                        join_code=code,
                        state=st.WALK_PLANERAD,
                        next_number=0,
                    )
                    s.add(row)
                    s.flush()
                    return self._walk_record(row)
            except IntegrityError:
                with self.store.read_session() as s:
                    if (
                        s.scalars(select(WalkRow.id).where(WalkRow.title == title)).first()
                        is not None
                    ):
                        msg = f"a walk called '{title}' exists already: choose another title"
                        raise InputError(msg) from None
        msg = "could not make a unique join code: try again"
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

    @staticmethod
    def _check_group(group: str | None) -> str | None:
        if group is None or group == "":
            return None
        value = str(group).strip().lower()
        for slug, (sv, en) in st.WALK_GROUP_LABELS.items():
            if value in (slug, sv.lower(), en.lower()):
                return slug
        return value  # free text groups are allowed ("blandad…")

    def _count_remarks(self, s: Session, walk_ids: list[int]) -> dict[int, int]:
        if not walk_ids:
            return {}
        rows = s.execute(
            select(RemarkRow.walk_id, func.count())
            .where(RemarkRow.walk_id.in_(walk_ids))
            .group_by(RemarkRow.walk_id)
        ).all()
        return {w: int(n) for w, n in rows}

    def get_walk(self, ref: WalkRef) -> Walk:
        """A walk by id, title or join code (NotFoundError)."""
        with self.store.read_session() as s:
            row = self._walk_row(s, ref)
            return self._walk_record(row, self._count_remarks(s, [row.id]).get(row.id, 0))

    def walk_by_code(self, code: str) -> Walk:
        """The walk a participant joins with ``code`` (NotFoundError with a hint)."""
        with self.store.read_session() as s:
            row = s.scalars(
                select(WalkRow).where(WalkRow.join_code == normalise_code(code))
            ).first()
            if row is None:
                msg = f"no walk has the code '{code}': check the code on the handout (letters and digits, no O/0 or I/1)"
                raise NotFoundError(msg)
            return self._walk_record(row, self._count_remarks(s, [row.id]).get(row.id, 0))

    def list_walks(self, actor: Actor) -> list[Walk]:
        """Walks ``actor`` may see: all for staff; for a problemägare the walks with
        its remarks; for a participant the walk of its code."""
        with self.store.read_session() as s:
            q = select(WalkRow)
            if actor.role == st.DELTAGARE:
                q = q.where(WalkRow.join_code == normalise_code(actor.walk_code or ""))
            elif actor.role == st.PROBLEMAGARE:
                q = q.where(
                    WalkRow.id.in_(
                        select(RemarkRow.walk_id).where(RemarkRow.owner_id == actor.organisation_id)
                    )
                )
            elif not can_see_all(actor):
                return []
            rows = s.scalars(q.order_by(WalkRow.walk_date.desc(), WalkRow.id.desc())).all()
            counts = self._count_remarks(s, [r.id for r in rows])
            return [self._walk_record(r, counts.get(r.id, 0)) for r in rows]

    def set_walk_state(self, actor: Actor, walk: WalkRef, state: str) -> Walk:
        """Move a walk to planerad, genomford (closed) or uppfoljd (admin, analytiker)."""
        require_staff(actor, "change a walk's state")
        if state not in st.WALK_STATES:
            msg = f"unknown walk state '{state}': use one of {', '.join(st.WALK_STATES)}"
            raise InputError(msg)
        with self.store.write_session() as s:
            row = self._walk_row(s, walk)
            row.state = state
            row.updated_at = utcnow()
            s.flush()
            return self._walk_record(row, self._count_remarks(s, [row.id]).get(row.id, 0))

    def close_walk(self, actor: Actor, walk: WalkRef) -> Walk:
        """Mark the walk genomförd: participants can add no more remarks."""
        return self.set_walk_state(actor, walk, st.WALK_GENOMFORD)

    def update_walk(
        self,
        actor: Actor,
        walk: WalkRef,
        *,
        area: Any = None,
        walk_date: Any = None,
        group: str | None = None,
        organiser: str | None = None,
    ) -> Walk:
        """Change a walk's area, date, group or organiser (given values only)."""
        require_staff(actor, "change walks")
        with self.store.write_session() as s:
            row = self._walk_row(s, walk)
            if area is not None:
                row.area = _area_text(area, f"area of walk '{row.title}'")
            if walk_date is not None:
                row.walk_date = _as_date(walk_date, f"date of walk '{row.title}'")
            if group is not None:
                row.group = self._check_group(group)
            if organiser is not None:
                row.organiser = organiser
            row.updated_at = utcnow()
            s.flush()
            return self._walk_record(row, self._count_remarks(s, [row.id]).get(row.id, 0))

    # ------------------------------------------------------------ remarks: submit
    def submit_remark(
        self,
        actor: Actor,
        walk: WalkRef,
        remark_id: str,
        category: str,
        text: str = "",
        lon: float | None = None,
        lat: float | None = None,
        accuracy_m: float | None = None,
        photo: bytes | None = None,
        feeling: int | None = None,
        factors: dict[str, int] | None = None,
        reporter_name: str | None = None,
        position_source: str | None = None,
        *,
        created_at: dt.datetime | None = None,
    ) -> Remark:
        """Store a remark and give it the next number in its walk.

        Idempotent: sending the same ``remark_id`` again (a resend, a double
        tap, two racing resends) returns the stored remark with its number.
        The position is ``lon``/``lat`` (WGS84) or, when both are missing, the
        photo's EXIF GPS position; with neither it is an :class:`InputError`.
        ``created_at`` (staff only) back-dates an imported remark.
        """
        if actor.role == st.PROBLEMAGARE:
            msg = f"problemagare '{actor.label}' may not add remarks: join the walk with its code instead"
            raise PermissionDeniedError(msg)
        try:
            rid = str(uuid.UUID(str(remark_id)))
        except ValueError:
            msg = f"remark id '{remark_id}' is not a UUID: the form makes one when it opens (uuid4)"
            raise InputError(msg) from None
        if photo:  # a resend need not process its photo again
            existing = self._existing(actor, rid, walk)
            if existing is not None:
                return existing
        known = st.remark_categories()
        if category not in known:
            msg = f"unknown remark category '{category}': use one of {', '.join(known)}"
            raise InputError(msg)
        text = (text or "").strip()
        if len(text) > MAX_TEXT:
            msg = f"remark text is {len(text)} characters long: keep it under {MAX_TEXT}"
            raise InputError(msg)
        if feeling is not None and (int(feeling) != feeling or not 1 <= int(feeling) <= 5):
            msg = f"känsla {feeling} is out of range: give 1 (very unsafe) to 5 (very safe) or nothing"
            raise InputError(msg)
        clean_factors = self._check_factors(factors)
        prepared = prepare_photo(photo) if photo else None
        if lon is None or lat is None or _isnan(lon) or _isnan(lat):
            if prepared is not None and prepared.lon is not None:
                lon, lat, accuracy_m = prepared.lon, prepared.lat, None
                position_source = "exif"
            else:
                msg = "the remark has no position: allow the phone's location, tap the map, or attach a photo with GPS"
                raise InputError(msg)
        lon, lat = float(lon), float(lat)
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            msg = f"position lon={lon}, lat={lat} is out of range: give WGS84 degrees (lon −180…180, lat −90…90)"
            raise InputError(msg)
        position_source = position_source or "gps"
        if position_source not in st.POSITION_SOURCES:
            msg = f"unknown position source '{position_source}': use one of {', '.join(st.POSITION_SOURCES)}"
            raise InputError(msg)
        if accuracy_m is not None and (_isnan(accuracy_m) or accuracy_m < 0):
            accuracy_m = None
        if created_at is not None:
            require_staff(actor, "back-date remarks")
            created_at = _as_moment(created_at, "created_at")
        try:
            with self.store.write_session() as s:
                walk_row = self._walk_row(s, walk)
                self._require_walk_access(actor, walk_row)
                stored_walk = s.scalars(
                    select(RemarkRow.walk_id).where(RemarkRow.id == rid)
                ).first()
                if stored_walk is not None:  # a resend: answer with what is stored
                    s.rollback()
                    return self._resent(actor, rid, walk_row.id, stored_walk)
                if actor.role == st.DELTAGARE and walk_row.state != st.WALK_PLANERAD:
                    msg = f"walk '{walk_row.title}' is closed: it takes no more remarks"
                    raise PermissionDeniedError(msg)
                now = created_at or utcnow()
                values = {
                    "id": rid,
                    "walk_id": walk_row.id,
                    "number": None,  # taken in the insert below
                    "category": category,
                    "text": text,
                    "lon": lon,
                    "lat": lat,
                    "accuracy_m": float(accuracy_m) if accuracy_m is not None else None,
                    "position_source": position_source,
                    "feeling": int(feeling) if feeling is not None else None,
                    "factors": clean_factors,
                    "reporter_name": (reporter_name or "").strip() or None,
                    "owner_id": None,
                    "state": st.INITIAL_STATE,
                    "created_by": actor.label,
                    "created_at": now,
                    "updated_at": now,
                }
                event = {
                    "remark_id": rid,
                    "at": now,
                    "actor": actor.label,
                    "actor_user_id": actor.user_id,
                    "from_state": None,
                    "to_state": st.INITIAL_STATE,
                    "note": None,
                    "owner_id": None,
                    "planned_date": None,
                    "fixed_date": None,
                    "duplicate_of": None,
                }
                photo_row = None
                if prepared is not None:
                    photo_row = {
                        "remark_id": rid,
                        "content": prepared.content,
                        "mime": prepared.mime,
                        "width": prepared.width,
                        "height": prepared.height,
                        "created_at": now,
                    }
                if self.store.dialect == "postgresql":
                    number = self._insert_postgres(s, values, event, photo_row)
                else:
                    number = self._insert_sqlite(s, values, event, photo_row)
                record = Remark(
                    id=rid,
                    walk_id=walk_row.id,
                    walk_title=walk_row.title,
                    number=number,
                    category=category,
                    text=text,
                    lon=lon,
                    lat=lat,
                    state=st.INITIAL_STATE,
                    accuracy_m=values["accuracy_m"],
                    position_source=position_source,
                    feeling=values["feeling"],
                    factors=dict(clean_factors) if clean_factors else None,
                    reporter_name=values["reporter_name"] if can_see_all(actor) else None,
                    created_at=now,
                    updated_at=now,
                    has_photo=prepared is not None,
                )
            return record
        except IntegrityError:
            # two resends raced on the primary key: the other one won
            with self.store.read_session() as s:
                if s.get(RemarkRow, rid) is None:
                    raise
            return self._existing_or_fail(actor, rid)

    @staticmethod
    def _insert_sqlite(s: Session, remark: dict, event: dict, photo: dict | None) -> int:
        """Take the walk's next number and insert: BEGIN IMMEDIATE already serialises writers."""
        number = int(s.execute(_NEXT_NUMBER, {"walk_id": remark["walk_id"]}).scalar_one())
        s.execute(_INSERT_REMARK, {**remark, "number": number})
        if photo is not None:
            s.execute(_INSERT_PHOTO, photo)
        s.execute(_INSERT_EVENT, event)
        return number

    @staticmethod
    def _insert_postgres(s: Session, remark: dict, event: dict, photo: dict | None) -> int:
        """Take the number and insert remark, event (and photo) in ONE statement.

        The UPDATE locks the walk's counter row until the commit, so this
        walk's writers queue for one round trip and the commit only. If the
        insert fails (a racing resend hits the primary key) the whole
        transaction rolls back, the counter with it: no gaps, no repeats.
        """
        params = {**remark, **{f"e_{k}": v for k, v in event.items()}}
        statement = _SUBMIT_PG
        if photo is not None:
            params.update({f"p_{k}": v for k, v in photo.items()})
            statement = _SUBMIT_PG_PHOTO
        return int(s.execute(statement, params).scalar_one())

    def _existing(self, actor: Actor, rid: str, walk: WalkRef) -> Remark | None:
        with self.store.read_session() as s:
            stored_walk = s.scalars(select(RemarkRow.walk_id).where(RemarkRow.id == rid)).first()
            if stored_walk is None:
                return None
            wanted = self._walk_row(s, walk)
            self._require_walk_access(actor, wanted)
        return self._resent(actor, rid, wanted.id, stored_walk)

    def _resent(self, actor: Actor, rid: str, wanted_walk: int, stored_walk: int) -> Remark:
        if wanted_walk != stored_walk:
            msg = f"remark id {rid} is already used in another walk: make a new id (uuid4) for a new remark"
            raise InputError(msg)
        return self._existing_or_fail(actor, rid)

    def _existing_or_fail(self, actor: Actor, rid: str) -> Remark:
        with self.store.read_session() as s:
            return self._remark_by_id(s, rid, actor)

    @staticmethod
    def _check_factors(factors: dict[str, Any] | None) -> dict[str, int] | None:
        if not factors:
            return None
        out: dict[str, int] = {}
        for key, value in factors.items():
            if key not in st.FACTORS:
                msg = f"unknown factor '{key}': use {', '.join(st.FACTORS)}"
                raise InputError(msg)
            if value is None:
                continue
            if int(value) != value or not 0 <= int(value) <= 3:
                msg = f"factor {key}={value} is out of range: give 0, 1, 2 or 3"
                raise InputError(msg)
            out[key] = int(value)
        return out or None

    # ------------------------------------------------------------ remarks: read
    def get_remark(self, actor: Actor, remark_id: str) -> Remark:
        """One remark (NotFoundError; PermissionDeniedError when ``actor`` may not see it)."""
        with self.store.read_session() as s:
            row = s.get(RemarkRow, str(remark_id))
            if row is None:
                msg = f"no remark with id '{remark_id}'"
                raise NotFoundError(msg)
            walk_row = s.get(WalkRow, row.walk_id)
            assert walk_row is not None
            self._require_remark_access(actor, row, walk_row.join_code)
            return self._remark_by_id(s, row.id, actor)

    def list_remarks(
        self,
        actor: Actor,
        walk: WalkRef | None = None,
        state: str | Iterable[str] | None = None,
        overdue: bool | None = None,
        organisation: int | str | None = None,
        *,
        today: dt.date | None = None,
        days: int | None = None,
    ) -> list[Remark]:
        """Remarks ``actor`` may see, by walk and number.

        ``state``: a state slug, several slugs, or a kind (``open``, ``fixed``,
        ``closed``). ``overdue``: True only overdue ones, False only the
        others. ``organisation``: owner id or name.
        """
        with self.store.read_session() as s:
            q = self._remark_query()
            visible = self._visible_filter(actor)
            if visible is not None:
                q = q.where(visible)
            if walk is not None:
                walk_row = self._walk_row(s, walk)
                self._require_walk_access(actor, walk_row)
                q = q.where(RemarkRow.walk_id == walk_row.id)
            if state is not None:
                q = q.where(RemarkRow.state.in_(self._state_set(state)))
            if organisation is not None:
                org_id = organisation if isinstance(organisation, int) else None
                if org_id is None:
                    org = s.scalars(
                        select(OrganisationRow).where(OrganisationRow.name == str(organisation))
                    ).first()
                    if org is None:
                        msg = f"no problemägare '{organisation}'"
                        raise NotFoundError(msg)
                    org_id = org.id
                q = q.where(RemarkRow.owner_id == org_id)
            remarks = self._load_remarks(s, q, actor)
        if overdue is not None:
            remarks = [r for r in remarks if is_overdue(r, today, days) == bool(overdue)]
        return remarks

    @staticmethod
    def _state_set(state: str | Iterable[str]) -> list[str]:
        values = [state] if isinstance(state, str) else list(state)
        out: list[str] = []
        for v in values:
            if v in (st.OPEN, st.FIXED, st.CLOSED):
                out.extend(st.slugs_of_kind(v))
            else:
                st.state(v)
                out.append(v)
        return out

    def overdue(
        self, actor: Actor, today: dt.date | None = None, days: int | None = None
    ) -> list[Remark]:
        """Overdue remarks ``actor`` may see (see :mod:`geo_trygghet.remarks.reminders`)."""
        return self.list_remarks(
            actor, state=(st.TILLDELAD, st.PLANERAD), overdue=True, today=today, days=days
        )

    def history(self, actor: Actor, remark_id: str) -> list[Event]:
        """Every event of a remark, oldest first."""
        self.get_remark(actor, remark_id)  # permission check
        with self.store.read_session() as s:
            rows = s.execute(
                select(EventRow, OrganisationRow.name)
                .outerjoin(OrganisationRow, OrganisationRow.id == EventRow.owner_id)
                .where(EventRow.remark_id == str(remark_id))
                .order_by(EventRow.at, EventRow.id)
            ).all()
            return [self._event_record(e, name) for e, name in rows]

    @staticmethod
    def _event_record(e: EventRow, owner_name: str | None) -> Event:
        return Event(
            id=e.id,
            remark_id=e.remark_id,
            at=e.at,
            actor=e.actor,
            from_state=e.from_state,
            to_state=e.to_state,
            note=e.note,
            owner_id=e.owner_id,
            owner_name=owner_name,
            planned_date=e.planned_date,
            fixed_date=e.fixed_date,
            duplicate_of=e.duplicate_of,
        )

    def get_photo(self, actor: Actor, remark_id: str) -> bytes | None:
        """The stored (stripped) JPEG of a remark, or None."""
        self.get_remark(actor, remark_id)
        with self.store.read_session() as s:
            row = s.get(PhotoRow, str(remark_id))
            return bytes(row.content) if row is not None else None

    def nearby_open_remarks(
        self,
        walk: WalkRef | None,
        lon: float,
        lat: float,
        category: str,
        radius_m: float | None = None,
        *,
        actor: Actor | None = None,
    ) -> list[tuple[Remark, float]]:
        """Open remarks of ``category`` within ``radius_m`` (default
        ``settings.duplicate_radius_m``) of ``lon``/``lat``, nearest first, as
        ``(remark, distance_m)``: possible duplicates to show before sending.
        ``walk`` None searches every walk (staff only)."""
        radius = settings.duplicate_radius_m if radius_m is None else float(radius_m)
        dlat = radius / 111_000.0 * 1.5
        dlon = dlat / max(math.cos(math.radians(lat)), 0.01)
        with self.store.read_session() as s:
            q = self._remark_query().where(
                RemarkRow.category == category,
                RemarkRow.state.in_(st.OPEN_STATES),
                RemarkRow.lat.between(lat - dlat, lat + dlat),
                RemarkRow.lon.between(lon - dlon, lon + dlon),
            )
            if walk is not None:
                walk_row = self._walk_row(s, walk)
                if actor is not None:
                    self._require_walk_access(actor, walk_row)
                q = q.where(RemarkRow.walk_id == walk_row.id)
            elif actor is not None and not can_see_all(actor):
                q = q.where(self._visible_filter(actor))
            remarks = self._load_remarks(s, q, actor)
        found = [(r, _distance_m(lon, lat, r.lon, r.lat)) for r in remarks]
        return sorted([f for f in found if f[1] <= radius], key=lambda f: f[1])

    # ------------------------------------------------------------ remarks: change
    def transition(
        self,
        actor: Actor,
        remark_id: str,
        to_state: str,
        note: str | None = None,
        planned_date: dt.date | str | None = None,
        fixed_date: dt.date | str | None = None,
        owner_id: int | None = None,
        duplicate_of: str | None = None,
        reason: str | None = None,
        *,
        at: dt.datetime | dt.date | None = None,
    ) -> Remark:
        """Change a remark's state along :data:`~geo_trygghet.remarks.states.TRANSITIONS`
        and append the event. ``at`` (staff only) back-dates an imported change."""
        if actor.role == st.DELTAGARE:
            msg = f"deltagare '{actor.label}' may not change remarks"
            raise PermissionDeniedError(msg)
        st.state(to_state)
        planned = _as_date(planned_date, "planned date")
        fixed = _as_date(fixed_date, "fixed date")
        when = None
        if at is not None:
            require_staff(actor, "back-date changes")
            when = _as_moment(at, "at")
        with self.store.write_session() as s:
            row = s.scalars(
                select(RemarkRow).where(RemarkRow.id == str(remark_id)).with_for_update()
            ).first()
            if row is None:
                msg = f"no remark with id '{remark_id}'"
                raise NotFoundError(msg)
            walk_row = s.get(WalkRow, row.walk_id)
            assert walk_row is not None
            self._require_remark_access(actor, row, walk_row.join_code)
            t = st.find_transition(row.state, to_state)
            if actor.role not in t.roles:
                msg = (
                    f"{actor.role} '{actor.label}' may not move a remark from "
                    f"'{st.state_label(row.state)}' to '{st.state_label(to_state)}'"
                )
                raise PermissionDeniedError(msg)
            text = " — ".join(x.strip() for x in (reason, note) if x and x.strip()) or None
            now = when or utcnow()
            if when is not None:  # a back-dated change never goes before the remark's last event
                last_at = s.scalar(
                    select(func.max(EventRow.at)).where(EventRow.remark_id == row.id)
                )
                if last_at is not None and now < last_at:
                    now = last_at
            if t.needs == st.NEEDS_OWNER:
                target_owner = (
                    owner_id
                    if owner_id is not None
                    else (row.owner_id if t.name == "reopen" else None)
                )
                if target_owner is None:
                    msg = f"remark {row.number} in '{walk_row.title}': choose a problemägare to assign it to"
                    raise InputError(msg)
                if s.get(OrganisationRow, target_owner) is None:
                    msg = f"no problemägare with id {target_owner}"
                    raise NotFoundError(msg)
                row.owner_id = target_owner
                row.planned_date = None
                row.fixed_date = None
                row.assigned_at = now
            elif t.needs == st.NEEDS_PLANNED:
                if planned is None:
                    msg = f"remark {row.number} in '{walk_row.title}': give the planned date (YYYY-MM-DD)"
                    raise InputError(msg)
                row.planned_date = planned
            elif t.needs == st.NEEDS_FIXED:
                if fixed is None:
                    msg = f"remark {row.number} in '{walk_row.title}': give the date it was fixed (YYYY-MM-DD)"
                    raise InputError(msg)
                if fixed > (utcnow().date() + dt.timedelta(days=1)):
                    msg = f"fixed date {fixed.isoformat()} is in the future: give the day the fix was done"
                    raise InputError(msg)
                row.fixed_date = fixed
            elif t.needs == st.NEEDS_REASON:
                if not reason and not note:
                    msg = f"remark {row.number} in '{walk_row.title}': give a reason"
                    raise InputError(msg)
            elif t.needs == st.NEEDS_DUPLICATE:
                if not duplicate_of:
                    msg = f"remark {row.number} in '{walk_row.title}': name the original remark it duplicates"
                    raise InputError(msg)
                original = s.get(RemarkRow, str(duplicate_of))
                if original is None:
                    msg = f"no remark with id '{duplicate_of}' to mark as the original"
                    raise NotFoundError(msg)
                if original.id == row.id:
                    msg = "a remark cannot be a duplicate of itself: choose the original remark"
                    raise InputError(msg)
                row.duplicate_of = original.id
            if t.name == "reopen":
                row.fixed_date = None
                row.planned_date = None
                row.assigned_at = now
            if t.clears_owner:
                row.owner_id = None
                row.planned_date = None
                row.assigned_at = None
            from_state = row.state
            row.state = to_state
            row.updated_at = now
            s.add(
                EventRow(
                    remark_id=row.id,
                    at=now,
                    actor=actor.label,
                    actor_user_id=actor.user_id,
                    from_state=from_state,
                    to_state=to_state,
                    note=text,
                    owner_id=row.owner_id,
                    planned_date=row.planned_date,
                    fixed_date=row.fixed_date,
                    duplicate_of=row.duplicate_of,
                )
            )
            s.flush()
            owner_name = s.get(OrganisationRow, row.owner_id).name if row.owner_id else None  # type: ignore[union-attr]
            has_photo = s.get(PhotoRow, row.id) is not None
            return self._remark_record(row, walk_row.title, owner_name, has_photo, actor)

    def allowed_changes(self, actor: Actor, remark: Remark) -> tuple[str, ...]:
        """The states ``actor`` may move ``remark`` to now (for showing the right buttons).

        A problemägare only for its own organisation's remarks; a deltagare never.
        """
        if actor.role == st.DELTAGARE:
            return ()
        if actor.role == st.PROBLEMAGARE and (
            actor.organisation_id is None or remark.owner_id != actor.organisation_id
        ):
            return ()
        return st.allowed_targets(remark.state, actor.role)

    def assign(
        self, actor: Actor, remark_id: str, owner_id: int, note: str | None = None, **kw: Any
    ) -> Remark:
        """Ny / Inte vårt ansvar / Tilldelad / Planerad → Tilldelad (admin, analytiker)."""
        return self.transition(actor, remark_id, st.TILLDELAD, note=note, owner_id=owner_id, **kw)

    def plan(
        self,
        actor: Actor,
        remark_id: str,
        planned_date: dt.date | str,
        note: str | None = None,
        **kw: Any,
    ) -> Remark:
        """Tilldelad / Planerad → Planerad with a date (the problemägare)."""
        return self.transition(
            actor, remark_id, st.PLANERAD, note=note, planned_date=planned_date, **kw
        )

    def mark_fixed(
        self,
        actor: Actor,
        remark_id: str,
        fixed_date: dt.date | str | None = None,
        note: str | None = None,
        **kw: Any,
    ) -> Remark:
        """Tilldelad / Planerad → Åtgärdad on ``fixed_date`` (default today; the problemägare)."""
        return self.transition(
            actor, remark_id, st.ATGARDAD, note=note, fixed_date=fixed_date or dt.date.today(), **kw
        )

    def not_ours(self, actor: Actor, remark_id: str, reason: str, **kw: Any) -> Remark:
        """→ Inte vårt ansvar (reason required); the remark goes back to assignment."""
        return self.transition(actor, remark_id, st.INTE_VART_ANSVAR, reason=reason, **kw)

    def cannot_fix(self, actor: Actor, remark_id: str, reason: str, **kw: Any) -> Remark:
        """→ Kan inte åtgärdas (reason required)."""
        return self.transition(actor, remark_id, st.KAN_INTE_ATGARDAS, reason=reason, **kw)

    def mark_duplicate(
        self, actor: Actor, remark_id: str, original_id: str, note: str | None = None, **kw: Any
    ) -> Remark:
        """→ Dubblett, linked to ``original_id`` (admin, analytiker)."""
        return self.transition(
            actor, remark_id, st.DUBBLETT, note=note, duplicate_of=original_id, **kw
        )

    def verify(self, actor: Actor, remark_id: str, note: str | None = None, **kw: Any) -> Remark:
        """Åtgärdad → Kontrollerad at the follow-up walk (admin, analytiker)."""
        return self.transition(actor, remark_id, st.KONTROLLERAD, note=note, **kw)

    def reopen(self, actor: Actor, remark_id: str, note: str | None = None, **kw: Any) -> Remark:
        """Åtgärdad → Tilldelad to the same problemägare (admin, analytiker)."""
        return self.transition(actor, remark_id, st.TILLDELAD, note=note, **kw)


__all__ = ["RemarkService"]
