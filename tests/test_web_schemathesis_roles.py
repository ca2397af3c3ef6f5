"""Schemathesis on the live server in users mode, signed in as each role (member, analyst,
secretariat, auditor, administrator): no input causes a server error (5xx), whatever the
role's rights (a refusal is 401/403/404/422, never a crash).

One server for the module with a council (organisations, a working group, a user per role,
shared items); each role signs in once (``POST /api/v1/session``) and its cookie and CSRF
token go with every generated request. Every operation of the OpenAPI schema gets a few
positive and negative examples; the operations whose answers depend on the signed-in
user (items, notifications, exports, audit, TAXII, transfer cases, screening decisions)
get more. Reads that do not depend on the user (GET of the knowledge data, analyses,
catalogues) are fuzzed for the first role only: every other role gets the per-user
operations and every operation that changes something (POST, PUT, PATCH, DELETE), where
the roles' rights differ. Left out: ``/api/v1/data/import`` (changes the knowledge base; covered in
test_web_api) and ``/api/v1/session`` (a sign-in or sign-out would end the role's own
session mid-run; covered in test_access_routes).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
import schemathesis

from audit_env import private_audit_dir
from econsec.access.accounts import Accounts
from econsec.audit.log import AuditLog
from econsec.kb.engine import open_engine
from econsec.settings import Settings
from econsec.sharing.items import ItemStore
from econsec.sharing.models import NewItem
from econsec.web.auth import SESSION_COOKIE
from fuzz_cases import server_error_failures
from web_server import LiveServer, live_server

PASSWORD = "schemathesis-roles-pw"
ROLES = ("member", "analyst", "secretariat", "auditor", "admin")
EXCLUDED = ("/api/v1/data/import", "/api/v1/session")
#: Paths whose answers depend on who is signed in: more examples there.
PER_USER = ("/api/v1/items", "/api/v1/notifications", "/api/v1/audit", "/taxii2/",
            "/api/v1/tech/cases", "/api/v1/screening/decisions", "/api/v1/scenarios/runs")
#: Examples per operation and generation mode (the whole module stays around a minute).
FEW, MORE = 1, 4


@pytest.fixture(scope="module")
def council_server(built_db: Path, tmp_path_factory: pytest.TempPathFactory
                   ) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("fuzz-roles")
    db = folder / "econsec.db"
    shutil.copy(built_db, db)
    with private_audit_dir(folder / "audit"):
        engine = open_engine(f"sqlite:///{db}")
        accounts = Accounts(engine)
        accounts.add_org("ministry", kind="government")
        accounts.add_org("maker", kind="company")
        accounts.add_group("council")
        for role in ROLES:
            accounts.add_user(role, org="ministry" if role != "member" else "maker",
                              roles=[role], password=PASSWORD,
                              clearance_level=3 if role in ("secretariat", "admin") else 2,
                              compartments=["CRM"], groups=["council"])
        at = datetime.now(UTC)
        store = ItemStore(engine, Settings(), AuditLog(engine))
        for level in (1, 2, 3):
            store.create(accounts.actor_by_name("secretariat", at=at), NewItem(
                kind="report", title=f"Fuzz item {level}", level=level, tlp="green",
                compartments=["CRM"] if level == 3 else [], groups=["council"],
                designated_until="none" if level == 3 else None), at=at)
        engine.dispose()
        with live_server(db) as live:
            live.state.max_upload_bytes = 64 * 1024
            yield live


def _session(server: LiveServer, role: str) -> requests.Session:
    session = requests.Session()
    answer = session.post(server.url + "/api/v1/session",
                          json={"name": role, "password": PASSWORD}, timeout=30)
    assert answer.status_code == 200, answer.text
    assert session.cookies.get(SESSION_COOKIE)
    session.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
    return session


@pytest.mark.parametrize("role", ROLES)
def test_no_server_errors_as(council_server: LiveServer, role: str) -> None:
    """Positive and negative examples of every operation signed in as ``role``; any 5xx
    fails (with the case); the session is still valid at the end (nothing signed it
    out)."""
    session = _session(council_server, role)
    schema = schemathesis.openapi.from_url(council_server.url + "/api/v1/openapi.json",
                                           headers={"Cookie": f"{SESSION_COOKIE}="
                                                    f"{session.cookies[SESSION_COOKIE]}"})
    operations = [result.ok() for result in schema.get_all_operations()]
    operations = [op for op in operations if not op.path.startswith(EXCLUDED)]
    assert len(operations) >= 40
    if role != ROLES[0]:
        operations = [op for op in operations
                      if op.method.upper() != "GET" or op.path.startswith(PER_USER)]
        assert len(operations) >= 20
    failures = server_error_failures(
        operations, council_server.url,
        lambda op: MORE if op.path.startswith(PER_USER) else FEW, session=session)
    assert not failures, "\n\n".join(failures)
    assert session.get(council_server.url + "/api/v1/items", timeout=30).status_code in (
        200, 403)
