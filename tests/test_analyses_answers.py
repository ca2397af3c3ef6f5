"""Answers that must not mislead: Japan's own export-control list, yearly shares by the
headline's rule (kaolin), EU CRM templates that their own assessment accepts, units with
their content basis, and no internal document cited in what users see."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from conftest import run_cli
from econsec.analyses.commodity_profile import commodity_profile
from econsec.analyses.country_profile import (
    all_commodity_profiles,
    country_profile,
    export_control_status,
)
from econsec.analyses.dependence import dependence_table
from econsec.analyses.eu_crm import assess_eu_crm_file, eu_crm_template, screening_inputs
from econsec.analyses.governance import scaled_wgi
from econsec.analyses.lenses import lens_table
from econsec.analyses.models import CommodityProfile, ExportControl
from econsec.analyses.shares import commodity_shares
from econsec.datasets.eu_crm import load_eu_crm
from econsec.errors import NotFoundError
from econsec.kb.store import open_store
from web_server import LiveServer, live_server


@pytest.fixture(scope="module")
def store(built_db: Path) -> Iterator[Any]:
    s = open_store(f"sqlite:///{built_db}")
    yield s
    s.close()


@pytest.fixture(scope="module")
def profiles(store: Any) -> list[CommodityProfile]:
    return all_commodity_profiles(store)


@pytest.fixture(scope="module")
def server(built_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    import shutil

    db = tmp_path_factory.mktemp("answers") / "econsec.db"
    shutil.copy(built_db, db)
    with live_server(db) as live:
        yield live


@pytest.fixture(scope="module")
def client(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=60) as c:
        yield c


# --------------------------------------------------------------------------- Group A


def test_japan_is_not_called_a_non_member_of_its_own_list(store: Any, profiles: list) -> None:
    dependence = dependence_table(store, "JPN", profiles=profiles)

    def status(iso3: str) -> ExportControl:
        return country_profile(store, iso3, profiles=profiles,
                               dependence=dependence).export_control

    japan = status("JPN")
    assert japan.status == "issuer" and japan.group_a is None
    assert japan.status_text == "home country (the list is Japan's own)"
    germany = status("DEU")
    assert germany.status == "member" and germany.group_a is True
    china = status("CHN")
    assert china.status == "not-member" and china.group_a is False
    # the list is Japan's whoever the home country is
    assert export_control_status("JPN", False).status == "issuer"


def test_japan_page_and_api_say_the_list_is_its_own(client: httpx.Client) -> None:
    en = client.get("/countries/JPN", params={"lang": "en"}).text
    assert "home country (the list is Japan&#39;s own)" in en or \
        "home country (the list is Japan's own)" in en
    assert "not a member" not in en
    ja = client.get("/countries/JPN", params={"lang": "ja"}).text
    assert "自国（日本自身のリスト）" in ja and "非該当" not in ja
    api = client.get("/api/v1/countries/JPN").json()["export_control"]
    assert api["status"] == "issuer" and api["group_a"] is None
    assert client.get("/api/v1/countries/CHN").json()["export_control"]["status"] == \
        "not-member"


def test_cli_country_profile_says_the_list_is_japans_own(built_db: Path) -> None:
    doc = json.loads(run_cli("assess", "country", "Japan", "--format", "json",
                             db=built_db).stdout)
    assert doc["export_control"]["status"] == "issuer"
    assert doc["export_control"]["status_text"] == "home country (the list is Japan's own)"


# --------------------------------------------------------------------------- yearly shares


def test_kaolin_yearly_shares_follow_the_headline_rule(store: Any) -> None:
    """USGS MCS 2025 prints a kaolin world total of 4,400 for 2024 (44,400 in 2023; the
    countries alone add up to 34,340): the headline falls back to the reported sum, and so
    must the 2024 point of the series (it said 100 % for the United States)."""
    headline = commodity_shares(store, "kaolin")
    assert headline.year == 2024 and headline.basis == "reported"
    usa = next(r for r in headline.shares if r.iso3 == "USA")
    assert usa.share == pytest.approx(4500 / 34340)  # 13.1 %
    trend = commodity_profile(store, "kaolin").trend
    assert trend.years == [2021, 2022, 2023, 2024]
    assert trend.bases[-1] == "reported"
    series = dict(zip(trend.years, trend.shares["USA"], strict=True))
    assert series[2024] == pytest.approx(usa.share)  # one rule: headline == series
    assert series[2023] == pytest.approx(4560 / 44400)  # world total 44,400 (MCS 2025)
    assert series[2021] == pytest.approx(4300 / 49300)  # MCS 2023
    # every year of every commodity: the series point of the latest year is the headline
    for item in ("lithium", "gallium", "rare-earths", "cobalt"):
        head = commodity_shares(store, item)
        t = commodity_profile(store, item).trend
        for row in head.shares:
            assert t.shares[row.iso3][-1] == pytest.approx(row.share)


def test_no_false_disruptive_innovation_flag_from_kaolin(store: Any) -> None:
    dependence = dependence_table(store, "USA")
    kaolin = next(r for r in dependence.rows if r.commodity == "kaolin")
    # only years on the headline's basis are compared; none is 100 %
    assert kaolin.home_share_by_year == {2024: pytest.approx(4500 / 34340)}
    lenses = next(r for r in lens_table(store, "USA", dependence).rows
                  if r.commodity == "kaolin")
    assert not lenses.disruptive_innovation


# --------------------------------------------------------------------------- EU CRM template


def test_every_eu_crm_template_is_accepted_by_assess(store: Any, tmp_path: Path) -> None:
    """Every material the template fills (the others are refused with the reason) gives a
    file ``assess eu-crm`` accepts; magnesium's repeated end use made it fail."""
    eu = load_eu_crm()
    complete = sorted({m.material for m in screening_inputs(eu, scaled_wgi(store))[0]})
    assert len(complete) >= 55 and "Magnesium" in complete
    doc = eu_crm_template(store, complete)
    path = tmp_path / "all.json"
    path.write_text(doc.model_dump_json(), encoding="utf-8")
    results = assess_eu_crm_file(store, path).results
    assert sorted(r.material for r in results) == complete
    with pytest.raises(NotFoundError, match="end uses"):
        eu_crm_template(store, ["Germanium"])


def test_magnesium_duplicate_row_is_read_once_with_a_warning() -> None:
    eu = load_eu_crm()
    construction = [u for u in eu.end_uses["Magnesium"] if u.application == "Construction"]
    assert len(construction) == 1
    assert sum(u.share for u in eu.end_uses["Magnesium"]) == pytest.approx(1.0)
    [warning] = eu.warnings_for("Magnesium")
    assert "exact duplicate of line" in warning and "Construction" in warning


def test_magnesium_template_round_trips_through_the_cli(built_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "mg.json"
    proc = run_cli("assess", "eu-crm-template", "Magnesium", "--out", str(path), db=built_db)
    assert "note: Magnesium:" in proc.stderr and "duplicate" in proc.stderr
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert any("duplicate" in n for n in doc["materials"][0]["notes"])
    result = json.loads(run_cli("assess", "eu-crm", "--input", str(path), "--format", "json",
                                db=built_db).stdout)
    assert result["results"][0]["material"] == "Magnesium"


def test_template_says_where_eu_sourcing_copies_global_supply(store: Any) -> None:
    eu = load_eu_crm()
    missing = [m for m in eu.materials()
               if (m, "E") in eu.global_supply and (m, "E") not in eu.eu_sourcing
               and m in eu.end_uses]
    assert missing, "the bundled tables have materials without EU sourcing"
    doc = eu_crm_template(store, [missing[0]])
    material = doc.materials[0]
    stage = material.stages["E"]
    assert stage.eu_sourcing == stage.global_supply
    assert any("no EU sourcing" in n and "fallback" in n for n in material.notes)
    assert doc.notes and "screening values" in doc.notes[0]
    # a material with EU sourcing has no such note
    gallium = eu_crm_template(store, ["Gallium"]).materials[0]
    assert not any("no EU sourcing" in n for n in gallium.notes)
    # the EU sourcing table spells it "Natural Rubber", the others "Natural rubber": one
    # material, whose EU sourcing is used (it was silently replaced by global supply)
    rubber = eu_crm_template(store, ["natural rubber"]).materials[0]
    assert rubber.material == "Natural rubber"
    assert rubber.stages["E"].eu_sourcing != rubber.stages["E"].global_supply
    assert not any("no EU sourcing" in n for n in rubber.notes)


def test_manganese_end_uses_with_another_sectors_value_added_are_flagged(store: Any) -> None:
    """In the bundled extraction the manganese rows carry codes and value added shifted
    against each other (C24 with 204,200 M€, C28's value added; C30 with C29's 194,448)."""
    notes = eu_crm_template(store, ["Manganese"]).materials[0].notes
    flagged = [n for n in notes if "value added" in n]
    assert len(flagged) == 5
    assert any("coded C24" in n and "204,200" in n and "that of C28" in n for n in flagged)
    assert any("coded C30" in n and "194,448" in n and "that of C29" in n for n in flagged)
    # other materials using the same sectors are not flagged
    assert not any("value added" in n
                   for n in eu_crm_template(store, ["Cobalt"]).materials[0].notes)


# --------------------------------------------------------------------------- units


@pytest.mark.parametrize(("item", "measure", "unit"), [
    ("lithium", "production", "metric tons, lithium content"),
    ("rare-earths", "production", "metric tons, rare-earth-oxide equivalent"),
    ("chromium", "production", "thousand metric tons, gross weight"),
    ("potash", "production", "thousand metric tons, potassium oxide (K2O) equivalent"),
    ("cobalt", "production", "metric tons, cobalt content"),
    ("gallium", "production", "kilograms"),  # USGS states no content basis for gallium
])
def test_units_carry_the_content_basis(store: Any, item: str, measure: str, unit: str) -> None:
    assert commodity_shares(store, item, measure=measure).unit == unit


def test_units_with_basis_on_cli_page_and_api(built_db: Path, client: httpx.Client) -> None:
    out = run_cli("shares", "lithium", db=built_db).stdout
    assert "(metric tons, lithium content)" in out
    page = client.get("/commodities/rare-earths", params={"lang": "en"}).text
    assert "metric tons, rare-earth-oxide equivalent" in page
    api = client.get("/api/v1/commodities/lithium/shares").json()
    assert api["unit"] == "metric tons, lithium content"
    profile = client.get("/api/v1/commodities/lithium").json()
    assert profile["trend"]["unit"] == "metric tons, lithium content"


# --------------------------------------------------------------------------- internal documents


def test_api_method_fields_cite_no_internal_document(client: httpx.Client) -> None:
    for path in ("/api/v1/assessments/lenses", "/api/v1/assessments/dependence",
                 "/api/v1/countries/CHN"):
        text = client.get(path).text
        assert "DESIGN" not in text and "issue " not in text, path
