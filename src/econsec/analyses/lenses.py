"""The three lenses (external dependence, domestic advantage, disruptive innovation)
applied to every commodity of a home country's dependence table."""

from __future__ import annotations

from typing import Any

from econsec.analyses.models import (
    DependenceRow,
    DependenceTable,
    LensRow,
    LensTable,
    LensThresholds,
)
from econsec.indicators.criticality import (
    ItemMetrics,
    Lens,
    Thresholds,
    classify_lenses,
)
from econsec.kb.protocol import KnowledgeBase

LENS_KEYS = {
    Lens.EXTERNAL_DEPENDENCE: "external_dependence",
    Lens.DOMESTIC_ADVANTAGE: "domestic_advantage",
    Lens.DISRUPTIVE_INNOVATION: "disruptive_innovation",
}


def lens_table(
    kb: KnowledgeBase, home: str, dependence: DependenceTable,
    thresholds: Thresholds | None = None,
) -> LensTable:
    """Per commodity: each lens's flag and the reasons (metric, value, threshold)."""
    thresholds = thresholds or Thresholds()
    domains = {item.id: tuple(d for d in item.domain.split(";") if d) for item in kb.items()}
    rows = []
    for row in dependence.rows:
        metrics = ItemMetrics(
            item=row.commodity, home=dependence.home, home_share=row.home_share,
            home_rank=row.home_rank, outside_share=row.outside_share, hhi=row.hhi,
            net_import_reliance=row.net_import_reliance,
            domains=domains.get(row.commodity, ()),
            home_share_by_year=row.home_share_by_year,
            **trade_metrics(row),
        )
        result = classify_lenses(metrics, thresholds)
        flags = {lens: next((f for f in result.flags if f.lens is lens), None)
                 for lens in LENS_KEYS}
        reasons = {lens: "; ".join(flag.reasons) if flag else "" for lens, flag in flags.items()}
        rows.append(LensRow(
            commodity=row.commodity, name_en=row.name_en, name_ja=row.name_ja,
            home_share=row.home_share, home_rank=row.home_rank,
            outside_share=row.outside_share, hhi=row.hhi,
            net_import_reliance=row.net_import_reliance,
            domains=list(metrics.domains),
            external_dependence=flags[Lens.EXTERNAL_DEPENDENCE] is not None,
            external_dependence_reason=reasons[Lens.EXTERNAL_DEPENDENCE],
            domestic_advantage=flags[Lens.DOMESTIC_ADVANTAGE] is not None,
            domestic_advantage_reason=reasons[Lens.DOMESTIC_ADVANTAGE],
            disruptive_innovation=flags[Lens.DISRUPTIVE_INNOVATION] is not None,
            disruptive_innovation_reason=reasons[Lens.DISRUPTIVE_INNOVATION],
            net_exporter=row.net_exporter, trade_label=trade_label(row),
        ))
    rows.sort(key=lambda r: (not r.external_dependence, not r.domestic_advantage, r.commodity))
    return LensTable(
        home=dependence.home,
        thresholds=LensThresholds(
            outside_share=thresholds.outside_share, hhi=thresholds.hhi,
            net_import_reliance=thresholds.net_import_reliance,
            advantage_share=thresholds.advantage_share,
            advantage_rank=thresholds.advantage_rank,
            advantage_rank_min_share=thresholds.advantage_rank_min_share,
            innovation_domains=sorted(thresholds.innovation_domains),
            share_growth=thresholds.share_growth,
            net_exporter_rank=thresholds.net_exporter_rank,
        ),
        rows=rows,
    )


def trade_label(row: DependenceRow) -> str:
    """What a row's trade figures are of: "refined metal, HS17 810820, 2024"."""
    stage = next((s for s in row.trade_stages if s.stage == row.trade_stage), None)
    if stage is None:
        return ""
    codes = f" {'+'.join(stage.hs_codes)}" if stage.hs_codes else ""
    return f"{stage.stage}, {stage.hs_version}{codes}, {stage.year}"


def trade_metrics(row: DependenceRow) -> dict[str, Any]:
    """The trade position the lenses read (:class:`ItemMetrics`' trade fields)."""
    stage = next((s for s in row.trade_stages if s.stage == row.trade_stage), None)
    if stage is None:
        return {"net_exporter": row.net_exporter}
    return {"net_exporter": row.net_exporter, "import_outside_share": stage.outside_share,
            "import_hhi": stage.hhi, "trade_label": trade_label(row)}
