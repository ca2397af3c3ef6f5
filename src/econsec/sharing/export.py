"""Exports of the shared items one actor may see: a STIX 2.1 bundle
(:mod:`econsec.sharing.stix`) or JSON lines (one :class:`ItemView` a line, as the API
shows it). Used by ``econsec items export``, ``GET /api/v1/items/export`` and the TAXII
server.

Every item comes through :meth:`ItemStore.list` (the gates applied in SQL; a level-3 body
withheld as the store withholds it); nothing here queries the items' tables. Every export
is written to the audit log (action ``export``, with the ids handed out).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

from econsec.access.actions import Action, forbidden
from econsec.access.actor import Actor
from econsec.errors import ForbiddenError, Location, ValidationError
from econsec.i18n.terms import N_
from econsec.sharing.models import ItemView
from econsec.sharing.stix import bundle_json

#: The export formats.
FORMATS: tuple[str, ...] = ("stix", "jsonl")
#: Media type of each format.
MEDIA_TYPES: dict[str, str] = {"stix": "application/stix+json;version=2.1",
                               "jsonl": "application/x-ndjson"}
#: Items read from the store at a time.
BATCH = 500

BAD_FORMAT = N_("format must be one of %(known)s, got '%(value)s'")
LOCAL_MODE = N_("no shared items exist in single-user local mode: items and their exports "
                "need user accounts (econsec users add)")


class Lister(Protocol):
    """What an export needs of :class:`econsec.sharing.items.ItemStore`."""

    def list(self, actor: Actor, *, at: datetime, query: str | None = None,
             kind: str | None = None, level: int | None = None, tlp: str | None = None,
             group: str | None = None, created_after: datetime | None = None,
             limit: int = 50, offset: int = 0) -> Any: ...


class Recorder(Protocol):
    """What an export needs of :class:`econsec.audit.log.AuditLog`."""

    def record(self, *, actor: Actor | str, action: str, resource: str, outcome: str = "ok",
               detail: Mapping[str, Any] | None = None) -> int: ...


def parse_format(value: str) -> str:
    """``stix`` or ``jsonl`` (case-insensitive), else a :class:`ValidationError`."""
    fmt = value.strip().lower()
    if fmt not in FORMATS:
        raise ValidationError(BAD_FORMAT, location=Location(column="format"),
                              params={"known": ", ".join(FORMATS), "value": value})
    return fmt


def require_export(actor: Actor, audit: Recorder, resource: str) -> None:
    """:class:`ForbiddenError` (audited as a denial) unless the actor's roles grant
    ``item_export`` (the local operator of single-user mode has no items to export)."""
    if actor.local:
        raise ForbiddenError(LOCAL_MODE)
    if not actor.may(Action.ITEM_EXPORT):
        audit.record(actor=actor, action="deny", resource=resource, outcome="denied",
                     detail={"action": Action.ITEM_EXPORT.value})
        raise forbidden(Action.ITEM_EXPORT)


def all_visible(store: Lister, actor: Actor, *, at: datetime,
                group: str | None = None) -> list[ItemView]:
    """Every item ``actor`` may see at ``at`` (of working group ``group`` if given),
    oldest first, read through the store's filtered list page by page."""
    found: dict[int, ItemView] = {}
    offset = 0
    while True:
        page = store.list(actor, at=at, group=group, limit=BATCH, offset=offset)
        for item in page.items:  # (an item created meanwhile shifts a page: seen once)
            found.setdefault(item.id, item)
        offset += len(page.items)
        if not page.items or offset >= page.total:
            break
    return sorted(found.values(), key=lambda item: (item.created_at, item.id))


def render(items: list[ItemView], fmt: str) -> str:
    """The export text of ``items`` in ``fmt`` (``stix`` or ``jsonl``)."""
    if parse_format(fmt) == "stix":
        return bundle_json(items, pretty=True) + "\n"
    return "".join(item.model_dump_json() + "\n" for item in items)


def export_items(store: Lister, audit: Recorder, actor: Actor, fmt: str, *, at: datetime,
                 via: str) -> tuple[str, int]:
    """The export of every item ``actor`` may see, and how many items it holds; audited
    as ``export`` (``via``: the CLI, the API …). Needs ``item_export``."""
    fmt = parse_format(fmt)
    require_export(actor, audit, f"items:export:{fmt}")
    items = all_visible(store, actor, at=at)
    text = render(items, fmt)
    audit.record(actor=actor, action="export", resource=f"items:export:{fmt}",
                 detail={"via": via, "format": fmt, "count": len(items),
                         "ids": [item.id for item in items]})
    return text, len(items)
