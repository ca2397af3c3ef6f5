"""``/tech`` pages: designated technologies, prior-report cases (list, create, history,
moves) and the technology-leakage self-check form with its results."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

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
from econsec.techmgmt.groups import GROUP_A_AS_OF, GROUP_A_SOURCE, group_a_members
from econsec.techmgmt.selfcheck import bundled_questionnaire, score
from econsec.techmgmt.store import TechStore, parse_date
from econsec.web.auth import acting_name, current_actor, org_scope, require
from econsec.web.i18n import request_language
from econsec.web.pages.common import render
from econsec.web.state import WebState, get_state

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
