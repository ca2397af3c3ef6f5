"""Write scenario and ensemble results to a folder: Parquet, CSV, JSON and an HTML chart.

For a scenario (:class:`~econsec.scenarios.runner.ScenarioResult`):

- ``daily.parquet`` and ``daily.csv``: the daily series in long format, one row per day,
  variant and (region, sector): ``day, variant, region, sector, production,
  production_capacity, final_demand_unmet, relative_production`` (monetary values per day
  in the MRIO's unit; ``relative_production`` = production / pre-shock production);
- ``summary.json``: :meth:`ScenarioResult.to_dict`;
- ``chart.html``: :func:`econsec.scenarios.charts.scenario_figure`, self-contained.

For an ensemble (:class:`~econsec.scenarios.ensemble.EnsembleResult`):

- ``bands.parquet`` and ``bands.csv``: ``day, variant, quantity, p5, p25, p50, p75, p95``
  with ``quantity`` ∈ {``production_change``, ``final_demand_unmet``} (daily totals over
  all sectors);
- ``runs.csv``: one row per run and variant: the drawn parameter values and the totals;
- ``summary.json`` and ``chart.html`` as above.

The long tables are built column by column from the result's arrays and written in bulk
(Parquet with Snappy compression, then CSV) on a background thread while the summary and
the chart are written, so the files cost little beside the simulation itself.
"""

from __future__ import annotations

import json
import math
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from econsec.scenarios.charts import ensemble_figure, html_page, scenario_figure
from econsec.scenarios.ensemble import PERCENTILES, EnsembleResult
from econsec.scenarios.runner import ScenarioResult, relative_production

DAILY_COLUMNS = ("day", "variant", "region", "sector", "production", "production_capacity",
                 "final_demand_unmet", "relative_production")


def _clean(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, np.generic):
        return _clean(value.item())
    return value


def summary_json(document: dict[str, Any]) -> str:
    """JSON text of a summary (NaN as null)."""
    return json.dumps(_clean(document), ensure_ascii=False, indent=2) + "\n"


def daily_frame(result: ScenarioResult) -> pl.DataFrame:
    """The daily series of every variant in long format (see the module docstring)."""
    frames = []
    for run in result.variants:
        sim = run.result
        days = np.asarray(sim.days, dtype=np.int64)
        production = np.asarray(sim.production, dtype=float)
        t, n = production.shape
        label = np.tile(np.arange(n, dtype=np.uint32), t)  # row -> (region, sector) index
        frames.append(pl.DataFrame({
            "day": np.repeat(days, n),
            "variant": pl.repeat(run.name, t * n, dtype=pl.String, eager=True),
            "region": pl.Series([str(r) for r, _ in sim.labels], dtype=pl.String).gather(label),
            "sector": pl.Series([str(s) for _, s in sim.labels], dtype=pl.String).gather(label),
            "production": production.ravel(),
            "production_capacity": np.asarray(sim.production_capacity, dtype=float).ravel(),
            "final_demand_unmet": np.asarray(sim.final_demand_unmet, dtype=float).ravel(),
            "relative_production": relative_production(sim).ravel(),
        }))
    return pl.concat(frames)


def bands_frame(result: EnsembleResult) -> pl.DataFrame:
    """Daily percentile bands of every variant in long format."""
    frames = []
    days = result.days
    for v, name in enumerate(result.variant_names):
        for what in ("production_change", "final_demand_unmet"):
            bands = result.daily_bands(v, what)
            frames.append(pl.DataFrame({
                "day": days.astype(np.int64),
                "variant": [name] * len(days),
                "quantity": [what] * len(days),
                **{f"p{p}": np.asarray(bands[f"p{p}"], dtype=float) for p in PERCENTILES},
            }))
    return pl.concat(frames)


def runs_frame(result: EnsembleResult) -> pl.DataFrame:
    """One row per run and variant: drawn values and totals."""
    rows = []
    for v, name in enumerate(result.variant_names):
        for r in range(result.runs):
            recovery = result.recovery_day[v, r]
            rows.append({
                "run": r, "variant": name, **result.draws[r],
                "total_production_change": float(result.total_production_change[v, r]),
                "total_final_demand_unmet": float(result.total_final_demand_unmet[v, r]),
                "recovery_day": None if np.isnan(recovery) else int(recovery),
            })
    return pl.DataFrame(rows)


def _fmt(value: Any, unit: str = "") -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.1f}{' ' + unit if unit else ''}"
    return str(value)


def write_tables(frame: pl.DataFrame, parquet: Path, csv: Path) -> None:
    """Write ``frame`` as Parquet (Snappy) and as CSV: each in bulk, from its columns."""
    frame.write_parquet(parquet, compression="snappy")
    frame.write_csv(csv)


def write_outputs(result: ScenarioResult | EnsembleResult, out_dir: str | Path
                  ) -> dict[str, Path]:
    """Write the files listed in the module docstring into ``out_dir`` (created); return
    ``{kind: path}``. The Parquet and CSV tables are written on a background thread while
    the summary and the chart are built."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stem = "bands" if isinstance(result, EnsembleResult) else "daily"
    frame = bands_frame(result) if isinstance(result, EnsembleResult) else daily_frame(result)
    parquet, csv = out / f"{stem}.parquet", out / f"{stem}.csv"
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="econsec-outputs") as pool:
        tables = pool.submit(write_tables, frame, parquet, csv)  # polars releases the GIL
        written = _write_documents(result, out)
        tables.result()
    return {**{k: v for k, v in written.items() if k == "runs_csv"}, "parquet": parquet,
            "csv": csv, **{k: v for k, v in written.items() if k != "runs_csv"}}


def _write_documents(result: ScenarioResult | EnsembleResult, out: Path) -> dict[str, Path]:
    """``runs.csv`` (ensembles), ``summary.json`` and ``chart.html``."""
    written: dict[str, Path] = {}
    doc = result.to_dict()
    unit = result.unit
    if isinstance(result, EnsembleResult):
        runs = runs_frame(result)
        written["runs_csv"] = out / "runs.csv"
        runs.write_csv(written["runs_csv"])
        fig = ensemble_figure(result)
        rows = [("MRIO", f"{result.mrio_name} ({result.mrio_ref})"),
                ("horizon", f"{result.scenario.horizon_days} days"),
                ("runs", f"{result.runs} (seed {result.seed}, {result.executor})")]
        for v in doc["variants"]:
            tp, fd = v["total_production_change"], v["total_final_demand_unmet"]
            rows.append((f"{v['name']}: total production change p5 / p50 / p95",
                         " / ".join(_fmt(tp[k]) for k in ("p5", "p50", "p95")) + f" {unit}"))
            rows.append((f"{v['name']}: total unmet final demand p5 / p50 / p95",
                         " / ".join(_fmt(fd[k]) for k in ("p5", "p50", "p95")) + f" {unit}"))
    else:
        fig = scenario_figure(result)
        rows = [("MRIO", f"{result.mrio_name} ({result.mrio_ref})"),
                ("horizon", f"{result.scenario.horizon_days} days")]
        for v in doc["variants"]:
            rows.append((f"{v['name']}: total production change",
                         _fmt(v["total_production_change"], unit)))
            rows.append((f"{v['name']}: total unmet final demand",
                         _fmt(v["total_final_demand_unmet"], unit)))
        rows.append(("recovery day", _fmt(doc["recovery_day"])))
    written["json"] = out / "summary.json"
    written["json"].write_text(summary_json(doc), encoding="utf-8")
    written["html"] = out / "chart.html"
    written["html"].write_text(
        html_page(fig, result.scenario.name, rows, [*doc.get("notes", []),
                                                    *(f"Source: {s}" for s in doc["sources"])]),
        encoding="utf-8")
    return written
