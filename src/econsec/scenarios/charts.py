"""Self-contained HTML charts of scenario and ensemble results (Plotly, no CDN).

The page inlines plotly.js (``plotly.offline.get_plotlyjs()``), so it opens offline.
Two panels: the daily change of total production per variant (for an ensemble, the median
with p25–p75 and p5–p95 bands), and the relative production of the worst-hit sectors of
the main run with their recovery.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import numpy as np

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
           "#7f7f7f", "#bcbd22", "#17becf")


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def _figure(rows: int, titles: tuple[str, ...]) -> Any:
    from plotly.subplots import make_subplots

    return make_subplots(rows=rows, cols=1, subplot_titles=titles, vertical_spacing=0.12)


def scenario_figure(result: Any, worst: int = 6) -> Any:
    """The Plotly figure of a :class:`~econsec.scenarios.runner.ScenarioResult`."""
    import plotly.graph_objects as go

    from econsec.scenarios.runner import daily_production_change, relative_production

    unit = result.unit or "MRIO unit"
    fig = _figure(2, (f"Daily change of total production ({unit} per day), by variant",
                      f"Relative production of the worst-hit sectors ({result.main.name})"))
    for k, run in enumerate(result.variants):
        sim = run.result
        fig.add_trace(go.Scatter(x=np.asarray(sim.days), y=daily_production_change(sim),
                                 mode="lines", name=run.name, legendgroup="variants",
                                 line={"color": PALETTE[k % len(PALETTE)]}), row=1, col=1)
    sim = result.main.result
    labels = [tuple(map(str, lab)) for lab in sim.labels]
    rel = relative_production(sim)
    for k, w in enumerate(result.worst_hit(worst)):
        j = labels.index((w["region"], w["sector"]))
        fig.add_trace(go.Scatter(x=np.asarray(sim.days), y=rel[:, j], mode="lines",
                                 name=f"{w['region']}/{w['sector']}", legendgroup="sectors",
                                 line={"color": PALETTE[k % len(PALETTE)], "dash": "dot"}),
                      row=2, col=1)
    fig.update_xaxes(title_text="day", row=2, col=1)
    fig.update_yaxes(title_text=unit, row=1, col=1)
    fig.update_yaxes(title_text="production / pre-shock", tickformat=".0%", row=2, col=1)
    fig.update_layout(height=820, template="plotly_white", legend={"groupclick": "toggleitem"})
    return fig


def ensemble_figure(result: Any) -> Any:
    """The Plotly figure of an :class:`~econsec.scenarios.ensemble.EnsembleResult`."""
    import plotly.graph_objects as go

    unit = result.unit or "MRIO unit"
    fig = _figure(2, (f"Daily change of total production ({unit} per day): median, "
                      "p25–p75 and p5–p95 over runs",
                      f"Daily unmet final demand ({unit} per day): median and p5–p95"))
    days = result.days
    for row, what in ((1, "production_change"), (2, "final_demand_unmet")):
        for v, name in enumerate(result.variant_names):
            colour = PALETTE[v % len(PALETTE)]
            bands = result.daily_bands(v, what)
            pairs = (("p5", "p95", 0.12), ("p25", "p75", 0.25)) if row == 1 else (
                ("p5", "p95", 0.15),)
            for lo, hi, alpha in pairs:
                fig.add_trace(go.Scatter(
                    x=np.concatenate([days, days[::-1]]),
                    y=np.concatenate([bands[hi], bands[lo][::-1]]), fill="toself",
                    fillcolor=_rgba(colour, alpha), line={"width": 0}, hoverinfo="skip",
                    name=f"{name} {lo}–{hi}", legendgroup=name, showlegend=False),
                    row=row, col=1)
            fig.add_trace(go.Scatter(x=days, y=bands["p50"], mode="lines", name=name,
                                     legendgroup=name, showlegend=row == 1,
                                     line={"color": colour}), row=row, col=1)
    fig.update_xaxes(title_text="day", row=2, col=1)
    fig.update_layout(height=820, template="plotly_white")
    return fig


def html_page(fig: Any, title: str, summary_rows: list[tuple[str, str]],
              notes: Sequence[str] = ()) -> str:
    """A standalone HTML page: title, a small summary table, the figure, notes."""
    from plotly.offline import get_plotlyjs

    rows = "\n".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>"
                     for k, v in summary_rows)
    note_items = "\n".join(f"<li>{html.escape(n)}</li>" for n in notes)
    body = fig.to_html(include_plotlyjs=False, full_html=False, config={"responsive": True})
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{html.escape(title)}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 1.5rem; color: #222; }}
table {{ border-collapse: collapse; margin-bottom: 1rem; }}
th, td {{ border: 1px solid #ccc; padding: 0.25rem 0.6rem; text-align: left; }}
th {{ background: #f4f4f4; font-weight: 600; }}
</style>
<script>{get_plotlyjs()}</script>
</head>
<body>
<h1>{html.escape(title)}</h1>
<table>
{rows}
</table>
{body}
<ul>
{note_items}
</ul>
</body>
</html>
"""
