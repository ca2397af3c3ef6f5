"""Events that name a product, converted to industry shocks before a run.

A scenario's ``export_restriction`` or ``capacity_loss`` may name a traded product (``hs``)
or a commodity (``commodity``) instead of an industry (``sector``);
:func:`resolve_products` converts each such event with
:mod:`econsec.io_models.product_shocks` on the scenario's table and the knowledge base's
trade flows, and returns the scenario with industry-level events in their place (an
export restriction to several regions, or a commodity made by several industries, becomes
several events) and the conversions, which the result reports.
"""

from __future__ import annotations

from typing import Any

from econsec.errors import ValidationError
from econsec.io_models.events import CapacityLoss, Event, ExportRestriction
from econsec.io_models.mrio import MRIO
from econsec.io_models.product_shocks import (
    ICIO_YEAR,
    ProductShock,
    TradeKB,
    convert_product_capacity_loss,
    convert_product_shock,
)
from econsec.scenarios.schema import Scenario

__all__ = ["has_products", "resolve_products"]


def has_products(scenario: Scenario) -> bool:
    """Whether an event of ``scenario`` names a product or commodity."""
    return any(getattr(ev, "names_product", False) for ev in scenario.events)


def _one(values: list[str] | None) -> str | list[str] | None:
    if values is None:
        return None
    return values[0] if len(values) == 1 else values


def _convert(kb: TradeKB, mrio: MRIO, ev: CapacityLoss | ExportRestriction
             ) -> list[ProductShock]:
    year = getattr(ev, "year", None) or ICIO_YEAR
    common: dict[str, Any] = {
        "hs_code": _one(getattr(ev, "hs", None)), "commodity": getattr(ev, "commodity", None),
        "severity": ev.share, "year": year, "start_day": ev.start_day,
        "duration_days": ev.duration_days, "recovery_days": getattr(ev, "recovery_days", 0),
        "label": ev.label}
    countries = getattr(ev, "countries", None)
    if isinstance(ev, CapacityLoss):
        if countries:
            raise ValidationError("countries is not used by a capacity_loss: name the region")
        return [convert_product_capacity_loss(kb, mrio, region=ev.region, **common)]
    importers = ev.to if ev.to is not None else [r for r in mrio.regions if r != ev.region]
    return [convert_product_shock(kb, mrio, exporter=ev.region, importer=importer,
                                  exporter_countries=countries, **common)
            for importer in importers]


def resolve_products(scenario: Scenario, mrio: MRIO, kb: TradeKB | None
                     ) -> tuple[Scenario, list[ProductShock]]:
    """``scenario`` with every event that names a product converted to industry events
    (in place, in order), and the conversions. A scenario without such events comes back
    as it is. ``kb`` gives the trade flows (refused when None and an event needs it)."""
    if not has_products(scenario):
        return scenario, []
    if kb is None:
        raise ValidationError("the scenario names products (hs or commodity): it needs the "
                              "knowledge base's trade flows; run 'econsec init' first")
    if scenario.ensemble is not None and any(
            key.startswith("events[") for key in scenario.ensemble.parameters):
        raise ValidationError("an ensemble may not vary events[...] of a scenario whose "
                              "events name products (their conversion changes the event "
                              "list); vary model parameters or mitigations")
    events: list[Event] = []
    shocks: list[ProductShock] = []
    for k, ev in enumerate(scenario.events):
        if not isinstance(ev, CapacityLoss | ExportRestriction) or not ev.names_product:
            events.append(ev)
            continue
        try:
            converted = _convert(kb, mrio, ev)
        except ValidationError as exc:
            exc.message = f"events[{k}]: {exc.message}"
            exc.args = (str(exc),)
            raise
        shocks.extend(converted)
        for shock in converted:
            events.extend(shock.events)
    if not events:
        raise ValidationError("after converting the products to industry shocks nothing is "
                              "cut (no trade recorded in the years asked); see the "
                              "conversion notes")
    resolved = scenario.model_copy(update={"events": events})
    return resolved, shocks
