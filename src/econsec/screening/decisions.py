"""Reviewer decisions: a query (by its normalised key) and an entity judged a match or a
false positive, remembered for the next screening of the same query.

A false positive stays in the results (never hidden) but its score is multiplied by
:data:`FALSE_POSITIVE_FACTOR` and it is no longer a match; a confirmed match is always a
match. Both show the decision, its note and when it was taken.
"""

from __future__ import annotations

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
    PRIMARY KEY (query_key, entity_id)
)
"""


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

    def to_dict(self) -> dict[str, str]:
        return {k: str(v) for k, v in asdict(self).items()}


def record_decision(conn: sqlite3.Connection, query: str, entity_id: str, decision: str,
                    note: str = "", *, now: datetime | None = None) -> Decision:
    """Store (or replace) the verdict on ``entity_id`` for the normalised ``query``."""
    try:
        verdict = Verdict(decision)
    except ValueError:
        raise ValidationError(f"decision must be 'match' or 'false_positive', not "
                              f"{decision!r}") from None
    when = (now or datetime.now(UTC)).isoformat(timespec="seconds")
    item = Decision(query_key(query), entity_id, verdict, query, note, when)
    conn.execute(DDL)
    conn.execute(
        "INSERT OR REPLACE INTO decisions VALUES (?, ?, ?, ?, ?, ?)",
        (item.query_key, item.entity_id, item.decision.value, item.query, item.note,
         item.decided_at))
    conn.commit()
    return item


def decisions_for(conn: sqlite3.Connection, query: str) -> dict[str, Decision]:
    """Verdicts taken on the normalised ``query``, by entity id."""
    rows = conn.execute(
        "SELECT query_key, entity_id, decision, query, note, decided_at FROM decisions "
        "WHERE query_key = ?", (query_key(query),)).fetchall()
    return {r[1]: Decision(r[0], r[1], Verdict(r[2]), r[3], r[4], r[5]) for r in rows}
