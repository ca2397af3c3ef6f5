"""What the ``/tech`` API and pages share for the trade-secret loss estimate: the static
model of the bundled ICIO 2022 table (kept in the app's MRIO cache under the same key as
``/api/v1/io``, so its factorisations are built once) and one estimate."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from econsec.techmgmt.store import TechStore
from econsec.web.common import loaded_mrio, mrio_cache, service
from econsec.web.state import WebState

ICIO_REF = "bundled:icio-2022"


def icio_model(state: WebState) -> Any:
    """The :class:`~econsec.io_models.static.StaticModel` of ``bundled:icio-2022`` (call
    from a worker thread: the first call loads the table)."""
    from econsec.io_models.static import StaticModel

    return mrio_cache(state).get(("static", ICIO_REF, "auto"),
                                 lambda: StaticModel(loaded_mrio(state, ICIO_REF)))


def secret_loss_document(state: WebState, values: Mapping[str, Any]) -> dict[str, Any]:
    """The estimate of ``values`` (field -> value, as the API body or the page form) as the
    JSON document of ``econsec tech secret-loss --format json``."""
    from econsec.techmgmt.secret_loss import check_input, estimate, input_from_mapping

    given = input_from_mapping(values)
    check_input(given)
    registry = TechStore(state.store).registry() if given.technology else None
    return estimate(given, icio_model(state), registry).as_dict()


def warm_up(state: WebState) -> None:
    """Load the table, factorise it and read the trade data in a background thread, once
    per app (the form page calls this, so that the first estimate does not wait ~4 s)."""
    def work() -> None:
        from econsec.techmgmt.secret_loss import bundled_assumptions, home_exports

        try:
            model = icio_model(state)
            model.leontief_solver  # noqa: B018 (cached factorisations)
            model.ghosh_solver  # noqa: B018
            home_exports("JPN", ())
            bundled_assumptions()
        except Exception:  # the estimate itself reports any failure
            pass

    def start() -> threading.Thread:
        thread = threading.Thread(target=work, name="secret-loss-warm-up", daemon=True)
        thread.start()
        return thread

    service(state, "secret_loss_warm_up", start)
