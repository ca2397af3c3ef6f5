"""``econsec lists …`` and ``econsec screen …``: restricted-party screening commands.

Registered by :mod:`econsec.cli.app` (``app.add_typer(lists_app, name="lists")`` and
``app.command("screen")(screen)``). Every command takes ``--index PATH``
(else ``ECONSEC_SCREENING_DB``, else ``~/.local/share/econsec/screening.db``).

Screening with no list loaded is refused (exit 2): an empty result would look clear. So is
a name with no letter or digit once normalised, an invalid, too old or future birth date,
an unknown country (with suggestions), a list name with a control character and an
edition outside 1945-01-01 to tomorrow (:mod:`econsec.screening.checks`).
Every result names the lists screened (entities, edition, load date) and warns about an
edition older than a year. Names from lists and input files are printed to the terminal
with control characters made visible, and CSV cells that a spreadsheet would run as a
formula are escaped.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from econsec.cli.console import err, out, progress_bar
from econsec.cli.options import FormatOption
from econsec.cli.output import OutputFormat, Result, emit, to_csv, to_json
from econsec.errors import ValidationError
from econsec.textsafe import terminal_text

# The screening library (index, matching, transliteration, country names) is imported by
# the commands that use it: `econsec --help` and the other commands never load it.

lists_app = typer.Typer(help="Entity lists for screening (bundled lists, FollowTheMoney JSONL "
                        "or CSV).", invoke_without_command=True)

IndexOption = Annotated[
    str | None,
    typer.Option("--index", help="Screening index file (default: ECONSEC_SCREENING_DB, else "
                 "~/.local/share/econsec/screening.db).", show_default=False),
]


def status_text() -> dict[str, str]:
    """How each result status reads in a table."""
    from econsec.screening.index import Status

    return {Status.MATCH: "MATCH", Status.POSSIBLE: "possible match — review",
            Status.FALSE_POSITIVE: "false positive (reviewed)",
            Status.LOW: "low similarity — review", Status.NONE: "no match"}


def _shown(rows: Sequence[Mapping[str, Any]], fmt: OutputFormat) -> list[dict[str, Any]]:
    """Rows made safe for their reader: terminal text (control characters visible, rich
    markup escaped) for a table, formula-escaped cells for CSV; JSON is left as is."""
    if fmt is OutputFormat.TABLE:
        return [{k: escape(terminal_text(v)) if isinstance(v, str) else v
                 for k, v in row.items()} for row in rows]
    if fmt is OutputFormat.CSV:
        from econsec.screening.batch import safe_rows

        return safe_rows([dict(r) for r in rows])
    return [dict(r) for r in rows]


def _notes(screened: list[dict[str, object]], warnings: list[str]) -> tuple[str, ...]:
    lines = [f"Lists screened: {len(screened)}"] + [
        f"  {terminal_text(str(x['name']))}: {x['entities']} entities, edition "
        f"{x['edition'] or 'unknown'}, loaded {x['loaded_at']}" for x in screened]
    return (*lines, *(f"WARNING: {terminal_text(w)}" for w in warnings))


@lists_app.callback()
def lists_show(ctx: typer.Context, index: IndexOption = None,
               fmt: FormatOption = OutputFormat.TABLE) -> None:
    """Show the loaded lists: name, entities, edition and its age, loaded at, source."""
    if ctx.invoked_subcommand is not None:
        return
    from econsec.screening.index import lists_screened, open_index

    with open_index(index) as idx:
        loaded = idx.lists()
        path = str(idx.path)
    docs = [{**x.to_dict(), "edition_age_days": x.age_days()} for x in loaded]
    _, warnings = lists_screened(loaded)
    rows = [{**r, "sha256": str(r["sha256"])[:12]} for r in docs]
    notes: tuple[str, ...] = tuple(f"WARNING: {w}" for w in warnings)
    if not loaded:
        notes = ("No list loaded: econsec lists load --bundled all (or FILE)",)
    emit(Result({"index": path, "lists": docs, "warnings": warnings}, _shown(rows, fmt),
                ["name", "entities", "edition", "edition_age_days", "loaded_at",
                 "source_file", "sha256"],
                title=f"Screening lists in {path}", notes=notes), fmt, out)


@lists_app.command("bundled")
def lists_bundled(index: IndexOption = None, fmt: FormatOption = OutputFormat.TABLE) -> None:
    """Show the lists bundled with econsec: name, edition, publisher, licence, loaded?"""
    from econsec.screening.bundled import BUNDLED
    from econsec.screening.index import open_index

    with open_index(index) as idx:
        loaded = {x.name: x for x in idx.lists()}
    rows = [{**b.to_dict(), "loaded_at": loaded[b.name].loaded_at if b.name in loaded
             else None} for b in BUNDLED.values()]
    emit(Result({"bundled": rows}, _shown(rows, fmt),
                ["name", "edition", "title", "publisher", "licence", "loaded_by_init",
                 "loaded_at"], title="Bundled screening lists (econsec lists load --bundled "
                "NAME|all)"), fmt, out)


@lists_app.command("load")
def lists_load(
    file: Annotated[Path | None, typer.Argument(
        help="FtM JSON lines (.jsonl/.json) or CSV list.", show_default=False)] = None,
    bundled: Annotated[str | None, typer.Option(
        "--bundled", help="Load a bundled list by name, 'japanese' or 'all' (see "
        "`econsec lists bundled`).", show_default=False)] = None,
    name: Annotated[str | None, typer.Option("--name", help="List name (default: the file "
                                             "name without suffix).")] = None,
    edition: Annotated[str | None, typer.Option(
        "--edition", help="Edition date of the file (YYYY-MM-DD); results then warn when it "
        "is older than a year.")] = None,
    index: IndexOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Load an entity list into the screening index (all or nothing; replaces a list of the
    same name; a file without entities is refused and the stored list kept)."""
    if (file is None) == (bundled is None):
        raise ValidationError("give a list FILE or --bundled NAME (see `econsec lists "
                              "bundled`), not both")
    from econsec.screening.bundled import bundled_names
    from econsec.screening.index import load_bundled, open_index

    docs: list[dict[str, object]] = []
    with open_index(index) as idx, progress_bar() as progress:
        path = str(idx.path)
        if bundled is not None:
            if name or edition:
                raise ValidationError("--name and --edition apply to a FILE, not --bundled")
            for item in bundled_names(bundled):
                started = time.perf_counter()
                loaded, _ = load_bundled(idx, item, progress=progress)
                docs.append({**loaded.to_dict(),
                             "seconds": round(time.perf_counter() - started, 2)})
        else:
            assert file is not None
            started = time.perf_counter()
            loaded = idx.load_file(file, name, progress=progress, edition=edition)
            docs.append({**loaded.to_dict(), "seconds": round(time.perf_counter() - started,
                                                              2)})
    columns = ["name", "entities", "edition", "loaded_at", "seconds", "source_file"]
    if len(docs) == 1:
        doc = docs[0]
        emit(Result({"index": path, **doc}, _shown(docs, fmt), columns,
                    title=f"Loaded {doc['entities']} entities as list "
                    f"'{terminal_text(str(doc['name']))}'"), fmt, out)
        return
    emit(Result({"index": path, "lists": docs}, _shown(docs, fmt), columns,
                title=f"Loaded {len(docs)} bundled lists"), fmt, out)


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
    from econsec.datasets.countries import resolve_country
    from econsec.screening.checks import check_query
    from econsec.screening.index import Status, open_index, screening_document
    from econsec.screening.match import THRESHOLD, Query

    screened = check_query(Query(name, country, birth_date), resolve_country=resolve_country)
    with open_index(index) as idx:
        results = idx.screen(screened, limit=limit)
        doc = screening_document(idx, screened, results)
    matches = doc["matches"]
    assert isinstance(matches, list)
    texts = status_text()
    rows = [{**m, "status": texts.get(m["status"], m["status"]),
             "decision": (m["decision"] or {}).get("decision", "")} for m in matches]
    hits = sum(1 for m in matches if m["status"] == Status.MATCH)
    review = sum(1 for m in matches if m["status"] == Status.POSSIBLE)
    status = texts[str(doc["status"])]
    screened_lists = doc["lists_screened"]
    warnings = doc["warnings"]
    assert isinstance(screened_lists, list) and isinstance(warnings, list)
    emit(Result(doc, _shown(rows, fmt), ["score", "status", "name", "list", "entity_id",
                                         "decision", "explanation"],
                title=f"Screening '{escape(terminal_text(name))}': {status} ({hits} "
                f"match(es), {review} possible match(es) to review; threshold {THRESHOLD})",
                notes=_notes(screened_lists, warnings)), fmt, out)
    if fmt is not OutputFormat.TABLE and warnings:
        for warning in warnings:
            err.print(f"warning: {terminal_text(warning)}", markup=False, highlight=False)


def _screen_batch(batch: Path, out_file: Path | None, all_matches: bool,
                  index: str | None, fmt: OutputFormat) -> None:
    from econsec.datasets.countries import resolve_country
    from econsec.screening.batch import (
        batch_columns,
        read_counterparties,
        safe_rows,
        screen_batch,
    )
    from econsec.screening.index import Status, lists_screened, open_index
    from econsec.screening.match import THRESHOLD

    with open_index(index) as idx:
        loaded = idx.require_lists()  # refuse before reading the file
        header, rows = read_counterparties(batch, resolve_country=resolve_country)
        with progress_bar() as progress:
            results = screen_batch(idx, rows, all_matches=all_matches, progress=progress,
                                   resolve_country=resolve_country)
    screened, warnings = lists_screened(loaded)
    columns = batch_columns(header)
    as_json = fmt is OutputFormat.JSON or (out_file is not None
                                           and out_file.suffix.lower() == ".json")
    text = (to_json({"threshold": THRESHOLD, "lists_screened": screened,
                     "warnings": warnings, "rows": results}) + "\n" if as_json
            else to_csv(safe_rows(results), columns))
    hits = sum(1 for r in results if r.get("status") == Status.MATCH)
    review = sum(1 for r in results if r.get("status") == Status.POSSIBLE)
    summary = (f"Screened {len(rows)} counterparties against {len(screened)} list(s): "
               f"{hits} match(es), {review} possible match(es) to review")
    if out_file is None:
        if fmt is OutputFormat.TABLE:
            shown = [{k: v for k, v in r.items() if k not in ("lists_screened", "warnings")}
                     for r in results]
            emit(Result({"rows": results}, _shown(shown, fmt),
                        [c for c in columns if c not in ("lists_screened", "warnings")],
                        title=f"Batch screening of {escape(terminal_text(str(batch)))}",
                        notes=(summary, *_notes(screened, warnings))), fmt, out)
        else:
            out.file.write(text)
        return
    out_file.write_text(text, encoding="utf-8")
    err.print(f"{summary}; written {out_file}", markup=False, highlight=False)
    for warning in warnings:
        err.print(f"warning: {terminal_text(warning)}", markup=False, highlight=False)


def _decide(entity_id: str, query: str | None, match: bool, false_positive: bool,
            note: str, index: str | None, fmt: OutputFormat) -> None:
    """Remember a reviewer's decision on a screening result for the next run."""
    if not query:
        raise ValidationError("decide needs --query NAME (the screened name)")
    if match == false_positive:
        raise ValidationError("give exactly one of --match or --false-positive")
    from econsec.screening.index import open_index

    with open_index(index) as idx:
        decision = idx.decide(entity_id, query, "match" if match else "false_positive",
                              note).to_dict()
    emit(Result(decision, _shown([decision], fmt), list(decision),
                title=f"Decision recorded for {escape(terminal_text(entity_id))}"), fmt, out)


__all__ = ["lists_app", "screen"]
