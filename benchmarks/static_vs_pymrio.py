"""One static Leontief shock: pymrio (``calc_all`` then ``L @ Δy``) vs econsec (A, one LU
factorisation of I − A, one solve), on random balanced MRIOs.

Run from the repository root::

    .venv/bin/python benchmarks/static_vs_pymrio.py --sizes 1000,4000,8000

Both sides get the same dense ``Z`` and ``Y`` and use the same BLAS/LAPACK (numpy's
OpenBLAS; its thread count and ``OPENBLAS_CORETYPE`` come from the environment). The
pymrio side is timed from the built ``IOSystem`` (``IOSystem(Z=..., Y=...)`` excluded)
through ``calc_all()`` and ``L @ Δy``; the econsec side from the same numpy arrays through
``x = Z1 + Y1``, ``A = Z x̂⁻¹``, ``lu_factor(I − A)`` and ``lu_solve``. The table prints
both times, their ratio and the largest relative difference of the two ``Δx``.
"""

from __future__ import annotations

import argparse
import gc
import os
import time

import numpy as np
import pandas as pd

SECTORS_PER_REGION = 50


def random_mrio(n: int, seed: int = 42) -> tuple[np.ndarray, np.ndarray, int]:
    """Dense Z (n × n) and Y (n × R) of a random balanced MRIO with a realistic structure:
    strong within-region blocks, sparse trade between regions, column sums of A ≈ 0.4-0.6.
    """
    rng = np.random.default_rng(seed)
    regions = max(n // SECTORS_PER_REGION, 1)
    s = n // regions
    Z = rng.uniform(0.0, 1.0, (n, n)) * (rng.random((n, n)) < 0.05)      # trade: 5 % of cells
    for r in range(regions):                                                # domestic blocks
        block = slice(r * s, (r + 1) * s)
        Z[block, block] = rng.uniform(0.0, 20.0, (s, s)) * (rng.random((s, s)) < 0.6)
    Y = rng.uniform(1000.0, 5000.0, (n, regions))
    Y[np.arange(n), np.arange(n) // s] *= 5                                 # home bias
    return Z, Y, regions


def shock_vector(Y: np.ndarray, seed: int = 7) -> np.ndarray:
    """−20 % of the final demand of ten random sectors."""
    rng = np.random.default_rng(seed)
    dy = np.zeros(Y.shape[0])
    idx = rng.choice(Y.shape[0], size=10, replace=False)
    dy[idx] = -0.2 * Y[idx].sum(axis=1)
    return dy


def run_econsec(Z: np.ndarray, Y: np.ndarray, dy: np.ndarray) -> tuple[float, np.ndarray]:
    from econsec.io_models.linalg import LeontiefSolver
    from econsec.io_models.static import calc_A

    t0 = time.perf_counter()
    x = Z.sum(axis=1) + Y.sum(axis=1)
    A = calc_A(Z, x)
    dx = LeontiefSolver(A, method="lu").solve(dy)
    return time.perf_counter() - t0, dx


def run_econsec_krylov(Z: np.ndarray, Y: np.ndarray, dy: np.ndarray
                       ) -> tuple[float, np.ndarray]:
    from econsec.io_models.linalg import LeontiefSolver

    t0 = time.perf_counter()
    x = Z.sum(axis=1) + Y.sum(axis=1)
    dx = LeontiefSolver.from_flows(Z, x, method="gmres").solve(dy)
    return time.perf_counter() - t0, dx


def run_pymrio(Z: np.ndarray, Y: np.ndarray, regions: int, dy: np.ndarray
               ) -> tuple[float, np.ndarray]:
    import pymrio

    n = Z.shape[0]
    s = n // regions
    idx = pd.MultiIndex.from_product([[f"r{i}" for i in range(regions)],
                                      [f"s{j}" for j in range(s)]], names=["region", "sector"])
    cols = pd.MultiIndex.from_product([[f"r{i}" for i in range(regions)], ["fd"]],
                                      names=["region", "category"])
    io = pymrio.IOSystem(Z=pd.DataFrame(Z, index=idx, columns=idx),
                         Y=pd.DataFrame(Y, index=idx, columns=cols))
    t0 = time.perf_counter()
    io.calc_all()
    dx = io.L.to_numpy() @ dy
    return time.perf_counter() - t0, dx


def _rel(a: np.ndarray, b: np.ndarray) -> float:
    """Largest elementwise relative difference."""
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,4000,8000",
                        help="comma-separated numbers of sectors (default 1000,4000,8000)")
    parser.add_argument("--max-reference", type=int, default=8000,
                        help="skip pymrio above this many sectors (default 8000)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="econsec repetitions (best time is shown)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    Zw, Yw, rw = random_mrio(100)                      # warm-up: imports, BLAS threads
    run_econsec(Zw, Yw, shock_vector(Yw))
    run_econsec_krylov(Zw, Yw, shock_vector(Yw))
    run_pymrio(Zw, Yw, rw, shock_vector(Yw))
    print(f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '')!r} "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', '')!r} "
          f"cpus={os.cpu_count()}")
    header = (f"{'sectors':>8} {'pymrio s':>9} {'LU s':>8} {'ratio':>7} {'rel diff':>9} "
              f"{'GMRES s':>8} {'ratio':>7} {'rel diff':>9}")
    print(header)
    print("-" * len(header))
    for n in sizes:
        Z, Y, regions = random_mrio(n)
        dy = shock_vector(Y)
        t_lu, dx_lu = min((run_econsec(Z, Y, dy) for _ in range(args.repeat)),
                          key=lambda r: r[0])
        gc.collect()
        t_kr, dx_kr = min((run_econsec_krylov(Z, Y, dy) for _ in range(args.repeat)),
                          key=lambda r: r[0])
        gc.collect()
        if n <= args.max_reference:
            t_ref, dx_ref = run_pymrio(Z, Y, regions, dy)
            print(f"{n:>8} {t_ref:>9.2f} {t_lu:>8.3f} {t_ref / t_lu:>6.1f}x "
                  f"{_rel(dx_lu, dx_ref):>9.1e} {t_kr:>8.3f} {t_ref / t_kr:>6.1f}x "
                  f"{_rel(dx_kr, dx_ref):>9.1e}", flush=True)
        else:
            print(f"{n:>8} {'skipped':>9} {t_lu:>8.3f} {'-':>7} {'-':>9} {t_kr:>8.3f} "
                  f"{'-':>7} {_rel(dx_kr, dx_lu):>9.1e}", flush=True)
        gc.collect()


if __name__ == "__main__":
    main()
