"""The recommender: its losses recomputed by building each variant independently and running
the scenario engine, the ranking order, bad findings, and the command line.

Most of it runs on pymrio's test system (a run takes a tenth of a second); one case runs on
the OECD ICIO table with Japan's rare-earth dependency on China (four 120-day runs)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from conftest import run_cli
from econsec.errors import EconsecError, UnknownNameError, ValidationError
from econsec.io_models import events as ev
from econsec.kb.store import open_store
from econsec.policy.findings import parse_finding
from econsec.policy.recommend import RecommendOptions, recommend
from econsec.scenarios.catalogue import resolve_scenario
from econsec.scenarios.products import resolve_products
from econsec.scenarios.runner import prepare, simulate_variant
from econsec.scenarios.schema import Scenario, load_scenario, parse_scenario
from econsec.settings import to_database_url

PYMRIO = "scenario:worked:pymrio-test-mining-outage"
RARE_EARTHS = "dependency:JPN:284610,284690,280530:CHN"


@pytest.fixture(scope="module")
def kb(built_db: Path) -> Any:
    return open_store(to_database_url(str(built_db)))


@pytest.fixture(scope="module")
def pymrio_doc() -> dict[str, Any]:
    return recommend(parse_finding(PYMRIO), use_cache=False)


@pytest.fixture(scope="module")
def bare() -> Scenario:
    spec = load_scenario(resolve_scenario("worked:pymrio-test-mining-outage"))
    return spec.model_copy(update={"mitigations": [], "compare_mitigations": False,
                                   "ensemble": None})


def shortfall(result: Any, region: str | None) -> float:
    """Production below the pre-shock level, summed (written out here, not imported)."""
    production = np.asarray(result.production, dtype=float)
    base = np.asarray(result.baseline_production, dtype=float)
    keep = np.array([region is None or r == region for r, _ in result.labels])
    gap = base[keep][None, :] - production[:, keep]
    return float(gap[gap > 0].sum())


def run(mrio: Any, scenario: Scenario, region: str | None) -> float:
    mitigations = list(range(len(scenario.mitigations)))
    return shortfall(simulate_variant(mrio, scenario, mitigations), region)


def row(doc: dict[str, Any], measure: str) -> dict[str, Any]:
    return next(r for r in doc["rows"] if r["id"] == measure)


def test_pymrio_losses_recomputed_independently(pymrio_doc: dict[str, Any],
                                                bare: Scenario) -> None:
    mrio = prepare(bare)
    base = run(mrio, bare, None)
    assert pymrio_doc["baseline_loss"] == pytest.approx(base, rel=1e-9)
    cut = next(e for e in bare.events if isinstance(e, ev.ExportRestriction))
    assert cut.to is not None
    # stockpile-release with its defaults: 60 days of the cut flow, released at the rate cut
    stock = bare.model_copy(update={"mitigations": [
        ev.StockpileRelease(region=r, sector=cut.sector or "", origin=cut.region,
                            days_of_use=60, start_day=cut.start_day, daily_share=cut.share)
        for r in cut.to]})
    assert row(pymrio_doc, "stockpile-release")["loss_avoided"] == pytest.approx(
        base - run(mrio, stock, None), rel=1e-9, abs=1e-6)
    # equity-offtake: the largest exporter of mining to third regions, half its spare sales
    S, s = len(mrio.sectors), mrio.sector_index("mining")
    fd = mrio.final_demand_by_region()
    mitigations = []
    for importer in cut.to:
        out = {cut.region, importer}

        def sales(region: str, out: set[str] = out) -> float:
            i = mrio.region_index(region) * S + s
            return sum(float(mrio.Z[i, d * S:(d + 1) * S].sum() + fd[i, d])
                       for d, name in enumerate(mrio.regions) if name not in out | {region})

        alt = max((r for r in mrio.regions if r not in out), key=sales)
        i_cut = mrio.index(cut.region, "mining")
        r_imp = mrio.region_index(importer)
        flow = float(mrio.Z[i_cut, r_imp * S:(r_imp + 1) * S].sum() + fd[i_cut, r_imp])
        mitigations.append(ev.DiversifySupplier(
            sector="mining", origin=cut.region, alternative=alt, region=importer,
            share=min(1.0, 0.5 * sales(alt) / (cut.share * flow)), start_day=cut.start_day + 30,
            ramp_days=90, max_capacity_increase=0.5 * sales(alt) / float(mrio.x[mrio.index(
                alt, "mining")])))
    offtake = bare.model_copy(update={"mitigations": mitigations})
    assert row(pymrio_doc, "equity-offtake")["loss_avoided"] == pytest.approx(
        base - run(mrio, offtake, None), rel=1e-6, abs=1e-6)
    # government dialogue: the restriction ends 60 days earlier
    shorter = bare.model_copy(update={"events": [
        e.model_copy(update={"duration_days": e.duration_days - 60})
        if isinstance(e, ev.ExportRestriction) else e for e in bare.events]})
    assert row(pymrio_doc, "export-control-dialogue")["loss_avoided"] == pytest.approx(
        base - run(mrio, shorter, None), rel=1e-9)


def test_ranking_is_consistent_with_its_figures(pymrio_doc: dict[str, Any]) -> None:
    rows = pymrio_doc["rows"]
    assert [r["rank"] for r in rows] == list(range(1, len(rows) + 1))
    simulated = [r for r in rows if r["simulated"]]
    others = [r for r in rows if not r["simulated"]]
    assert rows == simulated + others
    avoided = [r["loss_avoided"] for r in simulated]
    assert avoided == sorted(avoided, reverse=True)
    assert [(r["time_to_effect_days"], r["cost"]["value"]) for r in others] == sorted(
        (r["time_to_effect_days"], r["cost"]["value"]) for r in others)
    for r in simulated:
        assert r["loss_avoided_per_cost"] == pytest.approx(r["loss_avoided"]
                                                           / r["cost"]["value"])
        assert r["loss_avoided_share"] == pytest.approx(r["loss_avoided"]
                                                        / pymrio_doc["baseline_loss"])
        assert r["evidence"]["added"] or r["evidence"]["changed"]
    assert pymrio_doc["assumptions"] and pymrio_doc["sources"]
    assert len(pymrio_doc["runs"]) == len(simulated) + 1


def test_cache_by_finding_catalogue_and_parameters(pymrio_doc: dict[str, Any]) -> None:
    finding = parse_finding(PYMRIO)
    again = recommend(finding)
    assert again["cached"] and again["rows"] == pymrio_doc["rows"]
    other = recommend(finding, options=RecommendOptions(
        measures=("stockpile-release",), parameters={"stockpile-release": {"days": 90}}))
    assert not other["cached"] and [r["id"] for r in other["rows"]] == ["stockpile-release"]
    assert other["rows"][0]["parameters"][0]["value"] == 90


def test_rare_earth_dependency_on_icio(kb: Any) -> None:
    """Japan's rare-earth compounds from China: the stockpile's loss avoided recomputed
    on the ICIO table from a scenario written here."""
    finding = parse_finding(RARE_EARTHS, kb)
    evidence = finding.evidence
    assert evidence["top_suppliers"][0]["country"] == "CHN"
    assert 0.5 < evidence["exporter_share"] < 0.7
    # a 120-day horizon keeps the four ICIO runs short
    doc = recommend(finding, kb, use_cache=False,
                    options=RecommendOptions(measures=("stockpile-release",),
                                             horizon_days=120, duration_days=60))
    scenario = parse_scenario({
        "name": "rare earths", "mrio": "bundled:icio-2022", "horizon_days": 120,
        "report_region": "JPN",
        "model": dict(load_scenario(resolve_scenario(
            "worked:icio-china-critical-minerals-japan")).model.parameters),
        "events": [{"type": "export_restriction", "region": "CHN",
                    "hs": ["284610", "284690", "280530"], "year": 2022, "to": ["JPN"],
                    "share": 0.8, "start_day": 10, "duration_days": 60,
                    "recovery_days": 60}]})
    mrio = prepare(scenario)
    resolved, shocks = resolve_products(scenario, mrio, kb)
    part = shocks[0].main
    base = run(mrio, resolved, "JPN")
    assert doc["baseline_loss"] == pytest.approx(base, rel=1e-9)
    assert base > 0.1  # Japan loses production (million USD): the comparison is not 0 = 0
    cut = resolved.events[0]
    assert isinstance(cut, ev.ExportRestriction)
    stock = resolved.model_copy(update={"mitigations": [ev.StockpileRelease(
        region="JPN", sector=part.sector, origin="CHN", days_of_use=60 * part.share,
        start_day=10, daily_share=cut.share)]})
    avoided = base - run(mrio, stock, "JPN")
    assert abs(avoided) > 0.01
    assert row(doc, "stockpile-release")["loss_avoided"] == pytest.approx(avoided, rel=1e-6)


@pytest.mark.parametrize(("text", "error", "words"), [
    ("", ValidationError, "empty"),
    ("dependancy:JPN:284690:CHN", ValidationError, "did you mean 'dependency'"),
    ("dependency:JPN:2846:CHN", ValidationError, "six-digit"),
    ("dependency:JPN:284690", ValidationError, "three or four parts"),
    ("dependency:JPN:284690:XXX", UnknownNameError, "XXX"),
    ("dependency:JPN:284690:JPN", ValidationError, "both JPN"),
    ("dependency:JPN:284690:CHN:1900", ValidationError, "1900"),
    ("dependency:JPN:999999:CHN", EconsecError, "999999"),
    ("scenario:worked:nowhere", ValidationError, "nowhere"),
    ("technology:no-such-tech", UnknownNameError, "no-such-tech"),
])
def test_bad_findings_are_refused_clearly(kb: Any, text: str, error: type[Exception],
                                          words: str) -> None:
    from econsec.techmgmt.registry import bundled_list

    with pytest.raises(error) as caught:
        parse_finding(text, kb, technologies=bundled_list().technologies)
    assert words in str(caught.value)


def test_bad_options_are_refused() -> None:
    finding = parse_finding(PYMRIO)
    with pytest.raises(ValidationError, match="does not address"):
        recommend(finding, options=RecommendOptions(measures=("export-control",)))
    with pytest.raises(UnknownNameError, match="stockpile-release"):
        recommend(finding, options=RecommendOptions(measures=("stockpile",)))
    with pytest.raises(ValidationError, match="outside"):
        recommend(finding, options=RecommendOptions(
            parameters={"stockpile-release": {"days": 1000}}))


def test_cli(tmp_path: Path, built_db: Path) -> None:
    listed = json.loads(run_cli("measures", "list", "--format", "json").stdout)
    assert len(listed["measures"]) >= 13
    shown = run_cli("measures", "show", "equity-offtake").stdout
    assert "diversify_supplier" in shown and "海外鉱山" in shown
    bad = tmp_path / "bad.yaml"
    from econsec.policy.catalogue import bundled_catalogue_path

    text = bundled_catalogue_path().read_text(encoding="utf-8").replace(
        "    pillar: promotion\n", "    pillar: promotion\n    colour: red\n", 1)
    bad.write_text(text, encoding="utf-8")
    line = text[:text.index("colour: red")].count("\n") + 1
    refused = run_cli("measures", "validate", str(bad), check=False)
    assert refused.returncode == 2
    assert f"line {line}" in refused.stderr and "unknown key 'colour'" in refused.stderr
    assert run_cli("measures", "validate", str(bundled_catalogue_path())).returncode == 0
    tech = run_cli("recommend", "--finding", "technology:multilayer-ceramic-capacitors",
                   "--format", "csv", db=built_db).stdout
    assert tech.splitlines()[0].startswith("rank,id,pillar")
    assert "technology-management" in tech and "not simulated" in tech
    ranked = json.loads(run_cli("recommend", "--finding", PYMRIO, "--measure",
                                "stockpile-release", "--format", "json", db=built_db).stdout)
    assert [r["id"] for r in ranked["rows"]] == ["stockpile-release"]
    wrong = run_cli("recommend", "--finding", "dependency:JPN:2846:CHN", db=built_db,
                    check=False)
    assert wrong.returncode == 2 and "six-digit" in wrong.stderr
    assert "Traceback" not in wrong.stderr


def test_report_section_is_cheap_and_labelled(kb: Any, monkeypatch: pytest.MonkeyPatch,
                                              tmp_path: Path) -> None:
    """Without a saved ranking the report shows the home country's most concentrated
    dependency, not simulated (no scenario run), with the command that ranks it."""
    import time
    from functools import partial
    from types import SimpleNamespace

    from econsec.i18n.units import unit_text
    from econsec.policy.report import report_recommendation, top_dependency
    from econsec.reports.render import render

    monkeypatch.setenv("ECONSEC_CACHE_DIR", str(tmp_path))
    stage = SimpleNamespace(stage="compound", hs_codes=["284690"])
    rows = [SimpleNamespace(top_import_source="CHN", top_import_share=0.6, import_total=5.0,
                            trade_stage="compound", trade_stages=[stage], import_year=2022),
            SimpleNamespace(top_import_source="JPN", top_import_share=0.9, import_total=1.0,
                            trade_stage="compound", trade_stages=[stage], import_year=2022)]
    assert top_dependency("JPN", rows) == "dependency:JPN:284690:CHN"
    started = time.perf_counter()
    doc = report_recommendation(kb, "JPN", rows)
    assert time.perf_counter() - started < 2
    assert doc is not None and not doc["cached"] and not doc["runs"]
    assert all(not r["simulated"] for r in doc["rows"])
    assert doc["command"] == "econsec recommend --finding dependency:JPN:284690:CHN"
    assert not (tmp_path / "policy").exists()  # an unsimulated ranking is not cached
    doc["assumptions_by_lang"] = {"ja": ["前提"], "en": ["assumption"]}
    for lang, words in (("ja", "推奨される措置"), ("en", "Not simulated in this report")):
        html = render("_policy.html.j2", lang, policy=doc, unit=partial(unit_text, lang=lang))
        assert words in html and "econsec recommend --finding" in html
