"""Static IO models against pymrio (1e-9 relative), Miller & Blair's textbook table, and
bad input."""

from __future__ import annotations

import numpy as np
import pymrio
import pytest
import scipy.sparse
from pymrio.tools import iomath

from econsec.errors import UnknownNameError, ValidationError
from econsec.io_models.linalg import LeontiefSolver
from econsec.io_models.loaders import from_pymrio
from econsec.io_models.mrio import from_arrays
from econsec.io_models.static import (
    StaticModel,
    calc_A,
    calc_A_star,
    calc_B,
    calc_delta_x_ghosh,
    calc_delta_x_leontief,
    calc_q_inoperability,
    ghosh_shock,
    hypothetical_extraction,
    inoperability,
    leontief_shock,
)

RTOL = 1e-9


def assert_rel(actual: np.ndarray, expected: np.ndarray, rtol: float = RTOL) -> None:
    """Elementwise relative agreement (absolute against the largest entry for zeros)."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    scale = np.maximum(np.abs(expected), np.abs(expected).max() * 1e-12)
    assert np.max(np.abs(actual - expected) / scale) <= rtol


@pytest.fixture(scope="module")
def test_io() -> pymrio.IOSystem:
    io = pymrio.load_test()
    io.calc_all(include_ghosh=True)
    return io


@pytest.fixture(scope="module")
def test_model(test_io: pymrio.IOSystem) -> StaticModel:
    return StaticModel(from_pymrio(test_io, "pymrio test").validate())


def random_io(seed: int, regions: int = 3, sectors: int = 20) -> pymrio.IOSystem:
    """A random balanced MRIO as a pymrio IOSystem (Z > 0, Y > 0, x = Z1 + Y1)."""
    rng = np.random.default_rng(seed)
    n = regions * sectors
    idx = pymrio.IOSystem  # noqa: F841  (keeps the import explicit)
    import pandas as pd

    labels = pd.MultiIndex.from_product([[f"r{i}" for i in range(regions)],
                                         [f"s{j}" for j in range(sectors)]],
                                        names=["region", "sector"])
    ycols = pd.MultiIndex.from_product([[f"r{i}" for i in range(regions)], ["fd"]],
                                       names=["region", "category"])
    Z = rng.uniform(0, 10, (n, n)) * (rng.random((n, n)) < 0.6)
    Y = rng.uniform(50, 400, (n, regions))
    io = pymrio.IOSystem(Z=pd.DataFrame(Z, labels, labels),
                         Y=pd.DataFrame(Y, labels, ycols), unit=pd.DataFrame(
                             {"unit": ["M EUR"] * n}, index=labels))
    io.calc_all(include_ghosh=True)
    return io


# --------------------------------------------------------------- Miller & Blair (2009) §2.3

MB_Z = np.array([[150.0, 500.0], [200.0, 100.0]])
MB_Y = np.array([350.0, 1700.0])
MB_X = np.array([1000.0, 2000.0])


def test_miller_blair_table_2_3() -> None:
    A = calc_A(MB_Z, MB_X)
    np.testing.assert_allclose(A, [[0.15, 0.25], [0.20, 0.05]], rtol=1e-12)
    solver = LeontiefSolver(A)
    # L as printed in M&B (to 8 digits), column by column from unit right-hand sides
    np.testing.assert_allclose(solver.columns([0, 1]),
                               [[1.25412541, 0.330033], [0.2640264, 1.12211221]], rtol=1e-6)
    np.testing.assert_allclose(solver.solve(MB_Y), MB_X, rtol=1e-12)
    # new final demand (600, 1500) gives x = (1247.5, 1841.6) (M&B, following table 2.3)
    np.testing.assert_allclose(solver.solve(np.array([600.0, 1500.0])), [1247.52, 1841.58],
                               atol=0.01)


def test_ghosh_and_iim_identities_on_miller_blair() -> None:
    B = calc_B(MB_Z, MB_X)
    np.testing.assert_allclose(B, [[0.15, 0.5], [0.1, 0.05]], rtol=1e-12)
    A_star = calc_A_star(calc_A(MB_Z, MB_X), MB_X)
    np.testing.assert_allclose(A_star, B, rtol=1e-12)          # A* = x̂⁻¹ A x̂ = x̂⁻¹ Z
    v = MB_X - MB_Z.sum(axis=0)                                 # (650, 1400)
    np.testing.assert_allclose(calc_delta_x_ghosh(B, v), MB_X, rtol=1e-12)
    q = calc_q_inoperability(A_star, np.array([0.1, 0.0]))
    dx = calc_delta_x_leontief(calc_A(MB_Z, MB_X), np.array([-100.0, 0.0]))
    np.testing.assert_allclose(q * MB_X, -dx, rtol=1e-12)      # loss q ⊙ x = L Δc


# --------------------------------------------------------------- pymrio test system


def test_A_and_B_match_pymrio(test_io: pymrio.IOSystem, test_model: StaticModel) -> None:
    assert_rel(test_model.A, test_io.A.to_numpy())
    assert_rel(test_model.B, test_io.B.to_numpy())
    assert_rel(test_model.A, iomath.calc_A(test_io.Z.to_numpy(), test_io.x.to_numpy()))


def test_leontief_matches_pymrio(test_io: pymrio.IOSystem, test_model: StaticModel) -> None:
    L = test_io.L.to_numpy()
    y = test_io.Y.to_numpy().sum(axis=1)
    assert_rel(test_model.leontief_solver.solve(y), test_io.x.to_numpy().ravel())
    assert_rel(test_model.leontief_solver.solve(y), L @ y)
    result = test_model.leontief({("reg1", "manufactoring"): -1000.0,
                                  ("reg4", "electricity"): 250.0})
    dy = np.zeros(48)
    dy[2], dy[3 * 8 + 3] = -1000.0, 250.0
    assert_rel(result.delta_x, L @ dy)
    assert result.total_output_change == pytest.approx((L @ dy).sum(), rel=RTOL)
    # many shocks at once: L for a block of unit vectors
    assert_rel(test_model.leontief_solver.columns(range(48)), L)


def test_ghosh_matches_pymrio(test_io: pymrio.IOSystem, test_model: StaticModel) -> None:
    G = test_io.G.to_numpy()
    G_from_L = iomath.calc_G(None, L=test_io.L.to_numpy(), x=test_io.x.to_numpy())
    dv = np.zeros(48)
    dv[9], dv[40] = -500.0, 123.0
    result = test_model.ghosh(dv)
    assert_rel(result.delta_x, dv @ G)
    assert_rel(result.delta_x, dv @ G_from_L, rtol=1e-8)
    v = test_io.x.to_numpy().ravel() - test_io.Z.to_numpy().sum(axis=0)
    assert_rel(test_model.ghosh_solver.solve_transposed(v), test_io.x.to_numpy().ravel())


def test_iim_equals_leontief_with_scaled_demand(test_model: StaticModel) -> None:
    res = test_model.inoperability({("reg2", "mining"): 0.01, ("reg5", "food"): 0.05})
    dc = np.zeros(48)
    dc[8 + 1] = 0.01 * test_model.x[9]
    dc[4 * 8] = 0.05 * test_model.x[32]
    lost = test_model.leontief_solver.solve(dc)
    assert_rel(res.economic_loss, lost)
    assert_rel(res.q, lost / test_model.x)
    doc = res.to_dict()
    assert doc["model"] == "iim" and doc["total_economic_loss"] == pytest.approx(lost.sum())
    assert set(doc["changes"][0]) == {"region", "sector", "inoperability", "economic_loss"}


def test_extraction_variants_against_direct_solves(test_io: pymrio.IOSystem,
                                                   test_model: StaticModel) -> None:
    A, B = test_io.A.to_numpy(), test_io.B.to_numpy()
    y = test_io.Y.to_numpy().sum(axis=1)
    x = test_io.x.to_numpy().ravel()
    J = [1, 8 + 2]
    K = [i for i in range(48) if i not in J]
    pairs = [("reg1", "mining"), ("reg2", "manufactoring")]
    # full: the reduced system (I − A_KK) x̄_K = y_K (M&B 12.2.1)
    full = test_model.extraction(pairs)
    expected = np.zeros(48)
    expected[K] = np.linalg.solve(np.eye(len(K)) - A[np.ix_(K, K)], y[K])
    assert_rel(full.x_bar, expected)
    assert full.total_output_loss == pytest.approx(x.sum() - expected.sum(), rel=RTOL)
    assert full.output_loss_elsewhere == pytest.approx((x[K] - expected[K]).sum(), rel=1e-8)
    # backward: columns J of A zeroed
    A_bar = A.copy()
    A_bar[:, J] = 0
    back = test_model.extraction(pairs, variant="backward")
    assert_rel(back.x_bar, iomath.calc_L(A_bar) @ y)
    # forward: rows J of B zeroed, Ghosh
    B_bar = B.copy()
    B_bar[J, :] = 0
    v = x - test_io.Z.to_numpy().sum(axis=0)
    fwd = test_model.extraction(pairs, variant="forward")
    assert_rel(fwd.x_bar, v @ iomath.calc_G(B_bar))
    doc = hypothetical_extraction(test_model.mrio, pairs).to_dict(top=3)
    assert doc["variant"] == "full" and len(doc["changes"]) == 3
    assert doc["extracted"] == [{"region": r, "sector": s} for r, s in pairs]


# --------------------------------------------------------------- random balanced MRIOs


@pytest.mark.parametrize("seed", [1, 7, 2024])
def test_random_mrio_matches_pymrio(seed: int) -> None:
    io = random_io(seed)
    mrio = from_pymrio(io, f"random {seed}").validate()
    model = StaticModel(mrio)
    assert_rel(model.A, io.A.to_numpy())
    L, G = io.L.to_numpy(), io.G.to_numpy()
    rng = np.random.default_rng(seed + 1)
    dy = rng.normal(0, 100, mrio.n)
    assert_rel(leontief_shock(mrio, dy, method="lu").delta_x, L @ dy, rtol=1e-8)
    assert_rel(model.leontief_solver.solve(mrio.Y.sum(axis=1)), io.x.to_numpy().ravel())
    dv = -rng.uniform(0, 1, mrio.n)
    assert_rel(ghosh_shock(mrio, dv).delta_x, dv @ G)
    q = inoperability(mrio, {("r0", "s3"): 0.02}).q
    assert q[3] >= 0.02 and np.all(q >= 0)


@pytest.mark.parametrize("method", ["lu", "splu", "gmres", "neumann"])
def test_solver_methods_agree(method: str) -> None:
    io = random_io(3, regions=4, sectors=30)
    A = io.A.to_numpy()
    A_sparse = scipy.sparse.csr_array(A)
    solver = LeontiefSolver(A_sparse, method=method)  # type: ignore[arg-type]
    rhs = np.random.default_rng(0).uniform(0, 1, size=(A.shape[0], 2))
    assert_rel(solver.solve(rhs), io.L.to_numpy() @ rhs, rtol=1e-9)
    assert_rel(solver.solve_transposed(rhs[:, 0]), io.L.to_numpy().T @ rhs[:, 0], rtol=1e-9)


def test_auto_method_choice() -> None:
    n = 4000
    rng = np.random.default_rng(5)
    M = scipy.sparse.random_array((n, n), density=0.001, rng=rng, format="csr") * 0.05
    assert LeontiefSolver(np.zeros((3, 3))).method == "lu"
    assert LeontiefSolver(M).method == "neumann"
    assert LeontiefSolver(M * 30).method == "gmres"
    b = rng.normal(size=n)
    x = LeontiefSolver(M).solve(b)
    np.testing.assert_allclose(x - M @ x, b, atol=1e-9)


# --------------------------------------------------------------- bad input


def test_unknown_names_suggest(test_model: StaticModel) -> None:
    with pytest.raises(UnknownNameError, match="manufactoring"):
        test_model.leontief({("reg1", "manufacturing"): -1.0})
    with pytest.raises(UnknownNameError, match="reg1"):
        test_model.extraction([("regl", "food")])


def test_cut_above_100_percent(test_model: StaticModel) -> None:
    y = test_model.y[0]
    test_model.leontief({("reg1", "food"): -y})                 # exactly 100 %: allowed
    with pytest.raises(ValidationError, match="100 %"):
        test_model.leontief({("reg1", "food"): -1.01 * y})
    with pytest.raises(ValidationError, match="100 %"):
        test_model.ghosh({("reg1", "food"): -1e12})
    with pytest.raises(ValidationError, match="between 0 and 1"):
        test_model.inoperability({("reg1", "food"): 1.2})
    with pytest.raises(ValidationError, match="between 0 and 1"):
        test_model.inoperability({("reg1", "food"): -0.1})


def test_malformed_shocks(test_model: StaticModel) -> None:
    with pytest.raises(ValidationError, match="not finite"):
        test_model.leontief({("reg1", "food"): float("nan")})
    with pytest.raises(ValidationError, match="twice"):
        test_model.leontief([("reg1", "food", 1.0), ("reg1", "food", 2.0)])
    with pytest.raises(ValidationError, match="shape"):
        test_model.leontief(np.zeros(3))
    with pytest.raises(ValidationError, match="twice"):
        test_model.extraction([("reg1", "food"), ("reg1", "food")])
    with pytest.raises(ValidationError, match="variant"):
        test_model.extraction([("reg1", "food")], variant="sideways")  # type: ignore[arg-type]


def test_bad_tables() -> None:
    with pytest.raises(ValidationError, match="negative"):
        StaticModel(from_arrays("neg", ["r"], ["a", "b"], [[1, -1], [0, 1]], [5, 5]))
    with pytest.raises(ValidationError, match="NaN"):
        calc_A(np.array([[np.nan, 1], [0, 1]]), np.array([1.0, 2.0]))
    with pytest.raises(ValidationError, match="negative gross output"):
        calc_B(np.ones((2, 2)), np.array([1.0, -2.0]))
    unbalanced = from_arrays("unbalanced", ["r"], ["a", "b"], MB_Z, MB_Y)
    object.__setattr__(unbalanced, "x", MB_X * 1.1)
    with pytest.raises(ValidationError, match="not balanced"):
        unbalanced.validate()
    with pytest.raises(ValidationError, match="singular"):
        LeontiefSolver(np.array([[0.5, 0.5], [0.5, 0.5]]))
    with pytest.raises(ValidationError, match="negative"):
        LeontiefSolver(np.array([[0.1, -0.5], [0.2, 0.1]]))
    with pytest.raises(ValidationError, match="method"):
        LeontiefSolver(np.zeros((2, 2)), method="cholesky")  # type: ignore[arg-type]


def test_zero_output_sector_gets_zero_coefficients() -> None:
    Z = np.array([[1.0, 0.0], [0.0, 0.0]])
    x = np.array([10.0, 0.0])
    assert np.array_equal(calc_A(Z, x), [[0.1, 0.0], [0.0, 0.0]])
    np.testing.assert_allclose(iomath.calc_A(Z, x), calc_A(Z, x))


def test_from_flows_never_forms_A(test_io: pymrio.IOSystem) -> None:
    Z, x = test_io.Z.to_numpy(), test_io.x.to_numpy().ravel()
    solver = LeontiefSolver.from_flows(Z, x)
    assert solver.method == "gmres"
    dy = np.zeros(48)
    dy[[2, 17, 40]] = [-1000.0, -50.0, -7.0]
    assert_rel(solver.solve(dy), test_io.L.to_numpy() @ dy)
    dv = np.zeros(48)
    dv[5] = -300.0
    # (I − A)⁻ᵀ Δv, the transposed system, through rmatvec
    assert_rel(solver.solve_transposed(dv), test_io.L.to_numpy().T @ dv)
    with pytest.raises(ValidationError, match="LinearOperator"):
        LeontiefSolver(solver._M, method="lu")
