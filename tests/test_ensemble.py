"""Ensembles: reproducible for a seed whatever the executor, including a real Dask
``LocalCluster`` of two worker processes."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from econsec.io_models.loaders import load_mrio
from econsec.scenarios.ensemble import PERCENTILES, aligned, run_ensemble
from econsec.scenarios.executors import DaskExecutor, ProcessExecutor, SerialExecutor
from econsec.scenarios.outputs import write_outputs
from econsec.scenarios.schema import load_scenario

ENSEMBLE_YAML = """\
name: mining outage ensemble
mrio: pymrio:test
horizon_days: 60
model: {type: ario}
events:
  - {type: capacity_loss, region: reg2, sector: mining, share: 0.5, start_day: 5, duration_days: 20, recovery_days: 20}
  - {type: export_restriction, region: reg3, sector: mining, to: [reg1, reg2], share: 0.8, start_day: 10, duration_days: 40}
mitigations:
  - {type: substitute, region: reg2, sector: mining, share: 0.5, start_day: 10}
compare_mitigations: true
ensemble:
  runs: 6
  seed: 7
  parameters:
    model.psi_param: {dist: uniform, low: 0.7, high: 0.9}
    events[0].share: {dist: triangular, low: 0.3, mode: 0.5, high: 0.7}
    events[1].duration_days: {dist: choice, values: [20, 30, 40]}
"""  # noqa: E501


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("ens") / "ensemble.yaml"
    path.write_text(ENSEMBLE_YAML, encoding="utf-8")
    return load_scenario(path)


@pytest.fixture(scope="module")
def mrio():
    return load_mrio("pymrio:test")


@pytest.fixture(scope="module")
def serial(scenario, mrio):
    return run_ensemble(scenario, executor=SerialExecutor(), mrio=mrio)


def assert_same(a, b) -> None:
    for name in ("daily_production_change", "daily_final_demand_unmet",
                 "total_production_change", "total_final_demand_unmet"):
        np.testing.assert_allclose(getattr(a, name), getattr(b, name), rtol=1e-12, atol=0)
    assert a.draws == b.draws


def test_serial_ensemble_bands(serial) -> None:
    assert serial.runs == 6 and serial.seed == 7
    assert serial.daily_production_change.shape == (2, 6, 60)
    doc = serial.to_dict()
    assert [v["name"] for v in doc["variants"]] == ["all measures", "no measures"]
    bands = doc["total_production_change"]
    assert list(bands) == [f"p{p}" for p in PERCENTILES]
    assert bands["p5"] <= bands["p25"] <= bands["p50"] <= bands["p75"] <= bands["p95"] < 0
    assert bands["p50"] == pytest.approx(np.median(serial.total_production_change[0]))
    # the draws differ between runs, so the runs differ
    assert len(set(np.round(serial.total_production_change[1], 6))) == 6
    daily = serial.daily_bands(0)
    assert np.all(daily["p5"] <= daily["p95"])
    assert np.allclose(serial.daily_production_change.sum(axis=2),
                       serial.total_production_change)
    assert json.loads(json.dumps(doc, allow_nan=False))["runs"] == 6


def test_dask_local_cluster_equals_serial(scenario, mrio, serial) -> None:
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=":0") as cluster, Client(cluster) as client:
        progress: list[tuple[str, int, int]] = []
        result = run_ensemble(scenario, executor=DaskExecutor(client=client), mrio=mrio,
                              progress=lambda *a: progress.append(a))
        assert len(client.scheduler_info()["workers"]) == 2
    assert_same(result, serial)
    assert progress[-1] == ("ensemble runs", 12, 12)


def test_process_pool_equals_serial(scenario, mrio, serial) -> None:
    assert_same(run_ensemble(scenario, executor=ProcessExecutor(2), mrio=mrio), serial)


def test_runs_and_seed_override_the_file(scenario, mrio, serial) -> None:
    fewer = run_ensemble(scenario, runs=3, executor=SerialExecutor(), mrio=mrio)
    np.testing.assert_array_equal(fewer.total_production_change,
                                  serial.total_production_change[:, :3])
    other = run_ensemble(scenario, runs=3, seed=8, mrio=mrio)
    assert not np.array_equal(other.total_production_change,
                              serial.total_production_change[:, :3])


def test_ensemble_outputs(serial, tmp_path: Path) -> None:
    written = write_outputs(serial, tmp_path)
    bands = pq.read_table(written["parquet"]).to_pandas()
    assert list(bands.columns) == ["day", "variant", "quantity", "p5", "p25", "p50", "p75",
                                   "p95"]
    assert len(bands) == 2 * 2 * 60
    runs = (tmp_path / "runs.csv").read_text(encoding="utf-8").splitlines()
    assert len(runs) == 1 + 12 and "model.psi_param" in runs[0]
    assert "<script src=" not in written["html"].read_text(encoding="utf-8")


def test_aligned_returns_aligned_arrays(mrio) -> None:
    buffer = np.zeros(mrio.Z.size * 8 + 1, dtype=np.uint8)
    unaligned = np.frombuffer(buffer.data, dtype=float, count=mrio.Z.size, offset=1)
    unaligned = unaligned.reshape(mrio.Z.shape)
    assert not unaligned.flags.aligned
    from dataclasses import replace

    fixed = aligned(replace(mrio, Z=unaligned))
    assert fixed.Z.flags.aligned
    assert aligned(mrio) is mrio
