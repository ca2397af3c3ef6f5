"""Tabletop exercises in the web app, shared by ``/api/v1/exercises`` and the ``/exercises``
pages: who may see, run and play an exercise, the steps, and the recomputation of moves as
background jobs (:mod:`econsec.web.jobs`, the same runner as scenario runs).

Who may do what:

- single-user local mode (no users): the local operator does everything, any team;
- with users, an exercise is seen by its facilitators (the user who opened it, and users
  with :attr:`Action.EXERCISE_RUN` of the same organisation) and by the users assigned to
  its teams; anybody else gets the 404 of an unknown exercise;
- steps (start, advance, release, end, team assignment) need ``EXERCISE_RUN`` and being a
  facilitator of that exercise;
- a move or a decision needs ``EXERCISE_PLAY`` and is accepted only for the team the
  facilitator assigned the user to: the team named in the request is checked against the
  membership, never trusted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from econsec.access.actions import Action
from econsec.access.actor import Actor
from econsec.errors import ForbiddenError, NotFoundError
from econsec.exercises import engine, session
from econsec.exercises.engine import Entry, State
from econsec.exercises.schema import Inject
from econsec.exercises.store import ExerciseStore, parse_id
from econsec.i18n.terms import N_
from econsec.policy.catalogue import load_catalogue
from econsec.scenarios.texts import Text
from econsec.web.jobs import JobControl, QuotaExceeded
from econsec.web.state import WebState

NOT_FACILITATOR = N_("only a facilitator of this exercise may do this")
NOT_IN_TEAM = N_("you are not a member of team '%(team)s' in this exercise")
NO_EXERCISE = N_("no exercise %(id)s")
RECOMPUTING = N_("recomputing the move with the scenario engine")
COMPUTING_REPORT = N_("computing the after-action report's reference runs")


def exercises(state: WebState) -> ExerciseStore:
    return ExerciseStore(state.store.engine)


def is_facilitator(actor: Actor, info: dict[str, Any]) -> bool:
    if actor.local:
        return True
    if not actor.may(Action.EXERCISE_RUN):
        return False
    return info.get("created_by") == actor.name or (
        info.get("org_id") is not None and info.get("org_id") == actor.org_id)


def team_of(store: ExerciseStore, actor: Actor, exercise_id: int) -> str | None:
    if actor.local or actor.user_id is None:
        return None
    return store.team_of(exercise_id, actor.user_id)


def visible(store: ExerciseStore, actor: Actor, info: dict[str, Any]) -> bool:
    return is_facilitator(actor, info) or team_of(store, actor, int(info["id"])) is not None


def open_visible(state: WebState, actor: Actor, raw_id: str | int
                 ) -> tuple[ExerciseStore, int, State, dict[str, Any]]:
    """The exercise ``raw_id`` if ``actor`` may see it; the 404 of an unknown one otherwise."""
    store = exercises(state)
    exercise_id = parse_id(raw_id)
    try:
        exercise_state, info = store.load(exercise_id)
    except NotFoundError:
        raise NotFoundError(NO_EXERCISE, params={"id": exercise_id}) from None
    if not visible(store, actor, info):
        raise NotFoundError(NO_EXERCISE, params={"id": exercise_id})
    return store, exercise_id, exercise_state, info


def listed(state: WebState, actor: Actor) -> list[dict[str, Any]]:
    store = exercises(state)
    return [info for info in store.sessions() if visible(store, actor, info)]


def create(state: WebState, actor: Actor, ref: str, text: str | None = None) -> int:
    return session.open_session(exercises(state), ref, actor=actor.name,
                                org_id=None if actor.local else actor.org_id, text=text)


def facilitate(state: WebState, actor: Actor, raw_id: str | int,
               step: Callable[[State], tuple[State, Entry]]) -> Entry:
    """A facilitator's step (start, advance, release, pause, resume, end); the end also
    starts the report's reference runs."""
    store, exercise_id, _, info = open_visible(state, actor, raw_id)
    if not is_facilitator(actor, info):
        raise ForbiddenError(NOT_FACILITATOR)
    entry = store.step(exercise_id, step)
    if entry.kind == "ended":
        submit_references(state, actor, exercise_id)
    return entry


def assign(state: WebState, actor: Actor, raw_id: str | int, user: str, team: str) -> None:
    store, exercise_id, _, info = open_visible(state, actor, raw_id)
    if not is_facilitator(actor, info):
        raise ForbiddenError(NOT_FACILITATOR)
    store.assign(exercise_id, user.strip(), team, by=actor.name)


def check_team(store: ExerciseStore, actor: Actor, exercise_id: int, team: str) -> None:
    """Refuse a move for a team the actor is not assigned to (local mode: any team)."""
    if actor.local:
        return
    if team_of(store, actor, exercise_id) != team:
        raise ForbiddenError(NOT_IN_TEAM, params={"team": team[:60]})


def play(state: WebState, actor: Actor, raw_id: str | int, team: str,
         step: Callable[[State], tuple[State, Entry]]) -> Entry:
    """A team's move or decision, recomputed in the background when it takes measures."""
    store, exercise_id, exercise_state, _ = open_visible(state, actor, raw_id)
    exercise_state.exercise.team(team)
    check_team(store, actor, exercise_id, team)
    entry = store.step(exercise_id, step)
    if entry.payload.get("measures"):
        submit_move(state, actor, exercise_id, entry.seq)
    return entry


def move(state: WebState, actor: Actor, raw_id: str | int, team: str,
         choices: list[engine.MeasureChoice], note: str = "") -> Entry:
    catalogue = load_catalogue()
    return play(state, actor, raw_id, team,
                lambda s: engine.move(s, team, choices, catalogue, actor.name, note))


def decide(state: WebState, actor: Actor, raw_id: str | int, team: str, decision: str,
           option: str) -> Entry:
    catalogue = load_catalogue()
    return play(state, actor, raw_id, team,
                lambda s: engine.decide(s, team, decision, option, catalogue, actor.name))


# ------------------------------------------------------------------ jobs


def _runner(state: WebState) -> Any:
    from econsec.web.api.scenarios import job_runner

    return job_runner(state)


def _progress(control: JobControl, message: str) -> Callable[[str, int, int], None]:
    def report(_step: str, done: int, total: int) -> None:
        control(min(done / total if total else 0.0, 0.999), Text(message))

    return report


def _mrio(state: WebState, exercise_state: State) -> Any:
    from econsec.web.common import loaded_mrio

    return loaded_mrio(state, session.stored_scenario(exercise_state).mrio)


def submit_move(state: WebState, actor: Actor, exercise_id: int, seq: int) -> str | None:
    """Recompute the exercise after entry ``seq`` as a job (its id is kept on the entry);
    None when the server is at its job limit (the facilitator can recompute later)."""
    store = exercises(state)

    def work(control: JobControl) -> dict[str, Any]:
        control(0.0, Text(RECOMPUTING))
        exercise_state, _ = store.load(exercise_id)
        return session.compute_entry(store, exercise_id, seq, mrio=_mrio(state, exercise_state),
                                     kb=state.store, check=control.check,
                                     progress=_progress(control, RECOMPUTING))

    try:
        job = _runner(state).submit("exercise", work, meta={"exercise": exercise_id,
                                                              "seq": seq},
                                    client=f"exercise:{exercise_id}:{seq}",
                                    owner=actor.name, owner_org_id=actor.org_id)
    except QuotaExceeded:
        return None
    store.set_job(exercise_id, seq, job.id)
    return str(job.id)


def submit_references(state: WebState, actor: Actor, exercise_id: int) -> str | None:
    """The after-action report's reference runs (final and best set) as a job."""
    store = exercises(state)

    def work(control: JobControl) -> dict[str, Any]:
        control(0.0, Text(COMPUTING_REPORT))
        exercise_state, _ = store.load(exercise_id)
        session.compute_references(store, exercise_id, mrio=_mrio(state, exercise_state),
                                   kb=state.store, check=control.check,
                                   progress=_progress(control, COMPUTING_REPORT))
        return {"exercise": exercise_id}

    try:
        job = _runner(state).submit("exercise", work, meta={"exercise": exercise_id,
                                                              "report": True},
                                    client=f"exercise:{exercise_id}:report",
                                    owner=actor.name, owner_org_id=actor.org_id)
    except QuotaExceeded:
        return None
    store.save_reference(exercise_id, "report_job", job.id)
    return str(job.id)


def recompute(state: WebState, actor: Actor, raw_id: str | int) -> list[str]:
    """Start again the runs that have no result (their job failed, was refused or its
    worker stopped); after the end, the report's reference runs too."""
    store, exercise_id, exercise_state, info = open_visible(state, actor, raw_id)
    if not is_facilitator(actor, info):
        raise ForbiddenError(NOT_FACILITATOR)
    started = []
    for entry in exercise_state.moves():
        if entry.result is None and job_status(state, entry.job_id) not in ("queued",
                                                                             "running"):
            job = submit_move(state, actor, exercise_id, entry.seq)
            if job:
                started.append(job)
    if exercise_state.status == engine.ENDED:
        refs = store.references(exercise_id)
        if ("final" not in refs or "best" not in refs) and job_status(
                state, refs.get("report_job")) not in ("queued", "running"):
            job = submit_references(state, actor, exercise_id)
            if job:
                started.append(job)
    return started


def job_status(state: WebState, job_id: str | None) -> str | None:
    job = job_info(state, job_id)
    return None if job is None else str(job["status"])


def job_info(state: WebState, job_id: str | None) -> dict[str, Any] | None:
    """``{status, progress, error}`` of a job (None when unknown or forgotten)."""
    if not job_id:
        return None
    from econsec.web.jobs import JobNotFound

    try:
        job = _runner(state).get(job_id)
    except JobNotFound:
        return None
    return {"status": job.status, "progress": job.progress, "error": job.error}


# ------------------------------------------------------------------ documents


def document(state: WebState, actor: Actor, store: ExerciseStore, exercise_state: State,
             info: dict[str, Any]) -> dict[str, Any]:
    """The exercise as every page and the API show it: status, clock, simulated day, teams
    and members, what is due and released, the timeline with each move's recomputed result
    (or its job's progress), the latest standing against the baseline."""
    from econsec.exercises.report import describe

    catalogue = load_catalogue()
    ex = exercise_state.exercise
    exercise_id = int(info["id"])
    rows = [describe(e, exercise_state, catalogue) for e in exercise_state.log]
    for row in rows:
        if row["kind"] in ("move", "decision") and row["measures"] and row["result"] is None:
            row["job"] = job_info(state, row["job_id"])
    computed = [r for r in rows if r["result"]]
    released = exercise_state.released()
    refs = store.references(exercise_id)
    report_job = job_info(state, refs.get("report_job"))
    return {
        **info, "names": ex.name, "description": ex.description, "scenario": ex.scenario,
        "duration": ex.duration_minutes, "day": exercise_state.day(),
        "teams": [{"id": t.id, "names": t.names, "role": t.role,
                   "measures": [m.measure for m in t.measures]} for t in ex.teams],
        "members": store.members(exercise_id),
        "my_team": team_of(store, actor, exercise_id),
        "facilitator": is_facilitator(actor, info),
        "due": [{"id": i.id, "at_minute": i.at_minute, "day": i.day,
                 "kind": "inject" if isinstance(i, Inject) else "decision"}
                for i in exercise_state.due()],
        "upcoming": [{"id": i.id, "at_minute": i.at_minute} for i in ex.timeline()
                     if i.id not in released and i.at_minute > exercise_state.clock],
        "released": sorted(released),
        "timeline": rows,
        "latest": computed[-1]["result"] if computed else None,
        "pending": sum(1 for r in rows if r.get("job") and r["job"]
                       and r["job"]["status"] in ("queued", "running")),
        "report_ready": "final" in refs and "best" in refs,
        "report_job": report_job,
    }
