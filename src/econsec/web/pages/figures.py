"""Plotly figures (``{"data": [...], "layout": {...}}``) for the pages, built server-side
so that every label goes through the translation layer; ``static/econsec.js`` draws them.
"""

from __future__ import annotations

from typing import Any

from econsec.i18n import Translator
from econsec.i18n.terms import N_
from econsec.i18n.units import unit_text

BLUE, RED, GREY = "#0b5cad", "#b3261e", "#8a96a3"
#: Colour classes of supplier concentration (HHI, 0-1): the US DOJ/FTC bands rescaled.
HHI_BANDS = (
    (0.0, 0.15, "#4c9a2a", N_("unconcentrated (HHI < 0.15)")),
    (0.15, 0.25, "#e0a100", N_("moderately concentrated (HHI 0.15-0.25)")),
    (0.25, 1.01, "#b3261e", N_("highly concentrated (HHI ≥ 0.25)")),
)
UNKNOWN_HHI = ("#a0a8b0", N_("concentration not known"))


def hhi_colour(hhi: float | None) -> str:
    """The band colour of a supplier HHI (grey when unknown)."""
    if hhi is None:
        return UNKNOWN_HHI[0]
    for low, high, colour, _label in HHI_BANDS:
        if low <= hhi < high:
            return colour
    return HHI_BANDS[-1][2]


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def country_name(countries: dict[str, Any], iso3: str, lang: str) -> str:
    c = countries.get(iso3)
    if c is None:
        return iso3
    return (c["ja"] or c["en"]) if lang == "ja" else c["en"]


def shares_bar(shares: dict[str, Any], t: Translator, lang: str, top: int = 10) -> dict[str, Any]:
    """Horizontal bars of the ``top`` country shares (percent), largest at the top."""
    rows = shares["shares"][:top][::-1]
    names = [(r["country_ja"] if lang == "ja" else r["country"]) for r in rows]
    title = ("Share of world total (%)" if shares["basis"] == "world-total"
             else "Share of reported total (%)")
    return {
        "data": [{"type": "bar", "orientation": "h", "y": names,
                  "x": [round(r["share"] * 100, 3) for r in rows],
                  "hovertemplate": "%{y}: %{x:.1f}%<extra></extra>",
                  "marker": {"color": BLUE}}],
        "layout": {"margin": {"l": 120, "r": 20, "t": 36, "b": 40},
                   "title": {"text": t.gettext(title), "font": {"size": 13}},
                   "xaxis": {"ticksuffix": "%", "rangemode": "tozero"},
                   "yaxis": {"automargin": True}},
    }


def world_map(shares: dict[str, Any], t: Translator, lang: str) -> dict[str, Any]:
    """Choropleth of country shares; outlines from ``/static/world_110m.json``."""
    rows = shares["shares"]
    return {
        "data": [{"type": "choropleth", "locationmode": "ISO-3",
                  "locations": [r["iso3"] for r in rows],
                  "z": [round(r["share"] * 100, 3) for r in rows],
                  "text": [(r["country_ja"] if lang == "ja" else r["country"]) for r in rows],
                  "hovertemplate": "%{text}: %{z:.1f}%<extra></extra>", "zmin": 0,
                  "colorscale": [[0, "#deebf7"], [0.5, "#4292c6"], [1, "#08306b"]],
                  "colorbar": {"ticksuffix": "%", "title": {"text": t.gettext("Share")},
                               "thickness": 12}}],
        "layout": {"margin": {"l": 0, "r": 0, "t": 6, "b": 0},
                   "geo": {"showframe": False, "showcoastlines": True, "showcountries": True,
                           "countrycolor": "#bbb", "lataxis": {"range": [-58, 84]},
                           "resolution": 110, "projection": {"type": "natural earth"}}},
    }


def trend_lines(trend: dict[str, Any], countries: dict[str, Any], t: Translator,
                lang: str) -> dict[str, Any]:
    """World total (dotted) and the leading producers over the bundled years."""
    data = []
    for s in trend["series"]:
        name = (t.gettext("World total") if s["is_world_total"]
                else country_name(countries, s["key"], lang))
        data.append({"type": "scatter", "mode": "lines+markers", "x": trend["years"],
                     "y": s["values"], "name": name,
                     **({"line": {"dash": "dot", "color": "#333"}} if s["is_world_total"]
                        else {})})
    return {"data": data,
            "layout": {"margin": {"l": 70, "r": 20, "t": 10, "b": 40},
                       "xaxis": {"dtick": 1},
                       "yaxis": {"title": {"text": unit_text(trend["unit"], lang)}},
                       "legend": {"orientation": "h", "y": -0.2}}}


def reserves_vs_production(production: dict[str, Any], reserves: dict[str, Any],
                           t: Translator, lang: str, top: int = 8) -> dict[str, Any]:
    """Grouped bars: each leading country's share of world production and of reserves."""
    prod = {r["iso3"]: r for r in production["shares"]}
    res = {r["iso3"]: r for r in reserves["shares"]}
    keys = [r["iso3"] for r in production["shares"][:top]]
    keys += [r["iso3"] for r in reserves["shares"][:top] if r["iso3"] not in keys]
    label = {**{k: r["country_ja"] if lang == "ja" else r["country"] for k, r in res.items()},
             **{k: r["country_ja"] if lang == "ja" else r["country"] for k, r in prod.items()}}
    names = [label[k] for k in keys]
    return {
        "data": [
            {"type": "bar", "name": t.gettext("Share of production"), "x": names,
             "y": [round(prod[k]["share"] * 100, 3) if k in prod else 0 for k in keys],
             "marker": {"color": BLUE}, "hovertemplate": "%{x}: %{y:.1f}%<extra></extra>"},
            {"type": "bar", "name": t.gettext("Share of reserves"), "x": names,
             "y": [round(res[k]["share"] * 100, 3) if k in res else 0 for k in keys],
             "marker": {"color": "#e0a100"}, "hovertemplate": "%{x}: %{y:.1f}%<extra></extra>"},
        ],
        "layout": {"barmode": "group", "margin": {"l": 50, "r": 10, "t": 10, "b": 90},
                   "yaxis": {"ticksuffix": "%"}, "legend": {"orientation": "h", "y": 1.1}},
    }


def hhi_ranking_bar(rows: list[dict[str, Any]], t: Translator, lang: str) -> dict[str, Any]:
    """The most concentrated commodities (HHI of the headline supply measure)."""
    rows = rows[::-1]
    return {
        "data": [{"type": "bar", "orientation": "h",
                  "y": [r["name_ja"] if lang == "ja" else r["name_en"] for r in rows],
                  "x": [round(r["hhi"], 4) for r in rows],
                  "text": [r["top_name_ja"] if lang == "ja" else r["top_name_en"] for r in rows],
                  "textposition": "inside", "insidetextanchor": "end",
                  "hovertemplate": "%{y}: HHI %{x:.3f} (%{text})<extra></extra>",
                  "marker": {"color": [hhi_colour(r["hhi"]) for r in rows]}}],
        "layout": {"margin": {"l": 130, "r": 20, "t": 10, "b": 40},
                   "height": max(320, 24 * len(rows) + 60),
                   "xaxis": {"title": {"text": "HHI"}, "range": [0, 1]},
                   "yaxis": {"automargin": True}},
    }


def criticality_matrix(matrix: dict[str, Any], t: Translator, lang: str) -> dict[str, Any]:
    """Supply risk against economic importance, with the EU thresholds as dashed lines; the
    points are labelled in the reader's language."""
    pts = matrix["points"]
    return {
        "data": [{"type": "scatter", "mode": "markers+text", "textposition": "top center",
                  "x": [p["ei"] for p in pts], "y": [p["sr"] for p in pts],
                  "text": [p["material_ja"] if lang == "ja" else p["material"] for p in pts],
                  "textfont": {"size": 9},
                  "marker": {"size": 9, "color": [RED if p["critical"] else BLUE for p in pts]},
                  "hovertemplate": "%{text}<br>EI %{x:.2f}, SR %{y:.2f}<extra></extra>"}],
        "layout": {"margin": {"l": 60, "r": 20, "t": 10, "b": 50},
                   "xaxis": {"title": {"text": t.gettext("Economic importance (EI)")}},
                   "yaxis": {"title": {"text": t.gettext("Supply risk (SR)")}},
                   "shapes": [
                       {"type": "line", "x0": matrix["ei_threshold"],
                        "x1": matrix["ei_threshold"], "yref": "paper", "y0": 0, "y1": 1,
                        "line": {"dash": "dash", "color": "#999"}},
                       {"type": "line", "y0": matrix["sr_threshold"],
                        "y1": matrix["sr_threshold"], "xref": "paper", "x0": 0, "x1": 1,
                        "line": {"dash": "dash", "color": "#999"}}]},
    }


def country_shares_bar(rows: list[dict[str, Any]], t: Translator, lang: str) -> dict[str, Any]:
    """A country's share of world supply per commodity (its largest positions)."""
    rows = rows[::-1]
    return {
        "data": [{"type": "bar", "orientation": "h",
                  "y": [r["label"] for r in rows],
                  "x": [round(r["share"] * 100, 3) for r in rows],
                  "hovertemplate": "%{y}: %{x:.1f}%<extra></extra>",
                  "marker": {"color": BLUE}}],
        "layout": {"margin": {"l": 140, "r": 20, "t": 10, "b": 40},
                   "height": max(300, 24 * len(rows) + 60),
                   "xaxis": {"ticksuffix": "%", "rangemode": "tozero",
                             "title": {"text": t.gettext("Share of world supply")}},
                   "yaxis": {"automargin": True}},
    }


def sankey(nodes: list[dict[str, Any]], links: list[dict[str, Any]]) -> dict[str, Any]:
    """Sankey of a bill of materials; ``links`` carry ``source``/``target`` node indices,
    a ``value`` (the quantity, or 1 where unknown), a colour and a hover label."""
    return {
        "data": [{"type": "sankey", "arrangement": "snap", "valueformat": ".3~g",
                  "node": {"label": [n["label"] for n in nodes],
                           "color": [n["colour"] for n in nodes],
                           "customdata": [n["hover"] for n in nodes],
                           "hovertemplate": "%{customdata}<extra></extra>",
                           "pad": 14, "thickness": 16, "line": {"color": "#555", "width": 0.5}},
                  "link": {"source": [lk["source"] for lk in links],
                           "target": [lk["target"] for lk in links],
                           "value": [lk["value"] for lk in links],
                           "color": [_rgba(lk["colour"], 0.55) for lk in links],
                           "customdata": [lk["hover"] for lk in links],
                           "hovertemplate": "%{customdata}<extra></extra>"}}],
        "layout": {"margin": {"l": 10, "r": 10, "t": 10, "b": 10},
                   "height": max(420, 28 * len(nodes))},
    }
