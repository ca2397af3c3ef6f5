r"""Economic complexity on a country × product export matrix (Hidalgo & Hausmann).

From exports :math:`X_{cp}` of country ``c`` in product ``p``:

- **RCA and** :math:`M_{cp}` (Balassa, :mod:`econsec.indicators.rca`):
  :math:`M_{cp} = 1` where :math:`RCA_{cp} \ge 1` (the threshold), else 0.
- **Diversity and ubiquity**: :math:`k_{c,0} = \sum_p M_{cp}`,
  :math:`k_{p,0} = \sum_c M_{cp}`.
- **ECI and PCI** (eigenvector form of the method of reflections): :math:`K_p` is the
  eigenvector of the second largest eigenvalue of

  .. math::

      \tilde M_{pp'} = \sum_c \frac{M_{cp} M_{cp'}}{k_{p,0}\, k_{c,0}},
      \qquad K_c = \sum_p \frac{M_{cp}}{k_{c,0}} K_p .

  The sign is chosen so that :math:`K_c` correlates positively with diversity, and both
  are standardised with the mean and (population) standard deviation of :math:`K_c`:
  :math:`ECI_c = (K_c - \langle K_c\rangle)/\sigma(K_c)`,
  :math:`PCI_p = (K_p - \langle K_c\rangle)/\sigma(K_c)`, so that a country's ECI is the
  mean PCI of the products it exports with :math:`M_{cp}=1`.
- **Proximity** (Hidalgo et al. 2007): the smaller of the two conditional probabilities
  of exporting one product given the other,
  :math:`\phi_{pp'} = \sum_c M_{cp}M_{cp'} / \max(k_{p,0}, k_{p',0})`; 1 on the diagonal.
- **Density**: :math:`\omega_{cp} = \sum_{p'} M_{cp'}\phi_{pp'} / \sum_{p'}\phi_{pp'}`
  (the sums include :math:`p' = p`).
- **Complexity outlook**: :math:`COI_c = \sum_p \omega_{cp}(1-M_{cp})K_p`, standardised
  over countries, and
  :math:`COG_{cp} = (1-M_{cp})\sum_{p'} (1-M_{cp'})\,\phi_{p'p} K_{p'} / \sum_{p''}\phi_{p'p''}`,
  divided by :math:`\sigma(K_c)` (``K`` before standardisation, with the sign above).

These follow the ``ecomplexity`` Python package 0.5.3 (Growth Lab, Harvard; a port of
the Stata ``ecomplexity`` command) term by term, including its sign convention, its
normalisation and its definitions of proximity (symmetric, discrete), density (whole
proximity matrix) and outlook; the tests compare with it to 1e-6. Countries and products
whose total exports are zero are left out of every step (their values are NaN), as
``ecomplexity`` does.

Where ``ecomplexity`` gives no answer, this module does:

- a country left with no product at :math:`M_{cp}=1` (or a product with no country) has
  NaN ECI (PCI) and the others are computed without it (``ecomplexity`` then returns NaN
  for every country); a product without a country has NaN proximity and is left out of
  the density sums;
- when ECI does not correlate with diversity (every country has the same diversity, or
  the correlation is zero to within 1e-9: ``ecomplexity`` returns NaN, or a sign set by
  rounding), the sign makes PCI fall with ubiquity.

ECI is refused (:class:`~econsec.errors.ValidationError`) where the eigenvector does not
determine one ranking: fewer than two countries or products with exports, a network that
falls into separate groups (the largest eigenvalue, 1, is repeated), or a second
eigenvalue that is zero or repeated.

References
----------
Hidalgo, C. A. & Hausmann, R. (2009), The building blocks of economic complexity,
*PNAS* 106(26), 10570-10575, doi:10.1073/pnas.0900943106.
Hausmann, R., Hidalgo, C. A. et al. (2014), *The Atlas of Economic Complexity*, MIT Press.
Hidalgo, C. A., Klinger, B., Barabási, A.-L. & Hausmann, R. (2007), The product space
conditions the development of nations, *Science* 317(5837), 482-487,
doi:10.1126/science.1144581.
Growth Lab at Harvard, ``ecomplexity`` 0.5.3 (Python package, MIT licence).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from econsec.errors import Location, ValidationError
from econsec.indicators.common import MethodInfo, invalid
from econsec.indicators.rca import rca

COMPLEXITY_METHOD = MethodInfo(
    name="Economic complexity index (eigenvector method)",
    version="Hidalgo-Hausmann 2009, as ecomplexity 0.5.3",
    reference=(
        "Hidalgo, C. A. & Hausmann, R. (2009), The building blocks of economic complexity, "
        "PNAS 106(26), 10570-10575; Hausmann, R., Hidalgo, C. A. et al. (2014), The Atlas "
        "of Economic Complexity, MIT Press"
    ),
)

PROXIMITY_METHOD = MethodInfo(
    name="Product proximity and density",
    version="Hidalgo et al. 2007, as ecomplexity 0.5.3",
    reference=(
        "Hidalgo, C. A., Klinger, B., Barabasi, A.-L. & Hausmann, R. (2007), The product "
        "space conditions the development of nations, Science 317(5837), 482-487"
    ),
)

#: Eigenvalues closer than this are treated as equal (a repeated eigenvalue leaves the
#: eigenvector, hence the ranking, undetermined).
EIGENVALUE_TOLERANCE = 1e-9


@dataclass(frozen=True, eq=False)
class ComplexityResult:
    """ECI, PCI, proximity, density and complexity outlook of a country × product matrix.

    Rows follow the input's rows (countries), columns its columns (products). Countries
    and products left out (see :attr:`countries_used`, :attr:`products_used`) have NaN.

    Attributes
    ----------
    rca : ndarray, shape (n_countries, n_products)
        Balassa RCA (0 in an all-zero row or column).
    mcp : ndarray of int8, shape (n_countries, n_products)
        1 where ``rca >= threshold``.
    diversity, ubiquity : ndarray of int64
        :math:`k_{c,0}` per country and :math:`k_{p,0}` per product.
    eci : ndarray, shape (n_countries,)
    pci : ndarray, shape (n_products,)
    proximity : ndarray, shape (n_products, n_products)
    density : ndarray, shape (n_countries, n_products)
    coi : ndarray, shape (n_countries,)
        Complexity outlook index (standardised).
    cog : ndarray, shape (n_countries, n_products)
        Complexity outlook gain.
    eigenvalues : tuple of float
        The three largest eigenvalues of :math:`\\tilde M_{pp'}` (fewer if there are
        fewer products); ECI comes from the second.
    countries_used, products_used : ndarray of bool
        Rows and columns with exports and with :math:`M_{cp}=1` somewhere: the ones ECI
        and PCI are computed on.
    threshold : float
    method, proximity_method : MethodInfo
    """

    rca: NDArray[np.float64]
    mcp: NDArray[np.int8]
    diversity: NDArray[np.int64]
    ubiquity: NDArray[np.int64]
    eci: NDArray[np.float64]
    pci: NDArray[np.float64]
    proximity: NDArray[np.float64]
    density: NDArray[np.float64]
    coi: NDArray[np.float64]
    cog: NDArray[np.float64]
    eigenvalues: tuple[float, ...]
    countries_used: NDArray[np.bool_]
    products_used: NDArray[np.bool_]
    threshold: float = 1.0
    method: MethodInfo = COMPLEXITY_METHOD
    proximity_method: MethodInfo = PROXIMITY_METHOD


def _binary(mcp: ArrayLike, field: str) -> NDArray[np.int8]:
    arr = np.asarray(mcp, dtype=np.float64)
    if arr.ndim != 2:
        raise invalid(field, f"needs a 2-D country × product matrix, got {arr.ndim} dimension(s)")
    bad = ~np.isin(arr, (0.0, 1.0))
    if bad.any():
        row, col = np.argwhere(bad)[0]
        raise invalid(f"{field}[{row}, {col}]", f"must be 0 or 1, got {arr[row, col]:g}")
    return arr.astype(np.int8)


def proximity(mcp: ArrayLike) -> NDArray[np.float64]:
    r"""Product proximity: the smaller of the two conditional probabilities.

    .. math::

        \phi_{pp'} = \min\left(\frac{\sum_c M_{cp}M_{cp'}}{k_{p',0}},
                               \frac{\sum_c M_{cp}M_{cp'}}{k_{p,0}}\right)

    Parameters
    ----------
    mcp : array_like of 0/1, shape (n_countries, n_products)

    Returns
    -------
    ndarray, shape (n_products, n_products)
        Symmetric, 1 on the diagonal of a product some country exports; NaN in the row
        and column of a product no country exports (:math:`k_{p,0}=0`).

    Raises
    ------
    ValidationError
        ``mcp`` is not 2-D or holds a value other than 0 and 1.

    References
    ----------
    Hidalgo et al. (2007), *Science* 317(5837), 482-487.

    Examples
    --------
    >>> proximity([[1, 1, 0], [1, 0, 0], [0, 1, 1]]).tolist()
    [[1.0, 0.5, 0.0], [0.5, 1.0, 0.5], [0.0, 0.5, 1.0]]
    """
    m = _binary(mcp, "mcp").astype(np.float64)
    co = m.T @ m
    ubiquity = np.diag(co).copy()
    larger = np.maximum(ubiquity[:, None], ubiquity[None, :])
    out = np.full_like(co, np.nan)
    np.divide(co, larger, out=out, where=larger > 0)
    none = ubiquity == 0
    out[none, :] = np.nan
    out[:, none] = np.nan
    return out


def density(mcp: ArrayLike, phi: ArrayLike) -> NDArray[np.float64]:
    r"""Density of each country around each product: the proximity-weighted share of the
    product's neighbours the country exports.

    .. math::

        \omega_{cp} = \frac{\sum_{p'} M_{cp'}\,\phi_{pp'}}{\sum_{p'} \phi_{pp'}}

    Parameters
    ----------
    mcp : array_like of 0/1, shape (n_countries, n_products)
    phi : array_like, shape (n_products, n_products)
        Proximity (:func:`proximity`); NaN entries (products nobody exports) are left out
        of the sums, and a product whose own row is all NaN gets NaN density.

    Returns
    -------
    ndarray, shape (n_countries, n_products)

    Raises
    ------
    ValidationError
        Shapes do not match, ``mcp`` is not 0/1, or ``phi`` has a negative or infinite
        entry.

    Examples
    --------
    >>> m = [[1, 1, 0], [1, 0, 0], [0, 1, 1]]
    >>> density(m, proximity(m)).round(3).tolist()
    [[1.0, 0.75, 0.333], [0.667, 0.25, 0.0], [0.333, 0.75, 1.0]]
    """
    m = _binary(mcp, "mcp").astype(np.float64)
    p = np.asarray(phi, dtype=np.float64)
    n = m.shape[1]
    if p.shape != (n, n):
        raise invalid("phi", f"needs shape ({n}, {n}) for {n} products, got {p.shape}")
    if np.any(np.isinf(p)) or np.any(p < 0):
        row, col = np.argwhere(np.isinf(p) | (p < 0))[0]
        raise invalid(f"phi[{row}, {col}]", f"must be finite and not negative, got {p[row, col]:g}")
    undefined = np.all(np.isnan(p), axis=1)
    weights = np.nan_to_num(p)
    totals = weights.sum(axis=1)
    out = np.full((m.shape[0], n), np.nan)
    ok = ~undefined & (totals > 0)
    out[:, ok] = m @ (weights[ok].T / totals[ok][None, :])
    return out


def _refuse(message: str) -> ValidationError:
    return ValidationError(message, location=Location(column="x"))


def _eigen(m: NDArray[np.float64], kc0: NDArray[np.float64], kp0: NDArray[np.float64]
           ) -> tuple[NDArray[np.float64], tuple[float, ...]]:
    """:math:`K_p` (any scale and sign) for the second largest eigenvalue of
    :math:`\\tilde M_{pp'}`, and the three largest eigenvalues.

    :math:`\\tilde M_{pp'} = D_p^{-1} M^T D_c^{-1} M` is similar to :math:`A^T A` with
    :math:`A = D_c^{-1/2} M D_p^{-1/2}`: its eigenvalues are the squared singular values
    of ``A`` and :math:`K_p = D_p^{-1/2} v` for a right singular vector ``v``. The SVD of
    the (countries × products) ``A`` is fast and stable where a full eigen-decomposition
    of the products × products matrix is neither."""
    a = m / np.sqrt(kc0)[:, None] / np.sqrt(kp0)[None, :]
    _, sigma, vt = np.linalg.svd(a, full_matrices=False)
    lam = sigma**2
    top = tuple(float(v) for v in lam[:3])
    if len(lam) < 2 or lam[1] <= EIGENVALUE_TOLERANCE:
        raise _refuse(
            "ECI is undefined for this matrix: the second eigenvalue is zero (every "
            "country exports the same set of products), so there is no ranking to find")
    if lam[0] - lam[1] <= EIGENVALUE_TOLERANCE:
        raise _refuse(
            "ECI is undefined for this matrix: the countries and products fall into "
            "separate groups (no country has an advantage in products of both), so the "
            "eigenvector does not give one ranking; compute each group on its own")
    if len(lam) > 2 and lam[1] - lam[2] <= EIGENVALUE_TOLERANCE:
        raise _refuse(
            "ECI is undefined for this matrix: the second and third eigenvalues are equal "
            f"({lam[1]:.6g}), so the eigenvector, and with it the ranking, is not unique")
    return vt[1] / np.sqrt(kp0), top


#: A correlation this close to 0 does not fix the sign of the eigenvector.
CORRELATION_TOLERANCE = 1e-9


def _sign(a: NDArray[np.float64], b: NDArray[np.float64]) -> float:
    """The sign of the correlation of ``a`` and ``b``; 0 where it is undefined or ~0."""
    if np.ptp(a) == 0 or np.ptp(b) == 0:
        return 0.0
    r = float(np.corrcoef(a, b)[0, 1])
    return float(np.sign(r)) if abs(r) > CORRELATION_TOLERANCE else 0.0


def complexity(x: ArrayLike, *, threshold: float = 1.0) -> ComplexityResult:
    r"""ECI, PCI, proximity, density and complexity outlook of an export matrix.

    Formulas in the module docstring (:mod:`econsec.indicators.complexity`).

    Parameters
    ----------
    x : array_like, shape (n_countries, n_products)
        Non-negative exports of country ``c`` in product ``p`` (any unit).
    threshold : float, default 1
        :math:`M_{cp} = 1` where :math:`RCA_{cp} \ge` ``threshold``.

    Returns
    -------
    ComplexityResult

    Raises
    ------
    ValidationError
        ``x`` is not 2-D, has NaN / infinite / negative entries, is all zero, has fewer
        than two countries or products with exports, or does not determine a ranking
        (module docstring); ``threshold`` is not a positive finite number.

    References
    ----------
    Hidalgo & Hausmann (2009), *PNAS* 106(26), 10570-10575; Hidalgo et al. (2007),
    *Science* 317(5837), 482-487; ``ecomplexity`` 0.5.3.

    Examples
    --------
    A nested matrix: the most diversified country exports the rarest product.

    >>> r = complexity([[5, 3, 2, 1], [4, 2, 1, 0], [6, 2, 0, 0], [9, 0, 0, 0]])
    >>> r.mcp.tolist()
    [[0, 1, 1, 1], [0, 1, 1, 0], [1, 1, 0, 0], [1, 0, 0, 0]]
    >>> r.eci.round(3).tolist()
    [1.006, 0.866, -0.442, -1.429]
    >>> bool(r.pci[3] > r.pci[2] > r.pci[1] > r.pci[0])
    True
    """
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise invalid("x", "needs a rectangular matrix of numbers") from exc
    if arr.ndim == 2 and (arr.shape[0] < 2 or arr.shape[1] < 2):
        raise invalid("x", "needs at least 2 countries (rows) and 2 products (columns), got "
                      f"{arr.shape[0]} × {arr.shape[1]}")
    if isinstance(threshold, bool) or not isinstance(threshold, int | float) \
            or not np.isfinite(threshold) or threshold <= 0:
        raise invalid("threshold", f"must be a positive number, got {threshold!r}")
    balassa = rca(arr)  # checks: 2-D, finite, non-negative, not all zero
    mcp = balassa.mcp(threshold)
    n_c, n_p = mcp.shape
    rows = balassa.country_totals > 0
    cols = balassa.product_totals > 0
    if rows.sum() < 2 or cols.sum() < 2:
        raise _refuse("ECI needs at least 2 countries and 2 products with exports, got "
                      f"{int(rows.sum())} and {int(cols.sum())}")
    m_all = mcp.astype(np.float64)
    diversity = mcp.sum(axis=1, dtype=np.int64)
    ubiquity = mcp.sum(axis=0, dtype=np.int64)
    used_c = rows & (diversity > 0)
    used_p = cols & (ubiquity > 0)
    if used_c.sum() < 2 or used_p.sum() < 2:
        raise _refuse("ECI needs at least 2 countries and 2 products with RCA ≥ "
                      f"{threshold:g}, got {int(used_c.sum())} and {int(used_p.sum())}")

    m = m_all[np.ix_(used_c, used_p)]
    kc0 = diversity[used_c].astype(np.float64)
    kp0 = ubiquity[used_p].astype(np.float64)
    kp, eigenvalues = _eigen(m, kc0, kp0)
    kc = (m / kc0[:, None]) @ kp
    sign = _sign(kc0, kc) or -_sign(kp0, kp)
    if sign == 0:
        raise _refuse("ECI is undefined for this matrix: neither the countries' diversity "
                      "nor the products' ubiquity correlates with the eigenvector, so "
                      "nothing tells a complex product from a simple one")
    kc, kp = sign * kc, sign * kp
    mean, std = kc.mean(), kc.std()

    eci = np.full(n_c, np.nan)
    pci = np.full(n_p, np.nan)
    eci[used_c] = (kc - mean) / std
    pci[used_p] = (kp - mean) / std

    # Proximity and density over the countries and products with exports, as ecomplexity.
    sub = np.ix_(rows, cols)
    phi = np.full((n_p, n_p), np.nan)
    phi[np.ix_(cols, cols)] = proximity(mcp[sub])
    dens = np.full((n_c, n_p), np.nan)
    dens[sub] = density(mcp[sub], phi[np.ix_(cols, cols)])

    # Complexity outlook with K_p before standardisation (ecomplexity's definition).
    k_raw = np.full(n_p, np.nan)
    k_raw[used_p] = kp
    has_k = used_p & cols
    absent = 1.0 - m_all
    terms = dens[:, has_k] * absent[:, has_k] * k_raw[has_k][None, :]
    coi = np.full(n_c, np.nan)
    coi_rows = terms[rows].sum(axis=1)
    coi_std = coi_rows.std()
    coi[rows] = (coi_rows - coi_rows.mean()) / coi_std if coi_std > 0 else 0.0
    weights = np.nan_to_num(phi[np.ix_(has_k, cols)])
    gain = weights * (k_raw[has_k] / weights.sum(axis=1))[:, None]
    cog = np.full((n_c, n_p), np.nan)
    cog[sub] = absent[sub] * (absent[np.ix_(rows, has_k)] @ gain) / std

    return ComplexityResult(
        rca=balassa.rca, mcp=mcp, diversity=diversity, ubiquity=ubiquity, eci=eci, pci=pci,
        proximity=phi, density=dens, coi=coi, cog=cog, eigenvalues=eigenvalues,
        countries_used=used_c, products_used=used_p, threshold=float(threshold))
