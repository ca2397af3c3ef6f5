"""Screening commands end to end: ``econsec lists``, ``lists load``, ``lists bundled``,
``screen``, ``decide``, ``screen --batch``. In process through Typer's runner on the real
``econsec`` app, with the console script's error mapping (an ``EconsecError`` is one line
and exit 2; anything else fails the test as a traceback would); the commands that must be
checked as a user runs them (exit status, stderr) also run in a subprocess."""

from __future__ import annotations

import csv
import getpass
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from econsec.cli.app import app
from econsec.errors import EconsecError

SAMPLE = Path(__file__).resolve().parents[1] / "src" / "econsec" / "data" / "screening"


def run(*args: str, index: Path, real: bool = False) -> tuple[int, str, str]:
    """Run ``econsec ARGS --index INDEX`` (in a subprocess with ``real``) and return
    (exit code, stdout, stderr or the error line)."""
    full = [*args, "--index", str(index)]
    if real:
        env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
        proc = subprocess.run([sys.executable, "-m", "econsec", *full], capture_output=True,
                              text=True, env=env, timeout=120)
        return proc.returncode, proc.stdout, proc.stderr
    result = CliRunner().invoke(app, full)
    if isinstance(result.exception, EconsecError):
        return 2, result.stdout, f"error: {result.exception}"
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def index(tmp_path: Path) -> Path:
    path = tmp_path / "screening.db"
    code, out, err = run("lists", "load", str(SAMPLE / "sample_list.jsonl"), "--name", "sample",
                         "--format", "json", index=path)
    assert code == 0, err
    assert json.loads(out)["entities"] == 8
    return path


def test_lists_shows_loaded_lists(index: Path) -> None:
    code, out, _ = run("lists", "--format", "json", index=index)
    assert code == 0
    doc = json.loads(out)
    assert doc["lists"][0]["name"] == "sample" and len(doc["lists"][0]["sha256"]) == 64


def test_screen_json_then_decide_then_screen_again(index: Path) -> None:
    code, out, _ = run("screen", "サトウ タロウ", "--birth-date", "1970-04-01", "--format",
                       "json", index=index)
    assert code == 0
    doc = json.loads(out)
    assert set(doc) >= {"query", "matches", "threshold", "index"}
    best = doc["matches"][0]
    assert best["entity_id"] == "sample-ja-p-1" and best["match"] is True
    assert "Hepburn" in best["explanation"]
    code, _, err = run("screen", "decide", "sample-ja-p-1", "--query", "サトウ タロウ",
                       "--false-positive", "--note", "other person", index=index)
    assert code == 0, err
    code, out, _ = run("screen", "サトウ タロウ", "--format", "json", index=index)
    again = {m["entity_id"]: m for m in json.loads(out)["matches"]}["sample-ja-p-1"]
    assert again["decision"]["decision"] == "false_positive" and again["match"] is False
    assert again["decision"]["decided_by"] == getpass.getuser()


def test_batch_writes_csv(index: Path, tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("id,name,country\n1,Hokuto Electronics Corp.,JPN\n2,Nobody,\n",
                      encoding="utf-8")
    target = tmp_path / "out.csv"
    code, _, err = run("screen", "--batch", str(source), "--out", str(target), index=index)
    assert code == 0, err
    lines = target.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("id,name,country,entity_id")
    assert "sample-ja-co-2" in lines[1]


def test_malformed_list_exits_2_with_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "schema": "Person", "properties": {"name": ["A"]}}\nnot json\n',
                   encoding="utf-8")
    code, _, err = run("lists", "load", str(bad), index=tmp_path / "s.db", real=True)
    assert code == 2 and "line 2" in err and "Traceback" not in err


def test_screen_and_batch_refuse_without_a_list(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    code, out, err = run("screen", "Anything", index=empty, real=True)
    assert code == 2 and out == ""
    assert "no screening list is loaded" in err and len(err.strip().splitlines()) == 1
    source = tmp_path / "in.csv"
    source.write_text("name\nAnything\n", encoding="utf-8")
    code, out, err = run("screen", "--batch", str(source), "--out", str(tmp_path / "o.csv"),
                         index=empty)
    assert code == 2 and "no screening list is loaded" in err
    assert not (tmp_path / "o.csv").exists()


def test_results_name_the_lists_and_flag_an_old_edition(index: Path, tmp_path: Path) -> None:
    code, _, err = run("lists", "load", str(SAMPLE / "sample_list.csv"), "--name", "old",
                       "--edition", "2020-01-31", index=index)
    assert code == 0, err
    code, out, _ = run("screen", "Hokuto Electronics", "--format", "json", index=index)
    doc = json.loads(out)
    screened = {x["name"]: x for x in doc["lists_screened"]}
    assert screened["sample"]["entities"] == 8 and screened["sample"]["loaded_at"]
    assert screened["sample"]["edition"] is None and screened["sample"]["stale"] is False
    assert screened["old"]["edition"] == "2020-01-31" and screened["old"]["stale"] is True
    assert any("'old'" in w and "2020-01-31" in w for w in doc["warnings"])
    code, out, _ = run("screen", "Hokuto Electronics", index=index)
    assert "Lists screened: 2" in out and "sample: 8 entities" in out
    assert "WARNING: list 'old' is edition 2020-01-31" in out


def test_empty_file_does_not_wipe_a_list(index: Path, tmp_path: Path) -> None:
    empty = tmp_path / "sample.jsonl"
    empty.write_text("", encoding="utf-8")
    code, _, err = run("lists", "load", str(empty), "--name", "sample", index=index)
    assert code == 2 and "no entities" in err and "'sample' is unchanged" in err
    code, out, _ = run("lists", "--format", "json", index=index)
    assert json.loads(out)["lists"][0]["entities"] == 8


def test_possible_match_is_shown_for_review_never_as_no_match(index: Path) -> None:
    _, out, _ = run("screen", "Sato Taro", "--birth-date", "1990-01-01", "--format",
                       "json", index=index)
    doc = json.loads(out)
    assert doc["status"] == "possible_match"
    assert doc["matches"][0]["status"] == "possible_match"
    _, out, _ = run("screen", "Sato Taro", "--birth-date", "1990-01-01", index=index)
    assert "possible match — review" in out and "no match" not in out.replace(
        "0 match(es)", "")


def test_batch_csv_escapes_formulas_and_names_the_lists(index: Path, tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text('id,name\n=1+1,"=HYPERLINK(""http://evil.example"",""x"")"\n'
                      "@2,Hokuto Electronics\n", encoding="utf-8")
    target = tmp_path / "out.csv"
    code, _, err = run("screen", "--batch", str(source), "--out", str(target), index=index)
    assert code == 0, err
    assert "possible match(es) to review" in err
    with target.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[0]["id"] == "'=1+1" and rows[0]["name"].startswith("'=HYPERLINK")
    assert rows[1]["id"] == "'@2" and rows[1]["status"] == "match"
    assert rows[1]["lists_screened"].startswith("sample (8 entities, edition unknown")


def test_names_are_printed_with_control_characters_visible(tmp_path: Path) -> None:
    hostile = tmp_path / "ansi.csv"
    hostile.write_text("id,name\nx1,\x1b]0;owned\x07Evil\x1b[31m Trading\n", encoding="utf-8")
    index = tmp_path / "s.db"
    code, _, err = run("lists", "load", str(hostile), index=index)
    assert code == 2 and "control character U+001B" in err and "\x1b" not in err
    # A list stored by a converter (or before names were checked) may still hold them.
    from econsec.screening.entities import ListedEntity
    from econsec.screening.index import SqliteScreeningIndex

    with SqliteScreeningIndex(index) as idx:
        idx.load_entities([ListedEntity("x1", "Company", (
            ("name", "\x1b]0;owned\x07Evil\x1b[31m Trading"),))], "ansi")
    code, out, _ = run("screen", "Evil Trading", index=index)
    assert code == 0 and "\x1b" not in out and "\x07" not in out
    assert "\\x1b" in out


def test_bundled_lists_are_listed_and_loaded_by_name(tmp_path: Path) -> None:
    index = tmp_path / "s.db"
    code, out, _ = run("lists", "bundled", "--format", "json", index=index)
    bundled = {x["name"]: x for x in json.loads(out)["bundled"]}
    assert {"jp-meti-eul", "jp-export-ban-russia", "jp-export-ban-belarus",
            "jp-export-ban-third-countries", "us-dod-1260h", "cn-countermeasures",
            "eu-833-2014", "us-ofac-sdn"} == set(bundled)
    assert bundled["jp-meti-eul"]["edition"] == "2025-09-29"
    assert all(x["licence"] and x["publisher"] for x in bundled.values())
    code, out, err = run("lists", "load", "--bundled", "jp-export-ban-belarus", "--format",
                         "json", index=index)
    assert code == 0, err
    loaded = json.loads(out)
    assert loaded["entities"] == 27 and loaded["edition"] == "2025-09-12"
    code, out, _ = run("screen", "JSC Integral", "--format", "json", index=index)
    assert json.loads(out)["matches"][0]["entity_id"] == "jp.mofa.belarus.2"
    code, _, err = run("lists", "load", "--bundled", "nope", index=index)
    assert code == 2 and "jp-meti-eul" in err


def test_init_loads_the_japanese_lists(built_db: Path, private_screening_index: Path) -> None:
    """``econsec init`` (run by the ``built_db`` fixture) loaded the Japanese lists into the
    session's screening index."""
    _, out, _ = run("lists", "--format", "json", index=private_screening_index)
    loaded = {x["name"]: x for x in json.loads(out)["lists"]}
    assert {"jp-meti-eul", "jp-export-ban-russia", "jp-export-ban-belarus",
            "jp-export-ban-third-countries"} <= set(loaded)
    assert loaded["jp-meti-eul"]["entities"] == 835
    assert loaded["jp-meti-eul"]["edition"] == "2025-09-29"
