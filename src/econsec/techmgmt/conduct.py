"""Corporate economic-security governance self-assessment (行動規範・ガイドライン).

The questionnaire is data (``data/techmgmt/conduct_selfcheck.yaml``): ten areas of a
firm's economic-security governance (board oversight, an economic-security officer,
supply-chain mapping, technology and trade secrets, export control and restricted-party
screening, investment and M&A review, information security, personnel, crisis response
and BCP, public-private dialogue), each question citing the public Japanese guidance it
follows (METI's action plan and technology-leakage guidance, the trade-secret handbook,
the export-control CP, the cybersecurity management guidelines, the Cabinet Office's
business-continuity guideline, FEFTA inward investment, Keizai Doyukai and Keidanren
proposals) and each area naming the measures of the 3P catalogue
(:mod:`econsec.policy.catalogue`) that address its gaps.

Scoring is that of the leakage self-check (:func:`econsec.techmgmt.selfcheck.weighted_scores`:
yes 1, partly 0.5, no 0, n/a left out; unanswered counts as no). Gap report: per area
its score, its gap ``Σ w_q (1 − v_q)`` and a priority with visible thresholds
(:data:`PRIORITY_THRESHOLDS`: *high* below 50, *medium* below 80, else *low*; an area
where everything is n/a has none), areas ordered by priority then gap; the actions of
each area ordered by their gap.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from econsec.datasets._csv import data_dir
from econsec.documents import LineMap, line_of
from econsec.errors import DataFormatError, EconsecError, Location
from econsec.i18n.terms import N_
from econsec.policy.catalogue import Catalogue, load_catalogue
from econsec.techmgmt.selfcheck import check_answers, weighted_scores
from econsec.techmgmt.yamlfile import read_yaml_file, validate

BUNDLED_FILE = "techmgmt/conduct_selfcheck.yaml"

#: Priority of an area by its score (0-100): below the first bound high, below the
#: second medium, else low.
PRIORITY_THRESHOLDS = (50.0, 80.0)
PRIORITY_LABELS = {"high": N_("high priority"), "medium": N_("medium priority"),
                   "low": N_("low priority")}

_ID = r"^[a-z0-9][a-z0-9-]*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class GuidanceSource(_Strict):
    title: Annotated[str, Field(min_length=1, max_length=500)]
    publisher: Annotated[str, Field(min_length=1, max_length=500)]
    year: Annotated[int, Field(ge=1990, le=2100)]
    url: Annotated[str, Field(max_length=2000)] = ""
    note: Annotated[str, Field(max_length=2000)] = ""


class ConductQuestion(_Strict):
    id: Annotated[str, Field(pattern=_ID, max_length=40)]
    weight: Annotated[int, Field(ge=1, le=5)]
    basis: Annotated[tuple[str, ...], Field(min_length=1)]
    en: Annotated[str, Field(min_length=1, max_length=1000)]
    ja: Annotated[str, Field(min_length=1, max_length=1000)]
    action_en: Annotated[str, Field(min_length=1, max_length=1000)]
    action_ja: Annotated[str, Field(min_length=1, max_length=1000)]


class ConductArea(_Strict):
    id: Annotated[str, Field(pattern=_ID, max_length=60)]
    name_en: Annotated[str, Field(min_length=1, max_length=200)]
    name_ja: Annotated[str, Field(min_length=1, max_length=200)]
    measures: tuple[str, ...] = ()
    questions: Annotated[tuple[ConductQuestion, ...], Field(min_length=1)]


class ConductQuestionnaire(_Strict):
    """The self-assessment: its version, the guidance it cites and its areas."""

    version: Annotated[str, Field(min_length=1, max_length=40)]
    sources: Annotated[dict[str, GuidanceSource], Field(min_length=1)]
    areas: Annotated[tuple[ConductArea, ...], Field(min_length=1)]

    def questions(self) -> dict[str, tuple[ConductArea, ConductQuestion]]:
        return {q.id: (a, q) for a in self.areas for q in a.questions}


def parse_conduct(data: Any, lines: LineMap, file: str,
                  catalogue: Catalogue | None = None) -> ConductQuestionnaire:
    """Validate a questionnaire document: the schema, ids unique (areas and questions),
    every ``basis`` key defined under ``sources`` and every measure id in ``catalogue``
    (None: the bundled 3P catalogue); each refusal names the file and the line."""
    if isinstance(data, Mapping) and isinstance(data.get("version"), int | float):
        data = {**data, "version": str(data["version"])}
    qn = validate(ConductQuestionnaire, data, lines, file)
    cat = catalogue or load_catalogue()
    areas_seen: set[str] = set()
    seen: set[str] = set()
    for i, area in enumerate(qn.areas):
        if area.id in areas_seen:
            raise DataFormatError(f"duplicate area id '{area.id}'",
                                  location=Location(file, line_of(lines, ("areas", i, "id"))))
        areas_seen.add(area.id)
        for k, measure in enumerate(area.measures):
            try:
                cat.get(measure)
            except EconsecError as exc:
                raise DataFormatError(
                    f"area '{area.id}': {exc} (measures of the 3P catalogue "
                    f"{cat.version})",
                    location=Location(file, line_of(lines, ("areas", i, "measures", k)))
                ) from None
        for j, q in enumerate(area.questions):
            where = ("areas", i, "questions", j)
            if q.id in seen:
                raise DataFormatError(f"duplicate question id '{q.id}'",
                                      location=Location(file, line_of(lines, (*where, "id"))))
            seen.add(q.id)
            for k, key in enumerate(q.basis):
                if key not in qn.sources:
                    raise DataFormatError(
                        f"question '{q.id}' cites undefined source '{key}' (defined: "
                        f"{', '.join(sorted(qn.sources))})",
                        location=Location(file, line_of(lines, (*where, "basis", k))))
    return qn


def load_conduct(path: Path, catalogue: Catalogue | None = None) -> ConductQuestionnaire:
    """Read (bounded, UTF-8) and validate a questionnaire file."""
    data, lines = read_yaml_file(path)
    return parse_conduct(data, lines, str(path), catalogue)


@cache
def bundled_conduct() -> ConductQuestionnaire:
    """The questionnaire econsec ships (checked against the bundled 3P catalogue)."""
    data, lines = read_yaml_file(data_dir() / BUNDLED_FILE)
    return parse_conduct(data, lines, f"econsec/data/{BUNDLED_FILE}")


def priority(score: float | None) -> str | None:
    """``high`` / ``medium`` / ``low`` by :data:`PRIORITY_THRESHOLDS`; None without a score."""
    if score is None:
        return None
    high, medium = PRIORITY_THRESHOLDS
    return "high" if score < high else "medium" if score < medium else "low"


@dataclass(frozen=True)
class ConductResult:
    """The gap report: overall score, areas (score, gap, priority, actions, measures)."""

    overall: float | None
    areas: list[dict[str, Any]]
    unanswered: list[str]
    sources: dict[str, dict[str, Any]]
    version: str

    def as_dict(self) -> dict[str, Any]:
        return {"questionnaire_version": self.version, "overall": self.overall,
                "thresholds": {"high_below": PRIORITY_THRESHOLDS[0],
                               "medium_below": PRIORITY_THRESHOLDS[1]},
                "areas": self.areas, "unanswered": self.unanswered, "sources": self.sources}


_RANK = {"high": 0, "medium": 1, "low": 2, None: 3}


def assess(answers: Mapping[str, Any], questionnaire: ConductQuestionnaire | None = None,
           catalogue: Catalogue | None = None) -> ConductResult:
    """Score ``answers`` (question id -> answer) and build the gap report; an unknown
    question id or answer is a :class:`~econsec.errors.ValidationError` naming it."""
    qn = questionnaire or bundled_conduct()
    cat = catalogue or load_catalogue()
    scored, overall, unanswered = weighted_scores(qn.areas, check_answers(answers, qn))
    areas = []
    for position, s in enumerate(scored):
        area: ConductArea = s.area
        actions = [{"question": q.id, "weight": q.weight, "answer": answer, "gap": gap,
                    "en": q.en, "ja": q.ja, "action_en": q.action_en,
                    "action_ja": q.action_ja, "basis": list(q.basis), "_order": order}
                   for q, answer, gap, order in s.gaps]
        actions.sort(key=lambda a: (-a["gap"], a["_order"]))
        for a in actions:
            del a["_order"]
        measures = []
        for mid in area.measures:
            m = cat.get(mid)
            measures.append({"id": m.id, "pillar": m.pillar, "name_en": m.name("en"),
                             "name_ja": m.name("ja"),
                             "summary_en": m.summary.get("en", ""),
                             "summary_ja": m.summary.get("ja", "")})
        areas.append({"id": area.id, "name_en": area.name_en, "name_ja": area.name_ja,
                      "score": s.score, "gap": sum(a["gap"] for a in actions),
                      "priority": priority(s.score), "questions": len(area.questions),
                      "actions": actions, "measures": measures if actions else [],
                      "_position": position})
    areas.sort(key=lambda a: (_RANK[a["priority"]], -a["gap"], a["_position"]))
    for a in areas:
        del a["_position"]
    return ConductResult(overall, areas, unanswered,
                         {k: v.model_dump() for k, v in qn.sources.items()}, qn.version)


def template_answers(questionnaire: ConductQuestionnaire | None = None, lang: str = "en"
                     ) -> str:
    """A YAML answers template: every question as a comment and ``id: no`` to edit."""
    qn = questionnaire or bundled_conduct()
    ja = lang == "ja"
    out = ["# econsec tech conduct-check --answers FILE",
           "# " + ("回答: yes | partly | no | n/a" if ja else
                   "Answers: yes | partly | no | n/a"),
           "answers:"]
    for area in qn.areas:
        out.append(f"  # == {area.name_ja if ja else area.name_en}")
        for q in area.questions:
            out.append(f"  # {q.ja if ja else q.en}")
            out.append(f"  {q.id}: no")
    return "\n".join(out) + "\n"
