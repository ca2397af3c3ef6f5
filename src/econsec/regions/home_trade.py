"""The home country's trade in the bundled BACI products, by partner, product and year.

One series only, so that years compare and no flow is counted twice: CEPII BACI HS 1992
(the bundled critical raw-material codes, 1995-2024, value in thousand USD). The bundled
trade covers those products only, never a country's whole trade: every figure built on it
says so.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from econsec.kb.protocol import KnowledgeBase

SOURCE_KEY = "cepii-baci-hs92-crm"
HS_VERSION = "HS92"
YEARS = (1995, 2024)


@dataclass
class HomeTrade:
    """``values[(partner, year)][hs_code]`` in thousand USD, for imports or exports."""

    home: str
    direction: str
    values: dict[tuple[str, int], dict[str, float]] = field(default_factory=dict)

    def years(self) -> list[int]:
        return sorted({y for _, y in self.values})

    def total(self, year: int) -> float:
        return sum(sum(v.values()) for (_, y), v in self.values.items() if y == year)

    def by_partner(self, year: int) -> dict[str, float]:
        out: dict[str, float] = defaultdict(float)
        for (p, y), v in self.values.items():
            if y == year:
                out[p] += sum(v.values())
        return dict(out)

    def partner_series(self, partner: str) -> dict[int, float]:
        return {y: sum(v.values()) for (p, y), v in sorted(self.values.items()) if p == partner}


def home_trade(kb: KnowledgeBase, home: str, direction: str) -> HomeTrade:
    """The home country's imports (``direction="imports"``) or exports of every bundled
    HS 1992 product, by partner and year (BACI)."""
    codes = sorted({p.hs_code for p in kb.trade_products() if p.hs_version == HS_VERSION})
    out = HomeTrade(home, direction)
    if not codes:
        return out
    where = {"importer": home} if direction == "imports" else {"exporter": home}
    for code, _v, year, exporter, importer, value, _q, source in kb.product_flow_rows(
            codes, [HS_VERSION], YEARS, **where):
        if source != SOURCE_KEY or value is None or exporter is None:
            continue
        partner = exporter if direction == "imports" else importer
        if partner == home:
            continue
        cell = out.values.setdefault((partner, year), {})
        cell[code] = cell.get(code, 0.0) + float(value)
    return out
