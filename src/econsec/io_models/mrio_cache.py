"""A binary copy of every MRIO read with pymrio, so that the next run starts in well under a
second.

Reading a pymrio folder means importing pymrio (with pandas and matplotlib, 1–3 s) and
parsing its text files (1.5 s at 2,000 industries). The first :func:`cached` load of a table
writes its arrays to ``<cache dir>/mrio-<hash of the reference>.bin`` (a JSON header, then
the raw float64 arrays, each with its CRC-32); later loads read that file (tens of
milliseconds) without importing pymrio.

The cache directory is ``$ECONSEC_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/econsec``,
else ``~/.cache/econsec``; ``ECONSEC_CACHE_DIR=off`` turns the cache off.

A cached copy is used only when its key matches: a SHA-256 over the cache format version,
the reference and, for every source file, its path, size and modification time (so an
edited or replaced table is read again). The file is written to a temporary name and
renamed into place, so a reader never sees half a file; a file that cannot be read, has
the wrong key, an array whose CRC-32 does not match, or arrays that do not form a balanced
table is ignored and rewritten.
Failing to write the cache (read-only home, full disk) never fails the load.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from econsec.io_models.mrio import MRIO

Array = npt.NDArray[np.float64]

#: Bump when the file layout or the way tables are built from their sources changes.
CACHE_FORMAT = 2
ARRAYS = ("Z", "Y", "x", "va")

#: ``step(name)``: called with the name of each loading step (shown as progress).
StepCallback = Callable[[str], None]

READING_CACHE = "reading the saved copy of the table"
READING_SOURCE = "reading the table with pymrio"
SAVING_CACHE = "saving a copy of the table for the next run"


def cache_dir() -> Path | None:
    """The cache directory (see the module docstring), or ``None`` when turned off."""
    env = os.environ.get("ECONSEC_CACHE_DIR")
    if env is not None:
        return None if env.strip().lower() in ("", "off", "0", "no") else Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "econsec"


def source_files(path: Path) -> list[Path]:
    """The files a table at ``path`` (a folder, searched recursively, or one file) is read
    from, sorted."""
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def cache_key(ref: str, files: Iterable[Path], extra: str = "") -> str:
    """SHA-256 over the format version, ``ref``, ``extra`` (e.g. a package version) and
    every file's path, size and modification time in nanoseconds."""
    h = hashlib.sha256(f"econsec-mrio-cache {CACHE_FORMAT}\0{ref}\0{extra}\0".encode())
    for f in files:
        st = f.stat()
        h.update(f"{f.resolve()}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
    return h.hexdigest()


def cache_path(ref: str, directory: Path) -> Path:
    """The cache file of ``ref`` (one per reference: a newer copy replaces an older one)."""
    digest = hashlib.sha256(ref.encode()).hexdigest()[:24]
    return directory / f"mrio-{digest}.bin"


def _note_json(note: Any) -> Any:
    msgid = getattr(note, "id", None)
    if msgid is None:
        return str(note)
    return {"id": msgid, "params": dict(getattr(note, "params", {}))}


def _note_value(value: Any) -> Any:
    if isinstance(value, str):
        return value
    from econsec.io_models.bea import Note

    return Note(str(value["id"]), dict(value["params"]))


MAGIC = b"econsec-mrio\n"


def write_cache(mrio: MRIO, key: str, target: Path) -> None:
    """Write ``mrio`` with ``key`` to ``target`` atomically (temporary file, then rename).

    Layout: :data:`MAGIC`, the header length (8 bytes, little-endian), a JSON header (key,
    names, unit, notes, and per array its shape and CRC-32), then the arrays as raw
    little-endian float64 in the order of :data:`ARRAYS`."""
    arrays = [np.ascontiguousarray(getattr(mrio, name), dtype="<f8") for name in ARRAYS]
    header = {
        "format": CACHE_FORMAT, "key": key, "name": mrio.name, "regions": list(mrio.regions),
        "sectors": list(mrio.sectors), "unit": mrio.unit,
        "final_demand_categories": list(mrio.final_demand_categories),
        "source": mrio.source, "notes": [_note_json(n) for n in mrio.notes],
        "arrays": [{"name": name, "shape": list(a.shape), "crc32": zlib.crc32(a.data)}
                   for name, a in zip(ARRAYS, arrays, strict=True)],
    }
    head = json.dumps(header).encode()
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=target.name + ".", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(MAGIC + len(head).to_bytes(8, "little") + head)
            for a in arrays:
                fh.write(a.data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def read_cache(path: Path, key: str) -> MRIO | None:
    """The table cached in ``path`` if its key is ``key``, every array has its CRC-32 and
    the table is balanced, else ``None`` (missing, stale or corrupt: the caller rebuilds
    it). The arrays are read straight into their memory (no intermediate copy)."""
    try:
        with open(path, "rb") as fh:
            if fh.read(len(MAGIC)) != MAGIC:
                return None
            size = int.from_bytes(fh.read(8), "little")
            if not 0 < size <= 64 * 2**20:
                return None
            header = json.loads(fh.read(size).decode())
            if header.get("format") != CACHE_FORMAT or header.get("key") != key:
                return None
            arrays: dict[str, Array] = {}
            for spec, name in zip(header["arrays"], ARRAYS, strict=True):
                if spec["name"] != name:
                    return None
                a = np.empty(tuple(int(d) for d in spec["shape"]), dtype="<f8")
                if fh.readinto(a.data.cast("B")) != a.nbytes:
                    return None
                if zlib.crc32(a.data) != spec["crc32"]:
                    return None
                arrays[name] = a
            if fh.read(1):
                return None  # trailing bytes: not a file this module wrote
        mrio = MRIO(str(header["name"]), tuple(header["regions"]), tuple(header["sectors"]),
                    arrays["Z"], arrays["Y"], arrays["x"], arrays["va"], str(header["unit"]),
                    tuple(header["final_demand_categories"]), str(header["source"]),
                    tuple(_note_value(n) for n in header["notes"]))
        return mrio.validate()
    except FileNotFoundError:
        return None
    except Exception:  # any damage (truncated, bad JSON, wrong shapes, unbalanced): rebuild
        return None


def cached(ref: str, files: Iterable[Path], build: Callable[[], MRIO], *, extra: str = "",
           step: StepCallback | None = None) -> MRIO:
    """The table ``ref`` from the cache if a valid copy for the current ``files`` is there,
    else ``build()`` (which reads and validates it) and save it for the next time."""
    report = step or (lambda _name: None)
    directory = cache_dir()
    if directory is None:
        report(READING_SOURCE)
        return build()
    key = cache_key(ref, files, extra)
    path = cache_path(ref, directory)
    if path.is_file():
        report(READING_CACHE)
        mrio = read_cache(path, key)
        if mrio is not None:
            return mrio
    report(READING_SOURCE)
    mrio = build()
    report(SAVING_CACHE)
    with contextlib.suppress(OSError):
        write_cache(mrio, key, path)
    return mrio
