"""Revealed comparative advantage (Balassa 1965) on a country × product matrix.

Reference: Balassa, B. (1965), "Trade liberalisation and 'revealed' comparative
advantage", *The Manchester School* 33(2), 99-123, doi:10.1111/j.1467-9957.1965.tb00050.x.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from econsec.indicators.common import MethodInfo, invalid, sum_scale

RCA_METHOD = MethodInfo(
    name="Balassa revealed comparative advantage",
    version="1965",
    reference=(
        "Balassa, B. (1965), Trade liberalisation and 'revealed' comparative advantage, "
        "The Manchester School 33(2), 99-123"
    ),
)


@dataclass(frozen=True, eq=False)
class RCAResult:
    """Balassa RCA with its margins.

    Attributes
    ----------
    rca : ndarray, shape (n_countries, n_products)
        :math:`(X_{cp}/X_c)/(X_p/X)`; 0 where the country or the product has no exports.
    country_totals : ndarray, shape (n_countries,)
        :math:`X_c = \\sum_p X_{cp}`.
    product_totals : ndarray, shape (n_products,)
        :math:`X_p = \\sum_c X_{cp}`.
    total : float
        :math:`X = \\sum_{c,p} X_{cp}`.
    method : MethodInfo
    """

    rca: NDArray[np.float64]
    country_totals: NDArray[np.float64]
    product_totals: NDArray[np.float64]
    total: float
    method: MethodInfo = RCA_METHOD

    def mcp(self, threshold: float = 1.0) -> NDArray[np.int8]:
        """Binary specialisation matrix: 1 where RCA ≥ ``threshold`` (Hidalgo & Hausmann 2009)."""
        return (self.rca >= threshold).astype(np.int8)


def rca(x: ArrayLike) -> RCAResult:
    r"""Balassa revealed comparative advantage of each country in each product.

    .. math::

        RCA_{cp} = \frac{X_{cp} / X_c}{X_p / X}, \qquad
        X_c = \sum_p X_{cp},\; X_p = \sum_c X_{cp},\; X = \sum_{c,p} X_{cp}

    Parameters
    ----------
    x : array_like, shape (n_countries, n_products)
        Non-negative exports (or production) of country ``c`` in product ``p``.

    Returns
    -------
    RCAResult
        ``rca`` is 0 in a row whose country exports nothing and in a column whose
        product nobody exports (the ratio is undefined there; 0 means "no
        revealed advantage").

    Raises
    ------
    ValidationError
        ``x`` is not 2-D, has NaN / infinite / negative entries, or is all zero.

    References
    ----------
    Balassa (1965), *The Manchester School* 33(2), 99-123.

    Examples
    --------
    >>> r = rca([[1.0, 1.0], [0.0, 2.0]])
    >>> r.rca.round(3).tolist()
    [[2.0, 0.667], [0.0, 1.333]]
    """
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim != 2:
        raise invalid("x", f"needs a 2-D country × product matrix, got {arr.ndim} dimension(s)")
    if not np.all(np.isfinite(arr)):
        row, col = np.argwhere(~np.isfinite(arr))[0]
        raise invalid(f"x[{row}, {col}]", "is NaN or infinite")
    if np.any(arr < 0):
        row, col = np.argwhere(arr < 0)[0]
        raise invalid(f"x[{row}, {col}]", f"must not be negative, got {arr[row, col]:g}")
    # RCA is a ratio of ratios: values near the float maximum are divided by the largest
    # one before the sums, so that the sums stay finite (the totals reported may be inf).
    scale = sum_scale(arr.ravel().tolist())
    scaled = arr / scale if scale != 1.0 else arr
    scaled_total = float(scaled.sum())
    if scaled_total <= 0:
        raise invalid("x", "the matrix is all zero; RCA is undefined")
    xc = scaled.sum(axis=1)
    xp = scaled.sum(axis=0)
    arr = scaled
    # Row shares X_cp / X_c divided by world shares X_p / X (no outer product: avoids
    # underflow of X_c · X_p for tiny values).
    row_share = np.zeros_like(arr)
    np.divide(arr, xc[:, None], out=row_share, where=xc[:, None] > 0)
    world_share = xp / scaled_total
    out = np.zeros_like(arr)
    np.divide(row_share, world_share[None, :], out=out, where=world_share[None, :] > 0)
    with np.errstate(over="ignore"):
        return RCAResult(rca=out, country_totals=xc * scale, product_totals=xp * scale,
                         total=scaled_total * scale)
