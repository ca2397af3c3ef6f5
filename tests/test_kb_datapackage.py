"""Frictionless data-package export and its round trip through read_user_file."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import differing_rows, stored_counts
from econsec.datasets.user_tables import read_user_file
from econsec.kb.datapackage import EXPORT_ORDER
from econsec.kb.store import open_store
from econsec.kb.testing import sample_bundle, snapshot


@pytest.fixture
def exported(tmp_path):
    store = open_store(str(tmp_path / "source.db"))
    store.import_bundle(sample_bundle())
    store.export_datapackage(tmp_path / "pkg")
    yield store, tmp_path / "pkg"
    store.close()


def test_descriptor_follows_the_spec(exported) -> None:
    _store, folder = exported
    descriptor = json.loads((folder / "datapackage.json").read_text("utf-8"))
    assert descriptor["profile"] == "tabular-data-package"
    assert {lic["name"] for lic in descriptor["licenses"]} == {"other-pd", "CC-BY-4.0"}
    assert {s["title"] for s in descriptor["sources"]} >= {
        "Mineral test summaries 2025 (Test Survey, 2025)"}
    resources = {r["name"]: r for r in descriptor["resources"]}
    assert list(resources) == list(EXPORT_ORDER)
    for name, resource in resources.items():
        path = folder / resource["path"]
        header = path.read_text("utf-8").splitlines()[0].split(",")
        fields = resource["schema"]["fields"]
        assert [f["name"] for f in fields] == header
        assert {f["type"] for f in fields} <= {"string", "integer", "number", "boolean"}
        assert set(resource["schema"]["primaryKey"]) <= set(header)
        for fk in resource["schema"].get("foreignKeys", []):
            target = resources[fk["reference"]["resource"]]
            target_fields = {f["name"] for f in target["schema"]["fields"]}
            assert set(fk["fields"]) <= set(header), name
            assert set(fk["reference"]["fields"]) <= target_fields
    obs = {f["name"]: f["type"] for f in resources["observations"]["schema"]["fields"]}
    assert obs["value"] == "number" and obs["year"] == "integer"
    assert obs["is_estimate"] == "boolean"
    assert {"fields": ["source_key"], "reference": {"resource": "sources",
            "fields": ["key"]}} in resources["observations"]["schema"]["foreignKeys"]


def test_round_trip_gives_identical_rows(exported, tmp_path) -> None:
    store, folder = exported
    copy = open_store(str(tmp_path / "copy.db"))
    copy.import_bundle(read_user_file(folder))
    assert copy.counts() == store.counts()
    assert snapshot(copy) == snapshot(store)
    # the datapackage.json path works as well, and importing again changes nothing
    copy.import_bundle(read_user_file(folder / "datapackage.json"))
    assert snapshot(copy) == snapshot(store)
    copy.close()


def test_package_path_must_stay_inside(exported) -> None:
    from econsec.errors import DataFormatError

    _store, folder = exported
    descriptor = json.loads((folder / "datapackage.json").read_text("utf-8"))
    descriptor["resources"][0]["path"] = "../../etc/passwd"
    (folder / "datapackage.json").write_text(json.dumps(descriptor), "utf-8")
    with pytest.raises(DataFormatError, match="must stay inside the package folder"):
        read_user_file(folder)


def test_bad_value_in_package_names_file_line_column(exported) -> None:
    from econsec.errors import DataFormatError

    _store, folder = exported
    path = folder / "observations.csv"
    lines = path.read_text("utf-8").splitlines()
    lines[2] = lines[2].replace("33000.0", "lots")
    path.write_text("\n".join(lines) + "\n", "utf-8")
    with pytest.raises(DataFormatError) as caught:
        read_user_file(folder)
    assert caught.value.location.line == 3
    assert caught.value.location.column == "value"
    assert caught.value.location.file.endswith("observations.csv")


def test_bundled_data_imports_twice_without_change(built_db: Path, tmp_path: Path) -> None:
    from econsec.datasets.bundled import load_bundled

    # The session's knowledge base is the bundled data imported once into an empty file
    # (`econsec init`); import it a second time into a copy and compare every row.
    db = tmp_path / "bundled.db"
    shutil.copy(built_db, db)
    store = open_store(str(db))
    first = store.counts()
    assert first["observations"] > 5000
    store.import_bundle(load_bundled())
    assert store.counts() == first
    store.close()
    assert stored_counts(db) == stored_counts(built_db)
    assert differing_rows(db, built_db, ids=False) == {}
