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
    """A trade flow of an item from exporter to importer in a year.

    ``share`` is the fraction of the importer's imports of the item (0-1) where the
    source gives shares instead of values.
    """

    item_id: str
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
    #: Where each fact came from, by table name and position (``{"observations": [loc…]}``),
    #: where the reader knows it (users' files): errors found at import then name the line.
    locations: dict[str, LineLocations] = field(default_factory=dict)

    def extend(self, other: Bundle) -> None:
        """Append every record of ``other`` to this bundle."""
        for name in self.__dataclass_fields__:
            if name != "locations":
                getattr(self, name).extend(getattr(other, name))
