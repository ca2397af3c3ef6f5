"""A country seen from a home country: the five perspectives of the action plan's regional
strategy, each with its evidence, a 0-100 score, its band and formula
(``econsec region``, ``GET /api/v1/regions/{iso3}``, ``/regions/{iso3}``).

(1) technology cooperation (:mod:`econsec.regions.technology`), (2) raw materials
(:mod:`econsec.regions.materials`), (3) supply chains and sea lanes
(:mod:`econsec.regions.supply_chains`), (4) market creation (:mod:`econsec.regions.market`),
(5) information sharing (:mod:`econsec.regions.information`). Bands: :data:`BANDS`.
"""

from __future__ import annotations

from collections.abc import Sequence

from econsec.analyses.country_profile import all_commodity_profiles, country_profile
from econsec.analyses.models import CommodityProfile, DependenceTable
from econsec.analyses.provenance import source_infos
from econsec.datasets.maritime import CHOKEPOINTS_SOURCE, LANES_SOURCE, PORTS_SOURCE
from econsec.datasets.nsf_sei import SOURCE_KEY as SEI_SOURCE
from econsec.errors import ValidationError
from econsec.i18n.terms import N_
from econsec.kb.protocol import KnowledgeBase
from econsec.records import Source
from econsec.regions.home_trade import SOURCE_KEY as BACI_SOURCE
from econsec.regions.home_trade import HomeTrade, home_trade
from econsec.regions.information import information_perspective
from econsec.regions.market import market_perspective
from econsec.regions.materials import materials_perspective
from econsec.regions.models import RegionProfile
from econsec.regions.scoring import BANDS
from econsec.regions.sea_lanes import SeaLaneGraph, sea_lanes
from econsec.regions.supply_chains import supply_chain_perspective
from econsec.regions.technology import technology_perspective

NOTES = [
    N_("Trade figures are CEPII BACI (HS 1992) for the bundled critical raw-material products "
    "only, not the countries' whole trade."),
    N_("Sea routes are a model of typical routes over a curated graph of sea regions, not AIS "
    "data; ports are weighted by WPI harbour size (the WPI has no throughput)."),
    N_("Scores rank partners on one perspective each; they are not probabilities and do not add "
    "up across perspectives."),
]


def sources_of(kb: KnowledgeBase, keys: Sequence[str]) -> list[Source]:
    """The source records of ``keys``: from the knowledge base, else from the bundled list
    (a knowledge base built before a data set was bundled lacks its record)."""
    from econsec.datasets.sources import source

    found = {s.key: s for s in kb.sources(keys)}
    out = []
    for key in dict.fromkeys(keys):
        if key in found:
            out.append(found[key])
        else:
            try:
                out.append(source(key))
            except Exception:
                continue
    return out


def region_profile(kb: KnowledgeBase, country: str, *, home: str = "JPN",
                   profiles: Sequence[CommodityProfile] | None = None,
                   dependence: DependenceTable | None = None,
                   imports: HomeTrade | None = None, exports: HomeTrade | None = None,
                   sea: SeaLaneGraph | None = None) -> RegionProfile:
    """``country`` (ISO code or name) seen from ``home``. The optional arguments reuse work
    (the web app passes its cached commodity profiles, dependence table and home trade).
    Raises :class:`~econsec.errors.UnknownCountryError` with close matches, and
    :class:`~econsec.errors.ValidationError` when the country is the home country."""
    iso3 = kb.resolve_country(country)
    home_iso3 = kb.resolve_country(home)
    if iso3 == home_iso3:
        raise ValidationError("country %(iso3)s is the home country; choose another country "
                              "or another home (--home)", params={"iso3": iso3})
    c, h = kb.country(iso3), kb.country(home_iso3)
    if profiles is None:
        profiles = all_commodity_profiles(kb)
    if dependence is None or dependence.home != home_iso3:
        # the region view reads neither the home's dependence rows nor what it depends on
        # this country for (the country page shows that): an empty table saves computing it
        dependence = DependenceTable(home=home_iso3, home_name=h.name_en,
                                     home_name_ja=h.name_ja, partners=[], partner_groups=[],
                                     columns=[], rows=[], sources=[])
    cp = country_profile(kb, iso3, home=home_iso3, profiles=profiles, dependence=dependence)
    imports = imports if imports is not None else home_trade(kb, home_iso3, "imports")
    exports = exports if exports is not None else home_trade(kb, home_iso3, "exports")
    sea = sea or sea_lanes()
    materials = materials_perspective(kb, cp, profiles, imports)
    keys = [SEI_SOURCE, *(r.source for r in materials.produces),
            *([materials.wgi_source] if materials.wgi_source else []), BACI_SOURCE,
            PORTS_SOURCE, CHOKEPOINTS_SOURCE, LANES_SOURCE, "econsec-curated"]
    return RegionProfile(
        iso3=iso3, name_en=c.name_en, name_ja=c.name_ja, home=home_iso3,
        home_name_en=h.name_en, home_name_ja=h.name_ja, bands=list(BANDS),
        technology=technology_perspective(kb.technology_indicators(), iso3, home_iso3),
        materials=materials,
        supply_chains=supply_chain_perspective(sea, iso3, home_iso3, imports),
        market=market_perspective(exports, iso3),
        information=information_perspective(kb, iso3, home_iso3),
        notes=list(NOTES), sources=source_infos(sources_of(kb, keys)))
