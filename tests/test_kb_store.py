"""Knowledge-base store: import (validated, one transaction, idempotent) and queries.

The ``store`` fixture runs every test on a SQLite file and, when
``ECONSEC_TEST_POSTGRES_URL`` is set, on PostgreSQL too (marker ``postgres``).
"""

from __future__ import annotations

import dataclasses
import os

import pytest
from sqlalchemy import create_engine, text

from econsec.errors import (
    CyclicBillOfMaterialsError,
    StoreError,
    UnknownCommodityError,
    UnknownCountryError,
    ValidationError,
)
from econsec.kb import validate
from econsec.kb.models import metadata
from econsec.kb.store import Store, open_store
from econsec.kb.testing import SOURCE_A, sample_bundle, snapshot
from econsec.kb.validate import find_cycle
from econsec.records import (
    Bundle,
    GovernanceScore,
    InputEdge,
    Item,
    ItemKind,
    Measure,
    Observation,
    Source,
    TradeFlow,
)

PG_URL = os.environ.get("ECONSEC_TEST_POSTGRES_URL")


def reset_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        metadata.drop_all(conn)
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgresql", marks=[
            pytest.mark.postgres,
            pytest.mark.skipif(not PG_URL, reason="ECONSEC_TEST_POSTGRES_URL not set"),
        ]),
    ]
)
def store(request: pytest.FixtureRequest, tmp_path) -> Store:
    if request.param == "sqlite":
        opened = open_store(f"sqlite:///{tmp_path / 'kb' / 'econsec.db'}")
    else:
        assert PG_URL
        reset_postgres(PG_URL)
        opened = open_store(PG_URL)
    yield opened
    opened.close()


@pytest.fixture
def filled(store: Store) -> Store:
    store.import_bundle(sample_bundle())
    return store


# ----------------------------------------------------------------------- import


def test_import_counts_and_summary(store: Store) -> None:
    steps: list[tuple[str, int, int]] = []
    summary = store.import_bundle(sample_bundle(), progress=lambda *a: steps.append(a))
    counts = store.counts()
    assert counts["observations"] == 9
    assert counts["governance_scores"] == 48
    assert counts["trade_flows"] == 3
    assert counts["input_edges"] == 2
    assert counts["country_groups"] == 5
    assert counts["item_hs_codes"] == 3
    assert summary.rows["observations"] == 9
    assert summary.source_keys == ["test-mcs-2025", "test-wgi-2023"]
    assert ("store observations", 9, 9) in steps


def test_import_twice_changes_nothing(store: Store) -> None:
    store.import_bundle(sample_bundle())
    before = snapshot(store)
    summary = store.import_bundle(sample_bundle())
    assert snapshot(store) == before
    assert summary.replaced["observations"] == 9


def test_reimport_replaces_facts_of_the_source(filled: Store) -> None:
    bundle = sample_bundle()
    bundle.observations = bundle.observations[:2]
    filled.import_bundle(bundle, replace=True)
    assert filled.counts()["observations"] == 2
    # governance of the other source key in the bundle is replaced too, not duplicated
    assert filled.counts()["governance_scores"] == 48


def test_partial_reimport_without_replace_is_refused(filled: Store) -> None:
    bundle = sample_bundle()
    bundle.observations = bundle.observations[:2]
    before = snapshot(filled)
    with pytest.raises(ValidationError, match="already in the knowledge base with 9"):
        filled.import_bundle(bundle)
    assert snapshot(filled) == before


def test_import_of_another_source_keeps_existing_facts(filled: Store) -> None:
    extra = Source("extra", "Someone", "Extra", 2024, "CC0")
    obs = Observation("lithium", "Japan", "JPN", False, 2023, Measure.PRODUCTION, 1.0, "t",
                      "extra")
    filled.import_bundle(Bundle(sources=[extra], observations=[obs]))
    assert filled.counts()["observations"] == 10
    assert filled.sources(["extra"])[0].title == "Extra"


def test_upsert_keeps_stored_fields_that_come_empty(filled: Store) -> None:
    bare = Item("lithium", ItemKind.MATERIAL, "Lithium (metal)")
    filled.import_bundle(Bundle(items=[bare]))
    item = filled.find_item("lithium")
    assert item.name_en == "Lithium (metal)"
    assert item.name_ja == "リチウム"
    assert item.hs_codes == ("2825.20", "2836.91")


def _with_bad_row(bundle: Bundle, index: int, **changes: object) -> Bundle:
    bundle.observations[index] = dataclasses.replace(bundle.observations[index], **changes)
    return bundle


@pytest.mark.parametrize(
    ("changes", "error", "words"),
    [
        ({"value": -5.0}, ValidationError, "negative production value -5.0"),
        ({"item_id": "lithum"}, UnknownCommodityError, "did you mean: lithium"),
        ({"iso3": "XXX"}, ValidationError, "unknown area country 'XXX'"),
        ({"source_key": "nowhere"}, ValidationError, "unknown source 'nowhere'"),
        ({"value": float("nan")}, ValidationError, "not a finite number"),
        ({"measure": "output"}, ValidationError, "unknown measure 'output'"),
        ({"area": "Chile", "iso3": "CHL", "year": 2023}, ValidationError, "duplicate"),
    ],
)
def test_bad_row_in_the_middle_writes_nothing(
    filled: Store, changes: dict, error: type, words: str
) -> None:
    before = snapshot(filled)
    bundle = _with_bad_row(sample_bundle(), 4, **changes)
    bundle.observations += [dataclasses.replace(o, source_key="new-source")
                            for o in sample_bundle().observations]
    bundle.sources.append(Source("new-source", "x", "y", 2025, "CC0"))
    with pytest.raises(error) as caught:
        filled.import_bundle(bundle)
    message = str(caught.value)
    assert words in message
    assert "observation #5" in message
    if "source_key" not in changes:
        assert message.startswith("mcs.csv: ")  # the file of the row's source
    assert snapshot(filled) == before


def test_database_failure_rolls_back_everything(filled: Store, monkeypatch) -> None:
    """A write the database refuses (validation bypassed) leaves no trace either."""
    before = snapshot(filled)
    bundle = sample_bundle()
    bundle.observations.append(dataclasses.replace(bundle.observations[0], item_id="ghost"))
    monkeypatch.setattr(validate.Validator, "run",
                        lambda self: {s.key for s in self.bundle.sources})
    with pytest.raises(StoreError, match="nothing was written"):
        filled.import_bundle(bundle, replace=True)
    assert snapshot(filled) == before


def test_share_over_one_is_rejected(store: Store) -> None:
    bundle = sample_bundle()
    bundle.trade_flows[1] = dataclasses.replace(bundle.trade_flows[1], share=1.2)
    with pytest.raises(ValidationError, match=r"trade flow #2 .* share 1.2 is over 1"):
        store.import_bundle(bundle)
    assert store.counts()["trade_flows"] == 0
    assert store.counts()["sources"] == 0


def test_negative_governance_is_fine_but_missing_country_is_not(store: Store) -> None:
    bundle = sample_bundle()
    bundle.governance.append(GovernanceScore("ZZZ", 2022, "va", -1.0, "test-wgi-2023"))
    with pytest.raises(ValidationError, match=r"governance score #49 .*unknown country 'ZZZ'"):
        store.import_bundle(bundle)


# ----------------------------------------------------------------------- bill of materials


def test_find_cycle() -> None:
    assert find_cycle([("a", "b"), ("b", "c")]) is None
    assert find_cycle([("a", "b"), ("b", "a")]) == ["a", "b", "a"]
    assert find_cycle([("x", "x")]) == ["x", "x"]
    cycle = find_cycle([("a", "b"), ("b", "c"), ("c", "d"), ("d", "b")])
    assert cycle == ["b", "c", "d", "b"]


def test_cycle_in_bundle_is_rejected(store: Store) -> None:
    bundle = sample_bundle()
    bundle.input_edges.append(InputEdge("ev", "lithium", SOURCE_A.key))
    with pytest.raises(CyclicBillOfMaterialsError) as caught:
        store.import_bundle(bundle)
    assert "battery-cell -> ev -> lithium -> battery-cell" in str(caught.value)
    assert store.counts()["items"] == 0


def test_cycle_with_stored_edges_is_rejected(filled: Store) -> None:
    other = Source("recycling", "x", "Recycling loops", 2025, "CC0")
    edge = InputEdge("ev", "lithium", "recycling")
    before = snapshot(filled)
    cycle = "battery-cell -> ev -> lithium -> battery-cell"
    with pytest.raises(CyclicBillOfMaterialsError, match=cycle):
        filled.import_bundle(Bundle(sources=[other], input_edges=[edge]))
    assert snapshot(filled) == before


def test_replaced_edges_do_not_count_for_cycles(filled: Store) -> None:
    bundle = sample_bundle()
    bundle.input_edges = [InputEdge("ev", "lithium", SOURCE_A.key)]  # replaces the old ones
    filled.import_bundle(bundle, replace=True)
    assert [(e.input_item, e.output_item) for e in filled.input_edges()] == [("ev", "lithium")]


# ----------------------------------------------------------------------- queries


def test_items_and_find_item(filled: Store) -> None:
    assert [i.id for i in filled.items()] == ["battery-cell", "ev", "lithium", "rare-earths"]
    assert [i.id for i in filled.items(kind="component")] == ["battery-cell"]
    for name in ("rare-earths", "Rare Earths", "rare_earths", "RAREEARTHS", "レアアース",
                 "ＲＡＲＥ ＥＡＲＴＨＳ"):
        assert filled.find_item(name).id == "rare-earths"
    assert filled.find_item("electric-vehicle").id == "ev"


def test_find_item_unknown_suggests(filled: Store) -> None:
    with pytest.raises(UnknownCommodityError) as caught:
        filled.find_item("lithum")
    assert caught.value.suggestions[0] == "lithium"
    assert len(caught.value.suggestions) <= 3


def test_commodity_summary(filled: Store) -> None:
    summary = {row["id"]: row for row in filled.commodity_summary()}
    assert summary["lithium"]["name_ja"] == "リチウム"
    assert summary["lithium"]["years"] == {
        "net_import_reliance": [2024], "production": [2023, 2024], "reserves": [2024]}
    assert summary["ev"]["years"] == {}


def test_observations(filled: Store) -> None:
    all_2023 = filled.observations("lithium", "production", 2023)
    assert len(all_2023) == 4
    withheld = next(o for o in all_2023 if o.iso3 == "USA")
    assert withheld.value is None and withheld.withheld and withheld.value_raw == "W"
    countries_only = filled.observations("Lithium", Measure.PRODUCTION, 2023,
                                         include_aggregates=False)
    assert {o.iso3 for o in countries_only} == {"CHL", "CHN", "USA"}
    assert filled.observations("lithium", "production", 1990) == []
    assert filled.years("lithium", "production") == [2023, 2024]
    with pytest.raises(UnknownCommodityError):
        filled.observations("unobtainium")
    assert sample_bundle().observations[0] in filled.observations("lithium")


def test_sources_countries_groups(filled: Store) -> None:
    assert [s.key for s in filled.sources()] == ["test-mcs-2025", "test-wgi-2023"]
    assert filled.sources(["test-mcs-2025"]) == [SOURCE_A]
    assert [c.iso3 for c in filled.countries()] == ["CHL", "CHN", "JPN", "USA"]
    assert filled.country("jpn").groups == ("G7", "Quad")
    assert filled.group_members("G7") == ["JPN", "USA"]
    assert filled.group_members("quad") == ["JPN", "USA"]
    with pytest.raises(UnknownCountryError, match="Japan"):
        filled.country("JAP")


def test_governance_latest_year_not_after(filled: Store) -> None:
    latest = filled.governance()
    assert latest["JPN"]["va"] == pytest.approx(1.22)
    assert filled.governance(2021)["JPN"]["va"] == pytest.approx(1.21)
    assert filled.governance(2030)["CHN"]["cc"] == pytest.approx(-0.48)
    assert filled.governance(2000) == {}


def test_trade_flows_edges_risk(filled: Store) -> None:
    flows = filled.trade_flows("lithium", importer="JPN")
    assert [(f.exporter, f.share) for f in flows] == [("CHL", 0.62), (None, 0.38)]
    assert flows[1].exporter_label == "Other"
    assert filled.trade_flows()[2] == sample_bundle().trade_flows[2]
    assert filled.input_edges() == sorted(sample_bundle().input_edges,
                                          key=lambda e: (e.output_item, e.input_item))
    assert [r.iso3 for r in filled.country_risk()] == ["CHL", "CHN"]


def test_bulk_import_is_batched(store: Store) -> None:
    """45,000 rows imported twice in a bounded number of database round trips (rows go in
    as batches, the second import replaces them as batches: no statement per row). A count
    of statements rather than a wall-clock limit, which a loaded machine breaks; the speed
    itself is measured by benchmarks/import_memory.py."""
    from sqlalchemy import event

    bundle = sample_bundle()
    bundle.observations = [
        Observation("lithium", f"area {n}", None, True, 1900 + n % 125, Measure.PRODUCTION,
                    float(n), "t", SOURCE_A.key, series=str(n))
        for n in range(15_000)
    ]
    bundle.governance = [
        GovernanceScore(iso3, year, f"d{d}", 0.1, "test-wgi-2023")
        for iso3 in ("CHN", "JPN", "USA", "CHL")
        for year in range(1000, 2250)
        for d in range(6)
    ]
    assert len(bundle.governance) == 30_000
    statements: list[bool] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append(executemany)

    event.listen(store.engine, "before_cursor_execute", count)
    try:
        store.import_bundle(bundle)
        store.import_bundle(bundle)
    finally:
        event.remove(store.engine, "before_cursor_execute", count)
    assert store.counts()["observations"] == 15_000
    assert len(store.governance(2000)["CHN"]) == 6
    assert len(statements) < 500, len(statements)  # 90,000 rows written (~85 today)


def test_trade_flow_record_round_trip(filled: Store) -> None:
    flow = TradeFlow("lithium", "CHN", "USA", 2021, SOURCE_A.key, quantity=5.0, unit="t")
    bundle = sample_bundle()
    bundle.trade_flows.append(flow)
    filled.import_bundle(bundle, replace=True)
    assert flow in filled.trade_flows("lithium")


def test_check_bundle_is_a_dry_run(filled: Store) -> None:
    before = snapshot(filled)
    bad = sample_bundle()
    bad.observations.append(dataclasses.replace(bad.observations[0], item_id="ghost"))
    with pytest.raises(UnknownCommodityError):
        filled.check_bundle(bad)
    filled.check_bundle(sample_bundle())  # the same data again would import
    assert snapshot(filled) == before
