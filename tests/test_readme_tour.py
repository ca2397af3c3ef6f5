"""The README's tour, run as a user would: its input files live in docs/examples/ and its
commands give what the README shows."""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import pytest

from conftest import run_cli

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
EXAMPLES = ROOT / "docs" / "examples"
TOUR_FILES = ("lithium_2025.csv", "bad.csv", "answers.yaml", "sanctions.jsonl",
              "counterparties.csv", "my-scenario.yaml")


def _tour_commands() -> list[str]:
    return [line[2:] for line in README.read_text(encoding="utf-8").splitlines()
            if line.startswith("$ econsec ")]


def test_every_input_file_the_tour_names_is_in_docs_examples() -> None:
    named = {m for command in _tour_commands()
             for m in re.findall(r"[\w.-]+\.(?:csv|yaml|jsonl|json)\b", command)
             if m not in {"input.json", "results.csv"}}  # written by the tour itself
    assert named == set(TOUR_FILES)
    assert all((EXAMPLES / name).is_file() for name in named)
    assert "docs/examples" in README.read_text(encoding="utf-8")


@pytest.fixture
def tour(tmp_path: Path, db_copy: Path) -> tuple[Path, Path, dict[str, str]]:
    folder = tmp_path / "examples"
    shutil.copytree(EXAMPLES, folder)
    env = {"ECONSEC_SCREENING_DB": str(tmp_path / "screening.db")}
    return folder, db_copy, env


def _run(folder: Path, *args: str, db: Path | None, env: dict[str, str],  # type: ignore[no-untyped-def]
         check: bool = True):
    import os

    cwd = os.getcwd()
    os.chdir(folder)
    try:
        return run_cli(*args, db=db, env=env, check=check)
    finally:
        os.chdir(cwd)


def test_import_and_a_refused_file(tour: tuple[Path, Path, dict[str, str]]) -> None:
    folder, db, env = tour
    done = _run(folder, "import", "lithium_2025.csv", db=db, env=env)
    assert re.search(r"trade_flows\s*│\s*6\s*│", done.stdout), done.stdout
    refused = _run(folder, "import", "bad.csv", db=db, env=env, check=False)
    assert refused.returncode == 2
    lines = README.read_text(encoding="utf-8").splitlines()
    shown = lines[lines.index("$ econsec import bad.csv") + 1]
    assert refused.stderr.strip() == shown


def test_selfcheck_answers(tour: tuple[Path, Path, dict[str, str]]) -> None:
    folder, db, env = tour
    done = _run(folder, "tech", "selfcheck", "--answers", "answers.yaml", db=db, env=env)
    assert "Overall" in done.stdout


def test_own_list_and_batch_screening(tour: tuple[Path, Path, dict[str, str]]) -> None:
    folder, _, env = tour
    _run(folder, "lists", "load", "sanctions.jsonl", "--name", "my-list", "--edition",
         "2026-11-30", db=None, env=env)
    _run(folder, "screen", "--batch", "counterparties.csv", "--out", "results.csv", db=None,
         env=env)
    with (folder / "results.csv").open(encoding="utf-8") as handle:
        rows = {r["name"]: r for r in csv.DictReader(handle)}
    assert len(rows) == 6
    assert rows["Qihoo 360"]["status"] == "match"
    assert rows["Qihoo 360"]["entity_id"] == "my-list-1"
    assert rows["Advanced Micro-Fabrication Equipment Inc."]["entity_id"] == "my-list-2"
    assert rows["Advanced Micro-Fabrication Equipment Inc."]["status"] == "match"
    assert rows["Example Trading GmbH"]["status"] != "match"
    assert all("my-list" in r["lists_screened"] for r in rows.values())


def test_my_scenario(tour: tuple[Path, Path, dict[str, str]]) -> None:
    folder, _, env = tour
    _run(folder, "simulate", "my-scenario.yaml", "--single", "--out", "run", db=None, env=env)
    summary = json.loads((folder / "run" / "summary.json").read_text(encoding="utf-8"))
    assert summary["mrio"] == "pymrio:test"
    done = _run(folder, "simulate", "my-scenario.yaml", "--runs", "2", "--seed", "1",
                "--executor", "serial", "--format", "json", db=None, env=env)
    result = json.loads(done.stdout)
    assert result["runs"] == 2
    assert result["total_production_change"]["p50"] < 0
