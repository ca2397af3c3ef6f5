"""The knowledge base: import bundles, query records (:class:`Store`, :func:`open_store`).

:func:`open_store` takes a SQLAlchemy URL (``sqlite:///path`` by default, or
``postgresql+psycopg://…``), creates the folder of a SQLite file, brings the schema to the
newest Alembic revision (:mod:`econsec.kb.engine`) and returns a :class:`Store`.

:meth:`Store.import_bundle` checks a whole :class:`~econsec.records.Bundle` first
(:mod:`econsec.kb.validate`) and then writes it in ONE transaction, all or nothing
(:mod:`econsec.kb.write`). Re-importing a source key replaces that source's facts, so
importing the same bundle twice leaves the database unchanged.

Queries return the plain records of :mod:`econsec.records`, never rows; the read methods
are those of :class:`econsec.kb.protocol.KnowledgeBase`.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, and_, func, or_, select
from sqlalchemy.exc import SQLAlchemyError

from econsec.errors import (
    EconsecError,
    Location,
    NotFoundError,
    StoreError,
    UnknownCommodityError,
    UnknownCountryError,
    UnknownProductError,
)
from econsec.kb import models as m
from econsec.kb.engine import open_engine, sql_reason
from econsec.kb.models import (
    COUNTRIES,
    COUNTRY_GROUPS,
    COUNTRY_RISK,
    GOVERNANCE_SCORES,
    INPUT_EDGES,
    ITEM_HS_CODES,
    ITEMS,
    OBSERVATIONS,
    SOURCES,
    TRADE_FLOWS,
)
from econsec.kb.refusals import N_
from econsec.kb.rows import (
    country_from,
    edge_from,
    flow_from,
    item_from,
    observation_from,
    source_from,
)
from econsec.kb.validate import check_bundle, collect_problems, suggest_items
from econsec.kb.write import ImportSummary, ProgressCallback, write_bundle
from econsec.records import (
    Bundle,
    CommodityProduct,
    Country,
    CountryRisk,
    GovernanceScore,
    InputEdge,
    Item,
    ItemKind,
    Measure,
    Observation,
    ProductInfo,
    Source,
    TradeFlow,
)
from econsec.suggest import close_matches, fold_name

if TYPE_CHECKING:
    from econsec.datasets.ember import GenerationYear
    from econsec.datasets.eu_crm import EuCrmInputs
    from econsec.datasets.launches import Launch
    from econsec.datasets.nsf_sei import SeiData

#: Short names of the tables the queries read.
OBS, FLOWS, EDGES = OBSERVATIONS, TRADE_FLOWS, INPUT_EDGES
GOV, RISK, HS, GROUPS = GOVERNANCE_SCORES, COUNTRY_RISK, ITEM_HS_CODES, COUNTRY_GROUPS

__all__ = ["ImportSummary", "ProgressCallback", "Store", "open_store"]


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
                keys = check_bundle(conn, bundle, replace=replace)
                summary.source_keys = sorted(keys)
                write_bundle(conn, bundle, keys, summary, report)
        except EconsecError:
            raise
        except SQLAlchemyError as exc:
            raise StoreError(N_("import failed, nothing was written: %(reason)s"),
                             params={"reason": sql_reason(exc)}) from exc
        summary.seconds = round(time.perf_counter() - started, 3)
        return summary

    def check_bundle(self, bundle: Bundle, *, replace: bool = False) -> None:
        """Run every check :meth:`import_bundle` runs, write nothing (a dry run).

        Raises the same errors, located at the offending record's line where the reader
        knew it; returns ``None`` when the bundle would import.
        """
        try:
            with self.engine.connect() as conn:
                check_bundle(conn, bundle, replace=replace)
                conn.rollback()
        except EconsecError:
            raise
        except SQLAlchemyError as exc:
            raise StoreError(N_("cannot check the import: %(reason)s"),
                             params={"reason": sql_reason(exc)}) from exc

    def bundle_problems(self, bundle: Bundle, *, replace: bool = False, complete: bool = True,
                        limit: int = 100) -> list[EconsecError]:
        """Every problem :meth:`check_bundle` would raise, at most ``limit`` (one per
        record, in the order the checks run); nothing is written. ``complete=False``: the
        bundle is what is left of a file after the rows the reader refused, so the check
        that a source's stored facts would change is left out."""
        try:
            with self.engine.connect() as conn:
                problems = collect_problems(conn, bundle, replace=replace, complete=complete,
                                            limit=limit)
                conn.rollback()
        except SQLAlchemyError as exc:
            raise StoreError(N_("cannot check the import: %(reason)s"),
                             params={"reason": sql_reason(exc)}) from exc
        return problems

    # ----------------------------------------------------------------- queries

    def items(self, kind: ItemKind | str | None = None) -> list[Item]:
        """All items (optionally of one kind), sorted by id."""
        stmt = select(ITEMS).order_by(ITEMS.c.id)
        if kind is not None:
            stmt = stmt.where(ITEMS.c.kind == ItemKind(kind).value)
        with self.engine.connect() as conn:
            rows = conn.execute(stmt).mappings().all()
            codes = self._hs_codes(conn)
        return [item_from(r, codes.get(r["id"], ())) for r in rows]

    @staticmethod
    def _hs_codes(conn: Connection) -> dict[str, tuple[str, ...]]:
        """The items' own HS 2022 codes (not the trade crosswalk's links)."""
        out: dict[str, list[str]] = defaultdict(list)
        for item_id, code in conn.execute(
            select(HS.c.item_id, HS.c.hs_code).where(HS.c.source_key.is_(None))
            .order_by(HS.c.item_id, HS.c.position)
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
        raise UnknownCommodityError(name, suggest_items(name, items))

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
            return [observation_from(r) for r in conn.execute(stmt).mappings()]

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
            return [source_from(r) for r in conn.execute(stmt).mappings()]

    def countries(self) -> list[Country]:
        """All countries with their groups, sorted by ISO alpha-3 code."""
        with self.engine.connect() as conn:
            groups = self._groups(conn)
            rows = conn.execute(select(COUNTRIES).order_by(COUNTRIES.c.iso3)).mappings().all()
        return [country_from(r, groups.get(r["iso3"], ())) for r in rows]

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
                return country_from(found, self._groups(conn, code).get(code, ()))
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

    def electricity_generation(self, iso3: str) -> list[GenerationYear]:
        """Ember electricity generation of a country (ISO alpha-3) by year and source (TWh),
        years ascending; empty when Ember has none (read from the bundled file, once per
        process)."""
        from econsec.datasets.ember import generation

        return generation(iso3)

    def orbital_launches(self) -> list[Launch]:
        """Every orbital launch attempt of the bundled launch log (JSR, 1957-2024; read
        once per process)."""
        from econsec.datasets.launches import bundled_launches

        return bundled_launches()

    def technology_indicators(self) -> SeiData:
        """The NSF NCSES patent and article tables by field and country (read from the
        bundled files once per process)."""
        from econsec.datasets.nsf_sei import load_sei

        return load_sei()

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
        """Item-level trade flows, optionally of one item (id or name) and/or into one
        importer (product flows: :meth:`product_flows`)."""
        with self.engine.connect() as conn:
            stmt = select(FLOWS).where(FLOWS.c.item_id.is_not(None))
            if item_id is not None:
                stmt = stmt.where(FLOWS.c.item_id == self._item_id(conn, item_id))
            if importer is not None:
                stmt = stmt.where(FLOWS.c.importer == importer.upper())
            stmt = stmt.order_by(FLOWS.c.item_id, FLOWS.c.importer, FLOWS.c.year, FLOWS.c.id)
            return [flow_from(r) for r in conn.execute(stmt).mappings()]

    # ------------------------------------------------------------ product trade

    def product_flows(
        self,
        hs_code: str,
        *,
        hs_version: str | None = None,
        importer: str | None = None,
        exporter: str | None = None,
        year: int | None = None,
        years: tuple[int, int] | None = None,
        source_key: str | None = None,
    ) -> list[TradeFlow]:
        """Product flows of HS code ``hs_code`` (dots and spaces ignored), optionally into
        ``importer``, from ``exporter`` (ISO alpha-3), in ``year`` or in the inclusive
        range ``years``, of one source (countries by code or name).

        One HS edition per year: ``hs_version`` when given; else, for each year, the
        edition whose flows of this code cover the most years (the series: HS92 for the
        BACI 1995-2024 codes), another edition only for the years that one lacks (HS17
        for 2024-only lines such as 850511); ties go to the newer edition. Sorted by year,
        importer, exporter, source. Raises :class:`UnknownProductError` (with close
        codes) when no flow of the code is stored, :class:`UnknownCountryError` for an
        unknown country.
        """
        from econsec.kb.trade import choose_versions, normalise_code

        code = normalise_code(hs_code)
        with self.engine.connect() as conn:
            spans = self._product_years(conn, code)
            if not spans:
                raise self._unknown_product(conn, hs_code)
            chosen = choose_versions(spans, hs_version, code)
            stmt = select(FLOWS).where(FLOWS.c.hs_code == code)
            if importer is not None:
                stmt = stmt.where(FLOWS.c.importer == self._iso3(conn, importer))
            if exporter is not None:
                stmt = stmt.where(FLOWS.c.exporter == self._iso3(conn, exporter))
            if year is not None:
                chosen = {y: v for y, v in chosen.items() if y == year}
            if years is not None:
                chosen = {y: v for y, v in chosen.items() if years[0] <= y <= years[1]}
            if not chosen:
                return []
            by_version: dict[str, list[int]] = defaultdict(list)
            for y, v in sorted(chosen.items()):
                by_version[v].append(y)
            stmt = stmt.where(or_(*(
                and_(FLOWS.c.hs_version == v, FLOWS.c.year.between(min(ys), max(ys)))
                if len(ys) == max(ys) - min(ys) + 1
                else and_(FLOWS.c.hs_version == v, FLOWS.c.year.in_(ys))
                for v, ys in by_version.items())))
            if source_key is not None:
                stmt = stmt.where(FLOWS.c.source_key == source_key)
            stmt = stmt.order_by(FLOWS.c.year, FLOWS.c.importer, FLOWS.c.exporter,
                                 FLOWS.c.source_key, FLOWS.c.id)
            return [flow_from(r) for r in conn.execute(stmt).mappings()]

    def product_flow_rows(
        self, hs_codes: Iterable[str], hs_versions: Iterable[str], years: tuple[int, int],
        *, importer: str | None = None, exporter: str | None = None,
    ) -> list[tuple[str, str, int, str | None, str, float | None, float | None, str]]:
        """Product flows of ``hs_codes`` in ``hs_versions`` and the inclusive range
        ``years``, into ``importer`` / from ``exporter``, as plain tuples ``(hs_code,
        hs_version, year, exporter, importer, value, quantity, source_key)`` in one query
        (no record per row). Codes, editions and years are listed (``IN``) so the product
        indexes are searched, not scanned."""
        c = FLOWS.c
        stmt = select(c.hs_code, c.hs_version, c.year, c.exporter, c.importer, c.value,
                      c.quantity, c.source_key).where(
            c.hs_code.in_(sorted(set(hs_codes))), c.hs_version.in_(sorted(set(hs_versions))),
            c.year.in_(range(years[0], years[1] + 1)))
        with self.engine.connect() as conn:
            if importer is not None:
                stmt = stmt.where(c.importer == self._iso3(conn, importer))
            if exporter is not None:
                stmt = stmt.where(c.exporter == self._iso3(conn, exporter))
            return [tuple(r) for r in conn.execute(stmt)]

    @staticmethod
    def _product_years(conn: Connection, code: str) -> dict[str, set[int]]:
        """HS edition → years with flows of ``code`` (one indexed scan)."""
        out: dict[str, set[int]] = defaultdict(set)
        stmt = (select(FLOWS.c.hs_version, FLOWS.c.year).where(FLOWS.c.hs_code == code)
                .distinct())
        for version, year in conn.execute(stmt):
            out[version].add(year)
        return dict(out)

    def _iso3(self, conn: Connection, code: str) -> str:
        """A stored country's code from its code (any case) or name."""
        iso3 = code.strip().upper()
        if conn.execute(select(COUNTRIES.c.iso3).where(COUNTRIES.c.iso3 == iso3)).first():
            return iso3
        return self.resolve_country(code)  # raises with close matches

    def _unknown_product(self, conn: Connection, hs_code: str) -> UnknownProductError:
        from econsec.kb.trade import product_suggestions

        return UnknownProductError(hs_code, product_suggestions(hs_code,
                                                                self._stored_products(conn)))

    @staticmethod
    def _stored_products(conn: Connection) -> list[tuple[str, str]]:
        """(code, edition) pairs with flows, sorted: a skip scan of the product index (two
        short index reads per pair instead of reading a million rows)."""
        out: list[tuple[str, str]] = []

        def first(column: Any, *where: Any) -> Any:
            stmt = select(column).where(*where).order_by(column).limit(1)
            return conn.execute(stmt).scalar()

        code = first(FLOWS.c.hs_code, FLOWS.c.hs_code.is_not(None))
        while code is not None:
            version = first(FLOWS.c.hs_version, FLOWS.c.hs_code == code)
            while version is not None:
                out.append((code, version))
                version = first(FLOWS.c.hs_version, FLOWS.c.hs_code == code,
                                FLOWS.c.hs_version > version)
            code = first(FLOWS.c.hs_code, FLOWS.c.hs_code > code)
        return out

    def commodity_products(self, item_id: str | None = None) -> list[CommodityProduct]:
        """Links of the trade crosswalk (item ↔ HS code of an edition, stage, EoL-RIR),
        of one item (id or name) when given; sorted by item, edition, position. The items'
        own HS 2022 codes are :attr:`Item.hs_codes`."""
        from econsec.kb.trade import describe

        with self.engine.connect() as conn:
            stmt = select(HS).where(HS.c.source_key.is_not(None))
            if item_id is not None:
                stmt = stmt.where(HS.c.item_id == self._item_id(conn, item_id))
            stmt = stmt.order_by(HS.c.item_id, HS.c.hs_version, HS.c.position)
            return [
                CommodityProduct(r["item_id"], r["hs_code"], r["hs_version"], r["stage"] or "",
                                 describe(r["hs_code"], r["hs_version"]).description_en,
                                 r["eol_rir"], r["source_key"])
                for r in conn.execute(stmt).mappings()
            ]

    def product_info(self, hs_code: str, hs_version: str | None = None) -> ProductInfo:
        """The product ``hs_code`` of edition ``hs_version`` (by default the edition of its
        longest series of flows, else the newest described one): descriptions, stage and
        the commodities linked to it. Raises :class:`UnknownProductError` with close codes
        when neither the descriptions nor the stored flows know it."""
        from econsec.kb.trade import (
            check_version,
            describe,
            known_product,
            main_version,
            normalise_code,
        )

        code = normalise_code(hs_code)
        with self.engine.connect() as conn:
            spans = self._product_years(conn, code)
            if hs_version is not None:
                version: str | None = check_version(hs_version)
            else:
                version = main_version(spans) or known_product(code)
            if version is None or (version not in spans and not known_product(code, version)):
                raise self._unknown_product(conn, hs_code)
            commodities = tuple(item for (item,) in conn.execute(
                select(HS.c.item_id).where(HS.c.hs_code == code, HS.c.hs_version == version,
                                           HS.c.source_key.is_not(None))
                .order_by(HS.c.item_id)))
        return replace(describe(code, version), commodities=commodities)

    def trade_products(self) -> list[ProductInfo]:
        """Every product with stored flows (code and edition), sorted by code and edition,
        with descriptions, stage and linked commodities."""
        from econsec.kb.trade import describe

        with self.engine.connect() as conn:
            pairs = self._stored_products(conn)
            links: dict[tuple[str, str], list[str]] = defaultdict(list)
            for item, code, version in conn.execute(
                select(HS.c.item_id, HS.c.hs_code, HS.c.hs_version)
                .where(HS.c.source_key.is_not(None)).order_by(HS.c.item_id)
            ):
                links[(code, version)].append(item)
        return [replace(describe(c, v), commodities=tuple(links.get((c, v), ())))
                for c, v in pairs]

    def input_edges(self) -> list[InputEdge]:
        """All bill-of-materials edges, sorted by output then input item."""
        stmt = select(EDGES).order_by(EDGES.c.output_item, EDGES.c.input_item, EDGES.c.id)
        with self.engine.connect() as conn:
            return [edge_from(r) for r in conn.execute(stmt).mappings()]

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

    def has_observations(self) -> bool:
        """True when at least one observation is stored (one indexed read, not a count)."""
        with self.engine.connect() as conn:
            return conn.execute(select(OBS.c.id).limit(1)).first() is not None

    def counts(self) -> dict[str, int]:
        """Number of rows of every table of the knowledge data (not of the private tables
        of :data:`econsec.kb.browse.PRIVATE`: a count of shared items would tell a reader
        that items hidden from them exist)."""
        from econsec.kb.browse import PRIVATE

        with self.engine.connect() as conn:
            return {
                name: conn.execute(select(func.count()).select_from(table)).scalar_one()
                for name, table in sorted(m.metadata.tables.items()) if name not in PRIVATE
            }

    # ----------------------------------------------------------------- export

    def export_datapackage(self, folder: Path) -> Path:
        """Write the whole knowledge base as a Frictionless tabular data package (see
        :func:`econsec.kb.datapackage.export_datapackage`); returns the path of
        ``datapackage.json``."""
        from econsec.kb.datapackage import export_datapackage

        return export_datapackage(self.engine, Path(folder), self.sources())


def open_store(url: str) -> Store:
    """Open the knowledge base at ``url`` and migrate it to the newest schema.

    A plain file path is accepted too (see :func:`econsec.settings.to_database_url`). For a
    SQLite file the parent folder is created. Raises :class:`StoreError` if the database
    cannot be opened or migrated.
    """
    return Store(open_engine(url))
