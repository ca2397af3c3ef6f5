"""Bounded load run of the JSON API on loopback: 50 concurrent clients on the read endpoints.

Run from the repository root::

    .venv/bin/python benchmarks/web_load.py --clients 50 --duration 60 --requests 30000

The server is ``python -m econsec serve`` in a subprocess on a free loopback port, on a
temporary SQLite knowledge base built by ``econsec init`` (or ``--db PATH``). Each endpoint
is requested once before timing, and each client opens its keep-alive connection before
the clock starts (the read cache is warm, as on a server in use; the cold
first request is reported separately). Then ``--clients`` asyncio tasks with their own
httpx connection send requests round-robin over the endpoints until ``--duration`` seconds
or ``--requests`` requests, whichever comes first. Printed: per endpoint and overall the
number of requests, errors, p50 / p99 / max latency (ms) and throughput (requests/s).
Client and server share the machine's cores.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np

ENDPOINTS = {
    "commodities": "/api/v1/commodities?limit=50",
    "shares": "/api/v1/commodities/gallium/shares",
    "countries": "/api/v1/countries?limit=50",
    "country profile": "/api/v1/countries/CHN",
    "dependence": "/api/v1/assessments/dependence?country=JPN",
    "health": "/api/v1/health",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(db: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("ECONSEC_DB", None)
    proc = subprocess.Popen([sys.executable, "-m", "econsec", "serve", "--port", str(port),
                             "--db", str(db)], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            message = proc.stderr.read().decode() if proc.stderr else ""
            raise RuntimeError(f"server exited: {message}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=2).is_success:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.terminate()
    raise RuntimeError("server did not start within 120 s")


async def load(base: str, clients: int, duration: float, max_requests: int
               ) -> tuple[dict[str, list[float]], dict[str, int], float]:
    names = list(ENDPOINTS)
    latencies: dict[str, list[float]] = {n: [] for n in names}
    errors: dict[str, int] = dict.fromkeys(names, 0)
    counter = 0
    ready = asyncio.Event()
    stop_at = 0.0

    async def client(k: int) -> None:
        nonlocal counter
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as http:
            await http.get("/api/v1/health")  # open the connection (not timed)
            await ready.wait()
            i = k
            while counter < max_requests and time.perf_counter() < stop_at:
                counter += 1
                name = names[i % len(names)]
                i += 1
                start = time.perf_counter()
                try:
                    response = await http.get(ENDPOINTS[name])
                    await response.aread()
                    ok = response.status_code == 200
                except httpx.HTTPError:
                    ok = False
                latencies[name].append(time.perf_counter() - start)
                if not ok:
                    errors[name] += 1

    tasks = [asyncio.create_task(client(k)) for k in range(clients)]
    await asyncio.sleep(1.0)  # every client has connected
    started = time.perf_counter()
    stop_at = started + duration
    ready.set()
    await asyncio.gather(*tasks)
    return latencies, errors, time.perf_counter() - started


def summary(values: list[float], errors: int, elapsed: float) -> dict[str, float]:
    ms = np.asarray(values) * 1000.0
    return {"requests": len(values), "errors": errors,
            "p50_ms": float(np.percentile(ms, 50)), "p99_ms": float(np.percentile(ms, 99)),
            "max_ms": float(ms.max()), "rps": len(values) / elapsed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0, help="at most (s); ≤ 60")
    parser.add_argument("--requests", type=int, default=30_000, help="at most this many")
    parser.add_argument("--db", type=Path, help="knowledge base (default: build a fresh one)")
    parser.add_argument("--json", type=Path, help="write the figures here as JSON")
    args = parser.parse_args()
    duration = min(args.duration, 60.0)
    with tempfile.TemporaryDirectory(prefix="econsec-load-") as folder:
        db = args.db
        if db is None:
            db = Path(folder) / "econsec.db"
            subprocess.run([sys.executable, "-m", "econsec", "init", "--db", str(db)],
                           check=True, stdout=subprocess.DEVNULL)
        port = free_port()
        server = start_server(db, port)
        base = f"http://127.0.0.1:{port}"
        try:
            print(f"server on {base}; {args.clients} clients, at most {duration:g} s or "
                  f"{args.requests} requests")
            for name, path in ENDPOINTS.items():
                start = time.perf_counter()
                httpx.get(base + path, timeout=120).raise_for_status()
                cold = 1000 * (time.perf_counter() - start)
                print(f"  cold first request {name:16s} {cold:8.1f} ms")
            latencies, errors, elapsed = asyncio.run(
                load(base, args.clients, duration, args.requests))
        finally:
            server.terminate()
            server.wait(timeout=30)
    rows = {name: summary(values, errors[name], elapsed)
            for name, values in latencies.items() if values}
    rows["overall"] = summary([v for vs in latencies.values() for v in vs],
                              sum(errors.values()), elapsed)
    print(f"\n{'endpoint':18s} {'requests':>9s} {'errors':>7s} {'p50 ms':>8s} {'p99 ms':>8s} "
          f"{'max ms':>8s} {'req/s':>8s}")
    for name, r in rows.items():
        print(f"{name:18s} {r['requests']:9d} {r['errors']:7d} {r['p50_ms']:8.1f} "
              f"{r['p99_ms']:8.1f} {r['max_ms']:8.1f} {r['rps']:8.1f}")
    print(f"\n{rows['overall']['requests']} requests in {elapsed:.1f} s")
    if args.json:
        args.json.write_text(json.dumps({"clients": args.clients, "elapsed_s": elapsed,
                                         "endpoints": rows}, indent=2))


if __name__ == "__main__":
    main()
