"""First answers of ``econsec serve``: every page, and the overview for a new home country.

Run from the repository root::

    .venv/bin/python benchmarks/web_first_page.py

What a new user waits for. ``econsec serve --port N`` starts in a subprocess with a fresh
``HOME`` (and ``XDG_*`` folders), so the first start builds the knowledge base from the
bundled data; the clock starts when the server prints the line naming its address. Two
measures:

- **first page** (``--pages``): for each page a new server process, the page requested as
  soon as the server says it is listening (connection attempts repeated every 5 ms until
  the port accepts): seconds from that line to the page's complete answer, and from the
  command's start. Every page is thus measured cold, as if it were the first a user opens.
  By default the servers share one knowledge base, built by a first start (a restart of
  ``econsec serve``); with ``--fresh-home`` each server gets a new ``HOME`` and builds its
  knowledge base first (a first start);
- **home country** (``--homes``): one server, the overview opened once (default home),
  then ``/?home=XXX`` for each country in turn: seconds for each new home country's first
  answer (cold: nothing of that country computed yet).

``--repeat N`` runs the first-page measure N times and prints the median. Client and
server share the machine's cores.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

PAGES = (
    "/", "/commodities", "/commodities/gallium", "/countries", "/countries/CHN",
    "/value-chain", "/scenarios", "/data", "/data/tables/observations", "/tech",
    "/tech/cases", "/tech/selfcheck", "/screening", "/?lang=ja", "/commodities/lithium?lang=ja",
)
HOMES = ("DEU", "USA", "KOR", "FRA", "IND", "BRA", "CHN", "AUS")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """``econsec serve`` with ``home`` as HOME; :attr:`listening` is when it named its
    address on stderr (``time.perf_counter()``)."""

    def __init__(self, home: Path, port: int, extra: list[str] | None = None) -> None:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("ECONSEC_", "XDG_"))}
        env.update(HOME=str(home), NO_COLOR="1", COLUMNS="200")
        self.port = port
        self.started = time.perf_counter()
        self.listening: float | None = None
        self._seen = threading.Event()
        self.stderr: list[str] = []
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "econsec", "serve", "--port", str(port), *(extra or [])],
            env=env, cwd=home, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.stderr.append(line)
            if self.listening is None and line.startswith("econsec on http"):
                self.listening = time.perf_counter()
                self._seen.set()

    def wait_listening(self, timeout: float = 300) -> float:
        if not self._seen.wait(timeout):
            self.stop()
            raise RuntimeError("server did not start: " + "".join(self.stderr[-5:]))
        assert self.listening is not None
        return self.listening

    def get(self, path: str, timeout: float = 120) -> tuple[int, float]:
        """Status and completion time of ``GET path`` (retrying refused connections)."""
        deadline = time.perf_counter() + timeout
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{self.port}{path}", timeout=timeout)
                return response.status_code, time.perf_counter()
            except httpx.ConnectError:
                if time.perf_counter() > deadline or self.proc.poll() is not None:
                    raise
                time.sleep(0.005)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def first_pages(home: Path, pages: tuple[str, ...], fresh: bool = False
                ) -> dict[str, tuple[float, float]]:
    """Per page: seconds from a new server's listening line (and from its command's start)
    to the page's answer; ``fresh``: each server in a new HOME (building its knowledge base)."""
    out: dict[str, tuple[float, float]] = {}
    for n, page in enumerate(pages):
        folder = home / f"fresh-{n}" if fresh else home
        folder.mkdir(exist_ok=True)
        server = Server(folder, free_port())
        try:
            start = server.wait_listening()
            status, done = server.get(page)
            if status >= 400:
                raise RuntimeError(f"{page}: HTTP {status}")
            out[page] = (done - start, done - server.started)
        finally:
            server.stop()
            if fresh:
                shutil.rmtree(folder, ignore_errors=True)
        print(f"  {page:32s} {out[page][0]:7.2f} s after listening "
              f"({out[page][1]:5.2f} s after the command started)", flush=True)
    return out


def home_countries(home: Path, homes: tuple[str, ...]) -> dict[str, float]:
    """Per home country: seconds of ``/?home=XXX`` on a server whose overview was opened."""
    server = Server(home, free_port())
    out: dict[str, float] = {}
    try:
        start = server.wait_listening()
        status, done = server.get("/")
        print(f"  {'/ (default home)':32s} {done - start:7.2f} s from listening", flush=True)
        for iso3 in homes:
            start = time.perf_counter()
            status, done = server.get(f"/?home={iso3}")
            if status >= 400:
                raise RuntimeError(f"home {iso3}: HTTP {status}")
            out[iso3] = done - start
            print(f"  /?home={iso3:24s} {out[iso3]:7.2f} s", flush=True)
    finally:
        server.stop()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", default=",".join(PAGES), help="comma-separated paths")
    parser.add_argument("--homes", default=",".join(HOMES), help="comma-separated ISO3 codes")
    parser.add_argument("--repeat", type=int, default=1, help="first-page runs (median)")
    parser.add_argument("--fresh-home", action="store_true",
                        help="a new HOME (a knowledge base built at start) for every page")
    parser.add_argument("--json", type=Path, help="write the figures here as JSON")
    args = parser.parse_args()
    pages = tuple(p for p in args.pages.split(",") if p)
    homes = tuple(h for h in args.homes.split(",") if h)
    with tempfile.TemporaryDirectory(prefix="econsec-first-page-") as folder:
        home = Path(folder)
        built = time.perf_counter()
        server = Server(home, free_port())  # first start: builds the knowledge base
        server.wait_listening()
        server.stop()
        print(f"fresh HOME: knowledge base built, server listening after "
              f"{time.perf_counter() - built:.1f} s")
        runs: list[dict[str, tuple[float, float]]] = []
        for n in range(args.repeat):
            print(f"first page of a new server (run {n + 1} of {args.repeat}"
                  f"{', fresh HOME each' if args.fresh_home else ''}):")
            runs.append(first_pages(home, pages, args.fresh_home))
        firsts = {p: statistics.median(r[p][0] for r in runs) for p in pages}
        totals = {p: statistics.median(r[p][1] for r in runs) for p in pages}
        print("new home country on a running server:")
        homes_s = home_countries(home, homes)
    print(f"\nslowest first page: {max(firsts.values()):.2f} s "
          f"({max(firsts, key=firsts.__getitem__)}); target < 2 s")
    if homes_s:
        print(f"slowest new home country: {max(homes_s.values()):.2f} s "
              f"({max(homes_s, key=homes_s.__getitem__)}); target < 1.5 s")
    if args.json:
        args.json.write_text(json.dumps({"first_page_s": firsts, "from_command_s": totals,
                                         "home_country_s": homes_s}, indent=2))


if __name__ == "__main__":
    main()
