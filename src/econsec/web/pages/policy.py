"""``/policy``: the 3P measure catalogue by pillar, and ``/policy/recommend?finding=...``:
the measures ranked for a finding by the loss they avoid in the scenario engine.

The ranking page checks the finding at once (a bad one is shown in the reader's language,
status 422). A ranking computed before (same finding, catalogue and parameters) is shown
directly; otherwise ``static/policy.js`` starts it through the JSON API (``POST
/api/v1/recommendations``), shows the job's progress and reloads the page with the job's id
when it is done. The result: a ranking table, a bar chart of the loss avoided, the evidence
(the finding's trade figures, the worst-hit industries, each measure's records and the
alternative suppliers they use) and the assumptions, in Japanese or English.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from econsec.access.actor import Actor
from econsec.errors import EconsecError
from econsec.i18n import translator
from econsec.i18n.terms import N_
from econsec.i18n.units import unit_text
from econsec.policy import recommend as rec
from econsec.policy.catalogue import PILLARS, load_catalogue
from econsec.policy.findings import parse_finding
from econsec.scenarios.texts import Text, render
from econsec.web.auth import current_actor
from econsec.web.i18n import request_language
from econsec.web.pages.common import country_names
from econsec.web.pages.common import render as render_page
from econsec.web.pages.figures import country_name
from econsec.web.state import WebState, get_state

router = APIRouter(include_in_schema=False)
State = Annotated[WebState, Depends(get_state)]

PILLAR_LABELS = {"promotion": N_("Promotion"), "protection": N_("Protection"),
                 "partnership": N_("Partnership")}
KIND_LABELS = {"concentrated_dependency": N_("concentrated dependency"),
               "scenario_loss": N_("scenario losses"),
               "technology_leakage": N_("technology at risk of leakage"),
               "chokepoint_exposure": N_("chokepoint exposure"),
               "single_point_of_failure": N_("single point of failure"),
               "governance_gap": N_("governance gap")}
TERMS = (N_("fiscal"), N_("administrative"), N_("private"), N_("cost class (1-5)"),
         N_("fraction"), N_("regions"))
#: Texts policy.js shows (translated here, embedded in the page).
SCRIPT_LABELS = (N_("Starting…"), N_("Could not start the ranking"),
                 N_("The ranking failed"), N_("Cancelled"))
EXAMPLES = ("dependency:JPN:284610,284690,280530:CHN",
            "scenario:worked:icio-china-critical-minerals-japan",
            "scenario:worked:pymrio-test-mining-outage",
            "technology:multilayer-ceramic-capacitors")
MAX_FINDING = 500


def _technologies() -> Any:
    from econsec.techmgmt.registry import bundled_list

    return bundled_list().technologies


@router.get("/policy", response_class=HTMLResponse)
def catalogue_page(request: Request) -> HTMLResponse:
    lang = request_language(request)
    t = translator(lang)
    cat = load_catalogue()
    pillars = [(p, PILLAR_LABELS[p], cat.by_pillar()[p]) for p in PILLARS]
    return render_page(request, "policy.html.j2", title=t.gettext("Measures"), lang=lang,
                       catalogue=cat, pillars=pillars, kind_labels=KIND_LABELS,
                       examples=EXAMPLES, charts=False)


def _figure(doc: dict[str, Any], lang: str) -> dict[str, Any] | None:
    t = translator(lang)
    rows = [r for r in doc["rows"] if r["simulated"]][::-1]
    if not rows:
        return None
    return {
        "data": [{
            "type": "bar", "orientation": "h",
            "y": [_short(r["names"].get(lang) or r["names"]["en"]) for r in rows],
            "customdata": [r["names"].get(lang) or r["names"]["en"] for r in rows],
            "x": [r["loss_avoided"] for r in rows],
            "marker": {"color": ["#1b6e3a" if r["loss_avoided"] >= 0 else "#b3261e"
                                 for r in rows]},
            "hovertemplate": "%{customdata}: %{x:,.3f}<extra></extra>",
        }],
        "layout": {"height": 120 + 32 * len(rows),
                   "margin": {"l": 10, "r": 20, "t": 10, "b": 50},
                   "yaxis": {"automargin": True},
                   "xaxis": {"title": {"text": t.gettext("Loss avoided")
                                       + f" ({unit_text(doc['unit'], lang)})"},
                             "zeroline": True}},
    }


def _short(name: str, limit: int = 16) -> str:
    """A measure's name short enough for a bar label on a phone (the hover shows it all)."""
    return name if len(name) <= limit else name[:limit - 1] + "…"


#: Parameters of the stored texts that hold a country or region code.
PLACES = ("region", "importer", "exporter")


def _texts(pairs: list[dict[str, Any]], lang: str,
           place: Callable[[str], str] | None = None) -> list[str]:
    """Stored texts (message id and parameters) in ``lang``; a ``unit`` parameter in the
    reader's language too, and with ``place`` the country codes of :data:`PLACES`."""
    t = translator(lang)

    def params(pair: dict[str, Any]) -> dict[str, Any]:
        values = dict(pair.get("params") or {})
        if isinstance(values.get("unit"), str):
            values["unit"] = unit_text(values["unit"], lang)
        if place is not None:
            for key in PLACES:
                if isinstance(values.get(key), str):
                    values[key] = place(values[key])
        return values

    return [render(Text(p["id"], params(p)), t) for p in pairs]


def _job_result(state: WebState, job_id: str, actor: Actor) -> dict[str, Any] | None:
    runner = state.services.get("jobs")
    if runner is None or not job_id or len(job_id) > 64:
        return None
    try:
        job = runner.get(job_id, owner=actor.name if actor.user_id is not None else None)
    except EconsecError:
        return None
    result = job.result if job.kind == "recommendation" and job.status == "done" else None
    return result if isinstance(result, dict) else None


@router.get("/policy/recommend", response_class=HTMLResponse)
def recommend_page(request: Request, state: State,
                   actor: Annotated[Actor, Depends(current_actor)],
                   finding: Annotated[str | None, Query(max_length=MAX_FINDING)] = None,
                   job: Annotated[str | None, Query(max_length=64)] = None) -> HTMLResponse:
    lang = request_language(request)
    t = translator(lang)
    context: dict[str, Any] = {"title": t.gettext("Recommended measures"), "lang": lang,
                               "examples": EXAMPLES, "finding_text": finding or "",
                               "kind_labels": KIND_LABELS, "pillar_labels": PILLAR_LABELS}
    if not finding:
        return render_page(request, "policy_recommend.html.j2", charts=False, **context)
    try:
        parsed = parse_finding(finding, state.store, technologies=_technologies(),
                               allow_files=False)
        options = rec.RecommendOptions()
        rec.check_request(parsed, options)
        doc = rec.cached_for(parsed, options)
        if doc is None and parsed.kind == "technology_leakage":
            doc = rec.recommend(parsed, state.store, options=options)  # no scenario: instant
        if doc is None and job:
            doc = _job_result(state, job, actor)
    except EconsecError as exc:
        where = exc.location
        context["error"] = exc.translate(lang, located=bool(where.file or where.line))
        return render_page(request, "policy_recommend.html.j2", status_code=422,
                           charts=False, **context)
    names = country_names(state)

    def place(code: str) -> str:
        return country_name(names, code, lang)

    context.update(finding={**parsed.to_dict(), f"title_{lang}": parsed.title(lang, place)},
                   place=place)
    if doc is None:
        labels = {label: t.gettext(label) for label in SCRIPT_LABELS}
        labels.update({m: t.gettext(m) for m in (rec.LOADING, rec.RUNNING_BASELINE,
                                                  rec.RUNNING_MEASURE)})
        return render_page(request, "policy_recommend.html.j2", charts=False, running=True,
                           labels=labels, **context)
    figure = _figure(doc, lang)
    return render_page(request, "policy_recommend.html.j2", charts=figure is not None,
                       doc=doc, figure=figure,
                       assumptions=_texts(doc.get("assumption_texts") or [], lang, place),
                       row_note=lambda row: row_note(row, lang), **context)


def row_note(row: dict[str, Any], lang: str) -> str | None:
    """A ranking row's note in the reader's language."""
    pair = row.get("note_text")
    return _texts([pair], lang)[0] if pair else None
