"""``/stress-test``: the last saved stress test of a country's import dependencies
(``econsec stress-test --country ISO3`` writes it; running a thousand simulations is too long
for a web request): the ranking as a bar chart and a table, in the page's language.

The result is read from the user's data folder (:func:`econsec.scenarios.stress_test.
load_saved`) on every request (a new run shows at once); names of products, countries and
industries are shown in the page language with the other language beside them.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from econsec.i18n import Translator, translator
from econsec.io_models import icio
from econsec.scenarios.stress_test import MEASURE_NAMES, load_saved
from econsec.web.i18n import request_language
from econsec.web.pages.common import country_names, render
from econsec.web.state import WebState, get_state

router = APIRouter(include_in_schema=False)

#: Bars in the chart (the table lists every dependency).
CHART_TOP = 20
LABEL_CHARS = 24


def _text(note: dict[str, Any], t: Translator) -> str:
    """A note ``{id, params}`` in the page language."""
    text: str = t.gettext(note["id"]) % dict(note.get("params") or {})
    return text


def _short(text: str, limit: int = LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def ranking_figure(rows: list[dict[str, Any]], severities: list[float], t: Translator
                   ) -> dict[str, Any]:
    """Horizontal bars of lost output per dependency (largest at the top), one colour per
    severity; labels shortened for phones, full names on hover."""
    top = rows[:CHART_TOP][::-1]
    colours = ("#c6dbef", "#9ecae1", "#4292c6", "#08519c", "#08306b")
    palette = [colours[min(len(colours) - 1, len(colours) - len(severities) + k)]
               for k in range(len(severities))]
    data = []
    for k, severity in enumerate(severities):
        data.append({
            "type": "bar", "orientation": "h",
            "name": t.gettext("severity %(share)s") % {"share": t.percent(severity, 0)},
            "y": [_short(r["label"]) for r in top],
            "x": [round(r["losses"].get(severity, 0.0), 3) for r in top],
            "customdata": [r["label"] for r in top],
            "hovertemplate": "%{customdata}: %{x:,.0f}<extra>%{fullData.name}</extra>",
            "marker": {"color": palette[k]},
        })
    unit = t.gettext("Million USD (current)")
    return {
        "data": data,
        "layout": {"barmode": "group", "margin": {"l": 10, "r": 10, "t": 10, "b": 80},
                   "height": max(320, 34 * len(top) + 140),
                   "legend": {"orientation": "h", "y": -0.12, "x": 0},
                   "xaxis": {"title": {"text": unit}, "rangemode": "tozero",
                             "automargin": True},
                   "yaxis": {"automargin": True}},
    }


def page_data(state: WebState, result: Any, lang: str) -> dict[str, Any]:
    """The saved result arranged for the template in ``lang``."""
    from econsec.analyses.provenance import source_dicts

    t = translator(lang)
    doc = result.model_dump()
    names = country_names(state)

    def country(iso3: str) -> str:
        found = names.get(iso3)
        if found is None:
            return iso3
        return (found["ja"] or found["en"]) if lang == "ja" else found["en"]

    def industry(code: str) -> dict[str, str]:
        here, other = (icio.industry_label(code, lang),
                       icio.industry_label(code, "en" if lang == "ja" else "ja"))
        return {"code": code, "name": here, "other": other if other != here else ""}

    rows = []
    for d in doc["dependencies"]:
        case = d["cases"][-1]
        name = (d["description_ja"] or d["description"]) if lang == "ja" else d["description"]
        other = d["description"] if lang == "ja" else d["description_ja"]
        best = next((m for m in case["mitigations"] if m["type"] == case["best_mitigation"]),
                    None)
        parts = case["conversion"].get("parts") or [{}]
        sector = str(parts[0].get("sector", ""))
        rows.append({
            "rank": d["rank"], "hs": d["hs"], "hs_version": d["hs_version"],
            "name": name, "other": other if other != name else "",
            "label": f"{d['hs']} {name} ({d['top_supplier']})",
            "supplier": country(d["top_supplier"]), "supplier_code": d["top_supplier"],
            "supplier_share": d["top_supplier_share"], "import_value": d["import_value"],
            "year": d["year"], "industry": industry(sector) if sector else None,
            "product_share": parts[0].get("share"),
            "losses": {c["severity"]: c["lost_output"] for c in d["cases"]},
            "lost_share": case["lost_output_share"],
            "worst": [industry(w["sector"]) | {"lost": w["lost_output"]}
                      for w in case["worst_hit"][:3]],
            "best": t.gettext(MEASURE_NAMES[best["type"]]) if best else None,
            "best_measure": best["measure"] if best else None,
            "avoided": best["avoided"] if best else None,
        })
    sources = source_dicts(state.store.sources(doc["sources"])) if doc["sources"] else []
    return {
        "doc": doc, "rows": rows,
        "figure": ranking_figure(rows, doc["severities"], t) if rows else None,
        "country_name": doc["country_name_ja"] if lang == "ja" else doc["country_name_en"],
        "notes": [_text(n, t) for n in doc["note_texts"]],
        "skipped": doc["skipped"], "sources": sources,
        "missing_sources": [k for k in doc["sources"]
                            if k not in {s["key"] for s in sources}],
    }


@router.get("/stress-test", response_class=HTMLResponse)
def stress_test_page(request: Request, state: Annotated[WebState, Depends(get_state)],
                     country: Annotated[str | None, Query(max_length=12)] = None
                     ) -> HTMLResponse:
    lang = request_language(request)
    t = translator(lang)
    code = (country or state.home_country).strip().upper()
    status = 200
    if not code.isalpha() or len(code) != 3:
        code, status = state.home_country, 422
    result = load_saved(code) if status == 200 else None
    data = page_data(state, result, lang) if result is not None else None
    return render(request, "stress_test.html.j2", status_code=status,
                  title=t.gettext("Stress test of import dependencies"), country=code,
                  bad_country=status == 422, data=data)
