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
    #: The organisation whose case it is (migration 0004; NULL: made in single-user mode).
    Column("org_id", Integer, ForeignKey("orgs.id"), index=True),
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


# --------------------------------------------------------------------------- council
# portal (migration 0004_council_portal; owned by econsec.access, econsec.sharing and
# econsec.audit). Dates are ISO ``YYYY-MM-DD`` text, instants ISO 8601 UTC text, as above.

ROLES = ("member", "analyst", "secretariat", "auditor", "admin")
ORG_KINDS = ("government", "company", "thinktank", "other")
TLP_MARKINGS = ("clear", "green", "amber", "amber+strict", "red")
ITEM_KINDS = ("report", "alert", "analysis")

ORGS = Table(
    "orgs", metadata,
    _id(),
    Column("name", String(200), nullable=False, unique=True),
    _text("title"),
    Column("kind", String(20), nullable=False, default="company"),
    #: Company certification (適合事業者) for designated (level 3) information, until.
    Column("certified_until", String(10)),
    #: The council membership contract / agreement, until.
    Column("contract_until", String(10)),
    Column("created_at", String(32), nullable=False),
    CheckConstraint("kind IN ('government', 'company', 'thinktank', 'other')", name="kind"),
)
"""A member organisation of the council (ministry, company, think tank)."""

USERS = Table(
    "users", metadata,
    _id(),
    Column("name", String(200), nullable=False, unique=True),
    _text("display_name"),
    Column("org_id", Integer, ForeignKey("orgs.id"), nullable=False, index=True),
    #: Space-separated roles, each one of ROLES.
    Column("roles", String(200), nullable=False),
    #: argon2id hash (``$argon2id$…``).
    Column("password_hash", Text, nullable=False),
    #: Base32 TOTP secret; NULL when the user has no second factor.
    Column("totp_secret", String(64)),
    #: The RFC 6238 time step of the last TOTP code accepted (a code is accepted once).
    Column("totp_last_step", Integer),
    Column("failed_logins", Integer, nullable=False, default=0),
    Column("locked_until", String(32)),
    Column("suspended", Boolean, nullable=False, default=False),
    #: The account itself, valid until (NULL: no end).
    Column("expires", String(10)),
    Column("created_at", String(32), nullable=False),
)
"""A person who signs in."""

LOGIN_FAILURES = Table(
    "login_failures", metadata,
    #: The name given (an unknown name is counted as a known one is: 5 tries tell nothing).
    Column("name", String(200), primary_key=True),
    #: The client address (``""`` when there is none: the command line).
    Column("client", String(64), primary_key=True),
    #: Consecutive failures of this name from this address.
    Column("failures", Integer, nullable=False, default=0),
    Column("last_at", String(32), nullable=False, index=True),
    #: The name is locked for this address (only) until then.
    Column("locked_until", String(32)),
)
"""Failed sign-ins per (name, client address): the lock-out and the per-account slow-down
(:mod:`econsec.access.accounts`)."""

CLEARANCES = Table(
    "clearances", metadata,
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("level", Integer, nullable=False),
    Column("issued", String(10), nullable=False),
    Column("expires", String(10)),
    Column("suspended", Boolean, nullable=False, default=False),
    CheckConstraint("level BETWEEN 1 AND 3", name="level"),
)
"""A user's current clearance (level 1 public, 2 council, 3 designated information)."""

CLEARANCE_COMPARTMENTS = Table(
    "clearance_compartments", metadata,
    Column("user_id", Integer, ForeignKey("clearances.user_id", ondelete="CASCADE"),
           primary_key=True),
    Column("compartment", String(100), primary_key=True),
)
"""The compartments a user's clearance covers."""

GROUPS = Table(
    "groups", metadata,
    _id(),
    Column("name", String(200), nullable=False, unique=True),
    _text("title"),
    Column("created_at", String(32), nullable=False),
)
"""A working group of the council (the council itself is a group too)."""

GROUP_MEMBERS = Table(
    "group_members", metadata,
    Column("group_id", Integer, ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True,
           index=True),
    Column("since", String(32), nullable=False),
)
"""Membership of a working group (new members see the group's old items too)."""

SESSIONS = Table(
    "sessions", metadata,
    #: sha256 (hex) of the session cookie's value; the value itself is never stored.
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False,
           index=True),
    #: The session's CSRF token (forms and ``X-CSRF-Token``).
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("last_seen", String(32), nullable=False),
    #: Absolute end of the session.
    Column("expires_at", String(32), nullable=False, index=True),
    #: False while the second factor (TOTP) is still to be given.
    Column("verified", Boolean, nullable=False, default=True),
)
"""A signed-in browser or API client (kept in the database so every worker sees it)."""

SHARED_ITEMS = Table(
    "shared_items", metadata,
    _id(),
    Column("uuid", String(36), nullable=False, unique=True),
    Column("kind", String(20), nullable=False),
    Column("title", Text, nullable=False),
    #: Tear-line summary: what may be shown where the body may not (level 3 bodies off).
    _text("summary"),
    _text("body"),
    Column("level", Integer, nullable=False, index=True),
    Column("tlp", String(20), nullable=False),
    #: True: every signed-in member of the council (need-to-know met by membership);
    #: False: only the distribution (groups, organisations, named users).
    Column("to_all_members", Boolean, nullable=False, default=False),
    Column("originator_user_id", Integer, ForeignKey("users.id"), nullable=False, index=True),
    Column("originator_org_id", Integer, ForeignKey("orgs.id"), nullable=False),
    #: Level 3: the designation holds until (NULL: no end); after it, nobody reads the item
    #: until it is re-designated or regraded.
    Column("designated_until", String(10)),
    Column("review_on", String(10)),
    _text("caveats"),
    #: JSON list of knowledge-base references (``commodity:lithium``, ``country:CHN``, …).
    Column("links", Text, nullable=False, default="[]"),
    #: The item this one was derived from (no write-down: checked on create).
    Column("derived_from", Integer, ForeignKey("shared_items.id")),
    Column("created_at", String(32), nullable=False, index=True),
    CheckConstraint("level BETWEEN 1 AND 3", name="level"),
    CheckConstraint("kind IN ('report', 'alert', 'analysis')", name="kind"),
    CheckConstraint("tlp IN ('clear', 'green', 'amber', 'amber+strict', 'red')", name="tlp"),
)
"""Information shared in the council, with its marking set when it is created."""

ITEM_COMPARTMENTS = Table(
    "item_compartments", metadata,
    Column("item_id", Integer, ForeignKey("shared_items.id", ondelete="CASCADE"),
           primary_key=True),
    Column("compartment", String(100), primary_key=True),
)
ITEM_GROUPS = Table(
    "item_groups", metadata,
    Column("item_id", Integer, ForeignKey("shared_items.id", ondelete="CASCADE"),
           primary_key=True),
    Column("group_id", Integer, ForeignKey("groups.id"), primary_key=True, index=True),
)
ITEM_ORGS = Table(
    "item_orgs", metadata,
    Column("item_id", Integer, ForeignKey("shared_items.id", ondelete="CASCADE"),
           primary_key=True),
    Column("org_id", Integer, ForeignKey("orgs.id"), primary_key=True, index=True),
)
ITEM_USERS = Table(
    "item_users", metadata,
    Column("item_id", Integer, ForeignKey("shared_items.id", ondelete="CASCADE"),
           primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), primary_key=True, index=True),
)

ITEM_REGRADES = Table(
    "item_regrades", metadata,
    _id(),
    Column("item_id", Integer, ForeignKey("shared_items.id", ondelete="CASCADE"),
           nullable=False, index=True),
    Column("from_level", Integer, nullable=False),
    Column("to_level", Integer, nullable=False),
    Column("reason", Text, nullable=False),
    Column("by_user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("at", String(32), nullable=False),
)
"""A recorded change of an item's level (with its reason)."""

BREAK_GLASS = Table(
    "break_glass", metadata,
    _id(),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False,
           index=True),
    Column("reason", Text, nullable=False),
    Column("granted_at", String(32), nullable=False),
    Column("expires_at", String(32), nullable=False),
)
"""An explicit, justified, time-limited emergency access (need-to-know waived; levels,
compartments and validity still apply)."""

AUDIT_LOG = Table(
    "audit_log", metadata,
    #: 1, 2, 3, … without gaps (assigned under the write lock).
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at", String(32), nullable=False),
    #: User name, or ``local`` (single-user mode), or ``cli:<os user>``.
    Column("actor", String(200), nullable=False),
    Column("actor_id", Integer),
    #: ``login``, ``logout``, ``read``, ``write``, ``export``, ``share``, ``regrade``,
    #: ``deny``, ``break_glass``, ``admin``, …
    Column("action", String(40), nullable=False),
    Column("resource", String(300), nullable=False),
    #: ``ok``, ``denied`` or ``failed``.
    Column("outcome", String(10), nullable=False),
    #: JSON object with the details (never a password, token or level-3 body).
    Column("detail", Text, nullable=False, default="{}"),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    #: HMAC-SHA256 of ``hash`` under a key kept outside the database (econsec.audit.anchor).
    Column("mac", String(64)),
)
"""Append-only, hash-chained record of every read, write, export, share change, login and
denial (``econsec audit verify``)."""

SCENARIO_JOBS = Table(
    "scenario_jobs", metadata,
    #: The random job id (``uuid4().hex``).
    Column("id", String(32), primary_key=True),
    Column("kind", String(20), nullable=False),
    #: The actor who started it: the signed-in user's name, or ``local``.
    Column("owner", String(200), nullable=False, index=True),
    Column("owner_org_id", Integer),
    #: What the per-client quota counts (the user's name, or the address in local mode).
    Column("client", String(200), nullable=False, index=True),
    Column("status", String(10), nullable=False, index=True),
    Column("progress", Float, nullable=False, default=0.0),
    #: What the job is doing, in English; ``message_text``: JSON ``{id, params}``.
    _text("message"),
    Column("message_text", Text),
    #: JSON object shown beside the job (scenario, mrio, horizon_days, cost, notes, …).
    Column("meta", Text, nullable=False, default="{}"),
    #: JSON result document when done (what the API returns).
    Column("result", Text),
    #: JSON problem details when failed (``detail_text``: ``{id, params}``).
    Column("error", Text),
    #: Set by a cancel through any worker; the running worker reads it.
    Column("cancel_requested", Boolean, nullable=False, default=False),
    Column("created_at", String(32), nullable=False, index=True),
    Column("started_at", String(32)),
    #: Written by the running worker (progress, heartbeat): a job still queued or running
    #: without an update for long is reported failed (its worker stopped).
    Column("updated_at", String(32), nullable=False),
    Column("finished_at", String(32)),
    CheckConstraint("status IN ('queued', 'running', 'done', 'failed', 'cancelled')",
                    name="status"),
)
"""Scenario runs of the web app, shared by every worker process."""


# --------------------------------------------------------------------------- tabletop
# exercises (migration 0005_exercises; owned by econsec.exercises). The definition is kept
# as validated JSON so a running exercise does not change when its file does.

EXERCISE_STATUSES = ("setup", "running", "paused", "ended")
EXERCISE_LOG_KINDS = ("created", "started", "advanced", "inject_released", "decision_opened",
                      "move", "decision", "note", "paused", "resumed", "ended")

EXERCISES = Table(
    "exercises", metadata,
    _id(),
    _text("title"),
    #: The exercise file it was started from (a path's name, or ``worked:<name>``).
    Column("definition_name", String(200), nullable=False),
    Column("definition_sha256", String(64), nullable=False),
    #: The validated definition (JSON), frozen when the exercise was created.
    Column("definition", Text, nullable=False),
    Column("status", String(10), nullable=False, default="setup", index=True),
    #: Exercise time in minutes since the start.
    Column("clock", Integer, nullable=False, default=0),
    #: Bumped on every change: a page polls it to know when to refresh.
    Column("revision", Integer, nullable=False, default=0),
    #: JSON result of the no-action baseline run (cached), and the job computing it.
    Column("baseline", Text),
    Column("baseline_job", String(32)),
    _text("created_by"),
    Column("org_id", Integer, ForeignKey("orgs.id"), index=True),
    Column("created_at", String(32), nullable=False),
    Column("started_at", String(32)),
    Column("ended_at", String(32)),
    Column("updated_at", String(32), nullable=False),
    CheckConstraint("status IN ('setup', 'running', 'paused', 'ended')", name="status"),
)
"""A tabletop exercise session (facilitator, teams, timeline in ``exercise_log``)."""

EXERCISE_TEAMS = Table(
    "exercise_teams", metadata,
    Column("exercise_id", Integer, ForeignKey("exercises.id", ondelete="CASCADE"),
           primary_key=True),
    #: The team id of the definition.
    Column("team", String(100), primary_key=True),
    #: SHA-256 of the team's join code (NULL: members are assigned by the facilitator only).
    Column("join_code_hash", String(64)),
)
"""A team of an exercise."""

EXERCISE_MEMBERS = Table(
    "exercise_members", metadata,
    Column("exercise_id", Integer, ForeignKey("exercises.id", ondelete="CASCADE"),
           primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True,
           index=True),
    Column("team", String(100), nullable=False),
    Column("since", String(32), nullable=False),
    _text("added_by"),
)
"""Which team a signed-in user plays in an exercise (one team per user and exercise)."""

EXERCISE_LOG = Table(
    "exercise_log", metadata,
    Column("exercise_id", Integer, ForeignKey("exercises.id", ondelete="CASCADE"),
           primary_key=True),
    #: 1, 2, 3, … per exercise.
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at", String(32), nullable=False),
    #: The exercise clock (minutes) when it happened.
    Column("clock", Integer, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("team", String(100)),
    _text("actor"),
    #: JSON: the inject / decision point id, the move's measures and parameters, …
    Column("payload", Text, nullable=False, default="{}"),
    #: JSON: the recomputed scenario result of a move (filled when its job is done).
    Column("result", Text),
    #: The scenario job recomputing a move.
    Column("job_id", String(32)),
    CheckConstraint(
        "kind IN ('created', 'started', 'advanced', 'inject_released', 'decision_opened', "
        "'move', 'decision', 'note', 'paused', 'resumed', 'ended')", name="kind"),
)
"""The timeline of an exercise, append only (a move's ``result`` is filled in later)."""
