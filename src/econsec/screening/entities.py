"""Entity lists: FollowTheMoney JSON lines and simple CSV lists, read all or nothing.

FollowTheMoney (FtM) entities look like::

    {"id": "jp-1", "schema": "Company",
     "properties": {"name": ["株式会社東芝"], "alias": ["Toshiba Corporation"],
                    "country": ["jp"]},
     "datasets": ["sample"]}

Only the properties screening uses are kept: ``name``, ``alias``, ``weakAlias``,
``previousName``, ``country`` / ``nationality`` / ``jurisdiction``, ``birthDate`` /
``incorporationDate``, ``startDate`` / ``listingDate`` (designation) and ``sourceUrl``.
CSV lists have the columns ``id,name,aliases,country,birth_date,schema`` and optionally
``designation_date`` and ``source_url`` (``aliases`` and ``country`` separated by ``;``).

Reading is bounded and located: a file larger than :data:`MAX_LIST_BYTES`, a line longer
than :data:`MAX_LINE_BYTES`, a name longer than :data:`MAX_NAME_CHARS`, a blank name, a
name with a control character other than a tab or line break (NUL, ESC, BEL, DEL, C1
controls: they would recolour a terminal or corrupt a report; tabs and line breaks in a
name become spaces), a CSV row with more fields than its header, JSON nested deeper than
:data:`econsec.documents.MAX_DEPTH` or a malformed line raises
:class:`~econsec.errors.DataFormatError` naming the file and the physical line (for a CSV
record that spans lines, the line where it starts) before anything is stored. Lines end at
``\\n`` only (``\\r\\n`` is accepted; U+2028 inside a JSON string is text, not a line end).
"""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from econsec.documents import read_json
from econsec.errors import DataFormatError, Location

#: FtM schemata screening accepts (the legal-entity branch of the FtM model).
SCHEMATA = frozenset({"Person", "Company", "Organization", "LegalEntity", "PublicBody"})
NAME_PROPS = ("name", "alias", "previousName", "weakAlias")
COUNTRY_PROPS = ("country", "nationality", "jurisdiction", "citizenship")
DATE_PROPS = ("birthDate", "incorporationDate")
DESIGNATION_PROPS = ("listingDate", "startDate", "createdAt")
CSV_COLUMNS = ("id", "name")

#: Largest list file read (bytes); larger files are refused before parsing.
MAX_LIST_BYTES = 256 * 1024 * 1024
#: Longest line of a list file (bytes).
MAX_LINE_BYTES = 1024 * 1024
#: Longest name or alias (characters).
MAX_NAME_CHARS = 1000
#: Most names (name and aliases together) of one entity.
MAX_NAMES = 1000
#: Most entities in one list.
MAX_ENTITIES = 2_000_000


@dataclass(frozen=True)
class ListedEntity:
    """One entity of a list: names by kind, countries (ISO codes, lower case), dates, and
    where it comes from (designation date and source URL, when the list gives them)."""

    id: str
    schema: str
    names: tuple[tuple[str, str], ...]  # (kind, name): kind is "name", "alias", ...
    countries: tuple[str, ...] = field(default=())
    birth_dates: tuple[str, ...] = field(default=())
    datasets: tuple[str, ...] = field(default=())
    designation_date: str = ""
    source_url: str = ""

    @property
    def caption(self) -> str:
        """The first primary name (FtM's caption rule, simplified)."""
        for kind, name in self.names:
            if kind == "name":
                return name
        return self.names[0][1] if self.names else self.id


def is_blank(text: str) -> bool:
    """True when ``text`` holds nothing but white space and invisible format characters
    (zero-width space, soft hyphen, byte-order mark …)."""
    return not any(not c.isspace() and unicodedata.category(c) != "Cf" for c in text)


#: Control characters that are white space in a name (a multi-line quoted CSV name).
_LAYOUT = {"\t": " ", "\n": " ", "\r": " ", "\x0b": " ", "\x0c": " "}


def check_name(name: str, where: Location, prop: str = "name") -> str:
    """``name`` stripped, tabs and line breaks made spaces; a blank or overlong name, or one
    with any other C0/C1 control character (NUL, ESC, BEL, DEL …), is a located
    :class:`DataFormatError`."""
    for position, char in enumerate(name, start=1):
        if unicodedata.category(char) == "Cc" and char not in _LAYOUT:
            raise DataFormatError(f"{prop} contains the control character U+{ord(char):04X} "
                                  f"at position {position}", location=where)
    if not name.isprintable():
        name = "".join(_LAYOUT.get(c, c) for c in name)
    if is_blank(name):
        raise DataFormatError(f"{prop} is blank (only spaces or invisible characters)",
                              location=where)
    if len(name) > MAX_NAME_CHARS:
        raise DataFormatError(f"{prop} has {len(name):,} characters, more than the limit of "
                              f"{MAX_NAME_CHARS:,}", location=where)
    return name.strip()


def check_names(names: tuple[tuple[str, str], ...], entity_id: str, where: Location) -> None:
    if not names:
        raise DataFormatError(f"entity {entity_id!r} has no name", location=where)
    if len(names) > MAX_NAMES:
        raise DataFormatError(f"entity {entity_id!r} has {len(names):,} names, more than the "
                              f"limit of {MAX_NAMES:,}", location=where)


def _strings(value: object, *, where: Location, prop: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise DataFormatError(f"property '{prop}' must be a list of strings", location=where)


def entity_from_ftm(doc: object, where: Location) -> ListedEntity:
    """A :class:`ListedEntity` from one parsed FtM JSON object (validated)."""
    if not isinstance(doc, dict):
        raise DataFormatError("expected a JSON object", location=where)
    entity_id = doc.get("id")
    schema = doc.get("schema")
    props = doc.get("properties", {})
    if not isinstance(entity_id, str) or not entity_id.strip():
        raise DataFormatError("missing 'id'", location=where)
    if len(entity_id) > MAX_NAME_CHARS:
        raise DataFormatError(f"id longer than {MAX_NAME_CHARS:,} characters", location=where)
    if schema not in SCHEMATA:
        raise DataFormatError(
            f"schema {schema!r} is not one of {', '.join(sorted(SCHEMATA))}", location=where)
    if not isinstance(props, dict):
        raise DataFormatError("'properties' must be an object", location=where)
    names = tuple(
        (p, check_name(n, Location(where.file, where.line, f"properties.{p}"), f"'{p}' value"))
        for p in NAME_PROPS for n in _strings(props.get(p), where=where, prop=p))
    check_names(names, entity_id, where)
    countries = tuple(dict.fromkeys(
        c.strip().lower() for p in COUNTRY_PROPS
        for c in _strings(props.get(p), where=where, prop=p) if c.strip()))
    dates = tuple(d.strip() for p in DATE_PROPS
                  for d in _strings(props.get(p), where=where, prop=p) if d.strip())
    designated = [d.strip() for p in DESIGNATION_PROPS
                  for d in _strings(props.get(p), where=where, prop=p) if d.strip()]
    urls = [u.strip() for u in _strings(props.get("sourceUrl"), where=where, prop="sourceUrl")]
    datasets = tuple(_strings(doc.get("datasets"), where=where, prop="datasets"))
    return ListedEntity(entity_id, str(schema), names, countries, dates, datasets,
                        min(designated, default="")[:10], next(iter(urls), ""))


def physical_lines(path: Path) -> Iterator[tuple[int, str]]:
    """``(line number, text)`` of every line of ``path``, split at ``\\n`` only, decoded as
    UTF-8 (a leading byte-order mark is dropped), each with its line end; bounded by
    :data:`MAX_LIST_BYTES` and :data:`MAX_LINE_BYTES`."""
    file = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_LIST_BYTES:
            raise DataFormatError(
                f"list file of {size:,} bytes is larger than the limit of "
                f"{MAX_LIST_BYTES:,} bytes; split it", location=Location(file))
        handle = path.open("rb")
    except OSError as exc:
        raise DataFormatError(f"cannot read: {exc.strerror}", location=Location(file)) from None
    with handle:
        number = 0
        while True:
            raw = handle.readline(MAX_LINE_BYTES + 1)
            if not raw:
                return
            number += 1
            if len(raw) > MAX_LINE_BYTES:
                raise DataFormatError(f"line longer than {MAX_LINE_BYTES:,} bytes; refused",
                                      location=Location(file, number))
            if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            try:
                yield number, raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise DataFormatError(f"not UTF-8: {exc.reason} (byte {exc.start + 1})",
                                      location=Location(file, number)) from None


def _count(n: int, where: Location) -> None:
    if n > MAX_ENTITIES:
        raise DataFormatError(f"more than {MAX_ENTITIES:,} entities in one list; split it",
                              location=where)


def read_ftm_jsonl(path: Path) -> list[ListedEntity]:
    """All entities of an FtM JSON-lines file; the first malformed line raises
    :class:`DataFormatError` (with its 1-based line number) and nothing is returned."""
    entities = []
    seen: set[str] = set()
    file = str(path)
    for number, line in physical_lines(path):
        where = Location(file, number)
        text = line.rstrip("\r\n")
        if not text.strip():
            continue
        doc = read_json(text, file=file, line=number)
        entity = entity_from_ftm(doc, where)
        if entity.id in seen:
            raise DataFormatError(f"duplicate id {entity.id!r}", location=where)
        seen.add(entity.id)
        entities.append(entity)
        _count(len(entities), where)
    return entities


def csv_records(path: Path, required: tuple[str, ...] = ()
                ) -> Iterator[tuple[int, dict[str, str]]]:
    """``(line, row)`` of every record of a CSV file with a header: ``line`` is the
    physical line where the record starts; cells are stripped; a record with more fields
    than the header, a NUL byte or an overlong field is a located error."""
    file = str(path)
    current = 0

    def feed() -> Iterator[str]:
        nonlocal current
        for number, text in physical_lines(path):
            current = number
            yield text

    reader = csv.reader(feed())
    start = 1
    try:
        header = next(reader, None)
        if header is None:
            raise DataFormatError("empty file (no header line)", location=Location(file, 1))
        columns = [h.strip() for h in header]
        missing = [c for c in required if c not in columns]
        if missing:
            raise DataFormatError(f"missing column(s) {', '.join(missing)}",
                                  location=Location(file, 1))
        while True:
            start = current + 1
            row = next(reader, None)
            if row is None:
                return
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            if len(row) > len(columns):
                raise DataFormatError(
                    f"{len(row)} fields, but the header has {len(columns)} (a comma in an "
                    "unquoted name?)", location=Location(file, start))
            yield start, {c: (row[i].strip() if i < len(row) else "")
                          for i, c in enumerate(columns)}
    except csv.Error as exc:
        raise DataFormatError(f"malformed CSV: {exc}", location=Location(file, start)) from None


def read_csv_list(path: Path) -> list[ListedEntity]:
    """Entities of a CSV list (``id,name,aliases,country,birth_date,schema``; only ``id``
    and ``name`` are required; ``aliases`` and ``country`` separated by ``;``)."""
    file = str(path)
    entities = []
    seen: set[str] = set()
    for number, row in csv_records(path, CSV_COLUMNS):
        where = Location(file, number)
        if not row.get("id"):
            raise DataFormatError("empty id", location=Location(file, number, "id"))
        name = check_name(row.get("name", ""), Location(file, number, "name"))
        if row["id"] in seen:
            raise DataFormatError(f"duplicate id {row['id']!r}", location=where)
        seen.add(row["id"])
        schema = row.get("schema") or "LegalEntity"
        if schema not in SCHEMATA:
            raise DataFormatError(f"schema {schema!r} is not one of "
                                  f"{', '.join(sorted(SCHEMATA))}",
                                  location=Location(file, number, "schema"))
        aliases = [check_name(a, Location(file, number, "aliases"), "alias")
                   for a in row.get("aliases", "").split(";") if a.strip()]
        names = (("name", name), *(("alias", a) for a in aliases))
        check_names(names, row["id"], where)
        countries = tuple(c.strip().lower() for c in row.get("country", "").split(";")
                          if c.strip())
        dates = (row["birth_date"],) if row.get("birth_date") else ()
        entities.append(ListedEntity(row["id"], schema, names, countries, dates, (),
                                     row.get("designation_date", ""),
                                     row.get("source_url", "")))
        _count(len(entities), where)
    return entities


def read_entity_file(path: Path) -> list[ListedEntity]:
    """Read a list file by its suffix: ``.csv`` is a CSV list, anything else FtM JSONL."""
    if path.suffix.lower() == ".csv":
        return read_csv_list(path)
    return read_ftm_jsonl(path)
