"""``econsec assess complexity``: ECI and PCI of the bundled raw-material trade or of a
user's country × product export matrix (a thin presenter over
:mod:`econsec.analyses.complexity`).

The table form prints the countries by ECI and the products by PCI (``--top`` rows each),
then the note on what the values cover and the sources; ``--format json`` prints the whole
:class:`~econsec.analyses.complexity_models.ComplexityTable`; ``--format csv`` one row per
country (``kind`` country: ECI, diversity) and per product (``kind`` product: PCI,
ubiquity).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from econsec.cli.console import out
from econsec.cli.options import DbOption, FormatOption
from econsec.cli.output import OutputFormat, Result, emit
from econsec.errors import EconsecError, Location

if TYPE_CHECKING:
    from econsec.analyses.complexity_models import ComplexityTable

CSV_COLUMNS = ["kind", "rank", "code", "name", "index", "count", "exports", "nearest"]


def _rows(doc: ComplexityTable) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    countries = [
        {"kind": "country", "rank": c.rank, "code": c.iso3, "name": c.country,
         "index": c.eci, "count": c.diversity, "exports": c.exports, "coi": c.coi,
         "nearest": " ".join(o.product for o in c.opportunities)}
        for c in doc.countries
    ]
    products = [
        {"kind": "product", "rank": p.rank, "code": p.product, "name": p.description,
         "index": p.pci, "count": p.ubiquity, "exports": p.exports,
         "nearest": " ".join(n.product for n in p.nearest)}
        for p in doc.products
    ]
    return countries, products


def show(doc: ComplexityTable, fmt: OutputFormat, top: int) -> None:
    """Print ``doc`` in ``fmt`` (``top`` rows of each table; 0: all)."""
    countries, products = _rows(doc)
    if fmt is not OutputFormat.TABLE:
        emit(Result(doc, countries + products, CSV_COLUMNS), fmt, out)
        return
    shown_c = countries[:top] if top else countries
    shown_p = products[:top] if top else products
    where = f"{doc.year}" if doc.basis == "bundled" else f"{doc.file}"
    emit(Result(doc, [{**r, "ECI": r["index"], "diversity": r["count"],
                       "opportunities": r["nearest"]} for r in shown_c],
                ["rank", "code", "name", "ECI", "diversity", "coi", "opportunities"],
                title=f"Economic complexity index, {where} ({len(shown_c)} of "
                      f"{len(countries)} countries)"), fmt, out)
    sources = "; ".join(f"{s.title} ({s.year})" for s in doc.sources)
    emit(Result(doc, [{**r, "PCI": r["index"], "ubiquity": r["count"]} for r in shown_p],
                ["rank", "code", "name", "PCI", "ubiquity", "nearest"],
                title=f"Product complexity index ({len(shown_p)} of {len(products)} products)",
                notes=[f"Note: {doc.note_en}",
                       f"Method: {doc.method.name} ({doc.method.version}).",
                       f"Sources: {sources}"]), fmt, out)


def complexity(
    year: Annotated[int | None, typer.Option(
        help="Data year of the bundled trade (default: the latest); with --file, the year "
             "the file's data are for (recorded only).", show_default=False)] = None,
    file: Annotated[Path | None, typer.Option(
        "--file", help="Your country × product export matrix: a CSV with the columns "
        "country (ISO alpha-3 or name), product, value (docs/methods.md).",
        show_default=False)] = None,
    encoding: Annotated[str | None, typer.Option(
        "--encoding", help="Encoding of a --file that is not UTF-8 (cp932, euc-jp …).",
        show_default=False)] = None,
    top: Annotated[int, typer.Option(
        help="Rows of each table in the table form (0: all).", min=0)] = 20,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Economic complexity (ECI, PCI, proximity, density) of the bundled raw-material trade
    (raw materials only: not comparable with published ECI rankings) or of your own
    country × product export matrix (--file)."""
    from econsec.analyses.complexity import bundled_complexity, file_complexity
    from econsec.cli.app import _open_store

    store = _open_store(db)
    try:
        if file is not None:
            doc = file_complexity(store, file, year=year, encoding=encoding)
        else:
            doc = bundled_complexity(store, year)
    except EconsecError as exc:
        if exc.location.file is None and exc.location.column == "year":
            exc.location = Location(column="--year")
        raise
    show(doc, fmt, top)
