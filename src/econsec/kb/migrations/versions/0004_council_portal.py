"""The public-private council portal: organisations, users, clearances, working groups,
sessions, shared items with their markings and distribution, regrades, break-glass grants
and the hash-chained audit log; transfer cases gain the organisation they belong to; the
web app's scenario runs (shared by its worker processes).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 16:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("resource", sa.String(length=300), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("mac", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_log")),
    )
    op.create_table(
        "groups",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_groups")),
        sa.UniqueConstraint("name", name=op.f("uq_groups_name")),
    )
    op.create_table(
        "orgs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("certified_until", sa.String(length=10), nullable=True),
        sa.Column("contract_until", sa.String(length=10), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.CheckConstraint(
            "kind IN ('government', 'company', 'thinktank', 'other')", name=op.f("ck_orgs_kind")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orgs")),
        sa.UniqueConstraint("name", name=op.f("uq_orgs_name")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("display_name", sa.Text(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("roles", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("totp_secret", sa.String(length=64), nullable=True),
        sa.Column("totp_last_step", sa.Integer(), nullable=True),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.String(length=32), nullable=True),
        sa.Column("suspended", sa.Boolean(), nullable=False),
        sa.Column("expires", sa.String(length=10), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["orgs.id"], name=op.f("fk_users_org_id_orgs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("name", name=op.f("uq_users_name")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_users_org_id"), ["org_id"], unique=False)

    op.create_table(
        "break_glass",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("granted_at", sa.String(length=32), nullable=False),
        sa.Column("expires_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_break_glass_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_break_glass")),
    )
    with op.batch_alter_table("break_glass", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_break_glass_user_id"), ["user_id"], unique=False)

    op.create_table(
        "clearances",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("issued", sa.String(length=10), nullable=False),
        sa.Column("expires", sa.String(length=10), nullable=True),
        sa.Column("suspended", sa.Boolean(), nullable=False),
        sa.CheckConstraint("level BETWEEN 1 AND 3", name=op.f("ck_clearances_level")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_clearances_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_clearances")),
    )
    op.create_table(
        "group_members",
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("since", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_group_members_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_group_members_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("group_id", "user_id", name=op.f("pk_group_members")),
    )
    with op.batch_alter_table("group_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_group_members_user_id"), ["user_id"], unique=False)

    op.create_table(
        "sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("last_seen", sa.String(length=32), nullable=False),
        sa.Column("expires_at", sa.String(length=32), nullable=False),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_sessions_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_sessions")),
    )
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sessions_expires_at"), ["expires_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_sessions_user_id"), ["user_id"], unique=False)

    op.create_table(
        "shared_items",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("tlp", sa.String(length=20), nullable=False),
        sa.Column("to_all_members", sa.Boolean(), nullable=False),
        sa.Column("originator_user_id", sa.Integer(), nullable=False),
        sa.Column("originator_org_id", sa.Integer(), nullable=False),
        sa.Column("designated_until", sa.String(length=10), nullable=True),
        sa.Column("review_on", sa.String(length=10), nullable=True),
        sa.Column("caveats", sa.Text(), nullable=False),
        sa.Column("links", sa.Text(), nullable=False),
        sa.Column("derived_from", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.CheckConstraint(
            "kind IN ('report', 'alert', 'analysis')", name=op.f("ck_shared_items_kind")
        ),
        sa.CheckConstraint(
            "tlp IN ('clear', 'green', 'amber', 'amber+strict', 'red')",
            name=op.f("ck_shared_items_tlp"),
        ),
        sa.CheckConstraint("level BETWEEN 1 AND 3", name=op.f("ck_shared_items_level")),
        sa.ForeignKeyConstraint(
            ["derived_from"],
            ["shared_items.id"],
            name=op.f("fk_shared_items_derived_from_shared_items"),
        ),
        sa.ForeignKeyConstraint(
            ["originator_org_id"], ["orgs.id"], name=op.f("fk_shared_items_originator_org_id_orgs")
        ),
        sa.ForeignKeyConstraint(
            ["originator_user_id"],
            ["users.id"],
            name=op.f("fk_shared_items_originator_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shared_items")),
        sa.UniqueConstraint("uuid", name=op.f("uq_shared_items_uuid")),
    )
    with op.batch_alter_table("shared_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_shared_items_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_shared_items_level"), ["level"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_shared_items_originator_user_id"), ["originator_user_id"], unique=False
        )

    op.create_table(
        "clearance_compartments",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("compartment", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["clearances.user_id"],
            name=op.f("fk_clearance_compartments_user_id_clearances"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "compartment", name=op.f("pk_clearance_compartments")),
    )
    op.create_table(
        "item_compartments",
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("compartment", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["shared_items.id"],
            name=op.f("fk_item_compartments_item_id_shared_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("item_id", "compartment", name=op.f("pk_item_compartments")),
    )
    op.create_table(
        "item_groups",
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_item_groups_group_id_groups")
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["shared_items.id"],
            name=op.f("fk_item_groups_item_id_shared_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("item_id", "group_id", name=op.f("pk_item_groups")),
    )
    with op.batch_alter_table("item_groups", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_item_groups_group_id"), ["group_id"], unique=False)

    op.create_table(
        "item_orgs",
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["shared_items.id"],
            name=op.f("fk_item_orgs_item_id_shared_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["org_id"], ["orgs.id"], name=op.f("fk_item_orgs_org_id_orgs")),
        sa.PrimaryKeyConstraint("item_id", "org_id", name=op.f("pk_item_orgs")),
    )
    with op.batch_alter_table("item_orgs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_item_orgs_org_id"), ["org_id"], unique=False)

    op.create_table(
        "item_regrades",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("from_level", sa.Integer(), nullable=False),
        sa.Column("to_level", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("by_user_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["by_user_id"], ["users.id"], name=op.f("fk_item_regrades_by_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["shared_items.id"],
            name=op.f("fk_item_regrades_item_id_shared_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item_regrades")),
    )
    with op.batch_alter_table("item_regrades", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_item_regrades_item_id"), ["item_id"], unique=False)

    op.create_table(
        "item_users",
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["shared_items.id"],
            name=op.f("fk_item_users_item_id_shared_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_item_users_user_id_users")
        ),
        sa.PrimaryKeyConstraint("item_id", "user_id", name=op.f("pk_item_users")),
    )
    with op.batch_alter_table("item_users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_item_users_user_id"), ["user_id"], unique=False)

    op.create_table(
        "scenario_jobs",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("owner_org_id", sa.Integer(), nullable=True),
        sa.Column("client", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("message_text", sa.Text(), nullable=True),
        sa.Column("meta", sa.Text(), nullable=False),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("cancel_requested", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("started_at", sa.String(length=32), nullable=True),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.Column("finished_at", sa.String(length=32), nullable=True),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'done', 'failed', 'cancelled')",
            name=op.f("ck_scenario_jobs_status"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scenario_jobs")),
    )
    with op.batch_alter_table("scenario_jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_scenario_jobs_client"), ["client"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_scenario_jobs_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_scenario_jobs_owner"), ["owner"], unique=False)
        batch_op.create_index(batch_op.f("ix_scenario_jobs_status"), ["status"], unique=False)

    with op.batch_alter_table("transfer_cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("org_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_transfer_cases_org_id"), ["org_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_transfer_cases_org_id_orgs"), "orgs", ["org_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("scenario_jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scenario_jobs_status"))
        batch_op.drop_index(batch_op.f("ix_scenario_jobs_owner"))
        batch_op.drop_index(batch_op.f("ix_scenario_jobs_created_at"))
        batch_op.drop_index(batch_op.f("ix_scenario_jobs_client"))
    op.drop_table("scenario_jobs")
    with op.batch_alter_table("transfer_cases", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_transfer_cases_org_id_orgs"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_transfer_cases_org_id"))
        batch_op.drop_column("org_id")

    with op.batch_alter_table("item_users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_item_users_user_id"))

    op.drop_table("item_users")
    with op.batch_alter_table("item_regrades", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_item_regrades_item_id"))

    op.drop_table("item_regrades")
    with op.batch_alter_table("item_orgs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_item_orgs_org_id"))

    op.drop_table("item_orgs")
    with op.batch_alter_table("item_groups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_item_groups_group_id"))

    op.drop_table("item_groups")
    op.drop_table("item_compartments")
    op.drop_table("clearance_compartments")
    with op.batch_alter_table("shared_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shared_items_originator_user_id"))
        batch_op.drop_index(batch_op.f("ix_shared_items_level"))
        batch_op.drop_index(batch_op.f("ix_shared_items_created_at"))

    op.drop_table("shared_items")
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sessions_user_id"))
        batch_op.drop_index(batch_op.f("ix_sessions_expires_at"))

    op.drop_table("sessions")
    with op.batch_alter_table("group_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_group_members_user_id"))

    op.drop_table("group_members")
    op.drop_table("clearances")
    with op.batch_alter_table("break_glass", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_break_glass_user_id"))

    op.drop_table("break_glass")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_org_id"))

    op.drop_table("users")
    op.drop_table("orgs")
    op.drop_table("groups")
    op.drop_table("audit_log")
