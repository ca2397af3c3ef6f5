"""Exercises end to end, for the command line and the web app: validate a file against its
scenario and the catalogue, open a session in the knowledge base, recompute a move, the
reference runs and the after-action report's data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from econsec.errors import Location, ValidationError
from econsec.exercises import compute
from econsec.exercises.engine import State
from econsec.exercises.schema import (
    Exercise,
    check_against,
    load_exercise,
    parse_text,
    scenario_ref,
)
from econsec.exercises.store import ExerciseStore
from econsec.policy.catalogue import Catalogue, load_catalogue
from econsec.scenarios.catalogue import resolve_scenario
from econsec.scenarios.runner import prepare
from econsec.scenarios.schema import Scenario, load_scenario

#: What the after-action report compares against, as it says: the recommender's set (the
#: measures the teams may take that the recommender finds to avoid loss on the exercise's
#: scenario, each run alone), or every measure the teams may take when the recommender
#: cannot rank them.
RECOMMENDED_BASIS = "recommended"
ALL_MEASURES_BASIS = "all_measures"


def load_base_scenario(ex: Exercise) -> Scenario:
    """The exercise's scenario (a file or ``worked:<name>``), errors located at the line of
    ``scenario`` in the exercise file."""
    ref = scenario_ref(ex)
    try:
        path = resolve_scenario(ref)
        scenario = load_scenario(path)
    except ValidationError:
        raise
    except Exception as exc:
        from econsec.errors import EconsecError

        if isinstance(exc, EconsecError):
            exc.location = ex.location(("scenario",))
        raise
    if ref.startswith("worked:"):
        scenario._file = ref
    return scenario


def validate(ref: str | Path, catalogue: Catalogue | None = None
             ) -> tuple[Exercise, str, Scenario]:
    """Read an exercise file and check it against its scenario and the catalogue."""
    ex, sha = load_exercise(ref)
    return _checked(ex, sha, catalogue)


def validate_text(text: str, file: str, catalogue: Catalogue | None = None
                  ) -> tuple[Exercise, str, Scenario]:
    """An uploaded exercise: the scenario must be a worked one (no server path)."""
    ex, sha = parse_text(text, file=file)
    if not ex.scenario.startswith("worked:"):
        raise ValidationError("an exercise sent to the web app names a worked scenario "
                              "(worked:<name>); run exercises on your own scenario files "
                              "with the econsec command line",
                              location=ex.location(("scenario",)))
    return _checked(ex, sha, catalogue)


def _checked(ex: Exercise, sha: str, catalogue: Catalogue | None
             ) -> tuple[Exercise, str, Scenario]:
    scenario = load_base_scenario(ex)
    check_against(ex, scenario, catalogue or load_catalogue())
    return ex, sha, scenario


def open_session(store: ExerciseStore, ref: str | Path, *, actor: str,
                 org_id: int | None = None, text: str | None = None) -> int:
    """Validate an exercise (a file, ``worked:<name>``, or uploaded ``text``) and open a
    session for it; returns its id."""
    if text is not None:
        ex, sha, _ = validate_text(text, str(ref))
        name = str(ref)
    else:
        ex, sha, _ = validate(ref)
        name = str(ref) if str(ref).startswith("worked:") else Path(str(ref)).name
        resolved = scenario_ref(ex)
        if not resolved.startswith("worked:"):
            resolved = str(Path(resolved).resolve())
        ex = ex.model_copy(update={"scenario": resolved})
    return store.create(ex, name=name, sha256=sha, actor=actor, org_id=org_id)


def stored_scenario(state: State) -> Scenario:
    return load_base_scenario(state.exercise)


def compute_entry(store: ExerciseStore, exercise_id: int, seq: int, *, mrio: Any = None,
                  kb: Any = None, progress: Any = None, check: Any = None) -> dict[str, Any]:
    """Recompute the exercise as it stands after log entry ``seq`` (all moves up to it)
    and record the result on that entry."""
    state, _ = store.load(exercise_id)
    entry = next((e for e in state.log if e.seq == seq), None)
    if entry is None:
        raise ValidationError(f"exercise {exercise_id} has no log entry {seq}",
                              location=Location(column="seq"))
    base = stored_scenario(state)
    mrio = mrio if mrio is not None else prepare(base)
    scenario = compute.scenario_after(state, base, load_catalogue(), upto=seq, kb=kb,
                                      mrio=mrio)
    refs = store.references(exercise_id)
    result = compute.run_with_baseline(scenario, compute.events_only(state, base, seq),
                                       baselines=refs.get("baselines", {}), mrio=mrio, kb=kb,
                                       progress=progress, check=check)
    result["seq"] = seq
    store.set_result(exercise_id, seq, result)
    return result


def compute_best(store: ExerciseStore, exercise_id: int, *, mrio: Any = None, kb: Any = None,
                 progress: Any = None, check: Any = None) -> dict[str, Any]:
    """The reference run of the after-action report: the reference set (:func:`recommended_set`)
    on the events as they ended, and the no-action baseline; recorded as ``best``."""
    from econsec.policy.apply import MeasureChoice, scenario_with_measures

    state, _ = store.load(exercise_id)
    catalogue = load_catalogue()
    base = compute.events_only(state, stored_scenario(state))
    mrio = mrio if mrio is not None else prepare(base)
    chosen, basis, ranking = recommended_set(state, catalogue, kb=kb, mrio=mrio, check=check)
    choices = [MeasureChoice(measure_id=c["measure"], parameters=c["parameters"],
                             label=f"best set: {c['measure']}") for c in chosen]
    scenario = scenario_with_measures(base, choices, kb, mrio=mrio, catalogue=catalogue)
    refs = store.references(exercise_id)
    result = compute.run_with_baseline(scenario, base, baselines=refs.get("baselines", {}),
                                       mrio=mrio, kb=kb, progress=progress, check=check)
    result["choices"] = chosen
    result["basis"] = basis
    result["ranking"] = ranking
    store.save_reference(exercise_id, "best", result)
    return result


def recommended_set(state: State, catalogue: Catalogue, *, kb: Any = None, mrio: Any = None,
                    check: Any = None) -> tuple[list[dict[str, Any]], str, list[dict[str, Any]]]:
    """The reference set of measures: among the measures the teams may take (at their
    default values, clamped to the teams' ranges), those the recommender
    (:func:`econsec.policy.recommend.recommend`, each measure alone on the exercise's
    scenario) finds to avoid loss; every measure the teams may take when it ranks none or
    cannot run. Returns the choices, the basis and the recommender's rows shown."""
    from econsec.errors import EconsecError
    from econsec.policy.findings import parse_finding
    from econsec.policy.recommend import RecommendOptions, recommend

    every = compute.best_set_choices(state, catalogue)
    try:
        finding = parse_finding(f"scenario:{state.exercise.scenario}", kb)
        options = RecommendOptions(measures=tuple(c["measure"] for c in every),
                                   parameters={c["measure"]: c["parameters"] for c in every})
        doc = recommend(finding, kb, catalogue=catalogue, options=options, mrio=mrio,
                        check=check)
    except EconsecError:
        return every, ALL_MEASURES_BASIS, []
    rows = [{"measure": r["id"], "loss_avoided": r["loss_avoided"], "rank": r.get("rank")}
            for r in doc.get("rows", [])]
    helpful = {r["measure"] for r in rows if (r["loss_avoided"] or 0) > 0}
    chosen = [c for c in every if c["measure"] in helpful]
    if not chosen:
        return every, ALL_MEASURES_BASIS, rows
    return chosen, RECOMMENDED_BASIS, rows


def compute_final(store: ExerciseStore, exercise_id: int, *, mrio: Any = None, kb: Any = None,
                  progress: Any = None, check: Any = None) -> dict[str, Any]:
    """The exercise as it ended (every inject released and every move), against the
    no-action baseline of the same events; recorded as ``final``."""
    state, _ = store.load(exercise_id)
    base = stored_scenario(state)
    mrio = mrio if mrio is not None else prepare(base)
    scenario = compute.scenario_after(state, base, load_catalogue(), kb=kb, mrio=mrio)
    refs = store.references(exercise_id)
    result = compute.run_with_baseline(scenario, compute.events_only(state, base),
                                       baselines=refs.get("baselines", {}), mrio=mrio, kb=kb,
                                       progress=progress, check=check)
    store.save_reference(exercise_id, "final", result)
    store.save_reference(exercise_id, "baselines", result["baseline"],
                         key=result["baseline_key"])
    return result


def compute_references(store: ExerciseStore, exercise_id: int, *, mrio: Any = None,
                       kb: Any = None, progress: Any = None, check: Any = None
                       ) -> dict[str, Any]:
    """The after-action report's runs: :func:`compute_final` and :func:`compute_best`."""
    final = compute_final(store, exercise_id, mrio=mrio, kb=kb, progress=progress,
                          check=check)
    best = compute_best(store, exercise_id, mrio=mrio, kb=kb, progress=progress, check=check)
    return {"final": final, "best": best}


def report(store: ExerciseStore, exercise_id: int) -> dict[str, Any]:
    """The after-action report's data (:func:`econsec.exercises.report.report_data`)."""
    from econsec.exercises.report import report_data

    state, info = store.load(exercise_id)
    return report_data(state, info, store.references(exercise_id), load_catalogue())
