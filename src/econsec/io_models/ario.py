"""Dynamic ARIO-type simulator (DESIGN §4 "Dynamic") that reproduces BoARIO 0.7.2: events.

This module turns the events and mitigations of a scenario into the daily schedules the
loop consumes (capacity lost per industry, passing factors of cut links, demand factors,
inventory injections, diversification and substitution). The loop itself, with its maths,
is :mod:`econsec.io_models.ario_loop`; :func:`simulate` and :class:`SimulationResult` are
re-exported here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from econsec.errors import UnknownNameError, ValidationError
from econsec.io_models.ario_loop import SimulationResult, simulate
from econsec.io_models.ario_params import ARIOParams
from econsec.io_models.events import (
    CapacityLoss,
    CapitalDestroyed,
    ChokepointClosure,
    DemandChange,
    DiversifySupplier,
    ExportRestriction,
    Recycle,
    StockpileRelease,
    Substitute,
)
from econsec.io_models.mrio import MRIO

__all__ = ["ARIOParams", "SimulationResult", "simulate"]

ARBITRARY_DECIMALS = 6  # BoARIO's EVENT_ARBITRARY_PRECISION

_KINDS = {
    CapacityLoss: "capacity_loss",
    CapitalDestroyed: "capital_destroyed",
    ExportRestriction: "export_restriction",
    ChokepointClosure: "chokepoint_closure",
    DemandChange: "demand_change",
    StockpileRelease: "stockpile_release",
    DiversifySupplier: "diversify_supplier",
    Substitute: "substitute",
    Recycle: "recycle",
}


# --------------------------------------------------------------------------- validation


def _describe(kind: str, k: int, item: Any) -> str:
    what = _KINDS.get(type(item), type(item).__name__)
    region = getattr(item, "region", None) or getattr(item, "route", None) \
        or getattr(item, "origin", None)
    sector = getattr(item, "sector", None)
    name = "/".join(str(p) for p in (region, sector) if p)
    return f"{kind}[{k}] ({what} {name})" if name else f"{kind}[{k}] ({what})"


class _Checker:
    """Resolves names and checks numbers, prefixing errors with the item's description."""

    def __init__(self, mrio: MRIO, horizon: int, where: str) -> None:
        self.mrio, self.horizon, self.where = mrio, horizon, where

    def fail(self, message: str) -> ValidationError:
        return ValidationError(f"{self.where}: {message}")

    def region(self, name: str) -> int:
        try:
            return self.mrio.region_index(name)
        except UnknownNameError as exc:
            exc.message = f"{self.where}: {exc.message}"
            exc.args = (str(exc),)
            raise

    def sector(self, name: str) -> int:
        try:
            return self.mrio.sector_index(name)
        except UnknownNameError as exc:
            exc.message = f"{self.where}: {exc.message}"
            exc.args = (str(exc),)
            raise

    def share(self, value: float, name: str = "share", *, low: float = 0.0) -> float:
        v = float(value)
        if not np.isfinite(v):
            raise self.fail(f"{name} {value} is not a number")
        if v > 1:
            raise self.fail(f"{name} {value:g} is above 1")
        if v < low:
            raise self.fail(f"{name} {value:g} is below {low:g}")
        return v

    def nonneg(self, value: float, name: str) -> float:
        v = float(value)
        if not np.isfinite(v) or v < 0:
            raise self.fail(f"{name} {value} must be a non-negative number")
        return v

    def days(self, start: int, duration: int | None = None) -> None:
        if int(start) != start or start < 0:
            raise self.fail(f"start_day {start} must be a whole day ≥ 0")
        if start >= self.horizon:
            raise self.fail(f"start_day {start} is beyond the horizon of {self.horizon} days")
        if duration is not None:
            if int(duration) != duration or duration < 0:
                raise self.fail(f"duration_days {duration} must be a whole number ≥ 0")
            if start + duration > self.horizon:
                raise self.fail(
                    f"start_day {start} + duration_days {duration} is beyond the horizon of "
                    f"{self.horizon} days")


# --------------------------------------------------------------------------- schedules


def _arbitrary_profile(ev: CapacityLoss, horizon: int, lag: int) -> np.ndarray:
    """Share of capacity lost on each day, exactly as BoARIO's ``EventArbitraryProd``.

    BoARIO's tracker value after day k is ``V(k) = share`` for ``k < start + duration``, then
    ``round(share (1 − (k − start − duration)/τ), 6)`` (τ = ``recovery_days``, at least 1),
    0 from ``k − start − duration ≥ τ``. Day t uses ``V(t − 1 − lag)`` from ``t ≥ start + lag``
    (BoARIO: lag 1, see docs/ario.md)."""
    out = np.zeros(horizon)
    tau = max(int(ev.recovery_days), 1)
    end = ev.start_day + ev.duration_days
    for t in range(ev.start_day + lag, horizon):
        k = t - 1 - lag
        if k < end:
            out[t] = ev.share
        else:
            e = k - end
            out[t] = 0.0 if e >= tau else np.round(ev.share * (1 - (e / tau)), ARBITRARY_DECIMALS)
    return out


def _capital_profile(dmg0: float, ev: CapitalDestroyed, horizon: int, decimals: int
                     ) -> np.ndarray:
    """Capital lost on each day, exactly as BoARIO's ``EventKapitalRecover`` (linear).

    Day t uses the tracker value after day t − 1: ``dmg₀`` until ``start + duration``, then
    ``round(dmg₀ (1 − (k − start − duration)/τ), decimals)``; 0 once fully recovered."""
    out = np.zeros(horizon)
    tau = max(int(ev.recovery_days), 1)
    end = ev.start_day + ev.duration_days
    for t in range(ev.start_day, horizon):
        k = t - 1
        if k < end:
            out[t] = dmg0
        else:
            e = k - end
            out[t] = 0.0 if e >= tau else np.round(dmg0 * (1 - (e / tau)), decimals)
    return out


def _cut_profile(share: float, start: int, duration: int, recovery: int, horizon: int
                 ) -> np.ndarray:
    """Share of flows cut each day: ``share`` on days [start, start + duration), then
    ``share · (1 − k/recovery)`` on day ``start + duration + k − 1`` (k = 1…recovery)."""
    out = np.zeros(horizon)
    end = start + duration
    out[start:min(end, horizon)] = share
    if recovery > 0:
        for t in range(end, min(end + recovery, horizon)):
            out[t] = share * max(0.0, 1 - (t - end + 1) / recovery)
    return out


def _ramp(start: int, ramp_days: int, horizon: int) -> np.ndarray:
    """0 before ``start``, then ``min(1, (t − start + 1)/ramp_days)`` (1 if no ramp)."""
    t = np.arange(horizon, dtype=float)
    if ramp_days <= 0:
        return (t >= start).astype(float)
    return np.clip((t - start + 1) / ramp_days, 0.0, 1.0) * (t >= start)


# --------------------------------------------------------------------------- compiled model


@dataclass
class _Injection:
    """Inputs of sector ``s`` added to the inventories of industries ``cols`` each day, up
    to the pre-shock inventory: ``min(max(Ω⁰ − Ω, 0), cap_t, pool)``."""

    s: int
    cols: np.ndarray
    daily: np.ndarray  # T × len(cols) maximum per day
    pool: np.ndarray | None  # remaining stockpile per column, or None (recycling)


@dataclass
class _Diversify:
    s: int
    origin_row: int
    alt_row: int
    dest_regions: np.ndarray
    share: np.ndarray  # per day: share × ramp
    limit: float  # daily, max_capacity_increase × x⁰_alt


@dataclass
class _Substitute:
    s: int
    region: int
    share: np.ndarray  # per day


def _compile(mrio: MRIO, events: Sequence[Any], mitigations: Sequence[Any], horizon: int,
             p: ARIOParams, x0d: np.ndarray, capital: np.ndarray, zd_rowwise: Callable[[int],
             np.ndarray], use0: np.ndarray) -> dict[str, Any]:
    R, S = len(mrio.regions), len(mrio.sectors)
    lag = int(p.arbitrary_event_lag)
    kap = {}  # industry -> T array of capital lost
    arb = {}  # industry -> T array of arbitrary share
    cut: dict[int, np.ndarray] = {}  # supplier row -> T × R passing factor
    dem: dict[int, np.ndarray] = {}  # row -> T × R demand factor
    starts = []
    ends = []
    for k, ev in enumerate(events):
        c = _Checker(mrio, horizon, _describe("events", k, ev))
        if isinstance(ev, CapacityLoss):
            i = c.region(ev.region) * S + c.sector(ev.sector)
            c.share(ev.share)
            c.days(ev.start_day, ev.duration_days)
            c.nonneg(ev.recovery_days, "recovery_days")
            prof = _arbitrary_profile(ev, horizon, lag)
            arb[i] = np.maximum(arb[i], prof) if i in arb else prof
        elif isinstance(ev, CapitalDestroyed):
            i = c.region(ev.region) * S + c.sector(ev.sector)
            c.share(ev.share_of_capital, "share_of_capital")
            c.days(ev.start_day, ev.duration_days)
            c.nonneg(ev.recovery_days, "recovery_days")
            prof = _capital_profile(ev.share_of_capital * capital[i], ev, horizon,
                                    p.capital_rounding_decimals)
            kap[i] = kap[i] + prof if i in kap else prof
        elif isinstance(ev, ExportRestriction | ChokepointClosure):
            c.share(ev.share)
            c.days(ev.start_day, ev.duration_days)
            c.nonneg(ev.recovery_days, "recovery_days")
            prof = _cut_profile(ev.share, ev.start_day, ev.duration_days,
                                int(ev.recovery_days), horizon)
            if isinstance(ev, ExportRestriction):
                o = c.region(ev.region)
                s = c.sector(ev.sector)
                dests = (range(R) if ev.to is None else [c.region(d) for d in ev.to])
                links = [(o * S + s, d) for d in dests]
            else:
                links = []
                if not ev.flows:
                    raise c.fail("no flows listed")
                for orig, dest, sec in ev.flows:
                    o, d = c.region(orig), c.region(dest)
                    secs = range(S) if sec is None else [c.sector(sec)]
                    links += [(o * S + s, d) for s in secs]
            if not prof.any():
                links = []  # a 0-share cut changes nothing, exactly
            for row, d in links:
                f = cut.setdefault(row, np.ones((horizon, R)))
                f[:, d] *= 1 - prof
        elif isinstance(ev, DemandChange):
            i = c.region(ev.region) * S + c.sector(ev.sector)
            c.share(ev.share, low=-1.0)
            c.days(ev.start_day, ev.duration_days)
            by = range(R) if ev.by is None else [c.region(b) for b in ev.by]
            if ev.share == 0 or ev.duration_days == 0:
                starts.append(int(ev.start_day))
                ends.append(_event_end(ev, lag))
                continue
            f = dem.setdefault(i, np.ones((horizon, R)))
            on = np.zeros(horizon, dtype=bool)
            on[ev.start_day:ev.start_day + ev.duration_days] = True
            for b in by:
                f[on, b] *= 1 + ev.share
        else:
            raise ValidationError(f"events[{k}]: unknown event type {type(ev).__name__}")
        starts.append(int(ev.start_day))
        ends.append(_event_end(ev, lag))

    injections: list[_Injection] = []
    diversify: list[_Diversify] = []
    substitute: list[_Substitute] = []
    t_axis = np.arange(horizon)
    for k, m in enumerate(mitigations):
        c = _Checker(mrio, horizon, _describe("mitigations", k, m))
        if isinstance(m, StockpileRelease):
            r, s = c.region(m.region), c.sector(m.sector)
            c.nonneg(m.days_of_use, "days_of_use")
            c.share(m.daily_share, "daily_share")
            c.days(m.start_day)
            cols = np.arange(r * S, (r + 1) * S)
            if m.origin is None:
                use = use0[s, cols]
            else:
                use = zd_rowwise(c.region(m.origin) * S + s)[cols]
            daily = np.where(t_axis[:, None] >= m.start_day, m.daily_share * use[None, :], 0.0)
            injections.append(_Injection(s, cols, daily, m.days_of_use * use.copy()))
        elif isinstance(m, Recycle):
            r, s = c.region(m.region), c.sector(m.sector)
            c.share(m.share)
            c.days(m.start_day)
            c.nonneg(m.ramp_days, "ramp_days")
            cols = np.arange(r * S, (r + 1) * S)
            ramp = _ramp(m.start_day, int(m.ramp_days), horizon)
            injections.append(_Injection(s, cols, m.share * ramp[:, None] * use0[s, cols][None, :],
                                         None))
        elif isinstance(m, DiversifySupplier):
            s = c.sector(m.sector)
            o, a = c.region(m.origin), c.region(m.alternative)
            if o == a:
                raise c.fail("alternative is the same region as origin")
            c.share(m.share)
            c.days(m.start_day)
            c.nonneg(m.ramp_days, "ramp_days")
            c.nonneg(m.max_capacity_increase, "max_capacity_increase")
            dests = np.arange(R) if m.region is None else np.array([c.region(m.region)])
            share = m.share * _ramp(m.start_day, int(m.ramp_days), horizon)
            diversify.append(_Diversify(s, o * S + s, a * S + s, dests, share,
                                        m.max_capacity_increase * x0d[a * S + s]))
        elif isinstance(m, Substitute):
            r, s = c.region(m.region), c.sector(m.sector)
            c.share(m.share)
            c.days(m.start_day)
            share = np.where(t_axis >= m.start_day, m.share, 0.0)
            substitute.append(_Substitute(s, r, share))
        else:
            raise ValidationError(f"mitigations[{k}]: unknown mitigation type {type(m).__name__}")

    # flows (recycling) before pools (stockpiles): a stockpile is drawn only for what the
    # flows leave uncovered, so it lasts longer when both are used
    injections.sort(key=lambda inj: inj.pool is not None)
    # capacity-loss schedule on the affected industries only
    hit = np.array(sorted(set(kap) | set(arb)), dtype=np.intp)
    delta = np.zeros((horizon, hit.size))
    for col, i in enumerate(hit):
        d = np.zeros(horizon)
        if i in kap:
            with np.errstate(divide="ignore", invalid="ignore"):
                d = np.where(capital[i] != 0, kap[i] / capital[i], 0.0) if capital[i] else d
        if i in arb:
            d = np.maximum(d, arb[i])
        delta[:, col] = np.minimum(d, 1.0)
    return {
        "hit": hit, "delta": delta, "cut": cut, "dem": dem, "injections": injections,
        "diversify": diversify, "substitute": substitute,
        "last_shock_day": max(starts) if starts else None,
        "events_end_day": max(ends) if ends else None,
    }


def _event_end(ev: Any, lag: int) -> int:
    """First day on which ``ev`` no longer acts (capacity back, cut lifted)."""
    end = int(ev.start_day) + int(getattr(ev, "duration_days", 1) or 0)
    end += int(getattr(ev, "recovery_days", 0) or 0)
    if isinstance(ev, CapacityLoss):
        end += lag + 1 + (0 if getattr(ev, "recovery_days", 0) else 1)
    elif isinstance(ev, CapitalDestroyed):
        end += 1
    return end
