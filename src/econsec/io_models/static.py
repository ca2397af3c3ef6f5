"""Static input-output models: Leontief, Ghosh, inoperability (IIM), hypothetical extraction.

Symbols follow Miller & Blair, *Input-Output Analysis: Foundations and Extensions*
(2nd ed. 2009; M&B) and pymrio's ``iomath``: ``Z`` flows, ``x`` gross output, ``y`` final
demand (``Y·1``), ``v`` value added, ``A = Z x̂⁻¹``, ``B = x̂⁻¹ Z``, ``L = (I − A)⁻¹``,
``G = (I − B)⁻¹``. ``L`` and ``G`` are never formed: every model solves with one LU
factorisation (see :mod:`econsec.io_models.linalg`).

Array functions (``calc_*``) take and return numpy arrays. Model functions take an
:class:`~econsec.io_models.mrio.MRIO` and shocks named by (region, sector), validate them
and return result objects whose ``to_dict()`` has stable snake_case keys (the CLI's JSON
and the web API share it). :class:`StaticModel` keeps the factorisations of one MRIO for
many shocks.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

import numpy as np

from econsec.errors import ValidationError
from econsec.io_models.linalg import LeontiefSolver, Method, check_coefficients
from econsec.io_models.mrio import MRIO

#: A shock: {(region, sector): value}, a sequence of (region, sector, value), or a vector
#: of length n in the MRIO's order.
Shock = Mapping[tuple[str, str], float] | Sequence[tuple[str, str, float]] | np.ndarray

ExtractionVariant = Literal["full", "backward", "forward"]

#: Relative slack when comparing a cut with what it cuts (a −100 % cut is allowed).
BOUND_RTOL = 1e-9


# ---------------------------------------------------------------------------------------
# Coefficient matrices (as pymrio.tools.iomath, numpy only)


def _reciprocal(x: np.ndarray) -> np.ndarray:
    """``1/x`` with 0 where ``x = 0`` (sectors without output get zero coefficients)."""
    x = np.asarray(x, dtype=float).ravel()
    out = np.zeros_like(x)
    np.divide(1.0, x, out=out, where=x != 0)
    return out


def _check_Z_x(Z: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    Z = np.asarray(Z, dtype=float)
    x = np.asarray(x, dtype=float).ravel()
    if Z.ndim != 2 or Z.shape[0] != Z.shape[1] or Z.shape[0] != x.shape[0]:
        raise ValidationError(f"Z must be n × n and x of length n; got {Z.shape} and "
                              f"{x.shape}")
    if not (np.all(np.isfinite(Z)) and np.all(np.isfinite(x))):
        raise ValidationError("Z or x holds NaN or infinite values")
    if np.any(x < 0):
        raise ValidationError(f"negative gross output at position {int(np.argmax(x < 0))}")
    return Z, x


def calc_A(Z: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Technical coefficients ``A = Z x̂⁻¹`` (M&B eq. 2.4: ``a_ij = z_ij / x_j``).

    Columns of sectors with zero output are 0, as in pymrio's ``calc_A``.
    """
    Z, x = _check_Z_x(Z, x)
    out: np.ndarray = Z * _reciprocal(x)[None, :]
    return out


def calc_B(Z: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Allocation (output) coefficients ``B = x̂⁻¹ Z`` of the Ghosh model (M&B eq. 12.7:
    ``b_ij = z_ij / x_i``). Rows of sectors with zero output are 0, as in pymrio."""
    Z, x = _check_Z_x(Z, x)
    out: np.ndarray = Z * _reciprocal(x)[:, None]
    return out


def calc_A_star(A: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Interdependency matrix of the inoperability model ``A* = x̂⁻¹ A x̂``
    (Santos & Haimes 2004, eq. 5: ``a*_ij = a_ij x_j / x_i``).

    Numerically ``A* = x̂⁻¹ Z = B``, the Ghosh allocation matrix.
    """
    A = np.asarray(A, dtype=float)
    x = np.asarray(x, dtype=float).ravel()
    out: np.ndarray = A * x[None, :] * _reciprocal(x)[:, None]
    return out


def calc_delta_x_leontief(A: np.ndarray, delta_y: np.ndarray, *,
                          solver: LeontiefSolver | None = None,
                          method: Method = "auto") -> np.ndarray:
    """Leontief quantity model ``Δx = (I − A)⁻¹ Δy = L Δy`` (M&B eq. 2.11), by one LU solve.

    ``delta_y`` is (n,) or (n, k) for k shocks at once. Pass a ``solver`` built on ``A``
    to reuse its factorisation.
    """
    solver = solver or LeontiefSolver(A, method=method)
    return solver.solve(delta_y)


def calc_delta_x_ghosh(B: np.ndarray, delta_v: np.ndarray, *,
                       solver: LeontiefSolver | None = None,
                       method: Method = "auto") -> np.ndarray:
    """Ghosh supply model ``Δxᵀ = Δvᵀ (I − B)⁻¹ = Δvᵀ G`` (M&B eq. 12.10), solved as
    ``(I − B)ᵀ Δx = Δv`` (LU with ``trans=1``). ``solver`` must be built on ``B``."""
    solver = solver or LeontiefSolver(B, method=method)
    return solver.solve_transposed(delta_v)


def calc_q_inoperability(A_star: np.ndarray, c_star: np.ndarray, *,
                         solver: LeontiefSolver | None = None,
                         method: Method = "auto") -> np.ndarray:
    """Inoperability ``q = (I − A*)⁻¹ c*`` (Santos & Haimes 2004, eq. 7), by one LU solve.

    ``q_i`` is the fraction of sector i's as-planned output that is lost; ``c*`` is the
    demand perturbation as a fraction of as-planned output, ``c* = x̂⁻¹ (ŷ − ỹ)``.
    """
    solver = solver or LeontiefSolver(A_star, method=method)
    return solver.solve(c_star)


# ---------------------------------------------------------------------------------------
# Results


def _rows(labels: Sequence[tuple[str, str]], values: np.ndarray, top: int | None,
          key: str = "value") -> list[dict[str, Any]]:
    order = sorted(range(len(values)), key=lambda i: (-abs(float(values[i])), i))
    if top is not None:
        order = order[:top]
    return [{"region": labels[i][0], "sector": labels[i][1], key: float(values[i])}
            for i in order]


@dataclass(frozen=True, eq=False)
class ShockResult:
    """Output change of a Leontief (demand) or Ghosh (value-added) shock.

    ``delta_x[i]`` is the change in gross output of ``labels[i]`` in the MRIO's unit.
    """

    mrio: str
    unit: str
    model: str
    labels: list[tuple[str, str]]
    shock: list[tuple[str, str, float]]
    delta_x: np.ndarray
    notes: tuple[str, ...] = ()

    @property
    def total_output_change(self) -> float:
        """``1ᵀ Δx``."""
        return float(self.delta_x.sum())

    def changes(self, top: int | None = None) -> list[dict[str, Any]]:
        """``[{region, sector, value}]`` sorted by absolute value (largest first)."""
        return _rows(self.labels, self.delta_x, top)

    def to_dict(self, top: int | None = None) -> dict[str, Any]:
        return {
            "mrio": self.mrio,
            "unit": self.unit,
            "model": self.model,
            "shock": [{"region": r, "sector": s, "value": v} for r, s, v in self.shock],
            "total_output_change": self.total_output_change,
            "changes": self.changes(top),
        }


@dataclass(frozen=True, eq=False)
class InoperabilityResult:
    """Inoperability ``q`` (fraction of output lost) and economic loss ``q ⊙ x``."""

    mrio: str
    unit: str
    labels: list[tuple[str, str]]
    perturbation: list[tuple[str, str, float]]
    q: np.ndarray
    x: np.ndarray
    notes: tuple[str, ...] = ()

    @property
    def economic_loss(self) -> np.ndarray:
        """``q ⊙ x`` (Santos & Haimes 2004, eq. 9), in the MRIO's unit."""
        out: np.ndarray = self.q * self.x
        return out

    @property
    def total_economic_loss(self) -> float:
        return float(self.economic_loss.sum())

    def changes(self, top: int | None = None) -> list[dict[str, Any]]:
        """``[{region, sector, inoperability, economic_loss}]`` by economic loss."""
        loss = self.economic_loss
        order = sorted(range(len(loss)), key=lambda i: (-abs(float(loss[i])), i))
        if top is not None:
            order = order[:top]
        return [{"region": self.labels[i][0], "sector": self.labels[i][1],
                 "inoperability": float(self.q[i]), "economic_loss": float(loss[i])}
                for i in order]

    def to_dict(self, top: int | None = None) -> dict[str, Any]:
        return {
            "mrio": self.mrio,
            "unit": self.unit,
            "model": "iim",
            "shock": [{"region": r, "sector": s, "value": v} for r, s, v in self.perturbation],
            "total_economic_loss": self.total_economic_loss,
            "changes": self.changes(top),
            "notes": list(self.notes),
        }


@dataclass(frozen=True, eq=False)
class ExtractionResult:
    """Outputs before (``x``) and after (``x_bar``) a hypothetical extraction."""

    mrio: str
    unit: str
    variant: str
    labels: list[tuple[str, str]]
    extracted: list[tuple[str, str]]
    extracted_index: list[int]
    x: np.ndarray
    x_bar: np.ndarray
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def delta_x(self) -> np.ndarray:
        """``x̄ − x`` per sector (negative: output lost)."""
        out: np.ndarray = self.x_bar - self.x
        return out

    @property
    def total_output_loss(self) -> float:
        """``T = 1ᵀx − 1ᵀx̄`` (M&B §12.2.1), the extracted sectors included."""
        return float(self.x.sum() - self.x_bar.sum())

    @property
    def output_loss_elsewhere(self) -> float:
        """Loss in the sectors that were not extracted: ``Σ_{k∉J} (x_k − x̄_k)``."""
        keep = np.ones(len(self.x), dtype=bool)
        keep[self.extracted_index] = False
        return float((self.x[keep] - self.x_bar[keep]).sum())

    def changes(self, top: int | None = None) -> list[dict[str, Any]]:
        return _rows(self.labels, self.delta_x, top)

    def to_dict(self, top: int | None = None) -> dict[str, Any]:
        return {
            "mrio": self.mrio,
            "unit": self.unit,
            "model": "extraction",
            "variant": self.variant,
            "extracted": [{"region": r, "sector": s} for r, s in self.extracted],
            "total_output_change": float(self.delta_x.sum()),
            "total_output_loss": self.total_output_loss,
            "output_loss_elsewhere": self.output_loss_elsewhere,
            "changes": self.changes(top),
        }


# ---------------------------------------------------------------------------------------
# Models on an MRIO


class StaticModel:
    """The static models of one MRIO, factorising ``I − A`` and ``I − B`` once each.

    >>> from econsec.io_models.mrio import from_arrays
    >>> mb = from_arrays("M&B 2.3", ["r"], ["s1", "s2"], [[150, 500], [200, 100]],
    ...                  [350, 1700])
    >>> r = StaticModel(mb).leontief({("r", "s1"): 250, ("r", "s2"): -200})
    >>> round(r.total_output_change, 1)     # x goes from (1000, 2000) to (1247.5, 1841.6)
    89.1
    """

    def __init__(self, mrio: MRIO, *, method: Method = "auto") -> None:
        self.mrio = mrio
        self.method: Method = method
        x = np.asarray(mrio.x, dtype=float)
        if not np.all(np.isfinite(x)) or np.any(x < 0):
            raise ValidationError(f"{mrio.name}: gross output x holds negative, NaN or "
                                  "infinite values")
        check_coefficients(np.asarray(mrio.Z, dtype=float), f"{mrio.name}: Z")
        self.x = x
        self.y = np.asarray(mrio.Y, dtype=float).sum(axis=1)
        self.labels = mrio.labels

    # -- lazily built matrices and factorisations
    @cached_property
    def A(self) -> np.ndarray:
        """``A = Z x̂⁻¹``."""
        return calc_A(self.mrio.Z, self.x)

    @cached_property
    def B(self) -> np.ndarray:
        """``B = x̂⁻¹ Z`` (equal to ``A* = x̂⁻¹ A x̂`` of the IIM)."""
        return calc_B(self.mrio.Z, self.x)

    @cached_property
    def leontief_solver(self) -> LeontiefSolver:
        """Factorisation of ``I − A``."""
        return LeontiefSolver(self.A, method=self.method)

    @cached_property
    def ghosh_solver(self) -> LeontiefSolver:
        """Factorisation of ``I − B`` (also serves the IIM, since ``A* = B``)."""
        return LeontiefSolver(self.B, method=self.method)

    # -- shock vectors
    def shock_vector(self, shock: Shock, what: str = "shock") -> tuple[
            np.ndarray, list[tuple[str, str, float]]]:
        """The n-vector of ``shock`` and its entries as (region, sector, value).

        Unknown names raise :class:`~econsec.errors.UnknownNameError` with close matches;
        NaN values and a (region, sector) named twice raise :class:`ValidationError`.
        """
        n = self.mrio.n
        vec = np.zeros(n)
        if isinstance(shock, np.ndarray):
            arr = np.asarray(shock, dtype=float)
            if arr.shape != (n,):
                raise ValidationError(f"{what} vector has shape {arr.shape}, expected ({n},)")
            if not np.all(np.isfinite(arr)):
                raise ValidationError(f"{what} holds NaN or infinite values")
            entries = [(*self.labels[i], float(arr[i])) for i in np.flatnonzero(arr)]
            return arr.copy(), entries
        items: Iterable[tuple[str, str, float]] = (
            ((r, s, v) for (r, s), v in shock.items()) if isinstance(shock, Mapping)
            else shock)
        entries = []
        seen: set[int] = set()
        for item in items:
            try:
                region, sector, value = item
            except (TypeError, ValueError):
                raise ValidationError(f"{what} entries must be (region, sector, value); got "
                                      f"{item!r}") from None
            i = self.mrio.index(str(region), str(sector))
            if i in seen:
                raise ValidationError(f"{what}: {region}/{sector} is given twice")
            seen.add(i)
            try:
                value = float(value)
            except (TypeError, ValueError):
                raise ValidationError(f"{what} for {region}/{sector} is not a number: "
                                      f"{value!r}") from None
            if not math.isfinite(value):
                raise ValidationError(f"{what} for {region}/{sector} is not finite")
            vec[i] = value
            entries.append((str(region), str(sector), value))
        return vec, entries

    # -- models
    def leontief(self, demand_change: Shock, *, check_bounds: bool = True) -> ShockResult:
        """Output change ``Δx = (I − A)⁻¹ Δy`` for a final-demand change ``Δy``.

        ``Δy`` is in the MRIO's unit. With ``check_bounds`` a cut larger than the sector's
        total final demand ``y = Y·1`` (more than 100 %) raises :class:`ValidationError`.
        """
        dy, entries = self.shock_vector(demand_change, "demand change")
        if check_bounds:
            self._check_bound(dy, self.y, "final demand")
        dx = self.leontief_solver.solve(dy)
        return ShockResult(self.mrio.name, self.mrio.unit, "leontief", self.labels, entries,
                           dx)

    def ghosh(self, value_added_change: Shock, *, check_bounds: bool = True) -> ShockResult:
        """Output change ``Δxᵀ = Δvᵀ (I − B)⁻¹`` for a value-added (primary input) change.

        With ``check_bounds`` a cut larger than the sector's value added ``v = x − 1ᵀZ``
        (more than 100 %) raises :class:`ValidationError`.
        """
        dv, entries = self.shock_vector(value_added_change, "value-added change")
        if check_bounds:
            self._check_bound(dv, self.x - self.mrio.Z.sum(axis=0), "value added")
        dx = self.ghosh_solver.solve_transposed(dv)
        return ShockResult(self.mrio.name, self.mrio.unit, "ghosh", self.labels, entries, dx)

    def inoperability(self, perturbation: Shock) -> InoperabilityResult:
        """Inoperability ``q = (I − A*)⁻¹ c*`` with ``A* = x̂⁻¹ A x̂`` (Santos & Haimes 2004).

        ``perturbation`` gives ``c*_i``, the reduction of final demand for sector i as a
        fraction of its as-planned output ``x_i`` (0.1 = demand falls by 10 % of output).
        Each ``c*_i`` must lie in [0, 1] (above 1 is a loss of more than 100 %); sectors
        with zero output cannot be perturbed. A ``c*_i x_i`` above the final demand ``y_i``
        is allowed but noted: it then stands for a direct, supply-side perturbation.
        """
        c_star, entries = self.shock_vector(perturbation, "demand perturbation")
        notes: list[str] = []
        for i in np.flatnonzero(c_star):
            r, s = self.labels[i]
            if c_star[i] < 0 or c_star[i] > 1:
                raise ValidationError(
                    f"demand perturbation for {r}/{s} is {c_star[i]:g}: it is a fraction of "
                    "output between 0 and 1 (above 1 means more than 100 %)")
            if self.x[i] == 0:
                raise ValidationError(f"{r}/{s} has no output and cannot be perturbed")
            if c_star[i] * self.x[i] > max(self.y[i], 0.0) * (1 + BOUND_RTOL) + 1e-12:
                notes.append(
                    f"The perturbation of {r}/{s} ({c_star[i]:g} of output) exceeds its final "
                    f"demand ({self.y[i] / self.x[i]:.4g} of output): read it as a direct "
                    "(supply-side) perturbation, as Santos & Haimes allow.")
        q = self.ghosh_solver.solve(c_star)  # A* = x̂⁻¹ A x̂ = B
        if np.any(q > 1):
            notes.append(f"{int((q > 1).sum())} sectors have inoperability above 1: the "
                         "linear model does not cap it; read them as total loss.")
        return InoperabilityResult(self.mrio.name, self.mrio.unit, self.labels, entries, q,
                                   self.x.copy(), tuple(notes))

    def extraction(self, extracted: Iterable[tuple[str, str]], *,
                   variant: ExtractionVariant = "full") -> ExtractionResult:
        """Hypothetical extraction of the (region, sector) pairs ``J``.

        Variants (M&B 2009 §12.2; Dietzenbacher & Lahr 2013):

        - ``"full"``: the sectors vanish. Rows and columns ``J`` of ``A`` and their final
          demand ``y_J`` are set to 0: ``x̄ = (I − Ā)⁻¹ ȳ`` (so ``x̄_J = 0``). Computed from
          the existing factorisation: with ``K`` the kept sectors and ``L = (I − A)⁻¹``,
          ``(I − A)_KK⁻¹ = L_KK − L_KJ L_JJ⁻¹ L_JK``.
        - ``"backward"``: the sectors buy no intermediate inputs (columns ``J`` of ``A`` set
          to 0, final demand kept): ``x̄ = (I − Ā)⁻¹ y``.
        - ``"forward"``: the sectors sell no intermediate outputs (rows ``J`` of ``B`` set to
          0, value added kept), in the Ghosh model: ``x̄ᵀ = vᵀ (I − B̄)⁻¹``.

        The baseline ``x`` is the model's own (``(I − A)⁻¹ y`` resp. ``vᵀ (I − B)⁻¹`` with
        ``v = x − 1ᵀZ``), so that ``x̄ − x`` is only the effect of the extraction.
        Backward and forward use a Sherman–Morrison–Woodbury update of the factorisation.
        """
        pairs = [(str(r), str(s)) for r, s in extracted]
        if not pairs:
            raise ValidationError("nothing to extract: name at least one region/sector")
        J: list[int] = []
        for r, s in pairs:
            i = self.mrio.index(r, s)
            if i in J:
                raise ValidationError(f"{r}/{s} is extracted twice")
            J.append(i)
        n = self.mrio.n
        if len(J) == n:
            raise ValidationError("cannot extract every sector")
        E = np.zeros((n, len(J)))
        E[J, np.arange(len(J))] = 1.0
        if variant == "full":
            solver = self.leontief_solver
            y_bar = self.y.copy()
            y_bar[J] = 0.0
            x = solver.solve(self.y)
            w = solver.solve(y_bar)
            L_J = solver.solve(E)                 # columns J of L
            x_bar = w - L_J @ np.linalg.solve(L_J[J, :], w[J])
            x_bar[J] = 0.0
        elif variant == "backward":
            solver = self.leontief_solver
            x = solver.solve(self.y)
            # I − Ā = (I − A) + A[:, J] E_Jᵀ
            x_bar = solver.solve_updated(self.A[:, J], E, self.y)
        elif variant == "forward":
            solver = self.ghosh_solver
            v = self.x - self.mrio.Z.sum(axis=0)
            x = solver.solve_transposed(v)
            # (I − B̄)ᵀ = (I − B)ᵀ + B[J, :]ᵀ E_Jᵀ
            x_bar = solver.solve_updated(self.B[J, :].T, E, v, transposed=True)
        else:
            raise ValidationError(f"unknown extraction variant '{variant}'; use full, "
                                  "backward or forward")
        return ExtractionResult(self.mrio.name, self.mrio.unit, variant, self.labels, pairs,
                                J, x, x_bar)

    def _check_bound(self, change: np.ndarray, base: np.ndarray, what: str) -> None:
        limit = -np.maximum(base, 0.0) * (1 + BOUND_RTOL) - 1e-12
        bad = np.flatnonzero(change < limit)
        if bad.size:
            i = int(bad[0])
            r, s = self.labels[i]
            raise ValidationError(
                f"a cut of {-change[i]:g} in the {what} of {r}/{s} is more than 100 % of it "
                f"({base[i]:g})")


# ---------------------------------------------------------------------------------------
# One-call convenience functions


def leontief_shock(mrio: MRIO, demand_change: Shock, *, method: Method = "auto"
                   ) -> ShockResult:
    """:meth:`StaticModel.leontief` on a fresh model: ``Δx = (I − A)⁻¹ Δy``."""
    return StaticModel(mrio, method=method).leontief(demand_change)


def ghosh_shock(mrio: MRIO, value_added_change: Shock, *, method: Method = "auto"
                ) -> ShockResult:
    """:meth:`StaticModel.ghosh` on a fresh model: ``Δxᵀ = Δvᵀ (I − B)⁻¹``."""
    return StaticModel(mrio, method=method).ghosh(value_added_change)


def inoperability(mrio: MRIO, perturbation: Shock, *, method: Method = "auto"
                  ) -> InoperabilityResult:
    """:meth:`StaticModel.inoperability` on a fresh model: ``q = (I − A*)⁻¹ c*``."""
    return StaticModel(mrio, method=method).inoperability(perturbation)


def hypothetical_extraction(mrio: MRIO, extracted: Iterable[tuple[str, str]], *,
                            variant: ExtractionVariant = "full",
                            method: Method = "auto") -> ExtractionResult:
    """:meth:`StaticModel.extraction` on a fresh model."""
    return StaticModel(mrio, method=method).extraction(extracted, variant=variant)
