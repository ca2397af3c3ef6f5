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
- :mod:`~econsec.indicators.rca`: Balassa revealed comparative advantage (at package level
  ``econsec.indicators.rca`` is the module too: the function is ``rca.rca``).
- :mod:`~econsec.indicators.complexity`: RCA-based Mcp, ECI, PCI, proximity, density and
  complexity outlook (Hidalgo & Hausmann; the function is ``complexity.complexity``).
- :mod:`~econsec.indicators.criticality`: SR × EI matrix, dependence profile, three lenses.

Every name below is imported on first use (``econsec.indicators.hhi`` imports the
concentration module then), so a program that needs one small module, such as
``econsec.indicators.common``, does not load numpy and every method with it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from econsec.indicators.common import MethodInfo
    from econsec.indicators.complexity import ComplexityResult
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
    from econsec.indicators.rca import RCAResult

_HOMES: dict[str, str] = {
    "ComplexityResult": "econsec.indicators.complexity",
    "CountryShare": "econsec.indicators.eu_crm",
    "CriticalityMatrix": "econsec.indicators.criticality",
    "DependenceProfile": "econsec.indicators.criticality",
    "EndUse": "econsec.indicators.eu_crm",
    "GeoPolRiskResult": "econsec.indicators.geopolrisk",
    "ItemMetrics": "econsec.indicators.criticality",
    "Lens": "econsec.indicators.criticality",
    "LensResult": "econsec.indicators.criticality",
    "MaterialAssessment": "econsec.indicators.eu_crm",
    "MaterialInput": "econsec.indicators.eu_crm",
    "MethodInfo": "econsec.indicators.common",
    "NetImportRelianceResult": "econsec.indicators.import_reliance",
    "Quadrant": "econsec.indicators.criticality",
    "RCAResult": "econsec.indicators.rca",
    "SharesResult": "econsec.indicators.concentration",
    "StageInputs": "econsec.indicators.eu_crm",
    "SupplyRiskResult": "econsec.indicators.eu_crm",
    "Thresholds": "econsec.indicators.criticality",
    "assess_materials": "econsec.indicators.eu_crm",
    "classify_lenses": "econsec.indicators.criticality",
    "criticality_matrix": "econsec.indicators.criticality",
    "dependence_profile": "econsec.indicators.criticality",
    "economic_importance": "econsec.indicators.eu_crm",
    "geopolrisk": "econsec.indicators.geopolrisk",
    "governance_weighted_hhi": "econsec.indicators.concentration",
    "hhi": "econsec.indicators.concentration",
    "instability_from_wgi_pv": "econsec.indicators.geopolrisk",
    "is_critical": "econsec.indicators.eu_crm",
    "market_shares": "econsec.indicators.concentration",
    "net_import_reliance": "econsec.indicators.import_reliance",
    "supply_risk": "econsec.indicators.eu_crm",
    "supply_risk_stage": "econsec.indicators.eu_crm",
    "wgi_scaled": "econsec.indicators.eu_crm",
}
#: The method modules, reachable as attributes like the names above.
_MODULES = frozenset(home.rsplit(".", 1)[1] for home in _HOMES.values())


def __getattr__(name: str) -> Any:
    """Import the module that defines ``name`` the first time it is asked for."""
    home = _HOMES.get(name)
    if home is None:
        if name in _MODULES:
            return importlib.import_module(f"{__name__}.{name}")
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOMES, *_MODULES})


__all__ = [
    "ComplexityResult",
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
    "supply_risk",
    "supply_risk_stage",
    "wgi_scaled",
]
