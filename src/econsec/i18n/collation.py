"""Sorting names in the reader's language.

Japanese names sort by their reading in kana order (gojūon): the reading of kanji comes
from MeCab/UniDic through ``fugashi`` (already used by screening), kana are read as
written; voiced and small kana sort with their plain kana first (カ, ガ, キ…), the long
vowel mark is ignored at first. English names sort case- and accent-insensitively.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from functools import cache, lru_cache
from typing import Any, TypeVar

T = TypeVar("T")

_SMALL = str.maketrans("ァィゥェォッャュョヮヵヶ", "アイウエオツヤユヨワカケ")


@cache
def _tagger() -> Any:
    import fugashi

    return fugashi.Tagger()


def _katakana(text: str) -> str:
    return "".join(chr(ord(c) + 0x60) if "\u3041" <= c <= "\u3096" else c for c in text)


@lru_cache(maxsize=8192)
def japanese_reading(text: str) -> str:
    """The katakana reading of ``text`` (kanji read by UniDic; the text itself where the
    dictionary gives no reading)."""
    try:
        words = _tagger()(text)
    except Exception:  # no dictionary: kana as written, kanji by code point
        return _katakana(text)
    parts = []
    for word in words:
        kana = getattr(word.feature, "kana", None)
        parts.append(kana if kana and kana != "*" else _katakana(word.surface))
    return "".join(parts)


def japanese_key(text: str) -> tuple[str, str, str]:
    """Sort key of a Japanese name: plain kana first, then voicing and small kana."""
    reading = japanese_reading(text)
    plain = "".join(c for c in unicodedata.normalize("NFKD", reading)
                    if not unicodedata.combining(c) and c not in "ー\u3099\u309a")
    return plain.translate(_SMALL), reading, text


def english_key(text: str) -> tuple[str, str]:
    """Sort key of an English name: case and accents ignored."""
    folded = "".join(c for c in unicodedata.normalize("NFKD", text)
                     if not unicodedata.combining(c)).casefold()
    return folded, text


def sorted_by_name(rows: Iterable[T], lang: str, name: Callable[[T], str]) -> list[T]:
    """``rows`` sorted by ``name(row)`` in ``lang``'s order."""
    if lang == "ja":
        return sorted(rows, key=lambda row: japanese_key(name(row) or ""))
    return sorted(rows, key=lambda row: english_key(name(row) or ""))
