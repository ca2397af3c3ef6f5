"""A home country's trade position per commodity and stage, from bilateral product flows.

A commodity is traded as several HS codes at different stages of its value chain (ore,
mineral, compound, refined metal, magnet …; the crosswalk ``kb.commodity_products``). For
each stage the home country trades, in the latest year of the stage's flows:

- its imports (thousand USD) and exports, and whether it is a net exporter (exports >
  imports of the stage's codes);
- where the imports come from: the top source and its share, the import HHI, the share
  from the partner groups the home country belongs to and from others, and the
  governance-weighted import concentration Σ s_i² · WGI_i (0-10, EU CRM scaled WGI, latest
  WGI year; :mod:`econsec.indicators.trade_dependence`);
- the top source's share in each of the five years before, and its change over them;
- for processed stages (refined metal, element, oxide, compound, alloy) of a commodity for
  which USGS gives no country production or only mine output: the concentration of world
  *exports* of the product (exporters' shares, HHI, the home country's share and rank),
  labelled as export concentration, not production.

One HS edition per stage (:func:`stage_codes`: the one that reaches the latest year, then
the longest series: HS 1992, 1995-2024, before HS 2017, 2024 only), so no flow is counted
twice. The
*headline* stage of a commodity is the stage with the largest imports by value among the
stages of the material itself (ore … alloy); magnets, semi-finished goods and scrap only
when the home country trades nothing else.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from econsec.analyses.governance import MISSING_WGI
from econsec.analyses.models import ExporterShare, TradeStage, WorldExports
from econsec.indicators.trade_dependence import (
    export_concentration,
    import_position,
    share_change,
)
from econsec.kb.protocol import KnowledgeBase
from econsec.records import CommodityProduct

#: Stages whose world exports stand in for refined production where USGS has none.
PROCESSED_STAGES = ("refined metal", "element", "oxide", "compound", "alloy")
#: Stages made from the raw material (magnets, semi-finished goods, scrap): the headline
#: stage is one of these only when the home country trades no other.
DOWNSTREAM_STAGES = ("magnet", "semi-finished", "scrap")
#: Years before the latest over which the top source's share is followed.
TREND_YEARS = 5
#: Calendar years of flows read (the latest years are used; enough for the trend).
YEARS_READ = 12
#: What the world-export figures are (shown with them).
EXPORT_LABEL = ("export concentration of the refined product (BACI: exporters' shares of "
                "world exports), not production")
VALUE_UNIT = "thousand USD"
#: HS editions by preference (longest history first).
HS_PREFERENCE = ("HS92", "HS96", "HS02", "HS07", "HS12", "HS17", "HS22")


@dataclass(frozen=True)
class StageCodes:
    """The codes of one commodity at one stage, of one HS edition."""

    stage: str
    hs_version: str
    hs_codes: tuple[str, ...]


def stage_codes(links: Iterable[CommodityProduct], flows: HomeFlows | None = None
                ) -> list[StageCodes]:
    """Group a commodity's crosswalk links by stage, one HS edition per stage: the one whose
    flows (``flows``, the home country's) reach the latest year, then the one with the
    longest history, then HS 1992 before later editions. (BACI's HS 1992 series of
    germanium, 811230, ends in 2016: HS 2017 811292 is used for 2024.)"""
    by_stage: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for link in links:
        by_stage[link.stage or "unknown"][link.hs_version].add(link.hs_code)
    out = []
    for stage, versions in by_stage.items():
        def rank(version: str, codes: dict[str, set[str]] = versions) -> tuple[int, int, int]:
            years = flows.years([(c, version) for c in codes[version]]) if flows else []
            order = HS_PREFERENCE.index(version) if version in HS_PREFERENCE else 99
            return (-(years[-1] if years else 0), -len(years), order)

        version = min(versions, key=lambda v: (rank(v), v))
        out.append(StageCodes(stage, version, tuple(sorted(versions[version]))))
    return out


@dataclass
class HomeFlows:
    """The home country's flows of some products over the last :data:`YEARS_READ` years:
    imports by (code, edition) → year → exporter and exports by (code, edition) → year,
    values in thousand USD; the sources they came from."""

    imports: dict[tuple[str, str], dict[int, dict[str, float]]]
    exports: dict[tuple[str, str], dict[int, float]]
    sources: dict[tuple[str, str], set[str]]

    @classmethod
    def read(cls, kb: KnowledgeBase, home: str, codes: Iterable[tuple[str, str]], *,
             last_year: int | None = None) -> HomeFlows:
        """Read the flows of ``codes`` ((hs_code, hs_version) pairs) into and out of home
        (two indexed queries)."""
        pairs = set(codes)
        end = last_year if last_year is not None else date.today().year
        span = (end - YEARS_READ + 1, end)
        hs = {c for c, _ in pairs}
        versions = {v for _, v in pairs}
        imports: dict[tuple[str, str], dict[int, dict[str, float]]] = defaultdict(
            lambda: defaultdict(dict))
        exports: dict[tuple[str, str], dict[int, float]] = defaultdict(lambda: defaultdict(float))
        sources: dict[tuple[str, str], set[str]] = defaultdict(set)
        if pairs:
            for code, version, year, exporter, _, value, _, source in kb.product_flow_rows(
                    hs, versions, span, importer=home):
                if (code, version) in pairs and exporter and exporter != home and value:
                    by_exporter = imports[(code, version)][year]
                    by_exporter[exporter] = by_exporter.get(exporter, 0.0) + value
                    sources[(code, version)].add(source)
            for code, version, year, _, importer, value, _, source in kb.product_flow_rows(
                    hs, versions, span, exporter=home):
                if (code, version) in pairs and importer != home and value:
                    exports[(code, version)][year] += value
                    sources[(code, version)].add(source)
        return cls({k: dict(v) for k, v in imports.items()},
                   {k: dict(v) for k, v in exports.items()}, dict(sources))

    def years(self, codes: Sequence[tuple[str, str]]) -> list[int]:
        """Years with an import or export of any of ``codes``."""
        return sorted({y for c in codes for y in self.imports.get(c, {})}
                      | {y for c in codes for y in self.exports.get(c, {})})

    def edition_years(self, version: str) -> list[int]:
        """Years with any flow of an ``version`` code."""
        found = {y for (_, v), by_year in self.imports.items() if v == version
                 for y in by_year}
        found |= {y for (_, v), totals in self.exports.items() if v == version for y in totals}
        return sorted(found)

    def imports_in(self, codes: Sequence[tuple[str, str]], year: int) -> dict[str, float]:
        total: dict[str, float] = defaultdict(float)
        for c in codes:
            for exporter, v in self.imports.get(c, {}).get(year, {}).items():
                total[exporter] += v
        return dict(total)

    def exports_in(self, codes: Sequence[tuple[str, str]], year: int) -> float:
        return sum(self.exports.get(c, {}).get(year, 0.0) for c in codes)


class WorldFlows:
    """World exports by exporter of processed products, read once per (edition, year) for
    every code of :data:`PROCESSED_STAGES` in the crosswalk."""

    def __init__(self, kb: KnowledgeBase, links: Iterable[CommodityProduct]) -> None:
        self.kb = kb
        self.codes: dict[str, set[str]] = defaultdict(set)
        for link in links:
            if link.stage in PROCESSED_STAGES:
                self.codes[link.hs_version].add(link.hs_code)
        self.read: dict[tuple[str, int], dict[str, dict[str, float]]] = {}
        self.sources: dict[tuple[str, int], dict[str, set[str]]] = {}

    def exports(self, hs_code: str, version: str, year: int
                ) -> tuple[dict[str, float], set[str]]:
        """Exports of ``hs_code`` by exporter in ``year`` and their sources."""
        key = (version, year)
        if key not in self.read:
            by_code: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
            sources: dict[str, set[str]] = defaultdict(set)
            codes = self.codes.get(version, set()) | {hs_code}
            for code, _, _, exporter, importer, value, _, source in self.kb.product_flow_rows(
                    codes, [version], (year, year)):
                if exporter and exporter != importer and value:
                    by_code[code][exporter] += value
                    sources[code].add(source)
            self.read[key] = {c: dict(v) for c, v in by_code.items()}
            self.sources[key] = dict(sources)
            self.codes[version].add(hs_code)
        return self.read[key].get(hs_code, {}), self.sources[key].get(hs_code, set())


def world_exports(world: WorldFlows, stage: StageCodes, year: int, home: str
                  ) -> WorldExports | None:
    """Exporters' shares of world exports of ``stage``'s codes in ``year``."""
    by_exporter: dict[str, float] = defaultdict(float)
    sources: set[str] = set()
    for hs in stage.hs_codes:
        values, found = world.exports(hs, stage.hs_version, year)
        for exporter, value in values.items():
            by_exporter[exporter] += value
        sources |= found
    if not any(v > 0 for v in by_exporter.values()):
        return None
    conc = export_concentration(by_exporter)
    return WorldExports(
        label=EXPORT_LABEL, stage=stage.stage, hs_version=stage.hs_version,
        hs_codes=list(stage.hs_codes), year=year, unit=VALUE_UNIT, total=conc.total,
        top_exporter=conc.top_exporter, top_share=conc.top_share, hhi=conc.hhi,
        home_share=conc.share(home), home_rank=conc.rank(home),
        top_exporters=[ExporterShare(iso3=c, share=s) for c, s in conc.shares[:10]],
        sources=sorted(sources),
    )


def trade_stages(
    home: str, links: Sequence[CommodityProduct], flows: HomeFlows, *,
    partners: set[str], wgi: dict[str, float], world: WorldFlows | None = None,
) -> list[TradeStage]:
    """The home country's position at every stage of one commodity it trades (headline
    stage first). With ``world``, processed stages get the concentration of world exports
    (for commodities without refined production data)."""
    out = []
    for stage in stage_codes(links, flows):
        codes = [(hs, stage.hs_version) for hs in stage.hs_codes]
        if not flows.years(codes):
            continue
        year = flows.edition_years(stage.hs_version)[-1]  # the edition's latest year
        position = import_position(flows.imports_in(codes, year),
                                   exports=flows.exports_in(codes, year), partners=partners,
                                   wgi_scaled=wgi, default_wgi=MISSING_WGI)
        by_year: dict[int, float] = {}
        if position.top_source is not None:
            for y in range(year - TREND_YEARS, year + 1):
                imports = flows.imports_in(codes, y)
                total = sum(imports.values())
                if total > 0:
                    by_year[y] = imports.get(position.top_source, 0.0) / total
        exported = None
        if world is not None and stage.stage in PROCESSED_STAGES:
            exported = world_exports(world, stage, year, home)
        out.append(TradeStage(
            stage=stage.stage, hs_version=stage.hs_version, hs_codes=list(stage.hs_codes),
            year=year, unit=VALUE_UNIT, imports=position.total_imports,
            exports=position.total_exports, net_exporter=position.net_exporter,
            top_source=position.top_source,
            top_share=position.top_share if position.top_source else None,
            hhi=position.hhi if position.top_source else None,
            partner_share=position.partner_share if position.top_source else None,
            outside_share=position.outside_share if position.top_source else None,
            governance_weighted_hhi=position.governance_weighted_hhi,
            wgi_imputed=list(position.wgi_imputed),
            top_share_by_year=by_year,
            top_share_change_5y=share_change(by_year),
            world_exports=exported,
            sources=sorted({s for c in codes for s in flows.sources.get(c, ())}),
        ))
    out.sort(key=lambda s: (s.stage in DOWNSTREAM_STAGES, -s.imports, s.stage))
    return out


#: Commodities without an HS code in the bundled trade data whose net trade position is
#: read from the ICIO table instead: the industry that makes them.
ICIO_INDUSTRIES = {"raw-steel": "C24A", "pig-iron": "C24A"}
ICIO_SOURCE = "oecd-icio-2022"
ICIO_YEAR = 2022

#: ``(region, industry) -> (sales abroad, purchases from abroad)`` in million USD, or None
#: (:func:`econsec.io_models.net_trade.icio_net_trade`, handed in by the presenters).
NetTrade = Callable[[str, str], "tuple[float, float] | None"]


def icio_stage(home: str, industry: str, net_trade: NetTrade) -> TradeStage | None:
    """The home country's net trade in an industry's products from the OECD ICIO 2022
    table (``net_trade``): intermediate sales to other regions against other regions'
    intermediate sales of that industry to it, million USD. ``None`` when the home
    country is not a region of the table."""
    found = net_trade(home, industry)
    if found is None:
        return None
    exports, imports = found
    return TradeStage(
        stage=f"industry {industry} (ICIO)", hs_version="ICIO 2022", hs_codes=[],
        year=ICIO_YEAR, unit="million USD", imports=imports, exports=exports,
        net_exporter=exports > imports, top_source=None, top_share=None, hhi=None,
        partner_share=None, outside_share=None, governance_weighted_hhi=None, wgi_imputed=[],
        top_share_by_year={}, top_share_change_5y=None, sources=[ICIO_SOURCE],
    )
