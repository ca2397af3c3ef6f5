"""``econsec measures list|show ID|validate FILE`` (the 3P measure catalogue) and
``econsec recommend --finding KIND:...`` (measures ranked by the loss they avoid).

Finding syntax (:mod:`econsec.policy.findings`)::

    dependency:IMPORTER:HS[,HS...]:EXPORTER[:YEAR]  dependency:JPN:284610,284690,280530:CHN
    scenario:worked:NAME  or  scenario:FILE         scenario:worked:pymrio-test-mining-outage
    technology:ID                                   technology:multilayer-ceramic-capacitors
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from econsec.cli.console import err, out, progress_bar
from econsec.cli.options import DbOption, FormatOption
from econsec.cli.output import OutputFormat, Result, emit

measures_app = typer.Typer(help="The 3P policy measure catalogue (promotion, protection, "
                                "partnership).", no_args_is_help=True)

LIST_COLUMNS = ["id", "pillar", "name_en", "name_ja", "addresses", "simulated",
                "time_to_effect_days", "cost"]
RANK_COLUMNS = ["rank", "id", "pillar", "simulated", "loss_avoided", "loss_avoided_share",
                "time_to_effect_days", "cost", "loss_avoided_per_cost", "parameters"]


def _measure_row(m: Any) -> dict[str, Any]:
    return {"id": m.id, "pillar": m.pillar, "name_en": m.names["en"], "name_ja": m.names["ja"],
            "addresses": ", ".join(m.addresses),
            "simulated": m.scenario.type if m.scenario else "not simulated",
            "time_to_effect_days": m.time_to_effect_days,
            "cost": f"{m.cost_proxy.value:g} {m.cost_proxy.unit}"}


def _catalogue_result(cat: Any, title: str) -> Result:
    doc = {"version": cat.version, "source_file": Path(cat.source_file).name,
           "measures": [m.model_dump(mode="json") for m in cat.measures]}
    return Result(doc, [_measure_row(m) for m in cat.measures], LIST_COLUMNS, title=title,
                  notes=[f"Catalogue version {cat.version}; cost classes 1-5 are econsec's "
                         "assumptions (see each measure's basis)."])


@measures_app.command("list")
def measures_list(fmt: FormatOption = OutputFormat.TABLE) -> None:
    """List the measures of the bundled catalogue by pillar."""
    from econsec.policy.catalogue import load_catalogue

    cat = load_catalogue()
    emit(_catalogue_result(cat, f"3P policy measures (catalogue {cat.version})"), fmt, out)


@measures_app.command("show")
def measures_show(
    measure_id: Annotated[str, typer.Argument(metavar="ID", help="Measure id, e.g. "
                                              "stockpile-release.", show_default=False)],
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """One measure: what it is, what it addresses, its parameters, how the scenario engine
    represents it, time to effect, cost proxy and references."""
    from econsec.policy.catalogue import load_catalogue

    m = load_catalogue().get(measure_id)
    rows = [{"field": "pillar", "value": m.pillar},
            {"field": "name", "value": f"{m.names['en']} / {m.names['ja']}"},
            {"field": "summary", "value": m.summary["en"]},
            {"field": "summary (ja)", "value": m.summary["ja"]},
            {"field": "addresses", "value": ", ".join(m.addresses)}]
    rows += [{"field": f"parameter {p.name}",
              "value": f"{p.names['en']}: default {p.default:g} {p.unit}, range "
                       f"{p.min:g}-{p.max:g}"} for p in m.parameters]
    if m.scenario is not None:
        rows.append({"field": f"scenario engine ({m.scenario.type})",
                     "value": m.scenario.engine["en"]})
    else:
        rows.append({"field": "scenario engine", "value": "not simulated: "
                     + (m.not_simulated or {}).get("en", "")})
    rows += [{"field": "time to effect", "value": f"{m.time_to_effect_days} days"},
             {"field": "cost proxy",
              "value": f"{m.cost_proxy.value:g} {m.cost_proxy.unit} ({m.cost_proxy.kind}): "
                       f"{m.cost_proxy.basis['en']}"},
             {"field": "references", "value": "; ".join(m.references) or "-"}]
    emit(Result(m.model_dump(mode="json"), rows, ["field", "value"], title=m.id), fmt, out)


@measures_app.command("validate")
def measures_validate(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="A measure catalogue (YAML).",
                                         show_default=False)],
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Check a measure catalogue file: unknown keys, missing Japanese texts and values out
    of range are reported with their line (exit 2)."""
    from econsec.policy.catalogue import load_catalogue

    cat = load_catalogue(file)
    emit(_catalogue_result(cat, f"{file}: valid (version {cat.version}, "
                                f"{len(cat.measures)} measures)"), fmt, out)


def _parameters(values: list[str]) -> dict[str, dict[str, float]]:
    from econsec.errors import ValidationError

    out_: dict[str, dict[str, float]] = {}
    for text in values:
        left, eq, value = text.partition("=")
        measure, dot, name = left.partition(".")
        try:
            number = float(value)
        except ValueError:
            number = float("nan")
        if not (eq and dot and measure and name) or number != number:
            raise ValidationError(f"--param '{text}' is not MEASURE.NAME=NUMBER (e.g. "
                                  "stockpile-release.days=90)")
        out_.setdefault(measure, {})[name] = number
    return out_


def technologies() -> Any:
    """The designated technologies a technology finding may name."""
    from econsec.techmgmt.registry import bundled_list

    return bundled_list().technologies


def recommend(
    finding: Annotated[str, typer.Option(
        "--finding", help="dependency:IMPORTER:HS[,HS...]:EXPORTER[:YEAR], "
                          "scenario:worked:NAME (or scenario:FILE) or technology:ID.",
        show_default=False)],
    fmt: FormatOption = OutputFormat.TABLE,
    db: DbOption = None,
    measure: Annotated[list[str] | None, typer.Option(
        "--measure", help="Rank only these measures (repeat; default: every measure that "
                          "addresses the finding).")] = None,
    param: Annotated[list[str] | None, typer.Option(
        "--param", help="A measure parameter, MEASURE.NAME=NUMBER (repeat).")] = None,
    severity: Annotated[float, typer.Option(
        help="Share of the products' flow a dependency's restriction cuts.")] = 0.8,
    duration: Annotated[int, typer.Option(
        help="Days a dependency's restriction lasts.")] = 180,
    no_cache: Annotated[bool, typer.Option(
        "--no-cache", help="Run the scenarios even when a cached ranking exists.")] = False,
) -> None:
    """Rank the catalogue's measures for a finding by the production loss they avoid in the
    scenario engine (each measure run alone against the no-measure baseline), with time to
    effect, cost proxy, evidence and assumptions."""
    import time

    from econsec.cli.app import _open_store
    from econsec.policy.findings import parse_finding
    from econsec.policy.recommend import RecommendOptions
    from econsec.policy.recommend import recommend as run

    kb = None if finding.strip().lower().startswith("technology:") else _open_store(db)
    parsed = parse_finding(finding, kb, technologies=technologies())
    options = RecommendOptions(severity=severity, duration_days=duration,
                               measures=tuple(measure or ()),
                               parameters=_parameters(list(param or ())))
    started = time.perf_counter()
    last: list[str] = [""]
    with progress_bar() as bar:
        def progress(message: Any, fraction: float) -> None:
            text = str(message)
            if text != last[0] and not err.is_terminal:
                err.print(text, markup=False, highlight=False)
            last[0] = text
            bar("recommending measures", int(fraction * 1000), 1000)

        doc = run(parsed, kb, options=options, progress=progress, use_cache=not no_cache)
    if not doc["cached"] and doc["runs"]:
        err.print(f"Ran {len(doc['runs'])} scenario runs in "
                  f"{time.perf_counter() - started:.1f} s", markup=False, highlight=False)
    emit(recommendation_result(doc), fmt, out)


def recommendation_result(doc: dict[str, Any]) -> Result:
    """Table/CSV form of a recommendation: one row per measure, in rank order."""
    unit = doc["unit"] or ""
    rows = []
    for r in doc["rows"]:
        rows.append({
            "rank": r["rank"], "id": r["id"], "pillar": r["pillar"],
            "simulated": "yes" if r["simulated"] else "not simulated",
            "loss_avoided": r["loss_avoided"], "loss_avoided_share": r["loss_avoided_share"],
            "time_to_effect_days": r["time_to_effect_days"],
            "cost": f"{r['cost']['value']:g} ({r['cost']['unit']})",
            "loss_avoided_per_cost": r["loss_avoided_per_cost"],
            "parameters": ", ".join(f"{p['name']}={p['value']:g}" for p in r["parameters"]),
        })
    finding = doc["finding"]
    notes = []
    if doc["baseline_loss"] is not None:
        notes.append(f"Loss without measures: {doc['baseline_loss']:,.3f} {unit} "
                     f"({doc['report_region'] or 'all regions'}, "
                     f"{doc['scenario']['horizon_days']} days).")
    evidence = finding.get("evidence") or {}
    if "exporter_share" in evidence:
        notes.append(
            f"Evidence: {finding['importer']} imported {evidence['imports_musd']:,.1f} million "
            f"USD of HS {', '.join(finding['hs_codes'])} in {evidence['year']}, "
            f"{evidence['exporter_share']:.1%} from {finding['exporter']} (HHI "
            f"{evidence['hhi']:.2f}); top suppliers: " + ", ".join(
                f"{s['country']} {s['share']:.0%}" for s in evidence["top_suppliers"]))
    if doc["worst_hit"]:
        notes.append("Worst hit without measures: " + ", ".join(
            f"{w['region']}/{w['sector']} {w['name_en']} ({w['production_change']:,.3f})"
            for w in doc["worst_hit"]))
    for r in doc["rows"]:
        for fig in (r.get("evidence") or {}).get("figures", []):
            if "basis" in fig:
                notes.append(f"{r['id']}: {fig['alternative']} for {fig['cut']}: "
                             f"{fig['basis']}")
        if r.get("note"):
            notes.append(f"{r['id']}: {r['note']}")
    notes += [f"Assumption: {a}" for a in doc["assumptions"]]
    notes += [f"Source: {s}" for s in doc["sources"]]
    notes.append(f"Catalogue {doc['catalogue_version']}; "
                 + ("cached result" if doc["cached"] else f"computed in {doc['seconds']:.1f} s"))
    return Result(doc, rows, RANK_COLUMNS, percent=("loss_avoided_share",), notes=notes,
                  title=f"Measures for {finding['title_en']} (loss avoided in {unit})")
