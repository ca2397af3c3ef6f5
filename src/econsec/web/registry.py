"""The routers the application includes, in order. Add a router here, nowhere else.

Each entry is ``(module path, attribute, prefix)``; modules are imported when the app is
built, so routers never import :mod:`econsec.web.app` (no import cycle).
"""

from __future__ import annotations

import importlib

from fastapi import APIRouter

API_PREFIX = "/api/v1"

#: JSON API routers (prefix API_PREFIX).
API_ROUTERS: list[tuple[str, str, str]] = [
    ("econsec.web.api.meta", "router", API_PREFIX),
    ("econsec.web.api.commodities", "router", API_PREFIX),
    ("econsec.web.api.countries", "router", API_PREFIX),
    ("econsec.web.api.assessments", "router", API_PREFIX),
    ("econsec.web.api.iomodels", "router", API_PREFIX),
    ("econsec.web.api.scenarios", "router", API_PREFIX),
    ("econsec.web.api.data", "router", API_PREFIX),
    ("econsec.web.api.techmgmt", "router", API_PREFIX),
    ("econsec.web.api.screening", "router", API_PREFIX),
]

#: HTML page routers and static assets.
PAGE_ROUTERS: list[tuple[str, str, str]] = [
    ("econsec.web.assets", "router", ""),
    ("econsec.web.pages.site", "router", ""),
    ("econsec.web.pages.techmgmt", "router", ""),
    ("econsec.web.pages.screening", "router", ""),
]

ROUTERS = API_ROUTERS + PAGE_ROUTERS


def routers() -> list[tuple[APIRouter, str]]:
    """The registered routers with their prefixes; a listed module that does not exist yet
    is an error (a typo here must not silently drop an API)."""
    out = []
    for module, attribute, prefix in ROUTERS:
        out.append((getattr(importlib.import_module(module), attribute), prefix))
    return out
