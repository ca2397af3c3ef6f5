"""``/api/v1/complexity``: ECI, PCI, proximity and density (economic complexity).

``GET`` computes them on the bundled BACI raw-material trade of a year (raw materials only:
the document's ``note_en``/``note_ja`` say why the values are not comparable with published
ECI rankings); ``POST`` on a user's country × product export matrix sent as a CSV file
(multipart field ``file``; columns country, product, value). The JSON is that of
``econsec assess complexity [--file F] --format json``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from econsec.access.actions import Action
from econsec.analyses.complexity import bundled_complexity, file_complexity
from econsec.analyses.complexity_models import ComplexityTable
from econsec.datasets.user_tables import N_
from econsec.errors import Location, ValidationError
from econsec.web.api.common import (
    State,
    Upload,
    cached_json,
    json_response,
    problem_responses,
    receive_upload,
    upload_on_disk,
)
from econsec.web.auth import require

router = APIRouter(prefix="/complexity", tags=["assessments"])

Year = Annotated[int | None, Query(ge=1900, le=2100, description="Data year of the bundled "
                                   "trade (default: the latest with flows)")]


@router.get("", response_model=ComplexityTable, summary="Economic complexity (bundled trade)",
            responses=problem_responses(404, 422))
async def bundled(state: State, year: Year = None) -> Response:
    """ECI and PCI (eigenvector method, as the ecomplexity package), each country's
    closest products by density and each product's nearest products by proximity, on the
    bundled BACI HS 1992 raw-material exports of ``year``."""
    return await cached_json(state, ("complexity", year),
                             lambda: bundled_complexity(state.store, year))


_UPLOAD: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"multipart/form-data": {"schema": {
            "type": "object", "required": ["file"],
            "properties": {"file": {"type": "string", "format": "binary",
                                    "description": "CSV: country, product, value"},
                           "year": {"type": "integer", "description": "Data year "
                                    "(recorded only)"}}}}},
    }
}


@router.post("", dependencies=[require(Action.ANALYSE)],
             response_model=ComplexityTable, summary="Economic complexity of your matrix",
             openapi_extra=_UPLOAD, responses=problem_responses(404, 413, 422))
async def uploaded(request: Request, state: State) -> Response:
    """ECI, PCI, proximity and density of an uploaded country × product export matrix
    (CSV, at most the app's ``max_upload_bytes``); a bad row is a 422 naming the line and
    column, an unknown country a 404 with close names."""
    upload = await receive_upload(request, state.max_upload_bytes)
    if not upload.name.lower().endswith((".csv", ".tsv", ".txt")):
        upload = Upload(upload.name + ".csv", upload.data, upload.fields)  # never unpacked
    year_text = upload.fields.get("year", "").strip()
    if year_text and not (year_text.isdigit() and 1900 <= int(year_text) <= 2100):
        raise ValidationError(N_("the year must be a whole number from 1900 to 2100, got "
                                 "'%(text)s'"), params={"text": year_text[:20]},
                              location=Location(column="year"))
    year = int(year_text) if year_text else None

    def compute() -> ComplexityTable:
        with upload_on_disk(upload) as path:
            return file_complexity(state.store, path, year=year,
                                   max_cells=state.settings.complexity_max_cells)

    return json_response(await run_in_threadpool(compute))
