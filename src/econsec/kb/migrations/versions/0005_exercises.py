"""Tabletop exercises: the exercise sessions, their teams and members, and the timeline
(starts, clock advances, injects, moves with their recomputed results, decisions).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 20:15:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "exercises",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("definition_name", sa.String(length=200), nullable=False),
        sa.Column("definition_sha256", sa.String(length=64), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("clock", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("baseline", sa.Text(), nullable=True),
        sa.Column("baseline_job", sa.String(length=32), nullable=True),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("started_at", sa.String(length=32), nullable=True),
        sa.Column("ended_at", sa.String(length=32), nullable=True),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.CheckConstraint(
            "status IN ('setup', 'running', 'paused', 'ended')", name=op.f("ck_exercises_status")
        ),
        sa.ForeignKeyConstraint(["org_id"], ["orgs.id"], name=op.f("fk_exercises_org_id_orgs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exercises")),
    )
    with op.batch_alter_table("exercises", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_exercises_org_id"), ["org_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_exercises_status"), ["status"], unique=False)

    op.create_table(
        "exercise_teams",
        sa.Column("exercise_id", sa.Integer(), nullable=False),
        sa.Column("team", sa.String(length=100), nullable=False),
        sa.Column("join_code_hash", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["exercise_id"],
            ["exercises.id"],
            name=op.f("fk_exercise_teams_exercise_id_exercises"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("exercise_id", "team", name=op.f("pk_exercise_teams")),
    )
    op.create_table(
        "exercise_members",
        sa.Column("exercise_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("team", sa.String(length=100), nullable=False),
        sa.Column("since", sa.String(length=32), nullable=False),
        sa.Column("added_by", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["exercise_id"],
            ["exercises.id"],
            name=op.f("fk_exercise_members_exercise_id_exercises"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_exercise_members_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("exercise_id", "user_id", name=op.f("pk_exercise_members")),
    )
    with op.batch_alter_table("exercise_members", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_exercise_members_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "exercise_log",
        sa.Column("exercise_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.String(length=32), nullable=False),
        sa.Column("clock", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("team", sa.String(length=100), nullable=True),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("job_id", sa.String(length=32), nullable=True),
        sa.CheckConstraint(
            "kind IN ('created', 'started', 'advanced', 'inject_released', 'decision_opened', "
            "'move', 'decision', 'note', 'paused', 'resumed', 'ended')",
            name=op.f("ck_exercise_log_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["exercise_id"],
            ["exercises.id"],
            name=op.f("fk_exercise_log_exercise_id_exercises"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("exercise_id", "seq", name=op.f("pk_exercise_log")),
    )


def downgrade() -> None:
    op.drop_table("exercise_log")
    with op.batch_alter_table("exercise_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exercise_members_user_id"))
    op.drop_table("exercise_members")
    op.drop_table("exercise_teams")
    with op.batch_alter_table("exercises", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exercises_status"))
        batch_op.drop_index(batch_op.f("ix_exercises_org_id"))
    op.drop_table("exercises")
