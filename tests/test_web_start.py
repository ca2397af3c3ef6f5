"""What a new server does for its first pages: the default home country from the settings,
the start-up warm-up, reads kept per data version (the same answers as the store), and
home countries sharing the commodity profiles. Real SQLite copies, real servers on
loopback."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from econsec.kb.store import open_store
from econsec.settings import Settings
from econsec.web import cache as web_cache
from econsec.web.cache import ReadCache, reading_store
from web_server import LiveServer, live_server


@pytest.fixture(scope="module")
def german(built_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server whose settings name Germany as the home country."""
    db = tmp_path_factory.mktemp("start") / "econsec.db"
    shutil.copy(built_db, db)
    with live_server(db, settings=Settings(home_country="deu")) as live:
        yield live


def test_the_default_home_country_comes_from_the_settings(german: LiveServer) -> None:
    html = httpx.get(german.url + "/", timeout=60).text
    assert '<option value="DEU" selected' in html
    country = httpx.get(german.url + "/countries/CHN", timeout=60).text
    assert '<option value="DEU" selected' in country
    # a home chosen in the query still wins
    assert '<option value="KOR" selected' in httpx.get(german.url + "/?home=kor",
                                                       timeout=60).text


def test_home_countries_share_the_commodity_profiles(german: LiveServer) -> None:
    cache = german.state.services["read_cache"]
    httpx.get(german.url + "/?home=USA", timeout=60).raise_for_status()
    before = cache.computations
    httpx.get(german.url + "/?home=FRA", timeout=60).raise_for_status()
    # the new home country's report and its plain copy; no commodity profile again
    assert cache.computations - before == 2
    assert cache.peek(("report_data", "FRA")) is not None


def test_warm_up_computes_the_first_pages(built_db: Path, tmp_path: Path) -> None:
    from econsec.web.app import create_app
    from econsec.web.pages.site import warm_up

    db = tmp_path / "econsec.db"
    shutil.copy(built_db, db)
    app = create_app(f"sqlite:///{db}", settings=Settings(home_country="JPN"))
    state = app.state.econsec
    warm_up(state)
    cache = state.services["read_cache"]
    for key in (("overview", "JPN"), ("commodity_list",), ("producer_positions",),
                ("value_chain",), ("commodity_profiles",)):
        assert cache.peek(("page", *key)) is not None, key


def test_kept_reads_answer_as_the_store(built_db: Path) -> None:
    store = open_store(f"sqlite:///{built_db}")
    cache = ReadCache()
    kept = reading_store(store, cache)
    web_cache._local.computing = True
    try:
        for item in ("lithium", "gallium", "cobalt"):
            for measure in (None, "production", "reserves", "refinery"):
                for year in (None, 2022, 2023):
                    for aggregates in (True, False):
                        assert kept.observations(item, measure, year, aggregates) == \
                            store.observations(item, measure, year, aggregates)
            for measure in ("production", "reserves"):
                assert kept.years(item, measure) == store.years(item, measure)
        # a name (not an id) is resolved by the store, as before
        assert kept.observations("Lithium") == store.observations("Lithium")
        assert kept.commodity_summary() == store.commodity_summary()
        kept.commodity_summary()[0]["years"].clear()  # a caller's change is its own
        assert kept.commodity_summary() == store.commodity_summary()
        assert kept.governance(2020) == store.governance(2020)
        assert kept.trade_flows(importer="JPN") == store.trade_flows(importer="JPN")
        assert kept.governance_scores("CHN") == store.governance_scores("CHN")
        assert kept.input_edges() == store.input_edges()
        assert kept.country_risk() == store.country_risk()
        assert kept.eu_crm_inputs() is kept.eu_crm_inputs()  # read once per data version
        first = kept.eu_crm_inputs()
        cache.invalidate()  # an import: the next computation reads again
        assert kept.eu_crm_inputs() is not first
    finally:
        web_cache._local.computing = False


def test_country_names_are_read_through_the_knowledge_base(german: LiveServer) -> None:
    from econsec.web.screening_service import screening_service

    state = german.state
    assert screening_service(state).resolve_country == state.store.resolve_country
    r = httpx.get(german.url + "/data/tables/observations",
                  params={"country": "Japan", "item": "gallium"}, timeout=60)
    assert r.status_code == 200 and "JPN" in r.text


def test_api_reads_default_to_the_settings_home_country(german: LiveServer) -> None:
    dependence = httpx.get(german.url + "/api/v1/assessments/dependence", timeout=60)
    assert dependence.status_code == 200 and dependence.json()["home"] == "DEU"
    lenses = httpx.get(german.url + "/api/v1/assessments/lenses", timeout=60)
    assert lenses.status_code == 200 and lenses.json()["home"] == "DEU"
    asked = httpx.get(german.url + "/api/v1/assessments/dependence?country=JPN", timeout=60)
    assert asked.json()["home"] == "JPN"


def test_a_knowledge_base_built_at_start_comes_with_its_first_results(tmp_path: Path) -> None:
    from econsec.web.app import create_app

    app = create_app(f"sqlite:///{tmp_path / 'econsec.db'}",
                     settings=Settings(home_country="JPN"))
    cache = app.state.econsec.services["read_cache"]
    # computed before the app is handed to the server (before it says it is listening)
    assert cache.peek(("page", "overview", "JPN")) is not None
    assert cache.peek(("page", "value_chain")) is not None


def test_the_first_pages_are_computed_before_the_app_is_served(built_db: Path,
                                                               tmp_path: Path) -> None:
    from econsec.web.app import create_app

    db = tmp_path / "econsec.db"
    shutil.copy(built_db, db)
    warm = create_app(f"sqlite:///{db}", settings=Settings(home_country="KOR"))
    assert warm.state.econsec.services["read_cache"].peek(("page", "overview", "KOR"))
    cold = create_app(f"sqlite:///{db}", settings=Settings(home_country="KOR"), warm_up=False)
    assert cold.state.econsec.services["read_cache"].peek(("page", "overview", "KOR")) is None


def test_pages_and_api_share_the_commodity_profiles(german: LiveServer) -> None:
    cache = german.state.services["read_cache"]
    shared = cache.peek(("all_commodity_profiles",))  # computed for the first pages
    assert shared is not None
    httpx.get(german.url + "/api/v1/assessments/dependence?country=DEU",
              timeout=60).raise_for_status()
    assert cache.peek(("all_commodity_profiles",)) is shared
