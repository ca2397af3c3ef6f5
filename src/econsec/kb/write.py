"""Writing a checked bundle in the transaction of :meth:`econsec.kb.store.Store.import_bundle`.

Sources, countries and items are upserted (an empty field in the incoming record keeps the
stored value; non-empty ``groups`` / ``hs_codes`` replace the stored ones). The facts of
every source key the bundle covers are deleted and inserted again, in chunks, so importing
the same bundle twice changes nothing.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Table, bindparam, delete, func, insert, or_, select, update

from econsec.kb.models import (
    COUNTRIES,
    COUNTRY_GROUPS,
    COUNTRY_RISK,
    FACT_TABLES,
    GOVERNANCE_SCORES,
    INPUT_EDGES,
    ITEM_HS_CODES,
    ITEMS,
    OBSERVATIONS,
    SOURCES,
    TRADE_FLOWS,
)
from econsec.kb.rows import BUNDLE_FIELD, country_row, fact_row, item_row, source_row
from econsec.records import TRADE_VALUE_UNIT, Bundle, FlowTable

ProgressCallback = Callable[[str, int, int], None]
"""``progress(step, done, total)``: library code reports progress, presenters draw it."""

_CHUNK = 5000
_BULK = 100_000


@dataclass
class ImportSummary:
    """What one :meth:`~econsec.kb.store.Store.import_bundle` did.

    ``rows``: rows written per table; ``replaced``: rows of earlier imports of the same
    source keys deleted first; ``source_keys``: the source keys the bundle covers.
    """

    source_keys: list[str] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    replaced: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    #: rows of bulk-loaded files left out on loading (aggregate partner codes …), by
    #: "<source>: <reason>"
    left_out: dict[str, int] = field(default_factory=dict)
    #: rows of bulk-loaded sources already stored exactly so, kept as they were
    unchanged: dict[str, int] = field(default_factory=dict)



def chunks(rows: Iterable[Any], size: int = _CHUNK) -> Iterator[list[Any]]:
    """``rows`` in lists of ``size`` (one pass: records may be read from the file again)."""
    iterator = iter(rows)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk



def write_bundle(
    conn: Connection,
    bundle: Bundle,
    keys: set[str],
    summary: ImportSummary,
    report: ProgressCallback,
) -> None:
    """Write ``bundle`` (checked) on ``conn``: upsert its references, replace the facts of
    ``keys`` and insert its facts; ``summary`` receives the row counts."""
    from econsec.kb.validate import stored_sources

    # only a source already stored can have facts to replace (foreign keys): the fact
    # tables are not searched for a new one (trade_flows has no index on source_key)
    stored = stored_sources(conn, keys)
    sources = {s.key: source_row(s) for s in bundle.sources}
    upsert(conn, SOURCES, "key", sources.values())
    countries = {c.iso3: country_row(c) for c in bundle.countries}
    upsert(conn, COUNTRIES, "iso3", countries.values())
    items = {i.id: item_row(i) for i in bundle.items}
    upsert(conn, ITEMS, "id", items.values())
    summary.rows.update(sources=len(sources), countries=len(countries), items=len(items))

    groups = {c.iso3: c.groups for c in bundle.countries if c.groups}
    if groups:
        conn.execute(delete(COUNTRY_GROUPS).where(COUNTRY_GROUPS.c.iso3.in_(sorted(groups))))
        rows = [
            {"group_name": g, "iso3": iso3}
            for iso3, gs in sorted(groups.items())
            for g in dict.fromkeys(gs)
        ]
        conn.execute(insert(COUNTRY_GROUPS), rows)
        summary.rows["country_groups"] = len(rows)
    codes = {i.id: i.hs_codes for i in bundle.items if i.hs_codes}
    if codes:  # the items' own HS 2022 codes; crosswalk links (with a source) stay
        conn.execute(delete(ITEM_HS_CODES).where(ITEM_HS_CODES.c.item_id.in_(sorted(codes)),
                                                 ITEM_HS_CODES.c.source_key.is_(None)))
        hs_rows: list[dict[str, Any]] = [
            {"item_id": item, "hs_code": code, "position": pos}
            for item, cs in sorted(codes.items())
            for pos, code in enumerate(dict.fromkeys(cs))
        ]
        conn.execute(insert(ITEM_HS_CODES), hs_rows)
        summary.rows["item_hs_codes"] = len(hs_rows)

    links = bundle.commodity_products
    if links:
        conn.execute(delete(ITEM_HS_CODES).where(
            ITEM_HS_CODES.c.source_key.in_(sorted({p.source_key for p in links}))))
        conn.execute(insert(ITEM_HS_CODES), [
            {"item_id": p.item_id, "hs_code": p.hs_code, "hs_version": p.hs_version,
             "position": pos, "stage": p.stage or None, "eol_rir": p.eol_rir,
             "source_key": p.source_key} for pos, p in enumerate(links)])
        summary.rows["item_hs_codes"] = summary.rows.get("item_hs_codes", 0) + len(links)

    kept = unchanged_flow_tables(conn, bundle, keys)
    replaced = sorted(stored - {t.source_key for t in kept})
    if replaced:
        for table in FACT_TABLES:
            result = conn.execute(
                delete(table).where(table.c.source_key.in_(replaced))
            )
            if result.rowcount:
                summary.replaced[table.name] = result.rowcount

    # bulk tables first: they take the lowest new row ids, so that the facts imported
    # after them get the same ids again when the bulk rows are kept (SQLite reuses the ids
    # above the largest one) and a second econsec init leaves the rows exactly as the first
    for flows in bundle.flow_tables:
        for reason, count in flows.left_out:
            summary.left_out[f"{flows.source_key}: {reason}"] = count
        if any(flows is t for t in kept):
            summary.unchanged[flows.source_key] = len(flows)
            continue
        insert_flow_table(conn, flows, report)
        summary.rows["trade_flows"] = summary.rows.get("trade_flows", 0) + len(flows)
    for table in (OBSERVATIONS, TRADE_FLOWS, INPUT_EDGES, GOVERNANCE_SCORES,
                  COUNTRY_RISK):
        records = getattr(bundle, BUNDLE_FIELD[table.name])
        if not records:
            continue
        done = 0
        report(f"store {table.name}", 0, len(records))
        for chunk in chunks(records):  # rows made per chunk: no copy of the whole file
            conn.execute(insert(table), [fact_row(table.name, r) for r in chunk])
            done += len(chunk)
            report(f"store {table.name}", done, len(records))
        summary.rows[table.name] = summary.rows.get(table.name, 0) + len(records)


def unchanged_flow_tables(conn: Connection, bundle: Bundle, keys: set[str]
                          ) -> list[FlowTable]:
    """The flow tables whose source's stored facts are exactly their rows (same order,
    same values): importing them again would delete and insert a million equal rows, so
    they are kept as stored. Only a source that nothing else in the bundle writes to."""
    others = {r.source_key for name in BUNDLE_FIELD.values() for r in getattr(bundle, name)}
    counts: dict[str, int] = {}
    for t in bundle.flow_tables:
        counts[t.source_key] = counts.get(t.source_key, 0) + 1
    out = []
    for t in bundle.flow_tables:
        key = t.source_key
        if key not in keys or key in others or counts[key] > 1 or not len(t):
            continue
        if stored_rows_equal(conn, t):
            out.append(t)
    return out


def stored_rows_equal(conn: Connection, flows: FlowTable) -> bool:
    """True when the stored facts of ``flows``' source are its rows, in order (read with
    the DBAPI cursor: a million rows are compared in about a second)."""
    for table in FACT_TABLES:  # no other fact of the source
        if table is TRADE_FLOWS:
            continue
        stmt = select(table.c.source_key).where(table.c.source_key == flows.source_key)
        if conn.execute(stmt.limit(1)).first() is not None:
            return False
    t = TRADE_FLOWS.c
    odd = conn.execute(select(func.count()).where(
        t.source_key == flows.source_key,
        or_(t.item_id.is_not(None), t.hs_version.is_(None), t.hs_version != flows.hs_version,
            t.unit != TRADE_VALUE_UNIT, t.exporter_label != "", t.share.is_not(None),
            t.year_end.is_not(None)))).scalar()
    if odd:
        return False
    mark = "%s" if conn.dialect.name == "postgresql" else "?"
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(f"SELECT exporter, importer, year, value, quantity, hs_code FROM "
                       f"{TRADE_FLOWS.name} WHERE source_key = {mark} ORDER BY id",
                       (flows.source_key,))
        rows = zip(flows.exporter, flows.importer, flows.year, flows.value, flows.quantity,
                   flows.hs_code, strict=True)
        n = 0
        while chunk := cursor.fetchmany(_BULK):
            if [tuple(r) for r in chunk] != list(itertools.islice(rows, len(chunk))):
                return False
            n += len(chunk)
    finally:
        cursor.close()
    return n == len(flows)


_FLOW_COLUMNS = ("exporter", "importer", "year", "value", "quantity", "hs_code")
"""Columns of a product flow that vary by row; the others are the table's constants."""


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def insert_flow_table(conn: Connection, flows: FlowTable, report: ProgressCallback) -> None:
    """Insert the rows of ``flows`` in bulk: the DBAPI's ``executemany`` in large batches
    with the constant columns written into the statement on SQLite, ``COPY`` on
    PostgreSQL (a million rows in seconds)."""
    n = len(flows)
    step = f"store {TRADE_FLOWS.name} ({flows.source_key})"
    report(step, 0, n)
    rows = zip(flows.exporter, flows.importer, flows.year, flows.value, flows.quantity,
               flows.hs_code, strict=True)
    constants = {"exporter_label": "", "unit": TRADE_VALUE_UNIT,
                 "source_key": flows.source_key, "hs_version": flows.hs_version}
    raw = conn.connection.driver_connection
    done = 0
    if conn.dialect.name == "postgresql":
        from itertools import repeat

        names = ", ".join([*_FLOW_COLUMNS, *constants])
        extra = tuple(constants.values())
        with raw.cursor() as cursor, cursor.copy(  # type: ignore[union-attr]
                f"COPY {TRADE_FLOWS.name} ({names}) FROM STDIN") as copy:
            for row, tail in zip(rows, repeat(extra), strict=False):
                copy.write_row(row + tail)
                done += 1
                if done % _BULK == 0:
                    report(step, done, n)
    else:
        names = ", ".join([*_FLOW_COLUMNS, *constants])
        values = ", ".join(["?"] * len(_FLOW_COLUMNS) + [_literal(v) for v in constants.values()])
        sql = f"INSERT INTO {TRADE_FLOWS.name} ({names}) VALUES ({values})"
        cursor = raw.cursor()  # type: ignore[union-attr]
        try:
            for chunk in chunks(rows, _BULK):
                cursor.executemany(sql, chunk)
                done += len(chunk)
                report(step, done, n)
        finally:
            cursor.close()
    report(step, n, n)


def upsert(
    conn: Connection, table: Table, key: str, rows: Iterable[dict[str, Any]]
) -> None:
    """Insert new rows of ``table`` (primary key ``key``); update stored ones with the
    incoming non-empty values."""
    rows = list(rows)
    if not rows:
        return
    stored = {
        r[key]: dict(r)
        for r in conn.execute(select(table).where(table.c[key].in_([r[key] for r in rows])))
        .mappings()
        .all()
    }
    new, changed = [], []
    for row in rows:
        old = stored.get(row[key])
        if old is None:
            new.append(row)
            continue
        merged = {**old, **{k: v for k, v in row.items() if v not in ("", None)}}
        if merged != old:
            changed.append({**merged, "_key": row[key]})
    if new:
        conn.execute(insert(table), new)
    if changed:
        columns = [c.name for c in table.columns if c.name != key]
        stmt = (
            update(table)
            .where(table.c[key] == bindparam("_key"))
            .values({c: bindparam(c) for c in columns})
        )
        conn.execute(stmt, [{c: r[c] for c in [*columns, "_key"]} for r in changed])
