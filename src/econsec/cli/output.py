"""Rendering of results as a rich table, JSON or CSV (``--format``).

A result is a :class:`Result`: the JSON document (stable snake_case keys) plus the rows
and columns its table and CSV forms show. Presenters only; no computation here.

Stored text is data, never markup or commands for the reader: table cells, titles and notes
are plain text with control and escape characters made visible
(:func:`econsec.textsafe.terminal_text`), and CSV text cells that a spreadsheet would run
as a formula get a leading apostrophe (:func:`econsec.textsafe.csv_cell`). JSON escapes
control characters itself.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from rich.text import Text

from econsec.jsonable import jsonable
from econsec.textsafe import csv_cell, terminal_text

if TYPE_CHECKING:
    from pydantic import BaseModel
    from rich.console import Console


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"


@dataclass
class Result:
    """What a command prints: ``document`` for JSON (a mapping, or an analysis's result
    model, dumped as the API dumps it), ``rows``/``columns`` for table and CSV."""

    document: Mapping[str, Any] | BaseModel
    rows: Sequence[Mapping[str, Any]]
    columns: Sequence[str]
    title: str = ""
    notes: Sequence[str] = field(default_factory=tuple)
    #: Columns holding fractions, shown as percentages in the table form (JSON/CSV keep
    #: the fraction).
    percent: Sequence[str] = field(default_factory=tuple)


_JSON_UNSAFE = re.compile("[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def to_json(document: Mapping[str, Any] | BaseModel) -> str:
    """JSON text with NaN turned into null (JSON has no NaN). C0 controls are escaped by
    ``json``; C1 controls and bidirectional overrides are escaped here too (``\\u009b``),
    so that no stored text can act on a terminal that shows the JSON."""
    text = json.dumps(jsonable(document), ensure_ascii=False, indent=2)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def to_csv(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> str:
    """CSV text; a text cell starting with ``= + - @``, tab or CR is written as text."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), extrasaction="ignore",
                            lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("" if v is None else csv_cell(v)) for k, v in row.items()})
    return buffer.getvalue()


def plain(text: object) -> Text:
    """``text`` as rich text that is never read as markup, with control characters shown."""
    return Text(terminal_text(str(text)))


def one_line(text: object) -> str:
    """``text`` safe for a terminal and on one line (newlines shown as ``\\n``)."""
    return terminal_text(str(text)).replace("\n", "\\n").replace("\t", "\\t")


def _cell(value: Any, percent: bool = False) -> str:
    if percent and isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value * 100:.1f}%"
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if math.isnan(value):
            return "–"
        if abs(value) >= 1000:
            return f"{value:,.0f}"
        return f"{value:.4g}"
    if isinstance(value, list | tuple):
        return ", ".join(_cell(v) for v in value)
    return terminal_text(str(value))


def emit(result: Result, fmt: OutputFormat, console: Console) -> None:
    """Print ``result`` in format ``fmt``: JSON and CSV go to stdout unstyled."""
    if fmt is OutputFormat.JSON:
        console.file.write(to_json(result.document) + "\n")
        return
    if fmt is OutputFormat.CSV:
        console.file.write(to_csv(result.rows, result.columns))
        return
    from rich.table import Table

    table = Table(title=plain(result.title) if result.title else None, title_justify="left")
    for column in result.columns:
        table.add_column(plain(column), overflow="fold")
    for row in result.rows:
        table.add_row(*(Text(_cell(row.get(c), c in result.percent)) for c in result.columns))
    console.print(table)
    for note in result.notes:
        console.print(plain(note), style="dim", markup=False, highlight=False)
