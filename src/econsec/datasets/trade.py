"""U.S. import shares by partner, 2020-2023 average (U.S. Census data; third-party extract).

``us_trade/us_import_shares_by_partner_2020_2023avg.csv`` (material, country, share in %)
→ :class:`TradeFlow` with ``importer="USA"``, ``year=2020``, ``year_end=2023`` and
``share`` as a fraction. "other" (pooled small partners) has ``exporter=None``.
Materials map to econsec items through ``curated/us_trade_materials.csv``.
"""

from __future__ import annotations

from pathlib import Path

from econsec.datasets._csv import data_dir, display_name, parse_number, read_dicts
from econsec.datasets.countries import is_aggregate_label, resolve_country
from econsec.errors import DataFormatError, Location
from econsec.records import TradeFlow

TRADE_FILE = "us_trade/us_import_shares_by_partner_2020_2023avg.csv"
MATERIALS_FILE = "curated/us_trade_materials.csv"
SOURCE_KEY = "us-import-shares-2020-2023"


def trade_items(path: Path | None = None) -> dict[str, str]:
    """US-trade material label → econsec item id."""
    path = path or data_dir() / MATERIALS_FILE
    return {r["material"]: r["item_id"] for _, r in read_dicts(path, required=("material",))}


def load_us_import_shares(path: Path | None = None) -> list[TradeFlow]:
    """U.S. import value shares by partner (fractions), averaged 2020-2023."""
    path = path or data_dir() / TRADE_FILE
    name, items = display_name(path), trade_items()
    out = []
    for line, row in read_dicts(path, required=("material", "country", "share")):
        material, label = row["material"].strip(), row["country"].strip()
        if material not in items:
            raise DataFormatError(
                f"material {material!r} not in {MATERIALS_FILE}",
                location=Location(name, line, "material"),
            )
        share = parse_number(row["share"], Location(name, line, "share"))
        if not 0 <= share <= 100:
            raise DataFormatError(f"share {share} outside 0-100",
                                  location=Location(name, line, "share"))
        pooled = label.lower() == "other" or is_aggregate_label(label)
        exporter = None if pooled else resolve_country(label, location=Location(name, line,
                                                                                "country"))
        out.append(TradeFlow(
            item_id=items[material], exporter=exporter, importer="USA", year=2020,
            source_key=SOURCE_KEY, share=share / 100, exporter_label=label, year_end=2023,
            unit="share of import value",
        ))
    return out
