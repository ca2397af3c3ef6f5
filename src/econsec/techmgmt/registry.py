"""Designated technologies (重要管理対象技術) as versioned data, never code.

A *list* is one YAML file (schema below, validated with pydantic; an unknown key or a bad
value is a :class:`~econsec.errors.DataFormatError` naming file and line). econsec bundles
``data/techmgmt/designated_technologies.yaml`` (METI Notice No. 178 of 2024, in force
2024-12-30, plus 2025 additions marked ``sourced: false`` where no citable source was
found); users load newer lists with ``econsec tech load FILE`` (kept in the knowledge base,
see :mod:`econsec.techmgmt.store`).

Which list answers a question: :meth:`Registry.current_list` takes, among the lists whose
``list.notice_date`` is on or before the date asked about (or all lists when no date is
given), the one with the latest notice date (ties: the later-loaded list). Within that
list, :meth:`Registry.designated` returns the entries whose ``effective_date`` is on or
before the date; entries without dates (unconfirmed) are listed only when no date is asked.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from econsec.datasets._csv import data_dir
from econsec.documents import line_of, read_yaml
from econsec.errors import DataFormatError, Location, UnknownNameError
from econsec.suggest import close_matches, fold_name
from econsec.techmgmt.limits import outside_window
from econsec.techmgmt.yamlfile import read_text_file, validate

BUNDLED_FILE = "techmgmt/designated_technologies.yaml"

_ID = r"^[a-z0-9][a-z0-9-]*$"
#: Length bounds of a list's texts (a list is a short legal text, not a data dump).
Id = Annotated[str, Field(pattern=_ID, max_length=100)]
Name = Annotated[str, Field(max_length=500)]
Text = Annotated[str, Field(max_length=5000)]
MAX_TECHNOLOGIES = 5000


class UnknownTechnologyError(UnknownNameError):
    kind = "technology"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceRef(_Strict):
    """A citable source: title, publisher, URL and its date."""

    title: Name
    publisher: Name
    url: Annotated[str, Field(max_length=2000)] = ""
    date: dt.date | None = None


class ListHeader(_Strict):
    """The list as a whole: its id, version and the notice it transcribes."""

    id: Id
    version: Annotated[str, Field(max_length=100)]
    title: Name
    title_ja: Name = ""
    publisher: Name
    notice_date: dt.date
    note: Text = ""


class Technology(_Strict):
    """One designated technology of a list."""

    id: Id
    name_en: Name
    name_ja: Name
    description: Text = ""
    category: Annotated[str, Field(max_length=100)] = ""
    related_items: Annotated[tuple[Annotated[str, Field(max_length=200)], ...],
                             Field(max_length=200)] = ()
    hs_codes: Annotated[tuple[Annotated[str, Field(pattern=r"^\d{2}(\d{2}){0,2}$")], ...],
                        Field(max_length=200)] = ()
    source: Annotated[str, Field(max_length=100)] | None = None
    notice_date: dt.date | None = None
    effective_date: dt.date | None = None
    sourced: bool
    note: Text = ""

    @model_validator(mode="after")
    def _sourced_needs_source_and_dates(self) -> Technology:
        if self.sourced and (self.source is None or self.notice_date is None
                             or self.effective_date is None):
            raise ValueError("a sourced entry needs source, notice_date and effective_date")
        if not self.sourced and not self.note:
            raise ValueError("an unsourced entry needs a note saying what is unknown")
        if (self.notice_date and self.effective_date
                and self.effective_date < self.notice_date):
            raise ValueError("effective_date is before notice_date")
        return self


class TechnologyListFile(_Strict):
    """The schema of a designated-technology YAML file."""

    list: ListHeader
    sources: Annotated[dict[str, SourceRef], Field(max_length=1000)] = Field(
        default_factory=dict)
    technologies: Annotated[tuple[Technology, ...], Field(max_length=MAX_TECHNOLOGIES)]


@dataclass(frozen=True)
class TechnologyList:
    """A validated list plus where it came from (``origin``: ``bundled`` or a loaded file)."""

    header: ListHeader
    sources: dict[str, SourceRef]
    technologies: tuple[Technology, ...]
    origin: str = "bundled"
    sha256: str = ""
    text: str = field(default="", repr=False)

    @property
    def key(self) -> str:
        return f"{self.header.id}@{self.header.version}"

    def source_of(self, tech: Technology) -> SourceRef | None:
        return self.sources.get(tech.source) if tech.source else None

    def as_dict(self) -> dict[str, Any]:
        h = self.header
        return {"id": h.id, "version": h.version, "title": h.title, "title_ja": h.title_ja,
                "publisher": h.publisher, "notice_date": h.notice_date.isoformat(),
                "note": h.note, "origin": self.origin, "sha256": self.sha256,
                "technologies": len(self.technologies)}


def parse_technology_list(text: str, file: str, *, origin: str = "bundled") -> TechnologyList:
    """Validate the YAML ``text`` of a list; errors name ``file`` and the line.

    Checks beyond the schema: ids unique; every ``source`` key defined under ``sources``;
    no entry's notice date later than the list's notice date; every date between 1950-01-01
    and ten years from today (:mod:`econsec.techmgmt.limits`).
    """
    data, lines = read_yaml(text, file=file)
    parsed = validate(TechnologyListFile, data, lines, file)
    _check_dates(parsed, lines, file)
    seen: set[str] = set()
    for index, tech in enumerate(parsed.technologies):
        where = Location(file, line_of(lines, ("technologies", index, "id")))
        if tech.id in seen:
            raise DataFormatError(f"duplicate technology id '{tech.id}'", location=where)
        seen.add(tech.id)
        if tech.source is not None and tech.source not in parsed.sources:
            raise DataFormatError(
                f"technology '{tech.id}' cites undefined source '{tech.source}' (defined: "
                f"{', '.join(sorted(parsed.sources)) or 'none'})",
                location=Location(file, line_of(lines, ("technologies", index, "source"))))
        if tech.notice_date and tech.notice_date > parsed.list.notice_date:
            raise DataFormatError(
                f"technology '{tech.id}' has a notice date after the list's "
                f"({parsed.list.notice_date})",
                location=Location(file, line_of(lines, ("technologies", index, "notice_date"))))
    return TechnologyList(parsed.list, dict(parsed.sources), parsed.technologies, origin,
                          hashlib.sha256(text.encode()).hexdigest(), text)


def _check_dates(parsed: TechnologyListFile, lines: dict[tuple[Any, ...], int],
                 file: str) -> None:
    today = dt.date.today()
    dated: list[tuple[tuple[Any, ...], dt.date | None]] = [
        (("list", "notice_date"), parsed.list.notice_date)]
    for key, src in parsed.sources.items():
        dated.append((("sources", key, "date"), src.date))
    for index, tech in enumerate(parsed.technologies):
        dated += [(("technologies", index, "notice_date"), tech.notice_date),
                  (("technologies", index, "effective_date"), tech.effective_date)]
    for path, when in dated:
        problem = outside_window(when, today) if when is not None else None
        if problem is not None:
            field_name = ".".join(str(p) for p in path)
            raise DataFormatError(f"{field_name}: {problem}",
                                  location=Location(file, line_of(lines, path)))


def load_technology_list(path: Path) -> TechnologyList:
    """Read (bounded, UTF-8) and validate a list file (see :func:`parse_technology_list`)."""
    return parse_technology_list(read_text_file(path), str(path), origin=str(path))


@cache
def bundled_list() -> TechnologyList:
    """The list econsec ships (``data/techmgmt/designated_technologies.yaml``)."""
    path = data_dir() / BUNDLED_FILE
    return parse_technology_list(path.read_text(encoding="utf-8"),
                                 f"econsec/data/{BUNDLED_FILE}")


@dataclass(frozen=True)
class Designation:
    """A technology as designated by one list."""

    technology: Technology
    list: TechnologyList

    @property
    def source(self) -> SourceRef | None:
        return self.list.source_of(self.technology)

    def as_dict(self) -> dict[str, Any]:
        t, s = self.technology, self.source
        return {
            "id": t.id, "name_en": t.name_en, "name_ja": t.name_ja,
            "description": t.description, "category": t.category,
            "related_items": list(t.related_items), "hs_codes": list(t.hs_codes),
            "notice_date": t.notice_date.isoformat() if t.notice_date else None,
            "effective_date": t.effective_date.isoformat() if t.effective_date else None,
            "sourced": t.sourced, "note": t.note,
            "source": s.model_dump(mode="json") if s else None,
            "list": self.list.key,
        }


class Registry:
    """Every known list; answers "what is designated (on a date)" from the newest list."""

    def __init__(self, lists: list[TechnologyList] | tuple[TechnologyList, ...]) -> None:
        if not lists:
            raise ValueError("a registry needs at least one list")
        self.lists = tuple(lists)

    def current_list(self, as_of: dt.date | None = None) -> TechnologyList:
        """The newest list (by notice date) published on or before ``as_of``."""
        candidates = [(lst.header.notice_date, i, lst) for i, lst in enumerate(self.lists)
                      if as_of is None or lst.header.notice_date <= as_of]
        if not candidates:
            earliest = min(lst.header.notice_date for lst in self.lists)
            raise DataFormatError(f"no designated-technology list was published on or "
                                  f"before {as_of} (the earliest is of {earliest})")
        return max(candidates, key=lambda c: (c[0], c[1]))[2]

    def designated(self, as_of: dt.date | None = None) -> list[Designation]:
        """Technologies designated on ``as_of`` (None: everything the newest list names)."""
        try:
            lst = self.current_list(as_of)
        except DataFormatError:
            return []
        return [Designation(t, lst) for t in lst.technologies
                if as_of is None or (t.effective_date is not None and t.effective_date <= as_of)]

    def find(self, tech_id: str, as_of: dt.date | None = None) -> Designation | None:
        """The designation of ``tech_id`` on ``as_of``, or None when it is not designated."""
        for d in self.designated(as_of):
            if d.technology.id == tech_id:
                return d
        return None

    def resolve(self, name: str) -> Technology:
        """The technology with id (or English/Japanese name) ``name`` in any list, newest
        list first; :class:`UnknownTechnologyError` with close ids otherwise."""
        key = fold_name(name)
        for lst in sorted(self.lists, key=lambda x: x.header.notice_date, reverse=True):
            for t in lst.technologies:
                if key in (fold_name(t.id), fold_name(t.name_en), fold_name(t.name_ja)):
                    return t
        labels: dict[str, str] = {}
        for lst in self.lists:
            for t in lst.technologies:
                for label in (t.id, t.name_en, t.name_ja):
                    labels[label] = t.id
        raise UnknownTechnologyError(name, close_matches(name, labels))
