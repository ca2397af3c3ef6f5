"""Options every command that reads the knowledge base or prints a result shares, defined
once: ``--db`` and ``--format``."""

from __future__ import annotations

from typing import Annotated

import typer

from econsec.cli.output import OutputFormat

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="Database URL or SQLite file path (default: ECONSEC_DB, else "
                 "~/.local/share/econsec/econsec.db).", show_default=False),
]
FormatOption = Annotated[
    OutputFormat, typer.Option("--format", "-f", help="Output format.", case_sensitive=False)
]
