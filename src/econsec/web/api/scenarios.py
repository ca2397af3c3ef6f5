"""``/api/v1/scenarios``: worked scenarios and scenario runs as background jobs.

``POST /scenarios/runs`` takes a scenario as a JSON body (``application/json``), as YAML
text (``application/yaml``) or ``{"worked": "<name>"}``; any other content type is 415
(``text/plain`` and form posts included: those are what other web sites can send). The
scenario is validated at once, names checked against its MRIO (a bad scenario is a 422
problem with its line and path; ``mrio`` may only name a bundled table, never a server
path), its cost estimated (industries² × days × variants; above the cap: 422) and the
client's quota checked (429 with ``Retry-After``); then it runs on the app's
:class:`~econsec.web.jobs.JobRunner`: 202 with the job and a ``Location``.
Runs are kept in the knowledge base, so any worker process answers for any run
(:mod:`econsec.web.jobs`). ``GET /scenarios/runs/{id}`` reports status and progress; when
done, ``result`` is the JSON of ``econsec simulate --single --format json`` and ``series``
holds daily series per variant for charts. ``DELETE /scenarios/runs/{id}`` (or ``POST
…/{id}/cancel``) cancels a run: it stops within about a second. Ensemble blocks are not run
here (one run; ``econsec simulate`` runs ensembles); one that varies nothing is refused as
on the command line.

A run belongs to whoever started it: once user accounts exist, only its owner reads or
cancels it (another user gets the 404 of an unknown run) and ``GET /scenarios/runs`` lists
the owner's runs; the quota counts per user. In local mode (no users) every run is the
single user's.

Texts from econsec's own code are English here (the API does not negotiate a language) and
each comes with its ``(message id, parameters)`` pair so a page can show it in its own
language (:mod:`econsec.scenarios.texts`): ``message_text`` beside a job's ``message``,
``note_texts`` beside ``notes``, ``result_note_texts`` beside ``result_notes`` and
``detail_text`` beside the ``detail`` of the refusals made here (415, 422 cost cap, 429
quota, 404 unknown run).
"""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from econsec.access.actions import Action
from econsec.access.actor import Actor
from econsec.errors import DataFormatError, Location, ValidationError
from econsec.io_models.loaders import READING_BUNDLED
from econsec.io_models.mrio_cache import READING_CACHE, READING_SOURCE, SAVING_CACHE
from econsec.scenarios.catalogue import resolve_scenario, worked_scenarios
from econsec.scenarios.runner import (
    daily_final_demand_unmet,
    daily_production_change,
    relative_production,
    run_scenario,
    variant_name_texts,
)
from econsec.scenarios.schema import (
    Scenario,
    check_named_table,
    check_varies,
    load_scenario,
    parse_scenario,
    read_document,
)
from econsec.scenarios.texts import N_, Text, render
from econsec.web.api.common import (
    JSON,
    State,
    json_response,
    problem_responses,
    read_body,
    service,
)
from econsec.web.api.models import Job, WorkedScenarios
from econsec.web.auth import current_actor, require
from econsec.web.common import loaded_mrio
from econsec.web.jobs import (
    DONE,
    JobControl,
    JobLimits,
    JobNotFound,
    JobRunner,
    QuotaExceeded,
)
from econsec.web.problems import problem, redact
from econsec.web.state import WebState

router = APIRouter(prefix="/scenarios", tags=["scenarios"])

Reader = Annotated[Actor, Depends(current_actor)]
Analyst = Annotated[Actor, require(Action.ANALYSE)]

#: Content types of a YAML scenario. ``text/plain`` is not one: a page on another site can
#: send it without asking the browser first.
YAML_TYPES = {"application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"}
#: Worker threads of the job runner (each run is CPU-bound numpy work) and jobs kept.
JOB_WORKERS = 2
MAX_JOBS = 100
#: Scenario-run cost units one worker computes per second (industries² × days × variants;
#: measured on the BEA table), used to say how long the cap is.
COST_PER_SECOND = 7.0e6

LOADING_MRIO = N_("loading the MRIO")
#: The loading steps of :func:`econsec.io_models.loaders.load_mrio`, as the job shows them.
LOADING_STEPS = {
    READING_CACHE: N_("loading the MRIO: reading its saved copy"),
    READING_SOURCE: N_("loading the MRIO: reading it with pymrio (slower the first time)"),
    SAVING_CACHE: N_("loading the MRIO: saving a copy for the next runs"),
    READING_BUNDLED: N_("loading the MRIO: reading the bundled table"),
}
DAY_PROGRESS = N_("%(variant)s: day %(day)s of %(days)s")
ENSEMBLE_NOT_RUN = N_(
    "the ensemble block is not run by the API: one run (use econsec simulate for ensembles)")
TOO_LARGE = N_(
    "this run is too large for the web app: %(industries)s industries² × %(days)s days × "
    "%(variants)s variant(s) = %(cost)s, above the cap of %(cap)s (about %(minutes)s min of "
    "one worker); shorten horizon_days, compare fewer variants, or run it with 'econsec "
    "simulate'")
UNSUPPORTED_TYPE = N_(
    "unsupported content type '%(type)s': send the scenario as application/json or "
    "application/yaml")


class Refused(Exception):
    """A refusal made by this router, answered as a problem document whose ``detail`` is
    English and ``detail_text`` the same text as a pair."""

    def __init__(self, status: int, title: str, text: Text, *,
                 headers: dict[str, str] | None = None, **extra: Any) -> None:
        self.status, self.title, self.text = status, title, text
        self.headers, self.extra = headers, extra
        super().__init__(render(text))


class CostCapExceeded(ValidationError):
    """A run above the cost cap (a :class:`ValidationError` located at ``horizon_days``)."""

    def __init__(self, text: Text, location: Location) -> None:
        self.text = text
        super().__init__(render(text), location=location)


def refusal_response(request: Request, exc: Refused | CostCapExceeded | JobNotFound
                     ) -> Response:
    """The problem document of a refusal made here (``detail_text`` beside ``detail``)."""
    path = str(request.url.path)
    if isinstance(exc, Refused):
        return problem(exc.status, exc.title, str(exc), headers=exc.headers,
                       instance=path, detail_text=exc.text.to_json(), **exc.extra)
    data = exc.to_dict()
    extra: dict[str, Any] = {k: data[k] for k in ("file", "line", "column")
                             if data.get(k) is not None}
    file = extra.get("file")
    if isinstance(file, str):
        extra["file"] = redact(file)
    status = 404 if isinstance(exc, JobNotFound) else 422
    return problem(status, exc.title, exc.message, error=type(exc).__mro__[1].__name__,
                   instance=path, detail_text=exc.text.to_json(), **extra)


def job_runner(state: WebState) -> JobRunner:
    """The app's job runner (created on first use; tests may install their own under
    ``state.services["jobs"]`` with other :class:`~econsec.web.jobs.JobLimits`), keeping
    its jobs in the app's knowledge base."""
    runner: JobRunner = service(state, "jobs", lambda: JobRunner(
        workers=JOB_WORKERS, max_jobs=MAX_JOBS,
        limits=JobLimits(max_seconds=state.settings.job_seconds)))
    engine = getattr(state.store, "engine", None)
    if runner.engine is None and engine is not None:
        runner.bind(engine)
    return runner


def owner_filter(actor: Actor) -> str | None:
    """Whose runs ``actor`` may read and cancel: its own once users exist; every run in
    local mode (None)."""
    return actor.name if actor.user_id is not None else None


def run_cost(scenario: Scenario, industries: int) -> float:
    """Estimated cost of running ``scenario`` once per variant: industries² × days ×
    variants (the simulator's daily work grows with the square of the industries)."""
    return float(industries) ** 2 * scenario.horizon_days * len(scenario.variant_plan())


def check_cost(scenario: Scenario, industries: int, limit: float) -> float:
    """The cost of ``scenario`` (:func:`run_cost`); a 422 :class:`ValidationError` located
    at ``horizon_days`` above ``limit``."""
    cost = run_cost(scenario, industries)
    if cost > limit:
        variants = len(scenario.variant_plan())
        text = Text(TOO_LARGE, {
            "industries": int(industries), "days": int(scenario.horizon_days),
            "variants": variants, "cost": f"{cost:.3g}", "cap": f"{limit:.3g}",
            "minutes": f"{limit / COST_PER_SECOND / 60:.0f}"})
        raise CostCapExceeded(text, scenario.location(("horizon_days",)))
    return cost


@router.get("/worked", response_model=WorkedScenarios, summary="Worked scenarios")
def worked() -> Response:
    """The worked scenarios shipped with econsec (``econsec scenarios --format json``)."""
    rows = [{k: v for k, v in item.items() if k != "path"} for item in worked_scenarios()]
    return json_response({"scenarios": rows})


def scenario_from_request(body: bytes, kind: str) -> Scenario:
    """The scenario of a request body: JSON (a scenario or ``{"worked": name}``) or YAML."""
    file = "request body"
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataFormatError(f"not UTF-8 text (byte {exc.start})",
                              location=Location(file=file)) from None
    if kind in YAML_TYPES:
        data, lines = read_document(text, file=file)
    else:
        data, lines = read_document(text, file=file, json_format=True)
    if isinstance(data, dict) and set(data) == {"worked"}:
        if not isinstance(data["worked"], str):
            raise ValidationError("'worked' names a worked scenario (GET /scenarios/worked)",
                                  location=Location(file=file, column="worked"))
        name = data["worked"].removeprefix("worked:")
        known = [w["name"] for w in worked_scenarios()]
        if name not in known:
            from econsec.errors import UnknownNameError
            from econsec.suggest import close_matches

            shown = name if len(name) <= 60 and name.isprintable() else name[:60] + "…"
            raise UnknownNameError(shown, close_matches(shown, known), kind="worked scenario",
                                   location=Location(file=file, column="worked"))
        scenario = load_scenario(resolve_scenario(f"worked:{name}"))
        scenario._file = f"worked:{name}"  # errors name the scenario, not a server path
    else:
        scenario = parse_scenario(data, file=file, lines=lines)
    check_named_table(scenario)
    if scenario.ensemble is not None:
        check_varies(scenario)
    return scenario


def daily_series(result: Any, worst: int) -> dict[str, Any]:
    """Chart series: per variant the daily total production change and unmet final demand,
    and the relative production of the main run's ``worst`` worst-hit sectors."""
    main = result.main.result
    labels = [(w["region"], w["sector"]) for w in main.worst_hit(worst)]
    names = variant_name_texts(result.scenario)
    variants = []
    for run in result.variants:
        index = {label: i for i, label in enumerate(run.result.labels)}
        rel = relative_production(run.result)
        text = names.get(run.name)
        variants.append({
            "name": run.name,
            "name_text": text.to_json() if text else None,
            "mitigations": list(run.mitigations),
            "production_change": daily_production_change(run.result).tolist(),
            "final_demand_unmet": daily_final_demand_unmet(run.result).tolist(),
            "relative_production": [
                {"region": r, "sector": s, "values": rel[:, index[(r, s)]].tolist()}
                for r, s in labels if (r, s) in index
            ],
        })
    return {"days": np.asarray(main.days).astype(int).tolist(), "unit": result.unit,
            "variants": variants}


def _run(state: WebState, scenario: Scenario, worst: int, control: JobControl
         ) -> dict[str, Any]:
    plan = [name for name, _ in scenario.variant_plan()]
    names = variant_name_texts(scenario)
    control(0.0, Text(LOADING_MRIO))
    mrio = loaded_mrio(state, scenario.mrio,
                       step=lambda name: control(0.0, Text(LOADING_STEPS.get(name,
                                                                             LOADING_MRIO))))

    def on_day(step: str, done: int, total: int) -> None:
        position = plan.index(step) if step in plan else 0
        fraction = (position + (done / total if total else 1.0)) / max(len(plan), 1)
        name = names.get(step)
        control(min(fraction, 0.999),
                Text(DAY_PROGRESS, {"variant": step, "day": int(done), "days": int(total),
                                    "variant_text": name.to_json() if name else None}))

    # control.check raises JobStopped (cancelled, out of time) at the start of any day
    result = run_scenario(scenario, mrio=mrio, progress=on_day, check=control.check,
                          kb=state.store)
    return {"result": result.to_dict(worst=worst), "series": daily_series(result, worst)}


def job_document(job: Any) -> dict[str, Any]:
    """The job as the API shows it: result and series flattened when done."""
    doc = job.to_dict()
    doc.pop("traceback", None)
    payload = doc.pop("result")
    doc["result"] = payload["result"] if job.status == DONE and payload else None
    doc["series"] = payload["series"] if job.status == DONE and payload else None
    return doc


_RUN_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            JSON: {"schema": {"oneOf": [
                {"type": "object", "required": ["worked"], "additionalProperties": False,
                 "properties": {"worked": {"type": "string",
                                           "examples": ["pymrio-test-mining-outage"]}}},
                {"type": "object", "required": ["name", "mrio", "horizon_days", "events"],
                 "description": "A scenario (docs/scenarios.md)"},
            ]}},
            "application/yaml": {"schema": {"type": "string",
                                            "description": "A scenario file's text"}},
        },
    }
}


def content_kind(request: Request) -> str:
    """The media type of a scenario-run body: JSON or YAML, else 415 (``text/plain``,
    forms and a missing type included: other sites can send those without asking)."""
    header = request.headers.get("content-type")
    kind = (header or "").split(";")[0].strip().lower()
    if kind in YAML_TYPES or kind == JSON or (kind.startswith("application/")
                                               and kind.endswith("+json")):
        return kind
    shown = kind if kind and len(kind) <= 80 and kind.isprintable() else "none"
    raise Refused(415, "request failed", Text(UNSUPPORTED_TYPE, {"type": shown}))


def client_of(request: Request, actor: Actor) -> str:
    """Whom a quota is counted for: the signed-in user, or the client's address in local
    mode."""
    if actor.user_id is not None:
        return actor.name[:200]
    return request.client.host[:200] if request.client is not None else ""


def _industries(state: WebState, scenario: Scenario) -> int:
    """The number of industries of the scenario's table (loaded once, cached); its names
    are checked by the job, whose error names them."""
    mrio = loaded_mrio(state, scenario.mrio)
    return len(mrio.regions) * len(mrio.sectors)


@router.post("/runs", status_code=202, response_model=Job, summary="Start a scenario run",
             openapi_extra=_RUN_BODY, responses=problem_responses(404, 413, 415, 422, 429))
async def start_run(
    request: Request,
    state: State,
    actor: Analyst,
    worst: Annotated[int, Query(ge=1, le=100, description="Worst-hit sectors listed")] = 10,
) -> Response:
    """Validate the scenario, check its cost and the client's quota, and queue it: 202
    with the job and its ``Location``."""
    try:
        kind = content_kind(request)
        body = await read_body(request, state.max_upload_bytes)
        scenario = await run_in_threadpool(scenario_from_request, body, kind)
        runner = job_runner(state)
        industries = await run_in_threadpool(_industries, state, scenario)
        if (scenario.source_file or "").startswith("worked:"):
            # a worked scenario ships with econsec and its run time is measured (the ICIO
            # ones take seconds to minutes, far below the industries² estimate): no cap
            cost = run_cost(scenario, industries)
        else:
            cost = check_cost(scenario, industries, runner.limits.max_cost)
    except (Refused, CostCapExceeded) as exc:
        return refusal_response(request, exc)
    notes = [Text(ENSEMBLE_NOT_RUN)] if scenario.ensemble is not None else []
    try:
        job = runner.submit(
            "scenario", lambda control: _run(state, scenario, worst, control),
            meta={"scenario": scenario.name, "mrio": scenario.mrio,
                  "horizon_days": scenario.horizon_days, "cost": cost,
                  "notes": [render(n) for n in notes],
                  "note_texts": [n.to_json() for n in notes]},
            client=client_of(request, actor), owner=actor.name, owner_org_id=actor.org_id)
    except QuotaExceeded as exc:
        return refusal_response(request, Refused(
            429, "request failed", exc.text, headers={"Retry-After": str(exc.retry_after)}))
    location = f"{request.url.path.rstrip('/')}/{job.id}"
    return json_response(job_document(job), status_code=202, headers={"Location": location})


def _cancel(state: WebState, job_id: str, actor: Actor) -> Response | JobNotFound:
    try:
        job = job_runner(state).cancel(job_id, owner=owner_filter(actor))
    except JobNotFound as exc:
        return exc
    return json_response(job_document(job))


async def _cancel_response(request: Request, state: WebState, job_id: str, actor: Actor
                           ) -> Response:
    answer = await run_in_threadpool(_cancel, state, job_id, actor)
    return refusal_response(request, answer) if isinstance(answer, JobNotFound) else answer


@router.delete("/runs/{job_id}", response_model=Job, summary="Cancel a scenario run",
               responses=problem_responses(404))
async def cancel_run(job_id: str, request: Request, state: State, actor: Analyst
                     ) -> Response:
    """Cancel the run (through any worker process): a queued run never starts, a running
    one stops within about a second (``status: cancelled``); a finished run is returned as
    it is. Another user's run is unknown here (404)."""
    return await _cancel_response(request, state, job_id, actor)


@router.post("/runs/{job_id}/cancel", response_model=Job, summary="Cancel a scenario run",
             responses=problem_responses(404))
async def cancel_run_post(job_id: str, request: Request, state: State, actor: Analyst
                          ) -> Response:
    """The same as ``DELETE /scenarios/runs/{id}``."""
    return await _cancel_response(request, state, job_id, actor)


@router.get("/runs", summary="Scenario runs kept")
def list_runs(state: State, actor: Reader) -> Response:
    """The runs kept (the reader's own once users exist; oldest first) without results."""
    jobs = [{k: v for k, v in job_document(j).items() if k not in ("result", "series")}
            for j in job_runner(state).list_jobs(owner=owner_filter(actor))]
    return json_response({"items": jobs, "total": len(jobs)})


@router.get("/runs/{job_id}", response_model=Job, summary="Status and result of a run",
            responses=problem_responses(404))
def get_run(job_id: str, request: Request, state: State, actor: Reader) -> Response:
    """Status (queued, running, done, failed, cancelled) and progress 0-1; when done the
    result and the daily series, when failed the problem details in ``error`` (also when
    the server process running it stopped). Another user's run is unknown here (404)."""
    try:
        job = job_runner(state).get(job_id, owner=owner_filter(actor))
        return json_response(job_document(job))
    except JobNotFound as exc:
        return refusal_response(request, exc)


