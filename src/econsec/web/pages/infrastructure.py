"""``/infrastructure``: Indo-Pacific trusted AI infrastructure — a map of the cables and
landing stations (Plotly ``scattergeo``, outlines from the local topojson, no CDN), the home
country's landing stations and single points of failure, strait corridors and the
contribution-potential score per country. The cable pack's licence (CC BY-NC-SA 3.0) is shown
wherever its data is; without the pack the page says how to load it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from econsec.i18n import Translator, translator
from econsec.i18n.terms import N_
from econsec.infrastructure.analysis import WEIGHTS
from econsec.infrastructure.geography import REGIONS
from econsec.infrastructure.models import InfrastructureResult
from econsec.web.i18n import request_language
from econsec.web.infrastructure import cached, infrastructure_result
from econsec.web.pages.common import render
from econsec.web.state import WebState, get_state

router = APIRouter(include_in_schema=False)
State = Annotated[WebState, Depends(get_state)]

#: Score terms (ids) → column labels (message ids).
TERM_LABELS = {
    "redundancy_need": N_("Redundancy need"),
    "japanese_suppliers": N_("Japanese suppliers"),
    "clean_power": N_("Clean power"),
    "demand_growth": N_("Demand growth"),
    "launch_access": N_("Launch access"),
}
MAP_DIGITS = 2
CABLE_COLOUR = "#0b5cad"
HOME_CABLE_COLOUR = "#b3261e"


def _cable_map(state: WebState, result: InfrastructureResult, t: Translator,
               lang: str) -> dict[str, Any] | None:
    """Cables that land in the region or the home country as lines (those of the home
    country in red), their landing stations as points sized by cables (single points of
    failure in red) and the users' data centres that have coordinates."""
    from econsec.infrastructure.service import loaded_pack
    from econsec.kb.facilities import stored_datacentres

    pack, _ = loaded_pack(state.store)
    if pack is None:
        return None
    region = set(REGIONS[result.region]) | {result.home}
    cables_in = {x.cable_id for x in pack.landings if x.iso3 in region}
    home_cables = {x.cable_id for x in pack.landings if x.iso3 == result.home}
    planned_ok = result.network is None or result.network.include_planned
    data: list[dict[str, Any]] = []
    for group, colour, width, label in (
            (cables_in - home_cables, CABLE_COLOUR, 1, t.gettext("Cables of the region")),
            (home_cables, HOME_CABLE_COLOUR, 1.6, t.gettext("Cables landing in the home "
                                                            "country"))):
        lon: list[float | None] = []
        lat: list[float | None] = []
        for cid in sorted(group):
            cable = pack.cables[cid]
            if cable.planned and not planned_ok:
                continue
            for line in pack.routes.get(cid, ()):
                lon.extend(round(p[0], MAP_DIGITS) for p in line)
                lat.extend(round(p[1], MAP_DIGITS) for p in line)
                lon.append(None)
                lat.append(None)
        data.append({"type": "scattergeo", "mode": "lines", "lon": lon, "lat": lat,
                     "name": label, "hoverinfo": "skip",
                     "line": {"width": width, "color": colour}})
    failing = {f.id for f in (result.home_figures.failure_points if result.home_figures
                              else []) if f.kind == "landing"}
    points: dict[str, tuple[str, float, float, int]] = {}
    for x in pack.landings:
        if x.iso3 in region and (planned_ok or not pack.cables[x.cable_id].planned):
            name, lon0, lat0, n = points.get(x.point_id, (x.point_name, x.lon, x.lat, 0))
            points[x.point_id] = (name, lon0, lat0, n + 1)
    for chosen, colour, label in (
            ([k for k in points if k not in failing], "#333", t.gettext("Landing stations")),
            ([k for k in points if k in failing], "#b3261e",
             t.gettext("Landing stations that are single points of failure"))):
        data.append({
            "type": "scattergeo", "mode": "markers", "name": label,
            "lon": [round(points[k][1], MAP_DIGITS) for k in chosen],
            "lat": [round(points[k][2], MAP_DIGITS) for k in chosen],
            "text": [f"{points[k][0]}: {points[k][3]}" for k in chosen],
            "hovertemplate": "%{text}<extra></extra>",
            "marker": {"size": [min(4 + points[k][3], 14) for k in chosen], "color": colour,
                       "line": {"width": 0.5, "color": "#fff"}}})
    sites = [d for _, d in stored_datacentres(state.store.engine)
             if d.latitude is not None and d.longitude is not None]
    if sites:
        data.append({
            "type": "scattergeo", "mode": "markers", "name": t.gettext("Data centres"),
            "lon": [d.longitude for d in sites], "lat": [d.latitude for d in sites],
            "text": [d.name for d in sites], "hovertemplate": "%{text}<extra></extra>",
            "marker": {"size": 9, "symbol": "square", "color": "#2e8b57"}})
    return {"data": data,
            "layout": {"margin": {"l": 0, "r": 0, "t": 6, "b": 0}, "height": 520,
                       "legend": {"orientation": "h", "y": -0.02},
                       "geo": {"showframe": False, "showcoastlines": True,
                               "showcountries": True, "countrycolor": "#bbb",
                               "showland": True, "landcolor": "#f3f1ec",
                               "resolution": 110, "projection": {
                                   "type": "equirectangular", "rotation": {"lon": 140}},
                               "lonaxis": {"range": [60, 220]},
                               "lataxis": {"range": [-50, 55]}}}}


@router.get("/infrastructure", response_class=HTMLResponse)
async def infrastructure_page(
    request: Request, state: State,
    include_planned: Annotated[str | None, Query(max_length=5)] = None,
) -> HTMLResponse:
    lang = request_language(request)
    t = translator(lang)
    planned = include_planned != "false"
    home = state.home_country

    def compute() -> tuple[InfrastructureResult, dict[str, Any] | None]:
        iso3 = state.store.resolve_country(home)
        result = infrastructure_result(state, "indo-pacific", iso3, planned)
        figure = cached(state, ("infrastructure_map", iso3, planned, lang),
                              lambda: _cable_map(state, result, t, lang))
        return result, figure

    result, figure = await run_in_threadpool(compute)
    names = {c.iso3: (c.name_ja or c.name_en) if lang == "ja" else c.name_en
             for c in await run_in_threadpool(state.store.countries)}
    return render(request, "infrastructure.html.j2", title=t.gettext("Infrastructure"),
                  result=result, figure=figure, planned=planned, weights=WEIGHTS, names=names,
                  term_labels=TERM_LABELS, charts=figure is not None)
