"""Users' own data: CSV, Excel (.xlsx) files and Frictionless data packages.

:func:`read_user_file` turns a file into a :class:`~econsec.records.Bundle` ready for
:meth:`econsec.kb.store.Store.import_bundle`. It validates everything first and raises ONE
:class:`~econsec.errors.DataFormatError` / :class:`~econsec.errors.ValidationError` (or
:class:`~econsec.errors.UnknownCountryError`) naming file, line and column for the first
problem, so a bad file never reaches the database. The formats are documented in
``docs/data-formats.md``.

- A data package (a folder with ``datapackage.json``, or that file) in the layout written
  by :meth:`~econsec.kb.store.Store.export_datapackage`; resources are recognised by name.
  Its records keep their own sources.
- A CSV file, or an Excel workbook whose sheets are named like tables; the columns tell
  which table a sheet or file holds. Rows get a :class:`~econsec.records.Source` made from
  the file: key ``user:<file name>``, SHA-256 of the bytes, title / publisher / licence /
  URL from optional columns (else the file name), year from the data (else this year).

Encodings: UTF-8 with or without BOM; otherwise the encoding is detected with
charset-normalizer, used if the detection is unambiguous (or one of the common legacy
encodings cp1252 / Shift_JIS (cp932) / EUC-JP / GB18030 / Big5 is among the equally good
candidates), and noted in the Source's ``citation``.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from econsec.errors import DataFormatError, Location, ValidationError
from econsec.records import (
    Bundle,
    Country,
    CountryRisk,
    GovernanceScore,
    InputEdge,
    Item,
    ItemKind,
    Measure,
    Observation,
    ServiceType,
    Source,
    Stage,
    TradeFlow,
)

Cell = str | int | float | bool | dt.datetime | dt.date | None
Where = Callable[[str | None], Location]

SOURCE_COLUMNS = ("source", "publisher", "licence", "url")
"""Optional columns of fact tables that describe where the rows come from."""

NON_NEGATIVE = frozenset(
    {Measure.PRODUCTION, Measure.REFINERY, Measure.CAPACITY, Measure.RESERVES,
     Measure.IMPORTS, Measure.EXPORTS}
)
MEASURE_ALIASES = {
    "refinery_production": Measure.REFINERY,
    "refined_production": Measure.REFINERY,
    "mine_production": Measure.PRODUCTION,
    "nir": Measure.NET_IMPORT_RELIANCE,
}
MISSING = frozenset({"", "na", "n/a", "nan", "none", "null", "-", "--", "–", "—"})
WITHHELD = frozenset({"w", "withheld"})
TRUE = frozenset({"true", "yes", "y", "1", "t", "e", "x"})
FALSE = frozenset({"false", "no", "n", "0", "f", ""})
PREFERRED_ENCODINGS = ("cp1252", "cp932", "shift_jis", "euc_jp", "gb18030", "big5", "utf_16")
"""Tie-breakers when several encodings decode a file equally well, most common first."""


@dataclass(frozen=True)
class TableSpec:
    """A table a user file can hold: its required and optional columns."""

    name: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    one_of: tuple[str, ...] = ()

    @property
    def allowed(self) -> tuple[str, ...]:
        return (*self.required, *self.one_of, *self.optional)


TABLES = (
    TableSpec(
        "observations",
        ("item", "country", "year", "measure", "value", "unit"),
        ("is_estimate", "is_aggregate", "series", "note", *SOURCE_COLUMNS),
    ),
    TableSpec(
        "trade_flows",
        ("item", "exporter", "importer", "year"),
        ("quantity", "unit", "year_end", *SOURCE_COLUMNS),
        one_of=("value", "share"),
    ),
    TableSpec("items", ("id", "kind", "name_en"),
              ("name_ja", "service_type", "hs_codes", "domain", "stage")),
    TableSpec("countries", ("iso3", "name_en"), ("iso2", "numeric", "name_ja", "groups")),
    TableSpec(
        "bill_of_materials",
        ("input_item", "output_item"),
        ("quantity_per_unit", "unit", "substitutability", *SOURCE_COLUMNS),
    ),
)
SPECS = {spec.name: spec for spec in TABLES}
SHEET_NAMES = {
    "observations": "observations", "observation": "observations",
    "trade_flows": "trade_flows", "trade": "trade_flows", "trade_flow": "trade_flows",
    "items": "items", "item": "items", "commodities": "items",
    "countries": "countries", "country": "countries",
    "bill_of_materials": "bill_of_materials", "bom": "bill_of_materials",
    "input_edges": "bill_of_materials",
}
COLUMN_ALIASES = {"commodity": "item", "area": "country", "license": "licence",
                  "item_id": "item", "title": "source"}
IGNORED_SHEETS = frozenset({"readme", "notes", "about"})


# --------------------------------------------------------------------------- entry point


def read_user_file(path: Path) -> Bundle:
    """Read a user's CSV, Excel workbook or data package into a validated :class:`Bundle`.

    Raises :class:`DataFormatError` for files that cannot be read as a table (encoding,
    malformed CSV, missing columns, non-numeric numbers), :class:`ValidationError` for
    values that are not allowed (negative production, a share outside 0-100 %, an unknown
    measure) and :class:`~econsec.errors.UnknownCountryError` (with suggestions) for a
    country name that cannot be resolved; each names file, line and column.
    """
    path = Path(path)
    if path.is_dir():
        package = path / "datapackage.json"
        if not package.is_file():
            raise DataFormatError("folder has no datapackage.json", location=Location(str(path)))
        return read_datapackage(package)
    if not path.is_file():
        raise DataFormatError("file not found", location=Location(str(path)))
    suffix = path.suffix.lower()
    if path.name.lower().endswith("datapackage.json") or suffix == ".json":
        return read_datapackage(path)
    if suffix in {".csv", ".tsv", ".txt"}:
        return read_csv_file(path)
    if suffix in {".xlsx", ".xlsm"}:
        return read_excel_file(path)
    raise DataFormatError(
        f"unsupported file type '{path.suffix}': give a .csv, .xlsx or a data package "
        "(folder or datapackage.json); save .xls workbooks as .xlsx",
        location=Location(str(path)),
    )


# --------------------------------------------------------------------------- decoding


def decode_bytes(data: bytes, file: str) -> tuple[str, str]:
    """Text of ``data`` and the encoding used (``utf-8``, ``utf-8-sig`` or a detected one).

    Raises :class:`DataFormatError` naming the first line that is not UTF-8 when no
    encoding can be detected unambiguously.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise _undecodable(data, exc.start + 3, file, "UTF-8") from exc
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    if b"\x00" in data:
        raise _undecodable(data, data.index(b"\x00"), file, "text (binary data)")
    from charset_normalizer import from_bytes

    matches = list(from_bytes(data))
    if not matches:
        raise _undecodable(data, first_bad, file, "UTF-8 or any detectable encoding")
    best = min(m.chaos for m in matches)
    top = [m for m in matches if m.chaos <= best + 1e-9]
    texts = {str(m) for m in top}
    if len(texts) == 1:
        return texts.pop(), top[0].encoding
    for preferred in PREFERRED_ENCODINGS:
        for m in top:
            if preferred in m.could_be_from_charset:
                return data.decode(preferred), preferred
    names = ", ".join(m.encoding for m in top[:5])
    raise DataFormatError(
        f"cannot tell the encoding (could be {names}); save the file as UTF-8",
        location=Location(file, data[:first_bad].count(b"\n") + 1),
    )


def _undecodable(data: bytes, offset: int, file: str, what: str) -> DataFormatError:
    line = data[:offset].count(b"\n") + 1
    return DataFormatError(
        f"cannot decode byte 0x{data[offset]:02x} as {what}; save the file as UTF-8",
        location=Location(file, line),
    )


# --------------------------------------------------------------------------- CSV


def _sniff_delimiter(header_line: str) -> str:
    if "," in header_line:
        return ","
    for delimiter in (";", "\t"):
        if delimiter in header_line:
            return delimiter
    return ","


def _unclosed_quote_column(line: str, delimiter: str, header: list[str]) -> str | None:
    position, quoted = 0, False
    for index, cell in enumerate(line.rstrip("\r\n").split(delimiter)):
        if not quoted and cell.startswith('"'):
            position, quoted = index, cell.count('"') % 2 == 1
        elif quoted and cell.count('"') % 2 == 1:
            quoted = False
    if quoted and position < len(header):
        return header[position]
    return None


def csv_records(text: str, file: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and ``(line, cells)`` of each non-blank record; ``line`` is where it starts.

    Raises :class:`DataFormatError` for an unbalanced quote or a record whose number of
    fields differs from the header's.
    """
    physical = io.StringIO(text, newline="").readlines()
    delimiter = _sniff_delimiter(physical[0] if physical else "")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header: list[str] | None = None
    records: list[tuple[int, list[str]]] = []
    previous = 0
    while True:
        start = previous + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            column = None
            if header is not None and start <= len(physical):
                column = _unclosed_quote_column(physical[start - 1], delimiter, header)
            quote = "quote" in str(exc) or "end of data" in str(exc)
            hint = " (unbalanced quote?)" if quote else ""
            raise DataFormatError(
                f"malformed CSV: {exc}{hint}", location=Location(file, start, column)
            ) from exc
        previous = reader.line_num
        if header is None:
            header = cells
            continue
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            multiline = [i for i, c in enumerate(cells) if "\n" in c or "\r" in c]
            if multiline and reader.line_num > start:
                column = header[multiline[0]] if multiline[0] < len(header) else None
                raise DataFormatError(
                    f"unbalanced quote: the quoted field starting on line {start} runs to "
                    f"line {reader.line_num}",
                    location=Location(file, start, column),
                )
            if len(cells) > len(header):
                raise DataFormatError(
                    f"{len(cells)} fields but the header has {len(header)} (extra field "
                    f"'{cells[len(header)]}'; a value with a comma must be quoted)",
                    location=Location(file, start, f"#{len(header) + 1}"),
                )
            raise DataFormatError(
                f"{len(cells)} fields but the header has {len(header)}",
                location=Location(file, start, header[len(cells)]),
            )
        records.append((start, cells))
    if header is None:
        raise DataFormatError("empty file", location=Location(file, 1))
    return header, records


def read_csv_file(path: Path) -> Bundle:
    """Read one CSV table (observations, trade flows, items, countries or bill of materials)."""
    file = str(path)
    data = path.read_bytes()
    text, encoding = decode_bytes(data, file)
    header, records = csv_records(text, file)
    columns = _normalise_header(header, Location(file, 1))
    spec = _detect(columns, Location(file, 1), None)
    rows = [(line, dict(zip(columns, cells, strict=True))) for line, cells in records]
    reader = _TableReader(path.name, data, encoding)
    reader.read(spec, rows, lambda line, column: Location(file, line, column))
    return reader.bundle()


# --------------------------------------------------------------------------- Excel


def read_excel_file(path: Path) -> Bundle:
    """Read an .xlsx workbook: each sheet is a table, named like one or detected by columns.

    Sheets named ``README``, ``notes``, ``about`` or starting with ``_`` are skipped.
    Locations read ``book.xlsx!sheet, line <row>, column '<name>'``.
    """
    try:
        from openpyxl import load_workbook
    except ImportError as exc:  # pragma: no cover - openpyxl is a dependency
        raise DataFormatError("reading .xlsx needs openpyxl") from exc
    data = path.read_bytes()
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for broken files
        raise DataFormatError(f"cannot read workbook: {exc}", location=Location(str(path))) from exc
    try:
        formulas = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # pragma: no cover - the first load succeeded
        raise DataFormatError(f"cannot read workbook: {exc}", location=Location(str(path))) from exc
    reader = _TableReader(path.name, data, None)
    try:
        for sheet in workbook.worksheets:
            title = sheet.title
            if title.startswith("_") or title.strip().casefold() in IGNORED_SHEETS:
                continue
            file = f"{path}!{title}"
            rows_iter = sheet.iter_rows(values_only=True)
            header_row = next(rows_iter, None)
            if header_row is None or not any(v not in (None, "") for v in header_row):
                continue
            header = [("" if v is None else str(v)) for v in header_row]
            while header and not header[-1].strip():
                header.pop()
            columns = _normalise_header(header, Location(file, 1))
            named = SHEET_NAMES.get(_norm(title))
            spec = _detect(columns, Location(file, 1), SPECS[named] if named else None)
            rows = []
            for number, values in enumerate(rows_iter, start=2):
                cells = list(values)[: len(columns)]
                extra = [v for v in list(values)[len(columns) :] if v not in (None, "")]
                if extra:
                    raise DataFormatError(
                        f"value '{extra[0]}' in a column without a header",
                        location=Location(file, number, f"#{len(columns) + 1}"),
                    )
                if not any(v not in (None, "") and str(v).strip() for v in cells):
                    continue
                cells += [None] * (len(columns) - len(cells))
                _refuse_uncomputed_formulas(formulas[title], number, cells, columns, file)
                rows.append((number, dict(zip(columns, cells, strict=True))))
            reader.read(spec, rows, lambda line, column, f=file: Location(f, line, column))
    finally:
        workbook.close()
        formulas.close()
    return reader.bundle()


def _refuse_uncomputed_formulas(
    sheet: Any, number: int, cells: list[Any], columns: list[str], file: str
) -> None:
    """A formula cell saved without its computed value (written by a program, never opened
    in a spreadsheet) reads as empty: refuse it rather than store a missing value."""
    if all(c not in (None, "") for c in cells):
        return
    for index, value in enumerate(cells):
        if value in (None, ""):
            raw = sheet.cell(row=number, column=index + 1).value
            if isinstance(raw, str) and raw.startswith("="):
                raise DataFormatError(
                    f"formula {raw} has no computed value (open and save the workbook in a "
                    "spreadsheet program, or write the value)",
                    location=Location(file, number, columns[index]),
                )


# --------------------------------------------------------------------------- tables


def _norm(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lstrip("\ufeff").casefold())


def _normalise_header(header: list[str], where: Location) -> list[str]:
    columns = [COLUMN_ALIASES.get(_norm(h), _norm(h)) for h in header]
    for index, column in enumerate(columns):
        if not column:
            raise DataFormatError(
                f"column {index + 1} has no header",
                location=Location(where.file, 1, f"#{index + 1}"),
            )
        if columns.index(column) != index:
            raise DataFormatError(
                f"column '{column}' appears twice", location=Location(where.file, 1, column)
            )
    return columns


def _detect(columns: list[str], where: Location, named: TableSpec | None) -> TableSpec:
    found = set(columns)
    if named is None:
        scored = sorted(TABLES, key=lambda s: -len(found & set(s.required)) / len(s.required))
        complete = [s for s in scored if set(s.required) <= found]
        named = complete[0] if complete else scored[0]
        if not found & set(named.required):
            tables = "; ".join(f"{s.name}: {', '.join(s.required)}" for s in TABLES)
            raise DataFormatError(
                f"cannot tell which table this is from its columns ({', '.join(columns)}); "
                f"expected the columns of one of: {tables}",
                location=Location(where.file, 1),
            )
    missing = [c for c in named.required if c not in found]
    if named.one_of and not found & set(named.one_of):
        missing.append(" or ".join(named.one_of))
    if missing:
        raise DataFormatError(
            f"missing required column(s) for {named.name}: {', '.join(missing)}; "
            f"found: {', '.join(columns)}",
            location=Location(where.file, 1, missing[0]),
        )
    unknown = [c for c in columns if c not in named.allowed]
    if unknown:
        raise DataFormatError(
            f"unknown column '{unknown[0]}' for {named.name}; allowed: "
            f"{', '.join(named.allowed)}",
            location=Location(where.file, 1, unknown[0]),
        )
    return named


def _text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


def parse_number(value: Cell, where: Location) -> float:
    """A finite number from a cell: ``1234.5``, ``1,234.5``, ``1e6`` or an Excel number."""
    if isinstance(value, bool):
        raise DataFormatError(f"'{value}' is not a number", location=where)
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = _text(value).replace("\u00a0", "").replace(" ", "")
        if _THOUSANDS.match(text):
            text = text.replace(",", "")
        try:
            number = float(text)
        except ValueError:
            raise DataFormatError(f"'{_text(value)}' is not a number", location=where) from None
    if not math.isfinite(number):
        raise DataFormatError(f"'{_text(value)}' is not a finite number", location=where)
    return number


def _optional_number(value: Cell, where: Location) -> float | None:
    return None if _text(value).casefold() in MISSING else parse_number(value, where)


def parse_year(value: Cell, where: Location) -> int:
    """A four-digit year (an Excel date gives its year)."""
    if isinstance(value, dt.date | dt.datetime):
        return value.year
    text = _text(value)
    if not re.fullmatch(r"\d{4}", text):
        raise DataFormatError(f"'{text}' is not a four-digit year", location=where)
    return int(text)


def parse_bool(value: Cell, where: Location) -> bool:
    """``true/false``, ``yes/no``, ``1/0``, ``y/n``, ``e`` (estimate) or empty (false)."""
    if isinstance(value, bool):
        return value
    text = _text(value).casefold()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise DataFormatError(f"'{_text(value)}' is not true/false (yes/no, 1/0)", location=where)


def parse_share(value: Cell, where: Location) -> float:
    """A share as a fraction: ``0.45``, or a percentage with a ``%`` suffix (``45%``).

    A number without ``%`` must be within 0-1; with ``%`` within 0-100.
    """
    text = _text(value)
    if isinstance(value, str) and text.endswith("%"):
        number = parse_number(text[:-1].strip(), where)
        if not 0 <= number <= 100:
            raise ValidationError(f"share {text} is outside 0-100 %", location=where)
        return number / 100
    number = parse_number(value, where)
    if number < 0:
        raise ValidationError(f"share {text} is negative", location=where)
    if number > 1:
        raise ValidationError(
            f"share {text} is over 1: give a fraction 0-1 or a percentage with % ({text}%)",
            location=where,
        )
    return number


def parse_measure(value: Cell, where: Location) -> Measure:
    """A :class:`Measure` by value (``production``) or alias (``refinery production``)."""
    text = _norm(_text(value))
    if text in MEASURE_ALIASES:
        return MEASURE_ALIASES[text]
    try:
        return Measure(text)
    except ValueError:
        allowed = ", ".join(m.value for m in Measure)
        raise ValidationError(
            f"unknown measure '{_text(value)}'; allowed: {allowed}", location=where
        ) from None


def _enum(enum: Any, value: Cell, what: str, where: Location, optional: bool = False) -> Any:
    text = _norm(_text(value))
    if optional and not text:
        return None
    try:
        return enum(text)
    except ValueError:
        allowed = ", ".join(e.value for e in enum)
        raise ValidationError(
            f"unknown {what} '{_text(value)}'; allowed: {allowed}", location=where
        ) from None


def _split(value: Cell) -> tuple[str, ...]:
    return tuple(p for p in re.split(r"[;,|\s]+", _text(value)) if p)


class _TableReader:
    """Turns validated rows of one or more tables (one file) into a :class:`Bundle`."""

    def __init__(self, name: str, data: bytes, encoding: str | None) -> None:
        self.name = name
        self.sha256 = hashlib.sha256(data).hexdigest()
        self.encoding = encoding
        self.items: list[Item] = []
        self.countries: list[Country] = []
        self.facts: list[tuple[tuple[str, ...], int | None, Any, Location]] = []
        self._resolved: dict[str, str] = {}

    # facts are kept with their (source, publisher, licence, url) group until sources exist
    def read(
        self, spec: TableSpec, rows: list[tuple[int, dict[str, Cell]]],
        where: Callable[[int, str | None], Location],
    ) -> None:
        method = getattr(self, f"_{spec.name}")
        for line, row in rows:
            method(row, lambda column, line=line: where(line, column))

    def _group(self, row: dict[str, Cell]) -> tuple[str, ...]:
        return tuple(_text(row.get(c)) for c in SOURCE_COLUMNS)

    def _country(self, value: Cell, where: Location) -> str:
        from econsec.datasets.countries import resolve_country

        name = _text(value)
        if name not in self._resolved:
            self._resolved[name] = resolve_country(name, location=where)
        return self._resolved[name]

    @staticmethod
    def _is_aggregate(label: str) -> bool:
        try:
            from econsec.datasets.countries import is_aggregate_label
        except ImportError:  # pragma: no cover - the countries module ships with econsec
            return label.casefold().startswith(("world", "other", "rest of"))
        return is_aggregate_label(label)

    def _required_text(self, row: dict[str, Cell], column: str, where: Where) -> str:
        text = _text(row.get(column))
        if not text:
            raise DataFormatError(f"'{column}' is empty", location=where(column))
        return text

    def _observations(self, row: dict[str, Cell], where: Where) -> None:
        item = self._required_text(row, "item", where)
        area = self._required_text(row, "country", where)
        year = parse_year(row["year"], where("year"))
        measure = parse_measure(row["measure"], where("measure"))
        aggregate = parse_bool(row.get("is_aggregate"), where("is_aggregate"))
        if not aggregate and self._is_aggregate(area):
            aggregate = True
        iso3 = None if aggregate else self._country(area, where("country"))
        raw = _text(row["value"])
        withheld = raw.casefold() in WITHHELD
        value = None if withheld else _optional_number(row["value"], where("value"))
        if value is not None and value < 0 and measure in NON_NEGATIVE:
            raise ValidationError(
                f"negative {measure.value} value {raw}", location=where("value")
            )
        record = Observation(
            item_id=item, area=area, iso3=iso3, is_aggregate=aggregate, year=year,
            measure=measure, value=value, unit=_text(row["unit"]), source_key="",
            is_estimate=parse_bool(row.get("is_estimate"), where("is_estimate")),
            withheld=withheld, value_raw=raw, series=_text(row.get("series")),
            note=_text(row.get("note")),
        )
        self.facts.append((self._group(row), year, record, where(None)))

    def _trade_flows(self, row: dict[str, Cell], where: Where) -> None:
        item = self._required_text(row, "item", where)
        label = self._required_text(row, "exporter", where)
        exporter = None if self._is_aggregate(label) else self._country(label, where("exporter"))
        importer = self._country(self._required_text(row, "importer", where), where("importer"))
        year = parse_year(row["year"], where("year"))
        value = _optional_number(row.get("value"), where("value"))
        share_text = _text(row.get("share"))
        share = None if share_text.casefold() in MISSING else parse_share(
            row.get("share"), where("share"))
        quantity = _optional_number(row.get("quantity"), where("quantity"))
        for column, number in (("value", value), ("quantity", quantity)):
            if number is not None and number < 0:
                raise ValidationError(f"negative {column} {number:g}", location=where(column))
        if value is None and share is None:
            column = "value" if "value" in row else "share"
            raise DataFormatError("give a value or a share", location=where(column))
        year_end = _text(row.get("year_end"))
        record = TradeFlow(
            item_id=item, exporter=exporter, importer=importer, year=year, source_key="",
            value=value, quantity=quantity, unit=_text(row.get("unit")), share=share,
            exporter_label=label,
            year_end=parse_year(year_end, where("year_end")) if year_end else None,
        )
        self.facts.append((self._group(row), year, record, where(None)))

    def _bill_of_materials(self, row: dict[str, Cell], where: Where) -> None:
        quantity = _optional_number(row.get("quantity_per_unit"), where("quantity_per_unit"))
        if quantity is not None and quantity < 0:
            raise ValidationError(
                f"negative quantity per unit {quantity:g}", location=where("quantity_per_unit")
            )
        subst = _optional_number(row.get("substitutability"), where("substitutability"))
        if subst is not None and not 0 <= subst <= 1:
            raise ValidationError(
                f"substitutability {subst:g} is outside 0-1", location=where("substitutability")
            )
        inp = self._required_text(row, "input_item", where)
        out = self._required_text(row, "output_item", where)
        if inp == out:
            raise ValidationError(f"item '{inp}' is its own input", location=where("output_item"))
        record = InputEdge(inp, out, "", quantity, _text(row.get("unit")), subst)
        self.facts.append((self._group(row), None, record, where(None)))

    def _items(self, row: dict[str, Cell], where: Where) -> None:
        item_id = self._required_text(row, "id", where)
        if not re.fullmatch(r"[a-z0-9][a-z0-9._-]*", item_id):
            raise ValidationError(
                f"item id '{item_id}' must be a lower-case slug (a-z, 0-9, '-', '_', '.')",
                location=where("id"),
            )
        self.items.append(Item(
            id=item_id,
            kind=_enum(ItemKind, row["kind"], "kind", where("kind")),
            name_en=self._required_text(row, "name_en", where),
            name_ja=_text(row.get("name_ja")),
            service_type=_enum(ServiceType, row.get("service_type"), "service type",
                               where("service_type"), optional=True),
            hs_codes=_split(row.get("hs_codes")),
            domain=_text(row.get("domain")),
            stage=_enum(Stage, row.get("stage"), "stage", where("stage"), optional=True),
        ))

    def _countries(self, row: dict[str, Cell], where: Where) -> None:
        iso3 = self._required_text(row, "iso3", where).upper()
        if not re.fullmatch(r"[A-Z]{3}", iso3):
            raise ValidationError(f"'{iso3}' is not an ISO alpha-3 code", location=where("iso3"))
        self.countries.append(Country(
            iso3=iso3, iso2=_text(row.get("iso2")).upper(), numeric=_text(row.get("numeric")),
            name_en=self._required_text(row, "name_en", where),
            name_ja=_text(row.get("name_ja")), groups=_split(row.get("groups")),
        ))

    def bundle(self) -> Bundle:
        """The bundle with one Source per distinct (source, publisher, licence, url)."""
        groups = list(dict.fromkeys(group for group, _, _, _ in self.facts)) or [("",) * 4]
        base = f"user:{self.name}"
        keys: dict[tuple[str, ...], str] = {}
        for n, group in enumerate(groups, 1):
            if len(groups) == 1:
                keys[group] = base
            else:
                slug = re.sub(r"[^a-z0-9]+", "-", (group[0] or group[1]).casefold()).strip("-")
                keys[group] = f"{base}:{slug or n}"
                if list(keys.values()).count(keys[group]) > 1:
                    keys[group] = f"{base}:{slug}-{n}"
        sources = []
        for group in groups:
            title, publisher, licence, url = group
            years = [y for g, y, _, _ in self.facts if g == group and y is not None]
            citation = f"User file {self.name} (sha256 {self.sha256[:12]}…)"
            if self.encoding and self.encoding not in {"utf-8", "utf-8-sig"}:
                citation += f"; decoded as {self.encoding} (detected by charset-normalizer)"
            sources.append(Source(
                key=keys[group], publisher=publisher or "user", title=title or self.name,
                year=max(years) if years else dt.date.today().year,
                licence=licence or "unspecified", url=url, file=self.name,
                sha256=self.sha256, citation=citation,
            ))
        out = Bundle(sources=sources, countries=self.countries, items=self.items)
        for group, _, record, location in self.facts:
            record = _with_source(record, keys[group])
            if isinstance(record, Observation):
                table = "observations"
            elif isinstance(record, TradeFlow):
                table = "trade_flows"
            else:
                table = "input_edges"
            getattr(out, table).append(record)
            out.locations.setdefault(table, []).append(location)
        return out


def _with_source(record: Any, key: str) -> Any:
    from dataclasses import replace

    return replace(record, source_key=key)


# --------------------------------------------------------------------------- data package

PACKAGE_TABLES = (
    "sources", "countries", "country_groups", "items", "item_hs_codes", "observations",
    "trade_flows", "input_edges", "governance_scores", "country_risk",
)
"""Resources of a data package that become records; others (firms, …) are not read yet."""

_PACKAGE_COLUMNS = {
    "sources": ("key", "publisher", "title", "year", "licence"),
    "countries": ("iso3", "name_en"),
    "country_groups": ("group_name", "iso3"),
    "items": ("id", "kind", "name_en"),
    "item_hs_codes": ("item_id", "hs_code"),
    "observations": ("item_id", "area", "iso3", "year", "measure", "value", "unit",
                     "source_key"),
    "trade_flows": ("item_id", "exporter", "importer", "year", "source_key"),
    "input_edges": ("input_item", "output_item", "source_key"),
    "governance_scores": ("iso3", "year", "dimension", "estimate", "source_key"),
    "country_risk": ("iso3", "category", "valid_from", "source_key"),
}


def _resource_rows(
    folder: Path, resource: dict[str, Any], package: str
) -> Iterator[tuple[dict[str, str], Callable[[str | None], Location]]]:
    name = resource["name"]
    rel = resource.get("path")
    if not isinstance(rel, str) or not rel:
        raise DataFormatError(
            f"resource '{name}' needs a single relative 'path'", location=Location(package)
        )
    target = (folder / rel).resolve()
    if Path(rel).is_absolute() or "://" in rel or folder.resolve() not in target.parents:
        raise DataFormatError(
            f"resource '{name}': path '{rel}' must stay inside the package folder",
            location=Location(package),
        )
    file = str(folder / rel)
    if not target.is_file():
        raise DataFormatError(f"resource '{name}': file not found", location=Location(file))
    text, _ = decode_bytes(target.read_bytes(), file)
    header, records = csv_records(text, file)
    missing = [c for c in _PACKAGE_COLUMNS[name] if c not in header]
    if missing:
        raise DataFormatError(
            f"missing required column(s) for {name}: {', '.join(missing)}; "
            f"found: {', '.join(header)}",
            location=Location(file, 1, missing[0]),
        )
    for line, cells in records:
        yield dict(zip(header, cells, strict=True)), (
            lambda column, line=line: Location(file, line, column)
        )


def read_datapackage(path: Path) -> Bundle:
    """Read a data package written by :meth:`econsec.kb.store.Store.export_datapackage`.

    Resources are recognised by name (``sources``, ``countries``, ``country_groups``,
    ``items``, ``item_hs_codes``, ``observations``, ``trade_flows``, ``input_edges``,
    ``governance_scores``, ``country_risk``); records keep their ``source_key``.
    """
    package = str(path)
    text, _ = decode_bytes(path.read_bytes(), package)
    try:
        descriptor = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataFormatError(
            f"invalid JSON: {exc.msg}", location=Location(package, exc.lineno, f"#{exc.colno}")
        ) from exc
    resources = descriptor.get("resources") if isinstance(descriptor, dict) else None
    if not isinstance(resources, list):
        raise DataFormatError("datapackage.json has no 'resources' list",
                              location=Location(package))
    by_name = {r.get("name"): r for r in resources if isinstance(r, dict)}
    folder = path.parent

    def rows(name: str) -> Iterator[tuple[dict[str, str], Callable[[str | None], Location]]]:
        if name in by_name:
            yield from _resource_rows(folder, by_name[name], package)

    out = Bundle()
    for r, at in rows("sources"):
        out.sources.append(Source(
            key=r["key"], publisher=r["publisher"], title=r["title"],
            year=parse_year(r["year"], at("year")), licence=r["licence"],
            url=r.get("url", ""), file=r.get("file", ""), sha256=r.get("sha256", ""),
            citation=r.get("citation", ""),
        ))
    groups: dict[str, list[str]] = {}
    for r, _at in rows("country_groups"):
        groups.setdefault(r["iso3"], []).append(r["group_name"])
    for r, _at in rows("countries"):
        out.countries.append(Country(
            iso3=r["iso3"], iso2=r.get("iso2", ""), numeric=r.get("numeric", ""),
            name_en=r["name_en"], name_ja=r.get("name_ja", ""),
            groups=tuple(sorted(groups.get(r["iso3"], ()))),
        ))
    codes: dict[str, list[tuple[int, str]]] = {}
    for r, at in rows("item_hs_codes"):
        position = int(parse_number(r.get("position") or 0, at("position")))
        codes.setdefault(r["item_id"], []).append((position, r["hs_code"]))
    for r, at in rows("items"):
        out.items.append(Item(
            id=r["id"], kind=_enum(ItemKind, r["kind"], "kind", at("kind")), name_en=r["name_en"],
            name_ja=r.get("name_ja", ""),
            service_type=_enum(ServiceType, r.get("service_type"), "service type",
                               at("service_type"), optional=True),
            hs_codes=tuple(c for _, c in sorted(codes.get(r["id"], ()))),
            domain=r.get("domain", ""),
            stage=_enum(Stage, r.get("stage"), "stage", at("stage"), optional=True),
        ))
    for r, at in rows("observations"):
        out.observations.append(Observation(
            item_id=r["item_id"], area=r["area"], iso3=r["iso3"] or None,
            is_aggregate=parse_bool(r.get("is_aggregate"), at("is_aggregate")),
            year=parse_year(r["year"], at("year")),
            measure=parse_measure(r["measure"], at("measure")),
            value=_package_number(r["value"], at("value")), unit=r["unit"],
            source_key=r["source_key"],
            is_estimate=parse_bool(r.get("is_estimate"), at("is_estimate")),
            withheld=parse_bool(r.get("withheld"), at("withheld")),
            value_raw=r.get("value_raw", ""), series=r.get("series", ""), note=r.get("note", ""),
        ))
    for r, at in rows("trade_flows"):
        year_end = r.get("year_end", "")
        out.trade_flows.append(TradeFlow(
            item_id=r["item_id"], exporter=r["exporter"] or None, importer=r["importer"],
            year=parse_year(r["year"], at("year")), source_key=r["source_key"],
            value=_package_number(r.get("value", ""), at("value")),
            quantity=_package_number(r.get("quantity", ""), at("quantity")),
            unit=r.get("unit", ""), share=_package_number(r.get("share", ""), at("share")),
            exporter_label=r.get("exporter_label", ""),
            year_end=parse_year(year_end, at("year_end")) if year_end else None,
        ))
    for r, at in rows("input_edges"):
        out.input_edges.append(InputEdge(
            input_item=r["input_item"], output_item=r["output_item"], source_key=r["source_key"],
            quantity_per_unit=_package_number(r.get("quantity_per_unit", ""),
                                              at("quantity_per_unit")),
            unit=r.get("unit", ""),
            substitutability=_package_number(r.get("substitutability", ""),
                                             at("substitutability")),
        ))
    for r, at in rows("governance_scores"):
        out.governance.append(GovernanceScore(
            iso3=r["iso3"], year=parse_year(r["year"], at("year")), dimension=r["dimension"],
            estimate=parse_number(r["estimate"], at("estimate")), source_key=r["source_key"],
        ))
    for r, at in rows("country_risk"):
        category = parse_number(r["category"], at("category"))
        if not category.is_integer():
            raise DataFormatError(f"category '{r['category']}' is not an integer",
                                  location=at("category"))
        out.country_risk.append(CountryRisk(
            iso3=r["iso3"], category=int(category), valid_from=r["valid_from"],
            source_key=r["source_key"], note=r.get("note", ""),
        ))
    return out


def _package_number(text: str, where: Location) -> float | None:
    return None if text == "" else parse_number(text, where)
