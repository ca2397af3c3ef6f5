"""The routers the application includes, in order. Add a router here, nowhere else.

Routers never import :mod:`econsec.web.app` (the app imports this module), so there is no
import cycle.
"""

from __future__ import annotations

from fastapi import APIRouter

from econsec.web import assets
from econsec.web.api import (
    assessments,
    audit,
    commodities,
    complexity,
    countries,
    data,
    exercises,
    infrastructure,
    iomodels,
    items,
    items_export,
    meta,
    policy,
    regions,
    scenarios,
    screening,
    session,
    taxii,
    techmgmt,
    trade,
)
from econsec.web.pages import audit as audit_page
from econsec.web.pages import exercises as exercises_page
from econsec.web.pages import infrastructure as infrastructure_page
from econsec.web.pages import items as items_page
from econsec.web.pages import login as login_page
from econsec.web.pages import policy as policy_page
from econsec.web.pages import regions as regions_page
from econsec.web.pages import screening as screening_page
from econsec.web.pages import site
from econsec.web.pages import techmgmt as techmgmt_page

API_PREFIX = "/api/v1"
#: The TAXII 2.1 server (discovery at ``/taxii2/``).
TAXII_PREFIX = "/taxii2"

#: JSON API routers (under API_PREFIX).
API_ROUTERS: tuple[APIRouter, ...] = (
    meta.router, commodities.router, countries.router, assessments.router, iomodels.router,
    scenarios.router, data.router, techmgmt.router, screening.router, trade.router,
    complexity.router, session.router, items_export.router, items.router, audit.router,
    regions.router,
    infrastructure.router,
    exercises.router,
    policy.router,
)

#: HTML page routers and static assets (no prefix).
PAGE_ROUTERS: tuple[APIRouter, ...] = (
    assets.router, site.router, techmgmt_page.router, screening_page.router,
    login_page.router, audit_page.router, items_page.router, regions_page.router,
    infrastructure_page.router,
    exercises_page.router,
    policy_page.router,
)


def routers() -> list[tuple[APIRouter, str]]:
    """The routers with their prefixes, in the order the app includes them."""
    return ([(router, API_PREFIX) for router in API_ROUTERS]
            + [(taxii.router, TAXII_PREFIX)]
            + [(router, "") for router in PAGE_ROUTERS])
