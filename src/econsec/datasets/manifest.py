"""The bundled data's inventory: ``data/MANIFEST.csv`` and the FLAG notes of the folders'
``PROVENANCE.txt`` files.

``MANIFEST.csv`` has one row per bundled data file (``path, bytes, sha256, rows, cols,
encoding_used_to_parse``; rows and cols blank for non-tabular files). A folder's
``PROVENANCE.txt`` may carry paragraphs starting with ``FLAG``: what must be confirmed
before a release (a licence to verify, a provisional year). :func:`provenance_flags`
returns them for a folder and the folders above it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from econsec.datasets._csv import data_dir, display_name, read_dicts
from econsec.errors import DataFormatError, Location

MANIFEST = "MANIFEST.csv"
PROVENANCE = "PROVENANCE.txt"
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_FLAG = re.compile(r"\bFLAG\b[^:]*:\s*")
_FIELD = re.compile(r"^[A-Z][A-Z /()-]*:")


@dataclass(frozen=True)
class ManifestFile:
    """One bundled file: its path relative to the data folder, size, SHA-256 and shape."""

    path: str
    bytes: int
    sha256: str
    rows: int | None
    cols: int | None


def _count(raw: str, where: Location) -> int | None:
    text = raw.strip()
    if not text:
        return None
    if not text.isdigit():
        raise DataFormatError(f"not a whole number: {raw!r}", location=where)
    return int(text)


def read_manifest(path: Path) -> list[ManifestFile]:
    """The rows of a manifest file, in file order.

    Raises :class:`DataFormatError` naming the line and column of a bad cell or a path
    given twice."""
    name = display_name(path)
    out: list[ManifestFile] = []
    seen: dict[str, int] = {}
    for line, row in read_dicts(path, required=("path", "bytes", "sha256", "rows", "cols")):
        file = row["path"].strip()
        if not file or file.startswith("/") or ".." in file.split("/"):
            raise DataFormatError(f"not a relative path: {file!r}",
                                  location=Location(name, line, "path"))
        if file in seen:
            raise DataFormatError(f"{file} listed twice (first on line {seen[file]})",
                                  location=Location(name, line, "path"))
        seen[file] = line
        size = _count(row["bytes"], Location(name, line, "bytes"))
        if size is None:
            raise DataFormatError("size missing", location=Location(name, line, "bytes"))
        digest = row["sha256"].strip().lower()
        if not _SHA256.match(digest):
            raise DataFormatError(f"not a SHA-256: {row['sha256']!r}",
                                  location=Location(name, line, "sha256"))
        out.append(ManifestFile(file, size, digest,
                                _count(row["rows"], Location(name, line, "rows")),
                                _count(row["cols"], Location(name, line, "cols"))))
    return out


def bundled_manifest() -> list[ManifestFile]:
    """The bundled ``MANIFEST.csv``."""
    return read_manifest(data_dir() / MANIFEST)


def read_flags(text: str) -> list[str]:
    """The FLAG paragraphs of a ``PROVENANCE.txt`` text, one line each, without "FLAG:".

    A paragraph runs from ``FLAG`` to the next FLAG, the next ``FIELD :`` line or a blank
    line; its continuation lines are joined with single spaces."""
    flags: list[str] = []
    current: list[str] | None = None
    for line in text.splitlines():
        stripped = line.strip()
        match = _FLAG.search(line)
        if match:
            if current:
                flags.append(" ".join(current))
            current = [line[match.end():].strip()]
        elif current is not None and stripped and not _FIELD.match(line):
            current.append(stripped)
        elif current is not None:
            flags.append(" ".join(current))
            current = None
    if current:
        flags.append(" ".join(current))
    return [f for f in flags if f]


def provenance_flags(path: str, root: Path | None = None) -> list[str]:
    """The FLAG paragraphs of the ``PROVENANCE.txt`` files of the folder of ``path`` (a
    file or folder relative to the data folder) and of every folder above it."""
    base = root or data_dir()
    target = base / path
    folder = target if target.is_dir() else target.parent
    out: list[str] = []
    while True:
        note = folder / PROVENANCE
        if note.is_file():
            out.extend(read_flags(note.read_text(encoding="utf-8")))
        if folder == base or base not in folder.parents:
            break
        folder = folder.parent
    return out
