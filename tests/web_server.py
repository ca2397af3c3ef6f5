"""Helper, no tests: a real econsec server on a free loopback port (uvicorn in a thread).

Requests that change something (POST) must carry the server's token: use
``headers=server.headers`` (or ``AUTH``), as a script would with the token file."""

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


#: The token of every test server: ``{"X-CSRF-Token": TOKEN}`` lets a test POST.
TOKEN = "test-token-0123456789abcdefghijklmnopqrstuvwxyz"
AUTH = {"X-CSRF-Token": TOKEN}


def post(url: str, **kwargs: Any) -> httpx.Response:
    """``httpx.post`` with the test servers' token (what a script sends)."""
    kwargs["headers"] = {**AUTH, **(kwargs.get("headers") or {})}
    return httpx.post(url, **kwargs)


@dataclass
class LiveServer:
    url: str
    app: Any
    db: Path

    @property
    def state(self) -> Any:
        return self.app.state.econsec

    @property
    def headers(self) -> dict[str, str]:
        """What a script sends to change something: the token header."""
        return {"X-CSRF-Token": self.state.csrf_token}


@contextmanager
def live_server(db: Path, **options: Any) -> Iterator[LiveServer]:
    """``create_app`` on ``db`` served by uvicorn on 127.0.0.1:<free port> until exit
    (``options`` go to ``create_app``; the token is :data:`TOKEN`)."""
    from econsec.web.app import create_app

    options.setdefault("token", TOKEN)
    for attempt in range(3):  # another process (a second pytest-xdist worker) may take
        port = free_port()    # the free port before uvicorn binds it: try another one
        app = create_app(f"sqlite:///{db}", **{"port": port, **options})
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                               log_level="warning", lifespan="off"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 30
        while not server.started and thread.is_alive():
            if time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        if server.started:
            break
        if attempt == 2:
            raise RuntimeError("the test server did not start")
    url = f"http://127.0.0.1:{port}"
    httpx.get(url + "/api/v1/health", timeout=30).raise_for_status()
    try:
        yield LiveServer(url, app, db)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        jobs = app.state.econsec.services.get("jobs")
        if jobs is not None:
            jobs.shutdown()
