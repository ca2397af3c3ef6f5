"""The append-only, hash-chained audit log in the knowledge base (table ``audit_log``).

:meth:`AuditLog.record` appends under the write lock (``engine.begin()``: SQLite
``BEGIN IMMEDIATE``, a PostgreSQL advisory lock), or inside the caller's write transaction
so that a change and its record commit together. :meth:`AuditLog.verify` checks the chain,
the MACs (key outside the database) and the head anchor (file outside the database); see
:mod:`econsec.audit.chain` for what each check catches and what it cannot.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, TextIO

from pydantic import BaseModel
from sqlalchemy import Connection, Engine, event, func, select

from econsec.audit import anchor as anchors
from econsec.audit.chain import (
    GENESIS,
    Anchor,
    canonical_detail,
    record_hash,
    record_mac,
    verify,
)
from econsec.kb.models import AUDIT_LOG

log = logging.getLogger("econsec.audit")

OUTCOMES = ("ok", "denied", "failed")
"""A record's outcome."""

_SECRET_KEYS = frozenset({
    "password", "passwd", "new_password", "old_password", "secret", "token", "csrf",
    "csrf_token", "api_token", "access_token", "refresh_token", "cookie", "session",
    "session_cookie", "authorization", "api_key", "totp", "totp_code", "otp", "body",
    "level3_body", "private_key",
})
_SECRET_PARTS = ("password", "passwd", "secret", "token", "cookie")



class Named(Protocol):
    """Who a record names: an :class:`econsec.access.actor.Actor` or anything with a name
    and a user id (the log sits below the access layer and does not import it)."""

    @property
    def name(self) -> str: ...

    @property
    def user_id(self) -> int | None: ...

class _RecordFields(BaseModel):
    seq: int
    at: str
    actor: str
    actor_id: int | None
    action: str
    resource: str
    outcome: str
    prev_hash: str
    hash: str
    mac: str | None = None


class AuditRecord(_RecordFields):
    """One record of the audit log as stored (``detail`` is its JSON text)."""

    detail: str

    def details(self) -> dict[str, Any]:
        """``detail`` parsed (empty when it is not a JSON object)."""
        try:
            value = json.loads(self.detail)
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}


class AuditEntry(_RecordFields):
    """One record as the API shows it: ``detail`` parsed."""

    detail: dict[str, Any]

    @classmethod
    def of(cls, record: AuditRecord) -> AuditEntry:
        """``record`` with its detail parsed."""
        return cls(**{**record.model_dump(), "detail": record.details()})


class VerifyResult(BaseModel):
    """The outcome of a check of the whole log."""

    ok: bool
    checked: int
    head: str | None = None
    first_broken: int | None = None
    check: str | None = None
    reason: str | None = None
    #: The MACs were checked (a key was found).
    keyed: bool = False
    #: The head anchor outside the database was found and checked.
    anchored: bool = False


def refuse_secrets(detail: Mapping[str, Any], where: str = "detail") -> None:
    """``ValueError`` when ``detail`` (at any depth) has a key that names a password, token,
    cookie, TOTP code or item body: such values never enter the log."""
    for name, value in detail.items():
        key = str(name).casefold().replace("-", "_")
        if key in _SECRET_KEYS or any(part in key for part in _SECRET_PARTS):
            raise ValueError(f"audit {where} may not hold '{name}' (a secret or a body)")
        if isinstance(value, Mapping):
            refuse_secrets(value, f"{where}.{name}")
        elif isinstance(value, list | tuple):
            for entry in value:
                if isinstance(entry, Mapping):
                    refuse_secrets(entry, f"{where}.{name}")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class AuditLog:
    """The audit log of one knowledge base."""

    def __init__(self, engine: Engine, *, key: bytes | None = None,
                 anchor_file: Path | None = None) -> None:
        self.engine = engine
        self._key = key
        self._anchor_file = anchor_file

    # ------------------------------------------------------------------ writing

    @property
    def anchor_file(self) -> Path:
        """Where this database's head anchor is kept."""
        if self._anchor_file is None:
            self._anchor_file = anchors.anchor_file(self.engine)
        return self._anchor_file

    def _writing_key(self) -> bytes:
        if self._key is None:
            self._key = anchors.load_key(create=True)
        assert self._key is not None
        return self._key

    def record(self, *, actor: Named | str, action: str, resource: str, outcome: str = "ok",
               detail: Mapping[str, Any] | None = None, conn: Connection | None = None,
               at: datetime | None = None) -> int:
        """Append a record and return its sequence number. With ``conn`` (a write
        transaction, ``engine.begin()``) the record commits or rolls back with the caller's
        change. ``ValueError`` for a detail that names a secret or is not JSON."""
        if outcome not in OUTCOMES:
            raise ValueError(f"audit outcome must be one of {', '.join(OUTCOMES)}, not "
                             f"'{outcome}'")
        refuse_secrets(detail or {})
        try:
            detail_text = canonical_detail(detail)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"audit detail is not JSON: {exc}") from exc
        name, actor_id = (actor, None) if isinstance(actor, str) else (actor.name,
                                                                       actor.user_id)
        row: dict[str, Any] = {
            "at": (at or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds"),
            "actor": name[:200], "actor_id": actor_id, "action": action[:40],
            "resource": resource[:300], "outcome": outcome, "detail": detail_text,
        }
        key = self._writing_key()
        if conn is not None:
            seq, hash_hex = self._append(conn, row, key)
            self._anchor_on_commit(conn, key, seq, hash_hex)
            return seq
        with self.engine.begin() as own:
            seq, hash_hex = self._append(own, row, key)
        self._advance(key, seq, hash_hex)
        return seq

    def _advance(self, key: bytes, seq: int, hash_hex: str) -> None:
        """Move the head anchor; a folder that cannot be written weakens the tail check
        only (the record is stored): logged, not raised."""
        try:
            anchors.advance_anchor(self.anchor_file, key, seq, hash_hex)
        except OSError:
            log.exception("the audit head anchor %s could not be written", self.anchor_file)

    @staticmethod
    def _append(conn: Connection, row: dict[str, Any], key: bytes) -> tuple[int, str]:
        last = conn.execute(select(AUDIT_LOG.c.seq, AUDIT_LOG.c.hash)
                            .order_by(AUDIT_LOG.c.seq.desc()).limit(1)).first()
        row = {**row, "seq": (last.seq + 1) if last else 1,
               "prev_hash": last.hash if last else GENESIS}
        hash_hex = record_hash(row)
        conn.execute(AUDIT_LOG.insert().values(**row, hash=hash_hex,
                                               mac=record_mac(key, hash_hex)))
        return row["seq"], hash_hex

    def _anchor_on_commit(self, conn: Connection, key: bytes, seq: int, hash_hex: str) -> None:
        # SQLAlchemy's commit event comes just before the database's COMMIT: should that
        # COMMIT itself fail (disk full), verify reports the anchored record missing, a
        # false alarm to look into, never a deletion let through.
        def advance(_conn: Connection) -> None:
            self._advance(key, seq, hash_hex)

        event.listen(conn, "commit", advance, once=True)

    # ------------------------------------------------------------------ reading

    def records(self, *, since: int = 0, batch: int = 5000) -> Iterator[AuditRecord]:
        """Every record with ``seq > since`` in order, read in batches."""
        after = since
        while True:
            with self.engine.connect() as conn:
                rows = conn.execute(select(AUDIT_LOG).where(AUDIT_LOG.c.seq > after)
                                    .order_by(AUDIT_LOG.c.seq).limit(batch)).mappings().all()
            if not rows:
                return
            for row in rows:
                yield AuditRecord.model_validate(dict(row))
            after = rows[-1]["seq"]

    def verify(self) -> VerifyResult:
        """Check the chain, the MACs (when a key is found) and the head anchor (when its
        file exists)."""
        key = self._key if self._key is not None else anchors.load_key(create=False)
        try:
            anchor = anchors.read_anchor(self.anchor_file, key)
        except anchors.AnchorError as exc:
            return VerifyResult(ok=False, checked=0, check="anchor", reason=str(exc),
                                keyed=key is not None, anchored=True)
        return verify_records((r.model_dump() for r in self.records()), key=key,
                              anchor=anchor)

    def export(self, out: TextIO, *, since: int = 0) -> int:
        """Write the records after ``since`` as JSON lines (as stored); return how many."""
        count = 0
        for record in self.records(since=since):
            out.write(json.dumps(record.model_dump(), ensure_ascii=False,
                                 separators=(",", ":")) + "\n")
            count += 1
        return count

    def page(self, *, limit: int = 50, offset: int = 0, actor_name: str | None = None,
             action: str | None = None, outcome: str | None = None) -> list[AuditRecord]:
        """The newest records first, filtered."""
        query = select(AUDIT_LOG)
        for column, value in ((AUDIT_LOG.c.actor, actor_name), (AUDIT_LOG.c.action, action),
                              (AUDIT_LOG.c.outcome, outcome)):
            if value:
                query = query.where(column == value)
        query = query.order_by(AUDIT_LOG.c.seq.desc()).limit(limit).offset(offset)
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [AuditRecord.model_validate(dict(row)) for row in rows]

    def count(self, *, actor_name: str | None = None, action: str | None = None,
              outcome: str | None = None) -> int:
        """How many records match the filters of :meth:`page`."""
        query = select(func.count()).select_from(AUDIT_LOG)
        for column, value in ((AUDIT_LOG.c.actor, actor_name), (AUDIT_LOG.c.action, action),
                              (AUDIT_LOG.c.outcome, outcome)):
            if value:
                query = query.where(column == value)
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar_one())


def verify_records(records: Any, *, key: bytes | None, anchor: Anchor | None) -> VerifyResult:
    """:func:`econsec.audit.chain.verify` of ``records`` (mappings in stored order) as a
    :class:`VerifyResult`."""
    counted: list[int] = [0]
    last: list[str | None] = [None]

    def counting() -> Iterator[Mapping[str, Any]]:
        for record in records:
            counted[0] += 1
            last[0] = record.get("hash")
            yield record

    broken = verify(counting(), key=key, anchor=anchor)
    if broken is None:
        return VerifyResult(ok=True, checked=counted[0], head=last[0], keyed=key is not None,
                            anchored=anchor is not None)
    return VerifyResult(ok=False, checked=counted[0], head=last[0], first_broken=broken.seq,
                        check=broken.check, reason=broken.reason, keyed=key is not None,
                        anchored=anchor is not None)
