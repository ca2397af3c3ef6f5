"""EU Critical Raw Materials 2023 assessment inputs (European Commission, CC BY 4.0).

Files in ``eu_crm_2023/`` (Appendices 6 and 7 of the 2023 final report, via an
unofficial extraction; see PROVENANCE.md). The three ``fact`` files are Windows-1252,
``material_groupings.csv`` is UTF-8.

Shares are fractions: ``93.8%`` → 0.938. The report prints shares below 0.1 % as
``<0.1%``; these become **0.0005** (the midpoint of 0-0.1 %) with ``below_threshold=True`` (so does
``>0`` in the end-use table). A bare number (one row prints ``6``) is read as percent.
Countries are resolved with :func:`resolve_country`; the report's label is kept, and
aggregate rows ("Other", "Rest of world") get ``iso3=None``.

A row repeated exactly (every cell the same: the extraction prints magnesium's
"Construction" end use twice) is read once and a warning names both lines. End uses whose
value added is not that of their NACE sector (in the manganese rows the codes and the
values are shifted against each other) are kept as published and listed by
:func:`value_added_mismatches`.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
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
    line: int = 0


@dataclass
class EuCrmInputs:
    """Global supply, EU sourcing (by (material, stage)), end uses and groupings."""

    global_supply: dict[tuple[str, str], list[SupplyShare]] = field(default_factory=dict)
    eu_sourcing: dict[tuple[str, str], list[SupplyShare]] = field(default_factory=dict)
    end_uses: dict[str, list[EndUse]] = field(default_factory=dict)
    groupings: dict[str, dict[str, str]] = field(default_factory=dict)
    #: (material, message): what the loaders corrected or found doubtful (see the module doc).
    warnings: list[tuple[str, str]] = field(default_factory=list)

    def warnings_for(self, material: str) -> list[str]:
        """The warnings about ``material``."""
        return [text for m, text in self.warnings if m == material]

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


def _duplicate(seen: dict[tuple[str, ...], int], row: dict[str, str], line: int,
               name: str) -> str | None:
    """A warning when ``row`` repeats an earlier row exactly (it is then skipped)."""
    key = tuple(" ".join(v.split()) for v in row.values())
    first = seen.setdefault(key, line)
    if first == line:
        return None
    return (f"{name}, line {line}: exact duplicate of line {first} "
            f"({row.get('Material', '').strip()}, "
            f"{row.get('Application') or row.get('Country') or ''}); read once")


def load_supply_shares(
    path: Path, warnings: list[tuple[str, str]] | None = None
) -> dict[tuple[str, str], list[SupplyShare]]:
    """A ``Material, Stage, Country, Share, t`` table (global supply or EU sourcing).

    Exact duplicate rows are read once; the warning goes to ``warnings``."""
    name = display_name(path)
    out: dict[tuple[str, str], list[SupplyShare]] = defaultdict(list)
    need = ("Material", "Stage", "Country", "Share", "t")
    seen: dict[tuple[str, ...], int] = {}
    for line, row in read_dicts(path, encoding="cp1252", required=need):
        if (dup := _duplicate(seen, row, line, name)) is not None:
            if warnings is not None:
                warnings.append((row["Material"].strip(), dup))
            continue
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


def load_end_uses(
    path: Path, warnings: list[tuple[str, str]] | None = None
) -> dict[str, list[EndUse]]:
    """``end_use_shares_value_added.csv``: application shares, NACE sector, VA in M€.

    Exact duplicate rows are read once; the warning goes to ``warnings``."""
    name = display_name(path)
    out: dict[str, list[EndUse]] = defaultdict(list)
    seen: dict[tuple[str, ...], int] = {}
    for line, row in read_dicts(path, encoding="cp1252", required=("Material", "Application",
                                                                  "Share", "NACE sector")):
        va_col = next((k for k in row if k.startswith("VA")), None)
        if va_col is None:
            raise DataFormatError("missing VA column", location=Location(name, 1, "VA"))
        if (dup := _duplicate(seen, row, line, name)) is not None:
            if warnings is not None:
                warnings.append((row["Material"].strip(), dup))
            continue
        share, _ = parse_share(row["Share"], Location(name, line, "Share"))
        sector = " ".join(row["NACE sector"].split())
        match = _NACE.match(sector)
        if sector and not match:
            raise DataFormatError(f"bad NACE sector {sector!r}",
                                  location=Location(name, line, "NACE sector"))
        nace, nace_name = (match.group(1), match.group(2).strip()) if match else ("", "")
        va = optional_number(row[va_col], Location(name, line, va_col))
        out[row["Material"].strip()].append(EndUse(row["Application"].strip(), share, nace,
                                                   nace_name, va, line))
    return dict(out)


def sector_value_added(end_uses: dict[str, list[EndUse]]) -> dict[str, float]:
    """The value added (M€) of each NACE sector: the value most rows of that sector give
    (ties: the smaller value)."""
    counts: dict[str, Counter[float]] = defaultdict(Counter)
    for uses in end_uses.values():
        for use in uses:
            if use.nace and use.value_added_meur is not None:
                counts[use.nace][use.value_added_meur] += 1
    return {nace: min(c, key=lambda v: (-c[v], v)) for nace, c in counts.items()}


def value_added_mismatches(
    end_uses: dict[str, list[EndUse]], file: str = ""
) -> list[tuple[str, str]]:
    """(material, message) for each end use whose value added is not its sector's.

    A sector's value added is the one most rows of the table give it
    (:func:`sector_value_added`); the message names the sector whose value added the
    row carries, where one does (a shifted row)."""
    by_sector = sector_value_added(end_uses)
    owners: dict[float, list[str]] = defaultdict(list)
    for nace, va in sorted(by_sector.items()):
        owners[va].append(nace)
    out = []
    for material, uses in end_uses.items():
        for use in uses:
            expected = by_sector.get(use.nace)
            if expected is None or use.value_added_meur is None:
                continue
            if use.value_added_meur == expected:
                continue
            owner = [n for n in owners.get(use.value_added_meur, []) if n != use.nace]
            whose = f" (that of {', '.join(owner)})" if owner else ""
            where = f"{file}, line {use.line}: " if file and use.line else ""
            out.append((material, (
                f"{where}end use '{use.application}' is coded {use.nace} but carries a value "
                f"added of {use.value_added_meur:,.0f} M€{whose}; {use.nace}'s value added "
                f"elsewhere in the table is {expected:,.0f} M€: check the sector code against "
                "the study before relying on the economic importance"
            )))
    return out


def load_groupings(path: Path) -> dict[str, dict[str, str]]:
    """``material_groupings.csv`` (UTF-8): screened material → {permutation: group}."""
    out = {}
    for _line, row in read_dicts(path, encoding="utf-8-sig", required=("screened_material",)):
        material = row.pop("screened_material").strip()
        out[material] = {k: v.strip() for k, v in row.items() if k}
    return out


def load_eu_crm(folder: Path | None = None) -> EuCrmInputs:
    """All four EU CRM 2023 input tables from ``folder`` (default: the bundled copy), with
    the warnings of the loaders (duplicates read once, value added not matching the sector)."""
    folder = folder or data_dir() / FOLDER
    warnings: list[tuple[str, str]] = []
    end_use_path = folder / "end_use_shares_value_added.csv"
    end_uses = load_end_uses(end_use_path, warnings)
    warnings += value_added_mismatches(end_uses, display_name(end_use_path))
    global_supply = load_supply_shares(folder / "global_supply_shares_t.csv", warnings)
    eu_sourcing = load_supply_shares(folder / "eu_sourcing_shares_t.csv", warnings)
    # one material, one name: the tables spell some names differently ("Natural Rubber" in
    # EU sourcing, "Natural rubber" elsewhere); the global-supply spelling is kept
    canonical: dict[str, str] = {}
    for name in [m for m, _ in global_supply] + list(end_uses) + [m for m, _ in eu_sourcing]:
        canonical.setdefault(name.lower(), name)
    return EuCrmInputs(
        global_supply={(canonical[m.lower()], st): v for (m, st), v in global_supply.items()},
        eu_sourcing={(canonical[m.lower()], st): v for (m, st), v in eu_sourcing.items()},
        end_uses={canonical[m.lower()]: v for m, v in end_uses.items()},
        groupings=load_groupings(folder / "material_groupings.csv"),
        warnings=[(canonical.get(m.lower(), m), w) for m, w in warnings],
    )


NAMES_JA_FILE = "curated/eu_crm_materials_ja.csv"


def japanese_names(path: Path | None = None) -> dict[str, str]:
    """Japanese names of the EU CRM 2023 materials (econsec's curated table)."""
    path = path or data_dir() / NAMES_JA_FILE
    return {row["material"]: row["name_ja"]
            for _line, row in read_dicts(path, encoding="utf-8", required=("material", "name_ja"))}
