"""``econsec assess geopolrisk``: the GeoPolRisk score and characterisation factor of a
country's raw-material imports (:mod:`econsec.analyses.geopolrisk_assessment`).

Light imports only (the command's start-up is part of its wall time): the analysis and
the store are imported when the command runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from econsec.cli.console import out
from econsec.cli.options import DbOption, FormatOption
from econsec.cli.output import OutputFormat, Result, emit

if TYPE_CHECKING:
    from econsec.analyses.models import GeoPolRiskTable

def geopolrisk_result(doc: GeoPolRiskTable) -> Result:
    """The CLI form of :func:`econsec.analyses.geopolrisk_assessment.geopolrisk_table`."""
    rows = [
        {"commodity": r.commodity, "hs": "+".join(r.hs_codes), "score": r.score,
         "cf": r.characterisation_factor, "hhi": r.hhi, "import_risk": r.import_risk,
         "price_usd_kg": r.price, "imports_t": r.imports,
         "top_origin": r.top_terms[0].origin if r.top_terms else None}
        for r in doc.rows
    ]
    notes = [
        "score = HHI(world production) x import risk; CF = score x price / "
        f"{doc.copper_cf} (eq. kg Cu/kg, geopolrisk-py 2.0.1).",
        *doc.notes,
        "Sources: " + ", ".join(doc.sources),
    ]
    if doc.skipped:
        notes.append("Not scored: " + "; ".join(f"{s.commodity} ({s.reason})"
                                                for s in doc.skipped))
    return Result(doc, rows, ["commodity", "hs", "score", "cf", "hhi", "import_risk",
                              "price_usd_kg", "top_origin"],
                  title=f"GeoPolRisk of {doc.name_en} ({doc.country}) imports, {doc.year}",
                  notes=notes)


def assess_geopolrisk(
    country: Annotated[str | None, typer.Option(
        help="Importing country, ISO alpha-3 or name (default: ECONSEC_HOME_COUNTRY, JPN).",
        show_default=False)] = None,
    year: Annotated[int | None, typer.Option(
        help="Year of the trade, production and WGI data (default 2022, the latest year "
             "with WGI; USGS production: 2021-2024).", show_default=False)] = None,
    commodity: Annotated[list[str] | None, typer.Option(
        "--commodity", help="Commodity id or name; repeatable (default: every commodity "
        "with an HS 1992 code in the GeoPolRisk crosswalk).", show_default=False)] = None,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """GeoPolRisk score and characterisation factor of a country's raw-material imports
    (BACI trade, WGI political stability, USGS production; geopolrisk-py's method)."""
    from econsec.analyses.geopolrisk_assessment import geopolrisk_table
    from econsec.cli.app import _open_store, _settings

    store = _open_store(db)
    table = geopolrisk_table(store, country or _settings().home_country, year=year,
                             commodities=commodity or None)
    emit(geopolrisk_result(table), fmt, out)
