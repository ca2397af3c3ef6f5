"""Turn analysis documents into :class:`Result` objects (rows and columns for table/CSV)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from econsec.cli.output import OutputFormat, Result
from econsec.errors import ValidationError
from econsec.textsafe import terminal_text

if TYPE_CHECKING:
    from econsec.analyses.models import (
        CommodityListItem,
        CountryProfile,
        DependenceTable,
        EuCrmAssessment,
        Shares,
    )
    from econsec.analyses.trade_models import TradeShares


def _amount(value: float) -> str:
    """1,234,567 for large or whole numbers, 4 significant digits otherwise; e-notation from
    10^15 (and for infinities), where digits would only be noise."""
    if not math.isfinite(value) or abs(value) >= 1e15:
        return f"{value:.4g}"
    return f"{value:,.0f}" if abs(value) >= 1000 or float(value).is_integer() else f"{value:.4g}"


def shares_result(doc: Shares) -> Result:
    """The CLI form of :func:`econsec.analyses.shares.commodity_shares`."""
    rows = [
        {"commodity": doc.commodity, "year": doc.year, "measure": doc.measure,
         "unit": doc.unit, **row.model_dump()}
        for row in doc.shares
    ]
    notes = [f"HHI {doc.hhi:.4f} ({doc.basis} basis: shares of {_amount(doc.total)} "
             f"{doc.unit})"]
    published = doc.published_world_total
    if doc.basis == "world-total" and published is not None and published != doc.total:
        notes.append(f"Published world total {_amount(published)}; the reported countries add "
                     "up to more, so their sum is the denominator.")
    if doc.basis_note:
        notes.append(doc.basis_note)
    notes.append("Sources: " + "; ".join(f"{s.title} ({s.year})" for s in doc.sources))
    if doc.withheld:
        notes.append("Withheld by the publisher (producers without a value): "
                     + ", ".join(f"{w.country} ({w.iso3})" for w in doc.withheld))
    if doc.other_sources:
        notes.append("Also available (--source): " + ", ".join(doc.other_sources))
    return Result(
        doc,
        rows,
        ["iso3", "country", "country_ja", "value", "share"],
        title=f"{doc.commodity_name} {doc.measure} {doc.year} ({doc.unit})",
        notes=notes,
        percent=("share",),
    )


def commodities_result(items: list[CommodityListItem]) -> Result:
    """The CLI form of :func:`econsec.analyses.commodities.commodity_list`."""
    rows = [
        {
            "id": it.id,
            "name_en": it.name_en,
            "name_ja": it.name_ja,
            "measures": "; ".join(
                f"{m} {min(ys)}-{max(ys)}" if len(ys) > 1 else f"{m} {ys[0]}"
                for m, ys in it.measures.items()
            ),
        }
        for it in items
    ]
    return Result({"commodities": items}, rows, ["id", "name_en", "name_ja", "measures"],
                  title=f"{len(items)} commodities")


def eu_crm_result(doc: EuCrmAssessment) -> Result:
    """The CLI form of :func:`econsec.analyses.eu_crm.assess_eu_crm_file`."""
    rows = [
        {"material": r.material, "sr": r.sr, "sr_e": r.sr_by_stage.get("E"),
         "sr_p": r.sr_by_stage.get("P"), "ei": r.ei, "critical": r.critical}
        for r in doc.results
    ]
    return Result(doc, rows, ["material", "sr", "sr_e", "sr_p", "ei", "critical"],
                  title="EU CRM assessment (EC 2017 method)",
                  notes=[f"Critical when SR >= {doc.sr_threshold} and EI >= "
                         f"{doc.ei_threshold}. WGI: {doc.wgi_source}."])


#: The table's columns unless ``--columns`` names others: they fit a 100-column terminal.
DEPENDENCE_COLUMNS = ("commodity", "year", "home_share", "top_supplier", "top_share", "hhi",
                      "outside_share")
_DEPENDENCE_PERCENT = ("home_share", "top_share", "partner_share", "outside_share",
                       "net_import_reliance", "top_import_share", "imports_from_outside",
                       "imports_from_partners", "top_import_share_change_5y")


def parse_columns(text: str, valid: Sequence[str], option: str = "--columns") -> list[str]:
    """``a,b,c`` as a list of column names, each one of ``valid`` (else a one-line error
    listing them)."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise ValidationError(f"{option} names no column; valid columns: {', '.join(valid)}")
    unknown = [name for name in names if name not in valid]
    if unknown:
        listed = ", ".join(f"'{terminal_text(name)}'" for name in unknown)
        raise ValidationError(f"unknown column{'s' if len(unknown) > 1 else ''} {listed} in "
                              f"{option}; valid columns: {', '.join(valid)}")
    return list(dict.fromkeys(names))


def dependence_result(table: DependenceTable, fmt: OutputFormat = OutputFormat.TABLE,
                      columns: Sequence[str] | None = None) -> Result:
    """The CLI form of :func:`econsec.analyses.dependence.dependence_table`.

    ``columns`` (``--columns a,b,c`` read by :func:`parse_columns`) chooses the table and
    CSV columns. By default the table shows :data:`DEPENDENCE_COLUMNS` and a note names the
    other columns that hold data; CSV shows every column (the import columns only when
    the home country has import shares); the JSON document always has all."""
    doc = table.model_dump()
    valid = list(doc["columns"])
    with_data = [c for c in valid if any(r.get(c) is not None for r in doc["rows"])]
    if columns is not None:
        shown = list(columns)
    elif fmt is OutputFormat.TABLE:
        shown = [c for c in DEPENDENCE_COLUMNS if c in valid]
    elif not any(r.get("top_import_source") for r in doc["rows"]):  # no bundled trade shares
        shown = [c for c in valid if not c.startswith(("top_import", "import", "imports"))]
    else:
        shown = valid
    notes = [
        f"Partners of {doc['home']}: members of {', '.join(doc['partner_groups']) or 'no group'}.",
        "Shares are fractions of the published world total (latest year, newest USGS release).",
        "Sources: " + ", ".join(doc["sources"]),
    ]
    if "measure" not in shown:
        other = [r["commodity"] for r in doc["rows"] if r.get("measure") != "production"]
        if other:
            notes.append("Measure: production, except refinery output (or another measure) "
                         f"for {', '.join(other)}.")
    if any(r.get("trade_stage") for r in doc["rows"]):
        notes.append("Import columns: bilateral trade (BACI) at the stage the home country "
                     "imports most (trade_stage), thousand USD; every stage in --format json "
                     "(trade_stages).")
    exported = [r["commodity"] for r in doc["rows"] if r.get("supply_basis_note")]
    if exported:
        notes.append("World supply of " + ", ".join(exported) + " is the concentration of "
                     "world exports of the refined product (no production data).")
    hidden = [c for c in with_data if c not in shown]
    if hidden and columns is None:
        notes.append(f"More columns (--columns a,b,c): {', '.join(hidden)}.")
    return Result(table, doc["rows"], shown,
                  title=f"Dependence and indispensability of {doc['home_name']} ({doc['home']})",
                  notes=notes, percent=_DEPENDENCE_PERCENT)


def _energy_space_facts(p: CountryProfile) -> list[tuple[str, str]]:
    """The latest electricity mix (Ember) and orbital launches (JSR) of a profile."""
    out = []
    if p.energy:
        e = p.energy.latest
        out.append((f"electricity {e.year} (Ember)",
                    f"{e.total_twh:,.1f} TWh; fossil {e.fossil_share:.1%}, low-carbon "
                    f"{e.low_carbon_share:.1%}, import-exposed fuels "
                    f"{e.import_exposed_share:.1%}"))
    if p.space and p.space.latest:
        s = p.space.latest
        rank = f", rank {s.rank} of {s.entities}" if s.rank else ""
        out.append((f"orbital launches {s.year} (JSR)",
                    f"{s.launches} ({s.successes} successful), {s.world_share:.1%} of the "
                    f"world's {s.world_launches}{rank}"))
    return out


def country_result(p: CountryProfile) -> Result:
    """The CLI form of :func:`econsec.analyses.country_profile.country_profile`."""
    gov, risk = p.governance, p.country_risk
    facts = [
        ("country", f"{p.name_en} / {p.name_ja} ({p.iso3})"),
        ("groups", ", ".join(p.groups) or "-"),
        ("export control", f"{p.export_control.name}: {p.export_control.status_text}"),
        ("governance (WGI mean)", f"{gov.mean:.2f} ({gov.year})" if gov else "-"),
        ("OECD country risk", f"{risk.category} / 7" if risk else "not classified"),
        *_energy_space_facts(p),
        *((f"{r.commodity} {r.measure} {r.year}",
           f"{r.share:.1%} of world supply, rank {r.rank} / {r.producers}")
          for r in p.produces[:10]),
    ]
    return Result(p, [{"fact": k, "value": v} for k, v in facts], ["fact", "value"],
                  title=f"{p.name_en} ({p.iso3})")


def trade_result(doc: TradeShares) -> Result:
    """The CLI form of :func:`econsec.analyses.trade.trade_shares`."""
    p = doc.product
    rows = [row.model_dump() for row in doc.partners]
    partner = "exporter" if doc.flow == "imports" else "importer"
    notes = [f"HHI {doc.hhi:.4f}; shares of {doc.reporter}'s {doc.flow}, "
             f"{_amount(doc.total)} {doc.unit}; partners are the {partner}s",
             "Sources: " + "; ".join(f"{s.title} ({s.year})" for s in doc.sources)]
    title = (f"{doc.reporter} {doc.flow} of HS {p.hs} ({p.hs_version}) {p.description}"
             f"{f' [{p.commodity}]' if p.commodity else ''}, {doc.year}, by {doc.basis}")
    return Result(doc, rows, ["iso3", "country", "value", "quantity", "share"],
                  title=title, notes=notes, percent=("share",))
