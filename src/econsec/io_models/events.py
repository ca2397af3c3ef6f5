"""Shocks and mitigation measures a dynamic simulation applies (DESIGN §4, §5).

Plain frozen dataclasses: the scenario file reader builds them, the ARIO simulator reads
them. Days are simulation steps (day 0 is the first simulated day); shares are fractions.
``to=None`` means every destination; ``sector`` names a sector of the MRIO.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CapacityLoss:
    """Productive capacity of (region, sector) falls by ``share`` from ``start_day`` for
    ``duration_days``, then recovers linearly over ``recovery_days``.

    The equivalent of BoARIO's "arbitrary" event (``EventArbitraryProd``)."""

    region: str
    sector: str
    share: float
    start_day: int
    duration_days: int = 1
    recovery_days: int = 0


@dataclass(frozen=True)
class CapitalDestroyed:
    """``share_of_capital`` of the productive capital of (region, sector) is destroyed on
    ``start_day`` and rebuilt linearly over ``recovery_days``, starting after
    ``duration_days`` (BoARIO's event ``duration``, 1 by default).

    The equivalent of BoARIO's "recovery" event (``EventKapitalRecover``, linear)."""

    region: str
    sector: str
    share_of_capital: float
    start_day: int
    recovery_days: int
    duration_days: int = 1


@dataclass(frozen=True)
class ExportRestriction:
    """Flows of ``sector`` from ``region`` to the regions in ``to`` (all others if None) are
    cut by ``share`` from ``start_day`` for ``duration_days``, then restored linearly over
    ``recovery_days``."""

    region: str
    sector: str
    share: float
    start_day: int
    duration_days: int
    to: tuple[str, ...] | None = None
    recovery_days: int = 0


@dataclass(frozen=True)
class ChokepointClosure:
    """A route (strait, sea lane, cable) closes: the flows listed as passing through it,
    (origin region, destination region, sector or None for all), are cut by ``share``."""

    route: str
    flows: tuple[tuple[str, str, str | None], ...]
    share: float
    start_day: int
    duration_days: int
    recovery_days: int = 0


@dataclass(frozen=True)
class DemandChange:
    """Final demand for (region, sector) changes by ``share`` (−0.1 = −10 %) from
    ``start_day`` for ``duration_days``; ``by`` limits it to demand from those regions."""

    region: str
    sector: str
    share: float
    start_day: int
    duration_days: int
    by: tuple[str, ...] | None = None


@dataclass(frozen=True)
class StockpileRelease:
    """A stockpile of (``origin``, ``sector``) goods held in ``region`` is released from
    ``start_day``: ``days_of_use`` days of ``region``'s pre-shock use of those inputs, at most
    ``daily_share`` of that use per day."""

    region: str
    sector: str
    days_of_use: float
    start_day: int
    origin: str | None = None
    daily_share: float = 1.0


@dataclass(frozen=True)
class DiversifySupplier:
    """An alternative supplier ``alternative`` of ``sector`` ramps up over ``ramp_days`` from
    ``start_day`` to replace up to ``share`` of the flows cut from ``origin`` to ``region``
    (all destinations if None), with spare capacity up to ``max_capacity_increase`` of its
    own output."""

    sector: str
    origin: str
    alternative: str
    share: float
    start_day: int
    ramp_days: int
    region: str | None = None
    max_capacity_increase: float = 0.1


@dataclass(frozen=True)
class Substitute:
    """Buyers of ``sector`` in ``region`` may switch up to ``share`` of an unfilled order to
    other suppliers of the same sector (proportionally to their spare capacity)."""

    region: str
    sector: str
    share: float
    start_day: int = 0


@dataclass(frozen=True)
class Recycle:
    """Secondary supply: ``share`` of ``region``'s pre-shock use of ``sector`` inputs is
    covered by recycling from ``start_day``, ramping up over ``ramp_days``."""

    region: str
    sector: str
    share: float
    start_day: int
    ramp_days: int = 0


Event = CapacityLoss | CapitalDestroyed | ExportRestriction | ChokepointClosure | DemandChange
Mitigation = StockpileRelease | DiversifySupplier | Substitute | Recycle
