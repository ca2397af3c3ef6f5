"""Run a scenario on the ARIO simulator: every variant, with a JSON-ready summary.

``run_scenario(scenario)`` loads the MRIO (:func:`econsec.io_models.loaders.load_mrio`),
checks the scenario's region and sector names against it, builds the event and
mitigation records (:mod:`econsec.io_models.events`) and calls
:func:`econsec.io_models.ario.simulate` once per variant (see
:meth:`Scenario.variant_plan`). Totals are BoARIO's: sums over all simulated days of the
daily values, in the MRIO's own monetary unit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from econsec.i18n import Translator
from econsec.io_models.mrio import MRIO
from econsec.scenarios.schema import (
    Scenario,
    ario_params,
    build_events,
    build_mitigations,
    check_names,
)
from econsec.scenarios.texts import N_, Text, render_all

Progress = Callable[[str, int, int], None]

#: Version of the scenario runner's output (bump when the JSON shape changes).
RUNNER_VERSION = "1"


@dataclass
class VariantRun:
    """One variant: its name, the labels of the mitigations applied and the simulation."""

    name: str
    mitigations: tuple[str, ...]
    result: Any  # econsec.io_models.ario.SimulationResult

    def totals(self) -> dict[str, Any]:
        """``{name, mitigations, total_production_change, total_final_demand_unmet,
        recovery_day, supplied_by_measures, total_supply_change, loss_after_events_share}``.

        ``supplied_by_measures``: value of the inputs stockpile releases and recycling put
        into inventories; ``total_supply_change``: production change plus that supply (what
        the economy had in goods, produced or released); ``loss_after_events_share``: share
        of the production shortfall that falls after every event is over.
        """
        r = self.result
        supplied = float(getattr(r, "total_supplied_by_measures", 0.0) or 0.0)
        end = getattr(r, "events_end_day", None)
        late = (float(r.loss_after(end)) if end is not None and hasattr(r, "loss_after")
                else None)
        return {
            "name": self.name,
            "mitigations": list(self.mitigations),
            "total_production_change": float(r.total_production_change),
            "total_final_demand_unmet": float(r.total_final_demand_unmet),
            "recovery_day": _int_or_none(r.recovery_day),
            "supplied_by_measures": supplied,
            "total_supply_change": float(r.total_production_change) + supplied,
            "events_end_day": _int_or_none(end),
            "loss_after_events_share": late,
        }


def _int_or_none(value: Any) -> int | None:
    return None if value is None else int(value)


def daily_production_change(result: Any) -> np.ndarray:
    """Daily change of total production against the pre-shock level (length T).

    Sums to ``result.total_production_change``: the simulator's own daily series where it
    provides one, else ``Σ_i production[t, i] − Σ_i production_0[i]``.
    """
    for name in ("daily_production_change", "production_change"):
        value = getattr(result, name, None)
        if value is not None:
            arr = np.asarray(value, dtype=float)
            return arr.sum(axis=1) if arr.ndim == 2 else arr
    baseline = getattr(result, "baseline_production", None)
    production = np.asarray(result.production, dtype=float)
    base = (np.asarray(baseline, dtype=float) if baseline is not None else production[0])
    return production.sum(axis=1) - float(np.sum(base))


def baseline_production(result: Any) -> np.ndarray:
    """Pre-shock daily production per (region, sector) (length n)."""
    baseline = getattr(result, "baseline_production", None)
    if baseline is None:
        return np.asarray(result.production, dtype=float)[0]
    return np.asarray(baseline, dtype=float)


def relative_production(result: Any) -> np.ndarray:
    """Production over pre-shock production, per day and (region, sector) (T × n); 1 where
    the sector produced nothing before the shock."""
    value = getattr(result, "relative_production", None)
    if value is not None and not callable(value):
        return np.asarray(value, dtype=float)
    base = baseline_production(result)
    production = np.asarray(result.production, dtype=float)
    out = np.ones_like(production)
    np.divide(production, base, out=out, where=base > 0)
    return out


def daily_final_demand_unmet(result: Any) -> np.ndarray:
    """Daily unmet final demand summed over sectors (length T)."""
    arr = np.asarray(result.final_demand_unmet, dtype=float)
    return arr.sum(axis=1) if arr.ndim == 2 else arr


@dataclass
class ScenarioResult:
    """The runs of a scenario: ``variants[0]`` is the main run (every mitigation listed)."""

    scenario: Scenario
    mrio_name: str
    mrio_ref: str
    unit: str
    variants: list[VariantRun]
    sources: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: Events that named a product, as converted (:mod:`econsec.scenarios.products`).
    conversions: list[Any] = field(default_factory=list)

    @property
    def main(self) -> VariantRun:
        return self.variants[0]

    def variant_totals(self) -> list[dict[str, Any]]:
        """Totals per variant, with what each avoids against "no measures" where run."""
        rows = [v.totals() for v in self.variants]
        base = next((r for r in rows if not r["mitigations"]), None)
        for row in rows:
            if base is None:
                row["production_loss_avoided"] = None
                row["final_demand_unmet_avoided"] = None
            else:
                row["production_loss_avoided"] = (row["total_production_change"]
                                                  - base["total_production_change"])
                row["final_demand_unmet_avoided"] = (base["total_final_demand_unmet"]
                                                     - row["total_final_demand_unmet"])
        return rows

    def worst_hit(self, n: int = 10) -> list[dict[str, Any]]:
        """The ``n`` (region, sector) pairs whose production fell furthest (main run)."""
        return [
            {"region": str(w["region"]), "sector": str(w["sector"]),
             "min_relative_production": float(w["min_relative_production"]),
             "day": int(w["day"])}
            for w in self.main.result.worst_hit(n)
        ]

    def region_losses(self) -> dict[str, Any] | None:
        """The production change of each industry of the scenario's ``report_region`` over
        the horizon (main run and "no measures" where run; MRIO unit), largest loss first,
        with the industry's English and Japanese names where the table has them; None when
        the scenario names no such region."""
        region = self.scenario.report_region
        if region is None:
            return None
        from econsec.io_models.icio import industry_names, industry_names_ja

        names_en, names_ja = industry_names(), industry_names_ja()

        def change(run: VariantRun) -> dict[str, float]:
            r = run.result
            production = np.asarray(r.production, dtype=float)
            base = baseline_production(r)
            out: dict[str, float] = {}
            for k, (reg, sector) in enumerate(r.labels):
                if reg == region:
                    out[str(sector)] = float((production[:, k] - base[k]).sum())
            return out

        main = change(self.main)
        base_run = next((v for v in self.variants if not v.mitigations), None)
        without = change(base_run) if base_run is not None and base_run is not self.main else None
        rows = [{"sector": sector, "name_en": names_en.get(sector, sector),
                 "name_ja": names_ja.get(sector, sector), "production_change": value,
                 "production_change_no_measures": (without or {}).get(sector)}
                for sector, value in main.items()]
        rows.sort(key=lambda row: (row["production_change"], row["sector"]))
        return {"region": region, "variant": self.main.name,
                "total": sum(main.values()),
                "total_no_measures": sum(without.values()) if without else None,
                "industries": rows}

    def to_dict(self, worst: int = 10, t: Translator | None = None) -> dict[str, Any]:
        """The JSON summary (stable snake_case keys; see ``docs/scenarios.md``):
        ``result_notes`` rendered in the language of ``t`` (English by default) and the
        same notes as ``result_note_texts`` (``{id, params}``) for other languages."""
        main = self.main.totals()
        rows = self.variant_totals()
        notes = result_notes(rows, self.unit, self.scenario.horizon_days)
        names = variant_name_texts(self.scenario)
        for row in rows:
            text = names.get(row["name"])
            row["name_text"] = text.to_json() if text else None
        return {
            "name": self.scenario.name,
            "description": " ".join(self.scenario.description.split()),
            "mrio": self.mrio_ref,
            "mrio_name": self.mrio_name,
            "unit": self.unit,
            "horizon_days": self.scenario.horizon_days,
            "days": len(self.main.result.days),
            "variant": main["name"],
            "total_production_change": main["total_production_change"],
            "total_final_demand_unmet": main["total_final_demand_unmet"],
            "worst_hit": self.worst_hit(worst),
            "recovery_day": main["recovery_day"],
            "variants": rows,
            "result_notes": render_all(notes, t),
            "result_note_texts": [n.to_json() for n in notes],
            "model": {"type": self.scenario.model.type, **_params_dict(self.scenario)},
            "sources": list(self.sources),
            "notes": [str(n) for n in self.notes],
            "note_texts": [note_text(n) for n in self.notes],
            "conversions": [c.to_dict() for c in self.conversions],
            "region_losses": self.region_losses(),
            "method": f"econsec.scenarios.runner {RUNNER_VERSION}; ARIO-type model "
                      "(Hallegatte 2008) with BoARIO's ARIOPsiModel defaults",
        }


def note_text(note: str) -> dict[str, Any]:
    """A note of a result as an ``{id, params}`` pair: a note that keeps its message id
    (the MRIO's notes, :class:`econsec.io_models.bea.Note`) gives it; another note (a
    scenario file's, as written) is its own id, which the page translates where the
    catalogue has it (the worked scenarios' notes)."""
    return {"id": getattr(note, "id", str(note)), "params": dict(getattr(note, "params", {}))}


ALL_MEASURES = N_("all measures")
NO_MEASURES = N_("no measures")
ONLY_MEASURE = N_("only %(measure)s")


def variant_name_texts(scenario: Scenario) -> dict[str, Text]:
    """The variant names econsec makes up ("all measures", "no measures", "only <label>")
    as pairs, so a page can show them in its language; names from the scenario file's
    ``variants`` and the mitigation labels stay as written."""
    out: dict[str, Text] = {"all measures": Text(ALL_MEASURES),
                            "no measures": Text(NO_MEASURES)}
    for i in range(len(scenario.mitigations)):
        label = scenario.mitigation_label(i)
        out[f"only {label}"] = Text(ONLY_MEASURE, {"measure": label})
    own = {v.name for v in scenario.variants}
    return {name: text for name, text in out.items() if name not in own}


#: Share of the production shortfall after the events end above which a note explains it.
LATE_LOSS_NOTE = 0.5

SAME_TOTALS = N_(
    "'%(variant)s' gives the same totals as '%(other)s': with '%(other)s' the inventories of "
    "the cut inputs stay at their pre-shock level, so %(measures)s has no shortfall left to "
    "cover (measures only refill inventories below that level). It would matter for a longer "
    "or deeper cut.")
MORE_LOSS = N_(
    "'%(variant)s' loses more production than '%(other)s' (%(change)s vs %(other_change)s "
    "%(unit)s): the %(supplied)s %(unit)s of inputs its measures put into inventories replace "
    "purchases from producers (during the shock and the refilling after it), and with fuller "
    "inventories buyers order less, so suppliers raise output less. Production change counts "
    "production only; counting the goods the measures supplied, the change is "
    "%(supply_change)s vs %(other_supply_change)s %(unit)s, and final demand unmet is "
    "%(unmet)s vs %(other_unmet)s %(unit)s.")
LATE_LOSS = N_(
    "In '%(variant)s' %(loss_share)s of the production shortfall falls after day %(day)s, when "
    "every event is over: buyers ran down their inventories of the cut inputs during the "
    "shock and fall below the level that limits production (psi × target) only late; from "
    "then on every industry holding those inputs is held back until the inventories are "
    "rebuilt, and a supplier that uses its own products rebuilds slowly. This is the ARIO "
    "model's inventory mechanism, not a delay in the data.")
NOT_RECOVERED = N_(
    "Not recovered within the %(horizon)s-day horizon (some industry still produces more than "
    "0.1 %% below its pre-shock level): %(variants)s; the totals leave out what comes after "
    "the horizon.")


def result_notes(rows: Sequence[dict[str, Any]], unit: str, horizon: int) -> list[Text]:
    """Plain-language notes on totals that look wrong but are how the model works: measures
    that add nothing, measures that lose more production, loss that comes after the events,
    runs that do not recover within the horizon. ``rows``: :meth:`variant_totals`.
    Notes are (message id, parameters) pairs (:mod:`econsec.scenarios.texts`)."""
    unit = unit or "MRIO unit"
    notes: list[Text] = []
    sets = {row["name"]: set(row["mitigations"]) for row in rows}
    for row in rows:
        for other in rows:
            if other is row or not sets[other["name"]] < sets[row["name"]]:
                continue
            a, b = row["total_production_change"], other["total_production_change"]
            scale = max(abs(a), abs(b), 1e-300)
            if sets[other["name"]] and abs(a - b) <= 1e-9 * scale:
                extra = sorted(sets[row["name"]] - sets[other["name"]])
                notes.append(Text(SAME_TOTALS, {"variant": row["name"],
                                                "other": other["name"], "measures": extra}))
            elif a < b - 1e-9 * scale and row["supplied_by_measures"] > 0:
                notes.append(Text(MORE_LOSS, {
                    "variant": row["name"], "other": other["name"], "unit": unit,
                    "change": float(a), "other_change": float(b),
                    "supplied": float(row["supplied_by_measures"]),
                    "supply_change": float(row["total_supply_change"]),
                    "other_supply_change": float(other["total_supply_change"]),
                    "unmet": float(row["total_final_demand_unmet"]),
                    "other_unmet": float(other["total_final_demand_unmet"])}))
    for row in rows:
        late, end = row.get("loss_after_events_share"), row.get("events_end_day")
        if late is not None and end is not None and late > LATE_LOSS_NOTE and end < horizon:
            notes.append(Text(LATE_LOSS, {"variant": row["name"], "loss_share": float(late),
                                          "day": int(end)}))
    late_rows = [row["name"] for row in rows if row["recovery_day"] is None]
    if late_rows:
        notes.append(Text(NOT_RECOVERED, {"horizon": int(horizon), "variants": late_rows}))
    return notes


def _params_dict(scenario: Scenario) -> dict[str, Any]:
    import dataclasses

    params = ario_params(scenario)
    out: dict[str, Any] = {}
    for f in dataclasses.fields(params):
        value = getattr(params, f.name)
        if isinstance(value, str | int | float | bool) or value is None:
            out[f.name] = value
    return out


def prepare(scenario: Scenario, mrio: MRIO | None = None,
            progress: Progress | None = None) -> MRIO:
    """The scenario's MRIO (loaded unless given), with every name in the scenario checked.
    While it loads, ``progress(step, 0, 1)`` names each loading step (``(step, 1, 1)`` when
    it is over)."""
    if mrio is None:
        from econsec.io_models.loaders import load_mrio

        steps = _LoadingSteps(progress)
        mrio = load_mrio(scenario.mrio, step=steps)
        steps.finish()
    check_names(scenario, mrio.regions, mrio.sectors)
    return mrio


class _LoadingSteps:
    """Reports each MRIO loading step as a one-unit progress step, done when the next one
    starts."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress, self.current = progress, ""

    def __call__(self, name: str) -> None:
        self.finish()
        self.current = name
        if self.progress is not None:
            self.progress(name, 0, 1)

    def finish(self) -> None:
        if self.current and self.progress is not None:
            self.progress(self.current, 1, 1)
        self.current = ""


def simulate_variant(mrio: MRIO, scenario: Scenario, mitigations: Sequence[int],
                     progress: Callable[..., None] | None = None,
                     check: Callable[[int], None] | None = None) -> Any:
    """One ARIO run of ``scenario`` with the mitigations at the given indices
    (``check(day)`` is called every simulated day and may raise to stop the run)."""
    from econsec.io_models.ario import simulate

    return simulate(mrio, build_events(scenario), build_mitigations(scenario, mitigations),
                    params=ario_params(scenario), horizon_days=scenario.horizon_days,
                    progress=progress, check=check)


def run_scenario(scenario: Scenario, *, mrio: MRIO | None = None,
                 progress: Progress | None = None,
                 check: Callable[[int], None] | None = None,
                 kb: Any = None) -> ScenarioResult:
    """Run every variant of ``scenario`` (the main run first) and collect the results.

    ``progress(step, done, total)`` names each MRIO loading step (see :func:`prepare`),
    then is called as simulated days advance, one step per variant; ``check(day)`` every
    simulated day (it raises to stop the run). Events that name a product are converted
    with the trade flows of ``kb`` (:mod:`econsec.scenarios.products`) and the conversions
    reported with the result.
    """
    from econsec.scenarios.products import resolve_products

    mrio = prepare(scenario, mrio, progress)
    scenario, conversions = resolve_products(scenario, mrio, kb)
    runs: list[VariantRun] = []
    for name, indices in scenario.variant_plan():
        labels = tuple(scenario.mitigation_label(i) for i in indices)
        result = simulate_variant(mrio, scenario, indices, _day_progress(progress, name),
                                  check)
        runs.append(VariantRun(name, labels, result))
    sources = [s for s in (mrio.source,) if s]
    sources += sorted({src for c in conversions for src in c.sources})
    notes = list(scenario.notes) + list(getattr(mrio, "notes", ()) or ())
    notes += [note for c in conversions for note in c.notes]
    return ScenarioResult(scenario, mrio.name, scenario.mrio, mrio.unit or "", runs,
                          sources, notes, conversions)


def _day_progress(progress: Progress | None, step: str) -> Callable[..., None] | None:
    """Adapt the simulator's day callback ``(day, done, total)`` to ``(step, done, total)``."""
    if progress is None:
        return None

    def report(_day: int, done: int, total: int) -> None:
        progress(step, done, total)

    return report
