"""``/countries`` and ``/countries/{iso3}``: what a country produces and supplies, its
governance (WGI), export-control regime and partner groups, and what the home country
depends on it for (:func:`econsec.analyses.country_profile.country_profile`)."""

from __future__ import annotations

from collections import defaultdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from econsec.analyses.country_profile import country_profile
from econsec.errors import EconsecError
from econsec.i18n import translator
from econsec.i18n.collation import sorted_by_name
from econsec.i18n.terms import N_
from econsec.web.i18n import request_language
from econsec.web.pages import energy_space, figures
from econsec.web.pages.common import (
    bilingual,
    cached,
    home_choices,
    home_query,
    plain,
    render,
)
from econsec.web.pages.overview import commodity_profiles, overview_data
from econsec.web.pages.tables import FormatParam, table_response
from econsec.web.pages.technology import technology_context
from econsec.web.pages.trade import country_trade_context
from econsec.web.pages.trade_dependence import geopolrisk_context, imports_context
from econsec.web.results import home_report
from econsec.web.state import WebState, get_state

router = APIRouter(include_in_schema=False)
State = Annotated[WebState, Depends(get_state)]

#: Labels of the bundled groups and WGI dimensions (translated in the templates).
GROUP_LABELS = {
    "g7": N_("G7"), "quad": N_("Quad"), "eu27": N_("EU (27)"), "oecd": N_("OECD"),
    "asean": N_("ASEAN"),
}
WGI_LABELS = {
    "VA": N_("Voice and accountability"),
    "PV": N_("Political stability and absence of violence"),
    "GE": N_("Government effectiveness"),
    "RQ": N_("Regulatory quality"),
    "RL": N_("Rule of law"),
    "CC": N_("Control of corruption"),
}


def producer_positions(state: WebState) -> dict[str, list[dict[str, Any]]]:
    """Per country: the commodities it produces (share, rank), from the cached profiles."""
    def build() -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for p in commodity_profiles(state):
            s = p["measures"].get("production") or p["measures"].get("refinery")
            if not s:
                continue
            for rank, row in enumerate(s["shares"], 1):
                if row["value"]:
                    out[row["iso3"]].append({"commodity": p["commodity"], "name_en": p["name_en"],
                                             "name_ja": p["name_ja"], "share": row["share"],
                                             "rank": rank})
        for rows in out.values():
            rows.sort(key=lambda r: -r["share"])
        return dict(out)
    return cached(state, ("producer_positions",), build)


#: Columns of ``/countries?_format=csv|json`` (the table's ``data-col`` names).
COUNTRY_COLUMNS = ("iso3", "name", "name_en", "name_ja", "groups", "commodities_produced",
                   "largest_share_commodity", "largest_share")
#: Columns of ``/countries/{iso3}?_format=csv|json``: what the home country depends on it for.
DEPENDS_COLUMNS = ("home", "supplier", "commodity", "name", "name_en", "name_ja", "share",
                   "rank", "home_share", "partner_share", "outside_share",
                   "net_import_reliance", "top_import_source", "top_import_share")


@router.get("/countries", response_class=HTMLResponse)
def countries(request: Request, state: State,
              show: Annotated[str, Query(pattern="^(producers|all)$")] = "producers",
              fmt: FormatParam = None) -> Response:
    lang = request_language(request)
    t = translator(lang)
    positions = producer_positions(state)
    rows = sorted_by_name((c for c in state.store.countries()
                           if show == "all" or c.iso3 in positions), lang,
                          lambda c: bilingual(c, lang))
    if fmt:
        data = [{"iso3": c.iso3, "name": bilingual(c, lang), "name_en": c.name_en,
                 "name_ja": c.name_ja, "groups": [g for g in c.groups if g in GROUP_LABELS],
                 "commodities_produced": len(positions.get(c.iso3, [])),
                 "largest_share_commodity": (positions.get(c.iso3) or [{}])[0].get("commodity"),
                 "largest_share": (positions.get(c.iso3) or [{}])[0].get("share")}
                for c in rows]
        return table_response(request, "countries", COUNTRY_COLUMNS, data, fmt,
                              search_keys=("iso3", "name_en", "name_ja"))
    return render(request, "countries.html.j2", title=t.gettext("Countries"), rows=rows,
                  positions=positions, show=show, group_labels=GROUP_LABELS, charts=False)


def page_profile(state: WebState, iso3: str, home_iso3: str) -> dict[str, Any]:
    """The country profile a country page shows (plain dictionaries), computed once."""
    def build() -> dict[str, Any]:
        report = home_report(state, home_iso3)
        return plain(country_profile(state.store, iso3, home=home_iso3,
                                     profiles=report.commodities, dependence=report.dependence))

    found: dict[str, Any] = cached(state, ("country", iso3, home_iso3), build)
    return found


@router.get("/countries/{iso3}", response_class=HTMLResponse)
def country(request: Request, state: State, iso3: str,
            home: Annotated[str | None, Query(max_length=60)] = None,
            fmt: FormatParam = None) -> Response:
    lang = request_language(request)
    t = translator(lang)
    try:
        base = overview_data(state, home_query(state, home))
        home_iso3 = base["home"]["iso3"]
        profile = page_profile(state, iso3, home_iso3)
    except EconsecError as exc:
        return render(request, "not_found.html.j2", status_code=404,
                      title=t.gettext("Not found"), message=exc.translate(lang, located=False),
                      back=("/countries", t.gettext("Countries")), charts=False)
    if profile["iso3"] != iso3:
        return RedirectResponse(f"/countries/{profile['iso3']}", status_code=307)
    if fmt:
        data = [{**r, "home": base["home"]["iso3"], "supplier": profile["iso3"],
                 "name": bilingual(r, lang)} for r in profile["home_depends_on"]]
        return table_response(request, f"{profile['iso3']}-supplies-{base['home']['iso3']}",
                              DEPENDS_COLUMNS, data, fmt)
    top = [{"label": ((r["name_ja"] or r["name_en"]) if lang == "ja" else r["name_en"])
            + (f" ({t.gettext(r['measure'])})" if r["measure"] != "production" else ""),
            "share": r["share"]} for r in profile["produces"][:20]]
    wgi = None
    if profile["governance"]:
        est = profile["governance"]["estimates"]
        wgi = {"data": [{"type": "bar", "orientation": "h",
                         "y": [t.gettext(WGI_LABELS[d]) for d in WGI_LABELS],
                         "x": [round(est[d], 3) for d in WGI_LABELS],
                         "marker": {"color": [figures.BLUE if est[d] >= 0 else figures.RED
                                              for d in WGI_LABELS]},
                         "hovertemplate": "%{y}: %{x:.2f}<extra></extra>"}],
               "layout": {"margin": {"l": 10, "r": 20, "t": 10, "b": 40}, "height": 280,
                          "xaxis": {"range": [-2.5, 2.5], "zeroline": True},
                          "yaxis": {"automargin": True}}}
    return render(
        request, "country.html.j2",
        title=(profile["name_ja"] or profile["name_en"]) if lang == "ja" else profile["name_en"],
        profile=profile, group_labels=GROUP_LABELS, wgi_labels=WGI_LABELS,
        home=base["home"], home_choices=home_choices(state, home_iso3),
        countries=base["countries"],
        produces_figure=figures.country_shares_bar(top, t, lang) if top else None,
        wgi_figure=wgi,
        **energy_space.page_context(profile, t, lang),
        **technology_context(state, profile["iso3"], lang),
        **geopolrisk_context(state, profile["iso3"], lang),
        **imports_context(base["dependence"]),
        **country_trade_context(state, profile["iso3"], lang),
    )
