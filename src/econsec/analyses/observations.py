"""Choosing among observations of the same fact from several sources.

Two rules, applied per (item, measure, year):

1. **Newest release within a data set.** USGS publishes each data year twice (MCS *n*
   gives years *n−2* and *n−1* as an estimate; MCS *n+1* revises *n−1*). Sources of one
   *family* — same publisher, same title but for the year — are releases of one data set:
   the newest release that has the series is used, none of the older (mixing releases could
   count a country twice: named in one, inside "Other countries" in the other).
2. **One data set at a time.** Different data sets (the bundled USGS tables and a file a
   user imported, say) are never mixed in one result: the one with the most reporting
   countries is used unless the caller names a source; the others are returned as
   alternatives so a presenter can say they exist.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from econsec.errors import NotFoundError
from econsec.records import Observation, Source

_YEAR = re.compile(r"\b(19|20)\d{2}\b")


def source_family(source: Source) -> tuple[str, str]:
    """(publisher, title without years): releases of one data set share it."""
    return (source.publisher.strip().lower(), _YEAR.sub("", source.title).strip().lower())


@dataclass(frozen=True)
class Selection:
    """Observations of one source per (item, measure, year), and the sources passed over."""

    observations: list[Observation]
    alternatives: list[str]


def select_observations(
    observations: Iterable[Observation],
    sources: Sequence[Source] | Mapping[str, Source],
    *,
    source_key: str | None = None,
) -> Selection:
    """Apply the two rules of the module docstring; ``source_key`` forces a source."""
    by_key = sources if isinstance(sources, Mapping) else {s.key: s for s in sources}
    observations = list(observations)
    groups: dict[tuple[str, str, int], dict[str, list[Observation]]] = {}
    for obs in observations:
        groups.setdefault((obs.item_id, str(obs.measure), obs.year), {}).setdefault(
            obs.source_key, []).append(obs)
    chosen: set[tuple[tuple[str, str, int], str]] = set()
    alternatives: set[str] = set()
    for group, per_source in groups.items():
        if source_key is not None:
            if source_key in per_source:
                chosen.add((group, source_key))
            continue
        newest: dict[tuple[str, str], str] = {}
        for key in per_source:
            source = by_key.get(key)
            family = source_family(source) if source else (key, "")
            year = source.year if source else 0
            best = newest.get(family)
            if best is None or (year, key) > ((by_key[best].year if best in by_key else 0), best):
                newest[family] = key
        candidates = list(newest.values())
        pick = max(candidates, key=lambda k: (_countries(per_source[k]),
                                              by_key[k].year if k in by_key else 0, k))
        chosen.add((group, pick))
        alternatives.update(k for k in candidates if k != pick)
    if source_key is not None and not chosen and observations:
        raise NotFoundError(
            f"source '{source_key}' has no such observations; sources with data: "
            + ", ".join(sorted({o.source_key for o in observations}))
        )
    kept = [
        obs for obs in observations
        if ((obs.item_id, str(obs.measure), obs.year), obs.source_key) in chosen
    ]
    return Selection(kept, sorted(alternatives))


def _countries(observations: list[Observation]) -> int:
    return len({o.iso3 for o in observations if o.iso3 and not o.is_aggregate})


def newest_release(
    observations: Iterable[Observation], sources: Sequence[Source] | Mapping[str, Source]
) -> list[Observation]:
    """:func:`select_observations` without a forced source, observations only."""
    return select_observations(observations, sources).observations
