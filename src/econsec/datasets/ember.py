"""Ember yearly electricity generation by source (Ember, CC BY 4.0).

``energy/ember/ember_generation_twh_2000_2025.csv``: one row per country (ISO alpha-3)
and year, one column per source in TWh (see the folder's ``PROVENANCE.txt``). A blank
cell means the snapshot has no value for that source (not reported): it is left out of
the year's record, never read as zero. The snapshot holds no aggregates (World, EU,
regions); a code that is not three capital letters is refused, so is a year outside
1900-2100, a negative value or a row given twice.

Years from :data:`PROVISIONAL_FROM` on are partial or provisional in the snapshot
(``GenerationYear.provisional``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from econsec.datasets._csv import data_dir, display_name, optional_number, read_dicts
from econsec.errors import DataFormatError, Location

FILE = "energy/ember/ember_generation_twh_2000_2025.csv"
SOURCE_KEY = "ember-generation"
UNIT = "TWh"
#: The sources (Ember's variable names), in the file's column order.
SOURCES = ("Bioenergy", "Coal", "Gas", "Hydro", "Nuclear", "Other Fossil", "Other Renewables",
           "Solar", "Wind")
#: First year whose values the snapshot holds only partially or provisionally.
PROVISIONAL_FROM = 2025
_ISO3 = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True)
class GenerationYear:
    """A country's electricity generation in one year: TWh by source (reported ones only)."""

    iso3: str
    year: int
    twh: dict[str, float]
    provisional: bool = False

    @property
    def total(self) -> float:
        """Generation from all reported sources, TWh."""
        return sum(self.twh.values())


def read_generation(path: Path) -> dict[str, list[GenerationYear]]:
    """The generation table at ``path``: ``{iso3: [GenerationYear, …]}``, years ascending.

    Raises :class:`DataFormatError` naming the file, line and column of a bad cell."""
    name = display_name(path)
    out: dict[str, dict[int, GenerationYear]] = {}
    for line, row in read_dicts(path, required=("ISO3", "Year", *SOURCES)):
        iso3 = row["ISO3"].strip()
        if not _ISO3.match(iso3):
            raise DataFormatError(f"not an ISO alpha-3 code: {iso3!r}",
                                  location=Location(name, line, "ISO3"))
        year_text = row["Year"].strip()
        if not year_text.isdigit() or not 1900 <= int(year_text) <= 2100:
            raise DataFormatError(f"not a year: {year_text!r}",
                                  location=Location(name, line, "Year"))
        year = int(year_text)
        twh: dict[str, float] = {}
        for src in SOURCES:
            value = optional_number(row[src], Location(name, line, src))
            if value is None:
                continue
            if value < 0:
                raise DataFormatError(f"negative generation: {row[src]!r}",
                                      location=Location(name, line, src))
            twh[src] = value
        years = out.setdefault(iso3, {})
        if year in years:
            raise DataFormatError(f"{iso3} {year} given twice",
                                  location=Location(name, line, "Year"))
        years[year] = GenerationYear(iso3, year, twh, year >= PROVISIONAL_FROM)
    return {iso3: [years[y] for y in sorted(years)] for iso3, years in sorted(out.items())}


@cache
def _bundled() -> dict[str, tuple[GenerationYear, ...]]:
    return {k: tuple(v) for k, v in read_generation(data_dir() / FILE).items()}


def bundled_generation() -> dict[str, list[GenerationYear]]:
    """The bundled Ember table (read once per process)."""
    return {k: list(v) for k, v in _bundled().items()}


def generation(iso3: str) -> list[GenerationYear]:
    """The bundled years of one country (ISO alpha-3, any case); empty if Ember has none."""
    return list(_bundled().get(iso3.strip().upper(), ()))
