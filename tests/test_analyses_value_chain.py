"""Supplier concentration up a value chain (econsec.analyses.value_chain): pure, on records."""

from __future__ import annotations

import pytest

from econsec.analyses.value_chain import upstream_concentration, value_chain
from econsec.records import InputEdge

#   lithium ─┐                  (raw, HHI 0.30)
#            ├─> cathode ─┐     (component: its raw materials' worst HHI)
#   cobalt  ─┘            ├─> battery
#   graphite ──> anode  ──┘     (raw without supply data: concentration unknown)
EDGES = [
    InputEdge("lithium", "cathode", "bom"),
    InputEdge("cobalt", "cathode", "bom"),
    InputEdge("cathode", "battery", "bom"),
    InputEdge("graphite", "anode", "bom"),
    InputEdge("anode", "battery", "bom2"),
]
HHI = {"lithium": 0.30, "cobalt": 0.55, "battery": 0.10}


def test_components_take_the_worst_raw_material_upstream() -> None:
    chain = upstream_concentration(EDGES, HHI)
    nodes = {n.id: n for n in chain.nodes}
    assert nodes["cathode"].concentration.hhi == 0.55
    assert nodes["cathode"].concentration.via == "cobalt"
    assert nodes["cathode"].own_hhi is None and not nodes["cathode"].raw
    assert nodes["lithium"].raw and nodes["lithium"].concentration.via == "lithium"
    # an item with its own supply data keeps it, whatever lies upstream
    assert nodes["battery"].concentration.hhi == 0.10
    assert nodes["anode"].concentration.hhi is None and nodes["anode"].concentration.via == ""


def test_links_weigh_the_raw_materials_flowing_through_them() -> None:
    chain = upstream_concentration(EDGES, HHI)
    links = {(link.input, link.output): link for link in chain.links}
    assert links[("cathode", "battery")].raw_inputs == 2
    assert links[("cathode", "battery")].weight == 2.0
    assert links[("lithium", "cathode")].weight == 1.0
    assert links[("cathode", "battery")].concentration.via == "cobalt"
    assert not chain.quantities_known
    assert chain.sources == ["bom", "bom2"]


def test_quantities_are_the_weights_when_every_link_has_one() -> None:
    edges = [InputEdge("a", "b", "s", quantity_per_unit=2.5, unit="kg"),
             InputEdge("b", "c", "s", quantity_per_unit=4.0, unit="kg")]
    chain = upstream_concentration(edges, {"a": 0.2})
    assert chain.quantities_known
    assert [link.weight for link in chain.links] == [2.5, 4.0]
    assert chain.links[1].concentration.hhi == 0.2


def test_no_edges_is_an_empty_chain() -> None:
    chain = upstream_concentration([], HHI)
    assert chain.nodes == [] and chain.links == [] and not chain.quantities_known


def test_results_are_frozen() -> None:
    chain = upstream_concentration(EDGES, HHI)
    with pytest.raises(ValueError):
        chain.links[0].weight = 9.0  # type: ignore[misc]


def test_reads_the_edges_of_a_knowledge_base() -> None:
    class Edges:
        def input_edges(self) -> list[InputEdge]:
            return EDGES

    chain = value_chain(Edges(), HHI)  # type: ignore[arg-type]
    assert len(chain.links) == len(EDGES)
