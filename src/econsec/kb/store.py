"""The knowledge base: open (and migrate) a database, import bundles, query records.

:func:`open_store` takes a SQLAlchemy URL (``sqlite:///path`` by default, or
``postgresql+psycopg://…``), creates the folder of a SQLite file, brings the schema to the
newest Alembic revision and returns a :class:`Store`.

:meth:`Store.import_bundle` validates a whole :class:`~econsec.records.Bundle` first and then
writes it in ONE transaction (all or nothing). Re-importing a source key replaces that
source's facts, so importing the same bundle twice leaves the database unchanged.

Queries return the plain records of :mod:`econsec.records`, never ORM objects.
"""

from __future__ import annotations

import atexit
import csv
import itertools
import json
import math
import re
import time
import unicodedata
import weakref
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Boolean,
    Connection,
    Engine,
    Float,
    Integer,
    Table,
    bindparam,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from econsec.errors import (
    BusyError,
    CyclicBillOfMaterialsError,
    EconsecError,
    Location,
    NotFoundError,
    StoreError,
    Term,
    UnknownCommodityError,
    UnknownCountryError,
    ValidationError,
    translate_message,
)
from econsec.kb import models as m
from econsec.records import (
    Bundle,
    Country,
    CountryRisk,
    GovernanceScore,
    InputEdge,
    Item,
    ItemKind,
    Measure,
    Observation,
    ServiceType,
    Source,
    Stage,
    TradeFlow,
)
from econsec.suggest import close_matches
from econsec.textsafe import csv_cell

if TYPE_CHECKING:
    from econsec.datasets.eu_crm import EuCrmInputs

ProgressCallback = Callable[[str, int, int], None]
"""``progress(step, done, total)``: library code reports progress, presenters draw it."""

MIGRATIONS_DIR = Path(__file__).parent / "migrations"

NON_NEGATIVE_MEASURES = frozenset(
    {
        Measure.PRODUCTION,
        Measure.REFINERY,
        Measure.CAPACITY,
        Measure.RESERVES,
        Measure.IMPORTS,
        Measure.EXPORTS,
    }
)
"""Measures whose values cannot be negative (consumption and reliance can)."""

_ISO3 = re.compile(r"^[A-Z]{3}$")
#: Import shares of one item, importer and period may add up to this much over 1 (rounding).
SHARE_SUM_TOLERANCE = 0.02
_CHUNK = 5000

T = m.Base.metadata.tables
SOURCES: Table = T["sources"]
COUNTRIES: Table = T["countries"]
GROUPS: Table = T["country_groups"]
ITEMS: Table = T["items"]
HS: Table = T["item_hs_codes"]
OBS: Table = T["observations"]
FLOWS: Table = T["trade_flows"]
EDGES: Table = T["input_edges"]
GOV: Table = T["governance_scores"]
RISK: Table = T["country_risk"]

EXPORT_ORDER = (
    "sources",
    "countries",
    "country_groups",
    "items",
    "item_hs_codes",
    "observations",
    "trade_flows",
    "input_edges",
    "governance_scores",
    "country_risk",
    "firms",
    "routes",
    "facilities",
    "supply_edges",
)
"""Tables in the order a data package lists them (referenced tables first)."""

_NATURAL_KEYS: dict[str, list[str]] = {
    "sources": ["key"],
    "countries": ["iso3"],
    "country_groups": ["group_name", "iso3"],
    "items": ["id"],
    "item_hs_codes": ["item_id", "hs_code"],
    "firms": ["id"],
    "routes": ["id"],
    "facilities": ["id"],
}


@dataclass
class ImportSummary:
    """What one :meth:`Store.import_bundle` did.

    ``rows``: rows written per table; ``replaced``: rows of earlier imports of the same
    source keys deleted first; ``source_keys``: the source keys the bundle covers.
    """

    source_keys: list[str] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    replaced: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


# --------------------------------------------------------------------------- opening


def _sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    db = parsed.database
    if not db or db == ":memory:" or db.startswith("file:"):
        return None
    return Path(db)


#: SQLite engines opened by this process; disposed at exit so that the last connection
#: checkpoints the write-ahead log into the database file (a copied file is then complete).
_SQLITE_ENGINES: weakref.WeakSet[Engine] = weakref.WeakSet()
_BUSY_SQLSTATES = frozenset({"55P03", "40001", "40P01"})
"""PostgreSQL: lock not available, serialization failure, deadlock: contention, not a bug."""
_WRITE = "econsec_write"


def busy_timeout() -> float:
    """Seconds a write waits for another writer (``ECONSEC_BUSY_TIMEOUT``, default 30)."""
    from econsec.settings import Settings

    return Settings().busy_timeout


def _is_busy(error: BaseException | None) -> bool:
    """True when the DBAPI error is lock contention (SQLite busy/locked, PostgreSQL lock
    timeout, serialization failure or deadlock)."""
    if error is None:
        return False
    code = getattr(error, "sqlstate", None) or getattr(error, "pgcode", None)
    if code in _BUSY_SQLSTATES:
        return True
    text = str(error).casefold()
    return type(error).__module__.startswith("sqlite3") and (
        "database is locked" in text or "database is busy" in text
        or "database table is locked" in text)


def _on_error(context: Any) -> BaseException | None:
    """Lock contention becomes :class:`BusyError` (one line, no SQL, no parameters)."""
    if _is_busy(context.original_exception):
        return BusyError()
    return None


@contextmanager
def _write_transaction(engine: Engine) -> Iterator[Connection]:
    """``engine.begin()`` for writes: on SQLite ``BEGIN IMMEDIATE`` (the write lock is
    taken up front, waiting up to the busy timeout, so a transaction that read first can
    never fail to upgrade); on PostgreSQL an advisory lock serialises writers the same way."""
    with engine.connect() as conn:
        conn.execution_options(**{_WRITE: True})
        with conn.begin():
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{int(busy_timeout() * 1000)}ms'")
                conn.exec_driver_sql("SELECT pg_advisory_xact_lock(4242001)")
            yield conn


def _make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = _sqlite_path(url)
        if path is not None:
            path.expanduser().parent.mkdir(parents=True, exist_ok=True)
        timeout = busy_timeout()
        # Many threads (the web app's pool) may wait for the write lock at once: never let
        # a reader wait for a pooled connection behind them.
        pool = {"pool_size": 8, "max_overflow": -1} if path is not None else {}
        engine = create_engine(url, connect_args={"timeout": timeout}, **pool)

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            # Let SQLAlchemy, not pysqlite, decide when transactions begin (so that
            # validation reads and writes share one transaction) and enforce foreign keys.
            # WAL: readers never wait for a writer, and a writer never waits for readers.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
            cursor.execute("PRAGMA foreign_keys=ON")
            if path is not None:
                mode = cursor.execute("PRAGMA journal_mode").fetchone()
                if mode and str(mode[0]).casefold() != "wal":
                    try:
                        cursor.execute("PRAGMA journal_mode=WAL")
                    except Exception as exc:  # busy: WAL next time
                        if not _is_busy(exc):
                            raise
                cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Connection) -> None:
            write = conn.get_execution_options().get(_WRITE)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        if path is not None:
            _SQLITE_ENGINES.add(engine)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    event.listen(engine, "handle_error", _on_error, retval=True)
    # Every ``engine.begin()`` in econsec is a write: take the lock up front.
    engine.begin = partial(_write_transaction, engine)  # type: ignore[method-assign]
    return engine


@atexit.register
def _dispose_sqlite_engines() -> None:
    for engine in list(_SQLITE_ENGINES):
        with suppress(Exception):  # best effort at exit
            engine.dispose()


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` with Alembic (Config built in code). A database
    already at the newest revision is recognised with one read and no Alembic import."""
    if revision == "head" and _at_head(engine):
        return  # a read: opening the store never waits for a writer
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)


def _at_head(engine: Engine) -> bool:
    """True when the revision stored in ``alembic_version`` is the newest one known from
    the migration files (:func:`econsec.kb.migrations.head_revisions`)."""
    from sqlalchemy import inspect

    from econsec.kb.migrations import head_revisions

    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return False
        current = {row[0] for row in conn.exec_driver_sql(
            "SELECT version_num FROM alembic_version")}
    return bool(current) and current == head_revisions()


def open_store(url: str) -> Store:
    """Open the knowledge base at ``url`` and migrate it to the newest schema.

    A plain file path is accepted too (see :func:`econsec.settings.to_database_url`). For a
    SQLite file the parent folder is created. Raises :class:`StoreError` if the database
    cannot be opened or migrated.
    """
    from econsec.settings import to_database_url

    url = to_database_url(url)
    try:
        engine = _make_engine(url)
        migrate(engine)
    except EconsecError:
        raise
    except (SQLAlchemyError, OSError, ImportError) as exc:
        shown = make_url(url).render_as_string(hide_password=True)
        raise StoreError(f"cannot open knowledge base {shown}: {exc}") from exc
    return Store(engine)


# --------------------------------------------------------------------------- helpers


def fold_name(name: str) -> str:
    """Key for name matching: NFKC, case-folded, spaces, hyphens and underscores removed."""
    text = unicodedata.normalize("NFKC", name).casefold()
    return re.sub(r"[\s\-_‐‑–—・]+", "", text)


def _reason(error: SQLAlchemyError) -> str:
    """The database's one-line reason, without the SQL and parameters SQLAlchemy adds."""
    original = getattr(error, "orig", None) or error
    return str(original).splitlines()[0][:300] if str(original) else type(original).__name__


def _finite(value: float | None) -> bool:
    return value is None or (isinstance(value, int | float) and math.isfinite(value))


MAX_VALUE = 1e15
"""Largest magnitude of a stored number (values, quantities, estimates) in its unit."""


def _bounded(value: float | None) -> bool:
    return value is None or abs(value) <= MAX_VALUE


def _chunks(rows: Iterable[Any], size: int = _CHUNK) -> Iterator[list[Any]]:
    """``rows`` in lists of ``size`` (one pass: records may be read from the file again)."""
    iterator = iter(rows)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def find_cycle(edges: Iterable[tuple[str, str]]) -> list[str] | None:
    """A cycle ``[a, b, …, a]`` in the directed graph ``edges``, or None (iterative DFS)."""
    graph: dict[str, list[str]] = defaultdict(list)
    for a, b in edges:
        graph[a].append(b)
    for targets in graph.values():
        targets.sort()
    white, grey, black = 0, 1, 2
    colour: dict[str, int] = defaultdict(int)
    for root in sorted(graph):
        if colour[root] != white:
            continue
        path = [root]
        stack = [iter(graph[root])]
        colour[root] = grey
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                colour[path.pop()] = black
                stack.pop()
                continue
            if colour[nxt] == grey:
                return [*path[path.index(nxt) :], nxt]
            if colour[nxt] == white:
                colour[nxt] = grey
                path.append(nxt)
                stack.append(iter(graph.get(nxt, ())))
    return None


# --------------------------------------------------------------------------- the store


_BUNDLE_FIELD = {"observations": "observations", "trade_flows": "trade_flows",
                 "input_edges": "input_edges", "governance_scores": "governance",
                 "country_risk": "country_risk"}
"""Fact table name -> the :class:`Bundle` attribute holding its records."""


def _to_row(table: str, record: Any) -> dict[str, Any]:
    return {
        OBS.name: _observation_row, FLOWS.name: _flow_row, EDGES.name: _edge_row,
        GOV.name: _governance_row, RISK.name: _risk_row,
    }[table](record)


def _row_key(row: Mapping[str, Any], columns: Sequence[str]) -> tuple[Any, ...]:
    return tuple(
        round(v, 9) if isinstance(v, float) else v for v in (row.get(c) for c in columns)
    )


def _check(conn: Connection, bundle: Bundle, *, replace: bool) -> set[str]:
    """Every check of an import (the validator, then, unless ``replace``, the refusal to
    change a stored source); returns the source keys the bundle covers."""
    keys = _Validator(conn, bundle).run()
    if not replace:
        _refuse_changed_sources(conn, bundle, keys)
    return keys


def _refuse_changed_sources(conn: Connection, bundle: Bundle, keys: set[str]) -> None:
    """Raise when importing ``bundle`` would change the stored facts of a source (at the
    line of the source's first record in the file)."""
    files = {s.key: s.file for s in bundle.sources}
    for table in m.FACT_TABLES:
        columns = [c.name for c in table.columns if c.name != "id"]
        field_name = _BUNDLE_FIELD.get(table.name)
        records = getattr(bundle, field_name) if field_name else []
        for key in sorted(keys):
            stored = conn.execute(
                select(*[table.c[c] for c in columns]).where(table.c.source_key == key)
            ).mappings().all()
            if not stored:
                continue
            first: int | None = None
            new = []
            for i, r in enumerate(records):
                if r.source_key == key:
                    first = i if first is None else first
                    new.append(_to_row(table.name, r))
            before = sorted((_row_key(r, columns) for r in stored), key=repr)
            after = sorted((_row_key(r, columns) for r in new), key=repr)
            if before != after:
                known = bundle.locations.get(field_name or "", [])
                where = (known[first] if first is not None and first < len(known)
                         else None) or Location(file=files.get(key) or None)
                raise ValidationError(
                    "source '%(source)s' is already in the knowledge base with %(stored)s "
                    "%(table)s and this import would replace them with %(new)s: import "
                    "with --replace (replace=True) to do so, or give the data a source of "
                    "its own", params={"source": key, "stored": len(stored),
                                       "table": table.name.replace("_", " "),
                                       "new": len(new)}, location=where
                )


class Store:
    """The knowledge base behind one SQLAlchemy engine (SQLite or PostgreSQL)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @property
    def url(self) -> str:
        """The database URL (password hidden)."""
        return self.engine.url.render_as_string(hide_password=True)

    def close(self) -> None:
        """Release the connections of the engine."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ----------------------------------------------------------------- import

    def import_bundle(
        self,
        bundle: Bundle,
        *,
        replace: bool = False,
        progress: ProgressCallback | None = None,
    ) -> ImportSummary:
        """Validate ``bundle`` and write it in one transaction (all or nothing).

        Sources, countries and items are upserted (an empty field in the incoming record
        keeps the stored value; non-empty ``groups`` / ``hs_codes`` replace the stored
        ones). The facts of every source key the bundle covers are deleted and inserted
        again, so importing the same bundle twice changes nothing. A source whose stored
        facts differ from the incoming ones is replaced only with ``replace=True``;
        otherwise :class:`ValidationError` says which source and how many facts it holds,
        so that a partial file can never silently erase a whole data set. Raises
        :class:`ValidationError` (or a subclass such as
        :class:`CyclicBillOfMaterialsError`) before anything is written, and
        :class:`StoreError` if the database refuses the write (then nothing is written).
        """
        started = time.perf_counter()
        report = progress or (lambda step, done, total: None)
        summary = ImportSummary()
        try:
            with self.engine.begin() as conn:
                keys = _check(conn, bundle, replace=replace)
                summary.source_keys = sorted(keys)
                self._write(conn, bundle, keys, summary, report)
        except EconsecError:
            raise
        except SQLAlchemyError as exc:
            raise StoreError(N_("import failed, nothing was written: %(reason)s"),
                             params={"reason": _reason(exc)}) from exc
        summary.seconds = round(time.perf_counter() - started, 3)
        return summary

    def check_bundle(self, bundle: Bundle, *, replace: bool = False) -> None:
        """Run every check :meth:`import_bundle` runs, write nothing (a dry run).

        Raises the same errors, located at the offending record's line where the reader
        knew it; returns ``None`` when the bundle would import.
        """
        try:
            with self.engine.connect() as conn:
                _check(conn, bundle, replace=replace)
                conn.rollback()
        except EconsecError:
            raise
        except SQLAlchemyError as exc:
            raise StoreError(N_("cannot check the import: %(reason)s"),
                             params={"reason": _reason(exc)}) from exc

    def bundle_problems(self, bundle: Bundle, *, replace: bool = False, complete: bool = True,
                        limit: int = 100) -> list[EconsecError]:
        """Every problem :meth:`check_bundle` would raise, at most ``limit`` (one per
        record, in the order the checks run); nothing is written. ``complete=False``: the
        bundle is what is left of a file after the rows the reader refused, so the check
        that a source's stored facts would change is left out."""
        problems: list[EconsecError] = []
        try:
            with self.engine.connect() as conn:
                try:
                    keys = _Validator(conn, bundle, problems, limit).run()
                    if complete and not replace and not problems:
                        _refuse_changed_sources(conn, bundle, keys)
                except _EnoughProblems:
                    pass
                except EconsecError as exc:
                    problems.append(exc)
                conn.rollback()
        except SQLAlchemyError as exc:
            raise StoreError(N_("cannot check the import: %(reason)s"),
                             params={"reason": _reason(exc)}) from exc
        return problems

    def _write(
        self,
        conn: Connection,
        bundle: Bundle,
        keys: set[str],
        summary: ImportSummary,
        report: ProgressCallback,
    ) -> None:
        sources = {s.key: _source_row(s) for s in bundle.sources}
        self._upsert(conn, SOURCES, "key", sources.values())
        countries = {c.iso3: _country_row(c) for c in bundle.countries}
        self._upsert(conn, COUNTRIES, "iso3", countries.values())
        items = {i.id: _item_row(i) for i in bundle.items}
        self._upsert(conn, ITEMS, "id", items.values())
        summary.rows.update(sources=len(sources), countries=len(countries), items=len(items))

        groups = {c.iso3: c.groups for c in bundle.countries if c.groups}
        if groups:
            conn.execute(delete(GROUPS).where(GROUPS.c.iso3.in_(sorted(groups))))
            rows = [
                {"group_name": g, "iso3": iso3}
                for iso3, gs in sorted(groups.items())
                for g in dict.fromkeys(gs)
            ]
            conn.execute(insert(GROUPS), rows)
            summary.rows["country_groups"] = len(rows)
        codes = {i.id: i.hs_codes for i in bundle.items if i.hs_codes}
        if codes:
            conn.execute(delete(HS).where(HS.c.item_id.in_(sorted(codes))))
            rows = [
                {"item_id": item, "hs_code": code, "position": pos}
                for item, cs in sorted(codes.items())
                for pos, code in enumerate(dict.fromkeys(cs))
            ]
            conn.execute(insert(HS), rows)
            summary.rows["item_hs_codes"] = len(rows)

        if keys:
            for table in m.FACT_TABLES:
                result = conn.execute(
                    delete(table).where(table.c.source_key.in_(sorted(keys)))
                )
                if result.rowcount:
                    summary.replaced[table.name] = result.rowcount

        for table in (OBS, FLOWS, EDGES, GOV, RISK):
            records = getattr(bundle, _BUNDLE_FIELD[table.name])
            if not records:
                continue
            done = 0
            report(f"store {table.name}", 0, len(records))
            for chunk in _chunks(records):  # rows made per chunk: no copy of the whole file
                conn.execute(insert(table), [_to_row(table.name, r) for r in chunk])
                done += len(chunk)
                report(f"store {table.name}", done, len(records))
            summary.rows[table.name] = len(records)

    @staticmethod
    def _upsert(
        conn: Connection, table: Table, key: str, rows: Iterable[dict[str, Any]]
    ) -> None:
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

    # ----------------------------------------------------------------- queries

    def items(self, kind: ItemKind | str | None = None) -> list[Item]:
        """All items (optionally of one kind), sorted by id."""
        stmt = select(ITEMS).order_by(ITEMS.c.id)
        if kind is not None:
            stmt = stmt.where(ITEMS.c.kind == ItemKind(kind).value)
        with self.engine.connect() as conn:
            rows = conn.execute(stmt).mappings().all()
            codes = self._hs_codes(conn)
        return [_item(r, codes.get(r["id"], ())) for r in rows]

    @staticmethod
    def _hs_codes(conn: Connection) -> dict[str, tuple[str, ...]]:
        out: dict[str, list[str]] = defaultdict(list)
        for item_id, code in conn.execute(
            select(HS.c.item_id, HS.c.hs_code).order_by(HS.c.item_id, HS.c.position)
        ):
            out[item_id].append(code)
        return {k: tuple(v) for k, v in out.items()}

    def find_item(self, name: str) -> Item:
        """The item whose id, English or Japanese name matches ``name``.

        Matching ignores case, Unicode width, spaces, hyphens and underscores
        ("Rare earths" = "rare-earths" = "RAREEARTHS"). Raises
        :class:`UnknownCommodityError` with up to three close matches (rapidfuzz) otherwise.
        """
        items = self.items()
        wanted = fold_name(name)
        for attr in ("id", "name_en", "name_ja"):
            for item in items:
                if getattr(item, attr) and fold_name(getattr(item, attr)) == wanted:
                    return item
        raise UnknownCommodityError(name, _suggest(name, items))

    def _item_id(self, conn: Connection, item_id: str) -> str:
        if conn.execute(select(ITEMS.c.id).where(ITEMS.c.id == item_id)).first():
            return item_id
        return self.find_item(item_id).id

    def commodity_summary(self) -> list[dict[str, Any]]:
        """Per item: ``id``, ``name_en``, ``name_ja``, ``kind`` and ``years``, a mapping of
        each measure to the sorted years with at least one value (withheld-only or NA-only
        years are left out)."""
        with self.engine.connect() as conn:
            years: dict[str, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
            stmt = (
                select(OBS.c.item_id, OBS.c.measure, OBS.c.year)
                .where(OBS.c.value.is_not(None))
                .distinct()
            )
            for item_id, measure, year in conn.execute(stmt):
                years[item_id][measure].add(year)
            rows = conn.execute(select(ITEMS).order_by(ITEMS.c.id)).mappings().all()
        return [
            {
                "id": r["id"],
                "name_en": r["name_en"],
                "name_ja": r["name_ja"],
                "kind": r["kind"],
                "years": {k: sorted(v) for k, v in sorted(years.get(r["id"], {}).items())},
            }
            for r in rows
        ]

    def observations(
        self,
        item_id: str,
        measure: Measure | str | None = None,
        year: int | None = None,
        include_aggregates: bool = True,
    ) -> list[Observation]:
        """Observations of an item (id or name), optionally of one measure and year.

        Sorted by measure, year, source key and insertion order. Raises
        :class:`UnknownCommodityError` for an unknown item.
        """
        with self.engine.connect() as conn:
            stmt = select(OBS).where(OBS.c.item_id == self._item_id(conn, item_id))
            if measure is not None:
                stmt = stmt.where(OBS.c.measure == Measure(measure).value)
            if year is not None:
                stmt = stmt.where(OBS.c.year == year)
            if not include_aggregates:
                stmt = stmt.where(OBS.c.is_aggregate.is_(False))
            stmt = stmt.order_by(OBS.c.measure, OBS.c.year, OBS.c.source_key, OBS.c.id)
            return [_observation(r) for r in conn.execute(stmt).mappings()]

    def years(self, item_id: str, measure: Measure | str) -> list[int]:
        """Sorted years with at least one value (not only withheld or NA) of ``measure``."""
        with self.engine.connect() as conn:
            stmt = (
                select(OBS.c.year)
                .where(
                    OBS.c.item_id == self._item_id(conn, item_id),
                    OBS.c.measure == Measure(measure).value,
                    OBS.c.value.is_not(None),
                )
                .distinct()
                .order_by(OBS.c.year)
            )
            return [y for (y,) in conn.execute(stmt)]

    def sources(self, keys: Iterable[str] | None = None) -> list[Source]:
        """Sources (all, or those with the given keys), sorted by key."""
        stmt = select(SOURCES).order_by(SOURCES.c.key)
        if keys is not None:
            stmt = stmt.where(SOURCES.c.key.in_(sorted(set(keys))))
        with self.engine.connect() as conn:
            return [_source(r) for r in conn.execute(stmt).mappings()]

    def countries(self) -> list[Country]:
        """All countries with their groups, sorted by ISO alpha-3 code."""
        with self.engine.connect() as conn:
            groups = self._groups(conn)
            rows = conn.execute(select(COUNTRIES).order_by(COUNTRIES.c.iso3)).mappings().all()
        return [_country(r, groups.get(r["iso3"], ())) for r in rows]

    @staticmethod
    def _groups(conn: Connection, iso3: str | None = None) -> dict[str, tuple[str, ...]]:
        stmt = select(GROUPS.c.iso3, GROUPS.c.group_name).order_by(
            GROUPS.c.iso3, GROUPS.c.group_name
        )
        if iso3 is not None:
            stmt = stmt.where(GROUPS.c.iso3 == iso3)
        out: dict[str, list[str]] = defaultdict(list)
        for code, group in conn.execute(stmt):
            out[code].append(group)
        return {k: tuple(v) for k, v in out.items()}

    def country(self, iso3: str) -> Country:
        """The country with ISO alpha-3 code ``iso3`` (case-insensitive).

        Raises :class:`UnknownCountryError` with close matches if it is not stored.
        """
        code = iso3.strip().upper()
        with self.engine.connect() as conn:
            row = conn.execute(select(COUNTRIES).where(COUNTRIES.c.iso3 == code)).mappings()
            found = row.first()
            if found is not None:
                return _country(found, self._groups(conn, code).get(code, ()))
            names = conn.execute(select(COUNTRIES.c.iso3, COUNTRIES.c.name_en)).all()
        labels = {f"{n} ({c})": f"{n} ({c})" for c, n in names}
        labels.update({c: f"{n} ({c})" for c, n in names})
        raise UnknownCountryError(iso3, close_matches(iso3, labels))

    def resolve_country(self, name: str, *, location: Location | None = None) -> str:
        """The ISO alpha-3 code of a country given by code, name or alias.

        Every spelling of the bundled publishers is known (codes, English, official and
        Japanese names, USGS and EU CRM labels; see
        :func:`econsec.datasets.countries.resolve_country`); so are the codes and names
        of the countries stored in this knowledge base. Raises
        :class:`UnknownCountryError` (at ``location``) with close matches otherwise.
        """
        from econsec.datasets.countries import is_aggregate_label, resolve_country

        try:
            return resolve_country(name, location=location)
        except UnknownCountryError:
            if is_aggregate_label(name):
                raise
            wanted = fold_name(name)
            for c in self.countries():
                if wanted in {fold_name(n) for n in (c.iso3, c.iso2, c.name_en, c.name_ja) if n}:
                    return c.iso3
            raise

    def eu_crm_inputs(self) -> EuCrmInputs:
        """The EU CRM 2023 assessment inputs (global supply and EU sourcing shares per
        material and stage, end uses with sector value added, groupings, warnings)."""
        from econsec.datasets.eu_crm import load_eu_crm

        return load_eu_crm()

    def eu_crm_names_ja(self) -> dict[str, str]:
        """Japanese names of the EU CRM 2023 materials (material → name)."""
        from econsec.datasets.eu_crm import japanese_names

        return japanese_names()

    def group_members(self, group: str) -> list[str]:
        """ISO alpha-3 codes of the members of ``group`` (case-insensitive), sorted.

        Raises :class:`NotFoundError` listing the known groups if ``group`` is unknown.
        """
        with self.engine.connect() as conn:
            known = [g for (g,) in conn.execute(select(GROUPS.c.group_name).distinct())]
            match = [g for g in known if g.casefold() == group.strip().casefold()]
            if not match:
                raise NotFoundError(
                    f"unknown country group '{group}' (known: {', '.join(sorted(known))})"
                )
            stmt = select(GROUPS.c.iso3).where(GROUPS.c.group_name == match[0])
            return sorted(code for (code,) in conn.execute(stmt))

    def governance(self, year: int | None = None) -> dict[str, dict[str, float]]:
        """WGI estimates: ``{iso3: {dimension: estimate}}``, each the latest year ≤ ``year``
        (all years when ``year`` is None). Ties between sources go to the larger key."""
        stmt = select(GOV.c.iso3, GOV.c.dimension, GOV.c.estimate).order_by(
            GOV.c.year, GOV.c.source_key
        )
        if year is not None:
            stmt = stmt.where(GOV.c.year <= year)
        out: dict[str, dict[str, float]] = defaultdict(dict)
        with self.engine.connect() as conn:
            for iso3, dimension, estimate in conn.execute(stmt):
                out[iso3][dimension] = estimate
        return dict(out)

    def governance_scores(self, iso3: str | None = None) -> list[GovernanceScore]:
        """Stored governance scores (all years), sorted; only ``iso3``'s when given."""
        stmt = select(GOV).order_by(GOV.c.iso3, GOV.c.year, GOV.c.dimension, GOV.c.source_key)
        if iso3 is not None:
            stmt = stmt.where(GOV.c.iso3 == iso3.strip().upper())
        with self.engine.connect() as conn:
            return [
                GovernanceScore(r["iso3"], r["year"], r["dimension"], r["estimate"],
                                r["source_key"])
                for r in conn.execute(stmt).mappings()
            ]

    def trade_flows(
        self, item_id: str | None = None, importer: str | None = None
    ) -> list[TradeFlow]:
        """Trade flows, optionally of one item (id or name) and/or into one importer."""
        with self.engine.connect() as conn:
            stmt = select(FLOWS)
            if item_id is not None:
                stmt = stmt.where(FLOWS.c.item_id == self._item_id(conn, item_id))
            if importer is not None:
                stmt = stmt.where(FLOWS.c.importer == importer.upper())
            stmt = stmt.order_by(FLOWS.c.item_id, FLOWS.c.importer, FLOWS.c.year, FLOWS.c.id)
            return [_flow(r) for r in conn.execute(stmt).mappings()]

    def input_edges(self) -> list[InputEdge]:
        """All bill-of-materials edges, sorted by output then input item."""
        stmt = select(EDGES).order_by(EDGES.c.output_item, EDGES.c.input_item, EDGES.c.id)
        with self.engine.connect() as conn:
            return [_edge(r) for r in conn.execute(stmt).mappings()]

    def country_risk(self) -> list[CountryRisk]:
        """OECD country risk classifications, sorted by country and date."""
        stmt = select(RISK).order_by(RISK.c.iso3, RISK.c.valid_from, RISK.c.id)
        with self.engine.connect() as conn:
            return [
                CountryRisk(r["iso3"], r["category"], r["valid_from"], r["source_key"],
                            r["note"])
                for r in conn.execute(stmt).mappings()
            ]

    def data_version(self) -> tuple[Any, ...]:
        """A cheap fingerprint of the stored facts: rows and highest id per fact table and
        the sources' hashes. Any import (adding or replacing facts) changes it."""
        with self.engine.connect() as conn:
            parts: list[Any] = [
                tuple(conn.execute(select(func.count(), func.max(table.c.id))).one())
                for table in m.FACT_TABLES
            ]
            parts.append(tuple(conn.execute(
                select(SOURCES.c.key, SOURCES.c.sha256).order_by(SOURCES.c.key)).all()))
        return tuple(parts)

    def counts(self) -> dict[str, int]:
        """Number of rows of every table of the knowledge base."""
        with self.engine.connect() as conn:
            return {
                name: conn.execute(select(func.count()).select_from(table)).scalar_one()
                for name, table in sorted(T.items())
            }

    # ----------------------------------------------------------------- export

    def export_datapackage(self, folder: Path) -> Path:
        """Write the whole knowledge base as a Frictionless tabular data package.

        One UTF-8 CSV per table (``<table>.csv``, header row, empty cell = null, booleans
        ``true``/``false``; a text cell starting with ``= + - @``, tab or CR gets a leading
        apostrophe so that spreadsheets show it as text, and the import removes it) and
        ``datapackage.json`` with each resource's
        ``schema.fields`` (types), ``primaryKey`` and ``foreignKeys``, plus the package's
        ``sources`` and ``licenses``. Fact tables carry the store's row ``id`` as primary
        key; it is not kept on import. Returns the path of ``datapackage.json``.
        Spec: https://specs.frictionlessdata.io/data-package/
        """
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        resources = []
        with self.engine.connect() as conn:
            for name in EXPORT_ORDER:
                table = T[name]
                columns = [c for c in table.columns]
                order = [table.c[k] for k in _NATURAL_KEYS.get(name, ["id"])]
                with (folder / f"{name}.csv").open("w", encoding="utf-8", newline="") as fh:
                    writer = csv.writer(fh, lineterminator="\n")
                    writer.writerow([c.name for c in columns])
                    for row in conn.execute(select(*columns).order_by(*order)):
                        writer.writerow([csv_cell(_cell(v)) for v in row])
                resources.append(_resource(table))
            sources = self.sources()
        licences = sorted({s.licence for s in sources if s.licence})
        package = {
            "profile": "tabular-data-package",
            "name": "econsec-knowledge-base",
            "title": "econsec knowledge base",
            "description": "Value-chain knowledge base exported by econsec "
            "(schema revision 0001). Every fact row names its source in source_key.",
            "licenses": [_licence(lic) for lic in licences],
            "sources": [
                {k: v for k, v in (("title", f"{s.title} ({s.publisher}, {s.year})"),
                                   ("path", s.url)) if v}
                for s in sources
            ],
            "econsec": {"schema_revision": "0001"},
            "resources": resources,
        }
        target = folder / "datapackage.json"
        target.write_text(json.dumps(package, indent=2, ensure_ascii=False) + "\n", "utf-8")
        return target


# --------------------------------------------------------------------------- validation


def N_(message: str) -> str:
    """Mark a refusal's message id for the catalogue (translated where it is shown)."""
    return message


Record = tuple[str, dict[str, Any]]
"""What a refusal is about (a message id and its parameters: "observation #3 (…)")."""

RECORD_PROBLEM = N_("%(record)s: %(problem)s")


def _record_line(error: EconsecError, record: Record, problem: str, lang: str,
                 located: bool) -> str:
    text = translate_message(RECORD_PROBLEM, {
        "record": translate_message(record[0], record[1], lang), "problem": problem}, lang)
    where = error.location.translate(lang) if located else ""
    return f"{where}: {text}" if where else text


class RecordValidationError(ValidationError):
    """A refusal of one record of a bundle: the record, then the problem; both are
    translatable templates (English ``str`` unchanged: ``<record>: <problem>``)."""

    def __init__(self, record: Record, message: str, *, location: Location | None = None,
                 params: Mapping[str, Any] | None = None) -> None:
        self.record = record
        super().__init__(message, location=location, params=params or {})
        self.message = RECORD_PROBLEM % {"record": record[0] % record[1],
                                         "problem": self.message}
        self.args = (str(self),)

    def translate(self, lang: str, *, located: bool = True) -> str:
        problem = translate_message(self.msgid, self._fill, lang)
        return _record_line(self, self.record, problem, lang, located)


class UnknownRecordItemError(UnknownCommodityError):
    """An item id of a record that neither the bundle nor the store knows."""

    def __init__(self, record: Record, name: str, suggestions: Sequence[str], *,
                 location: Location | None = None) -> None:
        self.record = record
        super().__init__(name, suggestions, location=location)
        self.message = RECORD_PROBLEM % {"record": record[0] % record[1],
                                         "problem": ITEMS_BY_ID % {"problem": self.message}}
        self.args = (str(self),)

    def translate(self, lang: str, *, located: bool = True) -> str:
        problem = translate_message(ITEMS_BY_ID, {
            "problem": super().translate(lang, located=False)}, lang)
        return _record_line(self, self.record, problem, lang, located)


ITEMS_BY_ID = N_("%(problem)s (items are given by id)")
OBSERVATION = N_("observation #%(n)s (item '%(item)s', area '%(area)s', year %(year)s, "
                 "measure '%(measure)s', source '%(source)s')")
TRADE_FLOW = N_("trade flow #%(n)s (item '%(item)s', %(exporter)s -> %(importer)s, "
                "year %(year)s, source '%(source)s')")
EDGE = N_("bill-of-materials edge #%(n)s (%(input)s -> %(output)s, source '%(source)s')")
GOVERNANCE = N_("governance score #%(n)s (%(iso3)s, %(year)s, %(dimension)s, "
                "source '%(source)s')")
COUNTRY_RISK = N_("country risk #%(n)s (%(iso3)s, %(valid_from)s, source '%(source)s')")
ITEM = N_("item '%(item)s'")
UNKNOWN_COUNTRY = {
    "area": N_("unknown area country '%(code)s'"),
    "exporter": N_("unknown exporter country '%(code)s'"),
    "importer": N_("unknown importer country '%(code)s'"),
    "": N_("unknown country '%(code)s'"),
}
FACT_FIELDS = {"value": N_("value"), "quantity": N_("quantity"), "share": N_("share")}
ENUM_FIELDS = {"kind": N_("kind"), "service type": N_("service type"), "stage": N_("stage"),
               "measure": N_("measure")}
DUPLICATE = N_("duplicate")


def _enum_value(enum: type, value: Any, what: str) -> str:
    """The value of ``enum`` named ``value``; a :class:`ValidationError` (a template with
    parameters, without the record) for others."""
    try:
        return str(enum(value).value)
    except ValueError:
        allowed = ", ".join(e.value for e in enum)  # type: ignore[attr-defined]
        raise ValidationError(N_("unknown %(what)s '%(value)s' (allowed: %(allowed)s)"),
                              params={"what": Term(ENUM_FIELDS.get(what, what)),
                                      "value": value, "allowed": allowed}) from None


class _EnoughProblems(Exception):
    """The collecting validator has as many problems as it lists."""


class _Guard:
    """The context of :meth:`_Validator.record` (one object per validator: a large import
    checks millions of records)."""

    __slots__ = ("validator",)

    def __init__(self, validator: _Validator) -> None:
        self.validator = validator

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 _tb: Any) -> bool:
        problems = self.validator.problems
        if exc is None or problems is None or not isinstance(exc, EconsecError):
            return False
        problems.append(exc)
        if len(problems) >= self.validator.limit:
            raise _EnoughProblems from None
        return True


class _Validator:
    """Checks a bundle against itself and the stored data before anything is written."""

    def __init__(self, conn: Connection, bundle: Bundle,
                 problems: list[EconsecError] | None = None, limit: int = 100) -> None:
        self.conn = conn
        self.bundle = bundle
        self.files = {s.key: s.file for s in bundle.sources}
        #: (table, position) of the record being checked, for :meth:`fail`'s location
        self.at: tuple[str, int] | None = None
        #: None: raise the first problem; a list: collect up to ``limit`` problems (one per
        #: record), then stop with :class:`_EnoughProblems`
        self.problems = problems
        self.limit = limit
        self._guard = _Guard(self)

    def record(self, table: str | None, index: int) -> _Guard:
        """``with self.record(table, index):`` checks one record (``table`` None: a check
        of the whole bundle): its first problem is raised, or collected when the validator
        collects problems."""
        self.at = None if table is None else (table, index)
        return self._guard

    def where(self, source_key: str | None = None, column: str | None = None) -> Location:
        """The record being checked: its file line (and ``column``) where the reader knew
        it, else the file of its source."""
        if self.at is not None:
            table, index = self.at
            known = self.bundle.locations.get(table, [])
            if index < len(known) and known[index] is not None:
                found = known[index]
                return Location(found.file, found.line, column) if column else found
        file = self.files.get(source_key or "") or None
        if file is None and len(set(self.files.values())) == 1:
            file = next(iter(self.files.values())) or None
        return Location(file=file)

    def fail(self, message: str, source_key: str | None = None,
             params: dict[str, Any] | None = None,
             record: Record | None = None) -> ValidationError:
        """An error at the record being checked (:meth:`where`); ``message`` is a
        translatable template filled with ``params`` (see :class:`EconsecError`), after
        ``record`` (what the record is) where given."""
        if record is not None:
            return RecordValidationError(record, message, location=self.where(source_key),
                                         params=params)
        return ValidationError(message, location=self.where(source_key), params=params)

    def run(self) -> set[str]:
        b = self.bundle
        conn = self.conn
        stored_sources = {k for (k,) in conn.execute(select(SOURCES.c.key))}
        bundle_sources = self._unique(
            "sources", ((s.key, s) for s in b.sources),
            N_("source '%(key)s' given twice with different values"))
        for n, s in enumerate(b.sources):
            with self.record("sources", n):
                if not s.key.strip():
                    raise self.fail(N_("source with empty key (title '%(title)s')"),
                                    params={"title": s.title})
                if not isinstance(s.year, int):
                    raise self.fail(N_("source '%(key)s': year must be an integer, got %(year)s"),
                                    params={"key": s.key, "year": repr(s.year)})
        self._unique("countries", ((c.iso3, c) for c in b.countries),
                     N_("country %(key)s given twice with different values"))
        for n, c in enumerate(b.countries):
            with self.record("countries", n):
                if not _ISO3.match(c.iso3):
                    raise self.fail(N_("country '%(iso3)s' (%(name)s): not an ISO alpha-3 code"),
                                    params={"iso3": c.iso3, "name": c.name_en})
                if not c.name_en.strip():
                    raise self.fail(N_("country '%(iso3)s': English name is empty"),
                                    params={"iso3": c.iso3})
        self._unique("items", ((i.id, i) for i in b.items),
                     N_("item %(key)s given twice with different values"))
        for n, i in enumerate(b.items):
            with self.record("items", n):
                item: Record = (ITEM, {"item": i.id})
                if not i.id.strip() or not i.name_en.strip():
                    raise self.fail(N_("id and English name must not be empty"), record=item)
                try:
                    _enum_value(ItemKind, i.kind, "kind")
                    if i.service_type is not None:
                        _enum_value(ServiceType, i.service_type, "service type")
                    if i.stage is not None:
                        _enum_value(Stage, i.stage, "stage")
                except ValidationError as exc:
                    raise self.fail(exc.msgid, params=exc.params, record=item) from None
        self.at = None

        countries = {c.iso3 for c in b.countries} | {
            k for (k,) in conn.execute(select(COUNTRIES.c.iso3))
        }
        self.items = {i.id for i in b.items} | {k for (k,) in conn.execute(select(ITEMS.c.id))}
        self.item_list: list[Item] | None = None
        known_sources = set(bundle_sources) | stored_sources
        keys = set(bundle_sources)

        def check_source(key: str, what: Record) -> None:
            if key not in known_sources:
                raise self.fail(N_("unknown source '%(source)s' (not in the bundle or store)"),
                                params={"source": key}, record=what)
            keys.add(key)

        def check_country(code: str | None, what: Record, role: str, key: str) -> None:
            if code is not None and code not in countries:
                raise self.fail(UNKNOWN_COUNTRY[role], key, {"code": code}, what)

        seen: set[Any] = set()
        for n, o in enumerate(b.observations, 1):
            with self.record("observations", n - 1):
                what: Record = (OBSERVATION, {
                    "n": n, "item": o.item_id, "area": o.area, "year": o.year,
                    "measure": f"{o.measure}", "source": o.source_key})
                check_source(o.source_key, what)
                self._check_item(o.item_id, what, o.source_key)
                check_country(o.iso3, what, "area", o.source_key)
                try:
                    measure = _enum_value(Measure, o.measure, "measure")
                except ValidationError as exc:
                    raise self.fail(exc.msgid, o.source_key, exc.params, what) from None
                self._check_year(o.year, what, o.source_key)
                if not _finite(o.value):
                    raise self.fail(N_("value %(value)s is not a finite number"), o.source_key,
                                    {"value": repr(o.value)}, what)
                if not _bounded(o.value):
                    raise self.fail(N_("value %(value)s is larger in magnitude than %(limit)s"),
                                    o.source_key, {"value": repr(o.value),
                                                   "limit": f"{MAX_VALUE:g}"}, what)
                if o.value is not None and o.value < 0 and measure in NON_NEGATIVE_MEASURES:
                    raise self.fail("negative %(measure)s value %(value)s", o.source_key,
                                    {"measure": measure, "value": o.value}, what)
                key = hash((o.source_key, o.item_id, measure, o.year, o.area, o.series))
                if key in seen and self._duplicate_observation(n - 1):
                    raise self.fail(
                        N_("duplicate (same source, item, measure, year, area, series "
                           "'%(series)s')"), o.source_key, {"series": o.series}, what)
                seen.add(key)

        share_sums: dict[tuple[Any, ...], float] = {}
        for n, f in enumerate(b.trade_flows, 1):
            with self.record("trade_flows", n - 1):
                what = (TRADE_FLOW, {
                    "n": n, "item": f.item_id, "exporter": f.exporter or f.exporter_label or "?",
                    "importer": f.importer, "year": f.year, "source": f.source_key})
                check_source(f.source_key, what)
                self._check_item(f.item_id, what, f.source_key)
                check_country(f.exporter, what, "exporter", f.source_key)
                check_country(f.importer, what, "importer", f.source_key)
                self._check_year(f.year, what, f.source_key)
                for name in ("value", "quantity", "share"):
                    v = getattr(f, name)
                    if not _finite(v) or not _bounded(v) or (v is not None and v < 0):
                        raise self.fail(N_("%(field)s %(value)s must be a number from 0 to "
                                           "%(limit)s"), f.source_key,
                                        {"field": Term(FACT_FIELDS[name]), "value": repr(v),
                                         "limit": f"{MAX_VALUE:g}"}, what)
                if f.share is not None and f.share > 1:
                    raise self.fail(N_("share %(share)s is over 1 (shares are fractions 0-1)"),
                                    f.source_key, {"share": repr(f.share)}, what)
                if f.share is not None:
                    period = (f.source_key, f.item_id, f.importer, f.year, f.year_end)
                    share_sums[period] = share_sums.get(period, 0.0) + f.share
                    if share_sums[period] > 1.0 + SHARE_SUM_TOLERANCE:
                        raise self.fail(
                            N_("the import shares of %(item)s into %(importer)s for %(period)s "
                               "add up to %(sum)s by this row, more than 1"), f.source_key,
                            {"item": f.item_id, "importer": f.importer,
                             "period": f"{f.year}{'-' + str(f.year_end) if f.year_end else ''}",
                             "sum": f"{share_sums[period]:.3f}"}, what)

        seen = set()
        for n, e in enumerate(b.input_edges, 1):
            with self.record("input_edges", n - 1):
                what = (EDGE, {"n": n, "input": e.input_item, "output": e.output_item,
                               "source": e.source_key})
                check_source(e.source_key, what)
                self._check_item(e.input_item, what, e.source_key, "input_item")
                self._check_item(e.output_item, what, e.source_key, "output_item")
                q, s = e.quantity_per_unit, e.substitutability
                if not _finite(q) or not _bounded(q) or (q is not None and q < 0):
                    raise self.fail(N_("quantity per unit %(value)s must be ≥ 0"), e.source_key,
                                    {"value": repr(q)}, what)
                if not _finite(s) or (s is not None and not 0 <= s <= 1):
                    raise self.fail(N_("substitutability %(value)s must be in [0, 1]"),
                                    e.source_key, {"value": repr(s)}, what)
                key = (e.source_key, e.input_item, e.output_item)
                if key in seen:
                    raise self.fail(N_("duplicate edge"), e.source_key, {}, what)
                seen.add(key)

        seen = set()
        for n, g in enumerate(b.governance, 1):
            with self.record("governance", n - 1):
                what = (GOVERNANCE, {"n": n, "iso3": g.iso3, "year": g.year,
                                     "dimension": g.dimension, "source": g.source_key})
                check_source(g.source_key, what)
                check_country(g.iso3, what, "", g.source_key)
                self._check_year(g.year, what, g.source_key)
                if g.estimate is None or not _finite(g.estimate) or not _bounded(g.estimate):
                    raise self.fail(N_("estimate %(value)s is not a finite number"), g.source_key,
                                    {"value": repr(g.estimate)}, what)
                key = (g.source_key, g.iso3, g.year, g.dimension)
                if key in seen:
                    raise self.fail(DUPLICATE, g.source_key, {}, what)
                seen.add(key)

        seen = set()
        for n, r in enumerate(b.country_risk, 1):
            with self.record("country_risk", n - 1):
                what = (COUNTRY_RISK, {"n": n, "iso3": r.iso3, "valid_from": r.valid_from,
                                       "source": r.source_key})
                check_source(r.source_key, what)
                check_country(r.iso3, what, "", r.source_key)
                if not isinstance(r.category, int) or not 0 <= r.category <= 7:
                    raise self.fail(N_("category %(value)s must be 0-7"), r.source_key,
                                    {"value": repr(r.category)}, what)
                key = (r.source_key, r.iso3, r.valid_from)
                if key in seen:
                    raise self.fail(DUPLICATE, r.source_key, {}, what)
                seen.add(key)

        with self.record(None, 0):
            self._check_acyclic(keys)
        self.at = None
        return keys

    def _unique(self, table: str, pairs: Iterable[tuple[str, Any]],
                message: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for n, (key, record) in enumerate(pairs):
            if key in out and out[key] != record:
                with self.record(table, n):
                    raise self.fail(message, params={"key": key})
                continue
            out[key] = record
        self.at = None
        return out

    def _duplicate_observation(self, index: int) -> bool:
        """True when an earlier observation has the same key as observation ``index`` (the
        check keeps only hashes of the keys, to stay small for large files)."""
        records = self.bundle.observations

        def key(o: Observation) -> tuple[Any, ...]:
            return (o.source_key, o.item_id, Measure(o.measure), o.year, o.area, o.series)

        wanted_at = None
        for i, o in enumerate(records):
            if i == index:
                wanted_at = key(o)
                break
        return any(key(o) == wanted_at for o in itertools.islice(records, index))

    def _check_item(self, item_id: str, what: Record, source_key: str,
                    column: str = "item") -> None:
        if item_id in self.items:
            return
        if self.item_list is None:
            stored = [_item(r, ()) for r in self.conn.execute(select(ITEMS)).mappings()]
            self.item_list = [*stored, *self.bundle.items]
        raise UnknownRecordItemError(what, item_id, _suggest(item_id, self.item_list),
                                     location=self.where(source_key, column))

    def _check_year(self, year: int, what: Record, source_key: str) -> None:
        if not isinstance(year, int) or isinstance(year, bool) or not 1000 <= year <= 9999:
            raise self.fail(N_("year %(year)s is not a four-digit integer"), source_key,
                            {"year": repr(year)}, what)

    def _check_acyclic(self, replaced: set[str]) -> None:
        if not self.bundle.input_edges:
            return
        stmt = select(EDGES.c.input_item, EDGES.c.output_item)
        if replaced:
            stmt = stmt.where(EDGES.c.source_key.not_in(sorted(replaced)))
        edges = {(a, b) for a, b in self.conn.execute(stmt)}
        edges |= {(e.input_item, e.output_item) for e in self.bundle.input_edges}
        cycle = find_cycle(edges)
        if cycle:
            closing = set(itertools.pairwise(cycle))
            edges_read = list(self.bundle.input_edges)
            self.at = next(  # the last edge read closes the loop
                (("input_edges", i) for i in range(len(edges_read) - 1, -1, -1)
                 if (edges_read[i].input_item, edges_read[i].output_item) in closing),
                None,
            )
            raise CyclicBillOfMaterialsError(
                N_("the bill of materials would contain a cycle: %(cycle)s"),
                params={"cycle": " -> ".join(cycle)}, location=self.where())


def _suggest(name: str, items: Sequence[Item]) -> list[str]:
    choices: dict[str, str] = {}
    for item in items:
        for label in (item.id, item.name_en, item.name_ja):
            if label:
                choices.setdefault(fold_name(label), item.id)
    return close_matches(fold_name(name), choices)


# --------------------------------------------------------------------------- conversions


def _source_row(s: Source) -> dict[str, Any]:
    return {
        "key": s.key, "publisher": s.publisher, "title": s.title, "year": s.year,
        "licence": s.licence, "url": s.url, "file": s.file, "sha256": s.sha256,
        "citation": s.citation,
    }


def _source(r: Mapping[str, Any]) -> Source:
    return Source(**{k: r[k] for k in (
        "key", "publisher", "title", "year", "licence", "url", "file", "sha256", "citation")})


def _country_row(c: Country) -> dict[str, Any]:
    return {"iso3": c.iso3, "iso2": c.iso2, "numeric": c.numeric, "name_en": c.name_en,
            "name_ja": c.name_ja}


def _country(r: Mapping[str, Any], groups: tuple[str, ...]) -> Country:
    return Country(r["iso3"], r["iso2"], r["numeric"], r["name_en"], r["name_ja"], groups)


def _item_row(i: Item) -> dict[str, Any]:
    return {
        "id": i.id, "kind": ItemKind(i.kind).value, "name_en": i.name_en, "name_ja": i.name_ja,
        "service_type": ServiceType(i.service_type).value if i.service_type else None,
        "domain": i.domain, "stage": Stage(i.stage).value if i.stage else None,
    }


def _item(r: Mapping[str, Any], codes: tuple[str, ...]) -> Item:
    return Item(
        id=r["id"], kind=ItemKind(r["kind"]), name_en=r["name_en"], name_ja=r["name_ja"],
        service_type=ServiceType(r["service_type"]) if r["service_type"] else None,
        hs_codes=codes, domain=r["domain"], stage=Stage(r["stage"]) if r["stage"] else None,
    )


_OBS_FIELDS = ("item_id", "area", "iso3", "is_aggregate", "year", "measure", "value", "unit",
               "source_key", "is_estimate", "withheld", "value_raw", "series", "note")


def _observation_row(o: Observation) -> dict[str, Any]:
    row = {k: getattr(o, k) for k in _OBS_FIELDS}
    row["measure"] = Measure(o.measure).value
    row["value"] = None if o.value is None else float(o.value)
    return row


def _observation(r: Mapping[str, Any]) -> Observation:
    values = {k: r[k] for k in _OBS_FIELDS}
    values["measure"] = Measure(r["measure"])
    values["is_aggregate"] = bool(r["is_aggregate"])
    values["is_estimate"] = bool(r["is_estimate"])
    values["withheld"] = bool(r["withheld"])
    return Observation(**values)


_FLOW_FIELDS = ("item_id", "exporter", "importer", "year", "source_key", "value", "quantity",
                "unit", "share", "exporter_label", "year_end")


def _flow_row(f: TradeFlow) -> dict[str, Any]:
    return {k: getattr(f, k) for k in _FLOW_FIELDS}


def _flow(r: Mapping[str, Any]) -> TradeFlow:
    return TradeFlow(**{k: r[k] for k in _FLOW_FIELDS})


_EDGE_FIELDS = ("input_item", "output_item", "source_key", "quantity_per_unit", "unit",
                "substitutability")


def _edge_row(e: InputEdge) -> dict[str, Any]:
    return {k: getattr(e, k) for k in _EDGE_FIELDS}


def _edge(r: Mapping[str, Any]) -> InputEdge:
    return InputEdge(**{k: r[k] for k in _EDGE_FIELDS})


def _governance_row(g: GovernanceScore) -> dict[str, Any]:
    return {"iso3": g.iso3, "year": g.year, "dimension": g.dimension,
            "estimate": float(g.estimate), "source_key": g.source_key}


def _risk_row(r: CountryRisk) -> dict[str, Any]:
    return {"iso3": r.iso3, "category": r.category, "valid_from": r.valid_from,
            "note": r.note, "source_key": r.source_key}


# --------------------------------------------------------------------------- data package

_LICENCE_IDS = {
    "cc by 4.0": ("CC-BY-4.0", "https://creativecommons.org/licenses/by/4.0/"),
    "cc-by-4.0": ("CC-BY-4.0", "https://creativecommons.org/licenses/by/4.0/"),
    "cc0": ("CC0-1.0", "https://creativecommons.org/publicdomain/zero/1.0/"),
    "cc0 1.0": ("CC0-1.0", "https://creativecommons.org/publicdomain/zero/1.0/"),
    "public domain": ("other-pd", ""),
}


def _licence(text: str) -> dict[str, str]:
    known = _LICENCE_IDS.get(text.strip().casefold())
    if known:
        name, path = known
        return {k: v for k, v in (("name", name), ("path", path), ("title", text)) if v}
    slug = re.sub(r"[^a-z0-9.]+", "-", text.casefold()).strip("-") or "unspecified"
    return {"name": slug, "title": text}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _field_type(column: Any) -> str:
    if isinstance(column.type, Boolean):
        return "boolean"
    if isinstance(column.type, Integer):
        return "integer"
    if isinstance(column.type, Float):
        return "number"
    return "string"


def _resource(table: Table) -> dict[str, Any]:
    fields = []
    for column in table.columns:
        entry: dict[str, Any] = {"name": column.name, "type": _field_type(column)}
        if column.doc:
            entry["description"] = column.doc
        if not column.nullable and _field_type(column) != "string":
            entry["constraints"] = {"required": True}
        fields.append(entry)
    foreign = [
        {
            "fields": [e.parent.name for e in fk.elements],
            "reference": {
                "resource": fk.referred_table.name,
                "fields": [e.column.name for e in fk.elements],
            },
        }
        for fk in sorted(table.foreign_key_constraints, key=lambda f: f.column_keys)
    ]
    schema: dict[str, Any] = {
        "fields": fields,
        "primaryKey": _NATURAL_KEYS.get(table.name, ["id"]),
        "missingValues": [""],
    }
    if foreign:
        schema["foreignKeys"] = foreign
    return {
        "name": table.name,
        "path": f"{table.name}.csv",
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "schema": schema,
    }
