"""Bad and hostile input to technology management: designated-technology lists, transfer
cases (CLI, API, pages) and self-check answers.

Every refusal is one line that names where the problem is (file and line, or the option /
API member / question id), exits 2 on the command line or answers a 4xx problem document,
and stores nothing. One test (or parametrised case) per bad input.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest

from econsec.errors import DataFormatError, NotFoundError, ValidationError
from econsec.kb.store import open_store
from econsec.techmgmt.registry import load_technology_list, parse_technology_list
from econsec.techmgmt.selfcheck import read_answers
from econsec.techmgmt.store import TechStore
from web_server import LiveServer, live_server

BIG_ID = str(2**63)  # one more than SQLite's largest integer

LIST_HEAD = """\
list:
  id: test-list
  version: "1"
  title: Test list
  publisher: METI
  notice_date: 2025-03-01
sources:
  n: {title: Notice, publisher: METI}
technologies:
  - id: quantum-widgets
    name_en: Quantum widgets
    name_ja: 量子ウィジェット
    source: n
    notice_date: 2025-03-01
    effective_date: 2025-05-01
    sourced: true
"""

LAUGHS = "".join(
    f"{name}: &{name} [{', '.join([f'*{prev}'] * 9) if prev else ', '.join(['lol'] * 9)}]\n"
    for prev, name in zip(["", *"abcdefgh"], "abcdefghi", strict=True))


# ----------------------------------------------------------------------- helpers


def _cli(*args: str) -> tuple[int, str, str]:
    """``econsec ARGS`` as the console script runs it (:func:`econsec.cli.app.main`), in
    this process for speed: (exit status, stdout, stderr)."""
    from econsec.cli.app import main

    stdout, stderr = io.StringIO(), io.StringIO()
    argv = sys.argv
    sys.argv = ["econsec", *args]
    code: int | str | None = 0
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            main()
    except SystemExit as exc:
        code = exc.code
    finally:
        sys.argv = argv
    return int(code or 0), stdout.getvalue(), stderr.getvalue()


def _console_script(*args: str) -> tuple[int, str, str]:
    """The real ``econsec`` command in a subprocess: (exit status, stdout, stderr)."""
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200", "USER": "tester"}
    env.pop("ECONSEC_DB", None)
    proc = subprocess.run([sys.executable, "-m", "econsec", *args], capture_output=True,
                          text=True, env=env, timeout=120)
    return proc.returncode, proc.stdout, proc.stderr


def _refused(code: int, stderr: str, *needles: str) -> None:
    """Exit 2 and exactly one line of error that contains every needle (no traceback)."""
    assert code == 2, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    assert "Traceback" not in stderr
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])


@pytest.fixture
def tech(tmp_path: Path) -> TechStore:
    return TechStore(open_store(str(tmp_path / "kb.db")))


@pytest.fixture(scope="module")
def server(built_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    # a copy of the session's knowledge base: what the server would build from the bundled
    # data on an empty file, without spending the time to build it again
    db = tmp_path_factory.mktemp("techbad") / "kb.db"
    shutil.copy(built_db, db)
    with live_server(db) as live:
        yield live


def _headers(server: LiveServer) -> dict[str, str]:
    """What a script sends on a state-changing request (the server's token, if any)."""
    return {"X-CSRF-Token": getattr(server.state, "csrf_token", "")}


def _new_case(server: LiveServer, **change: str) -> httpx.Response:
    body = {"technology": "saw-baw-filters", "counterparty": "Foo Ltd", "country": "CHN",
            "channel": "subsidiary", "decision_date": "2025-06-01", **change}
    return httpx.post(server.url + "/api/v1/tech/cases", json=body, headers=_headers(server))


def _case_count(server: LiveServer) -> int:
    return len(httpx.get(server.url + "/api/v1/tech/cases").json()["cases"])


# ----------------------------------------------------------------------- lists

_MEASURE = """
import json, resource, sys, time
from pathlib import Path
from econsec.errors import DataFormatError
from econsec.techmgmt.registry import load_technology_list
start = time.perf_counter()
try:
    load_technology_list(Path(sys.argv[1]))
    error = None
except DataFormatError as exc:
    error = {"message": str(exc), "line": exc.location.line, "file": exc.location.file}
seconds = time.perf_counter() - start
# VmHWM, not ru_maxrss: Linux keeps ru_maxrss across exec, so it would report the size of
# the (large) pytest process that started this one
peak_mb = int(next(line for line in open('/proc/self/status')
                   if line.startswith('VmHWM:')).split()[1]) / 1024
print(json.dumps({"error": error, "seconds": seconds, "peak_mb": peak_mb}))
"""


def test_billion_laughs_list_refused_fast_and_small(tmp_path: Path) -> None:
    path = tmp_path / "laughs.yaml"
    path.write_text(LAUGHS + LIST_HEAD, encoding="utf-8")
    proc = subprocess.run([sys.executable, "-c", _MEASURE, str(path)], capture_output=True,
                          text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)
    assert got["error"] is not None and "alias" in got["error"]["message"]
    assert got["error"]["file"] == str(path) and got["error"]["line"] is not None
    assert got["seconds"] < 2.0 and got["peak_mb"] < 200, got
    code, _out, err = _cli("tech", "load", str(path), "--db", str(tmp_path / "kb.db"))
    _refused(code, err, "laughs.yaml", "line 1", "alias")


@pytest.mark.parametrize("text", [
    "[" * 100_000 + "]" * 100_000,                                  # JSON array
    '{"list": ' * 5_000 + "1" + "}" * 5_000,                        # JSON object
    "list:\n" + "".join("  " * i + "k:\n" for i in range(1, 3_000)),  # YAML block mapping
], ids=["json-array-100000", "json-object-5000", "yaml-block-3000"])
def test_deeply_nested_list_refused_with_line(tmp_path: Path, text: str) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text(text, encoding="utf-8")
    start = time.perf_counter()
    with pytest.raises(DataFormatError) as info:
        load_technology_list(path)
    assert time.perf_counter() - start < 2.0
    assert info.value.location.file == str(path)
    assert info.value.location.line is not None or "larger than" in info.value.message


@pytest.mark.parametrize(("old", "new", "line", "needle"), [
    ("  notice_date: 2025-03-01\nsources", "  notice_date: 9999-12-31\nsources", 6,
     "list.notice_date: 9999-12-31 is more than 10 years ahead"),
    ("effective_date: 2025-05-01", "effective_date: 2999-01-01", 15,
     "technologies.0.effective_date: 2999-01-01"),
    ("    notice_date: 2025-03-01\n    effective", "    notice_date: 0001-01-01\n    effective",
     14, "before 1950-01-01"),
], ids=["list-notice-9999", "effective-2999", "entry-notice-0001"])
def test_list_dates_outside_the_window_refused(old: str, new: str, line: int,
                                               needle: str) -> None:
    assert old in LIST_HEAD
    with pytest.raises(DataFormatError) as info:
        parse_technology_list(LIST_HEAD.replace(old, new), "l.yaml")
    assert needle in info.value.message and info.value.location.line == line


def test_list_duplicate_key_refused_with_line() -> None:
    text = LIST_HEAD.replace("    sourced: true\n", "    sourced: true\n    sourced: false\n")
    with pytest.raises(DataFormatError, match="appears twice") as info:
        parse_technology_list(text, "l.yaml")
    assert info.value.location.line == 17


def test_list_overlong_name_refused_with_line() -> None:
    text = LIST_HEAD.replace("name_en: Quantum widgets", "name_en: " + "Q" * 600)
    with pytest.raises(DataFormatError, match="at most 500") as info:
        parse_technology_list(text, "l.yaml")
    assert info.value.location.line == 11


def test_list_not_utf8_refused_with_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(LIST_HEAD.replace("量子ウィジェット", "Widgets").encode()
                     .replace(b"Widgets", b"Widg\xe9ts"))
    code, _out, err = _cli("tech", "load", str(path), "--db", str(tmp_path / "kb.db"))
    _refused(code, err, "latin1.yaml", "line 12", "not UTF-8")


def test_list_oversized_file_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:
        handle.write(LIST_HEAD.encode())
        handle.write(b"#" * (17 * 1024 * 1024))
    with pytest.raises(DataFormatError, match="larger than the limit") as info:
        load_technology_list(path)
    assert info.value.location.file == str(path)


# ----------------------------------------------------------------------- case ids


@pytest.mark.parametrize("command", [["show", BIG_ID], ["export", BIG_ID, "--out", "x.html"],
                                     ["move", BIG_ID, "reported", "--note", "x"]],
                         ids=["show", "export", "move"])
def test_cli_case_id_beyond_int64_is_not_found(tmp_path: Path, command: list[str]) -> None:
    code, _out, err = _cli("tech", "case", *command, "--db", str(tmp_path / "kb.db"))
    _refused(code, err, "CASE_ID", "no transfer case")


def test_cli_bad_case_id_is_one_line(tmp_path: Path) -> None:
    code, _out, err = _console_script("tech", "case", "show", "abc",
                                      "--db", str(tmp_path / "kb.db"))
    _refused(code, err, "CASE_ID", "case id 'abc' is not a whole number")


@pytest.mark.parametrize("command", [
    ["show", "-5"], ["show", "-1", "--format", "json"], ["export", "-5", "--out", "x.html"],
    ["move", "-5", "reported", "--note", "x"], ["show", "-0"]],
    ids=["show", "show-with-format", "export", "move", "minus-zero"])
def test_cli_negative_case_id_is_not_found_in_one_line(tmp_path: Path,
                                                       command: list[str]) -> None:
    """click used to read "-5" as an unknown option and print its usage box."""
    code, _out, err = _cli("tech", "case", *command, "--db", str(tmp_path / "kb.db"))
    _refused(code, err, "CASE_ID", f"no transfer case {command[1]}")


def test_cli_case_commands_keep_their_options(tmp_path: Path) -> None:
    db = tmp_path / "kb.db"
    case = TechStore(open_store(str(db))).create_case(
        technology="saw-baw-filters", counterparty="X", country="CHN", channel="subsidiary",
        decision_date="2025-06-01")
    code, out, err = _cli("tech", "case", "show", str(case.id), "-f", "json", "--db", str(db))
    assert code == 0 and json.loads(out)["id"] == case.id, err
    code, out, err = _cli("tech", "case", "move", "--note", "filed", str(case.id), "reported",
                          "--format", "json", "--db", str(db))
    assert code == 0 and json.loads(out)["status"] == "reported", err
    code, _out, err = _cli("tech", "case", "export", str(case.id), "--out",
                           str(tmp_path / "c.html"), "--lang", "ja", "--db", str(db))
    assert code == 0 and (tmp_path / "c.html").is_file(), err


def test_store_case_id_bounds(tech: TechStore) -> None:
    for bad in (2**63, 2**80, 0, -1, BIG_ID, "9" * 5000, "0"):
        with pytest.raises(NotFoundError):
            tech.case(bad)
    with pytest.raises(NotFoundError):
        tech.move_case(2**63, "reported", note="x")
    with pytest.raises(ValidationError, match="not a whole number"):
        tech.case("1; DROP TABLE transfer_cases")


def test_api_case_id_beyond_int64_is_404(server: LiveServer) -> None:
    api = f"{server.url}/api/v1/tech/cases/{BIG_ID}"
    got = httpx.get(api)
    assert got.status_code == 404 and got.json()["column"] == "case_id"
    moved = httpx.post(api + "/move", json={"status": "reported", "note": "x"},
                       headers=_headers(server))
    assert moved.status_code == 404
    assert httpx.get(f"{server.url}/api/v1/tech/cases/{'9' * 5000}").status_code == 422


def test_page_case_id_beyond_int64_or_not_a_number_is_404(server: LiveServer) -> None:
    for case_id in (BIG_ID, "abc"):
        page = httpx.get(f"{server.url}/tech/cases/{case_id}")
        assert page.status_code == 404 and "<html" in page.text.lower()
    moved = httpx.post(f"{server.url}/tech/cases/{BIG_ID}/move",
                       data={"status": "reported", "note": "x"}, headers=_headers(server))
    assert moved.status_code == 404


# ----------------------------------------------------------------------- case dates


@pytest.mark.parametrize("when", ["0001-01-01", "9999-12-31", "1949-12-31"])
def test_cli_decision_date_outside_window_refused(tmp_path: Path, when: str) -> None:
    db = tmp_path / "kb.db"
    code, _out, err = _cli("tech", "case", "new", "--technology", "saw-baw-filters",
                           "--counterparty", "X", "--country", "CHN", "--channel",
                           "subsidiary", "--decision-date", when, "--db", str(db))
    _refused(code, err, "--decision-date", when)
    assert TechStore(open_store(str(db))).cases() == []


@pytest.mark.parametrize("when", ["0001-01-01", "9999-12-31"])
def test_api_decision_date_outside_window_is_422(server: LiveServer, when: str) -> None:
    before = _case_count(server)
    got = _new_case(server, decision_date=when)
    assert got.status_code == 422, got.text
    assert got.json()["column"] == "decision_date" and when in got.json()["detail"]
    assert _case_count(server) == before


def test_page_decision_date_outside_window_is_refused(server: LiveServer) -> None:
    before = _case_count(server)
    page = httpx.post(server.url + "/tech/cases", headers=_headers(server), data={
        "technology": "saw-baw-filters", "counterparty": "X", "country": "CHN",
        "channel": "subsidiary", "decision_date": "9999-12-31"})
    assert page.status_code == 422 and "decision_date" in page.text
    assert "9999-12-31 is more than 10 years ahead" in page.text
    assert _case_count(server) == before


def test_step_dated_far_ahead_refused_and_case_still_movable(tech: TechStore) -> None:
    case = tech.create_case(technology="saw-baw-filters", counterparty="X", country="CHN",
                            channel="subsidiary", decision_date="2025-06-01")
    for when in ("2999-01-01", (date.today() + timedelta(days=2)).isoformat(), "0001-01-01"):
        with pytest.raises(ValidationError) as info:
            tech.move_case(case.id, "reported", note="filed", on=when)
        assert info.value.location.column == "on"
    tech.move_case(case.id, "reported", note="filed", on=date.today().isoformat())
    tech.move_case(case.id, "in_dialogue", note="talks", on=date.today().isoformat())


def test_api_and_cli_step_dated_far_ahead_refused(server: LiveServer, tmp_path: Path) -> None:
    case = _new_case(server).json()
    moved = httpx.post(f"{server.url}/api/v1/tech/cases/{case['id']}/move",
                       json={"status": "reported", "note": "x", "on": "2999-01-01"},
                       headers=_headers(server))
    assert moved.status_code == 422 and moved.json()["column"] == "on"
    db = tmp_path / "kb.db"
    created = TechStore(open_store(str(db))).create_case(
        technology="saw-baw-filters", counterparty="X", country="CHN", channel="subsidiary",
        decision_date="2025-06-01")
    code, _out, err = _cli("tech", "case", "move", str(created.id), "reported", "--note", "x",
                           "--on", "2999-01-01", "--db", str(db))
    _refused(code, err, "--on", "2999-01-01 is in the future")


# ----------------------------------------------------------------------- self-check


@pytest.mark.parametrize(("text", "line", "question", "needle"), [
    ("p1: yes\np2: no\nzz9: yes\n", 3, "zz9", "unknown question id 'zz9'"),
    ("p1: yes\np2: maybe\n", 2, "p2", "answer 'maybe' is not one of"),
    ("answers:\n  p1: yes\n  p3: 7\n", 3, "p3", "answer '7' is not one of"),
    ("p1: yes\np2: no\np1: no\n", 3, "p1", "appears twice"),
], ids=["unknown-question", "answer-out-of-range", "number-out-of-range", "duplicate"])
def test_selfcheck_answers_refused_with_file_line_and_question(
        tmp_path: Path, text: str, line: int, question: str, needle: str) -> None:
    path = tmp_path / "answers.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises((ValidationError, DataFormatError)) as info:
        read_answers(path)
    where = info.value.location
    assert (where.file, where.line, where.column) == (str(path), line, question)
    assert needle in info.value.message


def test_cli_selfcheck_answers_error_is_one_located_line(tmp_path: Path) -> None:
    path = tmp_path / "answers.yaml"
    path.write_text("p1: yes\np2: maybe\n", encoding="utf-8")
    code, _out, err = _cli("tech", "selfcheck", "--answers", str(path))
    _refused(code, err, "answers.yaml", "line 2", "column 'p2'")


def test_api_selfcheck_unknown_question_names_it(server: LiveServer) -> None:
    got = httpx.post(server.url + "/api/v1/tech/selfcheck", json={"answers": {"zz9": "yes"}},
                     headers=_headers(server))
    assert got.status_code == 422 and got.json()["column"] == "zz9"


# ----------------------------------------------------------------------- terminal and CSV


def test_control_characters_in_stored_case_are_shown_escaped(tmp_path: Path) -> None:
    db = tmp_path / "kb.db"
    case = TechStore(open_store(str(db))).create_case(
        technology="saw-baw-filters", counterparty="Acme", country="CHN",
        channel="subsidiary", decision_date="2025-06-01")
    with sqlite3.connect(db) as conn:  # as an older version or another tool may store it
        conn.execute("UPDATE transfer_cases SET counterparty = ? WHERE id = ?",
                     ("Evil\x1b]0;pwned\x07\x1b[2J Co", case.id))
        conn.execute("UPDATE transfer_case_events SET note = ? WHERE case_id = ?",
                     ("note\x1b[31m red", case.id))
    for command in (["list"], ["show", str(case.id)]):
        code, out, err = _cli("tech", "case", *command, "--db", str(db))
        assert code == 0, err
        assert "\x1b" not in out and "\x07" not in out
        assert "\\x1b]0;pwned\\x07" in out
    code, out, _err = _cli("tech", "case", "show", str(case.id), "--db", str(db))
    assert "note\\x1b[31m red" in out


def test_control_characters_refused_on_input(tmp_path: Path) -> None:
    code, _out, err = _cli("tech", "case", "new", "--technology", "saw-baw-filters",
                           "--counterparty", "Evil\x1b[2J Co", "--country", "CHN",
                           "--channel", "subsidiary", "--decision-date", "2025-06-01",
                           "--db", str(tmp_path / "kb.db"))
    _refused(code, err, "--counterparty", "control character U+001B", "\\x1b")


def test_case_list_csv_escapes_formulas(tmp_path: Path) -> None:
    db = tmp_path / "kb.db"
    TechStore(open_store(str(db))).create_case(
        technology="saw-baw-filters", counterparty='=HYPERLINK("http://x","y")',
        country="CHN", channel="subsidiary", decision_date="2025-06-01")
    code, out, err = _cli("tech", "case", "list", "--format", "csv", "--db", str(db))
    assert code == 0, err
    assert "'=HYPERLINK" in out and ",=HYPERLINK" not in out


# ----------------------------------------------------------------------- other refusals


@pytest.mark.parametrize(("change", "needles"), [
    ({"--technology": "photoresist"}, ["--technology", "semiconductor-photoresists"]),
    ({"--country": "Chyna"}, ["--country", "unknown country"]),
    ({"--channel": "franchise"}, ["--channel", "allowed: subsidiary"]),
    ({"--counterparty": "   "}, ["--counterparty", "a name is required"]),
    ({"--decision-date": "20250601"}, ["--decision-date", "not a date"]),
], ids=["technology", "country", "channel", "counterparty", "date-format"])
def test_cli_case_new_refusals_name_the_option(tmp_path: Path, change: dict[str, str],
                                               needles: list[str]) -> None:
    args = {"--technology": "saw-baw-filters", "--counterparty": "X", "--country": "CHN",
            "--channel": "subsidiary", "--decision-date": "2025-06-01", **change}
    flat = [part for pair in args.items() for part in pair]
    code, _out, err = _cli("tech", "case", "new", *flat, "--db", str(tmp_path / "kb.db"))
    _refused(code, err, *needles)


def test_cli_move_not_allowed_names_allowed_moves(tmp_path: Path) -> None:
    db = tmp_path / "kb.db"
    case = TechStore(open_store(str(db))).create_case(
        technology="saw-baw-filters", counterparty="X", country="CHN", channel="subsidiary",
        decision_date="2025-06-01")
    code, _out, err = _cli("tech", "case", "move", str(case.id), "closed", "--note", "x",
                           "--db", str(db))
    _refused(code, err, "STATUS", "from 'draft' to 'closed'", "allowed from 'draft': reported")


def test_api_move_not_allowed_names_allowed_moves(server: LiveServer) -> None:
    case = _new_case(server).json()
    got = httpx.post(f"{server.url}/api/v1/tech/cases/{case['id']}/move",
                     json={"status": "closed", "note": "x"}, headers=_headers(server))
    assert got.status_code == 422 and got.json()["column"] == "status"
    assert "allowed from 'draft': reported" in got.json()["detail"]


def test_api_unknown_technology_names_the_member(server: LiveServer) -> None:
    got = _new_case(server, technology="photoresist")
    assert got.status_code == 404 and got.json()["column"] == "technology"


def test_cli_load_invalid_list_is_one_located_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(LIST_HEAD.replace("sourced: true", "sourced: maybe"), encoding="utf-8")
    code, _out, err = _cli("tech", "load", str(path), "--db", str(tmp_path / "kb.db"))
    _refused(code, err, "bad.yaml", "line 16", "sourced")


def test_selfcheck_answers_nested_deep_refused_with_line(tmp_path: Path) -> None:
    path = tmp_path / "answers.json"
    path.write_text('{"p1": ' + "[" * 50_000 + "]" * 50_000 + "}", encoding="utf-8")
    with pytest.raises(DataFormatError, match="nested deeper") as info:
        read_answers(path)
    assert info.value.location.file == str(path) and info.value.location.line == 1


def test_cli_case_export_unwritable_is_one_located_line(tmp_path: Path) -> None:
    db = tmp_path / "kb.db"
    case = TechStore(open_store(str(db))).create_case(
        technology="saw-baw-filters", counterparty="X", country="CHN", channel="subsidiary",
        decision_date="2025-06-01")
    code, _out, err = _cli("tech", "case", "export", str(case.id), "--out", str(tmp_path),
                           "--db", str(db))
    _refused(code, err, str(tmp_path), "cannot write the file")


def test_page_step_dated_far_ahead_is_refused(server: LiveServer) -> None:
    case = _new_case(server).json()
    page = httpx.post(f"{server.url}/tech/cases/{case['id']}/move", headers=_headers(server),
                      data={"status": "reported", "note": "filed", "on": "2999-01-01"})
    # The page names the field in the reader's words, not by its internal name ("on").
    assert page.status_code == 422 and "step date 2999-01-01 is in the future" in page.text
    got = httpx.get(f"{server.url}/api/v1/tech/cases/{case['id']}").json()
    assert got["status"] == "draft" and len(got["history"]) == 1


# ----------------------------------------------------------------------- Japanese pages


def _ja_case(server: LiveServer) -> int:
    return int(_new_case(server).json()["id"])


_JA_REFUSALS = {
    "decision-date-too-late": (
        "post", "/tech/cases", {"technology": "saw-baw-filters", "counterparty": "X",
                                "country": "CHN", "channel": "subsidiary",
                                "decision_date": "9999-12-31"},
        "意思決定予定日 9999-12-31 は 10 年より先です", "years ahead"),
    "decision-date-not-a-date": (
        "post", "/tech/cases", {"technology": "saw-baw-filters", "counterparty": "X",
                                "country": "CHN", "channel": "subsidiary",
                                "decision_date": "2025-13-01"},
        "意思決定予定日: &#39;2025-13-01&#39; は日付（YYYY-MM-DD）ではありません",
        "is not a date"),
    "counterparty-control-character": (
        "post", "/tech/cases", {"technology": "saw-baw-filters", "counterparty": "A\x07B",
                                "country": "CHN", "channel": "subsidiary",
                                "decision_date": "2025-06-01"},
        "相手方: 制御文字 U+0007 は使えません", "control character"),
    "unknown-country": (
        "post", "/tech/cases", {"technology": "saw-baw-filters", "counterparty": "X",
                                "country": "Atlantis", "channel": "subsidiary",
                                "decision_date": "2025-06-01"},
        "国 &#39;Atlantis&#39; は見つかりません", "unknown country"),
    "selfcheck-answer": (
        "post", "/tech/selfcheck", {"p1": "maybe"},
        "回答 &#39;maybe&#39; は yes（はい）", "is not one of"),
    "move-not-allowed": (
        "post", "/tech/cases/{case}/move", {"status": "closed", "note": "skip"},
        "&#39;draft&#39; から移せる状態: reported", "cannot move"),
    "move-without-note": (
        "post", "/tech/cases/{case}/move", {"status": "reported", "note": " "},
        "状態を変える理由を記入してください", "a note is required"),
    "step-date-in-future": (
        "post", "/tech/cases/{case}/move", {"status": "reported", "note": "x",
                                            "on": "2999-01-01"},
        "手続きの日付 2999-01-01 は未来の日付です", "is in the future"),
    "case-not-found": ("get", "/tech/cases/-5", None, "移転案件 -5 はありません",
                       "no transfer case"),
    "as-of-not-a-date": ("get", "/tech?as_of=2025-02-30", None,
                         "時点: &#39;2025-02-30&#39; は日付", "is not a date"),
}


@pytest.mark.parametrize("name", list(_JA_REFUSALS))
def test_japanese_pages_show_refusals_in_japanese(server: LiveServer, name: str) -> None:
    """The refusals of the /tech pages are translated (they were English on ja pages)."""
    method, path, data, japanese, english = _JA_REFUSALS[name]
    if "{case}" in path:
        path = path.format(case=_ja_case(server))
    url = f"{server.url}{path}{'&' if '?' in path else '?'}lang=ja"
    if method == "post":
        page = httpx.post(url, data=data, headers=_headers(server))
    else:
        page = httpx.get(url)
    assert page.status_code in (200, 404, 422) and '<html lang="ja">' in page.text
    assert japanese in page.text, page.text[-3000:]
    assert english not in page.text
    english_page = (httpx.post(url.replace("lang=ja", "lang=en"), data=data,
                               headers=_headers(server)) if method == "post"
                    else httpx.get(url.replace("lang=ja", "lang=en")))
    assert english in english_page.text  # English pages keep the English message


def test_translatable_error_keeps_the_english_contract() -> None:
    from econsec.errors import EconsecError, Location, Term, UnknownCountryError

    plain = EconsecError("50% done", location=Location("f.csv", 3, "x"))
    assert str(plain) == "f.csv, line 3, column 'x': 50% done" and plain.params is None
    assert plain.translate("ja") == "f.csv, 3 行目, 項目 'x': 50% done"
    made = ValidationError("%(what)s: '%(value)s' is not a date (YYYY-MM-DD)",
                           params={"what": Term("decision date"), "value": "x"})
    assert made.message == "decision date: 'x' is not a date (YYYY-MM-DD)"
    assert made.msgid.startswith("%(what)s") and made.params == {"what": "decision date",
                                                                 "value": "x"}
    assert made.translate("en") == str(made)
    assert made.translate("ja") == "意思決定予定日: 'x' は日付（YYYY-MM-DD）ではありません"
    assert plain.translate("en", located=False) == "50% done"
    unknown = UnknownCountryError("Chyna", ["China"])
    assert str(unknown) == "unknown country 'Chyna'; did you mean: China?"
    assert unknown.translate("ja") == "国 'Chyna' は見つかりません。候補: China"
