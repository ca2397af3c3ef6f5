"""``/``: the overview — criticality matrix, most concentrated supply, the three lenses."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from econsec.analyses.report_data import report_data
from econsec.errors import EconsecError
from econsec.i18n import translator
from econsec.i18n.terms import N_
from econsec.web.i18n import request_language
from econsec.web.pages import figures
from econsec.web.pages.common import HOME_CHOICES, cached, render
from econsec.web.state import WebState, get_state

router = APIRouter(include_in_schema=False)

#: Technology-domain tags of items (the disruptive-innovation lens), translated when shown.
DOMAIN_TAGS = (N_("computing"), N_("clean-tech"), N_("biotech"), N_("defence-space"))


def tag_list(tags: Any, lang: str) -> str:
    """Domain tags in ``lang``, joined as the language lists words."""
    t = translator(lang)
    return ("、" if lang == "ja" else ", ").join(t.gettext(str(tag)) for tag in tags)


def overview_data(state: WebState, home: str) -> dict[str, Any]:
    """:func:`report_data` for ``home``, cached per knowledge-base version."""
    return cached(state, ("overview", home), lambda: report_data(state.store, home=home))


@router.get("/", response_class=HTMLResponse)
def overview(request: Request, state: Annotated[WebState, Depends(get_state)],
             home: Annotated[str, Query(max_length=60)] = "JPN") -> HTMLResponse:
    lang = request_language(request)
    t = translator(lang)
    error = None
    try:
        data = overview_data(state, home.strip().upper() or "JPN")
    except EconsecError as exc:
        error = exc.translate(lang)
        data = overview_data(state, "JPN")
    countries = {c.iso3: c for c in state.store.countries()}
    choices = [countries[c] for c in HOME_CHOICES if c in countries]
    if data["home"]["iso3"] not in HOME_CHOICES and data["home"]["iso3"] in countries:
        choices.append(countries[data["home"]["iso3"]])
    hhi_rows = data["hhi_ranking"][:20]
    return render(
        request, "overview.html.j2", title=t.gettext("Overview"), data=data, error=error,
        home_choices=choices, hhi_rows=hhi_rows,
        lens_rows=[r for r in data["lenses"]["rows"] if r["external_dependence"]
                   or r["domestic_advantage"] or r["disruptive_innovation"]],
        matrix_figure=figures.criticality_matrix(data["matrix"], t),
        hhi_figure=figures.hhi_ranking_bar(hhi_rows, t, lang),
        hhi_bands=figures.HHI_BANDS, tags=lambda tags: tag_list(tags, lang),
    )
