"""The "Recommended measures" section of the criticality report, without running scenarios.

Running the recommender takes seconds per measure on the ICIO table, more than the report
may add (~2 s). The section therefore shows, for the home country:

- the most recent ranking computed before (``econsec recommend`` or the web page) for a
  dependency of the home country, from the recommender's cache, labelled as such; or
- when there is none, the measures for the home country's most concentrated import
  dependency (the commodity whose largest import source has the largest share, from the
  dependence table) ranked by time to effect and cost only, labelled "not simulated", with
  the command that ranks them by the loss they avoid.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from econsec.errors import EconsecError
from econsec.policy.findings import parse_finding
from econsec.policy.recommend import RecommendOptions, recommend

__all__ = ["report_recommendation"]


def _cached_for_home(home: str) -> dict[str, Any] | None:
    from econsec.io_models.mrio_cache import cache_dir

    folder = cache_dir()
    if folder is None or not (folder / "policy").is_dir():
        return None
    files = sorted((folder / "policy").glob("recommend-*.json"),
                   key=lambda p: p.stat().st_mtime, reverse=True)
    for path in files[:200]:
        doc = _read(path)
        finding = (doc or {}).get("finding") or {}
        if (doc is not None and finding.get("kind") == "concentrated_dependency"
                and finding.get("importer") == home and not doc["options"]["measures"]):
            doc["cached"] = True
            return doc
    return None


def _read(path: Path) -> dict[str, Any] | None:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) and "rows" in doc and "finding" in doc else None


def top_dependency(home: str, rows: Sequence[Any]) -> str | None:
    """The finding text of the home country's most concentrated import dependency: the
    dependence-table row whose largest import source (not the home country) has the
    largest share (ties: larger imports), with the HS codes of its headline stage."""
    best: tuple[float, float, str] | None = None
    for row in rows:
        source = getattr(row, "top_import_source", None)
        share = getattr(row, "top_import_share", None)
        stage = getattr(row, "trade_stage", None)
        stages = getattr(row, "trade_stages", None) or []
        head = next((s for s in stages if getattr(s, "stage", None) == stage), None)
        codes = list(getattr(head, "hs_codes", None) or [])
        if not source or source == home or share is None or not codes:
            continue
        year = getattr(row, "import_year", None)
        text = f"dependency:{home}:{','.join(codes)}:{source}"
        text += f":{year}" if year and year != 2022 else ""
        key = (float(share), float(getattr(row, "import_total", 0.0) or 0.0), text)
        if best is None or key[:2] > best[:2]:
            best = key
    return best[2] if best else None


def report_recommendation(kb: Any, home: str, rows: Sequence[Any]) -> dict[str, Any] | None:
    """The ranking the report shows (see the module docstring), or None when the home
    country has no dependency to rank."""
    cached = _cached_for_home(home)
    if cached is not None:
        return cached
    text = top_dependency(home, rows)
    if text is None:
        return None
    try:
        finding = parse_finding(text, kb)
        doc = recommend(finding, kb, options=RecommendOptions(), simulate=False)
    except EconsecError:
        return None
    doc["command"] = f"econsec recommend --finding {finding.ref}"
    return doc
