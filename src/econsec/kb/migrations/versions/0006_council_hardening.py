"""Council hardening: sign-in failures counted per (name, client address) for the lock-out
and the per-account slow-down (table ``login_failures``), and every shared item's public
id (``shared_items.uuid``, a random UUID4) checked: a row without a well-formed one gets
one, upper-case ids are lowered.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 20:40:00
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def upgrade() -> None:
    op.create_table(
        "login_failures",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_at", sa.String(length=32), nullable=False),
        sa.Column("locked_until", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("name", "client", name=op.f("pk_login_failures")),
    )
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_failures_last_at"), ["last_at"],
                              unique=False)
    conn = op.get_bind()
    items = sa.table("shared_items", sa.column("id", sa.Integer()),
                     sa.column("uuid", sa.String(36)))
    taken = {str(u) for (u,) in conn.execute(sa.select(items.c.uuid))}
    for key, value in conn.execute(sa.select(items.c.id, items.c.uuid)).all():
        text = str(value or "").strip().lower()
        if _UUID.match(text) and text == value:
            continue
        if not _UUID.match(text) or text in taken - {value}:
            text = str(uuid.uuid4())
        taken.add(text)
        conn.execute(sa.update(items).where(items.c.id == key).values(uuid=text))


def downgrade() -> None:
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_failures_last_at"))
    op.drop_table("login_failures")
