"""Nothing a user sees cites econsec's internal documents ("DESIGN §7", "issue 3",
"econsec DESIGN §4"): not the documentation, templates, translations, data notes, CLI help,
the OpenAPI description, API answers (``method``/``reference`` members included), pages or
the HTML report. Docstrings and comments are for developers and may cite them."""

from __future__ import annotations

import ast
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import typer

from web_server import LiveServer, live_server

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "econsec"

#: "DESIGN §4", "DESIGN.md", "econsec DESIGN", "issue 3", "issue #8".
INTERNAL = re.compile(r"\bDESIGN\b|\bissues? #?\d+\b")


def _hits(text: str) -> list[str]:
    return [text[max(m.start() - 40, 0):m.end() + 40].replace("\n", " ")
            for m in INTERNAL.finditer(text)]


def _user_files() -> Iterator[Path]:
    yield ROOT / "README.md"
    yield from sorted((ROOT / "docs").rglob("*.md"))
    for pattern in ("*.j2", "*.po", "*.md", "*.yaml", "*.yml"):
        yield from sorted(SRC.rglob(pattern))


def test_documents_templates_translations_and_data_notes() -> None:
    found = {str(p.relative_to(ROOT)): _hits(p.read_text(encoding="utf-8"))
             for p in _user_files() if p.stat().st_size < 5_000_000}
    assert {k: v for k, v in found.items() if v} == {}


def _docstring_ids(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            ids.add(id(node.value))  # docstrings and attribute docstrings
    return ids


def test_string_literals_in_code_other_than_docstrings() -> None:
    """Messages, API fields (``reference``, ``method``, ``source``), labels: every string
    literal except docstrings."""
    found = []
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docs = _docstring_ids(tree)
        for node in ast.walk(tree):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                    and id(node) not in docs and INTERNAL.search(node.value)):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value[:80]}")
    assert found == []


def _paths(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    yield path
    for name, sub in getattr(command, "commands", {}).items():
        yield from _paths(sub, (*path, name))


def test_cli_help_of_every_command() -> None:
    from typer.testing import CliRunner

    from econsec.cli.app import app

    runner = CliRunner()
    helps = {}
    for path in _paths(typer.main.get_command(app)):
        result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "200"})
        assert result.exit_code == 0, (path, result.output)
        helps[" ".join(path)] = result.output
    assert len(helps) > 20 and "tech case show" in helps
    assert {k: _hits(v) for k, v in helps.items() if _hits(v)} == {}


@pytest.fixture(scope="module")
def server(built_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    db = tmp_path_factory.mktemp("citations") / "econsec.db"
    shutil.copy(built_db, db)
    with live_server(db) as live:
        yield live


@pytest.mark.parametrize("path", [
    "/api/v1/openapi.json", "/api/v1/assessments/lenses", "/api/v1/assessments/dependence",
    "/api/v1/commodities/lithium", "/api/v1/commodities/lithium/shares",
    "/api/v1/countries/JPN", "/api/v1/sources", "/api/v1/scenarios/worked",
    "/api/v1/tech/technologies", "/api/v1/tech/selfcheck",
    "/", "/tech", "/tech/selfcheck", "/commodities/lithium", "/countries/JPN",
])
def test_api_answers_and_pages(server: LiveServer, path: str) -> None:
    got = httpx.get(server.url + path, timeout=60, follow_redirects=True)
    assert got.status_code == 200, got.text[:300]
    assert _hits(got.text) == []


def test_rendered_report(server: LiveServer, tmp_path: Path) -> None:
    from econsec.reports.criticality import write_report

    path = write_report(server.state.store, tmp_path / "report", home="JPN")
    texts = [p.read_text(encoding="utf-8") for p in Path(path).parent.rglob("*.html")]
    assert texts and all(_hits(t) == [] for t in texts)
