"""Result models of the infrastructure analysis (pydantic, frozen)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class InfraModel(BaseModel):
    """Base: frozen, no extra keys."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class SourceRef(InfraModel):
    """A data set a figure came from."""

    key: str
    publisher: str
    title: str
    year: int
    licence: str
    url: str = ""


class PackStatus(InfraModel):
    """Whether the optional cable pack is loaded, its licence, and how to load it."""

    loaded: bool
    licence: str
    licence_url: str
    how_to_load: str
    folder: str = ""
    sha256: str = ""
    problem: str = ""
    cables: int = 0
    landing_points: int = 0


class Station(InfraModel):
    """A landing station of a country: the cables landing there and their share."""

    id: str
    name: str
    cables: int
    share: float


class FailurePoint(InfraModel):
    """A node whose loss alone cuts countries off from the home country."""

    kind: str  # cable | landing
    id: str
    name: str
    iso3: str = ""  # the station's country (landing stations)
    cut_off: list[str]
    cut_off_in_region: list[str]


class StraitUse(InfraModel):
    """Cables whose schematic route passes a strait (see the strait rule)."""

    id: str
    name_en: str
    name_ja: str
    radius_km: float
    portwatch_id: str
    cables: int
    home_cables: int
    home_share: float
    region_countries: list[str]  # region countries whose every direct cable to home passes it


class ScoreComponent(InfraModel):
    """One term of the contribution-potential score: value in [0, 1] (None: no data)."""

    id: str
    weight: float
    value: float | None
    basis: str


class CountryInfra(InfraModel):
    """A country's infrastructure figures and Japan's contribution-potential score."""

    iso3: str
    name_en: str
    name_ja: str
    landing_points: int | None = None
    cables: int | None = None
    station_hhi: float | None = None
    top_station_share: float | None = None
    direct_cables_to_home: int | None = None
    min_cable_cut: int | None = None
    cable_cut_set: list[str] = []
    min_station_cut: int | None = None
    station_cut_set: list[str] = []
    japanese_supplier_share: float | None = None
    straits_all_direct_cables_pass: list[str] = []
    electricity_year: int | None = None
    electricity_twh: float | None = None
    low_carbon_share: float | None = None
    generation_cagr_5y: float | None = None
    launches_10y: int = 0
    launch_window: str = ""
    datacentres: int = 0
    datacentre_mw: float | None = None
    components: list[ScoreComponent]
    score_coverage: float
    score: float | None


class NetworkFigures(InfraModel):
    """Size of the cable graph and its cut vertices and edges."""

    countries: int
    landing_points: int
    cables: int
    edges: int
    articulation_points: int
    bridges: int
    include_planned: bool


class HomeFigures(InfraModel):
    """The home country's stations, concentration and single points of failure."""

    iso3: str
    landing_points: int
    cables: int
    station_hhi: float
    stations: list[Station]
    japanese_supplier_share: float
    failure_points: list[FailurePoint]


class InfrastructureResult(InfraModel):
    """The Indo-Pacific infrastructure analysis."""

    region: str
    home: str
    pack: PackStatus
    network: NetworkFigures | None
    home_figures: HomeFigures | None
    straits: list[StraitUse]
    countries: list[CountryInfra]
    weights: dict[str, float]
    sources: list[SourceRef]
    notes: list[str]


class CountryInfraResult(InfraModel):
    """One country's figures with the pack status, weights and sources."""

    home: str
    country: CountryInfra
    pack: PackStatus
    weights: dict[str, float]
    sources: list[SourceRef]
