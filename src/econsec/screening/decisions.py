"""Reviewer decisions: a query (by its normalised key) and an entity judged a match or a
false positive, remembered for the next screening of the same query.

A false positive stays in the results (never hidden) but its score is multiplied by
:data:`FALSE_POSITIVE_FACTOR` and it is no longer a match; a confirmed match is always a
match. Both show the decision, its note, when it was taken and who took it (the signed-in
user and their organisation; in single-user local mode and on the command line, the
operating-system user). Decisions taken before reviewers were recorded show none.

A decision belongs to a *scope*, and applies only to screenings in the same scope: the
organisation of the signed-in reviewer (``org:ID``; a user without organisation: ``user:ID``)
or, in single-user local mode and on the command line, the local operator (``""``). One
organisation's false positive never makes a name look clear to another, nor is its
judgement shown to them. Decisions stored before scopes existed belong to the local scope.
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

LOCAL_SCOPE = ""

DDL = """
CREATE TABLE IF NOT EXISTS decisions (
    scope TEXT NOT NULL DEFAULT '',
    query_key TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    decision TEXT NOT NULL CHECK (decision IN ('match', 'false_positive')),
    query TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    decided_at TEXT NOT NULL,
    decided_by TEXT NOT NULL DEFAULT '',
    decided_org TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (scope, query_key, entity_id)
)
"""
#: The columns of :data:`DDL`, in order.
COLUMNS = ("scope", "query_key", "entity_id", "decision", "query", "note", "decided_at",
           "decided_by", "decided_org")


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
    #: Whose screenings it applies to (:data:`LOCAL_SCOPE` or ``org:ID`` / ``user:ID``);
    #: internal, not shown.
    scope: str = LOCAL_SCOPE

    def to_dict(self) -> dict[str, str]:
        return {k: str(v) for k, v in asdict(self).items() if k != "scope"}


def local_reviewer() -> str:
    """The operating-system user: the reviewer of single-user local mode and the CLI."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for the uid (a container)
        return ""


def ensure_table(conn: sqlite3.Connection) -> None:
    """The decisions table as :data:`DDL`. A table of an older index (without reviewer
    columns or scope) is rebuilt in one transaction, its decisions kept in the local scope
    with no reviewer."""
    have = [row[1] for row in conn.execute("PRAGMA table_info(decisions)")]
    if not have:
        conn.execute(DDL)
        conn.commit()
        return
    if "scope" in have:
        return
    kept = ", ".join(c for c in COLUMNS if c in have)
    if conn.in_transaction:
        conn.commit()
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute("ALTER TABLE decisions RENAME TO decisions_before_scope")
        conn.execute(DDL)
        conn.execute(f"INSERT INTO decisions ({kept}) SELECT {kept} FROM decisions_before_scope")
        conn.execute("DROP TABLE decisions_before_scope")
    except BaseException:
        conn.rollback()
        raise
    conn.commit()


def record_decision(conn: sqlite3.Connection, query: str, entity_id: str, decision: str,
                    note: str = "", *, now: datetime | None = None, by: str | None = None,
                    org: str = "", scope: str = LOCAL_SCOPE) -> Decision:
    """Store (or replace) the verdict of ``scope`` on ``entity_id`` for the normalised
    ``query``, taken by ``by`` of organisation ``org`` (``by`` None: the operating-system
    user)."""
    try:
        verdict = Verdict(decision)
    except ValueError:
        raise ValidationError(f"decision must be 'match' or 'false_positive', not "
                              f"{decision!r}") from None
    when = (now or datetime.now(UTC)).isoformat(timespec="seconds")
    reviewer = local_reviewer() if by is None else by
    item = Decision(query_key(query), entity_id, verdict, query, note, when,
                    reviewer[:200], org[:200], scope)
    ensure_table(conn)
    conn.execute(
        f"INSERT OR REPLACE INTO decisions ({', '.join(COLUMNS)}) "
        f"VALUES ({', '.join('?' * len(COLUMNS))})",
        (item.scope, item.query_key, item.entity_id, item.decision.value, item.query,
         item.note, item.decided_at, item.decided_by, item.decided_org))
    conn.commit()
    return item


def decisions_for(conn: sqlite3.Connection, query: str,
                  scope: str = LOCAL_SCOPE) -> dict[str, Decision]:
    """Verdicts of ``scope`` on the normalised ``query``, by entity id."""
    ensure_table(conn)
    rows = conn.execute(
        "SELECT query_key, entity_id, decision, query, note, decided_at, decided_by, "
        "decided_org, scope FROM decisions WHERE scope = ? AND query_key = ?",
        (scope, query_key(query))).fetchall()
    return {r[1]: Decision(r[0], r[1], Verdict(r[2]), r[3], r[4], r[5], r[6], r[7], r[8])
            for r in rows}
