"""Peak memory of importing a large CSV file (not a test: run it by hand).

    python benchmarks/import_memory.py [--mb 50] [--keep DIR]

Writes an observations CSV of about ``--mb`` megabytes (unique rows for the four countries
of the test bundle), imports it into a fresh SQLite knowledge base in a child process
(``read_user_file`` + ``Store.import_bundle``, as ``econsec import`` does) and prints the
file size, the child's peak resident memory (``VmHWM``), the ratio of the two and the
seconds taken. Set ``PYTHONPATH`` to measure another checkout of econsec.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEADER = "item,country,year,measure,value,unit,series\n"
COUNTRIES = ("Chile", "China", "Japan", "United States")

CHILD = """
import sys
from econsec.datasets.user_tables import read_user_file
from econsec.kb.store import open_store
from econsec.kb.testing import sample_bundle
store = open_store(sys.argv[2])
store.import_bundle(sample_bundle())
summary = store.import_bundle(read_user_file(sys.argv[1]))
with open("/proc/self/status") as status:
    peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
print(summary.rows.get("observations", 0), peak / 1024)
"""


def write_csv(path: Path, megabytes: float) -> int:
    """An observations CSV of about ``megabytes`` MB; returns its number of data rows."""
    limit = int(megabytes * 2**20)
    rows = 0
    with path.open("w", encoding="utf-8") as fh:
        fh.write(HEADER)
        while fh.tell() < limit:
            fh.write(f"lithium,{COUNTRIES[rows % 4]},{1800 + rows // 4 % 401},production,"
                     f"{rows * 1.5},t,s{rows // 1604}\n")
            rows += 1
    return rows


def measure(megabytes: float, folder: Path) -> dict[str, float]:
    csv_file = folder / "bulk.csv"
    rows = write_csv(csv_file, megabytes)
    db = folder / "bench.db"
    db.unlink(missing_ok=True)
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", CHILD, str(csv_file), str(db)],
                          capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[-3000:])
    stored, peak = proc.stdout.split()[-2:]
    peak_mb = float(peak)
    size_mb = csv_file.stat().st_size / 2**20
    return {"file_mb": round(size_mb, 1), "rows": rows, "stored": int(stored),
            "peak_rss_mb": round(peak_mb, 1), "ratio": round(peak_mb / size_mb, 1),
            "seconds": round(seconds, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=float, default=50.0, help="CSV size in MB (default 50)")
    parser.add_argument("--keep", type=Path, help="Work in this folder and keep the files")
    args = parser.parse_args()
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        print(json.dumps(measure(args.mb, args.keep)))
        return
    with tempfile.TemporaryDirectory(prefix="econsec-bench-") as folder:
        print(json.dumps(measure(args.mb, Path(folder))))


if __name__ == "__main__":
    main()
