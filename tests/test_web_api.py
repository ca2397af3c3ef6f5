"""The JSON API against a real server on loopback (uvicorn on a free port, httpx calls).

The knowledge base is a private copy of the session's ``econsec init`` database; tests that
change it (the import) run last in this file.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from conftest import run_cli
from web_server import LiveServer, live_server

API = "/api/v1"
EXAMPLES = Path(__file__).resolve().parents[1] / "docs" / "examples"


@pytest.fixture(scope="module")
def server(built_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    db = tmp_path_factory.mktemp("api") / "econsec.db"
    shutil.copy(built_db, db)
    with live_server(db) as live:
        yield live


@pytest.fixture(scope="module")
def client(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url + API, timeout=60, headers=server.headers) as c:
        yield c


def cli_json(server: LiveServer | None, *args: str) -> Any:
    """The CLI's ``--format json`` output (on the server's knowledge base if given)."""
    return json.loads(run_cli(*args, "--format", "json",
                              db=server.db if server else None).stdout)


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


# ----------------------------------------------------------------------------- meta


def test_health_and_sources(client: httpx.Client) -> None:
    health = client.get("/health").json()
    assert health["status"] == "ok" and health["counts"]["observations"] > 1000
    keys = [s["key"] for s in client.get("/sources").json()["sources"]]
    assert "usgs-mcs-2025-world" in keys and keys == sorted(keys)


def test_openapi_documents_every_endpoint(client: httpx.Client, server: LiveServer) -> None:
    spec = client.get("/openapi.json").json()
    for path in ("/commodities", "/commodities/{commodity}", "/commodities/{commodity}/shares",
                 "/countries", "/countries/{country}", "/assessments/dependence",
                 "/assessments/lenses", "/assessments/eu-crm/screening", "/assessments/eu-crm",
                 "/io/{model}", "/scenarios/worked", "/scenarios/runs",
                 "/scenarios/runs/{job_id}", "/data/preview", "/data/import", "/health",
                 "/sources"):
        operations = spec["paths"][API + path]
        for op in operations.values():
            assert op["tags"] and op["summary"], path
    assert httpx.get(server.url + "/docs").status_code == 200


# ----------------------------------------------------------------------------- commodities


def test_commodities_paginate(client: httpx.Client, server: LiveServer) -> None:
    first = client.get("/commodities", params={"limit": 10})
    body = first.json()
    assert body["limit"] == 10 and body["offset"] == 0 and len(body["items"]) == 10
    assert first.headers["link"] == f'<{body["next"]}>; rel="next"'
    items, url = list(body["items"]), body["next"]
    while url:
        page = httpx.get(url, timeout=30).json()
        items += page["items"]
        url = page["next"]
    assert len(items) == body["total"]
    assert items == cli_json(server, "commodities")["commodities"]


def test_commodity_profile_and_unknown_name(client: httpx.Client) -> None:
    profile = client.get("/commodities/gallium").json()
    assert profile["commodity"] == "gallium" and profile["name_ja"] == "ガリウム"
    assert profile["measures"]["production"]["shares"][0]["iso3"] == "CHN"
    assert client.get("/commodities/ガリウム").json()["commodity"] == "gallium"
    problem = assert_problem(client.get("/commodities/galium"), 404)
    assert "gallium" in problem["suggestions"]
    assert problem["error"] == "UnknownCommodityError"


def test_shares_are_the_cli_json(client: httpx.Client, server: LiveServer) -> None:
    api = client.get("/commodities/gallium/shares").json()
    assert api == cli_json(server, "shares", "gallium")
    api = client.get("/commodities/rare-earths/shares",
                     params={"measure": "reserves", "basis": "reported"}).json()
    assert api == cli_json(server, "shares", "rare-earths", "--measure", "reserves",
                           "--basis", "reported")


@pytest.mark.parametrize("query", [{"measure": "foo"}, {"year": "abc"}, {"basis": "x"},
                                   {"year": 3000}])
def test_bad_query_values_are_422(client: httpx.Client, query: dict[str, Any]) -> None:
    problem = assert_problem(client.get("/commodities/gallium/shares", params=query), 422)
    assert problem["errors"][0]["location"].startswith("query.")


def test_bad_paging_is_422_and_missing_year_404(client: httpx.Client) -> None:
    assert_problem(client.get("/commodities", params={"limit": 0}), 422)
    assert_problem(client.get("/countries", params={"offset": -1}), 422)
    problem = assert_problem(client.get("/commodities/gallium/shares",
                                        params={"year": 1990}), 404)
    assert "years available" in problem["detail"]


# ----------------------------------------------------------------------------- countries


def test_countries_paginate_and_filter(client: httpx.Client) -> None:
    body = client.get("/countries", params={"limit": 100, "offset": 200}).json()
    assert body["total"] > 240 and len(body["items"]) == body["total"] - 200
    assert body["next"] is None
    g7 = client.get("/countries", params={"group": "G7"}).json()
    assert {c["iso3"] for c in g7["items"]} == {"CAN", "DEU", "FRA", "GBR", "ITA", "JPN",
                                                "USA"}


def test_country_profile(client: httpx.Client) -> None:
    china = client.get("/countries/China").json()
    assert china["iso3"] == "CHN" and china["name_ja"] == "中国"
    assert china["groups"] == [] and china["export_control"]["group_a"] is False
    assert set(china["governance"]["estimates"]) == {"CC", "GE", "PV", "RL", "RQ", "VA"}
    assert china["country_risk"]["category"] in range(8)
    gallium = next(r for r in china["produces"] if r["commodity"] == "gallium")
    assert gallium["rank"] == 1 and gallium["share"] > 0.9
    shares = [r["share"] for r in china["produces"]]
    assert shares == sorted(shares, reverse=True)
    depends = {r["commodity"]: r for r in china["home_depends_on"]}
    assert depends["gallium"]["is_top_supplier"] and depends["gallium"]["outside_share"] > 0.9
    usa = client.get("/countries/usa").json()
    assert {"g7", "quad", "oecd"} <= set(usa["groups"]) and usa["export_control"]["group_a"]
    assert usa["is_partner_of_home"]
    problem = assert_problem(client.get("/countries/Chna"), 404)
    assert problem["suggestions"]


# ----------------------------------------------------------------------------- assessments


def test_dependence_is_the_cli_json(client: httpx.Client, server: LiveServer) -> None:
    api = client.get("/assessments/dependence", params={"country": "JPN"}).json()
    assert api == cli_json(server, "assess", "dependence", "--country", "JPN")
    assert_problem(client.get("/assessments/dependence", params={"country": "Atlantis"}), 404)


def test_lenses_and_screening(client: httpx.Client) -> None:
    lenses = client.get("/assessments/lenses", params={"country": "USA"}).json()
    assert lenses["home"] == "USA" and lenses["rows"]
    assert {"external_dependence", "domestic_advantage"} <= set(lenses["rows"][0])
    matrix = client.get("/assessments/eu-crm/screening").json()
    assert matrix["points"] and matrix["sr_threshold"] == 1.0


def test_eu_crm_from_json_body_and_upload(client: httpx.Client, server: LiveServer) -> None:
    path = EXAMPLES / "eu_crm_2023_input.json"
    expected = cli_json(server, "assess", "eu-crm", "--input", str(path))
    body = client.post("/assessments/eu-crm", content=path.read_bytes(),
                       headers={"content-type": "application/json"}).json()
    assert body["results"] == expected["results"]
    uploaded = client.post("/assessments/eu-crm",
                           files={"file": ("mine.json", path.read_bytes())}).json()
    assert uploaded["results"] == expected["results"] and uploaded["input"] == "mine.json"
    problem = assert_problem(client.post("/assessments/eu-crm", json={"materials": "x"}), 422)
    assert problem["file"] == "request-body.json"
    assert_problem(client.post("/assessments/eu-crm", content=b"{oops",
                               headers={"content-type": "application/json"}), 422)


# ----------------------------------------------------------------------------- io


def test_static_shocks_are_the_cli_json(client: httpx.Client, server: LiveServer) -> None:
    api = client.post("/io/leontief", json={
        "mrio": "pymrio:test",
        "shocks": [{"region": "reg1", "sector": "mining", "value": "-10%"}]}).json()
    cli = cli_json(None, "io", "leontief", "--demand-change", "reg1/mining=-10%")
    assert api == cli
    api = client.post("/io/extract", json={"shocks": [{"region": "reg2", "sector": "mining"}],
                                           "variant": "backward"}).json()
    assert api == cli_json(None, "io", "extract", "--extract", "reg2/mining",
                           "--variant", "backward")
    assert client.post("/io/iim", json={"shocks": [{"region": "reg1", "sector": "mining",
                                                    "value": 0.1}]}).json()["model"]
    assert client.post("/io/ghosh", json={"shocks": [{"region": "reg1", "sector": "mining",
                                                      "value": -5}]}).status_code == 200
    problem = assert_problem(client.post("/io/iim", json={
        "shocks": [{"region": "reg1", "sector": "minng", "value": 0.1}]}), 404)
    assert "mining" in problem["suggestions"]
    assert_problem(client.post("/io/leontief", json={
        "mrio": "/etc", "shocks": [{"region": "reg1", "sector": "mining", "value": 1}]}), 422)
    assert_problem(client.post("/io/leontief", json={"shocks": []}), 422)
    assert_problem(client.post("/io/nope", json={"shocks": []}), 422)


# ----------------------------------------------------------------------------- scenarios

SCENARIO = {
    "name": "api test: reg2 mining outage",
    "mrio": "pymrio:test",
    "horizon_days": 40,
    "events": [{"type": "capacity_loss", "region": "reg2", "sector": "mining", "share": 0.5,
                "start_day": 2, "duration_days": 10, "recovery_days": 10}],
    "mitigations": [{"type": "substitute", "label": "substitution", "region": "reg2",
                     "sector": "mining", "share": 0.5, "start_day": 3}],
    "compare_mitigations": True,
}


def poll(client: httpx.Client, location: str, timeout: float = 30.0) -> dict[str, Any]:
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(location.removeprefix(API)).json()
        seen.append(job["progress"])
        if job["status"] in ("done", "failed"):
            assert seen == sorted(seen), "progress never goes back"
            return job
        time.sleep(0.05)
    raise AssertionError(f"job not finished after {timeout} s: {job}")


def test_scenario_run_job(client: httpx.Client) -> None:
    started = client.post("/scenarios/runs", json=SCENARIO)
    assert started.status_code == 202, started.text
    job = started.json()
    assert job["status"] in ("queued", "running", "done")
    assert started.headers["location"] == f"{API}/scenarios/runs/{job['id']}"
    done = poll(client, started.headers["location"])
    assert done["status"] == "done" and done["progress"] == 1.0 and done["error"] is None
    result = done["result"]
    assert result["horizon_days"] == 40 and result["variant"] == "all measures"
    assert [v["name"] for v in result["variants"]] == ["all measures", "no measures"]
    assert result["total_production_change"] < 0
    series = done["series"]
    assert len(series["days"]) == result["days"]
    for variant in series["variants"]:
        assert len(variant["production_change"]) == len(series["days"])
        assert variant["relative_production"][0]["sector"] == result["worst_hit"][0]["sector"]
    main = series["variants"][0]
    assert sum(main["production_change"]) == pytest.approx(result["total_production_change"])


def test_scenario_run_from_yaml_and_worked(client: httpx.Client) -> None:
    text = "\n".join(["name: yaml run", "mrio: pymrio:test", "horizon_days: 20", "events:",
                      "  - {type: capacity_loss, region: reg1, sector: mining, share: 0.3,",
                      "     start_day: 1, duration_days: 5}"])
    started = client.post("/scenarios/runs", content=text,
                          headers={"content-type": "application/yaml"})
    assert started.status_code == 202, started.text
    assert poll(client, started.headers["location"])["status"] == "done"
    worked = client.post("/scenarios/runs", json={"worked": "pymrio-test-mining-outage"})
    assert worked.status_code == 202
    assert worked.json()["notes"]  # the ensemble block is ignored, and said so
    done = poll(client, worked.headers["location"], timeout=45)
    assert done["status"] == "done" and len(done["series"]["variants"]) == 6
    names = [w["name"] for w in client.get("/scenarios/worked").json()["scenarios"]]
    assert "bea-primary-metals" in names


def test_scenario_errors(client: httpx.Client) -> None:
    bad_yaml = client.post("/scenarios/runs", content="name: x\nmrio: pymrio:test\n"
                           "horizon_days: 10\nevents: []\ncolour: red\n",
                           headers={"content-type": "application/yaml"})
    problem = assert_problem(bad_yaml, 422)
    assert problem["line"] and problem["file"] == "request body"
    assert_problem(client.post("/scenarios/runs", json={"worked": "nope"}), 404)
    assert_problem(client.post("/scenarios/runs", json={**SCENARIO, "mrio": "/tmp"}), 422)
    unknown = {**SCENARIO, "events": [{**SCENARIO["events"][0], "sector": "minnig"}],
               "mitigations": [], "compare_mitigations": False}
    started = client.post("/scenarios/runs", json=unknown)
    assert started.status_code == 202
    failed = poll(client, started.headers["location"])
    assert failed["status"] == "failed" and failed["result"] is None
    assert failed["error"]["status"] == 404 and "minnig" in failed["error"]["detail"]
    assert_problem(client.get("/scenarios/runs/0123"), 404)


# ----------------------------------------------------------------------------- data

GOOD_CSV = ("item,country,year,measure,value,unit,source\n"
            "gallium,Japan,2031,production,5000,kilograms,API test survey\n"
            "gallium,China,2031,production,600000,kilograms,API test survey\n")
BAD_CSV = ("item,country,year,measure,value,unit,source\n"
           "gallium,Japan,2031,production,5000,kilograms,API test survey\n"
           "gallium,China,2031,production,lots,kilograms,API test survey\n")


def test_preview_parses_without_storing(client: httpx.Client) -> None:
    before = client.get("/health").json()["counts"]
    preview = client.post("/data/preview", params={"rows": 1},
                          files={"file": ("survey.csv", GOOD_CSV.encode())}).json()
    assert preview["counts"]["observations"] == 2 and preview["stored"] is False
    assert len(preview["rows"]["observations"]) == 1
    assert preview["rows"]["observations"][0]["iso3"] == "JPN"
    assert client.get("/health").json()["counts"] == before


def test_malformed_preview_is_422_with_location(client: httpx.Client) -> None:
    before = client.get("/health").json()["counts"]
    problem = assert_problem(client.post("/data/preview",
                                         files={"file": ("survey.csv", BAD_CSV.encode())}), 422)
    assert problem["file"] == "survey.csv" and problem["line"] == 3
    assert problem["column"] == "value"
    assert_problem(client.post("/data/import",
                               files={"file": ("survey.csv", BAD_CSV.encode())}), 422)
    assert_problem(client.post("/data/preview", files={"file": ("a.pdf", b"%PDF")}), 422)
    assert_problem(client.post("/data/preview", data={"x": "1"}), 422)
    assert client.get("/health").json()["counts"] == before


def test_oversize_upload_is_413(client: httpx.Client, server: LiveServer) -> None:
    before = client.get("/health").json()["counts"]
    limit = server.state.max_upload_bytes
    server.state.max_upload_bytes = 100_000
    try:
        big = GOOD_CSV.encode() + b"gallium,Japan,2031,production,1,kilograms,x\n" * 4000
        problem = assert_problem(client.post("/data/preview",
                                             files={"file": ("big.csv", big)}), 413)
        assert "100000" in problem["detail"]
        assert_problem(client.post("/data/import", files={"file": ("big.csv", big)}), 413)
        assert_problem(client.post("/assessments/eu-crm", content=b" " * 200_000,
                                   headers={"content-type": "application/json"}), 413)
    finally:
        server.state.max_upload_bytes = limit
    assert client.get("/health").json()["counts"] == before


def test_import_stores_and_refreshes_reads(client: httpx.Client) -> None:
    """Runs last: it changes the knowledge base."""
    before = client.get("/health").json()
    years = client.get("/commodities/gallium").json()["measures"]["production"]["year"]
    assert years == 2024
    stored = client.post("/data/import", files={"file": ("survey.csv", GOOD_CSV.encode())})
    assert stored.status_code == 200, stored.text
    assert stored.json()["rows"]["observations"] == 2
    after = client.get("/health").json()
    assert after["counts"]["observations"] == before["counts"]["observations"] + 2
    assert after["data_version"] == before["data_version"] + 1
    shares = client.get("/commodities/gallium/shares", params={"year": 2031}).json()
    assert shares["basis"] == "reported" and shares["shares"][0]["iso3"] == "CHN"


def test_command_line_import_reaches_the_running_server(
    server: LiveServer, client: httpx.Client, tmp_path: Path
) -> None:
    """Runs after the API import: an ``econsec import`` against the same database is seen
    by the running server once its cache notices the new data (within a few seconds)."""
    before = client.get("/commodities/lithium/shares", params={"year": 2040})
    assert before.status_code == 404
    path = tmp_path / "cli.csv"
    path.write_text("item,country,year,measure,value,unit\n"
                    "lithium,Chile,2040,production,7,t\n")
    run_cli("import", str(path), db=server.db)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        response = client.get("/commodities/lithium/shares", params={"year": 2040})
        if response.status_code == 200:
            break
        time.sleep(0.5)
    assert response.status_code == 200 and response.json()["shares"][0]["iso3"] == "CHL"
