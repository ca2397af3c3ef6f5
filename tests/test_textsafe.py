"""Cells and terminal text that cannot attack their reader."""

from __future__ import annotations

import pytest

from econsec.textsafe import csv_cell, terminal_text


@pytest.mark.parametrize("cell", ["=HYPERLINK(\"http://x\")", "+1+cmd|' /C calc'!A0", "-2+3",
                                  "@SUM(A1)", "\t=1", "\r=1"])
def test_formula_cells_are_escaped(cell: str) -> None:
    assert csv_cell(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["-3.5", "+12", "-1e-3", "Toyota", "", 5, None, -2.0])
def test_numbers_and_plain_text_unchanged(cell: object) -> None:
    assert csv_cell(cell) == cell


def test_terminal_escapes_are_made_visible() -> None:
    assert terminal_text("Evil\x1b[2J\x1b]0;pwned\x07Corp") == "Evil\\x1b[2J\\x1b]0;pwned\\x07Corp"
    assert terminal_text("a\u202eb") == "a\\u202eb"
    assert terminal_text("株式会社トヨタ") == "株式会社トヨタ"
