"""Curated items and the USGS commodity crosswalk (econsec's own tables).

* ``curated/items.csv``: item id (slug), English and Japanese names, value-chain stage,
  technology domains (computing, clean-tech, biotech, defence-space; several
  separated by ``;``), HS 2022 subheadings.
* ``curated/usgs_commodities.csv``: (release, commodity, type, column) of the USGS MCS
  world tables → item id, measure, series. ``commodity`` is the MCS2025 ``COMMODITY``
  label (stripped) or the MCS2023/2024 file code (``raree`` in ``mcs2024-raree_world.csv``);
  ``column`` is ``prod``/``cap``/``reserves`` plus any qualifier in the column name
  (``cap_pigment``, ``reserves_ore_k2o_equiv``). ``series`` words the series as USGS
  types it, with the content basis USGS states ("lithium content", "rare-earth-oxide
  equivalent", "gross weight"); :func:`content_basis` picks that basis out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from econsec.datasets._csv import data_dir, display_name, read_dicts
from econsec.errors import DataFormatError, Location
from econsec.records import Item, ItemKind, Measure, Stage

ITEMS_FILE = "curated/items.csv"
CROSSWALK_FILE = "curated/usgs_commodities.csv"
#: Technology domains an item may be tagged with.
DOMAINS = frozenset({"computing", "clean-tech", "biotech", "defence-space"})


@dataclass(frozen=True)
class CrosswalkEntry:
    """Where one USGS series goes: econsec item, measure and series text."""

    item_id: str
    measure: Measure
    series: str

    @property
    def content_basis(self) -> str:
        """The content basis USGS states for the series (see :func:`content_basis`)."""
        return content_basis(self.series)


#: Parts of a series text that state what the quantity measures (USGS wording).
_BASIS = re.compile(
    r"\b(content|equivalent|gross weight|dry weight|usable ore|form as reported by country)\b"
)


def content_basis(series: str) -> str:
    """The content basis in a crosswalk series text, as USGS states it; "" when it states none.

    >>> content_basis("mine production, lithium content")
    'lithium content'
    >>> content_basis("mine production, marketable chromite ore, gross weight")
    'gross weight'
    >>> content_basis("primary production, gallium")
    ''
    """
    parts = [p.strip() for p in re.split(r",(?![^(]*\))", series)]
    return ", ".join(p for p in parts[1:] if _BASIS.search(p))


CrosswalkKey = tuple[str, str, str, str]


def load_items(path: Path | None = None) -> list[Item]:
    """Items from ``curated/items.csv`` (kind = material for all of them)."""
    path = path or data_dir() / ITEMS_FILE
    need = ("item_id", "name_en", "name_ja", "stage", "hs_codes")
    out: list[Item] = []
    for line, row in read_dicts(path, encoding="utf-8", required=need):
        where = display_name(path)
        try:
            stage = Stage(row["stage"])
        except ValueError:
            raise DataFormatError(
                f"unknown stage {row['stage']!r}", location=Location(where, line, "stage")
            ) from None
        domains = [d.strip() for d in row.get("domain", "").split(";") if d.strip()]
        unknown = sorted(set(domains) - DOMAINS)
        if unknown:
            raise DataFormatError(
                f"unknown domain {', '.join(unknown)}; known: {', '.join(sorted(DOMAINS))}",
                location=Location(where, line, "domain"),
            )
        codes = tuple(row["hs_codes"].split())
        if any(not (c.isdigit() and len(c) in (4, 6)) for c in codes):
            raise DataFormatError(
                f"bad HS codes {row['hs_codes']!r}", location=Location(where, line, "hs_codes")
            )
        if not row["name_ja"].strip():
            raise DataFormatError(
                "missing Japanese name", location=Location(where, line, "name_ja")
            )
        out.append(
            Item(
                id=row["item_id"],
                kind=ItemKind.MATERIAL,
                name_en=row["name_en"],
                name_ja=row["name_ja"],
                hs_codes=codes,
                domain=";".join(domains),
                stage=stage,
            )
        )
    return out


@cache
def items_by_id() -> dict[str, Item]:
    """Bundled curated items keyed by id."""
    return {item.id: item for item in load_items()}


def load_crosswalk(path: Path | None = None) -> dict[CrosswalkKey, CrosswalkEntry]:
    """The USGS crosswalk keyed by (release, commodity, type, column)."""
    path = path or data_dir() / CROSSWALK_FILE
    need = ("release", "commodity", "type", "column", "item_id", "measure", "series")
    known = items_by_id() if path == data_dir() / CROSSWALK_FILE else None
    out: dict[CrosswalkKey, CrosswalkEntry] = {}
    for line, row in read_dicts(path, encoding="utf-8", required=need):
        where = display_name(path)
        try:
            measure = Measure(row["measure"])
        except ValueError:
            raise DataFormatError(
                f"unknown measure {row['measure']!r}", location=Location(where, line, "measure")
            ) from None
        if known is not None and row["item_id"] not in known:
            raise DataFormatError(
                f"item {row['item_id']!r} not in {ITEMS_FILE}",
                location=Location(where, line, "item_id"),
            )
        key = (row["release"], row["commodity"], row["type"], row["column"])
        if key in out:
            raise DataFormatError("duplicate crosswalk key", location=Location(where, line))
        out[key] = CrosswalkEntry(row["item_id"], measure, row["series"])
    return out


@cache
def crosswalk() -> dict[CrosswalkKey, CrosswalkEntry]:
    """The bundled USGS crosswalk (cached)."""
    return load_crosswalk()
