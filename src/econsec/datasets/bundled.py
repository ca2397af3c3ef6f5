"""Load every bundled data set into one :class:`~econsec.records.Bundle`."""

from __future__ import annotations

from collections.abc import Callable

from econsec.datasets._csv import data_dir
from econsec.datasets.baci import load_baci_hs17, load_baci_hs92, load_commodity_products
from econsec.datasets.countries import countries, extra_areas
from econsec.datasets.country_risk import load_country_risk
from econsec.datasets.items import load_items
from econsec.datasets.sources import sources
from econsec.datasets.trade import load_us_import_shares
from econsec.datasets.usgs import load_mcs2025_salient, load_mcs2025_world, load_mcs_world
from econsec.datasets.wgi import load_wgi
from econsec.records import Bundle

Progress = Callable[[str, int, int], None]

__all__ = ["Progress", "data_dir", "load_bundled"]


def load_bundled(progress: Progress | None = None) -> Bundle:
    """Sources, countries, items, USGS observations, US trade shares, BACI product flows
    and the commodity ↔ HS crosswalk, WGI and OECD CRC.

    ``progress(step_name, done, total)`` is called after each step.
    """
    bundle = Bundle()
    steps: list[tuple[str, Callable[[], None]]] = [
        ("sources", lambda: bundle.sources.extend(sources())),
        ("countries", lambda: bundle.countries.extend([*countries(), *extra_areas()])),
        ("items", lambda: bundle.items.extend(load_items())),
        ("usgs-mcs-2025-world", lambda: bundle.observations.extend(load_mcs2025_world())),
        ("usgs-mcs-2024-world", lambda: bundle.observations.extend(load_mcs_world(2024))),
        ("usgs-mcs-2023-world", lambda: bundle.observations.extend(load_mcs_world(2023))),
        ("usgs-mcs-2025-salient", lambda: bundle.observations.extend(load_mcs2025_salient())),
        ("us-import-shares", lambda: bundle.trade_flows.extend(load_us_import_shares())),
        ("cepii-baci-hs92", lambda: bundle.flow_tables.append(load_baci_hs92())),
        ("cepii-baci-hs17", lambda: bundle.flow_tables.append(load_baci_hs17())),
        ("trade-crosswalk", lambda: bundle.commodity_products.extend(
            load_commodity_products(i.id for i in bundle.items))),
        ("wgi-2023", lambda: bundle.governance.extend(load_wgi())),
        ("oecd-crc", lambda: bundle.country_risk.extend(load_country_risk())),
    ]
    for done, (name, step) in enumerate(steps, start=1):
        step()
        if progress is not None:
            progress(name, done, len(steps))
    return bundle
