"""Rank the catalogue's measures for a finding by the loss they avoid in the scenario engine.

For a finding (:mod:`econsec.policy.findings`) the recommender

1. builds the no-measure scenario: for a concentrated dependency, an export restriction of
   the products from the exporter to the importer (``severity`` of the product's flow from
   ``start_day`` for ``duration_days``, recovering over ``recovery_days``; the model
   settings, table and pattern of the worked China export-control scenario); for a
   scenario finding, the scenario without its own mitigations; a technology finding has
   no scenario;
2. runs it once (the baseline), then once per measure of the catalogue that addresses the
   finding and that the engine represents, the measure applied alone with its parameters
   (:func:`econsec.policy.apply.apply_measures`), on one MRIO loaded once;
3. ranks: measures the engine ran, by the production loss they avoid (the report region's
   production below its pre-shock level, summed over the horizon; the whole economy when the
   scenario names no report region) against the baseline; then the measures it cannot
   represent ("not simulated"), by time to effect and cost class.

Each row shows the time to effect, the cost proxy, the loss avoided per cost unit, the
evidence (the records added, the alternative suppliers and the figures they come from)
and the assumptions. Results are cached by (finding, catalogue version and content,
parameters, options, engine versions) under the cache directory of
:mod:`econsec.io_models.mrio_cache` (``policy/``).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from econsec.errors import ValidationError
from econsec.i18n.terms import N_
from econsec.io_models.product_shocks import region_of
from econsec.policy.apply import MeasureChoice, apply_measures
from econsec.policy.catalogue import Catalogue, Measure, load_catalogue
from econsec.policy.findings import Finding
from econsec.scenarios.schema import Scenario
from econsec.scenarios.texts import Text, render

__all__ = ["RECOMMENDER_VERSION", "RecommendOptions", "baseline_scenario", "cached_for",
           "check_request", "production_loss", "recommend"]

RECOMMENDER_VERSION = "1"
#: The worked scenario whose table, model settings and shock pattern a dependency uses.
PATTERN = "worked:icio-china-critical-minerals-japan"

#: ``progress(message, fraction)``: what runs now and the share of the work done (0-1).
Progress = Callable[[Text, float], None]

LOADING = N_("Loading the input-output table")
RUNNING_BASELINE = N_("Running the scenario without measures (%(done)s of %(total)s runs)")
RUNNING_MEASURE = N_("Running the measure '%(measure)s' (%(done)s of %(total)s runs)")

MORE_LOSS = N_(
    "More loss than without it: the %(supplied)s %(unit)s of inputs it put into inventories "
    "replace purchases from producers, and with fuller inventories buyers order less, so "
    "suppliers produce less. The shortfall counts production only, not the goods the "
    "measure supplied.")
A_IN_PLACE = N_(
    "Each measure is assumed to be in place when the cut starts; its time to effect is the "
    "time needed to put it in place and is shown, not simulated.")
A_LOSS = N_(
    "Loss: the production shortfall of %(region)s, that is each industry's production "
    "below its pre-shock level, summed over industries and the %(horizon)s days simulated, "
    "in %(unit)s (industries that produce more than before count zero, so gains elsewhere "
    "do not hide a loss); loss avoided = loss without measures − loss with the measure.")
A_LOSS_WORLD = N_(
    "Loss: the production shortfall of every industry of every region (production below "
    "its pre-shock level, summed over the %(horizon)s days simulated), in %(unit)s, as the "
    "scenario names no report region; loss avoided = loss without measures − loss with "
    "the measure.")
A_DEPENDENCY = N_(
    "The dependency is simulated as an export restriction of %(severity_share)s of the "
    "products' flow from %(exporter)s to %(importer)s from day %(start)s for %(duration)s "
    "days, then recovering over %(recovery)s days (the pattern of the worked China "
    "export-control scenario, on the same table and model settings).")
A_SCENARIO = N_(
    "The scenario's own mitigations are left out of the baseline; each measure is applied "
    "alone to the scenario's events.")
A_ALONE = N_("Each measure is run alone with the parameters shown; combinations are not "
             "ranked.")
A_COST = N_("Costs are cost classes from 1 to 5 assumed by econsec from the kind of "
            "instrument (see each basis), not budget figures.")
A_NOT_SIMULATED = N_("Measures marked 'not simulated' are ranked after the simulated ones, "
                     "by time to effect, then cost.")
A_NOT_RUN = N_("The scenarios were not run for this ranking: every measure is ranked by its "
                "time to effect and cost only (run 'econsec recommend' to rank them by the "
                "loss they avoid).")
A_NO_SCENARIO = N_("This finding has no scenario: every measure is ranked by its time to "
                   "effect and cost only.")


@dataclass(frozen=True)
class RecommendOptions:
    """How a dependency is turned into a scenario, which measures to rank (all those that
    address the finding when empty) and their parameters (``{measure: {name: value}}``;
    defaults otherwise)."""

    severity: float = 0.8
    start_day: int = 10
    duration_days: int = 180
    recovery_days: int = 60
    horizon_days: int = 365
    measures: tuple[str, ...] = ()
    parameters: Mapping[str, Mapping[str, float]] = field(default_factory=dict)

    def check(self) -> None:
        if not 0 < self.severity <= 1:
            raise ValidationError(f"severity {self.severity:g} is not a fraction in (0, 1]")
        if not 1 <= self.horizon_days <= 3650:
            raise ValidationError(f"horizon {self.horizon_days} days is outside 1-3650")
        if self.start_day < 0 or self.duration_days < 1 or self.recovery_days < 0:
            raise ValidationError("start day must be ≥ 0, duration ≥ 1 and recovery ≥ 0 days")
        if self.start_day + self.duration_days > self.horizon_days:
            raise ValidationError(f"start day {self.start_day} + duration "
                                  f"{self.duration_days} runs past the horizon of "
                                  f"{self.horizon_days} days")


# --------------------------------------------------------------------------- scenario


def baseline_scenario(finding: Finding, options: RecommendOptions | None = None
                      ) -> Scenario | None:
    """The no-measure scenario of a finding (None for a technology finding)."""
    from econsec.scenarios.catalogue import resolve_scenario
    from econsec.scenarios.schema import load_scenario, parse_scenario

    options = options or RecommendOptions()
    if finding.kind == "scenario_loss" and finding.scenario:
        spec = load_scenario(resolve_scenario(finding.scenario))
        out = spec.model_copy(update={"mitigations": [], "compare_mitigations": False,
                                      "variants": [], "ensemble": None})
        out._file, out._lines = spec._file, spec._lines
        return out
    if finding.kind != "concentrated_dependency":
        return None
    assert finding.importer and finding.exporter
    pattern = load_scenario(resolve_scenario(PATTERN))
    importer = region_of(finding.importer)[0]
    exporter = region_of(finding.exporter)[0]
    data = {
        "name": f"{finding.exporter} restricts HS {', '.join(finding.hs_codes)} to "
                f"{finding.importer}",
        "mrio": pattern.mrio,
        "horizon_days": options.horizon_days,
        "report_region": importer,
        "model": {"type": "ario", **pattern.model.parameters},
        "events": [{
            "type": "export_restriction", "label": f"HS {', '.join(finding.hs_codes)}",
            "region": exporter, "hs": list(finding.hs_codes), "year": finding.year,
            "countries": [finding.exporter], "to": [importer], "share": options.severity,
            "start_day": options.start_day, "duration_days": options.duration_days,
            "recovery_days": options.recovery_days}],
    }
    return parse_scenario(data)


def production_loss(result: Any, region: str | None) -> float:
    """The production shortfall of a run: production below the pre-shock level of each of
    ``region``'s industries (every industry when ``region`` is None), summed over industries
    and days. Industries producing more than before (suppliers taking over cut orders,
    inventories being rebuilt) count 0, so a gain elsewhere does not hide a loss."""
    from econsec.scenarios.runner import baseline_production

    production = np.asarray(result.production, dtype=float)
    base = baseline_production(result)
    cols = [k for k, (reg, _) in enumerate(result.labels) if region is None or reg == region]
    gap = base[cols][None, :] - production[:, cols]
    return float(np.clip(gap, 0.0, None).sum())


def _totals(result: Any) -> dict[str, float]:
    return {"world_production_change": float(result.total_production_change),
            "final_demand_unmet": float(result.total_final_demand_unmet),
            "supplied_by_measures": float(getattr(result, "total_supplied_by_measures", 0.0)
                                          or 0.0)}


def _worst_industries(result: Any, region: str | None, n: int = 5) -> list[dict[str, Any]]:
    from econsec.io_models.icio import industry_names, industry_names_ja
    from econsec.scenarios.runner import baseline_production

    production = np.asarray(result.production, dtype=float)
    base = baseline_production(result)
    en, ja = industry_names(), industry_names_ja()
    rows = []
    for k, (reg, sector) in enumerate(result.labels):
        if region is not None and reg != region:
            continue
        change = float((production[:, k] - base[k]).sum())
        if change < 0:
            rows.append({"region": str(reg), "sector": str(sector),
                         "name_en": en.get(str(sector), str(sector)),
                         "name_ja": ja.get(str(sector), str(sector)),
                         "production_change": change})
    rows.sort(key=lambda r: (r["production_change"], r["sector"]))
    return rows[:n]


# --------------------------------------------------------------------------- measures


def _measures(catalogue: Catalogue, finding: Finding, options: RecommendOptions
              ) -> list[Measure]:
    applicable = catalogue.for_finding(finding.kind)
    if not options.measures:
        chosen = applicable
    else:
        chosen = []
        for mid in options.measures:
            measure = catalogue.get(mid)
            if measure not in applicable:
                raise ValidationError(f"measure '{mid}' does not address findings of kind "
                                      f"{finding.kind} (it addresses: "
                                      f"{', '.join(measure.addresses)})")
            chosen.append(measure)
    for mid in options.parameters:
        if mid not in {m.id for m in chosen}:
            raise ValidationError(f"parameters given for measure '{mid}', which is not "
                                  "ranked for this finding")
    return chosen


def check_request(finding: Finding, options: RecommendOptions,
                  catalogue: Catalogue | None = None) -> list[Measure]:
    """The measures to rank, with the options and every parameter checked (what a request
    can get wrong, refused before anything runs)."""
    options.check()
    measures = _measures(catalogue or load_catalogue(), finding, options)
    for m in measures:
        m.values(options.parameters.get(m.id))
    return measures


def _cache_key(finding: Finding, catalogue: Catalogue, measures: Sequence[Measure],
               options: RecommendOptions) -> str:
    from econsec.scenarios.runner import RUNNER_VERSION

    payload = {
        "finding": finding.ref, "catalogue": catalogue.version,
        "measures": [m.model_dump(mode="json") for m in measures],
        "options": {**asdict(options), "parameters": {k: dict(v) for k, v in
                                                      options.parameters.items()}},
        "versions": [RECOMMENDER_VERSION, RUNNER_VERSION],
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False)
                          .encode()).hexdigest()[:32]


def _cache_file(key: str) -> Path | None:
    from econsec.io_models.mrio_cache import cache_dir

    folder = cache_dir()
    return None if folder is None else folder / "policy" / f"recommend-{key}.json"


def cached_recommendation(key: str) -> dict[str, Any] | None:
    path = _cache_file(key)
    if path is None or not path.is_file():
        return None
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) and doc.get("cache_key") == key else None


def _store(key: str, doc: dict[str, Any]) -> None:
    path = _cache_file(key)
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(doc, handle, ensure_ascii=False)
        os.replace(tmp, path)
    except OSError:  # a read-only or full cache never fails the recommendation
        return


def cached_for(finding: Finding, options: RecommendOptions | None = None,
               catalogue: Catalogue | None = None) -> dict[str, Any] | None:
    """The ranking computed before for the same finding, catalogue and options, if the
    cache holds it (``cached`` set), else None."""
    catalogue = catalogue or load_catalogue()
    options = options or RecommendOptions()
    measures = check_request(finding, options, catalogue)
    doc = cached_recommendation(_cache_key(finding, catalogue, measures, options))
    if doc is not None:
        doc["cached"] = True
    return doc


def recommend(finding: Finding, kb: Any = None, *, catalogue: Catalogue | None = None,
              options: RecommendOptions | None = None, progress: Progress | None = None,
              check: Callable[[int], None] | None = None, use_cache: bool = True,
              mrio: Any = None, simulate: bool = True) -> dict[str, Any]:
    """The ranking of the measures for ``finding`` as a JSON-ready document (see the module
    docstring; ``docs/policy.md`` lists its keys). ``kb`` gives the trade flows (needed
    when the scenario names products); ``check(day)`` is called every simulated day and
    may raise to stop; ``use_cache`` False runs even when a cached result exists;
    ``simulate`` False runs nothing (every measure ranked by time and cost, said so in the
    assumptions; not cached)."""
    catalogue = catalogue or load_catalogue()
    options = options or RecommendOptions()
    measures = check_request(finding, options, catalogue)
    key = _cache_key(finding, catalogue, measures, options)
    if use_cache:
        found = cached_recommendation(key)
        if found is not None:
            found["cached"] = True
            return found
    started = time.perf_counter()
    scenario = baseline_scenario(finding, options) if simulate else None
    simulated = [m for m in measures if m.simulated] if scenario is not None else []
    runs: list[dict[str, Any]] = []
    assumptions: list[Text] = []
    rows: list[dict[str, Any]] = []
    baseline_loss: float | None = None
    base_totals: dict[str, float] = {}
    unit = ""
    region: str | None = None
    scenario_info: dict[str, Any] | None = None
    worst: list[dict[str, Any]] = []
    sources: list[str] = list(finding.sources)
    conversions: list[dict[str, Any]] = []
    if scenario is not None and simulated:
        from econsec.scenarios.products import resolve_products
        from econsec.scenarios.runner import prepare, simulate_variant

        total = len(simulated) + 1
        if progress is not None:
            progress(Text(LOADING), 0.0)
        mrio = prepare(scenario, mrio)
        resolved, shocks = resolve_products(scenario, mrio, kb)
        conversions = [s.to_dict() for s in shocks]
        region = scenario.report_region
        unit = mrio.unit or "MRIO unit"
        sources += [s for s in (mrio.source,) if s]
        sources += sorted({src for s in shocks for src in s.sources})

        def runner(message: Text, index: int) -> Callable[..., None] | None:
            if progress is None:
                return None

            def day(_day: int, done: int, all_days: int) -> None:
                progress(message, (index + done / max(all_days, 1)) / total)
            return day

        t0 = time.perf_counter()
        base = simulate_variant(mrio, resolved, [],
                                runner(Text(RUNNING_BASELINE, {"done": 1, "total": total}), 0),
                                check)
        runs.append({"variant": "no measures", "seconds": time.perf_counter() - t0})
        baseline_loss = production_loss(base, region)
        base_totals = _totals(base)
        worst = _worst_industries(base, region)
        scenario_info = {
            "name": scenario.name, "mrio": scenario.mrio, "mrio_name": mrio.name,
            "horizon_days": scenario.horizon_days, "report_region": region,
            "events": [e.model_dump(exclude_none=True) for e in resolved.events],
        }
        for i, measure in enumerate(simulated, start=1):
            params = measure.values(options.parameters.get(measure.id))
            applied = apply_measures(scenario, [MeasureChoice(measure.id, params)], kb,
                                     mrio=mrio, catalogue=catalogue)
            step = applied.steps[0]
            t0 = time.perf_counter()
            message = Text(RUNNING_MEASURE, {"measure": measure.id, "done": i + 1,
                                             "total": total})
            totals = base_totals
            if not step["added"] and not step["changed"]:
                loss = baseline_loss
            else:
                result = simulate_variant(mrio, applied.scenario,
                                          list(range(len(applied.scenario.mitigations))),
                                          runner(message, i), check)
                loss = production_loss(result, region)
                totals = _totals(result)
            runs.append({"variant": measure.id, "seconds": time.perf_counter() - t0})
            sources += [s for s in applied.sources if s not in sources]
            row = _row(measure, params, baseline_loss - loss, baseline_loss, step)
            row["loss"] = loss
            row["world_production_change_avoided"] = (totals["world_production_change"]
                                                      - base_totals["world_production_change"])
            row["final_demand_unmet_avoided"] = (base_totals["final_demand_unmet"]
                                                 - totals["final_demand_unmet"])
            row["supplied_by_measures"] = totals["supplied_by_measures"]
            if row["loss_avoided"] < 0 and totals["supplied_by_measures"] > 0:
                row["note"] = render(Text(MORE_LOSS, {
                    "supplied": totals["supplied_by_measures"], "unit": unit}))
                row["note_text"] = Text(MORE_LOSS, {
                    "supplied": totals["supplied_by_measures"], "unit": unit}).to_json()
            rows.append(row)
        if progress is not None:
            progress(Text(RUNNING_MEASURE, {"measure": simulated[-1].id, "done": total,
                                            "total": total}), 1.0)
    for measure in measures:
        if measure not in simulated:
            rows.append(_row(measure, measure.values(options.parameters.get(measure.id)),
                             None, baseline_loss, None))
    rows.sort(key=_rank_key)
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    assumptions.append(Text(A_IN_PLACE))
    if baseline_loss is not None:
        loss_params: dict[str, Any] = {"horizon": scenario.horizon_days if scenario else 0,
                                       "unit": unit}
        assumptions.append(Text(A_LOSS, {**loss_params, "region": region}) if region
                           else Text(A_LOSS_WORLD, loss_params))
        if finding.kind == "concentrated_dependency":
            assumptions.append(Text(A_DEPENDENCY, {
                "severity_share": options.severity, "exporter": finding.exporter,
                "importer": finding.importer, "start": options.start_day,
                "duration": options.duration_days, "recovery": options.recovery_days}))
        else:
            assumptions.append(Text(A_SCENARIO))
        assumptions.append(Text(A_ALONE))
    elif not simulate:
        assumptions.append(Text(A_NOT_RUN))
    else:
        assumptions.append(Text(A_NO_SCENARIO))
    assumptions.append(Text(A_COST))
    if any(not r["simulated"] for r in rows) and baseline_loss is not None:
        assumptions.append(Text(A_NOT_SIMULATED))
    doc = {
        "finding": finding.to_dict(),
        "catalogue_version": catalogue.version,
        "catalogue_file": Path(catalogue.source_file).name,
        "options": {**asdict(options), "parameters": {k: dict(v) for k, v in
                                                      options.parameters.items()}},
        "scenario": scenario_info,
        "baseline_loss": baseline_loss,
        "baseline_totals": base_totals or None,
        "unit": unit,
        "report_region": region,
        "worst_hit": worst,
        "conversions": conversions,
        "rows": rows,
        "assumptions": [render(a) for a in assumptions],
        "assumption_texts": [a.to_json() for a in assumptions],
        "sources": list(dict.fromkeys(sources)),
        "runs": runs,
        "seconds": time.perf_counter() - started,
        "method": f"econsec.policy.recommend {RECOMMENDER_VERSION}: each measure alone "
                  "against the no-measure baseline on the ARIO scenario engine",
        "cache_key": key,
        "cached": False,
    }
    doc = json.loads(json.dumps(doc, default=_jsonable))
    if simulate:
        _store(key, doc)
    return doc


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, tuple | set | frozenset):
        return list(value)
    return str(value)


def _rank_key(row: dict[str, Any]) -> tuple[Any, ...]:
    if row["simulated"]:
        return (0, -row["loss_avoided"], row["time_to_effect_days"],
                row["cost"]["value"], row["id"])
    return (1, 0.0, row["time_to_effect_days"], row["cost"]["value"], row["id"])


def _row(measure: Measure, params: dict[str, float], avoided: float | None,
         baseline: float | None, step: dict[str, Any] | None) -> dict[str, Any]:
    cost = measure.cost_proxy
    per_cost = avoided / cost.value if avoided is not None and cost.value > 0 else None
    share = (avoided / baseline if avoided is not None and baseline and baseline > 0
             else None)
    return {
        "id": measure.id, "pillar": measure.pillar, "names": dict(measure.names),
        "summary": dict(measure.summary),
        "simulated": avoided is not None,
        "representable": measure.simulated,
        "engine": dict(measure.scenario.engine) if measure.scenario else None,
        "not_simulated": dict(measure.not_simulated) if measure.not_simulated else None,
        "parameters": [{"name": p.name, "names": dict(p.names), "unit": p.unit,
                        "value": params.get(p.name, p.default)}
                       for p in measure.parameters],
        "loss_avoided": avoided,
        "loss_avoided_share": share,
        "time_to_effect_days": measure.time_to_effect_days,
        "cost": {"kind": cost.kind, "value": cost.value, "unit": cost.unit,
                 "basis": dict(cost.basis)},
        "loss_avoided_per_cost": per_cost,
        "evidence": {k: step[k] for k in ("added", "changed", "figures", "skipped")}
        if step is not None else None,
        "references": list(measure.references),
    }
