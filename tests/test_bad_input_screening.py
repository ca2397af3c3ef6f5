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
from econsec.screening.match import Query

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

    from econsec.web.screening_service import ScreeningService
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


# -- screening queries, list names and editions -----------------------------------------


@pytest.fixture
def loaded_index(tmp_path: Path) -> Path:
    """An index with one list (Alpha Trading Co, Japan)."""
    index = tmp_path / "s.db"
    good = tmp_path / "list.jsonl"
    good.write_text(GOOD + "\n", encoding="utf-8")
    assert load(good, index)[0] == 0
    return index


def refused_query(index: Path, *args: str) -> str:
    """``econsec screen ARGS``: exit 2 with one error line and no result."""
    code, out, message = cli("screen", "--index", str(index), *args)
    assert code == 2, out
    assert "\n" not in message and "no match" not in out
    return message


@pytest.mark.parametrize("name", ["\u200b", "\x00", "---", "\u00ad\u200d.", "\u200b \u2060"],
                         ids=["zero-width-space", "nul", "dashes", "soft-hyphen-joiner-dot",
                              "invisible-and-space"])
def test_cli_query_with_nothing_comparable(loaded_index: Path, name: str) -> None:
    message = refused_query(loaded_index, "--", name)
    assert "the name to screen is empty" in message, message


def test_cli_list_edition_in_the_far_future(loaded_index: Path, tmp_path: Path) -> None:
    code, _, message = load(tmp_path / "list.jsonl", loaded_index, "--name", "x",
                            "--edition", "9999-12-31")
    assert code == 2 and "edition '9999-12-31'" in message and "column 'edition'" in message
    with SqliteScreeningIndex(loaded_index) as idx:
        assert [x.name for x in idx.lists()] == ["list"]


def test_cli_list_edition_in_the_far_past(loaded_index: Path, tmp_path: Path) -> None:
    code, _, message = load(tmp_path / "list.jsonl", loaded_index, "--name", "x",
                            "--edition", "0001-01-01")
    assert code == 2 and "outside 1945-01-01" in message, message


def test_cli_list_edition_not_iso(loaded_index: Path, tmp_path: Path) -> None:
    code, _, message = load(tmp_path / "list.jsonl", loaded_index, "--name", "x",
                            "--edition", "20250101")
    assert code == 2 and "is not a date" in message, message


def test_cli_list_name_with_an_escape_sequence(loaded_index: Path, tmp_path: Path) -> None:
    code, _, message = load(tmp_path / "list.jsonl", loaded_index, "--name", "x\x1b[31m")
    assert code == 2 and "control character U+001B" in message, message
    assert "\x1b" not in message


@pytest.mark.parametrize("name", ["Alpha\x00 Trading", "Alpha\x1b[31m", "Bell\x07",
                                  "C1\x9b31m"], ids=["nul", "esc", "bel", "c1-csi"])
def test_control_character_inside_an_entity_name(tmp_path: Path, name: str) -> None:
    bad = tmp_path / "ctl.jsonl"
    doc = {"id": "c", "schema": "Company", "properties": {"name": ["Fine"], "alias": [name]}}
    bad.write_text(GOOD + "\n" + json.dumps(doc) + "\n", encoding="utf-8")
    message = refused(bad, tmp_path, 2, "column 'properties.alias'", "control character")
    assert "\x1b" not in message and "\x00" not in message


def test_line_breaks_inside_a_csv_name_become_spaces(tmp_path: Path) -> None:
    good = tmp_path / "multi.csv"
    good.write_text('id,name\n1,"Alpha\nTrading\tCo"\n', encoding="utf-8")
    assert load(good, tmp_path / "s.db")[0] == 0
    with SqliteScreeningIndex(tmp_path / "s.db") as idx:
        found = idx.screen(Query("Alpha Trading Co"))
    assert found[0].entity.names[0][1] == "Alpha Trading Co"


def test_batch_csv_shows_control_characters_of_stored_names(tmp_path: Path) -> None:
    """A list stored before names were checked (or by a converter) keeps ESC/BEL: the
    batch CSV shows them as escapes, never as raw bytes."""
    from econsec.screening.entities import ListedEntity

    index = tmp_path / "s.db"
    with SqliteScreeningIndex(index) as idx:
        idx.load_entities([ListedEntity("e1", "Company", (("name", "Alpha\x1b[31m Trading\x07"),
                                                          ))], "old")
    batch = tmp_path / "in.csv"
    batch.write_text("id,name\n1,Alpha Trading\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    code, _, message = cli("screen", "--batch", str(batch), "--index", str(index),
                           "--out", str(out))
    assert code == 0, message
    text = out.read_text(encoding="utf-8")
    assert "\x1b" not in text and "\x07" not in text
    assert "Alpha\\x1b[31m Trading\\x07" in text


@pytest.mark.parametrize("value", ["0000-00-00", "2999-13-45", "1990-02-30", "1990/01/01",
                                   "2999", "1066"],
                         ids=["zeros", "month-13", "feb-30", "slashes", "future", "too-old"])
def test_cli_birth_date_refused(loaded_index: Path, value: str) -> None:
    message = refused_query(loaded_index, "Alpha", "--birth-date", value)
    assert "column 'birth_date'" in message and f"'{value}'" in message, message


@pytest.mark.parametrize("value", ["1990", "1990-05", "1990-05-17"])
def test_cli_partial_birth_dates_accepted(loaded_index: Path, value: str) -> None:
    code, _, message = cli("screen", "Alpha", "--birth-date", value, "--index",
                           str(loaded_index))
    assert code == 0, message


def test_cli_unknown_country_with_suggestions(loaded_index: Path) -> None:
    message = refused_query(loaded_index, "Alpha", "--country", "ZZZ")
    assert "unknown country 'ZZZ'" in message and "did you mean" in message, message
    assert "column 'country'" in message
    code, _, message = cli("screen", "Alpha", "--country", "Japan", "--index",
                           str(loaded_index))
    assert code == 0, message


@pytest.mark.parametrize(("row", "column"), [
    ("2,---,,", "name"), ("2,Beta,ZZZ,", "country"), ("2,Beta,jp,2999-13-45", "birth_date"),
    ("2,Beta,jp,0000-00-00", "birth_date")],
    ids=["punctuation-name", "unknown-country", "bad-birth-date", "zero-birth-date"])
def test_batch_row_with_a_bad_query(loaded_index: Path, tmp_path: Path, row: str,
                                    column: str) -> None:
    batch = tmp_path / "in.csv"
    batch.write_text(f"id,name,country,birth_date\n1,Alpha,jp,1990\n{row}\n", encoding="utf-8")
    code, _, message = cli("screen", "--batch", str(batch), "--index", str(loaded_index))
    assert code == 2, message
    assert "line 3" in message and f"column '{column}'" in message, message


@pytest.fixture(scope="module")
def loaded_server(server):  # type: ignore[no-untyped-def]
    """The server with one list loaded (Alpha Trading Co)."""
    got = httpx.post(server.url + "/api/v1/screening/lists", headers=server.headers,
                     params={"name": "good"}, files={"file": ("good.jsonl", GOOD.encode())})
    assert got.status_code == 201, got.text
    return server


@pytest.mark.parametrize("name", ["\u200b", "\x00", "---"], ids=["zero-width", "nul", "dashes"])
def test_api_query_with_nothing_comparable(loaded_server, name: str) -> None:  # type: ignore[no-untyped-def]
    got = httpx.get(loaded_server.url + "/api/v1/screening/screen", params={"name": name})
    assert got.status_code == 422, got.text
    assert got.headers["content-type"].startswith("application/problem+json")
    assert "the name to screen is empty" in got.json()["detail"]
    assert "no_match" not in got.text


@pytest.mark.parametrize("value", ["0000-00-00", "2999-13-45", "2999-01-01"],
                         ids=["zeros", "month-13", "future"])
def test_api_birth_date_refused(loaded_server, value: str) -> None:  # type: ignore[no-untyped-def]
    got = httpx.get(loaded_server.url + "/api/v1/screening/screen",
                    params={"name": "Alpha", "birth_date": value})
    assert got.status_code == 422, got.text
    assert got.json()["column"] == "birth_date"


def test_api_unknown_country(loaded_server) -> None:  # type: ignore[no-untyped-def]
    got = httpx.get(loaded_server.url + "/api/v1/screening/screen",
                    params={"name": "Alpha", "country": "ZZZ"})
    assert got.status_code == 404, got.text
    problem = got.json()
    assert problem["column"] == "country" and problem["suggestions"]
    got = httpx.get(loaded_server.url + "/api/v1/screening/screen",
                    params={"name": "Alpha", "country": "日本"})
    assert got.status_code == 200 and got.json()["query"]["country"] == "JPN", got.text


@pytest.mark.parametrize(("params", "word"), [
    ({"name": "x", "edition": "9999-12-31"}, "edition '9999-12-31'"),
    ({"name": "x", "edition": "0001-01-01"}, "edition '0001-01-01'"),
    ({"name": "\x1b[31m"}, "control character U+001B"),
    ({"name": "x\u202e"}, "control character U+202E"),
], ids=["edition-future", "edition-far-past", "name-escape", "name-bidi-override"])
def test_api_list_upload_refused(loaded_server, params: dict[str, str], word: str) -> None:  # type: ignore[no-untyped-def]
    got = httpx.post(loaded_server.url + "/api/v1/screening/lists",
                     headers=loaded_server.headers, params=params,
                     files={"file": ("x.jsonl", GOOD.encode())})
    assert got.status_code == 422, got.text
    assert word in got.json()["detail"]
    lists = httpx.get(loaded_server.url + "/api/v1/screening/lists").json()["lists"]
    assert [x["name"] for x in lists] == ["good"]


@pytest.mark.parametrize(("params", "japanese"), [
    ({"name": "\u200b"}, "照合する名称が空です"),
    ({"name": "---"}, "照合する名称が空です"),
    ({"name": "Alpha", "birth_date": "0000-00-00"}, "日付ではありません"),
    ({"name": "Alpha", "birth_date": "2999-01-01"}, "未来の日付"),
    ({"name": "Alpha", "country": "ZZZ"}, "不明な国「ZZZ」"),
], ids=["zero-width", "dashes", "birth-date-zeros", "birth-date-future", "unknown-country"])
def test_page_refuses_a_bad_query_in_japanese(loaded_server, params: dict[str, str],  # type: ignore[no-untyped-def]
                                              japanese: str) -> None:
    got = httpx.get(loaded_server.url + "/screening", params={**params, "lang": "ja"})
    assert got.status_code == 422, got.text[:300]
    assert japanese in got.text


@pytest.mark.parametrize("country", ["Russia", "RU", "ロシア", "RUS"])
def test_country_names_are_resolved_before_matching(tmp_path: Path, country: str) -> None:
    """Any spelling the country resolver knows is screened as its ISO code, so it agrees
    with a list's ``ru`` instead of counting as a country conflict."""
    index = tmp_path / "s.db"
    listed = tmp_path / "ru.jsonl"
    listed.write_text(json.dumps({"id": "r", "schema": "Company", "properties": {
        "name": ["Alpha Trading Co"], "country": ["ru"]}}) + "\n", encoding="utf-8")
    assert load(listed, index)[0] == 0
    code, out, message = cli("screen", "Alpha Trading Co", "--country", country, "--index",
                             str(index), "--format", "json")
    assert code == 0, message
    best = json.loads(out)["matches"][0]
    assert best["status"] == "match" and "country conflict" not in best["explanation"], best
    assert "country RUS agrees" in best["explanation"] and best["score"] == 1.0
    batch = tmp_path / "in.csv"
    batch.write_text(f"name,country\nAlpha Trading Co,{country}\n", encoding="utf-8")
    code, out, message = cli("screen", "--batch", str(batch), "--index", str(index),
                             "--format", "json")
    assert code == 0, message
    row = json.loads(out)["rows"][0]
    assert row["status"] == "match" and row["country"] == country
    assert "country conflict" not in str(row["explanation"]), row
