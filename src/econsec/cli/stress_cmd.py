"""``econsec stress-test``: restrict each of a country's largest import dependencies from its
top supplier, one at a time, on the ICIO table with the ARIO model, and rank them by the
output the country loses (:mod:`econsec.scenarios.stress_test`).

The lead registers it in :mod:`econsec.cli.app`::

    from econsec.cli.stress_cmd import stress_test
    app.command("stress-test")(stress_test)

The result is saved under the user's data folder (``$XDG_DATA_HOME/econsec/stress-test/
ISO3.json``), where the ``/stress-test`` page and the report read it.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from econsec.cli.console import err, out, progress_bar
from econsec.cli.options import DbOption, FormatOption
from econsec.cli.output import OutputFormat, Result, emit

COLUMNS = ["rank", "hs", "description", "top_supplier", "top_supplier_share", "import_value",
           "year", "sector", "lost_output", "lost_output_share", "worst_hit",
           "best_mitigation", "avoided"]


def ranking_rows(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per dependency (its case at the highest severity) for the table and CSV."""
    rows = []
    for d in doc["dependencies"]:
        case = d["cases"][-1]
        best = next((m for m in case["mitigations"] if m["type"] == case["best_mitigation"]),
                    None)
        parts = case["conversion"].get("parts") or [{}]
        rows.append({
            "rank": d["rank"], "hs": d["hs"], "description": d["description"],
            "top_supplier": d["top_supplier"], "top_supplier_share": d["top_supplier_share"],
            "import_value": d["import_value"], "year": d["year"],
            "sector": parts[0].get("supplier", ""),
            "lost_output": case["lost_output"], "lost_output_share": case["lost_output_share"],
            "worst_hit": ", ".join(w["sector"] for w in case["worst_hit"][:3]) or "–",
            "best_mitigation": case["best_mitigation"] or "–",
            "avoided": best["avoided"] if best else None,
        })
    return rows


def stress_result(doc: dict[str, Any]) -> Result:
    severity = max(doc["severities"])
    notes = [
        f"{doc['runs']} runs on {doc['executor']} in {doc['wall_seconds']:.1f} s; "
        f"{doc['days']}-day horizon, restriction in force from day 0; ranked by "
        f"{doc['country']}'s output lost at severity {severity:g} (million USD, sum over "
        "the horizon; lost_output_share: of its output over the horizon). import_value: "
        "thousand USD (BACI), year: latest with data. Worst hit: ICIO industries; "
        "avoided: loss avoided by the best measure (million USD).",
    ]
    if doc["skipped"]:
        notes.append(f"{len(doc['skipped'])} dependencies not converted (see the JSON's "
                     "'skipped'): " + ", ".join(s["hs"] for s in doc["skipped"]))
    notes += [f"Source: {s}" for s in doc["sources"]] + list(doc["notes"])
    return Result(doc, ranking_rows(doc), COLUMNS, notes=notes,
                  percent=("top_supplier_share", "lost_output_share"),
                  title=f"Stress test of {doc['country']}'s import dependencies on "
                        f"{doc['mrio']} ({doc['unit']})")


def stress_test(
    country: Annotated[str, typer.Option(
        "--country", help="Country whose imports are restricted (ISO3; a region of the "
                          "ICIO table).", show_default=False)],
    top: Annotated[int, typer.Option(
        "--top", help="Number of largest import dependencies (HS codes) to test.")] = 100,
    severities: Annotated[str, typer.Option(
        "--severities", help="Shares of the top supplier's flow cut, comma-separated "
                             "fractions in (0, 1].")] = "0.25,0.5,0.9",
    days: Annotated[int, typer.Option(
        "--days", help="Horizon in days (the restriction lasts all of it).")] = 90,
    executor: Annotated[str, typer.Option(
        "--executor", help="Where runs execute: dask, processes or serial.")] = "dask",
    scheduler: Annotated[str | None, typer.Option(
        "--scheduler", help="Dask scheduler address (tcp://host:8786); default: a "
                            "LocalCluster.", show_default=False)] = None,
    workers: Annotated[int | None, typer.Option(
        "--workers", min=1, help="Workers of the LocalCluster or process pool (default: "
                                 "CPU count).", show_default=False)] = None,
    save: Annotated[bool, typer.Option(
        "--save/--no-save", help="Save the result for the /stress-test page and the "
                                 "report.")] = True,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Stress test of every import dependency: each of the country's largest imports is
    restricted from its top supplier at each severity, run on the ICIO 2022 table with the
    ARIO model, and ranked by the output the country loses."""
    from econsec.cli.app import _open_store
    from econsec.io_models.loaders import load_mrio
    from econsec.scenarios.executors import make_executor
    from econsec.scenarios.stress_test import (
        MRIO_REF,
        check_settings,
        parse_severities,
        run_stress_test,
        save_result,
    )

    chosen = parse_severities(severities)  # every check before a worker starts
    mrio = load_mrio(MRIO_REF)
    code = check_settings(country, top, days, mrio)
    run_on = make_executor(executor, workers=workers, scheduler=scheduler)
    if scheduler or executor == "dask":
        from econsec.cli.simulate_cmd import _quiet_dask

        _quiet_dask()
    store = _open_store(db)
    with progress_bar() as progress:
        result = run_stress_test(store, mrio, country=code, top=top, severities=chosen,
                                 days=days, executor=run_on, progress=progress)
    if save:
        path = save_result(result)
        err.print(f"Saved {path}", markup=False, highlight=False)
    emit(stress_result(result.model_dump()), fmt, out)
