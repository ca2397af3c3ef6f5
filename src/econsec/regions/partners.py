"""Who could replace a supplier: candidates ranked by capacity and risk
(``econsec partners``, ``GET /api/v1/partners``, ``/regions/partners``).

For the HS codes of a dependency (or the codes an item links to), the year, the home
country H and the country replaced R, every other exporter c in BACI that year has:

- capacity = its exports of the codes to every country other than H and R (what it sells to
  others and could redirect; thousand USD, and tonnes where BACI has quantities);
- cover = min(1, capacity / gap), gap = R's exports of the codes to H;
- production and reserves of the linked commodity (USGS; evidence, not in the score);
- governance risk G = scaled WGI / 10 (EU CRM convention; a country without WGI gets the
  midpoint 0.5);
- route risk S = min(1, expected chokepoints on its typical sea routes to H / 3) (the
  curated sea-lane graph; a country without a seaport: 0.5, overland transit not modelled);
- concentration risk C = its share of H's imports of the codes after it has taken over
  min(capacity, gap) of R's flow.

risk = 0.5·G + 0.3·S + 0.2·C; score = 100 · cover · (1 − risk). Ties: larger capacity first.
This is the country-level counterpart of
:func:`econsec.io_models.product_shocks.diversification_options`, which ranks the MRIO's
regions by the same "exports to others" capacity for a scenario; that one needs the MRIO and
aggregates countries into regions, so it does not serve here.
"""

from __future__ import annotations

from collections.abc import Sequence

from econsec.analyses.governance import MISSING_WGI, scaled_wgi
from econsec.analyses.provenance import source_infos
from econsec.analyses.trade import normalise_hs
from econsec.datasets.maritime import CHOKEPOINTS_SOURCE, LANES_SOURCE, PORTS_SOURCE
from econsec.errors import NotFoundError, UnknownProductError, ValidationError
from econsec.i18n.terms import N_
from econsec.kb.protocol import KnowledgeBase
from econsec.records import Observation, TradeFlow
from econsec.regions.models import ChokepointRef, PartnerRanking, PartnerRow, PartnerWeights
from econsec.regions.profile import sources_of
from econsec.regions.sea_lanes import SeaLaneGraph, sea_lanes

WEIGHTS = PartnerWeights(governance=0.5, route=0.3, concentration=0.2, route_saturation=3.0)
FORMULA = N_("score = 100 × cover × (1 − risk); cover = min(1, capacity / gap); "
           "risk = 0.5 × G + 0.3 × S + 0.2 × C; G = scaled WGI / 10; "
           "S = min(1, expected chokepoints / 3); C = share of the home's imports after "
           "taking over min(capacity, gap)")
#: Route risk of a country without a seaport in the WPI.
NO_PORT_ROUTE_RISK = 0.5


def item_codes(kb: KnowledgeBase, item: str) -> tuple[str, list[str]]:
    """(item id, its HS codes with trade data)."""
    found = kb.find_item(item)
    codes = sorted({p.hs_code for p in kb.commodity_products(found.id)})
    if not codes:
        raise NotFoundError("no HS code with trade data is linked to item '%(item)s'",
                            params={"item": found.id})
    return found.id, codes


def _flows(kb: KnowledgeBase, codes: Sequence[str], year: int | None, home: str
           ) -> tuple[int, list[TradeFlow]]:
    """The year (default: the latest in which the home country imports any of the codes)
    and that year's flows of the codes, each code in the edition of its longest series (the
    store's rule). An unknown code raises :class:`~econsec.errors.UnknownProductError`."""
    traded = {p.hs_code for p in kb.trade_products()}
    for code in codes:
        if code not in traded:
            close = sorted(c for c in traded if c[:4] == code[:4])[:5]
            raise UnknownProductError(code, close)
    versions = sorted({kb.product_info(code).hs_version for code in codes})
    if year is None:
        years = sorted({r[2] for r in kb.product_flow_rows(codes, versions, (1900, 2100),
                                                           importer=home)})
        if not years:
            raise NotFoundError("%(home)s imports none of HS %(codes)s in the trade data",
                                params={"home": home, "codes": ", ".join(codes)})
        year = years[-1]
    rows = kb.product_flow_rows(codes, versions, (year, year))
    if not rows:
        raise ValidationError("no trade data for HS %(codes)s in %(year)s",
                              params={"codes": ", ".join(codes), "year": year})
    return year, [TradeFlow(item_id=None, exporter=exp, importer=imp, year=y, source_key=src,
                            value=value, quantity=qty, unit="thousand USD", hs_code=code,
                            hs_version=version)
                  for code, version, y, exp, imp, value, qty, src in rows]


def _latest(rows: Sequence[Observation], iso3: str
            ) -> tuple[float | None, str, int | None, float | None]:
    """(value, unit, year, share of the countries' reported total) of the latest year."""
    if not rows:
        return None, "", None, None
    year = max(o.year for o in rows)
    this = [o for o in rows if o.year == year]
    own = next((o for o in this if o.iso3 == iso3), None)
    total = sum(float(o.value or 0.0) for o in this)
    if own is None or own.value is None:
        return None, this[0].unit, year, None
    return float(own.value), own.unit, year, (float(own.value) / total if total else None)


def partner_ranking(kb: KnowledgeBase, *, replace: str, hs: Sequence[str] | None = None,
                    item: str | None = None, home: str = "JPN", year: int | None = None,
                    top: int = 10, sea: SeaLaneGraph | None = None) -> PartnerRanking:
    """Candidates that could replace ``replace`` as ``home``'s supplier of the HS codes
    ``hs`` or of ``item``'s codes (exactly one), in ``year`` (default: the latest with
    data). Raises :class:`~econsec.errors.UnknownCountryError`,
    :class:`~econsec.errors.UnknownProductError` (an HS code without trade data) or
    :class:`~econsec.errors.ValidationError` (bad code, year or top)."""
    if (hs is None or not list(hs)) == (item is None):
        raise ValidationError("name the dependency with either HS codes (hs) or an item "
                              "(item), not both and not neither")
    if not 1 <= top <= 200:
        raise ValidationError("top %(top)s must be between 1 and 200", params={"top": top})
    item_id: str | None = None
    if item is not None:
        item_id, codes = item_codes(kb, item)
    else:
        codes = sorted({normalise_hs(c) for c in (hs or [])})
    home_iso3 = kb.resolve_country(home)
    replaced = kb.resolve_country(replace)
    if replaced == home_iso3:
        raise ValidationError("the country replaced (%(iso3)s) is the home country",
                              params={"iso3": replaced})
    year, flows = _flows(kb, codes, year, home_iso3)
    versions = sorted({f.hs_version or "" for f in flows})
    if item_id is None:
        linked = sorted({p.item_id for c in codes for p in kb.commodity_products()
                         if p.hs_code == c})
        commodity = linked[0] if len(linked) == 1 else None
    else:
        commodity = item_id
    total: dict[str, float] = {}
    to_home: dict[str, float] = {}
    to_replaced: dict[str, float] = {}
    tonnes: dict[str, float] = {}
    home_imports = 0.0
    gap = 0.0
    for f in flows:
        exp, imp, value = f.exporter, f.importer, float(f.value or 0.0)
        if exp is None:
            continue
        if imp == home_iso3:
            home_imports += value
        if exp == replaced and imp == home_iso3:
            gap += value
        if exp in (home_iso3, replaced):
            continue
        total[exp] = total.get(exp, 0.0) + value
        if imp == home_iso3:
            to_home[exp] = to_home.get(exp, 0.0) + value
        elif imp == replaced:
            to_replaced[exp] = to_replaced.get(exp, 0.0) + value
        elif f.quantity is not None:
            tonnes[exp] = tonnes.get(exp, 0.0) + float(f.quantity)
    known = {c.iso3: c for c in kb.countries()}
    wgi = scaled_wgi(kb)
    observed = {m: ([o for o in kb.observations(commodity, m, include_aggregates=False)
                     if o.value is not None and o.iso3] if commodity else [])
                for m in ("production", "reserves")}
    sea = sea or sea_lanes()
    rows: list[PartnerRow] = []
    notes: list[str] = []
    for exp in sorted(total):
        if exp not in known:
            notes.append(f"{exp}: not a country of the knowledge base (left out)")
            continue
        capacity = total[exp] - to_home.get(exp, 0.0) - to_replaced.get(exp, 0.0)
        if capacity <= 0:
            continue
        cover = min(1.0, capacity / gap) if gap > 0 else 1.0
        g = wgi.get(exp)
        g_risk = (g if g is not None else MISSING_WGI) / 10
        route = sea.route(exp, home_iso3)
        if route.routes:
            expected: float | None = route.expected_chokepoints
            s_risk = min(1.0, route.expected_chokepoints / WEIGHTS.route_saturation)
        else:
            expected, s_risk = None, NO_PORT_ROUTE_RISK
        after = ((to_home.get(exp, 0.0) + min(capacity, gap)) / (home_imports + 0.0)
                 if home_imports > 0 else 0.0)
        c_risk = min(1.0, after)
        risk = (WEIGHTS.governance * g_risk + WEIGHTS.route * s_risk
                + WEIGHTS.concentration * c_risk)
        prod, prod_unit, prod_year, prod_share = _latest(observed["production"], exp)
        res, res_unit, res_year, _ = _latest(observed["reserves"], exp)
        c = known[exp]
        rows.append(PartnerRow(
            rank=0, iso3=exp, name_en=c.name_en, name_ja=c.name_ja,
            exports_total_kusd=total[exp], exports_to_home_kusd=to_home.get(exp, 0.0),
            exports_to_replaced_kusd=to_replaced.get(exp, 0.0), capacity_kusd=capacity,
            capacity_t=tonnes.get(exp), cover=cover, production=prod,
            production_unit=prod_unit, production_year=prod_year, production_share=prod_share,
            reserves=res, reserves_unit=res_unit, reserves_year=res_year,
            wgi_scaled=g, governance_risk=g_risk, expected_chokepoints=expected,
            chokepoints=[ChokepointRef(id=k, name_en=sea.chokepoints[k].name,
                                       name_ja=sea.chokepoints[k].name_ja, share=v)
                         for k, v in route.chokepoint_shares.items()],
            route_risk=s_risk, share_after=after, concentration_risk=c_risk, risk=risk,
            score=round(100 * cover * (1 - risk), 2)))
    rows.sort(key=lambda r: (-r.score, -r.capacity_kusd, r.iso3))
    ranked = [r.model_copy(update={"rank": i}) for i, r in enumerate(rows[:top], start=1)]
    h, rp = known[home_iso3], known[replaced]
    wgi_keys = sorted({g.source_key for g in kb.governance_scores(home_iso3)})
    keys = [*sorted({f.source_key for f in flows}), *wgi_keys, PORTS_SOURCE,
            CHOKEPOINTS_SOURCE, LANES_SOURCE]
    if commodity is not None:
        keys += sorted({o.source_key for o in kb.observations(commodity, "production")})
    if gap <= 0:
        notes.insert(0, f"{replaced} exported none of these codes to {home_iso3} in {year}: "
                        "every candidate's cover is 1")
    return PartnerRanking(
        home=home_iso3, home_name_en=h.name_en, home_name_ja=h.name_ja, replace=replaced,
        replace_name_en=rp.name_en, replace_name_ja=rp.name_ja, hs_codes=list(codes),
        hs_version="/".join(v for v in versions if v), item=item_id, year=year, gap_kusd=gap,
        home_imports_kusd=home_imports, formula=FORMULA, weights=WEIGHTS,
        candidates=len(rows), rows=ranked, notes=notes,
        sources=source_infos(sources_of(kb, keys)))
