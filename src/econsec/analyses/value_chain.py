"""Supplier concentration up a value chain: for each bill-of-materials link, how
concentrated the world supply of its input is, looking through components to the raw
materials they are made of.

A raw material is an item with no inputs of its own. An input's concentration is the HHI of
its own headline supply (production, else refinery production) where known; for a component
it is the highest HHI among the raw materials upstream of it (the weakest link), and unknown
where no raw material upstream has supply data. Bills of materials carry no quantities in
general, so a link's weight is the number of raw materials that flow through it, or its
quantity per unit where every link has one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from functools import cache

from pydantic import BaseModel, ConfigDict

from econsec.kb.protocol import KnowledgeBase
from econsec.records import InputEdge


class _Result(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Concentration(_Result):
    """The supplier concentration of an item: its own HHI, or that of the most concentrated
    raw material upstream (``via``); ``hhi`` None where no supply data is known."""

    hhi: float | None
    via: str


class ChainNode(_Result):
    """An item of the chain: ``raw`` when it has no inputs of its own."""

    id: str
    raw: bool
    #: The HHI of the item's own supply (None: no supply data of its own).
    own_hhi: float | None
    concentration: Concentration


class ChainLink(_Result):
    """A bill-of-materials link, weighted and with its input's concentration."""

    input: str
    output: str
    source_key: str
    quantity_per_unit: float | None
    unit: str
    substitutability: float | None
    #: Raw materials upstream of the input (the input itself when it is raw).
    raw_inputs: int
    #: The link's weight: its quantity when every link has one, else ``raw_inputs``.
    weight: float
    concentration: Concentration


class ValueChain(_Result):
    """Every item on a link, every link, and the keys of the links' sources."""

    nodes: list[ChainNode]
    links: list[ChainLink]
    quantities_known: bool
    sources: list[str]


def upstream_concentration(edges: Sequence[InputEdge],
                           supply_hhi: Mapping[str, float]) -> ValueChain:
    """The chain of ``edges`` with each item's and link's concentration, given the HHI of
    the headline supply of the items that have one (``supply_hhi``). Pure."""
    inputs: dict[str, list[str]] = defaultdict(list)
    for edge in edges:
        inputs[edge.output_item].append(edge.input_item)

    @cache
    def raw_upstream(item_id: str) -> frozenset[str]:
        """Raw materials upstream of ``item_id`` (itself when it is raw)."""
        if not inputs.get(item_id):
            return frozenset({item_id})
        found: set[str] = set()
        for input_item in inputs[item_id]:
            found |= raw_upstream(input_item)
        return frozenset(found)

    def concentration(item_id: str) -> Concentration:
        if item_id in supply_hhi:
            return Concentration(hhi=supply_hhi[item_id], via=item_id)
        known = [(supply_hhi[r], r) for r in raw_upstream(item_id) if r in supply_hhi]
        if not known:
            return Concentration(hhi=None, via="")
        hhi, via = max(known)
        return Concentration(hhi=hhi, via=via)

    ids = dict.fromkeys(i for e in edges for i in (e.input_item, e.output_item))
    nodes = [ChainNode(id=item_id, raw=not inputs.get(item_id),
                       own_hhi=supply_hhi.get(item_id), concentration=concentration(item_id))
             for item_id in ids]
    quantities_known = bool(edges) and all(e.quantity_per_unit for e in edges)
    links = []
    for edge in edges:
        raw = len(raw_upstream(edge.input_item))
        weight = float(edge.quantity_per_unit) if quantities_known and edge.quantity_per_unit \
            else float(raw)
        links.append(ChainLink(
            input=edge.input_item, output=edge.output_item, source_key=edge.source_key,
            quantity_per_unit=edge.quantity_per_unit, unit=edge.unit,
            substitutability=edge.substitutability, raw_inputs=raw, weight=weight,
            concentration=concentration(edge.input_item)))
    return ValueChain(nodes=nodes, links=links, quantities_known=quantities_known,
                      sources=sorted({e.source_key for e in edges}))


def value_chain(kb: KnowledgeBase, supply_hhi: Mapping[str, float]) -> ValueChain:
    """:func:`upstream_concentration` of every bill-of-materials edge in ``kb``."""
    return upstream_concentration(kb.input_edges(), supply_hhi)
