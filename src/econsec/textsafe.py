"""Text that is safe for the reader it goes to: a spreadsheet cell or a terminal.

- :func:`csv_cell`: a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
  return is a formula to Excel and LibreOffice ("CSV injection", OWASP). Such a text cell is
  written with a leading apostrophe, which spreadsheets show as text; numbers are left alone.
- :func:`terminal_text`: control characters (ANSI escape sequences included) in stored
  names would move the cursor, recolour or retitle the analyst's terminal. They are
  replaced by visible ``\\xNN`` / ``\\uNNNN`` escapes.
"""

from __future__ import annotations

import re
import unicodedata

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(\d[\d,]*\.?\d*|\.\d+)([eE][+-]?\d+)?%?$")


def csv_cell(value: object) -> object:
    """``value`` made safe for a CSV cell: formula-like text gets a leading apostrophe."""
    if not isinstance(value, str) or not value.startswith(_FORMULA_START):
        return value
    if _NUMBER.match(value):
        return value
    return "'" + value


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_text(text: str) -> str:
    """``text`` with control and bidirectional-override characters shown as escapes."""
    if text.isprintable():
        return text
    return "".join(
        _escape(c) if unicodedata.category(c) in ("Cc", "Cf") and c not in ("\n", "\t")
        and c != "\u200d" else c
        for c in text
    )
