"""The technology section of the country page (``_country_technology.html.j2``): the
country's technology profile (:func:`econsec.analyses.technology.technology_profile`) and its
chart, world shares per field and indicator, built server-side so every label is translated.
"""

from __future__ import annotations

from typing import Any

from econsec.analyses.technology import technology_profile
from econsec.datasets.nsf_sei import FIELDS
from econsec.i18n import translator
from econsec.i18n.terms import N_
from econsec.web.pages.common import bilingual, cached, plain
from econsec.web.state import WebState

#: Bar colours of the four indicators (the chart's legend names them).
COLOURS = {"uspto": "#0b5cad", "pct": "#5aa0e0", "articles": "#4c9a2a", "top1": "#e0a100"}
AXIS_TITLE = N_("World share (%)")
#: Short names of the indicators (the lens table's "largest share change" column).
INDICATOR_SHORT = {"uspto": N_("USPTO patents"), "pct": N_("PCT applications"),
                   "articles": N_("articles"), "top1": N_("top 1 percent cited articles")}


def technology_context(state: WebState, iso3: str, lang: str) -> dict[str, Any]:
    """What the template reads: ``technology`` (the profile as plain dictionaries) and
    ``technology_figure`` (a Plotly figure, or None when no table lists the country)."""
    profile = cached(state, ("technology", iso3),
                     lambda: plain(technology_profile(state.store, iso3)))
    return {"technology": profile, "technology_figure": shares_figure(profile, lang),
            "indicator_short": INDICATOR_SHORT, "technology_years": table_years(state)}


def table_years(state: WebState) -> dict[str, str]:
    """The years the tables cover per kind: ``patents`` (USPTO and PCT), ``articles`` and
    ``top1`` as ``first–last``."""
    def build() -> dict[str, str]:
        data = state.store.technology_indicators()
        spans: dict[str, list[int]] = {"patents": [], "articles": [], "top1": []}
        for f in FIELDS:
            for indicator, tables in f.tables().items():
                kind = "patents" if indicator in ("uspto", "pct") else indicator
                table = data.tables[tables[0]]
                spans[kind] += [table.first_year, table.last_year]
        return {k: f"{min(v)}–{max(v)}" for k, v in spans.items() if v}
    found: dict[str, str] = cached(state, ("technology_years",), build)
    return found


def shares_figure(profile: dict[str, Any], lang: str) -> dict[str, Any] | None:
    """Grouped horizontal bars: per field, the country's world share in each indicator
    (latest year; the hover names the year and the NCSES tables)."""
    t = translator(lang)
    fields = [f for f in profile["fields"]
              if any(c["share"] is not None for c in f["indicators"])][::-1]
    if not fields:
        return None
    traces = []
    for indicator, colour in COLOURS.items():
        ys, xs, texts = [], [], []
        for f in fields:
            cell = next((c for c in f["indicators"] if c["indicator"] == indicator), None)
            if cell is None or cell["share"] is None:
                continue
            ys.append(bilingual(f, lang))
            xs.append(round(cell["share"] * 100, 2))
            texts.append(f"{cell['year']}, {', '.join(cell['tables'])}")
        if xs:
            label = next(bilingual(c, lang, "label") for f in fields for c in f["indicators"]
                         if c["indicator"] == indicator)
            traces.append({"type": "bar", "orientation": "h", "name": label, "y": ys, "x": xs,
                           "text": texts, "textposition": "none",
                           "marker": {"color": colour},
                           "hovertemplate": "%{y}: %{x:.1f}% (%{text})<extra></extra>"})
    return {"data": traces,
            "layout": {"barmode": "group", "height": 140 + 34 * len(fields),
                       "margin": {"l": 10, "r": 20, "t": 40, "b": 40},
                       "legend": {"orientation": "h", "y": 1.0, "yanchor": "bottom"},
                       "xaxis": {"ticksuffix": "%", "rangemode": "tozero",
                                 "title": {"text": t.gettext(AXIS_TITLE)}},
                       "yaxis": {"automargin": True, "categoryorder": "array",
                                 "categoryarray": [bilingual(f, lang) for f in fields]}}}
