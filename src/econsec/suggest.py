"""Names users type: the one fold for looking a name up, and the one fuzzy "did you mean".

:func:`fold_name` is the lookup key of a name everywhere econsec matches what a user typed
against stored names (items, technologies): "Rare earths" = "rare-earths" = "ＲＡＲＥ
ＥＡＲＴＨＳ". :func:`fold_text` is its first step (Unicode compatibility form, case
folded) for keys that keep their spaces, and :func:`strip_diacritics` removes accents
(``Satō`` → ``Sato``) where a matcher compares Latin spellings. Matchers with folds of their
own (country spellings, the screening's readings and phonetic keys) build on these.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence

_SEPARATORS = re.compile(r"[\s\-_‐‑–—・]+")


def fold_text(text: str) -> str:
    """NFKC (full-width and compatibility forms to plain ones), then case-folded."""
    return unicodedata.normalize("NFKC", text).casefold()


def fold_name(name: str) -> str:
    """Key for name matching: :func:`fold_text` with spaces, hyphens, dashes, underscores
    and the Japanese middle dot removed."""
    return _SEPARATORS.sub("", fold_text(name))


def strip_diacritics(text: str) -> str:
    """``Satō`` → ``Sato``: decompose (NFKD) and drop combining marks."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


#: rapidfuzz WRatio score (0-100) a candidate needs to be suggested.
SCORE_CUTOFF = 60


def close_matches(
    name: str, choices: Mapping[str, str] | Sequence[str], limit: int = 3
) -> list[str]:
    """Up to ``limit`` values whose labels are most like ``name``, best first.

    ``choices`` is a sequence of candidates or a mapping label -> value (several labels,
    such as an id and its English and Japanese names, may point at one value; each value is
    suggested once). Scores are rapidfuzz's weighted ratio, at least :data:`SCORE_CUTOFF`.
    """
    from rapidfuzz import fuzz, process  # imported when a name was not found

    labels = dict(choices) if isinstance(choices, Mapping) else {c: c for c in choices}
    found = process.extract(name, list(labels), scorer=fuzz.WRatio, limit=limit * 10,
                            score_cutoff=SCORE_CUTOFF)
    out: list[str] = []
    for label, _score, _index in found:
        value = labels[label]
        if value not in out:
            out.append(value)
        if len(out) == limit:
            break
    return out
