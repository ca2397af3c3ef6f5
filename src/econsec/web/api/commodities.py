"""``/api/v1/commodities``: the commodity list, one commodity's profile and its shares."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from econsec.analyses.commodities import commodity_list
from econsec.analyses.commodity_profile import commodity_profile
from econsec.analyses.shares import commodity_shares
from econsec.web.api.common import (
    MAX_LIMIT,
    State,
    cached_json,
    cached_page,
    problem_responses,
)
from econsec.web.api.models import CommodityPage, CommodityProfile, Shares

router = APIRouter(prefix="/commodities", tags=["commodities"])

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page")]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="Items to skip")]


@router.get("", response_model=CommodityPage, summary="List commodities",
            responses=problem_responses(422))
async def list_commodities(request: Request, state: State,
                           limit: Limit = 50, offset: Offset = 0) -> Response:
    """Every commodity with observations, with per measure the years available (the items
    of ``econsec commodities --format json``), sorted by id."""
    return await cached_page(request, state, ("commodity_list",),
                             lambda: commodity_list(state.store), limit, offset)


@router.get("/{commodity}", response_model=CommodityProfile, summary="Commodity profile",
            responses=problem_responses(404, 422))
async def get_commodity(commodity: str, state: State) -> Response:
    """Shares for the latest year of each measure, the trend over the bundled years and
    reserves / production. ``commodity`` is an id or an English or Japanese name; an unknown
    one is a 404 problem with suggestions."""
    return await cached_json(state, ("commodity_profile", commodity),
                             lambda: commodity_profile(state.store, commodity))


@router.get("/{commodity}/shares", response_model=Shares, summary="Country shares and HHI",
            responses=problem_responses(404, 422))
async def get_shares(
    commodity: str,
    state: State,
    measure: Literal["production", "refinery", "capacity", "reserves"] = "production",
    year: Annotated[int | None, Query(ge=1800, le=2200,
                                      description="Data year (default: latest)")] = None,
    basis: Literal["world-total", "reported"] = "world-total",
    source: Annotated[str | None, Query(max_length=200,
                                        description="Source key (default: the most complete "
                                                    "data set)")] = None,
) -> Response:
    """The same JSON as ``econsec shares COMMODITY --format json``."""
    return await cached_json(
        state, ("shares", commodity, measure, year, basis, source),
        lambda: commodity_shares(state.store, commodity, measure=measure, year=year,
                                 basis=basis, source=source))
