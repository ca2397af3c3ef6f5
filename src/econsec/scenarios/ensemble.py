"""Ensembles: a scenario run many times with parameters drawn from distributions.

Draws are made here, before anything is shipped to workers, so a seed gives the same
numbers whatever the executor. Each parameter path has its own random stream, seeded with
``(seed, crc32(path))``: adding a parameter to the ensemble block leaves the draws of the
others unchanged. Results are percentile bands (p5, p25, p50, p75, p95; numpy's linear
interpolation) of the daily total production change and of the totals, per variant.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from econsec.i18n import Translator
from econsec.io_models.mrio import MRIO
from econsec.scenarios.executors import Executor, SerialExecutor
from econsec.scenarios.runner import (
    daily_final_demand_unmet,
    daily_production_change,
    prepare,
    simulate_variant,
    variant_name_texts,
)
from econsec.scenarios.schema import (
    ChoiceSpec,
    EnsembleSpec,
    NormalSpec,
    Scenario,
    TriangularSpec,
    UniformSpec,
    check_varies,
    with_values,
)
from econsec.scenarios.texts import N_, Text, render_all

PERCENTILES = (5, 25, 50, 75, 95)
Progress = Callable[[str, int, int], None]


def draw(dist: Any, rng: np.random.Generator, size: int) -> np.ndarray:
    """``size`` draws of one distribution spec (uniform, normal with clip, triangular,
    choice)."""
    if isinstance(dist, UniformSpec):
        return rng.uniform(dist.low, dist.high, size)
    if isinstance(dist, NormalSpec):
        values = rng.normal(dist.mean, dist.sd, size)
        return np.clip(values, *dist.clip) if dist.clip is not None else values
    if isinstance(dist, TriangularSpec):
        return rng.triangular(dist.low, dist.mode, dist.high, size)
    if isinstance(dist, ChoiceSpec):
        p = None
        if dist.weights is not None:
            w = np.asarray(dist.weights, dtype=float)
            p = w / w.sum()
        return np.asarray(dist.values, dtype=float)[rng.choice(len(dist.values), size, p=p)]
    raise TypeError(f"unknown distribution {dist!r}")


def draw_parameters(spec: EnsembleSpec, runs: int, seed: int) -> list[dict[str, float]]:
    """The parameter values of each run: ``[{path: value}]``, reproducible for ``seed``."""
    columns = {}
    for key in sorted(spec.parameters):
        rng = np.random.default_rng([seed, zlib.crc32(key.encode("utf-8"))])
        columns[key] = draw(spec.parameters[key], rng, runs)
    return [{k: float(v[i]) for k, v in columns.items()} for i in range(runs)]


def aligned(mrio: MRIO) -> MRIO:
    """``mrio`` with its arrays aligned (``np.require(a, requirements="A")``): arrays
    unpickled on Dask workers can arrive unaligned and lose BLAS speed (DESIGN §8)."""
    arrays = {name: np.require(getattr(mrio, name), requirements="A")
              for name in ("Z", "Y", "x", "va")}
    if all(arrays[name] is getattr(mrio, name) for name in arrays):
        return mrio
    return replace(mrio, **arrays)


@dataclass(frozen=True)
class _Task:
    run: int
    variant: int
    scenario: Scenario
    mitigations: tuple[int, ...]


def run_task(mrio: MRIO, task: _Task) -> dict[str, Any]:
    """One ensemble run on a worker: the daily series and totals it returns."""
    result = simulate_variant(aligned(mrio), task.scenario, task.mitigations)
    return {
        "run": task.run,
        "variant": task.variant,
        "daily_production_change": daily_production_change(result),
        "daily_final_demand_unmet": daily_final_demand_unmet(result),
        "total_production_change": float(result.total_production_change),
        "total_final_demand_unmet": float(result.total_final_demand_unmet),
        "recovery_day": (np.nan if result.recovery_day is None
                         else float(result.recovery_day)),
        "supplied_by_measures": float(result.total_supplied_by_measures),
        "loss_after_events": (np.nan if result.events_end_day is None
                              else float(result.loss_after(result.events_end_day))),
    }


def _percentiles(values: np.ndarray, axis: int = 0) -> dict[str, Any]:
    """``{p5: .., p25: .., ...}`` of ``values`` along ``axis`` (numpy's linear method)."""
    return {f"p{p}": np.percentile(values, p, axis=axis) for p in PERCENTILES}


@dataclass
class EnsembleResult:
    """All runs of an ensemble; arrays are (variant, run, day) or (variant, run)."""

    scenario: Scenario
    mrio_name: str
    mrio_ref: str
    unit: str
    runs: int
    seed: int
    executor: str
    draws: list[dict[str, float]]
    variant_names: list[str]
    variant_mitigations: list[tuple[str, ...]]
    daily_production_change: np.ndarray
    daily_final_demand_unmet: np.ndarray
    total_production_change: np.ndarray
    total_final_demand_unmet: np.ndarray
    recovery_day: np.ndarray
    sources: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: Value of the inputs stockpiles and recycling supplied, (variant, run).
    supplied_by_measures: np.ndarray | None = None
    #: Share of the production shortfall after every event is over, (variant, run).
    loss_after_events: np.ndarray | None = None

    @property
    def days(self) -> np.ndarray:
        return np.arange(self.daily_production_change.shape[2])

    def daily_bands(self, variant: int = 0, what: str = "production_change"
                    ) -> dict[str, np.ndarray]:
        """Percentile bands per day of the daily total ``production_change`` or
        ``final_demand_unmet`` of one variant."""
        data = (self.daily_production_change if what == "production_change"
                else self.daily_final_demand_unmet)
        return _percentiles(data[variant], axis=0)

    def total_bands(self, variant: int = 0) -> dict[str, dict[str, float | None] | int]:
        """Percentiles of the totals and of the recovery day of one variant.

        A run that does not recover within the horizon counts as recovering after every
        other run; recovery-day percentiles are observed days (numpy's ``inverted_cdf``)
        and ``None`` where the percentile falls on runs that never recover."""
        out: dict[str, dict[str, float | None] | int] = {}
        for name in ("total_production_change", "total_final_demand_unmet"):
            bands = _percentiles(getattr(self, name)[variant])
            out[name] = {k: float(v) for k, v in bands.items()}
        if self.supplied_by_measures is not None:
            supplied = self.supplied_by_measures[variant]
            for name, values in (("supplied_by_measures", supplied),
                                 ("total_supply_change",
                                  self.total_production_change[variant] + supplied)):
                out[name] = {k: float(v) for k, v in _percentiles(values).items()}
        days = np.where(np.isnan(self.recovery_day[variant]), np.inf,
                        self.recovery_day[variant])
        recovery: dict[str, float | None] = {}
        for p in PERCENTILES:
            value = float(np.percentile(days, p, method="inverted_cdf"))
            recovery[f"p{p}"] = None if np.isinf(value) else value
        out["recovery_day"] = recovery
        out["runs_not_recovered"] = int(np.isinf(days).sum())
        return out

    def to_dict(self, t: Translator | None = None) -> dict[str, Any]:
        """The JSON summary (stable snake_case keys; see ``docs/scenarios.md``):
        ``result_notes`` in the language of ``t`` (English by default), the same notes as
        ``result_note_texts`` (``{id, params}``)."""
        notes = self.result_notes()
        names = variant_name_texts(self.scenario)
        variants = []
        for v, name in enumerate(self.variant_names):
            text = names.get(name)
            variants.append({"name": name, "mitigations": list(self.variant_mitigations[v]),
                             "name_text": text.to_json() if text else None,
                             **self.total_bands(v)})
        main = variants[0]
        spec = self.scenario.ensemble or EnsembleSpec()
        return {
            "name": self.scenario.name,
            "mrio": self.mrio_ref,
            "mrio_name": self.mrio_name,
            "unit": self.unit,
            "horizon_days": self.scenario.horizon_days,
            "days": int(self.daily_production_change.shape[2]),
            "runs": self.runs,
            "seed": self.seed,
            "executor": self.executor,
            "percentiles": [f"p{p}" for p in PERCENTILES],
            "parameters": {k: v.model_dump() for k, v in sorted(spec.parameters.items())},
            "variant": main["name"],
            "total_production_change": main["total_production_change"],
            "total_final_demand_unmet": main["total_final_demand_unmet"],
            "recovery_day": main["recovery_day"],
            "variants": variants,
            "result_notes": render_all(notes, t),
            "result_note_texts": [n.to_json() for n in notes],
            "draws": [
                {"run": i, "values": self.draws[i],
                 "total_production_change": float(self.total_production_change[0, i]),
                 "total_final_demand_unmet": float(self.total_final_demand_unmet[0, i])}
                for i in range(self.runs)
            ],
            "sources": list(self.sources),
            "notes": list(self.notes),
        }


    def result_notes(self) -> list[Text]:
        """Run counts behind totals that look wrong but are the model: a variant with more
        measures that loses more production than one with fewer (the goods supplied
        replace purchases), the same totals with more measures, loss after the events.
        Notes are (message id, parameters) pairs (:mod:`econsec.scenarios.texts`)."""
        notes: list[Text] = []
        sets = [set(m) for m in self.variant_mitigations]
        prod = self.total_production_change
        supplied = (self.supplied_by_measures if self.supplied_by_measures is not None
                    else np.zeros_like(prod))
        for v, name in enumerate(self.variant_names):
            for w, other in enumerate(self.variant_names):
                if v == w or not sets[w] < sets[v]:
                    continue
                scale = np.maximum(np.maximum(abs(prod[v]), abs(prod[w])), 1e-300)
                worse = int(np.sum((prod[v] < prod[w] - 1e-9 * scale) & (supplied[v] > 0)))
                same = int(np.sum(np.abs(prod[v] - prod[w]) <= 1e-9 * scale)) if sets[w] else 0
                if worse:
                    notes.append(Text(RUNS_MORE_LOSS, {"count": worse, "runs": self.runs,
                                                       "variant": name, "other": other}))
                if same:
                    notes.append(Text(RUNS_SAME_TOTALS, {"count": same, "runs": self.runs,
                                                         "variant": name, "other": other}))
        if self.loss_after_events is not None:
            for v, name in enumerate(self.variant_names):
                late = int(np.sum(np.nan_to_num(self.loss_after_events[v]) > 0.5))
                if late:
                    notes.append(Text(RUNS_LATE_LOSS, {"count": late, "runs": self.runs,
                                                       "variant": name}))
        return notes


RUNS_MORE_LOSS = N_(
    "In %(count)s of %(runs)s runs '%(variant)s' loses more production than '%(other)s': the "
    "goods its measures put into inventories replace purchases from producers, and fuller "
    "inventories mean fewer orders, so suppliers raise output less. Compare "
    "total_supply_change (production plus the goods supplied) and final demand unmet.")
RUNS_SAME_TOTALS = N_(
    "In %(count)s of %(runs)s runs '%(variant)s' gives the same totals as '%(other)s': the "
    "inventories are already at their pre-shock level, so the other measures have no "
    "shortfall left to cover.")
RUNS_LATE_LOSS = N_(
    "In %(count)s of %(runs)s runs of '%(variant)s' most of the production shortfall falls "
    "after every event is over: inventories run below the level that limits production only "
    "late and are rebuilt slowly (the ARIO model's inventory mechanism).")


def ensemble_scenarios(scenario: Scenario, runs: int, seed: int
                       ) -> tuple[list[dict[str, float]], list[Scenario]]:
    """The drawn values and the concrete (validated) scenario of each run."""
    spec = scenario.ensemble or EnsembleSpec(runs=runs, seed=seed)
    draws = draw_parameters(spec, runs, seed)
    return draws, [with_values(scenario, values) for values in draws]


def run_ensemble(scenario: Scenario, runs: int | None = None, seed: int | None = None,
                 executor: Executor | None = None, progress: Progress | None = None, *,
                 mrio: MRIO | None = None) -> EnsembleResult:
    """Run ``scenario`` ``runs`` times (default: its ensemble block, else 50) with the
    ensemble parameters drawn for ``seed``; every variant of the scenario in every run.

    The MRIO is loaded once here and shipped to each worker once by the executor.
    """
    check_varies(scenario, runs)
    spec = scenario.ensemble or EnsembleSpec()
    runs = runs if runs is not None else spec.runs
    seed = seed if seed is not None else spec.seed
    mrio = prepare(scenario, mrio, progress)
    draws, concrete = ensemble_scenarios(scenario, runs, seed)
    plan = scenario.variant_plan()
    tasks = [_Task(r, v, concrete[r], indices)
             for r in range(runs) for v, (_name, indices) in enumerate(plan)]
    run_on: Executor = executor or SerialExecutor()
    with run_on:
        results = run_on.map(run_task, tasks, shared=mrio, progress=progress,
                               step="ensemble runs")
    n_var, days = len(plan), len(results[0]["daily_production_change"])
    arrays: Mapping[str, np.ndarray] = {
        "daily_production_change": np.zeros((n_var, runs, days)),
        "daily_final_demand_unmet": np.zeros((n_var, runs, days)),
        "total_production_change": np.zeros((n_var, runs)),
        "total_final_demand_unmet": np.zeros((n_var, runs)),
        "recovery_day": np.zeros((n_var, runs)),
        "supplied_by_measures": np.zeros((n_var, runs)),
        "loss_after_events": np.zeros((n_var, runs)),
    }
    for res in results:
        for key, arr in arrays.items():
            arr[res["variant"], res["run"]] = res[key]
    notes = list(scenario.notes)
    describe = getattr(run_on, "describe", None)
    return EnsembleResult(
        scenario, mrio.name, scenario.mrio, mrio.unit or "", runs, seed,
        describe() if callable(describe) else run_on.name, draws,
        [name for name, _ in plan],
        [tuple(scenario.mitigation_label(i) for i in idx) for _, idx in plan],
        sources=[s for s in (mrio.source,) if s], notes=notes, **arrays)
