"""Bounded reading of YAML and JSON documents (scenarios, technology lists, descriptors).

Every structured document a user hands econsec goes through :func:`read_yaml` or
:func:`read_json`. Both refuse, with a located :class:`~econsec.errors.DataFormatError`
and in bounded time and memory, what a hostile or broken file can do to a parser:

- more than :data:`MAX_DOCUMENT_CHARS` characters;
- nesting deeper than :data:`MAX_DEPTH` (YAML's composer and ``json`` recurse);
- YAML aliases that expand to more than :data:`MAX_EXPANDED_NODES` nodes ("billion
  laughs": a few hundred bytes that unfold to gigabytes when walked).

:func:`read_yaml` also returns a map from the path of every node (a tuple of keys and
list indexes) to its 1-based line, so that validation errors can name the line;
:func:`read_document` reads either format with such a map. :func:`validation_error` is
the one translation of a pydantic error on a document into a located, one-line
:class:`~econsec.errors.DataFormatError` or :class:`~econsec.errors.ValidationError`.
"""

from __future__ import annotations

import json
import re
import types
import typing
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Annotated, Any, Union

import yaml

from econsec.errors import DataFormatError, Location, Term, ValidationError
from econsec.i18n.terms import N_
from econsec.suggest import close_matches

if TYPE_CHECKING:  # pydantic is imported when a validation error is translated
    from pydantic import BaseModel
    from pydantic import ValidationError as PydanticValidationError
    from pydantic_core import ErrorDetails

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

    def compose_node(self, parent: Any, index: Any) -> Any:
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


def _twice(key: Any, path: tuple[Any, ...], where: Location) -> DataFormatError:
    """A key given twice in the mapping (object) at ``path``: refused the same way in YAML
    and JSON, at the line of its second occurrence."""
    inside = _dotted(path)
    where.column = _dotted((*path, key))
    if inside:
        return DataFormatError("key '%(key)s' appears twice in %(where)s", location=where,
                               params={"key": key, "where": inside})
    return DataFormatError("key '%(key)s' appears twice in the top level", location=where,
                           params={"key": key})


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
                    raise _twice(key.value, path,
                                 Location(file=file, line=key.start_mark.line + 1))
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
    except _DuplicateKey:
        _lines, duplicate = _json_scan(text)
        path, key, at = duplicate or ((), "?", 1)
        raise _twice(key, path, Location(file=file, line=first + at - 1)) from None
    except RecursionError:
        data = None
    if (data is None and text.strip() != "null") or depth_of(data) > MAX_DEPTH:
        raise DataFormatError(TOO_DEEP, params={"limit": MAX_DEPTH},
                              location=Location(file=file,
                                                line=first + _too_deep_line(text) - 1))
    return data


# --------------------------------------------------------------------------- one reader


def read_document(text: str, *, file: str | None = None, json_format: bool = False
                  ) -> tuple[Any, LineMap]:
    """Parse YAML (or, with ``json_format``, JSON) ``text``: the data and a map from the
    path of every node to its 1-based line (:func:`read_yaml`, :func:`read_json`).

    Malformed, unbounded or duplicate-keyed text raises :class:`DataFormatError` at its
    line, the same way for both formats.
    """
    if json_format:
        data = read_json(text, file=file)
        return data, _json_scan(text)[0]
    return read_yaml(text, file=file)


_JSON_LINE_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}:,\n]|[^\s\[\]{}:,"]+')


def _json_scan(text: str) -> tuple[LineMap, tuple[tuple[Any, ...], str, int] | None]:
    """Path → 1-based line of every value and key of well-formed JSON ``text``, and the
    first key given twice in one object (the object's path, the key, its line), in one
    pass."""
    lines: LineMap = {}
    duplicate: tuple[tuple[Any, ...], str, int] | None = None
    # frames: [path, index or key, expecting a key (objects only), is an object, keys seen]
    stack: list[list[Any]] = []
    line = 1
    for match in _JSON_LINE_TOKEN.finditer(text):
        token = match.group()
        if token == "\n":
            line += 1
            continue
        frame = stack[-1] if stack else None
        if frame is not None and frame[3] and frame[2]:
            if token.startswith('"'):
                frame[1], frame[2] = json.loads(token), False
                if frame[1] in frame[4] and duplicate is None:
                    duplicate = (frame[0], frame[1], line)
                frame[4].add(frame[1])
                lines.setdefault((*frame[0], frame[1]), line)
            elif token == "}":
                stack.pop()
            continue
        if token == ":":
            continue
        if token == ",":
            if frame is not None:
                if frame[3]:
                    frame[2] = True
                else:
                    frame[1] += 1
            continue
        if token in "]}":
            stack.pop()
            continue
        path = () if frame is None else (*frame[0], frame[1])
        lines.setdefault(path, line)
        if token == "{":
            stack.append([path, None, True, True, set()])
        elif token == "[":
            stack.append([path, 0, False, False, None])
    return lines, duplicate


def line_of(lines: LineMap, path: Sequence[Any]) -> int | None:
    """The line of the deepest node of ``path`` that ``lines`` knows (the document's first
    line when it knows none)."""
    at = tuple(path)
    while at:
        if at in lines:
            return lines[at]
        at = at[:-1]
    return lines.get(())


def format_path(path: Sequence[Any]) -> str:
    """``('events', 2, 'sector')`` → ``events[2].sector`` (odd keys as ``['a b']``)."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif isinstance(part, str) and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", part):
            out += f".{part}" if out else part
        else:
            out += f"[{part!r}]"
    return out


# --------------------------------------------------------------------------- one translation

#: Pydantic error types that mean "well-formed but not allowed" (a ValidationError); every
#: other type (unknown or missing key, wrong type, unknown tag) means malformed input.
VALUE_ERRORS = frozenset({"greater_than", "greater_than_equal", "less_than", "less_than_equal",
                          "finite_number", "value_error", "assertion_error", "multiple_of"})


def validation_error(exc: PydanticValidationError, model: type[BaseModel], *,
                     file: str | None = None, lines: LineMap | None = None,
                     prefix: Sequence[Any] = ()) -> DataFormatError | ValidationError:
    """The one translation of a pydantic error on a document validated into ``model``: a
    plain one-line message (unknown keys with the allowed ones and a close match, unknown
    ``type`` tags with the known ones, the value given), located at the line (from
    ``lines``, the map of :func:`read_document`) and the path (``events[2].share``) of the
    first problem; up to three more are listed after it. ``prefix`` is the path of the
    validated data inside the document.

    A value out of range (or refused by a validator) is a :class:`ValidationError`; any
    other problem a :class:`DataFormatError`.
    """
    errors = exc.errors(include_url=False)
    described = [_describe(error, model) for error in errors]
    path, message = described[0]
    if len(described) > 1:
        message += "; also: " + "; ".join(f"{format_path((*prefix, *p))}: {m}"
                                          for p, m in described[1:4])
        if len(described) > 4:
            message += f"; and {len(described) - 4} more"
    full = (*prefix, *path)
    cls = ValidationError if errors[0]["type"] in VALUE_ERRORS else DataFormatError
    return cls(message, location=Location(file=file, line=line_of(lines or {}, full),
                                          column=format_path(full) or None))


class _Tagged(dict[str, Any]):
    """The models of a union told apart by a tag (``type``, ``dist``), and what the tag
    names (the union's title: "event type")."""

    noun = "type"


def unwrap_type(annotation: Any, title: str | None = None) -> Any:
    """Strip Annotated and Optional: a model class, a :class:`_Tagged` union, ``('list' |
    'dict', item type)`` or a scalar type."""
    from pydantic import BaseModel
    from pydantic.fields import FieldInfo

    origin = typing.get_origin(annotation)
    if origin is Annotated:
        inner, *meta = typing.get_args(annotation)
        named = next((m.title for m in meta if isinstance(m, FieldInfo) and m.title), title)
        return unwrap_type(inner, named)
    if origin in (Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
        if len(models) > 1:
            tags = _Tagged()
            for m in models:
                for key in ("type", "dist"):
                    field = m.model_fields.get(key)
                    if field is not None:
                        tags[typing.get_args(field.annotation)[0]] = m
            tags.noun = title or tags.noun
            return tags
        return unwrap_type(args[0], title) if len(args) == 1 else (models[0] if models else None)
    if origin is list:
        return ("list", typing.get_args(annotation)[0])
    if origin is dict:
        return ("dict", typing.get_args(annotation)[1])
    return annotation


def _field_type(model: Any, name: Any) -> Any:
    from pydantic import BaseModel

    if not (isinstance(model, type) and issubclass(model, BaseModel) and isinstance(name, str)):
        return None
    field = model.model_fields.get(name)
    return None if field is None else unwrap_type(field.annotation, field.title)


def _walk(model: type[BaseModel], loc: Sequence[Any]) -> tuple[list[Any], Any]:
    """Follow a pydantic error location from ``model``: the path without union tags, and
    the type reached (a model class, a :class:`_Tagged` union, or a scalar type)."""
    current: Any = model
    path: list[Any] = []
    for part in loc:
        if part == "[key]":
            continue
        if isinstance(current, _Tagged):  # a tagged union: this part is the tag
            if part in current:
                current = current[part]
                continue
            current = None
        if isinstance(current, tuple):  # list item / dict value
            path.append(part)
            current = unwrap_type(current[1])
            continue
        path.append(part)
        current = _field_type(current, part)
    return path, current


def _allowed_keys(model: Any) -> list[str]:
    from pydantic import BaseModel

    if isinstance(model, type) and issubclass(model, BaseModel):
        return list(model.model_fields)
    return []


def _describe(error: ErrorDetails, model: type[BaseModel]) -> tuple[list[Any], str]:
    """The path and a plain message for one pydantic error."""
    kind = error["type"]
    loc = error["loc"]
    ctx = error.get("ctx") or {}
    if kind == "extra_forbidden":
        path, _ = _walk(model, loc)
        _, parent = _walk(model, loc[:-1])
        allowed = _allowed_keys(parent)
        where = format_path(path[:-1]) or "the top level"
        msg = f"unknown key '{loc[-1]}' in {where}"
        near = close_matches(str(loc[-1]), allowed, limit=1)
        if near:
            msg += f"; did you mean '{near[0]}'?"
        return path, msg + f" (allowed keys: {', '.join(allowed)})"
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        path, union = _walk(model, loc)
        tags = re.findall(r"'([^']+)'", str(ctx.get("expected_tags", "")))
        key = str(ctx.get("discriminator", "type")).strip("'")
        what = union.noun if isinstance(union, _Tagged) else key
        if kind == "union_tag_not_found":
            return [*path, key], f"missing '{key}': give the {what} (one of: {', '.join(tags)})"
        tag = str(ctx.get("tag"))
        msg = f"unknown {what} '{tag}'"
        near = close_matches(tag, tags, limit=1)
        if near:
            msg += f"; did you mean '{near[0]}'?"
        return [*path, key], msg + f" (allowed: {', '.join(tags)})"
    path, _ = _walk(model, loc)
    if kind == "missing":
        _, parent = _walk(model, loc[:-1])
        allowed = _allowed_keys(parent)
        msg = f"missing required key '{loc[-1]}'"
        if allowed:
            msg += f" (keys of {format_path(path[:-1]) or 'the top level'}: {', '.join(allowed)})"
        return path, msg
    value = error.get("input")
    if kind == "literal_error" and loc and loc[-1] == "[key]":
        where = format_path(path[:-1]) or "the top level"
        return path, f"unknown key '{value}' in {where} (allowed: {ctx.get('expected')})"
    return path, _plain(kind, str(error["msg"]), value, ctx)


#: Plain wording per pydantic error type: what the value must be.
_MUST = {"greater_than_equal": ("ge", "at least"), "greater_than": ("gt", "above"),
         "less_than_equal": ("le", "at most"), "less_than": ("lt", "below")}
_KIND_WORDS = {
    "float_type": "a number", "float_parsing": "a number", "int_type": "a whole number",
    "int_parsing": "a whole number", "int_from_float": "a whole number",
    "string_type": "a text string", "bool_type": "true or false", "bool_parsing": "true or false",
    "list_type": "a list [...]", "tuple_type": "a list [...]", "dict_type": "an object {...}",
    "model_type": "an object {...}", "model_attributes_type": "an object {...}",
}


def _plain(kind: str, pydantic_message: str, value: Any, ctx: Mapping[str, Any]) -> str:
    """One pydantic error as "must be ..." with the value given (pydantic's own message for
    the types not listed)."""
    got = type(value).__name__ if isinstance(value, list | dict) else repr(value)
    if kind == "finite_number":
        return f"{value!r} is not a number: give a finite value (NaN and infinities are refused)"
    if kind in ("too_short", "string_too_short") and ctx.get("min_length") == 1:
        return "must not be empty"
    if kind in _MUST:
        key, words = _MUST[kind]
        limit = ctx.get(key)
        shown = f"{limit:g}" if isinstance(limit, int | float) else str(limit)
        message = f"must be {words} {shown} (got {got})"
        if key in ("le", "lt") and limit == 1 and isinstance(value, int | float) and value > 1:
            message += " (shares are fractions: 0.25 = 25 %)"
        return message
    if kind in _KIND_WORDS:
        return f"must be {_KIND_WORDS[kind]} (got {got})"
    message = pydantic_message.removeprefix("Value error, ")
    if kind.endswith(("_parsing", "_type")) or kind == "literal_error":
        message += f" (got {got})"
    return message

