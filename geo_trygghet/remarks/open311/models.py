"""The Open311 tables (SQLAlchemy ORM, portable SQLite/PostgreSQL), beside the remark store's.

* ``api_keys``: a partner's key, stored as its SHA-256 only, scoped ``read`` or ``read-write``,
  revoked by a date (never deleted); its requests come in through the partner's channel
  (``remark_channels``, :class:`~geo_trygghet.remarks.models.RemarkChannelRow`).
* ``remark_origins``: what a partner sent with a remark from outside any walk beyond the remark
  itself: its own reference (one remark per reference and channel), the address it typed, its
  media URL, the other attributes, and contact details that are never published.
* ``open311_endpoints``: a problemägare's own Open311 endpoint, where the remarks assigned to it
  are sent (base URL, its key for us, its jurisdiction, our category → its service_code).
* ``open311_outbox``: one row per remark and endpoint: sent once, retried with backoff while
  that system is down, then followed until it reports the fix.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from ..models import Base, _one_of, utcnow

#: Scopes of a partner's key: reading requests, or reading and posting them.
READ, READ_WRITE = "read", "read-write"
SCOPES = (READ, READ_WRITE)
#: The life of an outbox row: waiting to be sent (again), sent and followed, finished (the fix came
#: back, or the remark is no longer that organisation's), dropped before it was sent (reassigned).
PENDING, SENT, DONE, CANCELLED = "pending", "sent", "done", "cancelled"
OUTBOX_STATUSES = (PENDING, SENT, DONE, CANCELLED)


class ApiKeyRow(Base):
    __tablename__ = "api_keys"
    __table_args__ = (CheckConstraint(_one_of("scope", SCOPES), name="scope"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("remark_channels.id"), index=True)
    partner: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scope: Mapped[str] = mapped_column(String(20))
    created_by: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class RemarkOriginRow(Base):
    __tablename__ = "remark_origins"
    __table_args__ = (UniqueConstraint("channel_id", "external_ref", name="uq_remark_origins_channel_ref"),)

    remark_id: Mapped[str] = mapped_column(ForeignKey("remarks.id"), primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("remark_channels.id"))
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    external_ref: Mapped[str | None] = mapped_column(String(200))
    address_string: Mapped[str | None] = mapped_column(Text)
    media_url: Mapped[str | None] = mapped_column(Text)
    attributes: Mapped[dict | None] = mapped_column(JSON)
    contact_email: Mapped[str | None] = mapped_column(String(320))  # never published
    contact_phone: Mapped[str | None] = mapped_column(String(50))  # never published
    received_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class EndpointRow(Base):
    __tablename__ = "open311_endpoints"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    base_url: Mapped[str] = mapped_column(String(500))
    api_key: Mapped[str | None] = mapped_column(String(500))  # their key for us: sent, so kept as given
    jurisdiction_id: Mapped[str | None] = mapped_column(String(200))
    service_codes: Mapped[dict] = mapped_column(JSON)  # our category → their service_code
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class OutboxRow(Base):
    __tablename__ = "open311_outbox"
    __table_args__ = (
        UniqueConstraint("remark_id", "organisation_id", name="uq_open311_outbox_remark_org"),
        CheckConstraint(_one_of("status", OUTBOX_STATUSES), name="status"),
        Index("ix_open311_outbox_status", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    remark_id: Mapped[str] = mapped_column(ForeignKey("remarks.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    status: Mapped[str] = mapped_column(String(20), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    claimed_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_attempt_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    external_id: Mapped[str | None] = mapped_column(String(200))
    their_status: Mapped[str | None] = mapped_column(String(20))
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    done_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


__all__ = ["ApiKeyRow", "EndpointRow", "OutboxRow", "RemarkOriginRow"]
