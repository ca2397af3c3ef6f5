"""``econsec items export --as USER --format stix|jsonl [--output FILE]``: every shared item
that user may see as a STIX 2.1 bundle or JSON lines (:mod:`econsec.sharing.export`),
written to the audit log as an export."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from econsec.cli.console import err
from econsec.cli.options import DbOption


def export_items(
    user: Annotated[str, typer.Option(
        "--as", help="The user exporting (what they may see is what is exported).",
        show_default=False)],
    fmt: Annotated[str, typer.Option("--format", "-f", help="stix (a STIX 2.1 bundle) or "
                                     "jsonl (one item a line).")] = "stix",
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write to this file (default: standard output).",
        dir_okay=False, show_default=False)] = None,
    db: DbOption = None,
) -> None:
    """Export the shared items USER may see: a STIX 2.1 bundle (a report per item with its
    TLP 2.0 marking and the econsec marking) or JSON lines. Level-3 bodies are withheld
    unless the deployment enables them."""
    import sys

    from econsec.cli.items_cmd import _context, _now
    from econsec.errors import Location, ValidationError
    from econsec.i18n.terms import N_
    from econsec.sharing.export import export_items as export
    from econsec.sharing.export import parse_format

    fmt = parse_format(fmt)
    store, actor = _context(db, user)
    text, count = export(store, store.audit, actor, fmt, at=_now(), via="cli")
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise ValidationError(N_("cannot write the export: %(reason)s"),
                                  location=Location(str(output)),
                                  params={"reason": exc.strerror or str(exc)}) from exc
    err.print(f"{count} item(s) exported for {user} ({fmt})", markup=False, highlight=False)
