"""``/scenarios``: pick a worked scenario or upload / paste one, run it in the background
with a live progress bar, then charts of production loss over time per variant, relative
production of the worst-hit sectors and a side-by-side table of the mitigations.

The run goes through the JSON API (``POST /api/v1/scenarios/runs``, polled at
``GET /api/v1/scenarios/runs/{id}``); ``static/scenarios.js`` draws the progress and results
with the translated labels this page embeds. Texts from econsec's own code (progress,
result notes, refusals) reach the page as ``(message id, parameters)`` pairs beside their
English text; the page embeds the translation of every such message id and the script
renders the pairs in the page language (variant names stay as the scenario file wrote them).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

# imported for the texts it registers (result notes); the API's progress and refusal texts
# are registered by the API router the app includes
import econsec.scenarios.ensemble  # noqa: F401
from econsec.i18n import translator
from econsec.i18n.terms import N_
from econsec.io_models.bea import NOTE_IDS
from econsec.io_models.icio import NOTE_IDS as ICIO_NOTE_IDS
from econsec.io_models.product_shocks import NOTE_IDS as PRODUCT_NOTE_IDS
from econsec.scenarios.catalogue import worked_scenarios, worked_texts
from econsec.scenarios.schema import named_tables
from econsec.scenarios.texts import known_messages
from econsec.web.i18n import request_language
from econsec.web.pages.common import render
from econsec.web.state import WebState, get_state

router = APIRouter(include_in_schema=False)

#: Strings scenarios.js shows, translated here.
SCRIPT_LABELS = (
    N_("Queued"),
    N_("Running"),
    N_("Done"),
    N_("Failed"),
    N_("Starting…"),
    N_("Production change per day"),
    N_("Day"),
    N_("Relative production of the worst-hit sectors"),
    N_("relative to pre-shock production"),
    N_("Variant"),
    N_("Mitigations"),
    N_("Total production change"),
    N_("Production loss avoided"),
    N_("Final demand unmet"),
    N_("Final demand unmet avoided"),
    N_("Recovery day"),
    N_("not recovered"),
    N_("none"),
    N_("The run failed"),
    N_("Choose or paste a scenario."),
    N_("Comparison of mitigations"),
    N_("main run"),
    N_("Unit"),
    N_("Could not start the run"),
    N_("Cancelled"),
    N_("Supplied by measures"),
    N_("Total supply change"),
    N_("line %(line)s"),
)


#: The scenario builder's event and measure types (``type`` in the file) and their names.
EVENT_TYPES = (("capacity_loss", N_("Capacity loss")),
               ("capital_destroyed", N_("Capital destroyed")),
               ("export_restriction", N_("Export restriction")),
               ("demand_change", N_("Demand change")),
               ("chokepoint_closure", N_("Chokepoint closure")))
MEASURE_TYPES = (("stockpile_release", N_("Stockpile release")),
                 ("diversify_supplier", N_("Diversify supplier")),
                 ("substitute", N_("Substitute")),
                 ("recycle", N_("Recycle")))


#: Units of the bundled tables that a result names (and the name of a missing unit).
MRIO_UNITS = (N_("Million USD (current)"), N_("MRIO unit"))


@router.get("/scenarios/names")
def scenario_names(request: Request, state: Annotated[WebState, Depends(get_state)],
                   mrio: Annotated[str, Query(max_length=100)] = "pymrio:test") -> Response:
    """The regions and sectors (code and name) of a bundled table, for the scenario
    builder's choices (the table is loaded once per app, as for a run); the ICIO table's
    industries are named in Japanese on Japanese pages."""
    from econsec.io_models import icio
    from econsec.io_models.shocks import sector_names
    from econsec.web.common import json_response, loaded_mrio

    table = loaded_mrio(state, mrio)  # a 422 problem for anything but a bundled table
    names = sector_names(mrio)
    if mrio == icio.REF and request_language(request) == "ja":
        names = icio.industry_names_ja()
    return json_response({"mrio": mrio, "regions": [str(r) for r in table.regions],
                          "sectors": [{"code": str(c), "name": names.get(str(c), "")}
                                      for c in table.sectors]})


@router.get("/scenarios", response_class=HTMLResponse)
def scenarios(request: Request, state: Annotated[WebState, Depends(get_state)],
              worked: Annotated[str | None, Query(max_length=100)] = None) -> HTMLResponse:
    t = translator(request_language(request))
    rows = [{k: v for k, v in w.items() if k != "path"} for w in worked_scenarios()]
    labels = {key: t.gettext(key) for key in SCRIPT_LABELS}
    texts = {key: t.gettext(key) for key in sorted(known_messages())}
    # the worked scenarios' titles and notes, the bundled tables' notes and units
    texts.update({key: t.gettext(key) for key in (*worked_texts(), *NOTE_IDS, *ICIO_NOTE_IDS,
                                                     *PRODUCT_NOTE_IDS, *MRIO_UNITS)})
    return render(request, "scenarios.html.j2", title=t.gettext("Scenarios"), worked=rows,
                  selected=worked or "pymrio-test-mining-outage", labels=labels,
                  texts=texts, tables=named_tables(),
                  event_types=EVENT_TYPES, measure_types=MEASURE_TYPES)
