"""``/exercises`` pages: the list (open a worked exercise), an exercise's board, the
facilitator's page (start, advance the clock, release injects, assign users to teams, end),
each team's page (moves and decisions) and the after-action report (HTML and PDF).

The board (:file:`_exercise_board.html.j2`) polls ``/exercises/{id}/board?rev=N`` with htmx
every two seconds: 204 (nothing to swap) while the exercise is unchanged and no run is in
progress, the new board otherwise. Forms post normally (CSRF token field) and come back to
the page (303). Who may do what: :mod:`econsec.web.exercise_service`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from econsec.access.actions import Action
from econsec.access.actor import Actor
from econsec.errors import EconsecError, NotFoundError, ValidationError
from econsec.exercises import engine
from econsec.exercises.report import STATUS_LABELS
from econsec.exercises.schema import MeasureChoice, parameter_ranges, worked_exercises
from econsec.i18n import translator
from econsec.policy.catalogue import load_catalogue
from econsec.web import exercise_service as svc
from econsec.web.auth import current_actor, require
from econsec.web.i18n import request_language
from econsec.web.pages.common import render
from econsec.web.state import WebState, get_state

router = APIRouter(include_in_schema=False)

State = Annotated[WebState, Depends(get_state)]
Reader = Annotated[Actor, Depends(current_actor)]
Facilitator = Annotated[Actor, require(Action.EXERCISE_RUN)]
Player = Annotated[Actor, require(Action.EXERCISE_PLAY)]
ExerciseId = Annotated[str, Path(max_length=12)]
TeamId = Annotated[str, Path(max_length=60)]
#: How often the board asks whether anything changed (htmx ``every``).
POLL = "2s"


def _t(request: Request) -> Any:
    return translator(request_language(request))


def _error(request: Request, exc: EconsecError) -> str:
    return exc.translate(request_language(request), located=False)


def _not_found(request: Request, exc: EconsecError) -> HTMLResponse:
    t = _t(request)
    return render(request, "not_found.html.j2", status_code=404, title=t.gettext("Not found"),
                  message=_error(request, exc), back=("/exercises", t.gettext("Exercises")),
                  charts=False)


@router.get("/exercises", response_class=HTMLResponse)
def exercises(request: Request, state: State, actor: Reader, error: str | None = None,
              status_code: int = 200) -> HTMLResponse:
    t = _t(request)
    return render(request, "exercises.html.j2", status_code=status_code,
                  title=t.gettext("Exercises"), sessions=svc.listed(state, actor),
                  worked=worked_exercises(), may_run=actor.may(Action.EXERCISE_RUN),
                  status_labels=STATUS_LABELS,
                  error=error, charts=False)


@router.post("/exercises", response_class=HTMLResponse)
def open_exercise(request: Request, state: State, actor: Facilitator,
                  worked: Annotated[str, Form(max_length=120)]) -> Response:
    try:
        exercise_id = svc.create(state, actor, f"worked:{worked.removeprefix('worked:')}")
    except EconsecError as exc:
        return exercises(request, state, actor, error=_error(request, exc), status_code=422)
    return RedirectResponse(f"/exercises/{exercise_id}/facilitate", status_code=303)


def _context(request: Request, state: WebState, actor: Actor, exercise_id: str, view: str
             ) -> dict[str, Any]:
    store, _, exercise_state, info = svc.open_visible(state, actor, exercise_id)
    doc = svc.document(state, actor, store, exercise_state, info)
    return {"x": doc, "view": view, "poll": POLL, "status_labels": STATUS_LABELS,
            "open_decisions": _open_decisions(exercise_state, view)}


def _open_decisions(exercise_state: engine.State, view: str) -> list[Any]:
    if not view.startswith("team:"):
        return []
    return exercise_state.open_decisions(view.removeprefix("team:"))


def _page(request: Request, state: WebState, actor: Actor, exercise_id: str, view: str, *,
          error: str | None = None, status_code: int = 200) -> HTMLResponse:
    t = _t(request)
    try:
        context = _context(request, state, actor, exercise_id, view)
    except NotFoundError as exc:
        return _not_found(request, exc)
    x = context["x"]
    lang = request_language(request)
    title = x["names"].get(lang) or x["names"]["en"]
    extra: dict[str, Any] = {}
    if view.startswith("team:"):
        team = view.removeprefix("team:")
        if team not in [tm["id"] for tm in x["teams"]]:
            return _not_found(request, NotFoundError(
                svc.NO_EXERCISE, params={"id": f"{exercise_id}/{team[:40]}"}))
        extra["team"] = next(tm for tm in x["teams"] if tm["id"] == team)
        extra["measures"] = _measure_forms(state, actor, exercise_id, team)
        extra["may_play"] = (actor.local or x["my_team"] == team) and actor.may(
            Action.EXERCISE_PLAY)
        title = f"{title} — {extra['team']['names'].get(lang) or extra['team']['names']['en']}"
    elif view == "facilitator":
        title = f"{title} — {t.gettext('Facilitator')}"
    return render(request, "exercise.html.j2", status_code=status_code, title=title,
                  error=error, **context, **extra, charts=False)


def _measure_forms(state: WebState, actor: Actor, exercise_id: str, team: str
                   ) -> list[dict[str, Any]]:
    _, _, exercise_state, _ = svc.open_visible(state, actor, exercise_id)
    catalogue = load_catalogue()
    out = []
    for allowed in exercise_state.exercise.team(team).measures:
        measure = catalogue.get(allowed.measure)
        ranges = parameter_ranges(exercise_state.exercise, team, measure.id, catalogue)
        out.append({"id": measure.id, "names": measure.names, "summary": measure.summary,
                    "pillar": measure.pillar,
                    "parameters": [{"name": p.name, "names": p.names, "unit": p.unit,
                                    "min": ranges[p.name][0], "max": ranges[p.name][1],
                                    "default": ranges[p.name][2],
                                    "step": 1 if p.unit in ("days", "regions") else 0.01}
                                   for p in measure.parameters]})
    return out


@router.get("/exercises/{exercise_id}", response_class=HTMLResponse)
def board_page(request: Request, state: State, actor: Reader, exercise_id: ExerciseId
               ) -> HTMLResponse:
    return _page(request, state, actor, exercise_id, "overview")


@router.get("/exercises/{exercise_id}/facilitate", response_class=HTMLResponse)
def facilitator_page(request: Request, state: State, actor: Reader, exercise_id: ExerciseId
                     ) -> HTMLResponse:
    return _page(request, state, actor, exercise_id, "facilitator")


@router.get("/exercises/{exercise_id}/teams/{team}", response_class=HTMLResponse)
def team_page(request: Request, state: State, actor: Reader, exercise_id: ExerciseId,
              team: TeamId) -> HTMLResponse:
    return _page(request, state, actor, exercise_id, f"team:{team}")


@router.get("/exercises/{exercise_id}/board", response_class=HTMLResponse)
def board(request: Request, state: State, actor: Reader, exercise_id: ExerciseId,
          view: Annotated[str, Query(max_length=80)] = "overview",
          rev: Annotated[int | None, Query(ge=0)] = None) -> Response:
    """The board fragment; 204 when nothing changed since revision ``rev``."""
    try:
        context = _context(request, state, actor, exercise_id, view)
    except NotFoundError:
        return Response(status_code=404)
    x = context["x"]
    busy = x["pending"] or (x["report_job"] and x["report_job"]["status"] in ("queued",
                                                                             "running"))
    if rev is not None and rev == x["revision"] and not busy:
        return Response(status_code=204)
    return render(request, "_exercise_board.html.j2", **context)


def _back(exercise_id: str, view: str) -> RedirectResponse:
    target = (f"/exercises/{exercise_id}/facilitate" if view == "facilitator"
              else f"/exercises/{exercise_id}/teams/{view.removeprefix('team:')}")
    return RedirectResponse(target, status_code=303)


@router.post("/exercises/{exercise_id}/facilitate", response_class=HTMLResponse)
def facilitate(request: Request, state: State, actor: Facilitator, exercise_id: ExerciseId,
               step: Annotated[str, Form(max_length=20)],
               minutes: Annotated[int | None, Form(ge=1, le=24 * 60)] = None,
               item: Annotated[str, Form(max_length=60)] = "",
               user: Annotated[str, Form(max_length=200)] = "",
               team: Annotated[str, Form(max_length=60)] = "") -> Response:
    name = actor.name
    steps: dict[str, Any] = {
        "start": lambda s: engine.start(s, name),
        "advance": lambda s: engine.advance(s, minutes or 0, name),
        "release": lambda s: engine.release(s, item, name),
        "pause": lambda s: engine.pause(s, name),
        "resume": lambda s: engine.resume(s, name),
        "end": lambda s: engine.end(s, name),
    }
    try:
        if step == "assign":
            svc.assign(state, actor, exercise_id, user, team)
        elif step == "recompute":
            svc.recompute(state, actor, exercise_id)
        elif step in steps:
            svc.facilitate(state, actor, exercise_id, steps[step])
        else:
            return _page(request, state, actor, exercise_id, "facilitator", status_code=422,
                         error=_t(request).gettext("unknown step"))
    except NotFoundError as exc:
        if exc.msgid == svc.NO_EXERCISE:
            return _not_found(request, exc)
        return _page(request, state, actor, exercise_id, "facilitator",
                     error=_error(request, exc), status_code=422)
    except EconsecError as exc:
        return _page(request, state, actor, exercise_id, "facilitator",
                     error=_error(request, exc), status_code=_status(exc))
    return _back(exercise_id, "facilitator")


def _status(exc: EconsecError) -> int:
    from econsec.web.problems import status_of

    return status_of(exc)


@router.post("/exercises/{exercise_id}/teams/{team}/moves", response_class=HTMLResponse)
async def team_move(request: Request, state: State, actor: Player, exercise_id: ExerciseId,
                    team: TeamId) -> Response:
    """One measure with its parameters (form fields ``measure`` and ``p:<name>``)."""
    form = await request.form()
    measure = str(form.get("measure", ""))[:80]
    note = str(form.get("note", ""))[:2000]
    view = f"team:{team}"
    from starlette.concurrency import run_in_threadpool

    try:
        params: dict[str, float] = {}
        for key, value in form.items():
            if key.startswith("p:") and len(params) < 20:
                params[key[2:][:60]] = _number(str(value), key[2:][:60])
        choice = MeasureChoice(measure=measure, parameters=params) if measure else None
        if choice is None:
            raise ValidationError("choose a measure")
        await run_in_threadpool(svc.move, state, actor, exercise_id, team, [choice], note)
    except EconsecError as exc:
        return await run_in_threadpool(_page, request, state, actor, exercise_id, view,
                                       error=_error(request, exc), status_code=_status(exc))
    except ValueError as exc:  # a measure id that is not a slug
        return await run_in_threadpool(_page, request, state, actor, exercise_id, view,
                                       error=str(exc).splitlines()[0], status_code=422)
    return _back(exercise_id, view)


def _number(value: str, name: str) -> float:
    import math

    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        raise ValidationError(f"{name}: '{value[:20]}' is not a number")
    return number


@router.post("/exercises/{exercise_id}/teams/{team}/decisions", response_class=HTMLResponse)
def team_decision(request: Request, state: State, actor: Player, exercise_id: ExerciseId,
                  team: TeamId, decision: Annotated[str, Form(max_length=60)],
                  option: Annotated[str, Form(max_length=60)]) -> Response:
    view = f"team:{team}"
    try:
        svc.decide(state, actor, exercise_id, team, decision, option)
    except EconsecError as exc:
        return _page(request, state, actor, exercise_id, view, error=_error(request, exc),
                     status_code=_status(exc))
    return _back(exercise_id, view)


@router.get("/exercises/{exercise_id}/report", response_class=HTMLResponse)
def report_page(request: Request, state: State, actor: Reader, exercise_id: ExerciseId
                ) -> Response:
    """The after-action report in the page's language (standalone, printable)."""
    from econsec.exercises.session import report as report_data
    from econsec.reports.exercise import render_report

    try:
        store, exercise_id_int, _, _ = svc.open_visible(state, actor, exercise_id)
    except NotFoundError as exc:
        return _not_found(request, exc)
    html = render_report(report_data(store, exercise_id_int), request_language(request))
    return HTMLResponse(html)


@router.get("/exercises/{exercise_id}/report.pdf")
def report_pdf_page(request: Request, state: State, actor: Reader, exercise_id: ExerciseId
                    ) -> Response:
    from econsec.exercises.session import report as report_data
    from econsec.reports.exercise import render_report, report_pdf

    try:
        store, exercise_id_int, _, _ = svc.open_visible(state, actor, exercise_id)
    except NotFoundError as exc:
        return _not_found(request, exc)
    lang = request_language(request)
    pdf = report_pdf(render_report(report_data(store, exercise_id_int), lang))
    name = f"exercise-{exercise_id_int}-{lang}.pdf"
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
