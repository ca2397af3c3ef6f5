"""The infrastructure analysis as the API and the page share it: computed once per data
version and parameters in the app's read cache (call from a worker thread)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from econsec.infrastructure.models import InfrastructureResult, PackStatus
from econsec.web.common import read_cache
from econsec.web.state import WebState


def cached(state: WebState, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
    """``compute()`` kept in the read cache under ``key``."""
    return read_cache(state).get(key, compute)


def without_folder(status: PackStatus) -> PackStatus:
    """The pack status without the server's folder path (answers to web clients)."""
    return status.model_copy(update={"folder": ""})


def infrastructure_result(state: WebState, region: str, home: str, include_planned: bool,
                          extra: tuple[str, ...] = ()) -> InfrastructureResult:
    """The analysis of ``region`` from ``home`` (plus the countries ``extra``)."""
    from econsec.infrastructure.service import run
    from econsec.kb.facilities import stored_datacentres

    def compute() -> InfrastructureResult:
        result = run(state.store, region=region, home=home, include_planned=include_planned,
                     extra=extra, datacentres=lambda: stored_datacentres(state.store.engine))
        return result.model_copy(update={"pack": without_folder(result.pack)})

    result: InfrastructureResult = cached(
        state, ("infrastructure", region, home, include_planned, extra), compute)
    return result
