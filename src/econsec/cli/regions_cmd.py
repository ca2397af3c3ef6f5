"""``econsec region COUNTRY`` (five perspectives) and ``econsec partners`` (who could replace a
supplier). Imports only typer and light econsec modules at start-up; the analyses inside the
commands."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from econsec.cli.console import out
from econsec.cli.options import DbOption, FormatOption
from econsec.cli.output import OutputFormat, Result, emit

if TYPE_CHECKING:
    from econsec.regions.models import PartnerRanking, RegionProfile

PERSPECTIVES = (("technology", "technology cooperation"), ("materials", "raw materials"),
                ("supply_chains", "supply chains and sea lanes"),
                ("market", "market creation"), ("information", "information sharing"))


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{x * 100:.1f}%"


def _evidence(doc: RegionProfile, key: str) -> str:
    if key == "technology":
        t = doc.technology
        strong = [f.field for f in t.fields if f.relation == "partner-strong"]
        home = [f.field for f in t.fields if f.relation == "home-strong"]
        return (f"partner strong, home weak: {', '.join(strong) or 'none'}; "
                f"home strong, partner weak: {', '.join(home) or 'none'}")
    if key == "materials":
        m = doc.materials
        top = ", ".join(f"{r.commodity} {_pct(r.share)}" for r in m.produces[:5])
        imp = ", ".join(f"{r.hs_code} {r.value_kusd:,.0f}k$" for r in m.home_imports[:3])
        return (f"produces: {top or 'none'}; home imports: {imp or 'none'}; "
                f"scaled WGI {m.wgi_scaled:.1f}" if m.wgi_scaled is not None else
                f"produces: {top or 'none'}; home imports: {imp or 'none'}")
    if key == "supply_chains":
        s = doc.supply_chains
        if not s.routed:
            return s.note
        cps = ", ".join(f"{c.name_en} {_pct(c.route_share)}" for c in s.chokepoints)
        return f"chokepoints: {cps or 'none'}; ports: " + ", ".join(
            f"{n} {k}" for k, n in s.ports_by_size.items())
    if key == "market":
        mk = doc.market
        growth = (f"CAGR {_pct(mk.cagr)} {mk.cagr_start_year}-{mk.cagr_end_year}"
                  if mk.cagr is not None else "CAGR -")
        value = f"{mk.latest_value_kusd:,.0f}" if mk.latest_value_kusd is not None else "-"
        return (f"home exports {mk.latest_year}: {value} thousand USD "
                f"({_pct(mk.share_of_home_exports)} of the home's); {growth}")
    groups = [g.name_en for g in doc.information.groups if g.counts]
    return f"shared groups: {', '.join(groups) or 'none'}; Group A: " \
           f"{doc.information.export_control_status}"


def region_result(doc: RegionProfile) -> Result:
    rows = []
    for key, label in PERSPECTIVES:
        part = getattr(doc, key)
        rows.append({"perspective": label, "score": part.score.value,
                     "band": part.score.band or "-", "evidence": _evidence(doc, key)})
    notes = [
        "Bands: " + ", ".join(f"{b.band} >= {b.min_score:g}" for b in doc.bands) + ".",
        *(f"{label}: {getattr(doc, key).score.formula}" for key, label in PERSPECTIVES),
        *doc.notes,
        "Sources: " + "; ".join(f"{s.title} ({s.year})" for s in doc.sources),
    ]
    return Result(doc, rows, ["perspective", "score", "band", "evidence"],
                  title=f"{doc.name_en} ({doc.iso3}) seen from {doc.home_name_en} ({doc.home})",
                  notes=notes)


def partners_result(doc: PartnerRanking) -> Result:
    rows = [{"rank": r.rank, "iso3": r.iso3, "country": r.name_en,
             "capacity_kusd": round(r.capacity_kusd, 1), "cover": r.cover,
             "production": r.production, "reserves": r.reserves,
             "wgi_scaled": None if r.wgi_scaled is None else round(r.wgi_scaled, 2),
             "chokepoints": (None if r.expected_chokepoints is None
                             else round(r.expected_chokepoints, 2)),
             "share_after": r.share_after, "risk": round(r.risk, 3), "score": r.score}
            for r in doc.rows]
    subject = f"item {doc.item}" if doc.item else "HS " + ", ".join(doc.hs_codes)
    notes = [
        f"Gap: {doc.replace}'s exports to {doc.home} in {doc.year} = {doc.gap_kusd:,.1f} "
        f"thousand USD of the home's imports of {doc.home_imports_kusd:,.1f}; "
        f"{doc.candidates} candidates.",
        "Capacity: exports to countries other than the home country and the one replaced "
        f"(BACI {doc.hs_version}, {doc.year}, thousand USD).",
        doc.formula,
        "Production and reserves: latest USGS year of the linked commodity (evidence, not "
        "in the score).",
        *doc.notes,
        "Sources: " + "; ".join(f"{s.title} ({s.year})" for s in doc.sources),
    ]
    return Result(doc, rows, ["rank", "iso3", "country", "capacity_kusd", "cover",
                              "production", "reserves", "wgi_scaled", "chokepoints",
                              "share_after", "risk", "score"],
                  title=f"Who could replace {doc.replace_name_en} for {doc.home_name_en} "
                        f"({subject})", notes=notes, percent=("cover", "share_after"))


def region(
    country: Annotated[str, typer.Argument(help="Country, ISO alpha-3 or name.")],
    home: Annotated[str | None, typer.Option(
        help="Home country (default: ECONSEC_HOME_COUNTRY, JPN).")] = None,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """A country seen from the home country through the five perspectives of the regional
    strategy (technology cooperation, raw materials, supply chains and sea lanes, market
    creation, information sharing), each with a 0-100 score, its band and formula."""
    from econsec.cli.app import _open_store, _settings
    from econsec.regions.profile import region_profile

    doc = region_profile(_open_store(db), country, home=home or _settings().home_country)
    emit(region_result(doc), fmt, out)


def partners(
    replace: Annotated[str, typer.Option(help="The supplier to replace (ISO alpha-3 or "
                                               "name), e.g. CHN.")],
    hs: Annotated[str | None, typer.Option(
        help="HS 6-digit codes of the dependency, comma-separated (284610,284690).")] = None,
    item: Annotated[str | None, typer.Option(
        help="An item (commodity) whose linked HS codes form the dependency.")] = None,
    home: Annotated[str | None, typer.Option(
        help="Home country (default: ECONSEC_HOME_COUNTRY, JPN).")] = None,
    year: Annotated[int | None, typer.Option(
        help="Trade year (default: the latest in which the home country imports the codes).",
        min=1900, max=2100)] = None,
    top: Annotated[int, typer.Option(help="Candidates shown.", min=1, max=200)] = 10,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Who could replace a supplier: candidates ranked by the capacity they have (exports to
    others, production, reserves) and their risk (governance, chokepoints on the route,
    concentration), with the formula and weights."""
    from econsec.cli.app import _open_store, _settings
    from econsec.regions.partners import partner_ranking

    codes = [c for c in (hs or "").split(",") if c.strip()] if hs is not None else None
    doc = partner_ranking(_open_store(db), replace=replace, hs=codes, item=item,
                          home=home or _settings().home_country, year=year, top=top)
    emit(partners_result(doc), fmt, out)
