"""Typical sea routes between countries over the curated sea-lane graph (rustworkx).

The graph (:mod:`econsec.datasets.maritime`, "econsec curated") has sea regions as nodes
and lanes as edges; a lane through one of IMF PortWatch's 28 chokepoints names it. The
length of a lane is the great-circle distance (nautical miles) from the first region's
reference point to the second's, through the chokepoint's coordinates when there is one.
Parallel lanes (two straits between the same seas) are kept: the shorter one is taken.

A country's ports (NGA World Port Index) are assigned to sea regions: the first component of
the port's "World Water Body" that a region lists gives the candidate regions, and the
nearest candidate (great circle to its reference point or one of its anchor points) wins; a
port whose water body no region lists goes to the nearest region. A country's weight in a
region is the sum of its ports' harbour-size weights (:data:`SIZE_WEIGHTS`; the WPI has no
throughput).

Routes: trade from the origin to the destination is split over pairs (origin region o,
destination gateway region d) in proportion to w_o · w_d, where w_o is the origin's port
weight in o and w_d the destination's weight of Large and Medium ports in d (all its ports
when it has none of those); each pair takes the shortest path. The share of the origin's
trade that passes a chokepoint is the summed share of the pairs whose path crosses it. This
is a model of typical routes, not AIS data: real voyages follow charter, draught (Panamax,
Malaccamax), weather, piracy and sanctions.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache

import rustworkx as rx

from econsec.datasets.maritime import Maritime, Port, SeaLane, SeaRegion, load_maritime

#: Harbour-size weights (each size doubles; unknown size counts as Very Small).
SIZE_WEIGHTS = {"Large": 8.0, "Medium": 4.0, "Small": 2.0, "Very Small": 1.0, "": 1.0}
#: Sizes of the ports whose regions are a destination's gateways.
GATEWAY_SIZES = ("Large", "Medium")
EARTH_RADIUS_NM = 3440.065


def great_circle_nm(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine distance in nautical miles.

    >>> round(great_circle_nm(0, 0, 0, 1), 1)
    60.0
    """
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_NM * math.asin(min(1.0, math.sqrt(h)))


@dataclass(frozen=True)
class Leg:
    """One lane of a path: from region ``a`` to region ``b`` (through ``chokepoint``)."""

    a: str
    b: str
    chokepoint: str | None
    distance_nm: float
    note: str


@dataclass(frozen=True)
class Path:
    """The shortest path from ``origin`` to ``destination`` region."""

    origin: str
    destination: str
    legs: tuple[Leg, ...]

    @property
    def regions(self) -> tuple[str, ...]:
        return (self.origin, *(leg.b for leg in self.legs))

    @property
    def chokepoints(self) -> tuple[str, ...]:
        return tuple(leg.chokepoint for leg in self.legs if leg.chokepoint)

    @property
    def distance_nm(self) -> float:
        return sum(leg.distance_nm for leg in self.legs)


@dataclass(frozen=True)
class RegionRoute:
    """The route from one sea region of the origin to one gateway region of the destination:
    its share w_o · w_d / Σ and the path."""

    region: str
    destination: str
    share: float
    path: Path


@dataclass(frozen=True)
class CountryRoute:
    """Typical routes from ``origin`` to ``destination`` (ISO alpha-3).

    ``routes`` is empty when either country has no WPI port (``note`` says which);
    ``chokepoint_shares`` maps a chokepoint id to the share of the origin's port weight whose
    route passes it."""

    origin: str
    destination: str
    routes: tuple[RegionRoute, ...]
    chokepoint_shares: dict[str, float] = field(default_factory=dict)
    note: str = ""

    @property
    def expected_chokepoints(self) -> float:
        """Σ shares: the expected number of chokepoints a shipment passes."""
        return sum(self.chokepoint_shares.values())


class SeaLaneGraph:
    """The curated graph with its rustworkx index; build once (:func:`sea_lanes`)."""

    def __init__(self, maritime: Maritime) -> None:
        self.maritime = maritime
        self.regions: dict[str, SeaRegion] = {r.id: r for r in maritime.regions}
        self.chokepoints = {c.id: c for c in maritime.chokepoints}
        self.graph: rx.PyGraph = rx.PyGraph(multigraph=True)
        self.index: dict[str, int] = {rid: self.graph.add_node(rid) for rid in self.regions}
        for lane in maritime.lanes:
            self.graph.add_edge(self.index[lane.a], self.index[lane.b],
                                Leg(lane.a, lane.b, lane.chokepoint, self.lane_length(lane),
                                    lane.note))
        self.port_regions: dict[int, str] = {p.wpi_number: self.assign(p)
                                             for p in maritime.ports}
        self._paths: dict[tuple[str, str], Path] = {}
        self._routes: dict[tuple[str, str], CountryRoute] = {}
        self._ports_by_country: dict[str, list[Port]] = {}
        for p in maritime.ports:
            self._ports_by_country.setdefault(p.iso3, []).append(p)

    # ------------------------------------------------------------------ building

    def lane_length(self, lane: SeaLane) -> float:
        a, b = self.regions[lane.a], self.regions[lane.b]
        if lane.chokepoint is None:
            return great_circle_nm(a.lat, a.lon, b.lat, b.lon)
        c = self.chokepoints[lane.chokepoint]
        return (great_circle_nm(a.lat, a.lon, c.lat, c.lon)
                + great_circle_nm(c.lat, c.lon, b.lat, b.lon))

    def assign(self, port: Port) -> str:
        """The sea region of a port (see the module)."""
        for part in (s.strip() for s in port.water_body.split(";")):
            candidates = [r for r in self.regions.values() if part and part in r.water_bodies]
            if candidates:
                return self._nearest(port, candidates)
        return self._nearest(port, list(self.regions.values()))

    @staticmethod
    def _nearest(port: Port, candidates: Sequence[SeaRegion]) -> str:
        return min(candidates, key=lambda r: (min(
            great_circle_nm(port.lat, port.lon, lat, lon) for lat, lon in r.points()), r.id)).id

    # ------------------------------------------------------------------ reading

    def ports(self, iso3: str) -> list[Port]:
        """The WPI ports of a country (WPI order)."""
        return list(self._ports_by_country.get(iso3, ()))

    def region_weights(self, iso3: str, sizes: Iterable[str] | None = None) -> dict[str, float]:
        """Sea region → the summed size weights of the country's ports there."""
        wanted = set(sizes) if sizes is not None else None
        out: dict[str, float] = {}
        for p in self.ports(iso3):
            if wanted is None or p.harbor_size in wanted:
                region = self.port_regions[p.wpi_number]
                out[region] = out.get(region, 0.0) + SIZE_WEIGHTS[p.harbor_size]
        return out

    def gateways(self, iso3: str) -> dict[str, float]:
        """The destination regions of a country with their weights: regions of its Large and
        Medium ports, else of all its ports."""
        return self.region_weights(iso3, GATEWAY_SIZES) or self.region_weights(iso3)

    def path(self, origin: str, destination: str) -> Path:
        """The shortest path between two regions (an empty path from a region to itself);
        memoised (the graph does not change)."""
        key = (origin, destination)
        if key not in self._paths:
            self._paths[key] = self._path(origin, destination)
        return self._paths[key]

    def _path(self, origin: str, destination: str) -> Path:
        if origin == destination:
            return Path(origin, origin, ())
        nodes = rx.dijkstra_shortest_paths(
            self.graph, self.index[origin], self.index[destination],
            weight_fn=lambda leg: leg.distance_nm)[self.index[destination]]
        legs = []
        for u, v in itertools.pairwise(nodes):
            lane = min(self.graph.get_all_edge_data(u, v), key=lambda leg: leg.distance_nm)
            a, b = self.graph[u], self.graph[v]
            legs.append(lane if lane.a == a else Leg(a, b, lane.chokepoint, lane.distance_nm,
                                                     lane.note))
        return Path(origin, destination, tuple(legs))

    def route(self, origin: str, destination: str) -> CountryRoute:
        """Typical routes from country ``origin`` to country ``destination`` (memoised)."""
        key = (origin, destination)
        if key not in self._routes:
            self._routes[key] = self._route(origin, destination)
        return self._routes[key]

    def _route(self, origin: str, destination: str) -> CountryRoute:
        weights = self.region_weights(origin)
        targets = self.gateways(destination)
        if not weights or not targets:
            missing = origin if not weights else destination
            return CountryRoute(origin, destination, (),
                                note=f"{missing} has no seaport in the World Port Index")
        total = sum(weights.values()) * sum(targets.values())
        pairs = sorted(((o, d, wo * wd / total) for o, wo in weights.items()
                        for d, wd in targets.items()), key=lambda x: (-x[2], x[0], x[1]))
        routes = tuple(RegionRoute(o, d, share, self.path(o, d)) for o, d, share in pairs)
        shares: dict[str, float] = {}
        for rr in routes:
            for cp in dict.fromkeys(rr.path.chokepoints):
                shares[cp] = shares.get(cp, 0.0) + rr.share
        ordered = dict(sorted(shares.items(), key=lambda kv: (-kv[1], kv[0])))
        return CountryRoute(origin, destination, routes, ordered)


@cache
def sea_lanes() -> SeaLaneGraph:
    """The graph of the bundled files (built once per process, ~0.1 s)."""
    return SeaLaneGraph(load_maritime())
