"""Scenario runs on pymrio's test system: totals as BoARIO reports them, variants, outputs,
and the ``simulate`` command (Typer in-process and ``python -m econsec`` end to end)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from econsec.errors import EconsecError, UnknownNameError
from econsec.io_models.ario import simulate
from econsec.io_models.loaders import load_mrio
from econsec.scenarios.outputs import DAILY_COLUMNS, write_outputs
from econsec.scenarios.runner import daily_production_change, run_scenario
from econsec.scenarios.schema import build_events, build_mitigations, load_scenario
from test_scenario_schema import ISSUE_YAML

WITH_MEASURES = ISSUE_YAML.replace("horizon_days: 365", "horizon_days: 150") + """\
mitigations:
  - {type: stockpile_release, region: reg1, sector: mining, origin: reg3, days_of_use: 30, start_day: 10}
  - {type: substitute, label: switch suppliers, region: reg2, sector: mining, share: 0.5, start_day: 10}
compare_mitigations: true
"""  # noqa: E501


@pytest.fixture(scope="module")
def mrio():
    return load_mrio("pymrio:test")


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory, mrio):
    path = tmp_path_factory.mktemp("scn") / "measures.yaml"
    path.write_text(WITH_MEASURES, encoding="utf-8")
    return run_scenario(load_scenario(path), mrio=mrio)


def test_issue_scenario_totals_are_the_simulators(tmp_path: Path, mrio) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(ISSUE_YAML, encoding="utf-8")
    scenario = load_scenario(path)
    calls: list[tuple[str, int, int]] = []
    res = run_scenario(scenario, mrio=mrio, progress=lambda *a: calls.append(a))
    direct = simulate(mrio, build_events(scenario), horizon_days=365)
    doc = res.to_dict()
    assert doc["days"] == 365 and doc["horizon_days"] == 365 and doc["unit"] == "Mill USD"
    assert doc["total_production_change"] == direct.total_production_change
    assert doc["total_final_demand_unmet"] == direct.total_final_demand_unmet
    # totals are sums over all simulated days of the daily values (BoARIO's convention)
    sim = res.main.result
    assert doc["total_production_change"] == pytest.approx(
        float((sim.production - sim.baseline_production).sum()), rel=1e-12)
    assert daily_production_change(sim).sum() == pytest.approx(
        doc["total_production_change"], rel=1e-9)
    assert doc["total_final_demand_unmet"] == pytest.approx(
        float(sim.final_demand_unmet.sum()), rel=1e-12)
    assert doc["total_production_change"] < 0 < doc["total_final_demand_unmet"]
    assert doc["worst_hit"][0] == {"region": "reg2", "sector": "mining",
                                   "min_relative_production": pytest.approx(0.5), "day": 6}
    assert doc["recovery_day"] == direct.recovery_day
    assert [v["name"] for v in doc["variants"]] == ["no measures"]
    assert calls and calls[-1] == ("no measures", 365, 365)
    assert json.loads(json.dumps(doc)) == doc


def test_variants_compare_each_measure(result, mrio) -> None:
    doc = result.to_dict()
    names = [v["name"] for v in doc["variants"]]
    assert names == ["all measures", "no measures",
                     "only stockpile_release reg1/mining", "only switch suppliers"]
    by_name = {v["name"]: v for v in doc["variants"]}
    assert doc["total_production_change"] == by_name["all measures"]["total_production_change"]
    assert by_name["no measures"]["production_loss_avoided"] == 0
    scenario = result.scenario
    alone = simulate(mrio, build_events(scenario), build_mitigations(scenario, [1]),
                     horizon_days=150)
    assert by_name["only switch suppliers"]["total_final_demand_unmet"] == pytest.approx(
        alone.total_final_demand_unmet, rel=1e-12)
    base = by_name["no measures"]
    for v in doc["variants"]:
        assert v["final_demand_unmet_avoided"] == pytest.approx(
            base["total_final_demand_unmet"] - v["total_final_demand_unmet"])
    # substitution between suppliers reduces unmet final demand here
    assert by_name["only switch suppliers"]["final_demand_unmet_avoided"] > 0


def test_outputs_are_written_and_readable(result, tmp_path: Path) -> None:
    written = write_outputs(result, tmp_path / "out")
    assert set(written) == {"parquet", "csv", "json", "html"}
    table = pq.read_table(written["parquet"])
    assert tuple(table.column_names) == DAILY_COLUMNS
    n_variants, n = len(result.variants), 48
    assert table.num_rows == n_variants * 150 * n
    frame = table.to_pandas()
    main = frame[frame["variant"] == "all measures"]
    sim = result.main.result
    assert np.allclose(main["production"].to_numpy(), sim.production.ravel())
    hit = main[(main["region"] == "reg2") & (main["sector"] == "mining")]
    assert hit["relative_production"].min() == pytest.approx(0.5)
    with written["csv"].open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == table.num_rows and tuple(rows[0]) == DAILY_COLUMNS
    assert float(rows[0]["production"]) == pytest.approx(frame["production"].iloc[0])
    doc = json.loads(written["json"].read_text(encoding="utf-8"))
    assert doc == json.loads(json.dumps(result.to_dict()))
    page = written["html"].read_text(encoding="utf-8")
    assert "<script src=" not in page and "Plotly.newPlot" in page
    assert len(page) > 1_000_000  # plotly.js inlined
    assert "only switch suppliers" in page


def test_unknown_sector_stops_before_simulating(tmp_path: Path, mrio) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(ISSUE_YAML.replace("region: reg3, sector: mining",
                                       "region: reg3, sector: minig"), encoding="utf-8")
    with pytest.raises(UnknownNameError, match=r"did you mean: mining\?") as info:
        run_scenario(load_scenario(path), mrio=mrio)
    assert info.value.location.column == "events[2].sector"


# --------------------------------------------------------------------------- CLI


def cli(*args: str):
    import typer

    from econsec.cli.simulate_cmd import scenarios, simulate

    app = typer.Typer()
    app.command()(simulate)
    app.command()(scenarios)
    return CliRunner().invoke(app, list(args))


def test_simulate_command_formats(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(WITH_MEASURES, encoding="utf-8")
    res = cli("simulate", str(path), "--format", "json", "--out", str(tmp_path / "o"))
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert {"name", "mrio", "unit", "horizon_days", "days", "total_production_change",
            "total_final_demand_unmet", "worst_hit", "recovery_day", "variants",
            "sources", "notes"} <= set(doc)
    assert (tmp_path / "o" / "daily.parquet").exists()
    res = cli("simulate", str(path), "--format", "csv")
    rows = list(csv.DictReader(res.stdout.splitlines()))
    assert [r["variant"] for r in rows] == [v["name"] for v in doc["variants"]]
    assert float(rows[0]["total_production_change"]) == pytest.approx(
        doc["total_production_change"])
    res = cli("simulate", str(path))
    assert res.exit_code == 0 and "Worst hit" in res.stdout and "no measures" in res.stdout
    res = cli("scenarios", "--format", "json")
    assert "worked:bea-primary-metals" in {s["ref"] for s in json.loads(res.stdout)["scenarios"]}


def test_simulate_command_errors_are_econsec_errors(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(ISSUE_YAML.replace("share: 0.8", "share: 1.8"), encoding="utf-8")
    res = cli("simulate", str(path))
    assert isinstance(res.exception, EconsecError)
    assert "above 100 %" in str(res.exception)


def test_simulate_end_to_end_in_a_subprocess(tmp_path: Path) -> None:
    from conftest import run_cli

    doc = json.loads(run_cli("simulate", "worked:pymrio-test-mining-outage", "--single",
                             "--format", "json", "--out", str(tmp_path / "o")).stdout)
    assert doc["variants"][0]["name"] == "all measures" and len(doc["variants"]) == 6
    assert (tmp_path / "o" / "chart.html").exists()
    path = tmp_path / "bad.yaml"
    path.write_text(ISSUE_YAML.replace("region: reg3, sector: mining",
                                       "region: reg3, sector: minig"), encoding="utf-8")
    proc = run_cli("simulate", str(path), check=False)
    assert proc.returncode == 2
    assert "events[2].sector" in proc.stderr and "did you mean: mining?" in proc.stderr
    proc = run_cli("simulate", str(tmp_path / "missing.yaml"), check=False)
    assert proc.returncode == 2 and "not found" in proc.stderr
