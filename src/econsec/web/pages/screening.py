"""``/screening`` page: screen a name (with country and birth date) against the loaded
entity lists, see each result's score, match flag, list and explanation, record a
reviewer decision (match / false positive) that the next search shows, and load a list.

With no list loaded the page shows a blocking notice and no result (a search answers 409):
an empty result would look clear. Every result says which lists were screened (entities,
edition, load date) and warns about an edition older than a year. A candidate is never
shown as "no match": it is a match, a possible match to review or a low-similarity
candidate; "no match" is said only when no candidate was found. A name with no letter or
digit (spaces, invisible characters, punctuation), an invalid or future birth date or an
unknown country is refused with an error in the reader's language (422).

Everything goes through :class:`econsec.web.screening_service.ScreeningService`, as
``GET /api/v1/screening/screen`` does, so the page shows what the API returns.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from econsec.access.actions import Action
from econsec.access.actor import Actor
from econsec.errors import EconsecError, UnknownCountryError, ValidationError
from econsec.i18n import Translator, translator
from econsec.screening.checks import QueryError
from econsec.screening.explain import render_notes
from econsec.screening.index import STALE_AFTER_DAYS, NoListLoadedError
from econsec.web.auth import current_actor, require
from econsec.web.common import Upload, UploadMissing, receive_upload, upload_on_disk
from econsec.web.i18n import request_language
from econsec.web.pages.common import render
from econsec.web.screening_service import decision_scope, reviewer, screening_service
from econsec.web.security import UploadTooLarge
from econsec.web.state import WebState, get_state

router = APIRouter(include_in_schema=False)

State = Annotated[WebState, Depends(get_state)]
MB = 1024 * 1024


def _page(request: Request, state: WebState, *, form: dict[str, str] | None = None,
          error: str | None = None, upload_error: str | None = None,
          notice: str | None = None, status_code: int = 200) -> HTMLResponse:
    t = translator(request_language(request))
    screening = screening_service(state)
    form = form or {}
    document: dict[str, Any] | None = None
    lists = screening.lists_document()["lists"]
    no_lists = not any(x["entities"] for x in lists)
    if form.get("name") and error is None:
        try:
            document = screening.screen_document(
                form["name"], form.get("country"), form.get("birth_date"),
                scope=decision_scope(current_actor(request)))
        except NoListLoadedError:
            status_code = 409
        except EconsecError as exc:
            error, status_code = error_text(exc, t), 422
    for match in (document or {}).get("matches", []):
        match["explanation_shown"] = render_notes(match.get("explanation_texts", []), t.lang)
    return render(request, "screening.html.j2", status_code=status_code,
                  title=t.gettext("Restricted-party screening"), form=form,
                  document=document, lists=lists, no_lists=no_lists,
                  stale_days=STALE_AFTER_DAYS,
                  error=error, upload_error=upload_error, notice=notice,
                  limit_mb=state.max_upload_bytes / MB, charts=False)


@router.get("/screening", response_class=HTMLResponse)
def screening_page(request: Request, state: State,
                   name: Annotated[str, Query(max_length=500)] = "",
                   country: Annotated[str, Query(max_length=100)] = "",
                   birth_date: Annotated[str, Query(max_length=10)] = "",
                   decided: Annotated[str, Query(max_length=500)] = "",
                   loaded: Annotated[str, Query(max_length=100)] = "") -> HTMLResponse:
    t = translator(request_language(request))
    notice = None
    if decided:
        notice = t.gettext("Decision recorded for %(entity)s.") % {"entity": decided}
    elif loaded:
        notice = t.gettext("List %(name)s loaded.") % {"name": loaded}
    return _page(request, state, form={"name": name, "country": country,
                                       "birth_date": birth_date}, notice=notice)


def error_text(exc: EconsecError, t: Translator) -> str:
    """The refusal in the reader's language where it is a checked screening input."""
    if isinstance(exc, QueryError):
        return exc.translate(t.lang, located=False)
    if isinstance(exc, UnknownCountryError):
        message = t.gettext("unknown country '%(name)s'") % {"name": exc.name}
        if exc.suggestions:
            message += t.gettext("; did you mean: %(names)s?") % {
                "names": ", ".join(exc.suggestions)}
        return message
    return str(exc)


def _search_url(form: dict[str, str], **extra: str) -> str:
    params = {k: v for k, v in {**form, **extra}.items() if v}
    return "/screening" + (f"?{urlencode(params)}" if params else "") + "#results"


@router.post("/screening/decisions", response_class=HTMLResponse)
def record_decision(request: Request, state: State,
                    actor: Annotated[Actor, require(Action.SCREEN)],
                    entity_id: Annotated[str, Form(max_length=500)],
                    query: Annotated[str, Form(max_length=500)],
                    decision: Annotated[str, Form(max_length=20)],
                    country: Annotated[str, Form(max_length=100)] = "",
                    birth_date: Annotated[str, Form(max_length=10)] = "",
                    note: Annotated[str, Form(max_length=5000)] = "") -> Response:
    form = {"name": query, "country": country, "birth_date": birth_date}
    try:
        by, org = reviewer(actor)
        screening_service(state).decide(entity_id, query, decision, note, by=by, org=org,
                                        scope=decision_scope(actor))
    except EconsecError as exc:
        t = translator(request_language(request))
        return _page(request, state, form=form, error=error_text(exc, t), status_code=422)
    return RedirectResponse(_search_url(form, decided=entity_id), status_code=303)


async def _uploaded_list(request: Request, limit: int) -> tuple[Upload, str]:
    """The form's list file (413 beyond ``limit``) and list name."""
    try:
        upload = await receive_upload(request, limit, max_fields=10)
    except UploadMissing:
        raise ValidationError("choose a list file (.jsonl or .csv) first") from None
    return upload, upload.fields.get("list_name", "").strip()[:100]


@router.post("/screening/lists", dependencies=[require(Action.IMPORT)],
             response_class=HTMLResponse)
async def load_list(request: Request, state: State) -> Response:
    t = translator(request_language(request))
    screening = screening_service(state)
    try:
        upload, list_name = await _uploaded_list(request, state.max_upload_bytes)

        def load() -> dict[str, Any]:
            with upload_on_disk(upload) as path:
                return screening.load(path, list_name, upload.name)

        loaded = await run_in_threadpool(load)
    except UploadTooLarge:
        message = t.gettext("The file is larger than the limit of %(limit)s MB; nothing was "
                            "read or stored.") % {"limit": t.number(state.max_upload_bytes
                                                                    / MB, 1)}
        return await run_in_threadpool(lambda: _page(request, state, upload_error=message,
                                                     status_code=413))
    except EconsecError as exc:
        message = error_text(exc, t)
        return await run_in_threadpool(lambda: _page(request, state, upload_error=message,
                                                     status_code=422))
    return RedirectResponse("/screening?" + urlencode({"loaded": loaded["name"]}),
                            status_code=303)

