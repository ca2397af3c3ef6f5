"""The after-action report's data: the timeline, the decisions, the moves with their
recomputed results, and the loss of the exercise against the no-action baseline and against
the reference set of measures (:func:`econsec.exercises.session.recommended_set`).

Pure: from the state, the row's facts and the reference runs kept with the exercise. Texts
are message ids (translated by the presenter) or the file's own ``{en, ja}`` texts.
"""

from __future__ import annotations

from typing import Any

from econsec.exercises.engine import Entry, State
from econsec.exercises.schema import DecisionPoint, Inject
from econsec.i18n.terms import N_
from econsec.policy.catalogue import Catalogue

KIND_LABELS = {
    "created": N_("exercise opened"),
    "started": N_("exercise started"),
    "advanced": N_("clock advanced"),
    "inject_released": N_("inject released"),
    "decision_opened": N_("decision point opened"),
    "move": N_("team move"),
    "decision": N_("team decision"),
    "note": N_("facilitator note"),
    "paused": N_("exercise paused"),
    "resumed": N_("exercise resumed"),
    "ended": N_("exercise ended"),
}
STATUS_LABELS = {"setup": N_("not started yet"), "running": N_("in progress"),
                 "paused": N_("on pause"), "ended": N_("over")}
REFERENCE_LABELS = {
    "baseline": N_("no action (baseline)"),
    "exercise": N_("the exercise's moves"),
    "best": N_("reference set: every measure the teams could take, from the start"),
    "recommended": N_("reference set: the recommended measures, combined, from the start"),
}


def measure_names(catalogue: Catalogue, measure_id: str) -> dict[str, str]:
    try:
        return dict(catalogue.get(measure_id).names)
    except Exception:  # a measure the catalogue no longer has: its id
        return {"en": measure_id, "ja": measure_id}


def parameter_names(catalogue: Catalogue, measure_id: str) -> dict[str, dict[str, str]]:
    """``{parameter: {en, ja}}`` of a measure (empty when the catalogue lacks it)."""
    try:
        return {p.name: dict(p.names) for p in catalogue.get(measure_id).parameters}
    except Exception:  # a measure the catalogue no longer has
        return {}


def describe(entry: Entry, state: State, catalogue: Catalogue) -> dict[str, Any]:
    """One timeline row: what happened, in both languages where the file gives texts."""
    ex = state.exercise
    row: dict[str, Any] = {"seq": entry.seq, "at": entry.at, "clock": entry.clock,
                           "kind": entry.kind, "label": KIND_LABELS.get(entry.kind, entry.kind),
                           "team": entry.team, "actor": entry.actor,
                           "team_names": ex.team(entry.team).names if entry.team else None,
                           "day": entry.payload.get("day"), "texts": None, "measures": [],
                           "result": entry.result, "job_id": entry.job_id}
    item_id = entry.payload.get("item") or entry.payload.get("decision")
    if item_id:
        item = ex.item(item_id)
        if isinstance(item, Inject):
            row["texts"] = {"title": item.title, "text": item.text}
        elif isinstance(item, DecisionPoint):
            row["texts"] = {"title": item.question, "text": None}
            option = next((o for o in item.options if o.id == entry.payload.get("option")),
                          None)
            if option is not None:
                row["option"] = option.text
    if entry.kind == "advanced":
        row["minutes"] = entry.payload.get("minutes")
    for m in entry.payload.get("measures") or ():
        row["measures"].append({"id": m["measure"], "names": measure_names(catalogue,
                                                                           m["measure"]),
                                "parameters": m["parameters"],
                                "parameter_names": parameter_names(catalogue, m["measure"])})
    if entry.payload.get("note"):
        row["note"] = entry.payload["note"]
    return row


def report_data(state: State, info: dict[str, Any], refs: dict[str, Any],
                catalogue: Catalogue) -> dict[str, Any]:
    """Everything the after-action report shows (JSON-ready)."""
    ex = state.exercise
    timeline = [describe(e, state, catalogue) for e in state.log]
    moves = [row for row in timeline if row["kind"] in ("move", "decision")]
    decisions = [row for row in timeline if row["kind"] == "decision"]
    final = refs.get("final")
    if final is None:
        computed = [e.result for e in state.moves() if e.result and "measures" in e.result]
        final = computed[-1] if computed else None
    best = refs.get("best")
    comparison = []
    if final is not None:
        comparison.append({"key": "baseline", "label": REFERENCE_LABELS["baseline"],
                           **final["baseline"]})
        comparison.append({"key": "exercise", "label": REFERENCE_LABELS["exercise"],
                           **final["measures"], "avoided": final["avoided"]})
    if best is not None:
        if not comparison:
            comparison.append({"key": "baseline", "label": REFERENCE_LABELS["baseline"],
                               **best["baseline"]})
        label = REFERENCE_LABELS["recommended" if best.get("basis") == "recommended"
                                 else "best"]
        comparison.append({"key": "best", "label": label, "basis": best.get("basis"),
                           **best["measures"], "avoided": best["avoided"],
                           "choices": [{**c, "names": measure_names(catalogue, c["measure"])}
                                       for c in best.get("choices", [])]})
    any_result = final or best or next((m["result"] for m in moves if m["result"]), None)
    return {
        "id": info["id"], "names": ex.name, "description": ex.description,
        "file": info.get("definition_name"), "sha256": info.get("definition_sha256"),
        "status": state.status, "status_label": STATUS_LABELS[state.status],
        "clock": state.clock, "duration": ex.duration_minutes, "day": state.day(),
        "started_at": info.get("started_at"), "ended_at": info.get("ended_at"),
        "scenario": ex.scenario,
        "teams": [{"id": t.id, "names": t.names, "role": t.role,
                   "measures": [{"id": m.measure, "names": measure_names(catalogue, m.measure)}
                                for m in t.measures]} for t in ex.teams],
        "timeline": timeline, "moves": moves, "decisions": decisions,
        "final": final, "best": best, "comparison": comparison,
        "unit": (any_result or {}).get("unit", ""),
        "mrio": (any_result or {}).get("mrio", ""),
        "sources": (any_result or {}).get("sources", []),
        "region": ((any_result or {}).get("measures") or {}).get("region"),
        "notes": list(ex.notes),
    }
