"""The access matrix: every (user, item) pair of a fixture council, on every path that
shows items, agrees with the oracle ``may_read``.

The world: a ministry, a certified company, an uncertified company, a company whose
contract ended and a think tank; working groups; users of every role with clearances 1-3,
compartments, an expired or suspended account or clearance and an open break-glass access;
items across levels × compartments × distribution kinds × designation validity, created
through :class:`ItemStore` (a few designations then made to have ended). The oracle's
actors and markings are built from this declaration (not read back), so a path that reads
a user or an item wrongly fails too.

Paths: the store (get by public id, list with total and facets, search, notifications,
export as JSON lines and STIX), the JSON API on a real loopback server signed in with
``POST /api/v1/session`` (item by id, list, search, facets, notifications, export), the
item pages, and TAXII 2.1 through the taxii2-client library. An item the reader may not
see answers exactly as an id that does not exist.
"""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from access_world import PG_URL, own_postgres_url
from audit_env import private_audit_dir
from conftest import reset_postgres
from econsec.access.accounts import Accounts
from econsec.access.actions import Action, Role
from econsec.access.actor import Actor, Clearance
from econsec.access.policy import Marking, may_read
from econsec.audit.log import AuditLog
from econsec.errors import ForbiddenError, NotFoundError
from econsec.kb.engine import open_engine
from econsec.kb.models import SHARED_ITEMS
from econsec.settings import Settings
from econsec.sharing.export import export_items
from econsec.sharing.items import ItemStore
from econsec.sharing.models import ItemView, NewItem
from web_server import LiveServer, live_server

PASSWORD = "matrix-password-0123"
TODAY = datetime.now(UTC).date()
YESTERDAY = TODAY - timedelta(days=1)
NEXT_YEAR = TODAY + timedelta(days=365)


@dataclass(frozen=True)
class OrgSpec:
    name: str
    kind: str
    certified_until: date | None = None
    contract_until: date | None = None


@dataclass(frozen=True)
class UserSpec:
    name: str
    org: str
    roles: tuple[str, ...]
    level: int
    compartments: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    expires: date | None = None
    clearance_expires: date | None = None
    clearance_suspended: bool = False
    suspended: bool = False
    break_glass: bool = False


ORGS = (
    OrgSpec("mof", "government", contract_until=NEXT_YEAR),
    OrgSpec("acme", "company", certified_until=NEXT_YEAR, contract_until=NEXT_YEAR),
    OrgSpec("bolt", "company", certified_until=YESTERDAY, contract_until=NEXT_YEAR),
    OrgSpec("gone", "company", certified_until=NEXT_YEAR, contract_until=YESTERDAY),
    OrgSpec("think", "thinktank"),
)
GROUPS = ("council", "crm-wg", "semi-wg")
USERS = (
    UserSpec("gov3", "mof", ("analyst", "secretariat"), 3, ("CRM", "SEMI"),
             ("council", "crm-wg", "semi-wg")),
    UserSpec("acme3", "acme", ("member",), 3, ("CRM",), ("council", "crm-wg")),
    UserSpec("acme2", "acme", ("analyst",), 2, (), ("council", "semi-wg")),
    UserSpec("acme1", "acme", ("member",), 1, (), ("council",)),
    UserSpec("bolt3", "bolt", ("member",), 3, ("CRM",), ("crm-wg",)),
    UserSpec("think3", "think", ("member",), 3, ("CRM", "SEMI")),
    UserSpec("sec2", "mof", ("secretariat",), 2, ("SEMI",), ("council",)),
    UserSpec("gone2", "gone", ("member",), 2, (), ("council",)),
    UserSpec("expired2", "acme", ("member",), 2, (), ("council",), expires=YESTERDAY),
    UserSpec("suspended2", "acme", ("member",), 2, (), ("council",), suspended=True),
    UserSpec("clearsusp3", "acme", ("member",), 3, ("CRM",), ("council",),
             clearance_suspended=True),
    UserSpec("clearexp2", "mof", ("member",), 2, (), ("council",),
             clearance_expires=YESTERDAY),
    UserSpec("glass2", "mof", ("member", "admin"), 2, ("SEMI",), break_glass=True),
    UserSpec("auditor2", "mof", ("auditor",), 2, (), ("council",)),
    UserSpec("admin3", "mof", ("admin",), 3, ("CRM", "SEMI"), ("council",)),
)
#: Distribution kinds: what the item's create call names.
DISTRIBUTIONS: dict[str, dict[str, Any]] = {
    "all": {"to_all_members": True},
    "council": {"groups": ["council"]},
    "crm-wg": {"groups": ["crm-wg"]},
    "org-acme": {"orgs": ["acme"]},
    "user-acme1": {"users": ["acme1"]},
    "bolt+semi-wg": {"orgs": ["bolt"], "groups": ["semi-wg"]},
}
COMPARTMENT_SETS = ((), ("CRM",), ("CRM", "SEMI"))


@dataclass(frozen=True)
class ItemSpec:
    originator: str
    level: int
    compartments: tuple[str, ...]
    distribution: str
    designation: str | None = None

    @property
    def tag(self) -> str:
        """Words of the title that searches find: the level, distribution, designation."""
        comps = "-".join(self.compartments) or "open"
        return (f"lvl{self.level} comp{comps} dist{self.distribution.replace('+', '')} "
                f"desig{self.designation or 'na'}")


def _item_specs() -> list[ItemSpec]:
    """Levels 1-2 × compartments × distributions; level 3 × compartments × distributions
    with a designation in force; level 3 with no end and with an ended designation on one
    compartment; and items of a second originator."""
    specs = [ItemSpec("gov3", level, comps, dist, "future" if level == 3 else None)
             for level in (1, 2, 3) for comps in COMPARTMENT_SETS for dist in DISTRIBUTIONS]
    specs += [ItemSpec("gov3", 3, ("CRM",), dist, designation)
              for designation in ("none", "ended") for dist in DISTRIBUTIONS]
    # Items of another originator, sent to someone else: the originator still reads them.
    specs += [ItemSpec("acme2", level, (), dist) for level in (1, 2)
              for dist in ("user-acme1", "bolt+semi-wg")]
    return specs


class NoAudit:
    """An audit sink that keeps nothing: the store matrix checks what is shown, and
    thousands of audit records (each a chained write) would only slow it down; the
    audited paths are the API's, below, and tests/test_audit*."""

    def record(self, **_: Any) -> int:
        return 0


@dataclass
class World:
    engine: Any
    #: The store of the world, without auditing (see :class:`NoAudit`).
    store: ItemStore
    accounts: Accounts
    at: datetime
    user_ids: dict[str, int] = field(default_factory=dict)
    actors: dict[str, Actor] = field(default_factory=dict)
    #: item id -> (spec, marking, view as created)
    items: dict[str, tuple[ItemSpec, Marking, ItemView]] = field(default_factory=dict)

    def allowed(self, user: str) -> set[str]:
        """The oracle: the items ``user`` may read now."""
        actor = self.actors[user]
        return {item_id for item_id, (_s, marking, _v) in self.items.items()
                if may_read(actor, marking, self.at)}

    def reads_items(self, user: str) -> bool:
        """The roles grant item_read and the account is valid (else 403 on item paths)."""
        return self.actors[user].may(Action.ITEM_READ)

    def signs_in(self, user: str) -> bool:
        return self.actors[user].account_valid(TODAY)


def _oracle_actor(spec: UserSpec, user_id: int, org_ids: dict[str, int],
                  group_ids: dict[str, int], glass_until: datetime | None) -> Actor:
    org = next(o for o in ORGS if o.name == spec.org)
    return Actor(
        name=spec.name, user_id=user_id, org_id=org_ids[spec.org], org_name=org.name,
        org_kind=org.kind, roles=frozenset(Role(r) for r in spec.roles),
        clearance=Clearance(spec.level, frozenset(spec.compartments), issued=TODAY,
                            expires=spec.clearance_expires,
                            suspended=spec.clearance_suspended),
        groups=frozenset(group_ids[g] for g in spec.groups), account_expires=spec.expires,
        suspended=spec.suspended, org_certified_until=org.certified_until,
        org_contract_until=org.contract_until, break_glass_until=glass_until)


def _build(url: str) -> World:
    engine = open_engine(url)
    accounts = Accounts(engine)
    org_ids = {o.name: accounts.add_org(o.name, kind=o.kind, certified_until=o.certified_until,
                                        contract_until=o.contract_until) for o in ORGS}
    group_ids = {g: accounts.add_group(g) for g in GROUPS}
    user_ids: dict[str, int] = {}
    for u in USERS:
        user_ids[u.name] = accounts.add_user(
            u.name, org=u.org, roles=u.roles, password=PASSWORD, clearance_level=u.level,
            compartments=u.compartments, groups=u.groups, expires=u.expires,
            clearance_expires=u.clearance_expires)
        if u.clearance_suspended:
            accounts.set_clearance(u.name, level=u.level, compartments=u.compartments,
                                   expires=u.clearance_expires, suspended=True)
        if u.suspended:
            accounts.suspend_user(u.name)
    glass = {u.name: accounts.open_break_glass(
        user_ids[u.name], "matrix test: emergency access to council items", 60)
        for u in USERS if u.break_glass}
    at = datetime.now(UTC).replace(microsecond=0)
    creator = ItemStore(engine, Settings(), AuditLog(engine))
    world = World(engine, ItemStore(engine, Settings(), NoAudit()), accounts, at, user_ids)
    for u in USERS:
        world.actors[u.name] = _oracle_actor(u, user_ids[u.name], org_ids, group_ids,
                                             glass.get(u.name))
        built = accounts.actor(user_ids[u.name], at=at)
        assert built.visibility_key(at) == world.actors[u.name].visibility_key(at), u.name
    ended: list[str] = []
    for spec in _item_specs():
        dist = DISTRIBUTIONS[spec.distribution]
        until: date | str | None = {"none": "none", "future": NEXT_YEAR,
                                    "ended": TODAY + timedelta(days=1), None: None
                                    }[spec.designation]
        view = creator.create(accounts.actor_by_name(spec.originator, at=at), NewItem(
            kind="report", title=f"Matrix {spec.tag}", summary=f"summary {spec.tag}",
            body=f"bodytext lvl{spec.level}", level=spec.level, tlp="amber",
            compartments=list(spec.compartments), designated_until=until, **dist), at=at)
        if spec.designation == "ended":
            ended.append(view.id)
        marking = Marking(
            level=spec.level, compartments=frozenset(spec.compartments),
            group_ids=frozenset(group_ids[g] for g in dist.get("groups", ())),
            org_ids=frozenset(org_ids[o] for o in dist.get("orgs", ())),
            user_ids=frozenset(user_ids[n] for n in dist.get("users", ())),
            to_all_members=bool(dist.get("to_all_members")),
            originator_user_id=user_ids[spec.originator],
            designated_until=YESTERDAY if spec.designation == "ended" else (
                NEXT_YEAR if spec.designation == "future" else None))
        world.items[view.id] = (spec, marking, view)
    with engine.begin() as conn:  # time passes: these designations have ended
        conn.execute(update(SHARED_ITEMS).where(SHARED_ITEMS.c.uuid.in_(ended))
                     .values(designated_until=YESTERDAY.isoformat()))
    return world


@pytest.fixture(scope="module")
def world_server(built_db: Path, tmp_path_factory: pytest.TempPathFactory
                 ) -> Iterator[tuple[World, LiveServer]]:
    folder = tmp_path_factory.mktemp("matrix")
    db = folder / "econsec.db"
    shutil.copy(built_db, db)
    with private_audit_dir(folder / "audit"):
        world = _build(f"sqlite:///{db}")
        with live_server(db) as server:
            yield world, server
    world.engine.dispose()


@pytest.fixture(scope="module")
def world(world_server: tuple[World, LiveServer]) -> World:
    return world_server[0]


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres",
                                                               marks=pytest.mark.postgres)])
def store_world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
                ) -> Iterator[World]:
    """The world of the server (SQLite), and the same world on PostgreSQL (a database of
    its own) for the store's paths."""
    if request.param == "sqlite":
        yield request.getfixturevalue("world")
        return
    if not PG_URL:
        pytest.skip("ECONSEC_TEST_POSTGRES_URL not set")
    url = own_postgres_url("econsec_access_matrix")
    reset_postgres(url)
    with private_audit_dir(tmp_path_factory.mktemp("matrix-pg-audit")):
        world = _build(url)
        yield world
    world.engine.dispose()


@pytest.fixture(scope="module")
def clients(world_server: tuple[World, LiveServer]) -> Iterator[dict[str, httpx.Client]]:
    """One signed-in session per user who can sign in."""
    world, server = world_server
    found: dict[str, httpx.Client] = {}
    wrong = httpx.post(server.url + "/api/v1/session",
                       json={"name": "acme1", "password": PASSWORD + "x"})
    assert wrong.status_code == 401
    for u in USERS:
        client = httpx.Client(base_url=server.url, timeout=30)
        answer = client.post("/api/v1/session", json={"name": u.name, "password": PASSWORD})
        if world.signs_in(u.name):
            assert answer.status_code == 200, (u.name, answer.text)
            client.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
            found[u.name] = client
        else:  # suspended, expired account or contract: refused, and nothing said why
            assert answer.status_code == 401, (u.name, answer.text)
            assert answer.text == wrong.text
            assert client.get("/api/v1/items").status_code == 401
            client.close()
    yield found
    for client in found.values():
        client.close()


#: A public id no item has (an item's public id is a random UUID4), as a STIX UUID too.
MISSING = "3f0c9d4e-8a41-4b7e-9c2d-5e6f7a8b9c0d"
UNKNOWN_UUID = MISSING


def _same_as_missing(hidden: httpx.Response, missing: httpx.Response, item_id: str) -> None:
    """A hidden item's answer equals a missing id's byte for byte, but for the id itself
    (every public id has the same length, so the lengths agree too)."""
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content.replace(MISSING.encode(), item_id.encode())
    for header in ("content-type", "content-length"):
        assert hidden.headers.get(header) == missing.headers.get(header)


def _facets(world: World, ids: set[str]) -> dict[str, dict[str, int]]:
    views = [world.items[i][2] for i in ids]
    groups: Counter[str] = Counter(g for v in views for g in v.groups)
    return {"kind": dict(Counter(v.kind for v in views)),
            "level": {str(k): n for k, n in Counter(v.level for v in views).items()},
            "tlp": dict(Counter(v.tlp for v in views)), "group": dict(groups)}


def _page_facets(facets: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    return {name: {k: n for k, n in counts.items() if n} for name, counts in facets.items()}


# --- the world is what it should be --------------------------------------------------

def test_the_world_spans_the_matrix(store_world: World) -> None:
    """Readers see different, non-trivial sets; nobody sees everything; the items whose
    designation ended, and the invalid readers, see nothing."""
    world = store_world
    seen = {u.name: world.allowed(u.name) for u in USERS}
    assert len(world.items) >= 60
    assert len({frozenset(s) for s in seen.values()}) >= 8
    assert all(len(s) < len(world.items) for s in seen.values())
    for name in ("gone2", "expired2", "suspended2", "clearsusp3", "clearexp2"):
        assert seen[name] == set()
    ended = {i for i, (spec, _m, _v) in world.items.items() if spec.designation == "ended"}
    assert ended and not ended & set().union(*seen.values())
    assert not any(world.items[i][1].level == 3 for i in seen["bolt3"])  # uncertified
    assert seen["glass2"] > {i for i in seen["glass2"] if world.items[i][1].to_all_members}


# --- the store ---------------------------------------------------------------------------

def test_store_matrix(store_world: World) -> None:
    """ItemStore.get for every (user, item) pair, list/total/facets and notifications for
    every user."""
    world = store_world
    checked = 0
    missing_message = None
    for u in USERS:
        actor = world.accounts.actor_by_name(u.name, at=world.at)
        allowed = world.allowed(u.name)
        if not world.reads_items(u.name):
            with pytest.raises(ForbiddenError):
                world.store.list(actor, at=world.at)
            for item_id in world.items:
                with pytest.raises(ForbiddenError):
                    world.store.get(actor, item_id, at=world.at)
            checked += len(world.items)
            continue
        for item_id in world.items:
            if item_id in allowed:
                assert world.store.get(actor, item_id, at=world.at).id == item_id
            else:
                with pytest.raises(NotFoundError) as hidden:
                    world.store.get(actor, item_id, at=world.at)
                with pytest.raises(NotFoundError) as missing:
                    world.store.get(actor, MISSING, at=world.at)
                shown = (str(hidden.value).replace(item_id, "ID"),
                         str(missing.value).replace(MISSING, "ID"))
                assert shown[0] == shown[1]
                missing_message = shown[1]
            checked += 1
        page = world.store.list(actor, at=world.at, limit=500)
        assert {v.id for v in page.items} == allowed
        assert page.total == len(allowed)
        assert _page_facets(page.facets) == _page_facets(_facets(world, allowed))
        for level in (1, 2, 3):
            assert world.store.list(actor, at=world.at, level=level, limit=500).total == sum(
                1 for i in allowed if world.items[i][1].level == level)
        notes = world.store.notifications(actor, since=world.at - timedelta(days=1),
                                          at=world.at, limit=500)
        assert {v.id for v in notes} == allowed
    assert missing_message
    assert checked == len(USERS) * len(world.items)


def test_store_search_never_reveals(store_world: World) -> None:
    """Searches by a word of the title, summary or body: the visible matches only, and a
    level-3 body (withheld) is never searched."""
    world = store_world
    for u in USERS:
        if not world.reads_items(u.name):
            continue
        actor = world.accounts.actor_by_name(u.name, at=world.at)
        allowed = world.allowed(u.name)
        for word, matches in (
                ("matrix", lambda s: True),
                ("distorg-acme", lambda s: s.distribution == "org-acme"),
                ("compcrm-semi", lambda s: s.compartments == ("CRM", "SEMI")),
                ("desigended", lambda s: s.designation == "ended"),
                ("bodytext", lambda s: s.level < 3)):
            page = world.store.list(actor, at=world.at, query=word, limit=500)
            expected = {i for i in allowed if matches(world.items[i][0])}
            assert {v.id for v in page.items} == expected, (u.name, word)
            assert page.total == len(expected)


def test_store_export(store_world: World) -> None:
    """The export (what ``econsec items export`` writes) holds exactly the visible items,
    as JSON lines and as STIX reports."""
    world = store_world
    by_uuid = {view.id: item_id for item_id, (_s, _m, view) in world.items.items()}
    for u in USERS:
        actor = world.accounts.actor_by_name(u.name, at=world.at)
        if not actor.may(Action.ITEM_EXPORT):
            with pytest.raises(ForbiddenError):
                export_items(world.store, world.store.audit, actor, "jsonl", at=world.at,
                             via="test")
            continue
        allowed = world.allowed(u.name)
        text, count = export_items(world.store, world.store.audit, actor, "jsonl",
                                   at=world.at, via="test")
        assert {json.loads(line)["id"] for line in text.splitlines()} == allowed
        assert count == len(allowed)
        text, count = export_items(world.store, world.store.audit, actor, "stix",
                                   at=world.at, via="test")
        reports = [o for o in json.loads(text).get("objects", []) if o["type"] == "report"]
        assert {by_uuid[o["id"].removeprefix("report--")] for o in reports} == allowed


# --- the JSON API on a real server ------------------------------------------------------

def test_api_matrix(world: World, clients: dict[str, httpx.Client]) -> None:
    """GET /api/v1/items/{id} for every (user, item) pair; the list, its total and facets,
    searches, notifications and the export for every user."""
    checked = 0
    by_uuid = {view.id: item_id for item_id, (_s, _m, view) in world.items.items()}
    for name, client in clients.items():
        allowed = world.allowed(name)
        missing = client.get(f"/api/v1/items/{MISSING}")
        if not world.reads_items(name):
            assert missing.status_code == 403
            assert client.get("/api/v1/items").status_code == 403
            for item_id in sorted(world.items)[::7]:  # refused before any item is read
                assert client.get(f"/api/v1/items/{item_id}").status_code == 403
            continue
        for item_id in world.items:
            answer = client.get(f"/api/v1/items/{item_id}")
            if item_id in allowed:
                assert answer.status_code == 200, (name, item_id, answer.text)
                body = answer.json()
                assert body["id"] == item_id
                assert (body["body"] is None) == (body["level"] == 3) == body["body_withheld"]
            else:
                _same_as_missing(answer, missing, item_id)
            checked += 1
        page = client.get("/api/v1/items", params={"limit": 500}).json()
        assert {v["id"] for v in page["items"]} == allowed
        assert page["total"] == len(allowed)
        for level in (1, 2, 3):
            assert client.get("/api/v1/items", params={"level": level}).json()["total"] == sum(
                1 for i in allowed if world.items[i][1].level == level)
        assert _page_facets(page["facets"]) == _page_facets(_facets(world, allowed))
        found = client.get("/api/v1/items", params={"q": "distcouncil", "limit": 500}).json()
        assert {v["id"] for v in found["items"]} == {
            i for i in allowed if world.items[i][0].distribution == "council"}
        notes = client.get("/api/v1/notifications",
                           params={"since": (world.at - timedelta(hours=1)).isoformat()})
        assert {v["id"] for v in notes.json()["items"]} == set(
            [i for i in world.items if i in allowed][-100:])  # the newest 100
        lines = client.get("/api/v1/items/export", params={"format": "jsonl"})
        assert lines.status_code == 200
        assert {json.loads(line)["id"] for line in lines.text.splitlines()} == allowed
        bundle = client.get("/api/v1/items/export", params={"format": "stix"}).json()
        assert {by_uuid[o["id"].removeprefix("report--")] for o in bundle.get("objects", [])
                if o["type"] == "report"} == allowed
    assert checked == sum(world.reads_items(n) for n in clients) * len(world.items)


def test_api_writes_never_reveal(world: World, clients: dict[str, httpx.Client]) -> None:
    """Regrading an item one may not see, or deriving a new item from it, answers exactly
    as for an id that does not exist, for every hidden item (and changes nothing)."""
    for name, action in (("sec2", "regrade"), ("acme2", "derive"), ("gov3", "derive")):
        client = clients[name]

        def attempt(item_id: str, client: httpx.Client = client, action: str = action
                    ) -> httpx.Response:
            if action == "regrade":
                return client.post(f"/api/v1/items/{item_id}/regrade",
                                   json={"level": 1, "reason": "matrix: try a hidden item"})
            return client.post("/api/v1/items", json={
                "kind": "report", "title": "derived", "level": 2, "tlp": "amber",
                "to_all_members": True, "derived_from": item_id})

        missing = attempt(MISSING)
        hidden = sorted(set(world.items) - world.allowed(name))
        assert hidden
        for item_id in hidden:
            _same_as_missing(attempt(item_id), missing, item_id)
    assert client.get("/api/v1/items", params={"limit": 500}).json()["total"] == len(
        world.allowed("gov3"))


# --- TAXII 2.1 ---------------------------------------------------------------------------

def test_taxii_matrix(world_server: tuple[World, LiveServer],
                      clients: dict[str, httpx.Client]) -> None:
    """Through the taxii2-client library with each user's session (and one user's
    password, HTTP Basic): the "all my items" collection holds exactly the visible items'
    reports, each group collection the visible items of that group; an item hidden from
    the reader answers by id as an unknown one; no credentials 401."""
    from requests import HTTPError, PreparedRequest
    from requests.auth import AuthBase
    from taxii2client.v21 import ApiRoot, as_pages

    from econsec.web.api.taxii import group_collection_id
    from econsec.web.auth import SESSION_COOKIE

    class Session(AuthBase):
        def __init__(self, cookie: str) -> None:
            self.cookie = cookie

        def __call__(self, request: PreparedRequest) -> PreparedRequest:
            request.headers["Cookie"] = f"{SESSION_COOKIE}={self.cookie}"
            return request

    world, server = world_server
    by_uuid = {view.id: item_id for item_id, (_s, _m, view) in world.items.items()}
    root_url = f"{server.url}/taxii2/api/"
    assert httpx.get(root_url + "collections/").status_code == 401

    def reports_of(collection: Any) -> set[str]:
        found: set[str] = set()
        for envelope in as_pages(collection.get_objects, per_request=100):
            found |= {by_uuid[o["id"].removeprefix("report--")]
                      for o in envelope.get("objects", []) if o["type"] == "report"}
        return found

    basic = ApiRoot(root_url, user="acme3", password=PASSWORD)
    assert reports_of(basic.collections[0]) == world.allowed("acme3")
    for name, client in clients.items():
        cookie = client.cookies.get(SESSION_COOKIE)
        assert cookie
        root = ApiRoot(root_url, auth=Session(cookie))
        allowed = world.allowed(name)
        if not world.actors[name].may(Action.ITEM_EXPORT):
            with pytest.raises(HTTPError) as refused:
                root.collections[0].get_objects()
            assert refused.value.response.status_code == 403
            continue
        titles = []
        for collection in root.collections:
            group = next((g for g in GROUPS if group_collection_id(g) == collection.id), None)
            expected = allowed if group is None else {
                i for i in allowed if group in world.items[i][2].groups}
            assert reports_of(collection) == expected, (name, collection.title)
            titles.append(group)
        assert titles == [None, *sorted(next(u for u in USERS if u.name == name).groups)]
        everything = f"/taxii2/api/collections/{root.collections[0].id}/objects/"
        missing = client.get(f"{everything}report--{UNKNOWN_UUID}/")
        unknown_versions = client.get(f"{everything}report--{UNKNOWN_UUID}/versions/")
        manifest = everything.replace("/objects/", "/manifest/")
        unknown_match = [client.get(path, params={"match[id]": f"report--{UNKNOWN_UUID}"})
                         for path in (everything, manifest)]
        for item_id in sorted(set(world.items) - allowed)[::20]:  # each answer builds STIX
            uuid = world.items[item_id][2].id
            hidden = client.get(f"{everything}report--{uuid}/")
            assert hidden.status_code == missing.status_code == 404
            assert hidden.text == missing.text.replace(UNKNOWN_UUID, uuid)
            versions = client.get(f"{everything}report--{uuid}/versions/")
            assert versions.status_code == unknown_versions.status_code
            assert versions.text == unknown_versions.text.replace(UNKNOWN_UUID, uuid)
            for path, unknown in zip((everything, manifest), unknown_match, strict=True):
                matched = client.get(path, params={"match[id]": f"report--{uuid}"})
                assert (matched.status_code, matched.text) == (unknown.status_code,
                                                               unknown.text)


# --- the pages ---------------------------------------------------------------------------

ITEM_LINK = re.compile(r'<a href="/items/([0-9a-f-]{36})">')
VISIBLE = re.compile(r"(\d+) item\(s\) visible to you")
GROUP_FACET = re.compile(r'group=([\w-]+)">[^<]*</a> \((\d+)\)')


def test_page_matrix(world: World, clients: dict[str, httpx.Client]) -> None:
    """/items/{id} for every (user, item) pair (a hidden item's page is the missing id's
    page); /items: the count, the group facets and the listed items, page by page."""
    checked = 0
    for name, client in clients.items():
        allowed = world.allowed(name)
        missing = client.get(f"/items/{MISSING}")
        listing = client.get("/items")
        if not world.reads_items(name):
            assert listing.status_code != 200 and not ITEM_LINK.search(listing.text)
            for item_id in sorted(world.items)[::7]:
                answer = client.get(f"/items/{item_id}")
                assert answer.status_code != 200 and world.items[item_id][2].title \
                    not in answer.text
            continue
        for item_id, (_spec, _marking, view) in world.items.items():
            answer = client.get(f"/items/{item_id}")
            if item_id in allowed:
                assert answer.status_code == 200 and view.title in answer.text, (name, item_id)
            else:
                _same_as_missing(answer, missing, item_id)
                assert view.title not in answer.text
            checked += 1
        count = VISIBLE.search(listing.text)
        assert count and int(count.group(1)) == len(allowed)
        groups = _page_facets(_facets(world, allowed))["group"]
        assert dict((g, int(n)) for g, n in GROUP_FACET.findall(listing.text)) == groups
        listed: set[str] = set()
        for offset in range(0, len(allowed), 25):
            page = client.get("/items", params={"offset": offset})
            listed |= set(ITEM_LINK.findall(page.text))
        assert listed == allowed
    assert checked == sum(world.reads_items(n) for n in clients) * len(world.items)
