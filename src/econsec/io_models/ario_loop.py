"""The ARIO simulation loop: :func:`simulate`, one function per step of a day.

:func:`simulate` returns a :class:`~econsec.io_models.ario_result.SimulationResult`.

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
(batched BLAS products on ``Z`` permuted to S × n × R), everything else on S × n arrays.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from econsec.errors import UnknownNameError, ValidationError
from econsec.io_models.ario_params import ARIOParams
from econsec.io_models.ario_result import SimulationResult
from econsec.io_models.ario_schedule import compile_schedule
from econsec.io_models.mrio import MRIO

Array = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.intp]

__all__ = ["Model", "Records", "Schedule", "State", "simulate"]

TECHNOLOGY_THRESHOLD = 1e-5  # BoARIO: inputs below this share of output never constrain

ProgressCallback = Callable[[int, int, int], None]


# --------------------------------------------------------------------------- model and state


@dataclass(frozen=True, eq=False)
class Model:
    """The arrays fixed for a run (BoARIO ``ARIOBaseModel.__init__``), daily where it says.

    Shapes: ``R`` regions, ``S`` sectors, ``n = R·S`` industries (region-major), ``F`` final
    demand categories per region.

    - ``x0``: ``x⁰``, pre-shock daily output (n);
    - ``Zt``: the table's annual flows ``Z`` regrouped by input sector, ``Zt[s, j, r] =
      Z[(r, s), j]`` (S × n × R), so that a product over the suppliers of one input, or
      over its buyers, is one batched BLAS call with the long axis first;
    - ``ZC``: ``Z_C = Σ_r Z_{(r,s),j}``, annual use of input sector s by industry j (S × n);
    - ``tech``: ``T = Z_C x̂⁻¹``, the technology matrix by input sector (BoARIO ``tech_mat``
      = ``I_sum @ A``; S × n): daily use of input s per unit of daily output of j;
    - ``constrains``: the inputs that can limit production (``Z_C > 10⁻⁵ x⁰``; BoARIO's
      ``threshold``);
    - ``inv``: ``v``, the inventory target in days of use per input sector (∞: never
      constrains); ``inv_fin``: the same with ∞ as 0; ``inf_rows``: the ∞ sectors;
      ``fin``: indices of the finite ones;
    - ``Y0``: ``Y⁰``, pre-shock daily final demand (n × R·F);
    - ``use0``: pre-shock daily use of every input, ``T x⁰`` (S × n);
    - ``stock0``: ``Ω⁰ = v T x⁰``, the initial (target) inventories (S × n; ∞ rows ∞);
    - ``capital``: productive capital per industry (``capital_to_va_ratio`` × value added);
    - ``steply``: days per table year inverted (1/365): annual flows × ``steply`` = daily;
    - ``psi`` ``ψ``, ``inv_tau_inv`` ``1/τ_inv``, ``alpha_tau_inv`` ``1/τ_α``, ``alpha_max``
      ``α_max``, ``alpha_base`` ``α_b``: the :class:`ARIOParams` of the same names.
    """

    R: int
    S: int
    n: int
    F: int
    steply: float
    x0: Array
    Zt: Array
    ZC: Array
    tech: Array
    constrains: BoolArray
    inv: Array
    inv_fin: Array
    inf_rows: BoolArray
    fin: IntArray
    Y0: Array
    use0: Array
    stock0: Array
    capital: Array
    psi: float
    inv_tau_inv: float
    alpha_tau_inv: float
    alpha_max: float
    alpha_base: float
    noalt: bool
    col_region: IntArray
    fd_region: IntArray

    @property
    def all_fin(self) -> bool:
        """Whether every input sector has a finite inventory target."""
        return self.fin.size == self.S


@dataclass(frozen=True, eq=False)
class Schedule:
    """What the events and mitigations do on each day (compiled by
    :func:`econsec.io_models.ario_schedule.compile_schedule`).

    - ``hit``: industries whose capacity is reduced; ``delta[t, k]``: ``Δ_t`` of
      ``hit[k]``, the share of its capacity lost on day t;
    - ``cut[i]``: T × R passing factor ``f_{i,r} = Π(1 − c_t)`` of supplier row i's flows
      to region r (export restrictions, chokepoint closures);
    - ``demand[i]``: T × R factor ``(1 + share)`` on row i's final demand by region;
    - ``injections``: stockpile releases and recycling (inputs added to inventories);
    - ``diversify``, ``substitute``: orders redirected to other suppliers;
    - ``modified``: the input sectors whose orders are placed explicitly (cut, diversified
      or substituted), sorted.
    """

    hit: IntArray
    delta: Array
    cut: dict[int, Array]
    demand: dict[int, Array]
    injections: list[Any]
    diversify: list[Any]
    substitute: list[Any]
    modified: list[int]
    last_shock_day: int | None
    events_end_day: int | None


@dataclass(eq=False)
class State:
    """What carries from one day to the next (BoARIO's model attributes).

    - ``stock``: ``Ω``, inventories of every input sector held by every industry (S × n);
    - ``alpha``: ``α``, overproduction factor (n), 1 before the shock;
    - ``production``: ``x_{t−1}``, yesterday's realised daily production (n);
    - ``delta``: ``Δ``, share of capacity lost today (n);
    - ``bonus``: extra capacity of diversification's alternative suppliers (n);
    - ``order_ratio``: ``x̄/x⁰`` of each supplier when the orders were placed (order type
      "alt"; ones for "noalt"): suppliers receive orders in proportion to ``Z_{ij}`` times it;
    - ``gap``: ``g``, what each industry orders per input sector (S × n), daily;
    - ``gap_share``: ``g / Σ_r Z_{(r,s),j}·ratio_{(r,s)}``, the factor turning a row of Z
      into the orders it receives (S × n);
    - ``orders``: total intermediate orders each supplier received (n);
    - ``blocks``: explicit orders (R × n) of the modified input sectors;
    - ``extra``: diversification, extra daily demand per alternative supplier row;
    - ``fd_intended``: final demand asked today (n × R·F); ``fd_placed``: the part placed
      with suppliers after cuts and redirection; ``fd_total``: its row sums (n);
    - ``demand``: ``d = orders + fd_total``, total demand on each supplier (n).
    """

    stock: Array
    alpha: Array
    production: Array
    delta: Array
    bonus: Array
    order_ratio: Array
    gap: Array
    gap_share: Array
    orders: Array
    blocks: dict[int, Array]
    extra: dict[int, float]
    fd_intended: Array
    fd_placed: Array
    fd_total: Array
    demand: Array


@dataclass(eq=False)
class Records:
    """The daily series being recorded (T × n, T)."""

    production: Array
    capacity: Array
    unmet: Array
    supplied: Array


# --------------------------------------------------------------------------- building


def _check_params(p: ARIOParams, horizon_days: int) -> None:
    if int(horizon_days) != horizon_days or horizon_days <= 0:
        raise ValidationError(f"horizon_days must be a positive whole number, not {horizon_days}")
    if p.order_type not in ("alt", "noalt"):
        raise ValidationError(f"order_type must be 'alt' or 'noalt', not {p.order_type!r}")
    if p.psi > 1:
        raise ValidationError(f"psi {p.psi} must be at most 1")


def _inventory_days(mrio: MRIO, p: ARIOParams) -> Array:
    """``v`` per input sector: ``main_inv_dur``, overridden by ``inventory_days``, ∞ for
    ``infinite_inventories_sect``; BoARIO sets targets of at most 1 day to 2."""
    inv = np.full(len(mrio.sectors), float(p.main_inv_dur))
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
    return inv


def build_model(mrio: MRIO, p: ARIOParams) -> Model:
    """The static arrays of :class:`Model` from the table and the parameters."""
    R, S = len(mrio.regions), len(mrio.sectors)
    n = R * S
    steply = 1.0 / float(p.iotable_year_to_temporal_unit_factor)
    Z = np.asarray(mrio.Z, dtype=float)
    x = np.ascontiguousarray(mrio.x, dtype=float)
    by_region = Z.reshape(R, S, n)  # [r, s, j] = Z[(r, s), j]
    Zt = np.ascontiguousarray(by_region.transpose(1, 2, 0))  # S × n × R, annual
    ZC = by_region.sum(axis=0)  # S × n, annual (BoARIO Z_C)
    x0 = x * steply
    with np.errstate(divide="ignore", invalid="ignore"):
        recix = np.where(x != 0, 1.0 / x, 0.0)
    tech = np.ascontiguousarray(ZC * recix[None, :])  # S × n (I_sum @ A)
    va = x - Z.sum(axis=0)
    va[va < 0] = 0.0
    if p.productive_capital is not None:
        capital = np.asarray(p.productive_capital, dtype=float).ravel()
        if capital.shape != (n,):
            raise ValidationError(f"productive_capital has {capital.size} values, expected {n}")
    else:
        capital = va * p.capital_to_va_ratio
    inv = _inventory_days(mrio, p)
    inf_rows = ~np.isfinite(inv)
    inv_fin = np.where(inf_rows, 0.0, inv)  # nan_to_num(inv, posinf=0)
    stock0 = (x0[None, :] * tech) * inv_fin[:, None]
    stock0[inf_rows, :] = np.inf
    Y0 = np.asarray(mrio.Y, dtype=float) * steply  # n × R·F
    F = Y0.shape[1] // R
    return Model(
        R=R, S=S, n=n, F=F, steply=steply, x0=x0, Zt=Zt, ZC=ZC, tech=tech,
        constrains=np.greater(ZC, x0[None, :] * TECHNOLOGY_THRESHOLD),
        inv=inv, inv_fin=inv_fin, inf_rows=inf_rows, fin=np.flatnonzero(~inf_rows),
        Y0=Y0, use0=tech * x0[None, :], stock0=stock0, capital=capital,
        psi=float(p.psi), inv_tau_inv=1.0 / float(p.inventory_restoration_tau),
        alpha_tau_inv=1.0 / float(p.alpha_tau), alpha_max=float(p.alpha_max),
        alpha_base=float(p.alpha_base), noalt=p.order_type == "noalt",
        col_region=np.repeat(np.arange(R), S), fd_region=np.repeat(np.arange(R), F))


def build_schedule(mrio: MRIO, model: Model, events: Sequence[Any],
                   mitigations: Sequence[Any], horizon: int, p: ARIOParams) -> Schedule:
    """The day-by-day :class:`Schedule` of ``events`` and ``mitigations`` (names and days
    checked; raises naming the offending item)."""
    steply = 1.0 / float(p.iotable_year_to_temporal_unit_factor)
    Z: Array = np.asarray(mrio.Z, dtype=float)

    def zd_row(i: int) -> Array:
        row: Array = Z[i] * steply
        return row

    comp = compile_schedule(mrio, events, mitigations, horizon, p, model.x0, model.capital, zd_row,
                    model.use0)
    cut, diversify, substitute = comp["cut"], comp["diversify"], comp["substitute"]
    S = model.S
    modified = sorted({row % S for row in cut} | {d.s for d in diversify}
                      | {u.s for u in substitute})
    return Schedule(hit=comp["hit"], delta=comp["delta"], cut=cut, demand=comp["dem"],
                    injections=comp["injections"], diversify=diversify, substitute=substitute,
                    modified=modified, last_shock_day=comp["last_shock_day"],
                    events_end_day=comp["events_end_day"])


def initial_state(model: Model, sched: Schedule) -> State:
    """BoARIO's initial equilibrium: inventories at target ``Ω⁰``, α = α_b, yesterday's
    production ``x⁰``, orders equal to the pre-shock flows (gap ``g = Z_C/365`` per input
    sector, split in proportion to ``Z``); then day 0's final demand and, for modified input
    sectors, day 0's explicit orders."""
    n, S = model.n, model.S
    gap = model.ZC * model.steply  # orders = Z_0: gap per input sector, daily
    order_ratio = np.ones(n)
    gap_share = np.zeros((S, n))
    np.divide(gap, model.ZC, out=gap_share, where=model.ZC != 0)
    orders = order_ratio * _orders_received(model, gap_share, _work(model))
    state = State(
        stock=model.stock0.copy(), alpha=np.full(n, model.alpha_base),
        production=model.x0.copy(), delta=np.zeros(n), bonus=np.zeros(n),
        order_ratio=order_ratio, gap=gap, gap_share=gap_share, orders=orders, blocks={},
        extra={}, fd_intended=model.Y0, fd_placed=model.Y0, fd_total=np.empty(0),
        demand=np.empty(0))
    state.fd_intended = intended_final_demand(model, sched, 0)
    if sched.modified:
        state.fd_placed = place_orders(model, sched, state, 0, np.zeros(n), np.zeros(n),
                                       order_ratio, model.ZC, gap)
    else:
        state.fd_placed = state.fd_intended
    _set_block_orders(model, state)
    state.fd_total = state.fd_placed.sum(axis=1)
    state.demand = state.orders + state.fd_total
    return state


# --------------------------------------------------------------------------- daily steps


@dataclass(eq=False)
class _Work:
    """Work arrays reused every day."""

    buf: Array
    tol: Array
    need: Array
    use: Array
    V: Array
    orders: Array
    both: Array


def _work(model: Model) -> _Work:
    S, n = model.S, model.n
    return _Work(buf=np.empty((S, n)), tol=np.empty((S, n)), need=np.empty((S, n)),
                 use=np.empty((S, n)), V=np.empty((S, model.R, 2)),
                 orders=np.empty((S, 1, model.R)), both=np.empty((S, n, 2)))


def _allclose(a: Array, b: Array, buf: Array, tol: Array | None = None) -> bool:
    """``np.allclose(a, b)`` (rtol 1e-5, atol 1e-8) for finite arrays, using the work arrays
    ``buf`` and ``tol`` (same shape as ``a``). The rows are checked in eight blocks, stopping
    at the first block out of tolerance: while a shock lasts the arrays differ almost every
    day, and one element settles the answer."""
    if tol is None:
        tol = np.empty_like(buf)
    rows = a.shape[0]
    step = max(1, -(-rows // 8))
    return all(_close(a[lo:lo + step], b[lo:lo + step], buf[lo:lo + step], tol[lo:lo + step])
               for lo in range(0, rows, step))


def _close(a: Array, b: Array, buf: Array, tol: Array) -> bool:
    """``|a − b| ≤ 1e-8 + 1e-5 |b|`` everywhere (``np.allclose``'s test)."""
    np.subtract(a, b, out=buf)
    np.abs(buf, out=buf)
    np.abs(b, out=tol)
    tol *= 1e-5
    tol += 1e-8
    return bool(np.all(buf <= tol))


def _share(num: Array, den: Array) -> Array:
    """``num / den`` where ``den ≠ 0``, else 0 (as ``np.divide(..., where=den != 0)`` into
    zeros, without its slower masked loop)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.divide(num, den)
    out[den == 0] = 0.0
    return out


def _orders_received(model: Model, gap_share: Array, work: _Work) -> Array:
    """Orders each supplier ``(r, s)`` receives, before its order ratio:
    ``Σ_j Z_{(r,s),j} · gap_share_{s,j}`` (one pass over Z: for each input sector s, the
    row vector ``gap_share_s`` times ``Zt_s``), as an n-vector (region-major)."""
    by_sector = np.matmul(gap_share[:, None, :], model.Zt, out=work.orders)  # S × 1 × R
    received: Array = by_sector[:, 0, :].T.ravel()
    return received


def _set_block_orders(model: Model, state: State) -> None:
    """Orders of the modified input sectors are the row sums of their explicit blocks."""
    for s, P in state.blocks.items():
        state.orders[np.arange(model.R) * model.S + s] = P.sum(axis=1)


def intended_final_demand(model: Model, sched: Schedule, t: int) -> Array:
    """Final demand asked on day t: ``Y⁰``, scaled by the demand changes of the day
    (``Y_{i,(r,·)} = Y⁰_{i,(r,·)} (1 + share)`` for the listed demanding regions r)."""
    if not sched.demand:
        return model.Y0
    Yc = model.Y0.copy()
    for i, f in sched.demand.items():
        Yc[i] *= f[t][model.fd_region]
    return Yc


def inject(model: Model, sched: Schedule, stock: Array, t: int) -> float:
    """Stockpile releases and recycling: inventory ``Ω_{sj}`` of the region's industries
    grows by ``min(max(Ω⁰_{sj} − Ω_{sj}, 0), m_{t,j}, P_j)`` (m the day's maximum, P what is
    left of a stockpile; recycling has no P). Updates ``stock`` (and the stockpiles) in place;
    returns the value added to inventories."""
    supplied = 0.0
    for inj in sched.injections:  # recycling (flows) first, then stockpiles
        if model.inf_rows[inj.s]:
            continue  # an input that never constrains needs no supply
        cur = stock[inj.s, inj.cols]
        add = np.minimum(np.maximum(model.stock0[inj.s, inj.cols] - cur, 0.0), inj.daily[t])
        if inj.pool is not None:
            add = np.minimum(add, inj.pool)
            inj.pool -= add
        stock[inj.s, inj.cols] = cur + add
        supplied += float(add.sum())
    return supplied


def overproduction(model: Model, alpha: Array, demand: Array, production: Array) -> Array:
    """α after one day (Hallegatte 2008, eq. 9; BoARIO ``calc_overproduction``): where
    scarcity ``σ = (d − x_{t−1})/d`` is positive, ``α += (α_max − α)·σ/τ_α``; where there
    is none, ``α += (α_b − α)/τ_α``; α ≥ 1."""
    n = model.n
    scarcity = np.zeros(n)
    nz = demand != 0
    scarcity[nz] = (demand[nz] - production[nz]) / demand[nz]
    scarcity[np.isnan(scarcity)] = 0
    tau_inv = model.alpha_tau_inv
    alpha = alpha + (((model.alpha_max - alpha) * scarcity * tau_inv)
                     + ((model.alpha_base - alpha) * (scarcity == 0) * tau_inv))
    alpha[alpha < 1.0] = 1.0
    return alpha


def capacity(model: Model, delta: Array, alpha: Array, bonus: Array | None) -> Array:
    """Production capacity ``x̄ = x⁰ (1 − Δ) α`` (plus a diversification bonus)."""
    cap = model.x0 * (1 - delta)
    cap *= alpha
    if bonus is not None:
        cap += bonus
    return cap


def constrained_production(model: Model, stock: Array, wanted: Array, wanted_use: Array,
                           need: Array) -> Array | None:
    """Production under inventory constraints (Guan et al. 2020; BoARIO
    ``calc_production``): with ``x* = min(d, x̄)`` (``wanted``), an industry is limited by
    every constraining input whose inventory is below ``ψ v_s T_{sj} x*_j``:
    ``x = x* · min_s min(1, Ω_{sj} / (ψ v_s T_{sj} x*_j))``. ``wanted_use`` is ``T x*``;
    ``need`` is a work array. Returns ``None`` when no inventory constrains (x = x*)."""
    np.multiply(wanted_use, model.psi, out=need)
    need *= model.inv_fin[:, None]
    if np.any((stock < need) & model.constrains):
        ratio = np.ones((model.S, model.n))
        np.divide(stock, need, out=ratio, where=model.constrains & (need != 0))
        ratio[ratio > 1] = 1
        limited: Array = wanted * ratio.min(axis=0)
        return limited
    return None


def order_ratio(model: Model, cap: Array, bonus: Array | None) -> Array:
    """``x̄/x⁰`` per supplier for "alt" orders (buyers order from a supplier in proportion to
    its current capacity; a diversification bonus is earmarked, not shared); ones for
    "noalt"."""
    n = model.n
    if model.noalt:
        return np.ones(n)
    return np.divide(cap - bonus if bonus is not None else cap, model.x0, out=np.ones(n),
                     where=model.x0 != 0)


def deliveries(model: Model, state: State, filled: Array, ratio: Array, V: Array,
               both_out: Array) -> tuple[Array, Array]:
    """Inputs received and tomorrow's order weights, from one pass over Z.

    Every buyer gets the share ``x/d`` (``filled``) of what it asked (proportional
    rationing): industry j receives of input s ``Σ_r O_{(r,s),j} x_{(r,s)}/d_{(r,s)}`` with
    ``O_{(r,s),j} = Z_{(r,s),j} · order_ratio_{(r,s)} · gap_share_{s,j}`` (yesterday's orders).
    The same batched product gives ``Z_C(ratio) = Σ_r Z_{(r,s),j} ratio_{(r,s)}``, the
    capacity-weighted input totals that split tomorrow's orders. Returns ``(received,
    weighted Z_C)``, both S × n; ``V`` (S × R × 2) and ``both_out`` (S × n × 2) are work
    arrays."""
    R, S = model.R, model.S
    V[:, :, 0] = (state.order_ratio * filled).reshape(R, S).T
    V[:, :, 1] = ratio.reshape(R, S).T
    both = np.matmul(model.Zt, V, out=both_out)  # S × n × 2: one pass over Z
    received = state.gap_share * both[:, :, 0]
    for s, P in state.blocks.items():
        received[s] = (P * filled[np.arange(R) * S + s][:, None]).sum(axis=0)
    return received, np.ascontiguousarray(both[:, :, 1])


def unmet_final_demand(model: Model, state: State, production: Array) -> Array:
    """BoARIO's "final demand not met": asked − delivered, where a supplier delivers
    ``x_i / d_i`` of each placed final demand; summed by demanding region and product sector
    (column ``r·S + s``)."""
    R, S, F = model.R, model.S, model.F
    placed, demand = state.fd_placed, state.demand
    shares = np.zeros_like(placed)
    np.divide(placed, demand[:, None], out=shares, where=demand[:, None] != 0)
    not_met = state.fd_intended - shares * production[:, None]
    by_product: Array = not_met.reshape(R, S, R, F).sum(axis=(0, 3)).T.ravel()
    return by_product


def order_gap(model: Model, stock: Array, wanted: Array, wanted_use: Array, use: Array,
              work: _Work) -> Array:
    """What each industry orders per input sector for tomorrow (BoARIO
    ``calc_orders``): today's use ``T x`` plus the inventory gap closed over ``τ_inv``:
    ``g = max(v T x* − Ω, 0)/τ_inv + T x``; BoARIO orders exactly ``T x`` when inventories
    are ``np.allclose`` to their target. Inputs with infinite targets order ``T x``.
    ``wanted_use`` is ``T x*``."""
    fin, inv = model.fin, model.inv
    if model.all_fin:
        goal = wanted_use * model.inv_fin[:, None]
        if _allclose(stock, goal, work.buf, work.tol):
            return use.copy()
        gap = np.subtract(goal, stock, out=goal)
        gap[gap < 0] = 0
        gap *= model.inv_tau_inv
        gap += use
        return gap
    goal = (wanted[None, :] * model.tech[fin]) * inv[fin][:, None]
    inf_goal_nan = bool(np.any(wanted[None, :] * model.tech[model.inf_rows] == 0))
    if (not inf_goal_nan) and _allclose(stock[fin], goal, work.buf[: fin.size]):
        return use.copy()
    gap_all = np.zeros((model.S, model.n))
    gap = goal - stock[fin]
    gap[gap < 0] = 0
    gap_all[fin] = gap * model.inv_tau_inv
    gap_all += use
    return gap_all


@dataclass(eq=False)
class _Block:
    """The explicit orders of one modified input sector s on one day: ``rows`` the suppliers
    ``(r, s)``; ``P0``/``P`` their orders from every buyer (R × n) before/after cuts and
    redirection; ``Y0``/``Y`` their final demand (R × R·F) likewise; ``passing`` the cut
    factors ``f`` of each supplier to each destination region (R × R)."""

    rows: IntArray
    P0: Array
    P: Array
    Y0: Array
    Y: Array
    passing: Array


def _diversify(model: Model, dv: Any, t: int, block: _Block, extra: dict[int, float]) -> None:
    """Diversification: the alternative supplier a receives ``share · ramp_t`` of the orders
    and final demand the cut took from origin o for the destinations (where a itself is not
    cut), scaled down to at most ``limit`` a day; adds what it got to ``extra``."""
    col_region, fd_region = model.col_region, model.fd_region
    rows, P0, P, Y0b, Yb, fcol = block.rows, block.P0, block.P, block.Y0, block.Y, block.passing
    o = int(np.flatnonzero(rows == dv.origin_row)[0])
    a = int(np.flatnonzero(rows == dv.alt_row)[0])
    share = dv.share[t]
    if share <= 0:
        return
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
    extra[dv.alt_row] = extra.get(dv.alt_row, 0.0) + float(ex_i.sum() + ex_f.sum())


def _substitute(model: Model, sb: Any, t: int, block: _Block, unfilled: Array,
                spare: Array) -> None:
    """Substitution for the buyers of one region: their unfilled demand ``U_j = Σ_i (O⁰_ij −
    O_ij) + Σ_i O_ij u_i`` is redirected with weight ``share`` to suppliers in proportion
    to ``w_i ∝ spare_i f_{i,r}``: ``O_ij ← O_ij (1 − share·u_i) + share · U_j · w_i`` (orders
    and final demand alike)."""
    col_region, fd_region = model.col_region, model.fd_region
    rows, fcol = block.rows, block.passing
    sh = sb.share[t]
    if sh <= 0:
        return
    w = spare[rows] * fcol[:, sb.region]
    if w.sum() <= 0:
        return
    w = w / w.sum()
    ci = np.flatnonzero(col_region == sb.region)
    cf = np.flatnonzero(fd_region == sb.region)
    ur = unfilled[rows][:, None]
    for cols, Pm, Pm0 in ((ci, block.P, block.P0), (cf, block.Y, block.Y0)):
        blk = Pm[:, cols]
        U = (Pm0[:, cols] - blk).sum(axis=0) + (blk * ur).sum(axis=0)
        Pm[:, cols] = blk * (1 - sh * ur) + sh * U[None, :] * w[:, None]


def place_orders(model: Model, sched: Schedule, state: State, t: int, unfilled: Array,
                 spare: Array, ratio: Array, weighted_zc: Array, gap: Array) -> Array:
    """Orders of the modified input sectors on day t, placed explicitly (sets
    ``state.blocks`` and ``state.extra``); returns the final demand placed with suppliers.

    - cut links: supplier i passes ``f_{i,r}`` of what buyers in region r ask
      (``O_{ij} ← O_{ij} f_{i,r(j)}``, ``Y_{i,(r,·)} ← Y f_{i,r}``), not renormalised;
    - diversification: the alternative supplier a receives ``share · ramp_t`` of what the
      cut took from origin o for the destinations, at most ``limit`` a day;
    - substitution: for buyers in the region, the unfilled demand ``U_j = Σ_i (O⁰_{ij} −
      O_{ij}) + Σ_i O_{ij} u_i`` (u = 1 − x/d: cut plus rationed) is redirected with weight
      ``share``: ``O_{ij} ← O_{ij} (1 − share·u_i) + share · U_j · w_i``, ``w_i ∝ spare_i
      f_{i,r}`` (spare capacity ``max(x̄ − d, 0)``).
    """
    R, S, n = model.R, model.S, model.n
    col_region, fd_region = model.col_region, model.fd_region
    cut, diversify, substitute = sched.cut, sched.diversify, sched.substitute
    Yc = state.fd_intended
    Yp = Yc.copy() if (cut or diversify or substitute) else Yc
    state.extra.clear()
    for row, f in cut.items():
        Yp[row] *= f[t][fd_region]
    for s in sched.modified:
        rows = np.arange(R) * S + s
        b = np.zeros((R, n))
        np.divide(model.Zt[s].T * ratio[rows][:, None], weighted_zc[s][None, :], out=b,
                  where=weighted_zc[s][None, :] != 0)
        P0 = gap[s][None, :] * b
        P = P0.copy()
        fcol = np.ones((R, R))
        for k, supplier in enumerate(rows.tolist()):
            if supplier in cut:
                fcol[k] = cut[supplier][t]
        P *= fcol[:, col_region]
        Y0b = Yc[rows]
        Yb = Yp[rows]
        block = _Block(rows, P0, P, Y0b, Yb, fcol)
        for dv in (d for d in diversify if d.s == s):
            _diversify(model, dv, t, block, state.extra)
        for sb in (q for q in substitute if q.s == s):
            _substitute(model, sb, t, block, unfilled, spare)
        Yp[rows] = Yb
        state.blocks[s] = P
    return Yp


def next_demand(model: Model, sched: Schedule, state: State, t: int, filled: Array,
                cap: Array, ratio: Array, weighted_zc: Array, gap: Array) -> None:
    """Tomorrow's final demand and total demand ``d`` (day t + 1, the last day repeated):
    the intended final demand, the explicit orders of modified sectors and, with
    diversification, the alternative suppliers' bonus capacity."""
    T = sched.delta.shape[0]
    tn = min(t + 1, T - 1)
    dem, modified = sched.demand, sched.modified
    if dem:
        state.fd_intended = intended_final_demand(model, sched, tn)
    if modified:
        unfilled = 1.0 - filled
        unfilled[state.demand == 0] = 0.0
        spare = np.maximum(cap - state.demand, 0.0)
        state.fd_placed = place_orders(model, sched, state, tn, unfilled, spare, ratio,
                                       weighted_zc, gap)
        _set_block_orders(model, state)
        if sched.diversify:
            state.bonus[:] = 0.0
            for row, amount in state.extra.items():
                state.bonus[row] += amount
    else:
        state.fd_placed = state.fd_intended
    if dem or modified:
        state.fd_total = state.fd_placed.sum(axis=1)
    state.demand = state.orders + state.fd_total


def step(model: Model, sched: Schedule, state: State, rec: Records, work: _Work, t: int
         ) -> None:
    """Simulate day t (BoARIO's order of operations; see the module docstring): updates
    ``state`` to the end of the day and writes day t's row of ``rec``."""
    if sched.hit.size:
        state.delta[sched.hit] = sched.delta[t]  # 1. capacity lost today
    rec.supplied[t] = inject(model, sched, state.stock, t)
    if t > 1:  # 2. overproduction (BoARIO: from the third step, `current_temporal_unit > 1`)
        state.alpha = overproduction(model, state.alpha, state.demand, state.production)
    bonus = state.bonus if sched.diversify else None
    cap = capacity(model, state.delta, state.alpha, bonus)
    wanted = np.fmin(state.demand, cap)  # x* = min(d, x̄)
    wanted_use = wanted[None, :] * model.tech  # T x*
    limited = constrained_production(model, state.stock, wanted, wanted_use, work.need)  # 3.
    if limited is None:  # no inventory constrains: x = x*, T x = T x*
        production, use = wanted.copy(), wanted_use
    else:
        production = limited
        use = np.multiply(production[None, :], model.tech, out=work.use)
    state.production = production
    filled = np.zeros(model.n)  # 4. distribution: proportional rationing x/d
    np.divide(production, state.demand, out=filled, where=state.demand != 0)
    ratio = order_ratio(model, cap, bonus)
    received, weighted_zc = deliveries(model, state, filled, ratio, work.V,
                                          work.both)
    if not _allclose(received, use, work.buf, work.tol):
        state.stock -= use
        state.stock += received
    rec.unmet[t] = unmet_final_demand(model, state, production)
    rec.production[t] = production
    rec.capacity[t] = cap
    gap = order_gap(model, state.stock, wanted, wanted_use, use, work)  # 5. tomorrow's orders
    gap_share = _share(gap, weighted_zc)
    state.orders = ratio * _orders_received(model, gap_share, work)
    state.gap, state.gap_share, state.order_ratio = gap, gap_share, ratio
    next_demand(model, sched, state, t, filled, cap, ratio, weighted_zc, gap)


def simulate(
    mrio: MRIO,
    events: Sequence[Any],
    mitigations: Sequence[Any] = (),
    params: ARIOParams | None = None,
    horizon_days: int = 365,
    progress: ProgressCallback | None = None,
    check: Callable[[int], None] | None = None,
    model: Model | None = None,
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

    ``model``: the arrays :func:`build_model` made from this ``mrio`` and ``params``, for a
    caller that runs many events on one table and builds them once (the stress test).

    ``check(day)`` is called at the start of every simulated day; it raises to stop the run
    (the web app's jobs use it for cancellation and their time limit). Recycling flows are
    applied before stockpile releases, so a stockpile is drawn only for what the flows leave
    uncovered; ``supplied_by_measures`` records what both put into inventories each day.

    Raises :class:`ValidationError` (or :class:`UnknownNameError` with suggestions) naming
    the offending item, e.g. ``events[2] (export_restriction reg3/mining): share 1.3 is
    above 1``.
    """
    p = params or ARIOParams()
    _check_params(p, horizon_days)
    T = int(horizon_days)
    model = model if model is not None else build_model(mrio, p)
    sched = build_schedule(mrio, model, events, mitigations, T, p)
    state = initial_state(model, sched)
    n = model.n
    rec = Records(production=np.empty((T, n)), capacity=np.empty((T, n)),
                  unmet=np.empty((T, n)), supplied=np.zeros(T))
    work = _work(model)
    every = max(1, T // 100)
    for t in range(T):
        if check is not None:
            check(t)  # raises to stop the run (cancelled, out of time)
        step(model, sched, state, rec, work, t)
        if progress is not None and ((t + 1) % every == 0 or t + 1 == T):
            progress(t, t + 1, T)
    return SimulationResult(
        days=np.arange(T),
        production=rec.production,
        production_capacity=rec.capacity,
        final_demand_unmet=rec.unmet,
        labels=tuple(mrio.labels),
        unit=mrio.unit,
        params=p,
        baseline_production=model.x0,
        last_shock_day=sched.last_shock_day,
        mrio_name=mrio.name,
        supplied_by_measures=rec.supplied,
        events_end_day=sched.events_end_day,
    )
