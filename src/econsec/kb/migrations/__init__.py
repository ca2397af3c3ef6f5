"""Alembic migrations of the knowledge base (run by :func:`econsec.kb.store.open_store`).

:func:`head_revisions` reads the newest revision(s) from the version files as text, so that
opening a database already at the newest schema compares one stored value with it and
never imports Alembic; Alembic runs only when they differ.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

VERSIONS_DIR = Path(__file__).parent / "versions"

_REVISION = re.compile(r"^revision\s*(?::[^=\n]*)?=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)
_DOWN = re.compile(r"^down_revision\s*(?::[^=\n]*)?=\s*(.+)$", re.MULTILINE)
_QUOTED = re.compile(r"['\"]([^'\"]+)['\"]")


@cache
def head_revisions(folder: Path = VERSIONS_DIR) -> frozenset[str]:
    """Revisions that no other revision names as its ``down_revision`` (Alembic's heads),
    read from the ``revision = "…"`` and ``down_revision = …`` lines of ``folder/*.py``."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in sorted(folder.glob("*.py")):
        text = path.read_text(encoding="utf-8")
        found = _REVISION.search(text)
        if found is None:
            continue
        revisions.add(found.group(1))
        down = _DOWN.search(text)
        if down is not None:
            parents.update(_QUOTED.findall(down.group(1)))
    return frozenset(revisions - parents)
