"""Bad command-line input to `econsec assess dependence --columns`: one line, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import run_cli


@pytest.mark.parametrize(("columns", "named"), [
    ("commodity,home_shares", "'home_shares'"),
    ("bogus,also_bogus", "'bogus', 'also_bogus'"),
    (" , ", "names no column"),
])
def test_unknown_dependence_column_lists_the_valid_ones(built_db: Path, columns: str,
                                                        named: str) -> None:
    proc = run_cli("assess", "dependence", "--columns", columns, db=built_db, check=False)
    assert proc.returncode == 2 and proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert named in lines[0]
    assert "valid columns: commodity, measure, year, home_share" in lines[0]
    assert "Traceback" not in proc.stderr
