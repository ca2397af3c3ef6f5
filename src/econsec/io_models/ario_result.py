"""The result of an ARIO run (:func:`econsec.io_models.ario_loop.simulate`): daily series and
the totals, worst-hit industries and recovery day read from them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from econsec.io_models.ario_params import ARIOParams

__all__ = ["METHOD", "SimulationResult"]

METHOD = "ARIO (Hallegatte 2008; Guan et al. 2020), BoARIO 0.7.2 ARIOPsiModel"
RECOVERY_TOLERANCE = 1e-3  # recovery_day: no industry more than 0.1 % below pre-shock



@dataclass(frozen=True, eq=False)
class SimulationResult:
    """Daily series of an ARIO run.

    Values are in the MRIO's monetary unit **per day** (table flows / 365), as BoARIO
    records them. ``final_demand_unmet`` is BoARIO's "final demand not met": T × n, column
    ``r·S + s`` is the final demand *of region r* for *products of sector s* (all origins
    summed) that was not delivered that day. ``baseline_production`` is the pre-shock daily
    output ``x / 365``.
    """

    days: np.ndarray
    production: np.ndarray
    production_capacity: np.ndarray
    final_demand_unmet: np.ndarray
    labels: tuple[tuple[str, str], ...]
    unit: str
    params: ARIOParams
    baseline_production: np.ndarray
    last_shock_day: int | None = None
    mrio_name: str = ""
    #: Value of the inputs stockpile releases and recycling put into inventories, per day
    #: (length T; zeros without such measures), in the MRIO's unit.
    supplied_by_measures: np.ndarray | None = None
    #: First day on which every event is over (capacity back, cuts lifted), or None.
    events_end_day: int | None = None
    method: str = METHOD
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def total_production_change(self) -> float:
        """Σ_t Σ_i (x_{t,i} − x⁰_i): production lost (negative) or gained over the run, in the
        MRIO's unit (daily values summed over days; e.g. "M USD" for ``pymrio:test``)."""
        return float((self.production - self.baseline_production).sum())

    @property
    def total_final_demand_unmet(self) -> float:
        """Σ over days and columns of :attr:`final_demand_unmet`, in the MRIO's unit."""
        return float(self.final_demand_unmet.sum())

    def worst_hit(self, n: int = 5) -> list[dict[str, Any]]:
        """The ``n`` industries with the lowest production relative to pre-shock, with the day
        it happened: ``[{region, sector, min_relative_production, day}]``."""
        base = self.baseline_production
        ok = base > 0
        rel = np.ones_like(self.production)
        np.divide(self.production, base, out=rel, where=ok[None, :])
        day = rel.argmin(axis=0)
        low = rel[day, np.arange(rel.shape[1])]
        order = np.argsort(low, kind="stable")[:n]
        return [
            {"region": self.labels[i][0], "sector": self.labels[i][1],
             "min_relative_production": float(low[i]), "day": int(self.days[day[i]])}
            for i in order
        ]

    @property
    def recovery_day(self) -> int | None:
        """First day, on or after the start of the last shock, from which **no** industry
        produces more than 0.1 % below its pre-shock level until the end of the run;
        ``None`` if that never happens within the horizon or if there was no shock.

        Every industry, not the total: a shock to one industry is a small share of total
        output, and the total can sit within 0.1 % while that industry is still far down.
        Production above the pre-shock level (suppliers refilling their buyers'
        inventories) does not count as "not recovered".
        """
        if self.last_shock_day is None:
            return None
        base = np.asarray(self.baseline_production, dtype=float)
        ok = base > 0
        short = (base[ok] - self.production[:, ok]) / base[ok]
        off = (short > RECOVERY_TOLERANCE).any(axis=1)
        off[: self.last_shock_day] = True
        if off[-1]:
            return None
        last_off = np.flatnonzero(off)
        start = int(last_off[-1]) + 1 if last_off.size else 0
        return int(self.days[start])

    @property
    def total_supplied_by_measures(self) -> float:
        """Σ over days of :attr:`supplied_by_measures` (0 without such measures)."""
        if self.supplied_by_measures is None:
            return 0.0
        return float(np.sum(self.supplied_by_measures))

    def loss_after(self, day: int) -> float:
        """Share (0-1) of the production lost (days and industries below pre-shock) that
        falls on or after ``day``; 0 when nothing is lost."""
        short = np.maximum(self.baseline_production[None, :] - self.production, 0.0).sum(axis=1)
        total = float(short.sum())
        if total <= 0:
            return 0.0
        return float(short[max(int(day), 0):].sum()) / total

    def daily_totals(self) -> dict[str, np.ndarray]:
        """Day, total production, total capacity and total unmet final demand per day."""
        return {
            "day": self.days,
            "production": self.production.sum(axis=1),
            "production_capacity": self.production_capacity.sum(axis=1),
            "final_demand_unmet": self.final_demand_unmet.sum(axis=1),
        }

    def to_frame(self) -> Any:
        """Long Polars frame: ``day, region, sector, production, production_capacity,
        final_demand_unmet, relative_production`` (one row per day and industry)."""
        import polars as pl

        t, n = self.production.shape
        regions = [r for r, _ in self.labels]
        sectors = [s for _, s in self.labels]
        base = self.baseline_production
        rel = np.full_like(self.production, np.nan)
        np.divide(self.production, base, out=rel, where=(base > 0)[None, :])
        return pl.DataFrame({
            "day": np.repeat(self.days, n),
            "region": pl.Series(regions * t, dtype=pl.Categorical),
            "sector": pl.Series(sectors * t, dtype=pl.Categorical),
            "production": self.production.ravel(),
            "production_capacity": self.production_capacity.ravel(),
            "final_demand_unmet": self.final_demand_unmet.ravel(),
            "relative_production": rel.ravel(),
        })

    def to_records(self) -> list[dict[str, Any]]:
        """The rows of :meth:`to_frame` as dictionaries (small runs only)."""
        rows: list[dict[str, Any]] = self.to_frame().to_dicts()
        return rows

    def summary(self) -> dict[str, Any]:
        """The totals the CLI prints (snake_case keys, stable)."""
        return {
            "days": len(self.days),
            "unit": self.unit,
            "total_production_change": self.total_production_change,
            "total_final_demand_unmet": self.total_final_demand_unmet,
            "worst_hit": self.worst_hit(),
            "recovery_day": self.recovery_day,
        }
