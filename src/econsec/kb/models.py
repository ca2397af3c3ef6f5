"""SQLAlchemy 2.0 models of the value-chain knowledge base (DESIGN §3).

Reference tables (``sources``, ``countries``, ``country_groups``, ``items``,
``item_hs_codes``) are upserted; fact tables carry a NOT NULL ``source_key`` foreign key
to ``sources`` so every number can be traced to its data set, and are replaced per source
key on re-import. ``firms``, ``facilities``, ``routes`` and ``supply_edges`` are schema
only for now (no loader fills them yet).

The migration ``versions/0001_initial.py`` creates exactly this schema; a test compares
the two with Alembic's ``compare_metadata``.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ROUTE_KINDS = ("sea_lane", "strait", "port", "undersea_cable", "launch_site")
"""Kinds of route / chokepoint (DESIGN §3)."""

_SOURCE_FK = "sources.key"
_COUNTRY_FK = "countries.iso3"
_ITEM_FK = "items.id"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _source_key() -> Mapped[str]:
    return mapped_column(String(200), ForeignKey(_SOURCE_FK), nullable=False, index=True)


class SourceRow(Base):
    """A data set: publisher, title, release year, licence, URL, file and its SHA-256."""

    __tablename__ = "sources"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    publisher: Mapped[str] = mapped_column(Text, nullable=False)
    title: Mapped[str] = mapped_column(Text, nullable=False)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    licence: Mapped[str] = mapped_column(Text, nullable=False)
    url: Mapped[str] = mapped_column(Text, nullable=False, default="")
    file: Mapped[str] = mapped_column(Text, nullable=False, default="")
    sha256: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    citation: Mapped[str] = mapped_column(Text, nullable=False, default="")


class CountryRow(Base):
    """A country or territory by ISO 3166-1 alpha-3 code."""

    __tablename__ = "countries"

    iso3: Mapped[str] = mapped_column(String(3), primary_key=True)
    iso2: Mapped[str] = mapped_column(String(2), nullable=False, default="")
    numeric: Mapped[str] = mapped_column(String(3), nullable=False, default="")
    name_en: Mapped[str] = mapped_column(Text, nullable=False)
    name_ja: Mapped[str] = mapped_column(Text, nullable=False, default="")


class CountryGroupRow(Base):
    """Membership of a country in a group (EU, G7, Quad, ASEAN, an export-control regime)."""

    __tablename__ = "country_groups"

    group: Mapped[str] = mapped_column("group_name", String(100), primary_key=True)
    iso3: Mapped[str] = mapped_column(
        String(3), ForeignKey(_COUNTRY_FK, ondelete="CASCADE"), primary_key=True, index=True
    )


class ItemRow(Base):
    """A material, component, product, technology or service."""

    __tablename__ = "items"
    __table_args__ = (
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

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), nullable=False, index=True)
    name_en: Mapped[str] = mapped_column(Text, nullable=False)
    name_ja: Mapped[str] = mapped_column(Text, nullable=False, default="")
    service_type: Mapped[str | None] = mapped_column(String(20))
    domain: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    stage: Mapped[str | None] = mapped_column(String(20))


class ItemHsCodeRow(Base):
    """An HS 2022 code (2, 4 or 6 digits) that an item maps to; ``position`` keeps the order."""

    __tablename__ = "item_hs_codes"

    item_id: Mapped[str] = mapped_column(
        String(200), ForeignKey(_ITEM_FK, ondelete="CASCADE"), primary_key=True
    )
    hs_code: Mapped[str] = mapped_column(String(12), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class ObservationRow(Base):
    """One published value of a measure of an item in a country (or an aggregate) in a year."""

    __tablename__ = "observations"
    __table_args__ = (
        UniqueConstraint("source_key", "item_id", "measure", "year", "area", "series"),
        Index("ix_observations_item_measure_year", "item_id", "measure", "year"),
        CheckConstraint(
            "measure IN ('production', 'refinery', 'capacity', 'reserves', 'imports', "
            "'exports', 'consumption', 'net_import_reliance', 'import_share')",
            name="measure",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    item_id: Mapped[str] = mapped_column(String(200), ForeignKey(_ITEM_FK), nullable=False)
    area: Mapped[str] = mapped_column(Text, nullable=False)
    iso3: Mapped[str | None] = mapped_column(String(3), ForeignKey(_COUNTRY_FK), index=True)
    is_aggregate: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    measure: Mapped[str] = mapped_column(String(40), nullable=False)
    value: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(Text, nullable=False, default="")
    is_estimate: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    withheld: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    value_raw: Mapped[str] = mapped_column(Text, nullable=False, default="")
    series: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    source_key: Mapped[str] = _source_key()


class TradeFlowRow(Base):
    """A trade flow of an item from an exporter (None: an aggregate label) to an importer."""

    __tablename__ = "trade_flows"
    __table_args__ = (
        Index("ix_trade_flows_item_importer", "item_id", "importer"),
        CheckConstraint("share IS NULL OR (share >= 0 AND share <= 1)", name="share"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    item_id: Mapped[str] = mapped_column(String(200), ForeignKey(_ITEM_FK), nullable=False)
    exporter: Mapped[str | None] = mapped_column(String(3), ForeignKey(_COUNTRY_FK), index=True)
    exporter_label: Mapped[str] = mapped_column(Text, nullable=False, default="")
    importer: Mapped[str] = mapped_column(String(3), ForeignKey(_COUNTRY_FK), nullable=False)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    year_end: Mapped[int | None] = mapped_column(Integer)
    value: Mapped[float | None] = mapped_column(Float)
    quantity: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(Text, nullable=False, default="")
    share: Mapped[float | None] = mapped_column(Float)
    source_key: Mapped[str] = _source_key()


class InputEdgeRow(Base):
    """Bill-of-materials edge: ``input_item`` goes into ``output_item`` (must stay acyclic)."""

    __tablename__ = "input_edges"
    __table_args__ = (UniqueConstraint("source_key", "input_item", "output_item"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    input_item: Mapped[str] = mapped_column(
        String(200), ForeignKey(_ITEM_FK), nullable=False, index=True
    )
    output_item: Mapped[str] = mapped_column(
        String(200), ForeignKey(_ITEM_FK), nullable=False, index=True
    )
    quantity_per_unit: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(Text, nullable=False, default="")
    substitutability: Mapped[float | None] = mapped_column(Float)
    source_key: Mapped[str] = _source_key()


class GovernanceScoreRow(Base):
    """A World Governance Indicators estimate of one dimension for a country and year."""

    __tablename__ = "governance_scores"
    __table_args__ = (
        UniqueConstraint("source_key", "iso3", "year", "dimension"),
        Index("ix_governance_scores_year_iso3", "year", "iso3"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    iso3: Mapped[str] = mapped_column(String(3), ForeignKey(_COUNTRY_FK), nullable=False)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    dimension: Mapped[str] = mapped_column(String(40), nullable=False)
    estimate: Mapped[float] = mapped_column(Float, nullable=False)
    source_key: Mapped[str] = _source_key()


class CountryRiskRow(Base):
    """OECD country risk classification (0-7) valid from a date."""

    __tablename__ = "country_risk"
    __table_args__ = (
        UniqueConstraint("source_key", "iso3", "valid_from"),
        CheckConstraint("category >= 0 AND category <= 7", name="category"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    iso3: Mapped[str] = mapped_column(
        String(3), ForeignKey(_COUNTRY_FK), nullable=False, index=True
    )
    category: Mapped[int] = mapped_column(Integer, nullable=False)
    valid_from: Mapped[str] = mapped_column(String(10), nullable=False)
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    source_key: Mapped[str] = _source_key()


class FirmRow(Base):
    """A company (schema only for now)."""

    __tablename__ = "firms"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    name: Mapped[str] = mapped_column(Text, nullable=False)
    name_ja: Mapped[str] = mapped_column(Text, nullable=False, default="")
    iso3: Mapped[str | None] = mapped_column(String(3), ForeignKey(_COUNTRY_FK), index=True)
    lei: Mapped[str] = mapped_column(String(20), nullable=False, default="")
    source_key: Mapped[str] = _source_key()


class FacilityRow(Base):
    """A plant, mine or refinery of a firm: where it is, what it makes, how much it can."""

    __tablename__ = "facilities"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    firm_id: Mapped[str | None] = mapped_column(String(200), ForeignKey("firms.id"), index=True)
    name: Mapped[str] = mapped_column(Text, nullable=False)
    iso3: Mapped[str] = mapped_column(
        String(3), ForeignKey(_COUNTRY_FK), nullable=False, index=True
    )
    location: Mapped[str] = mapped_column(Text, nullable=False, default="")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    item_id: Mapped[str | None] = mapped_column(String(200), ForeignKey(_ITEM_FK), index=True)
    capacity: Mapped[float | None] = mapped_column(Float)
    capacity_unit: Mapped[str] = mapped_column(Text, nullable=False, default="")
    source_key: Mapped[str] = _source_key()


class RouteRow(Base):
    """A route or chokepoint: sea lane, strait, port, undersea cable, launch site."""

    __tablename__ = "routes"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('sea_lane', 'strait', 'port', 'undersea_cable', 'launch_site')",
            name="kind",
        ),
    )

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), nullable=False, index=True)
    name_en: Mapped[str] = mapped_column(Text, nullable=False)
    name_ja: Mapped[str] = mapped_column(Text, nullable=False, default="")
    iso3: Mapped[str | None] = mapped_column(String(3), ForeignKey(_COUNTRY_FK))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    source_key: Mapped[str] = _source_key()


class SupplyEdgeRow(Base):
    """Firm-level supply edge: supplier → customer for an item (cycles allowed)."""

    __tablename__ = "supply_edges"
    __table_args__ = (
        UniqueConstraint("source_key", "supplier_id", "customer_id", "item_id"),
        CheckConstraint("share IS NULL OR (share >= 0 AND share <= 1)", name="share"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    supplier_id: Mapped[str] = mapped_column(
        String(200), ForeignKey("firms.id"), nullable=False, index=True
    )
    customer_id: Mapped[str] = mapped_column(
        String(200), ForeignKey("firms.id"), nullable=False, index=True
    )
    item_id: Mapped[str | None] = mapped_column(String(200), ForeignKey(_ITEM_FK))
    share: Mapped[float | None] = mapped_column(Float)
    route_id: Mapped[str | None] = mapped_column(String(200), ForeignKey("routes.id"))
    source_key: Mapped[str] = _source_key()


FACT_TABLES = (
    ObservationRow.__table__,
    TradeFlowRow.__table__,
    InputEdgeRow.__table__,
    GovernanceScoreRow.__table__,
    CountryRiskRow.__table__,
    SupplyEdgeRow.__table__,
    FacilityRow.__table__,
    RouteRow.__table__,
    FirmRow.__table__,
)
"""Tables whose rows belong to one source key, in an order that is safe for deleting."""


# --------------------------------------------------------------------------- technology
# management (migration 0002_transfer_cases; owned by econsec.techmgmt)

TRANSFER_CHANNELS = ("subsidiary", "joint-venture", "contract-manufacturing", "licensing")
CASE_STATUSES = ("draft", "reported", "in_dialogue", "licence_required", "closed")


class TechListRow(Base):
    """A designated-technology list a user loaded (``econsec tech load``), kept verbatim."""

    __tablename__ = "tech_lists"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    list_id: Mapped[str] = mapped_column(String(200), nullable=False)
    version: Mapped[str] = mapped_column(String(100), nullable=False)
    notice_date: Mapped[str] = mapped_column(String(10), nullable=False, index=True)
    title: Mapped[str] = mapped_column(Text, nullable=False)
    publisher: Mapped[str] = mapped_column(Text, nullable=False)
    origin: Mapped[str] = mapped_column(Text, nullable=False, default="")
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    yaml_text: Mapped[str] = mapped_column(Text, nullable=False)
    loaded_at: Mapped[str] = mapped_column(String(32), nullable=False)


class TransferCaseRow(Base):
    """A planned transfer of a designated technology abroad (prior-report case)."""

    __tablename__ = "transfer_cases"
    __table_args__ = (
        CheckConstraint(
            "channel IN ('subsidiary', 'joint-venture', 'contract-manufacturing', "
            "'licensing')", name="channel"),
        CheckConstraint(
            "status IN ('draft', 'reported', 'in_dialogue', 'licence_required', 'closed')",
            name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    technology_id: Mapped[str] = mapped_column(String(200), nullable=False, index=True)
    counterparty: Mapped[str] = mapped_column(Text, nullable=False)
    country: Mapped[str] = mapped_column(String(3), nullable=False, index=True)
    channel: Mapped[str] = mapped_column(String(40), nullable=False)
    decision_date: Mapped[str] = mapped_column(String(10), nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False, index=True)
    created_at: Mapped[str] = mapped_column(String(32), nullable=False)
    created_by: Mapped[str] = mapped_column(Text, nullable=False, default="")


class TransferCaseEventRow(Base):
    """One dated step of a transfer case (creation or a status move), append only."""

    __tablename__ = "transfer_case_events"
    __table_args__ = (UniqueConstraint("case_id", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("transfer_cases.id", ondelete="CASCADE"), nullable=False,
        index=True)
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20), nullable=False)
    on_date: Mapped[str] = mapped_column(String(10), nullable=False)
    actor: Mapped[str] = mapped_column(Text, nullable=False, default="")
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    recorded_at: Mapped[str] = mapped_column(String(32), nullable=False)
