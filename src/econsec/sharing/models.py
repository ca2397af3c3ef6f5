"""What goes into a shared item and what a reader gets back (pydantic, as the API and
``econsec items … --format json`` show them).

The marking (level, compartments, TLP, distribution, designation) is given once, in
:class:`NewItem`; nothing changes it afterwards except a recorded regrade of the level.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

#: TLP 2.0 labels (FIRST, 2022), as stored (lower case).
TLP_MARKS: tuple[str, ...] = ("clear", "green", "amber", "amber+strict", "red")

#: TLP 2.0 colours (the label's text on black, per the standard's RGB values).
TLP_COLOURS: dict[str, str] = {"clear": "#FFFFFF", "green": "#33FF00", "amber": "#FFC000",
                               "amber+strict": "#FFC000", "red": "#FF2B2B"}

#: Link prefixes to knowledge-base objects: ``commodity:<id>``, ``country:<ISO3>``,
#: ``hs:<code>``.
LINK_KINDS: tuple[str, ...] = ("commodity", "country", "hs")


class NewItem(BaseModel):
    """A new shared item with its whole marking. Values are checked by
    :meth:`econsec.sharing.items.ItemStore.create` (each refusal names the field).

    ``designated_until``: a level-3 item's designation ends on this date; ``"none"`` says
    explicitly that it has no end (a level-3 item must give one or the other)."""

    model_config = ConfigDict(extra="forbid")

    kind: str = "report"
    title: str
    summary: str = ""
    body: str = ""
    level: int
    tlp: str
    compartments: list[str] = Field(default_factory=list)
    groups: list[str] = Field(default_factory=list)
    orgs: list[str] = Field(default_factory=list)
    users: list[str] = Field(default_factory=list)
    to_all_members: bool = False
    designated_until: date | Literal["none"] | None = None
    review_on: date | None = None
    caveats: str = ""
    links: list[str] = Field(default_factory=list)
    #: The public id of the item this one draws on (no write-down).
    derived_from: str | None = Field(default=None, max_length=100)


class Regrade(BaseModel):
    """A recorded change of an item's level."""

    from_level: int
    to_level: int
    reason: str
    by: str
    at: str


class ItemView(BaseModel):
    """A shared item as one reader may see it. ``body`` is None and ``body_withheld``
    true for a level-3 item while the deployment keeps level-3 bodies off: the tear-line
    ``summary`` is shown instead."""

    #: The item's public id (a random UUID4; also its STIX ``report--<id>``). Nothing
    #: else identifies an item outside the store.
    id: str
    kind: str
    title: str
    summary: str
    body: str | None
    body_withheld: bool
    level: int
    tlp: str
    compartments: list[str]
    groups: list[str]
    orgs: list[str]
    users: list[str]
    to_all_members: bool
    originator: str
    originator_org: str
    created_at: str
    designated_until: date | None
    review_on: date | None
    caveats: str
    links: list[str]
    #: The public id of the source item, shown only to a reader who may read the source.
    derived_from: str | None = None
    regrades: list[Regrade] = Field(default_factory=list)


class ItemPage(BaseModel):
    """One page of the items a reader may see, with the count and facets of all of them
    (never of hidden items)."""

    items: list[ItemView]
    total: int
    limit: int = 50
    offset: int = 0
    #: ``kind`` / ``level`` / ``tlp`` / ``group`` -> value -> number of visible items.
    facets: dict[str, dict[str, int]] = Field(default_factory=dict)


class RegradeIn(BaseModel):
    """A regrade request (API body)."""

    model_config = ConfigDict(extra="forbid")

    level: int
    reason: str
    #: Level 3: the designation's new end, or ``"none"`` for no end (raising an item to
    #: level 3 with ``"none"`` needs ``review_on``).
    designated_until: date | Literal["none"] | None = None
    #: The item's new review date.
    review_on: date | None = None


class Notifications(BaseModel):
    """Items created or regraded since a time, that the reader may see."""

    since: str
    items: list[ItemView]
