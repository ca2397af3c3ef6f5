"""The commodity list (``econsec commodities``)."""

from __future__ import annotations

from econsec.analyses.models import CommodityListItem
from econsec.kb.protocol import KnowledgeBase


def commodity_list(kb: KnowledgeBase) -> list[CommodityListItem]:
    """Every item with observations: id, names (en/ja), and per measure the years available."""
    return [
        CommodityListItem(id=row["id"], name_en=row["name_en"], name_ja=row["name_ja"],
                          measures=row["years"])
        for row in kb.commodity_summary()
        if row["years"]
    ]
