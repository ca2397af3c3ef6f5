"""``/api/v1/assessments``: dependence, the three lenses, EU CRM screening and assessment."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from econsec.access.actions import Action
from econsec.analyses.eu_crm import assess_eu_crm_file, screening_matrix
from econsec.analyses.lenses import lens_table
from econsec.errors import DataFormatError
from econsec.web.api.common import (
    JSON,
    State,
    cached_json,
    json_response,
    problem_responses,
    read_body,
)
from econsec.web.api.models import DependenceTable, EuCrmAssessment, LensTable, ScreeningMatrix
from econsec.web.auth import require
from econsec.web.common import Upload, receive_upload, upload_on_disk
from econsec.web.results import home_dependence

router = APIRouter(prefix="/assessments", tags=["assessments"])

Country = Annotated[str | None, Query(min_length=2, max_length=100,
                                      description="Home country, ISO alpha-3 or name "
                                      "(default: the server's home country, "
                                      "ECONSEC_HOME_COUNTRY)")]


@router.get("/dependence", response_model=DependenceTable,
            summary="Dependence and indispensability", responses=problem_responses(404, 422))
async def dependence(state: State, country: Country = None) -> Response:
    """The same JSON as ``econsec assess dependence --country C --format json``."""
    home = await run_in_threadpool(state.store.resolve_country, country or state.home_country)
    return await cached_json(state, ("dependence", home),
                             lambda: home_dependence(state, home))


@router.get("/lenses", response_model=LensTable, summary="The three lenses",
            responses=problem_responses(404, 422))
async def lenses(state: State, country: Country = None) -> Response:
    """External dependence, domestic advantage and disruptive innovation per commodity, with
    the reasons and thresholds."""
    home = await run_in_threadpool(state.store.resolve_country, country or state.home_country)
    return await cached_json(state, ("lenses", home),
                             lambda: lens_table(state.store, home,
                                                home_dependence(state, home)))


@router.get("/eu-crm/screening", response_model=ScreeningMatrix,
            summary="EU CRM screening matrix")
async def eu_crm_screening(state: State) -> Response:
    """SR × EI of the EU 2023 materials under the screening assumptions (EC 2017 method)."""
    return await cached_json(state, ("eu_crm_screening",),
                             lambda: screening_matrix(state.store))


_EU_CRM_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            JSON: {"schema": {"type": "object", "description": "The assess eu-crm input "
                              "(docs/eu-crm.md): {\"materials\": [...]}"}},
            "multipart/form-data": {"schema": {
                "type": "object", "required": ["file"],
                "properties": {"file": {"type": "string", "format": "binary"}}}},
        },
    }
}


@router.post("/eu-crm", dependencies=[require(Action.ANALYSE)],
             response_model=EuCrmAssessment, summary="EU CRM assessment",
             openapi_extra=_EU_CRM_BODY, responses=problem_responses(413, 415, 422))
async def eu_crm(request: Request, state: State) -> Response:
    """SR, EI and criticality of the materials of an ``assess eu-crm`` input, sent as a JSON
    body or as an uploaded JSON file (multipart field ``file``); at most the app's
    ``max_upload_bytes``. The same JSON as ``econsec assess eu-crm --format json``."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "multipart/form-data":
        upload = await receive_upload(request, state.max_upload_bytes)
        if not upload.name.lower().endswith(".json"):
            upload = Upload(upload.name + ".json", upload.data)
    elif kind in (JSON, "") or kind.endswith("+json"):
        upload = Upload("request-body.json", await read_body(request, state.max_upload_bytes))
    else:
        raise DataFormatError(f"unsupported content type '{kind}': send application/json "
                              "or multipart/form-data with a file")

    def assess() -> EuCrmAssessment:
        with upload_on_disk(upload) as path:
            return assess_eu_crm_file(state.store, path, name=upload.name)

    return json_response(await run_in_threadpool(assess))


