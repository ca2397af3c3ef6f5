"""The energy and space sections of the country page: labels and Plotly figures.

The electricity mix is a stacked area of TWh by source over the years (the provisional
year hatched by a dotted line); launches are bars per year (successes and failures, the
predecessor's launches, e.g. the Soviet Union's for Russia, in grey). Labels go through
the translation layer (``energy_space.po``).
"""

from __future__ import annotations

from typing import Any

from econsec.i18n import Translator
from econsec.i18n.terms import N_

#: Ember's source names (message ids) in stacking order (fossil at the bottom), colours.
ENERGY_SOURCES: tuple[tuple[str, str], ...] = (
    (N_("Coal"), "#4a4a4a"),
    (N_("Gas"), "#d98c1f"),
    (N_("Other Fossil"), "#8c6d4f"),
    (N_("Nuclear"), "#8e44ad"),
    (N_("Hydro"), "#1f77b4"),
    (N_("Bioenergy"), "#2e8b57"),
    (N_("Wind"), "#5bc0de"),
    (N_("Solar"), "#f2c12e"),
    (N_("Other Renewables"), "#7fbf7f"),
)
#: Grouped shares of the mix (message ids).
GROUP_LABELS = {
    "fossil_share": N_("Fossil"),
    "renewable_share": N_("Renewable"),
    "low_carbon_share": N_("Low-carbon"),
    "import_exposed_share": N_("Import-exposed fuels"),
}
#: Kinds of launching entities (message ids).
STATE_KINDS = {"historical": N_("historical state"), "international": N_("international")}


def source_label(source: str, t: Translator) -> str:
    """An Ember source's name in the page language."""
    return t.gettext(source)


def energy_area(energy: dict[str, Any], t: Translator) -> dict[str, Any]:
    """Stacked area: TWh by source per year."""
    years = [y["year"] for y in energy["years"]]
    data = []
    for source, colour in ENERGY_SOURCES:
        values = [y["twh"].get(source) for y in energy["years"]]
        if not any(values):
            continue
        data.append({"type": "scatter", "mode": "lines", "stackgroup": "mix", "x": years,
                     "y": [v or 0 for v in values], "name": source_label(source, t),
                     "line": {"width": 0.5, "color": colour},
                     "hovertemplate": "%{x}: %{y:,.1f} TWh<extra>%{fullData.name}</extra>"})
    shapes = []
    provisional = [y["year"] for y in energy["years"] if y["provisional"]]
    if provisional:
        shapes.append({"type": "line", "xref": "x", "yref": "paper", "x0": min(provisional) - 0.5,
                       "x1": min(provisional) - 0.5, "y0": 0, "y1": 1,
                       "line": {"dash": "dot", "color": "#555", "width": 1}})
    return {"data": data,
            "layout": {"margin": {"l": 60, "r": 20, "t": 10, "b": 40}, "height": 340,
                       "xaxis": {"dtick": 5},
                       "yaxis": {"title": {"text": t.gettext("Generation (TWh)")},
                                 "rangemode": "tozero"},
                       "shapes": shapes,
                       "legend": {"orientation": "h", "y": -0.18}}}


def launches_bar(space: dict[str, Any], t: Translator, lang: str) -> dict[str, Any]:
    """Bars: orbital launches per year (successes, failures; the predecessor's in grey)."""
    years = [y["year"] for y in space["years"]]
    data: list[dict[str, Any]] = []
    if space["predecessor_years"]:
        p = space["predecessor"]
        name = (p["name_ja"] or p["name_en"]) if lang == "ja" else p["name_en"]
        data.append({"type": "bar", "x": [y["year"] for y in space["predecessor_years"]],
                     "y": [y["launches"] for y in space["predecessor_years"]],
                     "name": name, "marker": {"color": "#b0b7bf"}})
    data.append({"type": "bar", "x": years, "y": [y["successes"] for y in space["years"]],
                 "name": t.gettext("Successes"), "marker": {"color": "#0b5cad"}})
    data.append({"type": "bar", "x": years,
                 "y": [y["launches"] - y["successes"] for y in space["years"]],
                 "name": t.gettext("Failures"), "marker": {"color": "#b3261e"}})
    return {"data": data,
            "layout": {"barmode": "stack", "margin": {"l": 50, "r": 20, "t": 10, "b": 40},
                       "height": 320,
                       "yaxis": {"title": {"text": t.gettext("Orbital launches")},
                                 "rangemode": "tozero"},
                       "legend": {"orientation": "h", "y": -0.18}}}


def page_context(profile: dict[str, Any], t: Translator, lang: str) -> dict[str, Any]:
    """What ``_country_energy.html.j2`` and ``_country_space.html.j2`` read besides the
    profile: the two figures and the label tables."""
    energy, space = profile.get("energy"), profile.get("space")
    return {
        "energy_figure": energy_area(energy, t) if energy else None,
        "space_figure": launches_bar(space, t, lang) if space and space["years"] else None,
        "energy_sources": ENERGY_SOURCES,
        "energy_groups": GROUP_LABELS,
        "state_kinds": STATE_KINDS,
    }
