"""One upload path for the API and the pages (econsec.web.common): the API preview and
import take what the data page takes (a zipped data package too), problems name the
user's file (a package member as ``name.zip/member``), never the server's temporary
folder, and every form refuses an oversize or missing file before reading it. A real
server on loopback, a copy of the built knowledge base."""

from __future__ import annotations

import html
import io
import json
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from econsec.web.common import Upload, check_upload, safe_name, upload_on_disk
from web_server import AUTH, LiveServer, live_server

SOURCES = "key,publisher,title,year,licence\nmine,me,My data,2024,CC-BY-4.0\n"
OBSERVATIONS = "item_id,area,iso3,year,measure,value,unit,source_key\n"
RESOURCES = [{"name": "sources", "path": "sources.csv"},
             {"name": "observations", "path": "observations.csv"}]


def package(observations: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("pkg/datapackage.json", json.dumps({"resources": RESOURCES}))
        archive.writestr("pkg/sources.csv", SOURCES)
        archive.writestr("pkg/observations.csv", OBSERVATIONS + observations)
    return out.getvalue()


GOOD = package("lithium,Chile,CHL,2024,production,5,t,mine\n")
#: a row the import refuses (checked against the knowledge base: listed, status 200)
BAD = package("lithium,Chile,CHL,2024,production,-5,t,mine\n")
#: a row the reader refuses (a 422 problem)
MALFORMED = package("lithium,Chile,chl,2024,production,5,t,mine\n")


@pytest.fixture(scope="module")
def server(built_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    db = tmp_path_factory.mktemp("uploads") / "econsec.db"
    shutil.copy(built_db, db)
    with live_server(db) as live:
        live.state.max_upload_bytes = 100_000
        yield live


def test_api_preview_takes_a_zipped_data_package(server: LiveServer) -> None:
    r = httpx.post(server.url + "/api/v1/data/preview", headers=AUTH, timeout=60,
                   files={"file": ("mine.zip", GOOD, "application/zip")})
    assert r.status_code == 200, r.text
    assert r.json()["counts"]["observations"] == 1 and r.json()["errors"] == []


def test_api_preview_names_the_package_member_not_the_server_folder(
        server: LiveServer) -> None:
    r = httpx.post(server.url + "/api/v1/data/preview", headers=AUTH, timeout=60,
                   files={"file": ("mine.zip", MALFORMED, "application/zip")})
    assert r.status_code == 422, r.text
    assert "econsec-upload-" not in r.text and "/tmp" not in r.text
    assert r.json()["file"] == "mine.zip/pkg/observations.csv"
    assert "'chl' is not an ISO alpha-3 code" in r.json()["detail"]
    refused = httpx.post(server.url + "/api/v1/data/preview", headers=AUTH, timeout=60,
                         files={"file": ("mine.zip", BAD, "application/zip")})
    assert refused.status_code == 200 and "econsec-upload-" not in refused.text
    assert [e["file"] for e in refused.json()["errors"]] == ["mine.zip/pkg/observations.csv"]


def test_page_and_api_give_the_same_problems(server: LiveServer) -> None:
    api = httpx.post(server.url + "/api/v1/data/preview", headers=AUTH, timeout=60,
                     files={"file": ("mine.zip", BAD, "application/zip")}).json()
    page = httpx.post(server.url + "/data/preview", headers=AUTH, timeout=60,
                      files={"file": ("mine.zip", BAD, "application/zip")}).text
    assert api["errors"] and all(e["message"] in html.unescape(page) for e in api["errors"])


def test_api_import_takes_a_zipped_data_package(server: LiveServer) -> None:
    r = httpx.post(server.url + "/api/v1/data/import", headers=AUTH, timeout=60,
                   files={"file": ("mine.zip", GOOD, "application/zip")})
    assert r.status_code == 200, r.text
    assert r.json()["file"] == "mine.zip"


@pytest.mark.parametrize("path", ["/api/v1/data/preview", "/data/preview",
                                  "/api/v1/screening/lists", "/screening/lists"])
def test_every_upload_refuses_an_oversize_file(server: LiveServer, path: str) -> None:
    r = httpx.post(server.url + path, headers=AUTH, timeout=60,
                   files={"file": ("big.csv", b"x" * 150_000, "text/csv")})
    assert r.status_code in (200, 413), r.text[:300]  # the data page answers its fragment
    assert "larger than the limit" in r.text or r.status_code == 413
    assert "econsec-upload-" not in r.text


@pytest.mark.parametrize("path", ["/api/v1/data/preview", "/api/v1/screening/lists"])
def test_the_api_names_the_missing_field(server: LiveServer, path: str) -> None:
    r = httpx.post(server.url + path, headers=AUTH, timeout=60,
                   files={"other": ("x.csv", b"a,b\n", "text/csv")})
    assert r.status_code == 422
    assert "multipart/form-data field 'file'" in r.json()["detail"]


def test_file_names_keep_letters_of_any_script() -> None:
    assert safe_name("../../リチウム 2024.csv") == "リチウム 2024.csv"
    assert safe_name("C:\\data\\a;b|c.csv") == "a_b_c.csv"
    assert safe_name("...") == "upload"
    assert safe_name(".hidden.csv") == "hidden.csv"


def test_errors_raised_on_disk_name_the_users_file() -> None:
    from econsec.errors import DataFormatError, Location

    with pytest.raises(DataFormatError) as caught, \
            upload_on_disk(Upload("mine.csv", b"a\n")) as path:
        raise DataFormatError(f"cannot read {path}", location=Location(file=str(path), line=2))
    assert caught.value.location.file == "mine.csv"
    assert "mine.csv" in caught.value.message and "econsec-upload-" not in caught.value.message


def test_check_upload_collects_every_problem(built_db: Path) -> None:
    from econsec.kb.store import open_store

    check = check_upload(Upload("mine.zip", BAD), store=open_store(f"sqlite:///{built_db}"))
    assert check.problems
    assert all(p.location.file == "mine.zip/pkg/observations.csv" for p in check.problems)


def test_a_zip_of_hundreds_of_files_is_refused_before_unpacking(server: LiveServer) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("pkg/datapackage.json", "{}")
        for n in range(300):
            archive.writestr(f"pkg/f{n}.csv", "")
    r = httpx.post(server.url + "/api/v1/data/preview", headers=AUTH, timeout=60,
                   files={"file": ("many.zip", buffer.getvalue(), "application/zip")})
    assert r.status_code == 422, r.text[:300]
    assert "holds 301 files" in r.json()["detail"]
    ja = httpx.post(server.url + "/data/preview?lang=ja", headers=AUTH, timeout=60,
                    files={"file": ("many.zip", buffer.getvalue(), "application/zip")})
    assert "301 個のファイル" in html.unescape(ja.text)
