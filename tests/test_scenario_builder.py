"""The scenario builder on /scenarios: the table's regions and sectors as choices, a YAML
file that the scenario reader accepts for every event and measure type, a run through the
job API from the form, and unknown names answered with every name the table has."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from econsec.kb.store import open_store
from econsec.kb.testing import sample_bundle
from econsec.scenarios.schema import (
    UnknownTableNameError,
    check_names,
    parse_scenario,
    read_document,
)
from web_server import LiveServer, live_server

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
EVENTS = ("capacity_loss", "capital_destroyed", "export_restriction", "demand_change",
          "chokepoint_closure")
MEASURES = ("stockpile_release", "diversify_supplier", "substitute", "recycle")
REGIONS = ["reg1", "reg2", "reg3", "reg4", "reg5", "reg6"]
SECTORS = ["food", "mining", "manufactoring", "electricity", "construction", "trade",
           "transport", "other"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    db = tmp_path_factory.mktemp("builder") / "kb.db"
    store = open_store(f"sqlite:///{db}")
    store.import_bundle(sample_bundle())
    store.close()
    with live_server(db) as live:
        yield live


def wait_js(page: Any, expression: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {expression}")
        page.wait_for_timeout(50)


def test_builder_form_in_both_languages(server: LiveServer) -> None:
    en = httpx.get(server.url + "/scenarios", params={"lang": "en"}).text
    ja = httpx.get(server.url + "/scenarios", params={"lang": "ja"}).text
    assert 'id="builder"' in en and "Build a scenario" in en and "Stockpile release" in en
    assert "シナリオを作成" in ja and "備蓄の放出" in ja and "輸出制限" in ja
    for html in (en, ja):
        for kind in (*EVENTS, *MEASURES):
            assert f'value="{kind}"' in html
        assert '<option value="bundled:bea-2023">' in html
        assert 'src="/static/scenario-builder.js?v=' in html and "<script>" not in html


def test_names_of_a_table(server: LiveServer) -> None:
    doc = httpx.get(server.url + "/scenarios/names", params={"mrio": "pymrio:test"}).json()
    assert doc["regions"] == REGIONS
    assert [s["code"] for s in doc["sectors"]] == SECTORS
    refused = httpx.get(server.url + "/scenarios/names", params={"mrio": "/etc"})
    assert refused.status_code == 422 and "/etc" not in refused.text


def test_unknown_names_list_the_valid_ones() -> None:
    data, lines = read_document("name: x\nmrio: pymrio:test\nhorizon_days: 20\nevents:\n"
                                "  - {type: capacity_loss, region: reg2, sector: minnig, "
                                "share: 0.5, start_day: 1}\n", file="s.yaml")
    scenario = parse_scenario(data, file="s.yaml", lines=lines)
    with pytest.raises(UnknownTableNameError) as info:
        check_names(scenario, REGIONS, SECTORS)
    text = str(info.value)
    assert "did you mean: mining" in text
    assert "The table's names: " + ", ".join(SECTORS) in text
    assert info.value.location.column == "events[0].sector" and info.value.location.line == 5
    ja = info.value.translate("ja")
    assert "表にある名前" in ja and "mining" in ja
    no_match = parse_scenario({**data, "events": [{**data["events"][0], "region": "zz"}]})
    with pytest.raises(UnknownTableNameError, match="the table's names: reg1, reg2"):
        check_names(no_match, REGIONS, SECTORS)


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no /usr/bin/chromium")
def test_builder_writes_valid_yaml_and_runs_it(server: LiveServer) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(server.url + "/scenarios?lang=en")
        wait_js(page, "document.getElementById('b-yaml').value.includes('region: reg2')")
        sectors = page.eval_on_selector_all("#b-sector option", "os => os.map(o => o.value)")
        assert sectors == SECTORS
        for _ in MEASURES:
            page.click("#b-add")
        boxes = page.query_selector_all("#b-measures .measure")
        for box, kind in zip(boxes, MEASURES, strict=True):
            box.query_selector('[data-field="type"]').select_option(kind)
        for kind in EVENTS:
            page.select_option("#b-type", kind)
            text = page.eval_on_selector("#b-yaml", "e => e.value")
            data, lines = read_document(text, file="built.yaml")
            scenario = parse_scenario(data, file="built.yaml", lines=lines)
            check_names(scenario, REGIONS, SECTORS)
            assert scenario.events[0].type == kind
            assert [m.type for m in scenario.mitigations] == list(MEASURES)
        href = page.get_attribute("#b-download", "href")
        assert href.startswith("data:application/yaml") and "chokepoint_closure" in href
        # one measure, a short horizon: run it through the job API from the form
        for remove in page.query_selector_all("#b-measures [data-remove]")[1:]:
            remove.click()
        page.select_option("#b-type", "capacity_loss")
        page.fill("#b-horizon", "40")
        page.click("#b-run")
        wait_js(page, "!document.getElementById('results').hidden"
                      " || !document.getElementById('run-error').hidden", 90)
        assert page.eval_on_selector("#run-error", "e => e.hidden"), page.inner_text("#run-error")
        assert "My scenario" in page.inner_text("#result-summary")
        rows = page.eval_on_selector_all("#comparison tbody tr", "rs => rs.length")
        assert rows == 2  # all measures, no measures
        assert not errors, errors
        browser.close()


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no /usr/bin/chromium")
def test_result_chart_names_the_unit_in_japanese(server: LiveServer) -> None:
    """The production-change chart's axis reads the table's unit in the page language."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(server.url + "/scenarios?lang=ja")
        wait_js(page, "document.getElementById('b-yaml').value.includes('region: reg2')")
        page.select_option("#b-mrio", "bundled:bea-2023")  # unit "Million USD (current)"
        wait_js(page, "document.getElementById('b-yaml').value.includes('bundled:bea-2023')"
                      " && !document.getElementById('b-yaml').value.includes('region: reg2')")
        page.fill("#b-horizon", "40")
        page.click("#b-run")
        wait_js(page, "!!document.querySelector('#chart-loss .ytitle')"
                      " || !document.getElementById('run-error').hidden", 90)
        assert page.eval_on_selector("#run-error", "e => e.hidden"), page.inner_text("#run-error")
        axis = page.eval_on_selector("#chart-loss .ytitle", "e => e.textContent")
        summary = page.inner_text("#result-summary")
        # the worst-hit sectors are named, not only coded ("USA · 111CA Farms")
        wait_js(page, "[...document.querySelectorAll('#chart-sectors .legendtext')]"
                      ".some(e => e.textContent.split(' ').length > 3)", 30)
        legend = page.eval_on_selector_all("#chart-sectors .legendtext",
                                           "es => es.map(e => e.textContent)")
        browser.close()
    assert legend and all(len(entry.split(" ")) > 3 for entry in legend), legend
    unit = summary.rsplit(": ", 1)[-1].strip()
    assert axis == unit, (axis, summary)
    assert axis == "百万ドル（名目）", axis
