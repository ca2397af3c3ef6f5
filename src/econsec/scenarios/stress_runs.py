"""One run of the stress test on a worker: an event (and at most one measure) on the shared
table, reduced to what the ranking needs.

The executor ships the table to every worker once (:mod:`econsec.scenarios.executors`);
each worker builds the simulator's fixed arrays (:func:`econsec.io_models.ario_loop.
build_model`: the table regrouped by input sector, the technology matrix, the target
inventories of the steady state) once per table and reuses them for every run it is given.
A run returns a few numbers, not the daily series: the country's output lost over the
horizon, per industry, and the world's.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from econsec.io_models.ario import ARIOParams, simulate
from econsec.io_models.ario_loop import Model, build_model
from econsec.io_models.mrio import MRIO
from econsec.scenarios.ensemble import aligned

__all__ = ["RunTask", "prepared_model", "run_one"]

#: Industries of the country listed per run (largest losses first).
WORST = 5


@dataclass(frozen=True)
class RunTask:
    """What a worker runs: ``events`` and ``mitigations`` (event models of
    :mod:`econsec.io_models.events`) for ``days`` days; losses are read for ``country``
    (a region of the table). ``case`` and ``variant`` identify the run in the results."""

    case: int
    variant: str
    country: str
    days: int
    events: tuple[Any, ...]
    mitigations: tuple[Any, ...] = ()


#: The table the last :func:`prepared_model` call was given, its aligned copy and the
#: fixed arrays built from it: one per worker process.
_PREPARED: dict[str, tuple[MRIO, MRIO, Model]] = {}


def prepared_model(mrio: MRIO, params: ARIOParams) -> tuple[MRIO, Model]:
    """``mrio`` with aligned arrays (:func:`econsec.scenarios.ensemble.aligned`: arrays
    unpickled on a worker may arrive unaligned) and the simulator's fixed arrays for it,
    built on the first call in this process and reused while the same table object is
    passed."""
    held = _PREPARED.get("model")
    if held is not None and held[0] is mrio:
        return held[1], held[2]
    table = aligned(mrio)
    model = build_model(table, params)
    _PREPARED["model"] = (mrio, table, model)
    return table, model


PARAMS = ARIOParams()


def run_one(mrio: MRIO, task: RunTask) -> dict[str, Any]:
    """Run ``task`` on ``mrio``; returns ``{case, variant, lost_output,
    lost_output_gross, world_production_change, final_demand_unmet, industries,
    min_relative_production, supplied_by_measures, seconds}`` (million USD where a sum;
    ``seconds``: the run's wall time on the worker).

    ``lost_output`` is ``Σ_t Σ_{i ∈ country} (x⁰_i − x_{t,i})``: the country's output lost
    over the horizon (negative when it produces more), ``lost_output_gross`` counts only
    the days and industries below their pre-shock output. ``industries`` lists the
    ``WORST`` industries of the country with the largest loss: ``{sector,
    lost_output, min_relative_production}``."""
    started = time.perf_counter()
    table, model = prepared_model(mrio, PARAMS)
    result = simulate(table, list(task.events), list(task.mitigations), PARAMS,
                      horizon_days=task.days, model=model)
    S = len(mrio.sectors)
    r = mrio.region_index(task.country)
    cols = slice(r * S, (r + 1) * S)
    base = result.baseline_production[cols]
    prod = result.production[:, cols]
    short = base[None, :] - prod  # daily shortfall per industry (negative: more output)
    per_industry = short.sum(axis=0)
    rel = np.ones_like(prod)
    np.divide(prod, base[None, :], out=rel, where=(base > 0)[None, :])
    low = rel.min(axis=0)
    order = np.argsort(-per_industry, kind="stable")[:WORST]
    return {
        "case": task.case,
        "variant": task.variant,
        "lost_output": float(per_industry.sum()),
        "lost_output_gross": float(np.maximum(short, 0.0).sum()),
        "world_production_change": float(result.total_production_change),
        "final_demand_unmet": float(result.final_demand_unmet[:, cols].sum()),
        "supplied_by_measures": float(result.total_supplied_by_measures),
        "min_relative_production": float(low.min()) if low.size else 1.0,
        "seconds": time.perf_counter() - started,
        "industries": [{"sector": mrio.sectors[int(i)],
                        "lost_output": float(per_industry[i]),
                        "min_relative_production": float(low[i])}
                       for i in order if per_industry[i] > 0],
    }
