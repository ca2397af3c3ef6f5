"""Initial schema of the knowledge base (DESIGN §3).

Revision ID: 0001
Revises:
Create Date: 2026-11-26 02:29:17.154262
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "countries",
        sa.Column("iso3", sa.String(length=3), nullable=False),
        sa.Column("iso2", sa.String(length=2), nullable=False),
        sa.Column("numeric", sa.String(length=3), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=False),
        sa.Column("name_ja", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("iso3", name=op.f("pk_countries")),
    )
    op.create_table(
        "items",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=False),
        sa.Column("name_ja", sa.Text(), nullable=False),
        sa.Column("service_type", sa.String(length=20), nullable=True),
        sa.Column("domain", sa.String(length=100), nullable=False),
        sa.Column("stage", sa.String(length=20), nullable=True),
        sa.CheckConstraint(
            "kind IN ('material', 'component', 'product', 'technology', 'service')",
            name=op.f("ck_items_kind"),
        ),
        sa.CheckConstraint(
            "service_type IS NULL OR service_type IN "
            "('ip', 'software', 'logistics', 'finance', 'data')",
            name=op.f("ck_items_service_type"),
        ),
        sa.CheckConstraint(
            "stage IS NULL OR stage IN ('upstream', 'midstream', 'downstream')",
            name=op.f("ck_items_stage"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_items")),
    )
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_items_kind"), ["kind"], unique=False)

    op.create_table(
        "sources",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("publisher", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("licence", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("file", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("citation", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_sources")),
    )
    op.create_table(
        "country_groups",
        sa.Column("group_name", sa.String(length=100), nullable=False),
        sa.Column("iso3", sa.String(length=3), nullable=False),
        sa.ForeignKeyConstraint(
            ["iso3"],
            ["countries.iso3"],
            name=op.f("fk_country_groups_iso3_countries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("group_name", "iso3", name=op.f("pk_country_groups")),
    )
    with op.batch_alter_table("country_groups", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_country_groups_iso3"), ["iso3"], unique=False)

    op.create_table(
        "country_risk",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("iso3", sa.String(length=3), nullable=False),
        sa.Column("category", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.String(length=10), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("source_key", sa.String(length=200), nullable=False),
        sa.CheckConstraint(
            "category >= 0 AND category <= 7", name=op.f("ck_country_risk_category")
        ),
        sa.ForeignKeyConstraint(
            ["iso3"], ["countries.iso3"], name=op.f("fk_country_risk_iso3_countries")
        ),
        sa.ForeignKeyConstraint(
            ["source_key"], ["sources.key"], name=op.f("fk_country_risk_source_key_sources")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_country_risk")),
        sa.UniqueConstraint(
            "source_key",
            "iso3",
            "valid_from",
            name=op.f("uq_country_risk_source_key_iso3_valid_from"),
        ),
    )
    with op.batch_alter_table("country_risk", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_country_risk_iso3"), ["iso3"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_country_risk_source_key"), ["source_key"], unique=False
        )

    op.create_table(
        "firms",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("name_ja", sa.Text(), nullable=False),
        sa.Column("iso3", sa.String(length=3), nullable=True),
        sa.Column("lei", sa.String(length=20), nullable=False),
        sa.Column("source_key", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["iso3"], ["countries.iso3"], name=op.f("fk_firms_iso3_countries")),
        sa.ForeignKeyConstraint(
            ["source_key"], ["sources.key"], name=op.f("fk_firms_source_key_sources")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_firms")),
    )
    with op.batch_alter_table("firms", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_firms_iso3"), ["iso3"], unique=False)
        batch_op.create_index(batch_op.f("ix_firms_source_key"), ["source_key"], unique=False)

    op.create_table(
        "governance_scores",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("iso3", sa.String(length=3), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("dimension", sa.String(length=40), nullable=False),
        sa.Column("estimate", sa.Float(), nullable=False),
        sa.Column("source_key", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["iso3"], ["countries.iso3"], name=op.f("fk_governance_scores_iso3_countries")
        ),
        sa.ForeignKeyConstraint(
            ["source_key"], ["sources.key"], name=op.f("fk_governance_scores_source_key_sources")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_governance_scores")),
        sa.UniqueConstraint(
            "source_key",
            "iso3",
            "year",
            "dimension",
            name=op.f("uq_governance_scores_source_key_iso3_year_dimension"),
        ),
    )
    with op.batch_alter_table("governance_scores", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_governance_scores_source_key"), ["source_key"], unique=False
        )
        batch_op.create_index("ix_governance_scores_year_iso3", ["year", "iso3"], unique=False)

    op.create_table(
        "input_edges",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("input_item", sa.String(length=200), nullable=False),
        sa.Column("output_item", sa.String(length=200), nullable=False),
        sa.Column("quantity_per_unit", sa.Float(), nullable=True),
        sa.Column("unit", sa.Text(), nullable=False),
        sa.Column("substitutability", sa.Float(), nullable=True),
        sa.Column("source_key", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["input_item"], ["items.id"], name=op.f("fk_input_edges_input_item_items")
        ),
        sa.ForeignKeyConstraint(
            ["output_item"], ["items.id"], name=op.f("fk_input_edges_output_item_items")
        ),
        sa.ForeignKeyConstraint(
            ["source_key"], ["sources.key"], name=op.f("fk_input_edges_source_key_sources")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_input_edges")),
        sa.UniqueConstraint(
            "source_key",
            "input_item",
            "output_item",
            name=op.f("uq_input_edges_source_key_input_item_output_item"),
        ),
    )
    with op.batch_alter_table("input_edges", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_input_edges_input_item"), ["input_item"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_input_edges_output_item"), ["output_item"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_input_edges_source_key"), ["source_key"], unique=False)

    op.create_table(
        "item_hs_codes",
        sa.Column("item_id", sa.String(length=200), nullable=False),
        sa.Column("hs_code", sa.String(length=12), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["items.id"],
            name=op.f("fk_item_hs_codes_item_id_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("item_id", "hs_code", name=op.f("pk_item_hs_codes")),
    )
    with op.batch_alter_table("item_hs_codes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_item_hs_codes_hs_code"), ["hs_code"], unique=False)

    op.create_table(
        "observations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("item_id", sa.String(length=200), nullable=False),
        sa.Column("area", sa.Text(), nullable=False),
        sa.Column("iso3", sa.String(length=3), nullable=True),
        sa.Column("is_aggregate", sa.Boolean(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("measure", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("unit", sa.Text(), nullable=False),
        sa.Column("is_estimate", sa.Boolean(), nullable=False),
        sa.Column("withheld", sa.Boolean(), nullable=False),
        sa.Column("value_raw", sa.Text(), nullable=False),
        sa.Column("series", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("source_key", sa.String(length=200), nullable=False),
        sa.CheckConstraint(
            "measure IN ('production', 'refinery', 'capacity', 'reserves', 'imports', "
            "'exports', 'consumption', 'net_import_reliance', 'import_share')",
            name=op.f("ck_observations_measure"),
        ),
        sa.ForeignKeyConstraint(
            ["iso3"], ["countries.iso3"], name=op.f("fk_observations_iso3_countries")
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["items.id"], name=op.f("fk_observations_item_id_items")
        ),
        sa.ForeignKeyConstraint(
            ["source_key"], ["sources.key"], name=op.f("fk_observations_source_key_sources")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_observations")),
        sa.UniqueConstraint(
            "source_key",
            "item_id",
            "measure",
            "year",
            "area",
            "series",
            name=op.f("uq_observations_source_key_item_id_measure_year_area_series"),
        ),
    )
    with op.batch_alter_table("observations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_observations_iso3"), ["iso3"], unique=False)
        batch_op.create_index(
            "ix_observations_item_measure_year", ["item_id", "measure", "year"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_observations_source_key"), ["source_key"], unique=False
        )

    op.create_table(
        "routes",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=False),
        sa.Column("name_ja", sa.Text(), nullable=False),
        sa.Column("iso3", sa.String(length=3), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("source_key", sa.String(length=200), nullable=False),
        sa.CheckConstraint(
            "kind IN ('sea_lane', 'strait', 'port', 'undersea_cable', 'launch_site')",
            name=op.f("ck_routes_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["iso3"], ["countries.iso3"], name=op.f("fk_routes_iso3_countries")
        ),
        sa.ForeignKeyConstraint(
            ["source_key"], ["sources.key"], name=op.f("fk_routes_source_key_sources")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routes")),
    )
    with op.batch_alter_table("routes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_routes_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_routes_source_key"), ["source_key"], unique=False)

    op.create_table(
        "trade_flows",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("item_id", sa.String(length=200), nullable=False),
        sa.Column("exporter", sa.String(length=3), nullable=True),
        sa.Column("exporter_label", sa.Text(), nullable=False),
        sa.Column("importer", sa.String(length=3), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("year_end", sa.Integer(), nullable=True),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("quantity", sa.Float(), nullable=True),
        sa.Column("unit", sa.Text(), nullable=False),
        sa.Column("share", sa.Float(), nullable=True),
        sa.Column("source_key", sa.String(length=200), nullable=False),
        sa.CheckConstraint(
            "share IS NULL OR (share >= 0 AND share <= 1)", name=op.f("ck_trade_flows_share")
        ),
        sa.ForeignKeyConstraint(
            ["exporter"], ["countries.iso3"], name=op.f("fk_trade_flows_exporter_countries")
        ),
        sa.ForeignKeyConstraint(
            ["importer"], ["countries.iso3"], name=op.f("fk_trade_flows_importer_countries")
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["items.id"], name=op.f("fk_trade_flows_item_id_items")
        ),
        sa.ForeignKeyConstraint(
            ["source_key"], ["sources.key"], name=op.f("fk_trade_flows_source_key_sources")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trade_flows")),
    )
    with op.batch_alter_table("trade_flows", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_trade_flows_exporter"), ["exporter"], unique=False)
        batch_op.create_index("ix_trade_flows_item_importer", ["item_id", "importer"], unique=False)
        batch_op.create_index(batch_op.f("ix_trade_flows_source_key"), ["source_key"], unique=False)

    op.create_table(
        "facilities",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("firm_id", sa.String(length=200), nullable=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("iso3", sa.String(length=3), nullable=False),
        sa.Column("location", sa.Text(), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("item_id", sa.String(length=200), nullable=True),
        sa.Column("capacity", sa.Float(), nullable=True),
        sa.Column("capacity_unit", sa.Text(), nullable=False),
        sa.Column("source_key", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["firm_id"], ["firms.id"], name=op.f("fk_facilities_firm_id_firms")
        ),
        sa.ForeignKeyConstraint(
            ["iso3"], ["countries.iso3"], name=op.f("fk_facilities_iso3_countries")
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["items.id"], name=op.f("fk_facilities_item_id_items")
        ),
        sa.ForeignKeyConstraint(
            ["source_key"], ["sources.key"], name=op.f("fk_facilities_source_key_sources")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_facilities")),
    )
    with op.batch_alter_table("facilities", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_facilities_firm_id"), ["firm_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_facilities_iso3"), ["iso3"], unique=False)
        batch_op.create_index(batch_op.f("ix_facilities_item_id"), ["item_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_facilities_source_key"), ["source_key"], unique=False)

    op.create_table(
        "supply_edges",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("supplier_id", sa.String(length=200), nullable=False),
        sa.Column("customer_id", sa.String(length=200), nullable=False),
        sa.Column("item_id", sa.String(length=200), nullable=True),
        sa.Column("share", sa.Float(), nullable=True),
        sa.Column("route_id", sa.String(length=200), nullable=True),
        sa.Column("source_key", sa.String(length=200), nullable=False),
        sa.CheckConstraint(
            "share IS NULL OR (share >= 0 AND share <= 1)", name=op.f("ck_supply_edges_share")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["firms.id"], name=op.f("fk_supply_edges_customer_id_firms")
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["items.id"], name=op.f("fk_supply_edges_item_id_items")
        ),
        sa.ForeignKeyConstraint(
            ["route_id"], ["routes.id"], name=op.f("fk_supply_edges_route_id_routes")
        ),
        sa.ForeignKeyConstraint(
            ["source_key"], ["sources.key"], name=op.f("fk_supply_edges_source_key_sources")
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"], ["firms.id"], name=op.f("fk_supply_edges_supplier_id_firms")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supply_edges")),
        sa.UniqueConstraint(
            "source_key",
            "supplier_id",
            "customer_id",
            "item_id",
            name=op.f("uq_supply_edges_source_key_supplier_id_customer_id_item_id"),
        ),
    )
    with op.batch_alter_table("supply_edges", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_supply_edges_customer_id"), ["customer_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_supply_edges_source_key"), ["source_key"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_supply_edges_supplier_id"), ["supplier_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("supply_edges", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_supply_edges_supplier_id"))
        batch_op.drop_index(batch_op.f("ix_supply_edges_source_key"))
        batch_op.drop_index(batch_op.f("ix_supply_edges_customer_id"))

    op.drop_table("supply_edges")
    with op.batch_alter_table("facilities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_facilities_source_key"))
        batch_op.drop_index(batch_op.f("ix_facilities_item_id"))
        batch_op.drop_index(batch_op.f("ix_facilities_iso3"))
        batch_op.drop_index(batch_op.f("ix_facilities_firm_id"))

    op.drop_table("facilities")
    with op.batch_alter_table("trade_flows", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trade_flows_source_key"))
        batch_op.drop_index("ix_trade_flows_item_importer")
        batch_op.drop_index(batch_op.f("ix_trade_flows_exporter"))

    op.drop_table("trade_flows")
    with op.batch_alter_table("routes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_routes_source_key"))
        batch_op.drop_index(batch_op.f("ix_routes_kind"))

    op.drop_table("routes")
    with op.batch_alter_table("observations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_observations_source_key"))
        batch_op.drop_index("ix_observations_item_measure_year")
        batch_op.drop_index(batch_op.f("ix_observations_iso3"))

    op.drop_table("observations")
    with op.batch_alter_table("item_hs_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_item_hs_codes_hs_code"))

    op.drop_table("item_hs_codes")
    with op.batch_alter_table("input_edges", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_input_edges_source_key"))
        batch_op.drop_index(batch_op.f("ix_input_edges_output_item"))
        batch_op.drop_index(batch_op.f("ix_input_edges_input_item"))

    op.drop_table("input_edges")
    with op.batch_alter_table("governance_scores", schema=None) as batch_op:
        batch_op.drop_index("ix_governance_scores_year_iso3")
        batch_op.drop_index(batch_op.f("ix_governance_scores_source_key"))

    op.drop_table("governance_scores")
    with op.batch_alter_table("firms", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_firms_source_key"))
        batch_op.drop_index(batch_op.f("ix_firms_iso3"))

    op.drop_table("firms")
    with op.batch_alter_table("country_risk", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_country_risk_source_key"))
        batch_op.drop_index(batch_op.f("ix_country_risk_iso3"))

    op.drop_table("country_risk")
    with op.batch_alter_table("country_groups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_country_groups_iso3"))

    op.drop_table("country_groups")
    op.drop_table("sources")
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_items_kind"))

    op.drop_table("items")
    op.drop_table("countries")
