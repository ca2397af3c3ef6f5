"""Users' data centres from a CSV file (the template in ``docs/infrastructure.md``).

Columns (header names, any order; UTF-8): ``id`` (a slug: a-z, 0-9, ``-``, ``_``, ``.``),
``name``, ``country`` (ISO alpha-3 or a country name), ``latitude``, ``longitude``,
``capacity_mw`` (IT load, MW), ``location`` (free text). ``id``, ``name`` and
``country`` are required, the others may be blank. Every problem of every row is collected
and reported with the file, line and column (at most :data:`MAX_PROBLEMS`); a file with any
problem is refused as a whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from econsec.datasets._csv import parse_number, read_dicts
from econsec.datasets.countries import resolve_country
from econsec.errors import DataFormatError, EconsecError, Location, ValidationError
from econsec.i18n.terms import N_

COLUMNS = ("id", "name", "country", "latitude", "longitude", "capacity_mw", "location")
REQUIRED = ("id", "name", "country")
TEMPLATE = ",".join(COLUMNS) + "\n" + \
    "example-tokyo-1,Example Tokyo DC 1,JPN,35.68,139.77,30,Tokyo\n"
"""A template file: the header and one example row."""
MAX_ROWS = 100_000
MAX_PROBLEMS = 50
MAX_BYTES = 20 * 1024 * 1024
_SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")



@dataclass(frozen=True)
class DataCentre:
    """A data centre: where it is and its IT capacity (MW, if known)."""

    id: str
    name: str
    iso3: str
    latitude: float | None
    longitude: float | None
    capacity_mw: float | None
    location: str = ""


def _optional(raw: str, where: Location, low: float, high: float) -> float | None:
    if not raw.strip():
        return None
    value = parse_number(raw, where)
    if not low <= value <= high:
        raise DataFormatError(N_("%(value)s is outside %(low)s to %(high)s"),
                              params={"value": raw.strip(), "low": low, "high": high},
                              location=where)
    return value


def read_datacentres(path: Path) -> list[DataCentre]:
    """The data centres in the CSV file at ``path`` (see the module)."""
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise DataFormatError(N_("no such file: %(path)s"), params={"path": str(path)},
                              location=Location(name))
    if path.stat().st_size > MAX_BYTES:
        raise DataFormatError(N_("file too large for a data-centre list"),
                              location=Location(name))
    try:
        rows = list(read_dicts(path, required=REQUIRED))
    except UnicodeDecodeError as exc:
        raise DataFormatError(N_("not a UTF-8 CSV file"), location=Location(name)) from exc
    if len(rows) > MAX_ROWS:
        raise DataFormatError(N_("more than %(count)s rows"), params={"count": MAX_ROWS},
                              location=Location(name))
    out: list[DataCentre] = []
    problems: list[EconsecError] = []
    seen: set[str] = set()
    for line, row in rows:
        row = {k.strip().casefold(): (v or "") for k, v in row.items() if k}
        try:
            out.append(_row(row, name, line, seen))
        except EconsecError as exc:
            problems.append(exc)
            if len(problems) >= MAX_PROBLEMS:
                break
    if not out and not problems:
        raise DataFormatError(N_("no data-centre rows"), location=Location(name))
    if problems:
        first = problems[0]
        if len(problems) == 1:
            raise first
        more = "; ".join(str(p) for p in problems[1:])
        raise ValidationError(N_("%(first)s (and %(count)s more problems: %(more)s)"),
                              params={"first": str(first), "count": len(problems) - 1,
                                      "more": more})
    return out


def _row(row: dict[str, str], file: str, line: int, seen: set[str]) -> DataCentre:
    ident = row.get("id", "").strip()
    if not _SLUG.match(ident):
        raise DataFormatError(N_("not an id (a-z, 0-9, '-', '_', '.'): %(value)s"),
                              params={"value": ident}, location=Location(file, line, "id"))
    if ident in seen:
        raise DataFormatError(N_("data centre %(id)s given twice"), params={"id": ident},
                              location=Location(file, line, "id"))
    seen.add(ident)
    label = row.get("name", "").strip()
    if not label:
        raise DataFormatError(N_("empty name"), location=Location(file, line, "name"))
    iso3 = resolve_country(row.get("country", ""), location=Location(file, line, "country"))
    lat = _optional(row.get("latitude", ""), Location(file, line, "latitude"), -90, 90)
    lon = _optional(row.get("longitude", ""), Location(file, line, "longitude"), -180, 180)
    if (lat is None) != (lon is None):
        raise DataFormatError(N_("latitude and longitude go together"),
                              location=Location(file, line, "latitude"))
    mw = _optional(row.get("capacity_mw", ""), Location(file, line, "capacity_mw"), 0, 1e5)
    return DataCentre(ident, label[:300], iso3, lat, lon, mw,
                      row.get("location", "").strip()[:300])
