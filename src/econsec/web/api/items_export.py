"""``GET /api/v1/items/export``: every shared item the signed-in actor may see, as a STIX 2.1
bundle or JSON lines (:mod:`econsec.sharing.export`; needs ``item_export``; audited as an
export). Registered before ``/api/v1/items/{item_id}`` so that ``export`` is not taken for
an item id."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from econsec.access.actor import Actor
from econsec.sharing.export import MEDIA_TYPES, export_items, parse_format
from econsec.web.api.common import State, problem_responses
from econsec.web.auth import current_actor, now

router = APIRouter(tags=["shared items"])


@router.get("/items/export", summary="Export the shared items I may see",
            responses={**problem_responses(401, 403, 422),
                       200: {"content": {MEDIA_TYPES["stix"]: {}, MEDIA_TYPES["jsonl"]: {}},
                             "description": "A STIX 2.1 bundle or JSON lines"}})
def export(state: State, actor: Annotated[Actor, Depends(current_actor)],
           format: Annotated[str, Query(max_length=10, description="stix or jsonl")] = "stix",
           ) -> Response:
    """Every item the actor may see (the gates applied in the store; a level-3 body
    withheld unless the deployment enables level-3 bodies): ``format=stix`` a STIX 2.1
    bundle (a report per item, TLP 2.0 markings, the econsec marking as ``x_econsec_*``
    properties), ``format=jsonl`` one item a line as ``GET /api/v1/items/{id}`` shows it."""
    from econsec.web.council import item_store

    fmt = parse_format(format)
    store = item_store(state)
    text, count = export_items(store, store.audit, actor, fmt, at=now(), via="api")
    name = f"econsec-items.{'json' if fmt == 'stix' else 'jsonl'}"
    return Response(text.encode(), media_type=MEDIA_TYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "Cache-Control": "no-store", "X-Item-Count": str(count)})
