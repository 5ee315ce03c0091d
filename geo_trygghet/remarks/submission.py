"""Submitting a remark: checked once, numbered by the server, idempotent on its id.

The phone makes the remark's UUID when the form opens, so a resend, a double tap or
two racing resends never make a duplicate: the second one gets the stored remark
back. The number within the walk (1, 2, 3 …) is taken in the insert's transaction,
without gaps or repeats under concurrent submission (SQLite: ``BEGIN IMMEDIATE``
serialises writers; PostgreSQL: one statement that locks the walk's counter row).

:meth:`SubmissionService.receive_remark` is the phone API's door: it says whether the
request made the remark (:class:`Received`), and refuses the same id with other content
(:class:`~geo_trygghet.errors.ConflictError`) instead of answering with the stored one.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, bindparam, insert, select, update
from sqlalchemy import text as sql_text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..errors import ConflictError, InputError, PermissionDeniedError
from . import states as st
from ._util import _as_moment, _isnan
from .auth import Actor, require_staff, require_walk_access
from .categories import REMARK_CATEGORIES
from .models import EventRow, PhotoRow, RemarkRow, WalkRow, utcnow
from .photos import PreparedPhoto, prepare_photo
from .records import EVENT_FIELDS, Remark, WalkRef
from .repository import Repository

MAX_TEXT = 4000
#: How far back a phone's clock time of a remark is believed (an outbox can wait for days).
OBSERVED_WINDOW = dt.timedelta(days=30)
#: Clock skew allowed for a phone's time in the future (the server's time is used instead).
CLOCK_SKEW = dt.timedelta(minutes=10)
#: The values a resend must repeat to be the same remark (anything else is a conflict).
CONTENT_FIELDS = ("category", "text", "lon", "lat", "accuracy_m", "position_source", "feeling", "factors",
                  "reporter_name")

# statements of the submission hot path, built once (parameters bound per call)
_INSERT_REMARK = insert(RemarkRow)
_INSERT_PHOTO = insert(PhotoRow)
_INSERT_EVENT = insert(EventRow)
_NEXT_NUMBER = (
    update(WalkRow)
    .where(WalkRow.id == bindparam("walk_id"))
    .values(next_number=WalkRow.next_number + 1)
    .returning(WalkRow.next_number)
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


@dataclass(frozen=True)
class Received:
    """What a phone's submission did: the stored remark, and whether this request stored it
    (``created`` False: it was there already, sent before with the same content)."""

    remark: Remark
    created: bool


@dataclass(frozen=True)
class _Checked:
    """A remark's values after every check, before it is stored."""

    category: str
    text: str
    lon: float
    lat: float
    accuracy_m: float | None
    position_source: str
    feeling: int | None
    factors: dict[str, int] | None
    reporter_name: str | None
    photo: PreparedPhoto | None
    created_at: dt.datetime | None


def observed_moment(value: dt.datetime | None, now: dt.datetime | None = None) -> dt.datetime | None:
    """A phone's clock time of a remark as naive UTC when it is believable, else None.

    Believable: at most :data:`OBSERVED_WINDOW` old and at most :data:`CLOCK_SKEW` ahead of the
    server (a time just ahead is taken as now). A naive datetime is UTC.
    """
    if value is None:
        return None
    now = now or utcnow()
    try:
        moment = value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo is not None else value
    except (OverflowError, ValueError):  # year 1 or 9999 in a far time zone: no believable time
        return None
    if moment > now + CLOCK_SKEW or moment < now - OBSERVED_WINDOW:
        return None
    return min(moment, now)


def canonical_id(value: Any) -> str:
    """The remark id in canonical UUID form (:class:`InputError` when it is none)."""
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        msg = f"remark id '{value}' is not a UUID: the form makes one when it opens (uuid4)"
        raise InputError(msg) from None


def check_category(category: str) -> str:
    if category not in REMARK_CATEGORIES:
        msg = f"unknown remark category '{category}': use one of {', '.join(REMARK_CATEGORIES)}"
        raise InputError(msg)
    return category


def _check_text(text: str | None) -> str:
    text = (text or "").strip()
    if len(text) > MAX_TEXT:
        msg = f"remark text is {len(text)} characters long: keep it under {MAX_TEXT}"
        raise InputError(msg)
    return text


def _check_feeling(feeling: Any) -> int | None:
    if feeling is None:
        return None
    if int(feeling) != feeling or not 1 <= int(feeling) <= 5:
        msg = f"känsla {feeling} is out of range: give 1 (very unsafe) to 5 (very safe) or nothing"
        raise InputError(msg)
    return int(feeling)


def check_factors(factors: dict[str, Any] | None) -> dict[str, int] | None:
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


def _position(lon: Any, lat: Any, accuracy_m: Any, source: str | None,
              photo: PreparedPhoto | None) -> tuple[float, float, float | None, str]:
    """``(lon, lat, accuracy_m, source)``: the given position, else the photo's EXIF GPS."""
    if lon is None or lat is None or _isnan(lon) or _isnan(lat):
        if photo is None or photo.lon is None or photo.lat is None:
            msg = "the remark has no position: allow the phone's location, tap the map, or attach a photo with GPS"
            raise InputError(msg)
        lon, lat, accuracy_m, source = photo.lon, photo.lat, None, "exif"
    lon, lat = float(lon), float(lat)
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        msg = f"position lon={lon}, lat={lat} is out of range: give WGS84 degrees (lon −180…180, lat −90…90)"
        raise InputError(msg)
    source = source or "gps"
    if source not in st.POSITION_SOURCES:
        msg = f"unknown position source '{source}': use one of {', '.join(st.POSITION_SOURCES)}"
        raise InputError(msg)
    if accuracy_m is not None and (_isnan(accuracy_m) or accuracy_m < 0):
        accuracy_m = None
    return lon, lat, float(accuracy_m) if accuracy_m is not None else None, source


def _check(category: str, text: str | None, lon: Any, lat: Any, accuracy_m: Any, position_source: str | None,
           feeling: Any, factors: dict[str, Any] | None, reporter_name: str | None, photo: PreparedPhoto | None,
           created_at: dt.datetime | None) -> _Checked:
    """Every check of a new remark's values, in one place (:class:`InputError` naming the value)."""
    category, text = check_category(category), _check_text(text)
    checked_feeling, checked_factors = _check_feeling(feeling), check_factors(factors)
    position = _position(lon, lat, accuracy_m, position_source, photo)
    return _Checked(
        category=category, text=text, lon=position[0], lat=position[1], accuracy_m=position[2],
        position_source=position[3], feeling=checked_feeling, factors=checked_factors,
        reporter_name=(reporter_name or "").strip() or None, photo=photo, created_at=created_at,
    )


def _require_adder(actor: Actor) -> None:
    if actor.role == st.PROBLEMAGARE:
        msg = f"problemagare '{actor.label}' may not add remarks: join the walk with its code instead"
        raise PermissionDeniedError(msg)


class SubmissionService:
    """Participants' (and importers') new remarks."""

    def __init__(self, repo: Repository) -> None:
        self.repo = repo

    def submit_remark(self, actor: Actor, walk: WalkRef, remark_id: str, category: str, text: str = "",
                      lon: float | None = None, lat: float | None = None, accuracy_m: float | None = None,
                      photo: bytes | None = None, feeling: int | None = None,
                      factors: dict[str, int] | None = None, reporter_name: str | None = None,
                      position_source: str | None = None, *, created_at: dt.datetime | None = None) -> Remark:
        """Store a remark and give it the next number in its walk.

        Idempotent: sending the same ``remark_id`` again (a resend, a double
        tap, two racing resends) returns the stored remark with its number.
        The position is ``lon``/``lat`` (WGS84) or, when both are missing, the
        photo's EXIF GPS position; with neither it is an :class:`InputError`.
        ``created_at`` (staff only) back-dates an imported remark.
        """
        _require_adder(actor)
        rid = canonical_id(remark_id)
        if photo:  # a resend need not process its photo again
            existing = self._existing(actor, rid, walk)
            if existing is not None:
                return existing
        if created_at is not None:
            require_staff(actor, "back-date remarks")
        checked = _check(category, text, lon, lat, accuracy_m, position_source, feeling, factors, reporter_name,
                         prepare_photo(photo) if photo else None,
                         _as_moment(created_at, "created_at") if created_at is not None else None)
        return self._submit(actor, walk, rid, checked).remark

    def receive_remark(self, actor: Actor, walk: WalkRef, remark_id: str, category: str, text: str = "",
                       lon: float | None = None, lat: float | None = None, accuracy_m: float | None = None, *,
                       position_source: str | None = None, feeling: int | None = None,
                       factors: dict[str, int] | None = None, reporter_name: str | None = None,
                       observed_at: dt.datetime | None = None) -> Received:
        """Store a remark sent by a phone and say whether this request stored it.

        The same ``remark_id`` again with the same content (a resend whose answer was
        lost) gives the stored remark with ``created`` False; with other content, or in
        another walk, it is a :class:`ConflictError`. ``observed_at`` is the phone's time
        of the tap: kept as the remark's time when believable (:func:`observed_moment`).
        The photo comes separately (:meth:`~.attachments.PhotoAttachments.attach_photo`).
        """
        _require_adder(actor)
        rid = canonical_id(remark_id)
        checked = _check(category, text, lon, lat, accuracy_m, position_source, feeling, factors, reporter_name,
                         None, observed_moment(observed_at))
        received = self._submit(actor, walk, rid, checked)
        if not received.created:
            with self.repo.read() as s:
                stored = self.repo.remark_by_id(s, rid, None)
            changed = [f for f in CONTENT_FIELDS if getattr(stored, f) != getattr(checked, f)]
            if changed:
                msg = (f"remark id {rid} is stored already with other {', '.join(changed)}: "
                       "make a new id (uuid4) for a new remark")
                raise ConflictError(msg)
        return received

    def _submit(self, actor: Actor, walk: WalkRef, rid: str, checked: _Checked) -> Received:
        try:
            return self._store(actor, walk, rid, checked)
        except IntegrityError:
            # two resends raced on the primary key: the other one won
            with self.repo.read() as s:
                if s.get(RemarkRow, rid) is None:
                    raise
            return Received(self._stored(actor, rid), created=False)

    def _store(self, actor: Actor, walk: WalkRef, rid: str, c: _Checked) -> Received:
        with self.repo.write() as s:
            walk_row = self.repo.walk_row(s, walk)
            require_walk_access(actor, walk_row.join_code, walk_row.title)
            stored_walk = s.scalars(select(RemarkRow.walk_id).where(RemarkRow.id == rid)).first()
            if stored_walk is not None:  # a resend: answer with what is stored
                s.rollback()
                return Received(self._resent(actor, rid, walk_row.id, stored_walk), created=False)
            if actor.role == st.DELTAGARE and not st.walk_takes_remarks(walk_row.state):
                msg = f"walk '{walk_row.title}' is closed: it takes no more remarks"
                raise PermissionDeniedError(msg)
            now = c.created_at or utcnow()
            values = {
                "id": rid, "walk_id": walk_row.id, "number": None, "category": c.category, "text": c.text,
                "lon": c.lon, "lat": c.lat, "accuracy_m": c.accuracy_m, "position_source": c.position_source,
                "feeling": c.feeling, "factors": c.factors, "reporter_name": c.reporter_name,
                "owner_id": None, "state": st.INITIAL_STATE, "created_by": actor.label,
                "planned_date": None, "fixed_date": None, "duplicate_of": None, "assigned_at": None,
                "created_at": now, "updated_at": now,
            }  # fmt: skip
            event = {"remark_id": rid, "at": now, "actor": actor.label, "actor_user_id": actor.user_id,
                     "from_state": None, "to_state": st.INITIAL_STATE, "note": None,
                     **dict.fromkeys(EVENT_FIELDS)}
            photo_row = None
            if c.photo is not None:
                photo_row = {"remark_id": rid, "content": c.photo.content, "mime": c.photo.mime,
                             "width": c.photo.width, "height": c.photo.height, "created_at": now}
            insert_with_number = _insert_postgres if self.repo.dialect == "postgresql" else _insert_sqlite
            values["number"] = insert_with_number(s, values, event, photo_row)
            return Received(self.repo.remark_record(values, walk_row.title, None, c.photo is not None, actor),
                            created=True)

    def _existing(self, actor: Actor, rid: str, walk: WalkRef) -> Remark | None:
        with self.repo.read() as s:
            stored_walk = s.scalars(select(RemarkRow.walk_id).where(RemarkRow.id == rid)).first()
            if stored_walk is None:
                return None
            wanted = self.repo.walk_row(s, walk)
            require_walk_access(actor, wanted.join_code, wanted.title)
        return self._resent(actor, rid, wanted.id, stored_walk)

    def _resent(self, actor: Actor, rid: str, wanted_walk: int, stored_walk: int) -> Remark:
        if wanted_walk != stored_walk:
            msg = f"remark id {rid} is already used in another walk: make a new id (uuid4) for a new remark"
            raise ConflictError(msg)
        return self._stored(actor, rid)

    def _stored(self, actor: Actor, rid: str) -> Remark:
        with self.repo.read() as s:
            return self.repo.remark_by_id(s, rid, actor)


def _insert_sqlite(s: Session, remark: dict, event: dict, photo: dict | None) -> int:
    """Take the walk's next number and insert: BEGIN IMMEDIATE already serialises writers."""
    number = int(s.execute(_NEXT_NUMBER, {"walk_id": remark["walk_id"]}).scalar_one())
    s.execute(_INSERT_REMARK, {**remark, "number": number})
    if photo is not None:
        s.execute(_INSERT_PHOTO, photo)
    s.execute(_INSERT_EVENT, event)
    return number


def _insert_postgres(s: Session, remark: dict, event: dict, photo: dict | None) -> int:
    """Take the number and insert remark, event (and photo) in ONE statement.

    The UPDATE locks the walk's counter row until the commit, so this walk's
    writers queue for one round trip and the commit only. If the insert fails (a
    racing resend hits the primary key) the whole transaction rolls back, the
    counter with it: no gaps, no repeats.
    """
    params = {**remark, **{f"e_{k}": v for k, v in event.items()}}
    statement = _SUBMIT_PG
    if photo is not None:
        params.update({f"p_{k}": v for k, v in photo.items()})
        statement = _SUBMIT_PG_PHOTO
    return int(s.execute(statement, params).scalar_one())
