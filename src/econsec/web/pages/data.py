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
import io
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from econsec.datasets.file_check import check_user_file, problem_row
from econsec.datasets.user_tables import read_user_file
from econsec.errors import DataFormatError, EconsecError
from econsec.i18n import translator
from econsec.web.api.common import read_cache
from econsec.web.i18n import request_language
from econsec.web.pages import data_tables
from econsec.web.pages.common import render
from econsec.web.state import WebState, get_state, run_import

router = APIRouter(include_in_schema=False)
router.include_router(data_tables.router)  # /data/tables/{table}: the stored rows
State = Annotated[WebState, Depends(get_state)]

SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".zip")
TABLES = ("sources", "countries", "items", "observations", "trade_flows", "input_edges",
          "governance", "country_risk")
#: Rows shown per table, problems listed at most.
PREVIEW_ROWS, MAX_ERRORS = 10, 100
#: A zipped data package may unpack to at most this multiple of the upload limit.
ZIP_EXPANSION = 10
MB = 1024 * 1024


class UploadRefused(Exception):
    """The upload is refused before it is read (too large, wrong type, no file)."""


def _safe_name(name: str) -> str:
    base = PurePosixPath((name or "upload").replace("\\", "/")).name
    cleaned = "".join(c for c in base if c.isalnum() or c in "._- ")[:120].strip()
    return cleaned or "upload"


async def _upload(request: Request, state: WebState) -> tuple[str, bytes]:
    t = translator(request_language(request))
    limit = state.max_upload_bytes
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > limit + 64 * 1024:
        raise UploadRefused(t.gettext("The file is larger than the limit of %(limit)s MB; "
                                      "nothing was read or stored.")
                            % {"limit": t.number(limit / MB, 1)})
    form = await request.form(max_files=1, max_fields=10)
    try:
        upload = form.get("file")
        if upload is None or isinstance(upload, str) or not upload.filename:
            raise UploadRefused(t.gettext("Choose a file first."))
        data = await upload.read(limit + 1)
        name = _safe_name(upload.filename)
    finally:
        await form.close()
    if len(data) > limit:
        raise UploadRefused(t.gettext("The file is larger than the limit of %(limit)s MB; "
                                      "nothing was read or stored.")
                            % {"limit": t.number(limit / MB, 1)})
    if not name.lower().endswith(SUFFIXES):
        raise UploadRefused(t.gettext("Unsupported file type: upload a .csv, .xlsx or a .zip "
                                      "of a data package."))
    if not data.strip():
        raise UploadRefused(t.gettext("The file is empty."))
    return name, data


@contextmanager
def _on_disk(name: str, data: bytes, limit: int) -> Iterator[Path]:
    """The upload as a file (a zip: its ``datapackage.json``) in a private temporary folder."""
    with tempfile.TemporaryDirectory(prefix="econsec-page-upload-") as folder:
        root = Path(folder)
        if not name.lower().endswith(".zip"):
            path = root / name
            path.write_bytes(data)
            yield path
            return
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile:
            raise DataFormatError("not a valid .zip file") from None
        members = [m for m in archive.infolist() if not m.is_dir()]
        if sum(m.file_size for m in members) > limit * ZIP_EXPANSION:
            raise DataFormatError("the .zip unpacks to more than the size limit allows")
        target = root / "package"
        for m in members:
            rel = PurePosixPath(m.filename)
            if rel.is_absolute() or ".." in rel.parts:
                raise DataFormatError("unsafe path in the .zip: %(path)s",
                                      params={"path": m.filename[:200]})
            out = target / rel
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(archive.read(m))
        found = sorted(target.rglob("datapackage.json"), key=lambda p: len(p.parts))
        if not found:
            raise DataFormatError("the .zip holds no datapackage.json (a data package is a "
                                  "folder with datapackage.json and its CSV files)")
        yield found[0]


def _error_row(exc: EconsecError, name: str, line: int | None = None,
               lang: str = "en") -> dict[str, Any]:
    loc = exc.location
    return {"line": line if line is not None else loc.line, "column": loc.column,
            "message": exc.translate(lang, located=False), "file": name}


def preview_file(store: Any, name: str, data: bytes, limit: int,
                 lang: str = "en") -> dict[str, Any]:
    """Counts, first rows and every problem of every row of the upload (the one check of
    :func:`econsec.datasets.file_check.check_user_file`); stores nothing."""
    with _on_disk(name, data, limit) as path:
        check = check_user_file(path, store=store, limit=MAX_ERRORS)
    bundle = check.bundle
    errors = [{**problem_row(p, lang), "file": name} for p in check.problems]
    counts = {t: len(getattr(bundle, t)) for t in TABLES} if bundle else {}
    rows = {}
    if bundle is not None:
        for t in TABLES:
            records = getattr(bundle, t)[:PREVIEW_ROWS]
            if records:
                dicts = [_plain(r) for r in records]
                rows[t] = {"columns": list(dicts[0]), "rows": dicts}
    return {"file": name, "counts": counts, "rows": rows, "errors": errors,
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


def import_file(store: Any, name: str, data: bytes, limit: int) -> dict[str, Any]:
    """Read and store the upload in one transaction (all or nothing)."""
    with _on_disk(name, data, limit) as path:
        summary = store.import_bundle(read_user_file(path))
    return dataclasses.asdict(summary)


@router.get("/data", response_class=HTMLResponse)
def data_page(request: Request, state: State) -> HTMLResponse:
    t = translator(request_language(request))
    return render(request, "data.html.j2", title=t.gettext("Data"), charts=False,
                  counts=state.store.counts(), limit_mb=state.max_upload_bytes / MB)


@router.post("/data/preview", response_class=HTMLResponse)
async def data_preview(request: Request, state: State) -> HTMLResponse:
    """htmx fragment: the preview (nothing stored)."""
    try:
        name, data = await _upload(request, state)
        result = await run_in_threadpool(preview_file, state.store, name, data,
                                         state.max_upload_bytes, request_language(request))
    except UploadRefused as exc:
        return render(request, "_data_result.html.j2", refused=str(exc))
    except EconsecError as exc:  # an unreadable zip and the like
        return render(request, "_data_result.html.j2", preview={
            "file": "", "counts": {}, "rows": {}, "sources": [],
            "errors": [_error_row(exc, "", lang=request_language(request))]})
    return render(request, "_data_result.html.j2", preview=result)


@router.post("/data/import", response_class=HTMLResponse)
async def data_import(request: Request, state: State) -> HTMLResponse:
    """htmx fragment: import the file (all or nothing) and say what was stored."""
    try:
        name, data = await _upload(request, state)
        summary = await run_import(state, len(data), import_file, state.store, name, data,
                                   state.max_upload_bytes)
    except UploadRefused as exc:
        return render(request, "_data_result.html.j2", refused=str(exc))
    except EconsecError as exc:
        return render(request, "_data_result.html.j2",
                      import_error=exc.translate(request_language(request)))
    read_cache(state).invalidate()
    return render(request, "_data_result.html.j2", imported=summary, file=name,
                  counts=state.store.counts())
