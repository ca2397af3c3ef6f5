"""The report's chart data: compact, language-neutral JSON that ``report.js`` draws from.

Only what the charts show is kept: ISO3 codes and rounded numbers, names as ``[ja, en]``
pairs, each country's names once. The tables and the sources in the report's HTML carry the
full figures; every chart sits beside the source and year it was drawn from.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from econsec.i18n.units import unit_text

if TYPE_CHECKING:
    from econsec.analyses.models import ReportData

#: Shares are kept as percentages with this many decimals (the charts show one).
PERCENT_DIGITS = 2
#: Significant digits kept for quantities (trend values) and scores (HHI, SR, EI).
QUANTITY_DIGITS = 6
SCORE_DIGITS = 4


def rounded(value: float | None, digits: int) -> float | int | None:
    """``value`` to ``digits`` significant digits; whole numbers as ints (no ``.0``)."""
    if value is None or not math.isfinite(value):
        return None
    if value == 0:
        return 0
    out = round(value, digits - 1 - math.floor(math.log10(abs(value))))
    return int(out) if float(out).is_integer() else out


def _pct(share: float | None) -> float | int | None:
    if share is None:
        return None
    out = round(share * 100, PERCENT_DIGITS)
    return int(out) if out.is_integer() else out


def chart_data(data: ReportData) -> dict[str, Any]:
    """The chart specifications of ``report_data``'s result (see ``assets/report.js``)."""
    used: set[str] = set()
    shares: dict[str, Any] = {}
    trends: dict[str, Any] = {}
    for c in data.commodities:
        for measure, s in c.measures.items():
            if not s.shares:
                continue
            iso = [r.iso3 for r in s.shares]
            used.update(iso)
            shares[f"{c.commodity}/{measure}"] = {
                "world": s.basis == "world-total",
                "iso": iso,
                "pct": [_pct(r.share) for r in s.shares],
            }
        trend = c.trend
        if len(trend.years) > 1:
            series = []
            for t in trend.series:
                key = None if t.is_world_total else t.key
                if key:
                    used.add(key)
                series.append({"key": key,
                               "v": [rounded(v, QUANTITY_DIGITS) for v in t.values]})
            unit = [unit_text(trend.unit, "ja"), unit_text(trend.unit, "en")]
            trends[c.commodity] = {"unit": unit, "years": trend.years, "series": series}
    matrix = data.matrix
    points = matrix.points
    countries = data.countries
    return {
        "countries": {iso: [countries[iso].ja, countries[iso].en]
                      for iso in sorted(used) if iso in countries},
        "matrix": {
            "sr_threshold": matrix.sr_threshold,
            "ei_threshold": matrix.ei_threshold,
            "names": [[p.material_ja, p.material] for p in points],
            "sr": [rounded(p.sr, SCORE_DIGITS) for p in points],
            "ei": [rounded(p.ei, SCORE_DIGITS) for p in points],
            "critical": [bool(p.critical) for p in points],
        },
        "shares": shares,
        "trends": trends,
    }
