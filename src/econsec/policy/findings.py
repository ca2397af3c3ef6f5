"""Findings the recommender starts from, written as one line of text.

Syntax (``econsec recommend --finding``, ``/policy/recommend?finding=``, the API)::

    dependency:IMPORTER:HS[,HS...]:EXPORTER[:YEAR]   a concentrated dependency: the
        importer's imports of the HS codes (six digits) from the exporter, in BACI's YEAR
        (default 2022, the ICIO table's year); e.g. dependency:JPN:284610,284690,280530:CHN
    scenario:worked:NAME  (or scenario:FILE on the command line)   a scenario's losses:
        its events, without its own mitigations, and its worst-hit industries
    technology:ID   a designated technology at risk of leakage (the METI prior-report
        list, ``econsec tech list``); e.g. technology:multilayer-ceramic-capacitors

Each finding carries its evidence: for a dependency, the importer's imports of the codes
by supplier (BACI: total, the exporter's share, the top suppliers and their HHI); for a
scenario, its events; for a technology, the list entry. Bad input is refused with an
:mod:`econsec.errors` error naming the part at fault.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from econsec.analyses.trade import normalise_hs
from econsec.errors import (
    NotFoundError,
    Term,
    UnknownNameError,
    UnknownProductError,
    ValidationError,
)
from econsec.i18n.terms import N_
from econsec.io_models.product_shocks import ICIO_YEAR, region_of
from econsec.policy.catalogue import FindingKind

__all__ = ["FINDING_SYNTAX", "Finding", "TechnologyInfo", "dependency_evidence",
           "parse_finding"]

FINDING_SYNTAX = N_("dependency:IMPORTER:HS[,HS...]:EXPORTER[:YEAR], scenario:worked:NAME "
                    "(or scenario:FILE on the command line) or technology:ID")
BACI = "CEPII BACI (HS92 1995-2024; HS17 2024 critical lines), value in thousand USD"
PREFIXES = {"dependency": "concentrated_dependency", "scenario": "scenario_loss",
            "technology": "technology_leakage"}


class TechnologyInfo(Protocol):
    """What the recommender needs of a designated technology (techmgmt's ``Technology``)."""

    id: str
    name_en: str
    name_ja: str
    hs_codes: tuple[str, ...]
    source: str | None


@dataclass(frozen=True)
class Finding:
    """A parsed finding: its ``kind``, canonical ``ref`` (the syntax above) and the
    fields of its kind; ``evidence`` and ``sources`` are filled by :func:`parse_finding`
    where it reads the knowledge base."""

    kind: FindingKind
    ref: str
    importer: str | None = None
    exporter: str | None = None
    hs_codes: tuple[str, ...] = ()
    year: int | None = None
    scenario: str | None = None
    technology: dict[str, Any] | None = None
    evidence: dict[str, Any] = field(default_factory=dict)
    sources: tuple[str, ...] = ()

    def title(self, lang: str = "en", place: Callable[[str], str] = str) -> str:
        """The finding's heading in ``lang``; ``place`` names a country code (default: the
        code itself)."""
        if self.kind == "concentrated_dependency":
            codes = ", ".join(self.hs_codes)
            importer, exporter = place(self.importer or ""), place(self.exporter or "")
            if lang == "ja":
                return f"{importer}の{exporter}への依存（HS {codes}、{self.year}年）"
            return f"{importer}'s dependence on {exporter} (HS {codes}, {self.year})"
        if self.kind == "scenario_loss":
            return (f"シナリオ {self.scenario} の損失" if lang == "ja"
                    else f"Losses of scenario {self.scenario}")
        tech = self.technology or {}
        name = tech.get("name_ja" if lang == "ja" else "name_en") or tech.get("id", "")
        return (f"技術流出のおそれ: {name}" if lang == "ja"
                else f"Technology at risk of leakage: {name}")

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "ref": self.ref, "title_en": self.title("en"),
                "title_ja": self.title("ja"), "importer": self.importer,
                "exporter": self.exporter, "hs_codes": list(self.hs_codes),
                "year": self.year, "scenario": self.scenario, "technology": self.technology,
                "evidence": self.evidence, "sources": list(self.sources)}


def _bad(message: str, **params: Any) -> ValidationError:
    """A refusal of a finding: ``message`` is a message id (translated on pages) ending in
    the syntax, filled with ``params``."""
    return ValidationError(message, params={**params, "syntax": Term(FINDING_SYNTAX)})


def parse_finding(text: str, kb: Any = None, *,
                  technologies: Sequence[TechnologyInfo] | None = None,
                  allow_files: bool = True) -> Finding:
    """The finding ``text`` names (syntax in the module docstring), with its evidence.

    ``kb`` (the knowledge base) checks countries and reads the trade evidence of a
    dependency; ``technologies`` are the designated technologies a technology finding may
    name (techmgmt's bundled list); ``allow_files`` False refuses scenario files (the
    web app names worked ones only)."""
    raw = (text or "").strip()
    if not raw:
        raise _bad(N_("finding: empty (syntax: %(syntax)s)"))
    if len(raw) > 500 or "\0" in raw:
        raise _bad(N_("finding: longer than 500 characters or holds a NUL character"
                      " (syntax: %(syntax)s)"))
    prefix, _, rest = raw.partition(":")
    prefix = prefix.strip().lower()
    if prefix not in PREFIXES:
        from econsec.suggest import close_matches

        near = close_matches(prefix, list(PREFIXES), limit=1)
        if near:
            raise _bad(N_("finding: unknown kind '%(kind)s'; did you mean '%(near)s'?"
                          " (syntax: %(syntax)s)"),
                       kind=prefix[:40], near=near[0])
        raise _bad(N_("finding: unknown kind '%(kind)s' (syntax: %(syntax)s)"), kind=prefix[:40])
    if prefix == "dependency":
        return _dependency(rest, kb)
    if prefix == "scenario":
        return _scenario(rest.strip(), allow_files)
    return _technology(rest.strip(), technologies)


def _dependency(rest: str, kb: Any) -> Finding:
    parts = [p.strip() for p in rest.split(":")]
    if len(parts) not in (3, 4) or not all(parts):
        raise _bad(N_("finding: a dependency has three or four parts after 'dependency:' "
                      "(IMPORTER:HS,...:EXPORTER[:YEAR]), got %(count)s"
                      " (syntax: %(syntax)s)"), count=len(parts))
    importer, codes_text, exporter = parts[0].upper(), parts[1], parts[2].upper()
    year = ICIO_YEAR
    if len(parts) == 4:
        if not parts[3].isdigit() or not 1995 <= int(parts[3]) <= 2100:
            raise _bad(N_("finding: year '%(year)s' is not a year of the trade data "
                          "(1995-2024) (syntax: %(syntax)s)"), year=parts[3][:10])
        year = int(parts[3])
    codes: list[str] = []
    for code in codes_text.split(","):
        norm = normalise_hs(code)
        if norm not in codes:
            codes.append(norm)
    if len(codes) > 20:
        raise _bad(N_("finding: at most 20 HS codes (syntax: %(syntax)s)"))
    if kb is not None:
        importer = kb.resolve_country(importer)
        exporter = kb.resolve_country(exporter)
    for role, code in ((N_("importer"), importer), (N_("exporter"), exporter)):
        if not (len(code) == 3 and code.isalpha()):
            raise _bad(N_("finding: %(role)s '%(code)s' is not an ISO3 country code"
                          " (syntax: %(syntax)s)"),
                       role=Term(role), code=code[:20])
    if importer == exporter:
        raise _bad(N_("finding: importer and exporter are both %(country)s"
                      " (syntax: %(syntax)s)"), country=importer)
    if region_of(importer)[0] == region_of(exporter)[0]:
        raise _bad(N_("finding: %(importer)s and %(exporter)s lie in the same region of the "
                      "ICIO table (%(region)s): the scenario engine has no flow between "
                      "them (syntax: %(syntax)s)"), importer=importer, exporter=exporter,
                   region=region_of(importer)[0])
    ref = f"dependency:{importer}:{','.join(codes)}:{exporter}"
    ref += f":{year}" if year != ICIO_YEAR else ""
    evidence: dict[str, Any] = {}
    sources: tuple[str, ...] = ()
    if kb is not None:
        evidence = dependency_evidence(kb, importer, exporter, codes, year)
        sources = (BACI,)
    return Finding("concentrated_dependency", ref, importer=importer, exporter=exporter,
                   hs_codes=tuple(codes), year=year, evidence=evidence, sources=sources)


def dependency_evidence(kb: Any, importer: str, exporter: str, codes: list[str],
                        year: int) -> dict[str, Any]:
    """The importer's imports of the codes in ``year`` by supplier (BACI, million USD):
    ``imports_musd``, ``from_exporter_musd``, ``exporter_share``, ``top_suppliers``
    (five, with shares) and their ``hhi`` (0-1 on shares). Refuses a dependency with no
    imports from the exporter."""
    by_country: dict[str, float] = {}
    for code in codes:
        try:
            flows = kb.product_flows(code, importer=importer, year=year)
        except UnknownProductError:
            raise _bad(N_("finding: HS %(code)s has no trade flows in the knowledge base"
                          " (syntax: %(syntax)s)"),
                       code=code) from None
        for f in flows:
            value = float(getattr(f, "value", 0.0) or 0.0) / 1000.0
            by_country[f.exporter] = by_country.get(f.exporter, 0.0) + value
    total = sum(by_country.values())
    from_exporter = by_country.get(exporter, 0.0)
    if from_exporter <= 0:
        raise _bad(N_("finding: BACI records no imports of HS %(codes)s by %(importer)s "
                      "from %(exporter)s in %(year)s (syntax: %(syntax)s)"), codes=", ".join(codes),
                   importer=importer, exporter=exporter, year=year)
    ranked = sorted(by_country.items(), key=lambda kv: (-kv[1], kv[0]))
    return {
        "year": year, "imports_musd": total, "from_exporter_musd": from_exporter,
        "exporter_share": from_exporter / total,
        "top_suppliers": [{"country": c, "musd": v, "share": v / total}
                          for c, v in ranked[:5]],
        "hhi": sum((v / total) ** 2 for v in by_country.values()),
    }


def _scenario(ref: str, allow_files: bool) -> Finding:
    from econsec.scenarios.catalogue import resolve_scenario, worked_scenarios

    if not ref:
        raise _bad(N_("finding: give the scenario after 'scenario:' (worked:NAME)"
                      " (syntax: %(syntax)s)"))
    if not allow_files and not ref.startswith("worked:"):
        names = ", ".join(w["ref"] for w in worked_scenarios())
        raise _bad(N_("finding: here a scenario is a worked one (worked:NAME; known: "
                      "%(names)s) (syntax: %(syntax)s)"), names=names)
    try:
        path = resolve_scenario(ref)
    except NotFoundError as exc:
        raise _bad(N_("finding: %(problem)s (syntax: %(syntax)s)"), problem=str(exc)) from None
    canonical = ref if ref.startswith("worked:") else str(path)
    return Finding("scenario_loss", f"scenario:{canonical}", scenario=canonical)


def _technology(tech_id: str, technologies: Sequence[TechnologyInfo] | None) -> Finding:
    if not tech_id:
        raise _bad(N_("finding: give the technology's id after 'technology:' (syntax: %(syntax)s)"))
    if technologies is None:
        raise _bad(N_("finding: technology findings need the designated-technology list"
                      " (syntax: %(syntax)s)"))
    tech = next((t for t in technologies if t.id == tech_id), None)
    if tech is None:
        from econsec.suggest import close_matches

        ids = [t.id for t in technologies]
        raise UnknownNameError(tech_id, close_matches(tech_id, ids),
                               kind="designated technology")
    info = {"id": tech.id, "name_en": tech.name_en, "name_ja": tech.name_ja,
            "hs_codes": list(tech.hs_codes), "source": tech.source}
    return Finding("technology_leakage", f"technology:{tech.id}", technology=info,
                   hs_codes=tuple(tech.hs_codes), evidence={"technology": info},
                   sources=("METI prior-report technologies (令和6年経済産業省告示第178号), "
                            "econsec transcription",))
