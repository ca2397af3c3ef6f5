"""The ``econsec`` command line (Typer + rich). A thin presenter over ``econsec.analyses``.

Every command that prints results takes ``--format table|json|csv``; every command takes
``--db URL`` (else ``ECONSEC_DB``, else the default SQLite file). Any
:class:`econsec.errors.EconsecError` is printed as one clear message and exits with 2.

Start-up is part of every command's wall time, so this module and the command modules it
registers import only typer, rich's console and light econsec modules; analyses, the store
(SQLAlchemy), numpy, pandas, the screening index … are imported inside the commands that
use them (``tests/test_cli_speed_guards.py`` keeps it so).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from econsec.cli.access_cmd import break_glass, groups_app, orgs_app, users_app
from econsec.cli.audit_cmd import audit_app
from econsec.cli.complexity_cmd import complexity as assess_complexity
from econsec.cli.console import err, out, progress_bar
from econsec.cli.exercise_cmd import exercise_app
from econsec.cli.geopolrisk_cmd import assess_geopolrisk
from econsec.cli.infra_cmd import infra_app
from econsec.cli.io_cmd import io_app
from econsec.cli.items_cmd import items_app
from econsec.cli.options import DbOption, FormatOption
from econsec.cli.output import OutputFormat, Result, emit, one_line, plain
from econsec.cli.policy_cmd import measures_app, recommend
from econsec.cli.regions_cmd import partners, region
from econsec.cli.screening_cmd import lists_app, screen
from econsec.cli.simulate_cmd import scenarios, simulate
from econsec.cli.sources_cmd import sources
from econsec.cli.stress_cmd import stress_test
from econsec.cli.techmgmt_cmd import tech_app
from econsec.cli.technology_cmd import assess_technology, with_technology_lenses
from econsec.errors import EconsecError

app = typer.Typer(
    name="econsec",
    help="Economic-security intelligence on real public data: dependence, criticality, reports.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
assess_app = typer.Typer(help="Criticality assessments.", no_args_is_help=True)
app.add_typer(assess_app, name="assess")
app.add_typer(io_app, name="io")
app.add_typer(tech_app, name="tech")
app.add_typer(lists_app, name="lists")
app.add_typer(audit_app, name="audit")
app.add_typer(items_app, name="items")
app.add_typer(users_app, name="users")
app.add_typer(orgs_app, name="orgs")
app.add_typer(groups_app, name="groups")
app.add_typer(infra_app, name="infra")
app.add_typer(measures_app, name="measures")
app.add_typer(exercise_app, name="exercise")
app.command()(recommend)




def _settings() -> Any:
    from econsec.settings import Settings

    return Settings()


def _db_url(db: str | None) -> str:
    return _settings().database_url(db)


def _open_store(db: str | None, *, ensure_data: bool = True) -> Any:
    """Open the knowledge base; build it from the bundled data first if it is empty.

    A command reads a knowledge base nobody changes meanwhile: each list is read once
    (:class:`econsec.kb.cached.CachedReads`)."""
    from econsec.kb.cached import CachedReads
    from econsec.kb.engine import open_engine

    store = CachedReads(open_engine(_db_url(db)))
    if ensure_data and not store.has_observations():
        err.print("The knowledge base is empty: building it from the bundled data first.")
        _build(store)
    return store


def _build(store: Any) -> tuple[dict[str, int], dict[str, int]]:
    """Import the bundled data; the tables' row counts and the rows of bundled files left
    out on loading (by reason)."""
    from econsec.datasets.bundled import load_bundled

    with progress_bar() as progress:
        bundle = load_bundled(progress=progress)
        summary = store.import_bundle(bundle, replace=True, progress=progress)
    return dict(store.counts()), dict(summary.left_out)


@app.command()
def init(db: DbOption = None, fmt: FormatOption = OutputFormat.TABLE,
         screening_index: Annotated[str | None, typer.Option(
             "--screening-index", help="Screening index to load the Japanese lists into "
             "(default: ECONSEC_SCREENING_DB, else ~/.local/share/econsec/screening.db).",
             show_default=False)] = None,
         lists: Annotated[bool, typer.Option(
             "--lists/--no-lists", help="Load the bundled Japanese screening lists (METI End "
             "User List, export-prohibition lists); kept when already loaded.")] = True,
         ) -> None:
    """Build or refresh the knowledge base from the bundled public data (idempotent) and
    load the Japanese screening lists."""
    url = _db_url(db)
    store = _open_store(db, ensure_data=False)
    counts, left_out = _build(store)  # read back from the database after the import
    rows: list[dict[str, object]] = [{"table": k, "rows": v} for k, v in sorted(counts.items())]
    screening: list[dict[str, object]] = []
    index_path: str | None = None
    if lists:
        from econsec.screening.bundled import JAPANESE
        from econsec.screening.index import load_bundled, open_index

        with open_index(screening_index) as idx, progress_bar() as progress:
            fresh = {name: load_bundled(idx, name, progress=progress, force=False)[1]
                     for name in JAPANESE}
            stored = {x.name: x for x in idx.lists()}  # what the index holds now
            index_path = str(idx.path)
        for name in JAPANESE:
            screening.append({"list": name, "entities": stored[name].entities,
                              "edition": stored[name].edition, "loaded": fresh[name]})
            rows.append({"table": f"screening list {name}", "rows": stored[name].entities})
    doc = {"database": url, "counts": counts, "left_out": left_out,
           "screening_index": index_path,
           "screening_lists": screening}
    if fmt is not OutputFormat.TABLE:
        emit(Result(doc, rows, ["table", "rows"]), fmt, out)
        return
    # Paths on a line of their own, never wrapped by rich (a terminal may fold a long one,
    # but a copy of it stays whole); names and counts in tables.
    _print_path("Knowledge base ready:", url)
    emit(Result(doc, [r for r in rows if not str(r["table"]).startswith("screening list ")],
                ["table", "rows"]), fmt, out)
    for reason, n in left_out.items():  # rows of bundled files no country stands for
        out.print(f"{reason}: {n:,} rows left out", markup=False, highlight=False)
    if index_path is not None:
        _print_path("Screening lists loaded into:", index_path)
        emit(Result(doc, [{**x, "loaded": "now" if x["loaded"] else "already loaded"}
                          for x in screening], ["list", "entities", "edition", "loaded"]),
             fmt, out)


def _print_path(label: str, path: str) -> None:
    out.print(label, markup=False, highlight=False)
    out.print(plain(f"  {path}"), soft_wrap=True, highlight=False)


@app.command()
def commodities(db: DbOption = None, fmt: FormatOption = OutputFormat.TABLE) -> None:
    """List commodities with their measures and the years available for each."""
    from econsec.analyses.commodities import commodity_list
    from econsec.cli.views import commodities_result

    emit(commodities_result(commodity_list(_open_store(db))), fmt, out)


@app.command()
def shares(
    commodity: Annotated[str, typer.Argument(help="Commodity id or name (English or Japanese).")],
    year: Annotated[int | None, typer.Option(help="Data year (default: latest).")] = None,
    measure: Annotated[str, typer.Option(
        help="production | refinery | capacity | reserves")] = "production",
    basis: Annotated[str, typer.Option(
        help="world-total: share of the published world total; reported: share of the sum "
             "of reported countries.")] = "world-total",
    source: Annotated[str | None, typer.Option(
        help="Use this source key (default: the most complete data set).")] = None,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Country shares of a commodity's production (or capacity, reserves) and the HHI."""
    from econsec.analyses.shares import commodity_shares
    from econsec.cli.views import shares_result

    store = _open_store(db)
    emit(shares_result(commodity_shares(store, commodity, measure=measure, year=year,
                                        basis=basis, source=source)), fmt, out)


@app.command()
def trade(
    country: Annotated[str, typer.Argument(
        help="Reporting country: ISO alpha-3 or name (English or Japanese).")],
    hs: Annotated[str | None, typer.Option(
        "--hs", help="HS 6-digit product code (284690 or 2846.90).", show_default=False)
                  ] = None,
    commodity: Annotated[str | None, typer.Option(
        "--commodity", help="Commodity id or name, resolved to its HS code through the "
        "crosswalk (several codes: narrow with --stage or name one with --hs).",
        show_default=False)] = None,
    year: Annotated[int | None, typer.Option(
        help="Data year (default: the latest with flows).", show_default=False)] = None,
    flow: Annotated[str, typer.Option(help="imports | exports")] = "imports",
    basis: Annotated[str, typer.Option(
        help="value (thousand USD) | quantity (metric tons)")] = "value",
    stage: Annotated[str | None, typer.Option(
        "--stage", help="With --commodity: the crosswalk's stage (ore, mineral, compound, "
        "refined metal, alloy, magnet …).", show_default=False)] = None,
    hs_version: Annotated[str | None, typer.Option(
        "--hs-version", help="HS version of the code (HS92, HS17; default: the version of "
        "the code's longest series, HS92 for BACI's 1995-2024 codes).", show_default=False)
                      ] = None,
    source: Annotated[str | None, typer.Option(
        help="Source key of the flows (default: the data set with most flows).",
        show_default=False)] = None,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """A country's trade partners in one product and year: each partner's share of the
    country's imports (or exports), the HHI, the data set (BACI)."""
    import gc
    import os

    # A short read: no garbage collection while SQLAlchemy and pydantic are imported (their
    # classes are no garbage; main() freezes what is left at exit).
    gc.disable()
    # econsec uses no pydantic plugin: building the result models then skips pydantic's scan
    # of every installed package's entry points (about 0.04 s of this command's start-up).
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    from econsec.analyses.trade import trade_shares
    from econsec.cli.views import trade_result

    doc = trade_shares(_open_store(db), country, hs=hs, commodity=commodity, stage=stage,
                       year=year, flow=flow, basis=basis, hs_version=hs_version,
                       source=source)
    emit(trade_result(doc), fmt, out)


@app.command("import")
def import_(
    path: Annotated[Path, typer.Argument(help="CSV, Excel (.xlsx) file or data package.")],
    replace: Annotated[bool, typer.Option(
        "--replace", help="Replace the stored facts of a source the file names again "
        "(otherwise changing an existing source is refused).")] = False,
    encoding: Annotated[str | None, typer.Option(
        "--encoding", help="Encoding of a CSV file that is not UTF-8 (cp932 / shift_jis, "
        "euc-jp, cp1252 …); default: UTF-8, or a legacy encoding recognised with "
        "confidence.", show_default=False)] = None,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Check the file and list every problem of every row; store "
        "nothing.")] = False,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Add a CSV, Excel file or data package to the knowledge base (all or nothing)."""
    from econsec.datasets.user_tables import read_user_file

    store = _open_store(db)
    if dry_run:
        from econsec.cli.import_check import dry_run as check

        return check(store, path, encoding=encoding, replace=replace, fmt=fmt)
    bundle = read_user_file(path, encoding=encoding)
    with progress_bar() as progress:
        summary = store.import_bundle(bundle, replace=replace, progress=progress)
    doc = _summary_dict(summary)
    replaced = doc.get("replaced", {})
    rows = [{"table": k, "rows": v, "replaced": replaced.get(k, 0)}
            for k, v in sorted(doc.get("rows", {}).items())]
    emit(Result({"file": str(path), **doc}, rows, ["table", "rows", "replaced"],
                title=f"Imported {path}"), fmt, out)


def _summary_dict(summary: Any) -> dict[str, Any]:
    from dataclasses import asdict, is_dataclass

    if is_dataclass(summary) and not isinstance(summary, type):
        return asdict(summary)
    return dict(summary) if summary else {}


@app.command()
def export(
    folder: Annotated[Path, typer.Argument(help="Folder to write the data package to.")],
    db: DbOption = None,
) -> None:
    """Export the knowledge base as a Frictionless data package (CSV + datapackage.json)."""
    store = _open_store(db)
    store.export_datapackage(folder)
    out.print(plain(f"Data package written to {folder}"))


@assess_app.command("eu-crm")
def assess_eu_crm(
    input_file: Annotated[Path, typer.Option("--input", help="Assessment input (JSON).")],
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """EU CRM supply risk (SR) and economic importance (EI) of materials (EC 2017 method)."""
    from econsec.analyses.eu_crm import assess_eu_crm_file
    from econsec.cli.views import eu_crm_result

    emit(eu_crm_result(assess_eu_crm_file(_open_store(db), input_file)), fmt, out)


@assess_app.command("eu-crm-template")
def assess_eu_crm_template(
    materials: Annotated[list[str], typer.Argument(help="EU CRM 2023 material names.")],
    out_file: Annotated[Path | None, typer.Option("--out", help="Write here (default: stdout).")
                        ] = None,
    db: DbOption = None,
) -> None:
    """An eu-crm input file filled from the bundled EU CRM 2023 shares, end uses and WGI.

    Import reliance, EoL-RIR and substitution indices are set to the screening values
    (1, 0, 1): replace them with the study's factsheet values before relying on the result.
    The file's notes (also printed to stderr) name stages whose EU sourcing copies global
    supply and doubtful rows of the bundled tables.
    """
    from econsec.analyses.eu_crm import eu_crm_template
    from econsec.cli.output import to_json

    doc = eu_crm_template(_open_store(db), materials)
    text = to_json(doc) + "\n"
    if out_file is None:
        out.file.write(text)
    else:
        out_file.write_text(text, encoding="utf-8")
        err.print(f"Written {out_file}")
    for m in doc.materials:
        for note in m.notes:
            err.print(f"note: {m.material}: {note}", markup=False, highlight=False)


@assess_app.command("dependence")
def assess_dependence(
    country: Annotated[str | None, typer.Option(
        help="Home country, ISO alpha-3 or name (default: ECONSEC_HOME_COUNTRY, JPN).")] = None,
    columns: Annotated[str | None, typer.Option(
        "--columns", help="Table and CSV columns, comma-separated (default table: commodity,"
        "year,home_share,top_supplier,top_share,hhi,outside_share; an unknown name is "
        "answered with the valid ones).", show_default=False)] = None,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Dependence and indispensability of a country over all bundled commodities."""
    from econsec.analyses.dependence import COLUMNS, dependence_table
    from econsec.cli.views import dependence_result, parse_columns
    from econsec.io_models.net_trade import icio_net_trade

    chosen = parse_columns(columns, COLUMNS) if columns is not None else None
    home = country or _settings().home_country
    table = dependence_table(_open_store(db), home, net_trade=icio_net_trade)
    emit(dependence_result(table, fmt, chosen), fmt, out)


@assess_app.command("country")
def assess_country(
    country: Annotated[str, typer.Argument(help="Country, ISO alpha-3 or name.")],
    home: Annotated[str | None, typer.Option(
        help="Home country (default: ECONSEC_HOME_COUNTRY, JPN).")] = None,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """A country's profile: groups, Japan's export-control Group A, governance, risk, what it
    produces (the API's and the country page's profile)."""
    from econsec.analyses.country_profile import all_commodity_profiles, country_profile
    from econsec.analyses.dependence import dependence_table
    from econsec.cli.views import country_result
    from econsec.io_models.net_trade import icio_net_trade

    store = _open_store(db)
    home_iso3 = store.resolve_country(home or _settings().home_country)
    profiles = all_commodity_profiles(store)
    # the same inputs as the API and the country page: steel's trade position from ICIO
    dependence = dependence_table(store, home_iso3, profiles=profiles, net_trade=icio_net_trade)
    p = country_profile(store, country, home=home_iso3, profiles=profiles,
                        dependence=dependence)
    emit(with_technology_lenses(country_result(p), store, p.iso3), fmt, out)


@app.command()
def report(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the report.")] = Path(
        "econsec-report"),
    country: Annotated[str | None, typer.Option(help="Home country (default JPN).")] = None,
    db: DbOption = None,
) -> None:
    """Write the self-contained bilingual (ja/en) HTML criticality report."""
    from econsec.reports.criticality import write_report

    store = _open_store(db)
    with progress_bar() as progress:
        path = write_report(store, out_dir, home=country or _settings().home_country,
                            progress=progress)
    out.print(f"Report written to {path}")


assess_app.command("technology")(assess_technology)
assess_app.command("geopolrisk")(assess_geopolrisk)
assess_app.command("complexity")(assess_complexity)
app.command()(simulate)
app.command()(scenarios)
app.command("stress-test")(stress_test)
app.command("screen")(screen)
app.command("sources")(sources)
app.command("break-glass")(break_glass)
app.command("region")(region)
app.command("partners")(partners)


def _users_exist(url: str) -> bool:
    """Whether the knowledge base at ``url`` has user accounts, read without creating or
    migrating anything (a refused ``serve`` leaves no database behind)."""
    from sqlalchemy import create_engine, inspect, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and not (
            parsed.database and Path(parsed.database).is_file()):
        return False
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table("users"):
                return False
            return conn.execute(text("SELECT 1 FROM users LIMIT 1")).first() is not None
    except SQLAlchemyError:
        return False  # the app's own opening reports what is wrong
    finally:
        engine.dispose()


def _how_scripts_call(url: str, token_file: Path) -> str:
    """The start-up line telling scripts how to call the API: the token file in local mode;
    signing in once user accounts exist (the token file is not accepted then)."""
    if _users_exist(url):
        return ("User accounts exist: sign in at /login; scripts sign in with POST "
                "/api/v1/session and send its csrf_token as X-CSRF-Token")
    return f"API token for scripts (header X-CSRF-Token): {token_file}"


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on (loopback by default).")
                    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    allow_remote: Annotated[bool, typer.Option(
        "--allow-remote", help="Allow an address beyond loopback (e.g. 0.0.0.0): without "
        "user accounts anyone on the network can use econsec; with them, passwords cross "
        "the network in clear unless a TLS proxy is in front.")] = False,
    allowed_host: Annotated[list[str] | None, typer.Option(
        "--allowed-host", help="Another host name (NAME or NAME:PORT) the server answers "
        "to, e.g. behind a reverse proxy. Repeatable.")] = None,
    token_file: Annotated[Path | None, typer.Option(
        help="File holding the API token (created readable by you only; default "
        "~/.local/state/econsec/api-token or $ECONSEC_TOKEN_FILE).")] = None,
    workers: Annotated[int, typer.Option(
        min=1, max=64, help="Worker processes (several: sessions and data are shared "
        "through the database; PostgreSQL is the server store, see docs/deployment.md).")
                       ] = 1,
    forwarded_allow_ips: Annotated[str | None, typer.Option(
        "--forwarded-allow-ips", help="Addresses of the reverse proxy (comma-separated) "
        "whose X-Forwarded-Proto and X-Forwarded-For are believed: https there turns on "
        "HSTS and Secure cookies. Without it, these headers are ignored.")] = None,
    db: DbOption = None,
) -> None:
    """Start the web platform (JSON API under /api/v1, pages, OpenAPI docs at /docs)."""
    import uvicorn

    from econsec.kb.engine import open_engine
    from econsec.web.app import create_app
    from econsec.web.security import (
        check_bind,
        default_token_file,
        is_loopback,
        load_or_create_token,
    )

    url = _db_url(db)
    warning = check_bind(host, allow_remote, not is_loopback(host) and _users_exist(url))
    path = token_file or default_token_file()
    token = load_or_create_token(path)
    names = [h.strip() for h in allowed_host or () if h.strip()]
    proxies = {"proxy_headers": bool(forwarded_allow_ips),
               "forwarded_allow_ips": forwarded_allow_ips or "127.0.0.1"}
    if warning:
        err.print(warning, style="bold red", markup=False, highlight=False)
    shown = f"[{host}]" if ":" in host else host
    if workers > 1:
        import os

        from econsec.web.serving import SQLITE_WORKERS_NOTE, worker_environment

        # the database reachable and migrated once, here: a wrong URL is one message and
        # exit status 2, not workers failing and being restarted
        open_engine(url).dispose()
        os.environ.update(worker_environment(database_url=url, host=host, port=port,
                                             allowed_hosts=names, token_file=path))
        if url.startswith("sqlite"):
            err.print(SQLITE_WORKERS_NOTE, markup=False, highlight=False)
        err.print(f"econsec on http://{shown}:{port}/ with {workers} worker processes "
                  f"(knowledge base {url}; Ctrl+C stops)\n" + _how_scripts_call(url, path),
                  markup=False, highlight=False)
        uvicorn.run("econsec.web.serving:app_from_environment", factory=True,
                    workers=workers, host=host, port=port, log_level="warning",
                    access_log=False, **proxies)  # type: ignore[arg-type]
        return
    app_ = create_app(url, host=host, port=port, allowed_hosts=names, token=token)
    err.print(f"econsec on http://{shown}:{port}/ (knowledge base {url}; Ctrl+C stops)\n"
              + _how_scripts_call(url, path), markup=False, highlight=False)
    uvicorn.run(app_, host=host, port=port, log_level="warning", access_log=False,
                **proxies)  # type: ignore[arg-type]


def main() -> None:
    """Console-script entry point: typed errors become one message and exit status 2.

    Whatever the command left is frozen out of the garbage collector before the interpreter
    exits: its last collections would walk every object of SQLAlchemy, pydantic … only to
    find nothing to free (about a fifth of a second of a short read command)."""
    import gc

    try:
        app()
    except EconsecError as exc:
        # One line, whatever a file name or stored text holds (newlines, escape sequences).
        err.print(f"error: {one_line(exc)}", markup=False, highlight=False, soft_wrap=True)
        sys.exit(exc.exit_code)
    finally:
        gc.freeze()
