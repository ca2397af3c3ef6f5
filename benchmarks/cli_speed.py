"""CLI read commands: median wall time per command against the 0.6 s target.

Run: ``.venv/bin/python benchmarks/cli_speed.py [--runs 7] [--home DIR] [--compare SRC]``

Each command runs as a fresh process (the console script next to this Python), as a user
types it, on a temporary home folder initialised with ``econsec init`` (the bundled data
and the Japanese screening lists). One untimed warm-up run per command, then ``--runs``
timed runs; the median, the fastest run and median / 0.6 s are printed. Also printed: the
start-up of a bare Python and of ``import econsec.cli.app`` (the floor every command pays),
and ``econsec --help``. Nothing is written outside the temporary home folder.

``--compare SRC`` also runs every command from another copy of econsec's source folder
(e.g. an older release unpacked with ``git archive OLD src | tar -x -C /tmp/old``, then
``--compare /tmp/old/src``), alternating run by run with the installed one so that both
see the same machine load, and prints both medians and their ratio.

The CPU column (user + system seconds of the command's process) is what the wall time
would be on an otherwise idle machine: on a shared machine the wall time also counts the
time the command waited for a core, so compare the two before reading the ratio.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET = 0.6
COMMANDS: list[list[str]] = [
    ["commodities"],
    ["shares", "lithium"],
    ["screen", "Huawei Technologies"],
    ["tech", "list"],
    ["assess", "dependence"],
    ["tech", "group", "CHN"],
    ["lists", "bundled"],
]


def econsec_command() -> list[str]:
    """The ``econsec`` console script of this Python's environment."""
    script = Path(sys.executable).parent / "econsec"
    if script.exists():
        return [str(script)]
    found = shutil.which("econsec")
    if found:
        return [found]
    return [sys.executable, "-c", "from econsec.cli.app import main; main()"]


def source_command(src: Path) -> list[str]:
    """``econsec`` run from the source folder ``src`` instead of the installed package."""
    return [sys.executable, "-c",
            f"import sys; sys.path.insert(0, {str(src)!r}); "
            "from econsec.cli.app import main; main()"]


def environment(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ECONSEC_")}
    env.update(HOME=str(home), COLUMNS="120", XDG_DATA_HOME=str(home / ".local" / "share"))
    return env


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one run of ``argv``."""
    cpu, start = _cpu(), time.perf_counter()
    done = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}): "
                         f"{done.stderr.decode(errors='replace')[-500:]}")
    return elapsed, _cpu() - cpu


def measure(label: str, argv: list[str], env: dict[str, str], runs: int) -> dict[str, float]:
    timed(argv, env)  # warm-up: page cache, compiled bytecode
    walls, cpus = zip(*(timed(argv, env) for _ in range(runs)), strict=True)
    median = statistics.median(walls)
    row = {"median": median, "min": min(walls), "cpu": statistics.median(cpus),
           "ratio": median / TARGET}
    print(f"| {label} | {median:.3f} | {min(walls):.3f} | {row['cpu']:.3f} | "
          f"{row['ratio']:.2f} |", flush=True)
    return row


def compare(label: str, old: list[str], new: list[str], env: dict[str, str],
            runs: int) -> None:
    """Median wall and CPU of ``old`` and ``new``, alternating run by run."""
    timed(old, env), timed(new, env)  # warm-up
    results: dict[str, list[tuple[float, float]]] = {"old": [], "new": []}
    for _ in range(runs):
        results["old"].append(timed(old, env))
        results["new"].append(timed(new, env))
    (ow, oc), (nw, nc) = ((statistics.median(w for w, _ in results[k]),
                           statistics.median(c for _, c in results[k])) for k in ("old", "new"))
    print(f"| {label} | {ow:.3f} | {oc:.3f} | {nw:.3f} | {nc:.3f} | {ow / nw:.1f}× | "
          f"{nw / TARGET:.2f} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs per command")
    parser.add_argument("--home", type=Path, default=None,
                        help="an already initialised home folder (default: a new one)")
    parser.add_argument("--compare", type=Path, default=None, metavar="SRC",
                        help="also run each command from this source folder, alternating")
    args = parser.parse_args()

    econsec = econsec_command()
    with tempfile.TemporaryDirectory(prefix="econsec-cli-speed-") as tmp:
        home = args.home or Path(tmp)
        env = environment(home)
        if args.home is None:
            start = time.perf_counter()
            subprocess.run([*econsec, "init"], env=env, stdout=subprocess.DEVNULL, check=True)
            print(f"econsec init: {time.perf_counter() - start:.1f} s")
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        print(f"{args.runs} runs per command, load average {load:.2f}, "
              f"{os.cpu_count()} CPUs; target median < {TARGET} s\n")
        if args.compare is not None:
            old = source_command(args.compare.resolve())
            print("| command | before: median (s) | before: CPU (s) | after: median (s) | "
                  "after: CPU (s) | speed-up | after / 0.6 s |")
            print("|---|---:|---:|---:|---:|---:|---:|")
            compare("import econsec.cli.app", [*old[:2], old[2].split("from econsec")[0]
                                               + "import econsec.cli.app"],
                    [sys.executable, "-c", "import econsec.cli.app"], env, args.runs)
            for c in [["--help"], *COMMANDS]:
                compare("econsec " + " ".join(c), [*old, *c], [*econsec, *c], env, args.runs)
            return
        print("| command | median (s) | fastest (s) | CPU median (s) | median / 0.6 s |")
        print("|---|---:|---:|---:|---:|")
        measure("python -c pass", [sys.executable, "-c", "pass"], env, args.runs)
        measure("import econsec.cli.app", [sys.executable, "-c", "import econsec.cli.app"],
                env, args.runs)
        measure("econsec --help", [*econsec, "--help"], env, args.runs)
        rows = {" ".join(c): measure("econsec " + " ".join(c), [*econsec, *c], env, args.runs)
                for c in COMMANDS}
        slow = [c for c, r in rows.items() if r["median"] >= TARGET]
        print(f"\n{len(rows) - len(slow)} of {len(rows)} read commands under {TARGET} s"
              + (f"; over: {', '.join(slow)}" if slow else ""))


if __name__ == "__main__":
    main()
