"""Options every command that reads the knowledge base or prints a result shares, defined
once: ``--db`` and ``--format``; and how a refusal located at an input field names the
option that gave it (:func:`fields_as_options`)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Annotated

import typer

from econsec.cli.output import OutputFormat
from econsec.errors import EconsecError, Location

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="Database URL or SQLite file path (default: ECONSEC_DB, else "
                 "~/.local/share/econsec/econsec.db).", show_default=False),
]
FormatOption = Annotated[
    OutputFormat, typer.Option("--format", "-f", help="Output format.", case_sensitive=False)
]


@contextmanager
def fields_as_options(options: Mapping[str, str]) -> Iterator[None]:
    """Errors located at an input field (``options``' keys) are re-located at the command
    line option that gave it (its value)."""
    try:
        yield
    except EconsecError as exc:
        where = exc.location
        option = options.get(where.column) if where.column is not None else None
        if where.file is None and option is not None:
            exc.location = Location(None, where.line, option)
        raise
