"""The three gates of DESIGN §6 on one item, as a pure decision.

1. **Classification lattice**: the actor's effective level is at least the item's and
   its compartments include all of the item's;
2. **Need-to-know**: the item goes to all members, or its distribution names one of the
   actor's groups, its organisation or the actor, or the actor originated it; an open
   break-glass access waives this gate only;
3. **Validity**: account, contract, clearance (and certification for level 3) in date
   (:meth:`Actor.effective_level`), and a level-3 item's designation in date.

:func:`may_read` is the oracle: :func:`econsec.access.filters.visible_items` says the same
in SQL, and the tests compare the two on generated actors and items.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from econsec.access.actor import Actor
from econsec.i18n.terms import N_

#: Why a read was refused (message ids; the audit log stores the id).
BELOW_LEVEL = N_("the item's level is above the reader's valid clearance")
MISSING_COMPARTMENT = N_("the item is in a compartment the reader's clearance does not cover")
NOT_DISTRIBUTED = N_("the item is not distributed to the reader, their organisation or "
                     "their groups")
NOT_VALID = N_("the reader's account, contract or clearance is not valid today")
DESIGNATION_ENDED = N_("the item's designation has ended; it awaits review")
WRITE_DOWN = N_("content of a level %(source)s item cannot be saved into a level %(target)s "
                "item; regrade with a recorded reason instead")
MISSING_COMPARTMENT_WRITE = N_("content of an item in compartments %(compartments)s cannot "
                               "be saved into an item without them")


@dataclass(frozen=True)
class Marking:
    """What the gates look at on an item: its level, compartments, distribution and dates."""

    level: int
    compartments: frozenset[str] = frozenset()
    group_ids: frozenset[int] = frozenset()
    org_ids: frozenset[int] = frozenset()
    user_ids: frozenset[int] = frozenset()
    to_all_members: bool = False
    originator_user_id: int | None = None
    designated_until: date | None = None


@dataclass(frozen=True)
class Decision:
    """Allowed or not, and why not (a message id of this module; empty when allowed)."""

    allowed: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


ALLOWED = Decision(True)


def may_read(actor: Actor, marking: Marking, at: datetime) -> Decision:
    """Whether ``actor`` may read an item with ``marking`` at ``at`` (UTC)."""
    on = at.date()
    level = actor.effective_level(on)
    if level == 0:
        return Decision(False, NOT_VALID)
    if marking.level > level:
        return Decision(False, BELOW_LEVEL)
    if not marking.compartments <= actor.compartments(on):
        return Decision(False, MISSING_COMPARTMENT)
    if marking.level >= 3 and marking.designated_until is not None \
            and marking.designated_until < on:
        return Decision(False, DESIGNATION_ENDED)
    if not (marking.to_all_members or actor.break_glass_open(at)
            or (actor.user_id is not None and (actor.user_id in marking.user_ids
                                               or actor.user_id == marking.originator_user_id))
            or (actor.org_id is not None and actor.org_id in marking.org_ids)
            or actor.groups & marking.group_ids):
        return Decision(False, NOT_DISTRIBUTED)
    return ALLOWED


def may_derive(source: Marking, target_level: int, target_compartments: frozenset[str]
               ) -> Decision:
    """No write-down: content of ``source`` may go into a new item only at a level and with
    compartments that dominate the source's."""
    if target_level < source.level:
        return Decision(False, WRITE_DOWN)
    if not source.compartments <= target_compartments:
        return Decision(False, MISSING_COMPARTMENT_WRITE)
    return ALLOWED
