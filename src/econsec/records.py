"""Domain records shared by loaders, the knowledge base and the analyses (DESIGN §3).

Plain frozen dataclasses: loaders return them, the knowledge base stores them, the
analyses read them. Every fact record names the :class:`Source` it came from through
``source_key`` so that every number a user sees can be traced to its data set and year.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import overload

from econsec.errors import Location


class ItemKind(StrEnum):
    MATERIAL = "material"
    COMPONENT = "component"
    PRODUCT = "product"
    TECHNOLOGY = "technology"
    SERVICE = "service"


class ServiceType(StrEnum):
    IP = "ip"
    SOFTWARE = "software"
    LOGISTICS = "logistics"
    FINANCE = "finance"
    DATA = "data"


class Stage(StrEnum):
    UPSTREAM = "upstream"
    MIDSTREAM = "midstream"
    DOWNSTREAM = "downstream"


class Measure(StrEnum):
    """What an observation measures. ``refinery`` is refinery (processing) production."""

    PRODUCTION = "production"
    REFINERY = "refinery"
    CAPACITY = "capacity"
    RESERVES = "reserves"
    IMPORTS = "imports"
    EXPORTS = "exports"
    CONSUMPTION = "consumption"
    NET_IMPORT_RELIANCE = "net_import_reliance"
    IMPORT_SHARE = "import_share"


@dataclass(frozen=True)
class Source:
    """A data set a fact comes from: who published it, which release, under which licence.

    ``key`` is a stable slug (``usgs-mcs-2025-world``); ``file`` is the path of the file
    read (relative to the bundled data folder for bundled data) and ``sha256`` its hash.
    """

    key: str
    publisher: str
    title: str
    year: int
    licence: str
    url: str = ""
    file: str = ""
    sha256: str = ""
    citation: str = ""


@dataclass(frozen=True)
class Country:
    """A country or territory by ISO 3166-1 code, with English and Japanese names."""

    iso3: str
    iso2: str
    numeric: str
    name_en: str
    name_ja: str
    groups: tuple[str, ...] = ()


@dataclass(frozen=True)
class Item:
    """Something that is made, mined, known or provided (DESIGN §3)."""

    id: str
    kind: ItemKind
    name_en: str
    name_ja: str = ""
    service_type: ServiceType | None = None
    hs_codes: tuple[str, ...] = ()
    domain: str = ""
    stage: Stage | None = None


@dataclass(frozen=True)
class Observation:
    """One published value: ``measure`` of ``item_id`` in a country (or aggregate) in a year.

    ``iso3`` is None for aggregates ("World total (rounded)", "Other countries"); the
    published label stays in ``area``. ``value`` is None where the publisher withheld it
    ("W", ``withheld``) or gave none (``NA``); ``value_raw`` keeps the published string.
    Units are kept as published.
    """

    item_id: str
    area: str
    iso3: str | None
    is_aggregate: bool
    year: int
    measure: Measure
    value: float | None
    unit: str
    source_key: str
    is_estimate: bool = False
    withheld: bool = False
    value_raw: str = ""
    series: str = ""
    note: str = ""


@dataclass(frozen=True)
class TradeFlow:
    """A trade flow of an item or of a product from exporter to importer in a year.

    An item-level flow names ``item_id`` (``hs_code`` None); a product-level flow names
    ``hs_code`` and ``hs_version`` (``"HS92"``, ``"HS17"`` …; ``item_id`` None), with
    ``value`` in thousand USD (``unit`` ``"thousand USD"``) and ``quantity`` in tonnes.
    ``share`` is the fraction of the importer's imports of the item (0-1) where the
    source gives shares instead of values.
    """

    item_id: str | None
    exporter: str | None
    importer: str
    year: int
    source_key: str
    value: float | None = None
    quantity: float | None = None
    unit: str = ""
    share: float | None = None
    exporter_label: str = ""
    year_end: int | None = None
    hs_code: str | None = None
    hs_version: str | None = None


HS_VERSIONS = ("HS92", "HS96", "HS02", "HS07", "HS12", "HS17", "HS22")
"""Harmonized System editions a product flow may name (1992 … 2022)."""

PRODUCT_STAGES = ("ore", "mineral", "fuel", "element", "oxide", "compound", "refined metal",
                  "alloy", "semi-finished", "scrap", "magnet")
"""Stages of the value chain a traded product stands for (:class:`ProductInfo`)."""

TRADE_VALUE_UNIT = "thousand USD"
"""Unit of the value of a product flow (its quantity is in tonnes)."""


@dataclass(frozen=True)
class ProductInfo:
    """A traded product: an HS subheading of one HS edition, its descriptions, the
    commodities (item ids) it is linked to and the stage it stands for (one of
    :data:`PRODUCT_STAGES`, "" when unknown)."""

    hs_code: str
    hs_version: str
    description_en: str
    description_ja: str = ""
    commodities: tuple[str, ...] = ()
    stage: str = ""


@dataclass(frozen=True)
class CommodityProduct:
    """A link of the commodity crosswalk: item ``item_id`` is traded as ``hs_code`` of
    ``hs_version`` at ``stage``. ``eol_rir`` is the commodity's EU end-of-life recycling
    input rate (0-1) where the map gives one; ``source_key`` names the crosswalk it comes
    from."""

    item_id: str
    hs_code: str
    hs_version: str
    stage: str
    description: str
    eol_rir: float | None
    source_key: str


@dataclass(frozen=True)
class FlowTable:
    """Many product flows of one source, column by column (a bulk load: BACI holds over a
    million rows, too many for one record each).

    Every column is a sequence of the same length: ``exporter`` and ``importer`` ISO
    alpha-3 codes, ``hs_code`` (6 digits), ``year``, ``value`` (thousand USD) and
    ``quantity`` (tonnes, None where not given). ``file`` names where the rows came from
    (for errors); ``lines`` gives each row's line in it where known (else the row number
    is used).
    """

    source_key: str
    hs_version: str
    exporter: Sequence[str]
    importer: Sequence[str]
    hs_code: Sequence[str]
    year: Sequence[int]
    value: Sequence[float]
    quantity: Sequence[float | None]
    file: str = ""
    lines: Sequence[int] | None = None
    #: rows of the file left out on loading, by reason (e.g. an aggregate partner code)
    left_out: tuple[tuple[str, int], ...] = ()

    def __len__(self) -> int:
        return len(self.exporter)

    def flow(self, index: int) -> TradeFlow:
        """Row ``index`` as a :class:`TradeFlow`."""
        return TradeFlow(
            item_id=None, exporter=self.exporter[index], importer=self.importer[index],
            year=int(self.year[index]), source_key=self.source_key,
            value=self.value[index], quantity=self.quantity[index], unit=TRADE_VALUE_UNIT,
            hs_code=self.hs_code[index], hs_version=self.hs_version,
        )


@dataclass(frozen=True)
class InputEdge:
    """Bill-of-materials edge: ``input_item`` goes into ``output_item``."""

    input_item: str
    output_item: str
    source_key: str
    quantity_per_unit: float | None = None
    unit: str = ""
    substitutability: float | None = None


@dataclass(frozen=True)
class GovernanceScore:
    """A World Governance Indicators estimate (about -2.5 .. 2.5, higher is better)."""

    iso3: str
    year: int
    dimension: str
    estimate: float
    source_key: str


@dataclass(frozen=True)
class CountryRisk:
    """OECD country risk classification (0-7; 0 = not classified / high income)."""

    iso3: str
    category: int
    valid_from: str
    source_key: str
    note: str = ""


class LineLocations(Sequence[Location]):
    """Where each record of a table came from (file and line), kept compactly: a
    :class:`Location` is made only when an error asks for one."""

    def __init__(self) -> None:
        self._files: list[str] = []
        self._file_at: array[int] = array("i")
        self._lines: array[int] = array("i")

    def append(self, file: str, line: int) -> None:
        if not self._files or self._files[-1] != file:
            self._files.append(file)
        self._file_at.append(len(self._files) - 1)
        self._lines.append(line)

    def __len__(self) -> int:
        return len(self._lines)

    def pop(self) -> None:
        """Forget the last location (of a row that was left out)."""
        self._file_at.pop()
        self._lines.pop()

    @overload
    def __getitem__(self, index: int) -> Location: ...
    @overload
    def __getitem__(self, index: slice) -> list[Location]: ...

    def __getitem__(self, index: int | slice) -> Location | list[Location]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        return Location(self._files[self._file_at[index]], self._lines[index])


@dataclass
class Bundle:
    """Everything one load produced, ready for one all-or-nothing import."""

    sources: list[Source] = field(default_factory=list)
    countries: list[Country] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    observations: list[Observation] = field(default_factory=list)
    trade_flows: list[TradeFlow] = field(default_factory=list)
    input_edges: list[InputEdge] = field(default_factory=list)
    governance: list[GovernanceScore] = field(default_factory=list)
    country_risk: list[CountryRisk] = field(default_factory=list)
    #: product flows loaded in bulk (one table per source and HS edition)
    flow_tables: list[FlowTable] = field(default_factory=list)
    #: links of the commodity crosswalk (item ↔ HS code); replace the stored links of
    #: their source keys
    commodity_products: list[CommodityProduct] = field(default_factory=list)
    #: Where each fact came from, by table name and position (``{"observations": [loc…]}``),
    #: where the reader knows it (users' files): errors found at import then name the line.
    locations: dict[str, LineLocations] = field(default_factory=dict)

    def extend(self, other: Bundle) -> None:
        """Append every record of ``other`` to this bundle."""
        for name in self.__dataclass_fields__:
            if name != "locations":
                getattr(self, name).extend(getattr(other, name))
