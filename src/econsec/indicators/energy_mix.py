"""Electricity generation mix and its trend, as pure functions.

Input: a country's generation by source in one year (``{source: TWh}``, Ember's source
names). Shares are of the generation from the reported sources. Groupings follow Ember:

- fossil: coal, gas, other fossil (oil and the rest);
- renewable: bioenergy, hydro, solar, wind, other renewables;
- low-carbon: renewable and nuclear;
- import-exposed (:data:`IMPORT_EXPOSED`): generation that burns or fissions a fuel
  bought on world markets (coal, gas, other fossil, nuclear). It is exposure to
  fuel-supply disruption for a country that imports these fuels (Japan imports
  nearly all of them); a fuel producer's own supply is not separated here.

A trend compares two years' mixes: the change of each share in percentage points
(``…_pp``, as fractions: 0.05 = 5 points) and the compound annual growth of total
generation.

>>> m = generation_mix(2023, {"Coal": 60.0, "Solar": 30.0, "Nuclear": 10.0})
>>> m.total_twh, m.fossil_share, m.low_carbon_share, m.import_exposed_share
(100.0, 0.6, 0.4, 0.7)
>>> a = generation_mix(2018, {"Coal": 80.0, "Solar": 20.0})
>>> c = mix_change(a, m)
>>> round(c.renewable_pp, 6), round(c.total_cagr, 6)
(0.1, 0.0)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from econsec.indicators.common import MethodInfo, check_number, invalid

FOSSIL = ("Coal", "Gas", "Other Fossil")
RENEWABLE = ("Bioenergy", "Hydro", "Solar", "Wind", "Other Renewables")
NUCLEAR = ("Nuclear",)
LOW_CARBON = (*RENEWABLE, *NUCLEAR)
IMPORT_EXPOSED = (*FOSSIL, *NUCLEAR)
KNOWN_SOURCES = (*FOSSIL, *NUCLEAR, *RENEWABLE)

METHOD = MethodInfo(
    "Electricity generation mix", "1",
    "Shares of reported generation by source; groupings as Ember (fossil: coal, gas, other "
    "fossil; renewable: bioenergy, hydro, solar, wind, other renewables; low-carbon: "
    "renewable and nuclear); import-exposed: coal, gas, other fossil and nuclear",
)


@dataclass(frozen=True)
class MixYear:
    """One year's generation mix: TWh and share by source and the grouped shares."""

    year: int
    total_twh: float
    twh: dict[str, float]
    shares: dict[str, float]
    fossil_share: float
    renewable_share: float
    low_carbon_share: float
    import_exposed_share: float


@dataclass(frozen=True)
class MixChange:
    """How the mix changed from ``start_year`` to ``end_year`` (shares in points as fractions)."""

    start_year: int
    end_year: int
    share_pp: dict[str, float]
    fossil_pp: float
    renewable_pp: float
    low_carbon_pp: float
    import_exposed_pp: float
    total_cagr: float | None  # None when the start year's total is zero


@dataclass(frozen=True)
class MixTrend:
    """A country's mix every year, the latest year and the long and recent changes."""

    years: list[MixYear]
    latest: MixYear
    long: MixChange | None  # baseline year (or the first year after it) → latest
    recent: MixChange | None  # ``recent_years`` before latest → latest
    method: MethodInfo = METHOD


def _share(parts: Mapping[str, float], names: Iterable[str], total: float) -> float:
    return sum(parts.get(n, 0.0) for n in names) / total if total else 0.0


def generation_mix(year: int, twh: Mapping[str, float]) -> MixYear:
    """The mix of one year's generation ``{source: TWh}`` (Ember's source names).

    Raises :class:`~econsec.errors.ValidationError` naming the source for an unknown
    source, a negative or non-finite value."""
    clean: dict[str, float] = {}
    for source, value in twh.items():
        if source not in KNOWN_SOURCES:
            raise invalid(f"twh[{source}]", f"unknown source (known: {', '.join(KNOWN_SOURCES)})")
        number = check_number(value, f"twh[{source}]")
        if number < 0:
            raise invalid(f"twh[{source}]", f"generation is negative ({number})")
        clean[source] = number
    total = sum(clean.values())
    shares = {s: (v / total if total else 0.0) for s, v in clean.items()}
    return MixYear(year, total, clean, shares, _share(clean, FOSSIL, total),
                   _share(clean, RENEWABLE, total), _share(clean, LOW_CARBON, total),
                   _share(clean, IMPORT_EXPOSED, total))


def mix_change(start: MixYear, end: MixYear) -> MixChange:
    """The change from ``start`` to ``end`` (a later year)."""
    if end.year <= start.year:
        raise invalid("end_year", f"must be after the start year {start.year} "
                      f"(got {end.year})")
    sources = sorted(set(start.shares) | set(end.shares))
    cagr = None
    if start.total_twh > 0:
        cagr = (end.total_twh / start.total_twh) ** (1 / (end.year - start.year)) - 1
    return MixChange(
        start.year, end.year,
        {s: end.shares.get(s, 0.0) - start.shares.get(s, 0.0) for s in sources},
        end.fossil_share - start.fossil_share,
        end.renewable_share - start.renewable_share,
        end.low_carbon_share - start.low_carbon_share,
        end.import_exposed_share - start.import_exposed_share,
        cagr,
    )


def mix_trend(series: Mapping[int, Mapping[str, float]], *, baseline: int = 2000,
              recent_years: int = 5, latest: int | None = None) -> MixTrend:
    """The mix of every year of ``series`` (``{year: {source: TWh}}``) up to ``latest``
    (default: the last year with generation), the change from ``baseline`` (or the first
    year after it) to ``latest`` and from ``latest - recent_years`` to ``latest``.

    Years with no generation at all are left out. Raises ``ValidationError`` for an
    empty series, ``recent_years`` below 1 or a ``latest`` year without data."""
    if recent_years < 1:
        raise invalid("recent_years", f"must be at least 1 (got {recent_years})")
    mixes = {y: generation_mix(y, twh) for y, twh in sorted(series.items())}
    mixes = {y: m for y, m in mixes.items() if m.total_twh > 0}
    if not mixes:
        raise invalid("series", "no year with generation")
    if latest is None:
        latest = max(mixes)
    if latest not in mixes:
        raise invalid("latest", f"no generation in {latest} (years: {min(mixes)}-{max(mixes)})")
    years = [m for y, m in mixes.items() if y <= latest]
    end = mixes[latest]
    first = next((m for m in years if m.year >= baseline), None)
    long = mix_change(first, end) if first is not None and first.year < latest else None
    start = mixes.get(latest - recent_years)
    recent = mix_change(start, end) if start is not None else None
    return MixTrend(years, end, long, recent)
