"""Pydantic models of the API's request bodies and (documented) response shapes.

Responses are the analyses' dictionaries (the CLI's ``--format json``) serialised directly;
the models below document their main members in OpenAPI (``extra="allow"``: a response may
carry more members than listed).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class Page(_Open):
    """One page of a list."""

    items: list[dict[str, Any]]
    total: int = Field(description="Number of items in the whole list")
    limit: int
    offset: int
    next: str | None = Field(None, description="URL of the next page (also in the Link "
                                               "header), null on the last page")


class CommodityPage(Page):
    """Commodities: ``{id, name_en, name_ja, measures: {measure: [years]}}``."""


class CountryPage(Page):
    """Countries: ``{iso3, iso2, numeric, name_en, name_ja, groups}``."""


class CommodityProfile(_Open):
    commodity: str
    name_en: str
    name_ja: str
    measures: dict[str, Any] = Field(description="Shares per measure (see the shares "
                                                 "endpoint)")
    trend: dict[str, Any]
    reserves_to_production: float | None
    notes: list[str]


class ShareRow(_Open):
    iso3: str
    country: str
    country_ja: str
    value: float | None
    share: float


class Shares(_Open):
    """The JSON of ``econsec shares COMMODITY --format json``."""

    commodity: str
    commodity_name: str
    commodity_name_ja: str
    measure: str
    year: int
    unit: str
    basis: str
    basis_note: str
    total: float | None
    published_world_total: float | None
    hhi: float | None
    shares: list[ShareRow]
    aggregates: list[dict[str, Any]]
    sources: list[dict[str, Any]]
    other_sources: list[Any]
    withheld: list[dict[str, Any]]


class CountryProfile(_Open):
    """:func:`econsec.analyses.country_profile.country_profile`."""

    iso3: str
    name_en: str
    name_ja: str
    groups: list[str]
    export_control: dict[str, Any]
    governance: dict[str, Any] | None
    country_risk: dict[str, Any] | None
    produces: list[dict[str, Any]]
    home_depends_on: list[dict[str, Any]]
    sources: list[dict[str, Any]]


class DependenceTable(_Open):
    """The JSON of ``econsec assess dependence --format json``."""

    home: str
    home_name: str
    home_name_ja: str
    partners: list[str]
    partner_groups: list[str]
    columns: list[str]
    rows: list[dict[str, Any]]
    sources: list[str]


class LensTable(_Open):
    home: str
    thresholds: dict[str, Any]
    rows: list[dict[str, Any]]


class ScreeningMatrix(_Open):
    sr_threshold: float
    ei_threshold: float
    points: list[dict[str, Any]]
    sources: list[str]


class EuCrmAssessment(_Open):
    """The JSON of ``econsec assess eu-crm --format json``."""

    input: str
    sr_threshold: float
    ei_threshold: float
    results: list[dict[str, Any]]
    wgi_source: str


class Shock(BaseModel):
    """One shock: a sector of a region and a value (a number in the table's unit, or a
    string such as ``"-10%"`` for a share of the base). ``region`` may be left out in a
    one-region table; extraction ignores ``value``."""

    model_config = ConfigDict(extra="forbid")

    region: str | None = Field(None, max_length=200, examples=["reg1"])
    sector: str = Field(max_length=200, examples=["mining"])
    value: float | str | None = Field(None, examples=[-10, "-10%"])


class IoRequest(BaseModel):
    """A static input-output shock (``econsec io …``)."""

    model_config = ConfigDict(extra="forbid")

    mrio: str = Field("pymrio:test", max_length=200,
                      description="pymrio:test or bundled:bea-2023")
    shocks: list[Shock] = Field(min_length=1, max_length=500)
    method: Literal["auto", "lu", "splu", "gmres", "neumann"] = "auto"
    top: int | None = Field(None, ge=1, le=100_000,
                            description="Keep only the N largest changes in 'changes'")
    variant: Literal["full", "backward", "forward"] = Field(
        "full", description="Extraction only: full, backward or forward")


class IoResult(_Open):
    """The JSON of ``econsec io … --format json`` (keys depend on the model)."""

    model: str | None = None


class WorkedScenario(_Open):
    name: str
    ref: str
    title: str
    mrio: str
    description: str


class WorkedScenarios(_Open):
    scenarios: list[WorkedScenario]


class Job(_Open):
    """A scenario run: status queued | running | done | failed | cancelled, progress 0-1; when done,
    ``result`` (the JSON of ``econsec simulate --format json``) and ``series`` (daily
    series per variant for charts); when failed, ``error`` (problem details)."""

    id: str
    kind: str
    status: Literal["queued", "running", "done", "failed", "cancelled"]
    progress: float
    message: str
    created: float
    started: float | None
    finished: float | None
    result: dict[str, Any] | None
    error: dict[str, Any] | None


class Preview(_Open):
    """A parsed user file, not stored."""

    file: str
    counts: dict[str, int]
    rows: dict[str, list[dict[str, Any]]]
    sources: list[dict[str, Any]]
    errors: list[dict[str, Any]]


class ImportResult(_Open):
    file: str
    rows: dict[str, int]
    replaced: dict[str, int]
    source_keys: list[str]
    counts: dict[str, int]


class Health(_Open):
    status: Literal["ok"]
    version: str
    database: str
    data_version: int
    counts: dict[str, int]


class Sources(_Open):
    sources: list[dict[str, Any]]
