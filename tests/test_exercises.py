"""Tabletop exercises (econsec.exercises): the exercise file format with located errors, the
session state machine, sessions in a real SQLite knowledge base (concurrent steps), and
moves recomputed by the scenario engine, checked against a direct run of the engine on the
same measures (pymrio's test system: fast)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import run_cli
from econsec.errors import EconsecError, NotFoundError, UnknownNameError, ValidationError
from econsec.exercises import engine
from econsec.exercises.schema import MeasureChoice, load_exercise, resolve_exercise
from econsec.exercises.session import validate
from econsec.policy.catalogue import load_catalogue

SMALL = "worked:pymrio-test-mining-outage"
ICIO = "worked:icio-china-critical-minerals-japan"


@pytest.fixture(scope="module")
def catalogue() -> Any:
    return load_catalogue()


def _doc() -> dict[str, Any]:
    return yaml.safe_load(resolve_exercise(SMALL).read_text(encoding="utf-8"))


def _write(tmp_path: Path, doc: dict[str, Any] | str, name: str = "ex.yaml") -> Path:
    path = tmp_path / name
    path.write_text(doc if isinstance(doc, str) else yaml.safe_dump(doc, allow_unicode=True,
                                                                   sort_keys=False),
                    encoding="utf-8")
    return path


# ------------------------------------------------------------------ files


def test_worked_exercises_are_valid() -> None:
    ex, sha, scenario = validate(ICIO)
    assert len(ex.teams) == 3 and len(ex.injects) == 6 and len(ex.decision_points) >= 2
    assert scenario.mrio == "bundled:icio-2022" and len(sha) == 64
    labels = {e.label for e in scenario.events}
    assert {i.event_change.event for i in ex.injects if i.event_change} <= labels
    small, _, _ = validate(SMALL)
    assert small.scenario == SMALL.replace("pymrio-test-mining-outage",
                                           "pymrio-test-mining-outage")


def test_unknown_key_is_refused_at_its_line(tmp_path: Path) -> None:
    text = resolve_exercise(SMALL).read_text(encoding="utf-8").replace(
        "duration_minutes: 30", "duration_minutes: 30\ndurations: 5")
    with pytest.raises(EconsecError) as info:
        load_exercise(_write(tmp_path, text))
    assert "durations" in str(info.value)
    line = text.splitlines().index("durations: 5") + 1
    assert info.value.location.line == line


@pytest.mark.parametrize(("change", "words"), [
    (lambda d: d["injects"][1].update(teams=["industri"]), ("industri", "industry")),
    (lambda d: d["injects"][1].update(id="outage"), ("outage", "twice")),
    (lambda d: d["injects"][1].update(at_minute=31), ("at_minute 31", "duration")),
    (lambda d: d["teams"][1].update(id="government"), ("government", "twice")),
    (lambda d: d["decision_points"][0]["options"][0]["measures"][0].update(
        measure="recycling"), ("recycling", "government")),
    (lambda d: d["decision_points"][0]["options"].pop(), ("options",)),
    (lambda d: d["teams"][0]["names"].pop("ja"), ("Japanese",)),
])
def test_bad_files_are_refused_with_what_and_where(tmp_path: Path, change: Any,
                                                   words: tuple[str, ...]) -> None:
    doc = _doc()
    change(doc)
    path = _write(tmp_path, doc)
    with pytest.raises(EconsecError) as info:
        validate(path)
    text = str(info.value)
    assert str(path) in text and info.value.location.line is not None, text
    for word in words:
        assert word in text, text


@pytest.mark.parametrize(("change", "words"), [
    (lambda d: d["teams"][1]["measures"][0].update(measure="rd-platfrom"),
     ("rd-platfrom", "rd-platform")),
    (lambda d: d["teams"][0]["measures"][0]["parameters"].update(days={"min": 0, "max": 9}),
     ("days", "not inside")),
    (lambda d: d["teams"][0]["measures"][0]["parameters"].update(dayz={"min": 1, "max": 9}),
     ("dayz",)),
    (lambda d: d["injects"][0].update(event_change={"event": "no such event", "share": 0.5}),
     ("no such event",)),
    (lambda d: d.update(scenario="worked:no-such-scenario"), ("no-such-scenario",)),
])
def test_files_are_checked_against_catalogue_and_scenario(tmp_path: Path, change: Any,
                                                           words: tuple[str, ...]) -> None:
    doc = _doc()
    change(doc)
    with pytest.raises(EconsecError) as info:
        validate(_write(tmp_path, doc))
    for word in words:
        assert word in str(info.value), str(info.value)
    assert info.value.location.line is not None


def test_unknown_worked_exercise_names_the_known_ones() -> None:
    with pytest.raises(NotFoundError) as info:
        resolve_exercise("worked:pymrio-test-mining")
    assert "pymrio-test-mining-outage" in str(info.value)


# ------------------------------------------------------------------ state machine


def _state() -> engine.State:
    ex, _, _ = validate(SMALL)
    return engine.State(ex)


def _apply(state: engine.State, result: tuple[engine.State, engine.Entry], seq: int
           ) -> engine.State:
    new, entry = result
    return engine.State(new.exercise, new.status, new.clock,
                        (*new.log, engine.Entry(entry.kind, entry.clock, entry.actor,
                                                entry.team, entry.payload, seq=seq)))


def test_state_machine(catalogue: Any) -> None:
    s = _state()
    with pytest.raises(ValidationError, match="running"):
        engine.advance(s, 5, "f")
    choice = [MeasureChoice(measure="stockpile-release", parameters={"days": 30})]
    with pytest.raises(ValidationError):
        engine.move(s, "government", choice, catalogue, "p")
    s = _apply(s, engine.start(s, "f"), 1)
    assert [i.id for i in s.due()] == ["outage"]
    with pytest.raises(ValidationError, match="due at minute 5"):
        engine.release(s, "stockpile", "f")
    s = _apply(s, engine.release(s, "outage", "f"), 2)
    with pytest.raises(ValidationError, match="released already"):
        engine.release(s, "outage", "f")
    assert s.day() == 5 and s.due() == []
    for bad in (0, 31, -1):
        with pytest.raises(ValidationError, match="minutes"):
            engine.advance(s, bad, "f")
    s = _apply(s, engine.advance(s, 10, "f"), 3)
    assert s.clock == 10 and [i.id for i in s.due()] == ["stockpile", "restriction"]
    # moves: only the team's measures, only inside its ranges, defaults filled in
    _, entry = engine.move(s, "government", choice, catalogue, "p")
    assert entry.payload["measures"][0]["parameters"] == {"days": 30.0, "delay": 0.0}
    assert entry.payload["day"] == 5
    with pytest.raises(ValidationError, match="may not take"):
        engine.move(s, "government", [MeasureChoice(measure="recycling")], catalogue, "p")
    with pytest.raises(ValidationError, match=r"outside the range \[10, 90\]"):
        engine.move(s, "government", [MeasureChoice(measure="stockpile-release",
                                                    parameters={"days": 91})], catalogue, "p")
    with pytest.raises(ValidationError, match=r"outside the range \[0.01, 0.3\]"):
        engine.move(s, "industry", [MeasureChoice(measure="recycling",
                                                  parameters={"share": 0.31})], catalogue, "p")
    with pytest.raises(UnknownNameError):
        engine.move(s, "government", [MeasureChoice(measure="stockpile-release",
                                                    parameters={"dayz": 20})], catalogue, "p")
    with pytest.raises(UnknownNameError):
        engine.move(s, "nobody", choice, catalogue, "p")
    # decisions: opened first, addressed to the team, once
    with pytest.raises(ValidationError, match="not been opened"):
        engine.decide(s, "government", "stockpile", "release", catalogue, "p")
    s = _apply(s, engine.release(s, "stockpile", "f"), 4)
    assert [p.id for p in s.open_decisions("government")] == ["stockpile"]
    with pytest.raises(ValidationError, match="not addressed"):
        engine.decide(s, "industry", "stockpile", "release", catalogue, "p")
    with pytest.raises(ValidationError, match="no option"):
        engine.decide(s, "government", "stockpile", "maybe", catalogue, "p")
    s = _apply(s, engine.decide(s, "government", "stockpile", "release", catalogue, "p"), 5)
    assert s.open_decisions("government") == [] and len(s.moves()) == 1
    with pytest.raises(ValidationError, match="already"):
        engine.decide(s, "government", "stockpile", "wait", catalogue, "p")
    # after the end nothing is accepted
    s = _apply(s, engine.end(s, "f"), 6)
    for attempt in (lambda: engine.move(s, "government", choice, catalogue, "p"),
                    lambda: engine.advance(s, 1, "f"),
                    lambda: engine.release(s, "restriction", "f"),
                    lambda: engine.end(s, "f")):
        with pytest.raises(ValidationError, match="ended"):
            attempt()


# ------------------------------------------------------------------ store and engine


@pytest.fixture
def store(tmp_path: Path) -> Any:
    from econsec.exercises.store import ExerciseStore
    from econsec.kb.store import open_store

    kb = open_store(f"sqlite:///{tmp_path / 'kb.db'}")
    yield ExerciseStore(kb.engine)
    kb.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    """The exercise store on SQLite and, when the test server is set, on PostgreSQL."""
    from econsec.exercises.store import ExerciseStore
    from econsec.kb.store import open_store

    if request.param == "sqlite":
        kb = open_store(f"sqlite:///{tmp_path / 'kb.db'}")
    else:
        from access_world import PG_URL, own_postgres_url
        from conftest import reset_postgres

        if not PG_URL:
            pytest.skip("ECONSEC_TEST_POSTGRES_URL not set")
        url = own_postgres_url("econsec_exercises")
        reset_postgres(url)
        kb = open_store(url)
    yield ExerciseStore(kb.engine)
    kb.close()


def test_concurrent_steps_get_distinct_sequence_numbers(any_store: Any, catalogue: Any
                                                        ) -> None:
    from econsec.exercises.session import open_session

    store = any_store

    exercise_id = open_session(store, SMALL, actor="f")
    store.step(exercise_id, lambda s: engine.start(s, "f"))
    choice = [MeasureChoice(measure="rd-platform")]
    errors: list[BaseException] = []

    def play() -> None:
        try:
            for _ in range(3):
                store.step(exercise_id, lambda s: engine.move(s, "industry", choice,
                                                             catalogue, "p"))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=play) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    state, info = store.load(exercise_id)
    seqs = [e.seq for e in state.log]
    assert seqs == list(range(1, 12)) and len(state.moves()) == 9
    assert info["revision"] == 11


def test_moves_are_recomputed_as_the_engine_computes_them(store: Any, catalogue: Any) -> None:
    """The cumulative result of two moves equals a direct run of the scenario engine on the
    same measures (started no earlier than the moves' day); the baseline equals the
    scenario run without measures."""
    from econsec.exercises.compute import totals
    from econsec.exercises.session import compute_entry, open_session, stored_scenario
    from econsec.policy.apply import MeasureChoice as Choice
    from econsec.policy.apply import scenario_with_measures
    from econsec.scenarios.runner import prepare, run_scenario

    exercise_id = open_session(store, SMALL, actor="f")
    store.step(exercise_id, lambda s: engine.start(s, "f"))
    store.step(exercise_id, lambda s: engine.release(s, "outage", "f"))
    first = store.step(exercise_id, lambda s: engine.move(
        s, "government", [MeasureChoice(measure="stockpile-release", parameters={"days": 40})],
        catalogue, "p1"))
    second = store.step(exercise_id, lambda s: engine.move(
        s, "industry", [MeasureChoice(measure="rd-platform", parameters={"share": 0.5})],
        catalogue, "p2"))
    state, _ = store.load(exercise_id)
    base = stored_scenario(state)
    mrio = prepare(base)
    one = compute_entry(store, exercise_id, first.seq, mrio=mrio)
    two = compute_entry(store, exercise_id, second.seq, mrio=mrio)

    plain = base.model_copy(update={"mitigations": [], "variants": [],
                                    "compare_mitigations": False})
    expected_base = totals(run_scenario(plain, mrio=mrio))
    direct = scenario_with_measures(plain, [Choice("stockpile-release", {"days": 40}),
                                            Choice("rd-platform", {"share": 0.5})], mrio=mrio)
    mitigations = [m.model_copy(update={"start_day": max(m.start_day, 5)})
                   for m in direct.mitigations]
    expected = totals(run_scenario(direct.model_copy(update={"mitigations": mitigations}),
                                   mrio=mrio))
    assert two["baseline"]["final_demand_unmet"] == pytest.approx(
        expected_base["final_demand_unmet"], rel=1e-9)
    assert two["measures"]["final_demand_unmet"] == pytest.approx(
        expected["final_demand_unmet"], rel=1e-9)
    assert two["avoided"]["final_demand_unmet"] == pytest.approx(
        expected_base["final_demand_unmet"] - expected["final_demand_unmet"], rel=1e-9)
    assert one["measures"] != two["measures"]  # the second move changed the outcome
    assert len(two["mitigations"]) > len(one["mitigations"])
    assert two["sources"] and two["unit"]
    # the results are on the timeline, and the baseline is cached with the exercise
    state, _ = store.load(exercise_id)
    assert [e.result["seq"] for e in state.moves()] == [first.seq, second.seq]
    assert two["baseline_key"] in store.references(exercise_id)["baselines"]


# ------------------------------------------------------------------ command line


def test_cli_validate_play_and_report(tmp_path: Path) -> None:
    bad = _doc()
    bad["teams"][1]["measures"][0]["measure"] = "rd-platfrom"
    path = _write(tmp_path, bad)
    refused = run_cli("exercise", "validate", str(path), check=False)
    assert refused.returncode == 2
    assert "rd-platform" in refused.stderr and "Traceback" not in refused.stderr
    script = _write(tmp_path, [
        {"release_due": True},
        {"move": {"team": "government",
                  "measures": [{"measure": "stockpile-release", "parameters": {"days": 50}}]}},
        {"advance": 5}, {"release_due": True},
        {"decide": {"team": "government", "decision": "stockpile", "option": "wait"}},
        {"move": {"team": "industry", "measures": [{"measure": "recycling",
                                                    "parameters": {"share": 0.9}}]}},
    ], "script.yaml")
    db = tmp_path / "kb.db"
    out_of_range = run_cli("exercise", "play", SMALL, "--script", str(script), db=db,
                           check=False)
    assert out_of_range.returncode == 2
    assert "script.yaml" in out_of_range.stderr and "[5]" in out_of_range.stderr
    assert "0.9" in out_of_range.stderr
    text = script.read_text(encoding="utf-8").replace("share: 0.9", "share: 0.2")
    script.write_text(text, encoding="utf-8")
    played = run_cli("exercise", "play", SMALL, "--script", str(script), "--format", "json",
                     db=db)
    import json

    doc = json.loads(played.stdout)
    assert doc["moves_computed"] == 2
    keys = [row["key"] for row in doc["comparison"]]
    assert keys == ["baseline", "exercise", "best"]
    out = tmp_path / "report"
    run_cli("exercise", "report", str(doc["id"]), "--out", str(out), "--pdf", db=db)
    for lang, heading, inject in (("en", "After-action report", "Mines stop"),
                                  ("ja", "事後検証報告", "鉱山の停止")):
        pdf = (out / f"exercise-{doc['id']}-{lang}.pdf").read_bytes()
        assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
        html = (out / f"exercise-{doc['id']}-{lang}.html").read_text(encoding="utf-8")
        assert heading in html and inject in html
        from weasyprint import HTML

        assert len(HTML(string=html).render().pages) >= 2  # what the PDF was written from
    missing = run_cli("exercise", "show", "999", db=db, check=False)
    assert missing.returncode == 2 and "999" in missing.stderr
