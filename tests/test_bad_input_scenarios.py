"""Bad and hostile scenario files: each is refused with exit 2 (command line) or a 4xx
problem document (API), one line with its location, in bounded time and memory.

Command-line cases run ``econsec simulate`` in a subprocess and measure its wall time and
peak memory (``resource.getrusage`` of the child); API cases post to a real server on
loopback. One test function or parametrised case per bad input.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from web_server import LiveServer, live_server

MAX_SECONDS = 2.0
MAX_RSS_MB = 200

BASE = ("name: x\nmrio: pymrio:test\nhorizon_days: 30\nevents:\n"
        "  - {type: capacity_loss, region: reg2, sector: mining, share: 0.5, start_day: 1}\n")

BILLION_LAUGHS = (
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    + "".join(f"{chr(c)}: &{chr(c)} [{','.join(['*' + chr(c - 1)] * 9)}]\n"
              for c in range(ord("b"), ord("j")))
    + "name: *i\nmrio: pymrio:test\nhorizon_days: 30\nevents: *i\n")


def deep_json(depth: int) -> str:
    return '{"name": "x", "mrio": "pymrio:test", "horizon_days": 30, "events": ' + \
        "[" * depth + "]" * depth + "}"


def deep_yaml(depth: int) -> str:
    return "name: x\nmrio: pymrio:test\nhorizon_days: 30\nevents: " + "[" * depth + \
        "]" * depth + "\n"


def simulate(path: Path, *args: str, cwd: Path | None = None) -> tuple[int, str, float, float]:
    """``econsec simulate PATH`` in a child process: (exit status, stderr, seconds, peak MB of
    the child). The child is a fresh interpreter, so its peak RSS is its own."""
    code = ("import resource, subprocess, sys, time\n"
            "t = time.monotonic()\n"
            "p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
            "dt = time.monotonic() - t\n"
            "kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
            "sys.stdout.write(f'{p.returncode} {dt} {kb}\\n' + p.stderr)\n")
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "300"}
    out = subprocess.run([sys.executable, "-c", code, sys.executable, "-m", "econsec",
                          "simulate", str(path), *args], capture_output=True, text=True,
                         env=env, timeout=120, cwd=cwd)
    head, _, stderr = out.stdout.partition("\n")
    rc, seconds, kb = head.split()
    assert resource.RUSAGE_CHILDREN  # measured in the wrapper, per case
    return int(rc), stderr, float(seconds), int(kb) / 1024


def refused(path: Path, *args: str, expect: str, line: int | None = None,
            bounded: bool = False) -> str:
    """The one-line refusal of ``econsec simulate PATH ARGS``: in a child process (exit
    status, peak memory) when ``bounded``, else in process (fast; the same message)."""
    if not bounded:
        return _refused_in_cli(path, *args, expect=expect, line=line)
    rc, err, seconds, mb = simulate(path, *args)
    assert rc == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert "Traceback" not in err
    assert expect in lines[0], lines[0]
    if line is not None:
        assert f", line {line}" in lines[0], lines[0]
    if bounded:
        # the whole command (interpreter start and imports included) stays small; the
        # refusal itself is timed in process (the child's wall time depends on the load)
        assert mb < MAX_RSS_MB, mb
        assert seconds < 30, seconds
        _refused_in_process(path)
    return lines[0]


def _refused_in_cli(path: Path, *args: str, expect: str, line: int | None) -> str:
    from typer.testing import CliRunner

    from econsec.cli.app import app
    from econsec.cli.output import one_line
    from econsec.errors import EconsecError

    result = CliRunner().invoke(app, ["simulate", str(path), *args])
    exc = result.exception
    assert isinstance(exc, EconsecError), (result.output, exc)
    assert exc.exit_code == 2
    message = "error: " + one_line(exc)
    assert "\n" not in message and expect in message, message
    if line is not None:
        assert f", line {line}" in message, message
    return message


def _refused_in_process(path: Path) -> None:
    from econsec.errors import EconsecError
    from econsec.scenarios.schema import load_scenario

    started = time.monotonic()
    with pytest.raises(EconsecError):
        load_scenario(path)
    assert time.monotonic() - started < MAX_SECONDS


def write(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ------------------------------------------------------------------ documents (CLI)


def test_billion_laughs_yaml_cli(tmp_path: Path) -> None:
    refused(write(tmp_path, BILLION_LAUGHS), expect="alias", bounded=True)


@pytest.mark.parametrize("depth", [3_000, 100_000])
def test_deep_json_cli(tmp_path: Path, depth: int) -> None:
    # the deepest in a child process (exit status, memory), the other in process
    refused(write(tmp_path, deep_json(depth), "deep.json"), expect="deep",
            bounded=depth > 3_000)
    _refused_in_process(tmp_path / "deep.json")


@pytest.mark.parametrize("depth", [3_000, 100_000])
def test_deep_yaml_cli(tmp_path: Path, depth: int) -> None:
    refused(write(tmp_path, deep_yaml(depth)), expect="deep", line=4, bounded=depth > 3_000)
    _refused_in_process(tmp_path / "s.yaml")


def test_billion_laughs_parse_memory() -> None:
    """In process: refusing the alias bomb allocates little (tracemalloc)."""
    import tracemalloc

    from econsec.errors import DataFormatError
    from econsec.scenarios.schema import read_document

    tracemalloc.start()
    started = time.monotonic()
    with pytest.raises(DataFormatError):
        read_document(BILLION_LAUGHS, file="bomb.yaml")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert time.monotonic() - started < MAX_SECONDS
    assert peak < 50 * 1024 * 1024


# ------------------------------------------------------------------ values (CLI)


@pytest.mark.parametrize(("text", "line", "column"), [
    (BASE.replace("share: 0.5", "share: .nan"), 5, "events[0].share"),
    (BASE.replace("share: 0.5", "share: .inf"), 5, "events[0].share"),
    (BASE.replace("start_day: 1}", "start_day: 1}\nmodel: {type: ario, psi_param: .nan}"), 6,
     "model.psi_param"),
    (BASE.replace("start_day: 1}", "start_day: 1}\nmodel: {type: ario, alpha_max: -.inf}"), 6,
     "model.alpha_max"),
    (BASE + "ensemble:\n  runs: 3\n  parameters:\n"
            "    events[0].share: {dist: uniform, low: .nan, high: 0.6}\n", 9,
     "ensemble.parameters"),
    (BASE + "mitigations:\n  - {type: stockpile_release, region: reg1, sector: mining, "
            "days_of_use: .inf, start_day: 2}\n", 7, "mitigations[0].days_of_use"),
], ids=["share-nan", "share-inf", "psi-nan", "alpha-minus-inf", "ensemble-nan",
        "days-of-use-inf"])
def test_nan_and_inf_refused_with_line(tmp_path: Path, text: str, line: int,
                                       column: str) -> None:
    message = refused(write(tmp_path, text), expect="", line=line)
    assert column in message
    assert "nan" in message.lower() or "inf" in message.lower() or "finite" in message


def test_nan_in_json_scenario_refused(tmp_path: Path) -> None:
    doc = json.loads(json.dumps({"name": "x", "mrio": "pymrio:test", "horizon_days": 30,
                                 "events": [{"type": "capacity_loss", "region": "reg2",
                                             "sector": "mining", "share": 0.5,
                                             "start_day": 1}]}))
    text = json.dumps(doc).replace('"share": 0.5', '"share": NaN')
    refused(write(tmp_path, text, "s.json"), expect="events[0].share")


# ------------------------------------------------------------------ mrio (CLI)


@pytest.mark.parametrize(("mrio", "expect"), [
    ("no-such-folder", "not found"),
    ("empty-folder", "not a saved pymrio system"),
    ("s.yaml", "is a file, not a pymrio folder"),
    ("../../..", "leads outside the scenario's folder"),
    ("sub/../../outside", "leads outside the scenario's folder"),
    ("bundled:bea-1999", "unknown MRIO table"),
    ("pymrio:tset", "did you mean: pymrio:test"),
], ids=["missing", "wrong-kind-folder", "a-file", "escapes-up", "escapes-via-sub",
        "unknown-bundled", "typo-named"])
def test_bad_mrio_reference_refused_with_location(tmp_path: Path, mrio: str,
                                                  expect: str) -> None:
    (tmp_path / "empty-folder").mkdir()
    (tmp_path / "sub").mkdir()
    path = write(tmp_path, BASE.replace("mrio: pymrio:test", f"mrio: '{mrio}'"))
    message = refused(path, expect=expect, line=2)
    assert "column 'mrio'" in message


def test_runs_on_a_scenario_that_varies_nothing(tmp_path: Path) -> None:
    rc, err, _seconds, _mb = simulate(write(tmp_path, BASE), "--runs", "20")
    assert rc == 2 and len(err.strip().splitlines()) == 1, err
    assert "20 runs" in err and "varies nothing" in err


def test_ensemble_block_that_varies_nothing(tmp_path: Path) -> None:
    refused(write(tmp_path, BASE + "ensemble: {runs: 10, seed: 1}\n"), expect="varies nothing",
            line=6)


# ------------------------------------------------------------------ API


@pytest.fixture(scope="module")
def server(built_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    # a copy of the session's knowledge base (what an empty file would be built into)
    db = tmp_path_factory.mktemp("badscn") / "econsec.db"
    shutil.copy(built_db, db)
    with live_server(db) as live:
        yield live


@pytest.fixture(scope="module")
def client(server: LiveServer) -> Iterator[httpx.Client]:
    headers = dict(getattr(server, "headers", {}) or {})
    with httpx.Client(base_url=server.url + "/api/v1", timeout=30, headers=headers) as c:
        yield c


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status and body["detail"]
    assert "Traceback" not in response.text
    return body


def post_yaml(client: httpx.Client, text: str) -> httpx.Response:
    return client.post("/scenarios/runs", content=text.encode(),
                       headers={"content-type": "application/yaml"})


def test_billion_laughs_yaml_api(client: httpx.Client) -> None:
    started = time.monotonic()
    body = problem(post_yaml(client, BILLION_LAUGHS), 422)
    assert time.monotonic() - started < MAX_SECONDS
    assert "alias" in body["detail"] and body["file"] == "request body"


@pytest.mark.parametrize("depth", [3_000, 100_000])
def test_deep_json_api(client: httpx.Client, depth: int) -> None:
    started = time.monotonic()
    body = problem(client.post("/scenarios/runs", content=deep_json(depth).encode(),
                               headers={"content-type": "application/json"}), 422)
    assert time.monotonic() - started < MAX_SECONDS
    assert "deep" in body["detail"]


@pytest.mark.parametrize("depth", [3_000, 100_000])
def test_deep_yaml_api(client: httpx.Client, depth: int) -> None:
    started = time.monotonic()
    body = problem(post_yaml(client, deep_yaml(depth)), 422)
    assert time.monotonic() - started < MAX_SECONDS
    assert "deep" in body["detail"] and body["line"] == 4


def test_nan_share_api(client: httpx.Client) -> None:
    body = problem(post_yaml(client, BASE.replace("share: 0.5", "share: .nan")), 422)
    assert body["line"] == 5 and body["column"] == "events[0].share"


@pytest.mark.parametrize("mrio", ["/etc", "/root/secret-mrio", "../../data/exio",
                                  "bundled:../../etc", "C:\\Users\\x\\mrio", "file:///etc"],
                         ids=["absolute", "home", "relative", "bundled-escape", "windows",
                              "url"])
def test_api_scenario_cannot_name_server_paths(client: httpx.Client, mrio: str) -> None:
    body = problem(post_yaml(client, BASE.replace("mrio: pymrio:test", f"mrio: '{mrio}'")),
                   422)
    assert body["column"] == "mrio" and body["line"] == 2
    assert "bundled:bea-2023" in body["detail"]
    text = json.dumps(body)
    for part in ("/etc", "secret-mrio", "data/exio", "Users"):
        assert part not in text


def test_api_unknown_named_table(client: httpx.Client) -> None:
    body = problem(post_yaml(client, BASE.replace("pymrio:test", "bundled:bea-1999")), 422)
    assert body["column"] == "mrio" and "bea-1999" in body["detail"]


def test_api_ensemble_that_varies_nothing(client: httpx.Client) -> None:
    body = problem(post_yaml(client, BASE + "ensemble: {runs: 10}\n"), 422)
    assert "varies nothing" in body["detail"] and body["line"] == 6


def test_api_unknown_worked_scenario_is_not_a_path(client: httpx.Client) -> None:
    body = problem(client.post("/scenarios/runs", json={"worked": "../../etc/passwd"}), 404)
    assert body["column"] == "worked"


@pytest.mark.parametrize("mrio", ["/etc", "../../data/exio", "bundled:../../etc"],
                         ids=["absolute", "relative", "bundled-escape"])
def test_io_api_cannot_name_server_paths(client: httpx.Client, mrio: str) -> None:
    body = problem(client.post("/io/leontief", json={
        "mrio": mrio, "shocks": [{"region": "reg1", "sector": "mining", "value": 1}]}), 422)
    assert body["column"] == "mrio" and "bundled" in body["detail"]
    assert "/etc" not in json.dumps(body) and "exio" not in json.dumps(body)
