"""The cable network as a graph (rustworkx) and what breaks it.

Nodes are of three kinds: ``country:<ISO3>``, ``landing:<landing point id>`` and
``cable:<cable id>``. Edges: a country to each of its landing points (domestic backhaul,
assumed never to fail) and a landing point to each cable landing there (the cable's segment
to that station). The data say which stations a cable lands at, not how its trunk and
branches join them, so a cable is one node: the loss of a cable is the loss of that node;
the loss of a station, the loss of its node.

* :func:`articulation_points` / :func:`bridges`: the graph's cut vertices and edges
  (rustworkx; NetworkX is the tests' oracle).
* :func:`min_cut`: the fewest cables (or landing stations) whose loss separates two
  countries, with one such set: a maximum flow with unit capacity on the cuttable nodes
  (node splitting) and unbounded capacity elsewhere (Menger's theorem; equal to the number
  of cable-disjoint paths).
* :func:`cut_off_by`: the countries that lose every path to a home country when one node
  fails (single points of failure).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import rustworkx as rx
from scipy.sparse import csr_array
from scipy.sparse.csgraph import breadth_first_order, maximum_flow

from econsec.datasets.submarine_cables import Cable, Landing

COUNTRY, LANDING, CABLE = "country", "landing", "cable"


def node_key(kind: str, ident: str) -> str:
    """The key of a node: ``<kind>:<id>``."""
    return f"{kind}:{ident}"


def kind_of(key: str) -> str:
    """The kind of a node key."""
    return key.split(":", 1)[0]


def ident_of(key: str) -> str:
    """The id of a node key (ISO3, landing point id or cable id)."""
    return key.split(":", 1)[1]


@dataclass
class CableGraph:
    """The undirected graph, its node keys and adjacency lists (by rustworkx index)."""

    graph: rx.PyGraph
    index: dict[str, int]
    keys: list[str]
    adjacency: list[list[int]]
    networks: dict[str, tuple[csr_array, list[bool]]] = field(default_factory=dict)

    def has(self, key: str) -> bool:
        return key in self.index

    def neighbours(self, key: str) -> list[str]:
        return [self.keys[i] for i in self.adjacency[self.index[key]]]


def build_graph(landings: Iterable[Landing], cables: dict[str, Cable] | None = None, *,
                include_planned: bool = True) -> CableGraph:
    """The graph of ``landings`` (cables flagged planned left out unless ``include_planned``)."""
    graph = rx.PyGraph(multigraph=False)
    index: dict[str, int] = {}

    def node(key: str) -> int:
        if key not in index:
            index[key] = graph.add_node(key)
        return index[key]

    for landing in landings:
        cable = (cables or {}).get(landing.cable_id)
        if cable is not None and cable.planned and not include_planned:
            continue
        country = node(node_key(COUNTRY, landing.iso3))
        point = node(node_key(LANDING, landing.point_id))
        link = node(node_key(CABLE, landing.cable_id))
        for a, b in ((country, point), (point, link)):
            if not graph.has_edge(a, b):
                graph.add_edge(a, b, None)
    keys = [str(graph[i]) for i in range(graph.num_nodes())]
    adjacency = [list(graph.neighbors(i)) for i in range(graph.num_nodes())]
    return CableGraph(graph, index, keys, adjacency)


def articulation_points(cg: CableGraph) -> set[str]:
    """Nodes whose loss splits a connected part of the graph."""
    return {cg.keys[i] for i in rx.articulation_points(cg.graph)}


def bridges(cg: CableGraph) -> set[tuple[str, str]]:
    """Edges whose loss splits a connected part of the graph (each pair sorted)."""
    out = set()
    for pair in rx.bridges(cg.graph):
        x, y = sorted(cg.keys[i] for i in pair)
        out.add((x, y))
    return out


def reachable(cg: CableGraph, start: str, blocked: int | None = None) -> set[int]:
    """Node indices reachable from ``start`` without passing ``blocked``."""
    first = cg.index[start]
    if first == blocked:
        return set()
    seen = {first}
    queue = deque([first])
    while queue:
        here = queue.popleft()
        for nxt in cg.adjacency[here]:
            if nxt != blocked and nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def cut_off_by(cg: CableGraph, home: str, candidates: Iterable[str]) -> dict[str, list[str]]:
    """For each candidate node: the countries (ISO3) that lose every path to ``home``
    (a country node key) when it fails; candidates that cut off nobody are left out."""
    if not cg.has(home):
        return {}
    base = reachable(cg, home)
    countries = {i for i in base if kind_of(cg.keys[i]) == COUNTRY} - {cg.index[home]}
    out: dict[str, list[str]] = {}
    for key in candidates:
        at = cg.index.get(key)
        if at is None or at not in base or at == cg.index[home]:
            continue
        left = reachable(cg, home, blocked=at)
        lost = sorted(ident_of(cg.keys[i]) for i in countries - left if i != at)
        if lost:
            out[key] = lost
    return out


@dataclass(frozen=True)
class Cut:
    """A minimum cut between two countries: its size and one set of nodes that attains it
    (``size`` None: the two are not connected at all; 0 never happens for connected ones)."""

    size: int | None
    nodes: tuple[str, ...]


def _flow_network(cg: CableGraph, kind: str) -> tuple[csr_array, list[bool]]:
    """The capacity matrix of the split graph: node v is ``2v`` (in) and ``2v + 1`` (out),
    the arc in -> out has capacity 1 for nodes of ``kind`` and ``n + 1`` otherwise; every
    edge gives out -> in arcs both ways with capacity ``n + 1``."""
    cached = cg.networks.get(kind)
    if cached is not None:
        return cached
    n = len(cg.keys)
    big = n + 1
    cuttable = [kind_of(k) == kind for k in cg.keys]
    rows, cols, caps = [], [], []
    for v in range(n):
        rows.append(2 * v)
        cols.append(2 * v + 1)
        caps.append(1 if cuttable[v] else big)
        for w in cg.adjacency[v]:
            rows.append(2 * v + 1)
            cols.append(2 * w)
            caps.append(big)
    matrix = csr_array((np.array(caps, dtype=np.int32), (np.array(rows), np.array(cols))),
                       shape=(2 * n, 2 * n))
    cg.networks[kind] = (matrix, cuttable)
    return matrix, cuttable


def min_cut(cg: CableGraph, source: str, target: str, kind: str = CABLE) -> Cut:
    """The fewest nodes of ``kind`` (cables or landing stations) whose loss separates the
    country nodes ``source`` and ``target``, with one such set (see the module): SciPy's
    maximum flow on the split graph, the cut read off the residual graph."""
    if not (cg.has(source) and cg.has(target)) or source == target:
        return Cut(None, ())
    s, t = cg.index[source], cg.index[target]
    matrix, cuttable = _flow_network(cg, kind)
    n = len(cg.keys)
    result = maximum_flow(matrix, 2 * s + 1, 2 * t)
    value = int(result.flow_value)
    if value == 0 or value > n:
        return Cut(None, ())
    residual = (matrix - result.flow).tocsr()
    residual.data = np.where(residual.data > 0, 1, 0).astype(np.int32)
    residual.eliminate_zeros()
    side = set(breadth_first_order(residual, 2 * s + 1, directed=True,
                                   return_predecessors=False).tolist())
    nodes = sorted(ident_of(cg.keys[v]) for v in range(n)
                   if cuttable[v] and 2 * v in side and 2 * v + 1 not in side)
    return Cut(value, tuple(nodes))
