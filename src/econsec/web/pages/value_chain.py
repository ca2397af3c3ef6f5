"""``/value-chain``: a sankey of the bills of materials in the knowledge base, from raw
materials through components to products, with links coloured by supplier concentration.

A link's colour is the HHI band of its input's world supply (headline supply measure of the
latest year, :func:`econsec.analyses.commodity_profile.commodity_profile`); for a component
input it is the highest HHI among the raw materials upstream of it, and grey where no
material upstream has supply data. Bills of materials carry no quantities in general, so a
link's width is the number of raw-material inputs that flow through it (its quantity where
every edge has one).
"""

from __future__ import annotations

from collections import defaultdict
from functools import cache
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from econsec.i18n import translator
from econsec.i18n.terms import N_
from econsec.web.i18n import request_language
from econsec.web.pages import figures
from econsec.web.pages.common import bilingual, render
from econsec.web.pages.overview import overview_data
from econsec.web.state import WebState, get_state

router = APIRouter(include_in_schema=False)

KIND_COLOURS = {"material": "#6b4f2a", "component": "#0b5cad", "product": "#1b6b2f",
                "technology": "#7b3fa0", "service": "#8a5a00"}
KIND_LABELS = {"material": N_("material"), "component": N_("component"),
               "product": N_("product"), "technology": N_("technology"),
               "service": N_("service")}
EXAMPLE_ITEMS = "docs/examples/value_chain_batteries_items.csv"
EXAMPLE_EDGES = "docs/examples/value_chain_batteries.csv"


def value_chain(state: WebState, lang: str) -> dict[str, Any]:
    """Nodes, links, the sankey figure and a table of the edges for the page."""
    t = translator(lang)
    store = state.store
    edges = store.input_edges()
    items = {i.id: i for i in store.items()}
    hhi: dict[str, tuple[float, str]] = {}
    for p in overview_data(state, "JPN")["commodities"]:
        s = p["measures"].get("production") or p["measures"].get("refinery")
        if s and len(s["shares"]) >= 1:
            hhi[p["commodity"]] = (s["hhi"], s["measure"])
    inputs: dict[str, list[str]] = defaultdict(list)
    for e in edges:
        inputs[e.output_item].append(e.input_item)

    @cache
    def raw_upstream(item_id: str) -> frozenset[str]:
        """Raw materials (items with no inputs) upstream of ``item_id`` (itself if raw)."""
        if not inputs.get(item_id):
            return frozenset({item_id})
        out: set[str] = set()
        for i in inputs[item_id]:
            out |= raw_upstream(i)
        return frozenset(out)

    def concentration(item_id: str) -> tuple[float | None, str]:
        if item_id in hhi:
            return hhi[item_id][0], item_id
        known = [(hhi[r][0], r) for r in raw_upstream(item_id) if r in hhi]
        return max(known) if known else (None, "")

    def label(item_id: str) -> str:
        item = items.get(item_id)
        return bilingual(item, lang) if item else item_id

    order = sorted({e.input_item for e in edges} | {e.output_item for e in edges},
                   key=lambda i: (bool(inputs.get(i)), label(i)))
    index = {item_id: n for n, item_id in enumerate(order)}
    nodes = []
    for item_id in order:
        item = items.get(item_id)
        kind = item.kind.value if item else "material"
        h, _ = concentration(item_id)
        hover = f"{label(item_id)} ({t.gettext(KIND_LABELS.get(kind, kind))})"
        if item_id in hhi:
            hover += f"<br>HHI {t.number(h, 3)}"
        nodes.append({"id": item_id, "label": label(item_id), "colour":
                      KIND_COLOURS.get(kind, "#555"), "hover": hover, "kind": kind})
    quantities_known = bool(edges) and all(e.quantity_per_unit for e in edges)
    links, rows = [], []
    for e in edges:
        h, via = concentration(e.input_item)
        value = (e.quantity_per_unit if quantities_known
                 else float(len(raw_upstream(e.input_item))))
        colour = figures.hhi_colour(h)
        hhi_text = (t.gettext("supplier HHI %(hhi)s (%(item)s)") % {"hhi": t.number(h, 3),
                    "item": label(via)} if h is not None else t.gettext("concentration not known"))
        links.append({"source": index[e.input_item], "target": index[e.output_item],
                      "value": value, "colour": colour,
                      "hover": f"{label(e.input_item)} → {label(e.output_item)}<br>{hhi_text}"})
        rows.append({"input": e.input_item, "input_label": label(e.input_item),
                     "output": e.output_item, "output_label": label(e.output_item),
                     "quantity": e.quantity_per_unit, "unit": e.unit,
                     "substitutability": e.substitutability, "hhi": h,
                     "hhi_item": label(via) if via and via != e.input_item else "",
                     "colour": colour, "source": e.source_key})
    sources = sorted({e.source_key for e in edges})
    return {
        "edges": rows, "nodes": nodes, "quantities_known": quantities_known,
        "figure": figures.sankey(nodes, links) if edges else None,
        "sources": [s for s in _source_dicts(store, sources)],
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
