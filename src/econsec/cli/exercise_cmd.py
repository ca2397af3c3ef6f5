"""``econsec exercise …``: tabletop exercises (:mod:`econsec.exercises`).

``validate FILE`` checks an exercise file (or ``worked:<name>``) against its scenario and the
3P catalogue; ``list`` shows the worked exercises and the sessions in the knowledge base;
``show ID`` prints a session's timeline; ``report ID --out DIR [--pdf]`` writes the
after-action report (HTML in English and Japanese, and PDF); ``play FILE --script STEPS``
plays an exercise headless from a script of steps (for rehearsals, tests and timing).
"""

from __future__ import annotations

import getpass
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from econsec.cli.console import out
from econsec.cli.options import DbOption, FormatOption
from econsec.cli.output import OutputFormat, Result, emit
from econsec.errors import DataFormatError, Location, ValidationError

exercise_app = typer.Typer(help="Tabletop exercises: validate, play headless, list, show and "
                           "write after-action reports.", no_args_is_help=True)

ExerciseRef = Annotated[str, typer.Argument(
    metavar="FILE", help="An exercise file (YAML) or worked:<name>.", show_default=False)]
IdArgument = Annotated[str, typer.Argument(metavar="ID", help="Exercise id (econsec "
                                           "exercise list).", show_default=False)]
STEP_KINDS = ("advance", "release", "release_due", "move", "decide", "end")


def _store(db: str | None) -> Any:
    from econsec.exercises.store import ExerciseStore
    from econsec.kb.store import open_store
    from econsec.settings import Settings

    kb = open_store(Settings().database_url(db))
    return ExerciseStore(kb.engine), kb


def _user() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


@exercise_app.command("validate")
def validate(ref: ExerciseRef, fmt: FormatOption = OutputFormat.TABLE) -> None:
    """Check an exercise file: schema, teams, injects, decision points, measures and their
    ranges against the catalogue, event labels against the scenario."""
    from econsec.exercises.schema import Inject
    from econsec.exercises.session import validate as check

    ex, sha, scenario = check(ref)
    rows = [{"kind": "team", "id": t.id, "name": t.names["en"],
             "detail": ", ".join(m.measure for m in t.measures)} for t in ex.teams]
    rows += [{"kind": "inject" if isinstance(i, Inject) else "decision point", "id": i.id,
              "name": (i.title if isinstance(i, Inject) else i.question)["en"],
              "detail": f"minute {i.at_minute}, day {i.day}"} for i in ex.timeline()]
    doc = {"file": ref, "sha256": sha, "name": ex.name, "scenario": ex.scenario,
           "scenario_name": scenario.name, "duration_minutes": ex.duration_minutes,
           "teams": len(ex.teams), "injects": len(ex.injects),
           "decision_points": len(ex.decision_points), "valid": True}
    emit(Result(doc, rows, ["kind", "id", "name", "detail"],
                title=f"{ref}: valid ({ex.name['en']}; scenario {ex.scenario})"), fmt, out)


@exercise_app.command("list")
def list_exercises(db: DbOption = None, fmt: FormatOption = OutputFormat.TABLE) -> None:
    """The worked exercises and the sessions in the knowledge base."""
    from econsec.exercises.schema import worked_exercises

    store, _ = _store(db)
    sessions = store.sessions()
    rows = [{"id": s["id"], "file": s["definition_name"], "status": s["status"],
             "clock": s["clock"], "created_by": s["created_by"],
             "created_at": s["created_at"]} for s in sessions]
    worked = [f"worked:{n}" for n in worked_exercises()]
    emit(Result({"worked": worked, "sessions": sessions}, rows,
                ["id", "file", "status", "clock", "created_by", "created_at"],
                title="Exercise sessions", notes=["Worked exercises: " + ", ".join(worked)]),
         fmt, out)


@exercise_app.command("show")
def show(exercise_id: IdArgument, db: DbOption = None,
         fmt: FormatOption = OutputFormat.TABLE) -> None:
    """A session's status and timeline (moves with what they avoid)."""
    from econsec.exercises.session import report
    from econsec.exercises.store import parse_id

    store, _ = _store(db)
    data = report(store, parse_id(exercise_id))
    rows = []
    for e in data["timeline"]:
        texts = e["texts"]["title"]["en"] if e["texts"] else ""
        measures = "; ".join(m["id"] for m in e["measures"])
        avoided = e["result"]["avoided"]["final_demand_unmet"] if e["result"] else None
        rows.append({"seq": e["seq"], "minute": e["clock"], "kind": e["kind"],
                     "team": e["team"] or "", "what": texts or measures,
                     "unmet_avoided": avoided})
    emit(Result(data, rows, ["seq", "minute", "kind", "team", "what", "unmet_avoided"],
                title=f"Exercise {data['id']}: {data['names']['en']} ({data['status']}, "
                f"minute {data['clock']} of {data['duration']})"), fmt, out)


@exercise_app.command("report")
def write_report(
    exercise_id: IdArgument,
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write the report into "
                                          "(created).")],
    pdf: Annotated[bool, typer.Option("--pdf", help="Also write PDF files.")] = False,
    db: DbOption = None,
) -> None:
    """The after-action report in English and Japanese (HTML, and PDF with --pdf); an ended
    exercise whose reference runs are missing gets them computed first."""
    from econsec.exercises import session
    from econsec.exercises.store import parse_id
    from econsec.reports.exercise import render_report, report_pdf

    store, kb = _store(db)
    exercise_id_int = parse_id(exercise_id)
    state, _ = store.load(exercise_id_int)
    refs = store.references(exercise_id_int)
    if state.status == "ended" and not ("final" in refs and "best" in refs):
        session.compute_references(store, exercise_id_int, kb=kb)
    data = session.report(store, exercise_id_int)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for lang in ("en", "ja"):
        html = render_report(data, lang)
        path = out_dir / f"exercise-{exercise_id_int}-{lang}.html"
        path.write_text(html, encoding="utf-8")
        written.append(str(path))
        if pdf:
            pdf_path = path.with_suffix(".pdf")
            pdf_path.write_bytes(report_pdf(html))
            written.append(str(pdf_path))
    out.print("\n".join(written), markup=False, highlight=False)


@exercise_app.command("play")
def play(
    ref: ExerciseRef,
    script: Annotated[Path, typer.Option("--script", help="Steps to play (YAML list: "
                                         "advance: N, release: ID, release_due: true, "
                                         "move: {team, measures: [{measure, parameters}]}, "
                                         "decide: {team, decision, option}, end: true).")],
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Play an exercise headless: open a session, run the script's steps (each move
    recomputed at once), end it and compute the report's reference runs."""
    from econsec.documents import read_yaml
    from econsec.exercises import engine, session
    from econsec.policy.catalogue import load_catalogue
    from econsec.scenarios.runner import prepare

    text = _read(script)
    steps, lines = read_yaml(text, file=str(script))
    if not isinstance(steps, list):
        raise DataFormatError("a script is a list of steps", location=Location(str(script), 1))
    store, kb = _store(db)
    actor = _user()
    started = time.perf_counter()
    exercise_id = session.open_session(store, ref, actor=actor)
    state, _ = store.load(exercise_id)
    mrio = prepare(session.stored_scenario(state))
    catalogue = load_catalogue()
    store.step(exercise_id, lambda s: engine.start(s, actor))
    computed = 0
    for i, step in enumerate(steps):
        where = Location(str(script), lines.get((i,)), f"[{i}]")
        if not isinstance(step, dict) or len(step) != 1 or next(iter(step)) not in STEP_KINDS:
            raise ValidationError(f"a step is one of {', '.join(STEP_KINDS)} (a mapping with "
                                  "one key)", location=where)
        kind, value = next(iter(step.items()))
        try:
            entries = _run_step(store, exercise_id, kind, value, catalogue, actor)
        except ValidationError as exc:
            exc.location = where
            raise
        for entry in entries:
            if entry.payload.get("measures"):
                session.compute_entry(store, exercise_id, entry.seq, mrio=mrio, kb=kb)
                computed += 1
    state, _ = store.load(exercise_id)
    if state.status != engine.ENDED:
        store.step(exercise_id, lambda s: engine.end(s, actor))
    session.compute_references(store, exercise_id, mrio=mrio, kb=kb)
    seconds = time.perf_counter() - started
    data = session.report(store, exercise_id)
    rows = [{"run": row["key"], "final_demand_unmet": row["final_demand_unmet"],
             "production_change": row["production_change"],
             "region_change": row["region_change"]} for row in data["comparison"]]
    doc = {"id": exercise_id, "seconds": round(seconds, 2), "moves_computed": computed,
           "comparison": data["comparison"]}
    emit(Result(doc, rows, ["run", "final_demand_unmet", "production_change",
                            "region_change"],
                title=f"Exercise {exercise_id} played: {computed} move(s) recomputed in "
                f"{seconds:.1f} s", notes=[f"econsec exercise report {exercise_id} --out DIR"]),
         fmt, out)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        from econsec.errors import NotFoundError

        raise NotFoundError(f"script '{path}' not found") from None
    except UnicodeDecodeError as exc:
        raise DataFormatError(f"not UTF-8 text: {exc.reason}",
                              location=Location(str(path))) from None


def _run_step(store: Any, exercise_id: int, kind: str, value: Any, catalogue: Any,
              actor: str) -> list[Any]:
    from econsec.exercises import engine

    if kind == "advance":
        return [store.step(exercise_id, lambda s: engine.advance(s, int(value), actor))]
    if kind == "release":
        return [store.step(exercise_id, lambda s: engine.release(s, str(value), actor))]
    if kind == "release_due":
        state, _ = store.load(exercise_id)
        return [store.step(exercise_id, lambda s, i=item.id: engine.release(s, i, actor))
                for item in state.due()]
    if kind == "end":
        return [store.step(exercise_id, lambda s: engine.end(s, actor))]
    if not isinstance(value, dict):
        raise ValidationError(f"{kind} takes a mapping")
    team = str(value.get("team", ""))
    if kind == "move":
        choices = engine.parse_choices(value.get("measures") or [])
        return [store.step(exercise_id, lambda s: engine.move(s, team, choices, catalogue,
                                                              actor))]
    decision, option = str(value.get("decision", "")), str(value.get("option", ""))
    return [store.step(exercise_id, lambda s: engine.decide(s, team, decision, option,
                                                            catalogue, actor))]
