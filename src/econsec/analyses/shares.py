"""Country shares and concentration of one commodity (``econsec shares``).

JSON shape (stable): ``commodity, commodity_name, commodity_name_ja, measure, year, unit,
basis, basis_note, total, published_world_total, hhi, shares: [{iso3, country, country_ja,
value, share}], aggregates, sources, other_sources, withheld: [{iso3, country, country_ja}]``.
``total`` is the denominator of the shares; ``withheld`` lists producers whose value the
publisher withheld ("W"): they are not in ``shares`` but are producers all the same.
Shares are fractions, largest first.
"""

from __future__ import annotations

from typing import Any

from econsec.analyses.observations import select_observations
from econsec.analyses.provenance import source_dicts
from econsec.errors import DataFormatError, NotFoundError, ValidationError
from econsec.i18n.terms import NO_WORLD_TOTAL, WORLD_TOTAL_BELOW_REPORTED
from econsec.indicators.concentration import WORLD_TOTAL_TOLERANCE, market_shares
from econsec.records import Measure

SHARE_MEASURES = (Measure.PRODUCTION, Measure.REFINERY, Measure.CAPACITY, Measure.RESERVES)
BASES = ("world-total", "reported")


def is_world_total(label: str) -> bool:
    """True for USGS's "World total" / "World total (rounded)" rows."""
    return label.strip().lower().startswith("world total")


def commodity_shares(
    store: Any,
    commodity: str,
    *,
    measure: str = "production",
    year: int | None = None,
    basis: str = "world-total",
    source: str | None = None,
) -> dict[str, Any]:
    """Shares of each country in ``commodity``'s ``measure`` in ``year`` and the HHI.

    ``basis="world-total"`` divides by the published world total (USGS "World total
    (rounded)"); ``basis="reported"`` divides by the sum of the reported countries. Where no
    world total is published the reported basis is used and ``basis_note`` says so.
    Observations come from one data set (see :mod:`econsec.analyses.observations`):
    ``source`` names it, otherwise the most complete; ``other_sources`` lists the rest.
    """
    if measure not in {m.value for m in SHARE_MEASURES}:
        raise ValidationError(
            f"unknown measure '{measure}'; choose one of "
            + ", ".join(m.value for m in SHARE_MEASURES)
        )
    if basis not in BASES:
        raise ValidationError(f"unknown basis '{basis}'; choose one of {', '.join(BASES)}")
    item = store.find_item(commodity)
    years = store.years(item.id, measure)
    if not years:
        raise NotFoundError(f"no {measure} data for {item.id}")
    if year is None:
        year = max(years)
    elif year not in years:
        raise NotFoundError(
            f"no {measure} data for {item.id} in {year}; years available: "
            + ", ".join(str(y) for y in sorted(years))
        )
    selection = select_observations(
        store.observations(item.id, measure=measure, year=year), store.sources(),
        source_key=source,
    )
    observations = selection.observations
    countries = {c.iso3: c for c in store.countries()}
    values: dict[str, float | None] = {}
    aggregates = []
    withheld: list[str] = []
    world_total = None
    units = set()
    for obs in observations:
        units.add(obs.unit)
        if obs.is_aggregate or obs.iso3 is None:
            aggregates.append({"label": obs.area, "value": obs.value,
                               "estimate": obs.is_estimate})
            if is_world_total(obs.area) and obs.value is not None:
                if world_total is not None:
                    raise DataFormatError(
                        f"{item.id} {measure} {year}: two world totals in source "
                        f"'{obs.source_key}' ({world_total:g} and {obs.value:g})"
                    )
                world_total = obs.value
            continue
        if obs.value is not None:
            values[obs.iso3] = values.get(obs.iso3, 0.0) + obs.value
        elif obs.withheld and obs.iso3 not in withheld:
            withheld.append(obs.iso3)
    basis_used, note = basis, ""
    reported_sum = sum(v for v in values.values() if v is not None)
    if basis == "world-total" and world_total is None:
        basis_used, note = "reported", NO_WORLD_TOTAL
    elif basis == "world-total" and reported_sum > world_total * (1.0 + WORLD_TOTAL_TOLERANCE):
        basis_used, note = "reported", WORLD_TOTAL_BELOW_REPORTED
    result = market_shares(values, total=world_total if basis_used == "world-total" else None)
    rows = []
    for iso3, share in result.shares:
        country = countries.get(iso3)
        rows.append({
            "iso3": iso3,
            "country": country.name_en if country else iso3,
            "country_ja": country.name_ja if country else iso3,
            "value": values[iso3],
            "share": share,
        })
    source_keys = sorted({o.source_key for o in observations})
    return {
        "commodity": item.id,
        "commodity_name": item.name_en,
        "commodity_name_ja": item.name_ja,
        "measure": measure,
        "year": year,
        "unit": "; ".join(sorted(u for u in units if u)),
        "basis": basis_used,
        "basis_note": note,
        "total": result.denominator,
        "published_world_total": world_total,
        "hhi": result.hhi,
        "shares": rows,
        "aggregates": aggregates,
        "sources": source_dicts(store.sources(source_keys)),
        "other_sources": selection.alternatives,
        "withheld": [
            {"iso3": c, "country": countries[c].name_en if c in countries else c,
             "country_ja": countries[c].name_ja if c in countries else c}
            for c in withheld if c not in values
        ],
    }
