"""Result models of the technology analysis (:mod:`econsec.analyses.technology`), in the
style of :mod:`econsec.analyses.models`: frozen, no extra keys, shares as fractions, every
figure with the NCSES table it came from and its year."""

from __future__ import annotations

from econsec.analyses.models import AnalysisResult, MethodRef, SourceInfo


class TrendInfo(AnalysisResult):
    """Share change (share points as a fraction) and count CAGR over the window."""

    start_year: int
    end_year: int
    share_start: float
    share_end: float
    change: float
    cagr: float | None
    #: Years of the window without a value (the span used is ``start_year``–``end_year``).
    missing_years: list[int]


class IndicatorCell(AnalysisResult):
    """One indicator of one field: the country's count, world share, rank and trend."""

    indicator: str
    label_en: str
    label_ja: str
    #: NCSES table numbers the figure comes from (``SINV-4``; top-1 %: rate and article tables).
    tables: list[str]
    year: int | None
    value: float | None
    world: float | None
    share: float | None
    rank: int | None
    countries_ranked: int
    trend: TrendInfo | None
    note: str = ""


class TechnologyField(AnalysisResult):
    """A technology or science field with the country's position in each indicator."""

    field: str
    name_en: str
    name_ja: str
    kind: str
    indicators: list[IndicatorCell]


class TechnologyThresholdsInfo(AnalysisResult):
    """The thresholds of the technology lenses and the trend window (shares as fractions)."""

    window: int
    advantage_share: float
    advantage_rank: int
    advantage_rank_min_share: float
    share_growth: float


class TechnologyLensRow(AnalysisResult):
    """The technology lenses' verdict on one field, with the reasons, and the field's
    largest share change of any indicator (signed: a fall shows too)."""

    field: str
    name_en: str
    name_ja: str
    domestic_advantage: bool
    domestic_advantage_reasons: list[str]
    disruptive_innovation: bool
    disruptive_innovation_reasons: list[str]
    largest_change: float | None
    largest_change_indicator: str | None


class TechnologyLensTable(AnalysisResult):
    """The domestic-advantage and disruptive-innovation lenses over technology fields."""

    home: str
    thresholds: TechnologyThresholdsInfo
    rows: list[TechnologyLensRow]


class TechnologyProfile(AnalysisResult):
    """A country's technology profile: per field, share, rank and trend of each indicator."""

    iso3: str
    name_en: str
    name_ja: str
    window: int
    fields: list[TechnologyField]
    lenses: TechnologyLensTable
    method: MethodRef
    notes: list[str]
    sources: list[SourceInfo]
