"""Imports point down the data flow (presenters -> analyses -> knowledge base -> data sets);
the base modules import only each other; HTML pages never import the JSON API."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "econsec"
BASE = {"errors", "records", "settings", "suggest", "i18n", "jsonable", "documents", "textsafe"}

#: Single modules a package may import from a package it may not import as a whole: the
#: analyses and the report read the knowledge base through its protocol, never the store.
ALLOWED_MODULES = {
    "analyses": {"kb.protocol"},
    "reports": {"kb.protocol"},
    "policy": {"kb.protocol"},
    "regions": {"kb.protocol"},
}

#: Which top-level econsec packages each package may import (besides itself and BASE).
ALLOWED = {
    "datasets": set(),
    "kb": {"datasets"},  # reference data (country names, EU CRM inputs) served by the store
    "indicators": set(),
    "io_models": set(),
    "screening": set(),
    "analyses": {"datasets", "indicators"},
    "scenarios": {"io_models"},
    "reports": {"analyses", "scenarios", "io_models", "policy"},
    "techmgmt": {"kb", "datasets", "io_models", "policy"},
    "policy": {"scenarios", "io_models", "analyses"},
    "infrastructure": {"datasets", "indicators"},
    "regions": {"analyses", "datasets", "indicators"},
    "exercises": {"policy", "scenarios", "kb", "io_models"},
    # the council portal: the audit log under the access layer, shared items over both
    "audit": {"kb"},
    "access": {"kb", "audit"},
    "sharing": {"kb", "access", "audit"},
    "web": {"analyses", "datasets", "kb", "reports", "io_models", "scenarios", "techmgmt",
            "infrastructure", "regions",
            "exercises", "policy",
            "screening", "access", "audit", "sharing"},
    "cli": {"analyses", "datasets", "kb", "reports", "io_models", "scenarios", "web", "policy",
            "infrastructure", "regions",
            "exercises",
            "techmgmt", "screening", "access", "audit", "sharing"},
}


def imported_modules(path: Path) -> set[str]:
    """The econsec modules ``path`` imports (at any depth, functions included), without
    the ``econsec.`` prefix: ``from econsec.web.api import common`` gives ``web.api`` and
    ``web.api.common``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("econsec."):
            module = node.module.removeprefix("econsec.")
            found.add(module)
            found.update(f"{module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name.removeprefix("econsec.") for a in node.names
                         if a.name.startswith("econsec."))
    return found


def imported_packages(path: Path, allowed_modules: set[str] = frozenset()) -> set[str]:
    """The top-level econsec packages ``path`` imports, leaving out imports of
    ``allowed_modules`` (and of names inside them)."""
    return {module.split(".")[0] for module in imported_modules(path)
            if not any(module == m or module.startswith(m + ".") for m in allowed_modules)}


def test_imports_point_down_the_data_flow() -> None:
    problems = []
    for package, allowed in ALLOWED.items():
        for path in sorted((PACKAGE / package).rglob("*.py")):
            found = imported_packages(path, ALLOWED_MODULES.get(package, set()))
            bad = found - allowed - BASE - {package}
            if bad:
                problems.append(f"{path.relative_to(PACKAGE)} imports {sorted(bad)}")
    assert not problems, problems


def test_base_modules_import_only_base_modules() -> None:
    """errors, records, jsonable, textsafe, documents, settings, suggest and i18n sit under
    every layer: they import nothing of the packages above them."""
    paths = [p for name in sorted(BASE)
             for p in ([PACKAGE / f"{name}.py"] if (PACKAGE / f"{name}.py").exists()
                       else sorted((PACKAGE / name).rglob("*.py")))]
    assert len(paths) >= len(BASE)
    problems = []
    for path in paths:
        bad = imported_packages(path) - BASE
        if bad:
            problems.append(f"{path.relative_to(PACKAGE)} imports {sorted(bad)}")
    assert not problems, problems


def test_pages_never_import_the_api() -> None:
    """HTML pages share helpers with the JSON API through neutral modules (web.common, web
    services), never by importing an API module."""
    problems = []
    for path in sorted((PACKAGE / "web" / "pages").rglob("*.py")):
        bad = {m for m in imported_modules(path) if m == "web.api" or m.startswith("web.api.")}
        if bad:
            problems.append(f"{path.relative_to(PACKAGE)} imports {sorted(bad)}")
    assert not problems, problems


def test_the_architecture_check_sees_what_it_must_refuse(tmp_path: Path) -> None:
    """The checks above read every form of import (a guard against a check that passes
    because it reads nothing)."""
    sample = tmp_path / "sample.py"
    sample.write_text("import econsec.kb.store\n"
                      "from econsec.web.api import common\n"
                      "def f():\n    from econsec.kb.protocol import KnowledgeBase\n",
                      encoding="utf-8")
    assert {"kb.store", "web.api", "web.api.common", "kb.protocol",
            "kb.protocol.KnowledgeBase"} <= imported_modules(sample)
    assert imported_packages(sample, {"kb.protocol"}) == {"kb", "web"}
    sample.write_text("from econsec.kb.protocol import KnowledgeBase\n", encoding="utf-8")
    assert imported_packages(sample, {"kb.protocol"}) == set()
    assert imported_packages(sample) == {"kb"}


def test_indicators_are_pure() -> None:
    for path in (PACKAGE / "indicators").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for io_call in ("open(", "read_text(", "write_text(", "sqlalchemy", "requests"):
            assert io_call not in text, f"{path.name} does I/O ({io_call})"
