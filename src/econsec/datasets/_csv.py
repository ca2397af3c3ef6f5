"""Shared CSV helpers for the bundled-data loaders.

Every loader reads its file through :func:`read_rows`, which yields each record with
its 1-based physical line number (the header is line 1), so that a bad value can be
reported as :class:`~econsec.errors.DataFormatError` with a
:class:`~econsec.errors.Location` naming file, line and column.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Iterator, Sequence
from functools import cache
from importlib import resources
from pathlib import Path

from econsec.errors import DataFormatError, Location


@cache
def data_dir() -> Path:
    """The folder of the bundled public data (``econsec/data``), via importlib.resources."""
    return Path(str(resources.files("econsec") / "data"))


def display_name(path: Path) -> str:
    """Path relative to the data folder when the file is bundled, else the path as given."""
    try:
        return path.resolve().relative_to(data_dir().resolve()).as_posix()
    except ValueError:
        return str(path)


def sha256_of(paths: Sequence[Path]) -> str:
    """SHA-256 of the bytes of ``paths`` concatenated in the order given."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _decode(path: Path, encoding: str) -> str:
    try:
        return path.read_text(encoding=encoding)
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise DataFormatError(
            f"cannot decode as {encoding}: {exc.reason}",
            location=Location(display_name(path), line),
        ) from exc
    except OSError as exc:
        raise DataFormatError(f"cannot read file: {exc}", location=Location(str(path))) from exc


def read_table(
    path: Path, *, encoding: str = "utf-8-sig", required: Sequence[str] = ()
) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """Header and ``(line, cells)`` records of a CSV file; ``line`` is where the record starts.

    Raises :class:`DataFormatError` if a ``required`` column is missing.
    """
    text = _decode(path, encoding)
    lines = text.splitlines(keepends=True)
    reader = csv.reader(lines)
    try:
        header = next(reader)
    except StopIteration:
        raise DataFormatError("empty file", location=Location(display_name(path), 1)) from None
    missing = [c for c in required if c not in header]
    if missing:
        raise DataFormatError(
            f"missing column(s): {', '.join(missing)}",
            location=Location(display_name(path), 1, missing[0]),
        )

    def records() -> Iterator[tuple[int, list[str]]]:
        start = reader.line_num + 1
        for cells in reader:
            yield start, cells
            start = reader.line_num + 1

    return header, records()


def read_dicts(
    path: Path, *, encoding: str = "utf-8-sig", required: Sequence[str] = ()
) -> Iterator[tuple[int, dict[str, str]]]:
    """``(line, row)`` for every non-blank record of a CSV file, keyed by header name."""
    header, records = read_table(path, encoding=encoding, required=required)
    for line, cells in records:
        if not any(c.strip() for c in cells):
            continue
        yield line, dict(zip(header, cells + [""] * (len(header) - len(cells)), strict=False))


_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def parse_number(raw: str, where: Location) -> float:
    """A plain decimal number (thousands separators allowed); else DataFormatError at ``where``."""
    text = raw.strip().replace(",", "")
    if not _NUMBER.match(text):
        raise DataFormatError(f"not a number: {raw!r}", location=where)
    return float(text)


def optional_number(raw: str, where: Location) -> float | None:
    """Like :func:`parse_number` but blank gives None."""
    return None if not raw.strip() else parse_number(raw, where)
