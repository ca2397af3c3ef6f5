"""Harmonized System 2022 nomenclature (datasets/harmonized-system 2022.0, ODC-PDDL).

``classifications/hs/harmonized-system_hs2022.csv``: section, hscode, description,
parent, level (2 = chapter, 4 = heading, 6 = subheading).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from econsec.datasets._csv import data_dir, display_name, read_dicts
from econsec.errors import DataFormatError, Location, UnknownNameError

HS_FILE = "classifications/hs/harmonized-system_hs2022.csv"


@dataclass(frozen=True)
class HsCode:
    """One HS 2022 code."""

    code: str
    description: str
    parent: str
    level: int
    section: str


def load_hs(path: Path | None = None) -> list[HsCode]:
    """All HS 2022 chapters, headings and subheadings."""
    path = path or data_dir() / HS_FILE
    need = ("section", "hscode", "description", "parent", "level")
    out = []
    for line, row in read_dicts(path, required=need):
        code, level = row["hscode"].strip(), row["level"].strip()
        if code == "TOTAL":  # the classification's root row
            continue
        if not code.isdigit() or level not in ("2", "4", "6") or len(code) != int(level):
            raise DataFormatError(
                f"bad HS code/level {code!r}/{level!r}",
                location=Location(display_name(path), line, "hscode"),
            )
        out.append(HsCode(code, row["description"], row["parent"], int(level), row["section"]))
    return out


@cache
def hs_codes() -> dict[str, HsCode]:
    """Bundled HS 2022 codes keyed by code (cached)."""
    return {c.code: c for c in load_hs()}


def hs_description(code: str) -> str:
    """Description of an HS 2022 code (dots and spaces ignored: ``2805.30`` = ``280530``)."""
    key = code.replace(".", "").replace(" ", "")
    try:
        return hs_codes()[key].description
    except KeyError:
        raise UnknownNameError(code, kind="HS 2022 code") from None
