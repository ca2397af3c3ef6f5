"""From a material to the economy: a cut of one traded product converted to a shock on the
industry of a multi-region table that supplies it (issue 10, item 8).

An ``export_restriction`` naming a product (``hs: "284690"`` or ``commodity: rare-earths``)
instead of an industry is converted here:

1. the product's HS code is placed in an ICIO industry by the documented crosswalk
   ``hs_to_icio_industry.csv`` (longest matching HS prefix; ``284690`` → ``C20``);
2. the exporter and importer countries are placed in the table's regions
   (``region_mapping_80_to_31.csv``; BACI's ``S19`` is Taiwan; a country outside the 80
   economies of the OECD table is counted in ``ROW_OTH``, with a note);
3. the BACI value of the product from the exporter to the importer in the year asked
   (thousand USD, converted to million USD) is divided by the table's intermediate flow of
   the supplying industry to the importer's region (``Z`` summed over the importer region's
   industries, million USD, 2022): that is the product's share of the industry flow,
   capped at 1 (BACI counts final goods too, and the table's flows are 2022 flows);
4. the shock on the industry's flows is ``severity × share``: an ``export_restriction`` of
   the supplying industry to the importer's region with that share.

A ``capacity_loss`` naming a product (:func:`convert_product_capacity_loss`) is converted
the same way against the industry's intermediate sales to every other region (the
product's share of the industry's exports stands for its share of the industry's output).

Diversification options (:func:`diversification_options`) come from the same trade data:
the other exporters of the product in the same year, grouped by region, ranked by the
volume they sell to others than the importer (what they could redirect). They become
``diversify_supplier`` measures (:func:`diversify_measures`).

Everything here is pure: the trade flows come from a knowledge base passed in (any object
with the three methods of :class:`TradeKB`), the table from an :class:`MRIO`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal, Protocol

import numpy as np

from econsec.errors import NotFoundError, UnknownNameError, ValidationError
from econsec.io_models.bea import N_, Note
from econsec.io_models.events import CapacityLoss, DiversifySupplier, ExportRestriction
from econsec.io_models.mrio import MRIO

__all__ = [
    "ICIO_YEAR", "NOTE_IDS", "CrosswalkRule", "ProductShock", "SectorPart", "SupplierOption",
    "TradeKB",
    "convert_product_capacity_loss", "convert_product_shock", "countries_of",
    "diversification_options", "diversify_measures", "hs_crosswalk", "icio_sector_for",
    "region_of",
]

#: The reference year of the bundled ICIO table.
ICIO_YEAR = 2022
CROSSWALK_FILE = "hs_to_icio_industry.csv"
REGION_MAPPING_FILE = "region_mapping_80_to_31.csv"
#: The table's region for economies outside the OECD table's 80.
REST = "ROW_OTH"
#: BACI's code for Taiwan ("Other Asia, nes").
BACI_TAIWAN = "S19"
METHOD = "econsec.io_models.product_shocks 1"
BACI_SOURCE = "CEPII BACI (HS92 1995-2024; HS17 2024 critical lines), value in thousand USD"

# --------------------------------------------------------------------------- texts

CONVERSION = N_(
    "%(product)s from %(exporter)s to %(importer)s: BACI %(year)s value %(baci_musd)s million "
    "USD over the ICIO 2022 flow of %(supplier)s to %(importer_region)s of %(icio_musd)s "
    "million USD = a share of %(raw_share)s; shock on %(supplier)s → %(importer_region)s = "
    "severity %(severity)s × %(share)s = %(fraction)s.")
CAPPED = N_(
    "%(product)s: the BACI value (%(baci_musd)s million USD) is above the ICIO flow of "
    "%(supplier)s to %(importer_region)s (%(icio_musd)s million USD), so the share is capped "
    "at 100 %%: the table's industry flow is smaller than the product's trade (BACI counts "
    "goods for final use and other years' prices; the table aggregates the industry).")
YEAR_MISMATCH = N_(
    "%(product)s: trade of %(year)s (BACI) is compared with the ICIO table of 2022 in "
    "current USD of each year; prices and volumes changed in between.")
OUTSIDE_TABLE = N_(
    "%(country)s is not one of the 80 economies of the OECD table (its flows were in the "
    "dropped rest of the world); it is counted in %(region)s.")
NO_TRADE = N_(
    "%(product)s: BACI records no trade from %(exporter)s to %(importer)s in %(year)s; "
    "nothing is cut.")
NO_FLOW = N_(
    "%(product)s: the ICIO table has no flow of %(supplier)s to %(importer_region)s; the "
    "product cannot be placed in the table and nothing is cut.")
CAPACITY = N_(
    "%(product)s from %(exporter)s: BACI %(year)s exports %(baci_musd)s million USD over the "
    "ICIO 2022 intermediate sales of %(supplier)s to other regions of %(icio_musd)s million "
    "USD = a share of %(raw_share)s; capacity lost = severity %(severity)s × %(share)s = "
    "%(fraction)s.")
DIVERSIFY = N_(
    "%(region)s exports %(spare_musd)s million USD of %(product)s (BACI %(year)s) to others "
    "than %(importer)s: it may replace up to %(share)s of the cut flows, its spare volume "
    "being %(capacity_share)s of the output of %(supplier)s.")

#: The message ids of the conversion notes (a page embeds their translations).
NOTE_IDS = (CONVERSION, CAPPED, YEAR_MISMATCH, OUTSIDE_TABLE, NO_TRADE, NO_FLOW, CAPACITY,
            DIVERSIFY)

# --------------------------------------------------------------------------- crosswalk


@dataclass(frozen=True)
class CrosswalkRule:
    """One row of ``hs_to_icio_industry.csv``: HS codes starting with ``prefix`` are made
    by ICIO industry ``sector`` (ISIC Rev.4 ``isic``), on the stated ``basis``."""

    prefix: str
    sector: str
    isic: str
    description: str
    basis: str


def _data_file(name: str) -> list[dict[str, str]]:
    """A CSV file of the bundled ICIO folder, as the table's own reader reads it."""
    from econsec.io_models.icio import _read_csv

    return _read_csv(name)


@lru_cache(maxsize=1)
def hs_crosswalk() -> tuple[CrosswalkRule, ...]:
    """The HS → ICIO industry crosswalk (bundled file, see docs/scenarios.md)."""
    return tuple(CrosswalkRule(r["hs_prefix"], r["icio_sector"], r["isic_rev4"],
                               r["description"], r["basis"])
                 for r in _data_file(CROSSWALK_FILE))


def icio_sector_for(hs_code: str) -> CrosswalkRule:
    """The crosswalk rule of ``hs_code``: the longest prefix that matches."""
    code = str(hs_code).strip()
    if not code.isdigit() or len(code) not in (2, 4, 6):
        raise ValidationError(f"HS code '{hs_code}' is not a 2-, 4- or 6-digit code")
    rules = [r for r in hs_crosswalk() if code.startswith(r.prefix)]
    if not rules:
        chapters = sorted({r.prefix[:2] for r in hs_crosswalk()})
        raise NotFoundError(f"HS code '{hs_code}' is not in the HS → ICIO industry crosswalk "
                            f"(chapters covered: {', '.join(chapters)}); name an industry "
                            "(sector) instead")
    return max(rules, key=lambda r: len(r.prefix))


@lru_cache(maxsize=1)
def _country_regions() -> dict[str, str]:
    out = {r["country"]: r["region"] for r in _data_file(REGION_MAPPING_FILE)}
    out[BACI_TAIWAN] = out.get("TWN", "TWN")
    return out


def region_of(country: str) -> tuple[str, bool]:
    """The table region of an ISO3 (or BACI) country code and whether the country is one
    of the 80 economies of the OECD table (False: counted in ``ROW_OTH``)."""
    code = country.strip().upper()
    mapping = _country_regions()
    if code in mapping:
        return mapping[code], True
    return REST, False


def countries_of(region: str) -> frozenset[str] | None:
    """The countries a region of the table stands for, or None for ``ROW_OTH`` (every
    country no other region names)."""
    if region == REST:
        return None
    return frozenset(c for c, r in _country_regions().items() if r == region)


def _is_region(name: str, mrio: MRIO) -> bool:
    return name in mrio.regions and name not in _country_regions()


# --------------------------------------------------------------------------- knowledge base


class TradeKB(Protocol):
    """What the conversion needs of a knowledge base (``econsec.kb.store.Store``)."""

    def product_flows(self, hs_code: str, *, hs_version: str | None = None,
                      importer: str | None = None, exporter: str | None = None,
                      year: int | None = None, years: Any = None) -> list[Any]: ...

    def commodity_products(self, item_id: str | None = None) -> list[Any]: ...

    def product_info(self, hs_code: str) -> Any: ...


def _get(row: Any, name: str) -> Any:
    return row[name] if isinstance(row, dict) else getattr(row, name)


def _products(kb: TradeKB, hs_code: str | Sequence[str] | None, commodity: str | None
              ) -> tuple[str, list[str]]:
    """(label, HS codes) of the product(s) or of the commodity (each code once; the
    knowledge base picks one HS edition per year, so no code is counted twice)."""
    if (hs_code is None) == (commodity is None):
        raise ValidationError("name a product by exactly one of hs_code and commodity")
    if hs_code is not None:
        codes = [hs_code] if isinstance(hs_code, str) else list(hs_code)
        if not codes:
            raise ValidationError("no HS code given")
        out = []
        for code in (str(c).strip() for c in codes):
            icio_sector_for(code)  # a malformed code or one outside the crosswalk fails here
            kb.product_info(code)  # an unknown code fails here, with close codes
            out.append(code)
        return "+".join(out), out
    rows = kb.commodity_products(commodity)
    codes = sorted({str(_get(row, "hs_code")) for row in rows})
    if not codes:
        raise NotFoundError(f"commodity '{commodity}' has no HS codes in the trade crosswalk")
    return str(commodity), codes


def _query(kb: TradeKB, code: str, year: int, seen: dict[str, str], **where: str | None
           ) -> list[Any]:
    """Flows of ``code`` in ``year`` (filters in ``where``), noting the HS edition used."""
    flows = kb.product_flows(code, year=year, **where)
    if flows:
        seen.setdefault(code, str(_get(flows[0], "hs_version") or ""))
    return flows


def _value_musd(flows: Iterable[Any], exporters: frozenset[str] | None,
                importers: frozenset[str] | None) -> float:
    """Sum of BACI values (thousand USD) of the flows between the country sets (None: any
    country not named by another region, see :func:`countries_of`), in million USD."""
    total = 0.0
    for f in flows:
        exp, imp = _code(_get(f, "exporter")), _code(_get(f, "importer"))
        if not _member(exp, exporters) or not _member(imp, importers):
            continue
        value = _get(f, "value")
        total += float(value or 0.0)
    return total / 1000.0


def _code(value: Any) -> str:
    return str(value or "").upper()


def _member(country: str, group: frozenset[str] | None) -> bool:
    if group is None:  # ROW_OTH: every country no region names
        return region_of(country)[0] == REST
    return country in group


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class SectorPart:
    """The conversion for one supplying industry (a commodity may span several)."""

    supplier: str  # "CHN/C20"
    sector: str
    hs_codes: tuple[str, ...]
    baci_value_musd: float
    icio_flow_musd: float
    raw_share: float  # BACI / ICIO, uncapped (inf when the table has no flow)
    share: float  # capped at 1
    fraction: float  # severity × share

    @property
    def capped(self) -> bool:
        return self.raw_share > 1.0

    def to_dict(self) -> dict[str, Any]:
        raw = self.raw_share if np.isfinite(self.raw_share) else None
        return {"supplier": self.supplier, "sector": self.sector,
                "hs_codes": list(self.hs_codes), "baci_value_musd": self.baci_value_musd,
                "icio_flow_musd": self.icio_flow_musd, "raw_share": raw,
                "share": self.share, "capped": self.capped, "fraction": self.fraction}


@dataclass(frozen=True)
class ProductShock:
    """A product restriction converted to industry-level shocks (see the module docstring).

    ``parts`` hold one conversion per supplying industry; the single-industry accessors
    (``supplier``, ``icio_flow_musd``, ``share``, ``fraction``) read the part with the
    largest trade value. ``events`` are ready for the simulator (none when nothing flows).
    """

    kind: Literal["export_restriction", "capacity_loss"]
    product: str
    hs_codes: tuple[tuple[str, str], ...]  # (code, HS version)
    exporter: str
    exporter_region: str
    importer: str | None
    importer_region: str | None
    severity: float
    year: int
    parts: tuple[SectorPart, ...]
    events: tuple[ExportRestriction | CapacityLoss, ...]
    notes: tuple[Note, ...] = ()
    icio_year: int = ICIO_YEAR
    sources: tuple[str, ...] = field(default=(BACI_SOURCE,))

    @property
    def main(self) -> SectorPart:
        return max(self.parts, key=lambda p: p.baci_value_musd)

    @property
    def supplier(self) -> str:
        return self.main.supplier

    @property
    def sector(self) -> str:
        return self.main.sector

    @property
    def baci_value_musd(self) -> float:
        return sum(p.baci_value_musd for p in self.parts)

    @property
    def icio_flow_musd(self) -> float:
        return self.main.icio_flow_musd

    @property
    def share(self) -> float:
        return self.main.share

    @property
    def fraction(self) -> float:
        return self.main.fraction

    @property
    def year_note(self) -> Note | None:
        return next((n for n in self.notes if n.id == YEAR_MISMATCH), None)

    def to_dict(self) -> dict[str, Any]:
        """The conversion as JSON (what every result that used it reports)."""
        return {
            "kind": self.kind, "product": self.product,
            "hs_codes": [{"hs": c, "hs_version": v} for c, v in self.hs_codes],
            "exporter": self.exporter, "exporter_region": self.exporter_region,
            "importer": self.importer, "importer_region": self.importer_region,
            "severity": self.severity, "year": self.year, "icio_year": self.icio_year,
            "baci_value_musd": self.baci_value_musd,
            "parts": [p.to_dict() for p in self.parts],
            "events": [e.model_dump(exclude_none=True) for e in self.events],
            "notes": [str(n) for n in self.notes],
            "note_texts": [{"id": n.id, "params": dict(n.params)} for n in self.notes],
            "sources": list(self.sources), "method": METHOD,
        }


# --------------------------------------------------------------------------- conversion


def _supplier_rows(mrio: MRIO, region: str, sector: str) -> int:
    return mrio.index(region, sector)


def _cols(mrio: MRIO, region: str) -> np.ndarray:
    S = len(mrio.sectors)
    r = mrio.region_index(region)
    return np.arange(r * S, (r + 1) * S)


def _place(name: str, mrio: MRIO, role: str) -> tuple[str, frozenset[str] | None, list[Note]]:
    """(table region, BACI countries, notes) of an exporter or importer given as an ISO3
    country or as a region of the table."""
    code = name.strip().upper()
    if not code:
        raise ValidationError(f"{role} is empty: give an ISO3 country or a region of the table")
    if _is_region(code, mrio) or code == REST:
        return code, countries_of(code), []
    if not (len(code) == 3 and code.isalnum()):
        raise UnknownNameError(name, [r for r in mrio.regions if r.startswith(code[:1])],
                               kind=role)
    region, inside = region_of(code)
    if region not in mrio.regions:
        raise UnknownNameError(region, list(mrio.regions), kind="region")
    notes = [] if inside else [Note(OUTSIDE_TABLE, {"country": code, "region": region})]
    return region, frozenset({code}), notes


def _members(countries: Sequence[str], region: str) -> tuple[frozenset[str], list[Note]]:
    """The countries as a set, each checked to lie in ``region``; notes for those outside
    the OECD table's 80 economies."""
    out: set[str] = set()
    notes: list[Note] = []
    for country in countries:
        code = country.strip().upper()
        where, inside = region_of(code)
        if where != region:
            raise ValidationError(f"country {code} is in region {where} of the table, not in "
                                  f"{region}")
        if not inside:
            notes.append(Note(OUTSIDE_TABLE, {"country": code, "region": where}))
        out.add(code)
    return frozenset(out), notes


def _check(severity: float, year: int) -> None:
    if not 0 < severity <= 1:
        raise ValidationError(f"severity {severity:g} is not a fraction in (0, 1] "
                              "(0.5 = half of the product's flow is cut)")
    if not 1995 <= year <= 2100:
        raise ValidationError(f"year {year} is outside the trade data (1995-2024)")


def _group_by_sector(codes: Sequence[str]) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for code in codes:
        groups.setdefault(icio_sector_for(code).sector, []).append(code)
    return groups


def convert_product_shock(kb: TradeKB, mrio: MRIO, *, hs_code: str | Sequence[str] | None,
                          commodity: str | None, exporter: str, importer: str,
                          severity: float, year: int = ICIO_YEAR, start_day: int = 0,
                          duration_days: int = 365, recovery_days: int = 0,
                          label: str | None = None,
                          exporter_countries: Sequence[str] | None = None) -> ProductShock:
    """An export restriction of a product (``hs_code``) or of every product of a commodity
    (``commodity``) from ``exporter`` to ``importer`` (ISO3 countries or regions of the
    table), cutting ``severity`` of the product's flow, as export restrictions of the
    supplying industries to the importer's region (see the module docstring). The events
    run from ``start_day`` for ``duration_days``. ``exporter_countries`` (ISO3 countries of
    the exporter's region) limit the trade counted to theirs."""
    _check(severity, year)
    label_text, codes = _products(kb, hs_code, commodity)
    seen: dict[str, str] = {}
    exp_region, exp_set, notes = _place(exporter, mrio, "exporter")
    if exporter_countries:
        exp_set, more = _members(exporter_countries, exp_region)
        notes += more
    imp_region, imp_set, imp_notes = _place(importer, mrio, "importer")
    notes += imp_notes
    if exp_region == imp_region:
        raise ValidationError(f"exporter {exporter} and importer {importer} are in the same "
                              f"region of the table ({exp_region}): the table has no flow "
                              "between them to cut")
    parts: list[SectorPart] = []
    events: list[ExportRestriction | CapacityLoss] = []
    cols = _cols(mrio, imp_region)
    for sector, group in _group_by_sector(codes).items():
        baci = 0.0
        for code in group:
            flows = _query(kb, code, year, seen, exporter=_single(exp_set),
                           importer=_single(imp_set))
            baci += _value_musd(flows, exp_set, imp_set)
        row = _supplier_rows(mrio, exp_region, sector)
        icio = float(mrio.Z[row, cols].sum())
        supplier = f"{exp_region}/{sector}"
        params: dict[str, str | int] = {
            "product": _describe(label_text, group), "exporter": exporter.upper(),
            "importer": importer.upper(), "supplier": supplier, "importer_region": imp_region,
            "year": year}
        if baci <= 0:
            notes.append(Note(NO_TRADE, params))
            parts.append(SectorPart(supplier, sector, _codes(group), 0.0, icio, 0.0, 0.0, 0.0))
            continue
        if icio <= 0:
            notes.append(Note(NO_FLOW, params))
            parts.append(SectorPart(supplier, sector, _codes(group), baci, 0.0, float("inf"),
                                    0.0, 0.0))
            continue
        raw = baci / icio
        share = min(raw, 1.0)
        fraction = severity * share
        part = SectorPart(supplier, sector, _codes(group), baci, icio, raw, share, fraction)
        parts.append(part)
        notes.append(Note(CONVERSION, {**params, **_figures(part, severity)}))
        if part.capped:
            notes.append(Note(CAPPED, {**params, **_figures(part, severity)}))
        events.append(ExportRestriction(
            label=label or f"{label_text} {exp_region}->{imp_region}", region=exp_region,
            sector=sector, to=[imp_region], share=round(fraction, 9), start_day=start_day,
            duration_days=duration_days, recovery_days=recovery_days))
    if year != ICIO_YEAR:
        notes.append(Note(YEAR_MISMATCH, {"product": label_text, "year": year}))
    return ProductShock("export_restriction", label_text, _editions(codes, seen),
                        exporter.upper(),
                        exp_region, importer.upper(), imp_region, severity, year,
                        tuple(parts), tuple(events), tuple(notes))


def convert_product_capacity_loss(kb: TradeKB, mrio: MRIO, *,
                                  hs_code: str | Sequence[str] | None,
                                  commodity: str | None, region: str, severity: float,
                                  year: int = ICIO_YEAR, start_day: int = 0,
                                  duration_days: int = 365, recovery_days: int = 0,
                                  label: str | None = None) -> ProductShock:
    """A loss of ``severity`` of a product's production in ``region`` (country or region
    of the table) as a capacity loss of the supplying industry: ``severity`` × the
    product's exports (BACI, to every country outside the region) over the industry's
    intermediate sales to other regions (ICIO 2022), capped at 1."""
    _check(severity, year)
    label_text, codes = _products(kb, hs_code, commodity)
    seen: dict[str, str] = {}
    reg, countries, notes = _place(region, mrio, "region")
    parts: list[SectorPart] = []
    events: list[ExportRestriction | CapacityLoss] = []
    S = len(mrio.sectors)
    own = _cols(mrio, reg)
    other = np.setdiff1d(np.arange(len(mrio.regions) * S), own)
    for sector, group in _group_by_sector(codes).items():
        baci = 0.0
        for code in group:
            flows = _query(kb, code, year, seen, exporter=_single(countries))
            baci += sum(float(_get(f, "value") or 0.0) for f in flows
                        if _member(_code(_get(f, "exporter")), countries)
                        and region_of(_code(_get(f, "importer")))[0] != reg) / 1000.0
        row = _supplier_rows(mrio, reg, sector)
        icio = float(mrio.Z[row, other].sum())
        supplier = f"{reg}/{sector}"
        params: dict[str, str | int] = {
            "product": _describe(label_text, group), "exporter": region.upper(),
            "importer": "", "supplier": supplier, "importer_region": "", "year": year}
        if baci <= 0 or icio <= 0:
            notes.append(Note(NO_TRADE if baci <= 0 else NO_FLOW, params))
            parts.append(SectorPart(supplier, sector, _codes(group), baci, icio,
                                    0.0 if baci <= 0 else float("inf"), 0.0, 0.0))
            continue
        raw = baci / icio
        share = min(raw, 1.0)
        part = SectorPart(supplier, sector, _codes(group), baci, icio, raw, share,
                          severity * share)
        parts.append(part)
        notes.append(Note(CAPACITY, {**params, **_figures(part, severity)}))
        if part.capped:
            notes.append(Note(CAPPED, {**params, **_figures(part, severity)}))
        events.append(CapacityLoss(
            label=label or f"{label_text} {reg}", region=reg, sector=sector,
            share=round(part.fraction, 9), start_day=start_day,
            duration_days=max(duration_days, 1), recovery_days=recovery_days))
    if year != ICIO_YEAR:
        notes.append(Note(YEAR_MISMATCH, {"product": label_text, "year": year}))
    return ProductShock("capacity_loss", label_text, _editions(codes, seen), region.upper(),
                        reg, None,
                        None, severity, year, tuple(parts), tuple(events), tuple(notes))


def _editions(codes: Sequence[str], seen: dict[str, str]) -> tuple[tuple[str, str], ...]:
    """(code, HS edition of its flows in the year; "" when none) of each code."""
    return tuple((code, seen.get(code, "")) for code in codes)


def _single(group: frozenset[str] | None) -> str | None:
    """The one country of ``group`` to filter the query by (None: filter afterwards)."""
    if group is not None and len(group) == 1:
        return next(iter(group))
    return None


def _codes(group: Sequence[str]) -> tuple[str, ...]:
    return tuple(group)


def _describe(label: str, group: Sequence[str]) -> str:
    codes = "+".join(group)
    return codes if label in (codes, group[0]) else f"{label} [{', '.join(group)}]"


def _figures(part: SectorPart, severity: float) -> dict[str, str | int]:
    return {"baci_musd": f"{part.baci_value_musd:,.1f}", "icio_musd": f"{part.icio_flow_musd:,.1f}",
            "raw_share": f"{part.raw_share:.2%}", "share": f"{part.share:.2%}",
            "severity": f"{severity:.0%}", "fraction": f"{part.fraction:.2%}"}


# --------------------------------------------------------------------------- diversification


@dataclass(frozen=True)
class SupplierOption:
    """Another supplier region of a product: its exports (BACI, million USD and tonnes) to
    the world and to the importer, and the spare volume (exports to others than the
    importer and the restricting exporter's region) it could redirect."""

    region: str
    countries: tuple[str, ...]  # its exporting countries, largest first
    exports_world_musd: float
    exports_to_importer_musd: float
    spare_musd: float
    spare_tonnes: float | None

    def to_dict(self) -> dict[str, Any]:
        return {"region": self.region, "countries": list(self.countries),
                "exports_world_musd": self.exports_world_musd,
                "exports_to_importer_musd": self.exports_to_importer_musd,
                "spare_musd": self.spare_musd, "spare_tonnes": self.spare_tonnes}


def diversification_options(kb: TradeKB, mrio: MRIO, *, hs_code: str | Sequence[str] | None,
                            commodity: str | None, exporter: str, importer: str,
                            year: int = ICIO_YEAR, top: int = 5) -> list[SupplierOption]:
    """Regions other than the exporter's and the importer's that export the product in
    ``year`` (BACI), ranked by spare volume: their exports to every country outside the
    importer's and the exporter's regions (what they sell to others and could redirect)."""
    if top < 1:
        raise ValidationError(f"top {top} must be at least 1")
    _, codes = _products(kb, hs_code, commodity)
    exp_region = _place(exporter, mrio, "exporter")[0]
    imp_region = _place(importer, mrio, "importer")[0]
    world: dict[str, float] = {}
    to_imp: dict[str, float] = {}
    spare: dict[str, float] = {}
    tonnes: dict[str, float] = {}
    by_country: dict[str, dict[str, float]] = {}
    for code in codes:
        for f in kb.product_flows(code, year=year):
            exp = _code(_get(f, "exporter"))
            reg = region_of(exp)[0]
            if reg in (exp_region, imp_region) or reg not in mrio.regions:
                continue
            value = float(_get(f, "value") or 0.0) / 1000.0
            dest = region_of(_code(_get(f, "importer")))[0]
            world[reg] = world.get(reg, 0.0) + value
            by_country.setdefault(reg, {})
            by_country[reg][exp] = by_country[reg].get(exp, 0.0) + value
            if dest == imp_region:
                to_imp[reg] = to_imp.get(reg, 0.0) + value
            elif dest not in (exp_region, reg):
                spare[reg] = spare.get(reg, 0.0) + value
                qty = _get(f, "quantity")
                if qty is not None and np.isfinite(float(qty)):
                    tonnes[reg] = tonnes.get(reg, 0.0) + float(qty)
    options = [SupplierOption(
        reg, tuple(c for c, _ in sorted(by_country[reg].items(), key=lambda kv: -kv[1])[:5]),
        world[reg], to_imp.get(reg, 0.0), spare.get(reg, 0.0), tonnes.get(reg))
        for reg in world if spare.get(reg, 0.0) > 0]
    options.sort(key=lambda o: (-o.spare_musd, o.region))
    return options[:top]


def diversify_measures(shock: ProductShock, options: Sequence[SupplierOption], mrio: MRIO, *,
                       start_day: int, ramp_days: int) -> tuple[list[DiversifySupplier],
                                                                 list[Note]]:
    """``diversify_supplier`` measures from the options: each alternative may replace up
    to its spare volume over the product value cut (at most all of the cut flows), with
    spare capacity = its spare volume over the supplying industry's output."""
    if shock.kind != "export_restriction" or not shock.events:
        return [], []
    part = shock.main
    cut = shock.severity * part.baci_value_musd
    out: list[DiversifySupplier] = []
    notes: list[Note] = []
    for option in options:
        i = mrio.index(option.region, part.sector)
        output = float(mrio.x[i])
        if output <= 0 or cut <= 0:
            continue
        share = min(1.0, option.spare_musd / cut)
        capacity = option.spare_musd / output
        out.append(DiversifySupplier(
            label=f"{option.region} replaces {shock.exporter_region} ({shock.product})",
            sector=part.sector, origin=shock.exporter_region, alternative=option.region,
            region=shock.importer_region, share=round(share, 9), start_day=start_day,
            ramp_days=ramp_days, max_capacity_increase=round(capacity, 9)))
        notes.append(Note(DIVERSIFY, {
            "region": option.region, "spare_musd": f"{option.spare_musd:,.1f}",
            "product": shock.product, "year": shock.year, "importer": shock.importer or "",
            "share": f"{share:.0%}", "capacity_share": f"{capacity:.3%}",
            "supplier": f"{option.region}/{part.sector}"}))
    return out, notes
