"""OECD Country Risk Classification valid as of 2026-01-30 (0-7; 0 = not classified).

``country_risk/oecd_country_risk_classification_2026-01-30.csv`` (country, iso3, crc, notes),
transcribed from the OECD PDF by a third party; see PROVENANCE.md.
"""

from __future__ import annotations

from pathlib import Path

from econsec.datasets._csv import data_dir, display_name, read_dicts
from econsec.datasets.countries import resolve_country, try_resolve_country
from econsec.errors import DataFormatError, Location
from econsec.records import CountryRisk

CRC_FILE = "country_risk/oecd_country_risk_classification_2026-01-30.csv"
SOURCE_KEY = "oecd-crc-2026-01-30"


def load_country_risk(path: Path | None = None) -> list[CountryRisk]:
    """OECD country risk categories; a category outside 0-7 is a DataFormatError."""
    path = path or data_dir() / CRC_FILE
    out = []
    for line, row in read_dicts(path, required=("country", "iso3", "crc", "notes")):
        raw = row["crc"].strip()
        if not raw.isdigit() or not 0 <= int(raw) <= 7:
            raise DataFormatError(
                f"bad category {raw!r}", location=Location(display_name(path), line, "crc")
            )
        # The transcription uses XKV for Kosovo where econsec (like the World Bank) uses XKX:
        # the code is trusted only when it resolves, else the country name decides.
        iso3 = try_resolve_country(row["iso3"]) or resolve_country(
            row["country"], location=Location(display_name(path), line, "country")
        )
        out.append(CountryRisk(iso3, int(raw), "2026-01-30", SOURCE_KEY, row["notes"].strip()))
    return out
