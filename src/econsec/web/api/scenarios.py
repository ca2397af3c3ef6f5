"""``/api/v1/scenarios``: worked scenarios and scenario runs as background jobs.

``POST /scenarios/runs`` takes a scenario as a JSON body, as YAML text
(``application/yaml``) or ``{"worked": "<name>"}``; it is validated at once (a bad scenario
is a 422 problem with its line and path) and then run on the app's
:class:`~econsec.web.jobs.JobRunner`: 202 with the job and a ``Location``.
``GET /scenarios/runs/{id}`` reports status and progress; when done, ``result`` is the JSON
of ``econsec simulate --single --format json`` and ``series`` holds daily series per variant
for charts. Ensemble blocks are ignored here (one run; ``econsec simulate`` runs ensembles).
"""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from econsec.errors import DataFormatError, Location, ValidationError
from econsec.scenarios.catalogue import resolve_scenario, worked_scenarios
from econsec.scenarios.runner import (
    daily_final_demand_unmet,
    daily_production_change,
    relative_production,
    run_scenario,
)
from econsec.scenarios.schema import Scenario, load_scenario, parse_scenario, read_document
from econsec.web.api.common import (
    JSON,
    State,
    check_mrio_ref,
    json_response,
    problem_responses,
    read_body,
    service,
)
from econsec.web.api.iomodels import loaded_mrio
from econsec.web.api.models import Job, WorkedScenarios
from econsec.web.jobs import DONE, JobProgress, JobRunner
from econsec.web.state import WebState

router = APIRouter(prefix="/scenarios", tags=["scenarios"])

YAML_TYPES = {"application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml",
              "text/plain"}
#: Worker threads of the job runner (each run is CPU-bound numpy work) and jobs kept.
JOB_WORKERS = 2
MAX_JOBS = 100


def job_runner(state: WebState) -> JobRunner:
    """The app's job runner (created on first use)."""
    return service(state, "jobs", lambda: JobRunner(workers=JOB_WORKERS, max_jobs=MAX_JOBS))


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
        if not name or "/" in name or name.startswith("."):
            raise ValidationError(f"no worked scenario '{name}'",
                                  location=Location(file=file, column="worked"))
        scenario = load_scenario(resolve_scenario(f"worked:{name}"))
    else:
        scenario = parse_scenario(data, file=file, lines=lines)
    check_mrio_ref(scenario.mrio)
    return scenario


def daily_series(result: Any, worst: int) -> dict[str, Any]:
    """Chart series: per variant the daily total production change and unmet final demand,
    and the relative production of the main run's ``worst`` worst-hit sectors."""
    main = result.main.result
    labels = [(w["region"], w["sector"]) for w in main.worst_hit(worst)]
    variants = []
    for run in result.variants:
        index = {label: i for i, label in enumerate(run.result.labels)}
        rel = relative_production(run.result)
        variants.append({
            "name": run.name,
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


def _run(state: WebState, scenario: Scenario, worst: int, progress: JobProgress
         ) -> dict[str, Any]:
    plan = [name for name, _ in scenario.variant_plan()]
    progress(0.0, "loading the MRIO")
    mrio = loaded_mrio(state, scenario.mrio)

    def on_day(step: str, done: int, total: int) -> None:
        position = plan.index(step) if step in plan else 0
        fraction = (position + (done / total if total else 1.0)) / max(len(plan), 1)
        progress(min(fraction, 0.999), f"{step}: day {done} of {total}")

    result = run_scenario(scenario, mrio=mrio, progress=on_day)
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


@router.post("/runs", status_code=202, response_model=Job, summary="Start a scenario run",
             openapi_extra=_RUN_BODY, responses=problem_responses(404, 413, 422))
async def start_run(
    request: Request,
    state: State,
    worst: Annotated[int, Query(ge=1, le=100, description="Worst-hit sectors listed")] = 10,
) -> Response:
    """Validate the scenario and queue it: 202 with the job and its ``Location``."""
    kind = request.headers.get("content-type", JSON).split(";")[0].strip().lower()
    if kind not in YAML_TYPES and kind != JSON and not kind.endswith("+json"):
        raise DataFormatError(f"unsupported content type '{kind}': send application/json or "
                              "application/yaml")
    body = await read_body(request, state.max_upload_bytes)
    scenario = await run_in_threadpool(scenario_from_request, body, kind)
    notes = (["the ensemble block is ignored by the API: one run (use econsec simulate "
              "for ensembles)"] if scenario.ensemble is not None else [])
    job = job_runner(state).submit(
        "scenario", lambda progress: _run(state, scenario, worst, progress),
        meta={"scenario": scenario.name, "mrio": scenario.mrio,
              "horizon_days": scenario.horizon_days, "notes": notes})
    location = f"{request.url.path.rstrip('/')}/{job.id}"
    return json_response(job_document(job), status_code=202, headers={"Location": location})


@router.get("/runs", summary="Scenario runs kept in memory")
def list_runs(state: State) -> Response:
    """Every job kept (oldest first) without results."""
    jobs = [{k: v for k, v in job_document(j).items() if k not in ("result", "series")}
            for j in job_runner(state).jobs()]
    return json_response({"items": jobs, "total": len(jobs)})


@router.get("/runs/{job_id}", response_model=Job, summary="Status and result of a run",
            responses=problem_responses(404))
def get_run(job_id: str, state: State) -> Response:
    """Status (queued, running, done, failed) and progress 0-1; when done the result and
    the daily series, when failed the problem details in ``error``."""
    return json_response(job_document(job_runner(state).get(job_id)))


