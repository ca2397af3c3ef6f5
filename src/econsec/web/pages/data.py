"""``/data``: upload a CSV, Excel workbook or zipped data package; preview counts, first
rows and every row's validation errors (line, column, message) before anything is stored;
then an explicit Import (all or nothing, :meth:`Store.import_bundle`).

The file is checked by :func:`econsec.datasets.file_check.check_user_file`, the check of
``econsec import --dry-run`` and the API preview: every problem of every row (line, column,
message), then every problem the import would find against the knowledge base. Uploads
above the app's ``max_upload_bytes`` and malformed files are refused with a message;
nothing is stored.
"""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from econsec.access.actions import Action
from econsec.datasets.file_check import problem_row
from econsec.errors import EconsecError
from econsec.i18n import translator
from econsec.web.auth import require
from econsec.web.common import (
    Upload,
    UploadMissing,
    check_upload,
    read_cache,
    read_upload,
    receive_upload,
)
from econsec.web.i18n import request_language
from econsec.web.pages import data_tables
from econsec.web.pages.common import render
from econsec.web.security import UploadTooLarge
from econsec.web.state import WebState, get_state, run_import

router = APIRouter(include_in_schema=False)
router.include_router(data_tables.router)  # /data/tables/{table}: the stored rows
State = Annotated[WebState, Depends(get_state)]

SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".zip")
TABLES = ("sources", "countries", "items", "observations", "trade_flows", "input_edges",
          "governance", "country_risk")
#: Rows shown per table, problems listed at most.
PREVIEW_ROWS, MAX_ERRORS = 10, 100
MB = 1024 * 1024


class UploadRefused(Exception):
    """The upload is refused before it is read (too large, wrong type, no file)."""


async def _upload(request: Request, state: WebState) -> Upload:
    """The form's data file, received as the API receives it
    (:func:`econsec.web.common.receive_upload`); refused in the reader's words."""
    t = translator(request_language(request))
    limit = state.max_upload_bytes
    too_large = t.gettext("The file is larger than the limit of %(limit)s MB; nothing was "
                          "read or stored.") % {"limit": t.number(limit / MB, 1)}
    try:
        upload = await receive_upload(request, limit, max_fields=10)
    except UploadTooLarge:
        raise UploadRefused(too_large) from None
    except UploadMissing:
        raise UploadRefused(t.gettext("Choose a file first.")) from None
    if not upload.name.lower().endswith(SUFFIXES):
        raise UploadRefused(t.gettext("Unsupported file type: upload a .csv, .xlsx or a .zip "
                                      "of a data package."))
    if not upload.data.strip():
        raise UploadRefused(t.gettext("The file is empty."))
    return upload


def _error_row(exc: EconsecError, name: str, line: int | None = None,
               lang: str = "en") -> dict[str, Any]:
    loc = exc.location
    return {"line": line if line is not None else loc.line, "column": loc.column,
            "message": exc.translate(lang, located=False), "file": name}


def preview_file(store: Any, upload: Upload, limit: int, lang: str = "en") -> dict[str, Any]:
    """Counts, first rows and every problem of every row of the upload (the one check of
    :func:`econsec.web.common.check_upload`); stores nothing."""
    check = check_upload(upload, store=store, limit=limit, max_problems=MAX_ERRORS)
    bundle = check.bundle
    errors = [{**problem_row(p, lang), "file": upload.name} for p in check.problems]
    counts = {t: len(getattr(bundle, t)) for t in TABLES} if bundle else {}
    rows = {}
    if bundle is not None:
        for t in TABLES:
            records = getattr(bundle, t)[:PREVIEW_ROWS]
            if records:
                dicts = [_plain(r) for r in records]
                rows[t] = {"columns": list(dicts[0]), "rows": dicts}
    return {"file": upload.name, "counts": counts, "rows": rows, "errors": errors,
            "truncated": check.truncated,
            "sources": [dataclasses.asdict(s) for s in bundle.sources] if bundle else []}


def _plain(record: Any) -> dict[str, Any]:
    out = {}
    for k, v in dataclasses.asdict(record).items():
        if k in ("sha256",):
            continue
        out[k] = ", ".join(map(str, v)) if isinstance(v, list | tuple) else (
            getattr(v, "value", v))
    return out


def import_file(store: Any, upload: Upload, limit: int) -> dict[str, Any]:
    """Read and store the upload in one transaction (all or nothing)."""
    summary = store.import_bundle(read_upload(upload, limit))
    return dataclasses.asdict(summary)


@router.get("/data", response_class=HTMLResponse)
def data_page(request: Request, state: State) -> HTMLResponse:
    t = translator(request_language(request))
    return render(request, "data.html.j2", title=t.gettext("Data"), charts=False,
                  counts=state.store.counts(), limit_mb=state.max_upload_bytes / MB)


@router.post("/data/preview", dependencies=[require(Action.IMPORT)],
             response_class=HTMLResponse)
async def data_preview(request: Request, state: State) -> HTMLResponse:
    """htmx fragment: the preview (nothing stored)."""
    try:
        upload = await _upload(request, state)
        result = await run_in_threadpool(preview_file, state.store, upload,
                                         state.max_upload_bytes, request_language(request))
    except UploadRefused as exc:
        return render(request, "_data_result.html.j2", refused=str(exc))
    except EconsecError as exc:  # an unreadable zip and the like
        return render(request, "_data_result.html.j2", preview={
            "file": "", "counts": {}, "rows": {}, "sources": [],
            "errors": [_error_row(exc, "", lang=request_language(request))]})
    return render(request, "_data_result.html.j2", preview=result)


@router.post("/data/import", dependencies=[require(Action.IMPORT)],
             response_class=HTMLResponse)
async def data_import(request: Request, state: State) -> HTMLResponse:
    """htmx fragment: import the file (all or nothing) and say what was stored."""
    try:
        upload = await _upload(request, state)
        summary = await run_import(state, upload.size, import_file, state.store, upload,
                                   state.max_upload_bytes)
    except UploadRefused as exc:
        return render(request, "_data_result.html.j2", refused=str(exc))
    except EconsecError as exc:
        return render(request, "_data_result.html.j2",
                      import_error=exc.translate(request_language(request)))
    read_cache(state).invalidate()
    return render(request, "_data_result.html.j2", imported=summary, file=upload.name,
                  counts=state.store.counts())
