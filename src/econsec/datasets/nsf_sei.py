"""NSF NCSES Science & Engineering Indicators: patents and articles by field and country.

Files in ``technology/ncses_sei/`` (public domain, U.S. federal statistics; see the folder's
PROVENANCE.txt):

* ``tables_index.csv``: one row per NCSES table (``table_id``, ``sei_table_number`` such as
  ``SINV-4``, ``title``, ``units``, ``years`` ``YYYY-YYYY``, …);
* ``ncses_sei_patents_articles_by_field_country.csv.gz``: long form ``table_id, geo_path,
  geo, year, value, flag``; ``geo_path`` is the table's hierarchy (``World -> Asia ->
  Japan``); a blank ``value`` carries the publisher's flag (``na`` not available, ``ne``
  not estimated).

Every ``geo`` is one of three kinds:

* ``world``: the ``World`` row, the denominator of world shares;
* a **country** (ISO alpha-3 through :func:`econsec.datasets.countries.resolve_country`,
  after the HTML entities and ``<sup>`` footnote marks of the conversion are removed);
* an **aggregate** kept apart and never ranked as a country: regions (``Asia``,
  ``EU-27``, ``EU-27 and UK`` …), patent offices (``European Patent Office``, ``WIPO`` …),
  former states (``Yugoslavia``, ``Serbia and Montenegro``), parts of a territory
  (``West Bank``, ``Gaza Strip``) and residual rows (``Unassigned``, ``Not United States``).
  These labels are listed in :data:`AGGREGATE_LABELS`; any other label that does not
  resolve to a country is refused (:class:`~econsec.errors.DataFormatError` naming file,
  line and column), as are a table not in the index, a year outside the table's years, a
  value that is not a number, a blank value without a flag, a ``geo`` that is not the last
  element of its ``geo_path``, a row given twice and a country given twice in one table.

The years were assigned by position when the NCSES JSON was converted (the last N values
of each row are the N years of the table's title); docs/technology.md lists the values
checked against the published tables.
"""

from __future__ import annotations

import csv
import gzip
import html
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from econsec.datasets._csv import data_dir, display_name, parse_number, read_dicts
from econsec.errors import DataFormatError, Location, UnknownCountryError

FOLDER = "technology/ncses_sei"
VALUES_FILE = "ncses_sei_patents_articles_by_field_country.csv.gz"
INDEX_FILE = "tables_index.csv"
SOURCE_KEY = "nsf-ncses-sei-2024"
COLUMNS = ("table_id", "geo_path", "geo", "year", "value", "flag")

#: Labels that are not countries: regions, patent offices, former states, territories and
#: residual rows (compared after footnote marks and entities are removed, case-folded).
AGGREGATE_LABELS = frozenset(label.casefold() for label in (
    "World", "Africa", "Asia", "Australia and Oceania", "Central America and Caribbean",
    "Europe", "Middle East", "North America", "South America",
    "EU-27", "EU-27 and UK", "EU-27 and United Kingdom", "Other Europe",
    "Other Europe (2020)", "Other Europe, 2020",
    "African IPO", "African Regional IPO", "Eurasian Patent Organization",
    "European Patent Office", "Gulf States Patent Office", "WIPO",
    "Serbia and Montenegro", "Yugoslavia", "West Bank", "Gaza Strip",
    "Not United States", "Unassigned", "Unclassified",
))
#: Spellings of these tables that the project's country names do not know.
LOCAL_ALIASES = {"holy see (vatican city)": "VAT"}

_SUP = re.compile(r"<sup>.*?</sup>", re.IGNORECASE)
_YEARS = re.compile(r"^(\d{4})\s*-\s*(\d{4})$")


def clean_label(raw: str) -> str:
    """A ``geo`` label without ``<sup>`` footnote marks and HTML entities, single-spaced."""
    return " ".join(html.unescape(_SUP.sub("", raw)).split())


@dataclass(frozen=True)
class SeiTable:
    """One NCSES table: its id, SEI table number (``SINV-4``), title, unit and years."""

    table_id: int
    number: str
    title: str
    units: str
    first_year: int
    last_year: int
    source_note: str = ""

    @property
    def years(self) -> range:
        return range(self.first_year, self.last_year + 1)


@dataclass
class SeiSeries:
    """The values of one table: ``world``, ``countries`` (ISO alpha-3 → year → value) and
    ``aggregates`` (cleaned label → year → value). ``None`` is a value the publisher left
    blank; its flag is in ``flags``."""

    table: SeiTable
    world: dict[int, float | None] = field(default_factory=dict)
    countries: dict[str, dict[int, float | None]] = field(default_factory=dict)
    aggregates: dict[str, dict[int, float | None]] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)  # iso3 -> label as published
    flags: dict[tuple[str, int], str] = field(default_factory=dict)


@dataclass
class SeiData:
    """Every table of the bundled file, by table id."""

    tables: dict[int, SeiTable]
    series: dict[int, SeiSeries]
    file: str = ""

    def table(self, table_id: int) -> SeiSeries:
        """The series of ``table_id``; :class:`DataFormatError` if the file lacks it."""
        try:
            return self.series[table_id]
        except KeyError:
            raise DataFormatError(f"NCSES table {table_id} is not in the bundled file",
                                  location=Location(self.file)) from None


def load_tables_index(path: Path | None = None) -> dict[int, SeiTable]:
    """``tables_index.csv``: table id → :class:`SeiTable`."""
    path = path or data_dir() / FOLDER / INDEX_FILE
    name = display_name(path)
    out: dict[int, SeiTable] = {}
    need = ("table_id", "sei_table_number", "title", "units", "years")
    for line, row in read_dicts(path, required=need):
        table_id = _int(row["table_id"], Location(name, line, "table_id"))
        match = _YEARS.match(row["years"].strip())
        if not match or int(match.group(1)) > int(match.group(2)):
            raise DataFormatError(f"bad years {row['years']!r} (expected YYYY-YYYY)",
                                  location=Location(name, line, "years"))
        if table_id in out:
            raise DataFormatError(f"table {table_id} listed twice",
                                  location=Location(name, line, "table_id"))
        out[table_id] = SeiTable(table_id, row["sei_table_number"].strip(),
                                 row["title"].strip(), row["units"].strip(),
                                 int(match.group(1)), int(match.group(2)),
                                 row.get("source_note", "").strip())
    return out


def _int(raw: str, where: Location) -> int:
    text = raw.strip()
    if not text.isdigit():
        raise DataFormatError(f"not a whole number: {raw!r}", location=where)
    return int(text)


def _country(label: str, where: Location) -> str | None:
    """ISO alpha-3 of a country label, None for an aggregate; refused otherwise."""
    from econsec.datasets.countries import resolve_country

    key = label.casefold()
    if key in AGGREGATE_LABELS:
        return None
    if key in LOCAL_ALIASES:
        return LOCAL_ALIASES[key]
    try:
        return resolve_country(label)
    except UnknownCountryError as exc:
        hint = f" (close: {', '.join(exc.suggestions)})" if exc.suggestions else ""
        raise DataFormatError(f"geo {label!r} is neither a known country nor a known "
                              f"aggregate{hint}", location=where) from None


def read_values(lines: Iterable[str], tables: Mapping[int, SeiTable],
                name: str) -> dict[int, SeiSeries]:
    """Parse the long-form CSV text ``lines`` (header first) against the table index."""
    reader = csv.reader(lines)
    header = next(reader, None)
    if header is None:
        raise DataFormatError("empty file", location=Location(name, 1))
    header = [h.strip().lstrip("\ufeff") for h in header]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise DataFormatError(f"missing column(s): {', '.join(missing)}",
                              location=Location(name, 1, missing[0]))
    col = {c: header.index(c) for c in COLUMNS}
    series: dict[int, SeiSeries] = {}
    resolved: dict[str, str | None] = {}
    labels: dict[str, str] = {}  # geo as written -> cleaned label
    leaves: dict[str, str] = {}  # geo_path -> its last element
    ints: dict[str, int] = {}  # table ids and years as written -> int (few distinct ones)
    seen: set[tuple[int, str, int]] = set()
    owner: dict[tuple[int, str], str] = {}  # (table, iso3) -> geo_path
    for cells in reader:
        line = reader.line_num
        if not any(cells):
            continue
        if len(cells) != len(header):
            raise DataFormatError(f"{len(cells)} cells, expected {len(header)}",
                                  location=Location(name, line))
        raw_id = cells[col["table_id"]]
        table_id = ints.get(raw_id) or ints.setdefault(
            raw_id, _int(raw_id, Location(name, line, "table_id")))
        table = tables.get(table_id)
        if table is None:
            raise DataFormatError(f"table {table_id} is not in {INDEX_FILE}",
                                  location=Location(name, line, "table_id"))
        raw_year = cells[col["year"]]
        year = ints.get(raw_year) or ints.setdefault(
            raw_year, _int(raw_year, Location(name, line, "year")))
        if year not in table.years:
            raise DataFormatError(f"year {year} outside the years of table {table.number} "
                                  f"({table.first_year}-{table.last_year})",
                                  location=Location(name, line, "year"))
        path, geo = cells[col["geo_path"]].strip(), cells[col["geo"]].strip()
        last = leaves.get(path) or leaves.setdefault(path, path.split(" -> ")[-1].strip())
        if not geo or last != geo:
            raise DataFormatError(f"geo {geo!r} is not the last element of geo_path {path!r}",
                                  location=Location(name, line, "geo"))
        raw, flag = cells[col["value"]].strip(), cells[col["flag"]].strip()
        value: float | None
        if raw:
            try:
                value = float(raw)
            except ValueError:  # thousands separators, or not a number (refused there)
                value = parse_number(raw, Location(name, line, "value"))
            if value != value or value in (float("inf"), float("-inf")):
                raise DataFormatError(f"not a number: {raw!r}",
                                      location=Location(name, line, "value"))
        elif flag:
            value = None
        else:
            raise DataFormatError("blank value without a flag",
                                  location=Location(name, line, "value"))
        if (table_id, path, year) in seen:
            raise DataFormatError(f"{geo!r} {year} given twice in table {table.number}",
                                  location=Location(name, line, "geo_path"))
        seen.add((table_id, path, year))
        s = series.setdefault(table_id, SeiSeries(table))
        label = labels.get(geo) or labels.setdefault(geo, clean_label(geo))
        if path == "World":
            s.world[year] = value
            continue
        if label not in resolved:
            resolved[label] = _country(label, Location(name, line, "geo"))
        iso3 = resolved[label]
        if iso3 is None:
            s.aggregates.setdefault(label, {})[year] = value
            continue
        first = owner.setdefault((table_id, iso3), path)
        if first != path:
            raise DataFormatError(f"{iso3} given twice in table {table.number} "
                                  f"({first!r} and {path!r})",
                                  location=Location(name, line, "geo"))
        s.countries.setdefault(iso3, {})[year] = value
        s.labels[iso3] = label
        if value is None:
            s.flags[(iso3, year)] = flag
    return series


def load_sei(folder: Path | None = None) -> SeiData:
    """Every table of the NCSES file in ``folder`` (default: the bundled copy)."""
    if folder is None:
        return _bundled()
    return _load(folder)


@cache
def _bundled() -> SeiData:
    return _load(data_dir() / FOLDER)


def _load(folder: Path) -> SeiData:
    tables = load_tables_index(folder / INDEX_FILE)
    path = folder / VALUES_FILE
    name = display_name(path)
    try:
        raw = path.read_bytes()
        text = gzip.decompress(raw).decode("utf-8") if path.suffix == ".gz" else raw.decode(
            "utf-8")
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise DataFormatError(f"cannot read file: {exc}", location=Location(name)) from exc
    except UnicodeDecodeError as exc:
        raise DataFormatError(f"cannot decode as utf-8: {exc.reason}",
                              location=Location(name)) from exc
    series = read_values(io.StringIO(text, newline=""), tables, name)
    return SeiData(tables=tables, series=series, file=name)


# --------------------------------------------------------------------------- fields

#: The four indicators: key → (English label, Japanese label).
INDICATORS: dict[str, tuple[str, str]] = {
    "uspto": ("USPTO utility patents granted", "米国特許商標庁（USPTO）特許付与件数"),
    "pct": ("PCT patent applications", "PCT国際特許出願件数"),
    "articles": ("S&E articles (fractional count)", "科学技術論文数（分数カウント）"),
    "top1": ("Top-1 % most-cited articles", "被引用数上位1%論文数"),
}


@dataclass(frozen=True)
class SeiField:
    """A technology or science field and the NCSES tables of each indicator.

    ``articles`` may name several tables (all fields: the sum of the 14 fields, each
    article counted once, fractionally). ``top1`` is the table of the percentage of the
    field's articles among the world's top 1 % most cited (with ``articles`` it gives the
    count of top-1 % articles)."""

    id: str
    name_en: str
    name_ja: str
    kind: str  # "all", "technology" (WIPO field groups of patents) or "science"
    uspto: int | None = None
    pct: int | None = None
    articles: tuple[int, ...] = ()
    top1: int | None = None

    def tables(self) -> dict[str, tuple[int, ...]]:
        """Indicator → the tables it reads (top-1 %: rate table first, then articles)."""
        out: dict[str, tuple[int, ...]] = {}
        if self.uspto is not None:
            out["uspto"] = (self.uspto,)
        if self.pct is not None:
            out["pct"] = (self.pct,)
        if self.articles:
            out["articles"] = self.articles
        if self.top1 is not None and self.articles:
            out["top1"] = (self.top1, *self.articles)
        return out


#: The 14 S&E fields of the article tables (SPBS-3…16), with their top-1 % tables.
_SCIENCE = (
    ("agricultural-sciences", "Agricultural sciences", "農学", 4993, 10023),
    ("astronomy", "Astronomy and astrophysics", "天文学・天体物理学", 4992, 10024),
    ("biology", "Biological and biomedical sciences", "生物学・生物医学", 4991, 10025),
    ("chemistry", "Chemistry", "化学", 4990, 10026),
    ("computer-science", "Computer and information sciences", "計算機・情報科学", 4989, 10027),
    ("engineering", "Engineering", "工学", 4988, 10028),
    ("geosciences", "Geosciences, atmospheric and ocean sciences", "地球科学・大気科学・海洋科学",
     4987, 10029),
    ("health-sciences", "Health sciences", "保健科学", 4986, 10030),
    ("materials-science", "Materials science", "材料科学", 4985, 10031),
    ("mathematics", "Mathematics and statistics", "数学・統計学", 4984, 10032),
    ("natural-resources", "Natural resources and conservation", "天然資源・保全", 4983, 10033),
    ("physics", "Physics", "物理学", 4982, 10034),
    ("psychology", "Psychology", "心理学", 4981, 10035),
    ("social-sciences", "Social sciences", "社会科学", 4980, 10036),
)
ALL_ARTICLE_TABLES = tuple(a for *_, a, _t in _SCIENCE)

FIELDS: tuple[SeiField, ...] = (
    SeiField("all", "All fields", "全分野", "all", uspto=10551, pct=10558,
             articles=ALL_ARTICLE_TABLES, top1=10022),
    SeiField("semiconductors", "Semiconductors", "半導体", "technology", uspto=10557),
    SeiField("electrical-engineering", "Electrical engineering", "電気工学", "technology",
             uspto=10553, pct=10560),
    SeiField("instruments", "Instruments", "計測機器", "technology", uspto=10554, pct=10561),
    SeiField("chemistry", "Chemistry", "化学", "technology", uspto=10552, pct=10559,
             articles=(4990,), top1=10026),
    SeiField("mechanical-engineering", "Mechanical engineering", "機械工学", "technology",
             uspto=10555, pct=10562),
    SeiField("other-technology", "Other fields of technology", "その他の技術分野", "technology",
             uspto=10556, pct=10563),
    *(SeiField(fid, en, ja, "science", articles=(a,), top1=t)
      for fid, en, ja, a, t in _SCIENCE if fid != "chemistry"),
)
