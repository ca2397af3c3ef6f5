"""A country's trade partners in one product (``econsec trade``, ``/api/v1/trade``, the trade
page).

:func:`trade_shares` answers "where does COUNTRY import HS 284690 from in 2024, and how
concentrated is it?": the partners' values (thousand USD) and quantities (tonnes), each
partner's share of the reporter's total for that flow, the HHI of those shares and the data
set. Imports are the flows with ``importer = COUNTRY`` (partners are the exporters), exports
those with ``exporter = COUNTRY`` (partners are the importers). Shares are fractions of the
reporter's total on the chosen basis (value or quantity), largest first (ties by ISO code);
HHI = Σ share² on fractions (0-1), :func:`econsec.indicators.concentration.market_shares`.

The product is an HS 6-digit code (``2846.90`` and ``284690`` are the same) in one HS
version, or a commodity resolved through the crosswalk (:meth:`commodity_products`): a
commodity that maps to several codes (ore, refined metal, compound, magnet) is narrowed by
``stage``; where several codes are left, the error lists them. A code published in several
HS versions in the year asked for (BACI's HS92 series and its HS17 extract both hold 2024)
is read in the version of its longest series (the store's rule, so a year compares with the
trend) unless ``hs_version`` names one. Flows of several data sets (BACI and a user's own
customs extract) are never added up: one data set is read, ``source`` or the one with most
flows (ties by key).

:func:`trade_trend` gives, for the page, the total and the shares of the leading partners
over a span of years (2015-2024 by default).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from econsec.analyses.provenance import source_infos
from econsec.analyses.trade_models import (
    TradePartner,
    TradeProduct,
    TradeShares,
    TradeTrend,
    TradeTrendSeries,
)
from econsec.errors import NotFoundError, Term, ValidationError
from econsec.indicators.concentration import market_shares
from econsec.kb.protocol import KnowledgeBase
from econsec.suggest import fold_name

if TYPE_CHECKING:
    from econsec.records import TradeFlow

FLOWS = ("imports", "exports")
BASES = ("value", "quantity")
#: Units of the two bases (BACI: value in thousand current USD, FOB; quantity in tonnes).
UNITS = {"value": "thousand USD", "quantity": "metric tons"}
#: The span of the page's trend.
TREND_YEARS = tuple(range(2015, 2025))

_HS_CODE = re.compile(r"^\d{6}$")


# ------------------------------------------------------------------------ the product


def normalise_hs(code: str) -> str:
    """``" 2846.90"`` → ``"284690"``: dots, spaces and hyphens dropped; anything but six digits
    is refused."""
    cleaned = re.sub(r"[\s.\-]", "", str(code))
    if not _HS_CODE.match(cleaned):
        raise ValidationError("HS code '%(code)s' is not a six-digit code (e.g. 284690)",
                              params={"code": code})
    return cleaned


def resolve_product(
    kb: KnowledgeBase, *, hs: str | None = None, commodity: str | None = None,
    stage: str | None = None, hs_version: str | None = None,
) -> tuple[str, str | None, str | None]:
    """``(code, version or None, commodity id or None)`` of the product asked for.

    Exactly one of ``hs`` and ``commodity``. A commodity's codes come from the crosswalk;
    ``stage`` (case-insensitive: extraction, processing, …) narrows them; several codes left
    is an error listing them with their stages."""
    if (hs is None) == (commodity is None):
        raise ValidationError("name the product with either an HS code (hs) or a commodity "
                              "(commodity), not both and not neither")
    if hs is not None:
        code = normalise_hs(hs)
        return code, hs_version, None
    assert commodity is not None
    item = kb.find_item(commodity)
    links = [p for p in kb.commodity_products(item.id)
             if hs_version is None or p.hs_version == hs_version]
    if not links:
        raise NotFoundError("no HS code with trade data is linked to commodity '%(commodity)s'",
                            params={"commodity": item.id})
    if stage is not None:
        stages = sorted({p.stage for p in links if p.stage})
        chosen = [p for p in links if (p.stage or "").casefold() == stage.strip().casefold()]
        if not chosen:
            raise ValidationError(
                "commodity '%(commodity)s' has no HS code at stage '%(stage)s'; stages: "
                "%(stages)s", params={"commodity": item.id, "stage": stage,
                                      "stages": ", ".join(stages) or "–"})
        links = chosen
    codes = sorted({p.hs_code for p in links})
    if len(codes) > 1:
        choices = "; ".join(
            f"{p.hs_code} ({p.stage or '–'}, {p.hs_version}: {p.description})"
            for p in sorted(links, key=lambda p: (p.stage or "", p.hs_code, p.hs_version)))
        raise ValidationError(
            "commodity '%(commodity)s' maps to several HS codes: %(choices)s; choose one "
            "with hs (--hs) or narrow with stage (--stage)",
            params={"commodity": item.id, "choices": choices})
    return codes[0], hs_version, item.id


# -------------------------------------------------------------------------- the flows


def _check_choice(name: str, value: str, choices: Sequence[str]) -> str:
    if value not in choices:
        raise ValidationError("unknown trade %(name)s '%(value)s'; choose one of %(choices)s",
                              params={"name": name, "value": value,
                                      "choices": ", ".join(choices)})
    return value


def _reporter_flows(kb: KnowledgeBase, code: str, version: str | None, reporter: str,
                    flow: str, *, year: int | None = None,
                    years: tuple[int, int] | None = None) -> list[TradeFlow]:
    """The reporter's flows of the product: into it (imports) or from it (exports)."""
    if flow == "imports":
        return kb.product_flows(code, hs_version=version, importer=reporter, year=year,
                                years=years)
    return kb.product_flows(code, hs_version=version, exporter=reporter, year=year,
                            years=years)


def _partner(flow: TradeFlow, direction: str) -> str:
    if direction == "imports":
        return flow.exporter or flow.exporter_label or "?"
    return flow.importer


def _year_ranges(years: Iterable[int]) -> str:
    """``1995-2003, 2005, 2007-2024``."""
    ordered = sorted(set(years))
    parts: list[str] = []
    start = prev = None
    for y in [*ordered, None]:
        if y is not None and prev is not None and y == prev + 1:
            prev = y
            continue
        if start is not None:
            parts.append(str(start) if start == prev else f"{start}-{prev}")
        start = prev = y
    return ", ".join(parts)


def _one_version(flows: list[TradeFlow]) -> tuple[list[TradeFlow], str]:
    """The flows of one year and their HS version (the store answers a year in one)."""
    version = str(flows[0].hs_version)
    return [f for f in flows if f.hs_version == version], version


def _one_source(flows: list[TradeFlow], source: str | None) -> list[TradeFlow]:
    """The flows of one data set: ``source``, else the one with most flows (ties by key)."""
    by_source: dict[str, list[TradeFlow]] = defaultdict(list)
    for f in flows:
        by_source[f.source_key].append(f)
    if source is not None:
        if source not in by_source:
            raise NotFoundError("no flows from source '%(source)s' here; sources with "
                                "flows: %(sources)s",
                                params={"source": source, "sources": ", ".join(sorted(by_source))})
        return by_source[source]
    key = min(by_source, key=lambda k: (-len(by_source[k]), k))
    return by_source[key]


def _reporter(kb: KnowledgeBase, country: str) -> str:
    """The ISO alpha-3 code of ``country``: a stored country's code or English or Japanese
    name (folded) at once, from the country list the partners' names come from; any other
    spelling through :meth:`KnowledgeBase.resolve_country` (every publisher's spelling,
    suggestions for a misspelling), which loads the spelling index (a twentieth of a second
    a command)."""
    wanted = fold_name(country)
    for c in kb.countries():
        if wanted in {fold_name(n) for n in (c.iso3, c.name_en, c.name_ja) if n}:
            return c.iso3
    return kb.resolve_country(country)


def _country_names(kb: KnowledgeBase) -> dict[str, str]:
    return {c.iso3: c.name_en for c in kb.countries()}


def _product_model(kb: KnowledgeBase, code: str, version: str,
                   commodity: str | None) -> TradeProduct:
    info = kb.product_info(code, version)
    if commodity is None and info.commodities:
        commodity = ", ".join(info.commodities)
    return TradeProduct(hs=code, hs_version=version, description=info.description_en,
                        commodity=commodity)


def _values(flows: list[TradeFlow], direction: str, basis: str, where: Mapping[str, object]
            ) -> tuple[dict[str, float], dict[str, float | None], dict[str, float | None]]:
    """Per partner: the basis values (for the shares), values and quantities (for the
    rows). A flow without a number on the chosen basis is an error naming how many."""
    lacking = [f for f in flows if (f.value if basis == "value" else f.quantity) is None]
    if lacking:
        raise ValidationError(
            "%(missing)s of the %(rows)s flows of %(country)s's %(flow)s of HS %(code)s "
            "(%(version)s) in %(year)s have no %(basis)s; shares on this basis would leave "
            "those partners out (use the other basis)",
            params={**where, "missing": len(lacking), "rows": len(flows),
                    "basis": Term(basis)})
    basis_values: dict[str, float] = defaultdict(float)
    values: dict[str, float | None] = {}
    quantities: dict[str, float | None] = {}
    for f in flows:
        key = _partner(f, direction)
        basis_values[key] += (f.value if basis == "value" else f.quantity) or 0.0
        values[key] = _add(values.get(key, 0.0), f.value)
        quantities[key] = _add(quantities.get(key, 0.0), f.quantity)
    return dict(basis_values), values, quantities


def _add(total: float | None, value: float | None) -> float | None:
    return None if total is None or value is None else total + value


def trade_shares(
    kb: KnowledgeBase,
    country: str,
    *,
    hs: str | None = None,
    commodity: str | None = None,
    stage: str | None = None,
    year: int | None = None,
    flow: str = "imports",
    basis: str = "value",
    hs_version: str | None = None,
    source: str | None = None,
) -> TradeShares:
    """``country``'s partners in one product and year, their shares of its total for
    ``flow`` on ``basis``, and the HHI (see the module). ``year`` defaults to the latest
    with flows.

    Raises :class:`~econsec.errors.UnknownCountryError` (with suggestions),
    :class:`~econsec.errors.UnknownCommodityError`, :class:`NotFoundError` for a code
    without trade data (naming codes nearby) or a year without flows (naming the years
    with flows), :class:`ValidationError` for a malformed code, an unknown flow or basis,
    an ambiguous commodity or flows without a number on the chosen basis.
    """
    _check_choice("flow", flow, FLOWS)
    _check_choice("basis", basis, BASES)
    hs_version = hs_version.strip().upper() if hs_version else None
    reporter = _reporter(kb, country)
    code, version, item_id = resolve_product(kb, hs=hs, commodity=commodity, stage=stage,
                                             hs_version=hs_version)
    flows = (_reporter_flows(kb, code, version, reporter, flow, year=year)
             if year is not None else [])
    if not flows:
        every = _reporter_flows(kb, code, version, reporter, flow)
        if not every:
            raise NotFoundError(
                "no %(flow)s of HS %(code)s by %(country)s in any year of the knowledge base",
                params={"flow": Term(flow), "code": code, "country": reporter})
        if year is not None:
            raise NotFoundError(
                "no %(flow)s of HS %(code)s by %(country)s in %(year)s; years with "
                "%(flow)s: %(years)s",
                params={"flow": Term(flow), "code": code, "country": reporter, "year": year,
                        "years": _year_ranges(f.year for f in every)})
        year = max(f.year for f in every)
        flows = [f for f in every if f.year == year]
    flows, version = _one_version(flows)
    flows = _one_source(flows, source)
    where = {"country": reporter, "flow": Term(flow), "code": code, "version": version,
             "year": year}
    basis_values, values, quantities = _values(flows, flow, basis, where)
    shown: int = flows[0].year
    result = market_shares(basis_values)
    names = _country_names(kb)
    partners = [
        TradePartner(iso3=key, country=names.get(key, key), value=values[key],
                     quantity=quantities[key], share=share)
        for key, share in result.shares
    ]
    return TradeShares(
        reporter=reporter, flow="imports" if flow == "imports" else "exports",
        product=_product_model(kb, code, version, item_id), year=shown,
        basis="value" if basis == "value" else "quantity", unit=UNITS[basis],
        total=result.denominator, hhi=result.hhi,
        partners=partners, sources=source_infos(kb.sources({f.source_key for f in flows})),
    )


def trade_trend(
    kb: KnowledgeBase, shares: TradeShares, *, years: Sequence[int] = TREND_YEARS,
    top: int = 5,
) -> TradeTrend:
    """The reporter's total and the shares of ``shares``' ``top`` partners in each of
    ``years`` (same product, HS version, flow, basis and data set). A year without flows
    has no total and no shares (``None``); a partner absent in a year has share 0."""
    code, version = shares.product.hs, shares.product.hs_version
    keys = {s.key for s in shares.sources}
    flows = [f for f in _reporter_flows(kb, code, version, shares.reporter, shares.flow,
                                         years=(min(years), max(years)))
             if f.source_key in keys and f.hs_version == version]
    by_year: dict[int, list[TradeFlow]] = defaultdict(list)
    for f in flows:
        by_year[f.year].append(f)
    leaders = [p.iso3 for p in shares.partners[:top]]
    totals: list[float | None] = []
    series: dict[str, list[float | None]] = {k: [] for k in leaders}
    for y in years:
        per_partner: dict[str, float] = defaultdict(float)
        complete = bool(by_year.get(y))
        for f in by_year.get(y, []):
            number = f.value if shares.basis == "value" else f.quantity
            if number is None:
                complete = False
                break
            per_partner[_partner(f, shares.flow)] += number
        total = sum(per_partner.values()) if complete else 0.0
        totals.append(total if complete and total > 0 else None)
        for k in leaders:
            series[k].append(per_partner.get(k, 0.0) / total if complete and total > 0
                             else None)
    names = {p.iso3: p.country for p in shares.partners}
    return TradeTrend(
        reporter=shares.reporter, flow=shares.flow, product=shares.product,
        basis=shares.basis, unit=shares.unit, years=list(years), totals=totals,
        series=[TradeTrendSeries(iso3=k, country=names[k], shares=series[k]) for k in leaders],
        sources=shares.sources,
    )


def trade_years(kb: KnowledgeBase, shares: TradeShares) -> list[int]:
    """The years with flows of ``shares``' reporter, product, HS version, flow and data set
    (what the page's year slider offers)."""
    keys = {s.key for s in shares.sources}
    flows = _reporter_flows(kb, shares.product.hs, shares.product.hs_version,
                            shares.reporter, shares.flow)
    return sorted({f.year for f in flows if f.source_key in keys})
