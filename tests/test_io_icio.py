"""The bundled OECD ICIO 2022 table (``bundled:icio-2022``): loading, agreement with pymrio,
the static commands and a short ARIO run on it, with its limits in every result."""

from __future__ import annotations

import csv
import json

import numpy as np
import pandas as pd
import pymrio
import pytest
from typer.testing import CliRunner

from econsec.cli.io_cmd import io_app
from econsec.io_models import icio
from econsec.io_models.loaders import load_mrio
from econsec.io_models.mrio import MRIO
from econsec.io_models.static import StaticModel

REF = "bundled:icio-2022"


@pytest.fixture(scope="module")
def table() -> MRIO:
    return load_mrio(REF)


def _nodes() -> list[dict[str, str]]:
    with (icio.data_folder() / icio.NODES_FILE).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_shape_names_and_japan_output(table: MRIO) -> None:
    assert table.n == 1550 and table.Z.shape == (1550, 1550) and table.Y.shape == (1550, 31)
    assert len(table.regions) == 31 and len(table.sectors) == 50
    assert table.regions[0] == "JPN" and {"CHN", "TWN", "ROW_OTH"} <= set(table.regions)
    assert table.unit == "Million USD (current)"
    assert table.x[table.index("JPN", "C26")] > 0
    nodes = _nodes()
    published = np.array([float(r["gross_output_musd"]) for r in nodes])
    japan = sum(float(r["gross_output_musd"]) for r in nodes if r["region"] == "JPN")
    assert japan == pytest.approx(8.10e6, rel=2e-3)             # 8.10 tn USD
    assert table.x[:50].sum() == pytest.approx(japan, rel=1e-6)
    assert np.abs(table.x - published).max() < 2.0               # float32 storage of Z
    # x = Z·1 + Y·1, final demand of each node in its own region only
    np.testing.assert_allclose(table.Z.sum(axis=1) + table.Y.sum(axis=1), table.x, rtol=1e-12)
    by_region = table.final_demand_by_region()
    own = np.repeat(np.arange(31), 50)
    assert np.all(by_region[np.arange(1550), own] == table.Y.sum(axis=1))
    fd = np.array([float(r["final_demand_residual_musd"]) for r in nodes])
    np.testing.assert_array_equal(table.Y.sum(axis=1), fd)
    va = np.array([float(r["value_added_residual_musd"]) for r in nodes])
    np.testing.assert_array_equal(table.va, va)
    assert [f"{r}_{s}" for r, s in table.labels] == [r["node"] for r in nodes]


def test_limits_in_the_table_notes(table: MRIO) -> None:
    ids = [getattr(n, "id", None) for n in table.notes]
    assert ids == list(icio.NOTE_IDS)
    text = " ".join(table.notes)
    assert "one residual vector per industry" in text and "own region" in text
    assert "rest-of-the-world region was dropped" in text
    assert "21 industries have no output" in text


def test_notes_have_japanese_with_the_same_placeholders() -> None:
    import re

    from econsec.i18n import translator

    gettext = translator("ja").gettext
    for msgid in icio.NOTE_IDS:
        ja = gettext(msgid)
        assert ja != msgid and re.search("[\u3040-\u30ff\u4e00-\u9fff]", ja)
        assert set(re.findall(r"%\((\w+)\)s", ja)) == set(re.findall(r"%\((\w+)\)s", msgid))


def test_labels_english_and_japanese(table: MRIO) -> None:
    en, ja = icio.industry_names(), icio.industry_names_ja()
    assert list(en) == list(table.sectors) == list(ja)
    assert en["C26"] == "Manufacture of computer, electronic and optical products"
    assert icio.industry_label("C26", "ja") == "コンピュータ・電子製品・光学製品製造業"
    assert icio.industry_label("B07", "ja") == "金属鉱業"
    assert set(icio.region_names()) == set(table.regions)
    assert icio.region_label("CHN", "ja") == "中国" and icio.region_label("JPN") == "Japan"


def test_cached_copy_is_used_the_second_time(tmp_path, monkeypatch) -> None:
    from econsec.io_models.loaders import READING_BUNDLED
    from econsec.io_models.mrio_cache import READING_CACHE, SAVING_CACHE

    monkeypatch.setenv("ECONSEC_CACHE_DIR", str(tmp_path))
    first: list[str] = []
    built = load_mrio(REF, step=first.append)
    assert first == [READING_BUNDLED, SAVING_CACHE]
    second: list[str] = []
    again = load_mrio(REF, step=second.append)
    assert second == [READING_CACHE]
    np.testing.assert_array_equal(again.Z, built.Z)
    assert again.notes == built.notes and [n.id for n in again.notes] == list(icio.NOTE_IDS)


def test_named_table_for_scenarios() -> None:
    from econsec.scenarios.schema import named_tables

    assert REF in named_tables()


def test_reproduces_pymrio(table: MRIO) -> None:
    """pymrio's calc_all on the same Z and Y: x, A, the Leontief inverse's column sums
    (output multipliers) and x = (I − A)⁻¹ Y agree to 1e-6 relative."""
    index = pd.MultiIndex.from_tuples(table.labels, names=["region", "sector"])
    columns = pd.MultiIndex.from_tuples([(r, icio.FD_CATEGORY) for r in table.regions],
                                        names=["region", "category"])
    io = pymrio.IOSystem(Z=pd.DataFrame(table.Z, index=index, columns=index),
                         Y=pd.DataFrame(table.Y, index=index, columns=columns),
                         unit=pd.DataFrame({"unit": table.unit}, index=index))
    io.calc_all()
    x = io.x.to_numpy().ravel()
    np.testing.assert_allclose(x, table.x, rtol=1e-9)
    model = StaticModel(table)
    active = table.x > 0
    np.testing.assert_allclose(model.A, io.A.to_numpy(), rtol=1e-9, atol=1e-12)
    multipliers = model.leontief_solver.solve_transposed(np.ones(table.n))
    L = io.L.to_numpy()
    np.testing.assert_allclose(multipliers, L.sum(axis=0), rtol=1e-6)
    x_leontief = model.leontief_solver.solve(model.y)
    np.testing.assert_allclose(x_leontief[active], (L @ io.Y.to_numpy().sum(axis=1))[active],
                               rtol=1e-6)
    np.testing.assert_allclose(x_leontief[active], table.x[active], rtol=1e-6)
    # a demand shock: JPN/C29 final demand −10 % through econsec and through pymrio's L
    result = model.leontief({("JPN", "C29"): -0.1 * model.y[table.index("JPN", "C29")]})
    expected = L[:, table.index("JPN", "C29")] * -0.1 * model.y[table.index("JPN", "C29")]
    np.testing.assert_allclose(result.delta_x, expected, rtol=1e-6, atol=1e-9)


runner = CliRunner()


def test_static_commands_run_and_state_the_limits() -> None:
    result = runner.invoke(io_app, ["leontief", "--mrio", REF, "--demand-change",
                                    "JPN/C29=-10%", "--top", "5"])
    assert result.exit_code == 0, (result.output, result.exception)
    flat = " ".join(result.output.split())
    assert "OECD ICIO 2022 limits: final demand is one residual vector" in flat
    assert "rest-of-the-world region was dropped" in flat
    result = runner.invoke(io_app, ["extract", "--mrio", REF, "--extract", "CHN/B07",
                                    "--variant", "backward", "--format", "json"])
    assert result.exit_code == 0, (result.output, result.exception)
    doc = json.loads(result.output)
    assert doc["model"] == "extraction" and doc["total_output_loss"] > 0
    assert doc["notes"] == [str(n) for n in load_mrio(REF).notes]
    assert doc["changes"][0]["region"] in ("CHN", "JPN")
    for command, option, value in (("ghosh", "--value-added-change", "TWN/C26=-5%"),
                                   ("iim", "--demand-perturbation", "JPN/C24B=0.05")):
        result = runner.invoke(io_app, [command, "--mrio", REF, option, value, "--format",
                                        "json"])
        assert result.exit_code == 0, (result.output, result.exception)
    result = runner.invoke(io_app, ["leontief", "--mrio", REF, "--demand-change",
                                    "XXX/C26=-1"])
    assert result.exit_code != 0


def test_short_ario_run_with_a_chinese_export_restriction(table: MRIO) -> None:
    from econsec.scenarios.runner import run_scenario
    from econsec.scenarios.schema import parse_scenario

    scenario = parse_scenario({
        "name": "China restricts metal ores to Japan (test)",
        "mrio": REF, "horizon_days": 10, "model": {"type": "ario"},
        "events": [{"type": "export_restriction", "region": "CHN", "sector": "B07",
                    "to": ["JPN"], "share": 0.9, "start_day": 1, "duration_days": 5,
                    "recovery_days": 2}],
    })
    result = run_scenario(scenario, mrio=table)
    doc = result.to_dict()
    assert doc["mrio"] == REF and doc["days"] == 10
    assert any("one residual vector per industry" in n for n in doc["notes"])
    assert [n["id"] for n in doc["note_texts"]][-3:] == list(icio.NOTE_IDS)
    assert any(s.startswith("OECD (2025), Inter-Country Input-Output") for s in doc["sources"])
    production = result.main.result.production
    jpn = slice(0, 50)
    assert production[-1, jpn].sum() <= table.x[jpn].sum() + 1e-6


def test_api_static_shock_carries_the_limits_like_the_cli(built_db) -> None:
    """``POST /api/v1/io/extract`` on the ICIO table: the CLI's JSON, notes included."""
    import httpx

    from web_server import live_server

    with live_server(built_db) as server:
        response = httpx.post(f"{server.url}/api/v1/io/extract", headers=server.headers,
                              timeout=60, json={
                                  "mrio": REF, "variant": "backward",
                                  "shocks": [{"region": "CHN", "sector": "B07"}]})
        names = {lang: httpx.get(f"{server.url}/scenarios/names", timeout=60,
                                 params={"mrio": REF, "lang": lang}).json()
                 for lang in ("en", "ja")}
    # the scenario builder's choices: ICIO industries named in the page's language
    sectors = {lang: {s["code"]: s["name"] for s in doc["sectors"]} for lang, doc in names.items()}
    assert names["ja"]["regions"][:2] == ["JPN", "CHN"] and len(sectors["ja"]) == 50
    assert sectors["ja"]["C26"] == "コンピュータ・電子製品・光学製品製造業"
    assert sectors["en"]["C26"] == "Manufacture of computer, electronic and optical products"
    assert response.status_code == 200, response.text
    api = response.json()
    cli = runner.invoke(io_app, ["extract", "--mrio", REF, "--extract", "CHN/B07",
                                 "--variant", "backward", "--format", "json"])
    assert api == json.loads(cli.output)
    assert any("one residual vector per industry" in n for n in api["notes"])
