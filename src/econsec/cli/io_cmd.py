"""``econsec io``: static input-output shocks (Leontief, Ghosh, inoperability, extraction).

A thin presenter over :mod:`econsec.io_models.static`. Shocks are written
``REGION/SECTOR=VALUE`` (repeatable); with a single-region table (``bundled:bea-2023``)
the region may be left out, and BEA industries may be named by code (``331``) or name
("Primary metals"). A value ending in ``%`` is a share of the base the model cuts: final
demand (``leontief``), value added (``ghosh``); ``iim`` values are fractions of output.
Unknown names raise with close matches; malformed shocks, and cuts above 100 %, raise
:class:`~econsec.errors.ValidationError` (exit status 2 through ``econsec.cli.app.main``).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import Annotated, Any

import numpy as np
import typer
from rich.console import Console

from econsec.cli.output import OutputFormat, Result, emit
from econsec.errors import UnknownNameError, ValidationError
from econsec.io_models.mrio import MRIO
from econsec.suggest import close_matches

io_app = typer.Typer(
    help="Static input-output shocks: Leontief, Ghosh, inoperability (IIM), extraction.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

out = Console(width=None if sys.stdout.isatty() else 240)

MrioOption = Annotated[str, typer.Option(
    "--mrio", help="MRIO: pymrio:test, bundled:bea-2023 or a folder pymrio can load.")]
FormatOption = Annotated[
    OutputFormat, typer.Option("--format", "-f", help="Output format.", case_sensitive=False)
]
TopOption = Annotated[int | None, typer.Option(
    "--top", min=1, help="Show only the N largest changes in the table and CSV (JSON keeps "
    "all sectors).")]
MethodOption = Annotated[str, typer.Option(
    "--method", help="Solver: auto, lu, splu, gmres or neumann.")]


# ---------------------------------------------------------------------------------------
# Parsing REGION/SECTOR[=VALUE]


def sector_names(ref: str) -> dict[str, str]:
    """Sector code → name for tables that have names (the bundled BEA table)."""
    if ref.startswith("bundled:bea"):
        from econsec.io_models.bea import industry_names

        return industry_names()
    return {}


def resolve_target(mrio: MRIO, text: str, names: Mapping[str, str] | None = None,
                   *, option: str = "--extract") -> tuple[str, str]:
    """(region, sector) named by ``REGION/SECTOR`` (or ``SECTOR`` in a one-region table).

    The sector may be its name when ``names`` (code → name) is given. Unknown names raise
    :class:`UnknownNameError` with close matches.
    """
    text = text.strip()
    if "/" in text:
        region, sector = (part.strip() for part in text.split("/", 1))
    elif len(mrio.regions) == 1:
        region, sector = mrio.regions[0], text
    else:
        raise ValidationError(f"{option} '{text}': write REGION/SECTOR (regions: "
                              f"{', '.join(mrio.regions)})")
    if not region or not sector:
        raise ValidationError(f"{option} '{text}': region and sector must not be empty")
    mrio.region_index(region)
    if sector in mrio.sectors:
        return region, sector
    names = names or {}
    by_name = {name.casefold(): code for code, name in names.items()}
    if sector.casefold() in by_name:
        return region, by_name[sector.casefold()]
    labels = {code: code for code in mrio.sectors}
    labels.update({name: code for code, name in names.items()})
    suggestions = [f"{c} ({names[c]})" if c in names else c
                   for c in close_matches(sector, labels)]
    raise UnknownNameError(sector, suggestions, kind="sector")


def parse_assignment(mrio: MRIO, text: str, names: Mapping[str, str] | None = None,
                     *, option: str) -> tuple[str, str, float, bool]:
    """``REGION/SECTOR=VALUE`` → (region, sector, value, is_percent)."""
    target, sep, raw = text.rpartition("=")
    if not sep or not target.strip() or not raw.strip():
        raise ValidationError(f"{option} '{text}': write REGION/SECTOR=VALUE, e.g. "
                              f"{mrio.regions[0]}/{mrio.sectors[0]}=-100")
    raw = raw.strip()
    percent = raw.endswith("%")
    try:
        value = float(raw[:-1] if percent else raw)
    except ValueError:
        raise ValidationError(f"{option} '{text}': '{raw}' is not a number") from None
    if not np.isfinite(value):
        raise ValidationError(f"{option} '{text}': the value must be finite")
    region, sector = resolve_target(mrio, target, names, option=option)
    return region, sector, (value / 100 if percent else value), percent


def _shock(mrio: MRIO, texts: Sequence[str], names: Mapping[str, str], option: str,
           base: np.ndarray | None) -> list[tuple[str, str, float]]:
    if not texts:
        raise ValidationError(f"give at least one {option} REGION/SECTOR=VALUE")
    shock = []
    for text in texts:
        region, sector, value, percent = parse_assignment(mrio, text, names, option=option)
        if percent:
            if base is None:
                raise ValidationError(f"{option} '{text}': give a fraction of output, not %")
            if value < -1:
                raise ValidationError(f"{option} '{text}': a cut above 100 %")
            reference = float(base[mrio.index(region, sector)])
            if reference <= 0:
                raise ValidationError(
                    f"{option} '{text}': a percentage needs a positive base, but "
                    f"{region}/{sector} has {reference:g} (negative final demand where imports "
                    "exceed domestic use); give the change in the table's unit instead"
                )
            value *= reference
        shock.append((region, sector, value))
    return shock


# ---------------------------------------------------------------------------------------
# Presenting


def _with_names(rows: list[dict[str, Any]], names: Mapping[str, str]) -> list[dict[str, Any]]:
    if not names:
        return rows
    return [{**row, "name": names.get(row["sector"], "")} for row in rows]


def _result(doc: dict[str, Any], table_rows: list[dict[str, Any]], value_columns: list[str],
            names: Mapping[str, str], title: str, notes: Sequence[str],
            percent: Sequence[str] = ()) -> Result:
    columns = ["region", "sector", *(["name"] if names else []), *value_columns]
    return Result(doc, _with_names(table_rows, names), columns, title=title,
                  notes=tuple(notes), percent=tuple(percent))


def _load(ref: str) -> MRIO:
    from econsec.io_models.loaders import load_mrio

    return load_mrio(ref)


def _method(method: str) -> Any:
    if method not in ("auto", "lu", "splu", "gmres", "neumann"):
        raise ValidationError(f"unknown --method '{method}'; use auto, lu, splu, gmres or "
                              "neumann")
    return method


# ---------------------------------------------------------------------------------------
# Commands


@io_app.command()
def leontief(
    demand_change: Annotated[list[str] | None, typer.Option(
        "--demand-change", help="REGION/SECTOR=VALUE: change in final demand in the table's "
        "unit (or % of the sector's final demand, e.g. reg1/mining=-10%). Repeatable.")
    ] = None,
    mrio: MrioOption = "pymrio:test",
    top: TopOption = None,
    method: MethodOption = "auto",
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Output change Δx = (I − A)⁻¹ Δy of a final-demand change (Leontief)."""
    from econsec.io_models.static import StaticModel

    table = _load(mrio)
    names = sector_names(mrio)
    model = StaticModel(table, method=_method(method))
    shock = _shock(table, demand_change or [], names, "--demand-change", model.y)
    result = model.leontief(shock)
    doc = result.to_dict()
    emit(_result(doc, result.changes(top), ["value"], names,
                 f"Leontief: total output change {doc['total_output_change']:,.1f} "
                 f"{table.unit} ({table.name})", table.notes), fmt, out)


@io_app.command()
def ghosh(
    value_added_change: Annotated[list[str] | None, typer.Option(
        "--value-added-change", help="REGION/SECTOR=VALUE: change in value added (primary "
        "inputs) in the table's unit, or % of the sector's value added. Repeatable.")
    ] = None,
    mrio: MrioOption = "pymrio:test",
    top: TopOption = None,
    method: MethodOption = "auto",
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Output change Δxᵀ = Δvᵀ (I − B)⁻¹ of a value-added change (Ghosh supply model)."""
    from econsec.io_models.static import StaticModel

    table = _load(mrio)
    names = sector_names(mrio)
    model = StaticModel(table, method=_method(method))
    shock = _shock(table, value_added_change or [], names, "--value-added-change",
                   model.x - table.Z.sum(axis=0))
    result = model.ghosh(shock)
    doc = result.to_dict()
    emit(_result(doc, result.changes(top), ["value"], names,
                 f"Ghosh: total output change {doc['total_output_change']:,.1f} "
                 f"{table.unit} ({table.name})", table.notes), fmt, out)


@io_app.command()
def iim(
    demand_perturbation: Annotated[list[str] | None, typer.Option(
        "--demand-perturbation", "--demand-change", help="REGION/SECTOR=C: demand "
        "perturbation c* as a fraction of the sector's output (0.1 = final demand falls by "
        "10 % of output; at most its final demand). Repeatable.")] = None,
    mrio: MrioOption = "pymrio:test",
    top: TopOption = None,
    method: MethodOption = "auto",
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Inoperability q = (I − A*)⁻¹ c*, A* = x̂⁻¹ A x̂, and economic loss q ⊙ x (Santos &
    Haimes 2004)."""
    from econsec.io_models.static import StaticModel

    table = _load(mrio)
    names = sector_names(mrio)
    model = StaticModel(table, method=_method(method))
    shock = _shock(table, demand_perturbation or [], names, "--demand-perturbation", None)
    result = model.inoperability(shock)
    doc = result.to_dict()
    emit(_result(doc, result.changes(top), ["inoperability", "economic_loss"], names,
                 f"Inoperability: total economic loss {doc['total_economic_loss']:,.1f} "
                 f"{table.unit} ({table.name})", (*table.notes, *result.notes),
                 percent=["inoperability"]), fmt, out)


@io_app.command()
def extract(
    targets: Annotated[list[str] | None, typer.Option(
        "--extract", help="REGION/SECTOR to extract. Repeatable.")] = None,
    variant: Annotated[str, typer.Option(
        "--variant", help="full: the sector vanishes (row, column and final demand); "
        "backward: it buys no intermediate inputs; forward: it sells none (Ghosh).")
    ] = "full",
    mrio: MrioOption = "pymrio:test",
    top: TopOption = None,
    method: MethodOption = "auto",
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Hypothetical extraction: output lost per sector and in total (Miller & Blair §12.2)."""
    from econsec.io_models.static import StaticModel

    table = _load(mrio)
    names = sector_names(mrio)
    if not targets:
        raise ValidationError("give at least one --extract REGION/SECTOR")
    if variant not in ("full", "backward", "forward"):
        raise ValidationError(f"unknown --variant '{variant}'; use full, backward or forward")
    pairs = [resolve_target(table, t, names, option="--extract") for t in targets]
    result = StaticModel(table, method=_method(method)).extraction(pairs, variant=variant)  # type: ignore[arg-type]
    doc = result.to_dict()
    emit(_result(doc, result.changes(top), ["value"], names,
                 f"Extraction ({variant}): output loss {doc['total_output_loss']:,.1f} "
                 f"{table.unit}, of which elsewhere {doc['output_loss_elsewhere']:,.1f} "
                 f"({table.name})", table.notes), fmt, out)
