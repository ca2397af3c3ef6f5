"""Every problem of a user's file, before anything is stored: the one check behind
``econsec import --dry-run``, the API's ``POST /api/v1/data/preview`` and the data page.

:func:`check_user_file` reads the file as :func:`~econsec.datasets.user_tables.read_user_file`
does, but a refused row does not stop it: each row's refusal is kept (with its file, line
and column) and the reading goes on. The rows that pass are then checked as an import would
check them against the knowledge base (:meth:`econsec.kb.store.Store.bundle_problems`:
unknown items and sources, duplicates, share sums, cycles, and for a file without row
problems a source whose stored facts would change), again collecting every problem.

A refused row of a CSV file or workbook is checked again with each refused cell replaced
by a value that passes, so all of its problems are listed; a data package's refused row
lists its first. A problem of the file as a whole (not a table, an encoding that cannot be
read, a missing column, a malformed CSV record, a package's descriptor) ends the reading:
it is the only problem listed and ``bundle`` is None.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from econsec.datasets.user_tables import ProblemLimit, Problems, read_user_file
from econsec.errors import EconsecError
from econsec.records import Bundle

#: Problems listed at most (the rest are counted as "more").
MAX_PROBLEMS = 100


class ChecksBundles(Protocol):
    """What the check needs from the knowledge base."""

    def bundle_problems(self, bundle: Bundle, *, replace: bool = False,
                        complete: bool = True, limit: int = 100) -> list[EconsecError]: ...


@dataclass
class FileCheck:
    """The outcome of :func:`check_user_file`."""

    #: The rows that passed the reader (None: the file could not be read as a whole)
    bundle: Bundle | None
    #: Every problem found, in file order (reader and knowledge-base checks merged)
    problems: list[EconsecError] = field(default_factory=list)
    #: True when the check stopped at ``limit`` problems (there may be more)
    truncated: bool = False
    #: How many of the problems the reader found (rows refused as they were read)
    read_problems: int = 0

    @property
    def ok(self) -> bool:
        return self.bundle is not None and not self.problems


def _order(error: EconsecError) -> tuple[Any, ...]:
    loc = error.location
    return (loc.file or "", loc.line if loc.line is not None else 0)


def check_user_file(path: Path, *, store: ChecksBundles | None = None,
                    encoding: str | None = None, replace: bool = False,
                    limit: int = MAX_PROBLEMS) -> FileCheck:
    """Read ``path`` and collect every problem of every row (at most ``limit``); with a
    ``store``, also every problem the import would find against it. Stores nothing."""
    problems = Problems(limit)
    try:
        bundle = read_user_file(path, encoding=encoding, problems=problems)
    except ProblemLimit:
        return FileCheck(None, list(problems), truncated=True, read_problems=len(problems))
    except EconsecError as exc:  # the file as a whole
        return FileCheck(None, [*problems, exc], read_problems=len(problems) + 1)
    found: list[EconsecError] = list(problems)
    if store is not None and len(found) < limit:
        found += store.bundle_problems(bundle, replace=replace, complete=not found,
                                       limit=limit - len(found))
    found.sort(key=_order)  # stable: a row's reader problem before the checks after it
    return FileCheck(bundle, found, truncated=len(found) >= limit,
                     read_problems=len(problems))


def problem_row(error: EconsecError, lang: str = "en") -> dict[str, Any]:
    """One problem as the preview lists it: ``file``, ``line``, ``column``, ``message`` (in
    ``lang``, without the location)."""
    loc = error.location
    return {"file": loc.file, "line": loc.line, "column": loc.column,
            "message": error.translate(lang, located=False)}
