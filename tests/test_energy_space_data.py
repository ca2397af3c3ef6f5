"""Energy and space data: the bundled Ember and JSR files read by econsec.datasets.ember and
econsec.datasets.launches, checked against the raw files (the team's shared copies where
present, else the bundled files parsed here with the csv module), the indicators on them, and
malformed files refused with file, line and column."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from econsec.datasets import ember, launches
from econsec.datasets._csv import data_dir
from econsec.errors import DataFormatError, ValidationError
from econsec.indicators import energy_mix as em
from econsec.indicators import space_access as sa

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
RAW_EMBER = SHARED / "energy" / "ember" / "ember_electricity_generation.csv"
RAW_JSR = SHARED / "space" / "launches" / "jsr_orbital_launches_1957_2024.csv"


def _raw_ember(iso3: str, year: int) -> dict[str, float]:
    """Generation by source from the raw long table (or the bundled wide one)."""
    if RAW_EMBER.exists():
        with RAW_EMBER.open(encoding="utf-8-sig") as fh:
            return {r["Variable"]: float(r["Value"]) for r in csv.DictReader(fh)
                    if r["ISO3"] == iso3 and r["Year"] == str(year)}
    with (data_dir() / ember.FILE).open(encoding="utf-8") as fh:
        row = next(r for r in csv.DictReader(fh) if r["ISO3"] == iso3 and r["Year"] == str(year))
    return {k: float(v) for k, v in row.items() if k not in ("ISO3", "Year") and v}


def _raw_launches() -> list[dict[str, str]]:
    path = RAW_JSR if RAW_JSR.exists() else data_dir() / launches.FILE
    with path.open(encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


# ------------------------------------------------------------------------------ Ember


@pytest.mark.parametrize(("iso3", "year"), [("JPN", 2023), ("JPN", 2000), ("CHN", 2024),
                                            ("DEU", 2015), ("FRA", 2025)])
def test_ember_reader_matches_the_raw_file(iso3: str, year: int) -> None:
    raw = _raw_ember(iso3, year)
    found = next(g for g in ember.generation(iso3) if g.year == year)
    assert found.twh == raw
    assert found.provisional == (year >= 2025)


def test_japan_2023_generation_by_source() -> None:
    raw = _raw_ember("JPN", 2023)
    jp = next(g for g in ember.generation("jpn") if g.year == 2023)
    assert jp.twh["Coal"] == raw["Coal"] == 326.93
    assert jp.twh["Gas"] == raw["Gas"]
    assert "Other Renewables" not in jp.twh  # not reported: absent, not zero
    assert jp.total == pytest.approx(sum(raw.values()))
    assert round(jp.total) == 1007  # the PROVENANCE check figure


def test_ember_table_shape_and_codes() -> None:
    table = ember.bundled_generation()
    assert len(table) == 215
    assert sum(len(v) for v in table.values()) == 5413
    assert ember.generation("ATA") == []
    if RAW_EMBER.exists():
        with RAW_EMBER.open(encoding="utf-8-sig") as fh:
            cells = sum(1 for _ in csv.DictReader(fh))
        assert sum(len(g.twh) for v in table.values() for g in v) == cells


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("body", "line", "column", "words"), [
    ("XX,2020,1,1,1,1,1,1,1,1,1\n", 2, "ISO3", "ISO alpha-3"),
    ("JPN,20x0,1,1,1,1,1,1,1,1,1\n", 2, "Year", "not a year"),
    ("JPN,2020,1,-3,1,1,1,1,1,1,1\n", 2, "Coal", "negative"),
    ("JPN,2020,1,abc,1,1,1,1,1,1,1\n", 2, "Coal", "not a number"),
    ("JPN,2020,1,1,1,1,1,1,1,1,1\nJPN,2020,1,1,1,1,1,1,1,1,1\n", 3, "Year", "twice"),
])
def test_malformed_ember_file_names_line_and_column(tmp_path: Path, body: str, line: int,
                                                    column: str, words: str) -> None:
    header = "ISO3,Year," + ",".join(ember.SOURCES) + "\n"
    path = _write(tmp_path / "ember.csv", header + body)
    with pytest.raises(DataFormatError) as exc:
        ember.read_generation(path)
    assert exc.value.location.line == line and exc.value.location.column == column
    assert words in str(exc.value) and "ember.csv" in str(exc.value)


def test_ember_file_without_a_source_column(tmp_path: Path) -> None:
    path = _write(tmp_path / "e.csv", "ISO3,Year,Coal\nJPN,2020,1\n")
    with pytest.raises(DataFormatError, match="missing column"):
        ember.read_generation(path)


# ------------------------------------------------------------------------------ JSR


def test_every_jsr_state_code_is_mapped_and_aggregates_kept_apart() -> None:
    codes = {r["lv_state"] for r in _raw_launches()}
    assert codes <= set(launches.STATE_CODES)
    for code, state in launches.STATE_CODES.items():
        assert (state.iso3 is None) == (state.kind != "country"), code
    assert launches.STATE_CODES["J"].iso3 == "JPN"
    assert launches.STATE_CODES["SU"].successor == "RUS"
    assert launches.STATE_CODES["I-ESA"].iso3 is None


def test_launch_reader_matches_the_raw_file() -> None:
    raw = _raw_launches()
    log = launches.bundled_launches()
    assert len(log) == len(raw) == 6617
    by_raw = Counter((r["year"], r["lv_state"]) for r in raw)
    by_log = Counter((str(x.year), x.state) for x in log)
    assert by_log == by_raw
    if "success_hard" in raw[0]:  # the cleaner's flag agrees with JSR's launch code
        assert [x.success for x in log] == [r["success_hard"] == "TRUE" for r in raw]


def test_japan_2024_launches() -> None:
    raw = [r for r in _raw_launches() if r["year"] == "2024" and r["lv_state"] == "J"]
    mine = [x for x in launches.bundled_launches() if x.year == 2024 and x.iso3 == "JPN"]
    assert len(mine) == len(raw) == 7
    assert sum(x.success for x in mine) == sum(r["launch_code"].startswith("OS") for r in raw)
    assert sum(x.success for x in mine) == 5  # two Kairos failures
    assert {x.vehicle for x in mine if not x.success} == {"Kairos"}


@pytest.mark.parametrize(("row", "column", "words"), [
    ("2024-01-01T00:00:00Z,2024,ZZ,OS,V,A,S", "lv_state", "unknown JSR state code"),
    ("2024-01-01T00:00:00Z,2024,J,XS,V,A,S", "launch_code", "orbital launch code"),
    ("2024-01-01T00:00:00Z,1900,J,OS,V,A,S", "year", "not a launch year"),
    ("2023-12-31T23:00:00Z,2024,J,OS,V,A,S", "dt_min", "does not fall in year"),
])
def test_malformed_launch_log_names_line_and_column(tmp_path: Path, row: str, column: str,
                                                    words: str) -> None:
    path = _write(tmp_path / "log.csv", "dt_min,year,lv_state,launch_code,vehicle,agency,"
                  "site_raw\n2024-01-01T00:00:00Z,2024,US,OS,F9,SpX,CC\n" + row + "\n")
    with pytest.raises(DataFormatError) as exc:
        launches.read_launches(path)
    assert exc.value.location.line == 3 and exc.value.location.column == column
    assert words in str(exc.value)


# ------------------------------------------------------------------------ indicators


def test_japan_mix_from_the_raw_values() -> None:
    raw = _raw_ember("JPN", 2023)
    mix = em.generation_mix(2023, raw)
    total = sum(raw.values())
    fossil = raw["Coal"] + raw["Gas"] + raw["Other Fossil"]
    assert mix.fossil_share == pytest.approx(fossil / total)
    assert mix.import_exposed_share == pytest.approx((fossil + raw["Nuclear"]) / total)
    assert mix.low_carbon_share == pytest.approx(1 - fossil / total)
    assert sum(mix.shares.values()) == pytest.approx(1)


def test_mix_trend_windows_and_bad_input() -> None:
    series = {g.year: g.twh for g in ember.generation("JPN")}
    trend = em.mix_trend(series, latest=2024)
    assert trend.long is not None and trend.long.start_year == 2000
    assert trend.recent is not None and trend.recent.start_year == 2019
    start, end = em.generation_mix(2019, series[2019]), em.generation_mix(2024, series[2024])
    assert trend.recent.renewable_pp == pytest.approx(end.renewable_share
                                                      - start.renewable_share)
    assert trend.recent.total_cagr == pytest.approx(
        (end.total_twh / start.total_twh) ** (1 / 5) - 1)
    with pytest.raises(ValidationError, match="unknown source"):
        em.generation_mix(2020, {"Coal": 1.0, "Peat": 2.0})
    with pytest.raises(ValidationError, match="negative"):
        em.generation_mix(2020, {"Coal": -1.0})
    with pytest.raises(ValidationError, match="no generation in 1990"):
        em.mix_trend(series, latest=1990)
    with pytest.raises(ValidationError, match="no year with generation"):
        em.mix_trend({})


def test_space_access_on_the_log() -> None:
    raw = _raw_launches()
    log = [(x.year, x.state, x.success) for x in launches.bundled_launches()]
    jp = sa.space_access(log, "J")
    world_2024 = sum(1 for r in raw if r["year"] == "2024")
    assert jp.latest.year == 2024 and jp.latest.launches == 7
    assert jp.latest.world_share == pytest.approx(7 / world_2024)
    counts = Counter(r["lv_state"] for r in raw if r["year"] == "2024")
    assert jp.latest.rank == 1 + sum(1 for n in counts.values() if n > counts["J"])
    assert jp.first_year == min(int(r["year"]) for r in raw if r["lv_state"] == "J")
    recent = sum(1 for r in raw if r["lv_state"] == "J" and 2020 <= int(r["year"]) <= 2024)
    assert jp.trend.recent_launches == recent
    assert sa.space_access(log, "US").latest.rank == 1
    with pytest.raises(ValidationError, match="no launches"):
        sa.space_access([], "J")
    with pytest.raises(ValidationError, match="outside the log"):
        sa.space_access(log, "J", latest=2030)
    with pytest.raises(ValidationError, match="integer year"):
        sa.space_access([("2024", "J", True)], "J")  # type: ignore[list-item]
