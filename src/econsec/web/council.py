"""The council portal's services on the app's knowledge base, shared by the JSON API and
the HTML pages (pages never import the API): the item store and the audit log."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from econsec.audit.log import AuditEntry, AuditLog
from econsec.sharing.items import ItemStore
from econsec.web.state import WebState


def item_store(state: WebState) -> ItemStore:
    """The item store on the app's knowledge base, auditing to its log."""
    engine = state.store.engine
    return ItemStore(engine, state.settings, AuditLog(engine))


def audit_log(state: Any) -> AuditLog:
    """The audit log of the app's knowledge base."""
    return AuditLog(state.store.engine)


class AuditPage(BaseModel):
    """A page of records (newest first) and how many match the filters."""

    records: list[AuditEntry]
    total: int
    limit: int
    offset: int


def audit_page(state: Any, *, actor: str | None, action: str | None, outcome: str | None,
               limit: int, offset: int) -> AuditPage:
    """The records the page and the API show."""
    log = audit_log(state)
    records = log.page(limit=limit, offset=offset, actor_name=actor, action=action,
                       outcome=outcome)
    return AuditPage(
        records=[AuditEntry.of(r) for r in records],
        total=log.count(actor_name=actor, action=action, outcome=outcome),
        limit=limit, offset=offset)
