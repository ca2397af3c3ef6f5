"""STIX 2.1 bundles, the TAXII 2.1 server and exports of shared items, on a real SQLite
knowledge base with real users and items (Accounts, ItemStore), served by a real loopback
server and read with the real ``taxii2-client`` signed in as different users."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import requests
import stix2
from taxii2client.v21 import Collection, Server, as_pages

from access_world import PG_URL, own_postgres_url
from conftest import run_cli
from econsec.sharing.models import NewItem
from web_server import live_server

PASSWORD = "correct horse battery staple"
TAXII = "application/taxii+json;version=2.1"
FUTURE = date.today() + timedelta(days=365)
#: Items are created on distinct days (oldest first), so dates added differ.
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@dataclass
class World:
    db: Path
    url: str
    #: Item name -> its uuid.
    uuids: dict[str, str]
    #: Item name -> when it was created.
    created: dict[str, datetime]


#: What each user may see (by item name), by construction of the world below.
EXPECTED = {
    "alice": {"public1", "public2", "public3", "public4", "battery2", "semis2", "battery3",
              "battery_x"},
    "bob": {"public1", "public2", "public3", "public4", "battery2"},
    "carol": {"public1", "public2", "public3", "public4", "semis2"},
}


def _world(url: str) -> dict[str, Any]:
    from econsec.access.accounts import Accounts
    from econsec.audit.log import AuditLog
    from econsec.kb.store import open_store
    from econsec.settings import Settings
    from econsec.sharing.items import ItemStore

    store = open_store(url)
    accounts = Accounts(store.engine)
    accounts.add_org("meti", title="METI", kind="government")
    accounts.add_org("acme", title="Acme K.K.", kind="company", certified_until=FUTURE)
    accounts.add_org("globex", kind="company")
    accounts.add_group("battery", title="Battery supply chain")
    accounts.add_group("semis", title="Semiconductors")
    accounts.add_user("alice", org="meti", roles=["analyst", "secretariat"],
                      password=PASSWORD, clearance_level=3, compartments=["X"],
                      groups=["battery"], clearance_issued=START.date())
    accounts.add_user("bob", org="acme", roles=["member"], password=PASSWORD,
                      clearance_level=2, groups=["battery"])
    accounts.add_user("carol", org="globex", roles=["member"], password=PASSWORD,
                      clearance_level=2, groups=["semis"])
    accounts.add_user("dave", org="acme", roles=["auditor"], password=PASSWORD,
                      clearance_level=2, groups=["battery"])
    accounts.add_user("erin", org="globex", roles=["member"], password=PASSWORD,
                      clearance_level=1)
    items = ItemStore(store.engine, Settings(), AuditLog(store.engine))
    alice = accounts.actor_by_name("alice", at=START)
    specs: list[tuple[str, dict[str, Any]]] = [
        ("public1", {"level": 1, "tlp": "clear", "to_all_members": True}),
        ("battery2", {"level": 2, "tlp": "amber", "groups": ["battery"],
                      "summary": "Cathode supply", "body": "Lithium hydroxide stocks",
                      "caveats": "no onward sharing", "review_on": FUTURE}),
        ("public2", {"level": 1, "tlp": "green", "to_all_members": True}),
        ("semis2", {"level": 2, "tlp": "amber+strict", "groups": ["semis"]}),
        ("public3", {"level": 1, "tlp": "clear", "to_all_members": True}),
        ("battery3", {"level": 3, "tlp": "red", "groups": ["battery"],
                      "designated_until": FUTURE, "summary": "Tear-line: supplier at risk",
                      "body": "DESIGNATED BODY TEXT 7f3a"}),
        ("public4", {"level": 1, "tlp": "clear", "to_all_members": True}),
        ("battery_x", {"level": 2, "tlp": "amber", "groups": ["battery"],
                       "compartments": ["X"]}),
    ]
    uuids: dict[str, str] = {}
    created: dict[str, datetime] = {}
    for day, (name, spec) in enumerate(specs):
        at = START + timedelta(days=day)
        view = items.create(alice, NewItem(kind="report", title=f"Item {name}", **spec), at=at)
        uuids[name] = view.id
        created[name] = at
    return {"store": store, "uuids": uuids, "created": created}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """Five users, three organisations, two working groups and eight items, served.
    Passwords use the documented cheap hashing profile (every HTTP Basic request checks
    one), also in the CLI's subprocesses."""
    db = tmp_path_factory.mktemp("stix") / "kb.db"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ECONSEC_PASSWORD_HASH_COST", "test")
        made = _world(f"sqlite:///{db}")
        with live_server(db, store=made["store"], warm_up=False) as server:
            yield World(db, server.url, made["uuids"], made["created"])


def _server(world: World, user: str, password: str = PASSWORD) -> Server:
    return Server(f"{world.url}/taxii2/", user=user, password=password)


def _basic(user: str, password: str = PASSWORD) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}", "Accept": TAXII}


def _collection(world: World, user: str, title_part: str) -> Collection:
    root = _server(world, user).api_roots[0]
    return next(c for c in root.collections if title_part in c.title)


def _all_objects(collection: Collection, per_request: int = 0) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for envelope in as_pages(collection.get_objects, per_request=per_request):
        found.extend(envelope.get("objects", []))
    return found


def _names(world: World, objects: list[dict[str, Any]]) -> set[str]:
    by_id = {f"report--{uuid}": name for name, uuid in world.uuids.items()}
    return {by_id[o["id"]] for o in objects if o["type"] == "report"}


# ------------------------------------------------------------------ STIX bundles


def test_bundle_is_valid_stix_with_tlp2_and_econsec_marking(world: World) -> None:
    from econsec.access.accounts import Accounts
    from econsec.audit.log import AuditLog
    from econsec.kb.engine import open_engine
    from econsec.settings import Settings
    from econsec.sharing.export import export_items
    from econsec.sharing.items import ItemStore
    from econsec.sharing.stix import TLP2_MARKING_IDS

    engine = open_engine(f"sqlite:///{world.db}")
    store = ItemStore(engine, Settings(), AuditLog(engine))
    alice = Accounts(engine).actor_by_name("alice", at=datetime.now(UTC))
    text, count = export_items(store, store.audit, alice, "stix", at=datetime.now(UTC),
                               via="test")
    assert count == len(EXPECTED["alice"])
    bundle = stix2.parse(text, allow_custom=False)  # strict: the extension declares x_*
    objects = {o.id: o for o in bundle.objects}
    reports = [o for o in bundle.objects if o.type == "report"]
    assert _names(world, [dict(r) for r in reports]) == EXPECTED["alice"]
    for report in reports:
        # every reference resolves inside the bundle
        assert report.created_by_ref in objects
        for ref in [*report.object_refs, *report.object_marking_refs]:
            assert ref in objects, ref
        tlp = [objects[m] for m in report.object_marking_refs if m in TLP2_MARKING_IDS.values()]
        assert len(tlp) == 1
        assert objects[report.created_by_ref].name == "meti"
    by_name = {name: next(r for r in reports if r.id == f"report--{uuid}")
               for name, uuid in world.uuids.items() if name in EXPECTED["alice"]}
    battery3 = by_name["battery3"]
    assert battery3.x_econsec_level == 3 and battery3.x_econsec_body_withheld is True
    assert battery3.description == "Tear-line: supplier at risk"
    assert "DESIGNATED BODY TEXT 7f3a" not in text  # withheld as the item store withholds it
    assert TLP2_MARKING_IDS["red"] in battery3.object_marking_refs
    assert objects[TLP2_MARKING_IDS["red"]].name == "TLP:RED"
    battery2 = by_name["battery2"]
    assert "Lithium hydroxide stocks" in battery2.description
    assert battery2.x_econsec_caveats == "no onward sharing"
    assert battery2.x_econsec_distribution["groups"] == ["battery"]
    assert battery2.x_econsec_review_on == FUTURE.isoformat()
    assert by_name["battery_x"].x_econsec_compartments == ["X"]
    semis = objects[TLP2_MARKING_IDS["amber+strict"]]
    assert semis.name == "TLP:AMBER+STRICT"
    assert semis.extensions["extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"][
        "tlp_2_0"] == "amber+strict"
    assert battery2.created == world.created["battery2"]
    # a deployment that enables level-3 bodies gets them in the bundle too
    opened = ItemStore(engine, Settings(level3_bodies=True), AuditLog(engine))
    text, _ = export_items(opened, opened.audit, alice, "stix", at=datetime.now(UTC),
                           via="test")
    assert "DESIGNATED BODY TEXT 7f3a" in text


def test_bundle_without_declared_extension_is_refused_by_strict_parsing() -> None:
    """The strict parse above can fail: a report with x_econsec_* but no extension."""
    from econsec.sharing.models import ItemView
    from econsec.sharing.stix import ECONSEC_EXTENSION_ID, item_report

    view = ItemView(id="0b0c7c9e-2f63-4b0e-9d7e-6d3b8f1f0a11", kind="alert",
                    title="t", summary="", body=None, body_withheld=False, level=1,
                    tlp="green", compartments=[], groups=[], orgs=[], users=[],
                    to_all_members=True, originator="a", originator_org="o",
                    created_at="2026-01-01T00:00:00+00:00", designated_until=None,
                    review_on=None, caveats="", links=["commodity:lithium"])
    document = json.loads(item_report(view).serialize())
    assert document["external_references"] == [
        {"source_name": "econsec", "external_id": "commodity:lithium"}]
    stix2.parse(document, allow_custom=False)
    del document["extensions"][ECONSEC_EXTENSION_ID]
    with pytest.raises(stix2.exceptions.STIXError):
        stix2.parse(document, allow_custom=False)


def test_unknown_tlp_and_format_are_refused() -> None:
    from econsec.errors import ValidationError
    from econsec.sharing.export import parse_format
    from econsec.sharing.stix import tlp_marking

    with pytest.raises(ValueError, match=r"unknown TLP 2\.0 label 'white'"):
        tlp_marking("white")
    with pytest.raises(ValidationError, match="format must be one of stix, jsonl"):
        parse_format("xml")


# ------------------------------------------------------------------ CLI and API exports


def test_cli_export_as_user(world: World, tmp_path: Path) -> None:
    out = tmp_path / "bob.jsonl"
    proc = run_cli("items", "export", "--as", "bob", "--format", "jsonl", "--output",
                   str(out), db=world.db)
    assert "5 item(s) exported for bob" in proc.stderr
    uuids = {json.loads(line)["id"] for line in out.read_text().splitlines()}
    assert uuids == {world.uuids[n] for n in EXPECTED["bob"]}
    stix = run_cli("items", "export", "--as", "carol", db=world.db)
    reports = [o for o in stix2.parse(stix.stdout, allow_custom=False).objects
               if o.type == "report"]
    assert _names(world, [dict(r) for r in reports]) == EXPECTED["carol"]
    bad = run_cli("items", "export", "--as", "bob", "--format", "xml", db=world.db,
                  check=False)
    assert bad.returncode != 0 and "format must be one of stix, jsonl" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_export_refusals_are_audited(world: World) -> None:
    from econsec.access.accounts import Accounts
    from econsec.audit.log import AuditLog
    from econsec.errors import ForbiddenError, NotFoundError
    from econsec.kb.engine import open_engine
    from econsec.settings import Settings
    from econsec.sharing.export import export_items
    from econsec.sharing.items import ItemStore

    engine = open_engine(f"sqlite:///{world.db}")
    log = AuditLog(engine)
    store = ItemStore(engine, Settings(), log)
    now = datetime.now(UTC)
    with pytest.raises(NotFoundError, match="nobody"):
        Accounts(engine).actor_by_name("nobody", at=now)
    dave = Accounts(engine).actor_by_name("dave", at=now)  # an auditor: no item_export
    with pytest.raises(ForbiddenError, match="exporting shared items"):
        export_items(store, log, dave, "stix", at=now, via="test")
    denied = log.page(limit=5, actor_name="dave", action="deny")
    assert denied and denied[0].resource == "items:export:stix"
    assert denied[0].outcome == "denied"


@contextmanager
def _session(world: World, user: str) -> Iterator[httpx.Client]:
    """A client signed in as ``user`` (the session cookie)."""
    with httpx.Client(base_url=world.url, timeout=30) as client:
        answer = client.post("/api/v1/session", json={"name": user, "password": PASSWORD})
        assert answer.status_code == 200, answer.text
        yield client


def test_api_export_for_the_signed_in_user(world: World) -> None:
    with _session(world, "carol") as client:
        lines = client.get("/api/v1/items/export", params={"format": "jsonl"})
        assert lines.status_code == 200
        assert lines.headers["content-type"].startswith("application/x-ndjson")
        names = {json.loads(line)["title"] for line in lines.text.splitlines()}
        assert names == {f"Item {n}" for n in EXPECTED["carol"]}
        bundle = client.get("/api/v1/items/export")
        assert bundle.headers["content-type"] == "application/stix+json;version=2.1"
        assert int(bundle.headers["x-item-count"]) == len(EXPECTED["carol"])
        stix2.parse(bundle.text, allow_custom=False)
        bad = client.get("/api/v1/items/export", params={"format": "xml"})
        assert bad.status_code == 422 and "stix, jsonl" in bad.json()["detail"]
    assert httpx.get(f"{world.url}/api/v1/items/export").status_code == 401


# ------------------------------------------------------------------ TAXII


def test_each_user_sees_exactly_their_items_over_taxii(world: World) -> None:
    for user, expected in EXPECTED.items():
        root = _server(world, user).api_roots[0]
        titles = sorted(c.title for c in root.collections)
        assert all(not c.can_write and c.can_read for c in root.collections)
        everything = _collection(world, user, "All shared items")
        objects = _all_objects(everything)
        assert _names(world, objects) == expected, user
        assert len({o["id"] for o in objects}) == len(objects)  # each object once
        groups = {"alice": ["battery"], "bob": ["battery"], "carol": ["semis"]}[user]
        assert len(titles) == 1 + len(groups)
        for group in groups:
            in_group = _all_objects(_collection(world, user, "Working group"))
            assert _names(world, in_group) == {n for n in expected if n.startswith(group)}


def test_pagination_with_limit_and_next(world: World) -> None:
    everything = _collection(world, "bob", "All shared items")
    whole = _all_objects(everything)
    pages = list(as_pages(everything.get_objects, per_request=2))
    assert len(pages) > 2
    assert all(len(p.get("objects", [])) <= 2 for p in pages)
    assert all(p["more"] for p in pages[:-1]) and not pages[-1]["more"]
    assert [o["id"] for p in pages for o in p["objects"]] == [o["id"] for o in whole]
    manifest = everything.get_manifest()
    assert [m["id"] for m in manifest["objects"]] == [o["id"] for o in whole]
    reports = everything.get_objects(type="report")
    assert _names(world, reports["objects"]) == EXPECTED["bob"]
    assert {o["type"] for o in reports["objects"]} == {"report"}
    one = world.uuids["public2"]
    picked = everything.get_objects(id=f"report--{one}")
    assert [o["id"] for o in picked["objects"]] == [f"report--{one}"]


def test_added_after_and_date_added_headers_reveal_no_hidden_item(world: World) -> None:
    collection = _collection(world, "bob", "All shared items")
    url = collection.objects_url
    answer = httpx.get(url, headers=_basic("bob"), params={"match[type]": "report"})
    assert answer.status_code == 200 and answer.headers["content-type"] == TAXII
    last_visible = max(world.created[n] for n in EXPECTED["bob"])
    assert answer.headers["X-TAXII-Date-Added-First"] == "2026-01-05T09:00:00.000Z"
    # battery3 and battery_x (hidden from bob) were created after his newest item
    assert max(world.created["battery3"], world.created["battery_x"]) > last_visible
    assert answer.headers["X-TAXII-Date-Added-Last"] == \
        last_visible.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    cut = world.created["public2"].strftime("%Y-%m-%dT%H:%M:%SZ")
    later = httpx.get(url, headers=_basic("bob"),
                      params={"added_after": cut, "match[type]": "report"}).json()
    assert _names(world, later["objects"]) == {
        n for n in EXPECTED["bob"] if world.created[n] > world.created["public2"]}
    # alice's newest item is newer than anything bob gets
    alice = httpx.get(_collection(world, "alice", "All shared items").objects_url,
                      headers=_basic("alice"), params={"match[type]": "report"})
    assert alice.headers["X-TAXII-Date-Added-Last"] > answer.headers["X-TAXII-Date-Added-Last"]


def test_hidden_object_and_foreign_group_collection_answer_404(world: World) -> None:
    collection = _collection(world, "bob", "All shared items")
    hidden = f"report--{world.uuids['semis2']}"
    with pytest.raises(requests.HTTPError) as refused:
        collection.get_object(hidden)
    assert refused.value.response.status_code == 404
    missing = collection.get_object(f"report--{world.uuids['public1']}")
    assert missing["objects"][0]["name"] == "Item public1"
    versions = collection.object_versions(f"report--{world.uuids['public1']}")
    assert versions["versions"] == [missing["objects"][0]["modified"]]
    answer = httpx.get(f"{collection.objects_url}{hidden}/versions/", headers=_basic("bob"))
    assert answer.status_code == 404 and answer.json()["http_status"] == "404"
    # carol's group collection is not bob's: 404, as an id that does not exist
    semis = _collection(world, "carol", "Working group")
    foreign = f"{world.url}/taxii2/api/collections/{semis.id}/"
    assert httpx.get(foreign, headers=_basic("bob")).status_code == 404
    assert httpx.get(foreign + "objects/", headers=_basic("bob")).status_code == 404
    unknown = f"{world.url}/taxii2/api/collections/00000000-0000-4000-8000-000000000000/"
    assert httpx.get(unknown, headers=_basic("bob")).json()["description"] == \
        httpx.get(foreign, headers=_basic("bob")).json()["description"].replace(
            semis.id, "00000000-0000-4000-8000-000000000000")


def test_credentials_media_type_and_bad_parameters(world: World) -> None:
    collections = f"{world.url}/taxii2/api/collections/"
    wrong = httpx.get(collections, headers=_basic("erin", "not the password at all"))
    assert wrong.status_code == 401
    assert wrong.headers["www-authenticate"].startswith("Basic realm=")
    assert wrong.headers["content-type"] == TAXII
    assert httpx.get(collections, headers={"Accept": TAXII}).status_code == 401
    garbled = httpx.get(collections, headers={"Authorization": "Basic %%%", "Accept": TAXII})
    assert garbled.status_code == 401 and "HTTP Basic" in garbled.json()["description"]
    with pytest.raises(requests.HTTPError) as refused:
        _server(world, "erin", "wrong password 123").api_roots[0].collections  # noqa: B018
    assert refused.value.response.status_code == 401
    html = httpx.get(collections, headers={**_basic("bob"), "Accept": "text/html"})
    assert html.status_code == 406
    old = httpx.get(collections, headers={**_basic("bob"),
                                          "Accept": "application/taxii+json;version=2.0"})
    assert old.status_code == 406
    objects = _collection(world, "bob", "All shared items").objects_url
    for params in ({"limit": "0"}, {"limit": "many"}, {"next": "bm90IGEgdG9rZW4"},
                   {"added_after": "yesterday"}, {"match[version]": "soon"}):
        bad = httpx.get(objects, headers=_basic("bob"), params=params)
        assert bad.status_code == 400, params
        assert bad.json()["http_status"] == "400"
    # read-only: a write without a session is refused before any route (401), and with a
    # signed-in session and its CSRF token there is no route that writes (405)
    written = httpx.post(objects, headers=_basic("bob"), json={"objects": []})
    assert written.status_code == 401
    with httpx.Client(timeout=30) as client:
        signed = client.post(f"{world.url}/api/v1/session",
                             json={"name": "bob", "password": PASSWORD}).json()
        for method in ("POST", "DELETE"):
            refused = client.request(method, objects, json={"objects": []},
                                     headers={"X-CSRF-Token": signed["csrf_token"],
                                              "Accept": TAXII})
            assert refused.status_code == 405, method
    # an auditor may list collections but not export objects
    assert httpx.get(collections, headers=_basic("dave")).status_code == 200
    assert httpx.get(objects, headers=_basic("dave")).status_code == 403


def test_session_cookie_signs_in_and_reads_are_audited(world: World) -> None:
    from econsec.audit.log import AuditLog
    from econsec.kb.engine import open_engine

    with _session(world, "carol") as client:
        root = client.get("/taxii2/api/collections/", headers={"Accept": TAXII})
        assert root.status_code == 200
        ids = {c["id"] for c in root.json()["collections"]}
        everything = next(c for c in root.json()["collections"]
                          if c["title"].startswith("All"))
        objects = client.get(f"/taxii2/api/collections/{everything['id']}/objects/",
                             headers={"Accept": TAXII})
        assert _names(world, objects.json()["objects"]) == EXPECTED["carol"]
    assert len(ids) == 2
    log = AuditLog(open_engine(f"sqlite:///{world.db}"))
    exports = [r for r in log.page(limit=500, actor_name="carol", action="export")
               if r.resource.startswith("taxii:")]
    assert exports, "the TAXII objects read is in the audit log"
    assert f"report--{world.uuids['semis2']}" in exports[0].details()["ids"]
    hidden = f"report--{world.uuids['semis2']}"
    url = f"{world.url}/taxii2/api/collections/{everything['id']}/objects/{hidden}/"
    assert httpx.get(url, headers=_basic("bob")).status_code == 404
    denied = log.page(limit=5, actor_name="bob", action="deny")
    assert denied and denied[0].resource == f"taxii:{url.removeprefix(world.url)}"
    assert denied[0].outcome == "denied"
    assert log.verify().ok



def test_the_request_record_names_the_http_basic_caller(world: World) -> None:
    """The middleware's ``request`` record of a TAXII call signed in with HTTP Basic names
    the user (it said ``anonymous``); a wrong password stays anonymous."""
    from econsec.audit.log import AuditLog
    from econsec.kb.engine import open_engine

    path = "/taxii2/api/collections/"
    assert httpx.get(f"{world.url}{path}", headers=_basic("erin")).status_code == 200
    assert httpx.get(f"{world.url}{path}",
                     headers=_basic("erin", "not the password")).status_code == 401
    log = AuditLog(open_engine(f"sqlite:///{world.db}"))
    for _ in range(50):  # the record is written after the answer has been sent
        records = [r for r in log.page(limit=50, action="request")
                   if r.resource == f"GET {path}"]
        if len(records) >= 2:
            break
        time.sleep(0.05)
    ok = next(r for r in records if r.details()["status"] == 200)
    assert ok.actor == "erin" and ok.actor_id is not None and ok.outcome == "ok"
    refused = next(r for r in records if r.details()["status"] == 401)
    assert refused.actor == "anonymous" and refused.outcome == "denied"


def test_local_mode_has_no_taxii(tmp_path: Path) -> None:
    from econsec.kb.store import open_store

    db = tmp_path / "local.db"
    with live_server(db, store=open_store(f"sqlite:///{db}"), warm_up=False) as server:
        for path in ("/taxii2/", "/taxii2/api/collections/"):
            answer = httpx.get(server.url + path, headers={"Accept": TAXII})
            assert answer.status_code == 404
            assert "single-user local mode" in answer.json()["description"]
        export = httpx.get(server.url + "/api/v1/items/export")
        assert export.status_code == 403
        assert "single-user local mode" in export.json()["detail"]


@pytest.mark.postgres
@pytest.mark.skipif(not PG_URL, reason="ECONSEC_TEST_POSTGRES_URL not set")
def test_exports_on_postgresql(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same world on PostgreSQL (a database of its own): each user's bundle holds
    exactly their items and parses strictly."""
    from conftest import reset_postgres
    from econsec.access.accounts import Accounts
    from econsec.sharing.export import export_items

    monkeypatch.setenv("ECONSEC_PASSWORD_HASH_COST", "test")
    url = own_postgres_url("econsec_stix")
    reset_postgres(url)
    made = _world(url)
    store = made["store"]
    try:
        from econsec.audit.log import AuditLog
        from econsec.settings import Settings
        from econsec.sharing.items import ItemStore

        items = ItemStore(store.engine, Settings(), AuditLog(store.engine))
        for user, expected in EXPECTED.items():
            actor = Accounts(store.engine).actor_by_name(user, at=datetime.now(UTC))
            text, count = export_items(items, items.audit, actor, "stix",
                                       at=datetime.now(UTC), via="test")
            reports = [o for o in stix2.parse(text, allow_custom=False).objects
                       if o.type == "report"]
            by_id = {f"report--{uuid}": name for name, uuid in made["uuids"].items()}
            assert {by_id[r.id] for r in reports} == expected and count == len(expected)
    finally:
        store.engine.dispose()
