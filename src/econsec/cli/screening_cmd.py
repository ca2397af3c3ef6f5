"""``econsec lists …`` and ``econsec screen …``: restricted-party screening commands.

Registered by :mod:`econsec.cli.app` (``app.add_typer(lists_app, name="lists")`` and
``app.command("screen")(screen)``). Every command takes ``--index PATH``
(else ``ECONSEC_SCREENING_DB``, else ``~/.local/share/econsec/screening.db``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from econsec.cli.console import err, out, progress_bar
from econsec.cli.output import OutputFormat, Result, emit, to_csv, to_json
from econsec.errors import ValidationError
from econsec.screening.batch import batch_columns, read_counterparties, screen_batch
from econsec.screening.index import open_index, screening_document
from econsec.screening.match import THRESHOLD, Query

lists_app = typer.Typer(help="Entity lists for screening (FollowTheMoney JSONL or CSV).",
                        invoke_without_command=True)

IndexOption = Annotated[
    str | None,
    typer.Option("--index", help="Screening index file (default: ECONSEC_SCREENING_DB, else "
                 "~/.local/share/econsec/screening.db).", show_default=False),
]
FormatOption = Annotated[
    OutputFormat, typer.Option("--format", "-f", help="Output format.", case_sensitive=False)
]


@lists_app.callback()
def lists_show(ctx: typer.Context, index: IndexOption = None,
               fmt: FormatOption = OutputFormat.TABLE) -> None:
    """Show the loaded lists: name, entities, source file, sha256, loaded at."""
    if ctx.invoked_subcommand is not None:
        return
    with open_index(index) as idx:
        loaded = [item.to_dict() for item in idx.lists()]
        path = str(idx.path)
    rows = [{**r, "sha256": str(r["sha256"])[:12]} for r in loaded]
    emit(Result({"index": path, "lists": loaded}, rows,
                ["name", "entities", "source_file", "sha256", "loaded_at"],
                title=f"Screening lists in {path}",
                notes=() if loaded else ("No list loaded: econsec lists load FILE",)),
         fmt, out)


@lists_app.command("load")
def lists_load(
    file: Annotated[Path, typer.Argument(help="FtM JSON lines (.jsonl/.json) or CSV list.")],
    name: Annotated[str | None, typer.Option("--name", help="List name (default: the file "
                                             "name without suffix).")] = None,
    index: IndexOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Load an entity list into the screening index (all or nothing; replaces a list of the
    same name)."""
    with open_index(index) as idx, progress_bar() as progress:
        loaded = idx.load_file(file, name, progress=progress).to_dict()
        path = str(idx.path)
    emit(Result({"index": path, **loaded}, [loaded], list(loaded),
                title=f"Loaded {loaded['entities']} entities as list '{loaded['name']}'"),
         fmt, out)


def screen(
    name: Annotated[str | None, typer.Argument(
        help="Name to screen (any script), or 'decide' to record a reviewer decision.",
        show_default=False)] = None,
    entity_id: Annotated[str | None, typer.Argument(
        help="With 'decide': the entity id from the screening results.",
        show_default=False)] = None,
    country: Annotated[str | None, typer.Option(help="Country (ISO alpha-3, alpha-2 or "
                                                "name).")] = None,
    birth_date: Annotated[str | None, typer.Option("--birth-date", help="Birth date "
                                                   "(YYYY, YYYY-MM or YYYY-MM-DD).")] = None,
    limit: Annotated[int, typer.Option(help="Results to show.", min=1)] = 10,
    batch: Annotated[Path | None, typer.Option("--batch", help="CSV of counterparties "
                                               "(name,country,birth_date,…).")] = None,
    out_file: Annotated[Path | None, typer.Option("--out", help="Batch results file (.csv or "
                                                  ".json; default: stdout).")] = None,
    all_matches: Annotated[bool, typer.Option("--all-matches", help="Batch: every match "
                                              "per row, not only the best.")] = False,
    query: Annotated[str | None, typer.Option("--query", help="With 'decide': the screened "
                                              "name.")] = None,
    match: Annotated[bool, typer.Option("--match", help="With 'decide': a true match.")
                     ] = False,
    false_positive: Annotated[bool, typer.Option(
        "--false-positive", help="With 'decide': a false positive.")] = False,
    note: Annotated[str, typer.Option(help="With 'decide': the reviewer's note.")] = "",
    index: IndexOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Screen a name against the loaded lists; --batch FILE.csv screens counterparties;
    `screen decide ENTITY_ID --query NAME --match|--false-positive` remembers a decision."""
    if name == "decide" and entity_id is not None:
        _decide(entity_id, query, match, false_positive, note, index, fmt)
        return
    if batch is not None:
        _screen_batch(batch, out_file, all_matches, index, fmt)
        return
    if not name:
        raise ValidationError("give a NAME to screen, or --batch FILE.csv")
    if entity_id is not None:
        raise ValidationError(f"unexpected extra argument {entity_id!r} (quote a name that "
                              "has spaces)")
    screened = Query(name, country, birth_date)
    with open_index(index) as idx:
        results = idx.screen(screened, limit=limit)
        doc = screening_document(idx, screened, results)
    matches = doc["matches"]
    assert isinstance(matches, list)
    rows = [{**m, "decision": (m["decision"] or {}).get("decision", ""),
             "explanation": escape(str(m["explanation"])) if fmt is OutputFormat.TABLE
             else m["explanation"]} for m in matches]
    hits = sum(1 for m in matches if m["match"])
    emit(Result(doc, rows, ["score", "match", "name", "list", "entity_id", "decision",
                            "explanation"],
                title=f"Screening '{name}': {hits} match(es) at threshold {THRESHOLD}"),
         fmt, out)


def _screen_batch(batch: Path, out_file: Path | None, all_matches: bool,
                  index: str | None, fmt: OutputFormat) -> None:
    header, rows = read_counterparties(batch)
    with open_index(index) as idx, progress_bar() as progress:
        results = screen_batch(idx, rows, all_matches=all_matches, progress=progress)
    columns = batch_columns(header)
    as_json = fmt is OutputFormat.JSON or (out_file is not None
                                           and out_file.suffix.lower() == ".json")
    text = (to_json({"threshold": THRESHOLD, "rows": results}) + "\n" if as_json
            else to_csv(results, columns))
    if out_file is None:
        if fmt is OutputFormat.TABLE:
            emit(Result({"rows": results}, results, columns,
                        title=f"Batch screening of {batch}"), fmt, out)
        else:
            out.file.write(text)
        return
    out_file.write_text(text, encoding="utf-8")
    hits = sum(1 for r in results if r.get("match") is True)
    err.print(f"Screened {len(rows)} counterparties: {hits} match(es); written {out_file}")


def _decide(entity_id: str, query: str | None, match: bool, false_positive: bool,
            note: str, index: str | None, fmt: OutputFormat) -> None:
    """Remember a reviewer's decision on a screening result for the next run."""
    if not query:
        raise ValidationError("decide needs --query NAME (the screened name)")
    if match == false_positive:
        raise ValidationError("give exactly one of --match or --false-positive")
    with open_index(index) as idx:
        decision = idx.decide(entity_id, query, "match" if match else "false_positive",
                              note).to_dict()
    emit(Result(decision, [decision], list(decision),
                title=f"Decision recorded for {entity_id}"), fmt, out)


__all__ = ["lists_app", "screen"]
