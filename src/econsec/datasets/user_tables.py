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

Encodings (see :func:`decode_bytes`): UTF-8 with or without BOM and UTF-16 with BOM; a
declared encoding (``encoding=``; a data package's resource ``encoding``); otherwise only
Shift_JIS (CP932), EUC-JP or Windows-1252 when every non-ASCII character decodes to what
those encodings are used for (Japanese script; Latin letters inside words and common
punctuation). Anything else is refused rather than guessed; the detected encoding is noted
in the Source's ``citation``.

Bounds (so that a hostile file is refused in bounded time and memory): see the ``MAX_*``
constants; an .xlsx is checked as a zip (members, unpacked size, compression ratio) before
it is parsed.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import itertools
import math
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from econsec.errors import DataFormatError, EconsecError, Location, Term, ValidationError
from econsec.records import (
    HS_VERSIONS,
    TRADE_VALUE_UNIT,
    Bundle,
    CommodityProduct,
    Country,
    CountryRisk,
    FlowTable,
    GovernanceScore,
    InputEdge,
    Item,
    ItemKind,
    LineLocations,
    Measure,
    Observation,
    ServiceType,
    Source,
    Stage,
    TradeFlow,
)

Cell = str | int | float | bool | dt.datetime | dt.date | None


def N_(message: str) -> str:
    """Mark a refusal's message id for the catalogue (translated where it is shown)."""
    return message


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
MISSING = frozenset({"", "na", "n/a", "none", "null", "-", "--", "–", "—"})
"""Cell texts that mean "no value". ``NaN`` and ``inf`` are refused, not read as missing."""
WITHHELD = frozenset({"w", "withheld"})
TRUE = frozenset({"true", "yes", "y", "1", "t", "e", "x"})
FALSE = frozenset({"false", "no", "n", "0", "f", ""})
DECLARABLE_ENCODINGS = {
    "utf-8": "utf-8", "utf8": "utf-8", "utf-8-sig": "utf-8-sig", "utf-16": "utf-16",
    "cp932": "cp932", "shift_jis": "cp932", "shift-jis": "cp932", "sjis": "cp932",
    "windows-31j": "cp932", "ms932": "cp932", "euc-jp": "euc_jp", "euc_jp": "euc_jp",
    "cp1252": "cp1252", "windows-1252": "cp1252", "latin-1": "latin-1",
    "iso-8859-1": "latin-1", "gb18030": "gb18030", "big5": "big5",
}
"""Encodings a user may declare (``econsec import --encoding``), by accepted spelling."""

MAX_VALUE = 1e15
"""Largest magnitude of a number accepted at import (in the unit the row states)."""
MAX_CELL_CHARS = 10_000
MAX_NAME_CHARS = 300
"""Names (items, countries, labels), ids, units and source keys."""
MAX_ID_CHARS = 100
MAX_ROWS = 5_000_000
MAX_COLUMNS = 100
MAX_XLSX_UNPACKED = 150 * 1024 * 1024
"""An .xlsx whose zip members unpack to more than this is refused before parsing."""
MAX_XLSX_RATIO = 150
"""... and so is one with a member over 1 MB that is compressed more than this many times."""
MAX_XLSX_MEMBERS = 10_000
MAX_XLSX_ROWS = 200_000
SLUG_MESSAGE = N_("item id '%(value)s' must be a lower-case slug (a-z, 0-9, '-', '_', '.')")
MIN_YEAR, MAX_YEAR = 1800, 2200
"""Years outside this range are refused (the API and the pages ask for no others)."""


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
    TableSpec(
        "product_flows",
        ("exporter", "importer", "hs_code", "hs_version", "year"),
        SOURCE_COLUMNS,
        one_of=("value_kusd", "quantity_t"),
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
FACT_TABLE = {"observations": "observations", "trade_flows": "trade_flows",
              "product_flows": "trade_flows", "bill_of_materials": "input_edges"}
"""Table of a user file -> the :class:`Bundle` list its records go to."""
LAZY_CHARS = 2_000_000
"""A CSV file longer than this keeps its fact records in the file (:class:`FileRecords`)."""
FACT_SPECS = frozenset({"observations", "trade_flows", "product_flows", "bill_of_materials"})
SHEET_NAMES = {
    "observations": "observations", "observation": "observations",
    "trade_flows": "trade_flows", "trade": "trade_flows", "trade_flow": "trade_flows",
    "product_flows": "product_flows", "product_flow": "product_flows",
    "hs_flows": "product_flows",
    "items": "items", "item": "items", "commodities": "items",
    "countries": "countries", "country": "countries",
    "bill_of_materials": "bill_of_materials", "bom": "bill_of_materials",
    "input_edges": "bill_of_materials",
}
COLUMN_ALIASES = {"commodity": "item", "area": "country", "license": "licence",
                  "item_id": "item", "title": "source"}
IGNORED_SHEETS = frozenset({"readme", "notes", "about"})


# --------------------------------------------------------------------------- entry point


class Problems(list[EconsecError]):
    """Where a reader collects the refusals of a file's rows instead of raising the first:
    a refused row is left out of the bundle and its problem kept; after ``limit`` problems
    the reader stops with :class:`ProblemLimit`. Problems of the file as a whole (encoding,
    header, structure) are still raised. See :mod:`econsec.datasets.file_check`."""

    def __init__(self, limit: int = 100) -> None:
        super().__init__()
        self.limit = limit

    def keep(self, error: EconsecError) -> None:
        self.append(error)
        if len(self) >= self.limit:
            raise ProblemLimit


class ProblemLimit(Exception):
    """A reader has collected as many problems as it lists."""


def read_user_file(path: Path, *, encoding: str | None = None,
                   problems: Problems | None = None) -> Bundle:
    """Read a user's CSV, Excel workbook or data package into a validated :class:`Bundle`.

    Raises :class:`DataFormatError` for files that cannot be read as a table (encoding,
    malformed CSV, missing columns, non-numeric numbers), :class:`ValidationError` for
    values that are not allowed (negative production, a share outside 0-100 %, an unknown
    measure) and :class:`~econsec.errors.UnknownCountryError` (with suggestions) for a
    country name that cannot be resolved; each names file, line and column.
    ``encoding`` declares the encoding of a CSV file (see :data:`DECLARABLE_ENCODINGS`).
    ``problems``: collect the refusals of CSV and workbook rows there (see
    :class:`Problems`) and return the rows that pass.
    """
    path = Path(path)
    if encoding is not None:
        encoding = declared_encoding(encoding, Location(str(path)))
    if path.is_dir():
        package = path / "datapackage.json"
        if not package.is_file():
            raise DataFormatError(N_("folder has no datapackage.json"),
                                  location=Location(str(path)))
        return read_datapackage(package, problems=problems)
    if not path.is_file():
        raise DataFormatError(N_("file not found"), location=Location(str(path)))
    try:
        return _read_file(path, encoding, problems)
    except OSError as exc:
        raise DataFormatError(N_("cannot read the file: %(reason)s"),
                              params={"reason": exc.strerror or str(exc)},
                              location=Location(str(path))) from None


def _read_file(path: Path, encoding: str | None, problems: Problems | None = None) -> Bundle:
    suffix = path.suffix.lower()
    if path.name.lower().endswith("datapackage.json") or suffix == ".json":
        return read_datapackage(path, problems=problems)
    if suffix in {".csv", ".tsv", ".txt"}:
        return read_csv_file(path, encoding=encoding, problems=problems)
    if suffix in {".xlsx", ".xlsm"}:
        return read_excel_file(path, problems=problems)
    raise DataFormatError(
        N_("unsupported file type '%(suffix)s': give a .csv, .xlsx or a data package "
           "(folder or datapackage.json); save .xls workbooks as .xlsx"),
        params={"suffix": path.suffix}, location=Location(str(path)),
    )


# --------------------------------------------------------------------------- decoding


def declared_encoding(name: str, where: Location) -> str:
    """The codec of a declared encoding name; :class:`DataFormatError` for others."""
    codec = DECLARABLE_ENCODINGS.get(name.strip().casefold())
    if codec is None:
        raise DataFormatError(
            N_("encoding %(name)s is not supported; use one of: %(allowed)s"),
            params={"name": repr(name), "allowed": ", ".join(sorted(set(DECLARABLE_ENCODINGS)))},
            location=where)
    return codec


_LATIN_PUNCTUATION = frozenset("–—‘’‚“”„•…€£¥¢°±×÷·©®™«»¼½¾²³µ§¶¿¡\u00a0")
_UNLIKELY_LATIN = frozenset("ÿþÞðÐƒˆ˜‰†‡‹›¤¦¨¯´¸ªº")


def _japanese(char: str) -> bool:
    code = ord(char)
    return (0x3000 <= code <= 0x30FF or 0x3400 <= code <= 0x9FFF or 0xFF01 <= code <= 0xFFEF
            or 0x2460 <= code <= 0x24FF or 0xF900 <= code <= 0xFAFF
            or char in "※○×÷―‐℃°±〒∞∴♂♀")


def _plausible_japanese(text: str) -> bool:
    wide = [c for c in text if ord(c) > 0x7F]
    return len(wide) >= 2 and all(_japanese(c) for c in wide)


def _plausible_latin(text: str) -> bool:
    """Every non-ASCII character is common punctuation or a Latin letter inside a word,
    not an upper-case letter right after a lower-case one (corrupted UTF-8 reads so)."""
    import unicodedata

    for index, char in enumerate(text):
        if ord(char) < 0x80 or char in _LATIN_PUNCTUATION:
            continue
        if char in _UNLIKELY_LATIN or not char.isalpha():
            return False
        if "LATIN" not in unicodedata.name(char, ""):
            return False
        before = text[index - 1] if index else " "
        after = text[index + 1] if index + 1 < len(text) else " "
        if not (before.isalpha() or after.isalpha()):
            return False
        if char.isupper() and before.isalpha() and before.islower():
            return False
    return True


def decode_bytes(data: bytes, file: str, declared: str | None = None) -> tuple[str, str]:
    """Text of ``data`` and the encoding used.

    UTF-8 (with or without BOM) and UTF-16 with BOM are read as such; a ``declared``
    encoding is used strictly. Otherwise the bytes are tried as Shift_JIS (CP932), EUC-JP
    and Windows-1252 and accepted only when exactly one of them gives plausible text
    (Japanese script for the first two; Latin letters in words and common punctuation for
    the last). Anything else raises :class:`DataFormatError` naming the first line that is
    not UTF-8: an encoding is never guessed into mojibake.
    """
    if declared:
        codec = declared_encoding(declared, Location(file))
        if codec == "utf-8" and data.startswith(b"\xef\xbb\xbf"):
            codec = "utf-8-sig"
        try:
            return data.decode(codec), codec
        except UnicodeDecodeError as exc:
            raise _undecodable(data, exc.start, file, codec) from None
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise _undecodable(data, exc.start + 3, file, "UTF-8") from exc
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise _undecodable(data, exc.start, file, "UTF-16") from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    if b"\x00" in data:
        raise _undecodable(data, data.index(b"\x00"), file, "text (binary data)")
    fits = []
    for codec, plausible in (("cp932", _plausible_japanese), ("euc_jp", _plausible_japanese),
                             ("cp1252", _plausible_latin)):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if plausible(text):
            fits.append((codec, text))
    if len(fits) == 1:
        return fits[0][1], fits[0][0]
    if fits:
        names = " or ".join(codec for codec, _ in fits)
        raise DataFormatError(
            "cannot tell the encoding (could be %(names)s); save the file as UTF-8 or "
            "declare the encoding (econsec import --encoding NAME)", params={"names": names},
            location=Location(file, data[:first_bad].count(b"\n") + 1))
    raise _undecodable(data, first_bad, file, "UTF-8 or a recognisable legacy encoding")


def _undecodable(data: bytes, offset: int, file: str, what: str) -> DataFormatError:
    line = data[:offset].count(b"\n") + 1
    byte = f"byte 0x{data[offset]:02x}" if offset < len(data) else "the end of the file"
    return DataFormatError(
        "cannot decode %(byte)s as %(what)s; save the file as UTF-8 (or declare its "
        "encoding: econsec import --encoding NAME)",
        params={"byte": byte, "what": what}, location=Location(file, line),
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


def iter_csv_records(text: str, file: str
                     ) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """Header and an iterator of ``(line, cells)`` of each non-blank record; ``line`` is
    where the record starts. Records are parsed as they are consumed (no copy of the file).

    Raises :class:`DataFormatError` for an unbalanced quote, a record whose number of
    fields differs from the header's, a cell longer than :data:`MAX_CELL_CHARS`, more than
    :data:`MAX_COLUMNS` columns or :data:`MAX_ROWS` rows.
    """
    end = text.find("\n")
    delimiter = _sniff_delimiter(text[: end if end >= 0 else len(text)])
    reader = csv.reader(_physical_lines(text), delimiter=delimiter, strict=True)
    state = {"previous": 0}

    def physical_line(number: int) -> str:
        return next(itertools.islice(_physical_lines(text), number - 1, None), "")

    def next_record() -> tuple[int, list[str]] | None:
        start = state["previous"] + 1
        try:
            cells = next(reader)
        except StopIteration:
            return None
        except csv.Error as exc:
            column = None
            if header:
                column = _unclosed_quote_column(physical_line(start), delimiter, header)
            quote = "quote" in str(exc) or "end of data" in str(exc)
            message = (N_("malformed CSV: %(reason)s (unbalanced quote?)") if quote
                       else N_("malformed CSV: %(reason)s"))
            raise DataFormatError(message, params={"reason": str(exc)},
                                  location=Location(file, start, column)) from None
        state["previous"] = reader.line_num
        long = next((i for i, c in enumerate(cells) if len(c) > MAX_CELL_CHARS), None)
        if long is not None:
            column = header[long] if header and long < len(header) else f"#{long + 1}"
            raise DataFormatError(
                "a cell of %(size)s characters is longer than the limit of %(limit)s",
                params={"size": f"{len(cells[long]):,}", "limit": f"{MAX_CELL_CHARS:,}"},
                location=Location(file, start, column))
        return start, cells

    header: list[str] = []
    first = next_record()
    if first is None:
        raise DataFormatError(N_("empty file"), location=Location(file, 1))
    header = first[1]
    if len(header) > MAX_COLUMNS:
        raise DataFormatError(N_("%(count)s columns; at most %(limit)s are read"),
                              params={"count": len(header), "limit": MAX_COLUMNS},
                              location=Location(file, 1))

    def records() -> Iterator[tuple[int, list[str]]]:
        count = 0
        while (record := next_record()) is not None:
            start, cells = record
            if not any(c.strip() for c in cells):
                continue
            count += 1
            if count > MAX_ROWS:
                raise DataFormatError("more than %(limit)s rows; split the file",
                                      params={"limit": f"{MAX_ROWS:,}"},
                                      location=Location(file, start))
            if len(cells) != len(header):
                _wrong_width(cells, header, file, start, reader.line_num)
            yield start, cells

    return header, records()


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def _physical_lines(text: str) -> Iterator[str]:
    """The lines of ``text`` with their endings (``\\r\\n``, ``\\r`` or ``\\n``), one at a
    time: unlike ``io.StringIO``, no second copy of a large file (at 4 bytes a character)."""
    return (match.group() for match in _LINE.finditer(text))


def _wrong_width(cells: list[str], header: list[str], file: str, start: int,
                 end: int) -> None:
    multiline = [i for i, c in enumerate(cells) if "\n" in c or "\r" in c]
    if multiline and end > start:
        column = header[multiline[0]] if multiline[0] < len(header) else None
        raise DataFormatError(
            "unbalanced quote: the quoted field starting on line %(start)s runs to line "
            "%(end)s", params={"start": start, "end": end},
            location=Location(file, start, column),
        )
    if len(cells) > len(header):
        raise DataFormatError(
            "%(fields)s fields but the header has %(header)s (extra field "
            "'%(extra)s'; a value with a comma must be quoted)",
            params={"fields": len(cells), "header": len(header),
                    "extra": _shown(cells[len(header)])},
            location=Location(file, start, f"#{len(header) + 1}"),
        )
    raise DataFormatError(
        "%(fields)s fields but the header has %(header)s",
        params={"fields": len(cells), "header": len(header)},
        location=Location(file, start, header[len(cells)]),
    )


def csv_records(text: str, file: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and ``(line, cells)`` of each non-blank record (a list; see
    :func:`iter_csv_records`)."""
    header, records = iter_csv_records(text, file)
    return header, list(records)


def read_csv_file(path: Path, *, encoding: str | None = None,
                  problems: Problems | None = None) -> Bundle:
    """Read one CSV table (observations, trade flows, items, countries or bill of materials).

    Rows are parsed and converted one at a time, in two passes over the decoded text (the
    first finds the distinct sources), so the file is never held as cells or dicts.
    """
    file = str(path)
    data = path.read_bytes()
    text, used = decode_bytes(data, file, encoding)
    reader = _TableReader(path.name, data, used if encoding is None else None)
    reader.problems = problems
    del data
    header, _ = iter_csv_records(text, file)
    columns = _normalise_header(header, Location(file, 1))
    spec = _detect(columns, Location(file, 1), None)
    if set(SOURCE_COLUMNS) & set(columns):
        at = [columns.index(c) if c in columns else None for c in SOURCE_COLUMNS]
        groups = dict.fromkeys(
            tuple("" if i is None else cells[i].strip() for i in at)
            for _, cells in iter_csv_records(text, file)[1]
        )
        reader.set_groups(list(groups) or [("",) * len(SOURCE_COLUMNS)])
    _, records = iter_csv_records(text, file)
    rows: Iterator[tuple[int, dict[str, Cell]]] = (
        (line, dict(zip(columns, cells, strict=True))) for line, cells in records)
    table = FACT_TABLE.get(spec.name)
    lazy = table is not None and len(text) > LAZY_CHARS
    reader.keep = not lazy
    reader.read(spec, rows, file)
    bundle = reader.bundle()
    if lazy and table is not None:
        count = len(bundle.locations.get(table, ()))
        setattr(bundle, table, FileRecords(
            lambda: reader.replay(spec, text, file, columns), count))
    return bundle


class FileRecords(Sequence[Any]):
    """The records of a large CSV file's table, made again from the file's text each time
    they are iterated, so that a large import never holds them all (the file was checked
    in full when it was read; the same rows give the same records again)."""

    def __init__(self, replay: Callable[[], Iterator[Any]], count: int) -> None:
        self._replay = replay
        self._count = count

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[Any]:
        return self._replay()

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            start, stop, step = index.indices(self._count)
            return list(itertools.islice(self._replay(), start, stop, step))
        if index < 0:
            index += self._count
        if not 0 <= index < self._count:
            raise IndexError(index)
        return next(itertools.islice(self._replay(), index, None))


# --------------------------------------------------------------------------- Excel


def check_workbook_archive(data: bytes, file: str) -> None:
    """Refuse an .xlsx that is not a zip or that would unpack to more than
    :data:`MAX_XLSX_UNPACKED` bytes, has a member compressed more than
    :data:`MAX_XLSX_RATIO` times or more than :data:`MAX_XLSX_MEMBERS` members — before any
    of it is decompressed (a "zip bomb" unpacks a few kilobytes into gigabytes)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise DataFormatError(N_("not an .xlsx workbook (not a valid zip file: %(reason)s)"),
                              params={"reason": str(exc)}, location=Location(file)) from None
    if len(members) > MAX_XLSX_MEMBERS:
        raise DataFormatError(N_("the workbook has %(count)s parts; at most %(limit)s are "
                                 "read"), params={"count": f"{len(members):,}",
                                                  "limit": f"{MAX_XLSX_MEMBERS:,}"},
                              location=Location(file))
    total = sum(m.file_size for m in members)
    if total > MAX_XLSX_UNPACKED:
        raise DataFormatError(
            N_("the workbook unpacks to %(size)s MB, more than the limit of %(limit)s MB: "
               "save the data as CSV (or split it)"),
            params={"size": f"{total / 2**20:,.0f}", "limit": f"{MAX_XLSX_UNPACKED / 2**20:,.0f}"},
            location=Location(file))
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > 2**20 and ratio > MAX_XLSX_RATIO:
            raise DataFormatError(
                N_("workbook part %(part)s is compressed %(ratio)s times (more than "
                   "%(limit)s): refused as a possible zip bomb"),
                params={"part": repr(member.filename), "ratio": f"{ratio:,.0f}",
                        "limit": MAX_XLSX_RATIO}, location=Location(file))
    _check_sheet_rows(archive, members, file)


def _check_sheet_rows(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo],
                      file: str) -> None:
    """Refuse a sheet of more than :data:`MAX_XLSX_ROWS` rows by counting its ``<row``
    elements in the unpacked XML (a streamed scan, well under a second for the largest
    workbook accepted) before openpyxl parses any of it, which takes minutes for such a
    sheet. The count cannot be forged the way a sheet's ``<dimension>`` can."""
    for member in members:
        name = member.filename
        if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
            continue
        rows, tail = 0, b""
        with archive.open(member) as stream:
            while chunk := stream.read(1 << 20):
                block = tail + chunk
                rows += block.count(b"<row ") + block.count(b"<row>")
                tail = block[-4:]  # shorter than "<row ": never counted twice
                if rows > MAX_XLSX_ROWS:
                    raise DataFormatError(
                        N_("workbook part %(part)s has more than %(limit)s rows: save the "
                           "data as CSV (or split it)"),
                        params={"part": repr(name), "limit": f"{MAX_XLSX_ROWS:,}"},
                        location=Location(file))


def read_excel_file(path: Path, *, problems: Problems | None = None) -> Bundle:
    """Read an .xlsx workbook: each sheet is a table, named like one or detected by columns.

    Sheets named ``README``, ``notes``, ``about`` or starting with ``_`` are skipped.
    Locations read ``book.xlsx!sheet, line <row>, column '<name>'``. The workbook is
    checked as a zip first (:func:`check_workbook_archive`); at most
    :data:`MAX_XLSX_ROWS` rows and :data:`MAX_COLUMNS` columns are read.
    """
    data = path.read_bytes()
    check_workbook_archive(data, str(path))
    try:
        from openpyxl import load_workbook
    except ImportError as exc:  # pragma: no cover - openpyxl is a dependency
        raise DataFormatError("reading .xlsx needs openpyxl") from exc
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for broken files
        raise DataFormatError(N_("cannot read workbook: %(reason)s"),
                              params={"reason": _shown(str(exc))},
                              location=Location(str(path))) from None
    try:
        formulas = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # pragma: no cover - the first load succeeded
        raise DataFormatError(N_("cannot read workbook: %(reason)s"),
                              params={"reason": _shown(str(exc))},
                              location=Location(str(path))) from exc
    reader = _TableReader(path.name, data, None)
    reader.problems = problems
    sheets: list[tuple[TableSpec, list[tuple[int, dict[str, Cell]]], str]] = []
    try:
        for sheet in workbook.worksheets:
            title = sheet.title
            if title.startswith("_") or title.strip().casefold() in IGNORED_SHEETS:
                continue
            file = f"{path}!{title}"
            rows_iter = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1)
            header_row = next(rows_iter, None)
            if header_row is None or not any(v not in (None, "") for v in header_row):
                continue
            header = [("" if v is None else str(v)) for v in header_row]
            while header and not header[-1].strip():
                header.pop()
            if len(header) > MAX_COLUMNS:
                raise DataFormatError(N_("more than %(limit)s columns; refused"),
                                      params={"limit": MAX_COLUMNS},
                                      location=Location(file, 1))
            columns = _normalise_header(header, Location(file, 1))
            named = SHEET_NAMES.get(_norm(title))
            spec = _detect(columns, Location(file, 1), SPECS[named] if named else None)
            rows = []
            for number, values in enumerate(rows_iter, start=2):
                if number > MAX_XLSX_ROWS + 1:
                    raise DataFormatError(
                        N_("more than %(limit)s rows in a sheet: save the data as CSV"),
                        params={"limit": f"{MAX_XLSX_ROWS:,}"},
                        location=Location(file, number))
                try:
                    row = _sheet_row(values, columns, number, file, formulas[title])
                except EconsecError as exc:
                    if problems is None:
                        raise
                    problems.keep(exc)
                    continue
                if row is not None:
                    rows.append((number, row))
            sheets.append((spec, rows, file))
    finally:
        workbook.close()
        formulas.close()
    groups = dict.fromkeys(reader.group_of(row) for spec, rows, _ in sheets for _, row in rows
                           if spec.name in FACT_SPECS)
    if groups:
        reader.set_groups(list(groups))
    for spec, rows, file in sheets:
        reader.read(spec, rows, file)
    return reader.bundle()


def _sheet_row(values: Sequence[Cell], columns: list[str], number: int, file: str,
               formulas: Any) -> dict[str, Cell] | None:
    """One worksheet row as ``{column: value}`` (None: an empty row); refuses values
    without a header, over-long cells and formulas saved without their value."""
    cells = list(values)[: len(columns)]
    extra = [v for v in list(values)[len(columns) :] if v not in (None, "")]
    if extra:
        raise DataFormatError(
            N_("value '%(value)s' in a column without a header"),
            params={"value": _shown(extra[0])},
            location=Location(file, number, f"#{len(columns) + 1}"),
        )
    if not any(v not in (None, "") and str(v).strip() for v in cells):
        return None
    for index, value in enumerate(cells):
        if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
            raise DataFormatError(
                "a cell of %(size)s characters is longer than the limit of "
                "%(limit)s",
                params={"size": f"{len(value):,}", "limit": f"{MAX_CELL_CHARS:,}"},
                location=Location(file, number, columns[index]))
    cells += [None] * (len(columns) - len(cells))
    _refuse_uncomputed_formulas(formulas, number, cells, columns, file)
    return dict(zip(columns, cells, strict=True))


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
                    N_("formula %(formula)s has no computed value (open and save the "
                       "workbook in a spreadsheet program, or write the value)"),
                    params={"formula": _shown(raw)},
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
                N_("column %(number)s has no header"), params={"number": index + 1},
                location=Location(where.file, 1, f"#{index + 1}"),
            )
        if columns.index(column) != index:
            raise DataFormatError(
                N_("column '%(column)s' appears twice"), params={"column": column},
                location=Location(where.file, 1, column)
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
                N_("cannot tell which table this is from its columns (%(columns)s); "
                   "expected the columns of one of: %(tables)s"),
                params={"columns": ", ".join(columns), "tables": tables},
                location=Location(where.file, 1),
            )
    missing = [c for c in named.required if c not in found]
    if named.one_of and not found & set(named.one_of):
        missing.append(" or ".join(named.one_of))
    if missing:
        raise DataFormatError(
            "missing required column(s) for %(table)s: %(missing)s; found: %(found)s",
            params={"table": named.name, "missing": ", ".join(missing),
                    "found": ", ".join(columns)},
            location=Location(where.file, 1, missing[0]),
        )
    unknown = [c for c in columns if c not in named.allowed]
    if unknown:
        raise DataFormatError(
            "unknown column '%(column)s' for %(table)s; allowed: %(allowed)s",
            params={"column": unknown[0], "table": named.name,
                    "allowed": ", ".join(named.allowed)},
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
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def parse_number(value: Cell, where: Location) -> float:
    """A finite number from a cell: ``1234.5``, ``1,234.5``, ``1e6`` or an Excel number."""
    if isinstance(value, bool):
        raise DataFormatError("'%(value)s' is not a number", params={"value": value},
                              location=where)
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = _text(value).replace("\u00a0", "").replace(" ", "")
        if _THOUSANDS.match(text):
            text = text.replace(",", "")
        if "_" in text:
            raise DataFormatError(
                "'%(value)s' is not a number (write 1000 or 1,000, not 1_000)",
                params={"value": _text(value)}, location=where)
        if text.casefold().lstrip("+-") in ("nan", "inf", "infinity"):
            raise DataFormatError(
                "'%(value)s' is not a number: leave the cell empty (or write NA) for "
                "a missing value", params={"value": _shown(value)}, location=where)
        if not _PLAIN_NUMBER.match(text):
            raise DataFormatError("'%(value)s' is not a number",
                                  params={"value": _shown(value)}, location=where)
        number = float(text)
    if not math.isfinite(number):
        raise DataFormatError("'%(value)s' is not a finite number",
                              params={"value": _shown(value)}, location=where)
    if abs(number) > MAX_VALUE:
        raise ValidationError(
            "%(value)s is larger in magnitude than %(limit)s, the largest value "
            "econsec accepts (give the value in a larger unit)",
            params={"value": f"{number:g}", "limit": f"{MAX_VALUE:g}"}, location=where)
    return number


def _shown(value: Cell) -> str:
    text = _text(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _optional_number(value: Cell, where: Location) -> float | None:
    return None if _text(value).casefold() in MISSING else parse_number(value, where)


def parse_year(value: Cell, where: Location) -> int:
    """A four-digit year (an Excel date gives its year)."""
    if isinstance(value, dt.date | dt.datetime):
        value = str(value.year)
    text = _text(value)
    if not re.fullmatch(r"\d{4}", text):
        raise DataFormatError("'%(value)s' is not a four-digit year",
                              params={"value": text}, location=where)
    year = int(text)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise DataFormatError("year %(year)s is outside %(low)s–%(high)s",
                              params={"year": year, "low": MIN_YEAR, "high": MAX_YEAR},
                              location=where)
    return year


def _refuse_negative(where: Where, **numbers: float | None) -> None:
    """Refuse the first negative of ``numbers`` (column → number), at its column."""
    for column, number in numbers.items():
        if number is not None and number < 0:
            raise ValidationError("negative %(column)s %(value)s",
                                  params={"column": column, "value": f"{number:g}"},
                                  location=where(column))


_COMTRADE_VERSIONS = {"H0": "HS92", "H1": "HS96", "H2": "HS02", "H3": "HS07", "H4": "HS12",
                      "H5": "HS17", "H6": "HS22"}
"""UN Comtrade's names of the HS editions (classification codes H0 … H6)."""


def parse_hs_version(value: Cell, where: Location) -> str:
    """An HS edition: ``HS92`` … ``HS22`` (also ``HS2017``, ``2017``, ``hs17`` and UN
    Comtrade's ``H0`` … ``H6``)."""
    text = re.sub(r"[\s._-]", "", _text(value)).upper()
    if text in _COMTRADE_VERSIONS:
        return _COMTRADE_VERSIONS[text]
    match = re.fullmatch(r"(?:HS)?(?:19|20)?(\d\d)", text)
    wanted = f"HS{match.group(1)}" if match else text
    if wanted not in HS_VERSIONS:
        raise ValidationError(
            N_("unknown HS version '%(value)s'; give one of %(known)s (or UN Comtrade's "
               "H0-H6)"), params={"value": _shown(value), "known": ", ".join(HS_VERSIONS)},
            location=where)
    return wanted


def parse_hs_code(value: Cell, version: str, where: Location) -> str:
    """A 6-digit HS subheading (``284690``, ``2846.90``); a number cell that lost its
    leading zero (``10121`` from a spreadsheet) gets it back. An HS 2022 code must be in
    the bundled HS 2022 nomenclature."""
    text = _text(value).replace(".", "").replace(" ", "")
    if isinstance(value, int | float) and not isinstance(value, bool) and len(text) == 5:
        text = "0" + text
    if not re.fullmatch(r"\d{6}", text):
        raise ValidationError(
            N_("HS code '%(value)s' is not a 6-digit subheading (such as 284690 or 2846.90)"),
            params={"value": _shown(value)}, location=where)
    if version == "HS22":
        from econsec.datasets.hs import hs_codes

        if text not in hs_codes():
            raise ValidationError(N_("'%(value)s' is not a subheading of HS 2022"),
                                  params={"value": text}, location=where)
    return text


def parse_bool(value: Cell, where: Location) -> bool:
    """``true/false``, ``yes/no``, ``1/0``, ``y/n``, ``e`` (estimate) or empty (false)."""
    if isinstance(value, bool):
        return value
    text = _text(value).casefold()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise DataFormatError("'%(value)s' is not true/false (yes/no, 1/0)",
                          params={"value": _text(value)}, location=where)


def parse_share(value: Cell, where: Location) -> float:
    """A share as a fraction: ``0.45``, or a percentage with a ``%`` suffix (``45%``).

    A number without ``%`` must be within 0-1; with ``%`` within 0-100.
    """
    text = _text(value)
    if isinstance(value, str) and text.endswith("%"):
        number = parse_number(text[:-1].strip(), where)
        if not 0 <= number <= 100:
            raise ValidationError("share %(share)s is outside 0-100 %%",
                                  params={"share": text}, location=where)
        return number / 100
    number = parse_number(value, where)
    if number < 0:
        raise ValidationError("share %(share)s is negative", params={"share": text},
                              location=where)
    if number > 1:
        raise ValidationError(
            "share %(share)s is over 1: give a fraction 0-1 or a percentage with %% "
            "(%(share)s%%)", params={"share": text}, location=where,
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
            "unknown measure '%(value)s'; allowed: %(allowed)s",
            params={"value": _text(value), "allowed": allowed}, location=where
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
            N_("unknown %(what)s '%(value)s'; allowed: %(allowed)s"),
            params={"what": Term(what), "value": _text(value), "allowed": allowed},
            location=where,
        ) from None


def _split(value: Cell) -> tuple[str, ...]:
    return tuple(p for p in re.split(r"[;,|\s]+", _text(value)) if p)


#: A value that passes the checks of a column, standing in for a refused cell while the
#: rest of its row is checked (:meth:`_TableReader._row_problems`); others stand in as "".
STAND_IN: dict[str, Cell] = {
    "year": "2000", "measure": "production", "value": "0", "country": "JPN",
    "exporter": "JPN", "importer": "JPN", "iso3": "JPN", "item": "x", "input_item": "x",
    "output_item": "y", "id": "x", "kind": "material", "name_en": "x",
    "hs_code": "250410", "hs_version": "HS92", "value_kusd": "0",
}


class _TableReader:
    """Turns validated rows of one or more tables (one file) into a :class:`Bundle`."""

    def __init__(self, name: str, data: bytes, encoding: str | None) -> None:
        self.name = name
        self.sha256 = hashlib.sha256(data).hexdigest()
        self.encoding = encoding
        self.out = Bundle()
        self._resolved: dict[str, str] = {}
        self._aggregate: dict[str, bool] = {}
        self._shared: dict[Any, Any] = {}
        self._keys: dict[tuple[str, ...], str] = {}
        self._years: dict[tuple[str, ...], int] = {}
        self._used: dict[tuple[str, ...], None] = {}
        self.set_groups([("",) * len(SOURCE_COLUMNS)])
        self._line = 0
        self._file = ""
        #: False: fact records are only counted and located (a large file keeps them)
        self.keep = True
        self._replaying = False
        self._pending: Any = None
        #: None: raise a row's refusal; else collect it there and leave the row out
        self.problems: Problems | None = None

    def set_groups(self, groups: list[tuple[str, ...]]) -> None:
        """The distinct (source, publisher, licence, url) values of the file's rows: each
        becomes a source, keyed ``user:<file>`` (one) or ``user:<file>:<slug>`` (several)."""
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
        self._keys = keys

    def read(self, spec: TableSpec, rows: Iterable[tuple[int, dict[str, Cell]]],
             file: str) -> None:
        """Check and convert ``rows`` (``(line, row)``) of table ``spec`` from ``file``."""
        method = getattr(self, f"_{spec.name}")
        self._file = file
        for line, row in rows:
            self._line = line
            try:
                method(row, lambda column, line=line: Location(file, line, column))
            except EconsecError as exc:
                if self.problems is None:
                    raise
                for problem in self._row_problems(method, row, file, line, exc):
                    self.problems.keep(problem)

    def _row_problems(self, method: Callable[..., None], row: dict[str, Cell], file: str,
                      line: int, first: EconsecError) -> list[EconsecError]:
        """Every problem of a refused row: the row is checked again with each refused cell
        replaced by a value that passes (:data:`STAND_IN`), until it passes or a cell is
        refused twice; nothing of it is kept."""
        found = [first]
        masked = dict(row)
        while True:
            column = found[-1].location.column
            if column not in masked or masked[column] == STAND_IN.get(column, ""):
                return found
            masked[column] = STAND_IN.get(column, "")
            self._replaying = True
            try:
                method(masked, lambda c, line=line: Location(file, line, c))
            except EconsecError as exc:
                found.append(exc)
            else:
                return found
            finally:
                self._replaying = False

    def _same(self, value: Any) -> Any:
        """One shared object for equal texts and years (a file repeats them on every row;
        sharing keeps a large file's records small)."""
        if len(self._shared) > 200_000:
            self._shared.clear()
        return self._shared.setdefault(value, value)

    def _key_for(self, row: dict[str, Cell]) -> str:
        """The source key of a row (from its source columns)."""
        group = self._group(row)
        key = self._keys.get(group)
        if key is None:  # a group the first pass did not see: cannot happen for CSV
            self.set_groups([*self._keys, group])
            key = self._keys[group]
        self._used[group] = None
        return key

    def _add(self, table: str, row: dict[str, Cell], year: int | None, record: Any) -> None:
        """Keep ``record`` (made with its source key) and where it came from (while
        replaying, only hand the record over)."""
        if self._replaying:
            self._pending = record
            return
        if year is not None:
            group = self._group(row)
            self._years[group] = max(year, self._years.get(group, year))
        if self.keep:
            getattr(self.out, table).append(record)
        locations = self.out.locations.setdefault(table, LineLocations())
        locations.append(self._file, self._line)

    def replay(self, spec: TableSpec, text: str, file: str,
               columns: list[str]) -> Iterator[Any]:
        """The records of ``text`` again, one at a time (see :class:`FileRecords`)."""
        method = getattr(self, f"_{spec.name}")
        for line, cells in iter_csv_records(text, file)[1]:
            self._replaying, self._pending = True, None
            try:
                method(dict(zip(columns, cells, strict=True)),
                       lambda column, line=line: Location(file, line, column))
            except EconsecError:
                if self.problems is None:
                    raise
                continue  # a row refused on the first pass, left out as then
            finally:
                self._replaying = False
            yield self._pending

    @staticmethod
    def group_of(row: dict[str, Cell]) -> tuple[str, ...]:
        """The (source, publisher, licence, url) of a row."""
        return tuple(_text(row.get(c)) for c in SOURCE_COLUMNS)

    _group = group_of

    def _country(self, value: Cell, where: Location) -> str:
        from econsec.datasets.countries import resolve_country

        name = _text(value)
        if name not in self._resolved:
            self._resolved[name] = resolve_country(name, location=where)
        return self._resolved[name]

    def _is_aggregate(self, label: str) -> bool:
        known = self._aggregate.get(label)
        if known is None:
            known = self._aggregate[label] = self._aggregate_label(label)
        return known

    @staticmethod
    def _aggregate_label(label: str) -> bool:
        try:
            from econsec.datasets.countries import is_aggregate_label
        except ImportError:  # pragma: no cover - the countries module ships with econsec
            return label.casefold().startswith(("world", "other", "rest of"))
        return is_aggregate_label(label)

    def _required_text(self, row: dict[str, Cell], column: str, where: Where) -> str:
        text = _text(row.get(column))
        if not text:
            raise DataFormatError("'%(column)s' is empty", params={"column": column},
                                  location=where(column))
        limit = MAX_ID_CHARS if column in ("id", "item", "input_item", "output_item") else (
            MAX_NAME_CHARS)
        if len(text) > limit:
            raise DataFormatError("'%(column)s' is %(size)s characters long; at most "
                                  "%(limit)s are allowed",
                                  params={"column": column, "size": f"{len(text):,}",
                                          "limit": f"{limit:,}"}, location=where(column))
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
                "negative %(measure)s value %(value)s",
                params={"measure": measure.value, "value": raw}, location=where("value")
            )
        same = self._same
        record = Observation(
            item_id=same(item), area=same(area), iso3=iso3, is_aggregate=aggregate,
            year=same(year), measure=measure, value=value, unit=same(_text(row["unit"])),
            source_key=self._key_for(row),
            is_estimate=parse_bool(row.get("is_estimate"), where("is_estimate")),
            withheld=withheld, value_raw=raw, series=same(_text(row.get("series"))),
            note=same(_text(row.get("note"))),
        )
        self._add("observations", row, year, record)

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
        _refuse_negative(where, value=value, quantity=quantity)
        if value is None and share is None:
            column = "value" if "value" in row else "share"
            raise DataFormatError("give a value or a share", params={},
                                  location=where(column))
        year_end = _text(row.get("year_end"))
        same = self._same
        record = TradeFlow(
            item_id=same(item), exporter=exporter, importer=importer, year=same(year),
            source_key=self._key_for(row),
            value=value, quantity=quantity, unit=same(_text(row.get("unit"))), share=share,
            exporter_label=same(label),
            year_end=parse_year(year_end, where("year_end")) if year_end else None,
        )
        self._add("trade_flows", row, year, record)

    def _product_flows(self, row: dict[str, Cell], where: Where) -> None:
        """A flow of an HS product (see :func:`parse_hs_code`, :func:`parse_hs_version`):
        value in thousand USD, quantity in tonnes, between two countries."""
        label = self._required_text(row, "exporter", where)
        if self._is_aggregate(label):
            raise ValidationError(
                N_("exporter '%(value)s' is not a country: a product flow runs between two "
                   "countries (leave out totals such as World)"),
                params={"value": _shown(label)}, location=where("exporter"))
        exporter = self._country(label, where("exporter"))
        importer = self._country(self._required_text(row, "importer", where), where("importer"))
        version = parse_hs_version(row["hs_version"], where("hs_version"))
        code = parse_hs_code(row["hs_code"], version, where("hs_code"))
        year = parse_year(row["year"], where("year"))
        value = _optional_number(row.get("value_kusd"), where("value_kusd"))
        quantity = _optional_number(row.get("quantity_t"), where("quantity_t"))
        _refuse_negative(where, value_kusd=value, quantity_t=quantity)
        if value is None and quantity is None:
            column = "value_kusd" if "value_kusd" in row else "quantity_t"
            raise DataFormatError(N_("give a value (value_kusd) or a quantity (quantity_t)"),
                                  location=where(column))
        same = self._same
        record = TradeFlow(
            item_id=None, exporter=exporter, importer=importer, year=same(year),
            source_key=self._key_for(row), value=value, quantity=quantity,
            unit=TRADE_VALUE_UNIT, hs_code=same(code), hs_version=version,
        )
        self._add("trade_flows", row, year, record)

    def _bill_of_materials(self, row: dict[str, Cell], where: Where) -> None:
        quantity = _optional_number(row.get("quantity_per_unit"), where("quantity_per_unit"))
        if quantity is not None and quantity < 0:
            raise ValidationError(
                N_("negative quantity per unit %(value)s"), params={"value": f"{quantity:g}"},
                location=where("quantity_per_unit")
            )
        subst = _optional_number(row.get("substitutability"), where("substitutability"))
        if subst is not None and not 0 <= subst <= 1:
            raise ValidationError(
                N_("substitutability %(value)s is outside 0-1"), params={"value": f"{subst:g}"},
                location=where("substitutability")
            )
        inp = self._required_text(row, "input_item", where)
        out = self._required_text(row, "output_item", where)
        if inp == out:
            raise ValidationError(N_("item '%(item)s' is its own input"),
                                  params={"item": inp}, location=where("output_item"))
        record = InputEdge(inp, out, self._key_for(row), quantity, _text(row.get("unit")), subst)
        self._add("input_edges", row, None, record)

    def _items(self, row: dict[str, Cell], where: Where) -> None:
        item_id = self._required_text(row, "id", where)
        if not re.fullmatch(r"[a-z0-9][a-z0-9._-]*", item_id):
            raise ValidationError(
                SLUG_MESSAGE, params={"value": _shown(item_id)}, location=where("id"),
            )
        item = Item(
            id=item_id,
            kind=_enum(ItemKind, row["kind"], "kind", where("kind")),
            name_en=self._required_text(row, "name_en", where),
            name_ja=_text(row.get("name_ja")),
            service_type=_enum(ServiceType, row.get("service_type"), "service type",
                               where("service_type"), optional=True),
            hs_codes=_split(row.get("hs_codes")),
            domain=_text(row.get("domain")),
            stage=_enum(Stage, row.get("stage"), "stage", where("stage"), optional=True),
        )
        if self._replaying:  # a row checked again (see _row_problems): keep nothing
            return
        self.out.locations.setdefault("items", LineLocations()).append(self._file, self._line)
        self.out.items.append(item)

    def _countries(self, row: dict[str, Cell], where: Where) -> None:
        iso3 = self._required_text(row, "iso3", where).upper()
        if not re.fullmatch(r"[A-Z]{3}", iso3):
            raise ValidationError(N_("'%(value)s' is not an ISO alpha-3 code"),
                                  params={"value": _shown(iso3)}, location=where("iso3"))
        country = Country(
            iso3=iso3, iso2=_text(row.get("iso2")).upper(), numeric=_text(row.get("numeric")),
            name_en=self._required_text(row, "name_en", where),
            name_ja=_text(row.get("name_ja")), groups=_split(row.get("groups")),
        )
        if self._replaying:
            return
        self.out.locations.setdefault("countries", LineLocations()).append(
            self._file, self._line)
        self.out.countries.append(country)

    def bundle(self) -> Bundle:
        """The bundle with one Source per distinct (source, publisher, licence, url)."""
        groups = list(self._used) or list(self._keys)[:1]
        sources = []
        for group in groups:
            title, publisher, licence, url = group
            citation = f"User file {self.name} (sha256 {self.sha256[:12]}…)"
            if self.encoding and self.encoding not in {"utf-8", "utf-8-sig"}:
                citation += f"; decoded as {self.encoding} (detected)"
            sources.append(Source(
                key=self._keys[group], publisher=publisher or "user", title=title or self.name,
                year=self._years.get(group, dt.date.today().year),
                licence=licence or "unspecified", url=url, file=self.name,
                sha256=self.sha256, citation=citation,
            ))
        self.out.sources = sources
        return self.out


# --------------------------------------------------------------------------- data package

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


Rows = Iterator[tuple[dict[str, str], Callable[[str | None], Location]]]
_ESCAPED_FORMULA = re.compile(r"^'[=+\-@\t\r]")


def _unescaped(cell: str) -> str:
    """A cell as written before :func:`econsec.textsafe.csv_cell` protected it."""
    return cell[1:] if _ESCAPED_FORMULA.match(cell) else cell


def _resources(descriptor: Any, package: str) -> dict[str, dict[str, Any]]:
    resources = descriptor.get("resources") if isinstance(descriptor, dict) else None
    if not isinstance(resources, list):
        raise DataFormatError(N_("datapackage.json has no 'resources' list"),
                              location=Location(package, column="resources"))
    by_name: dict[str, dict[str, Any]] = {}
    for index, resource in enumerate(resources):
        column = f"resources[{index}]"
        if not isinstance(resource, dict):
            raise DataFormatError(N_("a resource must be an object"), location=Location(
                package, column=column))
        name = resource.get("name")
        if not isinstance(name, str) or not name.strip() or len(name) > MAX_ID_CHARS:
            raise DataFormatError(
                N_("resource name must be a text of 1-%(limit)s characters, got %(type)s"),
                params={"limit": MAX_ID_CHARS, "type": type(name).__name__},
                location=Location(package, column=f"{column}.name"))
        if name in by_name:
            raise DataFormatError(N_("resource '%(name)s' is listed twice"),
                                  params={"name": name},
                                  location=Location(package, column=f"{column}.name"))
        by_name[name] = resource
    return by_name


def _resource_rows(folder: Path, resource: dict[str, Any], package: str) -> Rows:
    name = resource["name"]
    rel = resource.get("path")
    if not isinstance(rel, str) or not rel or len(rel) > 1000:
        raise DataFormatError(
            N_("resource '%(name)s' needs a single relative 'path'"), params={"name": name},
            location=Location(package)
        )
    target = (folder / rel).resolve()
    if Path(rel).is_absolute() or "://" in rel or folder.resolve() not in target.parents:
        raise DataFormatError(
            N_("resource '%(name)s': path '%(path)s' must stay inside the package folder"),
            params={"name": name, "path": _shown(rel)}, location=Location(package),
        )
    file = str(folder / rel)
    if not target.is_file():
        raise DataFormatError(N_("resource '%(name)s': file not found"), params={"name": name},
                              location=Location(file))
    declared = resource.get("encoding")
    if declared is not None and not isinstance(declared, str):
        raise DataFormatError(N_("resource '%(name)s': 'encoding' must be a text"),
                              params={"name": name}, location=Location(package))
    text, _ = decode_bytes(target.read_bytes(), file, declared)
    header, records = iter_csv_records(text, file)
    missing = [c for c in _PACKAGE_COLUMNS[name] if c not in header]
    if missing:
        raise DataFormatError(
            "missing required column(s) for %(table)s: %(missing)s; found: %(found)s",
            params={"table": name, "missing": ", ".join(missing), "found": ", ".join(header)},
            location=Location(file, 1, missing[0]),
        )
    for line, cells in records:
        yield ({k: _unescaped(v) for k, v in zip(header, cells, strict=True)},
               partial(_location_at, file, line))


def _location_at(file: str, line: int, column: str | None) -> Location:
    return Location(file, line, column)


def _name(r: dict[str, str], column: str, at: Where, *, required: bool = True,
          limit: int = MAX_NAME_CHARS) -> str:
    """A text cell of a data package: not blank when ``required``, at most ``limit`` long."""
    text = r.get(column, "")
    if required and not text.strip():
        raise DataFormatError("'%(column)s' is empty", params={"column": column},
                              location=at(column))
    if len(text) > limit:
        raise DataFormatError("'%(column)s' is %(size)s characters long; at most "
                              "%(limit)s are allowed",
                              params={"column": column, "size": f"{len(text):,}",
                                      "limit": f"{limit:,}"}, location=at(column))
    return text


def _slug(r: dict[str, str], column: str, at: Where) -> str:
    text = _name(r, column, at, limit=MAX_ID_CHARS)
    if not _SLUG.fullmatch(text):
        raise ValidationError(SLUG_MESSAGE, params={"value": _shown(text)},
                              location=at(column))
    return text


def _iso3(r: dict[str, str], column: str, at: Where, *, required: bool = True) -> str:
    text = r.get(column, "")
    if not text and not required:
        return text
    if not _ISO3.fullmatch(text):
        raise ValidationError(N_("'%(value)s' is not an ISO alpha-3 code (three capital "
                                 "letters)"), params={"value": _shown(text)},
                              location=at(column))
    return text


class _PackageRow:
    """``with guard(table):`` reads one row of a data package: a refusal is raised, or,
    when collecting, kept in ``problems`` and the row left out (with its location)."""

    __slots__ = ("out", "problems", "table")

    def __init__(self, out: Bundle, problems: Problems | None) -> None:
        self.out, self.problems = out, problems
        self.table: str | None = None

    def __call__(self, table: str | None) -> _PackageRow:
        self.table = table
        return self

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: Any, exc: BaseException | None, _tb: Any) -> bool:
        if exc is None or self.problems is None or not isinstance(exc, EconsecError):
            return False
        locations = self.out.locations.get(self.table or "")
        if locations is not None and len(locations) > len(getattr(self.out, self.table or "")):
            locations.pop()
        self.problems.keep(exc)
        return True


def read_datapackage(path: Path, *, problems: Problems | None = None) -> Bundle:
    """Read a data package written by :meth:`econsec.kb.store.Store.export_datapackage`.

    Resources are recognised by name (``sources``, ``countries``, ``country_groups``,
    ``items``, ``item_hs_codes``, ``observations``, ``trade_flows``, ``input_edges``,
    ``governance_scores``, ``country_risk``); records keep their ``source_key``. Ids,
    codes, names and numbers get the same checks as in CSV files; every record keeps its
    file and line for the errors the import finds later. ``problems``: collect the
    refusals of rows there (see :class:`Problems`) and leave those rows out.
    """
    from econsec.documents import read_json

    package = str(path)
    text, _ = decode_bytes(path.read_bytes(), package)
    by_name = _resources(read_json(text, file=package), package)
    folder = path.parent

    def rows(name: str, table: str | None = None) -> Rows:
        if name not in by_name:
            return
        for r, at in _resource_rows(folder, by_name[name], package):
            if table is not None:
                where = at(None)
                out.locations.setdefault(table, LineLocations()).append(
                    where.file or package, where.line or 0)
            yield r, at

    out = Bundle()
    guard = _PackageRow(out, problems)
    for r, at in rows("sources", "sources"):
        with guard("sources"):
            out.sources.append(Source(
                key=_name(r, "key", at, limit=MAX_ID_CHARS + 100),
                publisher=_name(r, "publisher", at), title=_name(r, "title", at, limit=1000),
                year=parse_year(r["year"], at("year")), licence=_name(r, "licence", at),
                url=_name(r, "url", at, required=False, limit=2000),
                file=_name(r, "file", at, required=False, limit=1000),
                sha256=_name(r, "sha256", at, required=False, limit=64),
                citation=_name(r, "citation", at, required=False, limit=MAX_CELL_CHARS),
            ))
    groups: dict[str, list[str]] = {}
    for r, at in rows("country_groups"):
        with guard(None):
            groups.setdefault(_iso3(r, "iso3", at), []).append(_name(r, "group_name", at))
    for r, at in rows("countries", "countries"):
        with guard("countries"):
            iso3 = _iso3(r, "iso3", at)
            out.countries.append(Country(
                iso3=iso3, iso2=_name(r, "iso2", at, required=False, limit=2),
                numeric=_name(r, "numeric", at, required=False, limit=3),
                name_en=_name(r, "name_en", at), name_ja=_name(r, "name_ja", at, required=False),
                groups=tuple(sorted(groups.get(iso3, ()))),
            ))
    codes: dict[str, list[tuple[int, str]]] = {}
    links: list[tuple[int, CommodityProduct]] = []
    for r, at in rows("item_hs_codes"):
        with guard(None):
            position = int(parse_number(r.get("position") or 0, at("position")))
            link_source = _name(r, "source_key", at, required=False, limit=MAX_ID_CHARS + 100)
            if not link_source:  # the item's own HS 2022 codes
                codes.setdefault(r["item_id"], []).append(
                    (position, _name(r, "hs_code", at, limit=20)))
                continue
            version = parse_hs_version(r.get("hs_version", ""), at("hs_version"))
            rate = _package_number(r.get("eol_rir", ""), at("eol_rir"))
            links.append((position, CommodityProduct(
                item_id=_slug(r, "item_id", at),
                hs_code=parse_hs_code(r.get("hs_code", ""), version, at("hs_code")),
                hs_version=version, stage=_name(r, "stage", at, required=False),
                description="", eol_rir=rate, source_key=link_source)))
    out.commodity_products.extend(link for _, link in sorted(links, key=lambda x: x[0]))
    for r, at in rows("items", "items"):
        with guard("items"):
            item_id = _slug(r, "id", at)
            out.items.append(Item(
                id=item_id, kind=_enum(ItemKind, r["kind"], "kind", at("kind")),
                name_en=_name(r, "name_en", at), name_ja=_name(r, "name_ja", at, required=False),
                service_type=_enum(ServiceType, r.get("service_type"), "service type",
                                   at("service_type"), optional=True),
                hs_codes=tuple(c for _, c in sorted(codes.get(item_id, ()))),
                domain=_name(r, "domain", at, required=False),
                stage=_enum(Stage, r.get("stage"), "stage", at("stage"), optional=True),
            ))
    for r, at in rows("observations", "observations"):
        with guard("observations"):
            out.observations.append(Observation(
                item_id=_slug(r, "item_id", at), area=_name(r, "area", at),
                iso3=_iso3(r, "iso3", at, required=False) or None,
                is_aggregate=parse_bool(r.get("is_aggregate"), at("is_aggregate")),
                year=parse_year(r["year"], at("year")),
                measure=parse_measure(r["measure"], at("measure")),
                value=_package_number(r["value"], at("value")),
                unit=_name(r, "unit", at, required=False),
                source_key=_name(r, "source_key", at, limit=MAX_ID_CHARS + 100),
                is_estimate=parse_bool(r.get("is_estimate"), at("is_estimate")),
                withheld=parse_bool(r.get("withheld"), at("withheld")),
                value_raw=_name(r, "value_raw", at, required=False),
                series=_name(r, "series", at, required=False),
                note=_name(r, "note", at, required=False, limit=MAX_CELL_CHARS),
            ))
    bulk = _BulkFlows()
    for r, at in rows("trade_flows"):
        if bulk.takes(r):  # a product flow as econsec exports it: one column each
            with guard(None):
                bulk.add(r, at)
            continue
        where = at(None)
        out.locations.setdefault("trade_flows", LineLocations()).append(
            where.file or package, where.line or 0)
        with guard("trade_flows"):
            year_end = r.get("year_end", "")
            product = bool(r.get("hs_code", "").strip())
            flow_version = parse_hs_version(r.get("hs_version", ""), at("hs_version")) if (
                product) else None
            out.trade_flows.append(TradeFlow(
                item_id=None if product and not r.get("item_id", "").strip() else _slug(
                    r, "item_id", at),
                hs_code=parse_hs_code(r["hs_code"], flow_version or "", at("hs_code")) if (
                    product) else None,
                hs_version=flow_version,
                exporter=_iso3(r, "exporter", at, required=False) or None,
                importer=_iso3(r, "importer", at),
                year=parse_year(r["year"], at("year")),
                source_key=_name(r, "source_key", at, limit=MAX_ID_CHARS + 100),
                value=_package_number(r.get("value", ""), at("value")),
                quantity=_package_number(r.get("quantity", ""), at("quantity")),
                unit=_name(r, "unit", at, required=False),
                share=_package_number(r.get("share", ""), at("share")),
                exporter_label=_name(r, "exporter_label", at, required=False),
                year_end=parse_year(year_end, at("year_end")) if year_end else None,
            ))
    out.flow_tables.extend(bulk.tables())
    for r, at in rows("input_edges", "input_edges"):
        with guard("input_edges"):
            out.input_edges.append(InputEdge(
                input_item=_slug(r, "input_item", at), output_item=_slug(r, "output_item", at),
                source_key=_name(r, "source_key", at, limit=MAX_ID_CHARS + 100),
                quantity_per_unit=_package_number(r.get("quantity_per_unit", ""),
                                                  at("quantity_per_unit")),
                unit=_name(r, "unit", at, required=False),
                substitutability=_package_number(r.get("substitutability", ""),
                                                 at("substitutability")),
            ))
    for r, at in rows("governance_scores", "governance"):
        with guard("governance"):
            out.governance.append(GovernanceScore(
                iso3=_iso3(r, "iso3", at), year=parse_year(r["year"], at("year")),
                dimension=_name(r, "dimension", at, limit=MAX_ID_CHARS),
                estimate=parse_number(r["estimate"], at("estimate")),
                source_key=_name(r, "source_key", at, limit=MAX_ID_CHARS + 100),
            ))
    for r, at in rows("country_risk", "country_risk"):
        with guard("country_risk"):
            category = parse_number(r["category"], at("category"))
            if not category.is_integer():
                raise DataFormatError(N_("category '%(value)s' is not an integer"),
                                      params={"value": _shown(r["category"])},
                                      location=at("category"))
            out.country_risk.append(CountryRisk(
                iso3=_iso3(r, "iso3", at), category=int(category),
                valid_from=_name(r, "valid_from", at, limit=40),
                source_key=_name(r, "source_key", at, limit=MAX_ID_CHARS + 100),
                note=_name(r, "note", at, required=False, limit=MAX_CELL_CHARS),
            ))
    return out


_SLUG = re.compile(r"[a-z0-9][a-z0-9._-]*")
_ISO3 = re.compile(r"[A-Z]{3}")


class _BulkFlows:
    """The product flows of a data package's ``trade_flows.csv`` (a million rows for an
    export of the bundled data), gathered column by column into one
    :class:`~econsec.records.FlowTable` per source and HS edition: each distinct code,
    country, year and source is checked once, numbers per row."""

    def __init__(self) -> None:
        self.columns: dict[tuple[str, str], dict[str, list[Any]]] = {}
        self.files: dict[tuple[str, str], str] = {}
        self.checked: dict[tuple[str, str], Any] = {}

    @staticmethod
    def takes(r: dict[str, str]) -> bool:
        return bool(r.get("hs_code") and r.get("exporter") and not r.get("item_id")
                    and not r.get("share") and not r.get("year_end")
                    and not r.get("exporter_label") and r.get("unit") == TRADE_VALUE_UNIT)

    def _once(self, kind: str, value: str, check: Callable[[], Any]) -> Any:
        key = (kind, value)
        if key not in self.checked:
            self.checked[key] = check()
        return self.checked[key]

    def add(self, r: dict[str, str], at: Where) -> None:
        version = self._once("version", r.get("hs_version", ""), lambda: parse_hs_version(
            r.get("hs_version", ""), at("hs_version")))
        code = self._once(f"code {version}", r["hs_code"], lambda: parse_hs_code(
            r["hs_code"], version, at("hs_code")))
        source = self._once("source", r.get("source_key", ""), lambda: _name(
            r, "source_key", at, limit=MAX_ID_CHARS + 100))
        exporter = self._once("iso3", r["exporter"], lambda: _iso3(r, "exporter", at))
        importer = self._once("iso3", r.get("importer", ""), lambda: _iso3(r, "importer", at))
        year = self._once("year", r.get("year", ""), lambda: parse_year(r["year"], at("year")))
        value = _package_number(r.get("value", ""), at("value"))
        quantity = _package_number(r.get("quantity", ""), at("quantity"))
        key = (source, version)
        columns = self.columns.get(key)
        if columns is None:
            columns = self.columns[key] = {name: [] for name in (
                "exporter", "importer", "hs_code", "year", "value", "quantity", "lines")}
            self.files[key] = at(None).file or ""
        for name, cell in (("exporter", exporter), ("importer", importer), ("hs_code", code),
                           ("year", year), ("value", value), ("quantity", quantity),
                           ("lines", at(None).line or 0)):
            columns[name].append(cell)

    def tables(self) -> list[FlowTable]:
        return [FlowTable(source_key=source, hs_version=version, exporter=c["exporter"],
                          importer=c["importer"], hs_code=c["hs_code"], year=c["year"],
                          value=c["value"], quantity=c["quantity"],
                          file=self.files[(source, version)], lines=c["lines"])
                for (source, version), c in self.columns.items()]


def _package_number(text: str, where: Location) -> float | None:
    return None if text == "" else parse_number(text, where)
