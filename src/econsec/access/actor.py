"""Who makes a request: :class:`Actor`, built from the store's rows when a session is
opened (:mod:`econsec.access.accounts`) or for the single-user local mode
(:data:`LOCAL_ACTOR`). Pure data: the gates are in :mod:`econsec.access.policy`."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from econsec.access.actions import Action, Role, actions_of


@dataclass(frozen=True)
class Clearance:
    """A user's clearance: level (1 public, 2 council, 3 designated information) and the
    compartments it covers, with its dates."""

    level: int
    compartments: frozenset[str] = frozenset()
    issued: date | None = None
    expires: date | None = None
    suspended: bool = False

    def valid_on(self, on: date) -> bool:
        """Issued, not expired, not suspended on ``on``."""
        if self.suspended:
            return False
        if self.issued is not None and self.issued > on:
            return False
        return self.expires is None or self.expires >= on


@dataclass(frozen=True)
class Actor:
    """A signed-in user (or the local single-user operator) with everything the gates need.

    ``groups`` are working-group ids; ``org_kind`` is one of ``government``, ``company``,
    ``thinktank``, ``other``. ``break_glass_until``: an open emergency access (need-to-know
    waived until then; UTC).
    """

    name: str
    user_id: int | None = None
    org_id: int | None = None
    org_name: str = ""
    org_kind: str = "company"
    roles: frozenset[Role] = frozenset()
    clearance: Clearance | None = None
    groups: frozenset[int] = frozenset()
    account_expires: date | None = None
    suspended: bool = False
    org_certified_until: date | None = None
    org_contract_until: date | None = None
    break_glass_until: datetime | None = None
    #: The single-user local mode (no users defined): no items exist for it.
    local: bool = False
    display_name: str = field(default="", compare=False)

    @property
    def actions(self) -> frozenset[Action]:
        """What the actor's roles grant (the local operator: everything but administration
        of users and items, which need accounts)."""
        if self.local:
            return LOCAL_ACTIONS
        return actions_of(self.roles)

    def may(self, action: Action) -> bool:
        """True when the actor's roles grant ``action`` and the account is valid today."""
        if self.local:
            return action in LOCAL_ACTIONS
        return action in self.actions and self.account_valid(datetime.now(UTC).date())

    def account_valid(self, on: date) -> bool:
        """The account and its organisation's contract are in date and not suspended."""
        if self.suspended:
            return False
        if self.account_expires is not None and self.account_expires < on:
            return False
        return self.org_contract_until is None or self.org_contract_until >= on

    def effective_level(self, on: date) -> int:
        """The highest level the actor may read on ``on``: 0 when the account, the
        organisation's contract or the clearance is not valid; level 3 also needs the
        organisation's certification in date (適合事業者: companies, think tanks and any other
        private body under the 2024 act; government bodies need none)."""
        if self.local or self.clearance is None or not self.account_valid(on):
            return 0
        if not self.clearance.valid_on(on):
            return 0
        level = self.clearance.level
        if level >= 3 and self.org_kind != "government" and (
                self.org_certified_until is None or self.org_certified_until < on):
            level = 2
        return level

    def compartments(self, on: date) -> frozenset[str]:
        """The compartments the actor's valid clearance covers on ``on``."""
        if self.effective_level(on) == 0 or self.clearance is None:
            return frozenset()
        return self.clearance.compartments

    def break_glass_open(self, at: datetime) -> bool:
        """An emergency access is open at ``at`` (UTC, timezone-aware)."""
        return self.break_glass_until is not None and self.break_glass_until > at

    def visibility_key(self, at: datetime) -> str:
        """A short key that is equal for two actors exactly when they may see the same
        items at ``at``: part of every cache key of a result that shows items."""
        on = at.date()
        parts = [
            "local" if self.local else str(self.user_id), str(self.org_id),
            str(self.effective_level(on)), ",".join(sorted(self.compartments(on))),
            ",".join(str(g) for g in sorted(self.groups)),
            "bg" if self.break_glass_open(at) else "", on.isoformat(),
        ]
        return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


LOCAL_ACTIONS = frozenset({Action.READ, Action.ANALYSE, Action.IMPORT, Action.SCREEN,
                           Action.TRANSFER_CASE, Action.ITEM_READ, Action.EXERCISE_RUN,
                           Action.EXERCISE_PLAY})
"""What the local operator may do through ``econsec serve`` with no users defined."""

LOCAL_ACTOR = Actor(name="local", local=True)
"""The single-user local mode's actor (``econsec serve`` on loopback, no users defined)."""
