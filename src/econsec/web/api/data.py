"""``/api/v1/data``: preview a user's CSV / Excel / data-package file, or import it.

Both take the file as ``multipart/form-data`` (field ``file``: CSV, TSV, Excel workbook or
a zipped data package) of at most the app's ``max_upload_bytes`` (else 413), received as
the data page receives it (:func:`econsec.web.common.receive_upload`). The preview is the
check of ``econsec import --dry-run`` (:func:`econsec.web.common.check_upload`); a
malformed file is a 422 problem naming the file, line and column. The preview stores
nothing; the import writes the whole file in one transaction (all or nothing) and clears
the read cache. Imports run one at a time (:class:`econsec.web.state.ImportGate`): an
import waits for its turn in a bounded queue, without holding a worker thread; when the
queue is full, or its turn (or the database's write lock, which an ``econsec import``
elsewhere may hold) does not come within the busy timeout, the answer is 503 with
``Retry-After`` (nothing written).
"""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from econsec.access.actions import Action
from econsec.analyses.provenance import source_dicts
from econsec.datasets.file_check import problem_row
from econsec.web.api.common import State, problem_responses
from econsec.web.api.models import ImportResult, Preview
from econsec.web.auth import require
from econsec.web.common import (
    check_upload,
    json_response,
    read_cache,
    read_upload,
    receive_upload,
)
from econsec.web.problems import problem
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
    if dataclasses.is_dataclass(record) and not isinstance(record, type):
        return dataclasses.asdict(record)
    return dict(record)


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


@router.post("/preview", dependencies=[require(Action.IMPORT)],
             response_model=Preview, summary="Parse a file without storing it",
             openapi_extra=_UPLOAD, responses=problem_responses(404, 413, 422))
async def preview(
    request: Request,
    state: State,
    rows: Annotated[int, Query(ge=1, le=100, description="Rows shown per table")] = 10,
) -> Response:
    """Counts per table, the first rows of each and the sources; nothing is stored. A
    malformed file is a 422 problem with the first problem's ``file``, ``line`` and
    ``column`` and every problem of every row in ``errors`` (``file``, ``line``,
    ``column``, ``message``; at most 100, ``truncated`` says when there were more); a
    well-formed file the import would refuse (unknown items, duplicates, cycles, a changed
    source) is previewed with every refusal in ``errors``."""
    upload = await receive_upload(request, state.max_upload_bytes)

    def parse() -> Response:
        check = check_upload(upload, store=state.store, limit=state.max_upload_bytes)
        listed = [problem_row(p) for p in check.problems]
        if check.bundle is None and len(check.problems) == 1:
            raise check.problems[0]  # the file as a whole: its own problem document
        if check.read_problems or check.bundle is None:
            first = listed[0]
            return problem(422, "invalid data", first["message"], error="DataFormatError",
                           instance=request.url.path, errors=listed, truncated=check.truncated,
                           **{k: first[k] for k in ("file", "line", "column")
                              if first[k] is not None})
        document = preview_document(check.bundle, upload.name, rows)
        document["errors"] = listed
        document["truncated"] = check.truncated
        return json_response(document)

    return await run_in_threadpool(parse)


@router.post("/import", dependencies=[require(Action.IMPORT)],
             response_model=ImportResult, summary="Import a file (all or nothing)",
             openapi_extra=_UPLOAD, responses=problem_responses(404, 413, 422, 503))
async def import_file(
    request: Request,
    state: State,
    replace: Annotated[bool, Query(description="Replace the stored facts of a source the "
                                   "file names again")] = False,
) -> Response:
    """Validate the whole file and write it in one transaction, as ``econsec import``."""
    upload = await receive_upload(request, state.max_upload_bytes)

    def store() -> dict[str, Any]:
        bundle = read_upload(upload, state.max_upload_bytes)
        summary = state.store.import_bundle(bundle, replace=replace)
        read_cache(state).invalidate()
        return {"file": upload.name, **dataclasses.asdict(summary),
                "counts": state.store.counts()}

    return json_response(await run_import(state, upload.size, store))
