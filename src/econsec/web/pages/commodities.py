"""``/commodities`` and ``/commodities/{id}``: the list, and one commodity's world map and
share chart for a chosen year and measure (an htmx swap), trend, reserves vs production
and sources."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from econsec.analyses.commodities import commodity_list
from econsec.analyses.commodity_profile import commodity_profile
from econsec.analyses.shares import SHARE_MEASURES, commodity_shares
from econsec.errors import EconsecError
from econsec.i18n import translator
from econsec.i18n.collation import sorted_by_name
from econsec.web.i18n import request_language
from econsec.web.pages import figures
from econsec.web.pages.common import bilingual, cached, country_names, plain, render
from econsec.web.pages.overview import commodity_profiles
from econsec.web.pages.tables import FormatParam, table_response
from econsec.web.pages.trade import commodity_trade_context
from econsec.web.state import WebState, get_state

router = APIRouter(include_in_schema=False)

State = Annotated[WebState, Depends(get_state)]


#: Columns of ``/commodities?_format=csv|json`` (the table's ``data-col`` names).
COMMODITY_COLUMNS = ("id", "name", "name_en", "name_ja", "measures", "hhi",
                     "largest_producer", "largest_producer_share")
#: Columns of ``/commodities/{id}?_format=csv|json``: the country shares the page shows.
SHARE_COLUMNS = ("commodity", "measure", "year", "iso3", "country", "country_en",
                 "country_ja", "value", "unit", "share")


def commodity_rows(state: WebState) -> list[dict[str, Any]]:
    """The commodities with observations (:func:`commodity_list`, plain), cached."""
    return cached(state, ("commodity_list",),
                  lambda: [plain(c) for c in commodity_list(state.store)])


@router.get("/commodities", response_class=HTMLResponse)
def commodities(request: Request, state: State, fmt: FormatParam = None) -> Response:
    lang = request_language(request)
    t = translator(lang)
    rows = sorted_by_name(commodity_rows(state), lang, lambda c: bilingual(c, lang))
    headline = {p["commodity"]: (p["measures"].get("production") or p["measures"].get("refinery"))
                for p in commodity_profiles(state)}
    if fmt:
        data = []
        for c in rows:
            top = (headline.get(c["id"]) or {}).get("shares") or [{}]
            data.append({"id": c["id"], "name": bilingual(c, lang), "name_en": c["name_en"],
                         "name_ja": c["name_ja"],
                         "measures": [f"{m} {min(ys)}-{max(ys)}"
                                      for m, ys in c["measures"].items()],
                         "hhi": (headline.get(c["id"]) or {}).get("hhi"),
                         "largest_producer": top[0].get("iso3"),
                         "largest_producer_share": top[0].get("share")})
        return table_response(request, "commodities", COMMODITY_COLUMNS, data, fmt,
                              search_keys=("id", "name_en", "name_ja"))
    return render(request, "commodities.html.j2", title=t.gettext("Commodities"),
                  rows=rows, headline=headline)


def _profile(state: WebState, item_id: str) -> dict[str, Any]:
    return cached(state, ("profile", item_id),
                  lambda: plain(commodity_profile(state.store, item_id)))


def share_view(state: WebState, item_id: str, measure: str | None, year: int | None,
               lang: str) -> dict[str, Any]:
    """The context of the measure/year fragment: choices, shares, chart and map."""
    t = translator(lang)
    profile = _profile(state, item_id)
    measures = [m.value for m in SHARE_MEASURES if m.value in profile["measures"]]
    if not measures:
        return {"item_id": profile["commodity"], "measures": [], "years": []}
    if measure not in measures:
        measure = measures[0]
    years = sorted(state.store.years(profile["commodity"], measure), reverse=True)
    if year not in years:
        year = years[0]
    shares = cached(state, ("shares", profile["commodity"], measure, year),
                    lambda: plain(commodity_shares(state.store, profile["commodity"],
                                                   measure=measure, year=year)))
    return {
        "item_id": profile["commodity"], "measures": measures, "measure": measure,
        "years": years, "year": year, "shares": shares,
        "bar_figure": figures.shares_bar(shares, t, lang),
        "map_figure": figures.world_map(shares, t, lang),
    }


@router.get("/commodities/{item_id}", response_class=HTMLResponse)
def commodity(request: Request, state: State, item_id: str,
              measure: Annotated[str | None, Query(max_length=40)] = None,
              year: Annotated[int | None, Query(ge=1900, le=2100)] = None,
              fmt: FormatParam = None) -> Response:
    lang = request_language(request)
    t = translator(lang)
    try:
        profile = _profile(state, item_id)
    except EconsecError as exc:
        return render(request, "not_found.html.j2", status_code=404,
                      title=t.gettext("Not found"), message=exc.translate(lang, located=False),
                      back=("/commodities", t.gettext("Commodities")), charts=False)
    if profile["commodity"] != item_id:  # a name or alias: canonical URL
        from fastapi.responses import RedirectResponse

        return RedirectResponse(f"/commodities/{profile['commodity']}", status_code=307)
    view = share_view(state, item_id, measure, year, lang)
    if fmt:
        s = view.get("shares") or {"shares": []}
        data = [{**r, "commodity": item_id, "measure": s.get("measure"), "year": s.get("year"),
                 "unit": s.get("unit"), "country_en": r.get("country"),
                 "country": (r.get("country_ja") or r.get("country")) if lang == "ja"
                 else r.get("country")} for r in s["shares"]]
        return table_response(request, f"{item_id}-{s.get('measure', 'shares')}-"
                              f"{s.get('year', '')}".rstrip("-"), SHARE_COLUMNS, data, fmt)
    countries = country_names(state)
    trend = profile["trend"]
    m = profile["measures"]
    supply = m.get("production") or m.get("refinery")
    rvp = (figures.reserves_vs_production(supply, m["reserves"], t, lang)
           if supply and m.get("reserves") and m["reserves"]["shares"] else None)
    sources: dict[str, Any] = {}
    for s in m.values():
        for src in s["sources"]:
            sources[src["key"]] = src
    return render(
        request, "commodity.html.j2", title=f"{profile['name_ja'] or profile['name_en']}"
        if lang == "ja" else profile["name_en"], profile=profile, view=view,
        trend_figure=(figures.trend_lines(trend, countries, t, lang)
                      if len(trend["years"]) > 1 else None),
        rvp_figure=rvp, supply=supply, sources=sorted(sources.values(), key=lambda s: s["key"]),
        **commodity_trade_context(state, item_id, lang),
    )


@router.get("/commodities/{item_id}/shares", response_class=HTMLResponse)
def commodity_shares_fragment(
    request: Request, state: State, item_id: str,
    measure: Annotated[str | None, Query(max_length=40)] = None,
    year: Annotated[int | None, Query(ge=1900, le=2100)] = None,
) -> HTMLResponse:
    """The htmx fragment: the form, share chart, map and table for ``measure`` and ``year``."""
    lang = request_language(request)
    view = share_view(state, item_id, measure, year, lang)
    return render(request, "_commodity_shares.html.j2", view=view)
