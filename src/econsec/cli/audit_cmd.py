"""``econsec audit``: check, export and list the hash-chained audit log
(:mod:`econsec.audit`).

``verify`` exits 0 with ``intact: N records, head <hash>`` and 1 naming the first broken
record and why (edited, deleted, inserted, moved, recomputed without the key, tail
deleted); ``export`` writes JSON lines as stored (``verify --file`` checks such a file);
``list`` shows the newest records, filtered.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from econsec.cli.console import err, out
from econsec.cli.options import DbOption, FormatOption
from econsec.cli.output import OutputFormat, Result, emit, one_line

audit_app = typer.Typer(help="The audit log: verify its chain, export it, list it.",
                        no_args_is_help=True)

COLUMNS = ["seq", "at", "actor", "action", "resource", "outcome", "detail"]


def _log(db: str | None) -> Any:
    """The audit log of an existing knowledge base (a SQLite file that does not exist is
    refused rather than created empty: an empty log would read as intact)."""
    from sqlalchemy.engine import make_url

    from econsec.audit import AuditLog
    from econsec.cli.app import _db_url
    from econsec.errors import StoreError
    from econsec.kb.engine import open_engine

    url = _db_url(db)
    parsed = make_url(url)
    if (parsed.get_backend_name() == "sqlite" and parsed.database
            and parsed.database != ":memory:" and not Path(parsed.database).exists()):
        raise StoreError(f"no knowledge base at {parsed.database}")
    return AuditLog(open_engine(url))


def _read_export(path: Path) -> list[dict[str, Any]]:
    from econsec.errors import DataFormatError, Location

    records: list[dict[str, Any]] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFormatError(f"cannot read {path}: {exc}") from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as exc:
            raise DataFormatError(f"not JSON ({exc.args[0]})",
                                  location=Location(str(path), number)) from exc
        missing = [name for name in ("seq", "at", "actor", "actor_id", "action", "resource",
                                     "outcome", "detail", "prev_hash", "hash")
                   if not isinstance(record, dict) or name not in record]
        if missing:
            raise DataFormatError(f"not an audit record (missing {', '.join(missing)})",
                                  location=Location(str(path), number))
        records.append(record)
    return records


@audit_app.command("verify")
def verify(
    db: DbOption = None,
    file: Annotated[Path | None, typer.Option(
        "--file", help="Check an exported JSON-lines file instead of the database (chain "
        "and MACs; no anchor).", show_default=False)] = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Check the whole chain: exit 0 when intact, 1 naming the first broken record."""
    from econsec.audit.anchor import load_key
    from econsec.audit.log import verify_records

    anchor_file = None
    if file is not None:
        result = verify_records(_read_export(file), key=load_key(create=False), anchor=None)
    else:
        log = _log(db)
        result = log.verify()
        anchor_file = log.anchor_file
    if fmt is OutputFormat.JSON:
        out.file.write(json.dumps(result.model_dump(), indent=2) + "\n")
    elif result.ok:
        out.print(f"intact: {result.checked} records, head {result.head or '-'}",
                  markup=False, highlight=False)
    else:
        out.print(f"broken at record {result.first_broken} ({result.check}): "
                  f"{one_line(result.reason)}", markup=False, highlight=False)
    if not result.keyed:
        err.print("MACs not checked: no audit key found (ECONSEC_AUDIT_KEY or the key file); "
                  "a chain recomputed after an edit would pass.", markup=False)
    if not result.anchored and file is None:
        err.print("No head anchor found for this database: a deleted tail would pass.",
                  markup=False)
    if not result.ok:
        if result.check == "anchor" and anchor_file is not None:
            err.print(f"anchor file: {anchor_file}", markup=False)
        raise typer.Exit(1)


@audit_app.command("export")
def export(
    db: DbOption = None,
    since: Annotated[int, typer.Option("--since", min=0,
                                       help="Only records after this sequence number.")] = 0,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="File to write (default: stdout).", show_default=False)] = None,
) -> None:
    """Write the records as JSON lines, exactly as stored (hash, prev_hash and MAC
    included; ``econsec audit verify --file`` checks the file)."""
    log = _log(db)
    if output is None:
        count = log.export(sys.stdout, since=since)
    else:
        from econsec.errors import StoreError

        try:
            with output.open("w", encoding="utf-8") as handle:
                count = log.export(handle, since=since)
        except OSError as exc:
            raise StoreError(f"cannot write {output}: {exc}") from exc
    err.print(f"{count} records exported", markup=False)


@audit_app.command("list")
def list_(
    db: DbOption = None,
    actor: Annotated[str | None, typer.Option("--actor", help="Only this actor.",
                                              show_default=False)] = None,
    action: Annotated[str | None, typer.Option("--action", help="Only this action.",
                                               show_default=False)] = None,
    outcome: Annotated[str | None, typer.Option(
        "--outcome", help="Only this outcome (ok, denied, failed).", show_default=False)] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=10000,
                                       help="How many records (newest first).")] = 50,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """The newest records, filtered by actor, action or outcome."""
    from econsec.audit.log import OUTCOMES, AuditEntry
    from econsec.errors import ValidationError

    if outcome is not None and outcome not in OUTCOMES:
        raise ValidationError(f"--outcome must be one of {', '.join(OUTCOMES)}, not '{outcome}'")
    records = _log(db).page(limit=limit, offset=0, actor_name=actor, action=action,
                            outcome=outcome)
    rows = [{name: getattr(r, name) for name in COLUMNS} for r in records]
    document = {"records": [AuditEntry.of(r) for r in records]}
    emit(Result(document, rows, COLUMNS, title=f"{len(rows)} audit records (newest first)"),
         fmt, out)
