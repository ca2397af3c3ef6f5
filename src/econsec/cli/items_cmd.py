"""``econsec items …``: shared items of the council (add, list, show, regrade) as a named
user (``--as USER``).

A thin presenter over :class:`econsec.sharing.items.ItemStore`: the marking is given in
``add`` and never after; what ``list`` and ``show`` print is what that user may see (an
item they may not see is "not found", like an id that does not exist). Every command is
written to the audit log.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from typing import Annotated, Any

import typer

from econsec.cli.console import out
from econsec.cli.items_export_cmd import export_items
from econsec.cli.options import DbOption, FormatOption, fields_as_options
from econsec.cli.output import OutputFormat, Result, emit

items_app = typer.Typer(help="Shared items of the council: add, list, show, regrade.",
                        no_args_is_help=True)

AsOption = Annotated[str, typer.Option(
    "--as", help="The user acting (their clearance and distribution decide what they see).",
    show_default=False)]
LIST_COLUMNS = ["id", "kind", "title", "level", "tlp", "compartments", "originator",
                "created_at"]
MAX_FILE_BYTES = 2_000_000
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$")


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _context(db: str | None, user: str) -> tuple[Any, Any]:
    """The item store on the knowledge base and the actor named by ``--as``."""
    from econsec.access.accounts import Accounts
    from econsec.audit.log import AuditLog
    from econsec.cli.app import _db_url
    from econsec.kb.engine import open_engine
    from econsec.settings import Settings
    from econsec.sharing.items import ItemStore

    engine = open_engine(_db_url(db))
    actor = Accounts(engine).actor_by_name(user, at=_now())
    return ItemStore(engine, Settings(), AuditLog(engine)), actor


def read_item_file(path: Path) -> tuple[str, str]:
    """The text of a Markdown or text file and its first heading (empty when none)."""
    from econsec.errors import DataFormatError, Location

    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataFormatError("cannot read the file: %(reason)s",
                              location=Location(str(path)),
                              params={"reason": exc.strerror or str(exc)}) from exc
    if len(raw) > MAX_FILE_BYTES:
        raise DataFormatError("the file is larger than %(max)s bytes",
                              location=Location(str(path)), params={"max": MAX_FILE_BYTES})
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataFormatError("the file is not UTF-8 text (byte %(at)s)",
                              location=Location(str(path)), params={"at": exc.start}) from exc
    heading = next((m.group(1) for m in map(_HEADING.match, text.splitlines()) if m), "")
    return text, heading


def _date(value: str | None, option: str) -> date | None:
    from econsec.errors import Location, ValidationError

    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError as exc:
        raise ValidationError("%(option)s must be a date YYYY-MM-DD, got '%(value)s'",
                              location=Location(column=option),
                              params={"option": option, "value": value}) from exc


#: Input field (the location the store names) -> the command-line option that gives it.
_OPTIONS = {"level": "--level", "tlp": "--tlp", "groups": "--group", "orgs": "--org",
            "users": "--user", "compartments": "--compartment", "kind": "--kind",
            "title": "--title", "summary": "--summary", "designated_until": "--designated-until",
            "caveats": "--caveats", "links": "--link", "derived_from": "--derived-from",
            "reason": "--reason", "q": "--query", "group": "--group", "limit": "--limit",
            "offset": "--offset", "body": "FILE", "review_on": "--review-on"}


_options = partial(fields_as_options, _OPTIONS)


def _cell(value: Any) -> Any:
    return ", ".join(str(v) for v in value) if isinstance(value, list) else value


def _row(view: Any) -> dict[str, Any]:
    return {"id": view.id, "kind": view.kind, "title": view.title, "level": view.level,
            "tlp": view.tlp, "compartments": _cell(view.compartments),
            "originator": view.originator,
            "created_at": view.created_at}


def _show(view: Any, fmt: OutputFormat) -> None:
    doc = view.model_dump(mode="json")
    rows = [{"field": key, "value": _cell(value)} for key, value in doc.items()
            if key not in ("regrades",)]
    rows += [{"field": "regrade", "value": f"{r.at} {r.from_level} -> {r.to_level} by {r.by}: "
              f"{r.reason}"} for r in view.regrades]
    notes = ["The body of a level-3 item is withheld on this deployment; the tear-line "
             "summary is shown."] if view.body_withheld else []
    emit(Result(doc, rows, ["field", "value"], title=f"Item {view.id}", notes=notes), fmt, out)


@items_app.command("add")
def add(
    file: Annotated[Path, typer.Argument(help="Markdown or text file: the item's body.",
                                         show_default=False)],
    user: AsOption,
    level: Annotated[int, typer.Option("--level", help="1 public, 2 council, 3 designated.",
                                       show_default=False)],
    tlp: Annotated[str, typer.Option("--tlp", help="TLP 2.0: clear, green, amber, "
                                     "amber+strict, red.", show_default=False)],
    group: Annotated[list[str] | None, typer.Option("--group", help="Working group "
                                                   "(repeat).")] = None,
    org: Annotated[list[str] | None, typer.Option("--org", help="Organisation "
                                                 "(repeat).")] = None,
    to_user: Annotated[list[str] | None, typer.Option("--user", help="Named user "
                                                     "(repeat).")] = None,
    compartment: Annotated[list[str] | None, typer.Option("--compartment", help="Compartment "
                                                         "(repeat).")] = None,
    all_members: Annotated[bool, typer.Option("--all-members", help="Every member of the "
                                              "council (need-to-know by membership).")
                           ] = False,
    kind: Annotated[str, typer.Option("--kind", help="report, alert or analysis.")
                    ] = "report",
    title: Annotated[str | None, typer.Option("--title", help="Default: the file's first "
                                              "heading.", show_default=False)] = None,
    summary: Annotated[str, typer.Option("--summary", help="Tear-line summary (shown where "
                                         "the body may not be).")] = "",
    designated_until: Annotated[str | None, typer.Option(
        "--designated-until", help="Level 3: the designation's end (YYYY-MM-DD) or 'none'.",
        show_default=False)] = None,
    review_on: Annotated[str | None, typer.Option("--review-on", help="Review date.",
                                                  show_default=False)] = None,
    caveats: Annotated[str, typer.Option("--caveats", help="Handling caveats.")] = "",
    link: Annotated[list[str] | None, typer.Option(
        "--link", help="commodity:<id>, country:<ISO3> or hs:<code> (repeat).")] = None,
    derived_from: Annotated[str | None, typer.Option(
        "--derived-from", help="Public id of the item this one draws on (no write-down).",
        show_default=False)] = None,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Share FILE as a new item; its marking is set here and never changed after."""
    from econsec.sharing.models import NewItem

    body, heading = read_item_file(file)
    designated: date | str | None = designated_until
    if designated_until is not None and designated_until.strip().lower() != "none":
        designated = _date(designated_until, "--designated-until")
    elif designated_until is not None:
        designated = "none"
    item = NewItem.model_validate({
        "kind": kind, "title": title if title is not None else (heading or file.stem),
        "summary": summary, "body": body, "level": level, "tlp": tlp,
        "compartments": compartment or [], "groups": group or [], "orgs": org or [],
        "users": to_user or [], "to_all_members": all_members,
        "designated_until": designated, "review_on": _date(review_on, "--review-on"),
        "caveats": caveats, "links": link or [], "derived_from": derived_from})
    store, actor = _context(db, user)
    with _options():
        view = store.create(actor, item, at=_now())
    _show(view, fmt)


@items_app.command("list")
def list_items(
    user: AsOption,
    query: Annotated[str | None, typer.Option("--query", "-q", help="Text to search.",
                                              show_default=False)] = None,
    kind: Annotated[str | None, typer.Option("--kind", show_default=False)] = None,
    level: Annotated[int | None, typer.Option("--level", show_default=False)] = None,
    tlp: Annotated[str | None, typer.Option("--tlp", show_default=False)] = None,
    group: Annotated[str | None, typer.Option("--group", show_default=False)] = None,
    limit: Annotated[int, typer.Option("--limit")] = 50,
    offset: Annotated[int, typer.Option("--offset")] = 0,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """The items USER may see, newest first, with the total and facets."""
    store, actor = _context(db, user)
    with _options():
        page = store.list(actor, at=_now(), query=query, kind=kind, level=level, tlp=tlp,
                          group=group, limit=limit, offset=offset)
    facets = "; ".join(f"{name}: " + ", ".join(f"{k} {v}" for k, v in counts.items())
                       for name, counts in page.facets.items() if counts)
    notes = [f"{page.total} item(s) visible to {user}" + (f" ({facets})" if facets else "")]
    emit(Result(page, [_row(v) for v in page.items], LIST_COLUMNS,
                title=f"Shared items ({len(page.items)} of {page.total})", notes=notes),
         fmt, out)


@items_app.command("show", context_settings={"ignore_unknown_options": True})
def show(
    item_id: Annotated[str, typer.Argument(metavar="ID", help="The item's public id (UUID).",
                                           show_default=False)],
    user: AsOption,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """One item with its marking (not found when USER may not see it)."""
    store, actor = _context(db, user)
    _show(store.get(actor, item_id, at=_now()), fmt)


@items_app.command("regrade", context_settings={"ignore_unknown_options": True})
def regrade(
    item_id: Annotated[str, typer.Argument(metavar="ID", help="The item's public id (UUID).",
                                           show_default=False)],
    user: AsOption,
    level: Annotated[int, typer.Option("--level", help="The new level (1-3).",
                                       show_default=False)],
    reason: Annotated[str, typer.Option("--reason", help="Why (at least 10 characters; "
                                        "recorded).", show_default=False)],
    designated_until: Annotated[str | None, typer.Option(
        "--designated-until", help="Level 3: the designation's new end (YYYY-MM-DD) or "
        "'none'.", show_default=False)] = None,
    review_on: Annotated[str | None, typer.Option(
        "--review-on", help="The item's new review date (needed to raise an item to level 3 "
        "with --designated-until none).", show_default=False)] = None,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Change an item's level with a recorded reason (needs the item_regrade role); a
    level-3 item may get a new designation end (also one whose designation has ended).
    Raising to level 3 needs --designated-until DATE (or none with --review-on); lowering
    a level-3 item is for government staff only."""
    designation: date | str | None = designated_until
    if designated_until is not None and designated_until.strip().lower() != "none":
        designation = _date(designated_until, "--designated-until")
    elif designated_until is not None:
        designation = "none"
    store, actor = _context(db, user)
    with _options():
        view = store.regrade(actor, item_id, to_level=level, reason=reason, at=_now(),
                             designated_until=designation,
                             review_on=_date(review_on, "--review-on"))
    _show(view, fmt)


#: ``econsec items export --as USER --format stix|jsonl`` (econsec.cli.items_export_cmd).
items_app.command("export")(export_items)
