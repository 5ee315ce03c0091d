"""The åtgärdsplan's tables (SQLAlchemy 2 ORM), on the remark store's metadata.

The plan shares the database, the migrations (``remarks/migrations``, revision
``0004_actionplan``) and the organisations (problemägare = VEM) of :mod:`geo_trygghet.remarks`.
Only :mod:`geo_trygghet.actionplan`'s repository and services use these classes; everyone else
gets the records of :mod:`.records`. Nothing is deleted: every change appends a
:class:`PlanEventRow` (who, when, what, note, and the changed values after it).
Places are GeoJSON text in WGS84 (no PostGIS).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from ..remarks.models import Base, utcnow
from .rules import ACTION_KINDS, ACTION_PLACES, PLAN_INITIAL_STATUS, PLAN_STATUSES, PRODUCTION_STATUSES

__all__ = ["ActionRemarkRow", "ActionRow", "Base", "CauseRow", "GoalRow", "PlanEventRow", "PlanRow",
           "ProblemRow"]


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class PlanRow(Base):
    __tablename__ = "plans"
    __table_args__ = (CheckConstraint(_one_of("status", PLAN_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(300), unique=True)
    area_name: Mapped[str | None] = mapped_column(String(200))  # kommun or area, as written
    area: Mapped[str | None] = mapped_column(Text)  # GeoJSON geometry, WGS84
    period_start: Mapped[dt.date | None] = mapped_column(Date)
    period_end: Mapped[dt.date | None] = mapped_column(Date)
    decided_date: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default=PLAN_INITIAL_STATUS)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class ProblemRow(Base):
    """What the lägesbild showed, with its figures at the time it was written."""

    __tablename__ = "plan_problems"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    categories: Mapped[list | None] = mapped_column(JSON)  # Brå category slugs
    place_kind: Mapped[str] = mapped_column(String(20), default="none")
    area: Mapped[str | None] = mapped_column(Text)  # GeoJSON geometry, WGS84 (cells: their union)
    cells: Mapped[list | None] = mapped_column(JSON)  # H3 cell ids
    figures: Mapped[dict | None] = mapped_column(JSON)  # the figures of the moment
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class CauseRow(Base):
    """ORSAK, numbered 1, 2, 3 … within the plan."""

    __tablename__ = "plan_causes"
    __table_args__ = (UniqueConstraint("plan_id", "number", name="uq_plan_causes_plan_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    problem_id: Mapped[int | None] = mapped_column(ForeignKey("plan_problems.id"))
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class ActionRow(Base):
    """ÅTGÄRD, lettered a, b, c … within its cause (1a, 1b …), with its production and light."""

    __tablename__ = "plan_actions"
    __table_args__ = (
        UniqueConstraint("cause_id", "letter", name="uq_plan_actions_cause_letter"),
        CheckConstraint(_one_of("kind", ACTION_KINDS), name="kind"),
        CheckConstraint(_one_of("place_kind", ACTION_PLACES), name="place_kind"),
        CheckConstraint(_one_of("production", PRODUCTION_STATUSES), name="production"),
        Index("ix_plan_actions_responsible", "responsible_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    cause_id: Mapped[int] = mapped_column(ForeignKey("plan_causes.id"))
    letter: Mapped[str] = mapped_column(String(4))
    position: Mapped[int] = mapped_column(Integer, default=0)  # the order of the actions (NÄR)
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(20), default="annan")
    responsible_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    contact: Mapped[str | None] = mapped_column(String(300))
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    when_text: Mapped[str | None] = mapped_column(String(300))  # NÄR as written, when not a date
    place_kind: Mapped[str] = mapped_column(String(20), default="none")
    area: Mapped[str | None] = mapped_column(Text)  # its own place, GeoJSON, WGS84
    buffer_m: Mapped[float | None] = mapped_column(Float)
    controls: Mapped[str | None] = mapped_column(Text)  # chosen control areas (GeoJSON); none: suggested
    promise: Mapped[bool] = mapped_column(Boolean, default=False)  # a medborgarlöfte
    promise_text: Mapped[str | None] = mapped_column(Text)
    production: Mapped[str] = mapped_column(String(20), default="ej_rapporterad")
    production_date: Mapped[dt.date | None] = mapped_column(Date)
    production_count: Mapped[int | None] = mapped_column(Integer)
    production_hours: Mapped[float | None] = mapped_column(Float)
    process_note: Mapped[str | None] = mapped_column(Text)
    light_override: Mapped[str | None] = mapped_column(String(10))
    light_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class ActionRemarkRow(Base):
    """A walk remark an action gathers ("laga belysningen" holds the walk's lamp remarks)."""

    __tablename__ = "plan_action_remarks"

    action_id: Mapped[int] = mapped_column(ForeignKey("plan_actions.id"), primary_key=True)
    remark_id: Mapped[str] = mapped_column(ForeignKey("remarks.id"), primary_key=True)
    linked_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class GoalRow(Base):
    """OPERATIVA MÅL of an action; measurable: incidents of ``categories`` in the action's place
    per 12 months, from ``baseline`` by ``target_change`` (−0.2 = 20 % fewer) by ``by_date``."""

    __tablename__ = "plan_goals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("plan_actions.id"), index=True)
    text: Mapped[str] = mapped_column(Text, default="")
    measurable: Mapped[bool] = mapped_column(Boolean, default=False)
    categories: Mapped[list | None] = mapped_column(JSON)
    baseline: Mapped[float | None] = mapped_column(Float)  # None: counted from the data when followed up
    target_change: Mapped[float | None] = mapped_column(Float)
    by_date: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class PlanEventRow(Base):
    """Append-only: one row per change of a plan or anything in it."""

    __tablename__ = "plan_events"
    __table_args__ = (Index("ix_plan_events_plan_at", "plan_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    entity: Mapped[str] = mapped_column(String(20))  # plan, problem, cause, action, goal
    entity_id: Mapped[int] = mapped_column(Integer)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(120))  # "user:<username>", "system"
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    what: Mapped[str] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict | None] = mapped_column(JSON)  # the changed values after the change
