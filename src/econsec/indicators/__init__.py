"""Criticality indicators as pure functions.

No file or database I/O and no module state: plain mappings, sequences, numpy
arrays and small frozen dataclasses in; frozen result dataclasses out, each carrying
the :class:`~econsec.indicators.common.MethodInfo` (name, version, reference) of the
method and the intermediate terms that made the number.

Modules
-------
- :mod:`~econsec.indicators.concentration`: market shares, HHI, governance-weighted HHI.
- :mod:`~econsec.indicators.eu_crm`: EU CRM supply risk, economic importance, criticality.
- :mod:`~econsec.indicators.geopolrisk`: GeoPolRisk (Gemechu et al. 2016).
- :mod:`~econsec.indicators.import_reliance`: USGS net import reliance.
  (The EU method's ``import_reliance`` helper is imported from ``eu_crm``; at package
  level ``econsec.indicators.import_reliance`` is the module.)
- :mod:`~econsec.indicators.rca`: Balassa revealed comparative advantage.
- :mod:`~econsec.indicators.criticality`: SR × EI matrix, dependence profile, three lenses.
"""

from econsec.indicators.common import MethodInfo
from econsec.indicators.concentration import (
    SharesResult,
    governance_weighted_hhi,
    hhi,
    market_shares,
)
from econsec.indicators.criticality import (
    CriticalityMatrix,
    DependenceProfile,
    ItemMetrics,
    Lens,
    LensResult,
    Quadrant,
    Thresholds,
    classify_lenses,
    criticality_matrix,
    dependence_profile,
)
from econsec.indicators.eu_crm import (
    CountryShare,
    EndUse,
    MaterialAssessment,
    MaterialInput,
    StageInputs,
    SupplyRiskResult,
    assess_materials,
    economic_importance,
    is_critical,
    supply_risk,
    supply_risk_stage,
    wgi_scaled,
)
from econsec.indicators.geopolrisk import GeoPolRiskResult, geopolrisk, instability_from_wgi_pv
from econsec.indicators.import_reliance import NetImportRelianceResult, net_import_reliance
from econsec.indicators.rca import RCAResult, rca

__all__ = [
    "CountryShare",
    "CriticalityMatrix",
    "DependenceProfile",
    "EndUse",
    "GeoPolRiskResult",
    "ItemMetrics",
    "Lens",
    "LensResult",
    "MaterialAssessment",
    "MaterialInput",
    "MethodInfo",
    "NetImportRelianceResult",
    "Quadrant",
    "RCAResult",
    "SharesResult",
    "StageInputs",
    "SupplyRiskResult",
    "Thresholds",
    "assess_materials",
    "classify_lenses",
    "criticality_matrix",
    "dependence_profile",
    "economic_importance",
    "geopolrisk",
    "governance_weighted_hhi",
    "hhi",
    "instability_from_wgi_pv",
    "is_critical",
    "market_shares",
    "net_import_reliance",
    "rca",
    "supply_risk",
    "supply_risk_stage",
    "wgi_scaled",
]
