"""Orbital launch cadence by launching state, as pure functions.

Input: one ``(year, entity, success)`` triple per orbital launch attempt, ``entity``
being whatever code the caller counts by (econsec passes JSR launch-vehicle state codes,
so the Soviet Union and international operators are entities of their own). For one
entity and year: launches, successes, success rate, world share (of all attempts that
year) and rank (1 = most attempts; ties share the rank; ``None`` in a year without a
launch). The trend compares the last ``recent_years`` years to the ``recent_years``
before them (launches and world share).

>>> log = [(2024, "A", True), (2024, "A", False), (2024, "B", True), (2023, "B", True)]
>>> s = space_access(log, "A")
>>> s.latest.launches, s.latest.successes, round(s.latest.world_share, 3), s.latest.rank
(2, 1, 0.667, 1)
>>> space_access(log, "B").latest.rank
2
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from econsec.indicators.common import MethodInfo, invalid

METHOD = MethodInfo(
    "Orbital launch cadence", "1",
    "Counts of orbital launch attempts by launch-vehicle state (J. McDowell's launch log); "
    "success = JSR orbital success code; world share of all attempts in the year; "
    "competition rank among launching entities",
)


@dataclass(frozen=True)
class LaunchYear:
    """One entity's launches in one year."""

    year: int
    launches: int
    successes: int
    world_launches: int
    world_share: float
    rank: int | None  # None when the entity made no attempt that year
    entities: int  # launching entities that year

    @property
    def success_rate(self) -> float | None:
        return self.successes / self.launches if self.launches else None


@dataclass(frozen=True)
class LaunchTrend:
    """Launches and world share in two windows of ``years`` years each."""

    years: int
    recent_start: int
    recent_end: int
    recent_launches: int
    previous_launches: int
    recent_share: float
    previous_share: float

    @property
    def share_pp(self) -> float:
        """Change of world share (points, as a fraction)."""
        return self.recent_share - self.previous_share

    @property
    def growth(self) -> float | None:
        """Relative change of launches (None when the previous window had none)."""
        if not self.previous_launches:
            return None
        return self.recent_launches / self.previous_launches - 1


@dataclass(frozen=True)
class SpaceAccess:
    """An entity's launch record: every year from its first launch to the log's last."""

    entity: str
    years: list[LaunchYear]
    latest: LaunchYear
    total_launches: int
    total_successes: int
    first_year: int | None
    trend: LaunchTrend
    method: MethodInfo = METHOD


@dataclass(frozen=True)
class LaunchCounts:
    """Attempts and successes by year and entity (:func:`launch_counts`)."""

    attempts: dict[int, dict[str, int]]
    successes: dict[int, dict[str, int]]

    @property
    def years(self) -> range:
        """First to last year of the log."""
        return range(min(self.attempts), max(self.attempts) + 1)


def launch_counts(log: Iterable[tuple[int, str, bool]]) -> LaunchCounts:
    """Count ``(year, entity, success)`` records by year and entity.

    Raises :class:`~econsec.errors.ValidationError` for an empty log or a bad record."""
    attempts: dict[int, Counter[str]] = {}
    wins: dict[int, Counter[str]] = {}
    for i, (year, entity, success) in enumerate(log):
        if not isinstance(year, int) or isinstance(year, bool):
            raise invalid(f"log[{i}].year", f"must be an integer year, got {year!r}")
        if not entity:
            raise invalid(f"log[{i}].entity", "is empty")
        attempts.setdefault(year, Counter())[entity] += 1
        wins.setdefault(year, Counter())[entity] += bool(success)
    if not attempts:
        raise invalid("log", "no launches")
    return LaunchCounts({y: dict(c) for y, c in attempts.items()},
                        {y: dict(c) for y, c in wins.items()})


def launch_year(counts: LaunchCounts, entity: str, year: int) -> LaunchYear:
    """``entity``'s launches in ``year``."""
    that_year = counts.attempts.get(year, {})
    world = sum(that_year.values())
    own = that_year.get(entity, 0)
    rank = 1 + sum(1 for n in that_year.values() if n > own) if own else None
    return LaunchYear(year, own, counts.successes.get(year, {}).get(entity, 0), world,
                      own / world if world else 0.0, rank, len(that_year))


def ranking(counts: LaunchCounts, year: int) -> list[tuple[str, LaunchYear]]:
    """Every entity that launched in ``year`` with its record, by rank then entity."""
    rows = [(e, launch_year(counts, e, year)) for e in counts.attempts.get(year, {})]
    return sorted(rows, key=lambda r: (r[1].rank or 0, r[0]))


def space_access(log: Iterable[tuple[int, str, bool]] | LaunchCounts, entity: str, *,
                 recent_years: int = 5, latest: int | None = None) -> SpaceAccess:
    """``entity``'s launch record in ``log`` (records or their :func:`launch_counts`) up to
    ``latest`` (default: the log's last year).

    Raises :class:`~econsec.errors.ValidationError` for an empty log, a bad record,
    ``recent_years`` below 1 or a ``latest`` outside the log's years."""
    if recent_years < 1:
        raise invalid("recent_years", f"must be at least 1 (got {recent_years})")
    counts = log if isinstance(log, LaunchCounts) else launch_counts(log)
    first_log, last_log = counts.years[0], counts.years[-1]
    if latest is None:
        latest = last_log
    if not first_log <= latest <= last_log:
        raise invalid("latest", f"outside the log's years {first_log}-{last_log} (got {latest})")
    own_years = [y for y, c in counts.attempts.items() if entity in c and y <= latest]
    first = min(own_years) if own_years else None
    years = [launch_year(counts, entity, y)
             for y in range(first if first is not None else latest, latest + 1)]

    def window(end: int) -> tuple[int, int]:
        span = [counts.attempts.get(y, {}) for y in range(end - recent_years + 1, end + 1)]
        return sum(c.get(entity, 0) for c in span), sum(sum(c.values()) for c in span)

    recent, recent_world = window(latest)
    previous, previous_world = window(latest - recent_years)
    trend = LaunchTrend(recent_years, latest - recent_years + 1, latest, recent, previous,
                        recent / recent_world if recent_world else 0.0,
                        previous / previous_world if previous_world else 0.0)
    return SpaceAccess(entity, years, years[-1], sum(y.launches for y in years),
                       sum(y.successes for y in years), first, trend)
