"""Technology-management YAML files: read with a size bound, validated with located errors.

:func:`read_yaml_file` reads a UTF-8 file and parses it with
:func:`econsec.documents.read_yaml`, which returns the data and a map from the path of every
node (a tuple of keys and list indexes) to its 1-based line, so that :func:`validate` can say
on which line an unknown key or a bad value sits (the error translation of
:mod:`econsec.documents`, shared with scenarios and the other input files).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel
from pydantic import ValidationError as PydanticError

from econsec.documents import (
    MAX_DOCUMENT_CHARS,
    LineMap,
    line_of,
    read_yaml,
    validation_error,
)
from econsec.errors import DataFormatError, Location

M = TypeVar("M", bound=BaseModel)


#: A file larger than this many bytes is refused before it is read.
MAX_FILE_BYTES = 2 * MAX_DOCUMENT_CHARS


def read_text_file(path: Path) -> str:
    """The UTF-8 text of ``path``, at most :data:`MAX_FILE_BYTES`; an unreadable, oversized
    or non-UTF-8 file is a :class:`DataFormatError` naming the file (and the line of the
    first undecodable byte)."""
    file = str(path)
    try:
        with Path(path).open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise DataFormatError(f"cannot read the file: {reason}",
                              location=Location(file)) from None
    if len(raw) > MAX_FILE_BYTES:
        raise DataFormatError(f"file larger than the limit of {MAX_FILE_BYTES:,} bytes",
                              location=Location(file))
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise DataFormatError(f"not UTF-8 text (byte 0x{raw[exc.start]:02x} cannot be decoded)",
                              location=Location(file, line)) from None


def read_yaml_file(path: Path) -> tuple[Any, LineMap]:
    """:func:`~econsec.documents.read_yaml` of a UTF-8 file (:func:`read_text_file`)."""
    return read_yaml(read_text_file(path), file=str(path))


def validate(model: type[M], data: Any, lines: LineMap, file: str,
             prefix: tuple[Any, ...] = ()) -> M:
    """``model.model_validate(data)``; the errors become one located econsec error
    (:func:`econsec.documents.validation_error`)."""
    if not isinstance(data, Mapping):
        raise DataFormatError("expected a mapping at the top of the file",
                              location=Location(file, line_of(lines, prefix)))
    try:
        return model.model_validate(data)
    except PydanticError as exc:
        raise validation_error(exc, model, file=file, lines=lines, prefix=prefix) from None
