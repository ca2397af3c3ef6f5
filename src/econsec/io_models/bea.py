"""The bundled U.S. BEA 2023 summary tables as a symmetric industry-by-industry MRIO.

Source: BEA Input-Output Accounts, summary level (71 industries, 73 commodities), use table
at producer prices and make table, both before redefinitions, 2023, in millions of current
USD (``econsec/data/io_tables/us_bea_summary``; PROVENANCE.md §5).

Construction: BEA's own industry-technology assumption (Horowitz & Planting 2009,
*Concepts and Methods of the U.S. Input-Output Accounts*, ch. 12; Miller & Blair 2009,
§5.3 "industry-based technology"):

- ``U`` (commodities × industries): intermediate use; ``V`` (industries × commodities):
  make table; ``g = V·1``: industry output; ``q = 1ᵀV``: commodity output;
- ``B = U ĝ⁻¹``: commodity-by-industry direct requirements;
- ``D = V q̂⁻¹``: market shares (the share of commodity j produced by industry i);
- ``A = D B``: industry-by-industry direct requirements; ``Z = A ĝ = D U``;
- ``Y = D Y_c``: final demand by industry (every BEA final-use column, F010 … F10N);
- ``x = g`` and ``va`` = the use table's value-added rows V001 + V002 + V003.

Assumptions, each checked by ``tests/test_io_bea.py``:

1. "Used" (scrap, used and second-hand goods) and "Other" (non-comparable imports and
   rest-of-the-world adjustment) are commodities like any other: their rows in ``U`` and
   ``Y_c`` and their columns in ``V`` go through ``D`` (Other is "made" only by federal
   nondefense government, GFGN, in the make table). BEA's optional scrap adjustment of
   the market shares (``W = (I − p̂)⁻¹ D``, used for its published total-requirements
   tables) is *not* applied, so that the symmetric table stays balanced (``x = Z·1 + Y·1``).
2. The totals rows and columns ("Total Intermediate", "Total Value Added", "Total
   Industry Output", "Total Final Uses (GDP)", "Total Commodity Output", T001, T004) are
   dropped; rows and columns are selected by the BEA code lists, never by position.
3. Published totals are used for ``g`` and ``q`` (make table "Total Industry Output" and
   "Total Commodity Output"); they differ from the sums of the rounded cells by at most
   $6 million, which is why the table balances to :data:`BALANCE_RTOL` and not exactly.
4. Negative final uses are kept as published: imports (F050, a negative column, so the
   model's ``A`` includes imported inputs — BEA's total requirements convention), change
   in private inventories (F030) and net sales of used goods in some investment columns.
   The total final demand of a few industries is therefore negative.
5. Negative intermediate flows: the use table has six negative cells (farm products used
   by federal nondefense government, −156, Commodity Credit Corporation stock changes;
   net sales of scrap by farms, air and water transport, arts and defence). After
   ``Z = D U`` five industry cells are negative (the largest −152). They are set to 0
   and moved, with their sign, to an extra final-demand category ``ADJ`` ("negative
   intermediate use moved to final demand") of the same row, so rows stay balanced; the
   using industries' value added is left as published.
6. Negative value-added components (taxes on production less subsidies, V002, for four
   industries) are kept; total value added is positive for every industry.

Measured on the 2023 tables: ``|x − Z·1 − Y·1| ≤ 8.0`` ($ million), 3.7e-5 of the
industry's output at most; column residual ``|x − 1ᵀZ − va| ≤ 10.5`` from rounding, 155.6
(3.1e-4 of output, GFGN) after assumption 5; largest column sum of ``A`` 0.909;
``Σ x`` equals the make table's grand total (48,386,809) exactly.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

from econsec.errors import DataFormatError, NotFoundError, ValidationError
from econsec.io_models.mrio import MRIO

#: Bundled tables ``load_mrio("bundled:<key>")`` knows.
BUNDLED: dict[str, str] = {
    "bea-2023": "U.S. BEA summary make and use tables 2023 (before redefinitions, producer "
                "prices) as an industry-by-industry table (industry technology)",
}

#: Relative balance tolerance of the BEA table (measured worst row: 3.7e-5, from rounding
#: of the published figures to $1 million).
BALANCE_RTOL = 1e-4

#: Final-demand category that receives negative intermediate flows (assumption 5).
ADJUSTMENT_CATEGORY = "ADJ"

_FILES = {
    "use": "bea_summary_use_2023_producer_prices_before_redef.csv",
    "make": "bea_summary_make_2023_before_redef.csv",
    "imports": "bea_summary_import_matrix_2023_before_redef.csv",
    "industries": "bea_summary_industry_codes.csv",
    "commodities": "bea_summary_commodity_codes.csv",
    "final_demand": "bea_summary_final_demand_codes.csv",
    "value_added": "bea_summary_value_added_codes.csv",
}
_TOTAL_INDUSTRY_OUTPUT = "Total Industry Output"
_TOTAL_COMMODITY_OUTPUT = "Total Commodity Output"


def data_folder() -> Path:
    """Folder of the bundled BEA summary tables."""
    return Path(str(resources.files("econsec") / "data" / "io_tables" / "us_bea_summary"))


# ---------------------------------------------------------------------------------------
# Reading


@dataclass(frozen=True)
class _Matrix:
    rows: list[str]
    columns: list[str]
    values: np.ndarray
    file: str

    def take(self, rows: list[str], columns: list[str]) -> np.ndarray:
        """The sub-matrix rows × columns, by code; missing codes raise."""
        r = {c: i for i, c in enumerate(self.rows)}
        c = {k: j for j, k in enumerate(self.columns)}
        missing = [x for x in rows if x not in r] + [x for x in columns if x not in c]
        if missing:
            raise DataFormatError(f"{self.file}: missing codes {missing[:5]}")
        return self.values[np.ix_([r[x] for x in rows], [c[x] for x in columns])]


def _read_matrix(folder: Path, key: str) -> _Matrix:
    path = folder / _FILES[key]
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader)
            rows, values = [], []
            for line, rec in enumerate(reader, start=2):
                if len(rec) != len(header):
                    raise DataFormatError(f"{path.name}, line {line}: {len(rec)} fields, "
                                          f"expected {len(header)}")
                rows.append(rec[0])
                try:
                    values.append([float(v) if v != "" else 0.0 for v in rec[1:]])
                except ValueError as exc:
                    raise DataFormatError(f"{path.name}, line {line}: {exc}") from None
    except FileNotFoundError:
        raise NotFoundError(f"bundled BEA file missing: {path}") from None
    return _Matrix(rows, header[1:], np.array(values, dtype=float), path.name)


def _read_codes(folder: Path, key: str) -> dict[str, str]:
    with (folder / _FILES[key]).open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        next(reader)
        return {code: name for code, name in reader}


@lru_cache(maxsize=1)
def industry_names() -> dict[str, str]:
    """BEA summary industry code → name (71 industries), e.g. ``"331"`` → "Primary metals"."""
    return _read_codes(data_folder(), "industries")


@lru_cache(maxsize=1)
def commodity_names() -> dict[str, str]:
    """BEA summary commodity code → name (73, including "Used" and "Other")."""
    return _read_codes(data_folder(), "commodities")


@lru_cache(maxsize=1)
def final_demand_names() -> dict[str, str]:
    """BEA final-use code → name (F010 … F10N), plus :data:`ADJUSTMENT_CATEGORY`."""
    names = _read_codes(data_folder(), "final_demand")
    names[ADJUSTMENT_CATEGORY] = "Negative intermediate use moved to final demand (econsec)"
    return names


@dataclass(frozen=True, eq=False)
class SupplyUseTables:
    """The BEA make and use tables as arrays, selected by code (totals dropped).

    ``U`` commodities × industries, ``Y_c`` commodities × final uses, ``VA`` value-added
    rows × industries, ``V`` industries × commodities, ``g`` and ``q`` the published
    industry and commodity output, ``M_U``/``M_Y`` the imported part of ``U`` and ``Y_c``.
    """

    industries: list[str]
    commodities: list[str]
    final_uses: list[str]
    value_added_rows: list[str]
    U: np.ndarray
    Y_c: np.ndarray
    VA: np.ndarray
    V: np.ndarray
    g: np.ndarray
    q: np.ndarray
    M_U: np.ndarray
    M_Y: np.ndarray
    make_grand_total: float


@lru_cache(maxsize=2)
def read_supply_use(folder: Path | None = None) -> SupplyUseTables:
    """Read the 2023 use, make and import tables from ``folder`` (default: bundled)."""
    folder = folder or data_folder()
    ind = list(_read_codes(folder, "industries"))
    com = list(_read_codes(folder, "commodities"))
    fd = list(_read_codes(folder, "final_demand"))
    va_rows = list(_read_codes(folder, "value_added"))
    use = _read_matrix(folder, "use")
    make = _read_matrix(folder, "make")
    imp = _read_matrix(folder, "imports")
    g_use = use.take([_TOTAL_INDUSTRY_OUTPUT], ind).ravel()
    g = make.take(ind, [_TOTAL_INDUSTRY_OUTPUT]).ravel()
    for matrix in (use, make, imp):
        matrix.values.setflags(write=False)  # cached: shared by every caller
    if not np.array_equal(g, g_use):
        raise DataFormatError(f"{make.file}: industry output differs from {use.file}")
    return SupplyUseTables(
        industries=ind, commodities=com, final_uses=fd, value_added_rows=va_rows,
        U=use.take(com, ind), Y_c=use.take(com, fd), VA=use.take(va_rows, ind),
        V=make.take(ind, com), g=g, q=make.take([_TOTAL_COMMODITY_OUTPUT], com).ravel(),
        M_U=imp.take(com, ind), M_Y=imp.take(com, fd),
        make_grand_total=float(make.take([_TOTAL_COMMODITY_OUTPUT],
                                         [_TOTAL_INDUSTRY_OUTPUT])[0, 0]),
    )


# ---------------------------------------------------------------------------------------
# Industry-technology transformation (pure)


def _safe_divide_columns(M: np.ndarray, d: np.ndarray) -> np.ndarray:
    inv = np.zeros_like(d, dtype=float)
    np.divide(1.0, d, out=inv, where=d != 0)
    return M * inv[None, :]


def calc_market_shares(V: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Market shares ``D = V q̂⁻¹`` (industries × commodities; H&P eq. 12.1): ``d_ij`` is the
    share of commodity j's output made by industry i. Columns with ``q_j = 0`` are 0."""
    return _safe_divide_columns(np.asarray(V, dtype=float), np.asarray(q, dtype=float))


def calc_commodity_by_industry_requirements(U: np.ndarray, g: np.ndarray) -> np.ndarray:
    """Direct requirements ``B = U ĝ⁻¹`` (commodities × industries; H&P eq. 12.2)."""
    return _safe_divide_columns(np.asarray(U, dtype=float), np.asarray(g, dtype=float))


def calc_industry_by_industry_A(D: np.ndarray, B: np.ndarray) -> np.ndarray:
    """Industry-by-industry direct requirements ``A = D B`` (industry technology)."""
    return np.asarray(D, dtype=float) @ np.asarray(B, dtype=float)


# ---------------------------------------------------------------------------------------
# The bundled table


def build_bea_mrio(tables: SupplyUseTables, name: str = "U.S. BEA 2023 summary") -> MRIO:
    """The symmetric industry-by-industry :class:`MRIO` of ``tables`` (module docstring)."""
    D = calc_market_shares(tables.V, tables.q)
    B = calc_commodity_by_industry_requirements(tables.U, tables.g)
    A = calc_industry_by_industry_A(D, B)
    g = tables.g
    Z = A * g[None, :]                           # Z = A ĝ (= D U)
    Y = D @ tables.Y_c                           # Y = D Y_c
    negative = Z < 0
    adjustment = np.where(negative, Z, 0.0).sum(axis=1)
    Z = np.where(negative, 0.0, Z)
    Y = np.column_stack([Y, adjustment])
    va = tables.VA.sum(axis=0)
    notes = (
        "Industry-technology assumption: A = D·B, D = V q̂⁻¹, B = U ĝ⁻¹ (Horowitz & "
        "Planting 2009, ch. 12); 'Used' and 'Other' treated as commodities.",
        f"{int(negative.sum())} negative intermediate flows (total "
        f"{float(adjustment.sum()):.1f}) moved to final-demand category "
        f"'{ADJUSTMENT_CATEGORY}'.",
        f"Balanced to {BALANCE_RTOL:g} relative (rounding of the published figures).",
    )
    mrio = MRIO(name, ("USA",), tuple(tables.industries), np.ascontiguousarray(Z),
                np.ascontiguousarray(Y), g.copy(), va, "Million USD (current)",
                (*tables.final_uses, ADJUSTMENT_CATEGORY),
                "BEA Input-Output Accounts, summary make and use tables 2023, before "
                "redefinitions, producer prices", notes)
    col_sums = mrio.Z.sum(axis=0) / np.where(g > 0, g, 1.0)
    if np.any(col_sums >= 1):
        raise ValidationError(f"{name}: a column of A sums to {col_sums.max():.4f} ≥ 1")
    return mrio.validate(rtol=BALANCE_RTOL)


def load_bundled_table(key: str) -> MRIO:
    """The bundled table ``key`` (see :data:`BUNDLED`), validated."""
    if key not in BUNDLED:
        raise NotFoundError(f"unknown bundled table '{key}'; known: {', '.join(BUNDLED)}")
    return _bea_2023()


def _bea_2023() -> MRIO:
    return build_bea_mrio(read_supply_use())


@dataclass(frozen=True, eq=False)
class ImportedInputs:
    """Imported intermediate and final use by industry (BEA import matrix through ``D``).

    ``Z[i, j]``: imports of the products of industry i used by industry j; ``Y[i, k]``:
    imports of industry i's products in final use k (the F050 column holds the total
    imports, negative, as in the use table). Same order as the MRIO of :func:`load_bea_2023`.
    """

    industries: tuple[str, ...]
    final_uses: tuple[str, ...]
    Z: np.ndarray
    Y: np.ndarray
    notes: tuple[str, ...]

    def imported_share(self, Z_total: np.ndarray) -> np.ndarray:
        """``Z_imp / Z`` elementwise (0 where ``Z = 0``): the imported share of each flow."""
        out = np.zeros_like(self.Z)
        np.divide(self.Z, Z_total, out=out, where=Z_total > 0)
        return out


def imports_by_industry() -> ImportedInputs:
    """Imported inputs per using industry for the bundled 2023 table.

    BEA's import matrix ``M`` (commodities × industries, and final uses) is converted like
    the use table: ``Z_imp = D M_U``, ``Y_imp = D M_Y``. BEA's import matrix assumes each
    user imports the same share of a commodity (import proportionality); in the rounded
    summary table a few cells are negative or exceed the total flow, so ``Z_imp`` is
    clipped to ``[0, Z]`` elementwise (the notes give how much that moved).
    """
    tables = read_supply_use()
    mrio = _bea_2023()
    D = calc_market_shares(tables.V, tables.q)
    Z_raw = D @ tables.M_U
    Z_imp = np.clip(Z_raw, 0.0, mrio.Z)
    moved = float(np.abs(Z_raw - Z_imp).sum())
    notes = (f"Imported intermediate flows clipped to [0, Z]: {moved:.1f} million USD of "
             f"{float(Z_raw.sum()):.1f} moved.",)
    return ImportedInputs(mrio.sectors, tuple(tables.final_uses), Z_imp, D @ tables.M_Y,
                          notes)


def load_bea_2023() -> MRIO:
    """The bundled BEA 2023 industry-by-industry table (``bundled:bea-2023``)."""
    return load_bundled_table("bea-2023")
