"""Source records rendered for results: every number a user sees names its data set."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from econsec.analyses.result_base import SourceInfo
from econsec.records import Source


def source_infos(sources: Iterable[Source]) -> list[SourceInfo]:
    """Sources as result models, sorted by key."""
    return [
        SourceInfo(key=s.key, publisher=s.publisher, title=s.title, year=s.year,
                   licence=s.licence, url=s.url, file=s.file, sha256=s.sha256)
        for s in sorted(sources, key=lambda s: s.key)
    ]


def source_dicts(sources: Iterable[Source]) -> list[dict[str, Any]]:
    """:func:`source_infos` as JSON-ready dictionaries (for pages and API lists)."""
    return [s.model_dump() for s in source_infos(sources)]
