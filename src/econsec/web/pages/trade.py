"""``/trade/{iso3}?hs=…&year=…``: a country's partners in one product: a bar chart of the
partners' shares, a world map of them, the trend of the total and of the leading partners'
shares (2015-2024), the partner table and the data set
(:func:`econsec.analyses.trade.trade_shares`, the JSON of ``/api/v1/trade``).

The year is a slider in a GET form (``data-autosubmit`` reloads the page for the year; the
Show button does it without JavaScript). A year inside the slider's range without flows is
shown as the nearest year with flows, with a note.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from econsec.analyses.trade import trade_shares, trade_trend, trade_years
from econsec.errors import EconsecError
from econsec.i18n import translator
from econsec.i18n.terms import N_
from econsec.web.i18n import request_language
from econsec.web.pages import trade_figures
from econsec.web.pages.common import bilingual, cached, country_names, plain, render
from econsec.web.pages.tables import FormatParam, table_response
from econsec.web.problems import status_of
from econsec.web.state import WebState, get_state

router = APIRouter(include_in_schema=False)
State = Annotated[WebState, Depends(get_state)]

FLOW_LABELS = {"imports": N_("Imports"), "exports": N_("Exports")}
BASIS_LABELS = {"value": N_("Value (thousand USD)"), "quantity": N_("Quantity (metric tons)")}
#: Columns of ``/trade/{iso3}?_format=csv|json``: the partner table.
PARTNER_COLUMNS = ("reporter", "flow", "hs", "hs_version", "year", "iso3", "country",
                   "country_en", "country_ja", "value", "quantity", "share")


def _query(**params: Any) -> str:
    return urlencode({k: v for k, v in params.items() if v not in (None, "")})


def _identity(shares: Any) -> tuple[Any, ...]:
    """What names a series of trade shares (all but the year)."""
    return (shares.reporter, shares.flow, shares.product.hs, shares.product.hs_version,
            shares.basis, *sorted(s.key for s in shares.sources))


def _shares(state: WebState, iso3: str, params: dict[str, Any], year: int | None) -> Any:
    key = ("trade", iso3, *sorted(params.items()), year)
    return cached(state, key, lambda: trade_shares(state.store, iso3, year=year, **params))


@router.get("/trade/{iso3}", response_class=HTMLResponse)
def trade(request: Request, state: State, iso3: str,
          hs: Annotated[str | None, Query(max_length=20)] = None,
          commodity: Annotated[str | None, Query(max_length=100)] = None,
          stage: Annotated[str | None, Query(max_length=40)] = None,
          year: Annotated[int | None, Query(ge=1900, le=2100)] = None,
          flow: Annotated[str, Query(pattern="^(imports|exports)$")] = "imports",
          basis: Annotated[str, Query(pattern="^(value|quantity)$")] = "value",
          hs_version: Annotated[str | None, Query(max_length=20)] = None,
          fmt: FormatParam = None) -> Response:
    lang = request_language(request)
    t = translator(lang)
    params = {"hs": hs, "commodity": commodity, "stage": stage, "flow": flow,
              "basis": basis, "hs_version": hs_version}
    note = None
    try:
        latest = _shares(state, iso3, params, None)
        years = cached(state, ("trade-years", *_identity(latest)),
                       lambda: trade_years(state.store, latest))
        shown = year if year is not None else latest.year
        if shown not in years:
            nearest = min(years, key=lambda y: (abs(y - shown), -y))
            note = t.gettext("No flows in %(year)s: showing %(nearest)s, the nearest year with "
                             "flows.") % {"year": shown, "nearest": nearest}
            shown = nearest
        shares = latest if shown == latest.year else _shares(state, iso3, params, shown)
        trend = cached(state, ("trade-trend", *_identity(shares), shares.year),
                       lambda: trade_trend(state.store, shares))
    except EconsecError as exc:
        return render(request, "not_found.html.j2", status_code=status_of(exc),
                      title=t.gettext("Not found") if status_of(exc) == 404
                      else t.gettext("Trade partners"),
                      message=exc.translate(lang, located=False),
                      back=("/countries", t.gettext("Countries")), charts=False)
    if shares.reporter != iso3:  # a name or lower case: the canonical address
        query = _query(hs=shares.product.hs, year=year, flow=flow, basis=basis,
                       hs_version=hs_version, stage=stage,
                       commodity=commodity if not hs else None)
        return RedirectResponse(f"/trade/{shares.reporter}?{query}", status_code=307)
    names = country_names(state)
    doc = plain(shares)
    for row in doc["partners"]:
        row["country_ja"] = names.get(row["iso3"], {}).get("ja") or row["country"]
        row["country_en"] = row["country"]
        row["name"] = row["country_ja"] if lang == "ja" else row["country"]
        row["stored"] = row["iso3"] in names
    if fmt:
        data = [{**r, "reporter": doc["reporter"], "flow": doc["flow"],
                 "hs": doc["product"]["hs"], "hs_version": doc["product"]["hs_version"],
                 "year": doc["year"], "country": r["name"]} for r in doc["partners"]]
        return table_response(request, f"{doc['reporter']}-{doc['flow']}-"
                              f"{doc['product']['hs']}-{doc['year']}", PARTNER_COLUMNS, data, fmt)
    info = state.store.product_info(shares.product.hs, shares.product.hs_version)
    description = (info.description_ja or info.description_en) if lang == "ja" \
        else info.description_en
    reporter = names.get(doc["reporter"], {"en": doc["reporter"], "ja": doc["reporter"]})
    reporter_name = (reporter["ja"] or reporter["en"]) if lang == "ja" else reporter["en"]
    items = {i.id: i for i in state.store.items()} if info.commodities else {}
    commodities = [{"id": c, "name": bilingual(items[c], lang) if c in items else c}
                   for c in info.commodities]
    other = "exports" if flow == "imports" else "imports"
    base_query = {"hs": shares.product.hs, "hs_version": shares.product.hs_version,
                  "basis": basis}
    return render(
        request, "trade.html.j2",
        title=t.gettext("%(country)s: %(flow)s of HS %(code)s") % {
            "country": reporter_name, "flow": t.gettext(FLOW_LABELS[flow]),
            "code": shares.product.hs},
        doc=doc, description=description, commodities=commodities, years=years,
        note=note, flow_labels=FLOW_LABELS, basis_labels=BASIS_LABELS,
        reporter_name=reporter_name,
        from_baci=any("baci" in f"{s.key} {s.title}".casefold() for s in shares.sources),
        other_flow_url=f"/trade/{doc['reporter']}?"
                       + _query(**base_query, flow=other, year=shares.year),
        bar_figure=trade_figures.partners_bar(doc, t, lang),
        map_figure=trade_figures.partners_map(doc, t, lang),
        trend_figure=trade_figures.trend(plain(trend), names, t, lang),
    )


# --------------------------------------------------------- links from other pages


def product_links(state: WebState) -> list[dict[str, Any]]:
    """Every product with stored flows (code, version, descriptions, stage), for the
    country page's links to its trade pages; cached."""
    return cached(state, ("trade-products",), lambda: [
        {"hs": p.hs_code, "hs_version": p.hs_version, "description_en": p.description_en,
         "description_ja": p.description_ja, "stage": p.stage}
        for p in state.store.trade_products()])


def commodity_links(state: WebState, item_id: str) -> list[dict[str, Any]]:
    """The products with flows that the crosswalk links to commodity ``item_id``, for the
    commodity page's links to the home country's trade pages; cached."""
    def build() -> list[dict[str, Any]]:
        known = {(p["hs"], p["hs_version"]): p for p in product_links(state)}
        return [known[(c.hs_code, c.hs_version)]
                for c in state.store.commodity_products(item_id)
                if (c.hs_code, c.hs_version) in known]
    return cached(state, ("trade-commodity-products", item_id), build)


def _links_context(state: WebState, reporter: str, links: list[dict[str, Any]],
                   lang: str) -> dict[str, Any]:
    names = country_names(state).get(reporter, {"en": reporter, "ja": reporter})
    return {"trade_links": links, "trade_reporter": reporter,
            "trade_reporter_name": (names["ja"] or names["en"]) if lang == "ja"
            else names["en"]}


def country_trade_context(state: WebState, iso3: str, lang: str) -> dict[str, Any]:
    """What ``_trade_links.html.j2`` needs on a country's page: a link per product."""
    return _links_context(state, iso3, product_links(state), lang)


def commodity_trade_context(state: WebState, item_id: str, lang: str) -> dict[str, Any]:
    """What ``_trade_links.html.j2`` needs on a commodity's page: a link per product of the
    commodity, to the home country's trade page."""
    return _links_context(state, state.home_country, commodity_links(state, item_id), lang)
