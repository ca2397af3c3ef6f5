"""The result models of the trade query (``econsec trade``, ``/api/v1/trade``, the trade page).

Apart from :mod:`econsec.analyses.models` (whose style they follow) so that ``econsec
trade`` builds these few pydantic classes, not every result model, at start-up.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from econsec.analyses.result_base import AnalysisResult, SourceInfo


class TradeProduct(AnalysisResult):
    """The product of a trade query: an HS 6-digit code in one HS version."""

    hs: str = Field(description="HS 6-digit code")
    hs_version: str = Field(description="HS version of the code (HS92, HS17, …)")
    description: str
    commodity: str | None = Field(description="The commodity the code was chosen through, "
                                  "else the commodities the crosswalk links it to")


class TradePartner(AnalysisResult):
    """A partner's flow with the reporter and its share of the reporter's total."""

    iso3: str
    country: str
    value: float | None = Field(description="Thousand USD")
    quantity: float | None = Field(description="Metric tons")
    share: float = Field(description="Fraction of the reporter's total on the basis")


class TradeShares(AnalysisResult):
    """A country's partners in one product and year (``econsec trade --format json``)."""

    reporter: str
    flow: Literal["imports", "exports"]
    product: TradeProduct
    year: int
    basis: Literal["value", "quantity"]
    unit: str
    total: float = Field(description="The reporter's total for the flow, on the basis")
    hhi: float = Field(description="Σ share² of the partners (0-1)")
    partners: list[TradePartner] = Field(description="Largest share first")
    sources: list[SourceInfo]


class TradeTrendSeries(AnalysisResult):
    """One partner's share of the reporter's total in each year of a trend."""

    iso3: str
    country: str
    shares: list[float | None]


class TradeTrend(AnalysisResult):
    """The reporter's total and its leading partners' shares over the years."""

    reporter: str
    flow: Literal["imports", "exports"]
    product: TradeProduct
    basis: Literal["value", "quantity"]
    unit: str
    years: list[int]
    totals: list[float | None]
    series: list[TradeTrendSeries]
    sources: list[SourceInfo]
