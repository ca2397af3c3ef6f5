"""``/api/v1/trade/{country}``: a country's trade partners in one product and year."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from econsec.analyses.trade import trade_shares
from econsec.analyses.trade_models import TradeShares
from econsec.web.api.common import State, cached_json, problem_responses

router = APIRouter(prefix="/trade", tags=["trade"])


@router.get("/{country}", response_model=TradeShares, summary="Trade partners and shares",
            responses=problem_responses(404, 422))
async def get_trade(
    country: str,
    state: State,
    hs: Annotated[str | None, Query(max_length=20, description="HS 6-digit code (284690 or "
                                    "2846.90); or give commodity")] = None,
    commodity: Annotated[str | None, Query(max_length=100, description="Commodity id or "
                                           "name, resolved through the crosswalk")] = None,
    stage: Annotated[str | None, Query(max_length=40, description="With commodity: the "
                                       "crosswalk's stage")] = None,
    year: Annotated[int | None, Query(ge=1800, le=2200, description="Data year (default: "
                                      "the latest with flows)")] = None,
    flow: Literal["imports", "exports"] = "imports",
    basis: Literal["value", "quantity"] = "value",
    hs_version: Annotated[str | None, Query(max_length=20, description="HS version (HS92, "
                                            "HS17); default HS92 where the year has it")] = None,
    source: Annotated[str | None, Query(max_length=200, description="Source key of the "
                                        "flows (default: the data set with most flows)")
                      ] = None,
) -> Response:
    """The same JSON as ``econsec trade COUNTRY --hs CODE --year Y --format json``: each
    partner's value (thousand USD), quantity (metric tons) and share of the country's total
    for the flow, the HHI and the data set. An unknown country, code or commodity is a 404
    problem with suggestions; a year without flows a 404 naming the years with flows; an
    ambiguous commodity or a basis some flows lack a 422."""
    return await cached_json(
        state, ("trade", country, hs, commodity, stage, year, flow, basis, hs_version, source),
        lambda: trade_shares(state.store, country, hs=hs, commodity=commodity, stage=stage,
                             year=year, flow=flow, basis=basis, hs_version=hs_version,
                             source=source))
