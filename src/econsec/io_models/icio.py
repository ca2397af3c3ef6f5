"""The bundled OECD ICIO 2022 table, 31 regions × 50 industries (``bundled:icio-2022``).

Source: OECD Inter-Country Input-Output tables, 2025 edition, reference year 2022, in
millions of current USD (``econsec/data/io_tables/icio_2022``; PROVENANCE.md). The 80
economies of the OECD table are aggregated to 31 regions: 28 economies and three
aggregates (``ASEAN_OTH``, ``EU_OTH``, ``ROW_OTH``; ``region_mapping_80_to_31.csv``).
Industries are the 50 of ISIC Rev.4 as the ICIO 2025 edition groups them (``C26``,
``C24B`` …); a row is named ``JPN/C26`` (region ``JPN``, sector ``C26``).

Construction (each checked by ``tests/test_io_icio.py``):

- ``Z`` (1550 × 1550): the intermediate flows of the bundled parquet file (row = seller,
  column = buyer), stored as float32 and read as float64; regions in the order of the node
  file (Japan first), sectors in ICIO order, region-major as :class:`MRIO` wants;
- ``Y`` (1550 × 31): the node file's ``final_demand_residual_musd`` (gross output minus
  intermediate sales, at the 80-economy level: household, government and investment
  demand, inventory change and exports to the rest of the world together) in the column
  of the node's **own** region; other columns are 0. One category, ``FD_RESIDUAL``;
- ``x = Z·1 + Y·1``: it differs from the node file's published gross output by at most
  1.98 million USD (5.6e-5 relative; the float32 storage of ``Z``);
- ``va``: the node file's ``value_added_residual_musd`` (gross output minus intermediate
  inputs: value added, net taxes on products and imports from the dropped rest of the
  world together).

Limits (stated in the table's :attr:`MRIO.notes`, which every result that uses the table
carries): final demand is one residual vector per industry, assigned to the industry's own
region (who buys it, and where, is unknown); the OECD rest-of-the-world region was dropped;
21 industries have no output (inactive in the OECD table).
"""

from __future__ import annotations

import csv
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

from econsec.errors import DataFormatError, NotFoundError
from econsec.io_models.bea import N_, Note
from econsec.io_models.mrio import MRIO
from econsec.io_models.mrio_cache import READING_SOURCE, StepCallback, cached

KEY = "icio-2022"
REF = f"bundled:{KEY}"
DESCRIPTION = ("OECD ICIO 2025 edition, year 2022, aggregated to 31 regions × 50 industries "
               "(million USD; final demand is one residual vector per industry in its own "
               "region; rest of world dropped)")
NAME = "OECD ICIO 2022 (31 regions × 50 industries)"
UNIT = "Million USD (current)"
SOURCE = ("OECD (2025), Inter-Country Input-Output tables, 2025 edition, 2022 "
          "(http://oe.cd/icio), aggregated to 31 regions")
FD_CATEGORY = "FD_RESIDUAL"

Z_FILE = "icio2022_Z_31regions_50sectors.parquet"
NODES_FILE = "icio2022_nodes_31regions_50sectors.csv"
SECTORS_FILE = "OECD_ICIO_2025_sector_code_mapping.csv"
SECTORS_JA_FILE = "industry_names_ja.csv"
REGIONS_FILE = "region_names.csv"
FILES = (Z_FILE, NODES_FILE, SECTORS_FILE, SECTORS_JA_FILE, REGIONS_FILE)

FINAL_DEMAND_RESIDUAL = N_(
    "OECD ICIO 2022 limits: final demand is one residual vector per industry (gross output "
    "minus intermediate sales: households, government, investment, inventories and exports "
    "to the rest of the world together), assigned to the industry's own region; who buys "
    "it, and in which region, is not known.")
REST_OF_WORLD_DROPPED = N_(
    "OECD ICIO 2022 limits: the rest-of-the-world region was dropped (its purchases are in "
    "final demand, its supplies in value added) and the 80 economies are aggregated to 31 "
    "regions; %(inactive)s industries have no output.")
GROSS_OUTPUT_GAP = N_(
    "Gross output x = Z·1 + Y·1 differs from the published gross output by at most "
    "%(gap)s million USD (intermediate flows stored at single precision).")
#: Part of the MRIO cache key with the note texts: bump when :func:`build_icio` changes, so
#: that no copy built by an older version is read.
BUILD_VERSION = "icio-2022 build 1"
#: The message ids of the table's notes (a page embeds their translations).
NOTE_IDS = (FINAL_DEMAND_RESIDUAL, REST_OF_WORLD_DROPPED, GROSS_OUTPUT_GAP)


def data_folder() -> Path:
    """Folder of the bundled ICIO 2022 files."""
    return Path(str(resources.files("econsec") / "data" / "io_tables" / "icio_2022"))


def _read_csv(name: str) -> list[dict[str, str]]:
    path = data_folder() / name
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            return list(csv.DictReader(fh))
    except FileNotFoundError:
        raise NotFoundError(f"bundled ICIO file missing: {name}") from None


@lru_cache(maxsize=1)
def industry_names() -> dict[str, str]:
    """ICIO industry code → English name (50), e.g. ``"C26"`` → "Manufacture of computer,
    electronic and optical products"."""
    return {r["code"]: r["economic_activity"] for r in _read_csv(SECTORS_FILE)}


@lru_cache(maxsize=1)
def industry_names_ja() -> dict[str, str]:
    """ICIO industry code → Japanese name (50), e.g. ``"C26"`` → "コンピュータ・電子製品・
    光学製品製造業"."""
    return {r["code"]: r["name_ja"] for r in _read_csv(SECTORS_JA_FILE)}


def industry_label(code: str, lang: str = "en") -> str:
    """The name of industry ``code`` in ``lang`` (``ja`` or English), or the code."""
    names = industry_names_ja() if lang == "ja" else industry_names()
    return names.get(code, code)


@lru_cache(maxsize=1)
def region_names() -> dict[str, tuple[str, str]]:
    """Region code → (English name, Japanese name), 31 regions."""
    return {r["code"]: (r["name_en"], r["name_ja"]) for r in _read_csv(REGIONS_FILE)}


def region_label(code: str, lang: str = "en") -> str:
    """The name of region ``code`` in ``lang`` (``ja`` or English), or the code."""
    names = region_names().get(code)
    if names is None:
        return code
    return names[1] if lang == "ja" else names[0]


def _read_nodes() -> tuple[list[str], list[str], np.ndarray]:
    """Regions and sectors in file order and the node columns (gross output, final-demand
    residual, value-added residual) as an n × 3 array; checks the region-major grid."""
    rows = _read_csv(NODES_FILE)
    regions: list[str] = []
    sectors: list[str] = []
    for r in rows:
        if r["region"] not in regions:
            regions.append(r["region"])
        if r["sector"] not in sectors:
            sectors.append(r["sector"])
    S = len(sectors)
    for k, r in enumerate(rows):
        if (r["region"], r["sector"]) != (regions[k // S], sectors[k % S]):
            raise DataFormatError(f"{NODES_FILE}, line {k + 2}: nodes are not region-major")
    if len(rows) != len(regions) * S:
        raise DataFormatError(f"{NODES_FILE}: {len(rows)} nodes, expected "
                              f"{len(regions)} × {S}")
    try:
        values = np.array([[float(r["gross_output_musd"]), float(r["final_demand_residual_musd"]),
                            float(r["value_added_residual_musd"])] for r in rows])
    except ValueError as exc:
        raise DataFormatError(f"{NODES_FILE}: {exc}") from None
    return regions, sectors, values


def published_gross_output() -> np.ndarray:
    """The node file's gross output (million USD), in table order."""
    out: np.ndarray = _read_nodes()[2][:, 0]
    return out


def _read_Z(nodes: list[str]) -> np.ndarray:
    import pyarrow.parquet as pq  # type: ignore[import-untyped]  # (no type information)

    table = pq.read_table(data_folder() / Z_FILE)
    columns = [c for c in table.column_names if not c.startswith("__")]
    if columns != nodes:
        raise DataFormatError(f"{Z_FILE}: columns do not match the nodes of {NODES_FILE}")
    index = table.column("__index_level_0__").to_pylist() \
        if "__index_level_0__" in table.column_names else None
    if index is not None and index != nodes:
        raise DataFormatError(f"{Z_FILE}: rows do not match the nodes of {NODES_FILE}")
    Z = np.empty((len(nodes), len(nodes)), dtype=float)
    for j, name in enumerate(columns):
        Z[:, j] = table.column(name).to_numpy()
    return Z


def build_icio() -> MRIO:
    """Read the bundled files and build the validated table (see the module docstring)."""
    regions, sectors, nodes = _read_nodes()
    names = [f"{r}_{s}" for r in regions for s in sectors]
    Z = _read_Z(names)
    go, fd, va = nodes[:, 0], nodes[:, 1], nodes[:, 2]
    R, S = len(regions), len(sectors)
    Y = np.zeros((R * S, R))
    Y[np.arange(R * S), np.repeat(np.arange(R), S)] = fd
    x = Z.sum(axis=1) + fd
    gap = float(np.abs(x - go).max())
    notes = (
        Note(FINAL_DEMAND_RESIDUAL),
        Note(REST_OF_WORLD_DROPPED, {"inactive": int((go == 0).sum())}),
        Note(GROSS_OUTPUT_GAP, {"gap": f"{gap:.2f}"}),
    )
    mrio = MRIO(NAME, tuple(regions), tuple(sectors), np.ascontiguousarray(Z), Y, x,
                np.ascontiguousarray(va), UNIT, (FD_CATEGORY,), SOURCE, notes)
    return mrio.validate()


def load_icio_2022(*, step: StepCallback | None = None) -> MRIO:
    """``bundled:icio-2022``, from the MRIO cache when it holds a copy for the current
    files (reading the parquet file takes about a second). ``step`` hears the cache's
    steps, reading the files named as reading the bundled table (no pymrio here)."""
    from econsec.io_models.loaders import READING_BUNDLED

    def report(name: str) -> None:
        if step is not None:
            step(READING_BUNDLED if name == READING_SOURCE else name)

    folder = data_folder()
    return cached(REF, [folder / f for f in FILES], build_icio, step=report,
                  extra="\0".join((BUILD_VERSION, *NOTE_IDS)))
