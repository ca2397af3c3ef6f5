"""Perspective (3), supply chains including sea lanes: the partner's ports (NGA World Port
Index), the chokepoints on its typical routes to the home country (the curated sea-lane graph
of :mod:`econsec.regions.sea_lanes`) and, for each such chokepoint, the share of all the home
country's imports of the bundled BACI products that pass it over every partner's route.

Score = 100 − 25 × expected chokepoints on the route (Σ over chokepoints of the share of the
partner's trade passing it), floored at 0: a route through four chokepoints scores 0. A
country without a seaport in the WPI has no score (its trade reaches the sea through
neighbours, which the model does not follow).
"""

from __future__ import annotations

from collections import Counter

from econsec.datasets.maritime import HARBOR_SIZES
from econsec.i18n.terms import N_
from econsec.regions.home_trade import HomeTrade
from econsec.regions.models import (
    ChokepointRow,
    LegRow,
    PortRow,
    RouteRow,
    SeaRegionRow,
    SupplyChainPerspective,
)
from econsec.regions.scoring import score
from econsec.regions.sea_lanes import SeaLaneGraph

PER_CHOKEPOINT = 25.0
FORMULA = N_("100 − 25 × expected chokepoints on the typical routes (floored at 0)")
#: Ports listed per country (largest first).
PORTS_SHOWN = 40


def chokepoint_exposure(sea: SeaLaneGraph, imports: HomeTrade, year: int
                        ) -> tuple[dict[str, float], float]:
    """(chokepoint → share of the home's imports in ``year`` passing it, share of imports from
    partners without a seaport)."""
    by_partner = imports.by_partner(year)
    total = sum(by_partner.values())
    if total <= 0:
        return {}, 0.0
    out: dict[str, float] = {}
    unrouted = 0.0
    for partner, value in by_partner.items():
        route = sea.route(partner, imports.home)
        if not route.routes:
            unrouted += value
            continue
        for cp, share in route.chokepoint_shares.items():
            out[cp] = out.get(cp, 0.0) + value * share
    return {k: v / total for k, v in out.items()}, unrouted / total


def supply_chain_perspective(sea: SeaLaneGraph, partner: str, home: str,
                             imports: HomeTrade) -> SupplyChainPerspective:
    ports = sorted(sea.ports(partner), key=lambda p: (
        -(HARBOR_SIZES.index(p.harbor_size) if p.harbor_size else -1), p.name))
    sizes = Counter(p.harbor_size or "unknown" for p in ports)
    route = sea.route(partner, home)
    years = imports.years()
    exposure: dict[str, float] = {}
    unrouted: float | None = None
    if years:
        exposure, unrouted = chokepoint_exposure(sea, imports, years[-1])
    known = sea.chokepoints
    chokepoints = [ChokepointRow(
        id=cp, name_en=known[cp].name, name_ja=known[cp].name_ja, lat=known[cp].lat,
        lon=known[cp].lon, route_share=share,
        home_imports_share=exposure.get(cp) if years else None)
        for cp, share in route.chokepoint_shares.items()]
    routes = [RouteRow(
        from_region=r.region, to_region=r.destination, share=r.share,
        distance_nm=round(r.path.distance_nm, 1), chokepoints=list(r.path.chokepoints),
        legs=[LegRow(from_region=leg.a, to_region=leg.b, chokepoint=leg.chokepoint,
                     distance_nm=round(leg.distance_nm, 1)) for leg in r.path.legs])
        for r in route.routes]
    used = {x for r in routes for x in (r.from_region, r.to_region)} | {
        leg.to_region for r in routes for leg in r.legs}
    regions = [SeaRegionRow(id=s.id, name_en=s.name_en, name_ja=s.name_ja, lat=s.lat, lon=s.lon)
               for s in sea.regions.values() if s.id in used]
    expected = route.expected_chokepoints
    value = max(0.0, 100 - PER_CHOKEPOINT * expected) if route.routes else None
    return SupplyChainPerspective(
        score=score(value, FORMULA, {"expected_chokepoints": expected if route.routes
                                     else None}),
        routed=bool(route.routes), note=route.note,
        ports_by_size={k: sizes[k] for k in (*reversed(HARBOR_SIZES), "unknown") if sizes[k]},
        ports=[PortRow(name=p.name, unlocode=p.unlocode, harbor_size=p.harbor_size,
                       sea_region=sea.port_regions[p.wpi_number],
                       max_vessel_draft_m=p.max_vessel_draft_m or None,
                       facilities=list(p.facilities), lat=p.lat, lon=p.lon)
               for p in ports[:PORTS_SHOWN]],
        routes=routes, chokepoints=chokepoints, expected_chokepoints=expected,
        home_imports_year=years[-1] if years else None,
        home_imports_unrouted_share=unrouted, regions=regions)
