"""The hash chain of the audit log, pure: canonical form, hashes, keyed MACs and the check.

Each record's ``hash`` is the SHA-256 (hex) of the canonical JSON of its fields ``seq``,
``at``, ``actor``, ``actor_id``, ``action``, ``resource``, ``outcome``, ``detail`` (the stored
JSON *text*, so a change of whitespace is a change) and ``prev_hash`` (the previous record's
hash, :data:`GENESIS` for the first): keys sorted, no spaces, UTF-8. ``mac`` is an
HMAC-SHA256 of the hash under a key kept outside the database.

What :func:`verify` catches:

* an edited field (the record's hash no longer matches its content) — ``hash``;
* a deleted, inserted or moved record (the next record's ``prev_hash`` no longer matches,
  or the sequence numbers are no longer 1, 2, 3, …) — ``prev_hash``, ``seq``;
* a chain recomputed after an edit by someone without the key (the MACs no longer match)
  — ``mac``;
* a deleted tail (the anchor kept outside the database names a later record, or another
  hash for its record) — ``anchor``.

What it cannot catch: someone holding both the database and the key (and the anchor file)
can rewrite everything consistently.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64
"""The ``prev_hash`` of the first record."""

HASHED_FIELDS = ("seq", "at", "actor", "actor_id", "action", "resource", "outcome", "detail",
                 "prev_hash")
"""The fields the hash covers (``hash`` and ``mac`` are derived from them)."""


def canonical(record: Mapping[str, Any]) -> bytes:
    """The canonical UTF-8 JSON of the hashed fields of ``record``."""
    content = {name: record[name] for name in HASHED_FIELDS}
    return json.dumps(content, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


def record_hash(record: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the canonical form of ``record``."""
    return hashlib.sha256(canonical(record)).hexdigest()


def record_mac(key: bytes, hash_hex: str) -> str:
    """HMAC-SHA256 (hex) of a record's hash under ``key``."""
    return hmac.new(key, hash_hex.encode("ascii"), hashlib.sha256).hexdigest()


def anchor_mac(key: bytes, seq: int, hash_hex: str) -> str:
    """HMAC-SHA256 (hex) of the head anchor ``seq:hash`` under ``key``."""
    return hmac.new(key, f"anchor:{seq}:{hash_hex}".encode("ascii"), hashlib.sha256).hexdigest()


def canonical_detail(detail: Mapping[str, Any] | None) -> str:
    """The stored text of a record's detail: compact JSON with sorted keys."""
    return json.dumps(dict(detail or {}), sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False)


@dataclass(frozen=True)
class Anchor:
    """The last record's sequence number and hash as kept outside the database."""

    seq: int
    hash: str


@dataclass(frozen=True)
class Break:
    """The first broken record: its sequence number, which check failed (``hash``,
    ``prev_hash``, ``seq``, ``mac`` or ``anchor``) and a one-line reason."""

    seq: int
    check: str
    reason: str


def verify(records: Iterable[Mapping[str, Any]], *, key: bytes | None = None,
           anchor: Anchor | None = None) -> Break | None:
    """The first break in ``records`` (in stored order, normally by ``seq``), or ``None``
    when the chain is intact.

    With ``key`` each record's ``mac`` is checked too; with ``anchor`` the chain must reach
    the anchored record with the anchored hash (a deleted tail or a replaced chain).
    """
    expected_seq = 1
    prev = GENESIS
    hashes: dict[int, str] = {}
    for record in records:
        seq = record["seq"]
        if not isinstance(seq, int) or isinstance(seq, bool):
            return Break(expected_seq, "seq", f"record after {expected_seq - 1} has no "
                         f"integer sequence number ({seq!r})")
        if seq > expected_seq:
            return Break(expected_seq, "seq", f"record {expected_seq} is missing (the next "
                         f"record is {seq}): deleted")
        if seq < expected_seq:
            return Break(expected_seq, "seq", f"the record after {expected_seq - 1} has "
                         f"sequence number {seq}: inserted, duplicated or moved")
        actual = record_hash(record)
        if actual != record["hash"]:
            return Break(seq, "hash", f"record {seq}'s content does not match its hash: "
                         "edited")
        if record["prev_hash"] != prev:
            return Break(seq, "prev_hash", f"record {seq} does not follow record {seq - 1} "
                         "(its prev_hash differs): a record was deleted, inserted or moved "
                         "before it")
        if key is not None:
            mac = record.get("mac")
            if not mac:
                return Break(seq, "mac", f"record {seq} has no MAC: written without the key")
            if not hmac.compare_digest(str(mac).encode(), record_mac(key, actual).encode()):
                return Break(seq, "mac", f"record {seq}'s MAC does not match: the chain was "
                             "recomputed or the record written without the key")
        hashes[seq] = actual
        prev = actual
        expected_seq += 1
    if anchor is not None:
        last = expected_seq - 1
        if anchor.seq > last:
            return Break(last + 1, "anchor", f"record {last + 1} is missing: the anchor kept "
                         f"outside the database names record {anchor.seq} (tail deleted)")
        if anchor.seq >= 1 and hashes.get(anchor.seq) != anchor.hash:
            return Break(anchor.seq, "anchor", f"record {anchor.seq}'s hash differs from the "
                         "anchor kept outside the database: the chain was replaced")
    return None


def head(records: Iterable[Mapping[str, Any]]) -> Anchor | None:
    """The last record's sequence number and hash (``None`` for an empty log)."""
    last: Anchor | None = None
    for record in records:
        last = Anchor(record["seq"], record["hash"])
    return last
