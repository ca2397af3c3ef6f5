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
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from econsec.analyses.provenance import source_dicts
from econsec.datasets.file_check import check_user_file, problem_row
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
    malformed file is a 422 problem with the first problem's ``file``, ``line`` and
    ``column`` and every problem of every row in ``errors`` (``file``, ``line``,
    ``column``, ``message``; at most 100, ``truncated`` says when there were more); a
    well-formed file the import would refuse (unknown items, duplicates, cycles, a changed
    source) is previewed with every refusal in ``errors``."""
    name, data = await uploaded_file(request, state.max_upload_bytes)

    def parse() -> Response:
        with saved_upload(data, name) as path:
            check = check_user_file(path, store=state.store)
            listed = [_problem(p, path, name) for p in check.problems]
            if check.bundle is None and len(check.problems) == 1:
                raise check.problems[0]  # the file as a whole: its own problem document
        if check.read_problems or check.bundle is None:
            first = listed[0]
            return problem(422, "invalid data", first["message"], error="DataFormatError",
                           instance=request.url.path, errors=listed, truncated=check.truncated,
                           **{k: first[k] for k in ("file", "line", "column")
                              if first[k] is not None})
        document = preview_document(check.bundle, name, rows)
        document["errors"] = listed
        document["truncated"] = check.truncated
        return json_response(document)

    return await run_in_threadpool(parse)


def _problem(error: EconsecError, path: Path, name: str) -> dict[str, Any]:
    """One problem of the preview, naming the user's file (not the temporary one)."""
    row = problem_row(error)
    file = row["file"]
    if file and file.startswith(str(path)):
        row["file"] = name + file[len(str(path)):]
    row["message"] = row["message"].replace(str(path), name)
    return row


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
