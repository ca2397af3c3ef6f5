"""Solving ``(I − M) x = b`` and ``(I − M)ᵀ x = b`` for a coefficient matrix ``M``.

``M`` is a technical-coefficient matrix (``A`` of the Leontief model, ``B`` of the Ghosh
model, ``A*`` of the inoperability model). The inverse ``(I − M)⁻¹`` is never formed:

- ``"lu"``: dense LU factorisation of ``I − M`` once (``scipy.linalg.lu_factor``, LAPACK
  ``getrf``, ≈ n³/3 flops), then any number of right-hand sides by forward and back
  substitution (``lu_solve``, ≈ 2n² flops each; ``trans=1`` for the transposed system).
  The right choice for MRIO-sized tables (up to some ten thousand sectors).
- ``"neumann"``: the power series ``x = Σₖ Mᵏ b`` (Miller & Blair 2009, §2.5), stopped
  when the last term is below ``tol`` relative to ``x``; converges geometrically at the
  rate of the spectral radius ρ(M) ≤ ‖M‖₁, so it is chosen automatically only when the
  largest column sum is at most :data:`NEUMANN_MAX_NORM`.
- ``"gmres"``: restarted GMRES (``scipy.sparse.linalg.gmres``) to relative residual
  ``tol``, for large sparse systems such as firm networks.
- ``"splu"``: sparse LU (SuperLU), exact, for large sparse systems with little fill-in.

``method="auto"`` takes ``"lu"`` for dense arrays and for sparse matrices up to
:data:`DENSE_MAX_N` rows, otherwise ``"neumann"`` when ‖M‖₁ ≤ :data:`NEUMANN_MAX_NORM`,
else ``"gmres"``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Literal

import numpy as np
import scipy.linalg
import scipy.sparse
import scipy.sparse.linalg

from econsec.errors import ValidationError

Method = Literal["auto", "lu", "splu", "gmres", "neumann"]

#: Sparse systems up to this size are solved densely by LU (faster and exact there).
DENSE_MAX_N = 3000
#: Largest column sum ‖M‖₁ for which ``auto`` picks the Neumann series.
NEUMANN_MAX_NORM = 0.5


def check_coefficients(M: np.ndarray | scipy.sparse.sparray | scipy.sparse.spmatrix,
                       what: str = "A") -> None:
    """Raise :class:`ValidationError` unless ``M`` is square, finite and non-negative
    (a ``LinearOperator`` is only checked for shape)."""
    if len(M.shape) != 2 or M.shape[0] != M.shape[1]:
        raise ValidationError(f"{what} must be a square matrix, got shape {M.shape}")
    if isinstance(M, scipy.sparse.linalg.LinearOperator):
        return
    data = np.asarray(M.data if scipy.sparse.issparse(M) else M)
    if not np.all(np.isfinite(data)):
        raise ValidationError(f"{what} holds NaN or infinite values")
    if np.any(data < 0):
        raise ValidationError(f"{what} holds negative coefficients")


class LeontiefSolver:
    """Solves ``(I − M) x = b`` and ``(I − M)ᵀ x = b`` for many right-hand sides.

    ``M`` is factorised (or prepared) once in the constructor; :meth:`solve` and
    :meth:`solve_transposed` then cost one substitution (LU) or one iteration run each.
    For the Leontief model ``M = A`` and ``solve(Δy) = (I − A)⁻¹ Δy = L Δy``; for the
    Ghosh model ``M = B`` and ``solve_transposed(Δv) = ((I − B)⁻¹)ᵀ Δv = Gᵀ Δv``.

    Parameters
    ----------
    M : (n, n) array or scipy.sparse matrix
        Non-negative coefficient matrix.
    method : "auto", "lu", "splu", "gmres" or "neumann"
        See the module docstring.
    tol : float
        Relative tolerance of the iterative methods (ignored by LU).
    maxiter : int, optional
        Iteration limit of the iterative methods (default: 10 n for Neumann, 1000 for
        GMRES restarts).

    Examples
    --------
    >>> import numpy as np
    >>> solver = LeontiefSolver(np.array([[0.15, 0.25], [0.20, 0.05]]))
    >>> solver.solve(np.array([600.0, 1500.0])).round(1)   # Miller & Blair (2009), §2.3
    array([1247.5, 1841.6])
    """

    def __init__(self, M: np.ndarray | scipy.sparse.sparray | scipy.sparse.spmatrix, *,
                 method: Method = "auto", tol: float = 1e-12,
                 maxiter: int | None = None) -> None:
        check_coefficients(M, "coefficient matrix")
        self.n = int(M.shape[0])
        self.tol = tol
        self.maxiter = maxiter
        sparse = scipy.sparse.issparse(M)
        operator = isinstance(M, scipy.sparse.linalg.LinearOperator)
        if method == "auto":
            if operator:
                method = "gmres"
            elif not sparse or self.n <= DENSE_MAX_N:
                method = "lu"
            else:
                norm1 = float(abs(M).sum(axis=0).max()) if self.n else 0.0
                method = "neumann" if norm1 <= NEUMANN_MAX_NORM else "gmres"
        if operator and method not in ("gmres", "neumann"):
            raise ValidationError("a LinearOperator can only be solved by gmres or neumann")
        if method not in ("lu", "splu", "gmres", "neumann"):
            raise ValidationError(f"unknown solver method '{method}'; use auto, lu, splu, "
                                  "gmres or neumann")
        self.method: str = method
        if method == "lu":
            dense = M.toarray() if sparse else np.asarray(M, dtype=float)  # type: ignore[union-attr]
            I_minus_M = np.eye(self.n) - dense
            with warnings.catch_warnings():  # a singular matrix is reported below
                warnings.simplefilter("ignore", scipy.linalg.LinAlgWarning)
                self._lu = scipy.linalg.lu_factor(I_minus_M, overwrite_a=True,
                                                  check_finite=False)
            diag = np.abs(np.diag(self._lu[0]))
            if self.n and diag.min() <= np.finfo(float).eps * max(diag.max(), 1.0) * self.n:
                raise ValidationError("I − A is singular: the system is not productive "
                                      "(some sectors need more than one unit of inputs per "
                                      "unit of output, directly or indirectly)")
        elif operator:
            self._M = M
            self._MT = M.T
        elif not sparse and method != "splu":
            self._M = np.asarray(M, dtype=float)
            self._MT = self._M.T
        else:
            Ms = scipy.sparse.csr_array(M, dtype=float)
            self._M = Ms
            self._MT = Ms.T.tocsr()
            if method == "splu":
                eye = scipy.sparse.identity(self.n, format="csc")
                self._splu = scipy.sparse.linalg.splu(scipy.sparse.csc_array(eye - Ms))

    @classmethod
    def from_flows(cls, Z: np.ndarray, x: np.ndarray, *, method: Method = "gmres",
                   tol: float = 1e-12, maxiter: int | None = None) -> LeontiefSolver:
        """An iterative solver for ``M = A = Z x̂⁻¹`` that never forms ``A``.

        Each product is ``A v = Z (x̂⁻¹ v)`` and ``Aᵀ v = x̂⁻¹ (Zᵀ v)`` (0 where ``x = 0``):
        one pass over ``Z`` per iteration. For one or a few shocks on a large dense table
        this is much cheaper than an LU factorisation (≈ n³/3 flops): GMRES typically
        converges in 5-10 products for IO tables, whose spectrum is clustered near 0.
        """
        Z = np.asarray(Z, dtype=float)
        x = np.asarray(x, dtype=float).ravel()
        check_coefficients(Z, "Z")
        if x.shape != (Z.shape[0],) or not np.all(np.isfinite(x)) or np.any(x < 0):
            raise ValidationError("x must be a finite, non-negative vector of length n")
        recix = np.zeros_like(x)
        np.divide(1.0, x, out=recix, where=x != 0)
        n = Z.shape[0]

        def matvec(v: np.ndarray) -> np.ndarray:
            out: np.ndarray = Z @ (np.ravel(v) * recix)
            return out

        def rmatvec(v: np.ndarray) -> np.ndarray:
            out: np.ndarray = recix * (Z.T @ np.ravel(v))
            return out

        op = scipy.sparse.linalg.LinearOperator((n, n), matvec=matvec, rmatvec=rmatvec,
                                                dtype=float)
        return cls(op, method=method, tol=tol, maxiter=maxiter)

    # ------------------------------------------------------------------ solves
    def solve(self, b: np.ndarray) -> np.ndarray:
        """``x = (I − M)⁻¹ b`` for ``b`` of shape (n,) or (n, k)."""
        return self._solve(self._check_rhs(b), transposed=False)

    def solve_transposed(self, b: np.ndarray) -> np.ndarray:
        """``x = (I − M)⁻ᵀ b``, i.e. ``xᵀ = bᵀ (I − M)⁻¹``, for ``b`` of shape (n,) or (n, k)."""
        return self._solve(self._check_rhs(b), transposed=True)

    def columns(self, index: Sequence[int]) -> np.ndarray:
        """Columns ``index`` of ``(I − M)⁻¹`` (n × k), from k unit right-hand sides."""
        E = np.zeros((self.n, len(index)))
        E[list(index), np.arange(len(index))] = 1.0
        return self.solve(E)

    def solve_updated(self, U: np.ndarray, W: np.ndarray, b: np.ndarray, *,
                      transposed: bool = False) -> np.ndarray:
        """Solve ``(K + U Wᵀ) x = b`` with ``K = I − M`` (or ``(I − M)ᵀ`` if ``transposed``).

        Sherman–Morrison–Woodbury: ``x = z − K⁻¹U (Iₖ + Wᵀ K⁻¹ U)⁻¹ Wᵀ z`` with
        ``z = K⁻¹ b``; a rank-k change of the coefficients costs k + 1 solves with the
        existing factorisation instead of a new one.
        """
        solve: Callable[[np.ndarray], np.ndarray] = (
            self.solve_transposed if transposed else self.solve)
        z = solve(b)
        KU = solve(np.asarray(U, dtype=float).reshape(self.n, -1))
        W = np.asarray(W, dtype=float).reshape(self.n, -1)
        S = np.eye(KU.shape[1]) + W.T @ KU
        x: np.ndarray = z - KU @ np.linalg.solve(S, W.T @ z)
        return x

    # ------------------------------------------------------------------ internals
    def _check_rhs(self, b: np.ndarray) -> np.ndarray:
        b = np.asarray(b, dtype=float)
        if b.ndim not in (1, 2) or b.shape[0] != self.n:
            raise ValidationError(f"right-hand side has shape {b.shape}, expected ({self.n},) "
                                  f"or ({self.n}, k)")
        if not np.all(np.isfinite(b)):
            raise ValidationError("right-hand side holds NaN or infinite values")
        return b

    def _solve(self, b: np.ndarray, *, transposed: bool) -> np.ndarray:
        if self.method == "lu":
            x: np.ndarray = scipy.linalg.lu_solve(self._lu, b, trans=1 if transposed else 0,
                                                  check_finite=False)
            return x
        if self.method == "splu":
            xs: np.ndarray = self._splu.solve(b, trans="T" if transposed else "N")
            return xs
        if b.ndim == 2:
            return np.column_stack([self._solve(b[:, j], transposed=transposed)
                                    for j in range(b.shape[1])])
        M = self._MT if transposed else self._M
        if self.method == "neumann":
            return self._neumann(M, b)
        return self._gmres(M, b)

    def _neumann(self, M: scipy.sparse.csr_array, b: np.ndarray) -> np.ndarray:
        """``x = Σₖ Mᵏ b`` until ‖Mᵏ b‖∞ ≤ tol · ‖x‖∞."""
        x = b.copy()
        term = b
        maxiter = self.maxiter or 10 * max(self.n, 100)
        for _ in range(maxiter):
            term = M @ term
            x += term
            if np.abs(term).max(initial=0.0) <= self.tol * max(np.abs(x).max(initial=0.0),
                                                               1e-300):
                return x
        raise ValidationError(f"Neumann series did not converge in {maxiter} terms: the "
                              "spectral radius of the coefficients is too close to 1; use "
                              "method='gmres' or 'lu'")

    def _gmres(self, M: object, b: np.ndarray) -> np.ndarray:
        """GMRES to ``tol``, then up to three rounds of iterative refinement on the
        float64 residual ``r = b − (I − M) x`` until ``‖r‖∞ ≤ 4 ε ‖b‖∞``."""
        n = self.n
        op = scipy.sparse.linalg.LinearOperator(
            (n, n), matvec=lambda v: np.ravel(v) - M @ np.ravel(v), dtype=float)
        x = b.copy()
        r = b - op.matvec(x)
        scale = max(float(np.abs(b).max(initial=0.0)), 1e-300)
        for _ in range(4):
            if float(np.abs(r).max(initial=0.0)) <= 4 * np.finfo(float).eps * scale:
                break
            dx, info = scipy.sparse.linalg.gmres(op, r, rtol=self.tol, atol=0.0,
                                                 restart=min(n, 50),
                                                 maxiter=self.maxiter or 1000)
            if info != 0:
                raise ValidationError(f"GMRES did not reach the tolerance {self.tol:g} "
                                      f"(info={info}); use method='lu' or a looser tol")
            x = x + dx
            r = b - op.matvec(x)
        return x
