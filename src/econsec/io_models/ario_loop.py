"""The ARIO simulation loop: :func:`simulate` and its :class:`SimulationResult`.

The model is the Adaptive Regional Input-Output model of Hallegatte (2008) with the
order and inventory mechanisms of Guan et al. (2020), as implemented by BoARIO 0.7.2's
``ARIOPsiModel`` (Juhel et al. 2024). With the default :class:`ARIOParams`, :func:`simulate`
reproduces BoARIO's daily production and unmet final demand on the same MRIO (tested to
1e-6 relative on ``pymrio.load_test()``; see ``docs/ario.md``).

Notation: ``n = R·S`` industries (region-major), ``S`` input sectors. Flows are daily
(table flows / 365). ``x⁰`` pre-shock daily output, ``A`` technical coefficients,
``T = (Σ_r A_{(r,s),j})`` the S × n technology matrix by input sector, ``v`` the inventory
target in days per input sector, ``Ω`` the inventories (S × n), ``O`` orders (n × n),
``Y`` final demand (n × R·F). One step of day ``t`` (BoARIO's order of operations):

1. capacity loss ``Δ_t`` from the events (capital lost / capital, or an arbitrary share;
   the larger of the two); capacity ``x̄ = x⁰ (1 − Δ_t) α_t``;
2. from day 2 on, overproduction ``α += (α_max − α)·σ/τ_α`` where scarcity
   ``σ = (d − x_{t−1}) / d > 0`` (``d`` total demand), else ``α += (α_b − α)/τ_α``;
   ``α ≥ 1``;
3. ``x* = min(d, x̄)``; production is cut where an inventory is below ``ψ·v·T·x*``:
   ``x = x* · min_s min(1, Ω_{s·} / (ψ v_s T_{s·} x*))`` (inputs with
   ``Z_C ≤ 10⁻⁵ x⁰_daily`` ignored);
4. every buyer receives ``x/d`` of what it asked (proportional rationing); inventories
   change by ``Σ_r O_{(r,s),j} x_{(r,s)}/d_{(r,s)} − T_{sj} x_j`` (BoARIO skips the change
   when both sides are ``np.allclose``); unmet final demand = asked − delivered;
5. orders for the next day: gap ``g = max(v T x* − Ω, 0)/τ_inv + T x`` per input sector,
   split over the suppliers of the sector in proportion to ``Z_{ij} x̄_i / x⁰_i``
   (order type "alt").

Extensions (not in BoARIO; equations in :func:`simulate`'s docstring and docs/ario.md):
export restrictions and chokepoint closures cut a share ``c`` of the flows of a supplier
to a destination region (orders and final demand), without automatic re-sourcing;
demand changes scale final demand; stockpile releases and recycling inject inputs into
inventories; supplier diversification and substitution redirect cut or unfilled orders.

The hot loop is plain numpy on contiguous arrays: two passes over ``Z`` per day
(batched BLAS products on ``Z`` permuted to S × R × n), everything else on S × n arrays.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from econsec.errors import UnknownNameError, ValidationError
from econsec.io_models.ario_params import ARIOParams
from econsec.io_models.mrio import MRIO

__all__ = ["SimulationResult", "simulate"]

METHOD = "ARIO (Hallegatte 2008; Guan et al. 2020), BoARIO 0.7.2 ARIOPsiModel"
TECHNOLOGY_THRESHOLD = 1e-5  # BoARIO: inputs below this share of output never constrain
RECOVERY_TOLERANCE = 1e-3  # recovery_day: no industry more than 0.1 % below pre-shock

ProgressCallback = Callable[[int, int, int], None]


# --------------------------------------------------------------------------- result


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
        return self.to_frame().to_dicts()

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


# --------------------------------------------------------------------------- simulate


def _allclose(a: np.ndarray, b: np.ndarray, buf: np.ndarray) -> bool:
    """``np.allclose(a, b)`` (rtol 1e-5, atol 1e-8) for finite arrays, using ``buf``."""
    np.subtract(a, b, out=buf)
    np.abs(buf, out=buf)
    tol = np.abs(b)
    tol *= 1e-5
    tol += 1e-8
    return bool(np.all(buf <= tol))


def simulate(
    mrio: MRIO,
    events: Sequence[Any],
    mitigations: Sequence[Any] = (),
    params: ARIOParams | None = None,
    horizon_days: int = 365,
    progress: ProgressCallback | None = None,
    check: Callable[[int], None] | None = None,
) -> SimulationResult:
    """Run the ARIO model for ``horizon_days`` days (day 0 first) and return the daily series.

    ``events``: :class:`CapacityLoss` (≙ BoARIO ``EventArbitraryProd``: capacity share lost,
    linear recovery over ``recovery_days``), :class:`CapitalDestroyed` (≙
    ``EventKapitalRecover`` with linear recovery: Δ = capital lost / capital, capital =
    4 × value added), :class:`ExportRestriction`, :class:`ChokepointClosure`,
    :class:`DemandChange`. ``mitigations``: :class:`StockpileRelease`,
    :class:`DiversifySupplier`, :class:`Substitute`, :class:`Recycle`.

    Extension equations (c_t the cut share of a link on day t, ramp_t ∈ [0, 1]):

    - cut links (export restriction, chokepoint): supplier i passes ``f_{i,r} = Π(1 − c_t)``
      of what buyers in region r ask: orders ``O_{ij} ← O_{ij} f_{i,r(j)}``, final demand
      ``Y_{i,(r,·)} ← Y f_{i,r}``. Allocation shares are *not* renormalised, so buyers do not
      get the goods elsewhere unless a mitigation says so; the cut final demand is unmet.
      After ``duration_days`` the cut falls linearly to 0 over ``recovery_days``;
    - demand change: ``Y_{i,(r,·)} ← Y⁰ (1 + share)`` for the listed demanding regions;
    - stockpile release / recycling: before production, inventory ``Ω_{sj}`` of the region's
      industries j grows by ``min(max(Ω⁰_{sj} − Ω_{sj}, 0), m_{t,j}, P_j)`` with
      ``m = daily_share · u_j`` and pool ``P_j = days_of_use · u_j`` (stockpile; u = pre-shock
      daily use of the inputs, from ``origin`` only if given) or ``m = share · ramp_t · u_j``
      and no pool (recycling);
    - diversification: the alternative supplier a receives ``share · ramp_t`` of the orders
      and final demand cut from origin o to the destinations, at most
      ``max_capacity_increase · x⁰_a`` a day; a's capacity grows by what it received;
    - substitution: for buyers in the region, the unfilled share of their demand for the
      sector, ``U_j = Σ_i (O⁰_{ij} − O_{ij}) + Σ_i O_{ij} (1 − x_i/d_i)`` (cut plus rationed),
      is redirected with weight ``share``: ``O_{ij} ← O_{ij} (1 − share (1 − x_i/d_i)) +
      share · U_j · w_i`` with ``w_i ∝ max(x̄_i − d_i, 0) f_{i,r}`` (spare capacity).

    ``check(day)`` is called at the start of every simulated day; it raises to stop the run
    (the web app's jobs use it for cancellation and their time limit). Recycling flows are
    applied before stockpile releases, so a stockpile is drawn only for what the flows leave
    uncovered; ``supplied_by_measures`` records what both put into inventories each day.

    Raises :class:`ValidationError` (or :class:`UnknownNameError` with suggestions) naming
    the offending item, e.g. ``events[2] (export_restriction reg3/mining): share 1.3 is
    above 1``.
    """
    p = params or ARIOParams()
    if int(horizon_days) != horizon_days or horizon_days <= 0:
        raise ValidationError(f"horizon_days must be a positive whole number, not {horizon_days}")
    if p.order_type not in ("alt", "noalt"):
        raise ValidationError(f"order_type must be 'alt' or 'noalt', not {p.order_type!r}")
    if p.psi > 1:
        raise ValidationError(f"psi {p.psi} must be at most 1")
    T = int(horizon_days)
    R, S = len(mrio.regions), len(mrio.sectors)
    n = R * S
    year = float(p.iotable_year_to_temporal_unit_factor)
    steply = 1.0 / year

    # ---- static arrays (BoARIO ARIOBaseModel.__init__) ----
    Z = np.asarray(mrio.Z, dtype=float)
    x = np.ascontiguousarray(mrio.x, dtype=float)
    Zp = np.ascontiguousarray(Z.reshape(R, S, n).transpose(1, 0, 2))  # S × R × n, annual
    ZC = Zp.sum(axis=1)  # S × n, annual (BoARIO Z_C)
    x0d = x * steply
    with np.errstate(divide="ignore", invalid="ignore"):
        recix = np.where(x != 0, 1.0 / x, 0.0)
    tech = np.ascontiguousarray(ZC * recix[None, :])  # S × n (I_sum @ A)
    thr = np.greater(ZC, x0d[None, :] * TECHNOLOGY_THRESHOLD)
    va = x - Z.sum(axis=0)
    va[va < 0] = 0.0
    if p.productive_capital is not None:
        capital = np.asarray(p.productive_capital, dtype=float).ravel()
        if capital.shape != (n,):
            raise ValidationError(f"productive_capital has {capital.size} values, expected {n}")
    else:
        capital = va * p.capital_to_va_ratio

    inv = np.full(S, float(p.main_inv_dur))
    if p.inventory_days:
        for name, days in p.inventory_days.items():
            if name not in mrio.sectors:
                raise UnknownNameError(name, (), kind="sector")
            inv[mrio.sectors.index(name)] = float(days)
    for name in p.infinite_inventories_sect:
        if name not in mrio.sectors:
            raise UnknownNameError(name, (), kind="sector")
        inv[mrio.sectors.index(name)] = np.inf
    inv[inv <= 1] = 2.0
    inf_rows = ~np.isfinite(inv)
    fin = np.flatnonzero(~inf_rows)
    all_fin = not inf_rows.any()
    inv_fin = np.where(inf_rows, 0.0, inv)  # nan_to_num(inv, posinf=0)
    rtau = 1.0 / float(p.inventory_restoration_tau)
    psi = float(p.psi)
    otau = 1.0 / float(p.alpha_tau)
    amax, abase = float(p.alpha_max), float(p.alpha_base)
    Y0d = np.asarray(mrio.Y, dtype=float) * steply  # n × R·F
    F = Y0d.shape[1] // R
    use0 = tech * x0d[None, :]  # pre-shock daily use per input sector

    def zd_row(i: int) -> np.ndarray:
        return Z[i] * steply

    from econsec.io_models.ario import _compile  # events -> schedules (imports this module)

    comp = _compile(mrio, events, mitigations, T, p, x0d, capital, zd_row, use0)
    hit, delta_sched = comp["hit"], comp["delta"]
    cut, dem = comp["cut"], comp["dem"]
    injections, diversify, substitute = (comp["injections"], comp["diversify"],
                                         comp["substitute"])
    mod_sectors = sorted({row % S for row in cut} | {d.s for d in diversify}
                         | {u.s for u in substitute})
    col_region = np.repeat(np.arange(R), S)
    fd_region = np.repeat(np.arange(R), F)

    # ---- state (BoARIO initial equilibrium) ----
    stock = (x0d[None, :] * tech) * inv_fin[:, None]
    stock[inf_rows, :] = np.inf
    stock0 = stock.copy()
    overprod = np.full(n, abase)
    production = x0d.copy()
    G = ZC * steply  # orders = Z_0: gap per input sector, daily
    ratio_o = np.ones(n)
    W = np.zeros((S, n))
    np.divide(G, ZC, out=W, where=ZC != 0)
    orders_tot = ratio_o * np.matmul(Zp, W[:, :, None])[:, :, 0].T.ravel()
    blocks: dict[int, np.ndarray] = {}  # explicit order blocks (R × n) of modified sectors
    div_extra: dict[int, float] = {}  # diversification: extra daily demand per alternative
    noalt = p.order_type == "noalt"
    ratio_noalt = np.ones(n)

    def fd_intended(t: int) -> np.ndarray:
        if not dem:
            return Y0d
        Yc = Y0d.copy()
        for i, f in dem.items():
            Yc[i] *= f[t][fd_region]
        return Yc

    def place(t: int, Yc: np.ndarray, u: np.ndarray, spare: np.ndarray,
              ratio: np.ndarray, ZCn: np.ndarray, Gn: np.ndarray) -> np.ndarray:
        """Cut, diversify and substitute the orders of modified sectors (fills ``blocks``)
        and return the final demand placed with suppliers."""
        Yp = Yc.copy() if (cut or diversify or substitute) else Yc
        div_extra.clear()
        for row, f in cut.items():
            Yp[row] *= f[t][fd_region]
        for s in mod_sectors:
            rows = np.arange(R) * S + s
            b = np.zeros((R, n))
            np.divide(Zp[s] * ratio[rows][:, None], ZCn[s][None, :], out=b,
                      where=ZCn[s][None, :] != 0)
            P0 = Gn[s][None, :] * b
            P = P0.copy()
            fcol = np.ones((R, R))
            for k, row in enumerate(rows):
                if row in cut:
                    fcol[k] = cut[row][t]
            P *= fcol[:, col_region]
            Y0b = Yc[rows]
            Yb = Yp[rows]
            for dv in (d for d in diversify if d.s == s):
                o = int(np.flatnonzero(rows == dv.origin_row)[0])
                a = int(np.flatnonzero(rows == dv.alt_row)[0])
                share = dv.share[t]
                if share <= 0:
                    continue
                mi = np.isin(col_region, dv.dest_regions) & (fcol[a, col_region] > 0)
                mf = np.isin(fd_region, dv.dest_regions) & (fcol[a, fd_region] > 0)
                ex_i = share * (P0[o] - P[o]) * mi
                ex_f = share * (Y0b[o] - Yb[o]) * mf
                tot = ex_i.sum() + ex_f.sum()
                if tot > dv.limit > 0 or (tot > 0 and dv.limit <= 0):
                    scale = dv.limit / tot if tot > 0 else 0.0
                    ex_i *= scale
                    ex_f *= scale
                P[a] += ex_i
                Yb[a] += ex_f
                div_extra[dv.alt_row] = div_extra.get(dv.alt_row, 0.0) + float(
                    ex_i.sum() + ex_f.sum())
            for sb in (q for q in substitute if q.s == s):
                sh = sb.share[t]
                if sh <= 0:
                    continue
                w = spare[rows] * fcol[:, sb.region]
                if w.sum() <= 0:
                    continue
                w = w / w.sum()
                ci = np.flatnonzero(col_region == sb.region)
                cf = np.flatnonzero(fd_region == sb.region)
                ur = u[rows][:, None]
                for cols, Pm, Pm0 in ((ci, P, P0), (cf, Yb, Y0b)):
                    blk = Pm[:, cols]
                    U = (Pm0[:, cols] - blk).sum(axis=0) + (blk * ur).sum(axis=0)
                    Pm[:, cols] = blk * (1 - sh * ur) + sh * U[None, :] * w[:, None]
            Yp[rows] = Yb
            blocks[s] = P
        return Yp

    Yc = fd_intended(0)
    Yp = place(0, Yc, np.zeros(n), np.zeros(n), ratio_o, ZC, G) if mod_sectors else Yc
    for s, P in blocks.items():
        orders_tot[np.arange(R) * S + s] = P.sum(axis=1)
    fd_tot = Yp.sum(axis=1)
    dtot = orders_tot + fd_tot
    bonus = np.zeros(n)

    rec_prod = np.empty((T, n))
    rec_cap = np.empty((T, n))
    rec_unmet = np.empty((T, n))
    buf = np.empty((S, n))
    cons = np.empty((S, n))
    use = np.empty((S, n))
    V = np.empty((S, 2, R))
    delta = np.zeros(n)
    q = np.zeros(n)
    every = max(1, T // 100)

    supplied = np.zeros(T)
    for t in range(T):
        if check is not None:
            check(t)  # raises to stop the run (cancelled, out of time)
        # 1. capacity loss of the day
        if hit.size:
            delta[hit] = delta_sched[t]
        for inj in injections:  # stockpile release, recycling
            if inf_rows[inj.s]:
                continue  # an input that never constrains needs no supply
            cur = stock[inj.s, inj.cols]
            add = np.minimum(np.maximum(stock0[inj.s, inj.cols] - cur, 0.0), inj.daily[t])
            if inj.pool is not None:
                add = np.minimum(add, inj.pool)
                inj.pool -= add
            stock[inj.s, inj.cols] = cur + add
            supplied[t] += float(add.sum())
        # 2. overproduction (BoARIO: from the third step, `current_temporal_unit > 1`)
        if t > 1:
            scarcity = np.zeros(n)
            nz = dtot != 0
            scarcity[nz] = (dtot[nz] - production[nz]) / dtot[nz]
            scarcity[np.isnan(scarcity)] = 0
            overprod += ((amax - overprod) * scarcity * otau) + (
                (abase - overprod) * (scarcity == 0) * otau)
            overprod[overprod < 1.0] = 1.0
        cap = x0d * (1 - delta)
        cap *= overprod
        if diversify:
            cap += bonus
        popt = np.fmin(dtot, cap)
        # 3. production under inventory constraints
        np.multiply(popt[None, :], tech, out=cons)
        cons *= psi
        cons *= inv_fin[:, None]
        if np.any((stock < cons) & thr):
            r_st = np.ones((S, n))
            np.divide(stock, cons, out=r_st, where=thr & (cons != 0))
            r_st[r_st > 1] = 1
            production = popt * r_st.min(axis=0)
        else:
            production = popt.copy()
        # 4. distribution: proportional rationing
        q = np.zeros(n)
        np.divide(production, dtot, out=q, where=dtot != 0)
        np.multiply(production[None, :], tech, out=use)
        # "alt" orders follow capacity; a diversification bonus is earmarked, not shared
        ratio_new = ratio_noalt if noalt else np.divide(cap - bonus if diversify else cap, x0d,
                                                         out=np.ones(n), where=x0d != 0)
        rq = (ratio_o * q).reshape(R, S).T
        V[:, 0, :] = rq
        V[:, 1, :] = ratio_new.reshape(R, S).T
        out2 = np.matmul(V, Zp)  # S × 2 × n: one pass over Z for both products
        stock_add = W * out2[:, 0, :]
        ZCn = np.ascontiguousarray(out2[:, 1, :])
        for s, P in blocks.items():
            stock_add[s] = (P * q[np.arange(R) * S + s][:, None]).sum(axis=0)
        if not _allclose(stock_add, use, buf):
            stock -= use
            stock += stock_add
        shares = np.zeros_like(Yp)
        np.divide(Yp, dtot[:, None], out=shares, where=dtot[:, None] != 0)
        not_met = Yc - shares * production[:, None]
        rec_unmet[t] = not_met.reshape(R, S, R, F).sum(axis=(0, 3)).T.ravel()
        rec_prod[t] = production
        rec_cap[t] = cap
        # 5. orders for the next day
        if all_fin:
            close = _allclose(stock, (popt[None, :] * tech) * inv_fin[:, None], buf)
        else:
            goal = (popt[None, :] * tech[fin]) * inv[fin][:, None]
            inf_goal_nan = bool(np.any(popt[None, :] * tech[inf_rows] == 0))
            close = (not inf_goal_nan) and _allclose(stock[fin], goal, buf[: fin.size])
        if close:
            Gn = use.copy()
        else:
            Gn = np.zeros((S, n))
            goal = (popt[None, :] * tech[fin]) * inv[fin][:, None]
            gap = goal - stock[fin]
            gap[gap < 0] = 0
            Gn[fin] = gap * rtau
            Gn += use
        Wn = np.zeros((S, n))
        np.divide(Gn, ZCn, out=Wn, where=ZCn != 0)
        orders_tot = ratio_new * np.matmul(Zp, Wn[:, :, None])[:, :, 0].T.ravel()
        G, W, ratio_o = Gn, Wn, ratio_new
        tn = min(t + 1, T - 1)
        if dem:
            Yc = fd_intended(tn)
        if mod_sectors:
            u = 1.0 - q
            u[dtot == 0] = 0.0
            spare = np.maximum(cap - dtot, 0.0)
            Yp = place(tn, Yc, u, spare, ratio_new, ZCn, Gn)
            for s, P in blocks.items():
                orders_tot[np.arange(R) * S + s] = P.sum(axis=1)
            if diversify:
                bonus[:] = 0.0
                for row, amount in div_extra.items():
                    bonus[row] += amount
        else:
            Yp = Yc
        fd_tot = Yp.sum(axis=1) if (dem or mod_sectors) else fd_tot
        dtot = orders_tot + fd_tot
        if progress is not None and ((t + 1) % every == 0 or t + 1 == T):
            progress(t, t + 1, T)

    return SimulationResult(
        days=np.arange(T),
        production=rec_prod,
        production_capacity=rec_cap,
        final_demand_unmet=rec_unmet,
        labels=tuple(mrio.labels),
        unit=mrio.unit,
        params=p,
        baseline_production=x0d,
        last_shock_day=comp["last_shock_day"],
        mrio_name=mrio.name,
        supplied_by_measures=supplied,
        events_end_day=comp["events_end_day"],
    )
