"""The infrastructure analysis as the API and the page share it: computed once per data
version and parameters in the app's read cache (call from a worker thread)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from econsec.infrastructure.models import InfrastructureResult
from econsec.web.common import read_cache
from econsec.web.state import WebState


def cached(state: WebState, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
    """``compute()`` kept in the read cache under ``key``."""
    return read_cache(state).get(key, compute)


def infrastructure_result(state: WebState, region: str, home: str, include_planned: bool,
                          extra: tuple[str, ...] = ()) -> InfrastructureResult:
    """The analysis of ``region`` from ``home`` (plus the countries ``extra``)."""
    from econsec.infrastructure.service import run
    from econsec.kb.facilities import stored_datacentres

    def compute() -> InfrastructureResult:
        return run(state.store, region=region, home=home, include_planned=include_planned,
                   extra=extra, datacentres=lambda: stored_datacentres(state.store.engine))

    result: InfrastructureResult = cached(
        state, ("infrastructure", region, home, include_planned, extra), compute)
    return result
