"""Country shares and concentration of one commodity (``econsec shares``).

JSON shape (stable): ``commodity, commodity_name, commodity_name_ja, measure, year, unit,
basis, basis_note, total, published_world_total, hhi, shares: [{iso3, country, country_ja,
value, share}], aggregates, sources, other_sources, withheld: [{iso3, country, country_ja}]``.
``total`` is the denominator of the shares; ``withheld`` lists producers whose value the
publisher withheld ("W"): they are not in ``shares`` but are producers all the same.
Shares are fractions, largest first.

:func:`year_shares` is the one rule for the shares of any year: the headline, the yearly
series of the commodity profile (and so the home share by year the lenses look at) and the
report all call it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from econsec.analyses.models import Aggregate, ShareRow, Shares, Withheld
from econsec.analyses.observations import select_observations
from econsec.analyses.provenance import source_infos
from econsec.errors import DataFormatError, NotFoundError, ValidationError
from econsec.i18n.terms import NO_WORLD_TOTAL, WORLD_TOTAL_BELOW_REPORTED
from econsec.indicators.common import safe_sum
from econsec.indicators.concentration import WORLD_TOTAL_TOLERANCE, SharesResult, market_shares
from econsec.kb.protocol import KnowledgeBase
from econsec.records import Measure, Observation

SHARE_MEASURES = (Measure.PRODUCTION, Measure.REFINERY, Measure.CAPACITY, Measure.RESERVES)
BASES = ("world-total", "reported")


def is_world_total(label: str) -> bool:
    """True for USGS's "World total" / "World total (rounded)" rows."""
    return label.strip().lower().startswith("world total")


@dataclass(frozen=True)
class YearShares:
    """The shares of one (item, measure, year) from one data set's observations.

    ``basis`` is the basis used (``"reported"`` where the world-total basis was asked for
    but no usable world total is published; ``basis_note`` says why); ``values`` sums the
    rows of each country; ``withheld`` lists producers without a value ("W");
    ``result`` holds the shares and HHI.
    """

    year: int
    basis: str
    basis_note: str
    values: dict[str, float]
    withheld: tuple[str, ...]
    world_total: float | None
    aggregates: tuple[Aggregate, ...]
    units: tuple[str, ...]
    result: SharesResult

    def share(self, iso3: str) -> float:
        """``iso3``'s share (0 when it reports nothing)."""
        return self.result.share(iso3)


def year_shares(
    observations: Iterable[Observation], *, basis: str = "world-total", label: str = ""
) -> YearShares:
    """Shares of the countries in ``observations`` (one item, measure, year and data set).

    Denominator rule: ``basis="world-total"`` divides by the published world total (USGS
    "World total (rounded)"); where none is published, or where it is smaller than the
    sum of the reported countries by more than the rounding tolerance (a slip in the
    source: MCS 2025 prints 4,400 for a kaolin world total of 44,400), the reported sum is
    used and ``basis_note`` says so. ``basis="reported"`` divides by the sum of the
    reported countries. Withheld producers ("W") have no value and stay out of the shares.
    ``label`` names the series in errors.

    Raises :class:`~econsec.errors.ValidationError` when no country reports a positive
    value and :class:`~econsec.errors.DataFormatError` when the data set publishes two
    world totals.
    """
    if basis not in BASES:
        raise ValidationError(f"unknown basis '{basis}'; choose one of {', '.join(BASES)}")
    values: dict[str, float] = {}
    aggregates: list[Aggregate] = []
    withheld: list[str] = []
    world_total = None
    units: set[str] = set()
    year = 0
    for obs in observations:
        year = obs.year
        units.add(obs.unit)
        if obs.is_aggregate or obs.iso3 is None:
            aggregates.append(Aggregate(label=obs.area, value=obs.value,
                                        estimate=obs.is_estimate))
            if is_world_total(obs.area) and obs.value is not None:
                if world_total is not None:
                    raise DataFormatError(
                        f"{label or obs.item_id} {year}: two world totals in source "
                        f"'{obs.source_key}' ({world_total:g} and {obs.value:g})"
                    )
                world_total = obs.value
            continue
        if obs.value is not None:
            # a country can report several rows (USGS helium: natural gas and Cliffside)
            values[obs.iso3] = safe_sum([values.get(obs.iso3, 0.0), obs.value])
        elif obs.withheld and obs.iso3 not in withheld:
            withheld.append(obs.iso3)
    basis_used, note = basis, ""
    if basis == "world-total" and world_total is None:
        basis_used, note = "reported", NO_WORLD_TOTAL
    elif basis == "world-total" and world_total is not None and _below_reported(
            world_total, values.values()):
        basis_used, note = "reported", WORLD_TOTAL_BELOW_REPORTED
    result = market_shares(values, total=world_total if basis_used == "world-total" else None)
    return YearShares(
        year=year, basis=basis_used, basis_note=note, values=values,
        withheld=tuple(c for c in withheld if c not in values), world_total=world_total,
        aggregates=tuple(aggregates), units=tuple(sorted(u for u in units if u)),
        result=result,
    )


def _below_reported(world_total: float, values: Iterable[float]) -> bool:
    """True when the reported values add up to more than the world total (beyond the
    rounding tolerance); overflow-safe."""
    values = list(values)
    largest = max(values, default=0.0)
    if world_total <= 0:
        return bool(values) and largest > 0
    # compare Σ v / W with 1 + tolerance without forming Σ v (it may exceed the float range)
    return safe_sum(v / world_total for v in values) > 1.0 + WORLD_TOTAL_TOLERANCE


def commodity_shares(
    kb: KnowledgeBase,
    commodity: str,
    *,
    measure: str = "production",
    year: int | None = None,
    basis: str = "world-total",
    source: str | None = None,
) -> Shares:
    """Shares of each country in ``commodity``'s ``measure`` in ``year`` and the HHI.

    The denominator rule is :func:`year_shares`'s. Observations come from one data set
    (see :mod:`econsec.analyses.observations`): ``source`` names it, otherwise the most
    complete; ``other_sources`` lists the rest.
    """
    if measure not in {m.value for m in SHARE_MEASURES}:
        raise ValidationError(
            f"unknown measure '{measure}'; choose one of "
            + ", ".join(m.value for m in SHARE_MEASURES)
        )
    if basis not in BASES:
        raise ValidationError(f"unknown basis '{basis}'; choose one of {', '.join(BASES)}")
    item = kb.find_item(commodity)
    years = kb.years(item.id, measure)
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
        kb.observations(item.id, measure=measure, year=year), kb.sources(),
        source_key=source,
    )
    observations = selection.observations
    ys = year_shares(observations, basis=basis, label=f"{item.id} {measure}")
    countries = {c.iso3: c for c in kb.countries()}

    def names(iso3: str) -> tuple[str, str]:
        country = countries.get(iso3)
        return (country.name_en, country.name_ja) if country else (iso3, iso3)

    rows = [ShareRow(iso3=iso3, country=names(iso3)[0], country_ja=names(iso3)[1],
                     value=ys.values[iso3], share=share)
            for iso3, share in ys.result.shares]
    source_keys = sorted({o.source_key for o in observations})
    return Shares(
        commodity=item.id,
        commodity_name=item.name_en,
        commodity_name_ja=item.name_ja,
        measure=measure,
        year=year,
        unit="; ".join(ys.units),
        basis=ys.basis,
        basis_note=ys.basis_note,
        total=ys.result.denominator,
        published_world_total=ys.world_total,
        hhi=ys.result.hhi,
        shares=rows,
        aggregates=list(ys.aggregates),
        sources=source_infos(kb.sources(source_keys)),
        other_sources=selection.alternatives,
        withheld=[Withheld(iso3=c, country=names(c)[0], country_ja=names(c)[1])
                  for c in ys.withheld],
    )
