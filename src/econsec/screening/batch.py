"""Batch screening of a CSV of counterparties (``name`` required; ``country``,
``birth_date`` and any other columns, such as an id, are optional and passed through).

The result has one row per counterparty and match candidate kept (the best one, or all at
or above the threshold with ``all_matches``): the input columns, then ``entity_id``,
``matched_name``, ``list``, ``score``, ``status``, ``match``, ``decision``,
``explanation``, ``lists_screened`` (every list used: name, entities, edition, load date)
and ``warnings`` (an edition older than a year). Progress is reported through a callback
``(step, done, total)``. With no list loaded the batch is refused before any row is read
(:class:`~econsec.screening.index.NoListLoadedError`). Written CSV cells that a
spreadsheet would run as a formula are escaped (:func:`econsec.textsafe.csv_cell`) and
control characters in them are shown as escapes (:func:`econsec.textsafe.terminal_text`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from econsec.errors import Location
from econsec.screening.checks import CountryResolver, check_query
from econsec.screening.entities import check_name, csv_records
from econsec.screening.index import (
    SqliteScreeningIndex,
    Status,
    lists_screened,
    result_dict,
)
from econsec.screening.match import THRESHOLD, Query
from econsec.textsafe import csv_cell, terminal_text

Progress = Callable[[str, int, int], None]
RESULT_COLUMNS = ("entity_id", "matched_name", "list", "score", "status", "match",
                  "decision", "explanation", "lists_screened", "warnings")


def read_counterparties(path: Path, *, resolve_country: CountryResolver | None = None
                        ) -> tuple[list[str], list[dict[str, str]]]:
    """Header and rows of a counterparty CSV; a missing ``name`` column, a blank or
    overlong name or a row with more fields than the header is a
    :class:`~econsec.errors.DataFormatError` with its line; a name with no letter or digit,
    an invalid or future birth date or an unknown country is refused with its line and
    column too (:func:`econsec.screening.checks.check_query`)."""
    header: list[str] = []
    rows = []
    for line, row in csv_records(path, ("name",)):
        header = header or list(row)
        row["name"] = check_name(row.get("name", ""), Location(str(path), line, "name"))
        check_query(Query(row["name"], row.get("country") or None,
                          row.get("birth_date") or None), Location(str(path), line),
                    resolve_country=resolve_country)
        rows.append(row)
    return header or ["name"], rows


def describe_lists(screened: list[dict[str, object]]) -> str:
    """``name (N entities, edition D, loaded T); …`` for a CSV cell."""
    return "; ".join(
        f"{x['name']} ({x['entities']} entities, edition {x['edition'] or 'unknown'}, "
        f"loaded {x['loaded_at']})" for x in screened)


def screen_batch(index: SqliteScreeningIndex, rows: list[dict[str, str]], *,
                 threshold: float = THRESHOLD, all_matches: bool = False,
                 progress: Progress | None = None,
                 resolve_country: CountryResolver | None = None) -> list[dict[str, object]]:
    """Screen every counterparty row; one output row per kept result (a row with no
    candidate at all keeps empty result columns and status ``no_match``). A row's country
    is screened as the ISO code ``resolve_country`` gives (the row keeps what it said)."""
    screened, warnings = lists_screened(index.require_lists())
    context = {"lists_screened": describe_lists(screened), "warnings": " ".join(warnings)}
    out: list[dict[str, object]] = []
    total = len(rows)
    for done, row in enumerate(rows, start=1):
        query = check_query(Query(row["name"], row.get("country") or None,
                                  row.get("birth_date") or None),
                            resolve_country=resolve_country)
        results = [result_dict(r, threshold) for r in index.screen(query, limit=5)]
        kept = [r for r in results if r["match"]] if all_matches else results[:1]
        if not kept:
            kept = results[:1] or [{**dict.fromkeys(RESULT_COLUMNS, ""),
                                    "status": Status.NONE, "match": False}]
        for result in kept:
            decision = result.get("decision")
            out.append({**row, **{c: result.get(c, "") for c in RESULT_COLUMNS},
                        "decision": decision["decision"] if isinstance(decision, dict)
                        else "", **context})
        if progress:
            progress("screening", done, total)
    return out


def batch_columns(header: list[str]) -> list[str]:
    return [*header, *(c for c in RESULT_COLUMNS if c not in header)]


def safe_rows(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    """``rows`` with control characters in text cells made visible (``\\x1b``) and every
    text cell a spreadsheet would run as a formula escaped."""
    return [{k: csv_cell(terminal_text(v) if isinstance(v, str) else v)
             for k, v in row.items()} for row in rows]
