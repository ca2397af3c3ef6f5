"""``econsec import --dry-run``: every problem of every row of a file, nothing stored.

The check is :func:`econsec.datasets.file_check.check_user_file`, the same as the API
preview's and the data page's. Each problem is printed on stderr as one line
``error: <file>, line N, column 'c': message`` (then how many there were; exit status 2);
a clean file prints the records per table it would import (exit status 0). ``--format
json`` prints ``{file, ok, problems: [{file, line, column, message}], truncated, counts}``
on stdout instead of the lines.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from econsec.cli.console import err, out
from econsec.cli.output import OutputFormat, Result, emit, one_line

TABLES = ("sources", "countries", "items", "observations", "trade_flows", "input_edges",
          "governance", "country_risk")


def dry_run(store: Any, path: Path, *, encoding: str | None, replace: bool,
            fmt: OutputFormat) -> None:
    """Check ``path`` as ``econsec import`` would and report every problem."""
    from econsec.datasets.file_check import check_user_file, problem_row

    check = check_user_file(path, store=store, encoding=encoding, replace=replace)
    counts = ({t: len(getattr(check.bundle, t)) for t in TABLES}
              if check.bundle is not None else {})
    if fmt is not OutputFormat.TABLE or check.ok:
        doc = {"file": str(path), "ok": check.ok, "stored": False,
               "problems": [problem_row(p) for p in check.problems],
               "truncated": check.truncated, "counts": counts}
        rows = [{"table": t, "rows": n} for t, n in counts.items() if n]
        title = (f"{path}: no problems; nothing stored (import it without --dry-run)"
                 if check.ok else f"{path}: {len(check.problems)} problems")
        emit(Result(doc, rows, ["table", "rows"], title=title), fmt, out)
    if check.ok:
        return
    if fmt is OutputFormat.TABLE:
        for problem in check.problems:
            err.print(f"error: {one_line(problem)}", markup=False, highlight=False,
                      soft_wrap=True)
    more = " (the check stopped there; there may be more)" if check.truncated else ""
    n = len(check.problems)
    err.print(f"{n} problem{'s' if n != 1 else ''}{more}; nothing was stored.",
              markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(2)
