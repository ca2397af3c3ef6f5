"""``/data/tables/{table}``: the stored rows of any knowledge-base table, 50 to a page,
filtered by ``item``, ``country`` and ``year`` (where the table has such columns), each
row with the source it comes from (title, publisher, year and address).

Items may be given by id or name (``Lithium``, ``リチウム``) and countries by ISO code or
name (``Chile``): a name the knowledge base does not know is answered with close matches.
Reads go through :func:`econsec.kb.browse.browse_table` (read-only).
"""

from __future__ import annotations

import math
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from econsec.errors import EconsecError
from econsec.i18n import translator
from econsec.i18n.terms import N_
from econsec.kb.browse import SOURCE_FIELDS, browse_table, tables
from econsec.web.i18n import request_language
from econsec.web.pages.common import render
from econsec.web.pages.tables import FormatParam, table_response
from econsec.web.state import WebState, get_state

router = APIRouter(include_in_schema=False)
State = Annotated[WebState, Depends(get_state)]

#: Rows a page shows; rows a download holds at most.
PAGE_ROWS, DOWNLOAD_ROWS = 50, 100_000
#: Longest text shown in a cell (the rest is cut with an ellipsis).
CELL_CHARS = 160
#: Column headings in the reader's language (other columns show their identifier).
COLUMN_LABELS = {
    "item_id": N_("Item"), "input_item": N_("Input item"), "output_item": N_("Output item"),
    "area": N_("Area as written"), "iso3": N_("Country"), "exporter": N_("Exporter"),
    "importer": N_("Importer"), "year": N_("Year"), "measure": N_("Measure"),
    "value": N_("Value"), "unit": N_("Unit"), "share": N_("Share"),
    "quantity": N_("Quantity"), "name_en": N_("English name"),
    "name_ja": N_("Japanese name"), "publisher": N_("Publisher"), "licence": N_("Licence"),
    "note": N_("Note"), "source_key": N_("Source key"), "estimate": N_("Estimate"),
    "category": N_("Category"),
}
#: Labels of the page itself.
FILTER_LABELS = {"item": N_("Item (id or name)"), "country": N_("Country (code or name)"),
                 "year": N_("Year")}
ITEM_COLUMNS = frozenset({"item_id", "input_item", "output_item"})
COUNTRY_COLUMNS = frozenset({"iso3", "importer", "exporter"})


def _item_id(store: Any, value: str) -> str:
    return str(store.find_item(value).id)


def _country_code(store: Any, value: str) -> str:
    """An ISO alpha-3 code as given, else the code of a name the knowledge base knows."""
    code = value.strip().upper()
    if len(code) == 3 and code.isalpha():
        return code
    return str(store.resolve_country(value.strip()))


def _cell(column: str, value: Any, t: Any) -> dict[str, Any]:
    """One cell: ``text``, an optional ``href`` and whether it is a number."""
    if value is None:
        return {"text": "", "num": False}
    if isinstance(value, bool):
        return {"text": t.gettext("yes") if value else t.gettext("no"), "num": False}
    if isinstance(value, int) and column in ("year", "year_end", "id", "position"):
        return {"text": str(value), "num": True}
    if isinstance(value, int | float):
        return {"text": t.number(value, 6), "num": True}
    text = str(value)
    if len(text) > CELL_CHARS:
        text = text[:CELL_CHARS] + "…"
    cell: dict[str, Any] = {"text": text, "num": False, "long": len(text) > 30}
    if column in ITEM_COLUMNS:
        cell["href"] = f"/commodities/{value}"
    elif column in COUNTRY_COLUMNS and len(text) == 3:
        cell["href"] = f"/countries/{value}"
    return cell


@router.get("/data/tables/{table}", response_class=HTMLResponse)
def data_table(request: Request, state: State, table: str,
               item: Annotated[str, Query(max_length=200)] = "",
               country: Annotated[str, Query(max_length=200)] = "",
               year: Annotated[int | None, Query(ge=1000, le=9999)] = None,
               page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
               sort: Annotated[str | None, Query(alias="_sort", max_length=100)] = None,
               desc: Annotated[str, Query(alias="_desc", max_length=5)] = "",
               fmt: FormatParam = None) -> Response:
    lang = request_language(request)
    t = translator(lang)
    back = ("/data", t.gettext("Data"))
    if table not in tables():
        return render(request, "not_found.html.j2", status_code=404,
                      title=t.gettext("Not found"), charts=False, back=back,
                      message=t.gettext("There is no table '%(table)s' in the knowledge base.")
                      % {"table": table[:100]})
    problem = ""
    filters = {"item": item.strip(), "country": country.strip()}
    try:
        wanted_item = _item_id(state.store, filters["item"]) if filters["item"] else None
        wanted_country = (_country_code(state.store, filters["country"])
                          if filters["country"] else None)
    except EconsecError as exc:
        problem = exc.translate(lang, located=False)
        wanted_item = wanted_country = None
    descending = desc not in ("", "0")
    if fmt:  # every matching row (at most DOWNLOAD_ROWS) with its source, as CSV or JSON
        found = browse_table(state.store.engine, table, item=wanted_item,
                             country=wanted_country, year=year, limit=DOWNLOAD_ROWS,
                             sort=sort, desc=descending)
        names = found.columns + ([f"source_{k}" for k in SOURCE_FIELDS] if found.sourced
                                 else [])
        return table_response(request, table, names, [] if problem else found.rows, fmt)
    result = browse_table(state.store.engine, table, item=wanted_item, country=wanted_country,
                          year=year, offset=(page - 1) * PAGE_ROWS, limit=PAGE_ROWS,
                          sort=sort, desc=descending)
    if problem:  # show the message and no rows rather than every row
        result.rows, result.total = [], 0
    pages = max(1, math.ceil(result.total / PAGE_ROWS))
    query = {k: v for k, v in (("item", filters["item"]), ("country", filters["country"]),
                               ("year", year), ("_sort", sort if sort in result.columns else None),
                               ("_desc", "1" if descending else None)) if v not in (None, "")}

    def link(number: int) -> str:
        return f"/data/tables/{table}?" + urlencode({**query, "page": number})

    def sort_link(column: str) -> str:
        again = query.get("_sort") == column and not descending
        wanted = {k: v for k, v in query.items() if k not in ("_sort", "_desc")}
        return f"/data/tables/{table}?" + urlencode(
            {**wanted, "_sort": column, **({"_desc": "1"} if again else {})})

    columns = list(result.columns)
    # the source right after the number it is the source of (visible without scrolling)
    after = next((columns.index(c) for c in ("unit", "estimate", "category", "share")
                  if c in columns), len(columns) - 1)
    rows = [{"cells": [_cell(c, r.get(c), t) for c in columns],
             "source": {k: r.get(f"source_{k}") for k in ("title", "publisher", "year", "url")}
             if result.sourced else None} for r in result.rows]
    return render(
        request, "data_table.html.j2", charts=False,
        title=t.gettext("Stored rows: %(table)s") % {"table": t.gettext(table)},
        table=table, columns=columns, labels=COLUMN_LABELS, rows=rows, result=result,
        source_after=after, sort_link=sort_link, sorted_by=query.get("_sort"),
        descending=descending, query=query,
        filter_labels=FILTER_LABELS, filters=filters, year=year, problem=problem,
        page=page, pages=pages, first=result.offset + 1 if result.rows else 0,
        last=result.offset + len(result.rows), tables=tables(),
        prev_url=link(page - 1) if page > 1 else "",
        next_url=link(page + 1) if page < pages else "",
    )
