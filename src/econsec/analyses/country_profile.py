"""Everything the country page and ``GET /api/v1/countries/{iso3}`` show about one country.

- identity: ISO alpha-3 code, English and Japanese names (CLDR);
- groups: membership of G7, Quad, EU27, OECD and ASEAN, and of Japan's export-control
  "Group A" (the countries listed in Appended Table 3 of the Export Trade Control Order,
  bundled as the group ``jp-export-group-a``); Japan's own page says the list is its own
  (``export_control.status == "issuer"``) instead of "not a member";
- governance: the six WGI estimates of the latest year with all six (Kaufmann, Kraay &
  Mastruzzi 2010), their year and source, and the EU CRM scaled WGI
  ``5 − 2 · mean`` clipped to 0-10 (EC 2017);
- OECD country risk category (0-7) of the latest classification;
- ``produces``: per commodity the country's world share and rank in the latest year of the
  headline supply series (production, else refinery production) and of refinery production,
  sorted by share;
- ``home_depends_on``: commodities for which the country is the top supplier or holds at
  least :data:`SUPPLIER_THRESHOLD` of world supply, with the home country's position from
  :func:`econsec.analyses.dependence.dependence_table` (home share, partner and outside
  shares, whether this country is a partner of the home country);
- ``energy`` and ``space``: the electricity generation mix and its trend (Ember) and the
  orbital launch record (JSR) of :mod:`econsec.analyses.energy_space`;
- ``sources``: every data set a figure came from.

Shares are those of :func:`econsec.analyses.shares.commodity_shares` (fractions of the
published world total where there is one).
"""

from __future__ import annotations

from collections.abc import Sequence

from econsec.analyses.commodity_profile import commodity_profile
from econsec.analyses.dependence import dependence_table, partners_of
from econsec.analyses.energy_space import energy_profile, space_profile
from econsec.analyses.governance import WGI_DIMENSIONS
from econsec.analyses.models import (
    CommodityProfile,
    CountryProfile,
    CountryRiskInfo,
    DependenceTable,
    ExportControl,
    Governance,
    HomeDependency,
    ProducedCommodity,
    ShareRow,
    Shares,
)
from econsec.analyses.provenance import source_infos
from econsec.errors import NotFoundError
from econsec.i18n.terms import N_
from econsec.indicators.eu_crm import wgi_scaled
from econsec.kb.protocol import KnowledgeBase

#: Partner and regional groups reported, in this order (bundled group names, lower case).
GROUPS = ("g7", "quad", "eu27", "oecd", "asean")
#: Japan's export-control Group A (former "white countries"), bundled as a group.
EXPORT_CONTROL_GROUP = "jp-export-group-a"
EXPORT_CONTROL_NAME = ("Japan export control Group A (Export Trade Control Order, "
                       "Appended Table 3)")
#: The country whose list Group A is: it is neither a member nor a non-member of its own list.
EXPORT_CONTROL_ISSUER = "JPN"
#: ``export_control.status`` → the wording pages and reports show (translated with ``_()``).
EXPORT_CONTROL_STATUS = {
    "member": N_("member"),
    "not-member": N_("not a member"),
    "issuer": N_("home country (the list is Japan's own)"),
}
#: A country is a "major supplier" of a commodity from this world share upwards.
SUPPLIER_THRESHOLD = 0.25
#: Measures whose shares describe what a country produces.
PRODUCE_MEASURES = ("production", "refinery")


def all_commodity_profiles(kb: KnowledgeBase) -> list[CommodityProfile]:
    """:func:`commodity_profile` of every commodity with observations (the shared input of
    :func:`country_profile` and :func:`~econsec.analyses.dependence.dependence_table`)."""
    return [commodity_profile(kb, row["id"]) for row in kb.commodity_summary()
            if row["years"]]


def country_profile(
    kb: KnowledgeBase,
    iso3_or_name: str,
    *,
    home: str = "JPN",
    profiles: Sequence[CommodityProfile] | None = None,
    dependence: DependenceTable | None = None,
) -> CountryProfile:
    """The profile of a country (ISO code or name in any bundled spelling).

    ``profiles`` (from :func:`all_commodity_profiles`) and ``dependence`` (the home
    country's :func:`dependence_table`) may be passed to reuse work; they are computed
    otherwise. Raises :class:`~econsec.errors.UnknownCountryError` with close matches.
    """
    iso3 = kb.resolve_country(iso3_or_name)
    country = kb.country(iso3)
    home = kb.resolve_country(home)
    if profiles is None:
        profiles = all_commodity_profiles(kb)
    if dependence is None or dependence.home != home:
        dependence = dependence_table(kb, home, profiles=profiles)
    source_keys: set[str] = set()

    groups = {}
    for group in (*GROUPS, EXPORT_CONTROL_GROUP):
        try:
            groups[group] = iso3 in set(kb.group_members(group))
        except NotFoundError:  # a knowledge base without the curated groups
            groups[group] = False
    if any(groups.values()):
        source_keys.add("econsec-curated")

    governance = _governance(kb, iso3)
    if governance:
        source_keys.add(governance.source)
    risk = _country_risk(kb, iso3)
    if risk:
        source_keys.add(risk.source)

    produces = _produces(profiles, iso3)
    source_keys.update(k for row in produces for k in row.sources)
    depends = [] if iso3 == home else _home_depends_on(profiles, dependence, iso3)
    source_keys.update(k for dep in depends for k in dep.sources)
    partners = partners_of(kb, home)
    energy = energy_profile(kb, iso3)
    space = space_profile(kb, iso3)
    source_keys.update(s.key for part in (energy, space) if part for s in part.sources)
    return CountryProfile(
        iso3=country.iso3,
        iso2=country.iso2,
        name_en=country.name_en,
        name_ja=country.name_ja,
        groups=[g for g in GROUPS if groups[g]],
        group_membership={g: groups[g] for g in GROUPS},
        export_control=export_control_status(iso3, groups[EXPORT_CONTROL_GROUP]),
        governance=governance,
        country_risk=risk,
        home=home,
        is_home=iso3 == home,
        is_partner_of_home=iso3 in partners,
        supplier_threshold=SUPPLIER_THRESHOLD,
        produces=produces,
        home_depends_on=depends,
        energy=energy,
        space=space,
        sources=source_infos(kb.sources(source_keys)) if source_keys else [],
    )


def export_control_status(iso3: str, member: bool) -> ExportControl:
    """Japan's Group A seen from ``iso3``: ``status`` is ``"member"``, ``"not-member"`` or,
    for Japan itself, ``"issuer"`` (``group_a`` is then ``None``: the list is Japan's own,
    so membership does not apply); ``status_text`` is the English wording."""
    if iso3 == EXPORT_CONTROL_ISSUER:
        return ExportControl(regime=EXPORT_CONTROL_GROUP, name=EXPORT_CONTROL_NAME,
                             issuer=EXPORT_CONTROL_ISSUER, group_a=None, status="issuer",
                             status_text=EXPORT_CONTROL_STATUS["issuer"])
    status = "member" if member else "not-member"
    return ExportControl(regime=EXPORT_CONTROL_GROUP, name=EXPORT_CONTROL_NAME,
                         issuer=EXPORT_CONTROL_ISSUER, group_a=member,
                         status="member" if member else "not-member",
                         status_text=EXPORT_CONTROL_STATUS[status])


def _governance(kb: KnowledgeBase, iso3: str) -> Governance | None:
    """The six WGI estimates of the latest year with all six, their year and source."""
    by_year: dict[tuple[int, str], dict[str, float]] = {}
    for score in kb.governance_scores(iso3):
        by_year.setdefault((score.year, score.source_key), {})[score.dimension] = score.estimate
    complete = [k for k, dims in by_year.items() if all(d in dims for d in WGI_DIMENSIONS)]
    if not complete:
        return None
    year, source = max(complete)
    estimates = {d: by_year[(year, source)][d] for d in WGI_DIMENSIONS}
    return Governance(
        year=year,
        source=source,
        estimates=estimates,
        mean=sum(estimates.values()) / len(estimates),
        scaled_0_10=wgi_scaled(list(estimates.values())),
    )


def _country_risk(kb: KnowledgeBase, iso3: str) -> CountryRiskInfo | None:
    """The latest OECD country risk classification (0 lowest risk … 7 highest)."""
    rows = [r for r in kb.country_risk() if r.iso3 == iso3]
    if not rows:
        return None
    latest = max(rows, key=lambda r: r.valid_from)
    return CountryRiskInfo(category=latest.category, valid_from=latest.valid_from,
                           source=latest.source_key, note=latest.note)


def _position(series: Shares, iso3: str) -> tuple[ShareRow, int] | None:
    for rank, row in enumerate(series.shares, start=1):
        if row.iso3 == iso3:
            return row, rank
    return None


def _produces(profiles: Sequence[CommodityProfile], iso3: str) -> list[ProducedCommodity]:
    rows = []
    for profile in profiles:
        for measure in PRODUCE_MEASURES:
            series = profile.measures.get(measure)
            found = _position(series, iso3) if series else None
            if not series or not found or not found[0].value:
                continue
            row, rank = found
            rows.append(ProducedCommodity(
                commodity=profile.commodity,
                name_en=profile.name_en,
                name_ja=profile.name_ja,
                measure=measure,
                year=series.year,
                value=row.value,
                unit=series.unit,
                share=row.share,
                rank=rank,
                producers=len(series.shares),
                basis=series.basis,
                hhi=series.hhi,
                sources=[s.key for s in series.sources],
            ))
    rows.sort(key=lambda r: (-r.share, r.commodity, r.measure))
    return rows


def _home_depends_on(profiles: Sequence[CommodityProfile], dependence: DependenceTable,
                     iso3: str) -> list[HomeDependency]:
    by_id = {p.commodity: p for p in profiles}
    out = []
    for dep in dependence.rows:
        series = by_id[dep.commodity].measures.get(dep.measure)
        found = _position(series, iso3) if series else None
        if not found:
            continue
        row, rank = found
        top = dep.top_supplier == iso3
        if not top and row.share < SUPPLIER_THRESHOLD:
            continue
        out.append(HomeDependency(
            commodity=dep.commodity,
            name_en=dep.name_en,
            name_ja=dep.name_ja,
            measure=dep.measure,
            year=dep.year,
            share=row.share,
            rank=rank,
            is_top_supplier=top,
            home_share=dep.home_share,
            home_rank=dep.home_rank,
            partner_share=dep.partner_share,
            outside_share=dep.outside_share,
            hhi=dep.hhi,
            net_import_reliance=dep.net_import_reliance,
            top_import_source=dep.top_import_source,
            top_import_share=dep.top_import_share,
            sources=list(dep.sources),
        ))
    out.sort(key=lambda r: (-r.share, r.commodity))
    return out
