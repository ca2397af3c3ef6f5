"""Read-only browsing of the stored rows of any knowledge-base table, a page at a time.

:func:`browse_table` filters by item, country and year (each filter applies to the
columns of the table that hold one: ``item_id`` / ``input_item`` / ``output_item``;
``iso3`` / ``importer`` / ``exporter`` / ``country``; ``year``) and joins every row that
names a source to that source's title, publisher, year and address, so that each number
is shown with where it comes from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, func, or_, select

from econsec.errors import NotFoundError
from econsec.kb import models as m

T = m.metadata.tables
SOURCES: Table = T["sources"]

#: Columns a filter looks at, in every table that has them.
FILTER_COLUMNS = {
    "item": ("item_id", "input_item", "output_item"),
    "country": ("iso3", "importer", "exporter", "country"),
    "year": ("year",),
}
#: The items table is filtered by its own id, the countries table by its code.
OWN_KEY = {"items": {"item": ("id",)}, "sources": {"year": ("year",)}}
#: Columns never shown (large texts and hashes that say nothing on a page).
HIDDEN = frozenset({"yaml_text", "sha256"})
#: The source columns joined to each row that has a ``source_key``.
SOURCE_FIELDS = ("title", "publisher", "year", "url")


@dataclass
class Page:
    """One page of a table's rows."""

    table: str
    columns: list[str]
    rows: list[dict[str, Any]]
    total: int
    offset: int
    limit: int
    #: the filters that apply to this table (``{"item": "lithium"}``)
    filters: dict[str, Any] = field(default_factory=dict)
    #: which filters the table has columns for
    filterable: tuple[str, ...] = ()
    #: True when rows carry ``source_title`` … ``source_url``
    sourced: bool = False


#: Tables never browsed nor counted on pages: accounts, sessions, shared items and their
#: distribution, the audit log, emergency access, sign-in failures, scenario runs,
#: tabletop exercises and the organisations' technology-transfer cases (a company's
#: planned transfer abroad, its counterparty and its steps). Their rows reach readers only
#: through the stores that apply the access gates (a shared item the reader may not see is
#: never fetched or counted; a case is listed to its own organisation only).
PRIVATE = frozenset({
    "orgs", "users", "clearances", "clearance_compartments", "groups", "group_members",
    "sessions", "shared_items", "item_compartments", "item_groups", "item_orgs",
    "item_users", "item_regrades", "break_glass", "audit_log", "login_failures",
    "scenario_jobs", "exercises", "exercise_teams", "exercise_members", "exercise_log",
    "transfer_cases", "transfer_case_events",
})


def tables() -> list[str]:
    """Every table that can be browsed (the knowledge data, not :data:`PRIVATE`), sorted."""
    return sorted(name for name in T if name not in PRIVATE)


def filter_columns(table: Table, name: str) -> tuple[str, ...]:
    """The columns of ``table`` the filter ``name`` looks at."""
    wanted = OWN_KEY.get(table.name, {}).get(name) or FILTER_COLUMNS[name]
    if table.name == "countries" and name == "country":
        wanted = ("iso3",)
    return tuple(c for c in wanted if c in table.c)


def browse_table(engine: Any, name: str, *, item: str | None = None,
                 country: str | None = None, year: int | None = None,
                 offset: int = 0, limit: int = 50, sort: str | None = None,
                 desc: bool = False) -> Page:
    """Rows ``offset`` … ``offset + limit`` of table ``name`` that match the filters (a
    filter the table has no column for is left out), ordered by the column ``sort`` (empty
    values last; ``desc`` for descending) and then by the table's key; raises
    :class:`NotFoundError` for a table that does not exist."""
    if name not in T or name in PRIVATE:
        raise NotFoundError("unknown table '%(table)s' (tables: %(tables)s)",
                            params={"table": name, "tables": ", ".join(tables())})
    table = T[name]
    given = {"item": item, "country": country, "year": year}
    filterable = tuple(f for f in FILTER_COLUMNS if filter_columns(table, f))
    conditions = []
    applied: dict[str, Any] = {}
    for key, value in given.items():
        columns = filter_columns(table, key)
        if value is None or value == "" or not columns:
            continue
        applied[key] = value
        conditions.append(or_(*(table.c[c] == value for c in columns)))
    shown = [c.name for c in table.columns if c.name not in HIDDEN]
    sourced = "source_key" in table.c
    stmt = select(*(table.c[c] for c in shown))
    if sourced:
        stmt = stmt.add_columns(*(SOURCES.c[f].label(f"source_{f}") for f in SOURCE_FIELDS))
        stmt = stmt.select_from(table.outerjoin(SOURCES, SOURCES.c.key == table.c.source_key))
    order = []
    if sort in shown:
        column = table.c[sort]
        order = [column.is_(None), column.desc() if desc else column.asc()]
    stmt = stmt.where(*conditions).order_by(*order, *table.primary_key.columns)
    count = select(func.count()).select_from(table).where(*conditions)
    with engine.connect() as conn:
        total = conn.execute(count).scalar_one()
        rows = [dict(r) for r in conn.execute(stmt.offset(offset).limit(limit)).mappings()]
    return Page(name, shown, rows, total, offset, limit, applied, filterable, sourced)
