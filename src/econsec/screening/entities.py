"""Entity lists: FollowTheMoney JSON lines and simple CSV lists, read all or nothing.

FollowTheMoney (FtM) entities look like::

    {"id": "jp-1", "schema": "Company",
     "properties": {"name": ["株式会社東芝"], "alias": ["Toshiba Corporation"],
                    "country": ["jp"]},
     "datasets": ["sample"]}

Only the properties screening uses are kept: ``name``, ``alias``, ``weakAlias``,
``previousName``, ``country`` / ``nationality`` / ``jurisdiction``, ``birthDate`` /
``incorporationDate``. CSV lists have the columns ``id,name,aliases,country,birth_date,
schema`` (``aliases`` separated by ``;``). A malformed line raises
:class:`~econsec.errors.DataFormatError` with its line number before anything is stored.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from econsec.errors import DataFormatError, Location

#: FtM schemata screening accepts (the legal-entity branch of the FtM model).
SCHEMATA = frozenset({"Person", "Company", "Organization", "LegalEntity", "PublicBody"})
NAME_PROPS = ("name", "alias", "previousName", "weakAlias")
COUNTRY_PROPS = ("country", "nationality", "jurisdiction", "citizenship")
DATE_PROPS = ("birthDate", "incorporationDate")
CSV_COLUMNS = ("id", "name")


@dataclass(frozen=True)
class ListedEntity:
    """One entity of a list: names by kind, countries (ISO codes, lower case), dates."""

    id: str
    schema: str
    names: tuple[tuple[str, str], ...]  # (kind, name): kind is "name", "alias", ...
    countries: tuple[str, ...] = field(default=())
    birth_dates: tuple[str, ...] = field(default=())
    datasets: tuple[str, ...] = field(default=())

    @property
    def caption(self) -> str:
        """The first primary name (FtM's caption rule, simplified)."""
        for kind, name in self.names:
            if kind == "name":
                return name
        return self.names[0][1] if self.names else self.id


def _strings(value: object, *, where: Location, prop: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [v for v in value if v.strip()]
    raise DataFormatError(f"property '{prop}' must be a list of strings", location=where)


def entity_from_ftm(doc: object, where: Location) -> ListedEntity:
    """A :class:`ListedEntity` from one parsed FtM JSON object (validated)."""
    if not isinstance(doc, dict):
        raise DataFormatError("expected a JSON object", location=where)
    entity_id = doc.get("id")
    schema = doc.get("schema")
    props = doc.get("properties", {})
    if not isinstance(entity_id, str) or not entity_id:
        raise DataFormatError("missing 'id'", location=where)
    if schema not in SCHEMATA:
        raise DataFormatError(
            f"schema {schema!r} is not one of {', '.join(sorted(SCHEMATA))}", location=where)
    if not isinstance(props, dict):
        raise DataFormatError("'properties' must be an object", location=where)
    names = tuple((p, n) for p in NAME_PROPS for n in _strings(props.get(p), where=where, prop=p))
    if not names:
        raise DataFormatError(f"entity {entity_id!r} has no name", location=where)
    countries = tuple(dict.fromkeys(
        c.lower() for p in COUNTRY_PROPS for c in _strings(props.get(p), where=where, prop=p)))
    dates = tuple(d for p in DATE_PROPS for d in _strings(props.get(p), where=where, prop=p))
    datasets = tuple(_strings(doc.get("datasets"), where=where, prop="datasets"))
    return ListedEntity(entity_id, str(schema), names, countries, dates, datasets)


def read_ftm_jsonl(path: Path) -> list[ListedEntity]:
    """All entities of an FtM JSON-lines file; the first malformed line raises
    :class:`DataFormatError` (with its 1-based line number) and nothing is returned."""
    entities = []
    seen: set[str] = set()
    for number, line in _lines(path):
        where = Location(str(path), number)
        if not line.strip():
            continue
        try:
            doc = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DataFormatError(f"invalid JSON: {exc.msg} (column {exc.colno})",
                                  location=where) from None
        entity = entity_from_ftm(doc, where)
        if entity.id in seen:
            raise DataFormatError(f"duplicate id {entity.id!r}", location=where)
        seen.add(entity.id)
        entities.append(entity)
    return entities


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataFormatError(f"not UTF-8: {exc.reason}", location=Location(str(path))) from None
    except OSError as exc:
        raise DataFormatError(f"cannot read: {exc.strerror}", location=Location(str(path))
                              ) from None
    yield from enumerate(text.splitlines(), start=1)


def read_csv_list(path: Path) -> list[ListedEntity]:
    """Entities of a CSV list (``id,name,aliases,country,birth_date,schema``; only ``id``
    and ``name`` are required; ``aliases`` and ``country`` separated by ``;``)."""
    text = "\n".join(line for _, line in _lines(path))
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in CSV_COLUMNS if c not in header]
    if missing:
        raise DataFormatError(f"missing column(s) {', '.join(missing)}",
                              location=Location(str(path), 1))
    entities = []
    seen: set[str] = set()
    for number, row in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
        where = Location(str(path), number)
        if not row.get("id"):
            raise DataFormatError("empty id", location=Location(str(path), number, "id"))
        if not row.get("name"):
            raise DataFormatError("empty name", location=Location(str(path), number, "name"))
        if row["id"] in seen:
            raise DataFormatError(f"duplicate id {row['id']!r}", location=where)
        seen.add(row["id"])
        schema = row.get("schema") or "LegalEntity"
        if schema not in SCHEMATA:
            raise DataFormatError(f"schema {schema!r} is not one of "
                                  f"{', '.join(sorted(SCHEMATA))}",
                                  location=Location(str(path), number, "schema"))
        aliases = [a.strip() for a in row.get("aliases", "").split(";") if a.strip()]
        names = (("name", row["name"]), *(("alias", a) for a in aliases))
        countries = tuple(c.strip().lower() for c in row.get("country", "").split(";")
                          if c.strip())
        dates = (row["birth_date"],) if row.get("birth_date") else ()
        entities.append(ListedEntity(row["id"], schema, names, countries, dates))
    return entities


def read_entity_file(path: Path) -> list[ListedEntity]:
    """Read a list file by its suffix: ``.csv`` is a CSV list, anything else FtM JSONL."""
    if path.suffix.lower() == ".csv":
        return read_csv_list(path)
    return read_ftm_jsonl(path)
