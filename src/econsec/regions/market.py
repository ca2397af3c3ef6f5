"""Perspective (4), market creation: the home country's exports to the partner (BACI, the
bundled HS 1992 products) and their growth.

CAGR over :data:`WINDOW` years ending in the latest year: (v_end / v_start)^(1/(end − start))
− 1, the years stated; missing when the start value is 0.
Score = 50 × min(1, partner's share of the home's exports / :data:`SHARE_THRESHOLD`) + 50 ×
clip((CAGR + 10%) / 20%, 0, 1) — a partner taking 10 % of the exports scores the first half,
growth of +10 % a year the second (−10 % or less: 0).
"""

from __future__ import annotations

from econsec.i18n.terms import N_
from econsec.regions.home_trade import SOURCE_KEY, HomeTrade
from econsec.regions.models import MarketPerspective, MarketYear
from econsec.regions.scoring import clip01, score

WINDOW = 5
SHARE_THRESHOLD = 0.10
FORMULA = N_("50 × min(1, share of the home's exports / 10%) + 50 × clip((CAGR + 10%) / 20%, "
           "0, 1)")


def cagr(start: float, end: float, years: int) -> float | None:
    """Compound annual growth rate; None when ``start`` ≤ 0 or ``years`` ≤ 0.

    >>> round(cagr(100.0, 121.0, 2), 4)
    0.1
    """
    if start <= 0 or years <= 0:
        return None
    return float((end / start) ** (1 / years) - 1)


def market_perspective(exports: HomeTrade, partner: str) -> MarketPerspective:
    series = exports.partner_series(partner)
    years = exports.years()
    latest = years[-1] if years else None
    value = series.get(latest, 0.0) if latest is not None else None
    share = (value / exports.total(latest) if latest is not None and value is not None
             and exports.total(latest) > 0 else None)
    growth = start = None
    if latest is not None and (latest - WINDOW) in series:
        start = latest - WINDOW
        growth = cagr(series[start], series.get(latest, 0.0), WINDOW)
    if share is None:
        total = None
    else:
        total = 50 * min(1.0, share / SHARE_THRESHOLD) + (
            50 * clip01((growth + 0.10) / 0.20) if growth is not None else 0.0)
    return MarketPerspective(
        score=score(total, FORMULA, {"share_of_home_exports": share, "cagr": growth}),
        series=[MarketYear(year=y, value_kusd=v) for y, v in sorted(series.items())],
        latest_year=latest, latest_value_kusd=value, share_of_home_exports=share,
        cagr=growth, cagr_start_year=start if growth is not None else None,
        cagr_end_year=latest if growth is not None else None,
        share_threshold=SHARE_THRESHOLD, source=SOURCE_KEY)
