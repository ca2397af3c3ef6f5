"""``/api/v1/regions/{country}`` (a country seen from a home country: the five perspectives of
the regional strategy) and ``/api/v1/partners`` (who could replace a supplier)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from econsec.regions.models import PartnerRanking, RegionProfile
from econsec.web.api.common import State, cached_json, problem_responses
from econsec.web.regions_results import partners_document, region_document

router = APIRouter(tags=["regions"])

Home = Annotated[str | None, Query(min_length=2, max_length=100,
                                   description="Home country (ISO alpha-3 or name; default: "
                                   "the server's home country, ECONSEC_HOME_COUNTRY)")]


@router.get("/regions/{country}", response_model=RegionProfile,
            summary="A country seen from the home country: five perspectives",
            responses=problem_responses(404, 422))
async def get_region(country: str, state: State, home: Home = None) -> Response:
    """Technology cooperation (complementary strengths by field, NSF NCSES), raw materials
    (USGS production and reserves, BACI imports of the home country, WGI), supply chains and
    sea lanes (WPI ports, chokepoints on the typical routes, share of the home's imports
    passing each), market creation (the home's exports and CAGR, BACI) and information
    sharing (shared groups, Japan's Group A). Each with a 0-100 score, its band and formula.
    ``country`` is an ISO code or a name; 422 when it is the home country."""
    iso3, home_iso3 = await run_in_threadpool(
        lambda: (state.store.resolve_country(country),
                 state.store.resolve_country(home or state.home_country)))
    return await cached_json(state, ("api_region", iso3, home_iso3),
                             lambda: region_document(state, iso3, home_iso3))


@router.get("/partners", response_model=PartnerRanking,
            summary="Who could replace a supplier (partner ranking)",
            responses=problem_responses(404, 422))
async def get_partners(
    state: State,
    replace: Annotated[str, Query(min_length=2, max_length=100,
                                  description="The supplier to replace (ISO alpha-3 or name)")],
    hs: Annotated[str | None, Query(max_length=200, description="HS 6-digit codes, "
                                    "comma-separated (284610,284690,280530)")] = None,
    item: Annotated[str | None, Query(max_length=100, description="An item whose linked HS "
                                      "codes form the dependency (instead of hs)")] = None,
    home: Home = None,
    year: Annotated[int | None, Query(ge=1900, le=2100, description="Trade year (default: "
                                      "the latest in which the home imports the codes)")] = None,
    top: Annotated[int, Query(ge=1, le=200)] = 10,
) -> Response:
    """Candidates ranked by score = 100 × cover × (1 − risk): cover = their exports to
    countries other than the home country and the one replaced over the gap (the replaced
    country's exports to the home), risk from governance (WGI), chokepoints on the route to
    the home country and the concentration that would follow; production and reserves
    (USGS) as evidence. Exactly one of ``hs`` and ``item``."""
    codes = [c.strip() for c in hs.split(",") if c.strip()] if hs is not None else None
    replaced, home_iso3 = await run_in_threadpool(
        lambda: (state.store.resolve_country(replace),
                 state.store.resolve_country(home or state.home_country)))
    return await cached_json(
        state, ("api_partners", replaced, tuple(codes or ()), item, home_iso3, year, top),
        lambda: partners_document(state, replace=replaced, hs=codes, item=item,
                                  home=home_iso3, year=year, top=top))
