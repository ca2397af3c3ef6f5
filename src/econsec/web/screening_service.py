"""The app's restricted-party screening index as a service, shared by the screening page
and ``/api/v1/screening``: :func:`screening_service` gives the app's
:class:`ScreeningService` (the index file ``ECONSEC_SCREENING_DB`` names, else the CLI's
default), created on first use. SQLite connections are not shared between threads, so each
request opens its own connection to that file; loads are serialised by a lock. Documents
match the CLI's ``--format json`` without the server's file paths.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from econsec.access.actor import Actor
from econsec.errors import ValidationError
from econsec.screening.checks import CountryResolver, check_query
from econsec.screening.decisions import LOCAL_SCOPE
from econsec.screening.entities import read_entity_file
from econsec.screening.index import (
    ScreeningSettings,
    SqliteScreeningIndex,
    file_sha256,
    lists_screened,
    screening_document,
)
from econsec.screening.match import Query as ScreeningQuery
from econsec.web.common import service
from econsec.web.state import WebState

#: Suffixes of the list files read (``.csv`` is a CSV list, the rest FtM JSONL).
LIST_SUFFIXES = (".jsonl", ".ndjson", ".json", ".csv")


@dataclass
class ScreeningService:
    """The screening index file of the app; :meth:`open` gives a per-request connection."""

    path: Path
    write_lock: threading.Lock = field(default_factory=threading.Lock)
    #: How a query's country is read (code, name or alias → ISO alpha-3): the app's
    #: knowledge base (:meth:`econsec.kb.store.Store.resolve_country`); None (a service
    #: made without a knowledge base): the bundled spellings.
    resolve_country: CountryResolver | None = None

    @classmethod
    def from_settings(cls, override: str | Path | None = None, *,
                      resolve_country: CountryResolver | None = None
                      ) -> ScreeningService:
        """``override``, else ``ECONSEC_SCREENING_DB``, else the CLI's default path."""
        return cls(ScreeningSettings().index_path(override), resolve_country=resolve_country)

    @contextmanager
    def open(self) -> Iterator[SqliteScreeningIndex]:
        with SqliteScreeningIndex(self.path) as index:
            yield index

    def lists_document(self) -> dict[str, Any]:
        """As ``econsec lists --format json`` without server paths."""
        with self.open() as index:
            loaded = index.lists()
        _, warnings = lists_screened(loaded)
        return {"lists": [{**public_list(x.to_dict()), "edition_age_days": x.age_days()}
                          for x in loaded], "warnings": warnings}

    def screen_document(self, name: str, country: str | None = None,
                        birth_date: str | None = None, limit: int = 10, *,
                        scope: str = LOCAL_SCOPE) -> dict[str, Any]:
        """As ``econsec screen NAME --format json`` without the index path, with the
        decisions of ``scope`` (:func:`decision_scope`); no list loaded is a
        :class:`~econsec.screening.index.NoListLoadedError`."""
        query = check_query(ScreeningQuery(name, country or None, birth_date or None),
                            resolve_country=self.resolve_country or _bundled_spellings)
        with self.open() as index:
            doc = screening_document(index, query,
                                     index.screen(query, limit=limit, scope=scope))
        doc.pop("index", None)
        return doc

    def load(self, path: Path, list_name: str | None, source_name: str,
             edition: str | None = None) -> dict[str, Any]:
        """Load the list file ``path`` (all or nothing) as ``list_name`` (default: the
        stem of ``source_name``); as ``econsec lists load --format json``."""
        if not source_name.lower().endswith(LIST_SUFFIXES):
            raise ValidationError(f"unsupported list file '{source_name}': upload FtM JSON "
                                  "lines (.jsonl, .json) or a CSV list (.csv)")
        name = (list_name or "").strip() or Path(source_name).stem
        entities = read_entity_file(path)
        with self.write_lock, self.open() as index:
            loaded = index.load_entities(entities, name, source_file=source_name,
                                         sha256=file_sha256(path),
                                         meta={"edition": edition or None})
            return public_list(loaded.to_dict())

    def decide(self, entity_id: str, query: str, decision: str, note: str = "", *,
               by: str | None = None, org: str = "", scope: str = LOCAL_SCOPE
               ) -> dict[str, str]:
        """As ``econsec screen decide … --format json``, taken by ``by`` of ``org`` (None:
        the operating-system user, as in single-user local mode), for the screenings of
        ``scope``."""
        with self.write_lock, self.open() as index:
            return index.decide(entity_id, query, decision, note, by=by, org=org,
                                scope=scope).to_dict()


def reviewer(actor: Actor) -> tuple[str | None, str]:
    """Who takes a decision: the signed-in user and their organisation; the
    operating-system user (None) in single-user local mode."""
    if actor.local:
        return None, ""
    return actor.name, actor.org_name


def decision_scope(actor: Actor) -> str:
    """Whose reviewer decisions ``actor`` records and sees applied: their organisation's
    (by id, so a renamed organisation keeps them), their own when they have none, the
    local operator's (shared with the command line) in single-user local mode."""
    if actor.local:
        return LOCAL_SCOPE
    if actor.org_id is not None:
        return f"org:{actor.org_id}"
    return f"user:{actor.user_id if actor.user_id is not None else actor.name}"


def public_list(doc: dict[str, Any]) -> dict[str, Any]:
    """A list's document with its source file reduced to the file name (no server path)."""
    source = str(doc.get("source_file") or "")
    if not source.startswith("bundled:"):
        source = source.replace("\\", "/").rsplit("/", 1)[-1]
    return {**doc, "source_file": source}


def screening_service(state: WebState) -> ScreeningService:
    """The app's :class:`ScreeningService` (a test may put its own in ``state.services``)."""
    return service(state, "screening", lambda: ScreeningService.from_settings(
        resolve_country=getattr(state.store, "resolve_country", None)))


def _bundled_spellings(name: str, **location: Any) -> str:
    from econsec.datasets.countries import resolve_country

    return resolve_country(name, **location)
