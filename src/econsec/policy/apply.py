"""Measures of the catalogue applied to a scenario, as the scenario engine represents them.

:func:`scenario_with_measures` returns the scenario with the measures' mitigations added
(and, for ``shorten_events`` / ``lower_event_share``, its export restrictions changed);
:func:`apply_measures` returns the same with what was done and why (alternative suppliers and
the figures they come from), which the recommender shows as evidence.

The measures act on the scenario's *supply cuts*: after events that name a product are
converted to industry shocks (:func:`econsec.scenarios.products.resolve_products`), every
``export_restriction`` (origin region and industry → each region in ``to``; the
``report_region`` when ``to`` is omitted), every ``capacity_loss`` (its region and industry →
the ``report_region``, when the scenario names one and it is another region) and every flow
of a ``chokepoint_closure`` that names an industry. What each measure type adds is stated in
its catalogue entry (``scenario.engine``) and implemented once here:

- ``stockpile_release``: days_of_use = days × the product's share of the industry flow (1
  for an industry-level cut), daily_share = the share of the flow cut, from the cut's
  start_day + delay;
- ``recycle``: share = share × the flow cut over the importer's whole use of the industry's
  products (so the parameter is a share of the cut imports), ramping over ramp days;
- ``diversify_supplier``: the alternative regions with the largest spare exports (BACI through
  :func:`econsec.io_models.product_shocks.diversification_options` for a product; the MRIO's
  exports of the industry to third regions for an industry-level cut), share = min(1,
  secured × spare / value cut), max_capacity_increase = secured × spare / the alternative
  industry's output;
- ``substitute``: buyers of the importing region may switch share of unfilled orders;
- ``shorten_events`` / ``lower_event_share``: every export restriction runs days_earlier
  days less / cuts (1 − reduction) of its share.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from econsec.errors import ValidationError
from econsec.io_models.events import (
    CapacityLoss,
    ChokepointClosure,
    DiversifySupplier,
    Event,
    ExportRestriction,
    Mitigation,
    Recycle,
    StockpileRelease,
    Substitute,
)
from econsec.io_models.mrio import MRIO
from econsec.io_models.product_shocks import ICIO_YEAR, ProductShock, diversification_options
from econsec.policy.catalogue import Catalogue, Measure, load_catalogue
from econsec.scenarios.schema import Scenario

__all__ = [
    "AppliedMeasures",
    "MeasureChoice",
    "SupplyCut",
    "apply_measures",
    "scenario_with_measures",
    "supply_cuts",
]


@dataclass(frozen=True)
class MeasureChoice:
    """A measure of the catalogue with its parameters (defaults for those not given) and
    an optional label for the mitigations it adds."""

    measure_id: str
    parameters: Mapping[str, float] = field(default_factory=dict)
    label: str | None = None


@dataclass(frozen=True)
class SupplyCut:
    """One supply cut of a scenario: ``origin``/``sector`` → ``importer`` (None: every
    region), the engine share cut, its first day, the product's share of the industry flow
    (1 for an industry-level cut), the product's trade value and the HS codes behind it."""

    origin: str
    sector: str
    importer: str | None
    share: float
    start_day: int
    product_share: float = 1.0
    baci_value_musd: float | None = None
    hs_codes: tuple[str, ...] = ()
    year: int = ICIO_YEAR
    severity: float | None = None

    @property
    def key(self) -> str:
        return f"{self.origin}/{self.sector}->{self.importer or 'all'}"


@dataclass
class AppliedMeasures:
    """The scenario with the measures applied, and what was done (``steps``: per choice,
    the measure, the records added or events changed and the figures used)."""

    scenario: Scenario
    cuts: list[SupplyCut]
    steps: list[dict[str, Any]]
    conversions: list[ProductShock]
    sources: list[str]


def scenario_with_measures(scenario: Scenario, choices: Sequence[MeasureChoice],
                           kb: Any = None, *, mrio: MRIO | None = None,
                           catalogue: Catalogue | None = None) -> Scenario:
    """``scenario`` with the measures' mitigations added (see the module docstring).
    Events naming products are converted with ``kb``'s trade flows; the MRIO is loaded when
    not given."""
    return apply_measures(scenario, choices, kb, mrio=mrio, catalogue=catalogue).scenario


def _load(scenario: Scenario) -> MRIO:
    from econsec.scenarios.runner import prepare

    return prepare(scenario)


def apply_measures(scenario: Scenario, choices: Sequence[MeasureChoice], kb: Any = None, *,
                   mrio: MRIO | None = None, catalogue: Catalogue | None = None
                   ) -> AppliedMeasures:
    """:func:`scenario_with_measures` with the details (:class:`AppliedMeasures`)."""
    from econsec.scenarios.products import resolve_products

    catalogue = catalogue or load_catalogue()
    measures = [(c, catalogue.get(c.measure_id)) for c in choices]
    values = [m.values(c.parameters) for c, m in measures]
    if mrio is None:
        mrio = _load(scenario)
    resolved, conversions = resolve_products(scenario, mrio, kb)
    cuts = supply_cuts(resolved, mrio, conversions)
    events: list[Event] = list(resolved.events)
    added: list[Mitigation] = []
    steps: list[dict[str, Any]] = []
    sources: list[str] = sorted({s for c in conversions for s in c.sources})
    for (choice, measure), vals in zip(measures, values, strict=True):
        step: dict[str, Any] = {"measure": measure.id, "parameters": vals, "added": [],
                                "changed": [], "figures": [], "skipped": []}
        if measure.scenario is None:
            step["skipped"].append("not simulated")
            steps.append(step)
            continue
        kind = measure.scenario.type
        if kind in ("shorten_events", "lower_event_share"):
            events = _change_events(events, kind, vals, step)
        else:
            new = _mitigations(kind, measure, choice, vals, cuts, resolved, mrio, kb, step)
            added.extend(new)
            step["added"] = [m.model_dump(exclude_none=True) for m in new]
            if kind == "diversify_supplier" and any(c.hs_codes for c in cuts):
                sources.append("CEPII BACI (diversification options)")
        steps.append(step)
    out = resolved.model_copy(update={"events": events,
                                      "mitigations": [*resolved.mitigations, *added]})
    out._file, out._lines = scenario.source_file, dict(getattr(scenario, "_lines", {}))
    return AppliedMeasures(out, cuts, steps, conversions, sorted(set(sources)))


# --------------------------------------------------------------------------- supply cuts


def _flow(mrio: MRIO, origin: str, sector: str, importer: str | None) -> float:
    """Pre-shock intermediate plus final flow of origin/sector to the importer (MRIO unit)."""
    row = mrio.index(origin, sector)
    S = len(mrio.sectors)
    regions = (range(len(mrio.regions)) if importer is None
               else [mrio.region_index(importer)])
    total = 0.0
    fd = mrio.final_demand_by_region()
    for r in regions:
        if mrio.regions[r] == origin:
            continue
        total += float(mrio.Z[row, r * S:(r + 1) * S].sum()) + float(fd[row, r])
    return total


def supply_cuts(scenario: Scenario, mrio: MRIO,
                conversions: Sequence[ProductShock] = ()) -> list[SupplyCut]:
    """The supply cuts of a scenario whose events name industries (see the module
    docstring), one per (origin, industry, importer), in the order of the events."""
    report = scenario.report_region
    raw: list[tuple[str, str, str | None, float, int]] = []
    for ev in scenario.events:
        if isinstance(ev, ExportRestriction) and ev.sector is not None:
            targets: list[str | None] = (list(ev.to) if ev.to is not None
                                         else [report] if report is not None else [None])
            raw += [(ev.region, ev.sector, t, ev.share, ev.start_day) for t in targets
                    if t != ev.region]
        elif isinstance(ev, CapacityLoss) and ev.sector is not None:
            if report is not None and report != ev.region:
                raw.append((ev.region, ev.sector, report, ev.share, ev.start_day))
        elif isinstance(ev, ChokepointClosure):
            raw += [(f.origin, f.sector, f.destination, ev.share, ev.start_day)
                    for f in ev.flows if f.sector is not None]
    products: dict[tuple[str, str, str | None], dict[str, Any]] = {}
    for shock in conversions:
        for part in shock.parts:
            if part.fraction <= 0:
                continue
            key = (shock.exporter_region, part.sector, shock.importer_region)
            entry = products.setdefault(key, {"share": 0.0, "baci": 0.0, "hs": [],
                                              "year": shock.year, "severity": shock.severity})
            entry["share"] = min(1.0, entry["share"] + part.share)
            entry["baci"] += part.baci_value_musd
            entry["hs"] += [c for c in part.hs_codes if c not in entry["hs"]]
    merged: dict[tuple[str, str, str | None], SupplyCut] = {}
    for origin, sector, importer, share, start in raw:
        key = (origin, sector, importer)
        prior = merged.get(key)
        p = products.get(key)
        cut = SupplyCut(origin, sector, importer,
                        max(share, prior.share) if prior else share,
                        min(start, prior.start_day) if prior else start,
                        product_share=p["share"] if p else 1.0,
                        baci_value_musd=p["baci"] if p else None,
                        hs_codes=tuple(p["hs"]) if p else (),
                        year=p["year"] if p else ICIO_YEAR,
                        severity=p["severity"] if p else None)
        merged[key] = cut
    return list(merged.values())


# --------------------------------------------------------------------------- records


def _label(choice: MeasureChoice, measure: Measure, cut: SupplyCut | None, many: bool,
           extra: str = "") -> str:
    base = choice.label or measure.names["en"]
    if not many or cut is None:
        return base + extra
    return f"{base} ({cut.key}{extra})"


def _mitigations(kind: str, measure: Measure, choice: MeasureChoice, vals: dict[str, float],
                 cuts: Sequence[SupplyCut], scenario: Scenario, mrio: MRIO, kb: Any,
                 step: dict[str, Any]) -> list[Mitigation]:
    horizon = scenario.horizon_days
    out: list[Mitigation] = []
    usable = [c for c in cuts if c.importer is not None or kind == "diversify_supplier"]
    for c in cuts:
        if c not in usable:
            step["skipped"].append(f"{c.key}: the cut names no importing region (give "
                                   "report_region or to)")
    many = len(usable) > 1

    def day(offset: float) -> int:
        return min(horizon - 1, round(offset))

    seen_substitute: set[tuple[str, str]] = set()
    for c in usable:
        label = _label(choice, measure, c, many)
        if kind == "stockpile_release":
            assert c.importer is not None
            out.append(StockpileRelease(
                label=label, region=c.importer, sector=c.sector, origin=c.origin,
                days_of_use=round(vals["days"] * c.product_share, 9),
                start_day=day(c.start_day + vals.get("delay", 0.0)),
                daily_share=round(c.share, 9)))
            step["figures"].append({"cut": c.key, "product_share": c.product_share})
        elif kind == "recycle":
            assert c.importer is not None
            flow = _flow(mrio, c.origin, c.sector, c.importer)
            use = _use(mrio, c.sector, c.importer)
            if use <= 0 or flow <= 0:
                step["skipped"].append(f"{c.key}: no pre-shock use to recycle")
                continue
            share = min(1.0, vals["share"] * c.share * flow / use)
            out.append(Recycle(label=label, region=c.importer, sector=c.sector,
                               share=round(share, 12), start_day=day(c.start_day),
                               ramp_days=int(vals.get("ramp", 0))))
            step["figures"].append({"cut": c.key, "flow_cut": c.share * flow,
                                    "importer_use": use, "engine_share": share})
        elif kind == "substitute":
            assert c.importer is not None
            if (c.importer, c.sector) in seen_substitute:
                continue
            seen_substitute.add((c.importer, c.sector))
            out.append(Substitute(label=label, region=c.importer, sector=c.sector,
                                  share=vals["share"], start_day=day(c.start_day)))
        elif kind == "diversify_supplier":
            out += _diversify(measure, choice, vals, c, mrio, kb, step, many,
                              day(c.start_day + vals.get("delay", 0.0)))
        else:  # pragma: no cover - the catalogue's Literal lists every type
            raise ValidationError(f"measure '{measure.id}': unknown scenario type {kind}")
    return out


def _use(mrio: MRIO, sector: str, region: str) -> float:
    """The region's pre-shock intermediate use of the industry's products (all origins)."""
    S = len(mrio.sectors)
    s = mrio.sector_index(sector)
    r = mrio.region_index(region)
    rows = np.arange(len(mrio.regions)) * S + s
    return float(mrio.Z[np.ix_(rows, np.arange(r * S, (r + 1) * S))].sum())


@dataclass(frozen=True)
class _Option:
    region: str
    spare: float  # in the unit of ``cut_value``
    basis: str


def _options(c: SupplyCut, mrio: MRIO, kb: Any, top: int) -> tuple[list[_Option], float, str]:
    """Alternative supplier regions, the value cut in the same unit, and the unit."""
    if c.hs_codes and kb is not None and c.baci_value_musd:
        importer = c.importer or c.origin
        found = diversification_options(kb, mrio, hs_code=list(c.hs_codes), commodity=None,
                                        exporter=c.origin, importer=importer, year=c.year,
                                        top=top)
        cut_value = (c.severity or c.share) * c.baci_value_musd
        return ([_Option(o.region, o.spare_musd,
                         f"BACI {c.year}: exports of HS {', '.join(c.hs_codes)} to others "
                         f"than {importer} and {c.origin}: {o.spare_musd:,.1f} million USD "
                         f"({', '.join(o.countries[:3])})") for o in found],
                cut_value, "million USD")
    S = len(mrio.sectors)
    fd = mrio.final_demand_by_region()
    excluded = {c.origin, c.importer}
    cut_value = c.share * _flow(mrio, c.origin, c.sector, c.importer)
    options = []
    for r, region in enumerate(mrio.regions):
        if region in excluded:
            continue
        row = r * S + mrio.sector_index(c.sector)
        spare = 0.0
        for d, dest in enumerate(mrio.regions):
            if dest in excluded or dest == region:
                continue
            spare += float(mrio.Z[row, d * S:(d + 1) * S].sum()) + float(fd[row, d])
        if spare > 0:
            options.append(_Option(region, spare,
                                   f"{mrio.name}: {region}/{c.sector} sales to regions other "
                                   f"than {', '.join(sorted(str(e) for e in excluded if e))} "
                                   f"and itself: {spare:,.1f} {mrio.unit or 'MRIO unit'}"))
    options.sort(key=lambda o: (-o.spare, o.region))
    return options[:top], cut_value, mrio.unit or "MRIO unit"


def _diversify(measure: Measure, choice: MeasureChoice, vals: dict[str, float], c: SupplyCut,
               mrio: MRIO, kb: Any, step: dict[str, Any], many: bool, start: int
               ) -> list[Mitigation]:
    top = max(1, round(vals.get("partners", 1)))
    options, cut_value, unit = _options(c, mrio, kb, top)
    secured = vals.get("secured", 1.0)
    out: list[Mitigation] = []
    if not options or cut_value <= 0:
        step["skipped"].append(f"{c.key}: no other supplier region exports this")
        return out
    for o in options:
        output = float(mrio.x[mrio.index(o.region, c.sector)])
        if output <= 0:
            continue
        share = min(1.0, secured * o.spare / cut_value)
        capacity = secured * o.spare / output
        extra = f", {o.region}" if top > 1 else f" {o.region}"
        out.append(DiversifySupplier(
            label=_label(choice, measure, c, many, extra), sector=c.sector, origin=c.origin,
            alternative=o.region, region=c.importer, share=round(share, 9),
            start_day=start, ramp_days=int(vals.get("ramp", 0)),
            max_capacity_increase=round(capacity, 9)))
        step["figures"].append({"cut": c.key, "alternative": o.region, "spare": o.spare,
                                "value_cut": cut_value, "unit": unit, "share": share,
                                "max_capacity_increase": capacity, "basis": o.basis})
    return out


def _change_events(events: list[Event], kind: str, vals: dict[str, float],
                   step: dict[str, Any]) -> list[Event]:
    out: list[Event] = []
    for k, ev in enumerate(events):
        if not isinstance(ev, ExportRestriction):
            out.append(ev)
            continue
        if kind == "shorten_events":
            new = max(1, ev.duration_days - round(vals["days_earlier"]))
            changed = ev.model_copy(update={"duration_days": new})
            step["changed"].append({"event": k, "field": "duration_days",
                                    "from": ev.duration_days, "to": new})
        else:
            share = ev.share * (1 - vals["reduction"])
            if share <= 0:
                step["changed"].append({"event": k, "field": "share", "from": ev.share,
                                        "to": 0.0})
                continue
            changed = ev.model_copy(update={"share": round(share, 12)})
            step["changed"].append({"event": k, "field": "share", "from": ev.share,
                                    "to": changed.share})
        out.append(changed)
    if not out:
        raise ValidationError("the measures leave the scenario with no event at all; lower "
                              "the reduction")
    return out
