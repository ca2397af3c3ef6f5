"""Checks of a bundle against itself and the stored data, before anything is written.

:func:`check_bundle` raises the first problem (an import, a dry run);
:func:`collect_problems` lists every problem, one per record, up to a limit (the preview).
Each check is one method of :class:`Validator` per kind of record; a refusal names the
record ("observation #3 (item 'lithium', …)") and is located at the record's file line
where the reader knew it. Messages are translatable templates.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, func, select

from econsec.errors import (
    CyclicBillOfMaterialsError,
    EconsecError,
    Location,
    Term,
    ValidationError,
)
from econsec.kb.models import COUNTRIES, FACT_TABLES, INPUT_EDGES, ITEMS, SOURCES
from econsec.kb.refusals import (
    COUNTRY_RISK,
    DUPLICATE,
    EDGE,
    FACT_FIELDS,
    GOVERNANCE,
    ITEM,
    N_,
    OBSERVATION,
    PRODUCT_FLOW,
    TRADE_FLOW,
    UNKNOWN_COUNTRY,
    Record,
    RecordValidationError,
    UnknownRecordItemError,
    enum_value,
)
from econsec.kb.rows import BUNDLE_FIELD, fact_row, item_from, row_key
from econsec.records import (
    HS_VERSIONS,
    PRODUCT_STAGES,
    Bundle,
    FlowTable,
    Item,
    ItemKind,
    Measure,
    Observation,
    ServiceType,
    Stage,
)
from econsec.suggest import close_matches, fold_name

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

MAX_VALUE = 1e15
"""Largest magnitude of a stored number (values, quantities, estimates) in its unit."""


def _finite(value: float | None) -> bool:
    return value is None or (isinstance(value, int | float) and math.isfinite(value))


def _bounded(value: float | None) -> bool:
    return value is None or abs(value) <= MAX_VALUE


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



def check_bundle(conn: Connection, bundle: Bundle, *, replace: bool) -> set[str]:
    """Every check of an import (the validator, then, unless ``replace``, the refusal to
    change a stored source); returns the source keys the bundle covers."""
    keys = Validator(conn, bundle).run()
    if not replace:
        refuse_changed_sources(conn, bundle, keys)
    return keys


def stored_sources(conn: Connection, keys: set[str]) -> set[str]:
    """The source keys of ``keys`` the sources table holds (only they can have facts)."""
    if not keys:
        return set()
    return set(conn.execute(select(SOURCES.c.key).where(SOURCES.c.key.in_(sorted(keys))))
               .scalars())


def refuse_changed_sources(conn: Connection, bundle: Bundle, keys: set[str]) -> None:
    """Raise when importing ``bundle`` would change the stored facts of a source (at the
    line of the source's first record in the file)."""
    from econsec.kb.write import stored_rows_equal

    files = {s.key: s.file for s in bundle.sources}
    # a source not yet in the sources table has no stored facts (foreign keys): its keys
    # are not looked up in the fact tables (trade_flows has no index on source_key)
    keys = stored_sources(conn, keys)
    # a bulk-loaded source stored exactly so is unchanged (compared row by row, cheaply)
    bulk = {t.source_key for t in bundle.flow_tables}
    same = {t.source_key for t in bundle.flow_tables
            if not any(f.source_key == t.source_key for f in bundle.trade_flows)
            and [u.source_key for u in bundle.flow_tables].count(t.source_key) == 1
            and stored_rows_equal(conn, t)}
    for table in FACT_TABLES:
        columns = [c.name for c in table.columns if c.name != "id"]
        field_name = BUNDLE_FIELD.get(table.name)
        records = getattr(bundle, field_name) if field_name else []
        for key in sorted(keys):
            if key in same:
                continue
            if key in bulk and table.name == "trade_flows":
                stored_count = conn.execute(select(func.count()).where(
                    table.c.source_key == key)).scalar() or 0
                new_count = sum(len(t) for t in bundle.flow_tables if t.source_key == key) + sum(
                    1 for f in bundle.trade_flows if f.source_key == key)
                if stored_count:
                    raise ValidationError(
                        "source '%(source)s' is already in the knowledge base with %(stored)s "
                        "%(table)s and this import would replace them with %(new)s: import "
                        "with --replace (replace=True) to do so, or give the data a source of "
                        "its own", params={"source": key, "stored": stored_count,
                                           "table": "trade flows", "new": new_count},
                        location=Location(file=files.get(key) or None))
                continue
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
                    new.append(fact_row(table.name, r))
            before = sorted((row_key(r, columns) for r in stored), key=repr)
            after = sorted((row_key(r, columns) for r in new), key=repr)
            if before != after:
                known: Sequence[Location | None] = bundle.locations.get(field_name or "", [])
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



def collect_problems(conn: Connection, bundle: Bundle, *, replace: bool, complete: bool,
                     limit: int) -> list[EconsecError]:
    """Every problem :func:`check_bundle` would raise, at most ``limit`` (one per record,
    in the order the checks run). ``complete=False``: the check that a source's stored
    facts would change is left out."""
    problems: list[EconsecError] = []
    try:
        keys = Validator(conn, bundle, problems, limit).run()
        if complete and not replace and not problems:
            refuse_changed_sources(conn, bundle, keys)
    except EnoughProblems:
        pass
    except EconsecError as exc:
        problems.append(exc)
    return problems


class EnoughProblems(Exception):
    """The collecting validator has as many problems as it lists."""


class _Guard:
    """The context of :meth:`Validator.record` (one object per validator: a large import
    checks millions of records)."""

    __slots__ = ("validator",)

    def __init__(self, validator: Validator) -> None:
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
            raise EnoughProblems from None
        return True


class Validator:
    """Checks a bundle against itself and the stored data before anything is written."""

    def __init__(self, conn: Connection, bundle: Bundle,
                 problems: list[EconsecError] | None = None, limit: int = 100) -> None:
        self.conn = conn
        self.bundle = bundle
        self.files = {s.key: s.file for s in bundle.sources}
        #: (table, position) of the record being checked, for :meth:`fail`'s location
        self.at: tuple[str, int] | None = None
        #: None: raise the first problem; a list: collect up to ``limit`` problems (one per
        #: record), then stop with :class:`EnoughProblems`
        self.problems = problems
        self.limit = limit
        self._guard = _Guard(self)
        #: what facts may refer to (filled by the reference checks)
        self.countries: set[str] = set()
        self.items: set[str] = set()
        self.item_list: list[Item] | None = None
        self.known_sources: set[str] = set()
        #: the source keys the bundle covers
        self.keys: set[str] = set()

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
            known: Sequence[Location | None] = self.bundle.locations.get(table, [])
            found = known[index] if index < len(known) else None
            if found is not None:
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
        """Every check, in order: references (sources, countries, items), then the facts
        of each table, then the bill of materials as a whole; returns the source keys the
        bundle covers."""
        self._check_references()
        self._check_observations()
        self._check_trade_flows()
        self._check_flow_tables()
        self._check_commodity_products()
        self._check_input_edges()
        self._check_governance()
        self._check_country_risk()
        with self.record(None, 0):
            self._check_acyclic(self.keys)
        self.at = None
        return self.keys

    def _check_references(self) -> None:
        """Sources, countries and items of the bundle; then what the facts may refer to."""
        b, conn = self.bundle, self.conn
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
                    enum_value(ItemKind, i.kind, "kind")
                    if i.service_type is not None:
                        enum_value(ServiceType, i.service_type, "service type")
                    if i.stage is not None:
                        enum_value(Stage, i.stage, "stage")
                except ValidationError as exc:
                    raise self.fail(exc.msgid, params=exc.params, record=item) from None
        self.at = None

        self.countries = {c.iso3 for c in b.countries} | {
            k for (k,) in conn.execute(select(COUNTRIES.c.iso3))
        }
        self.items = {i.id for i in b.items} | {k for (k,) in conn.execute(select(ITEMS.c.id))}
        self.item_list = None
        self.known_sources = set(bundle_sources) | stored_sources
        self.keys = set(bundle_sources)

    def _check_source(self, key: str, what: Record) -> None:
        if key not in self.known_sources:
            raise self.fail(N_("unknown source '%(source)s' (not in the bundle or store)"),
                            params={"source": key}, record=what)
        self.keys.add(key)

    def _check_country(self, code: str | None, what: Record, role: str, key: str) -> None:
        if code is not None and code not in self.countries:
            raise self.fail(UNKNOWN_COUNTRY[role], key, {"code": code}, what)

    def _check_observations(self) -> None:
        seen: set[Any] = set()
        for n, o in enumerate(self.bundle.observations, 1):
            with self.record("observations", n - 1):
                what: Record = (OBSERVATION, {
                    "n": n, "item": o.item_id, "area": o.area, "year": o.year,
                    "measure": f"{o.measure}", "source": o.source_key})
                self._check_source(o.source_key, what)
                self._check_item(o.item_id, what, o.source_key)
                self._check_country(o.iso3, what, "area", o.source_key)
                try:
                    measure = enum_value(Measure, o.measure, "measure")
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

    def _check_trade_flows(self) -> None:
        share_sums: dict[tuple[Any, ...], float] = {}
        products: dict[tuple[Any, ...], int] = {}
        for n, f in enumerate(self.bundle.trade_flows, 1):
            with self.record("trade_flows", n - 1):
                what: Record = (TRADE_FLOW, {
                    "n": n, "item": f.item_id, "exporter": f.exporter or f.exporter_label or "?",
                    "importer": f.importer, "year": f.year, "source": f.source_key})
                if f.hs_code is not None or f.item_id is None:
                    what = (PRODUCT_FLOW, {
                        "n": n, "hs": f.hs_code, "version": f.hs_version,
                        "exporter": f.exporter or f.exporter_label or "?",
                        "importer": f.importer, "year": f.year, "source": f.source_key})
                self._check_source(f.source_key, what)
                if f.hs_code is not None or f.item_id is None:
                    self._check_product(f.hs_code, f.hs_version, what, f.source_key)
                    if f.item_id is not None:
                        raise self.fail(N_("a flow names an item or a product, not both"),
                                        f.source_key, {}, what)
                    product = (f.source_key, f.exporter, f.importer, f.hs_code, f.hs_version,
                               f.year)
                    if product in products:
                        raise self.fail(N_("duplicate of product flow #%(row)s (same "
                                           "exporter, importer, HS code and year)"),
                                        f.source_key, {"row": products[product]}, what)
                    products[product] = n
                else:
                    self._check_item(f.item_id, what, f.source_key)
                self._check_country(f.exporter, what, "exporter", f.source_key)
                self._check_country(f.importer, what, "importer", f.source_key)
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

    def _check_product(self, code: str | None, version: str | None, what: Record,
                       source_key: str) -> None:
        if code is None or not (len(code) == 6 and code.isdigit()):
            raise self.fail(N_("HS code '%(code)s' is not 6 digits"), source_key,
                            {"code": code or ""}, what)
        if version not in HS_VERSIONS:
            raise self.fail(N_("unknown HS version '%(version)s' (known: %(known)s)"),
                            source_key, {"version": version or "",
                                         "known": ", ".join(HS_VERSIONS)}, what)

    def _check_flow_tables(self) -> None:
        """Product flows loaded in bulk: each column checked at once; a refusal names the
        first bad row (its file line where known, else its row number)."""
        for table in self.bundle.flow_tables:
            self._check_flow_table(table)

    def _check_flow_table(self, t: FlowTable) -> None:
        n = len(t)

        def row_at(i: int, column: str) -> tuple[Record, Location]:
            line = int(t.lines[i]) if t.lines is not None and i < len(t.lines) else i + 1
            what: Record = (PRODUCT_FLOW, {
                "n": i + 1, "hs": t.hs_code[i], "version": t.hs_version,
                "exporter": t.exporter[i], "importer": t.importer[i], "year": t.year[i],
                "source": t.source_key})
            return what, Location(t.file or self.files.get(t.source_key) or None, line, column)

        def refuse(i: int, column: str, message: str, params: dict[str, Any]) -> None:
            what, where = row_at(i, column)
            error = RecordValidationError(what, message, location=where, params=params)
            if self.problems is None:
                raise error
            self.problems.append(error)
            if len(self.problems) >= self.limit:
                raise EnoughProblems

        lengths = {len(c) for c in (t.importer, t.hs_code, t.year, t.value, t.quantity)}
        if lengths - {n}:
            raise ValidationError(N_("the columns of the product flows of '%(source)s' "
                                     "differ in length"), params={"source": t.source_key})
        if n == 0:
            return
        if t.source_key not in self.known_sources:
            refuse(0, "source", N_("unknown source '%(source)s' (not in the bundle or store)"),
                   {"source": t.source_key})
            return
        self.keys.add(t.source_key)
        if t.hs_version not in HS_VERSIONS:
            refuse(0, "hs_version", N_("unknown HS version '%(version)s' (known: %(known)s)"),
                   {"version": t.hs_version, "known": ", ".join(HS_VERSIONS)})
            return
        for codes, role in ((t.exporter, "exporter"), (t.importer, "importer")):
            unknown = set(codes) - self.countries
            if unknown:
                for i, code in enumerate(codes):
                    if code in unknown:
                        refuse(i, role, UNKNOWN_COUNTRY[role], {"code": code})
                        if self.problems is None:
                            return
                        unknown.discard(code)
                        if not unknown:
                            break
        bad_codes = {c for c in set(t.hs_code)
                     if not (isinstance(c, str) and len(c) == 6 and c.isdigit())}
        for i, code in enumerate(t.hs_code):
            if code in bad_codes:
                refuse(i, "hs_code", N_("HS code '%(code)s' is not 6 digits"),
                       {"code": "" if code is None else code})
                bad_codes.discard(code)
                if not bad_codes:
                    break
        bad_years = {y for y in set(t.year) if not isinstance(y, int) or isinstance(y, bool)
                     or not 1000 <= y <= 9999}
        for i, year in enumerate(t.year):
            if year in bad_years:
                refuse(i, "year", N_("year %(year)s is not a four-digit integer"),
                       {"year": repr(year)})
                bad_years.discard(year)
                if not bad_years:
                    break
        numbers: tuple[tuple[str, Sequence[float | None]], ...] = (
            ("value", t.value), ("quantity", t.quantity))
        for name, column in numbers:
            # NaN fails both comparisons; None (not given) is allowed
            if all(v is None or 0 <= v <= MAX_VALUE for v in column):
                continue
            for i, v in enumerate(column):
                if v is not None and not (isinstance(v, int | float) and 0 <= v <= MAX_VALUE):
                    refuse(i, name, N_("%(field)s %(value)s must be a number from 0 to "
                                       "%(limit)s"),
                           {"field": Term(FACT_FIELDS[name]), "value": repr(v),
                            "limit": f"{MAX_VALUE:g}"})
                    if self.problems is None:
                        return
        if n <= 200_000:  # a user's file: refuse a flow given twice
            seen: dict[tuple[Any, ...], int] = {}
            for i, key in enumerate(zip(t.exporter, t.importer, t.hs_code, t.year,
                                        strict=True)):
                if key in seen:
                    refuse(i, "hs_code", N_("duplicate of row %(row)s (same exporter, "
                                            "importer, HS code and year)"),
                           {"row": row_at(seen[key], "")[1].line})
                else:
                    seen[key] = i

    def _check_commodity_products(self) -> None:
        seen: set[tuple[str, str, str]] = set()
        for n, p in enumerate(self.bundle.commodity_products):
            with self.record("commodity_products", n):
                what: Record = (ITEM, {"item": p.item_id})
                self._check_source(p.source_key, what)
                self._check_item(p.item_id, what, p.source_key)
                self._check_product(p.hs_code, p.hs_version, what, p.source_key)
                if p.stage and p.stage not in PRODUCT_STAGES:
                    raise self.fail(N_("unknown %(what)s '%(value)s' (allowed: %(allowed)s)"),
                                    p.source_key, {"what": Term("stage"), "value": p.stage,
                                                   "allowed": ", ".join(PRODUCT_STAGES)},
                                    what)
                if p.eol_rir is not None and not (_finite(p.eol_rir) and 0 <= p.eol_rir <= 1):
                    raise self.fail(N_("EoL-RIR %(value)s must be in [0, 1]"), p.source_key,
                                    {"value": repr(p.eol_rir)}, what)
                key = (p.item_id, p.hs_code, p.hs_version)
                if key in seen:
                    raise self.fail(DUPLICATE, p.source_key, {}, what)
                seen.add(key)

    def _check_input_edges(self) -> None:
        seen: set[tuple[str, str, str]] = set()
        for n, e in enumerate(self.bundle.input_edges, 1):
            with self.record("input_edges", n - 1):
                what: Record = (EDGE, {"n": n, "input": e.input_item, "output": e.output_item,
                                       "source": e.source_key})
                self._check_source(e.source_key, what)
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

    def _check_governance(self) -> None:
        seen: set[tuple[str, str, int, str]] = set()
        for n, g in enumerate(self.bundle.governance, 1):
            with self.record("governance", n - 1):
                what: Record = (GOVERNANCE, {"n": n, "iso3": g.iso3, "year": g.year,
                                             "dimension": g.dimension, "source": g.source_key})
                self._check_source(g.source_key, what)
                self._check_country(g.iso3, what, "", g.source_key)
                self._check_year(g.year, what, g.source_key)
                if g.estimate is None or not _finite(g.estimate) or not _bounded(g.estimate):
                    raise self.fail(N_("estimate %(value)s is not a finite number"), g.source_key,
                                    {"value": repr(g.estimate)}, what)
                key = (g.source_key, g.iso3, g.year, g.dimension)
                if key in seen:
                    raise self.fail(DUPLICATE, g.source_key, {}, what)
                seen.add(key)

    def _check_country_risk(self) -> None:
        seen: set[tuple[str, str, str]] = set()
        for n, r in enumerate(self.bundle.country_risk, 1):
            with self.record("country_risk", n - 1):
                what: Record = (COUNTRY_RISK, {"n": n, "iso3": r.iso3,
                                               "valid_from": r.valid_from,
                                               "source": r.source_key})
                self._check_source(r.source_key, what)
                self._check_country(r.iso3, what, "", r.source_key)
                if not isinstance(r.category, int) or not 0 <= r.category <= 7:
                    raise self.fail(N_("category %(value)s must be 0-7"), r.source_key,
                                    {"value": repr(r.category)}, what)
                key = (r.source_key, r.iso3, r.valid_from)
                if key in seen:
                    raise self.fail(DUPLICATE, r.source_key, {}, what)
                seen.add(key)

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
            stored = [item_from(r, ()) for r in self.conn.execute(select(ITEMS)).mappings()]
            self.item_list = [*stored, *self.bundle.items]
        raise UnknownRecordItemError(what, item_id, suggest_items(item_id, self.item_list),
                                     location=self.where(source_key, column))

    def _check_year(self, year: int, what: Record, source_key: str) -> None:
        if not isinstance(year, int) or isinstance(year, bool) or not 1000 <= year <= 9999:
            raise self.fail(N_("year %(year)s is not a four-digit integer"), source_key,
                            {"year": repr(year)}, what)

    def _check_acyclic(self, replaced: set[str]) -> None:
        if not self.bundle.input_edges:
            return
        stmt = select(INPUT_EDGES.c.input_item, INPUT_EDGES.c.output_item)
        if replaced:
            stmt = stmt.where(INPUT_EDGES.c.source_key.not_in(sorted(replaced)))
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


def suggest_items(name: str, items: Sequence[Item]) -> list[str]:
    choices: dict[str, str] = {}
    for item in items:
        for label in (item.id, item.name_en, item.name_ja):
            if label:
                choices.setdefault(fold_name(label), item.id)
    return close_matches(fold_name(name), choices)
