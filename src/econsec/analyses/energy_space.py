"""A country's electricity generation mix (Ember) and its orbital launches (JSR).

- :func:`energy_profile`: the mix of every year with Ember data (TWh and shares by source,
  fossil, renewable, low-carbon and import-exposed shares;
  :mod:`econsec.indicators.energy_mix`); ``latest`` is the latest year that is not
  provisional (the snapshot's 2025 is partial: it is shown apart as ``provisional``), the
  long change runs from 2000 (or the first year) and the recent one over the last five
  years to ``latest``. ``None`` for a country Ember does not cover.
- :func:`space_profile`: the country's launch-vehicle state's attempts, successes, world
  share and rank per year from its first launch to the log's last year, the five-year trend,
  the predecessor's record (the Soviet Union's for Russia) and the ranking of every
  launching state in the log's last year (:mod:`econsec.indicators.space_access`). The
  Soviet Union and international operators (ESA, ELDO, "I") are launching entities of
  their own in shares and ranks, never counted for a country.

Both carry their method and sources (``ember-generation``, ``jsr-launches``).
"""

from __future__ import annotations

from dataclasses import asdict

from econsec.analyses.models import (
    EnergyMixChange,
    EnergyMixYear,
    EnergyProfile,
    LaunchRanking,
    LaunchState,
    LaunchTrendInfo,
    LaunchYearRow,
    MethodRef,
    SpaceProfile,
)
from econsec.analyses.provenance import source_infos
from econsec.errors import NotFoundError
from econsec.indicators import energy_mix as em
from econsec.indicators import space_access as sa
from econsec.kb.protocol import KnowledgeBase

ENERGY_SOURCE = "ember-generation"
SPACE_SOURCE = "jsr-launches"
#: The long trend starts here (or at the first year with data after it).
BASELINE_YEAR = 2000
#: Length of the recent window of both trends, years.
RECENT_YEARS = 5


def _mix(m: em.MixYear, provisional: bool) -> EnergyMixYear:
    return EnergyMixYear(**asdict(m), provisional=provisional)


def _change(c: em.MixChange | None) -> EnergyMixChange | None:
    return None if c is None else EnergyMixChange(**asdict(c))


def energy_profile(kb: KnowledgeBase, country: str) -> EnergyProfile | None:
    """The generation mix of ``country`` (ISO code or name); ``None`` if Ember has no data.

    Raises :class:`~econsec.errors.UnknownCountryError` for an unknown country."""
    iso3 = kb.resolve_country(country)
    rows = [r for r in kb.electricity_generation(iso3) if r.total > 0]
    if not rows:
        return None
    provisional = {r.year for r in rows if r.provisional}
    final = [r for r in rows if not r.provisional] or rows
    latest = max(r.year for r in final)
    trend = em.mix_trend({r.year: r.twh for r in rows}, baseline=BASELINE_YEAR,
                         recent_years=RECENT_YEARS, latest=latest)
    later = [r for r in rows if r.year > latest]
    return EnergyProfile(
        iso3=iso3,
        latest=_mix(trend.latest, latest in provisional),
        provisional=_mix(em.generation_mix(later[-1].year, later[-1].twh), True)
        if later else None,
        long_change=_change(trend.long),
        recent_change=_change(trend.recent),
        years=[_mix(em.generation_mix(r.year, r.twh), r.provisional) for r in rows],
        groups={"fossil": list(em.FOSSIL), "renewable": list(em.RENEWABLE),
                "low_carbon": list(em.LOW_CARBON), "import_exposed": list(em.IMPORT_EXPOSED)},
        method=MethodRef(**trend.method.to_dict()),
        sources=source_infos(kb.sources([ENERGY_SOURCE])),
    )


def _state(code: str) -> LaunchState:
    from econsec.datasets.launches import STATE_CODES

    s = STATE_CODES[code]
    kind = s.kind if s.kind in ("historical", "international") else "country"
    return LaunchState(code=s.code, iso3=s.iso3, name_en=s.name_en, name_ja=s.name_ja,
                       kind=kind)  # type: ignore[arg-type]


def _year(y: sa.LaunchYear) -> LaunchYearRow:
    return LaunchYearRow(**asdict(y))


def state_code(iso3: str) -> str | None:
    """The JSR launch-vehicle state code of a country (None if it has none)."""
    from econsec.datasets.launches import STATE_CODES

    return next((s.code for s in STATE_CODES.values() if s.iso3 == iso3), None)


def space_profile(kb: KnowledgeBase, country: str) -> SpaceProfile:
    """The orbital launch record of ``country`` (ISO code or name).

    Raises :class:`~econsec.errors.UnknownCountryError` for an unknown country and
    :class:`~econsec.errors.NotFoundError` when the knowledge base has no launch log."""
    from econsec.datasets.launches import STATE_CODES

    iso3 = kb.resolve_country(country)
    launches = kb.orbital_launches()
    if not launches:
        raise NotFoundError("the knowledge base has no orbital launch log")
    counts = sa.launch_counts((x.year, x.state, x.success) for x in launches)
    last = counts.years[-1]
    code = state_code(iso3)
    record = sa.space_access(counts, code, recent_years=RECENT_YEARS) if code else None
    own = record if record and record.first_year is not None else None
    predecessor = next((s.code for s in STATE_CODES.values() if s.successor == iso3), None)
    before = sa.space_access(counts, predecessor) if predecessor else None
    ranking = [LaunchRanking(state=_state(entity), launches=y.launches, successes=y.successes,
                             world_share=y.world_share, rank=y.rank or 0)
               for entity, y in sa.ranking(counts, last)]
    method = sa.METHOD
    return SpaceProfile(
        iso3=iso3,
        state=_state(code) if code else None,
        total_launches=own.total_launches if own else 0,
        total_successes=own.total_successes if own else 0,
        first_year=own.first_year if own else None,
        first_log_year=counts.years[0],
        latest_year=last,
        latest=_year(own.latest) if own else None,
        trend=LaunchTrendInfo(**asdict(own.trend), share_pp=own.trend.share_pp,
                              growth=own.trend.growth) if own else None,
        years=[_year(y) for y in own.years] if own else [],
        predecessor=_state(predecessor) if predecessor else None,
        predecessor_years=[_year(y) for y in before.years if y.launches] if before else [],
        world_ranking=ranking,
        method=MethodRef(**method.to_dict()),
        sources=source_infos(kb.sources([SPACE_SOURCE])),
    )
