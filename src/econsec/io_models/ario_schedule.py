"""The ARIO simulator's events, compiled: the events and mitigations of a scenario turned
into the daily schedules the loop (:mod:`econsec.io_models.ario_loop`) consumes (capacity
lost per industry, passing factors of cut links, demand factors, inventory injections,
diversification and substitution), BoARIO 0.7.2's event semantics.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from econsec.errors import UnknownNameError, ValidationError
from econsec.io_models.ario_params import ARIOParams
from econsec.io_models.events import (
    AnyItem,
    CapacityLoss,
    CapitalDestroyed,
    ChokepointClosure,
    DemandChange,
    DiversifySupplier,
    Event,
    ExportRestriction,
    Mitigation,
    Recycle,
    StockpileRelease,
    Substitute,
    horizon_problem,
)
from econsec.io_models.mrio import MRIO

__all__ = ["compile_schedule"]

ARBITRARY_DECIMALS = 6  # BoARIO's EVENT_ARBITRARY_PRECISION

# --------------------------------------------------------------------------- names


def _describe(kind: str, k: int, item: AnyItem) -> str:
    """``events[2] (export_restriction reg3/mining)``: how errors name an item."""
    region = getattr(item, "region", None) or getattr(item, "route", None) \
        or getattr(item, "origin", None)
    name = "/".join(str(p) for p in (region, getattr(item, "sector", None)) if p)
    what = getattr(item, "type", type(item).__name__)  # (a caller may pass anything)
    return f"{kind}[{k}] ({what} {name})" if name else f"{kind}[{k}] ({what})"


class _Checker:
    """Resolves the names of one item in the MRIO and checks its days against the horizon
    (the item's ranges were checked when it was built), prefixing errors with the item's
    description."""

    def __init__(self, mrio: MRIO, horizon: int, where: str) -> None:
        self.mrio, self.horizon, self.where = mrio, horizon, where

    def region(self, name: str) -> int:
        try:
            return self.mrio.region_index(name)
        except UnknownNameError as exc:
            exc.message = f"{self.where}: {exc.message}"
            exc.args = (str(exc),)
            raise

    def sector(self, name: str | None) -> int:
        if name is None:  # an event naming a product, not converted (refused before)
            raise ValidationError(f"{self.where}: names no industry (sector)")
        try:
            return self.mrio.sector_index(name)
        except UnknownNameError as exc:
            exc.message = f"{self.where}: {exc.message}"
            exc.args = (str(exc),)
            raise

    def days(self, item: AnyItem) -> None:
        problem = horizon_problem(item, self.horizon)
        if problem is not None:
            raise ValidationError(f"{self.where}: {problem[1]}")


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


def compile_schedule(mrio: MRIO, events: Sequence[Event], mitigations: Sequence[Mitigation],
                     horizon: int, p: ARIOParams, x0d: np.ndarray, capital: np.ndarray,
                     zd_rowwise: Callable[[int], np.ndarray], use0: np.ndarray
                     ) -> dict[str, Any]:
    R, S = len(mrio.regions), len(mrio.sectors)
    lag = int(p.arbitrary_event_lag)
    kap: dict[int, np.ndarray] = {}  # industry -> T array of capital lost
    arb: dict[int, np.ndarray] = {}  # industry -> T array of arbitrary share
    cut: dict[int, np.ndarray] = {}  # supplier row -> T × R passing factor
    dem: dict[int, np.ndarray] = {}  # row -> T × R demand factor
    starts: list[int] = []
    ends: list[int] = []
    for k, ev in enumerate(events):
        c = _Checker(mrio, horizon, _describe("events", k, ev))
        if getattr(ev, "names_product", False):
            raise ValidationError(f"{c.where}: names a product (hs or commodity); convert it "
                                  "to industry shocks first (econsec.scenarios.products)")
        if isinstance(ev, CapacityLoss):
            i = c.region(ev.region) * S + c.sector(ev.sector)
            c.days(ev)
            prof = _arbitrary_profile(ev, horizon, lag)
            arb[i] = np.maximum(arb[i], prof) if i in arb else prof
        elif isinstance(ev, CapitalDestroyed):
            i = c.region(ev.region) * S + c.sector(ev.sector)
            c.days(ev)
            prof = _capital_profile(ev.share_of_capital * capital[i], ev, horizon,
                                    p.capital_rounding_decimals)
            kap[i] = kap[i] + prof if i in kap else prof
        elif isinstance(ev, ExportRestriction | ChokepointClosure):
            c.days(ev)
            prof = _cut_profile(ev.share, ev.start_day, ev.duration_days, ev.recovery_days,
                                horizon)
            if isinstance(ev, ExportRestriction):
                o = c.region(ev.region)
                s = c.sector(ev.sector)
                # every other region when `to` is omitted (the event's documented meaning)
                dests = ([d for d in range(R) if d != o] if ev.to is None
                         else [c.region(d) for d in ev.to])
                links = [(o * S + s, d) for d in dests]
            else:
                links = []
                for flow in ev.flows:
                    o, d = c.region(flow.origin), c.region(flow.destination)
                    secs = range(S) if flow.sector is None else [c.sector(flow.sector)]
                    links += [(o * S + s, d) for s in secs]
            for row, d in links:
                f = cut.setdefault(row, np.ones((horizon, R)))
                f[:, d] *= 1 - prof
        elif isinstance(ev, DemandChange):
            i = c.region(ev.region) * S + c.sector(ev.sector)
            c.days(ev)
            by = range(R) if ev.by is None else [c.region(b) for b in ev.by]
            if ev.share == 0:
                starts.append(ev.start_day)
                ends.append(_event_end(ev, lag))
                continue
            f = dem.setdefault(i, np.ones((horizon, R)))
            on = np.zeros(horizon, dtype=bool)
            on[ev.start_day:ev.start_day + ev.duration_days] = True
            for b in by:
                f[on, b] *= 1 + ev.share
        else:
            raise ValidationError(f"events[{k}]: unknown event type {type(ev).__name__}")
        starts.append(ev.start_day)
        ends.append(_event_end(ev, lag))

    injections: list[_Injection] = []
    diversify: list[_Diversify] = []
    substitute: list[_Substitute] = []
    t_axis = np.arange(horizon)
    for k, m in enumerate(mitigations):
        c = _Checker(mrio, horizon, _describe("mitigations", k, m))
        if isinstance(m, StockpileRelease):
            r, s = c.region(m.region), c.sector(m.sector)
            c.days(m)
            cols = np.arange(r * S, (r + 1) * S)
            if m.origin is None:
                use = use0[s, cols]
            else:
                use = zd_rowwise(c.region(m.origin) * S + s)[cols]
            daily = np.where(t_axis[:, None] >= m.start_day, m.daily_share * use[None, :], 0.0)
            injections.append(_Injection(s, cols, daily, m.days_of_use * use.copy()))
        elif isinstance(m, Recycle):
            r, s = c.region(m.region), c.sector(m.sector)
            c.days(m)
            cols = np.arange(r * S, (r + 1) * S)
            ramp = _ramp(m.start_day, m.ramp_days, horizon)
            injections.append(_Injection(s, cols, m.share * ramp[:, None] * use0[s, cols][None, :],
                                         None))
        elif isinstance(m, DiversifySupplier):
            s = c.sector(m.sector)
            o, a = c.region(m.origin), c.region(m.alternative)
            c.days(m)
            buyers = np.arange(R) if m.region is None else np.array([c.region(m.region)])
            share = m.share * _ramp(m.start_day, m.ramp_days, horizon)
            diversify.append(_Diversify(s, o * S + s, a * S + s, buyers, share,
                                        m.max_capacity_increase * x0d[a * S + s]))
        elif isinstance(m, Substitute):
            r, s = c.region(m.region), c.sector(m.sector)
            c.days(m)
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
        lost = np.zeros(horizon)
        if i in kap:
            with np.errstate(divide="ignore", invalid="ignore"):
                lost = (np.where(capital[i] != 0, kap[i] / capital[i], 0.0) if capital[i]
                        else lost)
        if i in arb:
            lost = np.maximum(lost, arb[i])
        delta[:, col] = np.minimum(lost, 1.0)
    return {
        "hit": hit, "delta": delta, "cut": cut, "dem": dem, "injections": injections,
        "diversify": diversify, "substitute": substitute,
        "last_shock_day": max(starts) if starts else None,
        "events_end_day": max(ends) if ends else None,
    }


def _event_end(ev: Event, lag: int) -> int:
    """First day on which ``ev`` no longer acts (capacity back, cut lifted)."""
    end = ev.start_day + ev.duration_days + getattr(ev, "recovery_days", 0)
    if isinstance(ev, CapacityLoss):
        end += lag + 1 + (0 if ev.recovery_days else 1)
    elif isinstance(ev, CapitalDestroyed):
        end += 1
    return end
