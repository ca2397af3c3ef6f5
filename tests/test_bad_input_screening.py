"""Bad input for screening lists and counterparty files: every case is refused with a
one-line, located message (CLI exit 2; API 422 problem with its line), never a traceback,
or — for valid input that used to be refused — accepted.

The CLI runs in process through Typer's runner, with the console-script's error mapping
(``econsec.cli.app.main``: an :class:`EconsecError` is one line and exit 2); any other
exception fails the test, as a traceback would.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from econsec.cli.app import app
from econsec.errors import EconsecError
from econsec.screening import entities
from econsec.screening.index import SqliteScreeningIndex

GOOD = '{"id": "a", "schema": "Company", "properties": {"name": ["Alpha Trading Co"]}}'


def cli(*args: str) -> tuple[int, str, str]:
    """``econsec ARGS`` in process: (exit code, stdout, the error line)."""
    result = CliRunner().invoke(app, list(args))
    if isinstance(result.exception, EconsecError):
        return 2, result.stdout, f"error: {result.exception}"
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception  # a traceback: the case is not handled
    return result.exit_code, result.stdout, ""


def load(path: Path, index: Path, *extra: str) -> tuple[int, str, str]:
    return cli("lists", "load", str(path), "--index", str(index), *extra)


def refused(path: Path, tmp_path: Path, line: int | None, *words: str) -> str:
    """Load ``path``: exit 2, one line naming the file (and ``line``), nothing stored."""
    index = tmp_path / "s.db"
    code, _, message = load(path, index)
    assert code == 2, message
    assert "\n" not in message and "Traceback" not in message
    assert path.name in message
    if line is not None:
        assert f"line {line}" in message, message
    for word in words:
        assert word in message, message
    with SqliteScreeningIndex(index) as idx:
        assert idx.lists() == []
    return message


def test_csv_row_with_an_extra_field(tmp_path: Path) -> None:
    bad = tmp_path / "extra.csv"
    bad.write_text("id,name,country\n1,Alpha,jp\n2,Beta Trading, Ltd,cn\n", encoding="utf-8")
    refused(bad, tmp_path, 3, "4 fields", "header has 3")


@pytest.mark.parametrize("doc", [
    {"id": "w", "schema": "Company", "properties": {"name": ["   "], "alias": ["Real"]}},
    {"id": "w", "schema": "Company", "properties": {"name": "\u3000\t"}},
    {"id": "w", "schema": "Person", "properties": {"name": ["\u200b\u00ad"]}},
], ids=["spaces-beside-an-alias", "ideographic-space-and-tab", "invisible-only"])
def test_whitespace_only_names_in_a_jsonl_list(tmp_path: Path, doc: dict[str, object]) -> None:
    bad = tmp_path / "blank.jsonl"
    bad.write_text(GOOD + "\n" + json.dumps(doc) + "\n", encoding="utf-8")
    refused(bad, tmp_path, 2, "blank")


def test_whitespace_only_alias_in_a_csv_list(tmp_path: Path) -> None:
    bad = tmp_path / "blank.csv"
    bad.write_text('id,name,aliases\n1,Alpha,"Al;\u200b"\n', encoding="utf-8")
    refused(bad, tmp_path, 2, "column 'aliases'", "blank")


def test_jsonl_entry_nested_thousands_deep(tmp_path: Path) -> None:
    bad = tmp_path / "deep.jsonl"
    deep = '{"id": "d", "schema": "Company", "properties": {"name": ["D"], "x": ' + \
        "[" * 5000 + "]" * 5000 + "}}"
    bad.write_text(GOOD + "\n\n" + deep + "\n", encoding="utf-8")
    refused(bad, tmp_path, 3, "nested deeper")


def test_csv_line_numbers_after_a_multiline_quoted_name(tmp_path: Path) -> None:
    bad = tmp_path / "multi.csv"
    bad.write_text('id,name\n1,"Alpha\nTrading\nCo"\n2,Beta\n,Gamma\n', encoding="utf-8")
    # The record with the empty id starts on physical line 6 (the header is line 1, the
    # quoted name spans lines 2-4, Beta is line 5).
    refused(bad, tmp_path, 6, "empty id")


def test_json_line_with_u2028_is_accepted(tmp_path: Path) -> None:
    good = tmp_path / "sep.jsonl"
    doc = {"id": "s", "schema": "Company",
           "properties": {"name": ["Line\u2028Separator Trading"], "alias": ["Para\u2029Co"]}}
    good.write_text(GOOD + "\n" + json.dumps(doc, ensure_ascii=False) + "\n",
                    encoding="utf-8")
    code, out, message = load(good, tmp_path / "s.db", "--format", "json")
    assert code == 0, message
    assert json.loads(out)["entities"] == 2


def test_list_file_larger_than_the_bound(tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(entities, "MAX_LIST_BYTES", 1000)
    big = tmp_path / "big.jsonl"
    big.write_text("\n".join([GOOD.replace('"a"', f'"a{i}"') for i in range(30)]) + "\n",
                   encoding="utf-8")
    refused(big, tmp_path, None, "larger than the limit of 1,000 bytes")


def test_overlong_line_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "line.jsonl"
    big.write_text(GOOD + "\n" + " " * (entities.MAX_LINE_BYTES + 10) + "\n",
                   encoding="utf-8")
    refused(big, tmp_path, 2, "longer than")


def test_overlong_name_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "long.csv"
    bad.write_text("id,name\n1,Alpha\n2," + "N" * (entities.MAX_NAME_CHARS + 1) + "\n",
                   encoding="utf-8")
    refused(bad, tmp_path, 3, "column 'name'", "more than the limit of 1,000")


def test_counterparty_csv_with_an_extra_field(tmp_path: Path) -> None:
    index = tmp_path / "s.db"
    good = tmp_path / "list.jsonl"
    good.write_text(GOOD + "\n", encoding="utf-8")
    assert load(good, index)[0] == 0
    batch = tmp_path / "in.csv"
    batch.write_text("id,name\n1,Alpha\n2,Beta, Inc\n", encoding="utf-8")
    code, _, message = cli("screen", "--batch", str(batch), "--index", str(index))
    assert code == 2 and "line 3" in message and "3 fields" in message, message


def test_list_file_that_is_not_utf8(tmp_path: Path) -> None:
    bad = tmp_path / "latin1.csv"
    bad.write_bytes("id,name\n1,Alpha\n2,Bêta\n".encode("latin-1"))
    refused(bad, tmp_path, 3, "not UTF-8")


# -- the same through the API ------------------------------------------------------------


@pytest.fixture(scope="module")
def server(built_db: Path, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    import shutil

    from econsec.web.api.screening import ScreeningService
    from web_server import live_server

    folder = tmp_path_factory.mktemp("bad-screening-web")
    db = folder / "econsec.db"
    shutil.copy(built_db, db)
    with live_server(db) as live:
        live.state.services["screening"] = ScreeningService(folder / "screening.db")
        yield live


@pytest.mark.parametrize(("filename", "body", "line"), [
    ("extra.csv", b"id,name\n1,Alpha\n2,Beta, Ltd\n", 3),
    ("deep.jsonl", (GOOD + "\n" + '{"id": "d", "x": ' + "[" * 4000 + "]" * 4000 + "}\n"
                    ).encode(), 2),
    ("blank.jsonl", (GOOD + '\n{"id": "b", "schema": "Company", "properties": '
                     '{"name": ["  "]}}\n').encode(), 2),
    ("multi.csv", b'id,name\n1,"A\nB"\n2,\n', 4),
], ids=["csv-extra-field", "nested-json", "blank-name", "multiline-csv-line"])
def test_api_upload_refused_with_its_line(server, filename: str, body: bytes,  # type: ignore[no-untyped-def]
                                          line: int) -> None:
    got = httpx.post(server.url + "/api/v1/screening/lists", headers=server.headers,
                     files={"file": (filename, body)})
    assert got.status_code == 422, got.text
    assert got.headers["content-type"].startswith("application/problem+json")
    problem = got.json()
    assert problem["line"] == line and problem["file"] == filename
    assert "/tmp" not in got.text and "Traceback" not in got.text
