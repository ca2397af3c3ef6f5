"""``/``: the overview — criticality matrix, most concentrated supply, the three lenses."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from econsec.errors import EconsecError
from econsec.i18n import translator
from econsec.i18n.terms import N_
from econsec.web import results
from econsec.web.i18n import request_language
from econsec.web.pages import figures
from econsec.web.pages.common import cached, home_choices, home_query, plain, render
from econsec.web.state import WebState, get_state

router = APIRouter(include_in_schema=False)

#: Technology-domain tags of items (the disruptive-innovation lens), translated when shown.
DOMAIN_TAGS = (N_("computing"), N_("clean-tech"), N_("biotech"), N_("defence-space"))


def tag_list(tags: Any, lang: str) -> str:
    """Domain tags in ``lang``, joined as the language lists words."""
    t = translator(lang)
    return ("、" if lang == "ja" else ", ").join(t.gettext(str(tag)) for tag in tags)


def commodity_profiles(state: WebState) -> list[dict[str, Any]]:
    """Every commodity's profile as the pages read it (plain dictionaries), cached."""
    return cached(state, ("commodity_profiles",),
                  lambda: [plain(p) for p in results.commodity_profiles(state)])


def overview_data(state: WebState, home: str) -> dict[str, Any]:
    """:func:`econsec.web.results.home_report` as the overview reads it (plain
    dictionaries), cached per knowledge-base version."""
    return cached(state, ("overview", home),
                  lambda: plain(results.home_report(state, home)))


@router.get("/", response_class=HTMLResponse)
def overview(request: Request, state: Annotated[WebState, Depends(get_state)],
             home: Annotated[str | None, Query(max_length=60)] = None) -> HTMLResponse:
    lang = request_language(request)
    t = translator(lang)
    error = None
    try:
        data = overview_data(state, home_query(state, home))
    except EconsecError as exc:
        error = exc.translate(lang)
        data = overview_data(state, state.home_country)
    hhi_rows = data["hhi_ranking"][:20]
    return render(
        request, "overview.html.j2", title=t.gettext("Overview"), data=data, error=error,
        home_choices=home_choices(state, data["home"]["iso3"]), hhi_rows=hhi_rows,
        lens_rows=[r for r in data["lenses"]["rows"] if r["external_dependence"]
                   or r["domestic_advantage"] or r["disruptive_innovation"]],
        matrix_figure=figures.criticality_matrix(data["matrix"], t, lang),
        hhi_figure=figures.hhi_ranking_bar(hhi_rows, t, lang),
        hhi_bands=figures.HHI_BANDS, tags=lambda tags: tag_list(tags, lang),
    )
