"""``/api/v1/measures`` (the 3P measure catalogue) and ``/api/v1/recommendations`` (measures
ranked for a finding by the loss they avoid in the scenario engine, run as a job).

``POST /recommendations`` takes ``{"finding": "dependency:JPN:284610,284690,280530:CHN"}``
(syntax: :mod:`econsec.policy.findings`; scenario findings name worked scenarios only) and
optionally ``measures`` (ids), ``parameters`` (``{measure: {name: value}}``), ``severity``
and ``duration_days``. The finding is checked at once (a bad one is a 422 problem naming
the part at fault); the ranking then runs on the app's job runner (the same as scenario
runs: quota, cancel, progress, kept in the knowledge base): 202 with the job and its
``Location``. ``GET /recommendations/{id}`` reports progress; when done, ``result`` is the
JSON of ``econsec recommend --format json``. A ranking computed before with the same
finding, catalogue and parameters comes from the cache (the job finishes at once).
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from econsec.access.actions import Action
from econsec.access.actor import Actor
from econsec.errors import DataFormatError, ValidationError
from econsec.policy.catalogue import load_catalogue
from econsec.policy.findings import Finding, parse_finding
from econsec.policy.recommend import RecommendOptions, check_request, recommend
from econsec.scenarios.texts import Text
from econsec.web.api.common import JSON, State, json_response, problem_responses, read_body
from econsec.web.api.scenarios import (
    Refused,
    client_of,
    content_kind,
    job_runner,
    owner_filter,
    refusal_response,
)
from econsec.web.auth import current_actor, require
from econsec.web.jobs import DONE, JobControl, JobNotFound, QuotaExceeded, not_found
from econsec.web.state import WebState

router = APIRouter(tags=["policy"])

Reader = Annotated[Actor, Depends(current_actor)]
Analyst = Annotated[Actor, require(Action.ANALYSE)]
KIND = "recommendation"
BODY_KEYS = ("finding", "measures", "parameters", "severity", "duration_days")


def catalogue_document() -> dict[str, Any]:
    cat = load_catalogue()
    return {"version": cat.version, "source_file": "measures.yaml",
            "pillars": {p: [m.id for m in ms] for p, ms in cat.by_pillar().items()},
            "measures": [m.model_dump(mode="json") for m in cat.measures]}


@router.get("/measures", summary="The 3P policy measure catalogue")
def measures() -> Response:
    """Every measure of the bundled catalogue (``econsec measures list --format json``):
    names and summaries in English and Japanese, findings addressed, parameters, how the
    scenario engine represents it, time to effect, cost proxy, references."""
    return json_response(catalogue_document())


@router.get("/measures/{measure_id}", summary="One measure",
            responses=problem_responses(404))
def measure(measure_id: str) -> Response:
    """One measure; an unknown id is a 404 with close matches."""
    return json_response(load_catalogue().get(measure_id).model_dump(mode="json"))


def technologies() -> Any:
    from econsec.techmgmt.registry import bundled_list

    return bundled_list().technologies


def request_options(data: Any) -> tuple[str, RecommendOptions]:
    """The finding and the options of a request body; refusals name the key."""
    if not isinstance(data, dict):
        raise DataFormatError("the body is a JSON object with 'finding' (and optionally "
                              f"{', '.join(BODY_KEYS[1:])})")
    extra = sorted(set(data) - set(BODY_KEYS))
    if extra:
        raise DataFormatError(f"unknown key '{extra[0]}' (allowed: {', '.join(BODY_KEYS)})")
    finding = data.get("finding")
    if not isinstance(finding, str):
        raise DataFormatError("'finding' is required: a text such as "
                              "dependency:JPN:284610,284690,280530:CHN")
    measures_ = data.get("measures") or []
    params = data.get("parameters") or {}
    if not (isinstance(measures_, list) and all(isinstance(m, str) for m in measures_)):
        raise DataFormatError("'measures' is a list of measure ids")
    if not (isinstance(params, dict) and all(
            isinstance(v, dict) and all(isinstance(x, int | float) and not isinstance(x, bool)
                                        for x in v.values()) for v in params.values())):
        raise DataFormatError("'parameters' is {measure: {name: number}}")
    numbers: dict[str, Any] = {}
    for key, default in (("severity", 0.8), ("duration_days", 180)):
        value = data.get(key, default)
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise DataFormatError(f"'{key}' is a number")
        numbers[key] = value
    if numbers["duration_days"] != int(numbers["duration_days"]):
        raise ValidationError("'duration_days' is a whole number of days")
    options = RecommendOptions(severity=float(numbers["severity"]),
                               duration_days=int(numbers["duration_days"]),
                               measures=tuple(measures_),
                               parameters={k: dict(v) for k, v in params.items()})
    options.check()
    return finding, options


def _prepare(state: WebState, body: bytes) -> tuple[Finding, RecommendOptions]:
    try:
        data = json.loads(body or b"null")
    except ValueError as exc:
        raise DataFormatError(f"malformed JSON: {exc}") from None
    text, options = request_options(data)
    finding = parse_finding(text, state.store, technologies=technologies(),
                            allow_files=False)
    check_request(finding, options)  # measures and parameters, before the job starts
    return finding, options


def _run(state: WebState, finding: Finding, options: RecommendOptions,
         control: JobControl) -> dict[str, Any]:
    from econsec.web.common import loaded_mrio

    def progress(message: Text, fraction: float) -> None:
        control(min(fraction, 0.999), message)

    from econsec.policy.recommend import baseline_scenario

    scenario = baseline_scenario(finding, options)
    mrio = loaded_mrio(state, scenario.mrio) if scenario is not None else None
    return recommend(finding, state.store, options=options, progress=progress,
                     check=control.check, mrio=mrio)


def job_document(job: Any) -> dict[str, Any]:
    doc = job.to_dict()
    doc.pop("traceback", None)
    if job.status != DONE:
        doc["result"] = None
    return doc


_BODY: dict[str, Any] = {"requestBody": {"required": True, "content": {JSON: {"schema": {
    "type": "object", "required": ["finding"], "additionalProperties": False,
    "properties": {
        "finding": {"type": "string",
                    "examples": ["dependency:JPN:284610,284690,280530:CHN",
                                 "scenario:worked:icio-china-critical-minerals-japan",
                                 "technology:multilayer-ceramic-capacitors"]},
        "measures": {"type": "array", "items": {"type": "string"}},
        "parameters": {"type": "object", "additionalProperties": {
            "type": "object", "additionalProperties": {"type": "number"}}},
        "severity": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
        "duration_days": {"type": "integer", "minimum": 1},
    }}}}}}


@router.post("/recommendations", status_code=202, summary="Rank measures for a finding",
             openapi_extra=_BODY, responses=problem_responses(404, 413, 415, 422, 429))
async def start(request: Request, state: State, actor: Analyst) -> Response:
    """Check the finding and queue the ranking: 202 with the job and its ``Location``."""
    try:
        kind = content_kind(request)
        if kind != JSON and not kind.endswith("+json"):
            raise DataFormatError("send the request as application/json")
        body = await read_body(request, state.max_upload_bytes)
    except Refused as exc:
        return refusal_response(request, exc)
    finding, options = await run_in_threadpool(_prepare, state, body)
    runner = job_runner(state)
    try:
        job = runner.submit(KIND, lambda control: _run(state, finding, options, control),
                            meta={"finding": finding.ref, "title_en": finding.title("en"),
                                  "title_ja": finding.title("ja")},
                            client=client_of(request, actor), owner=actor.name,
                            owner_org_id=actor.org_id)
    except QuotaExceeded as exc:
        return refusal_response(request, Refused(
            429, "request failed", exc.text, headers={"Retry-After": str(exc.retry_after)}))
    location = f"{request.url.path.rstrip('/')}/{job.id}"
    return json_response(job_document(job), status_code=202, headers={"Location": location})


def _job(state: WebState, job_id: str, actor: Actor) -> Any:
    job = job_runner(state).get(job_id, owner=owner_filter(actor))
    if job.kind != KIND:
        raise not_found(job_id)
    return job


@router.get("/recommendations/{job_id}", summary="Progress and result of a ranking",
            responses=problem_responses(404))
def get_job(job_id: str, request: Request, state: State, actor: Reader) -> Response:
    """Status and progress (0-1); when done, the ranking (``result``)."""
    try:
        return json_response(job_document(_job(state, job_id, actor)))
    except JobNotFound as exc:
        return refusal_response(request, exc)


@router.delete("/recommendations/{job_id}", summary="Cancel a ranking",
               responses=problem_responses(404))
async def cancel(job_id: str, request: Request, state: State, actor: Analyst) -> Response:
    """Cancel the ranking (it stops within about a second)."""
    def work() -> Response:
        try:
            _job(state, job_id, actor)
            job = job_runner(state).cancel(job_id, owner=owner_filter(actor))
            return json_response(job_document(job))
        except JobNotFound as exc:
            return refusal_response(request, exc)

    return await run_in_threadpool(work)
