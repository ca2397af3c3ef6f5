"""The stress test of import dependencies on the real knowledge base and ICIO table: a small
run (three dependencies, one severity, 30 days) gives the same numbers serially and on a Dask
LocalCluster of two worker processes; its ranking and losses agree with an independent
recomputation (trade flows summed here, the case's event simulated directly); bad input is
refused on the command line; the page and the report show the saved result."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest

from conftest import run_cli
from econsec.io_models.ario import simulate
from econsec.io_models.events import DiversifySupplier, ExportRestriction, StockpileRelease
from econsec.io_models.loaders import load_mrio
from econsec.kb.store import open_store
from econsec.scenarios.executors import DaskExecutor, SerialExecutor
from econsec.scenarios.stress_models import StressTestResult
from econsec.scenarios.stress_test import load_saved, run_stress_test, save_result
from test_ja_everywhere import english_left, visible_text
from web_server import live_server

DAYS = 30
SEVERITY = 0.9


@pytest.fixture(scope="module")
def mrio():  # type: ignore[no-untyped-def]
    return load_mrio("bundled:icio-2022")


@pytest.fixture(scope="module")
def kb(built_db: Path):  # type: ignore[no-untyped-def]
    return open_store(f"sqlite:///{built_db}")


@pytest.fixture(scope="module")
def serial(kb, mrio) -> StressTestResult:  # type: ignore[no-untyped-def]
    return run_stress_test(kb, mrio, country="JPN", top=3, severities=(SEVERITY,), days=DAYS,
                           executor=SerialExecutor())


@pytest.fixture(scope="module")
def data_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A private user data folder (the saved result goes there), for this module only."""
    path = tmp_path_factory.mktemp("data-home")
    before = os.environ.get("XDG_DATA_HOME")
    os.environ["XDG_DATA_HOME"] = str(path)
    yield path
    if before is None:
        os.environ.pop("XDG_DATA_HOME", None)
    else:
        os.environ["XDG_DATA_HOME"] = before


def _numbers(result: StressTestResult) -> list[tuple[str, float, float, list[float]]]:
    return [(d.hs, c.lost_output, c.world_production_change,
             [m.lost_output for m in c.mitigations])
            for d in result.dependencies for c in d.cases]


def test_dask_local_cluster_gives_the_serial_numbers(kb, mrio, serial) -> None:  # type: ignore[no-untyped-def]
    progress: list[tuple[str, int, int]] = []
    on_dask = run_stress_test(kb, mrio, country="JPN", top=3, severities=(SEVERITY,),
                              days=DAYS, executor=DaskExecutor(workers=2),
                              progress=lambda *a: progress.append(a))
    assert on_dask.executor.startswith("dask (LocalCluster, 2 workers")
    assert on_dask.runs == serial.runs >= 3 * 2
    assert progress[-1] == ("stress-test runs", serial.runs, serial.runs)
    a, b = _numbers(serial), _numbers(on_dask)
    assert [x[0] for x in a] == [x[0] for x in b]
    np.testing.assert_allclose([x[1:3] for x in a], [x[1:3] for x in b], rtol=1e-9, atol=1e-9)
    for x, y in zip(a, b, strict=True):
        np.testing.assert_allclose(x[3], y[3], rtol=1e-9, atol=1e-9)


def test_the_dependencies_are_the_largest_imports_from_the_trade_flows(kb, serial) -> None:  # type: ignore[no-untyped-def]
    """Recomputed here from every product's flows into Japan: value in the latest year,
    one entry per HS code, the three largest; the top supplier and its share."""
    totals: dict[str, tuple[int, float, dict[str, float]]] = {}
    for product in kb.trade_products():
        flows = [f for f in kb.product_flows(product.hs_code, hs_version=product.hs_version,
                                             importer="JPN") if f.value and f.value > 0]
        if not flows:
            continue
        year = max(f.year for f in flows)
        by = {}
        for f in flows:
            if f.year == year:
                by[f.exporter] = by.get(f.exporter, 0.0) + f.value
        held = totals.get(product.hs_code)
        if held is None or (year, sum(by.values())) > (held[0], held[1]):
            totals[product.hs_code] = (year, sum(by.values()), by)
    largest = sorted(totals, key=lambda hs: -totals[hs][1])[:3]
    assert sorted(d.hs for d in serial.dependencies) == sorted(largest)
    for d in serial.dependencies:
        year, total, by = totals[d.hs]
        top = max(by, key=lambda k: by[k])
        assert (d.year, d.top_supplier) == (year, top)
        assert d.import_value == pytest.approx(total, rel=1e-12)
        assert d.top_supplier_share == pytest.approx(by[top] / total, rel=1e-12)
        assert "oecd-icio-2022" in d.sources and any("baci" in s for s in d.sources)


def test_ranking_and_losses_agree_with_a_direct_simulation(mrio, serial) -> None:  # type: ignore[no-untyped-def]
    deps = serial.dependencies
    assert [d.rank for d in deps] == [1, 2, 3]
    losses = [d.lost_output for d in deps]
    assert losses == sorted(losses, reverse=True)
    worst = deps[0].cases[-1]
    assert worst.severity == SEVERITY and worst.lost_output > 0
    events = [ExportRestriction(**e) for e in worst.events]
    assert events[0].to == ["JPN"] and events[0].duration_days == DAYS
    part = worst.conversion["parts"][0]
    assert events[0].share == pytest.approx(SEVERITY * part["share"], rel=1e-6)
    S = len(mrio.sectors)
    jpn = slice(mrio.region_index("JPN") * S, (mrio.region_index("JPN") + 1) * S)

    def lost(result) -> float:  # type: ignore[no-untyped-def]
        return float((result.baseline_production[jpn] - result.production[:, jpn]).sum())

    direct = simulate(mrio, events, horizon_days=DAYS)
    assert worst.lost_output == pytest.approx(lost(direct), rel=1e-9)
    per_industry = (direct.baseline_production[jpn] - direct.production[:, jpn]).sum(axis=0)
    top = mrio.sectors[int(np.argmax(per_industry))]
    assert worst.worst_hit[0].sector == top
    assert worst.worst_hit[0].name_ja and worst.worst_hit[0].name_en != worst.worst_hit[0].name_ja
    for outcome in worst.mitigations:
        kind = DiversifySupplier if outcome.type == "diversify_supplier" else StockpileRelease
        measure = kind(**outcome.measure)
        with_it = simulate(mrio, events, [measure], horizon_days=DAYS)
        assert outcome.lost_output == pytest.approx(lost(with_it), rel=1e-9)
        assert outcome.avoided == pytest.approx(worst.lost_output - lost(with_it), rel=1e-9)
    avoided = {o.type: o.avoided for o in worst.mitigations}
    best = max(avoided, key=lambda k: avoided[k])
    assert worst.best_mitigation == (best if avoided[best] > 0 else None)


@pytest.mark.parametrize(("args", "message"), [
    (["--country", "XXX"], "unknown country 'XXX'"),
    (["--country", "JPN", "--severities", "0,0.5"], "severity 0 is outside (0, 1]"),
    (["--country", "JPN", "--severities", "1.5"], "severity 1.5 is outside (0, 1]"),
    (["--country", "JPN", "--top", "0"], "--top 0: give at least 1"),
])
def test_bad_input_is_refused_before_any_run(built_db: Path, args: list[str],
                                             message: str) -> None:
    proc = run_cli("stress-test", *args, "--executor", "serial", db=built_db, check=False)
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr and "Traceback" not in proc.stderr


def test_cli_json_is_saved_and_shown_on_the_page(
        built_db: Path, data_home: Path, serial: StressTestResult) -> None:
    proc = run_cli("stress-test", "--country", "jpn", "--top", "1", "--severities", "0.9",
                   "--days", str(DAYS), "--executor", "serial", "--format", "json",
                   db=built_db, env={"XDG_DATA_HOME": str(data_home)})
    doc = json.loads(proc.stdout)
    assert doc["country"] == "JPN" and doc["days"] == DAYS and doc["runs"] >= 2
    same = {d.hs: d.cases[0].lost_output for d in serial.dependencies}
    assert len(doc["dependencies"]) == 1  # the largest import, as in the serial run
    for d in doc["dependencies"]:
        assert d["cases"][0]["lost_output"] == pytest.approx(same[d["hs"]], rel=1e-9)
    first = doc["dependencies"][0]["cases"][0]
    assert first["conversion"]["parts"][0]["supplier"].endswith("/" + first["events"][0]["sector"])
    assert "oecd-icio-2022" in doc["sources"] and doc["notes"]
    saved = load_saved("JPN")
    assert saved is not None and saved.runs == doc["runs"]
    save_result(serial)  # the page shows three dependencies
    with live_server(built_db) as live:
        en = httpx.get(live.url + "/stress-test?lang=en", timeout=60)
        ja = httpx.get(live.url + "/stress-test?lang=ja", timeout=60)
        none = httpx.get(live.url + "/stress-test?country=USA&lang=ja", timeout=60)
        bad = httpx.get(live.url + "/stress-test?country=12", timeout=60)
        _browser_checks(live.url)
    assert en.status_code == ja.status_code == none.status_code == 200
    assert bad.status_code == 422
    for d in serial.dependencies:
        assert d.description in en.text and (d.description_ja or d.description) in ja.text
    assert "Ranking by lost output" in en.text and "生産損失の順位" in ja.text
    shown = visible_text(ja.text)
    left = english_left(shown, [])
    assert not left, left
    assert "econsec stress-test --country USA" in none.text


def test_the_report_section_ranks_the_saved_result(serial: StressTestResult) -> None:
    """The report's section (what ``econsec report`` includes when a result is saved for
    the home country) in both languages."""
    from econsec.reports.render import render
    from econsec.scenarios.stress_test import MEASURE_NAMES

    doc = serial.model_dump()
    countries = {"AUS": {"en": "Australia", "ja": "オーストラリア"}}
    html = {lang: render("_stress_test.html.j2", lang, stress=doc, measures=MEASURE_NAMES,
                         data={"countries": countries}) for lang in ("ja", "en")}
    assert 'id="stress-test-ja"' in html["ja"] and "輸入依存のストレステスト" in html["ja"]
    for d in serial.dependencies:
        assert html["en"].index(d.description) > 0
        assert f'<td class="num">{d.rank}</td>' in html["en"]
    order = [html["en"].index(d.description) for d in serial.dependencies]
    assert order == sorted(order)
    assert not english_left(visible_text(html["ja"]), [])


def _browser_checks(url: str) -> None:
    """The chart draws and nothing scrolls sideways at 1280 and 375 px, in both languages."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        try:
            for width in (1280, 375):
                page = browser.new_page(viewport={"width": width, "height": 900})
                for lang in ("ja", "en"):
                    page.goto(f"{url}/stress-test?lang={lang}", wait_until="load")
                    page.wait_for_selector(".chart[data-drawn='1']", timeout=20_000)
                    bars = page.evaluate("document.querySelectorAll('.chart .bars path').length")
                    assert bars >= 3, (width, lang, bars)
                    wide = page.evaluate("document.documentElement.scrollWidth")
                    assert wide <= width + 1, (width, lang, wide)
                page.close()
        finally:
            browser.close()
