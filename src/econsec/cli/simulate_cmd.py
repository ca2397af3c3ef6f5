"""``econsec simulate`` and ``econsec scenarios``: run scenario files on the ARIO model.

The lead registers them in :mod:`econsec.cli.app`::

    from econsec.cli.simulate_cmd import scenarios, simulate
    app.command()(simulate)
    app.command()(scenarios)

Output (``--format``):

- ``table``: the totals of every variant, then the worst-hit sectors of the main run (for
  an ensemble: p5 / p50 / p95 of the totals per variant);
- ``json``: the whole summary (:meth:`ScenarioResult.to_dict` /
  :meth:`EnsembleResult.to_dict`; stable snake_case keys);
- ``csv``: one row per variant with its totals (for an ensemble, their percentiles); the
  worst-hit rows are in the JSON and in the ``--out`` files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from econsec.cli.console import err, out, progress_bar
from econsec.cli.options import FormatOption
from econsec.cli.output import OutputFormat, Result, emit

TOTAL_COLUMNS = ["variant", "mitigations", "total_production_change",
                 "total_final_demand_unmet", "production_loss_avoided",
                 "final_demand_unmet_avoided", "supplied_by_measures", "total_supply_change",
                 "recovery_day"]
WORST_COLUMNS = ["region", "sector", "min_relative_production", "day"]
STATS = ("p5", "p50", "p95")


def scenario_results(doc: dict[str, Any]) -> list[Result]:
    """Table/CSV forms of a scenario summary: variant totals, then the worst hit."""
    unit = doc["unit"] or "MRIO unit"
    rows = [{"variant": v["name"], **v, "mitigations": ", ".join(v["mitigations"]) or "–"}
            for v in doc["variants"]]
    notes = [f"Totals are sums over {doc['days']} simulated days of daily values, in {unit}; "
             "production_loss_avoided and final_demand_unmet_avoided compare with the "
             "'no measures' variant; supplied_by_measures: inputs stockpiles and recycling "
             "put into inventories; total_supply_change: production change plus that "
             "supply; recovery_day: first day from which no industry is more than 0.1 % "
             "below its pre-shock production."]
    if doc["recovery_day"] is None:
        notes.append("Production has not recovered within the horizon.")
    notes += list(doc.get("result_notes") or ())
    totals = Result(doc, rows, TOTAL_COLUMNS, notes=notes,
                    title=f"{doc['name']}: {doc['mrio_name']}, {doc['horizon_days']} days "
                          f"({unit})")
    worst = Result(doc, doc["worst_hit"], WORST_COLUMNS, percent=("min_relative_production",),
                   title=f"Worst hit ({doc['variant']}): lowest production relative to "
                         "pre-shock",
                   notes=[f"Source: {s}" for s in doc["sources"]] + list(doc["notes"]))
    losses = doc.get("region_losses")
    if not losses:
        return [totals, worst]
    region = Result(doc, losses["industries"][:15], LOSS_COLUMNS,
                    title=f"Production change of {losses['region']} by industry "
                          f"({losses['variant']}; largest losses first, {unit})",
                    notes=[f"Total {losses['region']}: {losses['total']:,.0f} {unit}"
                           + (f" ({losses['total_no_measures']:,.0f} without measures)"
                              if losses["total_no_measures"] is not None else "")])
    return [totals, worst, region]


LOSS_COLUMNS = ["sector", "name_en", "name_ja", "production_change",
                "production_change_no_measures"]


def ensemble_result(doc: dict[str, Any]) -> Result:
    """Table/CSV form of an ensemble summary: percentiles of the totals per variant."""
    rows, columns = [], ["variant", "mitigations"]
    for what in ("total_production_change", "total_final_demand_unmet", "recovery_day"):
        columns += [f"{what}_{s}" for s in STATS]
    for v in doc["variants"]:
        row: dict[str, Any] = {"variant": v["name"],
                               "mitigations": ", ".join(v["mitigations"]) or "–"}
        for what in ("total_production_change", "total_final_demand_unmet", "recovery_day"):
            for s in STATS:
                row[f"{what}_{s}"] = v[what][s]
        row["runs_not_recovered"] = v["runs_not_recovered"]
        rows.append(row)
    columns.append("runs_not_recovered")
    unit = doc["unit"] or "MRIO unit"
    notes = [f"{doc['runs']} runs, seed {doc['seed']}, on {doc['executor']}; totals in {unit} "
             "(sums of daily values over the horizon); recovery_day '–': not recovered "
             "within the horizon."]
    if doc["parameters"]:
        notes.append("Varied: " + "; ".join(
            f"{k} ~ {v['dist']}" for k, v in doc["parameters"].items()))
    notes += list(doc.get("result_notes") or ())
    notes += list(doc["notes"])
    return Result(doc, rows, columns, notes=notes,
                  title=f"{doc['name']}: ensemble on {doc['mrio_name']}, "
                        f"{doc['horizon_days']} days ({unit})")


def _preload_outputs() -> None:
    """Import what writing the ``--out`` files needs (polars, plotly) on a background thread
    while the table loads and the model runs (NumPy releases the GIL in its loops), so the
    files are written without that wait at the end."""
    import threading

    def load() -> None:
        import plotly.subplots  # noqa: F401

        import econsec.scenarios.outputs  # noqa: F401  (polars)

    threading.Thread(target=load, name="econsec-preload", daemon=True).start()


def _quiet_dask() -> None:
    """Keep Dask's INFO messages off the terminal (pymrio installs a root log handler)."""
    import logging

    import distributed  # noqa: F401  (its import sets its loggers' levels; override after)

    logging.getLogger("distributed").setLevel(logging.WARNING)


def simulate(
    scenario: Annotated[str, typer.Argument(
        help="Scenario file (YAML or JSON) or a worked scenario: worked:<name> (see "
             "'econsec scenarios').", show_default=False)],
    fmt: FormatOption = OutputFormat.TABLE,
    out_dir: Annotated[Path | None, typer.Option(
        "--out", help="Write the daily series (Parquet, CSV), summary.json and chart.html "
                      "here.")] = None,
    runs: Annotated[int | None, typer.Option(
        "--runs", min=1, help="Run an ensemble of N runs (default: the file's ensemble "
                              "block, if any).")] = None,
    seed: Annotated[int | None, typer.Option(
        "--seed", help="Seed of the ensemble draws (default: the file's, else 0).")] = None,
    scheduler: Annotated[str | None, typer.Option(
        "--scheduler", help="Dask scheduler address (tcp://host:8786) for ensembles; "
                            "default: a LocalCluster.")] = None,
    workers: Annotated[int | None, typer.Option(
        "--workers", min=1, help="Workers of the LocalCluster or process pool (default: "
                                 "CPU count).")] = None,
    executor: Annotated[str, typer.Option(
        "--executor", help="Where ensemble runs execute: dask, processes or serial.")
    ] = "dask",
    worst: Annotated[int, typer.Option("--worst", min=1, help="Worst-hit sectors to list.")
                     ] = 10,
    single: Annotated[bool, typer.Option(
        "--single", help="Run the scenario once, ignoring its ensemble block.")] = False,
) -> None:
    """Simulate a scenario file on the ARIO model (BoARIO defaults): totals, variants,
    worst-hit sectors; with an ensemble block or --runs, percentile bands."""
    from econsec.scenarios.catalogue import resolve_scenario
    from econsec.scenarios.schema import load_scenario

    spec = load_scenario(resolve_scenario(scenario))
    if not single and (runs is not None or seed is not None or spec.ensemble is not None):
        from econsec.scenarios.ensemble import run_ensemble
        from econsec.scenarios.executors import make_executor
        from econsec.scenarios.schema import check_varies

        check_varies(spec, runs)  # before any worker starts
        if scheduler or executor == "dask":
            _quiet_dask()
        with progress_bar() as progress:
            result: Any = run_ensemble(
                spec, runs, seed, make_executor(executor, workers=workers,
                                                scheduler=scheduler), progress)
        doc = result.to_dict()
        results = [ensemble_result(doc)]
    else:
        from econsec.scenarios.runner import run_scenario

        if out_dir is not None:
            _preload_outputs()  # not for ensembles: their worker processes may fork
        with progress_bar() as progress:
            result = run_scenario(spec, progress=progress, kb=_trade_store(spec))
        doc = result.to_dict(worst=worst)
        results = scenario_results(doc)
    if out_dir is not None:
        from econsec.scenarios.outputs import write_outputs

        written = write_outputs(result, out_dir)
        err.print("Written " + ", ".join(str(p) for p in written.values()), markup=False,
                  highlight=False)
    if fmt is OutputFormat.TABLE:
        for res in results:
            emit(res, fmt, out)
    else:
        emit(results[0], fmt, out)


def _trade_store(spec: Any) -> Any:
    """The knowledge base (ECONSEC_DB or the default one, built if empty) when an event of
    the scenario names a product (its trade flows convert it), else None."""
    from econsec.scenarios.products import has_products

    if not has_products(spec):
        return None
    from econsec.cli.app import _open_store

    return _open_store(None)


def scenarios(fmt: FormatOption = OutputFormat.TABLE) -> None:
    """List the worked scenarios shipped with econsec (run one with
    'econsec simulate worked:<name>')."""
    from econsec.scenarios.catalogue import worked_scenarios

    items = worked_scenarios()
    rows = [{k: v for k, v in item.items() if k != "path"} for item in items]
    emit(Result({"scenarios": rows}, rows, ["ref", "title", "mrio", "description"],
                title="Worked scenarios"), fmt, out)
