"""``/value-chain``: a sankey of the bills of materials in the knowledge base, from raw
materials through components to products, with links coloured by supplier concentration.

The concentration of each link's input (its own headline supply HHI, else that of the most
concentrated raw material upstream) and each link's width come from
:func:`econsec.analyses.value_chain.value_chain`; this page names, colours and draws them.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from econsec.analyses.value_chain import ValueChain
from econsec.analyses.value_chain import value_chain as chain_analysis
from econsec.i18n import translator
from econsec.i18n.terms import N_
from econsec.web.i18n import request_language
from econsec.web.pages import figures
from econsec.web.pages.common import bilingual, cached, render
from econsec.web.pages.overview import commodity_profiles
from econsec.web.state import WebState, get_state

router = APIRouter(include_in_schema=False)

KIND_COLOURS = {"material": "#6b4f2a", "component": "#0b5cad", "product": "#1b6b2f",
                "technology": "#7b3fa0", "service": "#8a5a00"}
KIND_LABELS = {"material": N_("material"), "component": N_("component"),
               "product": N_("product"), "technology": N_("technology"),
               "service": N_("service")}
EXAMPLE_ITEMS = "docs/examples/value_chain_batteries_items.csv"
EXAMPLE_EDGES = "docs/examples/value_chain_batteries.csv"


def supply_hhi(state: WebState) -> dict[str, float]:
    """HHI of each commodity's headline supply (production, else refinery), cached."""
    hhi: dict[str, float] = {}
    for p in commodity_profiles(state):
        s = p["measures"].get("production") or p["measures"].get("refinery")
        if s and s["shares"]:
            hhi[p["commodity"]] = s["hhi"]
    return hhi


def chain(state: WebState) -> ValueChain:
    """The value-chain analysis of the knowledge base (language-free), cached."""
    return cached(state, ("value_chain",),
                  lambda: chain_analysis(state.store, supply_hhi(state)))


def value_chain(state: WebState, lang: str) -> dict[str, Any]:
    """Nodes, links, the sankey figure and a table of the edges for the page."""
    t = translator(lang)
    store = state.store
    analysis = chain(state)
    items = {i.id: i for i in store.items()}

    def label(item_id: str) -> str:
        item = items.get(item_id)
        return bilingual(item, lang) if item else item_id

    ordered = sorted(analysis.nodes, key=lambda n: (not n.raw, label(n.id)))
    index = {node.id: n for n, node in enumerate(ordered)}
    nodes = []
    for node in ordered:
        item = items.get(node.id)
        kind = item.kind.value if item else "material"
        hover = f"{label(node.id)} ({t.gettext(KIND_LABELS.get(kind, kind))})"
        if node.own_hhi is not None:
            hover += f"<br>HHI {t.number(node.own_hhi, 3)}"
        nodes.append({"id": node.id, "label": label(node.id), "colour":
                      KIND_COLOURS.get(kind, "#555"), "hover": hover, "kind": kind})
    links, rows = [], []
    for link in analysis.links:
        h, via = link.concentration.hhi, link.concentration.via
        colour = figures.hhi_colour(h)
        hhi_text = (t.gettext("supplier HHI %(hhi)s (%(item)s)") % {"hhi": t.number(h, 3),
                    "item": label(via)} if h is not None else t.gettext("concentration not known"))
        links.append({"source": index[link.input], "target": index[link.output],
                      "value": link.weight, "colour": colour,
                      "hover": f"{label(link.input)} → {label(link.output)}<br>{hhi_text}"})
        rows.append({"input": link.input, "input_label": label(link.input),
                     "output": link.output, "output_label": label(link.output),
                     "quantity": link.quantity_per_unit, "unit": link.unit,
                     "substitutability": link.substitutability, "hhi": h,
                     "hhi_item": label(via) if via and via != link.input else "",
                     "colour": colour, "source": link.source_key})
    return {
        "edges": rows, "nodes": nodes, "quantities_known": analysis.quantities_known,
        "figure": figures.sankey(nodes, links) if analysis.links else None,
        "sources": _source_dicts(store, analysis.sources),
    }


def _source_dicts(store: Any, keys: list[str]) -> list[dict[str, Any]]:
    from econsec.analyses.provenance import source_dicts

    return source_dicts(store.sources(keys)) if keys else []


@router.get("/value-chain", response_class=HTMLResponse)
def value_chain_page(request: Request,
                     state: Annotated[WebState, Depends(get_state)]) -> HTMLResponse:
    lang = request_language(request)
    t = translator(lang)
    return render(request, "value_chain.html.j2", title=t.gettext("Value chain"),
                  vc=value_chain(state, lang), bands=figures.HHI_BANDS,
                  unknown=figures.UNKNOWN_HHI, kind_colours=KIND_COLOURS,
                  kind_labels=KIND_LABELS, example_items=EXAMPLE_ITEMS,
                  example_edges=EXAMPLE_EDGES)
