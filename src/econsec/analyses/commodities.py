"""The commodity list (``econsec commodities``)."""

from __future__ import annotations

from typing import Any


def commodity_list(store: Any) -> list[dict[str, Any]]:
    """Every item with observations: id, names (en/ja), and per measure the years available."""
    return [
        {
            "id": row["id"],
            "name_en": row["name_en"],
            "name_ja": row["name_ja"],
            "measures": row["years"],
        }
        for row in store.commodity_summary()
        if row["years"]
    ]
