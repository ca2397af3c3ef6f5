"""Choosing among observations: the newest release wins for the same series and year.

USGS publishes each data year in two releases (first as an estimate, then revised), so the
knowledge base holds, e.g., 2023 copper production from both MCS 2024 and MCS 2025. An
analysis uses, for each (item, measure, year), every observation of the newest source
that has it (the highest ``Source.year``) and none of the older: mixing releases could
count a country twice (listed by name in one, inside "Other countries" in the other).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from econsec.records import Observation


def newest_release(
    observations: Iterable[Observation], source_years: Mapping[str, int]
) -> list[Observation]:
    """The observations of the newest source per (item, measure, year), input order kept."""
    observations = list(observations)
    newest: dict[tuple[str, str, int], tuple[int, str]] = {}
    for obs in observations:
        key = (obs.item_id, str(obs.measure), obs.year)
        rank = (source_years.get(obs.source_key, 0), obs.source_key)
        if key not in newest or rank > newest[key]:
            newest[key] = rank
    return [
        obs for obs in observations
        if newest[(obs.item_id, str(obs.measure), obs.year)][1] == obs.source_key
    ]
