"""The ``econsec`` command end to end, in a subprocess, against temporary SQLite files."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from conftest import differing_rows, run_cli, stored_counts


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_init_twice_changes_nothing(built_db: Path,
                                    reinitialised: tuple[Path, dict[str, Any]]) -> None:
    # The session's knowledge base is what a first `econsec init` made of an empty file; a
    # second `init` on a copy of it must report and keep the same rows, value for value.
    db, second = reinitialised
    first = stored_counts(built_db)
    assert second["counts"] == {t: first[t] for t in second["counts"]}
    assert second["counts"]["observations"] > 10_000
    assert second["counts"]["countries"] >= 249
    assert stored_counts(db) == first
    assert differing_rows(db, built_db) == {}


def test_shares_rare_earths_json(built_db: Path) -> None:
    doc = json.loads(run_cli("shares", "rare-earths", "--year", "2023", "--format", "json",
                             db=built_db).stdout)
    assert list(doc)[:9] == ["commodity", "commodity_name", "commodity_name_ja", "measure",
                             "year", "unit", "basis", "basis_note", "total"]
    assert doc["commodity"] == "rare-earths" and doc["year"] == 2023
    assert doc["unit"] == "metric tons, rare-earth-oxide equivalent"
    assert doc["basis"] == "world-total"
    # USGS MCS 2025: world total (rounded) 376,000 t in 2023, China 255,000 t.
    assert doc["published_world_total"] == 376_000
    china = doc["shares"][0]
    assert china["iso3"] == "CHN" and china["country_ja"] == "中国"
    assert china["value"] == 255_000
    assert china["share"] == pytest.approx(255_000 / doc["total"])
    shares = [r["share"] for r in doc["shares"]]
    assert shares == sorted(shares, reverse=True)
    assert doc["hhi"] == pytest.approx(sum(s * s for s in shares))
    assert {s["key"] for s in doc["sources"]} == {"usgs-mcs-2025-world"}
    assert all(s["sha256"] and s["year"] == 2025 for s in doc["sources"])


def test_shares_newest_release_wins(built_db: Path) -> None:
    # 2023 appears in MCS 2024 (estimate, 240,000 t for China) and MCS 2025 (255,000 t):
    # the newer release is used.
    doc = json.loads(run_cli("shares", "rare-earths", "--year", "2023", "--format", "json",
                             db=built_db).stdout)
    assert doc["shares"][0]["value"] == 255_000


def test_shares_reported_basis_and_japanese_name(built_db: Path) -> None:
    doc = json.loads(run_cli("shares", "ガリウム", "--year", "2024", "--basis", "reported",
                             "--format", "json", db=built_db).stdout)
    assert doc["commodity"] == "gallium" and doc["basis"] == "reported"
    assert doc["total"] == pytest.approx(sum(r["value"] for r in doc["shares"]))
    assert sum(r["share"] for r in doc["shares"]) == pytest.approx(1.0)
    assert doc["shares"][0]["iso3"] == "CHN" and doc["shares"][0]["value"] == 750_000


def test_shares_reserves_and_csv(built_db: Path) -> None:
    out = run_cli("shares", "lithium", "--measure", "reserves", "--format", "csv",
                  db=built_db).stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[0].keys() >= {"iso3", "country", "value", "share"}
    assert rows[0]["iso3"] == "CHL"


def test_shares_table_shows_hhi_and_source(built_db: Path) -> None:
    out = run_cli("shares", "cobalt", db=built_db).stdout
    assert "HHI" in out and "Mineral Commodity Summaries" in out and "COD" in out


def test_unknown_commodity_suggests(built_db: Path) -> None:
    proc = run_cli("shares", "galium", db=built_db, check=False)
    assert proc.returncode == 2
    assert "unknown commodity 'galium'" in proc.stderr and "gallium" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_unknown_measure_and_year(built_db: Path) -> None:
    proc = run_cli("shares", "gallium", "--measure", "mining", db=built_db, check=False)
    assert proc.returncode == 2 and "production" in proc.stderr
    proc = run_cli("shares", "gallium", "--year", "1990", db=built_db, check=False)
    assert proc.returncode == 2 and "years available" in proc.stderr


def test_commodities(built_db: Path) -> None:
    doc = json.loads(run_cli("commodities", "--format", "json", db=built_db).stdout)
    by_id = {c["id"]: c for c in doc["commodities"]}
    assert by_id["gallium"]["name_ja"] == "ガリウム"
    assert by_id["rare-earths"]["measures"]["production"] == [2021, 2022, 2023, 2024]
    assert "reserves" in by_id["lithium"]["measures"]


def test_database_from_environment(built_db: Path) -> None:
    proc = run_cli("shares", "gallium", "--format", "json",
                   env={"ECONSEC_DB": str(built_db)})
    assert json.loads(proc.stdout)["commodity"] == "gallium"


def test_assess_dependence_japan(built_db: Path) -> None:
    doc = json.loads(run_cli("assess", "dependence", "--country", "JPN", "--format", "json",
                             db=built_db).stdout)
    assert doc["home"] == "JPN" and "G7" in doc["partner_groups"]
    rows = {r["commodity"]: r for r in doc["rows"]}
    gallium = rows["gallium"]
    assert gallium["top_supplier"] == "CHN" and gallium["top_share"] > 0.95
    assert gallium["home_rank"] == 3 and 0 < gallium["home_share"] < 0.01
    assert gallium["outside_share"] > 0.95 and gallium["governance_weighted_hhi"] > 5
    assert all(r["sources"] for r in doc["rows"])


def test_assess_dependence_usa_has_net_import_reliance(built_db: Path) -> None:
    doc = json.loads(run_cli("assess", "dependence", "--country", "United States",
                             "--format", "json", db=built_db).stdout)
    rows = {r["commodity"]: r for r in doc["rows"]}
    # USGS MCS 2025 salient statistics: U.S. net import reliance for gallium is 100 %.
    gallium = rows["gallium"]
    assert gallium["net_import_reliance"] == pytest.approx(1.0)
    # U.S. import value shares 2020-2023 (Census via the bundled extract): China first.
    assert gallium["top_import_source"] == "CHN" and gallium["import_years"] == "2020-2023"
    assert 0 < gallium["import_hhi"] < 1 and 0 < gallium["imports_from_outside"] <= 1
    assert {"usgs-mcs-2025-salient", "us-import-shares-2020-2023"} <= set(gallium["sources"])


def test_assess_dependence_unknown_country(built_db: Path) -> None:
    proc = run_cli("assess", "dependence", "--country", "Japn", db=built_db, check=False)
    assert proc.returncode == 2 and "JPN" in proc.stderr


def test_assess_eu_crm(built_db: Path, tmp_path: Path) -> None:
    data = {
        "materials": [{
            "material": "Gallium",
            "stages": {"P": {
                "global_supply": [{"country": "CHN", "share": 0.938, "t": 1.0}],
                "eu_sourcing": [{"country": "DEU", "share": 0.3, "t": 0.8}],
                "import_reliance": 0.98, "eol_rir": 0.0, "si_sr": 0.95}},
            "end_uses": [{"sector": "C26", "share": 0.7, "value_added": 76000}],
            "si_ei": 0.9,
        }],
        "wgi_scaled": {"CHN": 6.3, "DEU": 2.1},
    }
    path = tmp_path / "input.json"
    path.write_text(json.dumps(data))
    doc = json.loads(run_cli("assess", "eu-crm", "--input", str(path), "--format", "json",
                             db=built_db).stdout)
    result = doc["results"][0]
    hhi_gs = 0.938**2 * 6.3 * 1.0
    hhi_eu = 0.3**2 * 2.1 * 0.8
    sr = (hhi_gs * 0.98 / 2 + hhi_eu * (1 - 0.98 / 2)) * (1 - 0.0) * 0.95
    ei = (0.7 * 76000 / 204_200) * 10 * 0.9
    assert result["material"] == "Gallium"
    assert result["sr"] == pytest.approx(sr) and result["sr_by_stage"]["E"] is None
    assert result["sr_by_stage"]["P"] == pytest.approx(sr)
    assert result["ei"] == pytest.approx(ei)
    assert result["critical"] is (sr >= 1.0 and ei >= 2.8)


def test_assess_eu_crm_example_in_docs(built_db: Path) -> None:
    example = Path(__file__).resolve().parents[1] / "docs" / "examples" / "eu_crm_2023_input.json"
    doc = json.loads(run_cli("assess", "eu-crm", "--input", str(example), "--format", "json",
                             db=built_db).stdout)
    by_name = {r["material"]: r for r in doc["results"]}
    assert {"Gallium", "Cobalt", "Tungsten", "Neodymium"} <= set(by_name)
    assert by_name["Gallium"]["sr"] > 1.0


def test_assess_eu_crm_unknown_country(built_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"materials": [{
        "material": "X", "stages": {"E": {
            "global_supply": [{"country": "Chinaa", "share": 0.5}],
            "eu_sourcing": [{"country": "DEU", "share": 0.5}], "import_reliance": 0.5,
            "eol_rir": 0, "si_sr": 1}},
        "end_uses": [{"sector": "C26", "share": 1.0, "value_added": 1000}], "si_ei": 1}]}))
    proc = run_cli("assess", "eu-crm", "--input", str(path), db=built_db, check=False)
    assert proc.returncode == 2
    assert "bad.json" in proc.stderr and "Chinaa" in proc.stderr and "CHN" in proc.stderr


# ----------------------------------------------------------------------------- import


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_import_csv_adds_observations(db_copy: Path, tmp_path: Path) -> None:
    csv_file = _write(tmp_path / "lithium_2025.csv",
                      "item,country,year,measure,value,unit,source\n"
                      "lithium,Chile,2025,production,52000,metric tons,Company reports 2026\n"
                      "lithium,Australia,2025,production,90000,metric tons,Company reports 2026\n")
    run_cli("import", str(csv_file), db=db_copy)
    doc = json.loads(run_cli("shares", "lithium", "--year", "2025", "--format", "json",
                             db=db_copy).stdout)
    assert [r["iso3"] for r in doc["shares"]] == ["AUS", "CHL"]
    assert doc["basis"] == "reported"
    assert doc["sources"][0]["key"] == "user:lithium_2025.csv"


def test_import_legacy_encoding(db_copy: Path, tmp_path: Path) -> None:
    text = ("item,country,year,measure,value,unit\n"
            "chromium,Türkiye,2025,production,3000,thousand metric tons\n"
            "chromium,Côte d'Ivoire,2025,production,10,thousand metric tons\n")
    run_cli("import", str(_write(tmp_path / "cp1252.csv", text, "cp1252")), db=db_copy)
    doc = json.loads(run_cli("shares", "chromium", "--year", "2025", "--format", "json",
                             db=db_copy).stdout)
    assert {r["iso3"] for r in doc["shares"]} == {"TUR", "CIV"}


BAD_FILES = {
    "malformed.csv": (
        'item,country,year,measure,value,unit\nlithium,Chile,2025,production,"52000,t\n',
        ["malformed.csv", "line 2"],
    ),
    "missing_columns.csv": (
        "item,country,year,value\nlithium,Chile,2025,52000\n",
        ["missing_columns.csv", "measure", "unit"],
    ),
    "unknown_country.csv": (
        "item,country,year,measure,value,unit\nlithium,Chille,2025,production,1,t\n",
        ["unknown_country.csv", "line 2", "country", "Chille", "CHL"],
    ),
    "negative.csv": (
        "item,country,year,measure,value,unit\nlithium,Chile,2025,production,-5,t\n",
        ["negative.csv", "line 2", "value"],
    ),
    "share_over_100.csv": (
        "item,exporter,importer,year,share\nlithium,Chile,Japan,2025,140%\n",
        ["share_over_100.csv", "line 2", "share"],
    ),
    "not_a_number.csv": (
        "item,country,year,measure,value,unit\nlithium,Chile,2025,production,lots,t\n",
        ["not_a_number.csv", "line 2", "value"],
    ),
    "cyclic_bom.csv": (
        "input_item,output_item,quantity_per_unit\nlithium,cobalt,1\ncobalt,lithium,2\n",
        ["cyclic_bom.csv", "line 3", "cycle", "lithium", "cobalt"],
    ),
    "unknown_item.csv": (
        "item,country,year,measure,value,unit\nlithium,Chile,2025,production,1,t\n"
        "galium,Chile,2025,production,1,t\n",
        ["unknown_item.csv", "line 3", "galium", "gallium"],
    ),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_import_is_rejected_and_changes_nothing(
    name: str, db_copy: Path, tmp_path: Path
) -> None:
    text, expected = BAD_FILES[name]
    path = _write(tmp_path / name, text)
    before = sha256(db_copy)
    proc = run_cli("import", str(path), db=db_copy, check=False)
    assert proc.returncode == 2, proc.stderr
    message = proc.stderr.replace("\n", " ")
    for fragment in expected:
        assert fragment in message, (fragment, message)
    assert "Traceback" not in proc.stderr
    assert sha256(db_copy) == before


def test_bad_row_after_good_rows_stores_nothing(db_copy: Path, tmp_path: Path) -> None:
    lines = ["item,country,year,measure,value,unit"]
    lines += [f"lithium,Chile,{2030 + i},production,{i},t" for i in range(50)]
    lines.append("lithium,Chile,2099,production,-1,t")
    path = _write(tmp_path / "late_error.csv", "\n".join(lines) + "\n")
    before = sha256(db_copy)
    proc = run_cli("import", str(path), db=db_copy, check=False)
    assert proc.returncode == 2 and "line 52" in proc.stderr
    assert sha256(db_copy) == before


def test_partial_source_is_not_replaced_without_flag(db_copy: Path, tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    first = _write(tmp_path / "a" / "data.csv",
                   "item,country,year,measure,value,unit\nlithium,Chile,2030,production,1,t\n")
    run_cli("import", str(first), db=db_copy)
    second = _write(tmp_path / "data.csv",
                    "item,country,year,measure,value,unit\nlithium,Peru,2030,production,2,t\n")
    before = sha256(db_copy)
    proc = run_cli("import", str(second), db=db_copy, check=False)
    assert proc.returncode == 2 and "--replace" in proc.stderr
    assert sha256(db_copy) == before
    doc = json.loads(run_cli("import", str(second), "--replace", "--format", "json",
                             db=db_copy).stdout)
    assert doc["replaced"] == {"observations": 1}


def test_export_and_reimport_data_package(built_db: Path, db_copy: Path,
                                          tmp_path: Path) -> None:
    folder = tmp_path / "package"
    run_cli("export", str(folder), db=built_db)
    descriptor = json.loads((folder / "datapackage.json").read_text())
    resources = {r["name"]: r for r in descriptor["resources"]}
    assert set(resources) >= {"observations", "sources", "trade_flows"}
    # the whole knowledge base is in the package: a CSV row per stored row
    stored = stored_counts(built_db)
    for name, resource in resources.items():
        with (folder / resource["path"]).open(encoding="utf-8", newline="") as f:
            assert sum(1 for _ in csv.reader(f)) - 1 == stored[name], name
    # Importing it again (into what a fresh file is built into before an import: the
    # bundled data, here a copy of the session's knowledge base). The 1.26 million flows
    # of the largest BACI source are left out of the import to keep the test fast: the
    # other sources, trade flows included, make the round trip.
    with sqlite3.connect(built_db) as conn:
        largest = conn.execute("SELECT source_key FROM trade_flows GROUP BY source_key "
                               "ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
    for name, column in (("trade_flows", "source_key"), ("sources", "key")):
        _drop_rows(folder / f"{name}.csv", column, largest)
    doc = json.loads(run_cli("import", str(folder), "--format", "json", db=db_copy).stdout)
    assert largest not in doc["source_keys"] and len(doc["source_keys"]) >= 20
    assert doc["rows"]["observations"] == stored["observations"]
    assert doc["rows"]["governance_scores"] == stored["governance_scores"]
    a = json.loads(run_cli("shares", "cobalt", "--format", "json", db=built_db).stdout)
    b = json.loads(run_cli("shares", "cobalt", "--format", "json", db=db_copy).stdout)
    assert a["shares"] == b["shares"] and a["sources"] == b["sources"]
    assert stored_counts(db_copy) == stored


def _drop_rows(path: Path, column: str, value: str) -> None:
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        kept = [row for row in reader if row[header.index(column)] != value]
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([header, *kept])


def test_help_lists_commands() -> None:
    out = run_cli("--help").stdout
    for command in ("init", "commodities", "shares", "import", "export", "assess", "report"):
        assert command in out


def test_eu_crm_template_round_trip(built_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "template.json"
    run_cli("assess", "eu-crm-template", "Gallium", "--out", str(path), db=built_db)
    doc = json.loads(path.read_text())
    supply = doc["materials"][0]["stages"]["P"]["global_supply"]
    # EU CRM 2023 study, Appendix 7: gallium processing, China 93.8 %.
    assert {"country": "CHN", "share": 0.938, "t": 1.0} in supply
    result = json.loads(run_cli("assess", "eu-crm", "--input", str(path), "--format", "json",
                                db=built_db).stdout)["results"][0]
    assert result["material"] == "Gallium" and result["critical"] is True


def test_eu_crm_template_incomplete_material(built_db: Path) -> None:
    proc = run_cli("assess", "eu-crm-template", "Germanium", db=built_db, check=False)
    assert proc.returncode == 2 and "end uses" in proc.stderr


def test_every_command_is_documented_in_readme() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    for command in ("init", "commodities", "shares", "import", "export", "report",
                    "assess dependence", "assess eu-crm", "assess eu-crm-template",
                    "io leontief", "io extract", "simulate", "scenarios", "serve",
                    "tech list", "tech case new", "tech selfcheck", "lists load", "screen"):
        assert f"econsec {command}" in readme, command
    assert run_cli("assess", "--help").stdout.count("eu-crm") >= 2
