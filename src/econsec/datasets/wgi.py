"""World Bank Worldwide Governance Indicators, 2023 update (CC BY 4.0).

Reads the raw DataBank bulk CSV ``governance/wgi/WGIData_2023update_raw.csv`` (wide:
one row per economy × indicator, one column per year) and returns the six ``.EST``
estimates (CC, GE, PV, RQ, RL, VA) for 1996-2022 as :class:`GovernanceScore`.
"""

from __future__ import annotations

from pathlib import Path

from econsec.datasets._csv import data_dir, display_name, parse_number, read_table
from econsec.errors import DataFormatError, Location
from econsec.records import GovernanceScore

WGI_FILE = "governance/wgi/WGIData_2023update_raw.csv"
DIMENSIONS = ("CC", "GE", "PV", "RQ", "RL", "VA")
SOURCE_KEY = "wgi-2023"


def load_wgi(path: Path | None = None) -> list[GovernanceScore]:
    """WGI estimates from the raw wide CSV; blanks and ``#N/A`` are skipped."""
    path = path or data_dir() / WGI_FILE
    name = display_name(path)
    header, records = read_table(path, required=("Country Code", "Indicator Code"))
    code_at, ind_at = header.index("Country Code"), header.index("Indicator Code")
    years = [(i, h) for i, h in enumerate(header) if h.strip().isdigit()]
    out: list[GovernanceScore] = []
    for line, cells in records:
        if not any(c.strip() for c in cells):
            continue
        indicator = cells[ind_at].strip()
        dim, _, stat = indicator.partition(".")
        if stat != "EST":
            continue
        if dim not in DIMENSIONS:
            raise DataFormatError(
                f"unknown indicator {indicator!r}", location=Location(name, line, "Indicator Code")
            )
        iso3 = cells[code_at].strip()
        for i, year in years:
            raw = cells[i].strip() if i < len(cells) else ""
            if raw in ("", "#N/A", "..", "NA"):
                continue
            value = parse_number(raw, Location(name, line, year))
            out.append(GovernanceScore(iso3, int(year), dim, value, SOURCE_KEY))
    return out
