"""Product trade: trade flows of HS products and the commodity ↔ HS code crosswalk.

``trade_flows`` gains ``hs_code`` and ``hs_version`` (a product flow: value in thousand
USD, quantity in tonnes); ``item_id`` becomes nullable (a flow names an item or a
product, never both). Product reads use one index (code, edition, year, importer); the
exporter and source-key indexes go and the item index skips product rows (a million rows
would carry them for nothing).
``item_hs_codes`` gains ``hs_version`` (part of the key; existing rows are the items'
HS 2022 codes), ``stage``, ``eol_rir`` and ``source_key``. Existing rows are kept.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 14:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("trade_flows", schema=None) as batch_op:
        batch_op.add_column(sa.Column("hs_code", sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column("hs_version", sa.String(length=8), nullable=True))
        batch_op.alter_column("item_id", existing_type=sa.String(length=200), nullable=True)
        batch_op.drop_index(batch_op.f("ix_trade_flows_exporter"))
        batch_op.drop_index(batch_op.f("ix_trade_flows_source_key"))
        batch_op.drop_index("ix_trade_flows_item_importer")
        batch_op.create_index("ix_trade_flows_item_importer", ["item_id", "importer"],
                              unique=False, sqlite_where=sa.text("item_id IS NOT NULL"),
                              postgresql_where=sa.text("item_id IS NOT NULL"))
        batch_op.create_index("ix_trade_flows_product",
                              ["hs_code", "hs_version", "year", "importer"], unique=False)
        batch_op.create_check_constraint(
            "item_or_product", "(item_id IS NULL) <> (hs_code IS NULL)")
        batch_op.create_check_constraint(
            "hs_version", "(hs_code IS NULL) = (hs_version IS NULL)")

    with op.batch_alter_table("item_hs_codes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("hs_version", sa.String(length=8), nullable=False,
                                      server_default="HS22"))
        batch_op.add_column(sa.Column("stage", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("eol_rir", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("source_key", sa.String(length=200), nullable=True))
        batch_op.drop_constraint("pk_item_hs_codes", type_="primary")
        batch_op.create_primary_key("pk_item_hs_codes", ["item_id", "hs_code", "hs_version"])
        batch_op.create_foreign_key("fk_item_hs_codes_source_key_sources", "sources",
                                    ["source_key"], ["key"])
        batch_op.create_check_constraint(
            "eol_rir", "eol_rir IS NULL OR (eol_rir >= 0 AND eol_rir <= 1)")
    with op.batch_alter_table("item_hs_codes", schema=None) as batch_op:
        batch_op.alter_column("hs_version", existing_type=sa.String(length=8),
                              server_default=None)


def downgrade() -> None:
    op.execute("DELETE FROM trade_flows WHERE hs_code IS NOT NULL")
    op.execute("DELETE FROM item_hs_codes WHERE hs_version <> 'HS22'")
    with op.batch_alter_table("item_hs_codes", schema=None) as batch_op:
        batch_op.drop_constraint("ck_item_hs_codes_eol_rir", type_="check")
        batch_op.drop_constraint("fk_item_hs_codes_source_key_sources", type_="foreignkey")
        batch_op.drop_constraint("pk_item_hs_codes", type_="primary")
        batch_op.create_primary_key("pk_item_hs_codes", ["item_id", "hs_code"])
        batch_op.drop_column("source_key")
        batch_op.drop_column("eol_rir")
        batch_op.drop_column("stage")
        batch_op.drop_column("hs_version")
    with op.batch_alter_table("trade_flows", schema=None) as batch_op:
        batch_op.drop_constraint("ck_trade_flows_hs_version", type_="check")
        batch_op.drop_constraint("ck_trade_flows_item_or_product", type_="check")
        batch_op.drop_index("ix_trade_flows_product")
        batch_op.drop_index("ix_trade_flows_item_importer")
        batch_op.create_index("ix_trade_flows_item_importer", ["item_id", "importer"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_trade_flows_source_key"), ["source_key"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_trade_flows_exporter"), ["exporter"], unique=False)
        batch_op.alter_column("item_id", existing_type=sa.String(length=200), nullable=False)
        batch_op.drop_column("hs_version")
        batch_op.drop_column("hs_code")
