"""Pydantic models of the API's request bodies and response shapes.

The analyses' results are their own models (:mod:`econsec.analyses.models`): the API
declares them as ``response_model`` and serialises them as the CLI's ``--format json``
does. The models below describe what only the API returns (pages of lists, runs, uploads,
health) and its request bodies.
"""

from __future__ import annotations

from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from econsec.analyses.models import (
    CommodityListItem,
    CommodityProfile,
    CountryProfile,
    DependenceTable,
    EuCrmAssessment,
    LensTable,
    ScreeningMatrix,
    Shares,
    SourceInfo,
)

__all__ = [
    "CommodityPage", "CommodityProfile", "CountryPage", "CountryProfile", "CountryRow",
    "DependenceTable", "EuCrmAssessment", "Health", "ImportResult", "IoRequest", "IoResult",
    "Job", "LensTable", "Preview", "ScreeningMatrix", "Shares", "Shock", "Sources",
    "WorkedScenario", "WorkedScenarios",
]

T = TypeVar("T")


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class Page(BaseModel, Generic[T]):
    """One page of a list."""

    items: list[T]
    total: int = Field(description="Number of items in the whole list")
    limit: int
    offset: int
    next: str | None = Field(None, description="URL of the next page (also in the Link "
                                               "header), null on the last page")


class CommodityPage(Page[CommodityListItem]):
    """Commodities with, per measure, the years available."""


class CountryRow(BaseModel):
    """A country or territory (ISO 3166-1) with its names and groups."""

    iso3: str
    iso2: str
    numeric: str
    name_en: str
    name_ja: str
    groups: list[str]


class CountryPage(Page[CountryRow]):
    """Countries with their names and groups."""


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
    sources: list[SourceInfo]
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


class Sources(BaseModel):
    """Every data set in the knowledge base, sorted by key."""

    sources: list[SourceInfo]
