"""Technology management: loaded designated-technology lists and prior-report cases.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tech_lists",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("list_id", sa.String(length=200), nullable=False),
        sa.Column("version", sa.String(length=100), nullable=False),
        sa.Column("notice_date", sa.String(length=10), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("publisher", sa.Text(), nullable=False),
        sa.Column("origin", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("yaml_text", sa.Text(), nullable=False),
        sa.Column("loaded_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_tech_lists")),
    )
    with op.batch_alter_table("tech_lists", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tech_lists_notice_date"), ["notice_date"],
                              unique=False)

    op.create_table(
        "transfer_cases",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("technology_id", sa.String(length=200), nullable=False),
        sa.Column("counterparty", sa.Text(), nullable=False),
        sa.Column("country", sa.String(length=3), nullable=False),
        sa.Column("channel", sa.String(length=40), nullable=False),
        sa.Column("decision_date", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "channel IN ('subsidiary', 'joint-venture', 'contract-manufacturing', "
            "'licensing')", name=op.f("ck_transfer_cases_channel")),
        sa.CheckConstraint(
            "status IN ('draft', 'reported', 'in_dialogue', 'licence_required', 'closed')",
            name=op.f("ck_transfer_cases_status")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfer_cases")),
    )
    with op.batch_alter_table("transfer_cases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_transfer_cases_country"), ["country"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_transfer_cases_status"), ["status"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_transfer_cases_technology_id"),
                              ["technology_id"], unique=False)

    op.create_table(
        "transfer_case_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=True),
        sa.Column("to_status", sa.String(length=20), nullable=False),
        sa.Column("on_date", sa.String(length=10), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["transfer_cases.id"],
            name=op.f("fk_transfer_case_events_case_id_transfer_cases"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfer_case_events")),
        sa.UniqueConstraint("case_id", "seq", name=op.f("uq_transfer_case_events_case_id_seq")),
    )
    with op.batch_alter_table("transfer_case_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_transfer_case_events_case_id"), ["case_id"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("transfer_case_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_transfer_case_events_case_id"))
    op.drop_table("transfer_case_events")
    with op.batch_alter_table("transfer_cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_transfer_cases_technology_id"))
        batch_op.drop_index(batch_op.f("ix_transfer_cases_status"))
        batch_op.drop_index(batch_op.f("ix_transfer_cases_country"))
    op.drop_table("transfer_cases")
    with op.batch_alter_table("tech_lists", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tech_lists_notice_date"))
    op.drop_table("tech_lists")
