"""Economic complexity (ECI, PCI, proximity, density) of a country × product export matrix.

Two inputs, one result (:class:`~econsec.analyses.models.ComplexityTable`):

- the bundled BACI trade in the knowledge base (:func:`bundled_complexity`): exports by
  exporter × HS 1992 code in a year, summed over importers. The bundled BACI extract holds
  only the HS 1992 codes of mining products and raw materials, so this is a
  **raw-materials-only** complexity, not the Atlas of Economic Complexity's ECI on all
  goods: the result's note says so in English and Japanese;
- a user's own matrix from a CSV file (:func:`file_complexity`,
  :mod:`econsec.datasets.export_matrix`).

The numbers come from :func:`econsec.indicators.complexity.complexity` (agrees with the
``ecomplexity`` package to 1e-6). For each country the result lists its ECI, rank,
diversity, complexity outlook and the products it does not yet export with an advantage
that lie closest to what it does (highest density); for each product its PCI, rank,
ubiquity and its nearest products by proximity.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from econsec.analyses.complexity_models import (
    ComplexityCountry,
    ComplexityOpportunity,
    ComplexityProduct,
    ComplexityTable,
    ProductNeighbour,
)
from econsec.analyses.models import MethodRef, SourceInfo
from econsec.analyses.provenance import source_infos
from econsec.datasets.export_matrix import ExportMatrix, read_export_matrix
from econsec.datasets.user_tables import N_
from econsec.errors import Location, NotFoundError, ValidationError, translate_message
from econsec.indicators.complexity import ComplexityResult, complexity
from econsec.kb.protocol import KnowledgeBase
from econsec.records import TRADE_VALUE_UNIT

#: The HS edition of the bundled BACI series the bundled complexity is computed on.
BUNDLED_HS_VERSION = "HS92"
#: Products (countries) listed as neighbours (opportunities) of each product (country).
NEIGHBOURS = 3
#: How many years back from today a default year is looked for.
YEARS_BACK = 10

BUNDLED_NOTE = N_(
    "Raw-materials-only complexity: computed on the bundled BACI trade, which covers "
    "%(codes)s HS 1992 codes of mining products and raw materials (ores and concentrates, "
    "minerals, fuels, some refined metals and chemicals) of %(countries)s exporters in "
    "%(year)s, not all traded goods as the Atlas of Economic Complexity. ECI and PCI rank "
    "countries and products within this set only and are not comparable with published "
    "ECI rankings; for those, give a full country × product export matrix "
    "(econsec assess complexity --file).")
FILE_NOTE = N_(
    "Computed on your matrix %(file)s (%(countries)s countries × %(products)s products). "
    "ECI and PCI rank countries and products within this matrix only; they compare with "
    "published ECI rankings only if the matrix covers all traded goods and the same "
    "countries.")
EXCLUDED_NOTE = N_(
    "No ECI for countries without exports in the matrix or without a product at "
    "RCA ≥ %(threshold)s (%(count)s): %(countries)s.")


def _file_source(matrix: ExportMatrix, year: int | None) -> SourceInfo:
    path = Path(matrix.file)
    digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""
    return SourceInfo(key=f"file:{path.name}", publisher="user", title=path.name,
                      year=year or date.today().year, licence="unspecified", file=path.name,
                      sha256=digest)


def _rank(values: NDArray[np.float64]) -> list[int | None]:
    """1 for the largest finite value; None for NaN."""
    order = np.argsort(-np.nan_to_num(values, nan=-np.inf), kind="stable")
    ranks: list[int | None] = [None] * len(values)
    for position, index in enumerate(order):
        if math.isfinite(values[index]):
            ranks[index] = position + 1
    return ranks


def _number(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def _table(result: ComplexityResult, matrix: ExportMatrix, names: dict[str, tuple[str, str]],
           descriptions: dict[str, tuple[str, str]], *, basis: Literal["bundled", "file"],
           year: int | None, unit: str, note: tuple[str, Mapping[str, object]],
           sources: list[SourceInfo]) -> ComplexityTable:
    exports_c = matrix.values.sum(axis=1)
    exports_p = matrix.values.sum(axis=0)
    products = matrix.products
    eci_rank, pci_rank = _rank(result.eci), _rank(result.pci)

    def opportunities(c: int) -> list[ComplexityOpportunity]:
        open_ = [p for p in range(len(products))
                 if result.mcp[c, p] == 0 and math.isfinite(result.density[c, p])]
        open_.sort(key=lambda p: (-result.density[c, p], products[p]))
        return [ComplexityOpportunity(product=products[p], density=float(result.density[c, p]),
                                      cog=float(result.cog[c, p]),
                                      pci=_number(result.pci[p]))
                for p in open_[:NEIGHBOURS]]

    def nearest(p: int) -> list[ProductNeighbour]:
        others = [q for q in range(len(products))
                  if q != p and math.isfinite(result.proximity[p, q])
                  and result.proximity[p, q] > 0]
        others.sort(key=lambda q: (-result.proximity[p, q], products[q]))
        return [ProductNeighbour(product=products[q], proximity=float(result.proximity[p, q]))
                for q in others[:NEIGHBOURS]]

    countries = [
        ComplexityCountry(
            iso3=iso3, country=names.get(iso3, (iso3, iso3))[0],
            country_ja=names.get(iso3, (iso3, iso3))[1], eci=_number(result.eci[c]),
            rank=eci_rank[c], diversity=int(result.diversity[c]),
            exports=float(exports_c[c]), coi=_number(result.coi[c]),
            opportunities=opportunities(c))
        for c, iso3 in enumerate(matrix.countries)
    ]
    product_rows = [
        ComplexityProduct(
            product=code, description=descriptions.get(code, ("", ""))[0],
            description_ja=descriptions.get(code, ("", ""))[1], pci=_number(result.pci[p]),
            rank=pci_rank[p], ubiquity=int(result.ubiquity[p]), exports=float(exports_p[p]),
            nearest=nearest(p))
        for p, code in enumerate(products)
    ]
    countries.sort(key=lambda r: (r.rank is None, r.rank or 0, r.iso3))
    product_rows.sort(key=lambda r: (r.rank is None, r.rank or 0, r.product))
    notes_en = [note[0] % note[1]]
    notes_ja = [translate_message(note[0], note[1], "ja")]
    left_out = [r.iso3 for r in countries if r.eci is None]
    if left_out:
        params: dict[str, object] = {"count": len(left_out), "threshold": f"{result.threshold:g}",
                                     "countries": ", ".join(left_out)}
        notes_en.append(EXCLUDED_NOTE % params)
        notes_ja.append(translate_message(EXCLUDED_NOTE, params, "ja"))
    return ComplexityTable(
        basis=basis, year=year, file=Path(matrix.file).name if basis == "file" else "",
        unit=unit, threshold=result.threshold,
        n_countries=int(result.countries_used.sum()),
        n_products=int(result.products_used.sum()),
        eigenvalue=result.eigenvalues[1],
        countries=countries, products=product_rows,
        method=MethodRef.model_validate(result.method.to_dict()),
        proximity_method=MethodRef.model_validate(result.proximity_method.to_dict()),
        note_en=" ".join(notes_en), note_ja="".join(notes_ja), sources=sources)


def _located(error: ValidationError, where: str) -> ValidationError:
    """A refusal of the indicator (located at its argument ``x``) re-located at the input."""
    error.location = Location(where)
    return error


def _compute(matrix: ExportMatrix) -> ComplexityResult:
    try:
        return complexity(matrix.values)
    except ValidationError as exc:
        raise _located(exc, matrix.file) from None


def _names(store: KnowledgeBase) -> dict[str, tuple[str, str]]:
    return {c.iso3: (c.name_en, c.name_ja or c.name_en) for c in store.countries()}


TOO_MANY_CELLS = N_(
    "the matrix has %(countries)s countries × %(products)s products = %(cells)s cells, more "
    "than this server computes (at most %(limit)s cells, ECONSEC_COMPLEXITY_MAX_CELLS); send "
    "fewer products or run econsec assess complexity --file on your own machine")


def file_complexity(store: KnowledgeBase, path: Path, *, year: int | None = None,
                    encoding: str | None = None, max_cells: int | None = None
                    ) -> ComplexityTable:
    """ECI, PCI, proximity and density of the export matrix in the CSV file ``path``
    (:mod:`econsec.datasets.export_matrix`); ``year`` only labels the result. A matrix
    of more than ``max_cells`` countries × products is refused (422) before computing."""
    matrix = read_export_matrix(
        path, lambda name, where: store.resolve_country(name, location=where),
        encoding=encoding)
    cells = len(matrix.countries) * len(matrix.products)
    if max_cells is not None and cells > max_cells:
        raise ValidationError(TOO_MANY_CELLS, params={
            "countries": len(matrix.countries), "products": len(matrix.products),
            "cells": cells, "limit": max_cells}, location=Location(file=matrix.file))
    result = _compute(matrix)
    note = (FILE_NOTE, {"file": path.name, "countries": len(matrix.countries),
                        "products": len(matrix.products)})
    return _table(result, matrix, _names(store), {}, basis="file", year=year,
                  unit="as given in the file", note=note,
                  sources=[_file_source(matrix, year)])


def _bundled_codes(store: KnowledgeBase) -> dict[str, tuple[str, str]]:
    return {p.hs_code: (p.description_en, p.description_ja or p.description_en)
            for p in store.trade_products() if p.hs_version == BUNDLED_HS_VERSION}


def _flows_of(store: KnowledgeBase, codes: Sequence[str], year: int
              ) -> list[tuple[str, str, int, str | None, str, float | None, float | None, str]]:
    return store.product_flow_rows(codes, [BUNDLED_HS_VERSION], (year, year))


def _available_years(store: KnowledgeBase, codes: Sequence[str]) -> list[int]:
    """Years with bundled flows of the first codes (for the refusal of a year without)."""
    years: set[int] = set()
    for code in codes[:3]:
        years.update(f.year for f in store.product_flows(code, hs_version=BUNDLED_HS_VERSION))
    return sorted(years)


def bundled_complexity(store: KnowledgeBase, year: int | None = None) -> ComplexityTable:
    """ECI, PCI, proximity and density on the knowledge base's HS 1992 product flows of
    ``year`` (default: the latest year with flows): exports by exporter × HS code, summed
    over importers. Raises :class:`NotFoundError` for a year without flows, naming the
    years with flows."""
    descriptions = _bundled_codes(store)
    codes = sorted(descriptions)
    if not codes:
        raise NotFoundError(N_("the knowledge base holds no HS 1992 product flows; run "
                               "econsec init (or import flows) first"))
    if year is None:
        this_year = date.today().year
        for candidate in range(this_year, this_year - YEARS_BACK, -1):
            rows = _flows_of(store, codes, candidate)
            if rows:
                year = candidate
                break
        else:
            raise NotFoundError(N_("no HS 1992 product flows in the last %(years)s years; "
                                   "give --year"), params={"years": YEARS_BACK})
    else:
        rows = _flows_of(store, codes, year)
    if not rows:
        years = _available_years(store, codes)
        span = f"{years[0]}–{years[-1]}" if years else "none"
        raise NotFoundError(N_("no HS 1992 product flows in %(year)s; years with flows: "
                               "%(years)s"), params={"year": year, "years": span},
                            location=Location(column="year"))
    totals: dict[tuple[str, str], float] = {}
    sources: set[str] = set()
    for hs_code, _version, _year, exporter, _importer, value, _quantity, source in rows:
        if exporter is None or value is None:
            continue
        totals[exporter, hs_code] = totals.get((exporter, hs_code), 0.0) + value
        sources.add(source)
    countries = tuple(sorted({c for c, _ in totals}))
    products = tuple(sorted({p for _, p in totals}))
    c_at = {c: i for i, c in enumerate(countries)}
    p_at = {p: j for j, p in enumerate(products)}
    values = np.zeros((len(countries), len(products)))
    for (country, code), value in totals.items():
        values[c_at[country], p_at[code]] = value
    matrix = ExportMatrix(countries, products, values, "bundled BACI")
    result = _compute(matrix)
    note = (BUNDLED_NOTE, {"codes": len(products), "countries": len(countries), "year": year})
    return _table(result, matrix, _names(store), descriptions, basis="bundled", year=year,
                  unit=TRADE_VALUE_UNIT, note=note,
                  sources=source_infos(store.sources(sorted(sources))))
