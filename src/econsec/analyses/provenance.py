"""Source records rendered for results: every number a user sees names its data set."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from econsec.records import Source


def source_dicts(sources: Iterable[Source]) -> list[dict[str, Any]]:
    """Sources as JSON-ready dictionaries, sorted by key."""
    return [
        {
            "key": s.key,
            "publisher": s.publisher,
            "title": s.title,
            "year": s.year,
            "licence": s.licence,
            "url": s.url,
            "file": s.file,
            "sha256": s.sha256,
        }
        for s in sorted(sources, key=lambda s: s.key)
    ]
