"""Plotly figures of the trade page, built server-side so that every label goes through the
translation layer (``static/econsec.js`` draws them; the map's outlines are the app's)."""

from __future__ import annotations

import math
from typing import Any

from econsec.i18n import Translator
from econsec.web.pages.figures import BLUE, GREY, world_map

#: Line colours of the leading partners in the trend (Plotly's first five, colour-blind safe
#: enough beside the grey total).
COLOURS = ("#0b5cad", "#e0a100", "#b3261e", "#4c9a2a", "#7b3fa0")


def partners_bar(doc: dict[str, Any], t: Translator, lang: str, top: int = 15
                 ) -> dict[str, Any]:
    """Horizontal bars of the ``top`` partners' shares (percent), largest at the top; the
    hover names the partner's value on the basis."""
    rows = doc["partners"][:top][::-1]
    unit = t.gettext(doc["unit"])
    amounts = [r["value"] if doc["basis"] == "value" else r["quantity"] for r in rows]
    return {
        "data": [{"type": "bar", "orientation": "h", "y": [r["name"] for r in rows],
                  "x": [round(r["share"] * 100, 3) for r in rows],
                  "customdata": [f"{t.number(a, 0)} {unit}" for a in amounts],
                  "hovertemplate": "%{y}: %{x:.1f}% (%{customdata})<extra></extra>",
                  "marker": {"color": BLUE}}],
        "layout": {"margin": {"l": 10, "r": 20, "t": 36, "b": 40},
                   "height": max(300, 24 * len(rows) + 80),
                   "title": {"text": t.gettext("Share of the country's total (%)"),
                             "font": {"size": 13}},
                   "xaxis": {"ticksuffix": "%", "rangemode": "tozero"},
                   "yaxis": {"automargin": True}},
    }


def partners_map(doc: dict[str, Any], t: Translator, lang: str) -> dict[str, Any]:
    """The partners' shares on a world map (the commodity page's choropleth)."""
    return world_map({"shares": doc["partners"]}, t, lang)


def trend(trend: dict[str, Any], names: dict[str, dict[str, str]], t: Translator,
          lang: str) -> dict[str, Any]:
    """The reporter's total (grey bars, right axis, in the basis' unit) and the leading
    partners' shares (lines, left axis, percent) over the trend's years."""
    def name(iso3: str, fallback: str) -> str:
        found = names.get(iso3)
        if not found:
            return fallback
        return (found["ja"] or found["en"]) if lang == "ja" else found["en"]

    unit = t.gettext(trend["unit"])
    top = max((v for v in trend["totals"] if v is not None), default=0.0)
    data: list[dict[str, Any]] = [{
        "type": "bar", "x": trend["years"], "y": trend["totals"], "yaxis": "y2",
        "name": t.gettext("Total (%(unit)s)") % {"unit": unit},
        "marker": {"color": GREY, "opacity": 0.35},
        "hovertemplate": "%{x}: %{y:,.0f} " + unit + "<extra></extra>"}]
    for i, s in enumerate(trend["series"]):
        data.append({"type": "scatter", "mode": "lines+markers", "x": trend["years"],
                     "y": [None if v is None else round(v * 100, 3) for v in s["shares"]],
                     "name": name(s["iso3"], s["country"]),
                     "line": {"color": COLOURS[i % len(COLOURS)]},
                     "hovertemplate": "%{x}: %{y:.1f}%<extra>%{fullData.name}</extra>"})
    return {"data": data,
            "layout": {"margin": {"l": 50, "r": 60, "t": 10, "b": 40},
                       "xaxis": {"dtick": 1, "tickangle": -45},
                       "yaxis": {"ticksuffix": "%", "rangemode": "tozero",
                                 "title": {"text": t.gettext("Share")}},
                       "yaxis2": {"overlaying": "y", "side": "right", "showgrid": False,
                                  "range": [0, 1.05 * top if top else 1],
                                  "tick0": 0, "dtick": _nice_step(1.05 * top),
                                  "tickformat": ",.3~s", "title": {"text": unit}},
                       "legend": {"orientation": "h", "y": -0.25}}}


def _nice_step(span: float, ticks: int = 4) -> float:
    """A 1-2-5 tick step giving about ``ticks`` ticks over ``span`` (explicit, so that
    Plotly's own steps do not put a tick at a rounding residue such as 5.6e-11, shown
    as "55.9p")."""
    if span <= 0:
        return 1.0
    raw = span / ticks
    power = 10.0 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
