"""Open311: remarks from outside any walk (channels, numbered in their own series), partners' API
keys, what a partner sent with a remark, problemägare's own endpoints and the outbox to them

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-15

The remarks table changes: ``walk_id`` may be NULL for a remark from a channel (``channel_id``),
exactly one of the two is set (CHECK), and ``number`` is unique within the channel as within the
walk. PostgreSQL alters the table in place. SQLite cannot drop a NOT NULL, so the table is rebuilt
(copy, drop, rename) inside the migration's transaction, with foreign keys on: the rows of the
tables that point at remarks (events, photos, linked plan actions) and the duplicates' links are
set aside first and put back after, so no foreign key is ever broken.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_SOURCE_CHECK = "(walk_id IS NULL) <> (channel_id IS NULL)"


def _children_of(conn: sa.Connection, table: str) -> list[str]:
    """SQLite tables other than ``table`` with a foreign key to it."""
    names = [r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'")]
    out = []
    for name in names:
        if name == table or name.startswith("sqlite_"):
            continue
        targets = {r[2] for r in conn.exec_driver_sql(f'PRAGMA foreign_key_list("{name}")')}
        if table in targets:
            out.append(name)
    return out


def _rebuild_remarks_sqlite(change) -> None:  # type: ignore[no-untyped-def]
    """Run ``change(batch_op)`` on the remarks table, rebuilt, keeping every foreign key whole."""
    conn = op.get_bind()
    children = _children_of(conn, "remarks")
    for child in children:
        conn.exec_driver_sql(f'CREATE TEMP TABLE "_keep_{child}" AS SELECT * FROM "{child}"')
        conn.exec_driver_sql(f'DELETE FROM "{child}"')
    conn.exec_driver_sql("CREATE TEMP TABLE _keep_duplicates AS SELECT id, duplicate_of FROM remarks "
                         "WHERE duplicate_of IS NOT NULL")
    conn.exec_driver_sql("UPDATE remarks SET duplicate_of = NULL WHERE duplicate_of IS NOT NULL")
    with op.batch_alter_table("remarks", recreate="always") as batch_op:
        change(batch_op)
    conn.exec_driver_sql("UPDATE remarks SET duplicate_of = (SELECT k.duplicate_of FROM _keep_duplicates k "
                         "WHERE k.id = remarks.id) WHERE id IN (SELECT id FROM _keep_duplicates)")
    conn.exec_driver_sql("DROP TABLE _keep_duplicates")
    for child in children:
        conn.exec_driver_sql(f'INSERT INTO "{child}" SELECT * FROM "_keep_{child}"')
        conn.exec_driver_sql(f'DROP TABLE "_keep_{child}"')


def _alter_remarks(change) -> None:  # type: ignore[no-untyped-def]
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_remarks_sqlite(change)
    else:
        with op.batch_alter_table("remarks", schema=None) as batch_op:
            change(batch_op)


def _remarks_from_channels(batch_op) -> None:  # type: ignore[no-untyped-def]
    batch_op.add_column(sa.Column("channel_id", sa.Integer(), nullable=True))
    batch_op.alter_column("walk_id", existing_type=sa.Integer(), nullable=True)
    batch_op.create_foreign_key(batch_op.f("fk_remarks_channel_id_remark_channels"), "remark_channels",
                                ["channel_id"], ["id"])
    batch_op.create_unique_constraint("uq_remarks_channel_number", ["channel_id", "number"])
    batch_op.create_check_constraint("source", sa.text(_SOURCE_CHECK))


def _remarks_of_walks_only(batch_op) -> None:  # type: ignore[no-untyped-def]
    batch_op.drop_constraint(batch_op.f("ck_remarks_source"), type_="check")
    batch_op.drop_constraint("uq_remarks_channel_number", type_="unique")
    batch_op.drop_constraint(batch_op.f("fk_remarks_channel_id_remark_channels"), type_="foreignkey")
    batch_op.alter_column("walk_id", existing_type=sa.Integer(), nullable=False)
    batch_op.drop_column("channel_id")


def upgrade() -> None:
    op.create_table(
        "remark_channels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("next_number", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_remark_channels")),
        sa.UniqueConstraint("name", name=op.f("uq_remark_channels_name")),
    )
    _alter_remarks(_remarks_from_channels)
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.Column("partner", sa.String(length=100), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("scope", sa.String(length=20), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("scope IN ('read', 'read-write')", name=op.f("ck_api_keys_scope")),
        sa.ForeignKeyConstraint(["channel_id"], ["remark_channels.id"],
                                name=op.f("fk_api_keys_channel_id_remark_channels")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_api_keys_key_hash")),
    )
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_keys_channel_id"), ["channel_id"], unique=False)
    op.create_table(
        "remark_origins",
        sa.Column("remark_id", sa.String(length=36), nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.Column("api_key_id", sa.Integer(), nullable=True),
        sa.Column("external_ref", sa.String(length=200), nullable=True),
        sa.Column("address_string", sa.Text(), nullable=True),
        sa.Column("media_url", sa.Text(), nullable=True),
        sa.Column("attributes", sa.JSON(), nullable=True),
        sa.Column("contact_email", sa.String(length=320), nullable=True),
        sa.Column("contact_phone", sa.String(length=50), nullable=True),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["api_key_id"], ["api_keys.id"], name=op.f("fk_remark_origins_api_key_id_api_keys")),
        sa.ForeignKeyConstraint(["channel_id"], ["remark_channels.id"],
                                name=op.f("fk_remark_origins_channel_id_remark_channels")),
        sa.ForeignKeyConstraint(["remark_id"], ["remarks.id"], name=op.f("fk_remark_origins_remark_id_remarks")),
        sa.PrimaryKeyConstraint("remark_id", name=op.f("pk_remark_origins")),
        sa.UniqueConstraint("channel_id", "external_ref", name="uq_remark_origins_channel_ref"),
    )
    op.create_table(
        "open311_endpoints",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("base_url", sa.String(length=500), nullable=False),
        sa.Column("api_key", sa.String(length=500), nullable=True),
        sa.Column("jurisdiction_id", sa.String(length=200), nullable=True),
        sa.Column("service_codes", sa.JSON(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"],
                                name=op.f("fk_open311_endpoints_organisation_id_organisations")),
        sa.PrimaryKeyConstraint("organisation_id", name=op.f("pk_open311_endpoints")),
    )
    op.create_table(
        "open311_outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("remark_id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("claimed_until", sa.DateTime(), nullable=True),
        sa.Column("last_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("external_id", sa.String(length=200), nullable=True),
        sa.Column("their_status", sa.String(length=20), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("status IN ('pending', 'sent', 'done', 'cancelled')",
                           name=op.f("ck_open311_outbox_status")),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"],
                                name=op.f("fk_open311_outbox_organisation_id_organisations")),
        sa.ForeignKeyConstraint(["remark_id"], ["remarks.id"], name=op.f("fk_open311_outbox_remark_id_remarks")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_open311_outbox")),
        sa.UniqueConstraint("remark_id", "organisation_id", name="uq_open311_outbox_remark_org"),
    )
    with op.batch_alter_table("open311_outbox", schema=None) as batch_op:
        batch_op.create_index("ix_open311_outbox_status", ["status", "next_attempt_at"], unique=False)


def downgrade() -> None:
    outside = op.get_bind().exec_driver_sql("SELECT COUNT(*) FROM remarks WHERE walk_id IS NULL").scalar()
    if outside:
        msg = (f"cannot go back before revision 0005: {outside} remarks came from outside any walk (Open311) "
               "and the older schema has no place for them")
        raise RuntimeError(msg)
    with op.batch_alter_table("open311_outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_open311_outbox_status")
    op.drop_table("open311_outbox")
    op.drop_table("open311_endpoints")
    op.drop_table("remark_origins")
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_keys_channel_id"))
    op.drop_table("api_keys")
    _alter_remarks(_remarks_of_walks_only)
    op.drop_table("remark_channels")
