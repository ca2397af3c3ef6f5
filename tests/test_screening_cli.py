"""Screening commands end to end: ``econsec lists``, ``lists load``, ``screen``, ``decide``,
``screen --batch``. In a subprocess once the lead has registered the commands; through
Typer's runner on the screening app until then."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from econsec.cli.screening_cmd import lists_app, screen

SAMPLE = Path(__file__).resolve().parents[1] / "src" / "econsec" / "data" / "screening"


def _registered() -> bool:
    from econsec.cli.app import app

    names = {c.name for c in app.registered_commands} | {
        g.name for g in app.registered_groups}
    return {"screen", "lists"} <= names


def _standalone() -> typer.Typer:
    app = typer.Typer()
    app.add_typer(lists_app, name="lists")
    app.command("screen")(screen)
    return app


def run(*args: str, index: Path) -> tuple[int, str, str]:
    """Run ``econsec ARGS --index INDEX`` and return (exit code, stdout, stderr)."""
    full = [*args, "--index", str(index)]
    if _registered():
        env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
        proc = subprocess.run([sys.executable, "-m", "econsec", *full], capture_output=True,
                              text=True, env=env, timeout=120)
        return proc.returncode, proc.stdout, proc.stderr
    from econsec.errors import EconsecError

    result = CliRunner().invoke(_standalone(), full)
    if isinstance(result.exception, EconsecError):
        return 2, result.stdout, str(result.exception)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, ""


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
    code, _, err = run("lists", "load", str(bad), index=tmp_path / "s.db")
    assert code == 2 and "line 2" in err
