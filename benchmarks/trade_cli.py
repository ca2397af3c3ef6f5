"""``econsec trade``: median wall time of the CLI query against the 0.5 s target (issue 10).

Run: ``.venv/bin/python benchmarks/trade_cli.py [--runs 15] [--home DIR]``

Each query runs as a fresh process (the console script next to this Python), as a user
types it, on a home folder initialised with ``econsec init`` (the bundled data, BACI's
1.28 million flows included); one untimed warm-up run per query, then ``--runs`` timed runs.
Printed per query: the median wall time, the fastest run, the median CPU time (user +
system of the process: what an idle machine would show) and median / 0.5 s; also the floor
every command pays (a bare Python, ``import econsec.cli.app``, ``econsec --help``).
``PYTHONDONTWRITEBYTECODE`` is removed from the environment, so the commands run from
compiled bytecode as an installed econsec does after its first run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cli_speed
from cli_speed import econsec_command, environment, measure

TARGET = 0.5
cli_speed.TARGET = TARGET  # the rows' "median / target" column is against this command's target
QUERIES: list[list[str]] = [
    ["trade", "JPN", "--hs", "284690", "--year", "2024", "--format", "json"],
    ["trade", "Japan", "--hs", "2709.00", "--year", "2024", "--format", "json"],
    ["trade", "JPN", "--hs", "284690", "--year", "2020", "--flow", "exports", "--format",
     "json"],
    ["trade", "JPN", "--hs", "284690", "--year", "2024", "--basis", "quantity", "--format",
     "json"],
    ["trade", "JPN", "--hs", "720293", "--year", "2024"],
    ["trade", "JPN", "--commodity", "niobium", "--stage", "alloy", "--year", "2024",
     "--format", "json"],
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="timed runs per query")
    parser.add_argument("--home", type=Path, default=None,
                        help="an already initialised home folder (default: a new one)")
    args = parser.parse_args()

    econsec = econsec_command()
    with tempfile.TemporaryDirectory(prefix="econsec-trade-cli-") as tmp:
        home = args.home or Path(tmp)
        env = environment(home)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        if args.home is None:
            start = time.perf_counter()
            subprocess.run([*econsec, "init", "--no-lists"], env=env,
                           stdout=subprocess.DEVNULL, check=True)
            print(f"econsec init: {time.perf_counter() - start:.1f} s")
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        print(f"{args.runs} runs per command, load average {load:.2f}, {os.cpu_count()} CPUs; "
              f"target median < {TARGET} s\n")
        print("| command | median (s) | fastest (s) | CPU median (s) | median / 0.5 s |")
        print("|---|---:|---:|---:|---:|")
        measure("python -c pass", [sys.executable, "-c", "pass"], env, args.runs)
        measure("import econsec.cli.app", [sys.executable, "-c", "import econsec.cli.app"],
                env, args.runs)
        measure("econsec --help", [*econsec, "--help"], env, args.runs)
        medians = [measure("econsec " + " ".join(q), [*econsec, *q], env, args.runs)["median"]
                   for q in QUERIES]
        print(f"\nmedian of the query medians: {statistics.median(medians):.3f} s "
              f"(target < {TARGET} s); load average now {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
