"""Helper, no tests: a real econsec server on a free loopback port (uvicorn in a thread)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import uvicorn


def free_port() -> int:
    """A TCP port nobody listens on right now (loopback)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveServer:
    url: str
    app: Any
    db: Path

    @property
    def state(self) -> Any:
        return self.app.state.econsec


@contextmanager
def live_server(db: Path) -> Iterator[LiveServer]:
    """``create_app`` on ``db`` served by uvicorn on 127.0.0.1:<free port> until exit."""
    from econsec.web.app import create_app

    app = create_app(f"sqlite:///{db}")
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    httpx.get(url + "/api/v1/health", timeout=30).raise_for_status()
    try:
        yield LiveServer(url, app, db)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        jobs = app.state.econsec.services.get("jobs")
        if jobs is not None:
            jobs.shutdown()
