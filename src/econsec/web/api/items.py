"""``/api/v1/items`` and ``/api/v1/notifications``: shared items of the council.

Every answer is for the signed-in actor only (never cached): lists, totals, facets and
searches are filtered in the store's SQL (:mod:`econsec.sharing.items`). An item the actor
may not see answers 404 exactly as an id that does not exist. Creating needs
``item_create``, regrading ``item_regrade`` (403 otherwise, audited).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import JSONResponse

from econsec.access.actions import Action
from econsec.access.actor import Actor
from econsec.sharing.models import ItemPage, ItemView, NewItem, Notifications, RegradeIn
from econsec.web.api.common import State, problem_responses
from econsec.web.auth import current_actor, now, require
from econsec.web.council import item_store

router = APIRouter(tags=["shared items"])

Reader = Annotated[Actor, Depends(current_actor)]
Creator = Annotated[Actor, require(Action.ITEM_CREATE)]
Regrader = Annotated[Actor, require(Action.ITEM_REGRADE)]


@router.post("/items", status_code=201, response_model=ItemView, summary="Share an item",
             responses=problem_responses(403, 404, 422))
def create_item(body: NewItem, state: State, actor: Creator) -> JSONResponse:
    """Create an item with its whole marking (level, compartments, TLP, distribution,
    designation); nothing but a recorded regrade of the level changes it afterwards."""
    view = item_store(state).create(actor, body, at=now())
    return JSONResponse(view.model_dump(mode="json"), status_code=201,
                        headers={"Location": f"/api/v1/items/{view.id}"})


@router.get("/items", response_model=ItemPage, summary="Shared items I may see",
            responses=problem_responses(403, 422))
def list_items(
    state: State, actor: Reader,
    q: Annotated[str | None, Query(max_length=500, description="Text in title, summary or "
                                   "(where bodies may be shown) body")] = None,
    kind: Annotated[str | None, Query(max_length=20)] = None,
    level: Annotated[int | None, Query(ge=1, le=3)] = None,
    tlp: Annotated[str | None, Query(max_length=20)] = None,
    group: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> ItemPage:
    """A page of the items the actor may see, newest first, with the total and the facet
    counts (kind, level, TLP, group) of every matching visible item and no other."""
    return item_store(state).list(actor, at=now(), query=q, kind=kind, level=level, tlp=tlp,
                                  group=group, limit=limit, offset=offset)


ItemId = Annotated[str, Path(max_length=100, description="The item's public id (a UUID)")]


@router.get("/items/{item_id}", response_model=ItemView, summary="A shared item",
            responses=problem_responses(403, 404))
def get_item(item_id: ItemId, state: State, actor: Reader) -> ItemView:
    """The item with its marking; 404 when it does not exist or the actor may not see it.
    A level-3 body is withheld (``body`` null, ``body_withheld`` true) unless the
    deployment enables level-3 bodies."""
    return item_store(state).get(actor, item_id, at=now())


@router.post("/items/{item_id}/regrade", response_model=ItemView, summary="Regrade an item",
             responses=problem_responses(403, 404, 422))
def regrade_item(item_id: ItemId, body: RegradeIn, state: State, actor: Regrader
                 ) -> ItemView:
    """Change the item's level with a reason (at least 10 characters), recorded with who
    and when; compartments and distribution stay as created. A level-3 item may get a new
    ``designated_until`` (also re-designating one whose designation has ended). Raising an
    item to level 3 needs ``designated_until`` (a date), or ``"none"`` with ``review_on``;
    lowering a level-3 item is for government staff only (403)."""
    return item_store(state).regrade(actor, item_id, to_level=body.level, reason=body.reason,
                                     at=now(), designated_until=body.designated_until,
                                     review_on=body.review_on)


@router.get("/notifications", response_model=Notifications,
            summary="Items shared or regraded since a time", responses=problem_responses(422))
def notifications(state: State, actor: Reader,
                  since: Annotated[datetime | None, Query(
                      description="ISO 8601 time (default: 7 days ago)")] = None
                  ) -> Notifications:
    """Items the actor may see that were created or regraded after ``since``."""
    at = now()
    start = since if since is not None else at - timedelta(days=7)
    if start.tzinfo is None:
        start = start.replace(tzinfo=UTC)
    items = item_store(state).notifications(actor, since=start, at=at)
    return Notifications(since=start.astimezone(UTC).isoformat(timespec="seconds"),
                         items=items)
