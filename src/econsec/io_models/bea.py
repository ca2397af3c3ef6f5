"""The bundled U.S. BEA 2023 summary tables as a symmetric industry-by-industry MRIO.

Source: BEA Input-Output Accounts, summary level (71 industries, 73 commodities), use table
at producer prices, make table and import matrix, all before redefinitions, 2023, in
millions of current USD (``econsec/data/io_tables/us_bea_summary``; PROVENANCE.md §5).

``bundled:bea-2023`` is a **domestic requirements** table (imports are a primary input);
``bundled:bea-2023-total`` is the total-requirements variant (imported inputs in ``A``, the
imports column F050 in final demand) for BEA-style total multipliers. Use the domestic
table for the ARIO simulator and for multipliers of domestic production: in the total
table five industries (113FF, 321, 327, 331, 332) have negative total final demand.

Construction: BEA's own industry-technology assumption (Horowitz & Planting 2009,
*Concepts and Methods of the U.S. Input-Output Accounts*, ch. 12; Miller & Blair 2009,
§5.3 "industry-based technology"; domestic tables: M&B §2.6 and H&P ch. 12, "domestic
requirements" with BEA's import matrix):

- ``U`` (commodities × industries): intermediate use; ``Y_c`` (commodities × final uses);
  ``M_U``, ``M_Y``: their imported parts (BEA import matrix); ``V`` (industries ×
  commodities): make table; ``g = V·1``: industry output; ``q = 1ᵀV``: commodity output;
- domestic use ``U_d = U − M_U`` and ``Y_d = Y_c − M_Y`` (total table: ``U``, ``Y_c``);
- ``B_d = U_d ĝ⁻¹``: commodity-by-industry direct requirements;
- ``D = V q̂⁻¹``: market shares (the share of commodity j produced by industry i);
- ``A_d = D B_d``: industry-by-industry direct requirements; ``Z = A_d ĝ = D U_d``;
- ``Y = D Y_d``: final demand by industry; ``x = g``; ``va`` = the use table's
  value-added rows V001 + V002 + V003; imported intermediate inputs
  ``m = 1ᵀ(D M_U)`` (≈ ``1ᵀM_U``) are a primary-input row like ``va``
  (:func:`imports_by_industry`), so ``x ≈ 1ᵀZ + m + va`` column by column.

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
   $6 million.
4. The imports column F050. Its imported part (import matrix, F050) is −3,548,700, and
   ``Σ M_U + Σ M_Y`` over the other columns is 3,548,654: the identity "F050 = −total
   imports" holds to $46 million (≤ $7 million per commodity). The use table's F050 is
   −3,436,905, i.e. $111,795 million less negative: BEA records there positive domestic
   services on imports (wholesale trade 81,633, water 15,757, truck 7,747, other
   transport 3,924, air 1,161, insurance 937, rail 636), which the import matrix does not
   count as imports. ``Y_d = Y_c − M_Y`` applied to F050 leaves exactly these services;
   they stay final demand of their (domestic) industries under the code
   :data:`IMPORT_SERVICES_CATEGORY` (``F050D``) instead of F050 (dropping them would
   unbalance water transport by 23 %).
5. Negative intermediate flows: the use table has six negative cells (farm products used
   by federal nondefense government, Commodity Credit Corporation stock changes; net
   sales of scrap), and the import matrix, which assumes that every user imports the same
   share of a commodity, has ten negative cells and seven above the total use (rounding).
   After ``Z = D U_d`` five industry cells are negative (total −282.7, the largest
   −258). They are set to 0 and moved, with their sign, to an extra final-demand category
   ``ADJ`` ("negative intermediate use moved to final demand") of the same row, so rows
   stay balanced; value added and imports of the using industries are left as published.
6. Negative final uses remain in single cells (89 of 71 × 22 in the domestic table):
   change in private inventories (F030), net sales of used goods ("Used") in investment
   columns, ``ADJ``, and personal consumption of "Other" (−192,725 after removing
   159,498 of non-comparable imports: nonresidents' spending in the U.S.), which lands in
   GFGN's F010. They are kept, because they are what BEA publishes; every industry's
   *total* final demand is positive (smallest: warehousing, 493, 1,548), which is what
   the ARIO simulator and the Leontief bounds use, so unmet final demand per industry is
   never negative. Total table: F050 and the negative final uses are kept as published.
7. Rounding: before closing, ``|x − Z·1 − Y·1| ≤ 9.94`` ($ million, 6.8e-5 of output, at
   524 insurance). The domestic table puts this residual in an extra final-demand
   category :data:`ROUNDING_CATEGORY` (``RND``), so rows balance to float precision and
   the Leontief output of the full final demand reproduces ``x`` (measured 9e-16
   relative). The total table keeps the residual (≤ 8.0, 3.7e-5) and is validated at
   :data:`BALANCE_RTOL`.
8. Negative value-added components (taxes on production less subsidies, V002, for four
   industries) are kept; total value added is positive for every industry.

Measured on the 2023 tables (domestic): column residual ``|x − 1ᵀZ − m − va| ≤ 262.4``
($ million, 4.4e-4 of output, GFGN; from assumption 5 and rounding); largest column sum of
``A_d`` 0.898 (525; total table 0.909); ``Σ x`` equals the make table's grand total
(48,386,809) exactly; ``Σ Y = GDP + Σ m`` (27,720,704 + 1,828,632) to $300 million (the
``ADJ`` flows and rounding); imports are 25.8 % of the primary metals (331) used by
U.S. industries (99,724 of 386,006).
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


def N_(message: str) -> str:
    """Mark a note's message id for the catalogue (translated where it is shown)."""
    return message


class Note(str):
    """A note in English (a plain ``str`` everywhere) that keeps its message id and
    parameters, so that a page can show it in its reader's language: ``id`` has named
    ``%(placeholders)s``; ``params`` are preformatted texts (decimals as written) or whole
    numbers."""

    id: str
    params: dict[str, str | int]

    def __new__(cls, msgid: str, params: dict[str, str | int] | None = None) -> Note:
        values = dict(params or {})
        note = super().__new__(cls, msgid % values if values else msgid)
        note.id = msgid
        note.params = values
        return note

    def __reduce__(self) -> tuple[type[Note], tuple[str, dict[str, str | int]]]:
        return (Note, (self.id, self.params))


INDUSTRY_TECHNOLOGY = N_(
    "Industry-technology assumption: A = D·B, D = V q̂⁻¹, B = U ĝ⁻¹ (Horowitz & Planting "
    "2009, ch. 12); 'Used' and 'Other' treated as commodities.")
DOMESTIC = N_(
    "Domestic requirements: U_d = U − M_U, Y_d = Y − M_Y (BEA import matrix); imported "
    "intermediate inputs are a primary input (imports_by_industry()); F050 minus total "
    "imports is kept as '%(services)s'.")
ROUNDING = N_(
    "Rounding residual x − Z·1 − Y·1 (at most %(largest)s) in final-demand category "
    "'%(category)s', so rows balance exactly.")
TOTAL = N_(
    "Total requirements: A includes imported inputs and F050 (imports, negative) is a "
    "final-demand column, so some industries have negative final demand.")
BALANCED = N_("Balanced to %(rtol)s relative (rounding of the published figures).")
NEGATIVE_MOVED = N_(
    "%(count)s negative intermediate flows (total %(total)s) moved to final-demand "
    "category '%(category)s'.")
IMPORTS_AS_PUBLISHED = N_(
    "%(negative)s imported intermediate flows are negative (total %(negative_total)s) and "
    "%(above)s exceed the total flow D·U (by %(excess)s); kept as published, of "
    "%(imported)s million USD of imported inputs.")
#: The message ids of the notes (a page embeds their translations).
NOTE_IDS = (INDUSTRY_TECHNOLOGY, DOMESTIC, ROUNDING, TOTAL, BALANCED, NEGATIVE_MOVED,
            IMPORTS_AS_PUBLISHED)

#: Bundled tables ``load_mrio("bundled:<key>")`` knows.
BUNDLED: dict[str, str] = {
    "bea-2023": "U.S. BEA summary make, use and import tables 2023 (before redefinitions, "
                "producer prices) as a domestic industry-by-industry table (industry "
                "technology; imports are a primary input)",
    "bea-2023-total": "the same as a total-requirements table (imported inputs in A, the "
                      "imports column F050 in final demand; some industries have negative "
                      "final demand, unsuitable for ARIO)",
    "icio-2022": "OECD ICIO 2025 edition, year 2022, 31 regions × 50 industries (million "
                 "USD; final demand is one residual vector per industry in its own region; "
                 "rest of world dropped; econsec.io_models.icio)",
}

#: Relative balance tolerance of the total-requirements table (measured worst row: 3.7e-5,
#: from rounding of the published figures to $1 million; the domestic table balances
#: exactly, assumption 7).
BALANCE_RTOL = 1e-4

#: Final-demand category that receives negative intermediate flows (assumption 5).
ADJUSTMENT_CATEGORY = "ADJ"

#: Domestic table: final-demand category replacing F050, holding what remains of the use
#: table's imports column after the imports are removed (domestic transport, wholesale and
#: insurance services that BEA records there; assumption 4).
IMPORT_SERVICES_CATEGORY = "F050D"

#: Domestic table: final-demand category closing each row exactly, ``x − Z·1 − Y·1`` (the
#: rounding of the published figures, at most $9.9 million; assumption 7).
ROUNDING_CATEGORY = "RND"

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
    names[IMPORT_SERVICES_CATEGORY] = ("Domestic services recorded in the imports column "
                                       "(use-table F050 minus total imports; econsec)")
    names[ADJUSTMENT_CATEGORY] = "Negative intermediate use moved to final demand (econsec)"
    names[ROUNDING_CATEGORY] = "Rounding residual of the published figures (econsec)"
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
    out: np.ndarray = M * inv[None, :]
    return out


def calc_market_shares(V: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Market shares ``D = V q̂⁻¹`` (industries × commodities; H&P eq. 12.1): ``d_ij`` is the
    share of commodity j's output made by industry i. Columns with ``q_j = 0`` are 0."""
    return _safe_divide_columns(np.asarray(V, dtype=float), np.asarray(q, dtype=float))


def calc_commodity_by_industry_requirements(U: np.ndarray, g: np.ndarray) -> np.ndarray:
    """Direct requirements ``B = U ĝ⁻¹`` (commodities × industries; H&P eq. 12.2)."""
    return _safe_divide_columns(np.asarray(U, dtype=float), np.asarray(g, dtype=float))


def calc_industry_by_industry_A(D: np.ndarray, B: np.ndarray) -> np.ndarray:
    """Industry-by-industry direct requirements ``A = D B`` (industry technology)."""
    out: np.ndarray = np.asarray(D, dtype=float) @ np.asarray(B, dtype=float)
    return out


# ---------------------------------------------------------------------------------------
# The bundled tables


@dataclass(frozen=True, eq=False)
class ImportedInputs:
    """Imported intermediate and final use by industry (BEA import matrix through ``D``).

    ``Z[i, j]``: imports of the products of industry i used by industry j (``D M_U``);
    ``Y[i, k]``: imports of industry i's products in final use k (``D M_Y``; the F050
    column holds the total imports, negative, as in the import matrix). Same order as the
    table of :func:`load_bea_2023`, whose ``Z`` is the domestic part: ``Z_d + Z`` is the
    total intermediate use ``D U`` (before negative domestic flows are moved to
    :data:`ADJUSTMENT_CATEGORY`). In the domestic table imported intermediate inputs are a
    primary input of the using industry, like value added: :attr:`by_using_industry`.
    """

    industries: tuple[str, ...]
    final_uses: tuple[str, ...]
    Z: np.ndarray
    Y: np.ndarray
    notes: tuple[str, ...]

    @property
    def by_using_industry(self) -> np.ndarray:
        """``m = 1ᵀZ``: imported intermediate inputs of each using industry (the "imports"
        row of primary inputs of the domestic table), million USD."""
        out: np.ndarray = self.Z.sum(axis=0)
        return out

    def of_product(self, industry: str) -> np.ndarray:
        """Imports of ``industry``'s products used by each industry (row of ``Z``)."""
        try:
            out: np.ndarray = self.Z[self.industries.index(industry)]
            return out
        except ValueError:
            raise NotFoundError(f"unknown BEA industry '{industry}'") from None

    def imported_share(self, Z_domestic: np.ndarray) -> np.ndarray:
        """``Z / (Z + Z_domestic)`` elementwise, clipped to [0, 1] (0 where the sum is
        ≤ 0): the imported share of each intermediate flow, ``Z_domestic`` being the
        domestic table's ``Z`` (the 20 negative imported cells give 0)."""
        total = self.Z + Z_domestic
        out = np.zeros_like(self.Z)
        np.divide(self.Z, total, out=out, where=total > 0)
        result: np.ndarray = np.clip(out, 0.0, 1.0)
        return result

    def supply_share(self, industry: str, Z_domestic: np.ndarray) -> float:
        """Imported share of ``industry``'s products used by U.S. industries:
        ``Σ_j Z[i, j] / Σ_j (Z[i, j] + Z_domestic[i, j])`` (e.g. 0.258 for ``"331"``)."""
        i = self.industries.index(industry)
        imported = float(self.Z[i].sum())
        return imported / (imported + float(Z_domestic[i].sum()))


def _final_demand_columns(tables: SupplyUseTables, domestic: bool) -> tuple[np.ndarray,
                                                                           list[str]]:
    """Commodity × final-use matrix and its codes (before ``D`` and before ``ADJ``)."""
    if not domestic:
        return tables.Y_c, list(tables.final_uses)
    Y_d = tables.Y_c - tables.M_Y
    codes = [IMPORT_SERVICES_CATEGORY if c == "F050" else c for c in tables.final_uses]
    k = codes.index(IMPORT_SERVICES_CATEGORY)      # F050 minus its imported part: services
    order = [j for j in range(len(codes)) if j != k] + [k]
    return Y_d[:, order], [codes[j] for j in order]


def build_bea_mrio(tables: SupplyUseTables, name: str = "U.S. BEA 2023 summary", *,
                   domestic: bool = True) -> MRIO:
    """The symmetric industry-by-industry :class:`MRIO` of ``tables`` (module docstring).

    ``domestic=True`` (default, ``bundled:bea-2023``): domestic requirements, ``U_d = U −
    M_U``, ``Y_d = Y_c − M_Y``, imports as a primary input. ``domestic=False``
    (``bundled:bea-2023-total``): total requirements, imports in ``A`` and F050 in ``Y``.
    """
    D = calc_market_shares(tables.V, tables.q)
    U = tables.U - tables.M_U if domestic else tables.U
    B = calc_commodity_by_industry_requirements(U, tables.g)
    A = calc_industry_by_industry_A(D, B)
    g = tables.g
    Z = A * g[None, :]                           # Z = A ĝ (= D U_d)
    Y_c, categories = _final_demand_columns(tables, domestic)
    Y = D @ Y_c                                  # Y = D Y_d
    negative = Z < 0
    adjustment = np.where(negative, Z, 0.0).sum(axis=1)
    Z = np.where(negative, 0.0, Z)
    Y = np.column_stack([Y, adjustment])
    categories.append(ADJUSTMENT_CATEGORY)
    rounding = g - Z.sum(axis=1) - Y.sum(axis=1)
    if domestic:                                 # close the rows exactly (assumption 7)
        Y = np.column_stack([Y, rounding])
        categories.append(ROUNDING_CATEGORY)
    va = tables.VA.sum(axis=0)
    if domestic:
        kind = Note(DOMESTIC, {"services": IMPORT_SERVICES_CATEGORY})
        closing = Note(ROUNDING, {"largest": f"{float(np.abs(rounding).max()):.1f}",
                                  "category": ROUNDING_CATEGORY})
    else:
        kind = Note(TOTAL)
        closing = Note(BALANCED, {"rtol": f"{BALANCE_RTOL:g}"})
    notes = (
        Note(INDUSTRY_TECHNOLOGY),
        kind,
        Note(NEGATIVE_MOVED, {"count": int(negative.sum()),
                              "total": f"{float(adjustment.sum()):.1f}",
                              "category": ADJUSTMENT_CATEGORY}),
        closing,
    )
    mrio = MRIO(name, ("USA",), tuple(tables.industries), np.ascontiguousarray(Z),
                np.ascontiguousarray(Y), g.copy(), va, "Million USD (current)",
                tuple(categories),
                "BEA Input-Output Accounts, summary make and use tables 2023, before "
                "redefinitions, producer prices" + (", and import matrix 2023" if domestic
                                                    else ""), notes)
    col_sums = mrio.Z.sum(axis=0) / np.where(g > 0, g, 1.0)
    if np.any(col_sums >= 1):
        raise ValidationError(f"{name}: a column of A sums to {col_sums.max():.4f} ≥ 1")
    if domestic and np.any(mrio.Y.sum(axis=1) < 0):
        i = int(np.argmin(mrio.Y.sum(axis=1)))
        raise ValidationError(f"{name}: negative total final demand of {tables.industries[i]}")
    return mrio.validate(rtol=BALANCE_RTOL)


def load_bundled_table(key: str) -> MRIO:
    """The bundled table ``key`` (see :data:`BUNDLED`), validated."""
    if key not in BUNDLED:
        raise NotFoundError(f"unknown bundled table '{key}'; known: {', '.join(BUNDLED)}")
    if key == "icio-2022":
        from econsec.io_models.icio import load_icio_2022

        return load_icio_2022()
    if key == "bea-2023-total":
        return build_bea_mrio(read_supply_use(), "U.S. BEA 2023 summary (total requirements)",
                              domestic=False)
    return _bea_2023()


def _bea_2023() -> MRIO:
    return build_bea_mrio(read_supply_use())


def imports_by_industry() -> ImportedInputs:
    """Imported inputs per using industry for the bundled 2023 table.

    BEA's import matrix ``M`` (commodities × industries, and final uses) is converted like
    the use table: ``Z_imp = D M_U``, ``Y_imp = D M_Y``, so that ``Z_imp`` plus the domestic
    flows of :func:`load_bea_2023` (before :data:`ADJUSTMENT_CATEGORY`) is ``D U`` exactly.
    BEA's import matrix assumes each user imports the same share of a commodity (import
    proportionality); in the rounded summary table a few cells are negative or exceed the
    total flow (the notes count them; their domestic counterparts go to ``ADJ``).
    """
    tables = read_supply_use()
    D = calc_market_shares(tables.V, tables.q)
    Z_imp = D @ tables.M_U
    Z_tot = D @ tables.U
    negative = Z_imp < 0
    above = Z_imp > np.maximum(Z_tot, 0.0)
    notes = (Note(IMPORTS_AS_PUBLISHED, {
        "negative": int(negative.sum()), "negative_total": f"{float(Z_imp[negative].sum()):.1f}",
        "above": int(above.sum()),
        "excess": f"{float((Z_imp - np.maximum(Z_tot, 0.0))[above].sum()):.1f}",
        "imported": f"{float(Z_imp.sum()):.1f}"}),)
    return ImportedInputs(tuple(tables.industries), tuple(tables.final_uses), Z_imp,
                          D @ tables.M_Y, notes)


def load_bea_2023() -> MRIO:
    """The bundled BEA 2023 domestic industry-by-industry table (``bundled:bea-2023``)."""
    return load_bundled_table("bea-2023")
