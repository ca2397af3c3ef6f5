"""Two sections of the country page built on bilateral trade (BACI):

- ``_country_geopolrisk.html.j2``: the GeoPolRisk score and characterisation factor of the
  country's raw-material imports in the default year
  (:func:`econsec.analyses.geopolrisk_assessment.geopolrisk_table`; the API takes any year),
  with a bar chart of the highest scores;
- ``_country_imports.html.j2``: on the home country's page, where its imports of each
  commodity come from (the trade columns of the dependence table, per stage).
"""

from __future__ import annotations

from typing import Any

from econsec.analyses.geopolrisk_assessment import DEFAULT_YEAR, geopolrisk_table
from econsec.errors import EconsecError
from econsec.i18n import translator
from econsec.i18n.terms import N_
from econsec.web.pages.common import bilingual, cached, plain
from econsec.web.state import WebState

#: Bars in the chart.
CHART_ROWS = 15
AXIS_TITLE = N_("GeoPolRisk score")
#: Stage names of the crosswalk (message ids).
STAGES = (N_("ore"), N_("mineral"), N_("fuel"), N_("element"), N_("oxide"), N_("compound"),
          N_("refined metal"), N_("alloy"), N_("semi-finished"), N_("scrap"), N_("magnet"))


def geopolrisk_context(state: WebState, iso3: str, lang: str) -> dict[str, Any]:
    """``geopolrisk`` (the table as plain dictionaries, or None when nothing could be
    scored) and ``geopolrisk_figure``."""
    def build() -> dict[str, Any] | None:
        try:
            return plain(geopolrisk_table(state.store, iso3, year=DEFAULT_YEAR))
        except EconsecError:  # nothing could be scored (no imports, no production)
            return None

    table = cached(state, ("geopolrisk", iso3, DEFAULT_YEAR), build)
    return {
        "geopolrisk": table,
        "geopolrisk_figure": score_bar(table, lang) if table and table["rows"] else None,
    }


def score_bar(table: dict[str, Any], lang: str) -> dict[str, Any]:
    """Horizontal bars: the highest GeoPolRisk scores (hover: HS codes, CF, top origin)."""
    t = translator(lang)
    rows = table["rows"][:CHART_ROWS][::-1]
    return {
        "data": [{
            "type": "bar", "orientation": "h",
            "y": [bilingual(r, lang, "name") for r in rows],
            "x": [round(r["score"], 5) for r in rows],
            "text": [f"HS {'+'.join(r['hs_codes'])}, CF {r['characterisation_factor']:.3g}"
                     for r in rows],
            "textposition": "none", "marker": {"color": "#b3261e"},
            "hovertemplate": "%{y}: %{x:.4f} (%{text})<extra></extra>",
        }],
        "layout": {"height": 120 + 26 * len(rows), "margin": {"l": 10, "r": 20, "t": 10, "b": 40},
                   "xaxis": {"rangemode": "tozero", "title": {"text": t.gettext(AXIS_TITLE)}},
                   "yaxis": {"automargin": True}},
    }


def imports_context(dependence: dict[str, Any]) -> dict[str, Any]:
    """``import_rows``: the dependence rows with imports in bilateral trade (BACI), most
    concentrated first; ``world_export_rows``: (row, world exports) of the processed stages
    that stand in for refined production."""
    rows = [r for r in dependence["rows"]
            if r.get("trade_stage") and r.get("import_hhi") is not None]
    rows.sort(key=lambda r: (-(r["import_hhi"] or 0.0), r["commodity"]))
    exported = [(r, s["world_exports"]) for r in dependence["rows"]
                for s in r.get("trade_stages", []) if s.get("world_exports")]
    return {"import_rows": rows, "world_export_rows": exported, "stage_labels": STAGES}
