"""The store of shared items: create (with the whole marking), read, list, search, regrade
and notifications, every query filtered in SQL by
:func:`econsec.access.filters.visible_items` (hidden items are never fetched, counted or
faceted), every read, write and denial written to the audit log.

An item the actor may not see answers :class:`NotFoundError` with the message of an id
that does not exist, through the same single query: the two cannot be told apart.

Every item has a random public id (a UUID4, column ``uuid``): the only id that leaves the
store (views, audit records, URLs, the command line, STIX and exports). The integer key
stays inside the database, so no sequence of ids shows that hidden items exist.
"""

from __future__ import annotations

import builtins
import json
import re
import uuid as uuidlib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any, Literal, Protocol

from sqlalchemy import and_, false, func, insert, or_, select, update
from sqlalchemy.engine import Connection, Engine, RowMapping
from sqlalchemy.sql.elements import ColumnElement

from econsec.access.actions import Action, forbidden
from econsec.access.actor import Actor
from econsec.access.filters import visible_items
from econsec.access.policy import Marking, may_derive
from econsec.errors import ForbiddenError, Location, NotFoundError, ValidationError
from econsec.i18n.terms import N_
from econsec.kb.models import (
    COUNTRIES,
    GROUPS,
    ITEM_COMPARTMENTS,
    ITEM_GROUPS,
    ITEM_HS_CODES,
    ITEM_KINDS,
    ITEM_ORGS,
    ITEM_REGRADES,
    ITEM_USERS,
    ITEMS,
    ORGS,
    SHARED_ITEMS,
    USERS,
)
from econsec.settings import Settings
from econsec.sharing.models import LINK_KINDS, TLP_MARKS, ItemPage, ItemView, NewItem, Regrade

#: The one answer to an id that does not exist and to an item the actor may not see.
NO_ITEM = N_("no shared item %(id)s")
#: Raising an item to level 3 states how long the designation lasts, or when it is reviewed.
OPEN_ENDED = N_("raising an item to level 3 needs designated_until (a date), or 'none' "
                "together with a review_on date")
#: Lowering a level-3 item lifts a designation: government staff only (the 2024 act).
GOVERNMENT_ONLY = N_("only government staff may lower a level-3 item (designated "
                     "information): ask the designating ministry")
MAX_LIMIT = 500
MAX_ID = 2**31 - 1
MAX_TITLE = 500
MAX_TEXT = 20_000
MAX_BODY = 2_000_000
MAX_NAMES = 200
MAX_NAME = 200
MIN_REASON = 10
_COMPARTMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,99}$")
_ISO3 = re.compile(r"^[A-Z]{3}$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                   r"[0-9a-fA-F]{12}$")


class AuditSink(Protocol):
    """What the store needs of :class:`econsec.audit.log.AuditLog`."""

    def record(self, *, actor: Actor | str, action: str, resource: str, outcome: str = "ok",
               detail: Mapping[str, Any] | None = None, conn: Connection | None = None,
               at: datetime | None = None) -> int: ...


def _stamp(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="seconds")


def _invalid(message: str, where: str, /, **params: Any) -> ValidationError:
    return ValidationError(message, location=Location(column=where), params=params or None)


def public_id(value: Any) -> str | None:
    """``value`` as a public item id (a UUID, lower case), or None when it cannot be one."""
    text = str(value).strip()
    return text.lower() if _UUID.match(text) else None


def _id_is(item_id: str) -> ColumnElement[bool]:
    """``shared_items.uuid = item_id`` (the public id); anything that is not a UUID
    matches nothing, through the same query."""
    known = public_id(item_id)
    return false() if known is None else SHARED_ITEMS.c.uuid == known


def _shown_id(item_id: Any) -> str:
    """The id as a refusal and an audit record name it: the public id, or ``?``."""
    return public_id(item_id) or "?"


def _like(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere, wildcards in ``text`` taken literally."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def parse_level(value: Any, field: str = "level") -> int:
    """A level 1-3 (an int or its text), else a :class:`ValidationError` naming ``field``."""
    try:
        level = int(str(value).strip())
    except ValueError:
        level = 0
    if level not in (1, 2, 3):
        raise _invalid("%(field)s must be 1, 2 or 3, got '%(value)s'", field,
                       field=field, value=value)
    return level


def parse_tlp(value: str, field: str = "tlp") -> str:
    """A TLP 2.0 label (``TLP:AMBER+STRICT`` or ``amber+strict``), stored lower case."""
    mark = value.strip().lower().removeprefix("tlp:")
    if mark not in TLP_MARKS:
        raise _invalid("%(field)s must be one of %(known)s (TLP 2.0), got '%(value)s'",
                       field, field=field, known=", ".join(TLP_MARKS), value=value)
    return mark


def parse_kind(value: str, field: str = "kind") -> str:
    kind = value.strip().lower()
    if kind not in ITEM_KINDS:
        raise _invalid("%(field)s must be one of %(known)s, got '%(value)s'", field,
                       field=field, known=", ".join(ITEM_KINDS), value=value)
    return kind


def _text(value: str, field: str, most: int, *, required: bool = False) -> str:
    text = value.strip() if required else value
    if required and not text:
        raise _invalid("%(field)s must not be empty", field, field=field)
    if len(text) > most:
        raise _invalid("%(field)s is longer than %(max)s characters", field, field=field,
                       max=most)
    if "\x00" in text:
        raise _invalid("%(field)s contains a NUL character", field, field=field)
    return text


def _names(values: Iterable[str], field: str) -> list[str]:
    names = sorted({v.strip() for v in values if v.strip()})
    if len(names) > MAX_NAMES:
        raise _invalid("%(field)s names more than %(max)s entries", field, field=field,
                       max=MAX_NAMES)
    for name in names:
        _text(name, field, MAX_NAME)
    return names


def _moment(value: datetime, field: str) -> str:
    """A time given by the caller (``since``, ``created_after``) as stored UTC text."""
    try:
        return _stamp(value)
    except (OverflowError, ValueError) as exc:
        raise _invalid("%(field)s is out of range", field, field=field) from exc


class ItemStore:
    """Shared items on a knowledge base's engine (SQLite or PostgreSQL)."""

    def __init__(self, engine: Engine, settings: Settings, audit: AuditSink) -> None:
        self.engine = engine
        self.settings = settings
        self.audit = audit

    # -- create -------------------------------------------------------------------------

    def create(self, actor: Actor, item: NewItem, *, at: datetime) -> ItemView:
        """Store ``item`` with its whole marking (the only time the distribution is set).
        Refused (:class:`ForbiddenError`) without ``item_create``; a bad value, a marking
        the creator's own clearance does not dominate, or content derived from an item of
        a higher level or other compartments is a :class:`ValidationError`."""
        self._require(actor, Action.ITEM_CREATE, "item:new", at)
        on = at.date()
        kind = parse_kind(item.kind)
        title = _text(item.title, "title", MAX_TITLE, required=True).strip()
        summary = _text(item.summary, "summary", MAX_TEXT)
        body = _text(item.body, "body", MAX_BODY)
        caveats = _text(item.caveats, "caveats", MAX_TEXT)
        level = parse_level(item.level)
        tlp = parse_tlp(item.tlp)
        compartments = _names(item.compartments, "compartments")
        for name in compartments:
            if not _COMPARTMENT.match(name):
                raise _invalid("compartment '%(name)s' must be letters, digits, '.', '_' or "
                               "'-' (at most 100)", "compartments", name=name)
        if level == 3 and item.designated_until is None:
            raise _invalid("a level-3 item needs designated_until (a date, or 'none' for no "
                           "end)", "designated_until")
        if level < 3 and item.designated_until not in (None, "none"):
            raise _invalid("designated_until applies to level-3 items only",
                           "designated_until")
        designated = item.designated_until if isinstance(item.designated_until, date) else None
        if designated is not None and designated < on:
            raise _invalid("designated_until %(date)s is in the past", "designated_until",
                           date=designated.isoformat())
        groups = _names(item.groups, "groups")
        orgs = _names(item.orgs, "orgs")
        users = _names(item.users, "users")
        if not (item.to_all_members or groups or orgs or users):
            raise _invalid("an item needs at least one recipient (a group, an organisation "
                           "or a user) unless it goes to all members", "groups")
        reader_level = actor.effective_level(on)
        if level > reader_level:
            raise _invalid("nobody creates what they could not read: level %(level)s is "
                           "above your valid clearance (%(clearance)s)", "level",
                           level=level, clearance=reader_level)
        uncovered = sorted(set(compartments) - actor.compartments(on))
        if uncovered:
            raise _invalid("nobody creates what they could not read: your clearance does "
                           "not cover compartment(s) %(names)s", "compartments",
                           names=", ".join(uncovered))
        links = sorted({link.strip() for link in item.links if link.strip()})
        with self.engine.begin() as conn:
            group_ids = self._ids(conn, GROUPS, groups, "groups", N_("group"))
            org_ids = self._ids(conn, ORGS, orgs, "orgs", N_("organisation"))
            user_ids = self._ids(conn, USERS, users, "users", N_("user"))
            links = [self._link(conn, link) for link in links]
            source_id = None
            if item.derived_from is not None:
                source_id = self._check_derive(conn, actor, item.derived_from, level,
                                               frozenset(compartments), at)
            if actor.user_id is None or actor.org_id is None:
                raise ForbiddenError("shared items need a signed-in user")
            uuid = str(uuidlib.uuid4())
            item_id = int(conn.execute(insert(SHARED_ITEMS).returning(SHARED_ITEMS.c.id).values(
                uuid=uuid, kind=kind, title=title, summary=summary, body=body,
                level=level, tlp=tlp, to_all_members=item.to_all_members,
                originator_user_id=actor.user_id, originator_org_id=actor.org_id,
                designated_until=designated.isoformat() if designated else None,
                review_on=item.review_on.isoformat() if item.review_on else None,
                caveats=caveats, links=json.dumps(links), derived_from=source_id,
                created_at=_stamp(at))).scalar_one())
            for table, column, values in (
                    (ITEM_COMPARTMENTS, "compartment", compartments),
                    (ITEM_GROUPS, "group_id", group_ids), (ITEM_ORGS, "org_id", org_ids),
                    (ITEM_USERS, "user_id", user_ids)):
                if values:
                    conn.execute(insert(table), [{"item_id": item_id, column: v}
                                                 for v in values])
            self.audit.record(actor=actor, action="share", resource=f"item:{uuid}",
                              detail={"level": level, "tlp": tlp, "compartments": compartments,
                                      "groups": groups, "orgs": orgs, "users": users,
                                      "to_all_members": item.to_all_members,
                                      "derived_from": _shown_id(item.derived_from)
                                      if item.derived_from is not None else None},
                              conn=conn, at=at)
            row = conn.execute(self._select().where(SHARED_ITEMS.c.id == item_id)
                               ).mappings().one()
            return self._views(conn, [row], actor, at)[0]

    def _ids(self, conn: Connection, table: Any, names: Sequence[str], field: str,
             kind: str) -> builtins.list[int]:
        if not names:
            return []
        found: dict[str, int] = {name: int(key) for name, key in conn.execute(
            select(table.c.name, table.c.id).where(table.c.name.in_(names)))}
        unknown = [n for n in names if n not in found]
        if unknown:
            raise _invalid("unknown %(kind)s '%(name)s'", field, kind=kind, name=unknown[0])
        return sorted(found[n] for n in names)

    def _link(self, conn: Connection, link: str) -> str:
        _text(link, "links", MAX_NAME)
        prefix, _, ref = link.partition(":")
        prefix, ref = prefix.strip().lower(), ref.strip()
        if prefix not in LINK_KINDS or not ref:
            raise _invalid("link '%(link)s' must be commodity:<id>, country:<ISO3> or "
                           "hs:<code>", "links", link=link)
        if prefix == "commodity":
            known: Any = conn.execute(select(ITEMS.c.id).where(ITEMS.c.id == ref)).first()
        elif prefix == "country":
            ref = ref.upper()
            known = _ISO3.match(ref) and conn.execute(
                select(COUNTRIES.c.iso3).where(COUNTRIES.c.iso3 == ref)).first()
        else:
            from econsec.kb.trade import known_product, normalise_code

            ref = normalise_code(ref)
            known = ref.isdigit() and (known_product(ref) or conn.execute(
                select(ITEM_HS_CODES.c.hs_code).where(ITEM_HS_CODES.c.hs_code == ref)).first())
        if not known:
            raise _invalid("link '%(link)s': the knowledge base has no such %(kind)s",
                           "links", link=link, kind=prefix)
        return f"{prefix}:{ref}"

    def _check_derive(self, conn: Connection, actor: Actor, source: str, level: int,
                      compartments: frozenset[str], at: datetime) -> int:
        """No write-down: the source (public id) must be visible to the creator (else it
        "does not exist") and its level and compartments dominated by the new item's.
        The source's internal key."""
        row = conn.execute(select(SHARED_ITEMS.c.level, SHARED_ITEMS.c.id).where(
            _id_is(source), visible_items(actor, at))).first()
        if row is None:
            raise NotFoundError(NO_ITEM, params={"id": _shown_id(source)},
                                location=Location(column="derived_from"))
        source_id = int(row[1])
        marking = Marking(level=int(row[0]), compartments=frozenset(conn.execute(
            select(ITEM_COMPARTMENTS.c.compartment)
            .where(ITEM_COMPARTMENTS.c.item_id == source_id)).scalars()))
        decision = may_derive(marking, level, compartments)
        if not decision:
            raise _invalid(decision.reason, "derived_from", source=marking.level, target=level,
                           compartments=", ".join(sorted(marking.compartments)))
        return source_id

    # -- reads --------------------------------------------------------------------------

    def get(self, actor: Actor, item_id: str, *, at: datetime) -> ItemView:
        """The item of public id ``item_id``, if ``actor`` may see it at ``at``; else
        :class:`NotFoundError`, the same as for an id that does not exist (audited as a
        denial). Anything that is not a UUID is an id that does not exist."""
        return self._one(actor, _id_is(item_id), _shown_id(item_id), at)

    def _one(self, actor: Actor, where: ColumnElement[bool], ref: str,
             at: datetime) -> ItemView:
        self._require(actor, Action.ITEM_READ, f"item:{ref}", at)
        with self.engine.connect() as conn:
            row = conn.execute(self._select().where(where, visible_items(actor, at))
                               ).mappings().first()
            view = self._views(conn, [row], actor, at)[0] if row is not None else None
        if view is None:
            self.audit.record(actor=actor, action="deny", resource=f"item:{ref}",
                              outcome="denied", detail={"op": "read"}, at=at)
            raise NotFoundError(NO_ITEM, params={"id": ref})
        detail: dict[str, Any] = {"level": view.level, "body_withheld": view.body_withheld}
        if actor.break_glass_open(at):
            detail["break_glass"] = True  # read under an open emergency access
        self.audit.record(actor=actor, action="read", resource=f"item:{view.id}",
                          detail=detail, at=at)
        return view

    def list(self, actor: Actor, *, at: datetime, query: str | None = None,
             kind: str | None = None, level: int | None = None, tlp: str | None = None,
             group: str | None = None, created_after: datetime | None = None,
             limit: int = 50, offset: int = 0) -> ItemPage:
        """A page of the items ``actor`` may see (newest first), matching the filters,
        with the total and the facets (kind, level, TLP, group) of all matching visible
        items. ``query`` searches titles, summaries and, where bodies may be shown, bodies
        (case-insensitive substring)."""
        self._require(actor, Action.ITEM_READ, "items", at)
        if not 1 <= limit <= MAX_LIMIT:
            raise _invalid("limit must be from 1 to %(max)s", "limit", max=MAX_LIMIT)
        if offset < 0:
            raise _invalid("offset must not be negative", "offset")
        items = SHARED_ITEMS.c
        conditions: builtins.list[ColumnElement[bool]] = [visible_items(actor, at)]
        if query is not None and query.strip():
            text = _text(query.strip(), "q", MAX_TITLE)
            pattern = _like(text)
            body_match: ColumnElement[bool] = func.lower(items.body).like(pattern, escape="\\")
            if not self.settings.level3_bodies:
                body_match = and_(items.level < 3, body_match)
            conditions.append(or_(func.lower(items.title).like(pattern, escape="\\"),
                                  func.lower(items.summary).like(pattern, escape="\\"),
                                  body_match))
        if kind is not None:
            conditions.append(items.kind == parse_kind(kind))
        if level is not None:
            conditions.append(items.level == parse_level(level))
        if tlp is not None:
            conditions.append(items.tlp == parse_tlp(tlp))
        if created_after is not None:
            conditions.append(items.created_at > _moment(created_after, "created_after"))
        with self.engine.connect() as conn:
            if group is not None:
                _text(group, "group", MAX_NAME)
                group_id = conn.execute(select(GROUPS.c.id).where(GROUPS.c.name == group)
                                        ).scalar()
                if group_id is None:
                    raise _invalid("unknown %(kind)s '%(name)s'", "group", kind=N_("group"),
                                   name=group)
                conditions.append(items.id.in_(select(ITEM_GROUPS.c.item_id).where(
                    ITEM_GROUPS.c.group_id == group_id)))
            where = and_(*conditions)
            total = int(conn.execute(select(func.count()).select_from(SHARED_ITEMS)
                                     .where(where)).scalar_one())
            rows = conn.execute(self._select().where(where)
                                .order_by(items.created_at.desc(), items.id.desc())
                                .limit(limit).offset(offset)).mappings().all()
            facets = self._facets(conn, where)
            views = self._views(conn, rows, actor, at)
        self.audit.record(actor=actor, action="read", resource="items",
                          detail={"query": query or "", "total": total,
                                  "ids": [v.id for v in views]}, at=at)
        return ItemPage(items=views, total=total, limit=limit, offset=offset, facets=facets)

    def _facets(self, conn: Connection, where: ColumnElement[bool]
                ) -> dict[str, dict[str, int]]:
        items = SHARED_ITEMS.c
        facets: dict[str, dict[str, int]] = {}
        for name, column in (("kind", items.kind), ("level", items.level),
                             ("tlp", items.tlp)):
            facets[name] = {str(value): int(count) for value, count in conn.execute(
                select(column, func.count()).where(where).group_by(column).order_by(column))}
        visible = select(items.id).where(where)
        facets["group"] = {str(value): int(count) for value, count in conn.execute(
            select(GROUPS.c.name, func.count())
            .select_from(ITEM_GROUPS.join(GROUPS, GROUPS.c.id == ITEM_GROUPS.c.group_id))
            .where(ITEM_GROUPS.c.item_id.in_(visible))
            .group_by(GROUPS.c.name).order_by(GROUPS.c.name))}
        return facets

    def notifications(self, actor: Actor, *, since: datetime, at: datetime,
                      limit: int = 100) -> builtins.list[ItemView]:
        """Items ``actor`` may see that were created or regraded after ``since`` (newest
        first, at most ``limit``)."""
        self._require(actor, Action.ITEM_READ, "notifications", at)
        stamp = _moment(since, "since")
        items = SHARED_ITEMS.c
        changed = or_(items.created_at > stamp, items.id.in_(
            select(ITEM_REGRADES.c.item_id).where(ITEM_REGRADES.c.at > stamp)))
        with self.engine.connect() as conn:
            rows = conn.execute(self._select().where(visible_items(actor, at), changed)
                                .order_by(items.created_at.desc(), items.id.desc())
                                .limit(min(max(limit, 1), MAX_LIMIT))).mappings().all()
            views = self._views(conn, rows, actor, at)
        self.audit.record(actor=actor, action="read", resource="notifications",
                          detail={"since": stamp, "ids": [v.id for v in views]}, at=at)
        return views

    # -- regrade ------------------------------------------------------------------------

    def regrade(self, actor: Actor, item_id: str, *, to_level: int, reason: str,
                at: datetime, designated_until: date | Literal["none"] | None = None,
                review_on: date | None = None) -> ItemView:
        """Change the item's level (only that, and a level-3 item's designation:
        compartments and distribution stay as created), with a reason of at least 10
        characters, recorded with who and when. Needs ``item_regrade``; the item must be
        visible to the actor (else not found; a level-3 item whose designation has ended
        counts as visible here, so that it can be re-designated or regraded) and the new
        level within the actor's clearance.

        ``designated_until`` (level 3 only): the designation's new end, or ``"none"`` for
        no end; without it a level-3 item keeps its designation, which must then still be
        in date. Re-designating at level 3 is a regrade from 3 to 3. ``review_on``: the
        item's new review date.

        Raising an item to level 3 needs ``designated_until`` as a date, or ``"none"``
        together with ``review_on`` (a designation is never left open-ended silently).
        Lowering a level-3 item lifts a designation, which under the 2024 act only the
        government does: :class:`ForbiddenError` (audited) for a regrader whose
        organisation is not a government body, after the visibility check (a hidden item
        stays "not found")."""
        shown = _shown_id(item_id)
        self._require(actor, Action.ITEM_REGRADE, f"item:{shown}", at)
        level = parse_level(to_level)
        on = at.date()
        why = reason.strip()
        if len(why) < MIN_REASON:
            raise _invalid("a regrade needs a reason of at least %(min)s characters",
                           "reason", min=MIN_REASON)
        _text(why, "reason", MAX_TEXT)
        if level > actor.effective_level(on):
            raise _invalid("nobody creates what they could not read: level %(level)s is "
                           "above your valid clearance (%(clearance)s)", "level",
                           level=level, clearance=actor.effective_level(on))
        if level < 3 and designated_until not in (None, "none"):
            raise _invalid("designated_until applies to level-3 items only",
                           "designated_until")
        if isinstance(designated_until, date) and designated_until < on:
            raise _invalid("designated_until %(date)s is in the past", "designated_until",
                           date=designated_until.isoformat())
        if review_on is not None and review_on < on:
            raise _invalid("review_on %(date)s is in the past", "review_on",
                           date=review_on.isoformat())
        refused = False
        with self.engine.begin() as conn:
            row = conn.execute(select(SHARED_ITEMS.c.level, SHARED_ITEMS.c.designated_until,
                                      SHARED_ITEMS.c.id)
                               .where(_id_is(item_id),
                                      visible_items(actor, at, designation_ended=True))
                               ).first()
            if row is not None and int(row[0]) == 3 and level < 3 \
                    and actor.org_kind != "government":
                refused, row = True, None
            if row is not None:
                old = int(row[0])
                key = int(row[2])
                if old < 3 and level == 3 and not (
                        isinstance(designated_until, date)
                        or (designated_until == "none" and review_on is not None)):
                    raise _invalid(OPEN_ENDED, "designated_until")
                designation: str | None = row[1] if level == 3 else None
                if level == 3 and designated_until is not None:
                    designation = (None if designated_until == "none"
                                   else designated_until.isoformat())
                elif level == 3 and designation is not None and designation < on.isoformat():
                    raise _invalid("the designation ended on %(date)s: give a new "
                                   "designated_until (or 'none')", "designated_until",
                                   date=designation)
                if old == level and (level < 3 or designated_until is None):
                    raise _invalid("the item is already at level %(level)s", "level",
                                   level=level)
                values: dict[str, Any] = {"level": level, "designated_until": designation}
                if review_on is not None:
                    values["review_on"] = review_on.isoformat()
                conn.execute(update(SHARED_ITEMS).where(SHARED_ITEMS.c.id == key)
                             .values(**values))
                conn.execute(insert(ITEM_REGRADES).values(
                    item_id=key, from_level=old, to_level=level, reason=why,
                    by_user_id=actor.user_id, at=_stamp(at)))
                self.audit.record(actor=actor, action="regrade", resource=f"item:{shown}",
                                  detail={"from": old, "to": level, "reason": why,
                                          "designated_until": designation,
                                          "review_on": values.get("review_on")},
                                  conn=conn, at=at)
                view = self._views(conn, conn.execute(
                    self._select().where(SHARED_ITEMS.c.id == key)).mappings().all(),
                    actor, at)[0]
                return view
        if refused:
            self.audit.record(actor=actor, action="deny", resource=f"item:{shown}",
                              outcome="denied", detail={"op": "regrade", "from": 3,
                                                        "to": level,
                                                        "reason": "government only"}, at=at)
            raise ForbiddenError(GOVERNMENT_ONLY)
        self.audit.record(actor=actor, action="deny", resource=f"item:{shown}",
                          outcome="denied", detail={"op": "regrade"}, at=at)
        raise NotFoundError(NO_ITEM, params={"id": shown})

    # -- helpers ------------------------------------------------------------------------

    def _require(self, actor: Actor, action: Action, resource: str, at: datetime) -> None:
        if not actor.may(action) or not actor.account_valid(at.date()):
            self.audit.record(actor=actor, action="deny", resource=resource, outcome="denied",
                              detail={"op": action.value}, at=at)
            raise forbidden(action)

    @staticmethod
    def _select() -> Any:
        items = SHARED_ITEMS.c
        return (select(*[c for c in SHARED_ITEMS.c],
                       USERS.c.name.label("originator"), ORGS.c.name.label("originator_org"))
                .select_from(SHARED_ITEMS
                             .join(USERS, USERS.c.id == items.originator_user_id)
                             .join(ORGS, ORGS.c.id == items.originator_org_id)))

    def _views(self, conn: Connection, rows: Sequence[RowMapping], actor: Actor,
               at: datetime) -> builtins.list[ItemView]:
        """Views of rows already filtered for ``actor``; the distribution and regrades in
        one query each for the whole page."""
        ids = [int(r["id"]) for r in rows]
        if not ids:
            return []
        # the source of a derived item: its public id, for a reader who may read it only
        sources = {int(r["derived_from"]) for r in rows if r["derived_from"] is not None}
        source_ids: dict[int, str] = {}
        if sources:
            source_ids = {int(key): str(uuid) for key, uuid in conn.execute(
                select(SHARED_ITEMS.c.id, SHARED_ITEMS.c.uuid)
                .where(SHARED_ITEMS.c.id.in_(sources), visible_items(actor, at)))}
        names: dict[str, dict[int, builtins.list[str]]] = {}
        for key, table, column, named in (
                ("compartments", ITEM_COMPARTMENTS, ITEM_COMPARTMENTS.c.compartment, None),
                ("groups", ITEM_GROUPS, GROUPS.c.name, GROUPS),
                ("orgs", ITEM_ORGS, ORGS.c.name, ORGS),
                ("users", ITEM_USERS, USERS.c.name, USERS)):
            source: Any = table
            if named is not None:
                own = next(c for c in table.c if c.name != "item_id")
                source = table.join(named, named.c.id == own)
            found: dict[int, builtins.list[str]] = defaultdict(list)
            for item_id, name in conn.execute(select(table.c.item_id, column)
                                              .select_from(source)
                                              .where(table.c.item_id.in_(ids))
                                              .order_by(column)):
                found[int(item_id)].append(str(name))
            names[key] = found
        regrades: dict[int, builtins.list[Regrade]] = defaultdict(list)
        for r in conn.execute(select(ITEM_REGRADES, USERS.c.name.label("by"))
                              .select_from(ITEM_REGRADES.join(
                                  USERS, USERS.c.id == ITEM_REGRADES.c.by_user_id))
                              .where(ITEM_REGRADES.c.item_id.in_(ids))
                              .order_by(ITEM_REGRADES.c.id)).mappings():
            regrades[int(r["item_id"])].append(Regrade(
                from_level=r["from_level"], to_level=r["to_level"], reason=r["reason"],
                by=r["by"], at=r["at"]))
        return [self._view(r, {k: v.get(int(r["id"]), []) for k, v in names.items()},
                           regrades.get(int(r["id"]), []),
                           source_ids.get(int(r["derived_from"]))
                           if r["derived_from"] is not None else None) for r in rows]

    def _view(self, row: RowMapping, names: dict[str, builtins.list[str]],
              regrades: builtins.list[Regrade], source: str | None) -> ItemView:
        withheld = int(row["level"]) >= 3 and not self.settings.level3_bodies
        return ItemView(
            id=str(row["uuid"]), kind=row["kind"], title=row["title"],
            summary=row["summary"] or "", body=None if withheld else (row["body"] or ""),
            body_withheld=withheld, level=int(row["level"]), tlp=row["tlp"],
            compartments=names["compartments"], groups=names["groups"],
            orgs=names["orgs"], users=names["users"],
            to_all_members=bool(row["to_all_members"]), originator=row["originator"],
            originator_org=row["originator_org"], created_at=row["created_at"],
            designated_until=(date.fromisoformat(row["designated_until"])
                              if row["designated_until"] else None),
            review_on=date.fromisoformat(row["review_on"]) if row["review_on"] else None,
            caveats=row["caveats"] or "", links=json.loads(row["links"] or "[]"),
            derived_from=source, regrades=regrades)


__all__ = ["NO_ITEM", "AuditSink", "ItemStore", "parse_kind", "parse_level", "parse_tlp",
           "public_id"]
