"""A page's table as data: ``?_format=csv`` or ``?_format=json`` on the page's own address
returns the rows its table shows, with the page's other query parameters (home country,
measure, year, ``show``) applied as on the page.

``_sort=<column>`` (with ``_desc=1`` for descending order) orders the rows as the page's
sortable table does (``static/tables.js`` keeps both in the address), and ``_search=<text>``
keeps the rows the page's filter box keeps; numbers sort as numbers, empty cells last.
CSV cells that a spreadsheet would run as a formula are escaped
(:func:`econsec.textsafe.csv_cell`).
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import Response

from econsec.textsafe import csv_cell

#: The ``_format`` query parameter of a page that can answer with its table's rows.
FormatParam = Annotated[str | None, Query(alias="_format", pattern="^(csv|json)$")]


def _sort_key(value: Any) -> tuple[int, Any]:
    if value is None or value == "" or (isinstance(value, float) and math.isnan(value)):
        return (2, 0)
    if isinstance(value, bool):
        return (0, int(value))
    if isinstance(value, int | float):
        return (0, value)
    return (1, str(value).casefold())


def arrange(rows: Iterable[Mapping[str, Any]], columns: Sequence[str], *,
            sort: str | None = None, desc: bool = False, search: str = "",
            search_keys: Sequence[str] = ()) -> list[Mapping[str, Any]]:
    """``rows`` kept by ``search`` (case-insensitive text in one of ``search_keys``) and
    ordered by the column ``sort`` (unknown columns leave the order alone; empty cells
    stay last in either direction)."""
    out = list(rows)
    needle = search.strip().casefold()
    if needle and search_keys:
        out = [r for r in out if any(needle in str(r.get(k) or "").casefold()
                                     for k in search_keys)]
    if sort is not None and sort in columns:
        key = sort
        present = [r for r in out if _sort_key(r.get(key))[0] < 2]
        empty = [r for r in out if _sort_key(r.get(key))[0] == 2]
        present.sort(key=lambda r: _sort_key(r.get(key)), reverse=desc)
        out = present + empty
    return out


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ";".join(str(v) for v in value)
    return csv_cell(value)


def table_response(request: Request, name: str, columns: Sequence[str],
                   rows: Iterable[Mapping[str, Any]], fmt: str, *,
                   search_keys: Sequence[str] = ()) -> Response:
    """The rows as a CSV or JSON download named ``name``, arranged by the request's
    ``_sort``, ``_desc`` and ``_search`` parameters."""
    query = request.query_params
    ordered = arrange(rows, columns, sort=query.get("_sort"),
                      desc=query.get("_desc", "") not in ("", "0"),
                      search=query.get("_search", "")[:200], search_keys=search_keys)
    headers = {"Content-Disposition": f'attachment; filename="{name}.{fmt}"'}
    if fmt == "json":
        body = {"table": name, "columns": list(columns),
                "rows": [{c: _json_value(r.get(c)) for c in columns} for r in ordered]}
        return Response(json.dumps(body, ensure_ascii=False, indent=1),
                        media_type="application/json", headers=headers)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for r in ordered:
        writer.writerow([_cell(r.get(c)) for c in columns])
    return Response(buffer.getvalue(), media_type="text/csv; charset=utf-8", headers=headers)


def _json_value(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, tuple):
        return list(value)
    return value
