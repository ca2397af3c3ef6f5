"""All HTML page routers in one (the registry lists this module once)."""

from __future__ import annotations

from fastapi import APIRouter

from econsec.web.pages import commodities, countries, data, overview, scenarios, value_chain

router = APIRouter(include_in_schema=False)
for _module in (overview, commodities, countries, value_chain, scenarios, data):
    router.include_router(_module.router)
