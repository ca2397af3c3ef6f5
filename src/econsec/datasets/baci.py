"""CEPII BACI bilateral trade of critical raw materials and the commodity ↔ HS crosswalk.

Bundled in ``trade/`` (see its ``PROVENANCE.txt``):

* ``baci_hs92_crm_1995_2024.parquet``: every exporter–importer flow of 74 HS 1992
  subheadings, 1995-2024 (value in thousand USD, quantity in tonnes);
* ``baci_hs17_critical_materials_2024.parquet``: every flow of 30 HS 2017 subheadings in
  2024 (permanent magnets 850511, gallium/germanium 811292 …);
* ``commodity_hs_map_eol_rir.csv``: commodity → HS 1992 code(s), supply-chain stage and the
  EU end-of-life recycling input rate (EoL-RIR 2023);
* ``product_codes_hs92_V202401b_crm.csv``: BACI's HS 1992 descriptions of the 74 codes.

BACI's ``S19`` ("Other Asia, nes") is Taiwan and becomes ``TWN``. Two BACI codes are
aggregates that no country stands for, and their rows are left out and counted
(:data:`LEFT_OUT`): ``ZA1`` (Southern African Customs Union, to 1999) and ``PUS`` (US
Miscellaneous Pacific Islands). ``SCG`` (Serbia and Montenegro, to 2005) is kept as a
historic area, as ``ANT`` (Netherlands Antilles) is.

econsec's own tables in ``curated/`` say what the crosswalk does not:
``trade_products.csv`` (per code and HS edition: the stage it stands for, a Japanese
description, an English one where the HS 2022 text does not fit the HS 2017 code) and
``trade_commodity_items.csv`` (which econsec items each map commodity and each HS 2017
material label stands for; the empty ones with the reason).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from econsec.datasets._csv import data_dir, display_name, read_dicts
from econsec.errors import DataFormatError, Location
from econsec.records import (
    HS_VERSIONS,
    PRODUCT_STAGES,
    CommodityProduct,
    FlowTable,
    ProductInfo,
)

HS92_FILE = "trade/baci_hs92_crm_1995_2024.parquet"
HS17_FILE = "trade/baci_hs17_critical_materials_2024.parquet"
MAP_FILE = "trade/commodity_hs_map_eol_rir.csv"
HS92_NAMES_FILE = "trade/product_codes_hs92_V202401b_crm.csv"
HS17_CODES_FILE = "trade/critical_codes.json"
PRODUCTS_FILE = "curated/trade_products.csv"
COMMODITY_ITEMS_FILE = "curated/trade_commodity_items.csv"

HS92_SOURCE = "cepii-baci-hs92-crm"
HS17_SOURCE = "cepii-baci-hs17-2024"
MAP_SOURCE = "wmd-hs-map-eol-rir-2023"

#: BACI country codes that are not countries: their rows are left out (and counted).
LEFT_OUT = {
    "ZA1": "Southern African Customs Union (BACI aggregate, to 1999)",
    "PUS": "US Miscellaneous Pacific Islands (BACI aggregate)",
}
#: BACI codes that stand for an ISO alpha-3 code.
RENAMED = {"S19": "TWN"}


@dataclass(frozen=True)
class CrosswalkGap:
    """A commodity label of a crosswalk that links no econsec item or no HS code."""

    dataset: str
    label: str
    item_ids: tuple[str, ...]
    codes: tuple[str, ...]
    reason: str


# ----------------------------------------------------------------------- flows


def _flow_table(path: Path, source_key: str, hs_version: str, columns: dict[str, str]
                ) -> FlowTable:
    """Read a BACI extract (``columns``: our name → the file's column) as a FlowTable,
    its rows sorted by code, year, importer and exporter (the order of the knowledge
    base's index, so that storing them appends to it)."""
    import pyarrow as pa  # type: ignore[import-untyped]  # (no type information)
    import pyarrow.compute as pc  # type: ignore[import-untyped]
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    try:
        table = pq.read_table(path, columns=list(columns.values()))
    except (OSError, ValueError, pa.ArrowException) as exc:
        raise DataFormatError(f"cannot read {display_name(path)}: {exc}",
                              location=Location(display_name(path))) from exc
    table = pa.table({ours: table.column(theirs) for ours, theirs in columns.items()})
    keep = None
    left_out: list[tuple[str, int]] = []
    for code, label in LEFT_OUT.items():
        hit = pc.or_(pc.equal(table["exporter"], code), pc.equal(table["importer"], code))
        n = pc.sum(pc.cast(hit, "int64")).as_py() or 0
        if n:
            left_out.append((f"{code}: {label}", n))
        keep = pc.invert(hit) if keep is None else pc.and_(keep, pc.invert(hit))
    rows = pa.array(range(table.num_rows), pa.int64())
    if keep is not None:
        rows = pc.indices_nonzero(keep)
        table = table.take(rows)
    order = pc.sort_indices(table, sort_keys=[(c, "ascending") for c in (
        "hs_code", "year", "importer", "exporter")])
    table, rows = table.take(order), rows.take(order)
    sides = {}
    for side in ("exporter", "importer"):
        column = table[side]
        for old, new in RENAMED.items():
            column = pc.if_else(pc.equal(column, old), new, column)
        sides[side] = _shared(column)
    return FlowTable(
        source_key=source_key, hs_version=hs_version,
        exporter=sides["exporter"], importer=sides["importer"],
        hs_code=_shared(table["hs_code"]),
        year=_shared(pc.cast(table["year"], "int64")),
        value=table["value"].to_pylist(), quantity=table["quantity"].to_pylist(),
        file=display_name(path), lines=pc.add(rows, 1).to_numpy(),
        left_out=tuple(left_out),
    )


def _shared(column: Any) -> list[Any]:
    """A column of few distinct values as a list whose equal values are one object (a
    million country codes take 8 MB of pointers instead of 60 MB of strings)."""
    import pyarrow.compute as pc

    encoded = pc.dictionary_encode(column.combine_chunks() if hasattr(column, "combine_chunks")
                                   else column)
    values = encoded.dictionary.to_pylist()
    return [values[i] for i in encoded.indices.to_pylist()]


def load_baci_hs92(path: Path | None = None) -> FlowTable:
    """BACI HS 1992 flows of the 74 critical raw-material codes, 1995-2024."""
    return _flow_table(path or data_dir() / HS92_FILE, HS92_SOURCE, "HS92", {
        "exporter": "exporter_iso3", "importer": "importer_iso3", "hs_code": "hs6",
        "year": "year", "value": "value_kusd", "quantity": "qty_t"})


def load_baci_hs17(path: Path | None = None) -> FlowTable:
    """BACI HS 2017 flows of the 30 critical-material codes, 2024."""
    return _flow_table(path or data_dir() / HS17_FILE, HS17_SOURCE, "HS17", {
        "exporter": "exporter", "importer": "importer", "hs_code": "hs6",
        "year": "year", "value": "value_kusd", "quantity": "qty_t"})


# -------------------------------------------------------------------- products


@cache
def product_catalogue() -> dict[tuple[str, str], ProductInfo]:
    """The bundled products by (HS code, HS edition): descriptions (English, Japanese) and
    the stage each stands for (``commodities`` left empty: the knowledge base links them)."""
    from econsec.datasets.hs import hs_codes

    english = {r["code"]: r["description"]
               for _, r in read_dicts(data_dir() / HS92_NAMES_FILE, required=("code",))}
    hs22 = hs_codes()
    path = data_dir() / PRODUCTS_FILE
    where = display_name(path)
    need = ("hs_code", "hs_version", "stage", "description_ja", "description_en")
    out: dict[tuple[str, str], ProductInfo] = {}
    for line, row in read_dicts(path, encoding="utf-8", required=need):
        code, version, stage = row["hs_code"], row["hs_version"], row["stage"]
        if not (code.isdigit() and len(code) == 6):
            raise DataFormatError(f"bad HS code {code!r}",
                                  location=Location(where, line, "hs_code"))
        if version not in HS_VERSIONS:
            raise DataFormatError(f"unknown HS version {version!r}",
                                  location=Location(where, line, "hs_version"))
        if stage not in PRODUCT_STAGES:
            raise DataFormatError(f"unknown stage {stage!r}; known: {', '.join(PRODUCT_STAGES)}",
                                  location=Location(where, line, "stage"))
        text = row["description_en"].strip()
        if not text:
            known = english.get(code) if version == "HS92" else (
                hs22[code].description if code in hs22 else None)
            if known is None:
                raise DataFormatError(f"no English description of {version} {code}",
                                      location=Location(where, line, "description_en"))
            text = known
        out[(code, version)] = ProductInfo(code, version, text, row["description_ja"].strip(),
                                           (), stage)
    return out


# ------------------------------------------------------------------- crosswalk


def _commodity_items() -> dict[tuple[str, str], tuple[tuple[str, ...], str]]:
    """(dataset, label) → (item ids, note) from ``curated/trade_commodity_items.csv``."""
    path = data_dir() / COMMODITY_ITEMS_FILE
    out: dict[tuple[str, str], tuple[tuple[str, ...], str]] = {}
    for line, row in read_dicts(path, encoding="utf-8",
                                required=("dataset", "label", "item_ids", "note")):
        key = (row["dataset"], row["label"])
        if key in out:
            raise DataFormatError(f"{row['label']!r} given twice",
                                  location=Location(display_name(path), line, "label"))
        ids = tuple(i.strip() for i in row["item_ids"].split(";") if i.strip())
        if not ids and not row["note"].strip():
            raise DataFormatError("a label that links no item must say why (note)",
                                  location=Location(display_name(path), line, "note"))
        out[key] = (ids, row["note"].strip())
    return out


def _map_rows() -> list[tuple[int, dict[str, str]]]:
    need = ("commodity", "Supply Chain Stage", "EoL-RIR (2023)", "HS Code - Complementary",
            "HS Code")
    return list(read_dicts(data_dir() / MAP_FILE, required=need))


def _map_codes(row: dict[str, str]) -> tuple[str, ...]:
    codes = [row["HS Code"], *row["HS Code - Complementary"].split(";")]
    return tuple(c.strip() for c in codes if c.strip() and c.strip() != "Not Available")


def _hs17_materials() -> list[tuple[str, str]]:
    """(HS 2017 code, material label) pairs of the bundled HS 2017 extract."""
    import pyarrow.parquet as pq

    table = pq.read_table(data_dir() / HS17_FILE, columns=["hs6", "material"])
    return sorted(set(zip(table.column("hs6").to_pylist(),
                          table.column("material").to_pylist(), strict=True)))


def load_commodity_products(known_items: Iterable[str] | None = None
                            ) -> list[CommodityProduct]:
    """The crosswalk links: every item each map commodity (HS 1992) and each HS 2017
    material label stands for, with the code's stage and the commodity's EoL-RIR.

    ``known_items`` (default: the bundled items) guards the curated table: a link to an
    item that does not exist is refused."""
    from econsec.datasets.items import items_by_id

    items = set(known_items) if known_items is not None else set(items_by_id())
    links = _commodity_items()
    catalogue = product_catalogue()
    where = display_name(data_dir() / MAP_FILE)
    out: dict[tuple[str, str, str], CommodityProduct] = {}
    eol: dict[str, set[float]] = {}

    def add(item: str, code: str, version: str, rate: float | None, source: str,
            at: Location) -> None:
        if item not in items:
            raise DataFormatError(f"unknown item {item!r} in {COMMODITY_ITEMS_FILE}",
                                  location=at)
        info = catalogue.get((code, version))
        if info is None:
            raise DataFormatError(f"{version} {code} is not in {PRODUCTS_FILE}", location=at)
        out.setdefault((item, code, version), CommodityProduct(
            item, code, version, info.stage, info.description_en, rate, source))

    for line, row in _map_rows():
        label = row["commodity"]
        if ("wmd-map", label) not in links:
            raise DataFormatError(f"map commodity {label!r} is not in {COMMODITY_ITEMS_FILE}",
                                  location=Location(where, line, "commodity"))
        ids, _note = links[("wmd-map", label)]
        raw = row["EoL-RIR (2023)"].strip()
        rate = float(raw) if raw else None
        for item in ids:
            if rate is not None:
                eol.setdefault(item, set()).add(rate)
            for code in _map_codes(row):
                add(item, code, "HS92", rate, MAP_SOURCE, Location(where, line, "HS Code"))
    hs17_where = display_name(data_dir() / HS17_FILE)
    for code, material in _hs17_materials():
        if ("hs17", material) not in links:
            raise DataFormatError(f"HS 2017 material {material!r} is not in "
                                  f"{COMMODITY_ITEMS_FILE}",
                                  location=Location(hs17_where, None, "material"))
        for item in links[("hs17", material)][0]:
            rates = eol.get(item, set())
            add(item, code, "HS17", next(iter(rates)) if len(rates) == 1 else None,
                HS17_SOURCE, Location(hs17_where, None, "hs6"))
    return sorted(out.values(), key=lambda p: (p.item_id, p.hs_version, p.hs_code))


def crosswalk_gaps() -> list[CrosswalkGap]:
    """Map commodities and HS 2017 materials that link no item or have no HS code, with
    the reason the curated table gives."""
    links = _commodity_items()
    out = []
    for _line, row in _map_rows():
        ids, note = links[("wmd-map", row["commodity"])]
        codes = _map_codes(row)
        if not ids or not codes:
            out.append(CrosswalkGap("wmd-map", row["commodity"], ids, codes, note))
    for code, material in _hs17_materials():
        ids, note = links[("hs17", material)]
        if not ids:
            out.append(CrosswalkGap("hs17", material, ids, (code,), note))
    return out


def hs17_code_notes() -> dict[str, dict[str, Any]]:
    """Per HS 2017 code of the extract: the national code(s), confidence, form and caveat
    the extract's author recorded (``critical_codes.json``)."""
    data = json.loads((data_dir() / HS17_CODES_FILE).read_text(encoding="utf-8"))
    out: dict[str, dict[str, Any]] = {}
    for entry in data.get("codes", []):
        out.setdefault(str(entry["hs6"]), entry)
    return out
