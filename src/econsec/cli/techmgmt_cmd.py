"""``econsec tech …``: designated technologies, Group A, prior-report cases, self-check.

A thin presenter over :mod:`econsec.techmgmt`. Every command takes ``--db`` (cases and
loaded lists live in the knowledge base) and the printing ones ``--format table|json|csv``.
Errors are :class:`econsec.errors.EconsecError` (exit status 2 through the console entry
point, or through :func:`main` when this app runs on its own).
"""

from __future__ import annotations

import getpass
import sys
from datetime import date
from functools import partial
from pathlib import Path
from typing import Annotated, Any

import typer

from econsec.cli.console import err, out
from econsec.cli.options import DbOption, FormatOption, fields_as_options
from econsec.cli.output import OutputFormat, Result, emit
from econsec.errors import EconsecError, Location
from econsec.textsafe import csv_cell, terminal_text

tech_app = typer.Typer(help="Technology management: designated technologies, prior-report "
                       "cases, leakage self-check, trade-secret loss, governance "
                       "self-assessment.", no_args_is_help=True)
case_app = typer.Typer(help="Prior-report transfer cases.", no_args_is_help=True)
tech_app.add_typer(case_app, name="case")


ByOption = Annotated[str | None, typer.Option(
    "--by", help="Who records this step (default: the login name).", show_default=False)]
CaseIdArgument = Annotated[str, typer.Argument(
    metavar="CASE_ID", help="Case id (a whole number, as `econsec tech case list` shows).",
    show_default=False)]
#: Commands taking a CASE_ID: click would read a negative id ("-5") as an unknown option
#: and print its usage box; with this setting it reaches :func:`parse_case_id` as the
#: argument and is "not found" in one line like any other id that cannot exist. Real
#: options (``--db``, ``--format`` …) are still options.
CASE_ID_COMMAND = {"ignore_unknown_options": True}

#: Input field (the location the library names) -> the command-line option that gives it.
_OPTIONS = {"technology": "--technology", "counterparty": "--counterparty",
            "country": "--country", "channel": "--channel",
            "decision_date": "--decision-date", "note": "--note", "on": "--on",
            "actor": "--by", "status": "STATUS", "case_id": "CASE_ID"}


_options = partial(fields_as_options, _OPTIONS)


def _terminal(value: Any) -> Any:
    if isinstance(value, str):
        return terminal_text(value)
    if isinstance(value, list | tuple):
        return [_terminal(v) for v in value]
    return value


def _emit(result: Result, fmt: OutputFormat) -> None:
    """:func:`emit` with stored text (counterparties, notes, list titles) made safe for its
    reader: control characters shown as escapes on the terminal, formula-like CSV cells
    escaped for spreadsheets. JSON escapes control characters itself."""
    if fmt is OutputFormat.TABLE:
        result = Result(result.document,
                        [{k: _terminal(v) for k, v in row.items()} for row in result.rows],
                        result.columns, terminal_text(result.title),
                        [terminal_text(n) for n in result.notes], result.percent)
    elif fmt is OutputFormat.CSV:
        result = Result(result.document,
                        [{k: csv_cell(v) for k, v in row.items()} for row in result.rows],
                        result.columns, result.title, result.notes, result.percent)
    emit(result, fmt, out)


def _tech_store(db: str | None) -> Any:
    from econsec.kb.store import open_store
    from econsec.settings import Settings
    from econsec.techmgmt.store import TechStore

    return TechStore(open_store(Settings().database_url(db)))


def _actor(by: str | None) -> str:
    if by:
        return by
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


def _as_of(value: str | None) -> date | None:
    from econsec.techmgmt.store import parse_date

    return parse_date(value, "--as-of") if value else None


@tech_app.command("list")
def list_technologies(
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="What was designated on this date (YYYY-MM-DD); default: the "
        "newest list, including unconfirmed entries.")] = None,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Designated technologies (prior report before transfer abroad) with dates and sources."""
    registry = _tech_store(db).registry()
    when = _as_of(as_of)
    found = registry.designated(when)
    rows = [d.as_dict() for d in found]
    header = registry.current_list(when).as_dict() if found else None
    doc = {"as_of": when.isoformat() if when else None, "list": header, "technologies": rows}
    table = [{**r, "source": (r["source"] or {}).get("publisher", "")} for r in rows]
    notes = [f"List {header['id']}@{header['version']} (notice {header['notice_date']}): "
             f"{header['title']}"] if header else ["Nothing was designated on that date."]
    if any(not r["sourced"] for r in rows):
        notes.append("sourced = no: the designation is not confirmed from a citable source.")
    _emit(Result(doc, table, ["id", "name_en", "name_ja", "notice_date", "effective_date",
                             "sourced", "source"],
                title="Designated technologies" + (f" on {when}" if when else ""),
                notes=notes), fmt)


@tech_app.command("lists")
def list_lists(db: DbOption = None, fmt: FormatOption = OutputFormat.TABLE) -> None:
    """The designated-technology lists known (bundled and loaded); the newest wins."""
    registry = _tech_store(db).registry()
    rows = [lst.as_dict() for lst in registry.lists]
    newest = registry.current_list().key
    for r in rows:
        r["current"] = f"{r['id']}@{r['version']}" == newest
    _emit(Result({"lists": rows}, rows, ["id", "version", "notice_date", "technologies",
                                        "origin", "current"], title="Technology lists"),
         fmt)


@tech_app.command("load")
def load_list(
    path: Annotated[Path, typer.Argument(help="A designated-technology list (YAML, same "
                                         "schema as the bundled one).")],
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Validate a newer designated-technology list and keep it in the knowledge base."""
    from econsec.techmgmt.registry import load_technology_list

    lst = load_technology_list(path)
    store = _tech_store(db)
    doc = store.save_list(lst)
    current = store.registry().current_list().key
    doc["current"] = current == lst.key
    _emit(Result(doc, [doc], ["id", "version", "notice_date", "technologies", "current"],
                title=f"Loaded {path}"), fmt)


@tech_app.command("group")
def country_group(
    country: Annotated[str, typer.Argument(help="ISO alpha-3 code or country name.")],
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Japan export-control group of a country (Group A or non-Group-A), with its date."""
    del db  # the groups are bundled data
    from econsec.techmgmt.groups import group_status

    doc = group_status(country).as_dict()
    _emit(Result(doc, [doc], ["iso3", "name_en", "name_ja", "group", "as_of"],
                title="Export-control group"), fmt)


def _case_result(case: Any, decision: Any) -> Result:
    doc = {**case.as_dict(), "prior_report": decision.as_dict()}
    rows = [{"seq": e.seq, "on": e.on.isoformat(), "from": e.from_status or "",
             "to": e.to_status, "by": e.actor, "note": e.note} for e in case.events]
    notes = [("PRIOR REPORT REQUIRED" if decision.required else "No prior report required")]
    notes += [f"- {r}" for r in decision.reasons]
    notes.append("Allowed moves: " + (", ".join(doc["allowed_moves"]) or "none"))
    return Result(doc, rows, ["seq", "on", "from", "to", "by", "note"],
                  title=f"Case {case.id}: {case.technology_id} → {case.counterparty} "
                  f"({case.country}, {case.channel.value}), status {case.status.value}",
                  notes=notes)


@case_app.command("new")
def case_new(
    technology: Annotated[str, typer.Option("--technology", help="Technology id or name.")],
    counterparty: Annotated[str, typer.Option("--counterparty", help="Counterparty name.")],
    country: Annotated[str, typer.Option("--country", help="ISO alpha-3 code or name.")],
    channel: Annotated[str, typer.Option(
        "--channel", help="subsidiary | joint-venture | contract-manufacturing | licensing")],
    decision_date: Annotated[str, typer.Option(
        "--decision-date", help="Planned decision date (YYYY-MM-DD).")],
    note: Annotated[str, typer.Option("--note", help="Note on the first step.")] = "",
    by: ByOption = None,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Create a transfer case (status draft) and say whether a prior report is required."""
    store = _tech_store(db)
    with _options():
        case = store.create_case(technology=technology, counterparty=counterparty,
                                 country=country, channel=channel,
                                 decision_date=decision_date, actor=_actor(by), note=note)
    _emit(_case_result(case, store.assess(case)), fmt)


@case_app.command("show", context_settings=CASE_ID_COMMAND)
def case_show(case_id: CaseIdArgument, db: DbOption = None,
              fmt: FormatOption = OutputFormat.TABLE) -> None:
    """A case with its prior-report decision and dated history."""
    store = _tech_store(db)
    with _options():
        case = store.case(case_id)
    _emit(_case_result(case, store.assess(case)), fmt)


@case_app.command("move", context_settings=CASE_ID_COMMAND)
def case_move(
    case_id: CaseIdArgument,
    status: Annotated[str, typer.Argument(
        help="reported | in_dialogue | licence_required | closed")],
    note: Annotated[str, typer.Option("--note", help="Why (required).")],
    on: Annotated[str | None, typer.Option("--on", help="Date of the step (default: today).")
                  ] = None,
    by: ByOption = None,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Move a case to a new status with a dated note (invalid moves are refused)."""
    store = _tech_store(db)
    with _options():
        case = store.move_case(case_id, status, note=note, on=on, actor=_actor(by))
    _emit(_case_result(case, store.assess(case)), fmt)


@case_app.command("list")
def case_list(db: DbOption = None, fmt: FormatOption = OutputFormat.TABLE) -> None:
    """Every transfer case, newest first."""
    rows = [c.as_dict() for c in _tech_store(db).cases()]
    for r in rows:
        r.pop("history")
    _emit(Result({"cases": rows}, rows, ["id", "technology_id", "counterparty", "country",
                                        "channel", "decision_date", "status"],
                title="Transfer cases"), fmt)


@case_app.command("export", context_settings=CASE_ID_COMMAND)
def case_export(
    case_id: CaseIdArgument,
    out_file: Annotated[Path, typer.Option("--out", help="HTML file to write.")],
    lang: Annotated[str, typer.Option("--lang", help="en | ja")] = "en",
    db: DbOption = None,
) -> None:
    """Write a self-contained HTML summary of a case."""
    from econsec.techmgmt.groups import group_status
    from econsec.techmgmt.report import write_case_html

    if lang not in ("en", "ja"):
        raise EconsecError(f"--lang must be en or ja, not {lang[:20]!r}",
                           location=Location(column="--lang"))
    store = _tech_store(db)
    with _options():
        case = store.case(case_id)
    try:
        path = write_case_html(out_file, case, store.assess(case), store.registry(),
                               group_status(case.country), lang)
    except OSError as exc:
        raise EconsecError(f"cannot write the file: {exc.strerror or type(exc).__name__}",
                           location=Location(str(out_file))) from None
    out.print(terminal_text(f"Case {case.id} written to {path}"), markup=False,
              highlight=False)


@tech_app.command("selfcheck")
def selfcheck(
    answers: Annotated[Path | None, typer.Option(
        "--answers", help="YAML or JSON mapping question id -> yes|partly|no|n/a; without "
        "it the questions are asked one by one.")] = None,
    lang: Annotated[str, typer.Option("--lang", help="Language of questions and actions: "
                                      "en | ja")] = "en",
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Technology-leakage self-check (METI guidance 2025): scores per area and actions.

    Nothing is stored (``--db`` is accepted for uniformity)."""
    from econsec.techmgmt.selfcheck import bundled_questionnaire, read_answers, score

    del db  # the self-check stores nothing
    qn = bundled_questionnaire()
    if answers is not None:
        given = read_answers(answers)
    else:
        given = {}
        for area in qn.areas:
            err.print(f"\n[bold]{area.name_ja if lang == 'ja' else area.name_en}[/bold]")
            for q in area.questions:
                given[q.id] = typer.prompt(
                    f"{q.id}. {q.ja if lang == 'ja' else q.en} [yes/partly/no/n/a]",
                    default="no", err=True)
    result = score(given, qn)
    doc = {"guidance": qn.guidance.model_dump(), **result.as_dict()}
    key = "ja" if lang == "ja" else "en"
    rows = [{"priority": a["priority"], "area": a[f"area_{key}"], "weight": a["weight"],
             "answer": a["answer"], "action": a[f"action_{key}"]} for a in result.actions]
    notes = [f"Overall {result.overall}/100"] + [
        f"{a[f'name_{key}']}: {'–' if a['score'] is None else a['score']}" for a in result.areas]
    _emit(Result(doc, rows, ["priority", "area", "weight", "answer", "action"],
                title="Leakage self-check: prioritised actions", notes=notes), fmt)


#: Secret-loss input fields -> the options that give them.
_LOSS_OPTIONS = {"technology": "--technology", "industry": "--industry",
                 "share_lost": "--share-lost", "years": "--years", "margin": "--margin",
                 "discount_rate": "--discount-rate", "ramp_years": "--ramp-years",
                 "growth": "--growth", "market_size": "--market-size",
                 "segment_share": "--segment-share"}


def _number(value: float) -> str:
    return f"{value:,.1f}"


@tech_app.command("secret-loss")
def secret_loss(
    share_lost: Annotated[float, typer.Option(
        "--share-lost", help="Share of the market a competitor takes with the leaked "
        "secret at full catch-up (0 < s ≤ 1).")],
    years: Annotated[int, typer.Option("--years", help="Years counted (1-30).")],
    technology: Annotated[str | None, typer.Option(
        "--technology", help="Designated technology id or name (see econsec tech list).")
    ] = None,
    industry: Annotated[str | None, typer.Option(
        "--industry", help="Instead of a technology: an ICIO industry, e.g. JPN/C26.")
    ] = None,
    margin: Annotated[float | None, typer.Option(
        "--margin", help="Operating margin on the lost sales (default 0.15).")] = None,
    discount_rate: Annotated[float | None, typer.Option(
        "--discount-rate", help="Discount rate a year (default 0.04).")] = None,
    ramp_years: Annotated[float | None, typer.Option(
        "--ramp-years", help="Years until the competitor reaches the full share, linearly "
        "(default 3; 0 = at once).")] = None,
    growth: Annotated[float | None, typer.Option(
        "--growth", help="Yearly market growth (default 0).")] = None,
    market_size: Annotated[float | None, typer.Option(
        "--market-size", help="Market in million USD a year (default: bundled BACI "
        "exports of the technology's HS lines, else ICIO industry output × segment "
        "share).")] = None,
    segment_share: Annotated[float | None, typer.Option(
        "--segment-share", help="Part of the industry's output the technology stands for "
        "(0 < s ≤ 1; 1 for an industry).")] = None,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Trade-secret loss estimate: lost share × market × margin over the years (discounted)
    and the ripple of the lost output through the OECD ICIO 2022 table.

    Nothing is stored; the designated technologies are read from the knowledge base (the
    bundled list plus any loaded list)."""
    from econsec.io_models.icio import load_icio_2022
    from econsec.io_models.static import StaticModel
    from econsec.techmgmt.secret_loss import SecretLossInput, estimate

    registry = _tech_store(db).registry() if technology is not None else None
    given = SecretLossInput(share_lost=share_lost, years=years, technology=technology,
                            industry=industry, margin=margin, discount_rate=discount_rate,
                            ramp_years=ramp_years, growth=growth, market_size=market_size,
                            segment_share=segment_share)
    with fields_as_options(_LOSS_OPTIONS):
        from econsec.techmgmt.secret_loss import check_input

        check_input(given)
        result = estimate(given, StaticModel(load_icio_2022()), registry)
    doc = result.as_dict()
    subject, market, totals = doc["subject"], doc["market"], doc["totals"]
    notes = [f"Market: {_number(market['value'])} million USD a year "
             f"({market['basis_label']}" + (f", {market['year']}" if market["year"] else "")
             + ")"]
    notes += [f"{a['label']}: {a['value']:g} ({a['basis_en']})" + (
        f" [value-added share of {subject['region']}/{subject['industry']} in ICIO 2022: "
        f"{a['reference']['industry_value_added_share']:.3f}]" if "reference" in a else "")
        for a in doc["assumptions"]]
    notes.append(f"Total lost sales {_number(totals['lost_sales'])}, lost profit "
                 f"{_number(totals['lost_profit'])}, present value "
                 f"{_number(totals['present_value'])} million USD")
    for r in doc["ripple"].values():
        notes.append(f"{r['label']}: direct {_number(r['direct'])}, indirect "
                     f"{_number(r['indirect'])}, total {_number(r['total'])} million USD "
                     f"output (Japan value added {_number(r['home_value_added_loss'])})"
                     if subject["region"] == "JPN" else
                     f"{r['label']}: direct {_number(r['direct'])}, indirect "
                     f"{_number(r['indirect'])}, total {_number(r['total'])} million USD")
        notes.append("  top: " + "; ".join(
            f"{t['region']}/{t['sector']} {_number(t['output_loss'])}" for t in r["top"][:5]))
    notes += doc["notes"]
    notes.append("Sources: " + "; ".join(f"{s['publisher']}, {s['title']} ({s['year']})"
                                        for s in doc["sources"]))
    rows = [{k: (round(v, 3) if isinstance(v, float) else v) for k, v in r.items()}
            for r in doc["years"]]
    _emit(Result(doc, rows, ["year", "lost_share", "market", "lost_sales", "lost_profit",
                             "discount_factor", "present_value", "upstream_output_loss"],
                 title=f"Trade-secret loss: {subject['name_en']} ({subject['region']}/"
                 f"{subject['industry']}), million USD", notes=notes,
                 percent=["lost_share"]), fmt)


@tech_app.command("conduct-check")
def conduct_check(
    answers: Annotated[Path | None, typer.Option(
        "--answers", help="YAML or JSON mapping question id -> yes|partly|no|n/a (at the "
        "top or under answers:).")] = None,
    template: Annotated[bool, typer.Option(
        "--template", help="Print an answers template with every question and exit.")
    ] = False,
    lang: Annotated[str, typer.Option("--lang", help="Language of questions, actions and "
                                      "measures: en | ja")] = "en",
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Economic-security governance self-assessment (code of conduct): scores and a gap
    report per area with priorities and measures of the 3P catalogue.

    Nothing is stored (``--db`` is accepted for uniformity)."""
    from econsec.techmgmt.conduct import assess, bundled_conduct, template_answers
    from econsec.techmgmt.selfcheck import read_answers

    del db
    if lang not in ("en", "ja"):
        raise EconsecError(f"--lang must be en or ja, not {lang[:20]!r}",
                           location=Location(column="--lang"))
    qn = bundled_conduct()
    if template:
        out.print(template_answers(qn, lang), markup=False, highlight=False, end="")
        return
    if answers is None:
        raise EconsecError("give --answers FILE (print a template with --template)",
                           location=Location(column="--answers"))
    result = assess(read_answers(answers, qn))
    doc = result.as_dict()
    key = "ja" if lang == "ja" else "en"
    rows = []
    for a in doc["areas"]:
        rows.append({"area": a[f"name_{key}"], "score": a["score"],
                     "priority": a["priority"] or "n/a", "gap": a["gap"],
                     "actions": " / ".join(x[f"action_{key}"] for x in a["actions"]),
                     "measures": ", ".join(m["id"] for m in a["measures"])})
    high, medium = doc["thresholds"]["high_below"], doc["thresholds"]["medium_below"]
    notes = [f"Overall {doc['overall']}/100",
             f"Priority: high below {high:g}, medium below {medium:g}, else low",
             f"Questionnaire {doc['questionnaire_version']}; sources: " + "; ".join(
                 f"{s['title']} ({s['publisher']}, {s['year']})"
                 for s in doc["sources"].values())]
    if result.unanswered:
        notes.append(f"Unanswered (counted as no): {', '.join(result.unanswered)}")
    _emit(Result(doc, rows, ["area", "score", "priority", "gap", "actions", "measures"],
                 title="Economic-security governance: gap report", notes=notes), fmt)


def main() -> None:
    """Run ``tech_app`` on its own (``python -m econsec.cli.techmgmt_cmd``)."""
    try:
        tech_app()
    except EconsecError as exc:
        err.print(f"error: {exc}", markup=False, highlight=False)
        sys.exit(exc.exit_code)


if __name__ == "__main__":
    main()
