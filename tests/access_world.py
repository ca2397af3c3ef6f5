"""Helper, no tests: databases for the access-control tests (a private PostgreSQL database
per test module, so that helpers sharing the test server do not collide) and the rows of
organisations, users, groups and shared items written with SQLAlchemy Core."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import Engine, create_engine, delete, text
from sqlalchemy.engine import make_url

from econsec.access.policy import Marking
from econsec.kb.models import (
    GROUPS,
    ITEM_COMPARTMENTS,
    ITEM_GROUPS,
    ITEM_ORGS,
    ITEM_USERS,
    ORGS,
    SHARED_ITEMS,
    USERS,
)

PG_URL = os.environ.get("ECONSEC_TEST_POSTGRES_URL")


def own_postgres_url(name: str) -> str:
    """The URL of database ``name`` on the test PostgreSQL server, created if missing
    (emptied by the caller with ``reset_postgres``)."""
    assert PG_URL, "ECONSEC_TEST_POSTGRES_URL not set"
    url = make_url(PG_URL)
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        found = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                             {"name": name}).first()
        if found is None:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def stamp(at: datetime | None = None) -> str:
    """A UTC ISO time as the tables store it."""
    return (at or datetime.now(UTC)).isoformat(timespec="seconds")


def iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


@dataclass(frozen=True)
class Item:
    """A shared item as written: its id and marking (the oracle's input) plus the
    originator's organisation the table needs."""

    id: int
    marking: Marking
    originator_org_id: int
    title: str = ""


@dataclass
class Population:
    """Ids of the organisations, users and groups written to a database."""

    org_ids: list[int] = field(default_factory=list)
    user_ids: list[int] = field(default_factory=list)
    group_ids: list[int] = field(default_factory=list)
    user_org: dict[int, int] = field(default_factory=dict)


def write_population(engine: Engine, orgs: int, users: int, groups: int) -> Population:
    """``orgs`` organisations, ``users`` users (round robin over the organisations) and
    ``groups`` groups with explicit ids 1…n (the gates look only at ids)."""
    now = stamp()
    pop = Population(list(range(1, orgs + 1)), list(range(1, users + 1)),
                     list(range(1, groups + 1)))
    pop.user_org = {user: (user - 1) % orgs + 1 for user in pop.user_ids}
    with engine.begin() as conn:
        conn.execute(ORGS.insert(), [
            {"id": org, "name": f"org{org}", "kind": "company", "created_at": now}
            for org in pop.org_ids])
        conn.execute(USERS.insert(), [
            {"id": user, "name": f"user{user}", "org_id": pop.user_org[user],
             "roles": "member", "password_hash": "-", "created_at": now}
            for user in pop.user_ids])
        conn.execute(GROUPS.insert(), [
            {"id": group, "name": f"group{group}", "created_at": now}
            for group in pop.group_ids])
    return pop


def write_items(engine: Engine, items: Sequence[Item]) -> None:
    """The items' rows and their compartments and distribution, in one transaction."""
    now = stamp()
    rows = [{"id": item.id, "uuid": f"00000000-0000-4000-8000-{item.id:012d}",
             "kind": "report", "title": item.title or f"item {item.id}",
             "level": item.marking.level, "tlp": "amber",
             "to_all_members": item.marking.to_all_members,
             "originator_user_id": item.marking.originator_user_id,
             "originator_org_id": item.originator_org_id,
             "designated_until": iso(item.marking.designated_until), "created_at": now}
            for item in items]
    links: list[tuple[object, str, list[dict[str, object]]]] = [
        (ITEM_COMPARTMENTS, "compartment", []), (ITEM_GROUPS, "group_id", []),
        (ITEM_ORGS, "org_id", []), (ITEM_USERS, "user_id", [])]
    for item in items:
        m = item.marking
        for (_table, column, out), values in zip(
                links, (m.compartments, m.group_ids, m.org_ids, m.user_ids), strict=True):
            out.extend({"item_id": item.id, column: value} for value in sorted(values))
    with engine.begin() as conn:
        if rows:
            conn.execute(SHARED_ITEMS.insert(), rows)
        for table, _column, out in links:
            if out:
                conn.execute(table.insert(), out)  # type: ignore[attr-defined]


def delete_items(engine: Engine, ids: Iterable[int]) -> None:
    """Remove items (their compartments and distribution first)."""
    ids = sorted(ids)
    if not ids:
        return
    with engine.begin() as conn:
        for table in (ITEM_COMPARTMENTS, ITEM_GROUPS, ITEM_ORGS, ITEM_USERS):
            conn.execute(delete(table).where(table.c.item_id.in_(ids)))
        conn.execute(delete(SHARED_ITEMS).where(SHARED_ITEMS.c.id.in_(ids)))
