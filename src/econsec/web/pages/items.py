"""``/items`` pages: shared items of the council (list with search and facet counts, the
form that sets an item's whole marking, one item under its marking banner, regrade).

Everything shown is what the signed-in reader may see (filtered in the store's SQL); an
item they may not see is the same "not found" page as an id that does not exist.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from econsec.access.actions import Action
from econsec.access.actor import Actor
from econsec.errors import EconsecError, NotFoundError, ValidationError
from econsec.i18n import translator
from econsec.i18n.terms import N_
from econsec.kb.models import ITEM_KINDS
from econsec.sharing.items import MAX_ID, parse_level
from econsec.sharing.models import TLP_COLOURS, TLP_MARKS, NewItem
from econsec.web.auth import current_actor, now, require
from econsec.web.council import item_store
from econsec.web.i18n import request_language
from econsec.web.pages.common import render
from econsec.web.problems import status_of
from econsec.web.state import WebState, get_state

router = APIRouter(include_in_schema=False)

State = Annotated[WebState, Depends(get_state)]
Reader = Annotated[Actor, Depends(current_actor)]
Creator = Annotated[Actor, require(Action.ITEM_CREATE)]
Regrader = Annotated[Actor, require(Action.ITEM_REGRADE)]

#: What each level means (message ids).
LEVEL_LABELS = {1: N_("Level 1: public"), 2: N_("Level 2: council (not public)"),
                3: N_("Level 3: designated information")}
KIND_LABELS = {"report": N_("report"), "alert": N_("alert"), "analysis": N_("analysis")}
#: TLP 2.0: what the recipient may do with it (message ids).
TLP_HANDLING = {
    "clear": N_("TLP:CLEAR: disclosure is not limited."),
    "green": N_("TLP:GREEN: may be shared within the community, not published."),
    "amber": N_("TLP:AMBER: may be shared on a need-to-know basis within the recipient's "
                "organisation and its clients."),
    "amber+strict": N_("TLP:AMBER+STRICT: may be shared on a need-to-know basis within the "
                       "recipient's organisation only."),
    "red": N_("TLP:RED: for the named recipients only; no further disclosure."),
}
PAGE_SIZE = 25
_SPLIT = re.compile(r"[\s,、]+")


def _t(request: Request) -> Any:
    return translator(request_language(request))


def _error(request: Request, exc: EconsecError) -> str:
    return exc.translate(request_language(request))


def parse_date(text: str) -> date:
    """A form's date (YYYY-MM-DD), else the refusal the form shows."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        raise ValidationError(N_("dates must be given as YYYY-MM-DD")) from exc


def _names(text: str) -> list[str]:
    return [part for part in _SPLIT.split(text) if part]


def _not_found(request: Request, exc: EconsecError) -> HTMLResponse:
    t = _t(request)
    return render(request, "not_found.html.j2", status_code=404, title=t.gettext("Not found"),
                  message=_error(request, exc), back=("/items", t.gettext("Shared items")),
                  charts=False)


def _common() -> dict[str, Any]:
    return {"level_labels": LEVEL_LABELS, "kind_labels": KIND_LABELS,
            "tlp_colours": TLP_COLOURS, "tlp_handling": TLP_HANDLING, "charts": False}


@router.get("/items", response_class=HTMLResponse)
def items(request: Request, state: State, actor: Reader,
          q: Annotated[str | None, Query(max_length=500)] = None,
          kind: Annotated[str | None, Query(max_length=20)] = None,
          level: Annotated[str | None, Query(max_length=2)] = None,
          tlp: Annotated[str | None, Query(max_length=20)] = None,
          group: Annotated[str | None, Query(max_length=200)] = None,
          offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0) -> HTMLResponse:
    t = _t(request)
    filters = {"q": q or "", "kind": kind or "", "level": level or "", "tlp": tlp or "",
               "group": group or ""}
    error = None
    status = 200
    page = None
    try:
        page = item_store(state).list(
            actor, at=now(), query=q or None, kind=kind or None,
            level=parse_level(level) if level else None, tlp=tlp or None,
            group=group or None, limit=PAGE_SIZE, offset=offset)
    except EconsecError as exc:
        error = _error(request, exc)
        status = status_of(exc)
    return render(request, "items.html.j2", status_code=status,
                  title=t.gettext("Shared items"), page=page, error=error, filters=filters,
                  offset=offset, page_size=PAGE_SIZE, local=actor.local,
                  may_create=actor.may(Action.ITEM_CREATE), **_common())


def _form_page(request: Request, state: State, *, form: dict[str, Any] | None = None,
               error: str | None = None, status_code: int = 200) -> HTMLResponse:
    from econsec.access.accounts import Accounts

    t = _t(request)
    accounts = Accounts(state.store.engine)
    return render(request, "item_new.html.j2", status_code=status_code,
                  title=t.gettext("Share an item"), form=form or {"level": "2", "tlp": "amber",
                                                                  "kind": "report"},
                  error=error, kinds=ITEM_KINDS, tlps=TLP_MARKS,
                  groups=accounts.list_groups(), orgs=accounts.list_orgs(), **_common())


@router.get("/items/new", response_class=HTMLResponse)
def new_item(request: Request, state: State, actor: Creator) -> HTMLResponse:
    return _form_page(request, state)


@router.post("/items/new", response_class=HTMLResponse)
def create_item(request: Request, state: State, actor: Creator,
                title: Annotated[str, Form(max_length=500)],
                level: Annotated[str, Form(max_length=2)],
                tlp: Annotated[str, Form(max_length=20)],
                kind: Annotated[str, Form(max_length=20)] = "report",
                summary: Annotated[str, Form(max_length=20_000)] = "",
                body: Annotated[str, Form(max_length=500_000)] = "",
                compartments: Annotated[str, Form(max_length=2000)] = "",
                groups: Annotated[list[str] | None, Form(max_length=200)] = None,
                orgs: Annotated[list[str] | None, Form(max_length=200)] = None,
                users: Annotated[str, Form(max_length=5000)] = "",
                to_all_members: Annotated[str, Form(max_length=5)] = "",
                designated_until: Annotated[str, Form(max_length=10)] = "",
                designated_none: Annotated[str, Form(max_length=5)] = "",
                review_on: Annotated[str, Form(max_length=10)] = "",
                caveats: Annotated[str, Form(max_length=20_000)] = "",
                links: Annotated[str, Form(max_length=5000)] = "",
                derived_from: Annotated[str, Form(max_length=100)] = "") -> Response:
    form: dict[str, Any] = {
        "title": title, "level": level, "tlp": tlp, "kind": kind, "summary": summary,
        "body": body, "compartments": compartments, "groups": groups or [],
        "orgs": orgs or [], "users": users, "to_all_members": bool(to_all_members),
        "designated_until": designated_until, "designated_none": bool(designated_none),
        "review_on": review_on, "caveats": caveats, "links": links,
        "derived_from": derived_from}
    try:
        item = NewItem.model_validate({
            "title": title, "level": level if level.strip().isdigit() else 0, "tlp": tlp,
            "kind": kind, "summary": summary, "body": body,
            "compartments": _names(compartments), "groups": groups or [],
            "orgs": orgs or [], "users": _names(users),
            "to_all_members": bool(to_all_members),
            "designated_until": ("none" if designated_none else designated_until or None),
            "review_on": review_on or None, "caveats": caveats, "links": _names(links),
            "derived_from": derived_from.strip() or None})
    except ValueError:  # a malformed date (pydantic's ValidationError is a ValueError)
        exc = ValidationError(N_("dates must be given as YYYY-MM-DD"))
        return _form_page(request, state, form=form, error=_error(request, exc),
                          status_code=422)
    try:
        view = item_store(state).create(actor, item, at=now())
    except EconsecError as exc:
        return _form_page(request, state, form=form, error=_error(request, exc),
                          status_code=422)
    return RedirectResponse(f"/items/{view.id}", status_code=303)


def _item_page(request: Request, state: State, item_id: str, actor: Actor, *,
               error: str | None = None, status_code: int = 200) -> HTMLResponse:
    t = _t(request)
    try:
        view = item_store(state).get(actor, item_id, at=now())
    except NotFoundError as exc:
        return _not_found(request, exc)
    return render(request, "item.html.j2", status_code=status_code,
                  title=view.title, item=view, error=error,
                  may_regrade=actor.may(Action.ITEM_REGRADE), heading=t.gettext("Shared item"),
                  **_common())


@router.get("/items/{item_id}", response_class=HTMLResponse)
def item(request: Request, state: State, actor: Reader,
         item_id: Annotated[str, Path(max_length=100)]) -> HTMLResponse:
    return _item_page(request, state, item_id, actor)


@router.post("/items/{item_id}/regrade", response_class=HTMLResponse)
def regrade(request: Request, state: State, actor: Regrader,
            item_id: Annotated[str, Path(max_length=100)],
            level: Annotated[str, Form(max_length=2)],
            reason: Annotated[str, Form(max_length=20_000)],
            designated_until: Annotated[str, Form(max_length=10)] = "",
            designated_none: Annotated[str, Form(max_length=5)] = "",
            review_on: Annotated[str, Form(max_length=10)] = "") -> Response:
    try:
        designation: date | Literal["none"] | None = "none" if designated_none else (
            parse_date(designated_until) if designated_until else None)
        item_store(state).regrade(actor, item_id, to_level=parse_level(level),
                                  reason=reason, at=now(), designated_until=designation,
                                  review_on=parse_date(review_on) if review_on else None)
    except NotFoundError as exc:
        return _not_found(request, exc)
    except EconsecError as exc:
        return _item_page(request, state, item_id, actor, error=_error(request, exc),
                          status_code=422)
    return RedirectResponse(f"/items/{item_id}", status_code=303)
