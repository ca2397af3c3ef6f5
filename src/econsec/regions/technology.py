"""Perspective (1), technology cooperation: complementary strengths by field.

For every field of the NSF NCSES tables (:data:`econsec.datasets.nsf_sei.FIELDS`) one
indicator is read: USPTO patents for the technology fields, S&E articles for the science
fields (the first the field has). Each side's world share in the latest year both have, and
its revealed technological advantage RTA = share in the field / share in all fields of the
same indicator (the "all fields" USPTO table; the sum of the 14 article tables). A field is
"partner-strong" when the partner's RTA ≥ :data:`RTA_THRESHOLD` and the home country's is
below, "home-strong" the other way round, "both-strong" or "neither".

Score = 50 · min(1, partner's all-field share / :data:`SCALE_SHARE`) + 50 · (complementary
fields / fields with data for both), complementary = partner-strong or home-strong.
"""

from __future__ import annotations

from collections.abc import Mapping

from econsec.datasets.nsf_sei import ALL_ARTICLE_TABLES, FIELDS, SOURCE_KEY, SeiData, SeiField
from econsec.i18n.terms import N_
from econsec.indicators.technology import combine
from econsec.regions.models import TechFieldRow, TechnologyPerspective
from econsec.regions.scoring import score

RTA_THRESHOLD = 1.0
SCALE_SHARE = 0.05
FORMULA = N_("50 × min(1, partner all-field world share / 5%) + 50 × complementary fields / "
           "fields with data for both (complementary: RTA ≥ 1 on one side only)")

Series = dict[str, dict[int, float | None]]


def _indicator(spec: SeiField) -> tuple[str, tuple[int, ...]] | None:
    tables = spec.tables()
    for indicator in ("uspto", "articles", "pct"):
        if indicator in tables:
            return indicator, tables[indicator]
    return None


def _series(data: SeiData, tables: tuple[int, ...], wanted: tuple[str, ...]
            ) -> tuple[Series, dict[int, float | None]]:
    parts = [data.table(t) for t in tables]
    countries = combine([{c: p.countries.get(c, {}) for c in wanted} for p in parts])
    world = combine([{"": p.world} for p in parts]).get("", {})
    return countries, world


def _share(values: Mapping[int, float | None], world: Mapping[int, float | None],
           year: int) -> float | None:
    v, w = values.get(year), world.get(year)
    if v is None or w is None or w <= 0:
        return None
    return v / w


def _latest(a: Mapping[int, float | None], b: Mapping[int, float | None],
            world: Mapping[int, float | None]) -> int | None:
    years = [y for y in world if a.get(y) is not None and b.get(y) is not None
             and (world.get(y) or 0) > 0]
    return max(years) if years else None


def technology_perspective(data: SeiData, partner: str, home: str) -> TechnologyPerspective:
    """The technology perspective of ``partner`` seen from ``home`` (ISO alpha-3)."""
    wanted = (partner, home)
    totals = {"uspto": _series(data, FIELDS[0].tables()["uspto"], wanted),
              "articles": _series(data, ALL_ARTICLE_TABLES, wanted),
              "pct": _series(data, FIELDS[0].tables()["pct"], wanted)}
    rows: list[TechFieldRow] = []
    for spec in FIELDS[1:]:
        found = _indicator(spec)
        if found is None:
            continue
        indicator, tables = found
        values, world = _series(data, tables, wanted)
        all_values, all_world = totals[indicator]
        p, h = values.get(partner, {}), values.get(home, {})
        year = _latest(p, h, world)
        label = ", ".join(data.tables[t].number for t in tables)
        if year is None:
            rows.append(TechFieldRow(field=spec.id, name_en=spec.name_en, name_ja=spec.name_ja,
                                     indicator=indicator, table=label, year=None,
                                     partner_share=None, home_share=None, partner_rta=None,
                                     home_rta=None, relation="no-data"))
            continue
        ps, hs = _share(p, world, year), _share(h, world, year)
        pa = _share(all_values.get(partner, {}), all_world, year)
        ha = _share(all_values.get(home, {}), all_world, year)
        prta = ps / pa if ps is not None and pa else None
        hrta = hs / ha if hs is not None and ha else None
        relation = "no-data"
        if prta is not None and hrta is not None:
            strong_p, strong_h = prta >= RTA_THRESHOLD, hrta >= RTA_THRESHOLD
            relation = ("both-strong" if strong_p and strong_h else
                        "partner-strong" if strong_p else
                        "home-strong" if strong_h else "neither")
        rows.append(TechFieldRow(field=spec.id, name_en=spec.name_en, name_ja=spec.name_ja,
                                 indicator=indicator, table=label, year=year,
                                 partner_share=ps, home_share=hs, partner_rta=prta,
                                 home_rta=hrta, relation=relation))
    known = [r for r in rows if r.relation != "no-data"]
    complementary = sum(r.relation in ("partner-strong", "home-strong") for r in known)
    # the partner's scale: its all-field share of articles (every country has articles)
    art_values, art_world = totals["articles"]
    series = art_values.get(partner, {})
    years = [y for y in art_world if series.get(y) is not None and (art_world.get(y) or 0) > 0]
    all_year = max(years) if years else None
    all_share = _share(series, art_world, all_year) if all_year is not None else None
    if known and all_share is not None:
        value: float | None = (50 * min(1.0, all_share / SCALE_SHARE)
                               + 50 * complementary / len(known))
    else:
        value = None
    return TechnologyPerspective(
        score=score(value, FORMULA, {"partner_all_field_share": all_share,
                                     "complementary_fields": float(complementary),
                                     "fields_with_data": float(len(known))}),
        rta_threshold=RTA_THRESHOLD, scale_share=SCALE_SHARE, partner_all_share=all_share,
        partner_all_year=all_year, fields=rows, source=SOURCE_KEY)
