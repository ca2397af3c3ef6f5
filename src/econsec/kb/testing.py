"""Small hand-made bundles for tests of the knowledge base and of code that reads it.

``sample_bundle()`` has two sources, four countries, four items, observations, trade
flows, a two-edge bill of materials, governance scores and country risk: the smallest
set that exercises every table of :class:`~econsec.records.Bundle`.
"""

from __future__ import annotations

from econsec.records import (
    Bundle,
    Country,
    CountryRisk,
    GovernanceScore,
    InputEdge,
    Item,
    ItemKind,
    Measure,
    Observation,
    Source,
    Stage,
    TradeFlow,
)

SOURCE_A = Source(
    key="test-mcs-2025", publisher="Test Survey", title="Mineral test summaries 2025",
    year=2025, licence="public domain", url="https://example.org/mcs", file="mcs.csv",
    sha256="0" * 64,
)
SOURCE_B = Source(
    key="test-wgi-2023", publisher="Test Bank", title="Governance test indicators",
    year=2023, licence="CC BY 4.0", url="https://example.org/wgi",
)

COUNTRIES = [
    Country("CHN", "CN", "156", "China", "中国", ("BRICS",)),
    Country("JPN", "JP", "392", "Japan", "日本", ("G7", "Quad")),
    Country("USA", "US", "840", "United States", "アメリカ合衆国", ("G7", "Quad")),
    Country("CHL", "CL", "152", "Chile", "チリ"),
]

ITEMS = [
    Item("lithium", ItemKind.MATERIAL, "Lithium", "リチウム", hs_codes=("2825.20", "2836.91"),
         domain="clean-tech", stage=Stage.UPSTREAM),
    Item("rare-earths", ItemKind.MATERIAL, "Rare earths", "レアアース", hs_codes=("2805.30",),
         stage=Stage.UPSTREAM),
    Item("battery-cell", ItemKind.COMPONENT, "Battery cell", "電池セル", stage=Stage.MIDSTREAM),
    Item("ev", ItemKind.PRODUCT, "Electric vehicle", "電気自動車", stage=Stage.DOWNSTREAM),
]


def _obs(item: str, area: str, iso3: str | None, year: int, value: float | None,
         measure: Measure = Measure.PRODUCTION, **kw: object) -> Observation:
    return Observation(item, area, iso3, iso3 is None, year, measure, value, "t",
                       SOURCE_A.key, **kw)  # type: ignore[arg-type]


def sample_bundle() -> Bundle:
    """A fresh small bundle touching every table."""
    observations = [
        _obs("lithium", "Chile", "CHL", 2023, 44000.0),
        _obs("lithium", "China", "CHN", 2023, 33000.0, is_estimate=True),
        _obs("lithium", "United States", "USA", 2023, None, withheld=True, value_raw="W"),
        _obs("lithium", "World total (rounded)", None, 2023, 180000.0),
        _obs("lithium", "Chile", "CHL", 2024, 49000.0, is_estimate=True),
        _obs("lithium", "Chile", "CHL", 2024, 9300000.0, Measure.RESERVES),
        _obs("rare-earths", "China", "CHN", 2024, 270000.0, note="rare-earth-oxide equivalent"),
        _obs("rare-earths", "United States", "USA", 2024, 45000.0),
        _obs("lithium", "United States", "USA", 2024, 0.25, Measure.NET_IMPORT_RELIANCE,
             series="nir"),
    ]
    flows = [
        TradeFlow("lithium", "CHL", "JPN", 2023, SOURCE_A.key, value=1.5e8, unit="USD",
                  share=0.62),
        TradeFlow("lithium", None, "JPN", 2023, SOURCE_A.key, share=0.38,
                  exporter_label="Other"),
        TradeFlow("rare-earths", "CHN", "USA", 2020, SOURCE_A.key, share=0.7, year_end=2023),
    ]
    edges = [
        InputEdge("lithium", "battery-cell", SOURCE_A.key, 0.1, "kg/kWh", 0.2),
        InputEdge("battery-cell", "ev", SOURCE_A.key, 60.0, "kWh/vehicle", 0.5),
    ]
    governance = [
        GovernanceScore(iso3, year, dim, est + 0.01 * (year - 2020), SOURCE_B.key)
        for iso3, est in (("CHN", -0.5), ("JPN", 1.2), ("USA", 1.0), ("CHL", 0.9))
        for year in (2021, 2022)
        for dim in ("va", "pv", "ge", "rq", "rl", "cc")
    ]
    risk = [CountryRisk("CHN", 2, "2026-01-30", SOURCE_A.key),
            CountryRisk("CHL", 0, "2026-01-30", SOURCE_A.key, note="high income")]
    return Bundle(
        sources=[SOURCE_A, SOURCE_B], countries=list(COUNTRIES), items=list(ITEMS),
        observations=observations, trade_flows=flows, input_edges=edges,
        governance=governance, country_risk=risk,
    )


def snapshot(store: object) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table (without surrogate ``id`` columns), sorted: for comparing
    two databases or one database before and after an operation."""
    from sqlalchemy import select

    from econsec.kb.models import metadata

    engine = store.engine  # type: ignore[attr-defined]
    out: dict[str, list[tuple[object, ...]]] = {}
    with engine.connect() as conn:
        for name, table in sorted(metadata.tables.items()):
            columns = [c for c in table.columns if not (c.name == "id" and c.autoincrement is True)]
            if name == "trade_flows":  # a million product rows: the database sorts them
                rows = conn.execute(select(*columns).order_by(*columns)).all()
                out[name] = [tuple(r) for r in rows]
                continue
            rows = conn.execute(select(*columns)).all()
            out[name] = sorted((tuple(r) for r in rows), key=repr)
    return out
