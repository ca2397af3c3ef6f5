"""Imports point down the data flow (presenters -> analyses -> knowledge base -> data sets)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "econsec"
BASE = {"errors", "records", "settings", "suggest", "i18n", "jsonable", "documents", "textsafe"}

#: Which top-level econsec packages each package may import (besides itself and BASE).
ALLOWED = {
    "datasets": set(),
    "kb": {"datasets"},  # reference data (country names, EU CRM inputs) served by the store
    "indicators": set(),
    "io_models": set(),
    "screening": set(),
    "analyses": {"datasets", "indicators"},
    "scenarios": {"io_models"},
    "reports": {"analyses", "scenarios", "io_models"},
    "techmgmt": {"kb", "datasets"},
    "web": {"analyses", "datasets", "kb", "reports", "io_models", "scenarios", "techmgmt",
            "screening"},
    "cli": {"analyses", "datasets", "kb", "reports", "io_models", "scenarios", "web",
            "techmgmt", "screening"},
}


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("econsec."):
            found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names
                         if a.name.startswith("econsec."))
    return found


def test_imports_point_down_the_data_flow() -> None:
    problems = []
    for package, allowed in ALLOWED.items():
        for path in sorted((PACKAGE / package).rglob("*.py")):
            bad = imported_packages(path) - allowed - BASE - {package}
            if bad:
                problems.append(f"{path.relative_to(PACKAGE)} imports {sorted(bad)}")
    assert not problems, problems


def test_indicators_are_pure() -> None:
    for path in (PACKAGE / "indicators").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for io_call in ("open(", "read_text(", "write_text(", "sqlalchemy", "requests"):
            assert io_call not in text, f"{path.name} does I/O ({io_call})"
