"""What an actor may do, by role. Roles grant actions; the item gates (levels,
compartments, need-to-know, validity) are separate and apply to every role alike: an
administrator reads no item its clearance and distribution do not open (break-glass waives
need-to-know only, explicitly, for a limited time, logged)."""

from __future__ import annotations

from enum import StrEnum

from econsec.errors import ForbiddenError, Term
from econsec.i18n.terms import N_


class Role(StrEnum):
    """A user's role in the council portal."""

    MEMBER = "member"
    ANALYST = "analyst"
    SECRETARIAT = "secretariat"
    AUDITOR = "auditor"
    ADMIN = "admin"


class Action(StrEnum):
    """Something a request does; every state-changing route declares one."""

    #: Read the knowledge base and its analyses (pages, API reads, reports).
    READ = "read"
    #: Compute without storing (IO shocks, scenario runs, EU CRM, complexity, self-check).
    ANALYSE = "analyse"
    #: Change the shared knowledge base (imports, entity lists).
    IMPORT = "import"
    #: Record restricted-party screening decisions.
    SCREEN = "screen"
    #: Create and move technology-transfer cases (of one's own organisation).
    TRANSFER_CASE = "transfer_case"
    #: Read shared items (the gates decide which).
    ITEM_READ = "item_read"
    #: Create shared items.
    ITEM_CREATE = "item_create"
    #: Change an item's level (with a reason) or its distribution.
    ITEM_REGRADE = "item_regrade"
    #: Export items (files, STIX bundles, TAXII).
    ITEM_EXPORT = "item_export"
    #: Read the audit log.
    AUDIT_READ = "audit_read"
    #: Manage organisations, users, groups and clearances.
    USER_ADMIN = "user_admin"
    #: Open time-limited emergency access (need-to-know waived), justified and logged.
    BREAK_GLASS = "break_glass"
    #: Run a tabletop exercise as its facilitator (open, start, advance, release, assign).
    EXERCISE_RUN = "exercise_run"
    #: Play in a tabletop exercise (moves and decisions of one's own team).
    EXERCISE_PLAY = "exercise_play"


#: What each action is called in a refusal (message ids; translated on pages).
ACTION_LABELS: dict[Action, str] = {
    Action.READ: N_("reading the knowledge base"),
    Action.ANALYSE: N_("running analyses"),
    Action.IMPORT: N_("changing the knowledge base (imports, entity lists)"),
    Action.SCREEN: N_("recording screening decisions"),
    Action.TRANSFER_CASE: N_("managing technology-transfer cases"),
    Action.ITEM_READ: N_("reading shared items"),
    Action.ITEM_CREATE: N_("sharing items"),
    Action.ITEM_REGRADE: N_("regrading shared items"),
    Action.ITEM_EXPORT: N_("exporting shared items"),
    Action.AUDIT_READ: N_("reading the audit log"),
    Action.USER_ADMIN: N_("managing users, organisations and groups"),
    Action.BREAK_GLASS: N_("opening emergency (break-glass) access"),
    Action.EXERCISE_RUN: N_("running tabletop exercises"),
    Action.EXERCISE_PLAY: N_("playing in tabletop exercises"),
}

NOT_ALLOWED = N_("your roles do not allow this action: %(action)s")


def forbidden(action: Action) -> ForbiddenError:
    """The refusal of ``action`` to an actor whose roles do not grant it (403), naming the
    action in the reader's language."""
    return ForbiddenError(NOT_ALLOWED, params={"action": Term(ACTION_LABELS[action])})


_MEMBER = frozenset({Action.READ, Action.ANALYSE, Action.SCREEN, Action.TRANSFER_CASE,
                     Action.ITEM_READ, Action.ITEM_EXPORT, Action.EXERCISE_PLAY})

ROLE_ACTIONS: dict[Role, frozenset[Action]] = {
    Role.MEMBER: _MEMBER,
    Role.ANALYST: _MEMBER | {Action.ITEM_CREATE, Action.IMPORT, Action.EXERCISE_RUN},
    Role.SECRETARIAT: _MEMBER | {Action.ITEM_CREATE, Action.ITEM_REGRADE, Action.EXERCISE_RUN},
    Role.AUDITOR: frozenset({Action.READ, Action.AUDIT_READ}),
    Role.ADMIN: frozenset({Action.READ, Action.ANALYSE, Action.IMPORT, Action.USER_ADMIN,
                           Action.BREAK_GLASS}),
}
"""The actions each role grants (a user's actions are the union over its roles)."""


def actions_of(roles: frozenset[Role]) -> frozenset[Action]:
    """Every action the roles grant."""
    granted: frozenset[Action] = frozenset()
    for role in roles:
        granted |= ROLE_ACTIONS[role]
    return granted


def parse_roles(text: str) -> frozenset[Role]:
    """Roles from a space- or comma-separated list; unknown names raise ``ValueError``
    naming them and the known ones."""
    names = [part for part in text.replace(",", " ").split() if part]
    unknown = [name for name in names if name not in Role.__members__.values()]
    if unknown:
        raise ValueError(f"unknown role(s) {', '.join(unknown)}; known: "
                         f"{', '.join(role.value for role in Role)}")
    if not names:
        raise ValueError("a user needs at least one role")
    return frozenset(Role(name) for name in names)
