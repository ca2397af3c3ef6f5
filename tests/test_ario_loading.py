"""Loading the MRIO of a scenario: progress names each loading step, and the table is read
from its binary copy the second time."""

from __future__ import annotations

from pathlib import Path

import pytest

from econsec.io_models import mrio_cache
from econsec.scenarios.runner import run_scenario
from econsec.scenarios.schema import load_scenario

SCENARIO = """name: loading steps
mrio: pymrio:test
horizon_days: 12
events:
  - {type: capacity_loss, region: reg2, sector: mining, share: 0.5, start_day: 2,
     duration_days: 4, recovery_days: 4}
"""


def test_progress_names_the_loading_steps(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ECONSEC_CACHE_DIR", str(tmp_path / "cache"))
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    spec = load_scenario(path)
    calls: list[tuple[str, int, int]] = []
    first = run_scenario(spec, progress=lambda *a: calls.append(a))
    assert calls[:4] == [
        (mrio_cache.READING_SOURCE, 0, 1), (mrio_cache.READING_SOURCE, 1, 1),
        (mrio_cache.SAVING_CACHE, 0, 1), (mrio_cache.SAVING_CACHE, 1, 1)]
    calls.clear()
    second = run_scenario(spec, progress=lambda *a: calls.append(a))
    assert calls[:2] == [(mrio_cache.READING_CACHE, 0, 1), (mrio_cache.READING_CACHE, 1, 1)]
    assert calls[2][0] == second.main.name  # then the simulated days
    assert (first.main.result.production == second.main.result.production).all()


def test_web_job_progress_names_the_loading_steps(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from types import SimpleNamespace

    from econsec.scenarios.texts import render
    from econsec.web.api import scenarios as api

    monkeypatch.setenv("ECONSEC_CACHE_DIR", str(tmp_path / "cache"))
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    spec = load_scenario(path)
    shown: list[str] = []

    class Control:
        def __call__(self, fraction: float, message: object = "") -> None:
            shown.append(render(message) if not isinstance(message, str) else message)

        def check(self, *_: object) -> None:
            pass

    api._run(SimpleNamespace(services={}, store=None), spec, 5, Control())  # type: ignore[arg-type]
    assert shown[:3] == ["loading the MRIO",
                         "loading the MRIO: reading it with pymrio (slower the first time)",
                         "loading the MRIO: saving a copy for the next runs"]
    shown.clear()
    # a new app: a saved copy
    api._run(SimpleNamespace(services={}, store=None), spec, 5, Control())
    assert shown[:2] == ["loading the MRIO", "loading the MRIO: reading its saved copy"]
