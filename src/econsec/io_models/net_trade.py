"""A region's net trade in one industry's products from the bundled OECD ICIO 2022 table.

For commodities without an HS code in the bundled trade data (steel, pig iron) the
dependence analysis asks whether the home country exports more of the making industry's
output than it imports; the presenters hand it :func:`icio_net_trade`."""

from __future__ import annotations

from functools import lru_cache

#: The data set the figures come from (its source record).
SOURCE_KEY = "oecd-icio-2022"
YEAR = 2022
UNIT = "million USD"


@lru_cache(maxsize=64)
def icio_net_trade(region: str, industry: str) -> tuple[float, float] | None:
    """``(sales abroad, purchases from abroad)`` of ``industry``'s products by ``region``
    in million USD: its intermediate sales to other regions and other regions'
    intermediate sales of that industry to it (``bundled:icio-2022``; the table splits no
    final demand by destination, so sales to final buyers abroad are left out on both
    sides). ``None`` when the region or industry is not in the table."""
    from econsec.io_models.icio import load_icio_2022

    mrio = load_icio_2022()
    if region not in mrio.regions or industry not in mrio.sectors:
        return None
    n = len(mrio.sectors)
    r, s = mrio.region_index(region), mrio.sector_index(industry)
    own = slice(r * n, (r + 1) * n)
    row = r * n + s
    exports = float(mrio.Z[row, :].sum() - mrio.Z[row, own].sum())
    others = [k * n + s for k in range(len(mrio.regions)) if k != r]
    imports = float(mrio.Z[others, own].sum())
    return exports, imports
