"""``/audit``: the audit log for auditors (``audit_read``), newest first, filtered by actor,
action and outcome, with the check of the whole chain on request (``?verify=1``), in
Japanese and English."""

from __future__ import annotations

import json
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from econsec.access.actions import Action
from econsec.access.actor import Actor
from econsec.i18n import translator
from econsec.i18n.terms import N_
from econsec.web.auth import require
from econsec.web.council import audit_log, audit_page
from econsec.web.i18n import request_language
from econsec.web.pages.common import render
from econsec.web.state import WebState, get_state

State = Annotated[WebState, Depends(get_state)]

router = APIRouter(include_in_schema=False)

Auditor = Annotated[Actor, require(Action.AUDIT_READ)]

PAGE_SIZE = 100

OUTCOME_LABELS = {"ok": N_("allowed"), "denied": N_("denied"), "failed": N_("failed")}
"""How each outcome reads on the page."""

CHECK_TEXT = {
    "hash": N_("its content does not match its hash: the record was edited"),
    "prev_hash": N_("it does not follow the record before it: a record was deleted, inserted "
                    "or moved before it"),
    "seq": N_("the sequence numbers are not consecutive here: a record was deleted, inserted "
              "or moved"),
    "mac": N_("its MAC does not match the key kept outside the database: the chain was "
              "recomputed or the record written without the key"),
    "anchor": N_("the anchor kept outside the database names a later record or another "
                 "hash: the tail was deleted or the chain replaced"),
}
"""What each failed check means (the page's wording of the command's reasons)."""


@router.get("/audit", response_class=HTMLResponse)
def audit(
    request: Request, state: State, auditor: Auditor,
    actor: Annotated[str | None, Query(max_length=200)] = None,
    action: Annotated[str | None, Query(max_length=40)] = None,
    outcome: Annotated[Literal["ok", "denied", "failed", ""] | None, Query()] = None,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
    verify: Annotated[bool, Query()] = False,
) -> HTMLResponse:
    t = translator(request_language(request))
    actor = (actor or "").strip() or None
    action = (action or "").strip() or None
    page = audit_page(state, actor=actor, action=action, outcome=outcome or None,
                      limit=PAGE_SIZE, offset=offset)
    check = audit_log(state).verify() if verify else None
    filters = {"actor": actor or "", "action": action or "", "outcome": outcome or ""}
    query = urlencode({k: v for k, v in filters.items() if v})
    rows = [{**r.model_dump(), "detail_text": json.dumps(r.detail, ensure_ascii=False,
                                                         sort_keys=True)}
            for r in page.records]
    response = render(
        request, "audit.html.j2", title=t.gettext("Audit log"), rows=rows, total=page.total,
        offset=offset, page_size=PAGE_SIZE, filters=filters, query=query,
        outcome_labels=OUTCOME_LABELS, check=check,
        check_text=CHECK_TEXT.get(check.check or "") if check and not check.ok else None,
        charts=False)
    response.headers["cache-control"] = "no-store"
    return response
