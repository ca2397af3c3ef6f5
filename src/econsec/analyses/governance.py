"""Scaled WGI per country from the knowledge base (EU CRM convention, 0-10, 10 = worst)."""

from __future__ import annotations

from econsec.indicators.eu_crm import wgi_scaled
from econsec.kb.protocol import KnowledgeBase

WGI_DIMENSIONS = ("CC", "GE", "PV", "RL", "RQ", "VA")

#: Scaled WGI given to a country without WGI estimates (the midpoint: a WGI mean of 0);
#: results that use it list the countries it was used for.
MISSING_WGI = 5.0


def scaled_wgi(kb: KnowledgeBase, year: int | None = None) -> dict[str, float]:
    """``{iso3: 5 − 2 · mean(six WGI estimates)}`` clipped to 0-10, latest year ≤ ``year``.

    Countries missing any of the six dimensions are left out (the EC method averages all six).
    """
    out = {}
    for iso3, dims in kb.governance(year).items():
        if all(d in dims for d in WGI_DIMENSIONS):
            out[iso3] = wgi_scaled([dims[d] for d in WGI_DIMENSIONS])
    return out
