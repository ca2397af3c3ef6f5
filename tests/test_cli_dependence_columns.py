"""`econsec assess dependence` is readable in a 100-column terminal; --columns chooses."""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
from pathlib import Path

from conftest import ECONSEC, run_cli

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")


def run_in_terminal(*args: str, columns: int) -> str:
    """Run ``econsec`` with its stdout on a pseudo-terminal ``columns`` wide, as a user does."""
    master, slave = os.openpty()
    env = {**os.environ, "COLUMNS": str(columns), "LINES": "50", "NO_COLOR": "1"}
    env.pop("ECONSEC_DB", None)
    proc = subprocess.Popen([*ECONSEC, *args], stdout=slave, stderr=subprocess.PIPE, env=env)
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    assert proc.wait(timeout=600) == 0, proc.stderr.read() if proc.stderr else ""
    return ANSI.sub("", b"".join(chunks).decode("utf-8")).replace("\r\n", "\n")


def test_dependence_fits_100_columns(built_db: Path) -> None:
    text = run_in_terminal("assess", "dependence", "--db", str(built_db), columns=100)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 100
    header = next(line for line in lines if "commodity" in line)
    for column in ("commodity", "year", "home_share", "top_supplier", "top_share", "hhi",
                   "outside_share"):
        assert f" {column} " in header, column  # every header whole, on one line
    # every commodity name whole on its row (nothing folded mid-word)
    rows = [line.split("│")[1].strip() for line in lines if line.startswith("│")]
    assert "iron-ore-iron-content" in rows and "gallium" in rows
    assert all(row for row in rows)  # no continuation lines of folded cells
    assert any(line.startswith("More columns (--columns a,b,c):") for line in lines)


def test_columns_option_chooses_table_and_csv_columns(built_db: Path) -> None:
    out = run_cli("assess", "dependence", "--columns", "commodity, governance_weighted_hhi",
                  "--format", "csv", db=built_db).stdout
    reader = csv.DictReader(io.StringIO(out))
    assert reader.fieldnames == ["commodity", "governance_weighted_hhi"]
    assert any(row["commodity"] == "gallium" for row in reader)


def test_default_csv_keeps_the_full_column_set(built_db: Path) -> None:
    out = run_cli("assess", "dependence", "--format", "csv", db=built_db).stdout
    header = next(csv.reader(io.StringIO(out)))
    assert header[:3] == ["commodity", "measure", "year"]
    # Japan has bilateral trade (BACI): the import and trade-position columns close the CSV
    assert header[-2:] == ["export_total", "net_exporter"]
    assert {"home_rank", "partner_share", "top_outside_supplier", "governance_weighted_hhi",
            "net_import_reliance", "top_import_source", "import_hhi_wgi",
            "trade_stage"} <= set(header)
