"""Dependence for every commodity with trade: wall time of a cold run against the 1.5 s target.

Run: ``.venv/bin/python benchmarks/dependence_trade.py [--db FILE] [--runs 5] [--home JPN]``

Each run is a fresh Python process (nothing cached in memory: the knowledge base's reads,
the ICIO table and the indicators are read again) that opens the knowledge base and times
:func:`econsec.analyses.dependence.dependence_table` for the home country: every commodity
profile (USGS shares and trend), net import reliance, the home country's BACI imports and
exports of every crosswalk code (two indexed queries), the trade position per stage, world
export concentration of processed products, the ICIO net trade of steel. It also times the
whole command ``econsec assess dependence --format json`` (process start-up included) and
``econsec assess geopolrisk``. The CPU column (user + system of the child) is what the wall
time would be on an idle machine; on a shared machine the wall time also counts waiting for
a core. Without ``--db`` a temporary knowledge base is built with ``econsec init``.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET = 1.5

CHILD = """
import json, sys, time
t0 = time.perf_counter()
from econsec.analyses.dependence import dependence_table
from econsec.io_models.net_trade import icio_net_trade
from econsec.kb.cached import CachedReads
from econsec.kb.engine import open_engine
kb = CachedReads(open_engine("sqlite:///" + sys.argv[1]))
t1, c1 = time.perf_counter(), time.process_time()
table = dependence_table(kb, sys.argv[2], net_trade=icio_net_trade)
t2, c2 = time.perf_counter(), time.process_time()
print(json.dumps({"import": t1 - t0, "dependence": t2 - t1, "cpu": c2 - c1,
                  "rows": len(table.rows),
                  "with_trade": sum(1 for r in table.rows if r.trade_stages)}))
"""


def econsec() -> list[str]:
    script = Path(sys.executable).parent / "econsec"
    return [str(script)] if script.exists() else [sys.executable, "-m", "econsec"]


def timed(cmd: list[str]) -> tuple[float, float, str]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, proc.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--home", default="JPN")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db
        if db is None:
            db = Path(tmp) / "econsec.db"
            subprocess.run([*econsec(), "init", "--no-lists", "--db", str(db)],
                           check=True, capture_output=True)
        analysis, cpus, info = [], [], {}
        for _ in range(args.runs):
            _, _, out = timed([sys.executable, "-c", CHILD, str(db), args.home])
            info = json.loads(out)
            analysis.append(info["dependence"])
            cpus.append(info["cpu"])
        print(f"dependence_table({args.home}): {info['rows']} commodities, "
              f"{info['with_trade']} with trade")
        print(f"  analysis, cold process: median {statistics.median(analysis):.3f} s, "
              f"fastest {min(analysis):.3f} s (target {TARGET} s); "
              f"its CPU time median {statistics.median(cpus):.3f} s")
        for label, cmd in (
                ("econsec assess dependence --format json",
                 [*econsec(), "assess", "dependence", "--country", args.home, "--format",
                  "json", "--db", str(db)]),
                ("econsec assess geopolrisk",
                 [*econsec(), "assess", "geopolrisk", "--country", args.home, "--db", str(db)])):
            walls, cpu_list = [], []
            for _ in range(args.runs):
                wall, cpu, _ = timed(cmd)
                walls.append(wall)
                cpu_list.append(cpu)
            print(f"  {label}: median {statistics.median(walls):.3f} s wall, "
                  f"fastest {min(walls):.3f} s, CPU median {statistics.median(cpu_list):.2f} s")


if __name__ == "__main__":
    main()
