"""The result of a stress test (:mod:`econsec.scenarios.stress_test`): one pydantic model,
dumped by ``econsec stress-test --format json``, saved for the page and the report, and read
back (validated) from the saved file.

Sums are in million USD over the simulated horizon (the ICIO table's unit; daily values
summed over days); import values are BACI's, in thousand USD; shares are fractions (0-1).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

#: Version of the saved JSON (bump when its shape changes; an older file is refused).
FORMAT_VERSION = 1


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class IndustryLoss(_Model):
    """An industry of the country and what it lost over the horizon."""

    sector: str = Field(description="ICIO industry code, e.g. C26")
    name_en: str
    name_ja: str
    lost_output: float = Field(description="Σ over days of pre-shock minus actual output, "
                                           "million USD")
    min_relative_production: float = Field(description="Lowest daily output relative to "
                                                       "pre-shock (0-1)")


class MitigationOutcome(_Model):
    """One measure tried on a case: the measure as a scenario file writes it and the
    country's loss with it."""

    type: str = Field(description="diversify_supplier or stockpile_release")
    measure: dict[str, Any] = Field(description="The measure (fields of the scenario file)")
    lost_output: float
    avoided: float = Field(description="Loss without measures minus loss with this one, "
                                       "million USD")
    note: str = ""


class StressCase(_Model):
    """One dependency restricted at one severity."""

    severity: float = Field(description="Share of the product's flow from the top supplier "
                                        "that is cut (0-1]")
    conversion: dict[str, Any] = Field(description="How the product restriction became a "
                                                   "cut of ICIO flows (the converter's report)")
    events: list[dict[str, Any]] = Field(description="The events simulated")
    lost_output: float = Field(description="The country's output lost over the horizon, "
                                           "million USD (negative: it produced more)")
    lost_output_gross: float = Field(description="Only days and industries below pre-shock")
    lost_output_share: float = Field(description="Lost output over the country's pre-shock "
                                                 "output over the horizon")
    world_production_change: float
    final_demand_unmet: float = Field(description="The country's final demand not met, "
                                                  "million USD")
    worst_hit: list[IndustryLoss]
    mitigations: list[MitigationOutcome]
    best_mitigation: str | None = Field(description="Type of the measure that avoids most "
                                                    "loss; null when none avoids any")


class Dependency(_Model):
    """An import dependency of the country and its cases, ranked."""

    rank: int
    hs: str
    hs_version: str
    description: str = ""
    description_ja: str = ""
    commodity: str | None = None
    year: int = Field(description="Latest year with the country's imports of the product")
    import_value: float = Field(description="The country's imports of the product that year, "
                                            "thousand USD (BACI)")
    top_supplier: str = Field(description="ISO3 of the largest exporter to the country")
    top_supplier_share: float
    top_supplier_value: float = Field(description="Thousand USD")
    lost_output: float = Field(description="Ranking key: lost output at the highest severity")
    cases: list[StressCase]
    sources: list[str]


class Skipped(_Model):
    """A dependency the stress test could not convert into an event, and why."""

    hs: str
    hs_version: str
    top_supplier: str | None = None
    reason: str


class StressTestResult(_Model):
    """A whole stress test: settings, the ranking, timing and sources."""

    format_version: int = FORMAT_VERSION
    country: str
    country_name_en: str
    country_name_ja: str
    top: int
    severities: list[float]
    days: int
    mrio: str
    unit: str
    executor: str
    runs: int
    wall_seconds: float
    created: str = Field(description="UTC time the run finished, ISO 8601")
    method: str
    assumptions: dict[str, Any]
    country_output: float = Field(description="The country's pre-shock output over the "
                                              "horizon, million USD")
    dependencies: list[Dependency]
    skipped: list[Skipped]
    sources: list[str]
    notes: list[str] = Field(description="The table's limits (English)")
    note_texts: list[dict[str, Any]] = Field(description="The same notes as {id, params}")
