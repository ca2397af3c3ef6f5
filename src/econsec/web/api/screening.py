"""``/api/v1/screening``: restricted-party screening (entity lists, screening, decisions).

JSON shapes match the CLI's ``--format json``: ``GET /lists`` is ``econsec lists``,
``POST /lists`` is ``econsec lists load``, ``GET /screen`` is ``econsec screen NAME`` and
``POST /decisions`` is ``econsec screen decide``, without the server's file paths (the
index path is left out, a list's source file is its file name). A malformed list file is a
422 problem with its ``line`` and nothing is loaded (one transaction); a file without
entities is a 422 problem and a stored list of that name is unchanged. Screening with no
list loaded is a 409 problem (an empty result would look clear). A name with no letter or
digit once normalised (spaces, zero-width characters, NUL, punctuation), a birth date that
is not ``YYYY[-MM[-DD]]``, before 1800 or in the future is a 422 problem naming its
``column``; an unknown country a 404 problem with ``suggestions``
(:mod:`econsec.screening.checks`). A list name with a control character or an edition
outside 1945-01-01 to tomorrow is a 422 problem. ``GET /bundled`` lists the lists bundled
with econsec.

The index is the file ``ECONSEC_SCREENING_DB`` names, else the CLI's default
(:class:`econsec.screening.index.ScreeningSettings`); it is the app's service
``"screening"`` (:func:`screening_service`), created on first use. SQLite connections are
not shared between threads, so each request opens its own connection to that file; loads
are serialised by a lock.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from econsec.access.actions import Action
from econsec.access.actor import Actor
from econsec.screening.bundled import BUNDLED
from econsec.screening.index import (
    NoListLoadedError,
)
from econsec.web.api.common import State, json_response, problem_responses
from econsec.web.auth import current_actor, require
from econsec.web.common import receive_upload, upload_on_disk
from econsec.web.problems import problem
from econsec.web.screening_service import decision_scope, reviewer, screening_service

router = APIRouter(prefix="/screening", tags=["screening"])

MAX_LIMIT = 100

_UPLOAD: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"multipart/form-data": {"schema": {
            "type": "object", "required": ["file"],
            "properties": {"file": {"type": "string", "format": "binary",
                                    "description": "FtM JSON lines (.jsonl) or CSV list"}},
        }}},
    }
}


class DecisionIn(BaseModel):
    """A reviewer's decision on one screening result."""

    model_config = ConfigDict(extra="forbid")

    entity_id: Annotated[str, Field(min_length=1, max_length=500)]
    query: Annotated[str, Field(min_length=1, max_length=500,
                                description="The screened name")]
    decision: Literal["match", "false_positive"]
    note: Annotated[str, Field(max_length=5000)] = ""


@router.get("/lists", summary="Loaded entity lists")
def lists(state: State) -> Response:
    """Name, entities, source file, sha256 and load time of every list in the index."""
    return json_response(screening_service(state).lists_document())


@router.post("/lists", dependencies=[require(Action.IMPORT)],
             status_code=201, summary="Load an entity list",
             openapi_extra=_UPLOAD, responses=problem_responses(413, 422))
async def load_list(request: Request, state: State, name: Annotated[str | None, Query(
        max_length=100, description="List name (default: the file name without suffix)")
        ] = None, edition: Annotated[str | None, Query(
            max_length=10, description="Edition date of the file (YYYY-MM-DD); results warn "
            "when it is more than a year old")] = None) -> Response:
    """Upload an FtM JSON-lines (``.jsonl``) or CSV list as multipart field ``file``; it
    replaces a list of the same name. All or nothing: a malformed line is a 422 problem
    naming the ``line``. Uploads above the app's size limit are refused (413)."""
    screening = screening_service(state)
    upload = await receive_upload(request, state.max_upload_bytes)

    def load() -> dict[str, Any]:
        with upload_on_disk(upload) as path:
            return screening.load(path, name, upload.name, edition)

    return json_response(await run_in_threadpool(load), status_code=201)


@router.get("/bundled", summary="Lists bundled with econsec")
def bundled(state: State) -> Response:
    """Name, title, edition, publisher, licence and source of every bundled list (load one
    with ``econsec lists load --bundled NAME``)."""
    return json_response({"bundled": [b.to_dict() for b in BUNDLED.values()]})


@router.get("/screen", summary="Screen a name", responses=problem_responses(409, 422))
def screen(state: State, actor: Annotated[Actor, Depends(current_actor)],
           name: Annotated[str, Query(min_length=1, max_length=500,
                                      description="Name to screen (any script)")],
           country: Annotated[str | None, Query(
               max_length=100, description="Country (ISO alpha-3, alpha-2 or name)")] = None,
           birth_date: Annotated[str | None, Query(
               max_length=10, description="YYYY, YYYY-MM or YYYY-MM-DD")] = None,
           limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 10) -> Response:
    """``{"query", "status", "matches", "threshold", "lists_screened", "warnings"}``, best
    first, with explanations and reviewer decisions (as ``econsec screen NAME --format
    json``). ``status`` is ``match``, ``possible_match``, ``low_similarity`` or, only when
    no candidate was found, ``no_match``. Decisions are those of the caller's organisation
    only. With no list loaded: 409."""
    try:
        doc = screening_service(state).screen_document(name, country, birth_date, limit,
                                                       scope=decision_scope(actor))
    except NoListLoadedError as exc:
        return problem(409, exc.title, exc.message, error=type(exc).__name__,
                       instance="/api/v1/screening/screen")
    return json_response(doc)


@router.post("/decisions", status_code=201, summary="Record a reviewer decision",
             responses=problem_responses(422))
def decide(body: DecisionIn, state: State,
           actor: Annotated[Actor, require(Action.SCREEN)]) -> Response:
    """Remember ``match`` or ``false_positive`` for (query, entity) for the next screening
    of the same (normalised) query, with who took it (``decided_by``, ``decided_org``:
    the signed-in user, or the operating-system user in single-user local mode). It applies
    to the screenings of the reviewer's organisation only."""
    by, org = reviewer(actor)
    return json_response(screening_service(state).decide(
        body.entity_id, body.query, body.decision, body.note, by=by, org=org,
        scope=decision_scope(actor)), status_code=201)
