"""CachedReads: the same answers as the store, from a few queries (assess dependence)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import event

from econsec.analyses.dependence import dependence_table
from econsec.kb.cached import CachedReads
from econsec.kb.protocol import KnowledgeBase
from econsec.kb.store import Store, open_store
from econsec.kb.testing import sample_bundle
from econsec.records import Measure


def _counted(store: Store) -> list[int]:
    count = [0]

    @event.listens_for(store.engine, "before_cursor_execute")
    def _one(*_args: Any) -> None:
        count[0] += 1

    return count


def _dump(doc: Any) -> str:
    data = doc.model_dump() if hasattr(doc, "model_dump") else doc
    return json.dumps(data, sort_keys=True, default=str)


def test_dependence_table_same_answer_from_few_queries(built_db: Path) -> None:
    url = f"sqlite:///{built_db}"
    with open_store(url) as plain, CachedReads(open_store(url).engine) as cached:
        kb: KnowledgeBase = cached
        plain_count, cached_count = _counted(plain), _counted(cached)
        assert _dump(dependence_table(kb, "JPN")) == _dump(dependence_table(plain, "JPN"))
    assert plain_count[0] > 2000  # one query per name lookup and measure before
    assert cached_count[0] < 400


def test_filters_and_order_match_the_store(tmp_path: Path) -> None:
    with open_store(f"sqlite:///{tmp_path / 'kb.db'}") as store:
        store.import_bundle(sample_bundle())
        cached = CachedReads(store.engine)
        for item in store.items():
            for name in (item.id, item.name_en):
                for measure in (None, *Measure):
                    for aggregates in (True, False):
                        assert cached.observations(name, measure, None, aggregates) == \
                            store.observations(name, measure, None, aggregates)
                    if measure is not None:
                        assert cached.years(name, measure) == store.years(name, measure)
        assert cached.sources(["nope", *[s.key for s in store.sources()][:1]]) == \
            store.sources(["nope", *[s.key for s in store.sources()][:1]])
        code = store.countries()[0].iso3
        assert cached.country(f" {code.lower()}") == store.country(code)


def test_an_import_through_it_forgets_what_it_read(tmp_path: Path) -> None:
    with CachedReads(open_store(f"sqlite:///{tmp_path / 'kb.db'}").engine) as cached:
        assert cached.items() == []
        cached.import_bundle(sample_bundle())
        assert cached.items() == Store(cached.engine).items() != []
