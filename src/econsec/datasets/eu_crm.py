"""EU Critical Raw Materials 2023 assessment inputs (European Commission, CC BY 4.0).

Files in ``eu_crm_2023/`` (Appendices 6 and 7 of the 2023 final report, via an
unofficial extraction; see PROVENANCE.md). The three ``fact`` files are Windows-1252,
``material_groupings.csv`` is UTF-8.

Shares are fractions: ``93.8%`` → 0.938. The report prints shares below 0.1 % as
``<0.1%``; these become **0.0005** (the midpoint of 0-0.1 %) with ``below_threshold=True`` (so does
``>0`` in the end-use table). A bare number (one row prints ``6``) is read as percent.
Countries are resolved with :func:`resolve_country`; the report's label is kept, and
aggregate rows ("Other", "Rest of world") get ``iso3=None``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from econsec.datasets._csv import data_dir, display_name, optional_number, parse_number, read_dicts
from econsec.datasets.countries import is_aggregate_label, resolve_country
from econsec.errors import DataFormatError, Location

FOLDER = "eu_crm_2023"
SOURCE_KEY = "eu-crm-2023"
BELOW_THRESHOLD_SHARE = 0.0005
_NACE = re.compile(r"^([A-U]\d{2})\s*-\s*(.+)$")


@dataclass(frozen=True)
class SupplyShare:
    """One country's share of a material's supply at a stage (E extraction, P processing)."""

    iso3: str | None
    label: str
    share: float
    t: float
    below_threshold: bool = False


@dataclass(frozen=True)
class EndUse:
    """One application's share of a material's EU end use, with its NACE sector."""

    application: str
    share: float
    nace: str
    nace_name: str
    value_added_meur: float | None


@dataclass
class EuCrmInputs:
    """Global supply, EU sourcing (by (material, stage)), end uses and groupings."""

    global_supply: dict[tuple[str, str], list[SupplyShare]] = field(default_factory=dict)
    eu_sourcing: dict[tuple[str, str], list[SupplyShare]] = field(default_factory=dict)
    end_uses: dict[str, list[EndUse]] = field(default_factory=dict)
    groupings: dict[str, dict[str, str]] = field(default_factory=dict)

    def materials(self) -> list[str]:
        """Every material named in any of the tables, sorted."""
        names = {m for m, _ in self.global_supply} | {m for m, _ in self.eu_sourcing}
        return sorted(names | set(self.end_uses))


def parse_share(raw: str, where: Location) -> tuple[float, bool]:
    """``'93.8%'`` → (0.938, False); ``'<0.1%'`` → (0.0005, True)."""
    text = raw.strip()
    if text.replace(" ", "") in ("<0.1%", ">0", ">0%"):
        return BELOW_THRESHOLD_SHARE, True
    # one row of eu_sourcing_shares_t.csv prints "6" without the % sign: read as percent
    value = parse_number(text.removesuffix("%"), where) / 100
    if not 0 <= value <= 1:
        raise DataFormatError(f"share outside 0-100 %: {raw!r}", location=where)
    return value, False


def load_supply_shares(path: Path) -> dict[tuple[str, str], list[SupplyShare]]:
    """A ``Material, Stage, Country, Share, t`` table (global supply or EU sourcing)."""
    name = display_name(path)
    out: dict[tuple[str, str], list[SupplyShare]] = defaultdict(list)
    need = ("Material", "Stage", "Country", "Share", "t")
    for line, row in read_dicts(path, encoding="cp1252", required=need):
        stage = row["Stage"].strip()
        if stage not in ("E", "P"):
            raise DataFormatError(f"bad stage {stage!r}", location=Location(name, line, "Stage"))
        label = row["Country"].strip()
        iso3 = None if is_aggregate_label(label) else resolve_country(
            label, location=Location(name, line, "Country"))
        share, below = parse_share(row["Share"], Location(name, line, "Share"))
        t = parse_number(row["t"], Location(name, line, "t"))
        out[(row["Material"].strip(), stage)].append(SupplyShare(iso3, label, share, t, below))
    return dict(out)


def load_end_uses(path: Path) -> dict[str, list[EndUse]]:
    """``end_use_shares_value_added.csv``: application shares, NACE sector, VA in M€."""
    name = display_name(path)
    out: dict[str, list[EndUse]] = defaultdict(list)
    for line, row in read_dicts(path, encoding="cp1252", required=("Material", "Application",
                                                                  "Share", "NACE sector")):
        va_col = next((k for k in row if k.startswith("VA")), None)
        if va_col is None:
            raise DataFormatError("missing VA column", location=Location(name, 1, "VA"))
        share, _ = parse_share(row["Share"], Location(name, line, "Share"))
        sector = " ".join(row["NACE sector"].split())
        match = _NACE.match(sector)
        if sector and not match:
            raise DataFormatError(f"bad NACE sector {sector!r}",
                                  location=Location(name, line, "NACE sector"))
        nace, nace_name = (match.group(1), match.group(2).strip()) if match else ("", "")
        va = optional_number(row[va_col], Location(name, line, va_col))
        out[row["Material"].strip()].append(EndUse(row["Application"].strip(), share, nace,
                                                   nace_name, va))
    return dict(out)


def load_groupings(path: Path) -> dict[str, dict[str, str]]:
    """``material_groupings.csv`` (UTF-8): screened material → {permutation: group}."""
    out = {}
    for _line, row in read_dicts(path, encoding="utf-8-sig", required=("screened_material",)):
        material = row.pop("screened_material").strip()
        out[material] = {k: v.strip() for k, v in row.items() if k}
    return out


def load_eu_crm(folder: Path | None = None) -> EuCrmInputs:
    """All four EU CRM 2023 input tables from ``folder`` (default: the bundled copy)."""
    folder = folder or data_dir() / FOLDER
    return EuCrmInputs(
        global_supply=load_supply_shares(folder / "global_supply_shares_t.csv"),
        eu_sourcing=load_supply_shares(folder / "eu_sourcing_shares_t.csv"),
        end_uses=load_end_uses(folder / "end_use_shares_value_added.csv"),
        groupings=load_groupings(folder / "material_groupings.csv"),
    )


NAMES_JA_FILE = "curated/eu_crm_materials_ja.csv"


def japanese_names(path: Path | None = None) -> dict[str, str]:
    """Japanese names of the EU CRM 2023 materials (econsec's curated table)."""
    path = path or data_dir() / NAMES_JA_FILE
    return {row["material"]: row["name_ja"]
            for _line, row in read_dicts(path, encoding="utf-8", required=("material", "name_ja"))}
