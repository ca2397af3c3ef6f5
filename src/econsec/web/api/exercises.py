"""``/api/v1/exercises``: tabletop exercises (:mod:`econsec.exercises`).

Open an exercise from a worked exercise (``{"worked": name}``) or an exercise file sent as
YAML (its scenario must be a worked one); the facilitator starts it, advances the clock,
releases due injects and decision points and ends it; teams enter moves (measures of the
3P catalogue with parameters in their allowed ranges) and answer decision points. Each move
is recomputed by the scenario engine as a background job (``job`` on the timeline entry,
``result`` when done). ``GET /exercises/{id}/status?since=<revision>`` is the cheap poll.
``GET /exercises/{id}/report`` gives the after-action report (``format=json|html|pdf``,
``lang=en|ja``). Who may do what: :mod:`econsec.web.exercise_service`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from econsec.access.actions import Action
from econsec.access.actor import Actor
from econsec.errors import Location, ValidationError
from econsec.exercises import engine
from econsec.exercises.schema import worked_exercises
from econsec.web import exercise_service as svc
from econsec.web.api.common import (
    JSON,
    State,
    json_response,
    problem_responses,
    read_body,
)
from econsec.web.auth import current_actor, require

router = APIRouter(prefix="/exercises", tags=["exercises"])

Reader = Annotated[Actor, Depends(current_actor)]
Facilitator = Annotated[Actor, require(Action.EXERCISE_RUN)]
Player = Annotated[Actor, require(Action.EXERCISE_PLAY)]
YAML_TYPES = {"application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"}


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AdvanceIn(_In):
    minutes: Annotated[int, Field(ge=1, le=24 * 60)]


class ReleaseIn(_In):
    item: Annotated[str, Field(max_length=60)]


class MemberIn(_In):
    user: Annotated[str, Field(min_length=1, max_length=200)]
    team: Annotated[str, Field(max_length=60)]


class ChoiceIn(_In):
    measure: Annotated[str, Field(max_length=80)]
    parameters: Annotated[dict[Annotated[str, Field(max_length=60)], float],
                          Field(max_length=20)] = Field(default_factory=dict)


class MoveIn(_In):
    team: Annotated[str, Field(max_length=60)]
    measures: Annotated[list[ChoiceIn], Field(min_length=1, max_length=6)]
    note: Annotated[str, Field(max_length=2000)] = ""


class DecisionIn(_In):
    team: Annotated[str, Field(max_length=60)]
    decision: Annotated[str, Field(max_length=60)]
    option: Annotated[str, Field(max_length=60)]


def _entry(entry: engine.Entry) -> dict[str, Any]:
    return {"seq": entry.seq, "at": entry.at, "clock": entry.clock, "kind": entry.kind,
            "team": entry.team, "actor": entry.actor, "payload": entry.payload}


def _doc(state: Any, actor: Actor, raw_id: str | int) -> dict[str, Any]:
    store, _, exercise_state, info = svc.open_visible(state, actor, raw_id)
    return svc.document(state, actor, store, exercise_state, info)


@router.get("", summary="Exercises")
def list_exercises(state: State, actor: Reader) -> Response:
    """The exercises the reader facilitates or plays in, newest first."""
    return json_response({"exercises": svc.listed(state, actor),
                          "worked": [f"worked:{n}" for n in worked_exercises()]})


@router.post("", status_code=201, summary="Open an exercise",
             responses=problem_responses(404, 413, 415, 422))
async def create_exercise(request: Request, state: State, actor: Facilitator) -> Response:
    """``{"worked": "<name>"}`` (JSON) or an exercise file (YAML): validated against its
    scenario and the catalogue, then opened (status ``setup``)."""
    kind = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    body = await read_body(request, state.max_upload_bytes)
    if kind in YAML_TYPES:
        text = body.decode("utf-8", errors="replace")
        exercise_id = await run_in_threadpool(svc.create, state, actor, "request body", text)
    elif kind == JSON:
        import json

        try:
            data = json.loads(body or b"{}")
        except ValueError:
            raise ValidationError("the body is not JSON: send {\"worked\": \"<name>\"}",
                                  location=Location(file="request body")) from None
        ref = data.get("worked") if isinstance(data, dict) else None
        if not isinstance(ref, str) or set(data) != {"worked"}:
            raise ValidationError("send {\"worked\": \"<name>\"} (GET /exercises lists the "
                                  "worked exercises) or an exercise file as application/yaml",
                                  location=Location(file="request body", column="worked"))
        name = ref if ref.startswith("worked:") else f"worked:{ref}"
        exercise_id = await run_in_threadpool(svc.create, state, actor, name[:120])
    else:
        raise ValidationError("send {\"worked\": \"<name>\"} as application/json or an "
                              "exercise file as application/yaml")
    doc = await run_in_threadpool(_doc, state, actor, exercise_id)
    return json_response(doc, status_code=201,
                         headers={"Location": f"/api/v1/exercises/{exercise_id}"})


@router.get("/{exercise_id}", summary="An exercise", responses=problem_responses(404))
def get_exercise(exercise_id: str, state: State, actor: Reader) -> Response:
    """Status, clock, teams, members, due injects and the timeline with results."""
    return json_response(_doc(state, actor, exercise_id))


@router.get("/{exercise_id}/status", summary="Poll an exercise",
            responses=problem_responses(404))
def status(exercise_id: str, state: State, actor: Reader,
           since: Annotated[int | None, Query(ge=0)] = None) -> Response:
    """``{revision, status, clock, day, pending, changed}``: cheap enough to poll every
    few seconds; ``changed`` is false when the revision equals ``since``."""
    _, exercise_id_int, exercise_state, info = svc.open_visible(state, actor, exercise_id)
    pending = [e.seq for e in exercise_state.moves() if e.result is None]
    return json_response({"id": exercise_id_int, "revision": info["revision"],
                          "status": info["status"], "clock": info["clock"],
                          "day": exercise_state.day(), "pending": pending,
                          "changed": since is None or since != info["revision"]})


def _step(state: Any, actor: Actor, exercise_id: str, step: Any) -> dict[str, Any]:
    entry = svc.facilitate(state, actor, exercise_id, step)
    return {"entry": _entry(entry), "exercise": _doc(state, actor, exercise_id)}


@router.post("/{exercise_id}/start", summary="Start an exercise",
             responses=problem_responses(403, 404, 422))
def start(exercise_id: str, state: State, actor: Facilitator) -> Response:
    return json_response(_step(state, actor, exercise_id,
                               lambda s: engine.start(s, actor.name)))


@router.post("/{exercise_id}/advance", summary="Advance the clock",
             responses=problem_responses(403, 404, 422))
def advance(exercise_id: str, body: AdvanceIn, state: State, actor: Facilitator) -> Response:
    return json_response(_step(state, actor, exercise_id,
                               lambda s: engine.advance(s, body.minutes, actor.name)))


@router.post("/{exercise_id}/release", summary="Release a due inject or decision point",
             responses=problem_responses(403, 404, 422))
def release(exercise_id: str, body: ReleaseIn, state: State, actor: Facilitator) -> Response:
    return json_response(_step(state, actor, exercise_id,
                               lambda s: engine.release(s, body.item, actor.name)))


@router.post("/{exercise_id}/pause", summary="Pause an exercise",
             responses=problem_responses(403, 404, 422))
def pause(exercise_id: str, state: State, actor: Facilitator) -> Response:
    return json_response(_step(state, actor, exercise_id,
                               lambda s: engine.pause(s, actor.name)))


@router.post("/{exercise_id}/resume", summary="Resume an exercise",
             responses=problem_responses(403, 404, 422))
def resume(exercise_id: str, state: State, actor: Facilitator) -> Response:
    return json_response(_step(state, actor, exercise_id,
                               lambda s: engine.resume(s, actor.name)))


@router.post("/{exercise_id}/end", summary="End an exercise",
             responses=problem_responses(403, 404, 422))
def end(exercise_id: str, state: State, actor: Facilitator) -> Response:
    """End the exercise (no move is accepted after it) and start the after-action report's
    reference runs."""
    return json_response(_step(state, actor, exercise_id,
                               lambda s: engine.end(s, actor.name)))


@router.post("/{exercise_id}/recompute", summary="Recompute runs without a result",
             responses=problem_responses(403, 404))
def recompute(exercise_id: str, state: State, actor: Facilitator) -> Response:
    return json_response({"jobs": svc.recompute(state, actor, exercise_id)})


@router.post("/{exercise_id}/members", summary="Assign a user to a team",
             responses=problem_responses(403, 404, 422))
def assign(exercise_id: str, body: MemberIn, state: State, actor: Facilitator) -> Response:
    svc.assign(state, actor, exercise_id, body.user, body.team)
    return json_response(_doc(state, actor, exercise_id))


@router.post("/{exercise_id}/moves", status_code=202, summary="A team's move",
             responses=problem_responses(403, 404, 422))
def make_move(exercise_id: str, body: MoveIn, state: State, actor: Player) -> Response:
    """Measures with parameters; 202: the move is logged and its recomputation queued
    (``job_id`` on the entry; poll the exercise)."""
    choices = engine.parse_choices([c.model_dump() for c in body.measures])
    entry = svc.move(state, actor, exercise_id, body.team, choices, body.note)
    return json_response({"entry": _entry(entry)}, status_code=202)


@router.post("/{exercise_id}/decisions", status_code=202, summary="A team's decision",
             responses=problem_responses(403, 404, 422))
def make_decision(exercise_id: str, body: DecisionIn, state: State, actor: Player
                  ) -> Response:
    entry = svc.decide(state, actor, exercise_id, body.team, body.decision, body.option)
    return json_response({"entry": _entry(entry)}, status_code=202)


@router.get("/{exercise_id}/report", summary="After-action report",
            responses=problem_responses(404))
def report(exercise_id: str, state: State, actor: Reader,
           format: Literal["json", "html", "pdf"] = "json",
           lang: Literal["en", "ja"] = "en") -> Response:
    """The timeline, decisions and the loss against the no-action baseline and the
    reference set, as JSON, HTML or PDF."""
    from econsec.exercises.session import report as report_data
    from econsec.reports.exercise import render_report, report_pdf

    store, exercise_id_int, _, _ = svc.open_visible(state, actor, exercise_id)
    data = report_data(store, exercise_id_int)
    if format == "json":
        return json_response(data)
    html = render_report(data, lang)
    if format == "html":
        return Response(html, media_type="text/html; charset=utf-8")
    name = f"exercise-{exercise_id_int}-{lang}.pdf"
    return Response(report_pdf(html), media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
