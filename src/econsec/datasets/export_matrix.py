"""A user's country × product export matrix (CSV) for ``econsec assess complexity --file``.

Columns (header names are case-insensitive; any order; other columns are ignored):

``country``
    ISO alpha-3 code or a country name econsec knows (English or Japanese, the bundled
    publishers' spellings). Aggregates ("World", "EU27") are refused.
``product``
    A product code or name in any classification (HS, SITC, your own), up to 100
    characters; the text is kept as it is.
``value``
    Exports of the country in the product: a number ≥ 0, in one unit for the whole file
    (a decimal point; no thousands separators).

One row per country and product; a pair given twice (also by two spellings of one country)
is refused, naming both lines. Pairs not listed count as zero. UTF-8, or a legacy encoding
recognised with confidence (as ``econsec import``); comma, semicolon or tab separated.
Every refusal names the file, the line and the column.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from econsec.datasets.user_tables import MISSING, N_, decode_bytes, iter_csv_records
from econsec.errors import DataFormatError, Location, ValidationError

#: The columns an export matrix must have.
COLUMNS = ("country", "product", "value")
#: Longest product text accepted.
MAX_PRODUCT_CHARS = 100


@dataclass(frozen=True, eq=False)
class ExportMatrix:
    """Exports by country (rows, ISO alpha-3) and product (columns), in the file's order
    of first appearance; ``values[c, p]`` is 0 where the file has no row."""

    countries: tuple[str, ...]
    products: tuple[str, ...]
    values: NDArray[np.float64]
    file: str


def _header(header: list[str], file: str) -> dict[str, int]:
    names = [h.strip().lstrip("\ufeff").casefold() for h in header]
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        raise DataFormatError(
            N_("missing required column(s) %(missing)s; an export matrix has the columns "
               "country, product, value (found: %(found)s)"),
            params={"missing": ", ".join(missing), "found": ", ".join(header)},
            location=Location(file, 1, missing[0]))
    return {c: names.index(c) for c in COLUMNS}


def _value(text: str, where: Location) -> float:
    cell = text.strip()
    if cell.casefold() in MISSING:
        raise DataFormatError(N_("the value is missing; give a number (0 for no exports)"),
                              location=where)
    try:
        number = float(cell)
    except ValueError:
        raise DataFormatError(N_("'%(value)s' is not a number"), params={"value": cell[:40]},
                              location=where) from None
    if not math.isfinite(number):
        raise ValidationError(N_("the value must be a finite number, got '%(text)s'"),
                              params={"text": cell[:40]}, location=where)
    if number < 0:
        raise ValidationError(N_("exports cannot be negative, got %(value)s"),
                              params={"value": cell[:40]}, location=where)
    return number


def read_export_matrix(path: Path, resolve: Callable[[str, Location], str], *,
                       encoding: str | None = None) -> ExportMatrix:
    """Read a country × product export matrix from the long CSV ``path``.

    ``resolve(name, location)`` turns a country cell into its ISO alpha-3 code (raising
    :class:`~econsec.errors.UnknownCountryError` located at ``location``).

    Raises :class:`DataFormatError` (missing column, empty file, no rows, a cell that is
    not a number, an empty country or product, a product text that is too long, a
    duplicate pair) or :class:`ValidationError` (a negative or infinite value), each
    located at the file, line and column.
    """
    file = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DataFormatError(N_("cannot read the file: %(reason)s"),
                              params={"reason": exc.strerror or str(exc)},
                              location=Location(file)) from None
    text, _ = decode_bytes(data, file, encoding)
    header, records = iter_csv_records(text, file)
    index = _header(header, file)
    resolved: dict[str, str] = {}
    seen: dict[tuple[str, str], int] = {}
    rows: list[tuple[str, str, float]] = []
    for line, cells in records:
        name = cells[index["country"]].strip()
        product = cells[index["product"]].strip()
        if not name:
            raise DataFormatError(N_("the country is missing"),
                                  location=Location(file, line, "country"))
        if not product:
            raise DataFormatError(N_("the product is missing"),
                                  location=Location(file, line, "product"))
        if len(product) > MAX_PRODUCT_CHARS:
            raise DataFormatError(
                N_("a product of %(size)s characters is longer than the limit of %(limit)s"),
                params={"size": len(product), "limit": MAX_PRODUCT_CHARS},
                location=Location(file, line, "product"))
        value = _value(cells[index["value"]], Location(file, line, "value"))
        iso3 = resolved.get(name)
        if iso3 is None:
            iso3 = resolved[name] = resolve(name, Location(file, line, "country"))
        first = seen.setdefault((iso3, product), line)
        if first != line:
            raise DataFormatError(
                N_("country %(country)s and product '%(product)s' are already given on "
                   "line %(first)s; give each pair once"),
                params={"country": iso3, "product": product, "first": first},
                location=Location(file, line, "product"))
        rows.append((iso3, product, value))
    if not rows:
        raise DataFormatError(N_("the file has a header but no rows"),
                              location=Location(file, 2))
    countries = tuple(dict.fromkeys(r[0] for r in rows))
    products = tuple(dict.fromkeys(r[1] for r in rows))
    c_at = {c: i for i, c in enumerate(countries)}
    p_at = {p: j for j, p in enumerate(products)}
    values = np.zeros((len(countries), len(products)))
    for iso3, product, value in rows:
        values[c_at[iso3], p_at[product]] = value
    return ExportMatrix(countries, products, values, file)
