"""Pages name their scripts and styles by content (``/static/<name>?v=<hash>``): the files
are cached for a day, so a new version's page must not run yesterday's script."""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from econsec.web.assets import static_url
from web_server import LiveServer, live_server


@pytest.fixture(scope="module")
def server(built_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    db = tmp_path_factory.mktemp("static") / "econsec.db"
    shutil.copy(built_db, db)
    with live_server(db, warm_up=False) as live:
        yield live


def test_url_carries_the_content_hash() -> None:
    folder = Path(__file__).parents[1] / "src" / "econsec" / "web" / "static"
    data = (folder / "scenarios.js").read_bytes()
    assert static_url("scenarios.js") == (
        f"/static/scenarios.js?v={hashlib.sha256(data).hexdigest()[:12]}")
    with pytest.raises(LookupError):
        static_url("no-such-file.js")


@pytest.mark.parametrize("path", ["/?lang=ja", "/scenarios?lang=en", "/data?lang=ja"])
def test_pages_name_every_local_file_by_content(server: LiveServer, path: str) -> None:
    page = httpx.get(server.url + path, timeout=60)
    assert page.status_code == 200
    refs = re.findall(r'(?:src|href)="(/static/[^"]+)"', page.text)
    assert refs
    for ref in refs:
        assert re.fullmatch(r"/static/[\w.-]+\?v=[0-9a-f]{12}", ref), ref
        got = httpx.get(server.url + ref, timeout=60)
        assert got.status_code == 200 and "max-age" in got.headers["cache-control"], ref
