"""``econsec assess complexity`` and ``/api/v1/complexity`` on a real knowledge base.

The bundled result is checked against ECI/PCI computed here from the raw bundled BACI
parquet (polars, not the knowledge base) with the ``ecomplexity`` package; a user's matrix
file against ``ecomplexity`` on the same rows; bad files against the line and column they
name; the API against the CLI's JSON over a real loopback server.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

from conftest import run_cli
from econsec.analyses.complexity import file_complexity
from econsec.errors import EconsecError
from test_indicators_complexity import TOLERANCE, baci_matrix, reference
from web_server import LiveServer, live_server

API = "/api/v1"


@pytest.fixture(scope="module")
def store(built_db: Path) -> Any:
    from econsec.kb.cached import CachedReads
    from econsec.kb.engine import open_engine

    return CachedReads(open_engine(f"sqlite:///{built_db}"))


def cli_json(db: Path, *args: str) -> Any:
    return json.loads(run_cli("assess", "complexity", *args, "--format", "json", db=db).stdout)


@pytest.fixture(scope="module")
def bundled_2024(built_db: Path) -> Any:
    return cli_json(built_db)


def by_code(rows: list[dict[str, Any]], key: str, value: str) -> dict[str, float]:
    return {r[key]: r[value] for r in rows}


def test_bundled_result_is_ecomplexity_on_the_raw_parquet(bundled_2024: Any) -> None:
    x, countries, products = baci_matrix(2024)
    ref = reference(x)
    doc = bundled_2024
    assert doc["basis"] == "bundled" and doc["year"] == 2024
    assert doc["unit"] == "thousand USD" and doc["threshold"] == 1.0
    eci = by_code(doc["countries"], "iso3", "eci")
    pci = by_code(doc["products"], "product", "pci")
    # BACI's S19 (Other Asia, nes) is Taiwan in the knowledge base.
    expected_eci = {("TWN" if c == "S19" else c): v for c, v in zip(countries, ref["eci"],
                                                                        strict=True)}
    assert set(eci) == set(expected_eci)
    assert max(abs(eci[c] - v) for c, v in expected_eci.items()) < TOLERANCE
    assert max(abs(pci[p] - v) for p, v in zip(products, ref["pci"], strict=True)) < TOLERANCE
    # ranks follow ECI; density-ranked opportunities are products the country lacks
    ranked = [r["eci"] for r in doc["countries"]]
    assert ranked == sorted(ranked, reverse=True) and doc["countries"][0]["rank"] == 1
    row = {r["iso3"]: r for r in doc["countries"]}["JPN"]
    jpn = countries.index("JPN")
    dens = {products[j]: ref["density"][jpn, j] for j in range(len(products))}
    for o in row["opportunities"]:
        assert abs(o["density"] - dens[o["product"]]) < TOLERANCE
    assert row["diversity"] == int(np.nansum(ref["mcp"][jpn]))
    first = doc["products"][0]
    j = products.index(first["product"])
    nearest = first["nearest"][0]
    assert abs(nearest["proximity"]
               - np.nanmax(np.delete(ref["proximity"][j], j))) < TOLERANCE


def test_bundled_result_says_it_is_raw_materials_only(bundled_2024: Any) -> None:
    doc = bundled_2024
    assert "Raw-materials-only" in doc["note_en"]
    assert "not comparable with published ECI rankings" in doc["note_en"]
    assert "原材料のみ" in doc["note_ja"] and "比較できません" in doc["note_ja"]
    words = re.sub(r"econsec [a-z -]+", "", doc["note_ja"])  # the command stays as typed
    assert not re.search(r"[A-Za-z]{3,} [a-z]{2,} [a-z]{2,}", words)  # no English
    assert [s["key"] for s in doc["sources"]] == ["cepii-baci-hs92-crm"]
    assert doc["sources"][0]["publisher"] and doc["sources"][0]["licence"]
    assert doc["method"]["version"].endswith("ecomplexity 0.5.3")


def test_table_form_shows_the_note_and_sources(built_db: Path) -> None:
    out = run_cli("assess", "complexity", "--year", "2010", "--top", "3", db=built_db).stdout
    assert "Economic complexity index, 2010 (3 of" in out
    assert "Raw-materials-only" in out and "Sources: BACI" in out
    csv_out = run_cli("assess", "complexity", "--year", "2010", "--format", "csv",
                      db=built_db).stdout.splitlines()
    assert csv_out[0] == "kind,rank,code,name,index,count,exports,nearest"
    x = baci_matrix(2010)[0]
    assert len(csv_out) - 1 == x.shape[0] + x.shape[1]


def test_bad_year(built_db: Path) -> None:
    proc = run_cli("assess", "complexity", "--year", "1990", db=built_db, check=False)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "--year" in proc.stderr and "1995–2024" in proc.stderr


# --------------------------------------------------------------------- a user's matrix


def write_matrix(path: Path, year: int, n_countries: int) -> tuple[np.ndarray, list[str]]:
    """The largest ``n_countries`` exporters of the bundled BACI year as a long CSV, some
    countries by name, rows in a shuffled order; the matrix in the file's first-seen
    order of countries and products."""
    x, countries, products = baci_matrix(year)
    keep = np.argsort(-x.sum(axis=1))[:n_countries]
    x = x[keep]
    names = {"JPN": "Japan", "DEU": "Germany", "S19": "Taiwan"}
    rows = [(countries[i], products[j], x[k, j]) for k, i in enumerate(keep)
            for j in range(len(products)) if x[k, j] > 0]
    order = np.random.default_rng(7).permutation(len(rows))
    lines = ["Country,Product,Value"] + [
        f"{names.get(rows[i][0], rows[i][0])},{rows[i][1]},{float(rows[i][2])!r}"
        for i in order]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return x, [countries[i] for i in keep]


def test_user_matrix_agrees_with_ecomplexity(built_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "matrix.csv"
    x, countries = write_matrix(path, 2020, 60)
    doc = cli_json(built_db, "--file", str(path), "--year", "2020")
    assert doc["basis"] == "file" and doc["file"] == "matrix.csv" and doc["year"] == 2020
    assert doc["sources"][0]["key"] == "file:matrix.csv" and doc["sources"][0]["sha256"]
    assert "your matrix matrix.csv" in doc["note_en"] and "行列" in doc["note_ja"]
    _, _, products = baci_matrix(2020)
    cols = x.sum(axis=0) > 0  # products none of these exporters sells are not in the file
    ref = reference(x[:, cols])
    eci = by_code(doc["countries"], "iso3", "eci")
    pci = by_code(doc["products"], "product", "pci")
    for c, v in zip(countries, ref["eci"], strict=True):
        assert abs(eci["TWN" if c == "S19" else c] - v) < TOLERANCE
    for p, v in zip(np.array(products)[cols], ref["pci"], strict=True):
        assert abs(pci[p] - v) < TOLERANCE


def test_a_country_without_exports_has_no_eci_and_a_note(store: Any, tmp_path: Path) -> None:
    path = tmp_path / "small.csv"
    path.write_text("COUNTRY;Value;Product;note\nJapan;5;a;x\nJPN;3;b;\nJPN;2;c;\n"
                    "JPN;1;d;\nCHN;4;a;\nCHN;2;b;\nCHN;1;c;\nDEU;6;a;\nDEU;2;b;\n"
                    "USA;9;a;\n韓国;0;a;\nKOR;0;e;\n", encoding="utf-8")
    doc = file_complexity(store, path)
    rows = {r.iso3: r for r in doc.countries}
    assert rows["KOR"].eci is None and rows["KOR"].rank is None
    assert doc.countries[-1].iso3 == "KOR" and doc.n_countries == 4
    assert {p.product: p.pci for p in doc.products}["e"] is None
    x = np.array([[5, 3, 2, 1], [4, 2, 1, 0], [6, 2, 0, 0], [9, 0, 0, 0]], dtype=float)
    ref = reference(x)
    for iso3, v in zip(["JPN", "CHN", "DEU", "USA"], ref["eci"], strict=True):
        assert abs(rows[iso3].eci - v) < TOLERANCE
    assert "(1): KOR." in doc.note_en and "（1 か国）" in doc.note_ja


@pytest.mark.parametrize(("body", "where", "words"), [
    ("country,product,value\nJPN,2601,5\nJPN,2602,-3\n", "line 3, column 'value'",
     "negative"),
    ("country,product,value\nJPN,2601,5\nAtlantis,2602,3\n", "line 3, column 'country'",
     "unknown country 'Atlantis'"),
    ("country,product,value\nJPN,2601,5\nJapan,2601,3\n", "line 3, column 'product'",
     "already given on line 2"),
    ("country,product,value\nJPN,2601,nan\n", "line 2, column 'value'", "finite"),
    ("country,product,value\nJPN,2601,lots\n", "line 2, column 'value'", "not a number"),
    ("country,product,value\nJPN,2601,\n", "line 2, column 'value'", "missing"),
    ("country,product,value\nJPN,,4\n", "line 2, column 'product'", "product is missing"),
    ("country,item,value\nJPN,2601,4\n", "line 1, column 'product'", "country, product, value"),
    ("country,product,value\n", "line 2", "no rows"),
    ("country,product,value\nJPN,2601,4\n", "m.csv", "at least 2 countries"),
    ("country,product,value\nJPN,2601,4\nCHN,2602,0\n", "m.csv", "2 countries and 2 products"),
    ("country,product,value\nJPN,a,1\nJPN,b,1\nCHN,c,1\nCHN,d,1\n", "m.csv",
     "separate groups"),
])
def test_bad_matrix_files(store: Any, tmp_path: Path, body: str, where: str,
                          words: str) -> None:
    path = tmp_path / "m.csv"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(EconsecError) as info:
        file_complexity(store, path)
    assert where in str(info.value) and words in str(info.value), str(info.value)


@pytest.mark.parametrize(("body", "words"), [
    ("country,product,value\nJPN,2601,5\nJPN,2602,-3\n", "line 3, column 'value'"),
    ("country,product,value\nJPN,2601,5\nAtlantis,2602,3\n", "line 3, column 'country'"),
])
def test_bad_matrix_files_on_the_command_line(built_db: Path, tmp_path: Path, body: str,
                                              words: str) -> None:
    path = tmp_path / "m.csv"
    path.write_text(body, encoding="utf-8")
    proc = run_cli("assess", "complexity", "--file", str(path), db=built_db, check=False)
    assert proc.returncode == 2, proc.stdout
    assert "Traceback" not in proc.stderr and words in proc.stderr, proc.stderr


def test_missing_file(store: Any, tmp_path: Path) -> None:
    with pytest.raises(EconsecError, match="cannot read the file"):
        file_complexity(store, tmp_path / "none.csv")


# --------------------------------------------------------------------- API


@pytest.fixture(scope="module")
def server(built_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    db = tmp_path_factory.mktemp("complexity-api") / "econsec.db"
    shutil.copy(built_db, db)
    with live_server(db) as live:
        yield live


@pytest.fixture(scope="module")
def client(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url + API, timeout=120, headers=server.headers) as c:
        yield c


def test_api_is_the_cli_json(client: httpx.Client, bundled_2024: Any) -> None:
    assert client.get("/complexity").json() == bundled_2024
    assert client.get("/complexity", params={"year": 2024}).json() == bundled_2024


def test_api_upload_is_the_cli_json(client: httpx.Client, server: LiveServer,
                                    tmp_path: Path) -> None:
    path = tmp_path / "matrix.csv"
    write_matrix(path, 2010, 40)
    expected = cli_json(server.db, "--file", str(path), "--year", "2010")
    got = client.post("/complexity", files={"file": ("matrix.csv", path.read_bytes())},
                      data={"year": "2010"})
    assert got.status_code == 200, got.text
    assert got.json() == expected


def test_api_refusals(client: httpx.Client) -> None:
    missing = client.get("/complexity", params={"year": 1990})
    assert missing.status_code == 404
    assert "1995–2024" in missing.json()["detail"]
    assert client.get("/complexity", params={"year": "soon"}).status_code == 422
    bad = client.post("/complexity", files={"file": (
        "m.csv", b"country,product,value\nJPN,2601,5\nJPN,2602,-3\n")})
    assert bad.status_code == 422
    assert bad.json()["line"] == 3 and bad.json()["column"] == "value"
    unknown = client.post("/complexity", files={"file": (
        "m.csv", b"country,product,value\nJPN,2601,5\nAtlantis,2602,3\n")})
    assert unknown.status_code == 404 and unknown.json()["line"] == 3
    year = client.post("/complexity", files={"file": ("m.csv", b"country,product,value\n")},
                       data={"year": "next"})
    assert year.status_code == 422 and year.json()["column"] == "year"
    assert client.post("/complexity").status_code == 422  # no file
