"""The stress test of Japan's import dependencies on Dask: more than 1,000 ARIO runs on the
bundled OECD ICIO 2022 table (1,550 industries), the speed-up per added worker, and where
the time of a run goes.

Run: ``.venv/bin/python benchmarks/stress_test.py [--db PATH] [--top 100]
[--severities 0.1,0.25,0.5,0.9] [--days 90] [--speedup-runs 120] [--horizon-check 20]``

Steps (each timed; the machine's load average is printed with them):

1. the knowledge base: ``--db``, else a temporary one built by ``econsec init``;
2. preparation: Japan's ``--top`` largest imports (BACI), each converted at every severity
   (product_shocks) with its two measures: the run list (cases × 3 variants);
3. where a run's time goes: six runs in this process under cProfile, split by the ARIO
   loop's functions, and ``build_model`` (done once per worker, not per run);
4. speed-up per worker: the first ``--speedup-runs`` runs on a Dask LocalCluster of one
   worker, then of two (wall time of the runs; cluster start-up apart);
5. the whole run list (more than 1,000 runs) on a LocalCluster of two workers;
6. ``--horizon-check K``: the ranking of the K largest imports at the highest severity with
   the default horizon and with 180 days (Spearman's rank correlation), so that the
   shorter horizon's effect on the ranking is measured, not assumed.

Target: more than 1,000 runs in under 10 minutes on a 2-core machine.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def build_kb(folder: str) -> Path:
    db = Path(folder) / "econsec.db"
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "econsec", "init", "--db", str(db), "--no-lists"],
                   check=True, capture_output=True)
    print(f"knowledge base built by econsec init in {time.perf_counter() - t0:.1f} s")
    return db


def profile_runs(mrio: Any, tasks: list[Any]) -> None:
    """Six runs in this process: time per run and the share of the loop's functions."""
    from econsec.io_models.ario import ARIOParams
    from econsec.io_models.ario_loop import build_model
    from econsec.scenarios.stress_runs import run_one

    t0 = time.perf_counter()
    build_model(mrio, ARIOParams())
    print(f"build_model (once per worker): {time.perf_counter() - t0:.3f} s")
    sample = tasks[:6]
    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.enable()
    for task in sample:
        run_one(mrio, task)
    prof.disable()
    wall = time.perf_counter() - t0
    days = sum(t.days for t in sample)
    print(f"{len(sample)} runs in this process: {wall / len(sample):.2f} s per run, "
          f"{1000 * wall / days:.1f} ms per simulated day")
    stats = pstats.Stats(prof)
    own: dict[str, float] = {}
    for (file, _line, name), row in stats.stats.items():  # type: ignore[attr-defined]
        if "ario_loop" in file:
            own[name] = own.get(name, 0.0) + row[2]  # internal time
    total = sum(row[2] for row in stats.stats.values())  # type: ignore[attr-defined]
    print("where the time goes (internal time, share of the runs):")
    for name, seconds in sorted(own.items(), key=lambda kv: -kv[1])[:8]:
        print(f"  ario_loop.{name:<24} {seconds / total:6.1%}")
    print(f"  numpy called from the loop, schedule, result reading "
          f"{1 - sum(own.values()) / total:6.1%}")


def on_dask(mrio: Any, tasks: list[Any], workers: int) -> tuple[float, float, list[Any]]:
    """(start-up s, runs s, results) on a LocalCluster of ``workers`` processes."""
    from econsec.scenarios.executors import DaskExecutor
    from econsec.scenarios.stress_runs import run_one

    t0 = time.perf_counter()
    executor = DaskExecutor(workers=workers)
    with executor:
        executor.client.wait_for_workers(workers)
        start = time.perf_counter() - t0
        t0 = time.perf_counter()
        results = executor.map(run_one, tasks, shared=mrio)
        runs = time.perf_counter() - t0
    return start, runs, results


def spearman(a: list[float], b: list[float]) -> float:
    import numpy as np

    ra = np.argsort(np.argsort(-np.asarray(a)))
    rb = np.argsort(np.argsort(-np.asarray(b)))
    return float(np.corrcoef(ra, rb)[0, 1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db")
    parser.add_argument("--top", type=int, default=100)
    parser.add_argument("--severities", default="0.1,0.25,0.5,0.9")
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--speedup-runs", type=int, default=120)
    parser.add_argument("--horizon-check", type=int, default=0)
    parser.add_argument("--skip-full", action="store_true")
    args = parser.parse_args()
    import logging

    logging.getLogger("distributed").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("ECONSEC_CACHE_DIR", tmp)
        db = Path(args.db) if args.db else build_kb(tmp)
        from econsec.io_models.loaders import load_mrio
        from econsec.kb.store import open_store
        from econsec.scenarios import stress_test as st

        print(f"load average at start: {load()} ({os.cpu_count()} CPUs)")
        kb = st.RepeatedReads(open_store(f"sqlite:///{db}"))
        mrio = load_mrio("bundled:icio-2022")
        severities = st.parse_severities(args.severities)
        t0 = time.perf_counter()
        deps = st.select_dependencies(kb, "JPN", args.top)
        t1 = time.perf_counter()
        cases, skipped = st.build_cases(kb, mrio, deps, severities, "JPN", args.days)
        tasks = st.tasks_for(cases, "JPN", args.days)
        t2 = time.perf_counter()
        print(f"preparation: {len(deps)} dependencies selected in {t1 - t0:.1f} s; "
              f"{len(cases)} cases ({len(skipped)} skipped) × measures = {len(tasks)} runs "
              f"of {args.days} days converted in {t2 - t1:.1f} s")
        profile_runs(mrio, tasks)
        sub = tasks[: args.speedup_runs]
        times = {}
        for workers in (1, 2):
            start, runs, results = on_dask(mrio, sub, workers)
            times[workers] = runs
            inside = sum(r["seconds"] for r in results) / len(results)
            print(f"{len(sub)} runs on a LocalCluster of {workers} worker(s): {runs:.1f} s "
                  f"({len(sub) / runs:.2f} runs/s; {inside:.2f} s per run inside the "
                  f"workers; start-up {start:.1f} s; load {load()})")
        print(f"speed-up from 1 to 2 workers: {times[1] / times[2]:.2f}x "
              f"(per added worker: +{times[1] / times[2] - 1:.0%})")
        if not args.skip_full:
            start, runs, results = on_dask(mrio, tasks, 2)
            total = (t2 - t0) + start + runs  # preparation, cluster start-up, runs
            inside = sum(r["seconds"] for r in results) / len(results)
            print(f"ALL {len(results)} runs on 2 workers ({inside:.2f} s per run inside "
                  f"the workers): {runs:.1f} s of runs "
                  f"({len(results) / runs:.2f} runs/s), start-up {start:.1f} s; with the "
                  f"preparation {total:.1f} s in all; load {load()}; "
                  f"{'under' if total < 600 else 'OVER'} 10 minutes")
        if args.horizon_check:
            from econsec.scenarios.executors import SerialExecutor

            k, worst = args.horizon_check, max(severities)
            ranks = {}
            for days in (args.days, 180):
                res = st.run_stress_test(kb, mrio, country="JPN", top=k, severities=(worst,),
                                         days=days, executor=SerialExecutor())
                ranks[days] = {d.hs: d.lost_output for d in res.dependencies}
            codes = sorted(ranks[args.days])
            rho = spearman([ranks[args.days][c] for c in codes], [ranks[180][c] for c in codes])
            top_a = sorted(codes, key=lambda c: -ranks[args.days][c])[:5]
            top_b = sorted(codes, key=lambda c: -ranks[180][c])[:5]
            print(f"horizon check ({k} largest imports, severity {worst:g}): Spearman "
                  f"{rho:.2f} between {args.days} and 180 days; top 5 {top_a} vs {top_b}")


if __name__ == "__main__":
    main()
