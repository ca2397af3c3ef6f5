"""USGS Mineral Commodity Summaries loaders (publisher's original CSV files).

Sources (public domain, U.S. Government work; see ``data/PROVENANCE.md``):

* MCS 2025 world data, ``usgs_mcs2025/world_data/MCS2025_World_Data.csv``
  (data years 2023 and 2024e, capacity, reserves 2024).
* MCS 2024 and MCS 2023 per-commodity world tables,
  ``usgs_mcs202{3,4}/world_data/*_world.csv`` (units in the column names, worded as in MCS2025
  (``kt`` → "thousand metric tons"; "dry" added where the ``_meta.xml`` says dry tons);
  reserves without a year are dated to the release's estimate year
  (2023 for MCS2024, 2022 for MCS2023)).
* MCS 2025 salient statistics, ``usgs_mcs2025/salient_commodity/*_salient.csv``
  (U.S. net import reliance).

Cell conventions: blank and ``XX`` (not applicable) give no observation; ``W`` gives
``withheld=True, value=None``; ``NA`` gives ``value=None``; ``e12,000`` is an estimate;
``>90000000`` or a qualitative word ("Large", "Included with ilmenite") keeps the text in
``value_raw`` with ``value=None`` and a note. Any other non-number is a DataFormatError.
In MCS2025, where USGS left withheld cells blank, a note "W for 23-24" marks them withheld.

Units carry the content basis USGS states for the series (the TYPE column, worded in the
curated crosswalk's ``series``): "metric tons, lithium content", "metric tons,
rare-earth-oxide equivalent", "thousand metric tons, gross weight" (see
:func:`with_content_basis`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from econsec.datasets._csv import data_dir, display_name, parse_number, read_dicts, read_table
from econsec.datasets.countries import (
    is_aggregate_label,
    known_name,
    resolve_country,
    try_resolve_country,
)
from econsec.datasets.items import CrosswalkEntry, CrosswalkKey, content_basis, crosswalk
from econsec.errors import DataFormatError, Location
from econsec.records import Measure, Observation

MCS2025_WORLD = "usgs_mcs2025/world_data/MCS2025_World_Data.csv"
SALIENT_2025 = "usgs_mcs2025/salient_commodity"

UNIT_TOKENS = {
    "t": "metric tons",
    "kt": "thousand metric tons",
    "kg": "kilograms",
    "mt": "million metric tons",
    "mmt": "million metric tons",
    "kct": "thousand carats",
    "mct": "million carats",
    "mcm": "million cubic meters",
}
_COLUMN = re.compile(
    r"^(Prod|Cap|Reserves)(?:_(.+?))?_(t|kt|kg|Mt|mt|mmt|kct|mct|mcm)(_(?:est|Est))?(?:_(\d{4}))?$"
)
_QUALITATIVE = re.compile(
    r"^(large|very small|small|moderate.*|categorized as .*|included (in|with) .*|less than .*)$",
    re.IGNORECASE,
)
_BOUND = re.compile(r"^([<>])\s*([\d,]+(\.\d+)?)$")


@dataclass(frozen=True)
class Cell:
    """A parsed table cell."""

    value: float | None
    raw: str
    withheld: bool = False
    estimate: bool = False
    note: str = ""


def parse_cell(raw: str, where: Location) -> Cell | None:
    """Parse one USGS value cell (see module docstring); None = no observation."""
    text = " ".join(raw.split())
    upper = text.upper()
    if upper in ("", "XX"):
        return None
    if upper == "W":
        return Cell(None, text, withheld=True, note="withheld to avoid disclosing company data")
    if upper == "NA":
        return Cell(None, text, note="not available")
    if upper == "E":
        return Cell(None, text, note="net exporter")
    if bound := _BOUND.match(text):
        kind = "more" if bound.group(1) == ">" else "less"
        return Cell(None, text, note=f"published as {kind} than {bound.group(2)}")
    if _QUALITATIVE.match(text):
        return Cell(None, text, note=text)
    if text[0] in "eE" and len(text) > 1:
        return Cell(parse_number(text[1:], where), text, estimate=True)
    return Cell(parse_number(text, where), text)


def _label_estimate(label: str) -> bool:
    """True when a USGS country label carries the trailing estimate marker ``e``."""
    stem = re.sub(r"\s*\d+$", "", " ".join(label.split()))
    if not stem.endswith("e") or known_name(stem):
        return False
    return try_resolve_country(stem) is not None


def _area(label: str, where: Location) -> tuple[str | None, bool]:
    label = " ".join(label.split())
    if not label:
        raise DataFormatError("empty country label", location=where)
    if is_aggregate_label(label):
        return None, True
    return resolve_country(label, location=where), False


def _entry(table: dict[CrosswalkKey, CrosswalkEntry], key: CrosswalkKey,
           where: Location) -> CrosswalkEntry:
    entry = table.get(key)
    if entry is None:
        raise DataFormatError(
            f"no crosswalk entry for {key} in curated/usgs_commodities.csv", location=where
        )
    return entry


def _observation(
    entry: CrosswalkEntry, cell: Cell, *, area: str, iso3: str | None, agg: bool, year: int,
    unit: str, source_key: str, estimate: bool, note: str,
) -> Observation:
    notes = "; ".join(n for n in (cell.note, note) if n)
    return Observation(
        item_id=entry.item_id, area=area, iso3=iso3, is_aggregate=agg, year=year,
        measure=entry.measure, value=cell.value, unit=unit, source_key=source_key,
        is_estimate=estimate or cell.estimate, withheld=cell.withheld, value_raw=cell.raw,
        series=entry.series, note=notes,
    )


_MCS2025_GROUPS = (
    ("prod", (("PROD_2023", 2023, False), ("PROD_EST_ 2024", 2024, True)), "PROD_NOTES"),
    ("cap", (("CAP_2023", 2023, False), ("CAP_EST_ 2024", 2024, True)), "CAP_NOTES"),
    ("reserves", (("RESERVES_2024", 2024, False),), "RESERVE_NOTES"),
)


#: Rows whose TYPE names one series but whose area is the total of several: MCS2025 types the
#: "World total (ilmenite and rutile, rounded)" row as ilmenite.
_MCS2025_AREA_ITEMS = {
    "World total (ilmenite and rutile, rounded)": "titanium-mineral-concentrates",
}


def _blank_cell(note: str, year: int) -> Cell | None:
    low = note.strip().lower()
    if low.startswith("w for"):
        return Cell(None, "", withheld=True, note="withheld (W) per notes")
    if low in ("na", f"na for {year}"):
        return Cell(None, "", note="not available")
    return None


def load_mcs2025_world(path: Path | None = None) -> list[Observation]:
    """Observations from ``MCS2025_World_Data.csv`` (USGS MCS 2025 world data)."""
    path = path or data_dir() / MCS2025_WORLD
    name = display_name(path)
    table = crosswalk()
    need = ["COMMODITY", "COUNTRY", "TYPE", "UNIT_MEAS"]
    need += [c for _, cols, n in _MCS2025_GROUPS for c in (*(x[0] for x in cols), n)]
    units: dict[tuple[str, str], str] = {}
    out: list[Observation] = []
    for line, row in read_dicts(path, required=need):
        commodity, kind = row["COMMODITY"].strip(), row["TYPE"].strip()
        label = " ".join(row["COUNTRY"].split())
        iso3, agg = _area(label, Location(name, line, "COUNTRY"))
        unit = row["UNIT_MEAS"].strip() or units.get((commodity, kind), "")
        if not unit:
            raise DataFormatError("missing unit", location=Location(name, line, "UNIT_MEAS"))
        units[(commodity, kind)] = unit
        type_est = "estimated" in kind.lower()
        for group, cols, note_col in _MCS2025_GROUPS:
            note = row[note_col].strip()
            for col, year, est in cols:
                where = Location(name, line, col)
                cell = parse_cell(row[col], where) if row[col].strip() else _blank_cell(note, year)
                if cell is None:
                    continue
                entry = _entry(table, ("MCS2025", commodity, kind, group), where)
                if label in _MCS2025_AREA_ITEMS:
                    entry = replace(entry, item_id=_MCS2025_AREA_ITEMS[label])
                est2023 = year == 2023 and "estimated" in note.lower() and "2023" in note
                out.append(_observation(
                    entry, cell, area=label, iso3=iso3, agg=agg, year=year, unit=unit,
                    source_key="usgs-mcs-2025-world", estimate=est or type_est or est2023,
                    note=note,
                ))
    return with_content_basis(correct_units(out, "MCS2025"))


@dataclass(frozen=True)
class _Column:
    index: int
    name: str
    group: str
    unit_token: str
    estimate: bool
    year: int | None


def _columns(header: list[str]) -> list[_Column]:
    out = []
    for i, raw in enumerate(header):
        m = _COLUMN.match(raw.strip())
        if m:
            group = m.group(1).lower() + (f"_{m.group(2).lower()}" if m.group(2) else "")
            year = int(m.group(5)) if m.group(5) else None
            out.append(_Column(i, raw.strip(), group, m.group(3), bool(m.group(4)), year))
    return out


def meta_units(meta: Path) -> dict[str, str]:
    """Column name → unit wording from a USGS ``_meta.xml`` (FGDC ``attrlabl``/``attrunit``).

    Read with a tolerant pattern match because some shipped XML files are not well formed.
    """
    if not meta.exists():
        return {}
    text = meta.read_text(encoding="utf-8", errors="replace")
    units = {}
    for block in re.split(r"<attrlabl>", text)[1:]:
        label, _, rest = block.partition("</attrlabl>")
        rest = rest.split("<attrlabl>", 1)[0]
        unit = re.search(r"<attrunit>(.*?)</attrunit>", rest, re.DOTALL)
        if unit and label.strip():
            units[label.strip()] = " ".join(unit.group(1).split())
    return units


def _note_for(header: list[str], row: list[str], group: str) -> str:
    prefix = group.split("_")[0]
    for i, name in enumerate(header):
        if name.lower().startswith(f"{prefix}_note") and i < len(row):
            return row[i].strip()
    return ""


def load_mcs_world_file(path: Path, release: int) -> list[Observation]:
    """Observations from one MCS2023/MCS2024 ``<code>_world.csv`` file."""
    name = display_name(path)
    code = path.name.split("-", 1)[1].rsplit("_", 1)[0]
    header, records = read_table(path)
    columns = _columns(header)
    if not columns:
        raise DataFormatError("no Prod_/Cap_/Reserves_ columns", location=Location(name, 1))
    units = meta_units(path.with_name(path.name.replace("_world.csv", "_meta.xml").lower()))
    table, tag = crosswalk(), f"MCS{release}"
    out: list[Observation] = []
    for line, cells in records:
        cells = cells + [""] * (len(header) - len(cells))
        if not any(c.strip() for c in cells):
            continue
        label, kind = " ".join(cells[1].split()), cells[2].strip()
        iso3, agg = _area(label, Location(name, line, header[1]))
        label_est = _label_estimate(label)
        for col in columns:
            where = Location(name, line, col.name)
            cell = parse_cell(cells[col.index], where)
            if cell is None:
                continue
            entry = _entry(table, (tag, code, kind, col.group), where)
            unit = UNIT_TOKENS[col.unit_token.lower()]
            if "dry" in units.get(col.name, "").lower():
                unit = unit.replace("metric tons", "metric dry tons")
            out.append(_observation(
                entry, cell, area=label, iso3=iso3, agg=agg, year=col.year or release - 1,
                unit=unit, source_key=f"usgs-mcs-{release}-world",
                estimate=col.estimate or label_est, note=_note_for(header, cells, col.group),
            ))
    return out


UNIT_CORRECTIONS_FILE = "curated/usgs_unit_corrections.csv"


@cache
def unit_corrections(path: Path | None = None) -> dict[tuple[str, str, str], tuple[str, str]]:
    """(release, item, measure) -> (unit as published, corrected unit), from the curated
    ``usgs_unit_corrections.csv`` (each row cites the evidence: USGS notes or the same
    values in another release)."""
    path = path or data_dir() / UNIT_CORRECTIONS_FILE
    need = ("release", "item_id", "measure", "unit_published", "unit", "evidence")
    return {
        (row["release"], row["item_id"], row["measure"]): (row["unit_published"], row["unit"])
        for _line, row in read_dicts(path, encoding="utf-8", required=need)
    }


def correct_units(observations: list[Observation], release: str) -> list[Observation]:
    """Apply :func:`unit_corrections` to one release's observations, noting each change.

    A correction whose published unit no longer matches the file is an error: the data
    changed and the correction must be reviewed.
    """
    fixes = {(item, measure): units for (rel, item, measure), units in unit_corrections().items()
             if rel == release}
    out = []
    for obs in observations:
        fix = fixes.get((obs.item_id, str(obs.measure)))
        if fix is None:
            out.append(obs)
            continue
        published, unit = fix
        if obs.unit != published:
            raise DataFormatError(
                f"{release} {obs.item_id} {obs.measure}: unit correction expects "
                f"'{published}' but the file gives '{obs.unit}'",
                location=Location(UNIT_CORRECTIONS_FILE),
            )
        note = f"unit published as '{published}', corrected to '{unit}' ({UNIT_CORRECTIONS_FILE})"
        out.append(replace(obs, unit=unit, note="; ".join(n for n in (obs.note, note) if n)))
    return out


def load_mcs_world(release: int, folder: Path | None = None) -> list[Observation]:
    """All MCS2023 or MCS2024 per-commodity world tables (``release`` 2023 or 2024)."""
    if release not in (2023, 2024):
        raise ValueError("release must be 2023 or 2024 (use load_mcs2025_world for 2025)")
    folder = folder or data_dir() / f"usgs_mcs{release}" / "world_data"
    out: list[Observation] = []
    for path in sorted(folder.glob("*_world.csv")):
        out.extend(load_mcs_world_file(path, release))
    return with_content_basis(correct_units(out, f"MCS{release}"))


def unit_with_basis(unit: str, basis: str) -> str:
    """``"metric tons"`` + ``"lithium content"`` → ``"metric tons, lithium content"``; the unit
    alone when there is no basis or the unit already says it ("metric dry tons")."""
    if not basis or basis.lower() in unit.lower():
        return unit
    if basis == "dry weight" and "dry" in unit.lower():
        return unit
    return f"{unit}, {basis}" if unit else basis


def with_content_basis(observations: list[Observation]) -> list[Observation]:
    """The observations with the content basis of their series appended to the unit, as
    USGS states it (:func:`econsec.datasets.items.content_basis`)."""
    return [replace(o, unit=unit_with_basis(o.unit, content_basis(o.series)))
            for o in observations]


# --- salient statistics (U.S.) -------------------------------------------------------

_NIR_VARIANTS = {
    ("plati", "Palladium"): "palladium",
    ("plati", "Platinum"): "platinum",
    ("simet", "FeSi"): "ferrosilicon",
    ("simet", "Si"): "silicon-metal",
    ("simet", "FeSi-Si"): "silicon",
    ("mica", "Flake"): "mica-scrap-flake",
    ("mica", "Sheet"): "mica-sheet",
    ("bauxi", "Bauxite"): "bauxite",
    ("bauxi", "Alumina"): "alumina",
    ("titan", "Sponge"): "titanium-sponge",
    ("titan", "Dioxide"): "titanium-dioxide-pigment",
    ("abras", "Al2O3"): "fused-aluminum-oxide",
    ("abras", "SiC"): "silicon-carbide",
    ("raree", "Compounds-Metals"): "rare-earths",
    ("zinc", "Ores"): "zinc",
    ("zirco", "Zr_ore"): "zirconium",
}
#: salient file code → world-table code
_SALIENT_CODES = {"rareee": "raree", "lithium": "lithi"}
#: NIR columns end in _pct; a few files spell it _ct (germanium, nickel, scandium,
#: tungsten) and rare earths _t; all hold percentages.
_NIR = re.compile(r"^(?:(\w+?)_)?NIR(?:_(.+?))?_(?:pct|ct|t)$")


def _main_item(code: str) -> str | None:
    """The item of a commodity code's first production series in the MCS2024 crosswalk."""
    for (release, commodity, _kind, column), entry in crosswalk().items():
        if release == "MCS2024" and commodity == code and column.startswith("prod"):
            return entry.item_id
    return None


def _nir_columns(header: list[str], code: str) -> list[tuple[int, str, str]]:
    """(index, column, item id) for the NIR columns econsec can map to one item."""
    found = [(i, h.strip(), _NIR.match(h.strip())) for i, h in enumerate(header)]
    nir = [(i, h, m) for i, h, m in found if m]
    out = []
    for i, h, m in nir:
        variant = m.group(1) or m.group(2)
        item = _NIR_VARIANTS.get((code, variant)) if variant else None
        if item is None and (len(nir) == 1 or variant is None):
            item = _main_item(code)
        if item is not None:
            out.append((i, h, item))
    return out


_LOWER_BOUND = re.compile(r"^>\s*([\d.,]+)$")


def load_mcs2025_salient(folder: Path | None = None) -> list[Observation]:
    """U.S. net import reliance (percent of apparent consumption) from MCS 2025 salient files.

    ``NIR_pct`` maps to the commodity's main item; variants (``NIR_Palladium_pct``,
    ``Bauxite_NIR_pct``…) map through a fixed table; unmappable variants are skipped.
    A lower bound such as ``>95`` is kept as the value 95 with a note ("at least");
    ``E`` (net exporter) and upper bounds (``<25``) have no value.
    """
    folder = folder or data_dir() / SALIENT_2025
    out: list[Observation] = []
    for path in sorted(folder.glob("*_salient.csv")):
        code = path.name.split("-", 1)[1].rsplit("_", 1)[0]
        code = _SALIENT_CODES.get(code, code)
        name = display_name(path)
        header, records = read_table(path)
        if "Year" not in header:
            raise DataFormatError("missing column: Year", location=Location(name, 1, "Year"))
        year_at = header.index("Year")
        columns = _nir_columns(header, code)
        for line, cells in records:
            if not any(c.strip() for c in cells):
                continue
            year = int(parse_number(cells[year_at], Location(name, line, "Year")))
            for index, col, item in columns:
                cell = parse_cell(cells[index] if index < len(cells) else "",
                                  Location(name, line, col))
                if cell is None:
                    continue
                if lower := _LOWER_BOUND.match(cell.raw):
                    # ">95": at least 95 % -- kept as the bound so thresholds can use it
                    cell = Cell(parse_number(lower.group(1), Location(name, line, col)),
                                cell.raw, note=f"lower bound: published as {cell.raw}")
                out.append(Observation(
                    item_id=item, area="United States", iso3="USA", is_aggregate=False,
                    year=year, measure=Measure.NET_IMPORT_RELIANCE, value=cell.value,
                    unit="percent", source_key="usgs-mcs-2025-salient",
                    is_estimate=cell.estimate or year == 2024, withheld=cell.withheld,
                    value_raw=cell.raw, series=f"U.S. net import reliance ({col})", note=cell.note,
                ))
    return out
