"""A country's technology profile from the NSF NCSES Science & Engineering Indicators
tables (``econsec assess technology``, ``GET /api/v1/countries/{iso3}/technology``, the
country page).

For every field of :data:`econsec.datasets.nsf_sei.FIELDS` and each indicator the field has
(USPTO patents granted, PCT applications, S&E articles, top-1 % most-cited articles): the
country's count, world share and rank among the countries of the table in the latest year
with a value, and the share change and count CAGR over the window
(:mod:`econsec.indicators.technology`). Articles of "all fields" are the sum of the 14 field
tables (fractional counts; the world rows add up exactly to the published world total);
top-1 % articles are the field's articles times the published percentage of them among the
world's top 1 % most cited. Then the two technology lenses per field, with their thresholds
(:class:`~econsec.indicators.technology.TechnologyThresholds`).
"""

from __future__ import annotations

from dataclasses import asdict, replace

from econsec.analyses.models import MethodRef
from econsec.analyses.provenance import source_infos
from econsec.analyses.technology_models import (
    IndicatorCell,
    TechnologyField,
    TechnologyLensRow,
    TechnologyLensTable,
    TechnologyProfile,
    TechnologyThresholdsInfo,
    TrendInfo,
)
from econsec.datasets.nsf_sei import FIELDS, INDICATORS, SOURCE_KEY, SeiData, SeiField
from econsec.i18n.terms import N_
from econsec.indicators.technology import (
    METHOD,
    IndicatorPosition,
    Position,
    TechnologyThresholds,
    combine,
    position,
    technology_lenses,
    top_cited,
)
from econsec.kb.protocol import KnowledgeBase
from econsec.records import Source

#: Notes every technology result carries (translated on pages).
NOTES = (
    N_("USPTO and PCT counts are fractional counts by inventor country (NCSES); the USPTO "
       "tables list 35 economies, so a rank is among those listed."),
    N_("Articles are fractional counts (Scopus, SEI 2022 edition, 1996-2020); all fields is "
       "the sum of the 14 field tables."),
    N_("Top 1 percent cited articles are estimated as the field's articles times the published "
       "percentage of them among the world's top 1 percent most cited (SEI 2024 edition, "
       "2003-2020); the two tables come from different Scopus extractions."),
    N_("The years of these tables were assigned by position when they were converted; the "
       "values checked against the published figures are listed in docs/technology.md."),
)

Values = dict[str, dict[int, float | None]]
World = dict[int, float | None]


def _series(data: SeiData, spec: SeiField, indicator: str) -> tuple[Values, World]:
    """(countries → year → count, world → count) of one indicator of one field."""
    tables = spec.tables()[indicator]
    if indicator == "top1":
        rates = data.table(tables[0])
        articles, world_articles = _summed(data, tables[1:])
        world = {y: (a * r / 100 if a is not None and (r := rates.world.get(y)) is not None
                     else None) for y, a in world_articles.items() if y in rates.world}
        return top_cited(articles, rates.countries), world
    return _summed(data, tables)


def _summed(data: SeiData, tables: tuple[int, ...]) -> tuple[Values, World]:
    parts = [data.table(t) for t in tables]
    if len(parts) == 1:
        return ({c: dict(s) for c, s in parts[0].countries.items()}, dict(parts[0].world))
    world = combine([{"": p.world} for p in parts]).get("", {})
    return combine([p.countries for p in parts]), world


def _cell(data: SeiData, spec: SeiField, indicator: str, iso3: str,
          window: int) -> tuple[IndicatorCell, Position]:
    values, world = _series(data, spec, indicator)
    p = position(values, world, iso3, window)
    tr = p.trend
    en, ja = INDICATORS[indicator]
    numbers = list(dict.fromkeys(data.tables[t].number for t in spec.tables()[indicator]))
    if indicator in ("articles", "top1") and len(spec.articles) > 1:  # all fields: one range
        first, last = (data.tables[spec.articles[i]].number for i in (0, -1))
        numbers = [n for n in numbers if n not in
                   {data.tables[t].number for t in spec.articles}] + [f"{first}…{last}"]
    cell = IndicatorCell(
        indicator=indicator, label_en=en, label_ja=ja, tables=numbers, year=p.year,
        value=p.value, world=p.world, share=p.share, rank=p.rank,
        countries_ranked=p.countries_ranked,
        trend=TrendInfo(start_year=tr.start_year, end_year=tr.end_year,
                        share_start=tr.share_start, share_end=tr.share_end, change=tr.change,
                        cagr=tr.cagr, missing_years=list(tr.missing_years)) if tr else None,
        note=p.note,
    )
    return cell, p


def technology_profile(kb: KnowledgeBase, country: str, *, window: int | None = None,
                       thresholds: TechnologyThresholds | None = None) -> TechnologyProfile:
    """The technology profile of ``country`` (ISO code or name in any bundled spelling);
    ``window`` (years) replaces the thresholds' trend window when given.

    Raises :class:`~econsec.errors.UnknownCountryError` with close matches for an unknown
    country and :class:`~econsec.errors.ValidationError` for a window outside 1-30 years; a
    country none of the tables lists gets fields whose cells say so."""
    t = thresholds or TechnologyThresholds()
    if window is not None:
        t = replace(t, window=window)
    iso3 = kb.resolve_country(country)
    c = kb.country(iso3)
    data = kb.technology_indicators()
    fields: list[TechnologyField] = []
    lens_rows: list[TechnologyLensRow] = []
    for spec in FIELDS:
        cells: list[IndicatorCell] = []
        positions: list[IndicatorPosition] = []
        for indicator in spec.tables():
            cell, p = _cell(data, spec, indicator, iso3, t.window)
            cells.append(cell)
            positions.append(IndicatorPosition(indicator, p))
        fields.append(TechnologyField(field=spec.id, name_en=spec.name_en,
                                      name_ja=spec.name_ja, kind=spec.kind, indicators=cells))
        lens = technology_lenses(spec.id, iso3, positions, t)
        changes = [(cell.trend.change, cell.indicator) for cell in cells if cell.trend]
        largest = max(changes, key=lambda x: abs(x[0])) if changes else None
        lens_rows.append(TechnologyLensRow(
            field=spec.id, name_en=spec.name_en, name_ja=spec.name_ja,
            domestic_advantage=lens.domestic_advantage,
            domestic_advantage_reasons=list(lens.domestic_advantage_reasons),
            disruptive_innovation=lens.disruptive_innovation,
            disruptive_innovation_reasons=list(lens.disruptive_innovation_reasons),
            largest_change=largest[0] if largest else None,
            largest_change_indicator=largest[1] if largest else None,
        ))
    return TechnologyProfile(
        iso3=iso3, name_en=c.name_en, name_ja=c.name_ja, window=t.window, fields=fields,
        lenses=TechnologyLensTable(home=iso3,
                                   thresholds=TechnologyThresholdsInfo(**asdict(t)),
                                   rows=lens_rows),
        method=MethodRef(**METHOD.to_dict()),
        notes=list(NOTES),
        sources=source_infos(_sources(kb)),
    )


def _sources(kb: KnowledgeBase) -> list[Source]:
    """The NCSES source record: from the knowledge base, else from the bundled list (a
    knowledge base built before the technology tables were bundled lacks it)."""
    found = kb.sources([SOURCE_KEY])
    if found:
        return list(found)
    from econsec.datasets.sources import source

    return [source(SOURCE_KEY)]
