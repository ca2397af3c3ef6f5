"""What analyses, reports and the web app read from the knowledge base.

:class:`KnowledgeBase` is the read side of :class:`econsec.kb.store.Store` as a structural
type: an analysis takes ``kb: KnowledgeBase`` and works with the store, with the web app's
caching reader, or with any other object that has these methods (a test double, a
snapshot held in memory). Writing (imports, dry runs) stays on the store itself.

Every method returns the plain, frozen records of :mod:`econsec.records` (or plain dicts
and lists), never database rows. Names are looked up the way the store documents: items
by id, English or Japanese name (case, width, spaces and hyphens ignored); countries by
ISO alpha-3 code, alpha-2 code, English or Japanese name or a known alias.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from econsec.datasets.ember import GenerationYear
    from econsec.datasets.eu_crm import EuCrmInputs
    from econsec.datasets.launches import Launch
    from econsec.datasets.nsf_sei import SeiData
    from econsec.errors import Location
    from econsec.records import (
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

__all__ = ["KnowledgeBase"]


@runtime_checkable
class KnowledgeBase(Protocol):
    """The read methods of the knowledge base (implemented by ``Store``)."""

    # ------------------------------------------------------------------ items

    def items(self, kind: ItemKind | str | None = None) -> list[Item]:
        """All items (optionally of one kind), sorted by id."""
        ...

    def find_item(self, name: str) -> Item:
        """The item whose id, English or Japanese name matches ``name`` (folded); raises
        :class:`~econsec.errors.UnknownCommodityError` with close matches otherwise."""
        ...

    def commodity_summary(self) -> list[dict[str, Any]]:
        """Per item: ``id``, ``name_en``, ``name_ja``, ``kind`` and ``years`` (measure →
        sorted years with at least one value)."""
        ...

    # ------------------------------------------------------------------ facts

    def observations(
        self,
        item_id: str,
        measure: Measure | str | None = None,
        year: int | None = None,
        include_aggregates: bool = True,
    ) -> list[Observation]:
        """Observations of an item (id or name), optionally of one measure and year, sorted
        by measure, year, source key and insertion order."""
        ...

    def years(self, item_id: str, measure: Measure | str) -> list[int]:
        """Sorted years with at least one value of ``measure`` for the item."""
        ...

    def trade_flows(
        self, item_id: str | None = None, importer: str | None = None
    ) -> list[TradeFlow]:
        """Item-level trade flows, optionally of one item (id or name) and/or into one
        importer (product flows: :meth:`product_flows`)."""
        ...

    # ---------------------------------------------------------- product trade

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
        """Product flows of an HS code (value thousand USD, quantity tonnes), optionally
        into ``importer`` / from ``exporter`` (ISO alpha-3), in ``year`` or the inclusive
        range ``years``, of one source. One HS edition per year: ``hs_version`` when
        given, else the edition of the longest series that has the year (HS92 for the
        BACI series, HS17 for 2024-only lines). Sorted by year, importer, exporter,
        source. Raises :class:`~econsec.errors.UnknownProductError` for a code without
        flows."""
        ...

    def product_flow_rows(
        self, hs_codes: Iterable[str], hs_versions: Iterable[str], years: tuple[int, int],
        *, importer: str | None = None, exporter: str | None = None,
    ) -> list[tuple[str, str, int, str | None, str, float | None, float | None, str]]:
        """Product flows of ``hs_codes`` in ``hs_versions`` and the inclusive range ``years``
        (the caller chooses the editions), into ``importer`` / from ``exporter`` (ISO
        alpha-3), as plain tuples ``(hs_code, hs_version, year, exporter, importer, value,
        quantity, source_key)`` in one indexed query: for analyses that read thousands of
        flows at once."""
        ...

    def commodity_products(self, item_id: str | None = None) -> list[CommodityProduct]:
        """The trade crosswalk: item ↔ HS code of an edition, with the stage the code
        stands for and the commodity's EU EoL-RIR; of one item (id or name) when given."""
        ...

    def product_info(self, hs_code: str, hs_version: str | None = None) -> ProductInfo:
        """Descriptions (English, Japanese), stage and linked commodities of an HS code
        (edition by default that of its longest series of flows); raises
        :class:`~econsec.errors.UnknownProductError` with close codes."""
        ...

    def trade_products(self) -> list[ProductInfo]:
        """Every product (code, edition) with stored flows, sorted by code and edition."""
        ...

    def input_edges(self) -> list[InputEdge]:
        """All bill-of-materials edges, sorted by output then input item."""
        ...

    def governance(self, year: int | None = None) -> dict[str, dict[str, float]]:
        """WGI estimates ``{iso3: {dimension: estimate}}``, the latest year ≤ ``year``."""
        ...

    def governance_scores(self, iso3: str | None = None) -> list[GovernanceScore]:
        """Stored governance scores (all years), sorted; only ``iso3``'s when given."""
        ...

    def country_risk(self) -> list[CountryRisk]:
        """OECD country risk classifications, sorted by country and date."""
        ...

    # -------------------------------------------------------------- countries

    def countries(self) -> list[Country]:
        """All countries with their groups, sorted by ISO alpha-3 code."""
        ...

    def country(self, iso3: str) -> Country:
        """The country with ISO alpha-3 code ``iso3`` (case-insensitive); raises
        :class:`~econsec.errors.UnknownCountryError` with close matches otherwise."""
        ...

    def resolve_country(self, name: str, *, location: Location | None = None) -> str:
        """The ISO alpha-3 code of a country given by code, name (English or Japanese) or
        alias; raises :class:`~econsec.errors.UnknownCountryError` (at ``location``) with
        close matches otherwise."""
        ...

    def group_members(self, group: str) -> list[str]:
        """ISO alpha-3 codes of the members of ``group`` (case-insensitive), sorted; raises
        :class:`~econsec.errors.NotFoundError` listing the known groups otherwise."""
        ...

    # ---------------------------------------------------------------- sources

    def sources(self, keys: Iterable[str] | None = None) -> list[Source]:
        """Sources (all, or those with the given keys), sorted by key."""
        ...

    # --------------------------------------------------- EU CRM 2023 inputs

    def eu_crm_inputs(self) -> EuCrmInputs:
        """The EU CRM 2023 assessment inputs: global supply and EU sourcing shares per
        (material, stage), end uses with sector value added, groupings, and the
        loaders' warnings."""
        ...

    def eu_crm_names_ja(self) -> dict[str, str]:
        """Japanese names of the EU CRM 2023 materials (material → name)."""
        ...

    # ------------------------------------------- energy and space (bundled files)

    def electricity_generation(self, iso3: str) -> list[GenerationYear]:
        """Ember electricity generation of a country (ISO alpha-3) by year and source (TWh),
        years ascending; empty when Ember has none (read from the bundled file)."""
        ...

    def orbital_launches(self) -> list[Launch]:
        """Every orbital launch attempt of the bundled launch log (JSR, 1957-2024)."""
        ...

    # ------------------------------------------------ technology (bundled files)

    def technology_indicators(self) -> SeiData:
        """The NSF NCSES Science & Engineering Indicators tables of patents (USPTO, PCT),
        articles and top-1 % cited articles by field and country (read-only, from the
        bundled files)."""
        ...

    # --------------------------------------------------------------- versions

    def data_version(self) -> tuple[Any, ...]:
        """A cheap fingerprint of the stored facts; any import changes it."""
        ...

    def counts(self) -> dict[str, int]:
        """Number of rows of every table of the knowledge base."""
        ...
