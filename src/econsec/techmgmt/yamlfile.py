"""YAML read with line numbers, and pydantic errors turned into located econsec errors.

:func:`read_yaml` returns the data and a map from the path of every node (a tuple of keys
and list indexes) to its 1-based line, so that :func:`validation_error` can say on which
line an unknown key or a bad value sits.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel
from pydantic import ValidationError as PydanticError

from econsec.errors import DataFormatError, Location

Lines = dict[tuple[Any, ...], int]
M = TypeVar("M", bound=BaseModel)


def _walk(node: yaml.Node, path: tuple[Any, ...], lines: Lines) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            name = key.value
            lines[(*path, name)] = key.start_mark.line + 1
            _walk(value, (*path, name), lines)
            lines[(*path, name)] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), lines)


def read_yaml(text: str, file: str) -> tuple[Any, Lines]:
    """Parse ``text`` (safe loader); malformed YAML raises :class:`DataFormatError` at its line."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise DataFormatError(f"malformed YAML: {exc.problem or exc}",
                              location=Location(file, line)) from None
    except yaml.YAMLError as exc:
        raise DataFormatError(f"malformed YAML: {exc}", location=Location(file)) from None
    lines: Lines = {}
    if node is not None:
        _walk(node, (), lines)
    return data, lines


def read_yaml_file(path: Path) -> tuple[Any, Lines]:
    """:func:`read_yaml` of a UTF-8 file; an unreadable file is a :class:`DataFormatError`."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFormatError(f"cannot read: {exc}", location=Location(str(path))) from None
    return read_yaml(text, str(path))


def line_of(lines: Lines, loc: tuple[Any, ...]) -> int | None:
    """The line of the deepest known node on the path ``loc``."""
    for end in range(len(loc), -1, -1):
        if tuple(loc[:end]) in lines:
            return lines[tuple(loc[:end])]
    return None


def validate(model: type[M], data: Any, lines: Lines, file: str,
             prefix: tuple[Any, ...] = ()) -> M:
    """``model.model_validate(data)``; the first error becomes a located DataFormatError."""
    if not isinstance(data, Mapping):
        raise DataFormatError("expected a mapping at the top of the file",
                              location=Location(file, line_of(lines, prefix)))
    try:
        return model.model_validate(data)
    except PydanticError as exc:
        first = exc.errors()[0]
        loc = (*prefix, *first["loc"])
        field = ".".join(str(p) for p in first["loc"])
        message = first["msg"]
        if first["type"] == "extra_forbidden":
            message = f"unknown key '{first['loc'][-1]}'"
        more = exc.error_count() - 1
        if more:
            message += f" (and {more} more problem{'s' if more > 1 else ''})"
        raise DataFormatError(f"{field}: {message}",
                              location=Location(file, line_of(lines, loc))) from None
