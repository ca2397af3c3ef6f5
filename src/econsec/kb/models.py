"""The tables of the value-chain knowledge base (SQLAlchemy Core).

Reference tables (``sources``, ``countries``, ``country_groups``, ``items``,
``item_hs_codes``) are upserted; fact tables carry a NOT NULL ``source_key`` foreign key
to ``sources`` so every number can be traced to its data set, and are replaced per source
key on re-import. ``firms``, ``facilities``, ``routes`` and ``supply_edges`` are schema
only for now (no loader fills them yet).

Plain :class:`~sqlalchemy.Table` objects, no ORM classes: the store reads and writes rows
with Core statements, and a command that only reads pays no mapper set-up.

The migrations in ``migrations/versions/`` create exactly this schema; a test compares the
two with Alembic's ``compare_metadata``.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ROUTE_KINDS = ("sea_lane", "strait", "port", "undersea_cable", "launch_site")
"""Kinds of route / chokepoint."""

metadata = MetaData(naming_convention=NAMING_CONVENTION)
"""Every table of the knowledge base."""


def _id() -> Column[int]:
    return Column("id", Integer, primary_key=True, autoincrement=True)


def _text(name: str) -> Column[str]:
    """A NOT NULL text column whose default is the empty string."""
    return Column(name, Text, nullable=False, default="")


def _source_key() -> Column[str]:
    return Column("source_key", String(200), ForeignKey("sources.key"), nullable=False,
                  index=True)


def _country(name: str, *, nullable: bool = True, index: bool | None = None,
             ondelete: str | None = None, primary_key: bool = False) -> Column[str]:
    return Column(name, String(3), ForeignKey("countries.iso3", ondelete=ondelete),
                  nullable=nullable, index=index, primary_key=primary_key)


def _item(name: str, *, nullable: bool = False, index: bool | None = None) -> Column[str]:
    return Column(name, String(200), ForeignKey("items.id"), nullable=nullable, index=index)


SOURCES = Table(
    "sources", metadata,
    Column("key", String(200), primary_key=True),
    Column("publisher", Text, nullable=False),
    Column("title", Text, nullable=False),
    Column("year", Integer, nullable=False),
    Column("licence", Text, nullable=False),
    _text("url"),
    _text("file"),
    Column("sha256", String(64), nullable=False, default=""),
    _text("citation"),
)
"""A data set: publisher, title, release year, licence, URL, file and its SHA-256."""

COUNTRIES = Table(
    "countries", metadata,
    Column("iso3", String(3), primary_key=True),
    Column("iso2", String(2), nullable=False, default=""),
    Column("numeric", String(3), nullable=False, default=""),
    Column("name_en", Text, nullable=False),
    _text("name_ja"),
)
"""A country or territory by ISO 3166-1 alpha-3 code."""

COUNTRY_GROUPS = Table(
    "country_groups", metadata,
    Column("group_name", String(100), primary_key=True),
    _country("iso3", nullable=False, index=True, ondelete="CASCADE", primary_key=True),
)
"""Membership of a country in a group (EU, G7, Quad, ASEAN, an export-control regime)."""

ITEMS = Table(
    "items", metadata,
    Column("id", String(200), primary_key=True),
    Column("kind", String(20), nullable=False, index=True),
    Column("name_en", Text, nullable=False),
    _text("name_ja"),
    Column("service_type", String(20)),
    Column("domain", String(100), nullable=False, default=""),
    Column("stage", String(20)),
    CheckConstraint(
        "kind IN ('material', 'component', 'product', 'technology', 'service')", name="kind"
    ),
    CheckConstraint(
        "service_type IS NULL OR service_type IN "
        "('ip', 'software', 'logistics', 'finance', 'data')",
        name="service_type",
    ),
    CheckConstraint(
        "stage IS NULL OR stage IN ('upstream', 'midstream', 'downstream')", name="stage"
    ),
)
"""A material, component, product, technology or service."""

ITEM_HS_CODES = Table(
    "item_hs_codes", metadata,
    Column("item_id", String(200), ForeignKey("items.id", ondelete="CASCADE"),
           primary_key=True),
    Column("hs_code", String(12), primary_key=True, index=True),
    Column("hs_version", String(8), primary_key=True, default="HS22"),
    Column("position", Integer, nullable=False, default=0),
    Column("stage", String(20)),
    Column("eol_rir", Float),
    Column("source_key", String(200), ForeignKey("sources.key")),
    CheckConstraint("eol_rir IS NULL OR (eol_rir >= 0 AND eol_rir <= 1)", name="eol_rir"),
)
"""An HS code that an item maps to (the commodity crosswalk).

The item's own HS 2022 codes (2, 4 or 6 digits; ``hs_version`` ``HS22``, no source key,
``position`` keeps their order) and the links of a trade crosswalk (``source_key`` names
it): product code of an HS edition, the ``stage`` it stands for and the commodity's EU
end-of-life recycling input rate (``eol_rir``, 0-1) where the crosswalk gives one."""

OBSERVATIONS = Table(
    "observations", metadata,
    _id(),
    _item("item_id"),
    Column("area", Text, nullable=False),
    _country("iso3", index=True),
    Column("is_aggregate", Boolean, nullable=False, default=False),
    Column("year", Integer, nullable=False),
    Column("measure", String(40), nullable=False),
    Column("value", Float),
    _text("unit"),
    Column("is_estimate", Boolean, nullable=False, default=False),
    Column("withheld", Boolean, nullable=False, default=False),
    _text("value_raw"),
    Column("series", String(200), nullable=False, default=""),
    _text("note"),
    _source_key(),
    UniqueConstraint("source_key", "item_id", "measure", "year", "area", "series"),
    Index("ix_observations_item_measure_year", "item_id", "measure", "year"),
    CheckConstraint(
        "measure IN ('production', 'refinery', 'capacity', 'reserves', 'imports', "
        "'exports', 'consumption', 'net_import_reliance', 'import_share')",
        name="measure",
    ),
)
"""One published value of a measure of an item in a country (or an aggregate) in a year."""

TRADE_FLOWS = Table(
    "trade_flows", metadata,
    _id(),
    _item("item_id", nullable=True),
    _country("exporter"),
    _text("exporter_label"),
    _country("importer", nullable=False),
    Column("year", Integer, nullable=False),
    Column("year_end", Integer),
    Column("value", Float),
    Column("quantity", Float),
    _text("unit"),
    Column("share", Float),
    # no index on source_key: a million product rows would carry it for nothing (a source's
    # rows are deleted in one scan when it is replaced)
    Column("source_key", String(200), ForeignKey("sources.key"), nullable=False),
    Column("hs_code", String(12)),
    Column("hs_version", String(8)),
    Index("ix_trade_flows_item_importer", "item_id", "importer",
          sqlite_where=text("item_id IS NOT NULL"), postgresql_where=text("item_id IS NOT NULL")),
    # product reads: by code, edition and year (a year's rows of a code are a few hundred,
    # so importer-side and exporter-side queries both read a short range)
    Index("ix_trade_flows_product", "hs_code", "hs_version", "year", "importer"),
    CheckConstraint("share IS NULL OR (share >= 0 AND share <= 1)", name="share"),
    CheckConstraint("(item_id IS NULL) <> (hs_code IS NULL)", name="item_or_product"),
    CheckConstraint("(hs_code IS NULL) = (hs_version IS NULL)", name="hs_version"),
)
"""A trade flow of an item, or of a product (``hs_code`` of HS edition ``hs_version``:
value in thousand USD, quantity in tonnes), from an exporter (None: an aggregate label)
to an importer."""

INPUT_EDGES = Table(
    "input_edges", metadata,
    _id(),
    _item("input_item", index=True),
    _item("output_item", index=True),
    Column("quantity_per_unit", Float),
    _text("unit"),
    Column("substitutability", Float),
    _source_key(),
    UniqueConstraint("source_key", "input_item", "output_item"),
)
"""Bill-of-materials edge: ``input_item`` goes into ``output_item`` (must stay acyclic)."""

GOVERNANCE_SCORES = Table(
    "governance_scores", metadata,
    _id(),
    _country("iso3", nullable=False),
    Column("year", Integer, nullable=False),
    Column("dimension", String(40), nullable=False),
    Column("estimate", Float, nullable=False),
    _source_key(),
    UniqueConstraint("source_key", "iso3", "year", "dimension"),
    Index("ix_governance_scores_year_iso3", "year", "iso3"),
)
"""A World Governance Indicators estimate of one dimension for a country and year."""

COUNTRY_RISK = Table(
    "country_risk", metadata,
    _id(),
    _country("iso3", nullable=False, index=True),
    Column("category", Integer, nullable=False),
    Column("valid_from", String(10), nullable=False),
    _text("note"),
    _source_key(),
    UniqueConstraint("source_key", "iso3", "valid_from"),
    CheckConstraint("category >= 0 AND category <= 7", name="category"),
)
"""OECD country risk classification (0-7) valid from a date."""

FIRMS = Table(
    "firms", metadata,
    Column("id", String(200), primary_key=True),
    Column("name", Text, nullable=False),
    _text("name_ja"),
    _country("iso3", index=True),
    Column("lei", String(20), nullable=False, default=""),
    _source_key(),
)
"""A company (schema only for now)."""

FACILITIES = Table(
    "facilities", metadata,
    Column("id", String(200), primary_key=True),
    Column("firm_id", String(200), ForeignKey("firms.id"), index=True),
    Column("name", Text, nullable=False),
    _country("iso3", nullable=False, index=True),
    _text("location"),
    Column("latitude", Float),
    Column("longitude", Float),
    _item("item_id", nullable=True, index=True),
    Column("capacity", Float),
    _text("capacity_unit"),
    _source_key(),
)
"""A plant, mine or refinery of a firm: where it is, what it makes, how much it can."""

ROUTES = Table(
    "routes", metadata,
    Column("id", String(200), primary_key=True),
    Column("kind", String(20), nullable=False, index=True),
    Column("name_en", Text, nullable=False),
    _text("name_ja"),
    _country("iso3"),
    Column("latitude", Float),
    Column("longitude", Float),
    _source_key(),
    CheckConstraint(
        "kind IN ('sea_lane', 'strait', 'port', 'undersea_cable', 'launch_site')",
        name="kind",
    ),
)
"""A route or chokepoint: sea lane, strait, port, undersea cable, launch site."""

SUPPLY_EDGES = Table(
    "supply_edges", metadata,
    _id(),
    Column("supplier_id", String(200), ForeignKey("firms.id"), nullable=False, index=True),
    Column("customer_id", String(200), ForeignKey("firms.id"), nullable=False, index=True),
    _item("item_id", nullable=True),
    Column("share", Float),
    Column("route_id", String(200), ForeignKey("routes.id")),
    _source_key(),
    UniqueConstraint("source_key", "supplier_id", "customer_id", "item_id"),
    CheckConstraint("share IS NULL OR (share >= 0 AND share <= 1)", name="share"),
)
"""Firm-level supply edge: supplier → customer for an item (cycles allowed)."""

FACT_TABLES = (
    OBSERVATIONS,
    TRADE_FLOWS,
    INPUT_EDGES,
    GOVERNANCE_SCORES,
    COUNTRY_RISK,
    SUPPLY_EDGES,
    FACILITIES,
    ROUTES,
    FIRMS,
)
"""Tables whose rows belong to one source key, in an order that is safe for deleting."""


# --------------------------------------------------------------------------- technology
# management (migration 0002_transfer_cases; owned by econsec.techmgmt)

TRANSFER_CHANNELS = ("subsidiary", "joint-venture", "contract-manufacturing", "licensing")
CASE_STATUSES = ("draft", "reported", "in_dialogue", "licence_required", "closed")

TECH_LISTS = Table(
    "tech_lists", metadata,
    Column("key", String(200), primary_key=True),
    Column("list_id", String(200), nullable=False),
    Column("version", String(100), nullable=False),
    Column("notice_date", String(10), nullable=False, index=True),
    Column("title", Text, nullable=False),
    Column("publisher", Text, nullable=False),
    _text("origin"),
    Column("sha256", String(64), nullable=False),
    Column("yaml_text", Text, nullable=False),
    Column("loaded_at", String(32), nullable=False),
)
"""A designated-technology list a user loaded (``econsec tech load``), kept verbatim."""

TRANSFER_CASES = Table(
    "transfer_cases", metadata,
    _id(),
    Column("technology_id", String(200), nullable=False, index=True),
    Column("counterparty", Text, nullable=False),
    Column("country", String(3), nullable=False, index=True),
    Column("channel", String(40), nullable=False),
    Column("decision_date", String(10), nullable=False),
    Column("status", String(20), nullable=False, index=True),
    Column("created_at", String(32), nullable=False),
    _text("created_by"),
    CheckConstraint(
        "channel IN ('subsidiary', 'joint-venture', 'contract-manufacturing', "
        "'licensing')", name="channel"),
    CheckConstraint(
        "status IN ('draft', 'reported', 'in_dialogue', 'licence_required', 'closed')",
        name="status"),
)
"""A planned transfer of a designated technology abroad (prior-report case)."""

TRANSFER_CASE_EVENTS = Table(
    "transfer_case_events", metadata,
    _id(),
    Column("case_id", Integer, ForeignKey("transfer_cases.id", ondelete="CASCADE"),
           nullable=False, index=True),
    Column("seq", Integer, nullable=False),
    Column("from_status", String(20)),
    Column("to_status", String(20), nullable=False),
    Column("on_date", String(10), nullable=False),
    _text("actor"),
    _text("note"),
    Column("recorded_at", String(32), nullable=False),
    UniqueConstraint("case_id", "seq"),
)
"""One dated step of a transfer case (creation or a status move), append only."""
