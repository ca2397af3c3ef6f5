"""A 365-day ARIO run on the bundled OECD ICIO 2022 table (1,550 industries).

Run: ``.venv/bin/python benchmarks/icio_ario.py [--repeat N]``

Measures, in one process (the median of ``--repeat`` runs where it says):

- loading ``bundled:icio-2022``: cold (the parquet and CSV files read and the table
  built, an empty MRIO cache) and cached (the binary copy the cold load wrote);
- ``simulate``: 365 days with an export restriction (China's basic non-ferrous metals,
  ``CHN/C24B``, cut by 50 % to Japan for 90 days, recovery over 30), the loop alone;
- ``run_scenario``: the same event as a scenario with a 30-day stockpile release in Japan
  (the variants compared: all measures, no measures) plus its JSON summary (``to_dict``);
- Japan's production lost over the year (no measures), as a sanity figure.

Target: a 365-day run in under 20 s. Scratch cache files go to a temporary folder that is
removed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as cache:
        os.environ["ECONSEC_CACHE_DIR"] = cache
        from econsec.io_models.ario import simulate
        from econsec.io_models.events import ExportRestriction
        from econsec.io_models.loaders import load_mrio
        from econsec.scenarios.runner import run_scenario
        from econsec.scenarios.schema import parse_scenario

        t0 = time.perf_counter()
        table = load_mrio("bundled:icio-2022")
        cold = time.perf_counter() - t0
        t0 = time.perf_counter()
        table = load_mrio("bundled:icio-2022")
        warm = time.perf_counter() - t0
        print(f"load bundled:icio-2022 ({table.n} industries): cold {cold:.2f} s, "
              f"cached {warm:.3f} s")

        event = {"type": "export_restriction", "region": "CHN", "sector": "C24B",
                 "to": ["JPN"], "share": 0.5, "start_day": 5, "duration_days": 90,
                 "recovery_days": 30}
        times = []
        result = None
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            result = simulate(table, [ExportRestriction(**event)], horizon_days=365)
            times.append(time.perf_counter() - t0)
        print(f"simulate, 365 days: median {statistics.median(times):.2f} s "
              f"({', '.join(f'{t:.2f}' for t in times)}); "
              f"{1000 * statistics.median(times) / 365:.1f} ms per day")
        assert result is not None
        lost = float(result.production[:, :50].sum() - 365 * result.baseline_production[:50].sum())
        base = float(365 * result.baseline_production[:50].sum())
        print(f"Japan's production change over the year: {lost:,.0f} million USD "
              f"({100 * lost / base:.3f} % of its pre-shock production)")

        scenario = parse_scenario({
            "name": "CHN/C24B to Japan, 50 % for 90 days", "mrio": "bundled:icio-2022",
            "horizon_days": 365, "model": {"type": "ario"}, "events": [event],
            "mitigations": [{"type": "stockpile_release", "label": "stockpile (30 days)",
                             "region": "JPN", "sector": "C24B", "days_of_use": 30,
                             "start_day": 5, "daily_share": 0.25}],
            "compare_mitigations": True,
        })
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            doc = run_scenario(scenario, mrio=table).to_dict()
            times.append(time.perf_counter() - t0)
        print(f"run_scenario + summary, {len(doc['variants'])} variants of 365 days: median "
              f"{statistics.median(times):.2f} s ({', '.join(f'{t:.2f}' for t in times)})")


if __name__ == "__main__":
    main()
