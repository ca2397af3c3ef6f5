"""``econsec io leontief|ghosh|iim|extract``: in-process (CliRunner on ``io_app``) and end to
end in a subprocess (exit status 2 on bad input)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pymrio
import pytest
from typer.testing import CliRunner

from econsec.cli.io_cmd import io_app
from econsec.errors import UnknownNameError, ValidationError

runner = CliRunner()

#: Runs ``econsec`` with ``io`` registered (as the lead's app.py does), through ``main()``.
RUN_WITH_IO = (
    "import sys\n"
    "from econsec.cli.app import app, main\n"
    "from econsec.cli.io_cmd import io_app\n"
    "if not any(g.name == 'io' for g in app.registered_groups):\n"
    "    app.add_typer(io_app, name='io')\n"
    "sys.argv = ['econsec', *sys.argv[1:]]\n"
    "main()\n"
)


def run_io(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-c", RUN_WITH_IO, "io", *args],
                          capture_output=True, text=True, env=env, timeout=120)


def invoke(*args: str) -> dict:
    result = runner.invoke(io_app, [*args, "--format", "json"])
    assert result.exit_code == 0, (result.output, result.exception)
    return json.loads(result.output)


def test_leontief_json_matches_pymrio() -> None:
    doc = invoke("leontief", "--mrio", "pymrio:test", "--demand-change",
                 "reg1/manufactoring=-1000")
    assert set(doc) == {"mrio", "unit", "model", "shock", "total_output_change", "changes"}
    assert doc["model"] == "leontief" and doc["unit"] == "Mill USD"
    assert doc["shock"] == [{"region": "reg1", "sector": "manufactoring", "value": -1000.0}]
    assert len(doc["changes"]) == 48
    values = [abs(c["value"]) for c in doc["changes"]]
    assert values == sorted(values, reverse=True)
    io = pymrio.load_test()
    io.calc_all()
    expected = io.L.to_numpy()[:, 2] * -1000.0
    assert doc["total_output_change"] == pytest.approx(expected.sum(), rel=1e-9)
    got = {(c["region"], c["sector"]): c["value"] for c in doc["changes"]}
    for (r, s), v in zip(io.L.index, expected, strict=True):
        assert got[(r, s)] == pytest.approx(v, rel=1e-9, abs=1e-12)


def test_ghosh_iim_extract_json() -> None:
    doc = invoke("ghosh", "--value-added-change", "reg3/mining=-500",
                 "--value-added-change", "reg1/food=-5%")
    assert doc["model"] == "ghosh" and len(doc["shock"]) == 2
    assert doc["total_output_change"] < -500
    doc = invoke("iim", "--demand-perturbation", "reg2/mining=0.1")
    assert doc["model"] == "iim" and doc["total_economic_loss"] > 0
    top = doc["changes"][0]
    assert (top["region"], top["sector"]) == ("reg2", "mining")
    assert top["inoperability"] == pytest.approx(0.1, rel=0.1)
    doc = invoke("extract", "--extract", "reg1/mining", "--variant", "backward")
    assert doc["model"] == "extraction" and doc["variant"] == "backward"
    assert doc["total_output_loss"] > 0 and doc["output_loss_elsewhere"] > 0


def test_bea_by_name_table_and_csv() -> None:
    result = runner.invoke(io_app, ["extract", "--mrio", "bundled:bea-2023", "--extract",
                                    "Primary metals", "--top", "3"])
    assert result.exit_code == 0, result.output
    assert "Primary metals" in result.output and "331" in result.output
    result = runner.invoke(io_app, ["leontief", "--mrio", "bundled:bea-2023",
                                    "--demand-change", "USA/3361MV=-10%", "--top", "5",
                                    "--format", "csv"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0] == "region,sector,name,value" and len(lines) == 6
    assert lines[1].startswith("USA,3361MV,")


@pytest.mark.parametrize(("args", "error", "text"), [
    (["leontief", "--demand-change", "reg1/manufacturing=-10"], UnknownNameError,
     "manufactoring"),
    (["leontief", "--demand-change", "regl/food=-10"], UnknownNameError, "reg1"),
    (["leontief", "--demand-change", "reg1/food"], ValidationError, "REGION/SECTOR=VALUE"),
    (["leontief", "--demand-change", "reg1/food=abc"], ValidationError, "not a number"),
    (["leontief", "--demand-change", "food=-1"], ValidationError, "REGION/SECTOR"),
    (["leontief", "--demand-change", "reg1/food=-150%"], ValidationError, "100 %"),
    (["leontief", "--demand-change", "reg1/food=-1e12"], ValidationError, "100 %"),
    (["leontief"], ValidationError, "at least one"),
    (["iim", "--demand-perturbation", "reg2/mining=1.5"], ValidationError, "between 0 and 1"),
    (["extract", "--extract", "reg1/minig"], UnknownNameError, "mining"),
    (["extract", "--extract", "reg1/mining", "--variant", "up"], ValidationError, "variant"),
])
def test_bad_input_raises_typed_errors(args: list[str], error: type, text: str) -> None:
    result = runner.invoke(io_app, args)
    assert isinstance(result.exception, error), result.output
    assert text in str(result.exception)


def test_end_to_end_subprocess() -> None:
    proc = run_io("leontief", "--mrio", "pymrio:test", "--demand-change",
                  "reg1/manufactoring=-1000", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["total_output_change"] < -1000
    assert np.isclose(sum(c["value"] for c in doc["changes"]), doc["total_output_change"])
    proc = run_io("leontief", "--demand-change", "reg1/manufacturing=-1000")
    assert proc.returncode == 2
    assert "did you mean: manufactoring" in proc.stderr
    proc = run_io("ghosh", "--value-added-change", "reg1/food=-200%")
    assert proc.returncode == 2 and "100 %" in proc.stderr


def test_registered_in_main_app() -> None:
    """``econsec io`` is a command of the main app: ``python -m econsec io …`` works."""
    from econsec.cli.app import app

    assert any(g.name == "io" for g in app.registered_groups)
    proc = subprocess.run([sys.executable, "-m", "econsec", "io", "extract", "--extract",
                           "reg2/mining", "--format", "json"], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["model"] == "extraction"


def test_percentage_of_negative_final_demand_is_refused() -> None:
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "econsec", "io", "leontief", "--mrio", "bundled:bea-2023-total",
         "--demand-change", "Primary metals=-10%"],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 2
    assert "positive base" in proc.stderr and "331" in proc.stderr


@pytest.mark.parametrize("kind", ["folder", "file"])
def test_mrio_of_the_wrong_kind_is_refused(tmp_path, kind: str) -> None:
    from econsec.errors import DataFormatError
    from econsec.io_models.loaders import load_mrio

    target = tmp_path / "thing"
    if kind == "folder":
        target.mkdir()
    else:
        target.write_text("not an MRIO", encoding="utf-8")
    with pytest.raises(DataFormatError, match=r"not a saved pymrio system|is a file"):
        load_mrio(str(target))
