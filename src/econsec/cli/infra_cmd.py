"""``econsec infra …``: Indo-Pacific trusted AI infrastructure (cables and landing stations
from the optional non-commercial pack, electricity, data centres, launch capacity).

A thin presenter over :mod:`econsec.infrastructure`. Every command takes ``--db``; the
printing ones ``--format table|json|csv``. Wherever cable figures appear, the pack's licence
(CC BY-NC-SA 3.0, non-commercial, share-alike) is printed with them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from econsec.cli.console import err, out
from econsec.cli.options import DbOption, FormatOption
from econsec.cli.output import OutputFormat, Result, emit

infra_app = typer.Typer(help="Indo-Pacific trusted AI infrastructure: undersea cables, "
                        "landing stations, electricity, data centres, launch capacity.",
                        no_args_is_help=True)
pack_app = typer.Typer(help="The optional submarine-cable data pack (non-commercial licence).",
                       no_args_is_help=True)
dc_app = typer.Typer(help="Your data centres (CSV import into the facilities table).",
                     no_args_is_help=True)
infra_app.add_typer(pack_app, name="pack")
infra_app.add_typer(dc_app, name="datacentres")

RegionOption = Annotated[str, typer.Option(
    "--region", help="Region to analyse (indo-pacific).")]
HomeOption = Annotated[str, typer.Option("--home", help="Home country (ISO3 or name).")]
PlannedOption = Annotated[bool, typer.Option(
    "--without-planned", help="Leave out cables planned at the time of the data (2022).")]
TableOption = Annotated[str, typer.Option(
    "--table", help="Which table to print: countries, failure-points, stations, straits.")]
TABLES = ("countries", "failure-points", "stations", "straits")


def _store(db: str | None) -> Any:
    from econsec.cli.app import _open_store

    return _open_store(db)


def _datacentres(store: Any) -> Any:
    from econsec.kb.facilities import stored_datacentres

    return lambda: stored_datacentres(store.engine)


def _licence_note(status: Any) -> str:
    if status.loaded:
        return (f"Cable data: TeleGeography Submarine Cable Map (late 2022), licence "
                f"{status.licence} ({status.licence_url}); not for commercial use.")
    note = f"Cable pack not loaded. {status.how_to_load}"
    return f"{note} ({status.problem})" if status.problem else note


def _source_note(result: Any) -> str:
    return "Sources: " + "; ".join(f"{s.key} ({s.publisher} {s.year}, {s.licence})"
                                   for s in result.sources)


def _status_result(status: Any, title: str) -> Result:
    rows = [{"field": k, "value": v} for k, v in status.model_dump().items()]
    return Result(status, rows, ["field", "value"], title=title,
                  notes=[_licence_note(status)])


@pack_app.command("add")
def pack_add(
    folder: Annotated[Path, typer.Argument(help="Folder of the cable pack (cables.csv, "
                                           "cable_landing_points.csv, cable-geo.json).")],
    db: DbOption = None, fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Check the cable pack in FOLDER, keep a copy in the packs folder and record its source
    (licence CC BY-NC-SA 3.0) in the knowledge base."""
    from econsec.infrastructure.service import add_pack

    status = add_pack(_store(db), folder)
    emit(_status_result(status, f"Cable pack added from {folder}"), fmt, out)


@pack_app.command("show")
def pack_show(db: DbOption = None, fmt: FormatOption = OutputFormat.TABLE) -> None:
    """Whether the cable pack is loaded, its licence and where it is kept."""
    from econsec.infrastructure.service import loaded_pack

    _, status = loaded_pack(_store(db))
    emit(_status_result(status, "Cable pack"), fmt, out)


def _country_rows(result: Any) -> list[dict[str, Any]]:
    return [{
        "iso3": c.iso3, "country": c.name_en, "score": c.score,
        "coverage": c.score_coverage,
        "cables": c.cables, "landing_points": c.landing_points,
        "direct_to_home": c.direct_cables_to_home, "min_cable_cut": c.min_cable_cut,
        "min_station_cut": c.min_station_cut, "station_hhi": c.station_hhi,
        "japanese_suppliers": c.japanese_supplier_share,
        "low_carbon": c.low_carbon_share, "growth_5y": c.generation_cagr_5y,
        "launches_10y": c.launches_10y, "datacentres": c.datacentres,
    } for c in result.countries]


def _rows(result: Any, table: str) -> tuple[list[dict[str, Any]], list[str], list[str]]:
    if table == "countries":
        rows = _country_rows(result)
        return rows, list(rows[0]) if rows else ["iso3"], [
            "coverage", "japanese_suppliers", "low_carbon", "growth_5y"]
    home = result.home_figures
    if table == "failure-points":
        frows = [{"kind": f.kind, "id": f.id, "name": f.name, "country": f.iso3,
                  "cuts_off_region": ", ".join(f.cut_off_in_region),
                  "cuts_off_all": ", ".join(f.cut_off)}
                 for f in (home.failure_points if home else [])]
        return frows, ["kind", "id", "name", "country", "cuts_off_region", "cuts_off_all"], []
    if table == "stations":
        srows = [{"id": s.id, "name": s.name, "cables": s.cables, "share": s.share}
                 for s in (home.stations if home else [])]
        return srows, ["id", "name", "cables", "share"], ["share"]
    trows = [{"id": s.id, "strait": s.name_en, "cables": s.cables, "home_cables": s.home_cables,
              "home_share": s.home_share,
              "all_direct_cables_of": ", ".join(s.region_countries)} for s in result.straits]
    return trows, ["id", "strait", "cables", "home_cables", "home_share",
                   "all_direct_cables_of"], ["home_share"]


def _notes(result: Any) -> list[str]:
    notes = [_licence_note(result.pack)]
    home = result.home_figures
    if home is not None:
        notes.append(f"{home.iso3}: {home.cables} cables at {home.landing_points} landing "
                     f"stations; station HHI {home.station_hhi:.3f}; "
                     f"{len(home.failure_points)} single points of failure cut countries "
                     f"off from {home.iso3}.")
    notes.append("Score weights: " + ", ".join(f"{k} {v:.2f}"
                                               for k, v in result.weights.items()))
    notes.extend(result.notes)
    notes.append(_source_note(result))
    return notes


@infra_app.command("analyse")
def analyse(
    region: RegionOption = "indo-pacific", home: HomeOption = "JPN",
    without_planned: PlannedOption = False, table: TableOption = "countries",
    db: DbOption = None, fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """The region's cable connectivity to the home country, single points of failure,
    strait corridors and the home country's contribution-potential score per country."""
    from econsec.errors import UnknownNameError
    from econsec.infrastructure.service import run

    if table not in TABLES:
        raise UnknownNameError(table, list(TABLES))
    store = _store(db)
    iso3 = store.resolve_country(home)
    result = run(store, region=region, home=iso3, include_planned=not without_planned,
                 datacentres=_datacentres(store))
    if table != "countries" and result.home_figures is None:
        err.print(_licence_note(result.pack))
    rows, columns, percent = _rows(result, table)
    emit(Result(result, rows, columns, title=f"Infrastructure: {region} from {iso3} ({table})",
                notes=_notes(result), percent=percent), fmt, out)


@infra_app.command("country")
def country(
    name: Annotated[str, typer.Argument(metavar="COUNTRY", help="ISO3 code or name.")],
    home: HomeOption = "JPN", without_planned: PlannedOption = False,
    db: DbOption = None, fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """One country's cables, landing stations, cut sets to the home country, electricity,
    launches, data centres and contribution-potential score with its terms."""
    from econsec.infrastructure.service import run

    store = _store(db)
    iso3 = store.resolve_country(name)
    home_iso3 = store.resolve_country(home)
    result = run(store, home=home_iso3, include_planned=not without_planned, extra=[iso3],
                 datacentres=_datacentres(store))
    found = [c for c in result.countries if c.iso3 == iso3]
    if not found:  # the home country itself
        from econsec.errors import ValidationError

        raise ValidationError("%(country)s is the home country; choose another one",
                              params={"country": iso3})
    row = found[0]
    rows: list[dict[str, Any]] = [{"term": c.id, "weight": c.weight, "value": c.value,
                                   "basis": c.basis} for c in row.components]
    notes = [_licence_note(result.pack),
             f"{row.name_en} ({iso3}): score {row.score if row.score is not None else 'n/a'}; "
             f"cables {row.cables}, landing stations {row.landing_points}, fewest cables "
             f"cutting it off from {home_iso3}: {row.min_cable_cut} "
             f"({', '.join(row.cable_cut_set)}), fewest stations: {row.min_station_cut}; "
             f"electricity {row.electricity_twh} TWh ({row.electricity_year}); "
             f"launches {row.launches_10y} ({row.launch_window}); "
             f"data centres {row.datacentres}.", _source_note(result)]
    emit(Result({**row.model_dump(), "pack": result.pack.model_dump(),
                 "weights": result.weights,
                 "sources": [s.model_dump() for s in result.sources]},
                rows, ["term", "weight", "value", "basis"],
                title=f"Infrastructure: {row.name_en} from {home_iso3}", notes=notes,
                percent=["weight"]), fmt, out)


@dc_app.command("template")
def dc_template() -> None:
    """Print the data-centre CSV template (header and one example row)."""
    from econsec.datasets.datacentres import TEMPLATE

    out.file.write(TEMPLATE)


@dc_app.command("import")
def dc_import(
    path: Annotated[Path, typer.Argument(help="CSV file in the template's columns.")],
    db: DbOption = None, fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Store the data centres of a CSV file (all or nothing; the same file name again
    replaces its rows)."""
    import datetime as dt

    from econsec.datasets._csv import sha256_of
    from econsec.datasets.datacentres import read_datacentres
    from econsec.kb.facilities import PREFIX, replace_datacentres
    from econsec.records import Source

    rows = read_datacentres(path)
    store = _store(db)
    source = Source(PREFIX + path.name, "user", f"Data centres: {path.name}",
                    dt.date.today().year, "user data", "", path.name, sha256_of([path]))
    count = replace_datacentres(store.engine, source, rows)
    emit(Result({"file": str(path), "source_key": source.key, "rows": count},
                [{"source_key": source.key, "rows": count}], ["source_key", "rows"],
                title=f"Data centres imported from {path}"), fmt, out)


@dc_app.command("list")
def dc_list(db: DbOption = None, fmt: FormatOption = OutputFormat.TABLE) -> None:
    """The stored data centres."""
    from dataclasses import asdict

    from econsec.kb.facilities import stored_datacentres

    found = stored_datacentres(_store(db).engine)
    rows = [{"source_key": key, **asdict(dc)} for key, dc in found]
    emit(Result({"datacentres": rows}, rows,
                ["source_key", "id", "name", "iso3", "capacity_mw", "latitude", "longitude",
                 "location"], title="Data centres"), fmt, out)
