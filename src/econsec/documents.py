"""Bounded reading of YAML and JSON documents (scenarios, technology lists, descriptors).

Every structured document a user hands econsec goes through :func:`read_yaml` or
:func:`read_json`. Both refuse, with a located :class:`~econsec.errors.DataFormatError`
and in bounded time and memory, what a hostile or broken file can do to a parser:

- more than :data:`MAX_DOCUMENT_CHARS` characters;
- nesting deeper than :data:`MAX_DEPTH` (YAML's composer and ``json`` recurse);
- YAML aliases that expand to more than :data:`MAX_EXPANDED_NODES` nodes ("billion
  laughs": a few hundred bytes that unfold to gigabytes when walked).

:func:`read_yaml` also returns a map from the path of every node (a tuple of keys and
list indexes) to its 1-based line, so that validation errors can name the line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

import yaml

from econsec.errors import DataFormatError, Location, Term
from econsec.i18n.terms import N_

MAX_DOCUMENT_CHARS = 8_000_000
MAX_DEPTH = 64
MAX_EXPANDED_NODES = 200_000
MAX_ALIASES = 1_000

LineMap = dict[tuple[Any, ...], int]

TOO_DEEP = "nested deeper than %(limit)s levels; refused"
#: Parser messages translated where the page speaks another language (the rest of a
#: parser's message, e.g. a YAML problem, is shown as the parser wrote it).
PARSER_MESSAGES = (
    N_("Expecting value"), N_("Expecting ',' delimiter"), N_("Expecting ':' delimiter"),
    N_("Expecting property name enclosed in double quotes"), N_("Extra data"),
    N_("Unterminated string starting at"), N_("Invalid control character at"),
    N_("Invalid \\escape"), N_("Illegal trailing comma before end of object"),
    N_("Illegal trailing comma before end of array"), N_("cannot parse"),
)


class _TooDeep(Exception):
    def __init__(self, line: int) -> None:
        self.line = line


class _BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader with a nesting bound and an alias count."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self.alias_count = 0

    def compose_node(self, parent: Any, index: Any) -> Any:  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            self.alias_count += 1
            if self.alias_count > MAX_ALIASES:
                mark = self.peek_event().start_mark
                raise DataFormatError(
                    "more than %(limit)s YAML aliases (*name); refused",
                    location=Location(line=mark.line + 1), params={"limit": MAX_ALIASES})
            return super().compose_node(parent, index)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _TooDeep(self.peek_event().start_mark.line + 1)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _check_size(text: str, file: str | None) -> None:
    if len(text) > MAX_DOCUMENT_CHARS:
        raise DataFormatError(
            "document of %(size)s characters is larger than the limit of %(limit)s",
            location=Location(file=file),
            params={"size": f"{len(text):,}", "limit": f"{MAX_DOCUMENT_CHARS:,}"})


def _expanded_size(root: yaml.Node) -> int:
    """Nodes visited when the document is walked with every alias expanded (memoised)."""
    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if key in sizes and not done:
            continue
        children: list[yaml.Node] = []
        if isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        if done:
            total = 1 + sum(sizes[id(c)] for c in children)
            sizes[key] = min(total, MAX_EXPANDED_NODES + 1)
            continue
        stack.append((node, True))
        stack.extend((c, False) for c in children if id(c) not in sizes)
    return sizes[id(root)]


def _dotted(path: tuple[Any, ...]) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")


def _walk_lines(node: yaml.Node, lines: LineMap, file: str | None) -> None:
    """Fill ``lines``; a key that appears twice in one mapping is refused at its line."""
    stack: list[tuple[yaml.Node, tuple[Any, ...]]] = [(node, ())]
    while stack:
        current, path = stack.pop()
        lines.setdefault(path, current.start_mark.line + 1)
        if isinstance(current, yaml.MappingNode):
            seen: set[Any] = set()
            for key, value in current.value:
                if key.value in seen:
                    where = _dotted(path)
                    raise DataFormatError(
                        "key '%(key)s' appears twice in %(where)s" if where
                        else "key '%(key)s' appears twice in the top level",
                        location=Location(file=file, line=key.start_mark.line + 1,
                                          column=_dotted((*path, key.value))),
                        params={"key": key.value, "where": where} if where
                        else {"key": key.value})
                seen.add(key.value)
                child = (*path, key.value)
                lines[child] = key.start_mark.line + 1
                stack.append((value, child))
        elif isinstance(current, yaml.SequenceNode):
            for index, item in enumerate(current.value):
                stack.append((item, (*path, index)))


def read_yaml(text: str, *, file: str | None = None) -> tuple[Any, LineMap]:
    """Parse YAML ``text`` with the safe loader: the data and a path → line map.

    Malformed or unbounded text raises :class:`DataFormatError` at its line.
    """
    _check_size(text, file)
    loader = _BoundedLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        if _expanded_size(node) > MAX_EXPANDED_NODES:
            raise DataFormatError(
                "YAML aliases expand to more than %(limit)s nodes; refused "
                "(write the values out instead of repeating anchors)",
                location=Location(file=file, line=1),
                params={"limit": f"{MAX_EXPANDED_NODES:,}"})
        data = loader.construct_document(node)
    except _TooDeep as exc:
        raise DataFormatError(TOO_DEEP, location=Location(file=file, line=exc.line),
                              params={"limit": MAX_DEPTH}) from None
    except DataFormatError as exc:
        if exc.location.file is None:
            exc.location.file = file
        raise DataFormatError(exc.msgid, location=exc.location, params=exc.params) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(str(p) for p in (exc.problem, exc.context) if p)
        detail = Term(problem) if problem else Term("cannot parse")
        raise DataFormatError(
            "malformed YAML: %(problem)s (column %(column)s)" if mark is not None
            else "malformed YAML: %(problem)s",
            location=Location(file=file, line=mark.line + 1 if mark is not None else None),
            params={"problem": detail, "column": mark.column + 1} if mark is not None
            else {"problem": detail},
        ) from None
    except yaml.YAMLError as exc:
        raise DataFormatError("malformed YAML: %(problem)s", location=Location(file=file),
                              params={"problem": Term(str(exc))}) from None
    except RecursionError:
        raise DataFormatError("nested too deeply to read; refused",
                              location=Location(file=file), params={}) from None
    finally:
        loader.dispose()
    lines: LineMap = {}
    _walk_lines(node, lines, file)
    return data, lines


def depth_of(data: Any) -> int:
    """Nesting depth of parsed JSON-like data (a scalar is 0), without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, Mapping):
            depth += 1
            stack.extend((v, depth) for v in value.values())
        elif isinstance(value, list):
            depth += 1
            stack.extend((v, depth) for v in value)
        deepest = max(deepest, depth)
    return deepest


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def _too_deep_line(text: str) -> int:
    """1-based line on which JSON ``text`` first opens a level deeper than MAX_DEPTH."""
    depth = 0
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return text.count("\n", 0, match.start()) + 1
        elif token in "]}":
            depth -= 1
    return 1


class _DuplicateKey(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return result


def _duplicate_line(text: str, key: str) -> int:
    """Line of the second ``"key":`` in ``text`` (the first place the key can be repeated)."""
    found = list(re.finditer(re.escape(json.dumps(key)) + r"\s*:", text))
    at = found[1].start() if len(found) > 1 else 0
    return text.count("\n", 0, at) + 1


def read_json(text: str, *, file: str | None = None, line: int | None = None) -> Any:
    """Parse JSON ``text``; malformed, oversized or too deeply nested text, and an object
    with a key twice (the last would silently win), are refused with their line.

    ``line`` is the line of ``text`` in its file (for JSON Lines), used in error locations.
    """
    _check_size(text, file)
    first = line or 1
    try:
        data = json.loads(text, object_pairs_hook=_unique_pairs)
    except json.JSONDecodeError as exc:
        raise DataFormatError(
            "malformed JSON: %(problem)s (column %(column)s)",
            location=Location(file=file, line=first + exc.lineno - 1),
            params={"problem": Term(exc.msg), "column": exc.colno}) from None
    except _DuplicateKey as exc:
        raise DataFormatError(
            "key '%(key)s' appears twice in one object",
            location=Location(file=file, line=first + _duplicate_line(text, exc.key) - 1),
            params={"key": exc.key}) from None
    except RecursionError:
        data = None
    if (data is None and text.strip() != "null") or depth_of(data) > MAX_DEPTH:
        raise DataFormatError(TOO_DEEP, params={"limit": MAX_DEPTH},
                              location=Location(file=file,
                                                line=first + _too_deep_line(text) - 1))
    return data
