"""What the scenario engine says about an exercise: the scenario as the exercise stands
after a move (its injects' event changes and every move so far applied with
:func:`econsec.policy.apply.scenario_with_measures`), run on the ARIO simulator, against
the no-action baseline (the same events, no measure) and, for the after-action report,
against the best recommended set of measures.

A move's measures take effect from the simulated day it was made on: a measure the
catalogue starts earlier (its delay from the cut) is moved to that day. A change of the
events (an inject, or a measure that shortens or lowers a restriction) applies to the whole
run: the engine has no "from this day on" for an event's size.

Each run is one ARIO variant (about 2-3 s on the bundled ICIO table, well under a second
on pymrio's test system); baselines are cached by the events they run
(:func:`events_key`).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from econsec.exercises.engine import Entry, State
from econsec.policy.catalogue import Catalogue
from econsec.scenarios.runner import ScenarioResult, run_scenario
from econsec.scenarios.schema import Scenario

Check = Callable[..., None]
Progress = Callable[[str, int, int], None]


def with_event_changes(scenario: Scenario, changes: Sequence[Mapping[str, Any]]
                       ) -> Scenario:
    """``scenario`` with the events named by label changed as the released injects say
    (durations clamped to the horizon)."""
    if not changes:
        return scenario
    data = scenario.model_dump(exclude={"ensemble"}, exclude_none=True)
    data["model"] = {"type": scenario.model.type, **scenario.model.parameters}
    for change in changes:
        for event in data["events"]:
            if event.get("label") != change["event"]:
                continue
            for key in ("share", "duration_days", "recovery_days"):
                if key in change and key in event:
                    event[key] = change[key]
            if "duration_days" in event:
                left = scenario.horizon_days - int(event["start_day"])
                event["duration_days"] = max(1, min(int(event["duration_days"]), left))
    return _revalidated(scenario, data)


def _revalidated(like: Scenario, data: dict[str, Any]) -> Scenario:
    out = Scenario.model_validate(data)
    out._file, out._lines = like._file, like._lines
    return out


def events_key(scenario: Scenario) -> str:
    """A key of the events a run applies (what a cached baseline depends on)."""
    events = [e.model_dump(mode="json") for e in scenario.events]
    text = json.dumps({"mrio": scenario.mrio, "horizon": scenario.horizon_days,
                       "events": events}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def scenario_after(state: State, base: Scenario, catalogue: Catalogue,
                   upto: int | None = None, kb: Any = None, mrio: Any = None) -> Scenario:
    """The scenario as the exercise stands after log entry ``upto`` (every entry when
    None): event changes of the injects released so far, then each move's measures in
    order (the new mitigations start no earlier than the move's simulated day)."""
    from econsec.policy.apply import MeasureChoice, scenario_with_measures

    entries = tuple(e for e in state.log if upto is None or e.seq <= upto)
    upto_state = State(state.exercise, state.status, state.clock, entries)
    scenario = events_only(state, base, upto)
    for entry in upto_state.moves():
        before = len(scenario.mitigations)
        choices = [MeasureChoice(measure_id=m["measure"], parameters=dict(m["parameters"]),
                                 label=_label(entry, k, m))
                   for k, m in enumerate(entry.payload["measures"])]
        scenario = scenario_with_measures(scenario, choices, kb, mrio=mrio,
                                          catalogue=catalogue)
        scenario = _start_no_earlier(scenario, before, int(entry.payload.get("day", 0)))
    return scenario


def _label(entry: Entry, k: int, measure: Mapping[str, Any]) -> str:
    who = entry.team or "team"
    return f"{who} #{entry.seq}.{k + 1}: {measure['measure']}"


def _start_no_earlier(scenario: Scenario, first: int, day: int) -> Scenario:
    """The mitigations from index ``first`` on start no earlier than ``day``."""
    if day <= 0 or first >= len(scenario.mitigations):
        return scenario
    last = scenario.horizon_days - 1
    mitigations = list(scenario.mitigations)
    for i in range(first, len(mitigations)):
        m = mitigations[i]
        if m.start_day < day:
            mitigations[i] = m.model_copy(update={"start_day": min(day, last)})
    copy = scenario.model_copy(update={"mitigations": mitigations})
    copy._file, copy._lines = scenario._file, scenario._lines
    return copy


def totals(result: ScenarioResult, variant: str | None = None) -> dict[str, Any]:
    """``{production_change, final_demand_unmet, region, region_change}`` of a variant
    (the main run when None)."""
    rows = {r["name"]: r for r in result.variant_totals()}
    name = variant or result.main.name
    row = rows[name]
    out: dict[str, Any] = {"production_change": row["total_production_change"],
                           "final_demand_unmet": row["total_final_demand_unmet"],
                           "recovery_day": row["recovery_day"],
                           "region": result.scenario.report_region, "region_change": None}
    region = result.region_losses()
    if region is not None:
        out["region_change"] = (region["total"] if name == result.main.name
                                else region["total_no_measures"])
    return out


def events_only(state: State, base: Scenario, upto: int | None = None) -> Scenario:
    """The scenario's events as the injects released up to entry ``upto`` left them, with
    no measure: the no-action baseline."""
    entries = tuple(e for e in state.log if upto is None or e.seq <= upto)
    changes = State(state.exercise, state.status, state.clock, entries).event_changes()
    scenario = with_event_changes(base, changes)
    out = scenario.model_copy(update={"mitigations": [], "variants": [],
                                      "compare_mitigations": False, "ensemble": None})
    out._file, out._lines = scenario._file, scenario._lines
    return out


def run_with_baseline(scenario: Scenario, baseline: Scenario, *,
                      baselines: Mapping[str, Any], mrio: Any = None, kb: Any = None,
                      progress: Progress | None = None, check: Check | None = None
                      ) -> dict[str, Any]:
    """Run ``scenario`` (the events with the measures taken) and, unless ``baselines``
    holds it (by :func:`events_key`), the no-action ``baseline`` (:func:`events_only`).
    Returns ``{measures, baseline, baseline_key, avoided, mitigations, unit, mrio, sources,
    seconds}``."""
    started = time.perf_counter()
    key = events_key(baseline)
    result = run_scenario(scenario, mrio=mrio, progress=progress, check=check, kb=kb)
    measures = totals(result)
    cached = baselines.get(key)
    if cached is not None:
        base_totals = dict(cached)
    else:
        base_result = run_scenario(baseline, mrio=mrio, progress=progress, check=check, kb=kb)
        base_totals = {**totals(base_result), "sources": list(base_result.sources)}
    # the trade flows that converted the events' products are named by the baseline run
    # (the measures' scenario arrives with its events converted already)
    sources = list(dict.fromkeys([*result.sources, *base_totals.get("sources", [])]))
    return {
        "measures": measures, "baseline": base_totals, "baseline_key": key,
        "avoided": avoided(measures, base_totals),
        "mitigations": [scenario.mitigation_label(i) for i in range(len(scenario.mitigations))],
        "unit": result.unit, "mrio": result.mrio_name, "sources": sources,
        "seconds": round(time.perf_counter() - started, 2),
    }


def avoided(measures: Mapping[str, Any], baseline: Mapping[str, Any]) -> dict[str, Any]:
    """What the measures avoid against the baseline (positive: less loss)."""
    region = None
    if measures.get("region_change") is not None and baseline.get("region_change") is not None:
        region = measures["region_change"] - baseline["region_change"]
    return {"production": measures["production_change"] - baseline["production_change"],
            "final_demand_unmet": baseline["final_demand_unmet"]
            - measures["final_demand_unmet"], "region": region}


def best_set_choices(state: State, catalogue: Catalogue) -> list[dict[str, Any]]:
    """The reference set of the after-action report: every measure any team may take, at
    its default value (clamped to the team's range), from the start."""
    from econsec.exercises.schema import parameter_ranges

    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for team in state.exercise.teams:
        for allowed in team.measures:
            if allowed.measure in seen:
                continue
            seen.add(allowed.measure)
            ranges = parameter_ranges(state.exercise, team.id, allowed.measure, catalogue)
            out.append({"measure": allowed.measure, "team": team.id,
                        "parameters": {k: v[2] for k, v in ranges.items()}})
    return out

