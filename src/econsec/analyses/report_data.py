"""The data behind the criticality report: one JSON-ready dictionary.

Only analyses are called here; the report module renders the result.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from econsec.analyses.commodity_profile import commodity_profile
from econsec.analyses.dependence import dependence_table
from econsec.analyses.eu_crm import screening_matrix
from econsec.analyses.lenses import lens_table
from econsec.analyses.provenance import source_dicts

Progress = Callable[[str, int, int], None]

#: A series enters the HHI ranking only when at least this many countries report it.
MIN_REPORTING_COUNTRIES = 3


def report_data(
    store: Any, *, home: str = "JPN", progress: Progress | None = None,
    today: date | None = None,
) -> dict[str, Any]:
    """Profiles of every commodity, HHI ranking, matrix, lenses, dependence and sources."""
    notify = progress or (lambda step, done, total: None)
    countries = {c.iso3: c for c in store.countries()}
    if home not in countries:
        from econsec.datasets.countries import resolve_country

        home = resolve_country(home)
    items = [row["id"] for row in store.commodity_summary() if row["years"]]
    profiles = []
    for i, item_id in enumerate(items, 1):
        profiles.append(commodity_profile(store, item_id))
        notify("commodity profiles", i, len(items))
    notify("assessments", 0, 3)
    dependence = dependence_table(store, home, profiles=profiles)
    notify("assessments", 1, 3)
    lenses = lens_table(store, home, dependence)
    notify("assessments", 2, 3)
    matrix = screening_matrix(store)
    notify("assessments", 3, 3)
    h = countries[home]
    return {
        "generated": (today or date.today()).isoformat(),
        "home": {"iso3": h.iso3, "name_en": h.name_en, "name_ja": h.name_ja},
        "countries": {c.iso3: {"en": c.name_en, "ja": c.name_ja} for c in countries.values()},
        "commodities": profiles,
        "hhi_ranking": hhi_ranking(profiles, home, countries),
        "matrix": matrix,
        "lenses": lenses,
        "dependence": dependence,
        "sources": source_dicts(store.sources()),
    }


def hhi_ranking(
    profiles: list[dict[str, Any]], home: str, countries: dict[str, Any]
) -> list[dict[str, Any]]:
    """Commodities by HHI of their headline supply measure, most concentrated first."""
    rows = []
    for p in profiles:
        s = p["measures"].get("production") or p["measures"].get("refinery")
        if not s or len(s["shares"]) < MIN_REPORTING_COUNTRIES:
            continue  # a U.S.-only series says nothing about world concentration
        top = s["shares"][0]
        home_share = next((r["share"] for r in s["shares"] if r["iso3"] == home), 0.0)
        rows.append({
            "commodity": p["commodity"], "name_en": p["name_en"], "name_ja": p["name_ja"],
            "measure": s["measure"], "year": s["year"], "hhi": s["hhi"],
            "top_iso3": top["iso3"], "top_name_en": top["country"],
            "top_name_ja": top["country_ja"], "top_share": top["share"],
            "home_share": home_share,
        })
    return sorted(rows, key=lambda r: -r["hhi"])
