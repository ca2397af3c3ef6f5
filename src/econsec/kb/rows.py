"""Conversions between the records of :mod:`econsec.records` and table rows.

``*_row(record)`` gives the row dict a table stores; ``*_from(row)`` the frozen record a
query returns (enums restored, booleans as ``bool``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from econsec.records import (
    Country,
    CountryRisk,
    GovernanceScore,
    InputEdge,
    Item,
    ItemKind,
    Measure,
    Observation,
    ServiceType,
    Source,
    Stage,
    TradeFlow,
)

Row = Mapping[Any, Any]
"""A row as a query returns it (column name -> value)."""

BUNDLE_FIELD = {"observations": "observations", "trade_flows": "trade_flows",
                "input_edges": "input_edges", "governance_scores": "governance",
                "country_risk": "country_risk"}
"""Fact table name -> the :class:`~econsec.records.Bundle` attribute holding its records."""


def fact_row(table: str, record: Any) -> dict[str, Any]:
    """The row of fact table ``table`` that stores ``record``."""
    convert: dict[str, Callable[[Any], dict[str, Any]]] = {
        "observations": observation_row, "trade_flows": flow_row, "input_edges": edge_row,
        "governance_scores": governance_row, "country_risk": risk_row,
    }
    return convert[table](record)


def row_key(row: Row, columns: Sequence[str]) -> tuple[Any, ...]:
    """``row``'s values of ``columns``, floats rounded (for comparing stored and new rows)."""
    return tuple(
        round(v, 9) if isinstance(v, float) else v for v in (row.get(c) for c in columns)
    )


def source_row(s: Source) -> dict[str, Any]:
    return {
        "key": s.key, "publisher": s.publisher, "title": s.title, "year": s.year,
        "licence": s.licence, "url": s.url, "file": s.file, "sha256": s.sha256,
        "citation": s.citation,
    }


def source_from(r: Row) -> Source:
    return Source(**{k: r[k] for k in (
        "key", "publisher", "title", "year", "licence", "url", "file", "sha256", "citation")})


def country_row(c: Country) -> dict[str, Any]:
    return {"iso3": c.iso3, "iso2": c.iso2, "numeric": c.numeric, "name_en": c.name_en,
            "name_ja": c.name_ja}


def country_from(r: Row, groups: tuple[str, ...]) -> Country:
    return Country(r["iso3"], r["iso2"], r["numeric"], r["name_en"], r["name_ja"], groups)


def item_row(i: Item) -> dict[str, Any]:
    return {
        "id": i.id, "kind": ItemKind(i.kind).value, "name_en": i.name_en, "name_ja": i.name_ja,
        "service_type": ServiceType(i.service_type).value if i.service_type else None,
        "domain": i.domain, "stage": Stage(i.stage).value if i.stage else None,
    }


def item_from(r: Row, codes: tuple[str, ...]) -> Item:
    return Item(
        id=r["id"], kind=ItemKind(r["kind"]), name_en=r["name_en"], name_ja=r["name_ja"],
        service_type=ServiceType(r["service_type"]) if r["service_type"] else None,
        hs_codes=codes, domain=r["domain"], stage=Stage(r["stage"]) if r["stage"] else None,
    )


_OBS_FIELDS = ("item_id", "area", "iso3", "is_aggregate", "year", "measure", "value", "unit",
               "source_key", "is_estimate", "withheld", "value_raw", "series", "note")


def observation_row(o: Observation) -> dict[str, Any]:
    row = {k: getattr(o, k) for k in _OBS_FIELDS}
    row["measure"] = Measure(o.measure).value
    row["value"] = None if o.value is None else float(o.value)
    return row


def observation_from(r: Row) -> Observation:
    values = {k: r[k] for k in _OBS_FIELDS}
    values["measure"] = Measure(r["measure"])
    values["is_aggregate"] = bool(r["is_aggregate"])
    values["is_estimate"] = bool(r["is_estimate"])
    values["withheld"] = bool(r["withheld"])
    return Observation(**values)


_FLOW_FIELDS = ("item_id", "exporter", "importer", "year", "source_key", "value", "quantity",
                "unit", "share", "exporter_label", "year_end", "hs_code", "hs_version")


def flow_row(f: TradeFlow) -> dict[str, Any]:
    return {k: getattr(f, k) for k in _FLOW_FIELDS}


def flow_from(r: Row) -> TradeFlow:
    return TradeFlow(**{k: r[k] for k in _FLOW_FIELDS})


_EDGE_FIELDS = ("input_item", "output_item", "source_key", "quantity_per_unit", "unit",
                "substitutability")


def edge_row(e: InputEdge) -> dict[str, Any]:
    return {k: getattr(e, k) for k in _EDGE_FIELDS}


def edge_from(r: Row) -> InputEdge:
    return InputEdge(**{k: r[k] for k in _EDGE_FIELDS})


def governance_row(g: GovernanceScore) -> dict[str, Any]:
    return {"iso3": g.iso3, "year": g.year, "dimension": g.dimension,
            "estimate": float(g.estimate), "source_key": g.source_key}


def risk_row(r: CountryRisk) -> dict[str, Any]:
    return {"iso3": r.iso3, "category": r.category, "valid_from": r.valid_from,
            "note": r.note, "source_key": r.source_key}
