"""Reviewer decisions: a query (by its normalised key) and an entity judged a match or a
false positive, remembered for the next screening of the same query.

A false positive stays in the results (never hidden) but its score is multiplied by
:data:`FALSE_POSITIVE_FACTOR` and it is no longer a match; a confirmed match is always a
match. Both show the decision, its note, when it was taken and who took it (the signed-in
user and their organisation; in single-user local mode and on the command line, the
operating-system user). Decisions taken before reviewers were recorded show none.
"""

from __future__ import annotations

import getpass
import sqlite3
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from enum import StrEnum

from econsec.errors import ValidationError
from econsec.screening.names import query_key

FALSE_POSITIVE_FACTOR = 0.5

DDL = """
CREATE TABLE IF NOT EXISTS decisions (
    query_key TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    decision TEXT NOT NULL CHECK (decision IN ('match', 'false_positive')),
    query TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    decided_at TEXT NOT NULL,
    decided_by TEXT NOT NULL DEFAULT '',
    decided_org TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (query_key, entity_id)
)
"""
#: Columns added after the table was first made (an index built before gains them).
_ADDED = (("decided_by", "TEXT NOT NULL DEFAULT ''"), ("decided_org", "TEXT NOT NULL DEFAULT ''"))


class Verdict(StrEnum):
    MATCH = "match"
    FALSE_POSITIVE = "false_positive"


@dataclass(frozen=True)
class Decision:
    """A reviewer's verdict on one (query, entity) pair."""

    query_key: str
    entity_id: str
    decision: Verdict
    query: str
    note: str
    decided_at: str
    #: Who took it: the user's name (or the operating-system user), and their organisation.
    decided_by: str = ""
    decided_org: str = ""

    def to_dict(self) -> dict[str, str]:
        return {k: str(v) for k, v in asdict(self).items()}


def local_reviewer() -> str:
    """The operating-system user: the reviewer of single-user local mode and the CLI."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for the uid (a container)
        return ""


def ensure_table(conn: sqlite3.Connection) -> None:
    """The decisions table, with the reviewer columns (added to an older index)."""
    conn.execute(DDL)
    have = {row[1] for row in conn.execute("PRAGMA table_info(decisions)")}
    for column, kind in _ADDED:
        if column not in have:
            conn.execute(f"ALTER TABLE decisions ADD COLUMN {column} {kind}")


def record_decision(conn: sqlite3.Connection, query: str, entity_id: str, decision: str,
                    note: str = "", *, now: datetime | None = None, by: str | None = None,
                    org: str = "") -> Decision:
    """Store (or replace) the verdict on ``entity_id`` for the normalised ``query``, taken
    by ``by`` of organisation ``org`` (``by`` None: the operating-system user)."""
    try:
        verdict = Verdict(decision)
    except ValueError:
        raise ValidationError(f"decision must be 'match' or 'false_positive', not "
                              f"{decision!r}") from None
    when = (now or datetime.now(UTC)).isoformat(timespec="seconds")
    reviewer = local_reviewer() if by is None else by
    item = Decision(query_key(query), entity_id, verdict, query, note, when,
                    reviewer[:200], org[:200])
    ensure_table(conn)
    conn.execute(
        "INSERT OR REPLACE INTO decisions (query_key, entity_id, decision, query, note, "
        "decided_at, decided_by, decided_org) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (item.query_key, item.entity_id, item.decision.value, item.query, item.note,
         item.decided_at, item.decided_by, item.decided_org))
    conn.commit()
    return item


def decisions_for(conn: sqlite3.Connection, query: str) -> dict[str, Decision]:
    """Verdicts taken on the normalised ``query``, by entity id."""
    have = {row[1] for row in conn.execute("PRAGMA table_info(decisions)")}
    who = ("decided_by, decided_org" if "decided_by" in have else "'', ''")
    rows = conn.execute(
        f"SELECT query_key, entity_id, decision, query, note, decided_at, {who} "
        "FROM decisions WHERE query_key = ?", (query_key(query),)).fetchall()
    return {r[1]: Decision(r[0], r[1], Verdict(r[2]), r[3], r[4], r[5], r[6], r[7])
            for r in rows}
