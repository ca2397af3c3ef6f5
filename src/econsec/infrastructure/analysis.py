"""Indo-Pacific trusted AI infrastructure as a value chain: cables and landing stations,
cable suppliers, electricity, data centres, launch capacity; Japan's contribution potential.

Pure: the presenters read the pack, the knowledge base and the users' data centres and pass
them in. :func:`analyse` works without the cable pack (then the network terms are left out
and the score is taken over the remaining terms, weights renormalised). A country whose
known terms carry less than 60 % of the weight this run can use gets no score (shown as
such, never ranked on one or two terms).

**Contribution-potential score** (0-100): a weighted mean of terms in [0, 1] (weights
:data:`WEIGHTS`, shown with every score):

* ``redundancy_need``: ``1 - min(c, 4) / 4`` with ``c`` the fewest cables whose loss cuts
  the country off from the home country (1 when not connected at all): where few routes
  exist, new cables and landing stations add most.
* ``japanese_suppliers``: share of the country's cables with a Japanese supplier
  (:data:`JAPANESE_SUPPLIERS`): an existing foothold of Japanese optical-network equipment.
* ``clean_power``: low-carbon share of electricity generation (Ember, latest full year):
  headroom for trusted, clean data centres.
* ``demand_growth``: generation growth over five years as a yearly rate, ``min(max(g, 0) /
  6 %, 1)``: a growing power system (and demand) to build on.
* ``launch_access``: 1 if the country had no orbital launch of its own in the last ten years
  of the launch log, else 0: where Japan's launch capacity can serve satellites.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence

from econsec.datasets.datacentres import DataCentre
from econsec.datasets.ember import GenerationYear
from econsec.datasets.launches import Launch
from econsec.datasets.submarine_cables import LICENCE, LICENCE_URL, CablePack
from econsec.i18n.terms import N_
from econsec.indicators.concentration import hhi
from econsec.infrastructure.geography import REGIONS, STRAITS, straits_passed
from econsec.infrastructure.graph import (
    CABLE,
    COUNTRY,
    LANDING,
    CableGraph,
    articulation_points,
    bridges,
    build_graph,
    cut_off_by,
    kind_of,
    min_cut,
    node_key,
)
from econsec.infrastructure.models import (
    CountryInfra,
    FailurePoint,
    HomeFigures,
    InfrastructureResult,
    NetworkFigures,
    PackStatus,
    ScoreComponent,
    SourceRef,
    Station,
    StraitUse,
)

WEIGHTS: dict[str, float] = {
    "redundancy_need": 0.30,
    "japanese_suppliers": 0.20,
    "clean_power": 0.20,
    "demand_growth": 0.20,
    "launch_access": 0.10,
}
BASES: dict[str, str] = {
    "redundancy_need": N_("1 - min(fewest cables whose loss cuts it off from Japan, 4) / 4"),
    "japanese_suppliers": N_("share of its cables with a Japanese supplier (NEC, Fujitsu, "
                             "KDD-SCS, OCC)"),
    "clean_power": N_("low-carbon share of electricity generation, latest full year"),
    "demand_growth": N_("yearly generation growth over five years; six per cent a year or "
                        "more counts as 1"),
    "launch_access": N_("1 if no orbital launch of its own in the last ten years"),
}
JAPANESE_SUPPLIERS = frozenset({"NEC", "Fujitsu", "KDD-SCS", "OCC"})
LOW_CARBON = ("Nuclear", "Hydro", "Wind", "Solar", "Bioenergy", "Other Renewables")
REDUNDANCY_CAP = 4
MIN_COVERAGE = 0.6
CABLE_TERMS = ("redundancy_need", "japanese_suppliers")
GROWTH_FULL = 0.06
HOW_TO_LOAD = N_("The optional submarine-cable pack (TeleGeography, CC BY-NC-SA 3.0) is not "
                 "loaded: get the files (see docs/infrastructure.md) and run "
                 "'econsec infra pack add FOLDER'.")
NOTE_PLANNED = N_("Cables planned at the time of the data (late 2022) are counted; "
                  "leave them out with include_planned=false.")
NOTE_SCHEMATIC = N_("Cable routes are schematic: strait passages follow the documented "
                    "proximity rule, not surveyed routes.")
NOTE_EQUIPMENT = N_("Optical-network equipment trade (HS 854470, 900110, 851762) is not in the "
                    "bundled trade extract: equipment is seen through the cable suppliers.")
NOTE_NO_PACK = N_("Without the cable pack the score uses electricity and launch terms only "
                  "(weights renormalised).")


def pack_status(pack: CablePack | None, *, folder: str = "", problem: str = "") -> PackStatus:
    """The pack's status for the presenters."""
    if pack is None:
        return PackStatus(loaded=False, licence=LICENCE, licence_url=LICENCE_URL,
                          how_to_load=HOW_TO_LOAD, folder=folder, problem=problem)
    return PackStatus(loaded=True, licence=LICENCE, licence_url=LICENCE_URL,
                      how_to_load="", folder=folder or pack.folder, sha256=pack.sha256,
                      cables=len(pack.cables),
                      landing_points=len({x.point_id for x in pack.landings}))


def electricity(years: Sequence[GenerationYear]) -> tuple[int | None, float | None,
                                                           float | None, float | None]:
    """Latest full year, its total TWh, low-carbon share and the five-year growth rate."""
    full = [y for y in years if not y.provisional and y.total > 0]
    if not full:
        return None, None, None, None
    last = full[-1]
    low = sum(last.twh.get(s, 0.0) for s in LOW_CARBON) / last.total
    earlier = [y for y in full if y.year == last.year - 5]
    growth = ((last.total / earlier[0].total) ** (1 / 5) - 1) if earlier else None
    return last.year, last.total, low, growth


def _component(cid: str, value: float | None) -> ScoreComponent:
    return ScoreComponent(id=cid, weight=WEIGHTS[cid], value=value, basis=BASES[cid])


def coverage(components: Sequence[ScoreComponent], available: float = 1.0) -> float:
    """Weight of the components with a value, as a share of the ``available`` weight."""
    return sum(c.weight for c in components if c.value is not None) / available


def score(components: Sequence[ScoreComponent], available: float = 1.0) -> float | None:
    """Weighted mean (0-100) over the components with a value; None when they carry less
    than :data:`MIN_COVERAGE` of the ``available`` weight (the weight of the terms this
    run can have: all, or without the two cable terms when the pack is not loaded)."""
    known = [c for c in components if c.value is not None]
    total = sum(c.weight for c in known)
    if not total or coverage(components, available) < MIN_COVERAGE - 1e-9:
        return None
    return round(100 * sum(c.weight * (c.value or 0.0) for c in known) / total, 1)


class _Network:
    """The pack's graph and the per-country figures read off it."""

    def __init__(self, pack: CablePack, home: str, include_planned: bool) -> None:
        self.pack = pack
        self.home = home
        self.cables = {k: c for k, c in pack.cables.items()
                       if include_planned or not c.planned}
        self.landings = [x for x in pack.landings if x.cable_id in self.cables]
        self.graph: CableGraph = build_graph(self.landings, self.cables)
        self.by_country: dict[str, list[tuple[str, str]]] = defaultdict(list)
        self.point_names: dict[str, str] = {}
        for x in self.landings:
            self.by_country[x.iso3].append((x.point_id, x.cable_id))
            self.point_names[x.point_id] = x.point_name
        self.straits = {cid: straits_passed(pack.routes.get(cid, ())) for cid in self.cables}

    def country_cables(self, iso3: str) -> set[str]:
        return {c for _, c in self.by_country.get(iso3, [])}

    def stations(self, iso3: str) -> list[Station]:
        counts = Counter(p for p, _ in self.by_country.get(iso3, []))
        total = sum(counts.values())
        return [Station(id=p, name=self.point_names[p], cables=n, share=n / total)
                for p, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]

    def japanese_share(self, iso3: str) -> float | None:
        cables = self.country_cables(iso3)
        if not cables:
            return None
        japanese = [c for c in cables if JAPANESE_SUPPLIERS & set(self.cables[c].suppliers)]
        return len(japanese) / len(cables)


def analyse(
    pack: CablePack | None,
    *,
    countries: Mapping[str, tuple[str, str]],
    generation: Mapping[str, Sequence[GenerationYear]],
    launches: Sequence[Launch],
    datacentres: Sequence[DataCentre] = (),
    sources: Sequence[SourceRef] = (),
    region: str = "indo-pacific",
    home: str = "JPN",
    include_planned: bool = True,
    status: PackStatus | None = None,
    extra: Sequence[str] = (),
) -> InfrastructureResult:
    """The analysis of ``region`` (plus the countries ``extra``) from ``home`` (see the
    module); ``countries`` gives the English and Japanese names by ISO3."""
    members = [c for c in dict.fromkeys([*REGIONS[region], *extra]) if c != home]
    net = _Network(pack, home, include_planned) if pack is not None else None
    home_key = node_key(COUNTRY, home)
    launch_years = [x.year for x in launches]
    last_year = max(launch_years) if launch_years else 0
    window = (last_year - 9, last_year)
    own: Counter[str] = Counter(x.iso3 for x in launches
                                if x.iso3 and window[0] <= x.year <= window[1])
    dcs: dict[str, list[DataCentre]] = defaultdict(list)
    for dc in datacentres:
        dcs[dc.iso3].append(dc)

    failure: dict[str, list[str]] = {}
    if net is not None:
        failure = cut_off_by(net.graph, home_key, sorted(articulation_points(net.graph)))
    rows = [_country_row(iso3, net, home, countries, generation.get(iso3, ()), own, window,
                         dcs.get(iso3, [])) for iso3 in members]
    rows.sort(key=lambda r: (-(r.score if r.score is not None else -1), r.iso3))
    return InfrastructureResult(
        region=region, home=home,
        pack=status or pack_status(pack),
        network=_network_figures(net, include_planned) if net else None,
        home_figures=_home_figures(net, failure, members) if net else None,
        straits=_straits(net, rows) if net else [],
        countries=rows, weights=dict(WEIGHTS), sources=list(sources),
        notes=[*([NOTE_PLANNED, NOTE_SCHEMATIC] if net else [NOTE_NO_PACK]), NOTE_EQUIPMENT],
    )


def _network_figures(net: _Network, include_planned: bool) -> NetworkFigures:
    kinds = Counter(kind_of(k) for k in net.graph.keys)
    return NetworkFigures(countries=kinds[COUNTRY], landing_points=kinds[LANDING],
                          cables=kinds[CABLE], edges=net.graph.graph.num_edges(),
                          articulation_points=len(articulation_points(net.graph)),
                          bridges=len(bridges(net.graph)), include_planned=include_planned)


def _home_figures(net: _Network, failure: dict[str, list[str]],
                  members: Sequence[str]) -> HomeFigures:
    stations = net.stations(net.home)
    region = set(members)
    points = []
    landing_country = {x.point_id: x.iso3 for x in net.landings}
    for key, lost in sorted(failure.items(), key=lambda kv: (-len(set(kv[1]) & region),
                                                             -len(kv[1]), kv[0])):
        kind, ident = key.split(":", 1)
        name = net.cables[ident].name if kind == CABLE else net.point_names.get(ident, ident)
        points.append(FailurePoint(kind=kind, id=ident, name=name,
                                   iso3=landing_country.get(ident, "") if kind == LANDING else "",
                                   cut_off=lost,
                                   cut_off_in_region=[c for c in lost if c in region]))
    return HomeFigures(iso3=net.home, landing_points=len(stations),
                       cables=len(net.country_cables(net.home)),
                       station_hhi=round(hhi([s.share for s in stations]), 4) if stations else 0.0,
                       stations=stations,
                       japanese_supplier_share=net.japanese_share(net.home) or 0.0,
                       failure_points=points)


def _straits(net: _Network, rows: Sequence[CountryInfra]) -> list[StraitUse]:
    home_cables = net.country_cables(net.home)
    out = []
    for strait in STRAITS:
        passing = {c for c, s in net.straits.items() if strait.id in s}
        home = passing & home_cables
        out.append(StraitUse(
            id=strait.id, name_en=strait.name_en, name_ja=strait.name_ja,
            radius_km=strait.radius_km,
            portwatch_id=strait.portwatch_id, cables=len(passing),
            home_cables=len(home),
            home_share=len(home) / len(home_cables) if home_cables else 0.0,
            region_countries=[r.iso3 for r in rows
                              if strait.id in r.straits_all_direct_cables_pass]))
    return out


def _country_row(iso3: str, net: _Network | None, home: str,
                 countries: Mapping[str, tuple[str, str]], years: Sequence[GenerationYear],
                 own: Counter[str], window: tuple[int, int],
                 dcs: Sequence[DataCentre]) -> CountryInfra:
    name_en, name_ja = countries.get(iso3, (iso3, ""))
    year, twh, low, growth = electricity(years)
    network: dict[str, object] = {}
    redundancy: float | None = None
    japanese: float | None = None
    if net is not None:
        stations = net.stations(iso3)
        cables = net.country_cables(iso3)
        direct = cables & net.country_cables(home)
        cable_cut = min_cut(net.graph, node_key(COUNTRY, home), node_key(COUNTRY, iso3), CABLE)
        station_cut = min_cut(net.graph, node_key(COUNTRY, home), node_key(COUNTRY, iso3),
                              LANDING)
        japanese = net.japanese_share(iso3)
        passed = [set(net.straits.get(c, [])) for c in sorted(direct)]
        common = set.intersection(*passed) if passed else set()
        network = dict(
            landing_points=len(stations), cables=len(cables),
            station_hhi=round(hhi([s.share for s in stations]), 4) if stations else None,
            top_station_share=stations[0].share if stations else None,
            direct_cables_to_home=len(direct),
            min_cable_cut=cable_cut.size, cable_cut_set=list(cable_cut.nodes),
            min_station_cut=station_cut.size, station_cut_set=list(station_cut.nodes),
            japanese_supplier_share=japanese,
            straits_all_direct_cables_pass=[s.id for s in STRAITS if s.id in common])
        if cables:  # a country without landings (landlocked) has no cable term
            redundancy = 1.0 - min(cable_cut.size or 0, REDUNDANCY_CAP) / REDUNDANCY_CAP
    components = [
        _component("redundancy_need", redundancy),
        _component("japanese_suppliers", japanese if net is not None else None),
        _component("clean_power", low),
        _component("demand_growth", None if growth is None
                   else min(max(growth, 0.0) / GROWTH_FULL, 1.0)),
        _component("launch_access", 0.0 if own.get(iso3) else 1.0),
    ]
    available = 1.0 if net is not None else sum(
        w for k, w in WEIGHTS.items() if k not in CABLE_TERMS)
    mws = [d.capacity_mw for d in dcs if d.capacity_mw is not None]
    return CountryInfra(
        iso3=iso3, name_en=name_en, name_ja=name_ja, **network,  # type: ignore[arg-type]
        electricity_year=year, electricity_twh=None if twh is None else round(twh, 2),
        low_carbon_share=low,
        generation_cagr_5y=growth, launches_10y=own.get(iso3, 0),
        launch_window=f"{window[0]}-{window[1]}" if window[1] else "",
        datacentres=len(dcs), datacentre_mw=sum(mws) if mws else None,
        components=components, score_coverage=round(coverage(components, available), 3),
        score=score(components, available))
