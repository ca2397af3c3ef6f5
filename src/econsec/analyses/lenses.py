"""The three lenses (external dependence, domestic advantage, disruptive innovation)
applied to every commodity of a home country's dependence table."""

from __future__ import annotations

from typing import Any

from econsec.indicators.criticality import (
    ItemMetrics,
    Lens,
    Thresholds,
    classify_lenses,
)

LENS_KEYS = {
    Lens.EXTERNAL_DEPENDENCE: "external_dependence",
    Lens.DOMESTIC_ADVANTAGE: "domestic_advantage",
    Lens.DISRUPTIVE_INNOVATION: "disruptive_innovation",
}


def lens_table(
    store: Any, home: str, dependence: dict[str, Any], thresholds: Thresholds | None = None
) -> dict[str, Any]:
    """Per commodity: each lens's flag and the reasons (metric, value, threshold)."""
    thresholds = thresholds or Thresholds()
    domains = {item.id: tuple(d for d in item.domain.split(";") if d) for item in store.items()}
    rows = []
    for row in dependence["rows"]:
        metrics = ItemMetrics(
            item=row["commodity"], home=dependence["home"], home_share=row["home_share"],
            home_rank=row["home_rank"], outside_share=row["outside_share"], hhi=row["hhi"],
            net_import_reliance=row["net_import_reliance"],
            domains=domains.get(row["commodity"], ()),
            home_share_by_year=row["home_share_by_year"],
        )
        result = classify_lenses(metrics, thresholds)
        entry: dict[str, Any] = {
            "commodity": row["commodity"], "name_en": row["name_en"], "name_ja": row["name_ja"],
            "home_share": row["home_share"], "home_rank": row["home_rank"],
            "outside_share": row["outside_share"], "hhi": row["hhi"],
            "net_import_reliance": row["net_import_reliance"],
            "domains": list(metrics.domains),
        }
        for lens, key in LENS_KEYS.items():
            flag = next((f for f in result.flags if f.lens is lens), None)
            entry[key] = flag is not None
            entry[key + "_reason"] = "; ".join(flag.reasons) if flag else ""
        rows.append(entry)
    rows.sort(key=lambda r: (not r["external_dependence"], not r["domestic_advantage"],
                             r["commodity"]))
    return {"home": dependence["home"], "thresholds": thresholds.to_dict(), "rows": rows}
