"""``econsec sources`` and ``GET /api/v1/sources/catalogue``: every data set with its licence,
bundled files and release flags; every MANIFEST file belongs to a listed source with a
licence; the new data sets (BACI, OECD ICIO 2022, NSF, Ember, launches) are listed; a
malformed manifest is refused with line and column."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from conftest import run_cli
from econsec.analyses.data_sources import assign_files
from econsec.datasets._csv import data_dir
from econsec.datasets.manifest import ManifestFile, read_flags, read_manifest
from econsec.errors import DataFormatError
from econsec.records import Source
from web_server import live_server

#: Data sets bundled for issue 10 (prefixes: their keys carry an edition).
NEW_DATA_SETS = ("cepii-baci-", "oecd-icio-2022", "nsf-ncses-sei", "ember-generation",
                 "jsr-launches")


@pytest.fixture(scope="module")
def listing(built_db: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(run_cli("sources", "--format", "json", db=built_db).stdout)
    return doc


def test_every_manifest_file_belongs_to_a_listed_source_with_a_licence(
        listing: dict[str, Any]) -> None:
    with (data_dir() / "MANIFEST.csv").open(encoding="utf-8-sig") as fh:
        paths = [r["path"] for r in csv.DictReader(fh)]
    assert listing["manifest_files"] == len(paths)
    assert listing["unassigned_files"] == []
    owners: dict[str, list[str]] = {}
    for s in listing["sources"]:
        for f in s["files"]:
            owners.setdefault(f["path"], []).append(s["key"])
            assert s["licence"].strip(), s["key"]
    assert sorted(owners) == sorted(paths)
    by_key = {s["key"]: s for s in listing["sources"]}
    ember = next(f for f in by_key["ember-generation"]["files"])
    on_disk = data_dir() / ember["path"]
    assert ember["bytes"] == on_disk.stat().st_size


def test_new_data_sets_are_listed_with_licence_and_flags(listing: dict[str, Any]) -> None:
    keys = [s["key"] for s in listing["sources"]]
    for prefix in NEW_DATA_SETS:
        assert any(k.startswith(prefix) for k in keys), prefix
    by_key = {s["key"]: s for s in listing["sources"]}
    assert by_key["ember-generation"]["licence"] == "CC BY 4.0"
    assert by_key["ember-generation"]["in_knowledge_base"]
    assert any("snapshot date" in f for f in by_key["ember-generation"]["release_flags"])
    assert any('"MIT"' in f for f in by_key["jsr-launches"]["release_flags"])
    assert {f["path"] for f in by_key["jsr-launches"]["files"]} == {
        "space/launches/jsr_orbital_launches_1957_2024.csv",
        "space/launches/launch_sites_geocoded.csv"}
    assert by_key["oecd-icio-2022"]["release_flags"]  # OECD licence to confirm
    assert by_key["jp-meti-eul"]["kind"] == "screening list"
    assert by_key["usgs-mcs-2025-world"]["release_flags"] == []


def test_table_and_csv_forms(built_db: Path) -> None:
    table = run_cli("sources", db=built_db).stdout
    assert "ember-generation" in table and "confirm before release" in table
    rows = list(csv.DictReader(run_cli("sources", "--format", "csv", db=built_db)
                               .stdout.splitlines()))
    jsr = next(r for r in rows if r["key"] == "jsr-launches")
    assert jsr["licence"] == "CC BY 4.0" and "MIT" in jsr["release_flags"]


def test_api_catalogue_is_the_cli_json(built_db: Path, tmp_path: Path,
                                       listing: dict[str, Any]) -> None:
    import httpx

    db = tmp_path / "econsec.db"
    shutil.copy(built_db, db)
    with live_server(db) as live:
        body = httpx.get(live.url + "/api/v1/sources/catalogue", timeout=60).json()
    assert body == listing


def test_imported_source_is_listed(db_copy: Path, tmp_path: Path) -> None:
    data = tmp_path / "mine.csv"
    data.write_text("item,country,year,measure,value,unit,source,licence\n"
                    "lithium,Chile,2024,production,5,t,my-survey,CC0-1.0\n", encoding="utf-8")
    run_cli("import", str(data), db=db_copy)
    doc = json.loads(run_cli("sources", "--format", "json", db=db_copy).stdout)
    mine = [s for s in doc["sources"] if s["kind"] == "imported"]
    assert mine and all(s["files"] == [] for s in mine)


def test_bad_input(tmp_path: Path, built_db: Path) -> None:
    bad = run_cli("sources", "--format", "yaml", db=built_db, check=False)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    head = "path,bytes,sha256,rows,cols,encoding_used_to_parse\n"
    ok = "a/b.csv,10," + "0" * 64 + ",1,2,utf-8-sig\n"
    cases = {
        "a/b.csv,ten," + "0" * 64 + ",1,2,utf-8-sig\n": (2, "bytes"),
        "a/b.csv,10,abc,1,2,utf-8-sig\n": (2, "sha256"),
        "../etc/passwd,10," + "0" * 64 + ",,,\n": (2, "path"),
        ok + ok: (3, "path"),
    }
    for body, (line, column) in cases.items():
        path = tmp_path / "MANIFEST.csv"
        path.write_text(head + body, encoding="utf-8")
        with pytest.raises(DataFormatError) as exc:
            read_manifest(path)
        assert (exc.value.location.line, exc.value.location.column) == (line, column), body
    path = tmp_path / "MANIFEST.csv"
    path.write_text("path,bytes\n", encoding="utf-8")
    with pytest.raises(DataFormatError, match="missing column"):
        read_manifest(path)


def test_flags_and_file_assignment() -> None:
    text = ("LICENCE   : CC BY 4.0.\n"
            "            FLAG: confirm the date\n"
            "            with the publisher.\n"
            "FILE      : x.csv\n"
            "FLAG (minor): second one\n")
    assert read_flags(text) == ["confirm the date with the publisher.", "second one"]
    sources = [Source("a", "P", "T", 2024, "CC BY 4.0", file="x"),
               Source("b", "P", "T", 2024, "CC0", file="x/y/z.csv")]
    files = [ManifestFile(p, 1, "0" * 64, None, None)
             for p in ("x/y/z.csv", "x/w.csv", "xx/v.csv")]
    owned, orphans = assign_files(files, sources)
    assert [f.path for f in owned["b"]] == ["x/y/z.csv"]  # the longest match wins
    assert [f.path for f in owned["a"]] == ["x/w.csv"]
    assert [f.path for f in orphans] == ["xx/v.csv"]  # a prefix of a name is no folder
