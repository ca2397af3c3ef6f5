"""``/api/v1/data``: preview a user's CSV / Excel / data-package file, or import it.

Both take the file as ``multipart/form-data`` (field ``file``) of at most the app's
``max_upload_bytes`` (else 413). The file is parsed by
:func:`econsec.datasets.user_tables.read_user_file`; a malformed file is a 422 problem
naming the file, line and column. The preview stores nothing; the import writes the whole
file in one transaction (all or nothing) and clears the read cache. Imports run one at a
time (:class:`econsec.web.state.ImportGate`): an import waits for its turn in a bounded
queue, without holding a worker thread; when the queue is full, or its turn (or the
database's write lock, which an ``econsec import`` elsewhere may hold) does not come within
the busy timeout, the answer is 503 with ``Retry-After`` (nothing written).
"""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from econsec.analyses.provenance import source_dicts
from econsec.datasets.user_tables import read_user_file
from econsec.errors import EconsecError
from econsec.web.api.common import (
    State,
    json_response,
    problem_responses,
    read_cache,
    saved_upload,
    uploaded_file,
)
from econsec.web.api.models import ImportResult, Preview
from econsec.web.state import run_import

router = APIRouter(prefix="/data", tags=["data"])

TABLES = ("sources", "countries", "items", "observations", "trade_flows", "input_edges",
          "governance", "country_risk")

_UPLOAD: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"multipart/form-data": {"schema": {
            "type": "object", "required": ["file"],
            "properties": {"file": {"type": "string", "format": "binary",
                                    "description": ".csv, .tsv, .xlsx or datapackage.json"}},
        }}},
    }
}


def _record(record: Any) -> dict[str, Any]:
    return dataclasses.asdict(record) if dataclasses.is_dataclass(record) else dict(record)


def preview_document(bundle: Any, name: str, rows: int) -> dict[str, Any]:
    """Counts per table, the first ``rows`` records of each and the sources of a bundle."""
    return {
        "file": name,
        "counts": {t: len(getattr(bundle, t)) for t in TABLES},
        "rows": {t: [_record(r) for r in getattr(bundle, t)[:rows]] for t in TABLES
                 if getattr(bundle, t)},
        "sources": source_dicts(bundle.sources),
        "errors": [],
        "stored": False,
    }


@router.post("/preview", response_model=Preview, summary="Parse a file without storing it",
             openapi_extra=_UPLOAD, responses=problem_responses(404, 413, 422))
async def preview(
    request: Request,
    state: State,
    rows: Annotated[int, Query(ge=1, le=100, description="Rows shown per table")] = 10,
) -> Response:
    """Counts per table, the first rows of each and the sources; nothing is stored. A
    malformed file is a 422 problem with ``file``, ``line`` and ``column``; a well-formed
    file the import would refuse (unknown item, cycle, changed source) is previewed with
    the refusal in ``errors``."""
    name, data = await uploaded_file(request, state.max_upload_bytes)

    def parse() -> dict[str, Any]:
        with saved_upload(data, name) as path:
            bundle = read_user_file(path)
        document = preview_document(bundle, name, rows)
        try:  # the checks of the import itself (unknown items, cycles…), nothing written
            state.store.check_bundle(bundle)
        except EconsecError as exc:
            document["errors"] = [{"message": exc.message, "file": exc.location.file,
                                   "line": exc.location.line, "column": exc.location.column}]
        return document

    return json_response(await run_in_threadpool(parse))


@router.post("/import", response_model=ImportResult, summary="Import a file (all or nothing)",
             openapi_extra=_UPLOAD, responses=problem_responses(404, 413, 422, 503))
async def import_file(
    request: Request,
    state: State,
    replace: Annotated[bool, Query(description="Replace the stored facts of a source the "
                                   "file names again")] = False,
) -> Response:
    """Validate the whole file and write it in one transaction, as ``econsec import``."""
    name, data = await uploaded_file(request, state.max_upload_bytes)

    def store() -> dict[str, Any]:
        with saved_upload(data, name) as path:
            summary = state.store.import_bundle(read_user_file(path), replace=replace)
        read_cache(state).invalidate()
        return {"file": name, **dataclasses.asdict(summary),
                "counts": state.store.counts()}

    return json_response(await run_import(state, len(data), store))
