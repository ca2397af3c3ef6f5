"""ARIO: econsec vs BoARIO 0.7.2 on random balanced MRIOs (seconds per simulated day).

Run: ``.venv/bin/python benchmarks/ario_vs_boario.py [--quick]``

For 200 / 1,000 / 4,000 industries, both simulators run the same capacity-loss event
(region r01, sector s001 loses 50 % for 30 days, recovers over 60); econsec runs 365 days,
BoARIO fewer days at large sizes (figures are per simulated day). Then econsec alone runs
365 days at 8,000 industries, with peak memory. A 200-industry check asserts that both
agree to 1e-6 relative. Results are printed; nothing is written.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import tracemalloc
import warnings

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


EVENT = CapacityLoss("r01", "s001", 0.5, 5, 30, 60)


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


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="skip 4,000 and 8,000 industries")
    args = ap.parse_args()
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
