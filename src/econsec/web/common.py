"""What the JSON API and the HTML pages share: JSON bytes, the app's services and read
cache, uploads and the loaded MRIO tables. Neither pages nor API modules import each other;
both import this module.

- :func:`json_response` / :func:`dumps`: documents as compact JSON (NaN and infinities
  become ``null``, as in the CLI's ``--format json``);
- :func:`service` / :func:`read_cache`: the app's shared services, among them its one
  :class:`~econsec.web.cache.ReadCache`; :class:`LoadCache`: loaded tables, single-flight;
- uploads, one path for every form and endpoint that takes a file:
  :func:`receive_upload` reads the multipart field (refused beyond the limit before and
  while it is read), :func:`upload_on_disk` writes it to a private temporary folder (a
  zipped data package unpacked, bounded) with errors naming the user's file, and
  :func:`check_upload` hands a data file to
  :func:`econsec.datasets.file_check.check_user_file`;
- :func:`loaded_mrio`: the bundled MRIO tables, loaded once per app (only named tables,
  never a server path).
"""

from __future__ import annotations

import io
import json
import tempfile
import threading
import zipfile
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from fastapi import Request
from fastapi.responses import Response

from econsec.errors import DataFormatError, EconsecError, ValidationError
from econsec.i18n.terms import N_
from econsec.jsonable import jsonable
from econsec.web.cache import ReadCache
from econsec.web.security import UploadTooLarge
from econsec.web.state import WebState

if TYPE_CHECKING:
    from econsec.datasets.file_check import ChecksBundles, FileCheck

JSON = "application/json"


# ------------------------------------------------------------------------ JSON


def clean(value: Any) -> Any:
    """JSON-ready copy (see :func:`econsec.jsonable.jsonable`)."""
    return jsonable(value)


def dumps(document: Any) -> bytes:
    """Compact UTF-8 JSON of ``document`` (after :func:`clean`)."""
    return json.dumps(clean(document), ensure_ascii=False, separators=(",", ":")).encode()


def json_response(body: bytes | Any, status_code: int = 200,
                  headers: dict[str, str] | None = None) -> Response:
    """A JSON response from bytes (already serialised) or a document."""
    content = body if isinstance(body, bytes) else dumps(body)
    return Response(content, status_code=status_code, media_type=JSON,
                    headers=dict(headers or {}))


# ------------------------------------------------------------------------ services


class LoadCache:
    """Loaded tables by key, least recently used beyond ``size``; single-flight, so that
    many clients asking for the same cold table load it once (the others wait for it).
    Not tied to the knowledge base: the app's read cache is :func:`read_cache`."""

    def __init__(self, size: int = 8) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._values: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._pending: dict[tuple[Any, ...], threading.Event] = {}

    def get(self, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        """The cached value of ``key``, computing it once (other callers wait) if missing."""
        while True:
            with self._lock:
                if key in self._values:
                    self._values.move_to_end(key)
                    return self._values[key]
                waiting = self._pending.get(key)
                if waiting is None:
                    event = self._pending[key] = threading.Event()
                    break
            waiting.wait()
        try:
            value = compute()
            with self._lock:
                self._values[key] = value
                while len(self._values) > self.size:
                    self._values.popitem(last=False)
            return value
        finally:
            with self._lock:
                self._pending.pop(key, None)
            event.set()


_SERVICE_LOCK = threading.Lock()


def service(state: WebState, name: str, factory: Callable[[], Any]) -> Any:
    """The shared service ``name`` of the app (created once, thread-safe)."""
    found = state.services.get(name)
    if found is None:
        with _SERVICE_LOCK:
            found = state.services.get(name)
            if found is None:
                found = state.services[name] = factory()
    return found


def read_cache(state: WebState) -> ReadCache:
    """The app's :class:`~econsec.web.cache.ReadCache` (registered by :class:`WebState`)."""
    return service(state, "read_cache",
                   lambda: ReadCache(probe=state.store.data_version))


# ------------------------------------------------------------------------ uploads

#: The refusal of a form or request without the file (the data page says it in its words).
NO_FILE = N_("send the file as multipart/form-data field '%(field)s'")
#: A zipped data package may unpack to at most this multiple of the upload limit.
ZIP_EXPANSION = 10
#: Files a zipped data package may hold (a package has one CSV per table).
ZIP_MEMBERS = 200


class UploadMissing(ValidationError):
    """The request carries no file in the expected field."""

    def __init__(self, field: str) -> None:
        super().__init__(NO_FILE, params={"field": field})


@dataclass(frozen=True)
class Upload:
    """A file a user sent: its sanitised name, its bytes and the form's other text fields."""

    name: str
    data: bytes
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.data)


def safe_name(name: str | None, default: str = "upload") -> str:
    """A file name without folders or odd characters (its suffix kept): letters and digits
    of any script, spaces, dots, hyphens and underscores; anything else becomes ``_``."""
    base = PurePosixPath((name or "").replace("\\", "/")).name.strip()
    cleaned = "".join(c if c.isalnum() or c in "._- " else "_" for c in base)
    return cleaned.lstrip(". ")[:120].strip() or default


def check_length(request: Request, limit: int) -> None:
    """Refuse (413) a request whose declared length exceeds ``limit`` before reading it."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit + 64 * 1024:
        raise UploadTooLarge(limit)


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused (413) beyond ``limit`` bytes even without Content-Length."""
    check_length(request, limit)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise UploadTooLarge(limit)
        chunks.append(chunk)
    return b"".join(chunks)


async def receive_upload(request: Request, limit: int, *, field: str = "file",
                         max_fields: int = 20) -> Upload:
    """The file of the ``multipart/form-data`` field ``field`` and the form's text fields.

    Refused with :class:`~econsec.web.security.UploadTooLarge` (413) when the declared
    length or the file exceeds ``limit`` bytes (at most ``limit + 1`` bytes are read), with
    :class:`UploadMissing` when there is no file (or no file name).
    """
    check_length(request, limit)
    form = await request.form(max_files=1, max_fields=max_fields)
    try:
        upload = form.get(field)
        if upload is None or isinstance(upload, str) or not upload.filename:
            raise UploadMissing(field)
        data = await upload.read(limit + 1)
        if len(data) > limit:
            raise UploadTooLarge(limit)
        fields = {k: v for k, v in form.multi_items() if isinstance(v, str)}
        return Upload(safe_name(upload.filename), data, fields)
    finally:
        await form.close()


def _named_for_user(exc: EconsecError, root: Path, name: str) -> None:
    """Make ``exc`` name the user's file ``name`` instead of what was written under ``root``
    (the file itself, or the folder a zipped package was unpacked to: ``name/member``)."""
    file = exc.location.file
    if file and file.startswith(str(root)):
        rest = file[len(str(root)):].lstrip("/\\")
        exc.location.file = f"{name}/{rest}" if rest else name
    folder = str(root.parent)
    exc.message = (exc.message.replace(str(root) + "/", name + "/").replace(str(root), name)
                   .replace(folder + "/", ""))


@contextmanager
def _on_disk(upload: Upload, limit: int | None) -> Iterator[tuple[Path, Path]]:
    """``(path to read, root written)``: see :func:`upload_on_disk`."""
    with tempfile.TemporaryDirectory(prefix="econsec-upload-") as folder:
        root = Path(folder) / upload.name
        try:
            if upload.name.lower().endswith(".zip"):
                path = _unpack(upload.data, root,
                               limit if limit is not None else len(upload.data))
            else:
                root.write_bytes(upload.data)
                path = root
            yield path, root
        except EconsecError as exc:
            _named_for_user(exc, root, upload.name)
            raise


@contextmanager
def upload_on_disk(upload: Upload, limit: int | None = None) -> Iterator[Path]:
    """``upload`` written to a private temporary folder as its name; removed afterwards.

    A ``.zip`` is a zipped data package: unpacked (at most ``ZIP_EXPANSION`` times
    ``limit``, no absolute or ``..`` paths) and its ``datapackage.json`` given. Typed errors
    raised inside name the user's file (``data.zip/observations.csv`` for a member of a
    package), never the temporary path.
    """
    with _on_disk(upload, limit) as (path, _root):
        yield path


def _unpack(data: bytes, target: Path, limit: int) -> Path:
    """The ``datapackage.json`` of the zipped data package ``data`` unpacked in ``target``."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise DataFormatError("not a valid .zip file") from None
    members = [m for m in archive.infolist() if not m.is_dir()]
    if len(members) > ZIP_MEMBERS:
        raise DataFormatError("the .zip holds %(count)s files; a data package has at most "
                              "%(limit)s", params={"count": len(members), "limit": ZIP_MEMBERS})
    if sum(m.file_size for m in members) > limit * ZIP_EXPANSION:
        raise DataFormatError("the .zip unpacks to more than the size limit allows")
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
    return found[0]


def check_upload(upload: Upload, *, store: ChecksBundles | None, limit: int | None = None,
                 max_problems: int | None = None) -> FileCheck:
    """Every problem of every row of a data file (CSV, workbook, zipped data package) and,
    with ``store``, every problem its import would find: the one check of the CLI's dry
    run (:func:`~econsec.datasets.file_check.check_user_file`), each problem naming the
    user's file, never the temporary one."""
    from econsec.datasets.file_check import MAX_PROBLEMS, check_user_file

    with _on_disk(upload, limit) as (path, root):
        check = check_user_file(path, store=store, limit=max_problems or MAX_PROBLEMS)
        for problem in check.problems:
            _named_for_user(problem, root, upload.name)
    return check


def read_upload(upload: Upload, limit: int | None = None) -> Any:
    """The rows of a data file (:func:`~econsec.datasets.user_tables.read_user_file`),
    refused at its first problem; errors name the user's file."""
    from econsec.datasets.user_tables import read_user_file

    with upload_on_disk(upload, limit) as path:
        return read_user_file(path)


# ------------------------------------------------------------------------ MRIO tables

API_MRIO_PREFIXES = ("pymrio:", "bundled:")


def check_mrio_ref(ref: str) -> str:
    """``ref`` if it names a table the API may load (``pymrio:test``, ``bundled:…``)."""
    if not ref.startswith(API_MRIO_PREFIXES):
        raise ValidationError(
            f"MRIO '{ref}': the API loads only named tables (pymrio:test, bundled:bea-2023, "
            "bundled:icio-2022); run server-side folders with the econsec command line", )
    return ref


def mrio_cache(state: WebState) -> LoadCache:
    """Loaded MRIOs and static models by reference (not tied to the knowledge base)."""
    return service(state, "mrio_cache", lambda: LoadCache(size=8))


def check_table_name(ref: str) -> str:
    """``ref`` if it is a named table (``pymrio:test``, ``bundled:…``); else a 422 located
    at ``mrio`` that does not repeat the value (it may be a path)."""
    from econsec.errors import Location
    from econsec.scenarios.schema import named_tables

    names = named_tables()
    if ref not in names:
        raise ValidationError(f"mrio must name a bundled table ({', '.join(names)}); the "
                              "web app loads no file paths", location=Location(column="mrio"))
    return check_mrio_ref(ref)


def loaded_mrio(state: WebState, ref: str, step: Callable[[str], None] | None = None) -> Any:
    """The MRIO ``ref`` (loaded once per app; call from a worker thread); ``step(name)``
    names each loading step when this call loads it."""
    from econsec.io_models.loaders import load_mrio

    check_table_name(ref)
    return mrio_cache(state).get(("mrio", ref), lambda: load_mrio(ref, step=step))
