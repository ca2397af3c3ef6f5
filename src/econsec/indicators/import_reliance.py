"""Net import reliance (USGS definition).

Reference: U.S. Geological Survey, *Mineral Commodity Summaries* (annual),
"Net import reliance": imports − exports + adjustments for government and industry
stock changes, as a percentage of apparent consumption; "E" marks a net exporter.
"""

from __future__ import annotations

from dataclasses import dataclass

from econsec.indicators.common import (
    MethodInfo,
    check_non_negative,
    check_number,
    invalid,
    sum_scale,
)

NET_IMPORT_RELIANCE_METHOD = MethodInfo(
    name="net import reliance",
    version="USGS MCS",
    reference=(
        "U.S. Geological Survey, Mineral Commodity Summaries: net import reliance = "
        "(imports − exports + stock adjustments) / apparent consumption"
    ),
)


@dataclass(frozen=True)
class NetImportRelianceResult:
    """Net import reliance with its terms.

    Attributes
    ----------
    nir : float
        Net import reliance as a fraction of apparent consumption; negative for a
        net exporter (USGS prints "E" instead of a number).
    net_imports : float
        ``imports − exports − stock_change``.
    apparent_consumption : float
        ``production + imports − exports − stock_change``.
    net_exporter : bool
        ``nir < 0``.
    method : MethodInfo
    """

    nir: float
    net_imports: float
    apparent_consumption: float
    net_exporter: bool
    method: MethodInfo = NET_IMPORT_RELIANCE_METHOD

    @property
    def usgs_notation(self) -> str:
        """As USGS prints it: ``"E"`` for a net exporter, else the rounded percentage (``"76"``)."""
        if self.net_exporter:
            return "E"
        return f"{round(self.nir * 100):d}"

    def to_dict(self) -> dict[str, object]:
        """JSON-ready dictionary with stable snake_case keys."""
        return {
            "nir": self.nir,
            "net_imports": self.net_imports,
            "apparent_consumption": self.apparent_consumption,
            "net_exporter": self.net_exporter,
            "usgs_notation": self.usgs_notation,
            "method": self.method.to_dict(),
        }


def net_import_reliance(
    imports: float,
    exports: float,
    production: float,
    stock_change: float = 0.0,
) -> NetImportRelianceResult:
    r"""Net import reliance as a fraction of apparent consumption (USGS).

    .. math::

        C = P + I - X - \Delta S, \qquad
        \mathrm{NIR} = \frac{I - X - \Delta S}{C}

    with production :math:`P`, imports :math:`I`, exports :math:`X` and the change
    in government and industry stocks :math:`\Delta S` (positive when stocks were
    built up, negative when stocks were released: a release adds to supply).

    Parameters
    ----------
    imports, exports, production : float
        Non-negative quantities in one unit (primary production, or the
        production the assessment counts, e.g. including secondary).
    stock_change : float, default 0.0
        Increase of stocks over the year (negative for a net release).

    Returns
    -------
    NetImportRelianceResult
        ``nir`` ≤ 1; negative for a net exporter, flagged ``net_exporter`` and
        shown as ``"E"`` by :attr:`NetImportRelianceResult.usgs_notation`.

    Raises
    ------
    ValidationError
        A quantity is negative or NaN, or apparent consumption is not positive
        (NIR is undefined).

    References
    ----------
    U.S. Geological Survey, *Mineral Commodity Summaries* (e.g. 2024, appendix and
    "net import reliance" in each commodity's salient statistics).

    Examples
    --------
    >>> r = net_import_reliance(imports=80.0, exports=20.0, production=40.0)
    >>> r.nir, r.apparent_consumption, r.usgs_notation
    (0.6, 100.0, '60')
    """
    i = check_non_negative(imports, "imports")
    x = check_non_negative(exports, "exports")
    p = check_non_negative(production, "production")
    ds = check_number(stock_change, "stock_change")
    # NIR is a ratio: quantities near the float maximum are divided by the largest one
    # first, so that ``production + imports`` cannot overflow.
    scale = sum_scale([i, x, p, ds])
    net_scaled = i / scale - x / scale - ds / scale
    consumption_scaled = p / scale + net_scaled
    net, consumption = net_scaled * scale, consumption_scaled * scale
    if consumption_scaled <= 0:
        raise invalid(
            "apparent_consumption",
            f"apparent consumption (production + imports − exports − stock change) is "
            f"{consumption:g}; net import reliance is undefined",
        )
    nir = net_scaled / consumption_scaled
    return NetImportRelianceResult(
        nir=nir, net_imports=net, apparent_consumption=consumption, net_exporter=nir < 0
    )
