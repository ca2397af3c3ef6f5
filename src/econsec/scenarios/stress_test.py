"""A stress test of every import dependency of a country (issue 10, item 9b).

For each of the country's largest import dependencies (HS products ranked by import value in
the latest year with BACI data in the knowledge base), the flow from its top supplier is
restricted at each severity, one case at a time: the product restriction becomes a cut of
the supplying ICIO industry's flows to the country (:func:`econsec.io_models.product_shocks.
convert_product_shock`, scaled by the product's share of the bilateral industry flow), which
runs on ``bundled:icio-2022`` with the ARIO simulator for ``days`` days, the restriction in
force from day 0 to the end. Each case also runs with each of two measures (supplier
diversification towards the product's next supplier, release of a stockpile of the
product), so that the best measure per case can be named. Dependencies are ranked by the
country's output lost over the horizon at the highest severity.

Runs execute on an :mod:`econsec.scenarios.executors` executor (Dask by default in the CLI):
the table goes to every worker once and each worker builds the simulator's fixed arrays once
(:mod:`econsec.scenarios.stress_runs`).
"""

from __future__ import annotations

import datetime as dt
import math
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from econsec.errors import NotFoundError, ValidationError
from econsec.i18n.terms import N_
from econsec.io_models import icio
from econsec.io_models.ario_result import METHOD
from econsec.io_models.events import StockpileRelease
from econsec.io_models.mrio import MRIO
from econsec.scenarios.executors import Executor, SerialExecutor
from econsec.scenarios.stress_models import (
    Dependency,
    IndustryLoss,
    MitigationOutcome,
    Skipped,
    StressCase,
    StressTestResult,
)
from econsec.scenarios.stress_runs import RunTask, run_one
from econsec.suggest import close_matches

Progress = Callable[[str, int, int], None]

TOP = 100
SEVERITIES = (0.25, 0.5, 0.9)
#: Default horizon: a restriction's first 90 days (see docs/scenarios.md "Stress test").
DAYS = 90
MIN_DAYS, MAX_DAYS = 30, 730
#: Stockpile of the product released from day 0, in days of the product's pre-shock imports
#: from the restricted supplier.
STOCKPILE_DAYS = 60.0
#: Diversification: the next supplier starts replacing the cut flow after this many days and
#: reaches the full share after the ramp; its extra capacity is capped (share of its output).
DIVERSIFY_START_DAY = 14
DIVERSIFY_RAMP_DAYS = 30
DIVERSIFY_MAX_CAPACITY_INCREASE = 0.1
VARIANTS = ("none", "diversify_supplier", "stockpile_release")
#: Names of the measures (``type`` in the result), translated where shown.
MEASURE_NAMES = {"diversify_supplier": N_("Diversify supplier"),
                 "stockpile_release": N_("Stockpile release")}
MRIO_REF = icio.REF
TABLE_YEAR = 2022
#: The latest year with imports is looked for from this year on first (all years if none).
RECENT_FROM = 2015
#: Source record of the ICIO table (loaded by ``econsec init``).
ICIO_SOURCE = "oecd-icio-2022"


# --------------------------------------------------------------------------- input checks


def parse_severities(text: str | Sequence[float]) -> tuple[float, ...]:
    """Severities from ``"0.25,0.5,0.9"`` (or a sequence): each a fraction in (0, 1],
    sorted, without repeats; raises naming the bad value."""
    items: list[Any] = ([s.strip() for s in text.split(",")] if isinstance(text, str)
                        else list(text))
    values: set[float] = set()
    for item in items:
        try:
            value = float(item)
        except (TypeError, ValueError):
            raise ValidationError("severity '%(value)s' is not a number (give fractions: "
                                  "0.25,0.5,0.9)", params={"value": str(item)}) from None
        if not (0 < value <= 1) or math.isnan(value):
            raise ValidationError("severity %(value)s is outside (0, 1]: a severity is the "
                                  "share of the flow cut (0.5 = 50 %%)",
                                  params={"value": f"{value:g}"})
        values.add(value)
    if not values:
        raise ValidationError("give at least one severity (e.g. 0.25,0.5,0.9)")
    return tuple(sorted(values))


def check_settings(country: str, top: int, days: int, mrio: MRIO) -> str:
    """The country code (upper case) after checking it is a region of the table, and that
    ``top`` and ``days`` are in range; raises naming what is wrong."""
    if top < 1:
        raise ValidationError("--top %(top)s: give at least 1 dependency",
                              params={"top": str(top)})
    if not (MIN_DAYS <= days <= MAX_DAYS):
        raise ValidationError("--days %(days)s: give a horizon of %(low)s to %(high)s days",
                              params={"days": str(days), "low": str(MIN_DAYS),
                                      "high": str(MAX_DAYS)})
    code = country.strip().upper()
    if code not in mrio.regions or code.endswith("_OTH"):
        regions = [r for r in mrio.regions if not r.endswith("_OTH")]
        near = close_matches(code, regions)
        raise ValidationError(
            "unknown country '%(country)s' for the stress test%(hint)s: it runs on "
            "%(table)s, whose economies are %(regions)s",
            params={"country": country, "table": MRIO_REF, "regions": ", ".join(regions),
                    "hint": f" (did you mean {', '.join(near)}?)" if near else ""})
    return code


# --------------------------------------------------------------------------- dependencies


class RepeatedReads:
    """The knowledge base with its trade reads remembered for one stress test: every
    severity of a dependency converts with the same queries (``product_flows``,
    ``product_info``), which are answered once. Other attributes pass through."""

    def __init__(self, kb: Any) -> None:
        self._kb = kb
        self._seen: dict[tuple[Any, ...], Any] = {}

    def _once(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        key = (name, args, tuple(sorted(kwargs.items())))
        if key not in self._seen:
            self._seen[key] = getattr(self._kb, name)(*args, **kwargs)
        return self._seen[key]

    def product_flows(self, *args: Any, **kwargs: Any) -> Any:
        return self._once("product_flows", args, kwargs)

    def product_info(self, *args: Any, **kwargs: Any) -> Any:
        return self._once("product_info", args, kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._kb, name)



@dataclass(frozen=True)
class ImportDependency:
    """A product the country imports: its imports in the latest year with data, and its
    suppliers that year by value (largest first, ``(iso3, thousand USD)``)."""

    hs: str
    hs_version: str
    description: str
    description_ja: str
    commodity: str | None
    year: int
    import_value: float
    suppliers: tuple[tuple[str, float], ...]
    sources: tuple[str, ...]

    @property
    def top_supplier(self) -> str:
        return self.suppliers[0][0]

    @property
    def top_share(self) -> float:
        return self.suppliers[0][1] / self.import_value if self.import_value > 0 else 0.0


def select_dependencies(kb: Any, country: str, top: int, progress: Progress | None = None
                        ) -> list[ImportDependency]:
    """The country's ``top`` largest imports by value (thousand USD, BACI), one per HS code:
    for each traded product (``kb.trade_products()``), its flows to the country in the
    latest year with any; a code held in two HS editions counts once (the later year, then
    the larger value)."""
    best: dict[str, ImportDependency] = {}
    products = kb.trade_products()
    for done, product in enumerate(products, 1):
        if progress is not None:
            progress("reading imports", done, len(products))
        flows = _imports(kb, product, country, (RECENT_FROM, 9999)) or _imports(
            kb, product, country, None)
        if not flows:
            continue
        year = max(f.year for f in flows)
        by_exporter: dict[str, float] = {}
        for f in flows:
            if f.year == year:
                by_exporter[str(f.exporter)] = by_exporter.get(str(f.exporter), 0.0) + f.value
        suppliers = tuple(sorted(by_exporter.items(), key=lambda kv: (-kv[1], kv[0])))
        dep = ImportDependency(
            hs=product.hs_code, hs_version=product.hs_version,
            description=product.description_en, description_ja=product.description_ja,
            commodity=product.commodities[0] if product.commodities else None, year=year,
            import_value=sum(by_exporter.values()), suppliers=suppliers,
            sources=tuple(sorted({f.source_key for f in flows if f.year == year})))
        held = best.get(dep.hs)
        if held is None or (dep.year, dep.import_value) > (held.year, held.import_value):
            best[dep.hs] = dep
    ranked = sorted(best.values(), key=lambda d: (-d.import_value, d.hs))
    return ranked[:top]


def _imports(kb: Any, product: Any, country: str, years: tuple[int, int] | None) -> list[Any]:
    """The product's flows into ``country`` with a value, from another country."""
    return [f for f in kb.product_flows(product.hs_code, hs_version=product.hs_version,
                                        importer=country, years=years)
            if f.value and f.value > 0 and f.exporter and f.exporter != country]


# --------------------------------------------------------------------------- cases


@dataclass(frozen=True)
class Case:
    """A dependency at one severity: the converted shock and the runs it needs."""

    index: int
    dependency: ImportDependency
    severity: float
    conversion: dict[str, Any]
    events: tuple[Any, ...]
    measures: dict[str, Any]


def convert(kb: Any, mrio: MRIO, dep: ImportDependency, severity: float, country: str,
            days: int) -> Any:
    """The converter's shock (:func:`econsec.io_models.product_shocks.convert_product_shock`)
    for restricting ``dep`` from its top supplier to ``country`` by ``severity`` over the
    whole horizon: the product's share of the bilateral industry flow in the table's year
    (2022) where BACI has the flow then, else in the dependency's latest year."""
    from econsec.io_models.product_shocks import ICIO_YEAR, convert_product_shock

    shock = None
    for year in dict.fromkeys((ICIO_YEAR, dep.year)):
        shock = convert_product_shock(kb, mrio, hs_code=dep.hs, commodity=None,
                                      exporter=dep.top_supplier, importer=country,
                                      severity=severity, year=year, start_day=0,
                                      duration_days=days, recovery_days=0,
                                      label=f"HS {dep.hs} {dep.top_supplier}->{country}")
        if shock.events:
            break
    return shock


def measures(mrio: MRIO, shock: Any, options: Sequence[Any], dep: ImportDependency,
             days: int) -> dict[str, Any]:
    """The measures tried on a case, both sized to the product, not the industry flow:

    - ``diversify_supplier``: the product's other supplier region with the largest spare
      volume (``options``: BACI exports to others, :func:`econsec.io_models.product_shocks.
      diversification_options`) replaces the cut flow up to that volume from day
      ``DIVERSIFY_START_DAY``, ramping up over ``DIVERSIFY_RAMP_DAYS``
      (:func:`~econsec.io_models.product_shocks.diversify_measures`);
    - ``stockpile_release``: a stockpile of ``STOCKPILE_DAYS`` days of the product's imports
      from the supplier, released from day 0 at most at that pre-shock rate
      (``days_of_use`` = days × the product's share of the bilateral industry flow)."""
    from econsec.io_models.product_shocks import diversify_measures

    share = float(shock.main.share)
    out: dict[str, Any] = {}
    diversify, _notes = diversify_measures(shock, options[:1], mrio,
                                           start_day=min(DIVERSIFY_START_DAY, days - 1),
                                           ramp_days=DIVERSIFY_RAMP_DAYS)
    if diversify:
        out["diversify_supplier"] = diversify[0]
    out["stockpile_release"] = StockpileRelease(
        label=f"stockpile of {STOCKPILE_DAYS:g} days of HS {dep.hs} imports",
        region=shock.importer_region, sector=shock.main.sector, origin=shock.exporter_region,
        days_of_use=STOCKPILE_DAYS * share, start_day=0, daily_share=share)
    return out


def build_cases(kb: Any, mrio: MRIO, deps: Sequence[ImportDependency],
                severities: Sequence[float], country: str, days: int,
                progress: Progress | None = None) -> tuple[list[Case], list[Skipped]]:
    """Every (dependency, severity) case the converter can express as events; the others
    are listed as skipped with the converter's reason (its notes when nothing is cut)."""
    from econsec.errors import EconsecError
    from econsec.io_models.product_shocks import diversification_options

    cases: list[Case] = []
    skipped: list[Skipped] = []
    for done, dep in enumerate(deps, 1):
        if progress is not None:
            progress("converting restrictions", done, len(deps))
        built: list[Case] = []
        try:
            options: list[Any] | None = None
            for severity in severities:
                shock = convert(kb, mrio, dep, severity, country, days)
                if not shock.events:
                    raise NotFoundError(" ".join(str(n) for n in shock.notes)
                                        or "nothing to cut")
                if options is None:
                    options = diversification_options(
                        kb, mrio, hs_code=dep.hs, commodity=None, exporter=dep.top_supplier,
                        importer=country, year=shock.year, top=1)
                built.append(Case(len(cases) + len(built), dep, severity, shock.to_dict(),
                                  tuple(shock.events),
                                  measures(mrio, shock, options, dep, days)))
        except EconsecError as exc:
            skipped.append(Skipped(hs=dep.hs, hs_version=dep.hs_version,
                                   top_supplier=dep.top_supplier, reason=str(exc)))
            continue
        cases.extend(built)
    return cases, skipped


def tasks_for(cases: Sequence[Case], country: str, days: int) -> list[RunTask]:
    """The runs: each case without measures, then with each of its measures."""
    tasks: list[RunTask] = []
    for case in cases:
        tasks.append(RunTask(case.index, "none", country, days, case.events))
        for name in VARIANTS[1:]:
            if name in case.measures:
                tasks.append(RunTask(case.index, name, country, days, case.events,
                                     (case.measures[name],)))
    return tasks


# --------------------------------------------------------------------------- run and rank


def run_stress_test(kb: Any, mrio: MRIO, *, country: str, top: int = TOP,
                    severities: Sequence[float] = SEVERITIES, days: int = DAYS,
                    executor: Executor | None = None, progress: Progress | None = None
                    ) -> StressTestResult:
    """Select, convert, run and rank (see the module docstring)."""
    started = time.perf_counter()
    country = check_settings(country, top, days, mrio)
    severities = parse_severities(severities)
    kb = RepeatedReads(kb)
    deps = select_dependencies(kb, country, top, progress)
    if not deps:
        raise NotFoundError("no imports of %(country)s in the knowledge base's trade flows "
                            "(run 'econsec init')", params={"country": country})
    cases, skipped = build_cases(kb, mrio, deps, severities, country, days, progress)
    tasks = tasks_for(cases, country, days)
    run_on: Executor = executor or SerialExecutor()
    with run_on:
        results = run_on.map(run_one, tasks, shared=mrio, progress=progress,
                             step="stress-test runs")
    describe = getattr(run_on, "describe", None)
    return assemble(kb, mrio, country=country, top=top, severities=severities, days=days,
                    cases=cases, skipped=skipped, results=results,
                    executor=describe() if callable(describe) else run_on.name,
                    wall=time.perf_counter() - started)


def _industry(row: dict[str, Any]) -> IndustryLoss:
    code = row["sector"]
    return IndustryLoss(sector=code, name_en=icio.industry_label(code, "en"),
                        name_ja=icio.industry_label(code, "ja"),
                        lost_output=row["lost_output"],
                        min_relative_production=row["min_relative_production"])


def _case_result(case: Case, runs: dict[str, dict[str, Any]], country_output: float
                 ) -> StressCase:
    base = runs["none"]
    outcomes = []
    for name in VARIANTS[1:]:
        if name not in runs:
            continue
        lost = runs[name]["lost_output"]
        outcomes.append(MitigationOutcome(
            type=name, measure=case.measures[name].model_dump(exclude_none=True),
            lost_output=lost, avoided=base["lost_output"] - lost))
    helpful = [o for o in outcomes if o.avoided > 1e-9 * max(abs(base["lost_output"]), 1.0)]
    best = max(helpful, key=lambda o: o.avoided).type if helpful else None
    return StressCase(
        severity=case.severity, conversion=case.conversion,
        events=[e.model_dump(exclude_none=True) for e in case.events],
        lost_output=base["lost_output"], lost_output_gross=base["lost_output_gross"],
        lost_output_share=base["lost_output"] / country_output if country_output else 0.0,
        world_production_change=base["world_production_change"],
        final_demand_unmet=base["final_demand_unmet"],
        worst_hit=[_industry(r) for r in base["industries"]], mitigations=outcomes,
        best_mitigation=best)


def assemble(kb: Any, mrio: MRIO, *, country: str, top: int, severities: Sequence[float],
             days: int, cases: Sequence[Case], skipped: list[Skipped],
             results: Sequence[dict[str, Any]], executor: str, wall: float
             ) -> StressTestResult:
    """The ranked result from the runs' numbers."""
    S = len(mrio.sectors)
    r = mrio.region_index(country)
    country_output = float(mrio.x[r * S:(r + 1) * S].sum()) * days / 365.0
    by_case: dict[int, dict[str, dict[str, Any]]] = {}
    for res in results:
        by_case.setdefault(res["case"], {})[res["variant"]] = res
    per_dep: dict[str, list[tuple[Case, StressCase]]] = {}
    for case in cases:
        per_dep.setdefault(case.dependency.hs, []).append(
            (case, _case_result(case, by_case[case.index], country_output)))
    deps = []
    for items in per_dep.values():
        dep = items[0][0].dependency
        done = [c for _, c in items]
        deps.append(Dependency(
            rank=0, hs=dep.hs, hs_version=dep.hs_version, description=dep.description,
            description_ja=dep.description_ja,
            commodity=dep.commodity, year=dep.year, import_value=dep.import_value,
            top_supplier=dep.top_supplier, top_supplier_share=dep.top_share,
            top_supplier_value=dep.suppliers[0][1], lost_output=done[-1].lost_output,
            cases=done, sources=[*dep.sources, ICIO_SOURCE]))
    deps.sort(key=lambda d: (-d.lost_output, -d.import_value, d.hs))
    ranked = [d.model_copy(update={"rank": i}) for i, d in enumerate(deps, 1)]
    names = icio.region_names().get(country, (country, country))
    sources = sorted({s for d in ranked for s in d.sources})
    return StressTestResult(
        country=country, country_name_en=names[0], country_name_ja=names[1], top=top,
        severities=list(severities), days=days, mrio=MRIO_REF, unit=mrio.unit,
        executor=executor, runs=len(results), wall_seconds=round(wall, 3),
        created=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        method=METHOD, assumptions=assumptions(days), country_output=country_output,
        dependencies=ranked, skipped=skipped, sources=sources,
        notes=[str(n) for n in mrio.notes],
        note_texts=[{"id": getattr(n, "id", str(n)), "params": dict(getattr(n, "params", {}))}
                    for n in mrio.notes])


def assumptions(days: int) -> dict[str, Any]:
    """The fixed choices of the stress test (JSON, page and docs name them)."""
    return {
        "restriction": f"from day 0 to day {days - 1} (in force over the whole horizon)",
        "ario_parameters": "BoARIO 0.7.2 defaults (inventories of 90 days of use, psi 0.8)",
        "stockpile_days_of_imports": STOCKPILE_DAYS,
        "diversify_start_day": DIVERSIFY_START_DAY,
        "diversify_ramp_days": DIVERSIFY_RAMP_DAYS,
        "diversify_max_capacity_increase": DIVERSIFY_MAX_CAPACITY_INCREASE,
    }


# --------------------------------------------------------------------------- saved result


def saved_path(country: str) -> Path:
    """Where the last stress test of ``country`` is saved: the user's data folder
    (``$XDG_DATA_HOME/econsec``, else ``~/.local/share/econsec``)/stress-test/ISO3.json."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "econsec" / "stress-test" / f"{country.upper()}.json"


def save_result(result: StressTestResult) -> Path:
    """Write ``result`` where the page and the report read it (atomically)."""
    path = saved_path(result.country)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(result.model_dump_json(indent=1), encoding="utf-8")
    tmp.replace(path)
    return path


def load_saved(country: str) -> StressTestResult | None:
    """The last saved stress test of ``country``, or None when there is none; a file
    that does not validate (another version) counts as none."""
    from pydantic import ValidationError as PydanticError

    path = saved_path(country)
    try:
        text = path.read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):
        return None
    try:
        return StressTestResult.model_validate_json(text)
    except PydanticError:
        return None
