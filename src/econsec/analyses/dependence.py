"""Dependence and indispensability of a home country over all commodities.

For each commodity the headline supply series (production, else refinery production) of
its latest year is profiled with :func:`econsec.indicators.criticality.dependence_profile`:
home share and rank (indispensability), top supplier, HHI, share held by the home
country's partners and by others (dependence), governance-weighted HHI, and the home
country's net import reliance where USGS publishes one, and where its imports come from
where trade shares are bundled (both: United States only).

Countries without WGI estimates (New Caledonia in nickel and cobalt, say) get the
midpoint :data:`~econsec.analyses.governance.MISSING_WGI` in the governance-weighted HHI and
are listed in ``wgi_imputed``.

Partners are the members of every group the home country belongs to among
:data:`PARTNER_GROUPS` (for Japan: G7, Quad, OECD).

Where the knowledge base holds bilateral product flows (BACI) for a commodity's HS codes,
each row also carries the home country's trade position at every stage it trades
(``trade_stages``, :mod:`econsec.analyses.trade_position`), and the import columns
(``import_total``, ``top_import_source`` and its share, ``import_hhi``,
``imports_from_partners``/``imports_from_outside``, ``import_hhi_wgi``, the five-year
change of the top source's share, ``net_exporter``) are those of the *headline* stage, the
one with the largest imports (``trade_stage``). A commodity without USGS country
production (germanium) gets its world-supply columns from the world exports of its
refined product instead, and ``supply_basis_note`` says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from econsec.analyses.commodity_profile import commodity_profile
from econsec.analyses.governance import MISSING_WGI, scaled_wgi
from econsec.analyses.models import (
    CommodityProfile,
    DependenceRow,
    DependenceTable,
    Shares,
    TradeStage,
)
from econsec.analyses.observations import newest_release
from econsec.analyses.trade_position import (
    ICIO_INDUSTRIES,
    HomeFlows,
    NetTrade,
    WorldFlows,
    icio_stage,
    trade_stages,
)
from econsec.indicators.concentration import hhi
from econsec.indicators.criticality import Thresholds, dependence_profile
from econsec.kb.protocol import KnowledgeBase
from econsec.records import CommodityProduct, Measure, TradeFlow

PARTNER_GROUPS = ("G7", "Quad", "EU27", "OECD")

COLUMNS = (
    "commodity", "measure", "year", "home_share", "home_rank", "top_supplier", "top_share",
    "hhi", "partner_share", "outside_share", "top_outside_supplier",
    "governance_weighted_hhi", "net_import_reliance", "top_import_source", "top_import_share",
    "import_hhi", "imports_from_outside", "trade_stage", "import_year", "import_total",
    "imports_from_partners", "import_hhi_wgi", "top_import_share_change_5y", "export_total",
    "net_exporter",
)


@dataclass(frozen=True)
class ImportSources:
    """Where the home country imports one item from (the latest period of bundled shares)."""

    top_import_source: str | None
    top_import_share: float | None
    import_hhi: float
    imports_from_outside: float
    import_years: str
    import_sources: list[str]


def partners_of(kb: KnowledgeBase, home: str, groups: Sequence[str] = PARTNER_GROUPS
                ) -> set[str]:
    """Members of every group in ``groups`` that ``home`` belongs to (home excluded)."""
    members: set[str] = set()
    for group in groups:
        group_members = set(kb.group_members(group))
        if home in group_members:
            members |= group_members
    return members - {home}


def dependence_table(
    kb: KnowledgeBase, home: str, *, profiles: Sequence[CommodityProfile] | None = None,
    net_trade: NetTrade | None = None,
) -> DependenceTable:
    """The home country's dependence profile for every commodity with supply data.

    ``net_trade`` (:func:`econsec.io_models.net_trade.icio_net_trade`) gives the net trade
    of the industries of :data:`~econsec.analyses.trade_position.ICIO_INDUSTRIES` (steel,
    pig iron: no HS code in the bundled trade data) for the lenses' net-exporter test;
    without it they have no trade position."""
    home = kb.resolve_country(home)
    partners = partners_of(kb, home)
    wgi = scaled_wgi(kb)
    nir = _net_import_reliance(kb, home)
    imports = _import_sources(kb, home, partners)
    if profiles is None:
        profiles = [commodity_profile(kb, row["id"]) for row in kb.commodity_summary()
                    if row["years"]]
    links = _links_by_item(kb)
    flows = HomeFlows.read(kb, home, {(link.hs_code, link.hs_version)
                                      for item_links in links.values() for link in item_links})
    world = WorldFlows(kb, (link for item_links in links.values() for link in item_links))
    rows = []
    for profile in profiles:
        series = profile.headline()
        stages = trade_stages(home, links.get(profile.commodity, []), flows,
                              partners=partners, wgi=wgi,
                              world=world if "refinery" not in profile.measures else None)
        supply = _supply(series, stages, home)
        if supply is None:
            continue
        production, measure, year, unit, total, supply_sources, note = supply
        imputed = sorted(c for c in production if c not in wgi)
        result = dependence_profile(
            production, home, partners,
            wgi_scaled={c: wgi.get(c, MISSING_WGI) for c in production},
            total=total,
            net_import_reliance=nir[profile.commodity][0] if profile.commodity in nir
            else None,
            item=profile.commodity,
        )
        industry = ICIO_INDUSTRIES.get(profile.commodity)
        if not stages and industry and net_trade is not None and (
                result.home_rank is not None
                and result.home_rank <= Thresholds().net_exporter_rank):
            # no HS code in the bundled trade data: the lenses' net-exporter test reads the
            # ICIO table (only where it can matter: a leading producer)
            found_icio = icio_stage(home, industry, net_trade)
            stages = [found_icio] if found_icio is not None else []
        sources = list(supply_sources)
        found = imports.get(profile.commodity)
        if found:
            sources += found.import_sources
        if profile.commodity in nir:
            sources.append(nir[profile.commodity][1])
        head = stages[0] if stages else None
        if head is not None:
            sources += [s for st in stages for s in st.sources if s not in sources]
        rows.append(DependenceRow(
            **asdict(result),  # the indicator's profile, its method as a MethodRef
            commodity=profile.commodity, name_en=profile.name_en, name_ja=profile.name_ja,
            measure=measure, year=year, unit=unit, sources=sources,
            home_share_by_year=_home_share_by_year(profile, home, series)
            if series is not None and note is None else {},
            wgi_imputed=imputed,
            **_import_columns(head, found),
            supply_basis_note=note,
            trade_stages=stages,
        ))
    rows.sort(key=lambda r: (-r.outside_share * r.hhi, r.commodity))
    home_country = kb.country(home)
    return DependenceTable(
        home=home,
        home_name=home_country.name_en,
        home_name_ja=home_country.name_ja,
        partners=sorted(partners),
        partner_groups=[g for g in PARTNER_GROUPS if home in set(kb.group_members(g))],
        columns=list(COLUMNS),
        rows=rows,
        sources=sorted({k for r in rows for k in r.sources}),
    )


def _links_by_item(kb: KnowledgeBase) -> dict[str, list[CommodityProduct]]:
    out: dict[str, list[CommodityProduct]] = {}
    for link in kb.commodity_products():
        out.setdefault(link.item_id, []).append(link)
    return out


Supply = tuple[dict[str, float | None], str, int, str, float | None, list[str], str | None]


def _supply(series: Shares | None, stages: Sequence[TradeStage], home: str) -> Supply | None:
    """World supply by country: the headline USGS series, else (no country production) the
    world exports of the commodity's processed product (labelled so): its ten largest
    exporters and the home country, as shares of the world total."""
    if series is not None and series.shares:
        return ({r.iso3: r.value for r in series.shares}, series.measure, series.year,
                series.unit, series.total if series.basis == "world-total" else None,
                [s.key for s in series.sources], None)
    for stage in stages:
        exp = stage.world_exports
        if exp is not None:
            values: dict[str, float | None] = {r.iso3: r.share * exp.total
                                               for r in exp.top_exporters}
            if home not in values and exp.home_share > 0:
                values[home] = exp.home_share * exp.total
            return (values, "exports", exp.year, exp.unit, exp.total, list(exp.sources),
                    f"{exp.label}; {exp.stage}, {exp.hs_version} {'+'.join(exp.hs_codes)}")
    return None


def _import_columns(head: TradeStage | None, found: ImportSources | None
                    ) -> dict[str, Any]:
    """The flat import columns: the headline trade stage's where there is bilateral trade;
    ``top_import_source``, ``top_import_share``, ``import_hhi``, ``imports_from_outside``
    and ``import_years`` from the item's own bundled import shares where there are some
    (U.S. Census, 2020-2023: gallium itself, where BACI has the Ga/Ge basket 811292)."""
    legacy = {} if found is None else {
        "top_import_source": found.top_import_source,
        "top_import_share": found.top_import_share, "import_hhi": found.import_hhi,
        "imports_from_outside": found.imports_from_outside,
        "import_years": found.import_years,
    }
    if head is not None:
        return {
            "top_import_source": head.top_source, "top_import_share": head.top_share,
            "import_hhi": head.hhi, "imports_from_outside": head.outside_share,
            "import_years": str(head.year),
            **legacy,  # the item's own import shares (U.S. Census extract) are more specific
            "trade_stage": head.stage,
            "import_year": head.year, "import_total": head.imports,
            "imports_from_partners": head.partner_share,
            "import_hhi_wgi": head.governance_weighted_hhi,
            "top_import_share_change_5y": head.top_share_change_5y,
            "export_total": head.exports, "net_exporter": head.net_exporter,
        }
    return legacy


def _home_share_by_year(profile: CommodityProfile, home: str, series: Shares
                        ) -> dict[int, float]:
    """The home country's share in each year of the profile's trend, by the headline's rule
    (:func:`econsec.analyses.shares.year_shares`), in the years whose basis is the headline's
    (a share of the published world total and one of the reported sum are not compared)."""
    trend = profile.trend
    if trend.measure != series.measure or home not in trend.shares:
        return {}
    return {
        year: share
        for year, share, basis in zip(trend.years, trend.shares[home], trend.bases,
                                      strict=True)
        if share is not None and basis == series.basis
    }


def _net_import_reliance(kb: KnowledgeBase, home: str) -> dict[str, tuple[float, str]]:
    """Latest published net import reliance (fraction) of ``home`` per commodity, with the
    key of its source."""
    sources = kb.sources()
    latest: dict[str, tuple[int, float, str]] = {}
    for item in kb.items():
        observations = newest_release(
            kb.observations(item.id, measure=Measure.NET_IMPORT_RELIANCE), sources
        )
        for obs in observations:
            newer = obs.year >= latest.get(item.id, (0, 0.0, ""))[0]
            if obs.iso3 == home and obs.value is not None and newer:
                latest[item.id] = (obs.year, obs.value / 100.0, obs.source_key)
    return {k: (v, key) for k, (_, v, key) in latest.items()}


def _import_sources(kb: KnowledgeBase, home: str, partners: set[str]
                    ) -> dict[str, ImportSources]:
    """Where ``home`` imports each item from, where trade shares are bundled (U.S. imports).

    Shares of the latest period (``year``-``year_end``) of each item are used.

    ``import_hhi`` is Σ share² over named partners ("other" pooled partners are left out, so
    it is a lower bound); ``imports_from_outside`` is the share of imports from countries
    neither home nor partners, the pooled "other" included.
    """
    by_period: dict[str, dict[tuple[int, int, str], list[TradeFlow]]] = {}
    for flow in kb.trade_flows(importer=home):
        if flow.share is not None and flow.item_id is not None:
            period = (flow.year_end or flow.year, flow.year, flow.source_key)
            by_period.setdefault(flow.item_id, {}).setdefault(period, []).append(flow)
    out = {}
    for item_id, periods in by_period.items():
        flows = periods[max(periods)]  # the latest period (shares of one period add up to 1)
        named = sorted((f for f in flows if f.exporter), key=lambda f: -(f.share or 0.0))
        out[item_id] = ImportSources(
            top_import_source=named[0].exporter if named else None,
            top_import_share=named[0].share if named else None,
            import_hhi=hhi([f.share or 0.0 for f in named]),
            imports_from_outside=sum(f.share or 0.0 for f in flows
                                     if f.exporter not in partners),
            import_years=f"{flows[0].year}-{flows[0].year_end or flows[0].year}",
            import_sources=sorted({f.source_key for f in flows}),
        )
    return out
