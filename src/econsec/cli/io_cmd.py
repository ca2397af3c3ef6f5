"""``econsec io``: static input-output shocks (Leontief, Ghosh, inoperability, extraction).

A thin presenter over :mod:`econsec.io_models.static` and
:mod:`econsec.io_models.shocks` (the parsing, shared with the web API). Shocks are written
``REGION/SECTOR=VALUE`` (repeatable); with a single-region table (``bundled:bea-2023``)
the region may be left out, and BEA industries may be named by code (``331``) or name
("Primary metals"). A value ending in ``%`` is a share of the base the model cuts: final
demand (``leontief``), value added (``ghosh``); ``iim`` values are fractions of output.
Unknown names raise with close matches; malformed shocks, and cuts above 100 %, raise
:class:`~econsec.errors.ValidationError` (exit status 2 through ``econsec.cli.app.main``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Annotated, Any

import typer

from econsec.cli.console import out
from econsec.cli.options import FormatOption
from econsec.cli.output import OutputFormat, Result, emit
from econsec.errors import ValidationError

if TYPE_CHECKING:  # numpy and the models are imported by the commands that run them
    import numpy as np

    from econsec.io_models.mrio import MRIO

io_app = typer.Typer(
    help="Static input-output shocks: Leontief, Ghosh, inoperability (IIM), extraction.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


MrioOption = Annotated[str, typer.Option(
    "--mrio", help="MRIO: pymrio:test, bundled:bea-2023, bundled:icio-2022 or a folder "
    "pymrio can load.")]
TopOption = Annotated[int | None, typer.Option(
    "--top", min=1, help="Show only the N largest changes in the table and CSV (JSON keeps "
    "all sectors).")]
MethodOption = Annotated[str, typer.Option(
    "--method", help="Solver: auto, lu, splu, gmres or neumann.")]


def _shock(mrio: MRIO, texts: Sequence[str], names: Mapping[str, str], option: str,
           base: np.ndarray | None) -> list[tuple[str, str, float]]:
    from econsec.io_models.shocks import build_shock, parse_assignment

    entries = [parse_assignment(mrio, text, names, option=option) for text in texts]
    return build_shock(mrio, entries, base, option=option, labels=texts)


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
    if notes:  # the table's notes (its limits, e.g. bundled:icio-2022) go with the JSON too
        doc = {**doc, "notes": [str(n) for n in notes]}
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


def _prepare(mrio: str, method: str) -> tuple[MRIO, dict[str, str], Any]:
    """The table, its sector names and a :class:`StaticModel` for one command."""
    from econsec.io_models.shocks import sector_names
    from econsec.io_models.static import StaticModel

    table = _load(mrio)
    return table, sector_names(mrio), StaticModel(table, method=_method(method))


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
    table, names, model = _prepare(mrio, method)
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
    table, names, model = _prepare(mrio, method)
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
    table, names, model = _prepare(mrio, method)
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
    table, names, model = _prepare(mrio, method)
    if not targets:
        raise ValidationError("give at least one --extract REGION/SECTOR")
    if variant not in ("full", "backward", "forward"):
        raise ValidationError(f"unknown --variant '{variant}'; use full, backward or forward")
    from econsec.io_models.shocks import resolve_target

    pairs = [resolve_target(table, t, names, option="--extract") for t in targets]
    result = model.extraction(pairs, variant=variant)
    doc = result.to_dict()
    emit(_result(doc, result.changes(top), ["value"], names,
                 f"Extraction ({variant}): output loss {doc['total_output_loss']:,.1f} "
                 f"{table.unit}, of which elsewhere {doc['output_loss_elsewhere']:,.1f} "
                 f"({table.name})", table.notes), fmt, out)
