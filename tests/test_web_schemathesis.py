"""Schemathesis on the live server's OpenAPI schema: no input may cause a server error.

Every GET operation, and the POSTs that do not change the knowledge base (static shocks,
EU CRM assessment, file preview, scenario runs), get a bounded number of generated examples
(positive and negative) against a real server on loopback; the only check is
``not_a_server_error`` (no 5xx).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis

from fuzz_cases import server_error_failures
from web_server import LiveServer, live_server


@pytest.fixture(scope="module")
def fuzz_server(built_db: Path, tmp_path_factory: pytest.TempPathFactory
                ) -> Iterator[LiveServer]:
    db = tmp_path_factory.mktemp("fuzz") / "econsec.db"
    shutil.copy(built_db, db)
    with live_server(db) as live:
        live.state.max_upload_bytes = 64 * 1024
        yield live


#: Generated examples per operation and mode; the run stays well under 90 s.
MAX_EXAMPLES = 25
EXCLUDED = ("/api/v1/data/import",)  # changes the knowledge base; covered in test_web_api


def _operations(server: LiveServer) -> list[Any]:
    schema = schemathesis.openapi.from_url(server.url + "/api/v1/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    return [op for op in operations if op.path not in EXCLUDED]


def test_no_server_errors(fuzz_server: LiveServer) -> None:
    """Positive and negative examples of every operation; any 5xx fails (with the case)."""
    operations = _operations(fuzz_server)
    assert len(operations) >= 15
    failures = server_error_failures(operations, fuzz_server.url, lambda _op: MAX_EXAMPLES,
                                     headers=fuzz_server.headers)
    assert not failures, "\n\n".join(failures)
