"""The on-disk screening index (one SQLite file) and screening against it.

Tables: ``lists`` (name, source file, sha256, loaded at, entity count), ``entities``
(one row per listed entity; its names with their normalised forms as JSON),
``names`` (original name and its normalised forms, one row per name and script form),
``keys`` (the inverted index: a token or phonetic key → entity row), ``key_df`` (how
many entities hold each key) and ``decisions``
(:mod:`econsec.screening.decisions`).

Screening (:meth:`SqliteScreeningIndex.screen`) looks the query's keys up (the rarest
key of every name form first, within a budget of :data:`POSTINGS_BUDGET` postings), ranks
entities by the summed inverse frequency of the keys they share with the query, scores
the best :data:`MAX_CANDIDATES` with :func:`econsec.screening.match.score_entity` and
applies reviewer decisions.

The file is ``--index PATH``, else ``ECONSEC_SCREENING_DB``, else ``screening.db`` next
to the default knowledge base (``~/.local/share/econsec/``).
"""

from __future__ import annotations

import hashlib
import json
import math
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from econsec.errors import EconsecError, ValidationError
from econsec.screening import match as _match
from econsec.screening.checks import check_edition, check_list_name, check_query
from econsec.screening.decisions import (
    FALSE_POSITIVE_FACTOR,
    LOCAL_SCOPE,
    Decision,
    Verdict,
    decisions_for,
    ensure_table,
    record_decision,
)
from econsec.screening.entities import ListedEntity, read_entity_file
from econsec.screening.explain import N_, Step, step_notes
from econsec.screening.match import THRESHOLD, Query, ScoredEntity, score_entity
from econsec.screening.names import (
    NORMALISER_VERSION,
    NameForm,
    NormalisedName,
    index_keys,
    normalise_name,
    query_keys,
)
from econsec.settings import default_db_path, env

Progress = Callable[[str, int, int], None]
POSTINGS_BUDGET = 25_000
MAX_CANDIDATES = 40

SCHEMA = """
CREATE TABLE IF NOT EXISTS lists (
    name TEXT PRIMARY KEY, source_file TEXT NOT NULL, sha256 TEXT NOT NULL,
    loaded_at TEXT NOT NULL, entities INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS entities (
    rowid INTEGER PRIMARY KEY, list TEXT NOT NULL, id TEXT NOT NULL, schema TEXT NOT NULL,
    caption TEXT NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS names (
    entity INTEGER NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL, method TEXT NOT NULL,
    form TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS keys (key TEXT NOT NULL, entity INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS key_df (key TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
"""
INDEXES = """
CREATE UNIQUE INDEX IF NOT EXISTS entities_list_id ON entities (list, id);
CREATE INDEX IF NOT EXISTS entities_id ON entities (id);
CREATE INDEX IF NOT EXISTS names_entity ON names (entity);
CREATE INDEX IF NOT EXISTS keys_key ON keys (key, entity);
CREATE INDEX IF NOT EXISTS keys_entity ON keys (entity);
"""


#: Columns added to ``lists`` after its first release (added to older index files on open).
LIST_META = (("edition", "TEXT"), ("publisher", "TEXT"), ("licence", "TEXT"),
             ("list_url", "TEXT"), ("bundled", "TEXT"))
#: An edition older than this many days is flagged on every result.
STALE_AFTER_DAYS = 365
#: Candidates at or above this score (or with a name that alone reaches
#: :data:`~econsec.screening.match.THRESHOLD`) are possible matches to review (the
#: scorer's candidate threshold when it has one).
REVIEW_THRESHOLD: float = getattr(_match, "CANDIDATE_THRESHOLD", 0.7)
#: Verdict words the scorer may append to an explanation; the presenters say the status
#: themselves (a candidate is never shown as "no match").
_VERDICTS = frozenset({"match", "possible match", "no match"})
#: Longest list name.
MAX_LIST_NAME = 100


class NoListLoadedError(EconsecError):
    """Screening was asked for with no list in the index: an empty result would look like
    a clear one. The CLI exits 2, the API answers 409."""

    title = "no screening list loaded"
    status = 409

    def __init__(self) -> None:
        super().__init__(
            "no screening list is loaded, so nothing can be screened (an empty result would "
            "look clear): load one with `econsec lists load --bundled all` or `econsec lists "
            "load FILE`")


@dataclass
class ScreeningSettings:
    """``ECONSEC_SCREENING_DB``: the screening index file (read as the other settings are,
    :func:`econsec.settings.env`)."""

    screening_db: str | None = field(default_factory=lambda: env("SCREENING_DB") or None)

    def index_path(self, override: str | Path | None = None) -> Path:
        if override:
            return Path(override).expanduser()
        if self.screening_db:
            return Path(self.screening_db).expanduser()
        return default_db_path().parent / "screening.db"


@dataclass(frozen=True)
class LoadedList:
    """A list in the index; ``edition`` (ISO date) when known (bundled lists, ``lists load
    --edition``), with the publisher, licence and URL of a bundled list."""

    name: str
    entities: int
    source_file: str
    sha256: str
    loaded_at: str
    edition: str | None = None
    publisher: str | None = None
    licence: str | None = None
    list_url: str | None = None
    bundled: str | None = None

    def to_dict(self) -> dict[str, object]:
        return {"name": self.name, "entities": self.entities, "source_file": self.source_file,
                "sha256": self.sha256, "loaded_at": self.loaded_at, "edition": self.edition,
                "publisher": self.publisher, "licence": self.licence,
                "list_url": self.list_url}

    def age_days(self, today: date | None = None) -> int | None:
        """Days since the edition date (``None`` when the edition is unknown)."""
        if not self.edition:
            return None
        try:
            edition = date.fromisoformat(self.edition[:10])
        except ValueError:
            return None
        return ((today or datetime.now(UTC).date()) - edition).days

    def screened(self, today: date | None = None) -> dict[str, object]:
        """What every screening result says about this list (``lists_screened``)."""
        age = self.age_days(today)
        return {"name": self.name, "entities": self.entities, "loaded_at": self.loaded_at,
                "edition": self.edition, "edition_age_days": age,
                "stale": age is not None and age > STALE_AFTER_DAYS}


class KeyCounts(Mapping[str, int]):
    """``key_df`` of an index as a read-only mapping, read key by key on demand (the
    scorer asks for the few keys of one query and its candidates)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._cache: dict[str, int] = {}

    def _count(self, key: str) -> int:
        n = self._cache.get(key)
        if n is None:
            row = self.conn.execute("SELECT n FROM key_df WHERE key = ?", (key,)).fetchone()
            n = self._cache[key] = int(row[0]) if row else 0
        return n

    def __getitem__(self, key: str) -> int:
        n = self._count(key)
        if not n:
            raise KeyError(key)
        return n

    def get(self, key: str, default: int | None = None) -> int | None:  # type: ignore[override]
        return self._count(key) or default

    def __iter__(self) -> Iterator[str]:
        return (r[0] for r in self.conn.execute("SELECT key FROM key_df"))

    def __len__(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM key_df").fetchone()[0])


def _forms_json(n: NormalisedName) -> list[object]:
    return [[f.method, list(f.tokens)] for f in n.forms]


def _index_rows(rowid: int, entity: ListedEntity, names: list[tuple[object, ...]],
                keys: list[tuple[str, int]]) -> list[NormalisedName]:
    """Append the ``names`` rows (every form of every name) and ``keys`` rows (each index
    key once) of the entity stored as ``rowid``; its names normalised, in order."""
    normalised = [normalise_name(name) for _, name in entity.names]
    found: set[str] = set()
    for (kind, name), n in zip(entity.names, normalised, strict=True):
        names += [(rowid, kind, name, f.method, f.text) for f in n.forms]
        found |= index_keys(name)
    keys += [(k, rowid) for k in found]
    return normalised


def _entity_json(entity: ListedEntity, normalised: list[NormalisedName]) -> str:
    return json.dumps({
        "names": [[kind, n.original, _forms_json(n), list(n.company_forms)]
                  for (kind, _), n in zip(entity.names, normalised, strict=True)],
        "countries": list(entity.countries), "birth_dates": list(entity.birth_dates),
        "datasets": list(entity.datasets), "designated": entity.designation_date,
        "url": entity.source_url}, ensure_ascii=False, separators=(",", ":"))


def _entity_from_row(entity_id: str, schema: str, data: str
                     ) -> tuple[ListedEntity, dict[str, NormalisedName]]:
    doc = json.loads(data)
    names = tuple((kind, name) for kind, name, _, _ in doc["names"])
    normalised = {name: NormalisedName(name, tuple(NameForm(tuple(t), m) for m, t in forms),
                                       tuple(company))
                  for _, name, forms, company in doc["names"]}
    entity = ListedEntity(entity_id, schema, names, tuple(doc["countries"]),
                          tuple(doc["birth_dates"]), tuple(doc["datasets"]),
                          doc.get("designated", ""), doc.get("url", ""))
    return entity, normalised


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class SqliteScreeningIndex:
    """The screening index in one SQLite file (see the module docstring)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(self.path, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.executescript(SCHEMA)
        ensure_table(self.conn)
        have = {r[1] for r in self.conn.execute("PRAGMA table_info(lists)")}
        for column, kind in LIST_META:
            if column not in have:
                self.conn.execute(f"ALTER TABLE lists ADD COLUMN {column} {kind}")
        self._count: int | None = None
        self._reindex_if_stale()

    def _reindex_if_stale(self) -> None:
        """Index the stored names again when they were indexed by another version of the
        name normaliser (:data:`~econsec.screening.names.NORMALISER_VERSION`): their forms
        and keys are derived data, the names themselves are kept."""
        version = int(self.conn.execute("PRAGMA user_version").fetchone()[0])
        if version == NORMALISER_VERSION:
            return
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            if version != NORMALISER_VERSION:
                self._reindex()
                conn.execute(f"PRAGMA user_version = {int(NORMALISER_VERSION)}")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def _reindex(self) -> None:
        conn = self.conn
        rows = conn.execute("SELECT rowid, id, schema, data FROM entities").fetchall()
        conn.execute("DELETE FROM names")
        conn.execute("DELETE FROM keys")
        names: list[tuple[object, ...]] = []
        keys: list[tuple[str, int]] = []
        updates: list[tuple[str, int]] = []
        for rowid, entity_id, schema, data in rows:
            entity, _ = _entity_from_row(entity_id, schema, data)
            normalised = _index_rows(rowid, entity, names, keys)
            updates.append((_entity_json(entity, normalised), rowid))
        conn.executemany("UPDATE entities SET data = ? WHERE rowid = ?", updates)
        conn.executemany("INSERT INTO names VALUES (?, ?, ?, ?, ?)", names)
        conn.executemany("INSERT INTO keys VALUES (?, ?)", keys)
        conn.execute("DELETE FROM key_df")
        conn.execute("INSERT INTO key_df SELECT key, count(*) FROM keys GROUP BY key")

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> SqliteScreeningIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- loading ----------------------------------------------------------------------
    def load_file(self, path: Path, list_name: str | None = None, *,
                  progress: Progress | None = None, edition: str | None = None
                  ) -> LoadedList:
        """Read a list file (all or nothing) and load it as ``list_name`` (default: the
        file's stem), replacing a list of the same name."""
        entities = read_entity_file(path)
        return self.load_entities(entities, list_name or path.stem,
                                  source_file=str(path.resolve()), sha256=file_sha256(path),
                                  progress=progress, meta={"edition": edition})

    def load_entities(self, entities: Iterable[ListedEntity], list_name: str, *,
                      source_file: str = "", sha256: str = "",
                      progress: Progress | None = None, total: int | None = None,
                      batch: int = 20_000, meta: dict[str, str | None] | None = None
                      ) -> LoadedList:
        """Load ``entities`` as list ``list_name`` in one transaction (a list of that name
        is replaced). Bulk ``executemany``; indexes are (re)built after loading.

        No entity at all is refused and leaves a stored list of that name unchanged: an
        empty file must not wipe a list. ``meta`` holds the edition (ISO date), publisher,
        licence, list URL and bundled-list key."""
        list_name = list_name.strip()
        if not list_name:
            raise ValidationError("a list needs a name")
        if len(list_name) > MAX_LIST_NAME:
            raise ValidationError(f"a list name has at most {MAX_LIST_NAME} characters")
        check_list_name(list_name)
        meta = {k: v for k, v in (meta or {}).items() if v}
        if meta.get("edition"):
            meta["edition"] = check_edition(str(meta["edition"]))
        if isinstance(entities, Sequence) and not entities:
            raise _empty(list_name, source_file)
        if total is None and isinstance(entities, Sequence):
            total = len(entities)
        total = total or 0
        conn = self.conn
        step = f"indexing {list_name}"
        conn.execute("BEGIN")
        try:
            first = conn.execute("SELECT max(rowid) FROM entities").fetchone()[0] or 0
            old = [r[0] for r in conn.execute(
                "SELECT rowid FROM entities WHERE list = ?", (list_name,))]
            if old:
                conn.execute("CREATE TEMP TABLE IF NOT EXISTS old_rows (rowid INTEGER "
                             "PRIMARY KEY)")
                conn.execute("DELETE FROM old_rows")
                conn.executemany("INSERT INTO old_rows VALUES (?)", ((r,) for r in old))
                for table in ("keys", "names"):
                    conn.execute(f"DELETE FROM {table} WHERE entity IN "
                                 "(SELECT rowid FROM old_rows)")
                conn.execute("DELETE FROM entities WHERE list = ?", (list_name,))
            else:
                # Bulk path: drop the inverted-index indexes, rebuild them at the end.
                conn.execute("DROP INDEX IF EXISTS keys_key")
                conn.execute("DROP INDEX IF EXISTS keys_entity")
                conn.execute("DROP INDEX IF EXISTS names_entity")
            rows_e: list[tuple[object, ...]] = []
            rows_n: list[tuple[object, ...]] = []
            rows_k: list[tuple[str, int]] = []
            count = 0
            seen: set[str] = set()
            for entity in entities:
                if entity.id in seen:
                    raise ValidationError(f"duplicate entity id {entity.id!r} in list "
                                          f"{list_name!r}")
                seen.add(entity.id)
                count += 1
                rowid = first + count
                normalised = _index_rows(rowid, entity, rows_n, rows_k)
                rows_e.append((rowid, list_name, entity.id, entity.schema, entity.caption,
                               _entity_json(entity, normalised)))
                if len(rows_e) >= batch:
                    self._flush(rows_e, rows_n, rows_k)
                    if progress:
                        progress(step, count, max(total, count))
            self._flush(rows_e, rows_n, rows_k)
            if not count:
                raise _empty(list_name, source_file)
            if progress:
                progress(step, count, max(total, count))
            for statement in INDEXES.strip().split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute("DELETE FROM key_df")
            conn.execute("INSERT INTO key_df SELECT key, count(*) FROM keys GROUP BY key")
            loaded = LoadedList(list_name, count, source_file, sha256,
                                datetime.now(UTC).isoformat(timespec="seconds"),
                                *(meta.get(c) for c, _ in LIST_META))
            conn.execute(
                "INSERT OR REPLACE INTO lists (name, source_file, sha256, loaded_at, entities, "
                + ", ".join(c for c, _ in LIST_META) + ") VALUES (?, ?, ?, ?, ?"
                + ", ?" * len(LIST_META) + ")",
                (loaded.name, loaded.source_file, loaded.sha256, loaded.loaded_at,
                 loaded.entities, *(meta.get(c) for c, _ in LIST_META)))
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        self._count = None
        conn.execute("ANALYZE")
        return loaded

    def _flush(self, rows_e: list[tuple[object, ...]], rows_n: list[tuple[object, ...]],
               rows_k: list[tuple[str, int]]) -> None:
        self.conn.executemany("INSERT INTO entities VALUES (?, ?, ?, ?, ?, ?)", rows_e)
        self.conn.executemany("INSERT INTO names VALUES (?, ?, ?, ?, ?)", rows_n)
        self.conn.executemany("INSERT INTO keys VALUES (?, ?)", rows_k)
        rows_e.clear()
        rows_n.clear()
        rows_k.clear()

    def lists(self) -> list[LoadedList]:
        """The loaded lists, by name."""
        rows = self.conn.execute(
            "SELECT name, entities, source_file, sha256, loaded_at, "
            + ", ".join(c for c, _ in LIST_META) + " FROM lists ORDER BY name")
        return [LoadedList(*r) for r in rows]

    def require_lists(self) -> list[LoadedList]:
        """The loaded lists; none is a :class:`NoListLoadedError` (screening against
        nothing must not look like a clear result)."""
        loaded = [x for x in self.lists() if x.entities]
        if not loaded:
            raise NoListLoadedError()
        return loaded

    def entity_count(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM entities").fetchone()[0])

    # -- screening --------------------------------------------------------------------
    def candidates(self, name: str, *, limit: int = MAX_CANDIDATES) -> list[int]:
        """Entity rows sharing the most informative keys with ``name``, best first.

        Keys are taken form by form, rarest first (the tokens of every form before any
        phonetic key), until :data:`POSTINGS_BUDGET` postings have been read; an entity's
        weight is the summed inverse document frequency of the keys it shares."""
        per_form = query_keys(name)
        wanted = sorted({k for keys in per_form for k in keys})
        if not wanted:
            return []
        placeholders = ",".join("?" * len(wanted))
        df = dict(self.conn.execute(
            f"SELECT key, n FROM key_df WHERE key IN ({placeholders})", wanted).fetchall())
        total = max(self.entity_count_cached(), 1)
        order: list[str] = []
        for prefix in ("t:", "p:"):
            ranked = [sorted((k for k in keys if k.startswith(prefix) and k in df),
                             key=lambda k: df[k]) for keys in per_form]
            for i in range(max((len(r) for r in ranked), default=0)):
                order += [r[i] for r in ranked if i < len(r) and r[i] not in order]
        weights: dict[int, float] = {}
        budget = POSTINGS_BUDGET
        for key in order:
            n = df[key]
            if n > budget and weights:
                continue
            idf = math.log(1 + total / n) * (1.0 if key.startswith("t:") else 0.7)
            for (rowid,) in self.conn.execute(
                    "SELECT entity FROM keys WHERE key = ? LIMIT ?", (key, max(budget, 1))):
                weights[rowid] = weights.get(rowid, 0.0) + idf
            budget -= min(n, budget)
            if budget <= 0:
                break
        ranked_rows = sorted(weights.items(), key=lambda kv: -kv[1])
        return [rowid for rowid, _ in ranked_rows[:limit]]

    def entity_count_cached(self) -> int:
        if self._count is None:
            self._count = self.entity_count()
        return self._count

    def screen(self, query: Query, *, limit: int = 10, threshold: float = THRESHOLD,
               scope: str = LOCAL_SCOPE) -> list[ScoredEntity]:
        """The best ``limit`` entities for ``query``, scored, explained and with the reviewer
        decisions of ``scope`` applied (a false positive is demoted, not hidden; another
        scope's decisions are neither applied nor shown)."""
        query = check_query(query)
        self.require_lists()
        rows = self.candidates(query.name)
        if not rows:
            return []
        placeholders = ",".join("?" * len(rows))
        fetched = self.conn.execute(
            f"SELECT rowid, list, id, schema, data FROM entities "
            f"WHERE rowid IN ({placeholders})", rows).fetchall()
        decisions = decisions_for(self.conn, query.name, scope)
        # Token rarity in the index, when the scorer weighs by it.
        rarity_type = getattr(_match, "Rarity", None)
        extra = ({"rarity": rarity_type(KeyCounts(self.conn), self.entity_count_cached())}
                 if rarity_type is not None else {})
        scored = []
        for _, list_name, entity_id, schema, data in fetched:
            entity, normalised = _entity_from_row(entity_id, schema, data)
            result = score_entity(query, entity, list_name, normalised=normalised, **extra)
            decision = decisions.get(entity_id)
            if decision is not None:
                result.decision = decision.to_dict()
                if decision.decision is Verdict.FALSE_POSITIVE:
                    result.score = round(result.score * FALSE_POSITIVE_FACTOR, 4)
                    result.explanation.append(_decision_step(
                        decision.decided_at, decision.note, FALSE_POSITIVE_FACTOR))
                else:
                    result.explanation.append(_decision_step(decision.decided_at,
                                                             decision.note))
            scored.append(result)
        scored.sort(key=lambda r: (-r.score, r.entity.id))
        return scored[:limit]

    def decide(self, entity_id: str, query: str, decision: str, note: str = "", *,
               by: str | None = None, org: str = "", scope: str = LOCAL_SCOPE) -> Decision:
        """Remember a reviewer's verdict on ``entity_id`` for ``query`` in ``scope``, taken
        by ``by`` of ``org`` (None: the operating-system user)."""
        known = self.conn.execute("SELECT 1 FROM entities WHERE id = ? LIMIT 1",
                                  (entity_id,)).fetchone()
        if not known:
            raise ValidationError(f"no entity {entity_id!r} in the screening index")
        return record_decision(self.conn, query, entity_id, decision, note, by=by, org=org,
                               scope=scope)


def _decision_step(date: str, note: str, factor: float | None = None) -> Step:
    """A reviewer's decision as an explanation step (false positive with ``factor``)."""
    if factor is None:
        if note:
            return Step.of(N_("reviewer decision: match (%(date)s; %(note)s)"),
                           date=date, note=note)
        return Step.of(N_("reviewer decision: match (%(date)s)"), date=date)
    if note:
        return Step.of(N_("reviewer decision: false positive (%(date)s; %(note)s), score "
                          "×%(factor)s"), date=date, note=note, factor=factor)
    return Step.of(N_("reviewer decision: false positive (%(date)s), score ×%(factor)s"),
                   date=date, factor=factor)


def open_index(path: str | Path | None = None) -> SqliteScreeningIndex:
    """Open (or create) the screening index: ``path``, else ``ECONSEC_SCREENING_DB``,
    else ``screening.db`` in the econsec data directory."""
    return SqliteScreeningIndex(ScreeningSettings().index_path(path))


def _empty(list_name: str, source_file: str) -> ValidationError:
    source = f"'{source_file}' holds" if source_file else "the file holds"
    return ValidationError(f"{source} no entities; nothing was loaded and list "
                           f"'{list_name}' is unchanged")


class Status:
    """What a result, or a whole screening, says (the ``status`` members)."""

    MATCH = "match"
    POSSIBLE = "possible_match"
    FALSE_POSITIVE = "false_positive"
    LOW = "low_similarity"
    NONE = "no_match"


def result_status(result: ScoredEntity, threshold: float = THRESHOLD) -> str:
    """``match`` (score at the threshold, or a reviewer confirmed it), ``false_positive``
    (a reviewer said so), ``possible_match`` (score at :data:`REVIEW_THRESHOLD`, or the
    name alone reaches the threshold but a birth date or country differs) or
    ``low_similarity``. Never ``no_match``: a candidate is shown for review."""
    if result.decision:
        if result.decision["decision"] == Verdict.MATCH.value:
            return Status.MATCH
        return Status.FALSE_POSITIVE
    if result.score >= threshold:
        return Status.MATCH
    name_score = getattr(result, "name_score", 0.0) or 0.0
    if result.score >= REVIEW_THRESHOLD or name_score >= threshold:
        return Status.POSSIBLE
    return Status.LOW


def document_status(statuses: Iterable[str]) -> str:
    """The screening's status: the strongest of its results; ``no_match`` only when there
    is no candidate at all."""
    found = set(statuses)
    for status in (Status.MATCH, Status.POSSIBLE, Status.LOW, Status.FALSE_POSITIVE):
        if status in found:
            return Status.LOW if status == Status.FALSE_POSITIVE else status
    return Status.NONE


def result_dict(result: ScoredEntity, threshold: float = THRESHOLD) -> dict[str, object]:
    """The JSON form of one screening result."""
    status = result_status(result, threshold)
    return {"entity_id": result.entity.id, "name": result.entity.caption,
            "matched_name": result.matched_name, "list": result.list_name,
            "schema": result.entity.schema, "score": result.score,
            "match": status == Status.MATCH, "status": status,
            "explanation": "; ".join(e for e in result.explanation if e not in _VERDICTS),
            "explanation_texts": step_notes(result.explanation, _VERDICTS),
            "decision": result.decision,
            "countries": list(result.entity.countries),
            "designation_date": result.entity.designation_date or None,
            "source_url": result.entity.source_url or None}


def lists_screened(loaded: Iterable[LoadedList], today: date | None = None
                   ) -> tuple[list[dict[str, object]], list[str]]:
    """``lists_screened`` (name, entities, load date, edition and its age of every list
    used) and the warnings about editions older than :data:`STALE_AFTER_DAYS` days."""
    screened = [x.screened(today) for x in loaded]
    warnings = [f"list '{x['name']}' is edition {x['edition']}, {x['edition_age_days']} days "
                f"old (older than {STALE_AFTER_DAYS} days): load a newer edition"
                for x in screened if x["stale"]]
    return screened, warnings


def screening_document(index: SqliteScreeningIndex, query: Query, results: list[ScoredEntity],
                       threshold: float = THRESHOLD, *, today: date | None = None
                       ) -> dict[str, object]:
    """``{"query", "status", "matches", "threshold", "lists_screened", "warnings",
    "index"}`` as the CLI prints it (the API leaves out ``index``, a server path)."""
    matches = [result_dict(r, threshold) for r in results]
    screened, warnings = lists_screened(index.require_lists(), today)
    return {"query": query.to_dict(),
            "status": document_status(str(m["status"]) for m in matches),
            "matches": matches, "threshold": threshold,
            "review_threshold": REVIEW_THRESHOLD, "lists_screened": screened,
            "warnings": warnings, "index": str(index.path)}


def load_bundled(index: SqliteScreeningIndex, name: str, *, progress: Progress | None = None,
                 force: bool = True) -> tuple[LoadedList, bool]:
    """Load the bundled list ``name`` (:mod:`econsec.screening.bundled`); with
    ``force=False`` a list already loaded from the same file by the same converter is
    kept. Returns the list and whether it was (re)loaded."""
    from econsec.screening.bundled import CONVERTER_VERSION, bundled_list

    item = bundled_list(name)
    sha = file_sha256(item.path)
    key = f"{sha}:{CONVERTER_VERSION}"
    if not force:
        for loaded in index.lists():
            if loaded.name == item.name and loaded.bundled == key:
                return loaded, False
    loaded = index.load_entities(
        item.entities(), item.name, source_file=f"bundled:{item.file}", sha256=sha,
        progress=progress, meta={"edition": item.edition, "publisher": item.publisher,
                                 "licence": item.licence, "list_url": item.source_url,
                                 "bundled": key})
    return loaded, True
