"""the åtgärdsplan: plans, problems, causes, actions, goals, linked remarks, the event log

Revision ID: 0004
Revises: 0002
Create Date: 2026-12-01

The plan's tables share the remark store (organisations are the actions' VEM, remarks are
linked to actions). ``down_revision`` names the head when this was written; another
revision added meanwhile is put before this one at merge.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("area_name", sa.String(length=200), nullable=True),
        sa.Column("area", sa.Text(), nullable=True),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.Column("decided_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("status IN ('utkast', 'beslutad', 'avslutad')", name=op.f("ck_plans_status")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plans")),
        sa.UniqueConstraint("title", name=op.f("uq_plans_title")),
    )
    op.create_table(
        "plan_problems",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("categories", sa.JSON(), nullable=True),
        sa.Column("place_kind", sa.String(length=20), nullable=False),
        sa.Column("area", sa.Text(), nullable=True),
        sa.Column("cells", sa.JSON(), nullable=True),
        sa.Column("figures", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.id"], name=op.f("fk_plan_problems_plan_id_plans")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_problems")),
    )
    with op.batch_alter_table("plan_problems", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_problems_plan_id"), ["plan_id"], unique=False)

    op.create_table(
        "plan_causes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("problem_id", sa.Integer(), nullable=True),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.id"], name=op.f("fk_plan_causes_plan_id_plans")),
        sa.ForeignKeyConstraint(
            ["problem_id"], ["plan_problems.id"], name=op.f("fk_plan_causes_problem_id_plan_problems")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_causes")),
        sa.UniqueConstraint("plan_id", "number", name="uq_plan_causes_plan_number"),
    )
    with op.batch_alter_table("plan_causes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_causes_plan_id"), ["plan_id"], unique=False)

    op.create_table(
        "plan_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("entity", sa.String(length=20), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("what", sa.String(length=40), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["actor_user_id"], ["users.id"], name=op.f("fk_plan_events_actor_user_id_users")),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.id"], name=op.f("fk_plan_events_plan_id_plans")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_events")),
    )
    with op.batch_alter_table("plan_events", schema=None) as batch_op:
        batch_op.create_index("ix_plan_events_plan_at", ["plan_id", "at"], unique=False)

    op.create_table(
        "plan_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("cause_id", sa.Integer(), nullable=False),
        sa.Column("letter", sa.String(length=4), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("responsible_id", sa.Integer(), nullable=True),
        sa.Column("contact", sa.String(length=300), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("when_text", sa.String(length=300), nullable=True),
        sa.Column("place_kind", sa.String(length=20), nullable=False),
        sa.Column("area", sa.Text(), nullable=True),
        sa.Column("buffer_m", sa.Float(), nullable=True),
        sa.Column("controls", sa.Text(), nullable=True),
        sa.Column("promise", sa.Boolean(), nullable=False),
        sa.Column("promise_text", sa.Text(), nullable=True),
        sa.Column("production", sa.String(length=20), nullable=False),
        sa.Column("production_date", sa.Date(), nullable=True),
        sa.Column("production_count", sa.Integer(), nullable=True),
        sa.Column("production_hours", sa.Float(), nullable=True),
        sa.Column("process_note", sa.Text(), nullable=True),
        sa.Column("light_override", sa.String(length=10), nullable=True),
        sa.Column("light_reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('situationell', 'social', 'annan')", name=op.f("ck_plan_actions_kind")),
        sa.CheckConstraint("place_kind IN ('problem', 'own', 'none')", name=op.f("ck_plan_actions_place_kind")),
        sa.CheckConstraint(
            "production IN ('ej_rapporterad', 'genomford', 'delvis', 'ej_genomford')",
            name=op.f("ck_plan_actions_production"),
        ),
        sa.ForeignKeyConstraint(["cause_id"], ["plan_causes.id"], name=op.f("fk_plan_actions_cause_id_plan_causes")),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.id"], name=op.f("fk_plan_actions_plan_id_plans")),
        sa.ForeignKeyConstraint(
            ["responsible_id"], ["organisations.id"], name=op.f("fk_plan_actions_responsible_id_organisations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_actions")),
        sa.UniqueConstraint("cause_id", "letter", name="uq_plan_actions_cause_letter"),
    )
    with op.batch_alter_table("plan_actions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_actions_plan_id"), ["plan_id"], unique=False)
        batch_op.create_index("ix_plan_actions_responsible", ["responsible_id"], unique=False)

    op.create_table(
        "plan_action_remarks",
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("remark_id", sa.String(length=36), nullable=False),
        sa.Column("linked_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"], ["plan_actions.id"], name=op.f("fk_plan_action_remarks_action_id_plan_actions")
        ),
        sa.ForeignKeyConstraint(["remark_id"], ["remarks.id"], name=op.f("fk_plan_action_remarks_remark_id_remarks")),
        sa.PrimaryKeyConstraint("action_id", "remark_id", name=op.f("pk_plan_action_remarks")),
    )
    op.create_table(
        "plan_goals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("measurable", sa.Boolean(), nullable=False),
        sa.Column("categories", sa.JSON(), nullable=True),
        sa.Column("baseline", sa.Float(), nullable=True),
        sa.Column("target_change", sa.Float(), nullable=True),
        sa.Column("by_date", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["action_id"], ["plan_actions.id"], name=op.f("fk_plan_goals_action_id_plan_actions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_goals")),
    )
    with op.batch_alter_table("plan_goals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_goals_action_id"), ["action_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("plan_goals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_goals_action_id"))

    op.drop_table("plan_goals")
    op.drop_table("plan_action_remarks")
    with op.batch_alter_table("plan_actions", schema=None) as batch_op:
        batch_op.drop_index("ix_plan_actions_responsible")
        batch_op.drop_index(batch_op.f("ix_plan_actions_plan_id"))

    op.drop_table("plan_actions")
    with op.batch_alter_table("plan_events", schema=None) as batch_op:
        batch_op.drop_index("ix_plan_events_plan_at")

    op.drop_table("plan_events")
    with op.batch_alter_table("plan_causes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_causes_plan_id"))

    op.drop_table("plan_causes")
    with op.batch_alter_table("plan_problems", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_problems_plan_id"))

    op.drop_table("plan_problems")
    op.drop_table("plans")
