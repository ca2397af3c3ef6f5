"""The bilingual (ja/en) self-contained HTML criticality report (``econsec report``).

Sections: summary, most concentrated supply (HHI), the criticality matrix (EU CRM method),
the three lenses, dependence and indispensability of the home country, one section per
commodity (share chart, world map, trend, reserves vs production) and the sources.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from econsec.analyses.report_data import report_data
from econsec.i18n import SUPPORTED_LANGUAGES, translator
from econsec.i18n.units import unit_text
from econsec.reports.charts import chart_data
from econsec.reports.render import plotly_js_packed, render, world_topojson

if TYPE_CHECKING:
    from econsec.analyses.models import ReportData
    from econsec.analyses.technology_models import TechnologyProfile
    from econsec.kb.protocol import KnowledgeBase
    from econsec.scenarios.stress_models import StressTestResult

#: Strings the chart script shows; translated through the one translation layer. The last
#: ones are Plotly's own (its modebar buttons and notices), given to Plotly as a locale.
CHART_LABELS = (
    "Share of world total (%)",
    "Share of reported total (%)",
    "Share",
    "World total",
    "Economic importance (EI)",
    "Supply risk (SR)",
    "This browser cannot draw the charts.",
    "Download plot as a png",
    "Zoom in",
    "Zoom out",
    "Reset",
    "Double-click to zoom back out",
)

Progress = Callable[[str, int, int], None]


def render_report(data: ReportData, stress: StressTestResult | None = None,
                  technology: TechnologyProfile | None = None,
                  policy: dict[str, Any] | None = None) -> str:
    """The report as one HTML string with both languages and inline assets; the templates
    read the result's dump (the members the API and ``--format json`` give). ``stress``:
    the home country's last saved stress test, shown as a ranking table; ``technology``:
    the home country's technology profile, whose lens table follows the three lenses."""
    from econsec.scenarios.stress_test import MEASURE_NAMES

    document = data.model_dump()
    stress_doc = stress.model_dump() if stress is not None else None
    technology_doc = technology.model_dump() if technology is not None else None
    if policy is not None:  # the recommended measures (econsec.policy.report)
        from econsec.scenarios.texts import Text
        from econsec.scenarios.texts import render as render_text

        policy = {**policy, "assumptions_by_lang": {
            lang: [render_text(Text(a["id"], a.get("params") or {}), translator(lang))
                   for a in policy.get("assumption_texts") or []] for lang in ("ja", "en")}}
    blocks = [
        {"lang": lang, "html": _raw(render("body.html.j2", lang, data=document,
                                           unit=partial(unit_text, lang=lang),
                                           stress=stress_doc, measures=MEASURE_NAMES,
                                           technology=technology_doc, policy=policy))}
        for lang in ("ja", "en")
    ]
    labels = {
        lang: {key: translator(lang).gettext(key) for key in CHART_LABELS}
        for lang in SUPPORTED_LANGUAGES
    }
    report_js = (resources.files("econsec.reports") / "assets" / "report.js").read_text("utf-8")
    ja, en = translator("ja"), translator("en")
    return render(
        "report.html.j2",
        "ja",
        blocks=blocks,
        charts=chart_data(data),
        labels=labels,
        title_ja=ja.gettext("Economic security criticality report"),
        title_en=en.gettext("Economic security criticality report"),
        plotly_packed=plotly_js_packed(),
        topojson=_raw(world_topojson()),
        report_js=_raw(report_js),
    )


def _raw(text: str) -> Any:
    from markupsafe import Markup

    return Markup(text.replace("</script", "<\\/script"))


def write_report(
    kb: KnowledgeBase, out_dir: Path, *, home: str = "JPN", progress: Progress | None = None,
    today: date | None = None,
) -> Path:
    """Build the report data from ``kb`` and write ``out_dir/index.html``."""
    from econsec.analyses.technology import technology_profile
    from econsec.io_models.net_trade import icio_net_trade
    from econsec.scenarios.stress_test import load_saved

    data = report_data(kb, home=home, progress=progress, today=today,
                       net_trade=icio_net_trade)
    technology = technology_profile(kb, data.home.iso3)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "index.html"
    from econsec.policy.report import report_recommendation

    policy = report_recommendation(kb, data.home.iso3, data.dependence.rows)
    path.write_text(render_report(data, load_saved(home), technology, policy),
                    encoding="utf-8")
    return path
