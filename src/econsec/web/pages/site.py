"""All HTML page routers in one (the registry lists this module once), and the start-up
warm-up of what the first pages show."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter

from econsec.web.cache import DEADLINE
from econsec.web.pages import (
    commodities,
    countries,
    data,
    overview,
    scenarios,
    technology,
    trade,
    trade_dependence,
    value_chain,
)
from econsec.web.pages import stress_test as stress_test_page
from econsec.web.regions_results import warm_up as regions_warm_up
from econsec.web.state import WebState

router = APIRouter(include_in_schema=False)
for _module in (overview, commodities, countries, value_chain, scenarios, data, trade):
    router.include_router(_module.router)
router.include_router(stress_test_page.router)

log = logging.getLogger(__name__)


def warm_up(state: WebState) -> None:
    """Compute, once, what the first pages show (the commodity profiles, the overview of the
    default home country, the commodity list, producers per country, the value chain, the
    traded products the country pages link to, the home country's profile, GeoPolRisk
    table and technology profile), so
    that a user's first page finds them cached or being computed. Runs on a background
    thread at start-up; requests arriving meanwhile join the computations (the read cache
    computes each result once). When the app has just built its knowledge base it runs
    before the server starts listening (building the knowledge base includes its first
    results). A failure is logged, never raised: the page that needs the result computes it
    again and shows its own error."""
    steps: tuple[Callable[[], Any], ...] = (
        lambda: overview.overview_data(state, state.home_country),
        lambda: commodities.commodity_rows(state),
        lambda: countries.producer_positions(state),
        lambda: value_chain.chain(state),
        lambda: trade.product_links(state),
        lambda: countries.page_profile(state, state.home_country, state.home_country),
        lambda: trade_dependence.geopolrisk_context(state, state.home_country, "en"),
        lambda: technology.technology_context(state, state.home_country, "en"),
        lambda: regions_warm_up(state),
    )
    token = DEADLINE.set(time.monotonic() + 600)  # wait for each result as long as it takes
    try:
        for step in steps:
            try:
                step()
            except Exception:  # a warm-up must not stop the server
                log.warning("start-up warm-up step failed", exc_info=True)
    finally:
        DEADLINE.reset(token)
