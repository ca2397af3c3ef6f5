"""Close matches for a name a user mistyped: the one fuzzy "did you mean" of econsec."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rapidfuzz import fuzz, process

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
