"""``/tech`` pages: designated technologies, prior-report cases (list, create, history,
moves), the technology-leakage self-check form with its results, the trade-secret loss
estimate (``/tech/secret-loss``) and the governance self-assessment (``/tech/conduct``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from econsec.access.actions import Action
from econsec.access.actor import Actor
from econsec.errors import EconsecError, NotFoundError, ValidationError
from econsec.i18n import translator
from econsec.i18n.terms import N_
from econsec.techmgmt.cases import (
    CHANNEL_LABELS,
    STATUS_LABELS,
    TRANSITIONS,
    Channel,
    parse_case_id,
)
from econsec.techmgmt.conduct import (
    PRIORITY_LABELS,
    PRIORITY_THRESHOLDS,
    assess,
    bundled_conduct,
)
from econsec.techmgmt.groups import GROUP_A_AS_OF, GROUP_A_SOURCE, group_a_members
from econsec.techmgmt.secret_loss import bundled_assumptions
from econsec.techmgmt.selfcheck import bundled_questionnaire, score
from econsec.techmgmt.store import TechStore, parse_date
from econsec.web.auth import acting_name, current_actor, org_scope, require
from econsec.web.i18n import request_language
from econsec.web.pages.common import render
from econsec.web.state import WebState, get_state
from econsec.web.techmgmt_service import secret_loss_document, warm_up

router = APIRouter(include_in_schema=False)

State = Annotated[WebState, Depends(get_state)]


def _t(request: Request) -> Any:
    return translator(request_language(request))


def _error(request: Request, exc: EconsecError) -> str:
    """A refusal as the page shows it: one line in the reader's language. Refusals located
    at a form field (no file) name the field in their text, so the input's internal name
    is left out."""
    where = exc.location
    return exc.translate(request_language(request),
                         located=bool(where.file or where.line is not None))


@router.get("/tech", response_class=HTMLResponse)
def technologies(request: Request, state: State,
                 as_of: Annotated[str | None, Query(max_length=10)] = None) -> HTMLResponse:
    t = _t(request)
    registry = TechStore(state.store).registry()
    error = None
    when = None
    if as_of:
        try:
            when = parse_date(as_of, N_("as of"))
        except EconsecError as exc:
            error = _error(request, exc)
    found = registry.designated(when)
    header = registry.current_list(when) if found else None
    return render(request, "tech.html.j2", title=t.gettext("Designated technologies"),
                  rows=[d.as_dict() for d in found], header=header, as_of=as_of or "",
                  error=error, group_a=sorted(group_a_members()), group_as_of=GROUP_A_AS_OF,
                  group_source=GROUP_A_SOURCE, charts=False)


def _cases_page(request: Request, state: State, actor: Actor, *, error: str | None = None,
                form: dict[str, str] | None = None, status_code: int = 200) -> HTMLResponse:
    t = _t(request)
    tech = TechStore(state.store)
    return render(request, "tech_cases.html.j2", status_code=status_code,
                  title=t.gettext("Transfer cases"), cases=tech.cases(org_id=org_scope(actor)),
                  technologies=[d.as_dict() for d in tech.registry().designated()],
                  channels=[(c.value, CHANNEL_LABELS[c]) for c in Channel],
                  status_labels=STATUS_LABELS, error=error, form=form or {}, charts=False)


@router.get("/tech/cases", response_class=HTMLResponse)
def cases(request: Request, state: State,
          actor: Actor = Depends(current_actor)) -> HTMLResponse:
    return _cases_page(request, state, actor)


@router.post("/tech/cases", response_class=HTMLResponse)
def create_case(request: Request, state: State,
                technology: Annotated[str, Form(max_length=200)],
                counterparty: Annotated[str, Form(max_length=500)],
                country: Annotated[str, Form(max_length=200)],
                channel: Annotated[str, Form(max_length=40)],
                decision_date: Annotated[str, Form(max_length=10)],
                note: Annotated[str, Form(max_length=5000)] = "",
                actor: Actor = require(Action.TRANSFER_CASE)) -> Response:
    form = {"technology": technology, "counterparty": counterparty, "country": country,
            "channel": channel, "decision_date": decision_date, "note": note}
    try:
        case = TechStore(state.store).create_case(
            technology=technology, counterparty=counterparty, country=country,
            channel=channel, decision_date=decision_date, note=note,
            actor=acting_name(actor), org_id=None if actor.local else actor.org_id)
    except EconsecError as exc:
        return _cases_page(request, state, actor, error=_error(request, exc), form=form,
                           status_code=422)
    return RedirectResponse(f"/tech/cases/{case.id}", status_code=303)


def _case_page(request: Request, state: State, case_id: str, actor: Actor, *,
               error: str | None = None, status_code: int = 200) -> HTMLResponse:
    t = _t(request)
    tech = TechStore(state.store)
    try:
        case = tech.case(case_id, org_id=org_scope(actor))
    except (NotFoundError, ValidationError) as exc:
        return render(request, "not_found.html.j2", status_code=404,
                      title=t.gettext("Not found"), message=_error(request, exc),
                      back=("/tech/cases", t.gettext("Transfer cases")), charts=False)
    registry = tech.registry()
    return render(request, "tech_case.html.j2", status_code=status_code,
                  title=f"{t.gettext('Transfer case')} {case.id}", case=case,
                  tech=registry.resolve(case.technology_id), decision=tech.assess(case),
                  moves=TRANSITIONS[case.status], status_labels=STATUS_LABELS,
                  channel_label=CHANNEL_LABELS[case.channel], error=error, charts=False)


@router.get("/tech/cases/{case_id}", response_class=HTMLResponse)
def case(request: Request, state: State, case_id: Annotated[str, Path(max_length=40)],
         actor: Actor = Depends(current_actor)) -> HTMLResponse:
    return _case_page(request, state, case_id, actor)


@router.post("/tech/cases/{case_id}/move", response_class=HTMLResponse)
def move_case(request: Request, state: State, case_id: Annotated[str, Path(max_length=40)],
              status: Annotated[str, Form(max_length=40)],
              note: Annotated[str, Form(max_length=5000)] = "",
              on: Annotated[str, Form(max_length=10)] = "",
              actor: Actor = require(Action.TRANSFER_CASE)) -> Response:
    try:
        TechStore(state.store).move_case(case_id, status, note=note, on=on or None,
                                         actor=acting_name(actor), org_id=org_scope(actor))
    except (NotFoundError, ValidationError) as exc:
        if exc.location.column == "case_id" or isinstance(exc, NotFoundError):
            return _case_page(request, state, case_id, actor)
        return _case_page(request, state, case_id, actor, error=_error(request, exc),
                          status_code=422)
    except EconsecError as exc:
        return _case_page(request, state, case_id, actor, error=_error(request, exc),
                          status_code=422)
    return RedirectResponse(f"/tech/cases/{parse_case_id(case_id)}", status_code=303)


def _selfcheck_page(request: Request, answers: dict[str, str], result: Any = None,
                    error: str | None = None, status_code: int = 200) -> HTMLResponse:
    t = _t(request)
    return render(request, "tech_selfcheck.html.j2", status_code=status_code,
                  title=t.gettext("Technology-leakage self-check"),
                  questionnaire=bundled_questionnaire(), answers=answers, result=result,
                  error=error, charts=False)


@router.get("/tech/selfcheck", response_class=HTMLResponse)
def selfcheck(request: Request) -> HTMLResponse:
    return _selfcheck_page(request, {})


@router.post("/tech/selfcheck", dependencies=[require(Action.ANALYSE)],
             response_class=HTMLResponse)
async def selfcheck_result(request: Request) -> HTMLResponse:
    form = await request.form()
    known = bundled_questionnaire().questions()
    answers = {k: str(v) for k, v in form.items() if k in known}
    try:
        result = score(answers)
    except EconsecError as exc:
        return _selfcheck_page(request, answers, error=_error(request, exc), status_code=422)
    return _selfcheck_page(request, answers, result)


# ----------------------------------------------------------------- trade-secret loss

#: The form's fields (the estimate's input names).
LOSS_FIELDS = ("technology", "industry", "share_lost", "years", "margin", "discount_rate",
               "ramp_years", "growth", "market_size", "segment_share")
LOSS_CHART_TITLE = N_("Loss by year (million USD)")
LOSS_SERIES = {"lost_sales": N_("Lost sales"), "lost_profit": N_("Lost profit"),
               "present_value": N_("Present value of the lost profit")}


def loss_figure(doc: dict[str, Any], lang: str) -> dict[str, Any]:
    """Bars per year: lost sales, lost profit and its present value (million USD)."""
    t = translator(lang)
    colours = {"lost_sales": "#9ab8d8", "lost_profit": "#0b5cad", "present_value": "#e0a100"}
    years = [str(r["year"]) for r in doc["years"]]
    traces = [{"type": "bar", "name": t.gettext(label), "x": years,
               "y": [round(r[key], 3) for r in doc["years"]],
               "marker": {"color": colours[key]},
               "hovertemplate": "%{x}: %{y:,.1f}<extra></extra>"}
              for key, label in LOSS_SERIES.items()]
    return {"data": traces,
            "layout": {"barmode": "group", "height": 320,
                       "margin": {"l": 50, "r": 10, "t": 30, "b": 40},
                       "legend": {"orientation": "h", "y": 1.02, "yanchor": "bottom"},
                       "xaxis": {"title": {"text": t.gettext("Year")}, "type": "category"},
                       "yaxis": {"title": {"text": t.gettext(LOSS_CHART_TITLE)},
                                 "rangemode": "tozero"}}}


def _loss_page(request: Request, state: State, form: dict[str, str], doc: Any = None,
               error: str | None = None, status_code: int = 200) -> HTMLResponse:
    t = _t(request)
    lang = request_language(request)
    technologies = [d.as_dict() for d in TechStore(state.store).registry().designated()]
    return render(request, "tech_secret_loss.html.j2", status_code=status_code,
                  title=t.gettext("Trade-secret loss estimate"), form=form, result=doc,
                  error=error, technologies=technologies,
                  defaults=bundled_assumptions().defaults, t=t,
                  figure=loss_figure(doc, lang) if doc else None, charts=doc is not None)


@router.get("/tech/secret-loss", response_class=HTMLResponse)
def secret_loss(request: Request, state: State) -> HTMLResponse:
    warm_up(state)
    return _loss_page(request, state, {"technology": "sponge-titanium", "share_lost": "0.1",
                                       "years": "5"})


@router.post("/tech/secret-loss", dependencies=[require(Action.ANALYSE)],
             response_class=HTMLResponse)
async def secret_loss_result(request: Request, state: State) -> HTMLResponse:
    received = await request.form()
    form = {k: str(received.get(k, ""))[:200] for k in LOSS_FIELDS}
    if form["industry"].strip():
        form["technology"] = ""
    try:
        doc = await run_in_threadpool(secret_loss_document, state, form)
    except EconsecError as exc:
        return _loss_page(request, state, form, error=_error(request, exc), status_code=422)
    return _loss_page(request, state, form, doc)


# ----------------------------------------------------------------- governance self-assessment

CONDUCT_AXIS = N_("Area score (0-100)")


def conduct_figure(doc: dict[str, Any], lang: str) -> dict[str, Any]:
    """Horizontal bars: each area's score, coloured by its priority (questionnaire order)."""
    t = translator(lang)
    colours = {"high": "#c0392b", "medium": "#e0a100", "low": "#4c9a2a", None: "#999999"}
    by_id = {a["id"]: a for a in doc["areas"]}
    areas = [by_id[a.id] for a in bundled_conduct().areas if a.id in by_id][::-1]
    return {"data": [{"type": "bar", "orientation": "h",
                      "y": [bilingual_name(a, lang) for a in areas],
                      "x": [a["score"] if a["score"] is not None else 0 for a in areas],
                      "marker": {"color": [colours[a["priority"]] for a in areas]},
                      "hovertemplate": "%{y}: %{x:.1f}<extra></extra>"}],
            "layout": {"height": 120 + 32 * len(areas),
                       "margin": {"l": 10, "r": 20, "t": 10, "b": 40},
                       "xaxis": {"range": [0, 100],
                                 "title": {"text": t.gettext(CONDUCT_AXIS)}},
                       "yaxis": {"automargin": True}}}


def bilingual_name(area: dict[str, Any], lang: str) -> str:
    return str(area["name_ja"] if lang == "ja" else area["name_en"])


def _conduct_page(request: Request, answers: dict[str, str], result: Any = None,
                  error: str | None = None, status_code: int = 200) -> HTMLResponse:
    t = _t(request)
    lang = request_language(request)
    return render(request, "tech_conduct.html.j2", status_code=status_code,
                  title=t.gettext("Economic-security governance self-assessment"),
                  questionnaire=bundled_conduct(), answers=answers, result=result,
                  thresholds=PRIORITY_THRESHOLDS, priority_labels=PRIORITY_LABELS, error=error,
                  figure=conduct_figure(result, lang) if result else None,
                  charts=result is not None)


@router.get("/tech/conduct", response_class=HTMLResponse)
def conduct(request: Request) -> HTMLResponse:
    return _conduct_page(request, {})


@router.post("/tech/conduct", dependencies=[require(Action.ANALYSE)],
             response_class=HTMLResponse)
async def conduct_result(request: Request) -> HTMLResponse:
    form = await request.form()
    known = bundled_conduct().questions()
    answers = {k: str(v) for k, v in form.items() if k in known}
    try:
        result = assess(answers).as_dict()
    except EconsecError as exc:
        return _conduct_page(request, answers, error=_error(request, exc), status_code=422)
    return _conduct_page(request, answers, result)
