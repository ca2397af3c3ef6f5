"""Perspective (2), raw materials: what the partner produces (USGS), what the home country
imports from it (BACI), its reserves and its governance (WGI).

Score = 100 × min(1, Σ partner's world production shares over the commodities where it holds
at least :data:`SUPPLIER_THRESHOLD`) × (1 − scaled WGI / 10) — supply potential discounted
by governance (scaled WGI 0-10, 10 = worst; the EU CRM convention).
"""

from __future__ import annotations

from collections.abc import Sequence

from econsec.analyses.models import CommodityProfile, CountryProfile
from econsec.i18n.terms import N_
from econsec.kb.protocol import KnowledgeBase
from econsec.regions.home_trade import SOURCE_KEY, HomeTrade
from econsec.regions.models import ImportedRow, MaterialsPerspective, ProducedRow
from econsec.regions.scoring import score

SUPPLIER_THRESHOLD = 0.05
FORMULA = N_("100 × min(1, Σ world production shares ≥ 5%) × (1 − scaled WGI / 10)")


def _reserves(profiles: Sequence[CommodityProfile], commodity: str, iso3: str
              ) -> tuple[float | None, str, int | None]:
    for p in profiles:
        if p.commodity == commodity and (r := p.measures.get("reserves")) is not None:
            for row in r.shares:
                if row.iso3 == iso3:
                    return row.value, r.unit, r.year
            return None, r.unit, r.year
    return None, "", None


def materials_perspective(kb: KnowledgeBase, profile: CountryProfile,
                          profiles: Sequence[CommodityProfile], imports: HomeTrade
                          ) -> MaterialsPerspective:
    """From the partner's country profile, the commodity profiles and the home's imports."""
    iso3 = profile.iso3
    produced = []
    for row in profile.produces:
        value, unit, year = _reserves(profiles, row.commodity, iso3)
        produced.append(ProducedRow(
            commodity=row.commodity, name_en=row.name_en, name_ja=row.name_ja,
            measure=row.measure, year=row.year, share=row.share, rank=row.rank,
            reserves=value, reserves_unit=unit, reserves_year=year,
            source=row.sources[0] if row.sources else ""))
    years = imports.years()
    rows: list[ImportedRow] = []
    total = 0.0
    if years:
        year = years[-1]
        total = imports.total(year)
        by_code: dict[str, float] = {}
        for (p, y), cells in imports.values.items():
            if y == year:
                for code, v in cells.items():
                    by_code.setdefault(code, 0.0)
                    if p == iso3:
                        by_code[code] += v
        totals: dict[str, float] = {}
        for (_p, y), cells in imports.values.items():
            if y == year:
                for code, v in cells.items():
                    totals[code] = totals.get(code, 0.0) + v
        infos = {p.hs_code: p for p in kb.trade_products() if p.hs_version == "HS92"}
        for code, v in sorted(by_code.items(), key=lambda kv: -kv[1]):
            if v <= 0:
                continue
            info = infos.get(code)
            rows.append(ImportedRow(
                hs_code=code, description_en=info.description_en if info else "",
                description_ja=info.description_ja if info else "", year=year,
                value_kusd=v, share_of_home_imports=v / totals[code] if totals[code] else 0.0,
                source=SOURCE_KEY))
    potential = sum(r.share for r in produced if r.share >= SUPPLIER_THRESHOLD)
    wgi = profile.governance.scaled_0_10 if profile.governance else None
    value = None if wgi is None else 100 * min(1.0, potential) * (1 - wgi / 10)
    return MaterialsPerspective(
        score=score(value, FORMULA, {"production_share_sum": potential, "wgi_scaled": wgi}),
        supplier_threshold=SUPPLIER_THRESHOLD, produces=produced, home_imports=rows,
        home_imports_total_kusd=total, wgi_scaled=wgi,
        wgi_year=profile.governance.year if profile.governance else None,
        wgi_source=profile.governance.source if profile.governance else None)
