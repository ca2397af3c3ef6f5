"""Import dependence on bilateral trade: where a country imports a product from, how
concentrated and how well governed those sources are, and whether it exports more than
it imports; and the concentration of world exports of a product.

Everything here is pure: plain mappings in, frozen dataclasses out.

With imports :math:`m_i` of the product from exporter :math:`i` and :math:`M = \\sum_i m_i`:

.. math::

    s_i = m_i / M, \\qquad \\mathrm{HHI}_{imp} = \\sum_i s_i^2, \\qquad
    \\mathrm{HHI}_{imp,WGI} = \\sum_i s_i^2 \\cdot \\mathrm{WGI}_i

where :math:`\\mathrm{WGI}_i` is the scaled governance score of the exporter on 0-10
(10 = worst; :func:`econsec.indicators.eu_crm.wgi_scaled`, the EU CRM convention). The
governance-weighted import concentration is the EU CRM method's :math:`\\mathrm{HHI}_{WGI}`
(European Commission 2017, doi:10.2873/769526) applied to import shares instead of world
supply shares (the EU method weights world supply and EU sourcing the same way); it lies
in 0-10: 10 is one supplier with the worst governance, 0.5 many small suppliers of
average governance.

The partner share is :math:`\\sum_{i \\in G} s_i` over the home country's partner group
:math:`G`; the outside share is the rest. A country is a *net exporter* of the product
when its exports :math:`X` exceed its imports :math:`M` (same products, same year).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from econsec.indicators.common import MethodInfo, check_non_negative, invalid
from econsec.indicators.concentration import governance_weighted_hhi, market_shares

IMPORT_METHOD = MethodInfo(
    name="import dependence on bilateral trade",
    version="1",
    reference=(
        "s_i = m_i / Σ m; HHI = Σ s_i²; HHI_WGI = Σ s_i² · WGI_i (0-10), the governance-"
        "weighted HHI of European Commission (2017), doi:10.2873/769526, on import shares"
    ),
)
EXPORT_CONCENTRATION_METHOD = MethodInfo(
    name="world export concentration",
    version="1",
    reference="exporters' shares of world exports of the product; HHI = Σ s_i² (0-1)",
)


@dataclass(frozen=True)
class ImportPosition:
    """Where a country's imports of one product (one year) come from.

    Attributes
    ----------
    total_imports, total_exports : float
        In the unit of the inputs (e.g. thousand USD).
    shares : tuple of (exporter, share)
        Import shares, largest first.
    top_source, top_share : str or None, float
    hhi : float
        Σ s_i² over the import shares (0-1); 0 when nothing is imported.
    partner_share, outside_share : float
        Shares of imports from the partner group and from everyone else.
    governance_weighted_hhi : float or None
        Σ s_i² · WGI_i (0-10), ``None`` when no WGI mapping was given or nothing imported.
    wgi_imputed : tuple of str
        Exporters without a WGI value, given ``default_wgi``.
    net_exporter : bool
        ``total_exports > total_imports``.
    """

    total_imports: float
    total_exports: float
    shares: tuple[tuple[str, float], ...]
    top_source: str | None
    top_share: float
    hhi: float
    partner_share: float
    outside_share: float
    governance_weighted_hhi: float | None
    wgi_imputed: tuple[str, ...]
    net_exporter: bool
    method: MethodInfo = IMPORT_METHOD


def import_position(
    imports_by_exporter: Mapping[str, float],
    *,
    exports: float = 0.0,
    partners: Collection[str] = (),
    wgi_scaled: Mapping[str, float] | None = None,
    default_wgi: float | None = None,
) -> ImportPosition:
    r"""Import concentration, partner share, governance-weighted concentration and the
    net-exporter test of one product for one importer.

    Parameters
    ----------
    imports_by_exporter : mapping of str to float
        Imports :math:`m_i` by exporter (non-negative; zeros are left out).
    exports : float
        The importer's exports :math:`X` of the same product in the same year.
    partners : collection of str
        The importer's partner group.
    wgi_scaled : mapping of str to float, optional
        Scaled WGI (0-10, 10 = worst) per exporter for :math:`\mathrm{HHI}_{WGI}`.
    default_wgi : float, optional
        WGI given to an exporter missing from ``wgi_scaled`` (listed in ``wgi_imputed``);
        without it a missing exporter is an error.

    Returns
    -------
    ImportPosition

    Raises
    ------
    ValidationError
        A negative or NaN value, or an exporter without WGI when no default is given.

    Examples
    --------
    >>> p = import_position({"CHN": 60.0, "AUS": 40.0}, exports=10.0, partners={"AUS"},
    ...                     wgi_scaled={"CHN": 6.0, "AUS": 1.0})
    >>> p.top_source, p.top_share, round(p.hhi, 4), p.partner_share, p.net_exporter
    ('CHN', 0.6, 0.52, 0.4, False)
    >>> round(p.governance_weighted_hhi, 4)
    2.32
    """
    values = {k: check_non_negative(v, f"imports_by_exporter[{k}]")
              for k, v in imports_by_exporter.items()}
    values = {k: v for k, v in values.items() if v > 0}
    x = check_non_negative(exports, "exports")
    if not values:
        return ImportPosition(0.0, x, (), None, 0.0, 0.0, 0.0, 0.0, None, (), x > 0)
    shares = market_shares(values)
    share_map = dict(shares.shares)
    group = set(partners)
    partner_share = math.fsum(s for c, s in share_map.items() if c in group)
    gw = None
    imputed: list[str] = []
    if wgi_scaled is not None:
        weights = {}
        for c in share_map:
            if c in wgi_scaled:
                weights[c] = wgi_scaled[c]
            elif default_wgi is not None:
                weights[c] = default_wgi
                imputed.append(c)
            else:
                raise invalid(f"wgi_scaled[{c}]", f"no scaled WGI value for exporter '{c}'")
        gw = governance_weighted_hhi(share_map, weights)
    top, top_share = shares.shares[0]
    return ImportPosition(
        total_imports=shares.reported_total,
        total_exports=x,
        shares=shares.shares,
        top_source=top,
        top_share=top_share,
        hhi=shares.hhi,
        partner_share=partner_share,
        outside_share=max(0.0, 1.0 - partner_share),
        governance_weighted_hhi=gw,
        wgi_imputed=tuple(sorted(imputed)),
        net_exporter=x > shares.reported_total,
    )


def share_change(shares_by_year: Mapping[int, float]) -> float | None:
    """Last minus first share (in share units, 0.05 = 5 points) over the years given;
    ``None`` with fewer than two years.

    >>> round(share_change({2020: 0.5, 2022: 0.6, 2024: 0.7}), 6)
    0.2
    """
    if len(shares_by_year) < 2:
        return None
    years = sorted(shares_by_year)
    return shares_by_year[years[-1]] - shares_by_year[years[0]]


@dataclass(frozen=True)
class ExportConcentration:
    """Exporters' shares of world exports of one product (one year)."""

    total: float
    shares: tuple[tuple[str, float], ...]
    top_exporter: str
    top_share: float
    hhi: float
    method: MethodInfo = EXPORT_CONCENTRATION_METHOD

    def rank(self, country: str) -> int | None:
        """1 = largest exporter; ``None`` when ``country`` exports nothing."""
        for i, (c, _) in enumerate(self.shares, 1):
            if c == country:
                return i
        return None

    def share(self, country: str) -> float:
        """``country``'s share of world exports (0 when it exports nothing)."""
        return dict(self.shares).get(country, 0.0)


def export_concentration(exports_by_exporter: Mapping[str, float]) -> ExportConcentration:
    """Shares of world exports by exporter and their HHI.

    Raises :class:`~econsec.errors.ValidationError` when nothing is exported.

    >>> e = export_concentration({"CHN": 80.0, "RUS": 20.0})
    >>> e.top_exporter, e.top_share, round(e.hhi, 4)
    ('CHN', 0.8, 0.68)
    """
    values = {k: check_non_negative(v, f"exports_by_exporter[{k}]")
              for k, v in exports_by_exporter.items()}
    values = {k: v for k, v in values.items() if v > 0}
    if not values:
        raise invalid("exports_by_exporter", "no exporter with a positive value")
    shares = market_shares(values)
    top, top_share = shares.shares[0]
    return ExportConcentration(total=shares.reported_total, shares=shares.shares,
                               top_exporter=top, top_share=top_share, hhi=shares.hhi)
