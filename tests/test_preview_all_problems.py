"""One check lists every problem of every row: ``econsec import --dry-run``, the API
preview and the data page show the same three problems of a file with three bad rows."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from conftest import run_cli
from econsec.datasets.file_check import check_user_file
from econsec.kb.store import open_store
from econsec.kb.testing import sample_bundle
from web_server import LiveServer, live_server

#: Rows 3, 4 and 5 are bad: an item the knowledge base does not know (a check against
#: the store), a misspelt country and a value that is not a number (checks of the reader).
BAD = ("item,country,year,measure,value,unit\n"
       "lithium,Chile,2024,production,5,t\n"
       "lithum,Chile,2024,production,5,t\n"
       "lithium,Chiile,2024,production,5,t\n"
       "lithium,Chile,2025,production,lots,t\n")
EXPECTED = [(3, "item"), (4, "country"), (5, "value")]


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("preview") / "kb.db"
    store = open_store(f"sqlite:///{db}")
    store.import_bundle(sample_bundle())
    store.close()
    return db


@pytest.fixture(scope="module")
def server(kb: Path) -> Iterator[LiveServer]:
    with live_server(kb) as live:
        yield live


def test_check_collects_every_row(kb: Path, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(BAD, encoding="utf-8")
    store = open_store(f"sqlite:///{kb}")
    check = check_user_file(path, store=store)
    assert [(p.location.line, p.location.column) for p in check.problems] == EXPECTED
    assert "did you mean: lithium" in str(check.problems[0])
    assert len(check.bundle.observations) == 2 and not check.ok
    # the store-level checks collect too: two duplicates and an unknown item, all listed
    dup = tmp_path / "dup.csv"
    dup.write_text("item,country,year,measure,value,unit\n"
                   + "lithium,Chile,2024,production,5,t\n" * 3
                   + "nosuch,Chile,2024,production,5,t\n", encoding="utf-8")
    lines = [p.location.line for p in check_user_file(dup, store=store).problems]
    assert lines == [3, 4, 5]
    assert store.counts()["observations"] == len(sample_bundle().observations)


def test_check_stops_at_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "many.csv"
    path.write_text("item,country,year,measure,value,unit\n"
                    + "lithium,Chile,2024,production,x,t\n" * 30, encoding="utf-8")
    check = check_user_file(path, limit=10)
    assert len(check.problems) == 10 and check.truncated and check.bundle is None


def test_cli_dry_run_lists_three_problems(kb: Path, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(BAD, encoding="utf-8")
    before = open_store(f"sqlite:///{kb}").counts()
    proc = run_cli("import", "--dry-run", str(path), db=kb, check=False)
    assert proc.returncode == 2, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.startswith("error: ")]
    found = [(int(m.group(1)), m.group(2)) for m in
             (re.search(r"line (\d+), column '(\w+)'", line) for line in lines)]
    assert found == EXPECTED, proc.stderr
    assert "3 problems; nothing was stored." in proc.stderr
    assert open_store(f"sqlite:///{kb}").counts() == before


def test_api_preview_lists_three_problems(server: LiveServer) -> None:
    r = httpx.post(server.url + "/api/v1/data/preview", headers=server.headers,
                   files={"file": ("bad.csv", BAD.encode(), "text/csv")})
    assert r.status_code == 422, r.text
    doc = r.json()
    assert [(e["line"], e["column"]) for e in doc["errors"]] == EXPECTED
    assert {e["file"] for e in doc["errors"]} == {"bad.csv"}
    assert (doc["file"], doc["line"], doc["column"]) == ("bad.csv", 3, "item")


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_data_page_lists_three_problems(server: LiveServer, lang: str) -> None:
    r = httpx.post(server.url + "/data/preview", params={"lang": lang},
                   headers=server.headers,
                   files={"file": ("bad.csv", BAD.encode(), "text/csv")})
    assert r.status_code == 200
    rows = re.findall(r'<tr><td class="num">(\d+)</td><td>([^<]*)</td>', r.text)
    assert [(int(n), c) for n, c in rows] == EXPECTED, r.text
    assert "data-importable" not in r.text
    if lang == "ja":
        assert "3 件の問題" in r.text or "3件の問題" in r.text, r.text


def test_every_problem_of_one_row(tmp_path: Path) -> None:
    path = tmp_path / "multi.csv"
    path.write_text("item,country,year,measure,value,unit\n"
                    "lithium,Chile,2024,production,5,t\n"
                    "lithium,Chiile,20x4,output,lots,t\n"
                    "lithium,Chile,2025,production,-3,t\n", encoding="utf-8")
    check = check_user_file(path)
    found = sorted((p.location.line, p.location.column) for p in check.problems)
    assert found == [(3, "country"), (3, "measure"), (3, "value"), (3, "year"), (4, "value")]
    assert len(check.bundle.observations) == 1  # only the good row is kept
    items = tmp_path / "items.csv"
    items.write_text("id,kind,name_en\ngood-one,material,Good\nBad Id,thing,\n"
                     "ok2,stuff,Ok\n", encoding="utf-8")
    check = check_user_file(items)
    assert [(p.location.line, p.location.column) for p in check.problems] == [
        (3, "id"), (3, "kind"), (3, "name_en"), (4, "kind")]
    assert [i.id for i in check.bundle.items] == ["good-one"]
    assert len(check.bundle.locations["items"]) == 1


def test_data_package_rows_are_all_checked(kb: Path, tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{kb}")
    folder = tmp_path / "pkg"
    store.export_datapackage(folder)
    path = folder / "observations.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")

    def spoil(n: int, column: str, value: str) -> None:
        cells = lines[n].split(",")
        cells[header.index(column)] = value
        lines[n] = ",".join(cells)

    spoil(2, "year", "20x1")
    spoil(4, "value", "lots")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    check = check_user_file(folder, store=store)
    assert [(p.location.line, p.location.column) for p in check.problems] == [
        (3, "year"), (5, "value")]
    kept = check.bundle.observations
    assert len(kept) == len(lines) - 3 == len(check.bundle.locations["observations"])
