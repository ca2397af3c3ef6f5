"""Everything the report and the commodity page show about one commodity.

Built from knowledge-base observations (newest release per fact) and the concentration
indicators; every figure carries the keys of the sources it came from.
"""

from __future__ import annotations

from collections import defaultdict

from econsec.analyses.models import CommodityProfile, Shares, Trend, TrendSeries
from econsec.analyses.observations import newest_release
from econsec.analyses.shares import (
    SHARE_MEASURES,
    YearShares,
    commodity_shares,
    is_world_total,
    year_shares,
)
from econsec.errors import DataFormatError, ValidationError
from econsec.indicators.common import safe_sum
from econsec.kb.protocol import KnowledgeBase
from econsec.records import Measure, Observation, Source


def commodity_profile(kb: KnowledgeBase, item_id: str, *, top: int = 5) -> CommodityProfile:
    """Shares for the latest year of each measure, a multi-year trend and reserves/production.

    ``trend`` holds the world total (where published) and the ``top`` producers of the latest
    year over every year in the knowledge base; ``reserves_to_production`` is reserves of the
    latest year divided by production of the latest year (years of supply at current rates).
    """
    item = kb.find_item(item_id)
    sources = {s.key: s for s in kb.sources()}
    by_measure: dict[str, Shares] = {}
    notes: list[str] = []
    for measure in SHARE_MEASURES:
        if kb.years(item.id, measure.value):
            try:
                by_measure[measure.value] = commodity_shares(kb, item.id, measure=measure.value)
            except ValidationError as exc:  # e.g. every reported value is zero or withheld
                notes.append(f"{measure.value}: {exc.message}")
    return CommodityProfile(
        commodity=item.id,
        name_en=item.name_en,
        name_ja=item.name_ja,
        measures=by_measure,
        trend=_trend(kb, item.id, sources, top=top),
        reserves_to_production=_reserves_to_production(by_measure),
        notes=notes,
    )


def _trend(kb: KnowledgeBase, item_id: str, sources: dict[str, Source], *, top: int) -> Trend:
    """Values and shares of the world total and the leading producers over the years.

    ``shares`` maps every reporting country to its share in each year (``None`` where it
    reports nothing) and ``bases`` gives each year's basis: both from :func:`year_shares`,
    the rule of the headline, so a year's share here is the share the headline shows for
    that year.
    """
    measure = Measure.PRODUCTION.value
    if not kb.years(item_id, measure):
        measure = Measure.REFINERY.value
    observations = newest_release(kb.observations(item_id, measure=measure), sources)
    if not observations:
        return Trend(measure=measure, years=[], bases=[], series=[], shares={})
    years = sorted({o.year for o in observations})
    latest = max(years)
    by_area: dict[str, dict[int, float | None]] = defaultdict(dict)
    by_year: dict[int, list[Observation]] = defaultdict(list)
    labels: dict[str, str] = {}
    world_key: str | None = None
    for obs in observations:
        by_year[obs.year].append(obs)
        key = obs.iso3 or obs.area.strip()
        labels[key] = obs.area.strip()
        if obs.value is None:
            by_area[key].setdefault(obs.year, None)
            continue
        # a country can report several rows (USGS helium: natural gas and Cliffside): sum
        by_area[key][obs.year] = safe_sum([by_area[key].get(obs.year) or 0.0, obs.value])
        if obs.iso3 is None and is_world_total(obs.area):
            world_key = key
    per_year: dict[int, YearShares | None] = {}
    for year in years:
        try:
            per_year[year] = year_shares(by_year[year], label=f"{item_id} {measure}")
        except (ValidationError, DataFormatError):  # nothing positive, or two world totals
            per_year[year] = None
    countries = sorted({c for ys in per_year.values() if ys for c in ys.values})
    shares = {c: [ys.share(c) if ys and c in ys.values else None for ys in per_year.values()]
              for c in countries}
    leaders = sorted(
        (k for k in by_area if k != world_key and len(k) == 3 and k.isupper()),
        key=lambda k: -(by_area[k].get(latest) or 0.0),
    )[:top]
    keys = ([world_key] if world_key else []) + leaders
    units = sorted({o.unit for o in observations if o.unit})
    return Trend(
        measure=measure,
        unit="; ".join(units),
        years=years,
        bases=[ys.basis if ys else None for ys in per_year.values()],
        series=[
            TrendSeries(key=k, label=labels[k], is_world_total=k == world_key,
                        values=[by_area[k].get(y) for y in years],
                        shares=None if k == world_key else shares.get(k, [None] * len(years)))
            for k in keys
        ],
        shares=shares,
        sources=sorted({o.source_key for o in observations}),
    )


def _reserves_to_production(by_measure: dict[str, Shares]) -> float | None:
    reserves, production = by_measure.get("reserves"), by_measure.get("production")
    if not reserves or not production:
        return None
    if reserves.unit != production.unit or not production.total:
        return None
    return reserves.total / production.total if reserves.total else None
