r"""Technology indicators: a country's world share, rank and trend in one series of counts
(patents, articles, top-1 % cited articles), and the two technology lenses.

Pure functions on plain mappings: ``values`` maps a country (ISO alpha-3) to
``{year: count}`` and ``world`` maps a year to the world count (the publisher's ``World``
row). A count of ``None`` (or a year that is absent) is **missing**: it is never read as 0.

- World share :math:`s_c(y) = v_c(y) / W(y)`; missing when either is missing or
  :math:`W(y) \le 0`.
- Rank among the countries with a value that year: :math:`1 + \#\{k : v_k(y) > v_c(y)\}`
  (ties share a rank); regions and offices are not in ``values``.
- Trend over a window of :math:`N` years ending at the latest year :math:`y_1` where the
  country's share is known: the start :math:`y_0` is :math:`y_1 - N` when its share is
  known, else the first year after it, within the window, where it is (the span actually
  used is reported); share change :math:`s_c(y_1) - s_c(y_0)` in share points (fractions)
  and the compound annual growth rate of the count
  :math:`(v_c(y_1)/v_c(y_0))^{1/(y_1-y_0)} - 1` (missing when :math:`v_c(y_0) = 0`).
  Years of the window without a value are listed.

The lenses (:func:`technology_lenses`) flag a field for the **domestic advantage** lens
when, in some indicator, the country's share is at least
:attr:`TechnologyThresholds.advantage_share` or its rank at most
:attr:`TechnologyThresholds.advantage_rank` with a share of at least
:attr:`TechnologyThresholds.advantage_rank_min_share`; for the **disruptive innovation**
lens when the share rose by at least :attr:`TechnologyThresholds.share_growth` points over
the window. Every flag carries its reasons (indicator, value, threshold).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from econsec.indicators.common import MethodInfo, check_fraction, invalid

METHOD = MethodInfo(
    name="technology position (world share, rank, trend)",
    version="1",
    reference="econsec methods, technology (NSF NCSES Science & Engineering Indicators tables)",
)

Series = Mapping[int, float | None]


@dataclass(frozen=True)
class TechnologyThresholds:
    """Thresholds of the technology lenses (shares as fractions) and the trend window.

    Attributes
    ----------
    window : int, default 5
        Years of the trend window (share change and CAGR from ``last − window`` to the
        last year with a value).
    advantage_share : float, default 0.15
        Domestic advantage: the country holds at least this world share in an indicator ...
    advantage_rank : int, default 2
        ... or ranks at or above (≤) this among the countries of the table ...
    advantage_rank_min_share : float, default 0.10
        ... with at least this share (second place with 3 % is not an advantage).
    share_growth : float, default 0.02
        Disruptive innovation: the world share rose by at least this many share points
        (0.02 = 2 points) over the window.
    """

    window: int = 5
    advantage_share: float = 0.15
    advantage_rank: int = 2
    advantage_rank_min_share: float = 0.10
    share_growth: float = 0.02

    def __post_init__(self) -> None:
        if isinstance(self.window, bool) or not isinstance(self.window, int) or not (
                1 <= self.window <= 30):
            raise invalid("window", f"must be a whole number of years from 1 to 30, got "
                          f"{self.window!r}")
        if self.advantage_rank < 1:
            raise invalid("advantage_rank", f"must be at least 1, got {self.advantage_rank}")
        for name in ("advantage_share", "advantage_rank_min_share", "share_growth"):
            check_fraction(getattr(self, name), name, what="threshold")

    def to_dict(self) -> dict[str, object]:
        """JSON-ready dictionary."""
        return {"window": self.window, "advantage_share": self.advantage_share,
                "advantage_rank": self.advantage_rank,
                "advantage_rank_min_share": self.advantage_rank_min_share,
                "share_growth": self.share_growth}


@dataclass(frozen=True)
class Trend:
    """Share change and count CAGR between ``start_year`` and ``end_year``."""

    start_year: int
    end_year: int
    share_start: float
    share_end: float
    change: float
    cagr: float | None
    missing_years: tuple[int, ...] = ()


@dataclass(frozen=True)
class Position:
    """A country's position in one series in its latest year with a known share."""

    iso3: str
    year: int | None
    value: float | None
    world: float | None
    share: float | None
    rank: int | None
    countries_ranked: int
    trend: Trend | None
    #: Why a figure is missing (no value, no world total, too short a series); else "".
    note: str = ""
    method: MethodInfo = field(default=METHOD)


def _known(x: float | None) -> bool:
    return x is not None and math.isfinite(x)


def world_share(values: Mapping[str, Series], world: Series, iso3: str,
                year: int) -> float | None:
    """``values[iso3][year] / world[year]``; None when either is missing or the world ≤ 0.

    >>> world_share({"JPN": {2022: 25.0}}, {2022: 100.0}, "JPN", 2022)
    0.25
    >>> world_share({"JPN": {2022: None}}, {2022: 100.0}, "JPN", 2022) is None
    True
    """
    v = values.get(iso3, {}).get(year)
    w = world.get(year)
    if not _known(v) or not _known(w) or w is None or v is None or w <= 0:
        return None
    if v < 0:
        raise invalid(f"values[{iso3}][{year}]", f"count must not be negative, got {v:g}")
    return v / w


def rank(values: Mapping[str, Series], iso3: str, year: int) -> tuple[int | None, int]:
    """(rank of ``iso3`` in ``year``, number of countries with a value that year).

    >>> rank({"USA": {2022: 9.0}, "JPN": {2022: 5.0}, "CHN": {2022: 5.0}}, "CHN", 2022)
    (2, 3)
    """
    known = {c: v for c, s in values.items() if _known(v := s.get(year))}
    own = known.get(iso3)
    if own is None:
        return None, len(known)
    return 1 + sum(1 for v in known.values() if v is not None and v > own), len(known)


def share_trend(values: Mapping[str, Series], world: Series, iso3: str, window: int,
                end_year: int | None = None) -> Trend | None:
    """The share change and count CAGR of ``iso3`` over ``window`` years (see the module).

    >>> t = share_trend({"JPN": {2017: 10.0, 2022: 20.0}},
    ...                 {2017: 100.0, 2022: 100.0}, "JPN", 5)
    >>> (t.start_year, t.end_year, round(t.change, 3), round(t.cagr, 4))
    (2017, 2022, 0.1, 0.1487)
    """
    series = values.get(iso3, {})
    years = sorted(y for y in set(series) | set(world)
                   if world_share(values, world, iso3, y) is not None)
    if end_year is not None:
        years = [y for y in years if y <= end_year]
    if len(years) < 2:
        return None
    last = years[-1]
    inside = [y for y in years if last - window <= y < last]
    if not inside:
        return None
    first = inside[0]
    s0 = world_share(values, world, iso3, first)
    s1 = world_share(values, world, iso3, last)
    v0, v1 = series.get(first), series.get(last)
    if s0 is None or s1 is None or v0 is None or v1 is None:  # pragma: no cover - known above
        return None
    cagr = (v1 / v0) ** (1 / (last - first)) - 1 if v0 > 0 else None
    missing = tuple(y for y in range(last - window, last) if y not in years)
    return Trend(first, last, s0, s1, s1 - s0, cagr, missing)


def position(values: Mapping[str, Series], world: Series, iso3: str, window: int = 5,
             year: int | None = None) -> Position:
    """``iso3``'s value, world share, rank and trend in the latest year (≤ ``year`` when
    given) where its share is known.

    >>> p = position({"JPN": {2021: 3.0, 2022: 4.0}, "USA": {2021: 6.0, 2022: 5.0}},
    ...              {2021: 10.0, 2022: 10.0}, "JPN")
    >>> (p.year, p.share, p.rank, p.countries_ranked, round(p.trend.change, 2))
    (2022, 0.4, 2, 2, 0.1)
    """
    series = values.get(iso3)
    if not series:
        return Position(iso3, None, None, None, None, None, 0, None,
                        note="the table does not list this country")
    years = sorted(y for y in set(series) | set(world)
                   if (year is None or y <= year)
                   and world_share(values, world, iso3, y) is not None)
    if not years:
        note = ("no value for this country" if not any(_known(v) for v in series.values())
                else "no world total for the years with a value")
        return Position(iso3, None, None, None, None, None, 0, None, note=note)
    last = years[-1]
    r, n = rank(values, iso3, last)
    trend = share_trend(values, world, iso3, window, last)
    return Position(iso3, last, series.get(last), world.get(last),
                    world_share(values, world, iso3, last), r, n, trend,
                    note="" if trend else "too few years with a value for a trend")


def combine(parts: Sequence[Mapping[str, Series]]) -> dict[str, dict[int, float | None]]:
    """The sum of several tables per country and year (fields adding up to all fields);
    missing when every part is missing, else the sum of the known parts.

    >>> combine([{"JPN": {2020: 1.0}}, {"JPN": {2020: None}, "USA": {2020: 2.0}}])
    {'JPN': {2020: 1.0}, 'USA': {2020: 2.0}}
    """
    out: dict[str, dict[int, float | None]] = {}
    for part in parts:
        for iso3, series in part.items():
            target = out.setdefault(iso3, {})
            for y, v in series.items():
                if _known(v) and v is not None:
                    target[y] = (target.get(y) or 0.0) + v
                else:
                    target.setdefault(y, None)
    return out


def top_cited(articles: Mapping[str, Series], rates: Mapping[str, Series],
              ) -> dict[str, dict[int, float | None]]:
    """Top-1 %-cited article counts: ``articles × rate / 100`` per country and year, where
    ``rate`` is the percentage of the country's articles among the world's top 1 % most
    cited (NCSES SPBS-54…69: 1.0 is the world average); missing when either is.

    >>> top_cited({"USA": {2020: 400.0}}, {"USA": {2020: 1.5}})
    {'USA': {2020: 6.0}}
    """
    out: dict[str, dict[int, float | None]] = {}
    for iso3, series in rates.items():
        counts = articles.get(iso3, {})
        row = out.setdefault(iso3, {})
        for y, r in series.items():
            a = counts.get(y)
            row[y] = a * r / 100 if _known(a) and _known(r) and a is not None and r is not None \
                else None
    return out


# --------------------------------------------------------------------------- lenses


@dataclass(frozen=True)
class IndicatorPosition:
    """One indicator of one field, as the lenses see it."""

    indicator: str
    position: Position


@dataclass(frozen=True)
class FieldLens:
    """The technology lenses' verdict on one field, with the reasons."""

    field: str
    domestic_advantage: bool
    domestic_advantage_reasons: tuple[str, ...]
    disruptive_innovation: bool
    disruptive_innovation_reasons: tuple[str, ...]


def _pct(x: float) -> str:
    return f"{x * 100:.1f} %"


def technology_lenses(field_id: str, home: str, indicators: Sequence[IndicatorPosition],
                      thresholds: TechnologyThresholds | None = None) -> FieldLens:
    """Flag one field under the domestic-advantage and disruptive-innovation lenses.

    >>> p = position({"JPN": {2017: 10.0, 2022: 30.0}, "USA": {2022: 40.0}},
    ...              {2017: 100.0, 2022: 100.0}, "JPN")
    >>> lens = technology_lenses("chemistry", "JPN", [IndicatorPosition("uspto", p)])
    >>> lens.domestic_advantage, lens.disruptive_innovation
    (True, True)
    """
    t = thresholds or TechnologyThresholds()
    advantage: list[str] = []
    growth: list[str] = []
    for item in indicators:
        p = item.position
        if p.share is None:
            continue
        if p.share >= t.advantage_share:
            advantage.append(f"{item.indicator}: {home} holds {_pct(p.share)} of the world "
                             f"total in {p.year} (threshold {_pct(t.advantage_share)})")
        elif (p.rank is not None and p.rank <= t.advantage_rank
              and p.share >= t.advantage_rank_min_share):
            advantage.append(f"{item.indicator}: {home} ranks {p.rank} of "
                             f"{p.countries_ranked} in {p.year} (top {t.advantage_rank}) with "
                             f"{_pct(p.share)} (at least {_pct(t.advantage_rank_min_share)})")
        tr = p.trend
        if tr is not None and tr.change >= t.share_growth:
            growth.append(f"{item.indicator}: {home}'s share rose by {tr.change * 100:.1f} "
                          f"points from {tr.start_year} to {tr.end_year} "
                          f"({_pct(tr.share_start)} → {_pct(tr.share_end)}; threshold "
                          f"{t.share_growth * 100:.1f} points)")
    return FieldLens(field_id, bool(advantage), tuple(advantage), bool(growth), tuple(growth))
