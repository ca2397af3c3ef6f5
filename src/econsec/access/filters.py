""""What may this actor see" as a SQL condition on ``shared_items``, applied inside the
store's queries (lists, counts, facets, search, exports, feeds): hidden items are never
fetched. Says exactly what :func:`econsec.access.policy.may_read` says (tested)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, exists, false, not_, or_, select, true
from sqlalchemy.sql.elements import ColumnElement

from econsec.access.actor import Actor
from econsec.kb.models import (
    ITEM_COMPARTMENTS,
    ITEM_GROUPS,
    ITEM_ORGS,
    ITEM_USERS,
    SHARED_ITEMS,
)


def visible_items(actor: Actor, at: datetime, *, designation_ended: bool = False
                  ) -> ColumnElement[bool]:
    """The condition a ``shared_items`` row must meet to be shown to ``actor`` at ``at``.

    ``designation_ended``: also a level-3 item whose designation has ended, which the
    other two gates open (only for re-designating or regrading such an item)."""
    on = at.date()
    level = actor.effective_level(on)
    if level == 0:
        return false()
    items = SHARED_ITEMS.c
    compartments = sorted(actor.compartments(on))
    outside = ITEM_COMPARTMENTS.c.item_id == items.id
    if compartments:
        outside = and_(outside, ITEM_COMPARTMENTS.c.compartment.not_in(compartments))
    designation = or_(items.level < 3, items.designated_until.is_(None),
                      items.designated_until >= on.isoformat())
    lattice = and_(
        items.level <= level,
        not_(exists(select(ITEM_COMPARTMENTS.c.item_id).where(outside))),
        true() if designation_ended else designation,
    )
    if actor.break_glass_open(at):
        return lattice
    reasons: list[ColumnElement[bool]] = [items.to_all_members == true()]
    if actor.user_id is not None:
        reasons.append(items.originator_user_id == actor.user_id)
        reasons.append(exists(select(ITEM_USERS.c.item_id).where(
            ITEM_USERS.c.item_id == items.id, ITEM_USERS.c.user_id == actor.user_id)))
    if actor.org_id is not None:
        reasons.append(exists(select(ITEM_ORGS.c.item_id).where(
            ITEM_ORGS.c.item_id == items.id, ITEM_ORGS.c.org_id == actor.org_id)))
    if actor.groups:
        reasons.append(exists(select(ITEM_GROUPS.c.item_id).where(
            ITEM_GROUPS.c.item_id == items.id,
            ITEM_GROUPS.c.group_id.in_(sorted(actor.groups)))))
    return and_(lattice, or_(*reasons))
