"""The regional strategy's results as the API and the pages share them: computed once per
(country, home) and per ranking request on the app's read cache, on the cached commodity
profiles and home trade."""

from __future__ import annotations

from collections.abc import Sequence

from econsec.regions.home_trade import HomeTrade, home_trade
from econsec.regions.models import PartnerRanking, RegionProfile
from econsec.web.common import read_cache
from econsec.web.results import commodity_profiles
from econsec.web.state import WebState


def cached_home_trade(state: WebState, home: str, direction: str) -> HomeTrade:
    found: HomeTrade = read_cache(state).get(
        ("region_home_trade", home, direction),
        lambda: home_trade(state.store, home, direction))
    return found


def region_document(state: WebState, iso3: str, home: str) -> RegionProfile:
    """:func:`~econsec.regions.profile.region_profile` of ``iso3`` seen from ``home`` (both
    ISO alpha-3, resolved by the caller), cached per pair."""
    from econsec.regions.profile import region_profile

    def build() -> RegionProfile:
        return region_profile(
            state.store, iso3, home=home, profiles=commodity_profiles(state),
            imports=cached_home_trade(state, home, "imports"),
            exports=cached_home_trade(state, home, "exports"))

    found: RegionProfile = read_cache(state).get(("region_profile", iso3, home), build)
    return found


def partners_document(state: WebState, *, replace: str, hs: Sequence[str] | None,
                      item: str | None, home: str, year: int | None,
                      top: int) -> PartnerRanking:
    from econsec.regions.partners import partner_ranking

    key = ("partner_ranking", replace, tuple(hs or ()), item, home, year, top)
    found: PartnerRanking = read_cache(state).get(key, lambda: partner_ranking(
        state.store, replace=replace, hs=hs, item=item, home=home, year=year, top=top))
    return found


def warm_up(state: WebState) -> None:
    """What every region view of the default home country reads: the home's trade both ways,
    the sea-lane graph (with the routes of every partner) and the technology tables."""
    from econsec.regions.sea_lanes import sea_lanes
    from econsec.regions.supply_chains import chokepoint_exposure

    home = state.home_country
    imports = cached_home_trade(state, home, "imports")
    cached_home_trade(state, home, "exports")
    years = imports.years()
    if years:
        chokepoint_exposure(sea_lanes(), imports, years[-1])
    state.store.technology_indicators()
