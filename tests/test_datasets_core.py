"""Tests of the bundled-data loaders on the real files (econsec.datasets)."""

from __future__ import annotations

import collections
import math
import shutil
from pathlib import Path

import polars as pl
import pytest

from econsec.datasets import data_dir, load_bundled
from econsec.datasets.countries import countries, is_aggregate_label, resolve_country
from econsec.datasets.country_risk import load_country_risk
from econsec.datasets.eu_crm import load_eu_crm
from econsec.datasets.hs import hs_description
from econsec.datasets.items import crosswalk, load_items
from econsec.datasets.sources import sources
from econsec.datasets.trade import load_us_import_shares
from econsec.datasets.usgs import (
    load_mcs2025_salient,
    load_mcs2025_world,
    load_mcs_world,
    load_mcs_world_file,
)
from econsec.datasets.wgi import load_wgi
from econsec.errors import DataFormatError, UnknownCountryError
from econsec.records import Measure


@pytest.fixture(scope="module")
def mcs2025():
    return load_mcs2025_world()


@pytest.fixture(scope="module")
def mcs2324():
    return load_mcs_world(2023) + load_mcs_world(2024)


def _one(obs, **kw):
    found = [o for o in obs if all(getattr(o, k) == v for k, v in kw.items())]
    assert len(found) == 1, found
    return found[0]


def test_countries_and_japanese_names():
    cs = countries()
    assert len(cs) == 249
    by = {c.iso3: c for c in cs}
    assert by["JPN"].name_ja == "日本"
    assert by["CHN"].name_ja == "中国"
    assert all(c.name_ja for c in cs)
    assert "g7" in by["JPN"].groups and "jp-export-group-a" in by["KOR"].groups
    groups = collections.Counter(g for c in cs for g in c.groups)
    assert groups["eu27"] == 27 and groups["oecd"] == 38 and groups["jp-export-group-a"] == 27
    assert groups["g7"] == 7 and groups["quad"] == 4


@pytest.mark.parametrize(
    ("name", "iso3"),
    [
        ("Japane", "JPN"),
        ("Russiae", "RUS"),
        ("Burma", "MMR"),
        ("Congo (Kinshasa)", "COD"),
        ("Korea, Republic of", "KOR"),
        ("Korea, North", "PRK"),
        ("Taiwan", "TWN"),
        ("Canada (shipments)", "CAN"),
        ("Korea, South", "KOR"),
        ("Congo, DR", "COD"),
        ("Türkiye", "TUR"),
        ("jpn", "JPN"),
        ("de", "DEU"),
        ("日本", "JPN"),
        ("中国", "CHN"),
        ("Germany6", "DEU"),
        ("Brazil (crude and beneficiated)9", "BRA"),
        ("United\xa0States1", "USA"),
        ("Congo, Dem. Rep.", "COD"),
        ("Democratic Republic Of The Congo", "COD"),
    ],
)
def test_resolve_country(name, iso3):
    assert resolve_country(name) == iso3


def test_unknown_country_suggests():
    with pytest.raises(UnknownCountryError) as err:
        resolve_country("Germny")
    assert any("DEU" in s for s in err.value.suggestions)
    assert len(err.value.suggestions) <= 3


@pytest.mark.parametrize(
    "label",
    [
        "World total (rounded)",
        "World total",
        "Other countries",
        "Other Countries",
        "United States and Canada",
        "European Union",
        "World total (rounded)10",
        "Other",
    ],
)
def test_aggregates(label):
    assert is_aggregate_label(label)
    assert not is_aggregate_label("United States")


def test_mcs2025_values(mcs2025):
    raw = pl.read_csv(
        data_dir() / "usgs_mcs2025/world_data/MCS2025_World_Data.csv", infer_schema_length=0
    )
    assert raw["COMMODITY"].str.strip_chars().n_unique() == 77
    ree = dict(item_id="rare-earths", year=2024, measure=Measure.PRODUCTION)
    assert _one(mcs2025, iso3="CHN", **ree).value == 270000
    world = _one(mcs2025, area="World total (rounded)", **ree)
    assert world.value == 390000 and world.iso3 is None and world.is_aggregate
    res = _one(
        mcs2025, item_id="rare-earths", area="World total (rounded)", measure=Measure.RESERVES
    )
    assert res.value is None and res.value_raw == ">90000000" and res.note
    ga = _one(mcs2025, item_id="gallium", iso3="CHN", year=2024, measure=Measure.PRODUCTION)
    assert ga.value == 750000 and ga.unit == "kilograms" and ga.is_estimate
    assert any(o.withheld and o.value is None for o in mcs2025)
    assert {o.item_id for o in mcs2025} >= {"platinum", "palladium", "kaolin", "iron-ore"}


def test_japane_estimate(mcs2324):
    jp = [o for o in mcs2324 if o.area == "Japane"]
    assert jp and all(o.iso3 == "JPN" and o.is_estimate for o in jp)


def test_one_series_per_item_measure_year(mcs2025, mcs2324):
    seen = collections.defaultdict(set)
    for o in mcs2025 + mcs2324:
        seen[(o.source_key, o.item_id, o.measure, o.year)].add(o.series)
    assert all(len(s) == 1 for s in seen.values())
    keys = collections.Counter(
        (o.source_key, o.item_id, o.measure, o.year, o.area) for o in mcs2025 + mcs2324
    )
    assert max(keys.values()) == 1


def _oracle_pairs(df: pl.DataFrame, label_col: str) -> collections.Counter:
    df = df.filter(
        pl.col("value").is_not_null() & (pl.col("value") != "NaN") & (pl.col("year").is_not_null())
    )
    return collections.Counter(
        (" ".join(str(a).split()), int(float(y)), float(v))
        for a, y, v in df.select(label_col, "year", "value").iter_rows()
    )


def test_mcs2025_agrees_with_derived(mcs2025):
    oracle = pl.read_csv(
        data_dir() / "usgs_mcs_derived/mcs2025_world_long_tidy.csv", infer_schema_length=0
    )
    ours = collections.Counter((o.area, o.year, o.value) for o in mcs2025 if o.value is not None)
    theirs = _oracle_pairs(oracle, "country")
    assert ours == theirs


def test_mcs2324_agrees_with_derived(mcs2324):
    oracle = pl.read_csv(
        data_dir() / "usgs_mcs_derived/usgs_mcs_2023_2024_world_long_tidy.csv",
        infer_schema_length=0,
    )
    theirs = _oracle_pairs(oracle, "country_raw")
    ours = collections.Counter(
        (o.area, o.year, o.value)
        for o in mcs2324
        if o.value is not None and not o.value_raw.startswith("e")
    )
    missing = theirs - ours
    assert sum(missing.values()) <= 0.01 * sum(theirs.values()), list(missing.items())[:10]


def test_every_usgs_label_resolves(mcs2025, mcs2324):
    for o in mcs2025 + mcs2324:
        assert o.is_aggregate or (o.iso3 and len(o.iso3) == 3)


def test_bundled_countries_have_real_japanese_names():
    bundle_iso = {o.iso3 for o in load_mcs2025_world() if o.iso3}
    bundle_iso |= {f.exporter for f in load_us_import_shares() if f.exporter}
    by = {c.iso3: c for c in countries()}
    for iso3 in bundle_iso:
        assert by[iso3].name_ja != by[iso3].name_en, iso3


def test_items_and_crosswalk():
    items = {i.id: i for i in load_items()}
    assert items["gallium"].name_ja == "ガリウム" and items["rare-earths"].name_ja == "レアアース"
    assert items["copper"].name_ja == "銅" and items["platinum"].name_ja == "白金"
    for item in items.values():
        for code in item.hs_codes:
            assert hs_description(code)
    assert {e.item_id for e in crosswalk().values()} <= set(items)


def test_salient_nir():
    nir = load_mcs2025_salient()
    ga = [o for o in nir if o.item_id == "gallium" and o.year == 2020]
    assert ga and ga[0].value == 100 and ga[0].iso3 == "USA"
    assert {o.item_id for o in nir} >= {"platinum", "palladium", "rare-earths"}


def test_eu_crm():
    eu = load_eu_crm()
    cn = [s for s in eu.global_supply[("Gallium", "P")] if s.iso3 == "CHN"]
    assert len(cn) == 1 and math.isclose(cn[0].share, 0.938)
    labels = {s.label for rows in eu.global_supply.values() for s in rows if s.iso3 == "TUR"}
    assert "Türkiye" in labels
    assert any(
        s.below_threshold and s.share == 0.0005 for rows in eu.global_supply.values() for s in rows
    )
    uses = eu.end_uses["Aggregates"]
    assert uses[0].nace == "C23" and uses[0].value_added_meur == 64990
    assert "Gallium" in eu.materials()


def test_wgi_against_derived():
    scores = {(g.iso3, g.dimension, g.year): g.estimate for g in load_wgi()}
    assert math.isclose(scores[("AFG", "CC", 2022)], -1.18377649784088)
    oracle = pl.read_csv(data_dir() / "governance/wgi/wgi_long_1996_2022.csv")
    sample = oracle.filter(pl.col("year") == 2022).head(200)
    for iso3, dim, year, est in sample.select("iso3", "dimension", "year", "estimate").iter_rows():
        if est is not None:
            assert math.isclose(scores[(iso3, dim, year)], est, rel_tol=1e-4, abs_tol=1e-5)


def test_trade_and_risk():
    flows = load_us_import_shares()
    assert len(flows) == 268
    assert all(f.importer == "USA" and f.year_end == 2023 for f in flows)
    assert any(f.exporter is None and f.exporter_label == "other" for f in flows)
    items = {i.id for i in load_items()}
    assert {f.item_id for f in flows} <= items
    assert len(load_country_risk()) == 201


def test_sources():
    keys = {s.key for s in sources()}
    assert {"usgs-mcs-2025-world", "wgi-2023", "eu-crm-2023", "hs-2022"} <= keys
    assert all(len(s.sha256) == 64 for s in sources() if s.file)


def test_load_bundled_progress():
    calls = []
    bundle = load_bundled(lambda name, done, total: calls.append((name, done, total)))
    assert calls[-1][1] == calls[-1][2]
    assert len(bundle.countries) >= 249 and bundle.observations and bundle.governance
    ids = {i.id for i in bundle.items}
    assert {o.item_id for o in bundle.observations} <= ids


def test_malformed_mcs2025(tmp_path: Path):
    src = data_dir() / "usgs_mcs2025/world_data/MCS2025_World_Data.csv"
    lines = src.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    lines[3] = lines[3].replace(",50000,50000,", ",5x000,50000,")
    bad = tmp_path / "bad.csv"
    bad.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(DataFormatError) as err:
        load_mcs2025_world(bad)
    loc = err.value.location
    assert loc.line == 4 and loc.column == "CAP_2023" and loc.file and "bad.csv" in loc.file


def test_malformed_world_file(tmp_path: Path):
    folder = data_dir() / "usgs_mcs2024/world_data"
    shutil.copy(folder / "mcs2024-galli_meta.xml", tmp_path / "mcs2024-galli_meta.xml")
    text = (folder / "mcs2024-galli_world.csv").read_text(encoding="utf-8-sig")
    lines = text.splitlines(keepends=True)
    cells = lines[2].split(",")
    cells[3] = "12..5"
    lines[2] = ",".join(cells)
    bad = tmp_path / "mcs2024-galli_world.csv"
    bad.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(DataFormatError) as err:
        load_mcs_world_file(bad, 2024)
    assert err.value.location.line == 3 and err.value.location.column == "Prod_kg_2022"


def test_units_agree_across_releases_after_corrections() -> None:
    """Every (item, measure) with values has one unit over the three USGS releases; the
    curated corrections (each citing its evidence) fix the typos in the published files."""
    from collections import defaultdict

    from econsec.datasets.bundled import load_bundled

    units: dict[tuple[str, str], set[str]] = defaultdict(set)
    for obs in load_bundled().observations:
        if obs.source_key.endswith("-world") and obs.value is not None:
            units[(obs.item_id, str(obs.measure))].add(obs.unit)
    assert {k: v for k, v in units.items() if len(v) > 1} == {}
    # units carry the content basis USGS states for the series
    assert units[("molybdenum", "reserves")] == {"thousand metric tons, molybdenum content"}
    assert units[("iron-ore", "reserves")] == {"million metric tons, usable ore"}


def test_one_world_total_per_series() -> None:
    from collections import Counter

    from econsec.datasets.bundled import load_bundled

    totals = Counter(
        (o.source_key, o.item_id, str(o.measure), o.year)
        for o in load_bundled().observations
        if o.is_aggregate and o.area.lower().startswith("world total") and o.value is not None
    )
    assert [k for k, n in totals.items() if n > 1] == []
    # MCS2025 types "World total (ilmenite and rutile)" as ilmenite: it belongs to the total.
    ilmenite = [o for o in load_bundled().observations
                if o.item_id == "ilmenite" and o.year == 2024 and o.area.startswith("World")]
    assert [(o.area, o.value) for o in ilmenite if str(o.measure) == "production"] == [
        ("World total (ilmenite, rounded)", 8900.0)]


def test_identity_qualifiers_are_never_stripped() -> None:
    from econsec.datasets.countries import resolve_country, try_resolve_country

    assert resolve_country("Congo (DRC)") == "COD"
    assert resolve_country("Congo, Democratic Republic of the") == "COD"
    assert resolve_country("Guinea, Equatorial") == "GNQ"
    assert resolve_country("Sudan (South)") == "SSD"
    assert resolve_country("Argentina, crude ore") == "ARG"  # a USGS qualifier is stripped
    assert try_resolve_country("Guinea (Northern)") is None  # not silently Guinea


def test_every_eu_crm_material_has_a_japanese_name() -> None:
    from econsec.datasets.eu_crm import japanese_names, load_eu_crm

    names = japanese_names()
    assert set(load_eu_crm().materials()) <= set(names)
    assert names["Gallium"] == "ガリウム" and names["Heavy Rare earths Elements"] == "重希土類"
