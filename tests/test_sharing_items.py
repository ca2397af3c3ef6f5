"""Shared items (econsec.sharing.items): create with the whole marking, read, list, search,
facets, regrade, derive (no write-down), notifications, level-3 bodies, bad input, on a
real SQLite file (the bundled knowledge base) and on PostgreSQL (a private database), plus
the CLI and the API on a real loopback server with users signed in."""

from __future__ import annotations

import json
import os
import re
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

from conftest import reset_postgres, run_cli
from econsec.access.accounts import Accounts
from econsec.access.actor import LOCAL_ACTOR, Actor
from econsec.audit.log import AuditLog
from econsec.errors import ForbiddenError, NotFoundError, ValidationError
from econsec.kb.engine import open_engine
from econsec.settings import Settings
from econsec.sharing.items import ItemStore
from econsec.sharing.models import ItemView, NewItem
from web_server import live_server

PG_URL = os.environ.get("ECONSEC_TEST_POSTGRES_URL")
PASSWORD = "correct horse battery staple"
#: name -> (organisation, roles, clearance level, compartments, groups)
USERS = {
    "sec": ("meti", ["secretariat"], 3, ["chips"], []),
    "ana": ("acme", ["analyst"], 2, [], ["wg-chips"]),
    "mem": ("globex", ["member"], 2, [], ["wg-energy"]),
    "low": ("globex", ["member"], 1, [], ["wg-chips"]),
    "cleared": ("acme", ["analyst"], 3, ["chips"], ["wg-chips"]),
    "aud": ("meti", ["auditor"], 3, [], []),
}


@dataclass
class World:
    engine: Engine
    store: ItemStore
    #: The same database with level-3 bodies enabled.
    open_store: ItemStore
    audit: AuditLog
    accounts: Accounts
    #: Knowledge-base links the database can resolve (the bundled data on SQLite).
    links: list[str]
    db: Path | None = None

    def actor(self, name: str) -> Actor:
        return self.accounts.actor_by_name(name, at=now())


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def token() -> str:
    return "tok" + uuid.uuid4().hex[:10]


def own_postgres(name: str) -> str:
    assert PG_URL
    url = make_url(PG_URL)
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                        {"n": name}).first() is None:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def seed(engine: Engine) -> Accounts:
    accounts = Accounts(engine)
    accounts.add_org("meti", kind="government")
    accounts.add_org("acme", certified_until=date.today() + timedelta(days=365))
    accounts.add_org("globex")
    accounts.add_group("wg-chips")
    accounts.add_group("wg-energy")
    for name, (org, roles, level, compartments, groups) in USERS.items():
        accounts.add_user(name, org=org, roles=roles, password=PASSWORD,
                          clearance_level=level, compartments=compartments, groups=groups)
    return accounts


def make_world(engine: Engine, links: list[str], db: Path | None = None) -> World:
    accounts = seed(engine)
    audit = AuditLog(engine)
    return World(engine, ItemStore(engine, Settings(level3_bodies=False), audit),
                 ItemStore(engine, Settings(level3_bodies=True), audit), audit, accounts,
                 links, db)


@pytest.fixture(scope="module", params=[
    "sqlite", pytest.param("postgres", marks=[
        pytest.mark.postgres,
        pytest.mark.skipif(not PG_URL, reason="ECONSEC_TEST_POSTGRES_URL not set")])])
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[World]:
    tmp = tmp_path_factory.mktemp("items")
    with pytest.MonkeyPatch.context() as env:  # this module's own audit key and anchors
        env.setenv("ECONSEC_AUDIT_DIR", str(tmp / "audit"))
        env.delenv("ECONSEC_AUDIT_KEY", raising=False)
        if request.param == "sqlite":
            built: Path = request.getfixturevalue("built_db")
            db = tmp / "econsec.db"
            shutil.copy(built, db)
            engine = open_engine(f"sqlite:///{db}")
            with engine.connect() as conn:
                commodity = conn.execute(text("SELECT id FROM items ORDER BY id")).scalar()
            yield make_world(engine, ["country:CHN", "hs:811292", f"commodity:{commodity}"],
                             db)
        else:
            url = own_postgres("econsec_items")
            reset_postgres(url)
            engine = open_engine(url)
            yield make_world(engine, [])
        engine.dispose()


def share(world: World, who: str, **fields: Any) -> ItemView:
    fields.setdefault("title", "Item " + token())
    fields.setdefault("level", 2)
    fields.setdefault("tlp", "amber")
    if fields["level"] == 3:
        fields.setdefault("designated_until", "none")
    return world.store.create(world.actor(who), NewItem(**fields), at=now())


def not_found_text(exc: pytest.ExceptionInfo[NotFoundError], item_id: int | str) -> str:
    return str(exc.value).replace(str(item_id), "ID")


# -- create / get -------------------------------------------------------------------------


def test_create_and_read_back(world: World) -> None:
    view = share(world, "sec", title="Gallium export controls", summary="tear line",
                 body="China restricts gallium exports.", groups=["wg-chips"],
                 caveats="no onward sharing", links=world.links,
                 review_on=date.today() + timedelta(days=90))
    assert view.originator == "sec" and view.originator_org == "meti"
    assert view.groups == ["wg-chips"] and view.level == 2 and view.tlp == "amber"
    assert view.links == sorted(world.links)
    read = world.store.get(world.actor("ana"), view.id, at=now())
    assert read == view
    assert uuid.UUID(view.id).version == 4 and str(uuid.UUID(view.id)) == view.id
    assert world.store.get(world.actor("ana"), view.id.upper(), at=now()) == view
    assert read.body == "China restricts gallium exports." and not read.body_withheld


def test_invisible_item_is_not_found_like_a_missing_id(world: World) -> None:
    hidden = share(world, "sec", groups=["wg-chips"])  # level 2: not for low (level 1)
    secret = share(world, "sec", level=3, compartments=["chips"], users=["sec"])
    other_org = share(world, "sec", orgs=["globex"])  # not for ana (acme)
    missing = str(uuid.uuid4())
    with pytest.raises(NotFoundError) as gone:
        world.store.get(world.actor("ana"), missing, at=now())
    for who, item in (("low", hidden), ("ana", secret), ("ana", other_org),
                      ("cleared", secret), ("mem", hidden)):
        with pytest.raises(NotFoundError) as refused:
            world.store.get(world.actor(who), item.id, at=now())
        assert not_found_text(refused, item.id) == not_found_text(gone, missing)
        assert refused.value.msgid == gone.value.msgid
        assert str(refused.value) == str(gone.value).replace(missing, item.id)
    # integer keys (old sequential ids) and anything else that is not a UUID: not found
    for impossible in ("0", "1", "-1", str(2**31), str(2**63), "x", "\x00", secret.id + "0"):
        with pytest.raises(NotFoundError):
            world.store.get(world.actor("sec"), impossible, at=now())
    denials = [r for r in world.audit.page(limit=20, action="deny")
               if r.resource in (f"item:{secret.id}", f"item:{missing}")]
    assert {r.resource for r in denials} == {f"item:{secret.id}", f"item:{missing}"}
    assert world.audit.verify().ok


def test_counts_facets_and_search_show_only_visible_items(world: World) -> None:
    tag = token()
    made = {
        "chips2": share(world, "sec", title=f"{tag} chips", groups=["wg-chips"]),
        "secret": share(world, "sec", title=f"{tag} secret", level=3, tlp="red",
                        compartments=["chips"], users=["sec"], kind="alert"),
        "public": share(world, "sec", title=f"{tag} public", level=1, tlp="clear",
                        to_all_members=True),
        "globex": share(world, "sec", title=f"{tag} globex", tlp="green", orgs=["globex"],
                        groups=["wg-energy"], kind="analysis"),
    }
    expected = {"sec": set(made), "ana": {"chips2", "public"}, "mem": {"public", "globex"},
                "low": {"public"}, "cleared": {"chips2", "public"}}
    for who, names in expected.items():
        page = world.store.list(world.actor(who), at=now(), query=tag)
        assert {v.id for v in page.items} == {made[n].id for n in names}, who
        assert page.total == len(names)
        for facet in ("kind", "level", "tlp"):
            assert sum(page.facets[facet].values()) == page.total
        assert page.facets["tlp"] == {t: sum(1 for n in names if made[n].tlp == t)
                                      for t in {made[n].tlp for n in names}}
        groups = {g for n in names for g in made[n].groups}
        assert set(page.facets["group"]) == groups
    # paging keeps the total of everything visible
    page = world.store.list(world.actor("sec"), at=now(), query=tag, limit=1, offset=1)
    assert page.total == 4 and len(page.items) == 1
    # filters are applied in the same query
    assert world.store.list(world.actor("sec"), at=now(), query=tag, level=3).total == 1
    assert world.store.list(world.actor("mem"), at=now(), query=tag, level=3).total == 0
    assert world.store.list(world.actor("sec"), at=now(), query=tag, kind="analysis",
                            group="wg-energy").total == 1
    assert world.store.list(world.actor("ana"), at=now(), query=tag, tlp="TLP:GREEN"
                            ).total == 0
    # the local operator (no users) has no items
    assert world.store.list(LOCAL_ACTOR, at=now()).total == 0


def test_level3_bodies_off_and_on(world: World) -> None:
    word = token()
    item = share(world, "sec", level=3, compartments=["chips"], groups=["wg-chips"],
                 summary="tear-line summary", body=f"designated details {word}",
                 tlp="amber+strict")
    closed = world.store.get(world.actor("cleared"), item.id, at=now())
    assert closed.body is None and closed.body_withheld
    assert closed.summary == "tear-line summary"
    opened = world.open_store.get(world.actor("cleared"), item.id, at=now())
    assert opened.body == f"designated details {word}" and not opened.body_withheld
    # search: the body of a level-3 item is not searched while bodies are off
    assert world.store.list(world.actor("sec"), at=now(), query=word).total == 0
    assert world.open_store.list(world.actor("sec"), at=now(), query=word).total == 1
    # a level-2 body is searched either way (case-insensitive, wildcards literal)
    lower = share(world, "sec", groups=["wg-chips"], body=f"Body {word.upper()} 100%")
    hits = world.store.list(world.actor("ana"), at=now(), query=word)
    assert [v.id for v in hits.items] == [lower.id]
    assert world.store.list(world.actor("ana"), at=now(), query=f"{word}_").total == 0
    assert world.store.list(world.actor("mem"), at=now(), query=word).total == 0


def test_regrade_is_recorded_and_keeps_the_distribution(world: World) -> None:
    item = share(world, "sec", groups=["wg-chips"], orgs=["acme"])
    low = world.actor("low")
    with pytest.raises(NotFoundError):
        world.store.get(low, item.id, at=now())
    down = world.store.regrade(world.actor("sec"), item.id, to_level=1,
                               reason="released by the council on review", at=now())
    assert down.level == 1 and down.groups == ["wg-chips"] and down.orgs == ["acme"]
    assert [(r.from_level, r.to_level, r.by) for r in down.regrades] == [(2, 1, "sec")]
    assert world.store.get(low, item.id, at=now()).regrades[0].reason.startswith("released")
    with pytest.raises(ForbiddenError):  # an analyst has no item_regrade
        world.store.regrade(world.actor("ana"), item.id, to_level=2,
                            reason="should go back up again", at=now())
    with pytest.raises(ValidationError, match="at least 10"):
        world.store.regrade(world.actor("sec"), item.id, to_level=2, reason="short",
                            at=now())
    with pytest.raises(ValidationError, match="already at level 1"):
        world.store.regrade(world.actor("sec"), item.id, to_level=1,
                            reason="no change at all here", at=now())
    # an item the regrader may not see is "not found"
    other = share(world, "cleared", level=3, compartments=["chips"], groups=["wg-chips"])
    with pytest.raises(NotFoundError):
        world.store.regrade(world.actor("sec"), other.id, to_level=2,
                            reason="downgrade without seeing it", at=now())
    assert world.store.get(world.actor("cleared"), other.id, at=now()).level == 3


def test_an_ended_designation_hides_the_item_until_it_is_redesignated(world: World) -> None:
    today = date.today()
    item = share(world, "sec", level=3, compartments=["chips"], groups=["wg-chips"],
                 designated_until=today + timedelta(days=1))
    later = now() + timedelta(days=3)
    sec, cleared = world.actor("sec"), world.actor("cleared")
    for who in (sec, cleared):
        with pytest.raises(NotFoundError):
            world.store.get(who, item.id, at=later)
    with pytest.raises(ValidationError, match="designation ended"):
        world.store.regrade(sec, item.id, to_level=3, reason="keep it designated", at=later)
    with pytest.raises(ForbiddenError):  # re-designating is a regrade: the role is needed
        world.store.regrade(world.actor("cleared"), item.id, to_level=3,
                            reason="an analyst without the role", at=later,
                            designated_until=today + timedelta(days=30))
    redesignated = world.store.regrade(sec, item.id, to_level=3, at=later,
                                       reason="designation renewed by the minister",
                                       designated_until=today + timedelta(days=30))
    assert redesignated.designated_until == today + timedelta(days=30)
    assert world.store.get(cleared, item.id, at=later).regrades[-1].to_level == 3
    with pytest.raises(ValidationError, match="level-3 items only"):
        world.store.regrade(sec, item.id, to_level=2, reason="declassified to council",
                            at=later, designated_until=today + timedelta(days=60))
    down = world.store.regrade(sec, item.id, to_level=2, reason="declassified to council",
                               at=later)
    assert down.level == 2 and down.designated_until is None



def test_raising_to_level_3_states_the_designation(world: World) -> None:
    """A regrade up to level 3 needs designated_until (a date) or 'none' with a review
    date; nothing is stored when it is refused."""
    sec, cleared = world.actor("sec"), world.actor("cleared")
    item = share(world, "sec", compartments=["chips"], groups=["wg-chips"])
    why = "designated by the minister"
    for designation, review in ((None, None), ("none", None)):
        with pytest.raises(ValidationError, match="needs designated_until") as refused:
            world.store.regrade(sec, item.id, to_level=3, reason=why, at=now(),
                                designated_until=designation, review_on=review)
        assert refused.value.location.column == "designated_until"
    assert world.store.get(cleared, item.id, at=now()).level == 2
    with pytest.raises(ValidationError, match=r"review_on .* is in the past"):
        world.store.regrade(sec, item.id, to_level=3, reason=why, at=now(),
                            designated_until="none",
                            review_on=date.today() - timedelta(days=1))
    review = date.today() + timedelta(days=180)
    up = world.store.regrade(sec, item.id, to_level=3, reason=why, at=now(),
                             designated_until="none", review_on=review)
    assert up.level == 3 and up.designated_until is None and up.review_on == review
    other = share(world, "sec", compartments=["chips"], groups=["wg-chips"])
    until = date.today() + timedelta(days=365)
    dated = world.store.regrade(sec, other.id, to_level=3, reason=why, at=now(),
                                designated_until=until)
    assert dated.designated_until == until
    record = world.audit.page(limit=1, action="regrade")[0]
    assert record.resource == f"item:{other.id}"
    assert record.details()["designated_until"] == until.isoformat()


def test_only_government_lowers_a_level_3_item(world: World) -> None:
    """A company's secretariat may raise an item to level 3 but not lower one from it
    (403, audited); a hidden level-3 item stays "not found" for it."""
    name = "csec" + token()
    world.accounts.add_user(name, org="acme", roles=["secretariat"], password=PASSWORD,
                            clearance_level=3, compartments=["chips"], groups=["wg-chips"])
    csec = world.actor(name)
    assert csec.org_kind == "company" and csec.effective_level(date.today()) == 3
    item = share(world, "sec", level=3, compartments=["chips"], groups=["wg-chips"],
                 designated_until=date.today() + timedelta(days=30))
    for level in (2, 1):
        with pytest.raises(ForbiddenError, match="government staff"):
            world.store.regrade(csec, item.id, to_level=level, at=now(),
                                reason="the company wants it lower")
    assert world.store.get(csec, item.id, at=now()).level == 3
    denied = world.audit.page(limit=1, action="deny", actor_name=name)[0]
    assert denied.resource == f"item:{item.id}" and denied.details()["from"] == 3
    hidden = share(world, "sec", level=3, compartments=["chips"], users=["sec"])
    with pytest.raises(NotFoundError):  # not 403: that would tell it exists
        world.store.regrade(csec, hidden.id, to_level=2, at=now(),
                            reason="the company wants it lower")
    raised = world.store.regrade(  # raising is not lifting a designation
        csec, share(world, "sec", compartments=["chips"], groups=["wg-chips"]).id,
        to_level=3, at=now(), reason="more protection needed",
        designated_until=date.today() + timedelta(days=90))
    assert raised.level == 3
    down = world.store.regrade(world.actor("sec"), item.id, to_level=2, at=now(),
                               reason="designation lifted by the ministry")
    assert down.level == 2

def test_no_write_down_when_deriving(world: World) -> None:
    source = share(world, "cleared", level=3, compartments=["chips"], groups=["wg-chips"])
    with pytest.raises(NotFoundError):  # ana (level 2) cannot see the source
        share(world, "ana", groups=["wg-chips"], derived_from=source.id)
    with pytest.raises(ValidationError, match="level 3 item cannot be saved into a level 2"):
        share(world, "cleared", groups=["wg-chips"], derived_from=source.id)
    with pytest.raises(ValidationError, match="compartments chips"):
        share(world, "cleared", level=3, groups=["wg-chips"], derived_from=source.id)
    child = share(world, "cleared", level=3, compartments=["chips"], groups=["wg-chips"],
                  derived_from=source.id)
    assert child.derived_from == source.id



def test_derived_from_is_shown_only_to_readers_of_the_source(world: World) -> None:
    """The source's id is shown (store, list, notifications, exports, STIX, CLI, API, page)
    only to a reader who may read the source itself."""
    from econsec.sharing.export import export_items

    before = now() - timedelta(seconds=2)
    source = share(world, "cleared", users=["cleared"])  # ana is not named: hidden from her
    child = share(world, "cleared", groups=["wg-chips"], derived_from=source.id,
                  title="Child " + token())
    ana, cleared = world.actor("ana"), world.actor("cleared")
    assert world.store.get(cleared, child.id, at=now()).derived_from == source.id
    assert world.store.get(ana, child.id, at=now()).derived_from is None
    listed = world.store.list(ana, at=now(), query=child.title).items
    assert [v.derived_from for v in listed] == [None]
    assert [v.derived_from for v in world.store.list(
        cleared, at=now(), query=child.title).items] == [source.id]
    noted = [v for v in world.store.notifications(ana, since=before, at=now())
             if v.id == child.id]
    assert noted and noted[0].derived_from is None
    for fmt in ("jsonl", "stix"):
        text_, _count = export_items(world.store, world.audit, ana, fmt, at=now(), via="test")
        assert child.id in text_ and source.id not in text_, fmt
    if world.db is None:
        return
    env = {"ECONSEC_AUDIT_DIR": os.environ["ECONSEC_AUDIT_DIR"]}
    shown = run_cli("items", "show", child.id, "--as", "ana", db=world.db, env=env)
    assert child.id in shown.stdout and source.id not in shown.stdout
    with live_server(world.db, warm_up=False) as server:
        for name, visible in (("ana", False), ("cleared", True)):
            client, _ = sign_in(server.url, name)
            api = client.get(f"/api/v1/items/{child.id}").json()
            assert api["derived_from"] == (source.id if visible else None)
            page = client.get(f"/items/{child.id}", params={"lang": "en"})
            assert page.status_code == 200 and (source.id in page.text) == visible
            client.close()

def test_notifications(world: World) -> None:
    before = now() - timedelta(seconds=2)
    item = share(world, "sec", groups=["wg-energy"])
    hidden = share(world, "sec", groups=["wg-chips"])
    seen = {v.id for v in world.store.notifications(world.actor("mem"), since=before,
                                                    at=now())}
    assert item.id in seen and hidden.id not in seen
    later = now() + timedelta(seconds=5)
    assert world.store.notifications(world.actor("mem"), since=later, at=now()) == []


@pytest.mark.parametrize(("who", "fields", "match"), [
    ("sec", {"level": 4}, "level must be 1, 2 or 3"),
    ("sec", {"tlp": "purple"}, "TLP 2.0"),
    ("sec", {"kind": "rumour"}, "kind must be one of"),
    ("sec", {"title": "   "}, "title must not be empty"),
    ("sec", {"groups": ["no-such-group"]}, "unknown group 'no-such-group'"),
    ("sec", {"orgs": ["no-such-org"]}, "unknown organisation 'no-such-org'"),
    ("sec", {"users": ["nobody"]}, "unknown user 'nobody'"),
    ("sec", {"groups": []}, "at least one recipient"),
    ("sec", {"level": 3, "designated_until": None}, "needs designated_until"),
    ("sec", {"designated_until": date(2030, 1, 1)}, "level-3 items only"),
    ("sec", {"level": 3, "designated_until": date(2000, 1, 1)}, "in the past"),
    ("ana", {"level": 3}, "above your valid clearance"),
    ("ana", {"compartments": ["chips"]}, "does not cover compartment"),
    ("sec", {"compartments": ["bad name!"]}, "compartment 'bad name!'"),
    ("sec", {"links": ["planet:mars"]}, "must be commodity:<id>"),
    ("sec", {"links": ["country:XXX"]}, "no such country"),
    ("sec", {"links": ["hs:000001"]}, "no such hs"),
    ("sec", {"links": ["commodity:unobtainium"]}, "no such commodity"),
    ("sec", {"groups": ["wg\x00chips"]}, "NUL character"),
    ("sec", {"links": ["country:\x00"]}, "NUL character"),
    ("sec", {"summary": "x" * 20_001}, "longer than 20000"),
])
def test_bad_input_is_refused_naming_the_field(world: World, who: str, fields: dict[str, Any],
                                               match: str) -> None:
    values: dict[str, Any] = {"groups": ["wg-chips"], **fields}
    if values.get("level") == 3 and "designated_until" not in fields:
        values["designated_until"] = "none"
    tag = token()
    with pytest.raises(ValidationError, match=match) as refused:
        share(world, who, title=values.pop("title", tag), **values)
    assert refused.value.location.column
    assert world.store.list(world.actor("sec"), at=now(), query=tag).total == 0


def test_refusals_by_role_and_bad_list_arguments(world: World) -> None:
    for who in ("mem", "aud"):
        with pytest.raises(ForbiddenError):
            share(world, who, to_all_members=True)
    with pytest.raises(ForbiddenError):
        world.store.create(LOCAL_ACTOR, NewItem(title="x", level=1, tlp="clear",
                                                to_all_members=True), at=now())
    with pytest.raises(ForbiddenError):  # the auditor reads the log, not the items
        world.store.list(world.actor("aud"), at=now())
    for bad in ({"limit": 0}, {"limit": 501}, {"offset": -1}, {"group": "nope"},
                {"level": 9}, {"kind": "x"}, {"tlp": "blue"}, {"group": "a\x00"},
                {"query": "a\x00"}):
        with pytest.raises(ValidationError):
            world.store.list(world.actor("sec"), at=now(), **bad)


def test_expired_clearance_sees_nothing(world: World) -> None:
    item = share(world, "sec", level=1, tlp="clear", to_all_members=True)
    name = "exp" + token()
    world.accounts.add_user(name, org="globex", roles=["member"], password=PASSWORD,
                            clearance_level=2, clearance_issued=date(2020, 1, 1),
                            clearance_expires=date.today() - timedelta(days=1))
    actor = world.actor(name)
    assert world.store.list(actor, at=now()).total == 0
    with pytest.raises(NotFoundError):
        world.store.get(actor, item.id, at=now())


# -- CLI and API (SQLite) ------------------------------------------------------------------


def test_cli_add_list_show_regrade(world: World, tmp_path: Path) -> None:
    if world.db is None:
        pytest.skip("the CLI is checked on the SQLite file")
    note = tmp_path / "note.md"
    tag = token()
    note.write_text(f"# Lithium {tag}\n\nSupply note.\n", encoding="utf-8")
    env = {"ECONSEC_AUDIT_DIR": os.environ["ECONSEC_AUDIT_DIR"]}
    added = run_cli("items", "add", str(note), "--as", "sec", "--level", "2", "--tlp",
                    "amber", "--group", "wg-chips", "--link", "country:CHN", "-f", "json",
                    db=world.db, env=env)
    doc = json.loads(added.stdout)
    assert doc["title"] == f"Lithium {tag}" and doc["groups"] == ["wg-chips"]
    listed = run_cli("items", "list", "--as", "ana", "-q", tag, "-f", "csv", db=world.db,
                     env=env)
    assert f"Lithium {tag}" in listed.stdout
    hidden = run_cli("items", "show", str(doc["id"]), "--as", "mem", db=world.db, env=env,
                     check=False)
    unknown = str(uuid.uuid4())
    missing = run_cli("items", "show", unknown, "--as", "mem", db=world.db, env=env,
                      check=False)
    assert hidden.returncode == missing.returncode == 2
    assert hidden.stderr == missing.stderr.replace(unknown, doc["id"])
    assert uuid.UUID(doc["id"]).version == 4 and "uuid" not in doc
    bad = run_cli("items", "add", str(note), "--as", "sec", "--level", "2", "--tlp", "pink",
                  "--group", "wg-chips", db=world.db, env=env, check=False)
    assert bad.returncode == 2 and "--tlp" in bad.stderr and "Traceback" not in bad.stderr
    regraded = run_cli("items", "regrade", str(doc["id"]), "--as", "sec", "--level", "1",
                       "--reason", "released after review", "-f", "json", db=world.db,
                       env=env)
    assert json.loads(regraded.stdout)["regrades"][0]["to_level"] == 1


def sign_in(url: str, name: str) -> tuple[httpx.Client, dict[str, str]]:
    client = httpx.Client(base_url=url, timeout=30)
    answer = client.post("/api/v1/session", json={"name": name, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return client, {"X-CSRF-Token": answer.json()["csrf_token"]}


def test_api_on_a_live_server(world: World) -> None:
    if world.db is None:
        pytest.skip("the live server runs on the SQLite file")
    tag = token()
    with live_server(world.db, warm_up=False) as server:
        assert httpx.get(server.url + "/api/v1/items").status_code == 401
        sec, sec_csrf = sign_in(server.url, "sec")
        ana, ana_csrf = sign_in(server.url, "ana")
        mem, _ = sign_in(server.url, "mem")
        body = {"title": f"API {tag}", "level": 2, "tlp": "amber", "groups": ["wg-chips"],
                "body": "text", "links": world.links[:1]}
        created = sec.post("/api/v1/items", json=body, headers=sec_csrf)
        assert created.status_code == 201, created.text
        item = created.json()
        assert created.headers["location"] == f"/api/v1/items/{item['id']}"
        assert ana.get(f"/api/v1/items/{item['id']}").json()["title"] == f"API {tag}"
        hidden = mem.get(f"/api/v1/items/{item['id']}")
        unknown = str(uuid.uuid4())
        missing = mem.get(f"/api/v1/items/{unknown}")
        assert hidden.status_code == missing.status_code == 404
        # byte for byte the same answer (the id is as long as any other)
        assert hidden.content == missing.content.replace(unknown.encode(),
                                                         item["id"].encode())
        same = ("content-type", "content-length", "cache-control")
        assert [hidden.headers.get(h) for h in same] == [missing.headers.get(h) for h in same]
        # an old integer id is an id that does not exist
        assert mem.get("/api/v1/items/1").status_code == 404
        assert ana.get("/api/v1/items/1").status_code == 404
        page = ana.get("/api/v1/items", params={"q": tag}).json()
        assert page["total"] == 1 and page["facets"]["group"] == {"wg-chips": 1}
        assert mem.get("/api/v1/items", params={"q": tag}).json()["total"] == 0
        # bad input: 422 naming the field; the analyst may create, not regrade
        bad = sec.post("/api/v1/items", json={**body, "tlp": "pink"}, headers=sec_csrf)
        assert bad.status_code == 422 and bad.json()["column"] == "tlp"
        assert sec.get("/api/v1/items", params={"level": 7}).status_code == 422
        refused = ana.post(f"/api/v1/items/{item['id']}/regrade",
                           json={"level": 1, "reason": "analyst tries this"},
                           headers=ana_csrf)
        assert refused.status_code == 403
        open_ended = sec.post(f"/api/v1/items/{item['id']}/regrade",
                              json={"level": 3, "reason": "designated by the minister",
                                    "designated_until": "none"}, headers=sec_csrf)
        assert open_ended.status_code == 422
        assert open_ended.json()["column"] == "designated_until"
        regraded = sec.post(f"/api/v1/items/{item['id']}/regrade",
                            json={"level": 1, "reason": "released after review"},
                            headers=sec_csrf)
        assert regraded.status_code == 200 and regraded.json()["level"] == 1
        since = (now() - timedelta(minutes=1)).isoformat()
        notes = mem.get("/api/v1/notifications", params={"since": since}).json()
        assert item["id"] not in [v["id"] for v in notes["items"]]  # to wg-chips only
        far = mem.get("/api/v1/notifications", params={"since": "9999-12-31T23:59:59-14:00"})
        assert far.status_code == 422 and far.json()["column"] == "since"
        low, _ = sign_in(server.url, "low")
        notes = low.get("/api/v1/notifications", params={"since": since}).json()
        assert item["id"] in [v["id"] for v in notes["items"]]  # level 1 now
        for client in (sec, ana, mem, low):
            client.close()


def test_pages_in_both_languages(world: World) -> None:
    if world.db is None:
        pytest.skip("the live server runs on the SQLite file")
    tag = token()
    secret = share(world, "sec", level=3, compartments=["chips"], groups=["wg-chips"],
                   title=f"Designated {tag}", summary="tear-line words", body="never shown",
                   tlp="amber+strict")
    with live_server(world.db, warm_up=False) as server:
        cleared, csrf = sign_in(server.url, "cleared")
        page = cleared.get(f"/items/{secret.id}", params={"lang": "ja"})
        assert page.status_code == 200
        assert "レベル3：重要経済安保情報" in page.text and "TLP:AMBER+STRICT" in page.text
        assert "tear-line words" in page.text and "never shown" not in page.text
        assert "本文は表示されません" in page.text
        english = cleared.get(f"/items/{secret.id}", params={"lang": "en"})
        assert "The body of this level-3 item is withheld" in english.text
        listing = cleared.get("/items", params={"q": tag, "lang": "en"})
        assert "1 item(s) visible to you" in listing.text
        assert f"/items/{secret.id}" in listing.text
        assert not re.search(r'href="/items/\d+"', listing.text)
        bad = cleared.get("/items", params={"level": "7", "lang": "en"})
        assert bad.status_code == 422 and "level must be 1, 2 or 3" in bad.text
        # the form: restrictions chosen here; a refusal re-shows the form with the field named
        form = {"csrf_token": csrf["X-CSRF-Token"], "title": f"Form {tag}", "level": "2",
                "tlp": "green", "groups": ["wg-chips"], "body": "form body",
                "links": " ".join(world.links)}
        created = cleared.post("/items/new", data=form, follow_redirects=True)
        assert created.status_code == 200 and f"Form {tag}" in created.text
        assert re.search(r"/items/[0-9a-f-]{36}$", str(created.url))
        refused = cleared.post("/items/new", data={**form, "level": "3"},
                               params={"lang": "ja"})
        assert refused.status_code == 422 and "指定の期限" in refused.text
        # hidden and missing look the same
        mem, _ = sign_in(server.url, "mem")
        hidden = mem.get(f"/items/{secret.id}", params={"lang": "en"})
        unknown = str(uuid.uuid4())
        missing = mem.get(f"/items/{unknown}", params={"lang": "en"})
        assert hidden.status_code == missing.status_code == 404
        assert f"no shared item {secret.id}" in hidden.text
        assert hidden.content == missing.content.replace(unknown.encode(), secret.id.encode())
        assert mem.get("/items/new").status_code == 403
        for client in (cleared, mem):
            client.close()


CHROMIUM = "/usr/bin/chromium"


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no /usr/bin/chromium")
def test_share_through_the_form_in_a_browser(world: World) -> None:
    if world.db is None:
        pytest.skip("the live server runs on the SQLite file")
    from test_ja_everywhere import english_left, visible_text

    sync_api = pytest.importorskip("playwright.sync_api")
    tag = token()
    with live_server(world.db, warm_up=False) as server, sync_api.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_context(locale="ja-JP").new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(server.url + "/items/new?lang=ja")
        page.fill('input[name="name"]', "cleared")
        page.fill('input[name="password"]', PASSWORD)
        with page.expect_navigation():
            page.click('form.login-form button[type="submit"]')
        assert "/items/new" in page.url
        page.fill("#title", f"Browser {tag}")
        page.select_option("#level", "2")
        page.select_option("#tlp", "green")
        page.check('input[name="groups"][value="wg-chips"]')
        page.fill("#summary", "tear line")
        page.fill("#body", "shared from the form")
        with page.expect_navigation():
            page.click('form[action="/items/new"] button[type="submit"]')
        assert re.search(r"/items/[0-9a-f-]{36}$", page.url), page.url
        text = page.inner_text("main")
        assert "TLP:GREEN" in text and "レベル2：協議会内（非公開）" in text
        assert "shared from the form" in text
        for path in ("/items", "/items/new", page.url.removeprefix(server.url)):
            page.goto(server.url + path)
            assert not english_left(visible_text(page.content()), []), path
        page.goto(server.url + f"/items?q={tag}")
        assert "閲覧できる情報：1 件" in page.inner_text("main")
        assert not errors, errors
        browser.close()
