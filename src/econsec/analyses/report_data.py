"""The data behind the criticality report and the overview page: one :class:`ReportData`.

Only analyses are called here; the report module renders the result.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date

from econsec.analyses.commodity_profile import commodity_profile
from econsec.analyses.dependence import dependence_table
from econsec.analyses.eu_crm import screening_matrix
from econsec.analyses.geopolrisk_assessment import geopolrisk_table
from econsec.analyses.lenses import lens_table
from econsec.analyses.models import (
    CommodityProfile,
    CountryNames,
    CountryRef,
    HhiRow,
    ReportData,
)
from econsec.analyses.provenance import source_infos
from econsec.analyses.trade_position import NetTrade
from econsec.errors import EconsecError
from econsec.kb.protocol import KnowledgeBase
from econsec.records import Country

Progress = Callable[[str, int, int], None]

#: A series enters the HHI ranking only when at least this many countries report it.
MIN_REPORTING_COUNTRIES = 3


def report_data(
    kb: KnowledgeBase, *, home: str = "JPN", progress: Progress | None = None,
    today: date | None = None, profiles: Sequence[CommodityProfile] | None = None,
    net_trade: NetTrade | None = None,
) -> ReportData:
    """Profiles of every commodity, HHI ranking, matrix, lenses, dependence and sources.

    ``profiles``: every commodity's profile when already computed (they do not depend on
    ``home``; the web app computes them once for every home country). ``net_trade``: as
    :func:`~econsec.analyses.dependence.dependence_table` takes it.
    """
    notify = progress or (lambda step, done, total: None)
    countries = {c.iso3: c for c in kb.countries()}
    if home not in countries:
        home = kb.resolve_country(home)
    if profiles is None:
        items = [row["id"] for row in kb.commodity_summary() if row["years"]]
        computed: list[CommodityProfile] = []
        for i, item_id in enumerate(items, 1):
            computed.append(commodity_profile(kb, item_id))
            notify("commodity profiles", i, len(items))
        profiles = computed
    profiles = list(profiles)
    notify("assessments", 0, 4)
    dependence = dependence_table(kb, home, profiles=profiles, net_trade=net_trade)
    notify("assessments", 1, 4)
    lenses = lens_table(kb, home, dependence)
    notify("assessments", 2, 4)
    matrix = screening_matrix(kb)
    notify("assessments", 3, 4)
    try:
        geopolrisk = geopolrisk_table(kb, home)
    except EconsecError:  # no commodity could be scored (a knowledge base without trade)
        geopolrisk = None
    notify("assessments", 4, 4)
    h = countries[home]
    return ReportData(
        generated=(today or date.today()).isoformat(),
        home=CountryRef(iso3=h.iso3, name_en=h.name_en, name_ja=h.name_ja),
        countries={c.iso3: CountryNames(en=c.name_en, ja=c.name_ja) for c in countries.values()},
        commodities=profiles,
        hhi_ranking=hhi_ranking(profiles, home, countries),
        matrix=matrix,
        lenses=lenses,
        dependence=dependence,
        sources=source_infos(kb.sources()),
        geopolrisk=geopolrisk,
    )


def hhi_ranking(
    profiles: Sequence[CommodityProfile], home: str, countries: Mapping[str, Country]
) -> list[HhiRow]:
    """Commodities by HHI of their headline supply measure, most concentrated first."""
    rows = []
    for p in profiles:
        s = p.headline()
        if not s or len(s.shares) < MIN_REPORTING_COUNTRIES:
            continue  # a U.S.-only series says nothing about world concentration
        top = s.shares[0]
        home_share = next((r.share for r in s.shares if r.iso3 == home), 0.0)
        rows.append(HhiRow(
            commodity=p.commodity, name_en=p.name_en, name_ja=p.name_ja,
            measure=s.measure, year=s.year, hhi=s.hhi,
            top_iso3=top.iso3, top_name_en=top.country,
            top_name_ja=top.country_ja, top_share=top.share,
            home_share=home_share,
        ))
    return sorted(rows, key=lambda r: -r.hhi)
