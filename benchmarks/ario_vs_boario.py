"""ARIO: econsec vs BoARIO 0.7.2 on random balanced MRIOs (seconds per simulated day).

Run: ``.venv/bin/python benchmarks/ario_vs_boario.py [--quick] [--skip-table] [--repeat N]``

For 200 / 1,000 / 4,000 industries, both simulators run the same capacity-loss event
(region r01, sector s001 loses 50 % for 30 days, recovers over 60); econsec runs 365 days,
BoARIO fewer days at large sizes (figures are per simulated day). A 200-industry check
asserts that both agree to 1e-6 relative.

At 2,000 industries (20 regions × 100 sectors, the table saved as a pymrio text folder):

- per simulated day, the loop alone and the loop *with its outputs*, each against
  BoARIO's loop: in one process (``run_scenario`` plus ``write_outputs``: daily Parquet
  and CSV, summary.json, chart.html; the first call, so with the imports of polars and
  plotly) and as ``econsec simulate --out`` does it (a child process, from its first
  simulated day to its exit, the table cached);
- start-up: seconds from launching ``econsec simulate`` on a 20-day scenario to its first
  simulated day, cold (empty MRIO cache: pymrio reads the folder) and cached (the binary
  copy written by the cold run).

Then econsec alone runs 365 days at 8,000 industries, with peak memory. Results are
printed; scratch files go to a temporary folder that is removed.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np

from econsec.io_models.ario import simulate
from econsec.io_models.events import CapacityLoss
from econsec.io_models.mrio import from_arrays

SIZES = {200: (10, 20), 1000: (20, 50), 4000: (40, 100), 8000: (40, 200)}
BOARIO_DAYS = {200: 365, 1000: 120, 4000: 40}  # ≥ event end (35)


def random_mrio(n_regions: int, n_sectors: int, seed: int = 0):
    """A balanced random MRIO: dense Z, one final-demand category, positive value added."""
    rng = np.random.default_rng(seed)
    n = n_regions * n_sectors
    Z = rng.random((n, n)) * (rng.random((n, n)) < 0.5)
    Z[np.arange(n), np.arange(n)] += n / 10  # domestic own-sector weight
    fd = Z.sum(axis=0) * rng.uniform(0.5, 1.5, n) + 1.0
    Y = np.zeros((n, n_regions))
    region_of = np.repeat(np.arange(n_regions), n_sectors)
    Y[np.arange(n), region_of] = fd * 0.7
    Y[np.arange(n), rng.integers(0, n_regions, n)] += fd * 0.3
    regions = [f"r{r:02d}" for r in range(n_regions)]
    sectors = [f"s{s:03d}" for s in range(n_sectors)]
    return from_arrays(f"random {n}", regions, sectors, Z, Y, unit="M EUR").validate()


def to_pymrio(m):
    import pandas as pd
    import pymrio

    idx = pd.MultiIndex.from_tuples(m.labels, names=["region", "sector"])
    cols = pd.MultiIndex.from_product([m.regions, ["final demand"]], names=["region", "category"])
    io = pymrio.IOSystem(Z=pd.DataFrame(m.Z, index=idx, columns=idx),
                         Y=pd.DataFrame(m.Y, index=idx, columns=cols), unit=None)
    io.x = pd.DataFrame(m.x, index=idx, columns=["indout"])
    io.A = pymrio.calc_A(io.Z, io.x)
    return io


EVENT = CapacityLoss(region="r01", sector="s001", share=0.5, start_day=5, duration_days=30,
                     recovery_days=60)


def run_econsec(m, days):
    t0 = time.perf_counter()
    res = simulate(m, [EVENT], horizon_days=days)
    return res, time.perf_counter() - t0


def run_boario(m, days):
    import pandas as pd
    from boario import event as be
    from boario.extended_models import ARIOPsiModel
    from boario.simulation import Simulation

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        io = to_pymrio(m)
        model = ARIOPsiModel(io)
        sim = Simulation(model, n_temporal_units_to_sim=days)
        sim.add_event(be.from_series(pd.Series({(EVENT.region, EVENT.sector): EVENT.share}),
                                     event_type="arbitrary", occurrence=EVENT.start_day,
                                     duration=EVENT.duration_days,
                                     recovery_tau=EVENT.recovery_days))
        t0 = time.perf_counter()
        sim.loop()
        elapsed = time.perf_counter() - t0
    return sim.production_realised.to_numpy(), elapsed


SCENARIO = """name: benchmark
mrio: {mrio}
horizon_days: {days}
events:
  - {{type: capacity_loss, region: r01, sector: s001, share: 0.5, start_day: 5,
     duration_days: {duration}, recovery_days: 60}}
"""

#: Child process: the real CLI, reporting when day 0 starts (seconds since the parent's
#: clock reading passed as argv[1]) on stderr.
STARTUP_CHILD = """
import sys, time
t0 = float(sys.argv[1])
import econsec.io_models.ario_loop as loop
real_step = loop.step
def step(model, sched, state, rec, work, t):
    if t == 0:
        print(f"FIRST_DAY {time.time() - t0:.4f}", file=sys.stderr, flush=True)
    return real_step(model, sched, state, rec, work, t)
loop.step = step
from econsec.cli.app import main
sys.argv = ["econsec", "simulate", sys.argv[2], "--format", "json", *sys.argv[3:]]
main()
"""


def write_scenario(folder: Path, mrio: Path, days: int) -> Path:
    path = folder / f"scenario-{days}.yaml"
    path.write_text(SCENARIO.format(mrio=mrio, days=days, duration=min(30, days - 6)),
                    encoding="utf-8")
    return path


def cli_seconds(scenario: Path, cache: Path, *extra: str) -> tuple[float, float]:
    """``econsec simulate scenario --format json [extra]`` in a child process: seconds from
    launching it to its first simulated day, and to its exit."""
    env = {**os.environ, "ECONSEC_CACHE_DIR": str(cache)}
    t0 = time.time()
    done = subprocess.run([sys.executable, "-c", STARTUP_CHILD, repr(t0), str(scenario),
                           *extra], env=env, capture_output=True, text=True, check=True)
    total = time.time() - t0
    line = next(x for x in done.stderr.splitlines() if x.startswith("FIRST_DAY "))
    return float(line.split()[1]), total


def startup_seconds(scenario: Path, cache: Path) -> float:
    """Seconds from launching ``econsec simulate scenario`` to its first simulated day."""
    return cli_seconds(scenario, cache)[0]


def outputs_section(days: int = 365, boario_days: int = 40, repeat: int = 1) -> None:
    """2,000 industries: ratio per day with outputs, start-up cold vs cached (each econsec
    and BoARIO time the best of ``repeat`` runs)."""
    from econsec.scenarios.outputs import write_outputs
    from econsec.scenarios.runner import run_scenario
    from econsec.scenarios.schema import load_scenario

    m = random_mrio(20, 100)
    with tempfile.TemporaryDirectory(prefix="econsec-ario-bench-") as tmp:
        folder = Path(tmp)
        t = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            to_pymrio(m).save_all(folder / "mrio")
        print(f"2000 industries: pymrio text folder saved in {time.perf_counter() - t:.1f} s")
        t_loop = min(run_econsec(m, days)[1] for _ in range(repeat))
        spec = load_scenario(write_scenario(folder, folder / "mrio", days))
        t = time.perf_counter()
        result = run_scenario(spec, mrio=m)
        t_run = time.perf_counter() - t
        t = time.perf_counter()
        write_outputs(result, folder / "out")
        t_out = time.perf_counter() - t
        scenario = write_scenario(folder, folder / "mrio", 20)
        cache = folder / "cache"
        cold = startup_seconds(scenario, cache)  # also fills the cache
        long_run = write_scenario(folder, folder / "mrio", days)
        first, total = min((cli_seconds(long_run, cache, "--out", str(folder / "cli-out"))
                            for _ in range(repeat)), key=lambda ft: ft[1] - ft[0])
        t_b = min(run_boario(m, boario_days)[1] for _ in range(repeat))
        b = t_b / boario_days
        e_loop, e_all, e_cli = t_loop / days, (t_run + t_out) / days, (total - first) / days
        print(f"{'2000 industries':>16} {'econsec s/day':>14} {'BoARIO s/day':>13} "
              f"{'ratio':>7}")
        print(f"{'loop only':>16} {e_loop:>14.5f} {b:>13.5f} {b / e_loop:>7.1f}")
        print(f"{'with outputs':>16} {e_all:>14.5f} {b:>13.5f} {b / e_all:>7.1f}   "
              f"(in one process: run {t_run:.2f} s + write_outputs {t_out:.2f} s, first "
              f"call, imports included)")
        print(f"{'simulate --out':>16} {e_cli:>14.5f} {b:>13.5f} {b / e_cli:>7.1f}   "
              f"(econsec simulate --out, from day 0 to exit: {total - first:.2f} s for "
              f"{days} days)")
        sys.stdout.flush()
        cached = [startup_seconds(scenario, cache) for _ in range(3)]
        runs = ", ".join(f"{c:.2f}" for c in cached)
        print(f"start-up to the first simulated day (20-day scenario): cold {cold:.2f} s, "
              f"cached {min(cached):.2f} s (best of 3; runs {runs})")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="skip 4,000 and 8,000 industries")
    ap.add_argument("--skip-table", action="store_true",
                    help="only the 2,000-industry outputs and start-up figures")
    ap.add_argument("--repeat", type=int, default=1,
                    help="2,000 industries: best of N runs of each measure (default 1)")
    args = ap.parse_args()
    if args.skip_table:
        outputs_section(repeat=args.repeat)
        return 0
    sizes = [200, 1000] if args.quick else [200, 1000, 4000]

    m = random_mrio(*SIZES[200])
    res, _ = run_econsec(m, 120)
    ref, _ = run_boario(m, 120)
    err = np.max(np.abs(res.production - ref) / np.abs(ref))
    print(f"check 200 industries, 120 days: max relative difference in daily production "
          f"{err:.1e}")
    assert err < 1e-6

    print(f"{'industries':>10} {'econsec s/day':>14} {'BoARIO s/day':>13} {'ratio':>7}")
    for n in sizes:
        m = random_mrio(*SIZES[n])
        _, t_e = run_econsec(m, 365)
        days_b = BOARIO_DAYS[n]
        _, t_b = run_boario(m, days_b)
        e, b = t_e / 365, t_b / days_b
        print(f"{n:>10} {e:>14.5f} {b:>13.5f} {b / e:>7.1f}   (BoARIO {days_b} days)")
        sys.stdout.flush()
    outputs_section(repeat=args.repeat)

    if not args.quick:
        m = random_mrio(*SIZES[8000])
        tracemalloc.start()
        res, t_e = run_econsec(m, 365)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
        print(f"8000 industries, 365 days (econsec only): {t_e:.1f} s "
              f"({t_e / 365:.3f} s/day); peak traced numpy memory {peak / 1024**3:.2f} GB; "
              f"process max RSS {rss:.2f} GB (includes the MRIO and BoARIO runs above)")
        print(f"  total production change {res.total_production_change:.4g} {res.unit}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
