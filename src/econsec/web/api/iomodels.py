"""``/api/v1/io/{leontief,ghosh,iim,extract}``: static input-output shocks.

The same JSON as ``econsec io MODEL … --format json``. Loaded MRIOs and their LU
factorisations (:class:`~econsec.io_models.static.StaticModel`) are kept per reference and
solver method in the app's services; only named tables are accepted (``pymrio:test``,
``bundled:bea-2023``), never a server path.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from econsec.access.actions import Action
from econsec.errors import ValidationError
from econsec.io_models.shocks import build_shock, parse_value, resolve_sector, sector_names
from econsec.web.api.common import State, json_response, problem_responses
from econsec.web.api.models import IoRequest, IoResult
from econsec.web.auth import require
from econsec.web.common import loaded_mrio, mrio_cache
from econsec.web.state import WebState

router = APIRouter(prefix="/io", tags=["io"])

IoModel = Literal["leontief", "ghosh", "iim", "extract"]

#: The option each model's shocks stand for in the CLI (used in error messages).
OPTIONS = {"leontief": "demand_change", "ghosh": "value_added_change",
           "iim": "demand_perturbation", "extract": "extract"}


def static_model(state: WebState, ref: str, method: str) -> Any:
    """The :class:`StaticModel` of ``ref`` (factorisations kept; call from a worker thread)."""
    from econsec.io_models.static import StaticModel

    return mrio_cache(state).get(
        ("static", ref, method),
        lambda: StaticModel(loaded_mrio(state, ref), method=method))  # type: ignore[arg-type]


def run_static(state: WebState, model_name: str, body: IoRequest) -> dict[str, Any]:
    """The result document of one static shock."""
    model = static_model(state, body.mrio, body.method)
    table = model.mrio
    names = sector_names(body.mrio)
    option = OPTIONS[model_name]
    if model_name == "extract":
        pairs = [resolve_sector(table, s.region, s.sector, names, option=option)
                 for s in body.shocks]
        return _with_notes(table, model.extraction(pairs, variant=body.variant)
                           .to_dict(body.top))
    entries, labels = [], []
    for s in body.shocks:
        label = f"{s.region + '/' if s.region else ''}{s.sector}={s.value}"
        if s.value is None:
            raise ValidationError(f"{option} '{label}': give a value")
        value, percent = parse_value(s.value, option=option, text=label)
        region, sector = resolve_sector(table, s.region, s.sector, names, option=option)
        entries.append((region, sector, value, percent))
        labels.append(label)
    if model_name == "leontief":
        base = model.y
    elif model_name == "ghosh":
        base = model.x - table.Z.sum(axis=0)
    else:
        base = None
    shock = build_shock(table, entries, base, option=option, labels=labels)
    if model_name == "leontief":
        result = model.leontief(shock)
    elif model_name == "ghosh":
        result = model.ghosh(shock)
    else:
        result = model.inoperability(shock)
    return _with_notes(table, result.to_dict(body.top))


def _with_notes(table: Any, doc: dict[str, Any]) -> dict[str, Any]:
    """``doc`` with the table's notes (its limits, e.g. ``bundled:icio-2022``) before the
    result's own, as ``econsec io … --format json`` writes them."""
    notes = [str(n) for n in getattr(table, "notes", ())]
    if not notes:
        return doc
    return {**doc, "notes": [*notes, *doc.get("notes", [])]}


@router.post("/{model}", dependencies=[require(Action.ANALYSE)],
             response_model=IoResult, summary="Static input-output shock",
             responses=problem_responses(404, 422))
async def static_shock(model: IoModel, body: IoRequest, state: State) -> Response:
    """``leontief``: Δx = (I − A)⁻¹ Δy of final-demand changes; ``ghosh``: Δxᵀ = Δvᵀ (I − B)⁻¹
    of value-added changes; ``iim``: inoperability q = (I − A*)⁻¹ c* (values are fractions of
    output); ``extract``: hypothetical extraction of the listed sectors (``variant`` full,
    backward or forward; values ignored). Values are in the table's unit, or strings such as
    ``"-10%"`` for a share of the sector's final demand (Leontief) or value added (Ghosh)."""
    return json_response(await run_in_threadpool(run_static, state, model, body))
