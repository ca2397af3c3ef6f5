"""Choosing among observations: the newest release wins for the same fact.

USGS publishes each data year in two releases (first as an estimate, then revised), so the
knowledge base holds, e.g., 2023 copper production from both MCS 2024 and MCS 2025. An
analysis uses the value of the newest release (the highest ``Source.year``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from econsec.records import Observation


def newest_release(
    observations: Iterable[Observation], source_years: Mapping[str, int]
) -> list[Observation]:
    """One observation per (item, measure, year, area): the one from the newest source."""
    best: dict[tuple[str, str, int, str], Observation] = {}
    for obs in observations:
        key = (obs.item_id, str(obs.measure), obs.year, obs.iso3 or obs.area.strip().lower())
        current = best.get(key)
        if current is None or source_years.get(obs.source_key, 0) > source_years.get(
            current.source_key, 0
        ):
            best[key] = obs
    return list(best.values())
