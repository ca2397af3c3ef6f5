"""Indo-Pacific trusted AI infrastructure: the cable graph on a made-up network with NetworkX
as the oracle, the score and the strait rule, data-centre CSV import (good and bad rows), the
CLI/API/page without the cable pack, and — when the optional non-commercial TeleGeography
pack exists on this machine — the pack loaded, its counts checked against its CSV directly
and its licence shown. The pack is never copied into the repository."""

from __future__ import annotations

import csv
import itertools
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import networkx as nx
import pytest
from babel.messages.pofile import read_po
from typer.testing import CliRunner

from conftest import run_cli
from econsec.datasets.datacentres import read_datacentres
from econsec.datasets.ember import GenerationYear
from econsec.datasets.submarine_cables import Cable, Landing, read_pack
from econsec.errors import DataFormatError, EconsecError, UnknownCountryError
from econsec.infrastructure.analysis import WEIGHTS, analyse, electricity, score
from econsec.infrastructure.geography import STRAITS, passes
from econsec.infrastructure.graph import (
    CABLE,
    LANDING,
    articulation_points,
    bridges,
    build_graph,
    cut_off_by,
    min_cut,
)
from econsec.infrastructure.models import ScoreComponent
from web_server import LiveServer, live_server

PACK = Path("/work/shared/data/optional_noncommercial/submarine_cables_2022")
needs_pack = pytest.mark.skipif(not (PACK / "cables.csv").is_file(),
                                reason="the optional non-commercial cable pack is not here")
CHROMIUM = "/usr/bin/chromium"
REPO = Path(__file__).resolve().parents[1]
PO = REPO / "src/econsec/i18n/locales/ja/LC_MESSAGES/infrastructure.po"

def cli(*args: str, db: Path | None = None) -> str:
    """Run ``econsec`` in this process (a subprocess costs seconds of start-up); returns its
    output, raising what the command raised (``econsec`` itself turns an EconsecError into
    one line and exit status 2, checked once with a subprocess below)."""
    from econsec.cli.app import app

    result = CliRunner().invoke(app, [*args, *(["--db", str(db)] if db else [])],
                                env={"COLUMNS": "200", "NO_COLOR": "1"})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code == 0, result.output
    return result.output


# ------------------------------------------------------------- a made-up cable network
#: cable -> (station, country) landings. Country A has two stations; B is reached by two
#: independent cables (c1 from A1, c2 from A2); C hangs on B by one cable (c3) and D on C
#: through one station (D1) served by two cables (c4, c5); E shares station B1 with c1.
MADE_UP = {
    "c1": [("A1", "AAA"), ("B1", "BBB")],
    "c2": [("A2", "AAA"), ("B2", "BBB")],
    "c3": [("B2", "BBB"), ("C1", "CCC")],
    "c4": [("C1", "CCC"), ("D1", "DDD")],
    "c5": [("C2", "CCC"), ("D1", "DDD")],
    "c6": [("B1", "BBB"), ("E1", "EEE"), ("A2", "AAA")],
}


def made_up_landings() -> list[Landing]:
    return [Landing(c, p, p, iso3, 0.0, 0.0) for c, lands in MADE_UP.items()
            for p, iso3 in lands]


def oracle_graph(landings: list[Landing]) -> nx.Graph:
    g = nx.Graph()
    for x in landings:
        g.add_edge(f"country:{x.iso3}", f"landing:{x.point_id}")
        g.add_edge(f"landing:{x.point_id}", f"cable:{x.cable_id}")
    return g


def brute_force_cut(g: nx.Graph, a: str, b: str, kind: str) -> int:
    """The fewest nodes of ``kind`` whose removal disconnects a and b, by trying subsets."""
    pool = [n for n in g if n.startswith(kind + ":")]
    for k in range(len(pool) + 1):
        for chosen in itertools.combinations(pool, k):
            h = g.copy()
            h.remove_nodes_from(chosen)
            if not nx.has_path(h, a, b):
                return k
    raise AssertionError("never disconnected")


def test_cut_vertices_and_edges_match_networkx() -> None:
    landings = made_up_landings()
    cg = build_graph(landings)
    g = oracle_graph(landings)
    assert articulation_points(cg) == set(nx.articulation_points(g))
    assert bridges(cg) == {tuple(sorted(e)) for e in nx.bridges(g)}
    assert "cable:c3" in articulation_points(cg)  # C and D hang on c3


@pytest.mark.parametrize("kind", [CABLE, LANDING])
def test_min_cuts_match_networkx_and_brute_force(kind: str) -> None:
    landings = made_up_landings()
    cg = build_graph(landings)
    g = oracle_graph(landings)
    for a, b in itertools.permutations(["AAA", "BBB", "CCC", "DDD", "EEE"], 2):
        cut = min_cut(cg, f"country:{a}", f"country:{b}", kind)
        expected = brute_force_cut(g, f"country:{a}", f"country:{b}", kind)
        assert cut.size == expected, (a, b, kind)
        # the set returned really separates them
        h = g.copy()
        h.remove_nodes_from(f"{kind}:{n}" for n in cut.nodes)
        assert len(cut.nodes) == expected and not nx.has_path(h, f"country:{a}",
                                                               f"country:{b}")
        if kind == CABLE:  # and NetworkX's maximum flow on the split graph
            assert cut.size == nx.maximum_flow_value(*_split(g, f"country:{a}",
                                                             f"country:{b}"))
    assert min_cut(cg, "country:AAA", "country:BBB", CABLE).nodes == ("c1", "c2", "c6")


def test_single_points_of_failure_match_removal_in_networkx() -> None:
    landings = made_up_landings()
    cg = build_graph(landings)
    g = oracle_graph(landings)
    found = cut_off_by(cg, "country:AAA", sorted(g.nodes))
    expected = {}
    for node in g.nodes:
        if node == "country:AAA":
            continue
        h = g.copy()
        h.remove_node(node)
        lost = sorted(n.split(":")[1] for n in g if n.startswith("country:") and n != node
                      and n != "country:AAA" and not nx.has_path(h, "country:AAA", n))
        if lost:
            expected[node] = lost
    assert found == expected
    assert found["cable:c3"] == ["CCC", "DDD"] and found["landing:D1"] == ["DDD"]


def test_planned_cables_are_left_out_on_request() -> None:
    landings = made_up_landings()
    cables = {c: Cable(c, c, 2020, c == "c2", (), (), None) for c in MADE_UP}
    with_planned = build_graph(landings, cables)
    without = build_graph(landings, cables, include_planned=False)
    assert with_planned.has("cable:c2") and not without.has("cable:c2")
    assert min_cut(without, "country:AAA", "country:BBB").size == 2  # c1 and c6 remain


def test_score_is_the_weighted_mean_with_coverage() -> None:
    parts = [ScoreComponent(id=k, weight=w, value=v, basis="")
             for (k, w), v in zip(WEIGHTS.items(), [0.5, 1.0, 0.2, None, 0.0], strict=True)]
    known = [(w, v) for (_, w), v in zip(WEIGHTS.items(), [0.5, 1.0, 0.2, None, 0.0],
                                         strict=True) if v is not None]
    expected = 100 * sum(w * v for w, v in known) / sum(w for w, _ in known)
    assert score(parts) == round(expected, 1)
    sparse = [ScoreComponent(id=k, weight=w, value=1.0 if k == "launch_access" else None,
                             basis="") for k, w in WEIGHTS.items()]
    assert score(sparse) is None  # one term is not a score


def test_electricity_terms() -> None:
    years = [GenerationYear("XXX", 2018, {"Coal": 80.0, "Solar": 20.0}),
             GenerationYear("XXX", 2023, {"Coal": 90.0, "Solar": 60.0, "Nuclear": 10.0}),
             GenerationYear("XXX", 2025, {"Coal": 1.0}, provisional=True)]
    year, twh, low, growth = electricity(years)
    assert (year, twh) == (2023, 160.0)
    assert low == pytest.approx(70 / 160)
    assert growth == pytest.approx((160 / 100) ** 0.2 - 1)


def test_strait_rule() -> None:
    luzon = next(s for s in STRAITS if s.id == "luzon")
    across = [[(luzon.lon - 3, luzon.lat), (luzon.lon + 3, luzon.lat + 0.5)]]
    far = [[(luzon.lon - 3, luzon.lat + 5), (luzon.lon + 3, luzon.lat + 5)]]
    assert passes(across, luzon) and not passes(far, luzon)
    # across the antimeridian the longitudes wrap
    pacific = next(s for s in STRAITS if s.id == "torres")
    assert passes([[(pacific.lon - 360 + 0.1, pacific.lat)]], pacific)


def test_analysis_without_pack_uses_electricity_and_launches() -> None:
    years = {"VNM": [GenerationYear("VNM", y, {"Coal": 100.0 + 10 * i, "Hydro": 50.0})
                     for i, y in enumerate(range(2015, 2024))]}
    result = analyse(None, countries={"VNM": ("Viet Nam", "ベトナム")}, generation=years,
                     launches=[])
    assert not result.pack.loaded and "econsec infra pack add" in result.pack.how_to_load
    assert result.network is None and result.home_figures is None
    vnm = next(c for c in result.countries if c.iso3 == "VNM")
    assert vnm.score is not None and vnm.min_cable_cut is None
    assert {c.id for c in vnm.components if c.value is None} == {"redundancy_need",
                                                                 "japanese_suppliers"}


# ------------------------------------------------------------------ data-centre CSV


def test_datacentre_csv_good_and_bad(tmp_path: Path) -> None:
    good = tmp_path / "dcs.csv"
    good.write_text("id,name,country,latitude,longitude,capacity_mw,location\n"
                    "tk-1,Tokyo One,JPN,35.6,139.7,30,Tokyo\n"
                    "sg-1,Singapore One,Singapore,,,12.5,\n", "utf-8")
    rows = read_datacentres(good)
    assert [(r.id, r.iso3, r.capacity_mw) for r in rows] == [("tk-1", "JPN", 30.0),
                                                             ("sg-1", "SGP", 12.5)]
    bad = tmp_path / "bad.csv"
    bad.write_text("id,name,country,latitude,longitude,capacity_mw,location\n"
                   "ok-1,Fine,JPN,,,1,\n"
                   "Bad Id,Name,JPN,,,1,\n"
                   "x-2,Name,Atlantis,,,1,\n"
                   "x-3,Name,JPN,95,10,1,\n"
                   "ok-1,Again,JPN,,,-4,\n", "utf-8")
    with pytest.raises(EconsecError) as caught:
        read_datacentres(bad)
    text = str(caught.value)
    assert "bad.csv, line 3, column 'id'" in text
    assert "line 4, column 'country'" in text and "Atlantis" in text
    assert "line 5, column 'latitude'" in text
    assert "line 6, column 'id'" in text and "3 more problems" in text
    missing = tmp_path / "missing.csv"
    missing.write_text("id,name\nx,y\n", "utf-8")
    with pytest.raises(DataFormatError, match="country"):
        read_datacentres(missing)
    one = tmp_path / "one.csv"
    one.write_text("id,name,country\nx-1,X,Narnia\n", "utf-8")
    with pytest.raises(UnknownCountryError, match="line 2, column 'country'"):
        read_datacentres(one)


# ------------------------------------------------------------------ no pack


def test_cli_without_pack_says_how_to_load(built_db: Path, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ECONSEC_PACKS_DIR", str(tmp_path / "packs"))
    doc = json.loads(cli("infra", "analyse", "--format", "json", db=built_db))
    assert doc["pack"]["loaded"] is False and doc["network"] is None
    assert "econsec infra pack add" in doc["pack"]["how_to_load"]
    assert {s["key"] for s in doc["sources"]} >= {"ember-generation", "jsr-launches"}
    scored = [c for c in doc["countries"] if c["score"] is not None]
    assert len(scored) > 20
    table = cli("infra", "pack", "show", db=built_db)
    assert "not loaded" in table and "CC BY-NC-SA 3.0" in table
    with pytest.raises(UnknownCountryError, match="Atlantis"):
        cli("infra", "country", "Atlantis", db=built_db)
    with pytest.raises(EconsecError, match="unknown name 'flowers'"):
        cli("infra", "analyse", "--table", "flowers", db=built_db)
    empty = tmp_path / "empty"
    empty.mkdir()
    bad = run_cli("infra", "pack", "add", str(empty), db=built_db, check=False,
                  env={"ECONSEC_PACKS_DIR": str(tmp_path / "packs")})
    assert bad.returncode == 2 and "cables.csv" in bad.stderr and "Traceback" not in bad.stderr
    assert not (tmp_path / "packs").exists()


def test_bad_pack_rows_are_located(tmp_path: Path) -> None:
    """A made-up pack (not the TeleGeography data) with a bad cell in each file."""
    folder = tmp_path / "pack"
    folder.mkdir()
    (folder / "cables.csv").write_text(
        "id,name,rfs_year,is_planned,owners,suppliers,length_km\n"
        "x1,X One,2020,False,Owner,NEC,100\n", "utf-8")
    (folder / "cable_landing_points.csv").write_text(
        "cable_id,landing_point_id,landing_point_name,country,lon,lat\n"
        "x1,a,A,Japan,140,35\n"
        "x2,b,B,Japan,140,35\n", "utf-8")
    with pytest.raises(DataFormatError, match=r"line 3, column 'cable_id'.*x2"):
        read_pack(folder)
    (folder / "cable_landing_points.csv").write_text(
        "cable_id,landing_point_id,landing_point_name,country,lon,lat\n"
        "x1,a,A,Japan,240,35\n", "utf-8")
    with pytest.raises(DataFormatError, match="line 2, column 'lon'"):
        read_pack(folder)
    (folder / "cable_landing_points.csv").write_text(
        "cable_id,landing_point_id,landing_point_name,country,lon,lat\n"
        "x1,a,A,Japan,140,35\nx1,b,B,South Korea,128,35\n", "utf-8")
    (folder / "cable-geo.json").write_text('{"features": [{"properties": {}}]}', "utf-8")
    with pytest.raises(DataFormatError, match="feature 1"):
        read_pack(folder)


@pytest.fixture(scope="module")
def plain_server(built_db: Path, tmp_path_factory: pytest.TempPathFactory
                 ) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("infra-plain")
    db = folder / "econsec.db"
    shutil.copy(built_db, db)
    with live_server(db) as server:
        yield server
    for leftover in folder.glob("*.db*"):
        leftover.unlink(missing_ok=True)


def test_api_and_page_without_pack(plain_server: LiveServer) -> None:
    base = plain_server.url
    doc = httpx.get(base + "/api/v1/infrastructure", timeout=60).json()
    assert doc["pack"]["loaded"] is False and doc["home_figures"] is None
    assert doc["weights"] == WEIGHTS
    assert httpx.get(base + "/api/v1/infrastructure/pack", timeout=30).json()["loaded"] is False
    one = httpx.get(base + "/api/v1/infrastructure/countries/Viet Nam", timeout=60).json()
    assert one["country"]["iso3"] == "VNM" and one["pack"]["loaded"] is False
    assert httpx.get(base + "/api/v1/infrastructure/countries/XXX", timeout=30).status_code \
        == 404
    assert httpx.get(base + "/api/v1/infrastructure?region=atlantis",
                     timeout=30).status_code == 404
    assert httpx.get(base + "/api/v1/infrastructure/countries/JPN",
                     timeout=30).status_code == 422
    en = httpx.get(base + "/infrastructure?lang=en", timeout=60).text
    assert 'id="pack-missing"' in en and "econsec infra pack add" in en
    assert "fig-cables" not in en and "Contribution potential per country" in en
    ja = httpx.get(base + "/infrastructure?lang=ja", timeout=60).text
    assert "読み込まれていません" in ja and "国別の貢献可能性" in ja
    assert 'href="/infrastructure"' in ja


def test_datacentres_upload_through_the_api(plain_server: LiveServer) -> None:
    url = plain_server.url + "/api/v1/infrastructure/datacentres"
    good = ("id,name,country,latitude,longitude,capacity_mw,location\n"
            "au-1,Sydney One,AUS,-33.9,151.2,25,Sydney\n"
            "au-2,Sydney Two,Australia,,,5,\n")
    refused = httpx.post(url, files={"file": ("web-dcs.csv", good.encode(), "text/csv")},
                         timeout=60)
    assert refused.status_code == 403  # no token: nothing stored
    answer = httpx.post(url, files={"file": ("web-dcs.csv", good.encode(), "text/csv")},
                        headers=plain_server.headers, timeout=60)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"file": "web-dcs.csv", "source_key": "datacentres:web-dcs.csv",
                             "rows": 2}
    aus = httpx.get(plain_server.url + "/api/v1/infrastructure/countries/AUS",
                    timeout=60).json()["country"]
    assert aus["datacentres"] == 2 and aus["datacentre_mw"] == 30.0
    bad = good + "au-3,Broken,AUS,-95,151,1,\n"
    problem = httpx.post(url, files={"file": ("web-dcs.csv", bad.encode(), "text/csv")},
                         headers=plain_server.headers, timeout=60)
    assert problem.status_code == 422
    assert problem.json()["line"] == 4 and problem.json()["column"] == "latitude"
    again = httpx.get(plain_server.url + "/api/v1/infrastructure/countries/AUS",
                      timeout=60).json()["country"]
    assert again["datacentres"] == 2  # all or nothing


# ------------------------------------------------------------------ the real pack


def _japan_counts() -> tuple[int, int]:
    """Japan's landing points and cables read straight from the pack's CSV."""
    with (PACK / "cable_landing_points.csv").open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["country"] == "Japan"]
    return len({r["landing_point_id"] for r in rows}), len({r["cable_id"] for r in rows})


@pytest.fixture(scope="module")
def pack_db(built_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    if not (PACK / "cables.csv").is_file():
        pytest.skip("the optional non-commercial cable pack is not here")
    folder = tmp_path_factory.mktemp("infra")
    db = folder / "econsec.db"
    shutil.copy(built_db, db)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ECONSEC_PACKS_DIR", str(folder / "packs"))
        status = json.loads(cli("infra", "pack", "add", str(PACK), "--format", "json", db=db))
    assert status["loaded"] and status["folder"].startswith(str(folder / "packs"))
    yield db
    for leftover in folder.glob("*.db*"):
        leftover.unlink(missing_ok=True)


@needs_pack
def test_pack_counts_match_the_csv(pack_db: Path) -> None:
    points, cables = _japan_counts()
    assert (points, cables) == (25, 32)  # as PROVENANCE.txt states
    doc = json.loads(cli("infra", "analyse", "--format", "json", db=pack_db))
    home = doc["home_figures"]
    assert (home["landing_points"], home["cables"]) == (points, cables)
    assert sum(s["cables"] for s in home["stations"]) == len(
        [r for r in csv.DictReader((PACK / "cable_landing_points.csv").open(encoding="utf-8"))
         if r["country"] == "Japan"])
    assert doc["pack"]["licence"].startswith("CC BY-NC-SA 3.0")
    assert any(s["licence"].startswith("CC BY-NC-SA") for s in doc["sources"])
    # a cable that alone cuts a region country off from Japan really does (NetworkX)
    pack = read_pack(PACK)
    g = oracle_graph(list(pack.landings))
    region_points = [f for f in home["failure_points"] if f["cut_off_in_region"]]
    assert region_points
    for f in region_points[:5]:
        h = g.copy()
        h.remove_node(f"{f['kind']}:{f['id']}")
        for iso3 in f["cut_off_in_region"]:
            assert not nx.has_path(h, "country:JPN", f"country:{iso3}")
    by_iso = {c["iso3"]: c for c in doc["countries"]}
    from networkx.algorithms.flow import edmonds_karp

    expected = nx.maximum_flow_value(*_split(g, "country:JPN", "country:TON"),
                                     flow_func=edmonds_karp)
    assert by_iso["TON"]["min_cable_cut"] == expected == 1
    kor = by_iso["KOR"]  # its cut set really separates Korea from Japan
    h = g.copy()
    h.remove_nodes_from(f"cable:{c}" for c in kor["cable_cut_set"])
    assert len(kor["cable_cut_set"]) == kor["min_cable_cut"] > 1
    assert not nx.has_path(h, "country:JPN", "country:KOR")
    table = cli("infra", "analyse", "--table", "failure-points", db=pack_db)
    assert "CC BY-NC-SA 3.0" in table and "non-commercial" in table


def _split(g: nx.Graph, s: str, t: str) -> tuple[nx.DiGraph, str, str]:
    """NetworkX flow network: cable nodes split with capacity 1 (the oracle of the cable cut)."""
    d = nx.DiGraph()
    for n in g:
        d.add_edge(f"{n}/in", f"{n}/out", capacity=1 if n.startswith("cable:") else 10**6)
    for a, b in g.edges:
        d.add_edge(f"{a}/out", f"{b}/in", capacity=10**6)
        d.add_edge(f"{b}/out", f"{a}/in", capacity=10**6)
    return d, f"{s}/out", f"{t}/in"


@needs_pack
def test_datacentres_import_and_show(pack_db: Path, tmp_path: Path) -> None:
    good = tmp_path / "mine.csv"
    good.write_text(cli("infra", "datacentres", "template")
                    + "vn-1,Hanoi One,VNM,21.0,105.8,20,Hanoi\n", "utf-8")
    cli("infra", "datacentres", "import", str(good), db=pack_db)
    listed = json.loads(cli("infra", "datacentres", "list", "--format", "json",
                            db=pack_db))["datacentres"]
    assert {d["id"] for d in listed} == {"example-tokyo-1", "vn-1"}
    bad = tmp_path / "bad.csv"
    bad.write_text("id,name,country,capacity_mw\nq-1,Q,VNM,lots\n", "utf-8")
    with pytest.raises(DataFormatError, match="line 2, column 'capacity_mw'"):
        cli("infra", "datacentres", "import", str(bad), db=pack_db)
    vnm = json.loads(cli("infra", "country", "VNM", "--format", "json", db=pack_db))
    assert vnm["datacentres"] == 1 and vnm["datacentre_mw"] == 20.0
    assert any(s["key"] == "datacentres:mine.csv" for s in vnm["sources"])
    assert vnm["pack"]["loaded"] and vnm["min_cable_cut"] >= 1


@pytest.fixture(scope="module")
def pack_server(pack_db: Path) -> Iterator[LiveServer]:
    with live_server(pack_db) as server:
        yield server


def _own_english() -> list[str]:
    with PO.open("rb") as fh:
        return [str(m.id) for m in read_po(fh) if m.id and "%(" not in str(m.id)
                and len(str(m.id)) > 12]


@needs_pack
def test_page_and_api_with_pack_show_the_licence(pack_server: LiveServer) -> None:
    doc = httpx.get(pack_server.url + "/api/v1/infrastructure", timeout=60).json()
    assert doc["pack"]["loaded"] and doc["pack"]["licence"].startswith("CC BY-NC-SA 3.0")
    assert doc["pack"]["folder"] == ""  # no server path in answers
    assert doc["home_figures"]["cables"] == _japan_counts()[1]
    en = httpx.get(pack_server.url + "/infrastructure?lang=en", timeout=60).text
    assert 'id="pack-licence"' in en and "non-commercial use only" in en
    assert "fig-cables" in en and "Single points of failure" in en
    ja = httpx.get(pack_server.url + "/infrastructure?lang=ja", timeout=60).text
    assert "非営利目的に限り" in ja and "単一障害点" in ja
    shown = " ".join(re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)\b.*?</\1>", " ", ja,
                                                   flags=re.S)).split())
    assert not [m for m in _own_english() if m in shown]


@needs_pack
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no /usr/bin/chromium")
def test_cable_map_draws_in_chromium(pack_server: LiveServer) -> None:
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM,
                                    args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 375, "height": 800})
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(f"{pack_server.url}/infrastructure?lang=ja", wait_until="load")
            page.wait_for_selector('.chart[data-spec="fig-cables"][data-drawn="1"] .main-svg',
                                   timeout=20_000)
            assert page.locator('.chart[data-spec="fig-cables"] .scattergeo').count() >= 3
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 375
        finally:
            browser.close()
    assert not errors, errors


def test_pack_is_not_in_the_repository() -> None:
    """Nothing of the non-commercial pack is bundled: no pack file name under src/ or
    tests/, and no cable id list."""
    names = {"cable-geo.json", "cable_landing_points.csv", "landing-point-geo.json"}
    found = [p for p in (REPO / "src").rglob("*") if p.name in names]
    found += [p for p in (REPO / "tests").rglob("*") if p.name in names]
    assert not found
