"""A store that reads each list once: for one command's run over all commodities.

An analysis over every commodity asks the knowledge base for the item list on every name
lookup and for the observations of each item measure by measure: thousands of small
queries (``econsec assess dependence``: about 5,000). :class:`CachedReads` answers the
same calls from what it read before: the item, source and country lists and each group
once, and every observation of an item in one query, filtered in memory (same records,
same order). An import through it forgets everything it read.

Meant for a process that reads a knowledge base nobody changes meanwhile (a command);
the web app keeps its own cache, invalidated by the data version.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from sqlalchemy import Connection

from econsec.kb.store import ImportSummary, ProgressCallback, Store
from econsec.records import (
    Bundle,
    CommodityProduct,
    Country,
    Item,
    ItemKind,
    Measure,
    Observation,
    ProductInfo,
    Source,
    TradeFlow,
)

T = TypeVar("T")


class CachedReads(Store):
    """:class:`Store` whose reads are remembered for its lifetime (see the module)."""

    def __init__(self, engine: Any) -> None:
        super().__init__(engine)
        self._memo: dict[tuple[Any, ...], Any] = {}

    def _once(self, key: tuple[Any, ...], read: Callable[[], T]) -> T:
        if key not in self._memo:
            self._memo[key] = read()
        found: T = self._memo[key]
        return found

    # ------------------------------------------------------------------ writes

    def import_bundle(self, bundle: Bundle, *, replace: bool = False,
                      progress: ProgressCallback | None = None) -> ImportSummary:
        self._memo.clear()
        try:
            return super().import_bundle(bundle, replace=replace, progress=progress)
        finally:
            self._memo.clear()

    # ------------------------------------------------------------------- reads

    def items(self, kind: ItemKind | str | None = None) -> list[Item]:
        key = None if kind is None else ItemKind(kind).value
        return list(self._once(("items", key), lambda: Store.items(self, kind)))

    def _item_id(self, conn: Connection, item_id: str) -> str:
        if any(item.id == item_id for item in self.items()):
            return item_id
        return self.find_item(item_id).id

    def commodity_summary(self) -> list[dict[str, Any]]:
        rows = self._once(("commodity_summary",), lambda: Store.commodity_summary(self))
        return copy.deepcopy(rows)

    def _item_observations(self, item_id: str) -> list[Observation]:
        """Every observation of an item (id or name), sorted as :meth:`Store.observations`."""
        with self.engine.connect() as conn:
            found = self._item_id(conn, item_id)
        return self._once(("observations", found), lambda: Store.observations(self, found))

    def observations(
        self,
        item_id: str,
        measure: Measure | str | None = None,
        year: int | None = None,
        include_aggregates: bool = True,
    ) -> list[Observation]:
        wanted = None if measure is None else Measure(measure)
        return [
            o for o in self._item_observations(item_id)
            if (wanted is None or o.measure == wanted) and (year is None or o.year == year)
            and (include_aggregates or not o.is_aggregate)
        ]

    def years(self, item_id: str, measure: Measure | str) -> list[int]:
        wanted = Measure(measure)
        return sorted({o.year for o in self._item_observations(item_id)
                       if o.measure == wanted and o.value is not None})

    def sources(self, keys: Iterable[str] | None = None) -> list[Source]:
        every = self._once(("sources",), lambda: Store.sources(self))
        if keys is None:
            return list(every)
        wanted = set(keys)
        return [s for s in every if s.key in wanted]

    def countries(self) -> list[Country]:
        return list(self._once(("countries",), lambda: Store.countries(self)))

    def country(self, iso3: str) -> Country:
        code = iso3.strip().upper()
        for c in self.countries():
            if c.iso3 == code:
                return c
        return Store.country(self, iso3)  # raises with close matches

    def group_members(self, group: str) -> list[str]:
        return list(self._once(("group", group.strip().casefold()),
                               lambda: Store.group_members(self, group)))

    def governance(self, year: int | None = None) -> dict[str, dict[str, float]]:
        every = self._once(("governance", year), lambda: Store.governance(self, year))
        return {iso3: dict(scores) for iso3, scores in every.items()}

    def trade_flows(
        self, item_id: str | None = None, importer: str | None = None
    ) -> list[TradeFlow]:
        return list(self._once(("trade_flows", item_id, importer),
                               lambda: Store.trade_flows(self, item_id, importer)))

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
        key = ("product_flows", hs_code, hs_version, importer, exporter, year, years,
               source_key)
        return list(self._once(key, lambda: Store.product_flows(
            self, hs_code, hs_version=hs_version, importer=importer, exporter=exporter,
            year=year, years=years, source_key=source_key)))

    def product_flow_rows(
        self, hs_codes: Iterable[str], hs_versions: Iterable[str], years: tuple[int, int],
        *, importer: str | None = None, exporter: str | None = None,
    ) -> list[tuple[str, str, int, str | None, str, float | None, float | None, str]]:
        codes, versions = tuple(sorted(set(hs_codes))), tuple(sorted(set(hs_versions)))
        return list(self._once(("product_flow_rows", codes, versions, years, importer,
                                exporter),
                               lambda: Store.product_flow_rows(
                                   self, codes, versions, years, importer=importer,
                                   exporter=exporter)))

    def commodity_products(self, item_id: str | None = None) -> list[CommodityProduct]:
        every = self._once(("commodity_products",), lambda: Store.commodity_products(self))
        if item_id is None:
            return list(every)
        with self.engine.connect() as conn:
            found = self._item_id(conn, item_id)
        return [p for p in every if p.item_id == found]

    def product_info(self, hs_code: str, hs_version: str | None = None) -> ProductInfo:
        found: ProductInfo = self._once(("product_info", hs_code, hs_version),
                                        lambda: Store.product_info(self, hs_code, hs_version))
        return found

    def trade_products(self) -> list[ProductInfo]:
        return list(self._once(("trade_products",), lambda: Store.trade_products(self)))
