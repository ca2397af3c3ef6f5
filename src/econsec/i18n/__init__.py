"""The one translation layer: every user-facing string goes through :func:`translator`.

English text is the message id; the Japanese catalogue is the set of gettext files
``locales/ja/LC_MESSAGES/*.po`` (``messages.po`` plus one file per area, read with Babel
in name order, no compile step; a message id must appear in one file only). Numbers,
percentages and dates are formatted per locale with Babel. Templates get the same
callables through Jinja's i18n extension (``install_gettext_callables``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources

from babel.dates import format_date as _format_date
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent, format_scientific

SUPPORTED_LANGUAGES: tuple[str, ...] = ("en", "ja")
DEFAULT_LANGUAGE = "en"


@cache
def catalogue(lang: str) -> dict[str, str]:
    """Message id -> translation for ``lang`` (empty for English, the source language)."""
    if lang == "en":
        return {}
    if lang not in SUPPORTED_LANGUAGES:
        raise ValueError(f"unsupported language '{lang}'; choose one of {SUPPORTED_LANGUAGES}")
    folder = resources.files("econsec.i18n") / "locales" / lang / "LC_MESSAGES"
    merged: dict[str, str] = {}
    for path in sorted((p for p in folder.iterdir() if p.name.endswith(".po")),
                       key=lambda p: p.name):
        with path.open("rb") as fh:
            cat = read_po(fh, locale=lang)
        merged.update({
            str(m.id): str(m.string)
            for m in cat
            if m.id and isinstance(m.id, str) and m.string and not m.fuzzy
        })
    return merged


@dataclass(frozen=True)
class Translator:
    """Translation and locale formatting for one language."""

    lang: str

    def gettext(self, message: str) -> str:
        """The translation of ``message``, or ``message`` itself where none exists."""
        return catalogue(self.lang).get(message, message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.gettext(singular if n == 1 else plural)

    def number(self, value: float | None, digits: int = 2) -> str:
        """A number with grouping and at most ``digits`` decimals; an en dash for missing."""
        if value is None:
            return "–"
        if not math.isfinite(value):
            return "∞" if value > 0 else ("−∞" if value < 0 else "–")
        if abs(value) >= 1e15:  # digits past the 15th are noise; Babel refuses ~1e28 and up
            return format_scientific(value, format="0.###E0", locale=self.lang)
        return format_decimal(value, format=f"#,##0.{'#' * digits}" if digits else "#,##0",
                              locale=self.lang)

    def percent(self, fraction: float | None, digits: int = 1) -> str:
        """A fraction (0.25) as a percentage ("25.0%")."""
        if fraction is None:
            return "–"
        return format_percent(fraction, format=f"#,##0.{'0' * digits}%", locale=self.lang)

    def date(self, value: date) -> str:
        return _format_date(value, format="long", locale=self.lang)


def translator(lang: str = DEFAULT_LANGUAGE) -> Translator:
    """The :class:`Translator` for ``lang`` (``en`` or ``ja``)."""
    if lang not in SUPPORTED_LANGUAGES:
        raise ValueError(f"unsupported language '{lang}'; choose one of {SUPPORTED_LANGUAGES}")
    return Translator(lang)
