"""Regional strategy on the real bundled data: the partner ranking's capacity figures against
BACI read directly with Polars, sea-lane routing against NetworkX and known routes, the five
perspectives, the CLI, the API and bad input everywhere."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path

import httpx
import networkx as nx
import polars as pl
import pytest

from conftest import run_cli
from econsec.datasets._csv import data_dir
from econsec.datasets.maritime import load_maritime
from econsec.errors import UnknownCountryError, UnknownProductError, ValidationError
from econsec.kb.store import Store, open_store
from econsec.regions.models import PartnerRanking, RegionProfile
from econsec.regions.partners import partner_ranking
from econsec.regions.profile import region_profile
from econsec.regions.sea_lanes import great_circle_nm, sea_lanes
from web_server import LiveServer, live_server

RARE_EARTH_COMPOUNDS = ("284610", "284690", "280530")
BACI = "trade/baci_hs92_crm_1995_2024.parquet"
#: BACI's "Other Asia, nes" is Taiwan (CEPII's documentation; the store reads it so too).
TAIWAN = {"S19": "TWN"}
HORMUZ, MALACCA, BAB_EL_MANDEB, SUEZ, PANAMA = ("chokepoint6", "chokepoint5", "chokepoint4",
                                               "chokepoint1", "chokepoint2")


@pytest.fixture(scope="module")
def kb(built_db: Path) -> Iterator[Store]:
    store = open_store(f"sqlite:///{built_db}")
    yield store


@pytest.fixture(scope="module")
def ranking(kb: Store) -> PartnerRanking:
    return partner_ranking(kb, replace="CHN", hs=list(RARE_EARTH_COMPOUNDS), home="JPN",
                           top=200)


# ------------------------------------------------------------- partner ranking vs BACI


def test_partner_capacity_matches_baci_read_directly(ranking: PartnerRanking) -> None:
    """Capacity = exports to countries other than Japan and China, recomputed from the
    bundled BACI file with Polars, independently of the store and of the ranking code."""
    baci = (pl.read_parquet(data_dir() / BACI).filter(pl.col("hs6").is_in(RARE_EARTH_COMPOUNDS))
            .with_columns(pl.col(c).replace(TAIWAN) for c in ("exporter_iso3", "importer_iso3")))
    year = baci.filter(pl.col("importer_iso3") == "JPN")["year"].max()
    assert ranking.year == year
    flows = baci.filter(pl.col("year") == year)
    capacity = (flows.filter(~pl.col("exporter_iso3").is_in(["JPN", "CHN"])
                             & ~pl.col("importer_iso3").is_in(["JPN", "CHN"]))
                .group_by("exporter_iso3").agg(pl.col("value_kusd").sum()))
    expected = {r["exporter_iso3"]: r["value_kusd"] for r in capacity.iter_rows(named=True)
                if r["value_kusd"] > 0}
    got = {r.iso3: r.capacity_kusd for r in ranking.rows}
    assert set(got) <= set(expected)
    assert len(got) >= 0.9 * len(expected)  # only non-countries may be left out
    for iso3, value in got.items():
        assert math.isclose(value, expected[iso3], rel_tol=1e-9), iso3
    gap = flows.filter((pl.col("exporter_iso3") == "CHN")
                       & (pl.col("importer_iso3") == "JPN"))["value_kusd"].sum()
    imports = flows.filter(pl.col("importer_iso3") == "JPN")["value_kusd"].sum()
    assert math.isclose(ranking.gap_kusd, gap, rel_tol=1e-9)
    assert math.isclose(ranking.home_imports_kusd, imports, rel_tol=1e-9)
    to_japan = (flows.filter(pl.col("importer_iso3") == "JPN")
                .group_by("exporter_iso3").agg(pl.col("value_kusd").sum()))
    for r in to_japan.iter_rows(named=True):
        if r["exporter_iso3"] in got:
            row = next(x for x in ranking.rows if x.iso3 == r["exporter_iso3"])
            assert math.isclose(row.exports_to_home_kusd, r["value_kusd"], rel_tol=1e-9)


def test_partner_scores_follow_the_stated_formula(ranking: PartnerRanking) -> None:
    w = ranking.weights
    assert ranking.rows and [r.rank for r in ranking.rows] == list(range(1, len(ranking.rows)
                                                                        + 1))
    for r in ranking.rows:
        assert math.isclose(r.cover, min(1.0, r.capacity_kusd / ranking.gap_kusd))
        share_after = ((r.exports_to_home_kusd + min(r.capacity_kusd, ranking.gap_kusd))
                       / ranking.home_imports_kusd)
        assert math.isclose(r.share_after, share_after)
        risk = (w.governance * r.governance_risk + w.route * r.route_risk
                + w.concentration * min(1.0, share_after))
        assert math.isclose(r.risk, risk)
        assert math.isclose(r.score, round(100 * r.cover * (1 - risk), 2))
    scores = [r.score for r in ranking.rows]
    assert scores == sorted(scores, reverse=True)
    assert {s.key for s in ranking.sources} >= {"cepii-baci-hs92-crm", "nga-wpi-pub150",
                                                "imf-portwatch-chokepoints"}


def test_partner_ranking_by_item_and_bad_input(kb: Store) -> None:
    doc = partner_ranking(kb, replace="CHN", item="rare-earths", top=3)
    assert set(RARE_EARTH_COMPOUNDS) <= set(doc.hs_codes) and len(doc.rows) == 3
    with pytest.raises(UnknownProductError, match="999999"):
        partner_ranking(kb, replace="CHN", hs=["999999"])
    with pytest.raises(ValidationError, match="six-digit"):
        partner_ranking(kb, replace="CHN", hs=["12"])
    with pytest.raises(ValidationError, match="1990"):
        partner_ranking(kb, replace="CHN", hs=["284690"], year=1990)
    with pytest.raises(UnknownCountryError):
        partner_ranking(kb, replace="XXX", hs=["284690"])
    with pytest.raises(ValidationError, match="home country"):
        partner_ranking(kb, replace="JPN", hs=["284690"])
    with pytest.raises(ValidationError, match="either"):
        partner_ranking(kb, replace="CHN", hs=["284690"], item="rare-earths")


# ------------------------------------------------------------------------ sea lanes


def test_shortest_sea_paths_agree_with_networkx() -> None:
    """rustworkx's paths over the curated graph have the lengths NetworkX finds on a graph
    built here from the same files (lane length: great circle through the chokepoint)."""
    m = load_maritime()
    regions = {r.id: r for r in m.regions}
    cps = {c.id: c for c in m.chokepoints}
    g = nx.MultiGraph()
    for lane in m.lanes:
        a, b = regions[lane.a], regions[lane.b]
        if lane.chokepoint:
            c = cps[lane.chokepoint]
            length = (great_circle_nm(a.lat, a.lon, c.lat, c.lon)
                      + great_circle_nm(c.lat, c.lon, b.lat, b.lon))
        else:
            length = great_circle_nm(a.lat, a.lon, b.lat, b.lon)
        g.add_edge(lane.a, lane.b, weight=length)
    assert nx.is_connected(g)
    sea = sea_lanes()
    oracle = dict(nx.all_pairs_dijkstra_path_length(g, weight="weight"))
    for a in regions:
        for b in regions:
            assert math.isclose(sea.path(a, b).distance_nm, oracle[a][b], rel_tol=1e-9,
                                abs_tol=1e-6), (a, b)
    assert {c.id for c in m.chokepoints} == {lane.chokepoint for lane in m.lanes
                                             if lane.chokepoint}


def test_known_routes_to_japan() -> None:
    sea = sea_lanes()
    saudi = sea.route("SAU", "JPN").chokepoint_shares
    assert saudi.get(HORMUZ, 0) > 0 and saudi.get(MALACCA) == pytest.approx(1.0)
    australia = sea.route("AUS", "JPN").chokepoint_shares
    assert not {HORMUZ, BAB_EL_MANDEB, SUEZ, MALACCA} & set(australia)
    assert sea.route("NLD", "JPN").chokepoint_shares.get(SUEZ) == pytest.approx(1.0)
    assert sea.route("QAT", "JPN").chokepoint_shares.get(HORMUZ) == pytest.approx(1.0)
    assert sea.route("USA", "JPN").chokepoint_shares.get(PANAMA, 0) > 0.3
    assert sea.route("KOR", "JPN").expected_chokepoints < 1
    landlocked = sea.route("MNG", "JPN")
    assert not landlocked.routes and "MNG" in landlocked.note
    for route in (sea.route("SAU", "JPN"), sea.route("BRA", "JPN")):
        assert math.isclose(sum(r.share for r in route.routes), 1.0)


def test_ports_are_assigned_to_their_sea() -> None:
    sea = sea_lanes()
    where = {p.name: sea.port_regions[p.wpi_number] for p in sea.ports("JPN")}
    assert where["Kobe"] == "seto-inland-sea"
    assert where["Niigata Ko"] == "sea-of-japan"
    assert where["Yokohama Ko"] == "nw-pacific"
    assert where["Nagoya Ko"] == "nw-pacific"
    gulf = {sea.port_regions[p.wpi_number] for p in sea.ports("SAU")}
    assert {"persian-gulf", "red-sea"} <= gulf


# --------------------------------------------------------------------- perspectives


@pytest.fixture(scope="module")
def australia(kb: Store) -> RegionProfile:
    return region_profile(kb, "AUS", home="JPN")


def test_five_perspectives_of_australia_seen_from_japan(australia: RegionProfile) -> None:
    doc = australia
    for part in (doc.technology, doc.materials, doc.supply_chains, doc.market,
                 doc.information):
        assert part.score.value is not None and 0 <= part.score.value <= 100
        assert part.score.band in {"high", "medium", "low"} and part.score.formula
    assert [b.min_score for b in doc.bands] == [60.0, 30.0, 0.0]
    relations = {f.relation for f in doc.technology.fields}
    assert {"partner-strong", "home-strong"} <= relations
    assert any(r.commodity == "lithium" for r in doc.materials.produces)
    assert doc.materials.home_imports and doc.materials.home_imports[0].value_kusd > 0
    assert doc.supply_chains.routed and not {c.id for c in doc.supply_chains.chokepoints} & {
        HORMUZ, SUEZ}
    quad = next(g for g in doc.information.groups if g.group == "quad")
    assert quad.partner_member and quad.home_member and quad.counts
    assert doc.market.cagr_start_year == doc.market.latest_year - 5  # type: ignore[operator]
    assert {s.key for s in doc.sources} >= {"nsf-ncses-sei-2024", "cepii-baci-hs92-crm",
                                            "nga-wpi-pub150", "wgi-2023"}


def test_region_refuses_the_home_country_and_unknown_names(kb: Store) -> None:
    with pytest.raises(ValidationError, match="home country"):
        region_profile(kb, "JPN", home="JPN")
    with pytest.raises(UnknownCountryError):
        region_profile(kb, "Atlantis")


# ---------------------------------------------------------------------------- CLI


def test_cli_region_and_partners(built_db: Path) -> None:
    doc = json.loads(run_cli("region", "SAU", "--format", "json", db=built_db).stdout)
    shares = {c["id"]: c["route_share"] for c in doc["supply_chains"]["chokepoints"]}
    assert HORMUZ in shares and MALACCA in shares
    table = run_cli("partners", "--hs", ",".join(RARE_EARTH_COMPOUNDS), "--replace", "CHN",
                    "--top", "5", db=built_db).stdout
    assert "Who could replace China" in table and "Australia" in table
    csv_text = run_cli("partners", "--item", "rare-earths", "--replace", "CHN", "--format",
                       "csv", "--top", "3", db=built_db).stdout
    assert csv_text.splitlines()[0].startswith("rank,iso3,country,capacity_kusd")


@pytest.mark.parametrize(("args", "message"), [
    (("region", "XXX"), "unknown country 'XXX'"),
    (("region", "JPN", "--home", "JPN"), "is the home country"),
    (("partners", "--hs", "999999", "--replace", "CHN"), "unknown HS code '999999'"),
    (("partners", "--hs", "284690", "--replace", "CHN", "--year", "1990"), "1990"),
])
def test_cli_bad_input(built_db: Path, args: tuple[str, ...], message: str) -> None:
    proc = run_cli(*args, db=built_db, check=False)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert message in proc.stderr and "Traceback" not in proc.stderr


# ---------------------------------------------------------------------------- API


@pytest.fixture(scope="module")
def server(built_db: Path) -> Iterator[LiveServer]:
    with live_server(built_db) as live:
        yield live


def test_api_region_and_partners(server: LiveServer) -> None:
    answer = httpx.get(f"{server.url}/api/v1/regions/AUS", params={"home": "JPN"}, timeout=120)
    assert answer.status_code == 200, answer.text
    doc = RegionProfile.model_validate(answer.json())
    assert doc.iso3 == "AUS" and doc.home == "JPN"
    ranked = httpx.get(f"{server.url}/api/v1/partners", timeout=120, params={
        "hs": ",".join(RARE_EARTH_COMPOUNDS), "replace": "CHN", "top": 5})
    assert ranked.status_code == 200, ranked.text
    assert len(PartnerRanking.model_validate(ranked.json()).rows) == 5


@pytest.mark.parametrize(("path", "status", "text"), [
    ("/api/v1/regions/XXX", 404, "unknown country"),
    ("/api/v1/regions/JPN?home=JPN", 422, "home country"),
    ("/api/v1/partners?hs=999999&replace=CHN", 404, "unknown HS code"),
    ("/api/v1/partners?hs=284690&replace=CHN&year=1990", 422, "1990"),
    ("/api/v1/partners?hs=284690&replace=CHN&year=abc", 422, "year"),
    ("/api/v1/partners?hs=284690", 422, "replace"),
    ("/api/v1/partners?replace=CHN", 422, "either"),
])
def test_api_bad_input(server: LiveServer, path: str, status: int, text: str) -> None:
    answer = httpx.get(server.url + path, timeout=60)
    assert answer.status_code == status, answer.text
    assert text in answer.text


@pytest.mark.parametrize(("path", "status"), [
    ("/regions", 200), ("/regions/AUS", 200), ("/regions/aus", 200), ("/regions/MNG", 200),
    ("/regions/partners", 200), ("/regions/XXX", 404), ("/regions/JPN?home=JPN", 422),
    ("/regions/partners?hs=999999&replace=CHN", 404),
    ("/regions/partners?hs=284690&replace=CHN&year=abc", 422),
])
def test_pages_answer_in_both_languages(server: LiveServer, path: str, status: int) -> None:
    for lang in ("en", "ja"):
        joiner = "&" if "?" in path else "?"
        answer = httpx.get(f"{server.url}{path}{joiner}lang={lang}", timeout=120,
                           follow_redirects=True)
        assert answer.status_code == status, (path, lang, answer.text[:300])
        assert f'lang="{lang}"' in answer.text


def test_region_page_shows_scores_map_and_sources(server: LiveServer) -> None:
    html = httpx.get(f"{server.url}/regions/SAU?lang=en", timeout=120).text
    for expected in ("fig-scores", "fig-map", "Strait of Hormuz", "Malacca Strait",
                     "World Port Index", "high from 60", "Technology cooperation"):
        assert expected in html, expected
    ja = httpx.get(f"{server.url}/regions/SAU?lang=ja", timeout=120).text
    assert "ホルムズ海峡" in ja and "技術協力" in ja
    ranking = httpx.get(f"{server.url}/regions/partners?lang=en", timeout=120).text
    assert "Australia" in ranking and "fig-ranking" in ranking
