"""The database tables (SQLAlchemy 2 declarative ORM), portable SQLite/PostgreSQL.

Only :mod:`geo_trygghet.remarks.service` uses these classes; everyone else
gets the plain records of :mod:`geo_trygghet.remarks.records`. Positions are
WGS84 ``lon``/``lat`` floats with the phone's ``accuracy_m`` (no PostGIS).
Timestamps are naive UTC. Nothing is ever deleted: every change of a remark
is a :class:`EventRow` that carries the remark's owner and dates *after* the
change, so any past state can be rebuilt from the events alone.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from .states import ACCOUNT_ROLES, INITIAL_STATE, WALK_INITIAL_STATE, WALK_STATES

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _one_of(column: str, values: tuple[str, ...]) -> str:
    """A CHECK expression: ``column IN ('a', 'b')`` (as the first migration wrote it)."""
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class OrganisationRow(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str | None] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(320))
    area: Mapped[str | None] = mapped_column(Text)  # GeoJSON geometry, WGS84
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class OrganisationCategoryRow(Base):
    __tablename__ = "organisation_categories"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    category: Mapped[str] = mapped_column(String(50), primary_key=True)


class UserRow(Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(_one_of("role", ACCOUNT_ROLES), name="role"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    email: Mapped[str | None] = mapped_column(String(320))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class WalkRow(Base):
    __tablename__ = "walks"
    __table_args__ = (
        CheckConstraint(_one_of("state", WALK_STATES), name="state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(300), unique=True)
    area: Mapped[str | None] = mapped_column(Text)  # GeoJSON geometry, WGS84
    walk_date: Mapped[dt.date | None] = mapped_column(Date)
    group: Mapped[str | None] = mapped_column("walk_group", String(50))
    organiser: Mapped[str | None] = mapped_column(String(300))
    join_code: Mapped[str] = mapped_column(String(20), unique=True)
    state: Mapped[str] = mapped_column(String(20), default=WALK_INITIAL_STATE)
    next_number: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class RemarkChannelRow(Base):
    """A way remarks come in besides walks (``Open311: fixamingata``): its own series of numbers."""

    __tablename__ = "remark_channels"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    next_number: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class RemarkRow(Base):
    """A remark of a walk (``walk_id``) or from a channel outside any walk (``channel_id``): exactly
    one of the two; ``number`` counts within the walk or within the channel."""

    __tablename__ = "remarks"
    __table_args__ = (
        UniqueConstraint("walk_id", "number", name="uq_remarks_walk_number"),
        UniqueConstraint("channel_id", "number", name="uq_remarks_channel_number"),
        CheckConstraint("(walk_id IS NULL) <> (channel_id IS NULL)", name="source"),
        CheckConstraint("feeling IS NULL OR (feeling BETWEEN 1 AND 5)", name="feeling"),
        CheckConstraint("lat BETWEEN -90 AND 90 AND lon BETWEEN -180 AND 180", name="position"),
        Index("ix_remarks_state", "state"),
        Index("ix_remarks_owner", "owner_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # UUID made by the client
    walk_id: Mapped[int | None] = mapped_column(ForeignKey("walks.id"))
    channel_id: Mapped[int | None] = mapped_column(ForeignKey("remark_channels.id"))
    # 1…N within the walk (or the channel); NULL only inside the submitting transaction
    number: Mapped[int | None] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(50))
    text: Mapped[str] = mapped_column(Text, default="")
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    accuracy_m: Mapped[float | None] = mapped_column(Float)
    position_source: Mapped[str] = mapped_column(String(10), default="gps")
    feeling: Mapped[int | None] = mapped_column(Integer)
    factors: Mapped[dict | None] = mapped_column(JSON)
    reporter_name: Mapped[str | None] = mapped_column(String(200))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    state: Mapped[str] = mapped_column(String(30), default=INITIAL_STATE)
    planned_date: Mapped[dt.date | None] = mapped_column(Date)
    fixed_date: Mapped[dt.date | None] = mapped_column(Date)
    duplicate_of: Mapped[str | None] = mapped_column(ForeignKey("remarks.id"))
    assigned_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class PhotoRow(Base):
    __tablename__ = "photos"

    remark_id: Mapped[str] = mapped_column(ForeignKey("remarks.id"), primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    mime: Mapped[str] = mapped_column(String(50), default="image/jpeg")
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class EventRow(Base):
    """Append-only: one row per change of a remark (its creation included)."""

    __tablename__ = "remark_events"
    __table_args__ = (Index("ix_remark_events_remark_at", "remark_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    remark_id: Mapped[str] = mapped_column(ForeignKey("remarks.id"))
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(
        String(120)
    )  # "user:<username>", "deltagare:<code>", "system"
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    from_state: Mapped[str | None] = mapped_column(String(30))
    to_state: Mapped[str] = mapped_column(String(30))
    note: Mapped[str | None] = mapped_column(Text)
    # the remark's values after this event
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    planned_date: Mapped[dt.date | None] = mapped_column(Date)
    fixed_date: Mapped[dt.date | None] = mapped_column(Date)
    duplicate_of: Mapped[str | None] = mapped_column(String(36))


class LoginSessionRow(Base):
    """A staff login that survives a browser reload: the browser keeps a random token in a
    cookie, the database only its SHA-256. Ended at logout, or when it expires."""

    __tablename__ = "login_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
