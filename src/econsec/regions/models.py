"""Result models of the regional strategy (``econsec region``, ``econsec partners``, the API
and the pages). Frozen pydantic models like :mod:`econsec.analyses.models`; every table
carries its data set and year (``source`` keys resolve in ``sources``)."""

from __future__ import annotations

from econsec.analyses.result_base import AnalysisResult, SourceInfo


class Band(AnalysisResult):
    """A score band: scores from ``min_score`` up (to the next band) are ``band``."""

    band: str
    min_score: float


class Score(AnalysisResult):
    """A 0-100 score, its band, the formula in words and the numbers that went in."""

    value: float | None
    band: str | None
    formula: str
    components: dict[str, float | None]


# ----------------------------------------------------------------- (1) technology


class TechFieldRow(AnalysisResult):
    """One field: each side's world share and revealed technological advantage
    (RTA = share in the field / share in all fields of the same indicator)."""

    field: str
    name_en: str
    name_ja: str
    indicator: str
    table: str
    year: int | None
    partner_share: float | None
    home_share: float | None
    partner_rta: float | None
    home_rta: float | None
    #: "partner-strong" (partner RTA ≥ 1 > home RTA), "home-strong", "both-strong", "neither"
    #: or "no-data".
    relation: str


class TechnologyPerspective(AnalysisResult):
    score: Score
    rta_threshold: float
    scale_share: float
    partner_all_share: float | None
    partner_all_year: int | None
    fields: list[TechFieldRow]
    source: str


# ---------------------------------------------------------------- (2) raw materials


class ProducedRow(AnalysisResult):
    commodity: str
    name_en: str
    name_ja: str
    measure: str
    year: int
    share: float
    rank: int
    reserves: float | None
    reserves_unit: str
    reserves_year: int | None
    source: str


class ImportedRow(AnalysisResult):
    """A product the home country imports from the partner (BACI value, thousand USD)."""

    hs_code: str
    description_en: str
    description_ja: str
    year: int
    value_kusd: float
    share_of_home_imports: float
    source: str


class MaterialsPerspective(AnalysisResult):
    score: Score
    supplier_threshold: float
    produces: list[ProducedRow]
    home_imports: list[ImportedRow]
    home_imports_total_kusd: float
    wgi_scaled: float | None
    wgi_year: int | None
    wgi_source: str | None


# -------------------------------------------------------------- (3) supply chains


class PortRow(AnalysisResult):
    name: str
    unlocode: str
    harbor_size: str
    sea_region: str
    max_vessel_draft_m: float | None
    facilities: list[str]
    lat: float
    lon: float


class LegRow(AnalysisResult):
    from_region: str
    to_region: str
    chokepoint: str | None
    distance_nm: float


class RouteRow(AnalysisResult):
    from_region: str
    to_region: str
    share: float
    distance_nm: float
    chokepoints: list[str]
    legs: list[LegRow]


class ChokepointRow(AnalysisResult):
    """A chokepoint on the partner's route to the home country: the share of the partner's
    trade (port weights) that passes it, and the share of all the home country's imports
    (of the bundled BACI products) that passes it over every partner's route."""

    id: str
    name_en: str
    name_ja: str
    lat: float
    lon: float
    route_share: float
    home_imports_share: float | None


class SeaRegionRow(AnalysisResult):
    id: str
    name_en: str
    name_ja: str
    lat: float
    lon: float


class SupplyChainPerspective(AnalysisResult):
    score: Score
    routed: bool
    note: str
    ports_by_size: dict[str, int]
    ports: list[PortRow]
    routes: list[RouteRow]
    chokepoints: list[ChokepointRow]
    expected_chokepoints: float
    home_imports_year: int | None
    home_imports_unrouted_share: float | None
    regions: list[SeaRegionRow]


# ------------------------------------------------------------------ (4) market


class MarketYear(AnalysisResult):
    year: int
    value_kusd: float


class MarketPerspective(AnalysisResult):
    score: Score
    series: list[MarketYear]
    latest_year: int | None
    latest_value_kusd: float | None
    share_of_home_exports: float | None
    cagr: float | None
    cagr_start_year: int | None
    cagr_end_year: int | None
    share_threshold: float
    source: str


# -------------------------------------------------------- (5) information sharing


class GroupRow(AnalysisResult):
    group: str
    name_en: str
    name_ja: str
    weight: float
    partner_member: bool
    home_member: bool
    counts: bool


class InformationPerspective(AnalysisResult):
    score: Score
    groups: list[GroupRow]
    export_control_status: str
    agreements: list[str]
    source: str


class RegionProfile(AnalysisResult):
    iso3: str
    name_en: str
    name_ja: str
    home: str
    home_name_en: str
    home_name_ja: str
    bands: list[Band]
    technology: TechnologyPerspective
    materials: MaterialsPerspective
    supply_chains: SupplyChainPerspective
    market: MarketPerspective
    information: InformationPerspective
    notes: list[str]
    sources: list[SourceInfo]


# -------------------------------------------------------------- partner ranking


class ChokepointRef(AnalysisResult):
    """A chokepoint on a route and the share of the route's trade passing it."""

    id: str
    name_en: str
    name_ja: str
    share: float


class PartnerWeights(AnalysisResult):
    governance: float
    route: float
    concentration: float
    route_saturation: float


class PartnerRow(AnalysisResult):
    rank: int
    iso3: str
    name_en: str
    name_ja: str
    exports_total_kusd: float
    exports_to_home_kusd: float
    exports_to_replaced_kusd: float
    capacity_kusd: float
    capacity_t: float | None
    cover: float
    production: float | None
    production_unit: str
    production_year: int | None
    production_share: float | None
    reserves: float | None
    reserves_unit: str
    reserves_year: int | None
    wgi_scaled: float | None
    governance_risk: float
    expected_chokepoints: float | None
    chokepoints: list[ChokepointRef]
    route_risk: float
    share_after: float
    concentration_risk: float
    risk: float
    score: float


class PartnerRanking(AnalysisResult):
    home: str
    home_name_en: str
    home_name_ja: str
    replace: str
    replace_name_en: str
    replace_name_ja: str
    hs_codes: list[str]
    hs_version: str
    item: str | None
    year: int
    gap_kusd: float
    home_imports_kusd: float
    formula: str
    weights: PartnerWeights
    candidates: int
    rows: list[PartnerRow]
    notes: list[str]
    sources: list[SourceInfo]
