"""Dependence and indispensability of a home country over all commodities.

For each commodity the headline supply series (production, else refinery production) of
its latest year is profiled with :func:`econsec.indicators.criticality.dependence_profile`:
home share and rank (indispensability), top supplier, HHI, share held by the home
country's partners and by others (dependence), governance-weighted HHI, and the home
country's net import reliance where USGS publishes one (United States only).

Partners are the members of every group the home country belongs to among
:data:`PARTNER_GROUPS` (for Japan: G7, Quad, OECD).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from econsec.analyses.commodity_profile import commodity_profile
from econsec.analyses.governance import scaled_wgi
from econsec.analyses.observations import newest_release
from econsec.datasets.countries import resolve_country
from econsec.indicators.criticality import dependence_profile
from econsec.records import Measure

PARTNER_GROUPS = ("G7", "Quad", "EU27", "OECD")

COLUMNS = (
    "commodity", "measure", "year", "home_share", "home_rank", "top_supplier", "top_share",
    "hhi", "partner_share", "outside_share", "top_outside_supplier",
    "governance_weighted_hhi", "net_import_reliance",
)


def partners_of(store: Any, home: str, groups: Sequence[str] = PARTNER_GROUPS) -> set[str]:
    """Members of every group in ``groups`` that ``home`` belongs to (home excluded)."""
    members: set[str] = set()
    for group in groups:
        group_members = set(store.group_members(group))
        if home in group_members:
            members |= group_members
    return members - {home}


def dependence_table(
    store: Any, home: str, *, profiles: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The home country's dependence profile for every commodity with supply data."""
    home = resolve_country(home)
    partners = partners_of(store, home)
    wgi = scaled_wgi(store)
    nir = _net_import_reliance(store, home)
    if profiles is None:
        profiles = [commodity_profile(store, row["id"]) for row in store.commodity_summary()
                    if row["years"]]
    rows = []
    for profile in profiles:
        series = profile["measures"].get("production") or profile["measures"].get("refinery")
        if not series or not series["shares"]:
            continue
        production = {r["iso3"]: r["value"] for r in series["shares"]}
        covered = all(c in wgi for c in production)
        result = dependence_profile(
            production, home, partners,
            wgi_scaled=wgi if covered else None,
            total=series["total"] if series["basis"] == "world-total" else None,
            net_import_reliance=nir.get(profile["commodity"]),
            item=profile["commodity"],
        )
        row = result.to_dict()
        row.update({
            "commodity": profile["commodity"], "name_en": profile["name_en"],
            "name_ja": profile["name_ja"], "measure": series["measure"],
            "year": series["year"], "unit": series["unit"],
            "sources": [s["key"] for s in series["sources"]],
            "home_share_by_year": _home_share_by_year(profile, home),
        })
        rows.append(row)
    rows.sort(key=lambda r: (-r["outside_share"] * r["hhi"], r["commodity"]))
    home_country = store.country(home)
    return {
        "home": home,
        "home_name": home_country.name_en,
        "home_name_ja": home_country.name_ja,
        "partners": sorted(partners),
        "partner_groups": [g for g in PARTNER_GROUPS if home in set(store.group_members(g))],
        "columns": list(COLUMNS),
        "rows": rows,
        "sources": sorted({k for r in rows for k in r["sources"]}),
    }


def _home_share_by_year(profile: dict[str, Any], home: str) -> dict[int, float]:
    trend = profile["trend"]
    world = next((s for s in trend["series"] if s["is_world_total"]), None)
    mine = next((s for s in trend["series"] if s["key"] == home), None)
    if not world or not mine:
        return {}
    return {
        year: h / w
        for year, h, w in zip(trend["years"], mine["values"], world["values"], strict=True)
        if h is not None and w
    }


def _net_import_reliance(store: Any, home: str) -> dict[str, float]:
    """Latest published net import reliance (fraction) of ``home`` per commodity."""
    source_years = {s.key: s.year for s in store.sources()}
    latest: dict[str, tuple[int, float]] = {}
    for item in store.items():
        observations = newest_release(
            store.observations(item.id, measure=Measure.NET_IMPORT_RELIANCE), source_years
        )
        for obs in observations:
            if obs.iso3 == home and obs.value is not None:
                year, _ = latest.get(item.id, (0, 0.0))
                if obs.year >= year:
                    latest[item.id] = (obs.year, obs.value / 100.0)
    return {k: v for k, (_, v) in latest.items()}
