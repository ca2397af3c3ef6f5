"""Batch screening of a CSV of counterparties (``name`` required; ``country``,
``birth_date`` and any other columns, such as an id, are optional and passed through).

The result has one row per counterparty and match candidate kept (the best one, or all at
or above the threshold with ``all_matches``): the input columns, then ``entity_id``,
``matched_name``, ``list``, ``score``, ``match``, ``decision`` and ``explanation``.
Progress is reported through a callback ``(step, done, total)``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

from econsec.errors import DataFormatError, Location
from econsec.screening.index import ScreeningIndex, result_dict
from econsec.screening.match import THRESHOLD, Query

Progress = Callable[[str, int, int], None]
RESULT_COLUMNS = ("entity_id", "matched_name", "list", "score", "match", "decision",
                  "explanation")


def read_counterparties(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """Header and rows of a counterparty CSV; a missing ``name`` column or an empty name
    is a :class:`DataFormatError` with its line."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFormatError(f"cannot read: {exc}", location=Location(str(path))) from None
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    if "name" not in header:
        raise DataFormatError("missing column 'name'", location=Location(str(path), 1))
    rows = []
    for line, row in enumerate(reader, start=2):
        clean = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
        if not clean.get("name"):
            raise DataFormatError("empty name", location=Location(str(path), line, "name"))
        rows.append(clean)
    return header, rows


def screen_batch(index: ScreeningIndex, rows: list[dict[str, str]], *,
                 threshold: float = THRESHOLD, all_matches: bool = False,
                 progress: Progress | None = None) -> list[dict[str, object]]:
    """Screen every counterparty row; one output row per kept result (a row with no
    candidate at all keeps empty result columns)."""
    out: list[dict[str, object]] = []
    total = len(rows)
    for done, row in enumerate(rows, start=1):
        query = Query(row["name"], row.get("country") or None, row.get("birth_date") or None)
        results = [result_dict(r, threshold) for r in index.screen(query, limit=5)]
        kept = [r for r in results if r["match"]] if all_matches else results[:1]
        if not kept:
            kept = results[:1] or [dict.fromkeys(RESULT_COLUMNS, "")]
        for result in kept:
            decision = result.get("decision")
            out.append({**row, **{c: result.get(c, "") for c in RESULT_COLUMNS},
                        "decision": decision["decision"] if isinstance(decision, dict)
                        else ""})
        if progress:
            progress("screening", done, total)
    return out


def batch_columns(header: list[str]) -> list[str]:
    return [*header, *(c for c in RESULT_COLUMNS if c not in header)]
