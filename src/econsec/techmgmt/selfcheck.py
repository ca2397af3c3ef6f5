"""Technology-leakage self-check: questionnaire, scores per area, prioritised actions.

The questionnaire is data (``data/techmgmt/leakage_selfcheck.yaml``), structured after
METI's 技術流出対策ガイダンス 第1版 (2025): chapter 1 (moving production abroad) by phase
— planning, contract, operation, exit — and chapter 2 (leakage through people) by case type.

Scoring. An answer is ``yes`` (value 1), ``partly`` (0.5), ``no`` (0) or ``n/a`` (left
out); an unanswered question counts as ``no``. For an area *a* with answered questions
*q* of weight *w_q* and value *v_q*::

    score_a = 100 · Σ w_q v_q / Σ w_q        (None when every question is n/a)

Actions: one per question with v_q < 1, ordered by the gap w_q · (1 − v_q), highest first
(ties: chapter, then questionnaire order).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Protocol

from pydantic import BaseModel, ConfigDict, Field

from econsec.datasets._csv import data_dir
from econsec.documents import LineMap, line_of, read_yaml
from econsec.errors import DataFormatError, Location, ValidationError
from econsec.i18n.terms import N_
from econsec.suggest import close_matches
from econsec.techmgmt.cases import shown
from econsec.techmgmt.yamlfile import read_yaml_file, validate

BUNDLED_FILE = "techmgmt/leakage_selfcheck.yaml"

#: Answer labels shown to users (translated in the pages).
ANSWER_LABELS = (N_("yes"), N_("partly"), N_("no"), N_("n/a"))

ANSWER_VALUES: dict[str, float | None] = {"yes": 1.0, "partly": 0.5, "no": 0.0, "n/a": None}
_ALIASES = {"y": "yes", "true": "yes", "はい": "yes", "n": "no", "false": "no",
            "いいえ": "no", "partial": "partly", "p": "partly", "一部": "partly",
            "na": "n/a", "none": "n/a", "-": "n/a", "該当なし": "n/a"}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Question(_Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")]
    weight: Annotated[int, Field(ge=1, le=5)]
    en: str
    ja: str
    action_en: str
    action_ja: str


class Area(_Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")]
    chapter: Annotated[int, Field(ge=1, le=2)]
    name_en: str
    name_ja: str
    questions: tuple[Question, ...]


class Guidance(_Strict):
    title: str
    publisher: str
    year: int
    url: str
    note: str = ""


class Questionnaire(_Strict):
    """The self-check: the guidance it follows and its areas."""

    guidance: Guidance
    areas: tuple[Area, ...]

    def questions(self) -> dict[str, tuple[Area, Question]]:
        return {q.id: (a, q) for a in self.areas for q in a.questions}


def parse_questionnaire(text: str, file: str) -> Questionnaire:
    """Validate a questionnaire YAML; question ids must be unique across areas."""
    data, lines = read_yaml(text, file=file)
    qn = validate(Questionnaire, data, lines, file)
    seen: set[str] = set()
    for i, a in enumerate(qn.areas):
        for j, q in enumerate(a.questions):
            if q.id in seen:
                where = line_of(lines, ("areas", i, "questions", j, "id"))
                raise DataFormatError(f"duplicate question id '{q.id}'",
                                      location=Location(file, where, q.id))
            seen.add(q.id)
    return qn


@cache
def bundled_questionnaire() -> Questionnaire:
    """The questionnaire econsec ships."""
    path = data_dir() / BUNDLED_FILE
    return parse_questionnaire(path.read_text(encoding="utf-8"), f"econsec/data/{BUNDLED_FILE}")


def normalise_answer(value: Any, question: str = "",
                     location: Location | None = None) -> str:
    """``yes``/``partly``/``no``/``n/a`` from the accepted spellings (also booleans, 1/0.5/0);
    :class:`ValidationError` at ``location`` (its column: the question id) otherwise."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        for key, v in ANSWER_VALUES.items():
            if v is not None and float(value) == v:
                return key
    text = str(value).strip().lower() if value is not None else "n/a"
    text = _ALIASES.get(text, text)
    if text not in ANSWER_VALUES:
        where = location or Location()
        raise ValidationError(
            N_("question '%(question)s': answer '%(answer)s' is not one of yes, partly, no, "
               "n/a"), params={"question": shown(question, 40), "answer": shown(value, 40)},
            location=Location(where.file, where.line, where.column or question or None))
    return text


class HasQuestions(Protocol):
    """A questionnaire: its questions by id, each with its area."""

    def questions(self) -> Mapping[str, tuple[Any, Any]]: ...


def check_answers(answers: Mapping[Any, Any], questionnaire: HasQuestions | None = None, *,
                  file: str | None = None, lines: LineMap | None = None,
                  prefix: tuple[Any, ...] = ()) -> dict[str, str]:
    """``answers`` (question id -> answer) normalised; the first unknown question id or
    answer out of range is a :class:`ValidationError` naming ``file``, the line (from
    ``lines``, the map of :func:`~econsec.documents.read_yaml`) and the question id."""
    index = (questionnaire or bundled_questionnaire()).questions()
    found: dict[str, str] = {}
    for key, value in answers.items():
        qid = str(key)
        line = line_of(lines, (*prefix, qid)) if lines is not None else None
        where = Location(file, line, shown(qid, 40))
        if qid not in index:
            near = close_matches(qid, list(index))
            if near:
                raise ValidationError(
                    N_("unknown question id '%(id)s'; did you mean: %(near)s?"),
                    params={"id": shown(qid, 40), "near": ", ".join(near)}, location=where)
            raise ValidationError(N_("unknown question id '%(id)s' (question ids: %(ids)s, …)"),
                                  params={"id": shown(qid, 40),
                                          "ids": ", ".join(list(index)[:6])}, location=where)
        found[qid] = normalise_answer(value, qid, where)
    return found


@dataclass(frozen=True)
class SelfCheckResult:
    """Scores per area (0-100, None when nothing applies), the overall score and actions."""

    areas: list[dict[str, Any]]
    overall: float | None
    actions: list[dict[str, Any]]
    unanswered: list[str]

    def as_dict(self) -> dict[str, Any]:
        return {"overall": self.overall, "areas": self.areas, "actions": self.actions,
                "unanswered": self.unanswered}


@dataclass(frozen=True)
class AreaScore:
    """One area's score (None when every question is n/a) and its unmet questions as
    (question, answer, gap ``w·(1−v)``, position in the questionnaire)."""

    area: Any
    score: float | None
    gaps: list[tuple[Any, str, float, int]]


def weighted_scores(areas: Sequence[Any], norm: Mapping[str, str]
                    ) -> tuple[list[AreaScore], float | None, list[str]]:
    """Scores of ``areas`` (objects with ``questions`` of ``id`` and ``weight``) for the
    normalised answers ``norm`` as in the module docstring: per area, overall, and the
    ids of unanswered questions (counted as ``no``). Shared by :mod:`.conduct`."""
    scored: list[AreaScore] = []
    unanswered: list[str] = []
    total_w = total_got = 0.0
    order = 0
    for area in areas:
        w_sum = got = 0.0
        gaps: list[tuple[Any, str, float, int]] = []
        for q in area.questions:
            order += 1
            answer = norm.get(q.id)
            if answer is None:
                unanswered.append(q.id)
                answer = "no"
            value = ANSWER_VALUES[answer]
            if value is None:
                continue
            w_sum += q.weight
            got += q.weight * value
            if value < 1:
                gaps.append((q, answer, q.weight * (1 - value), order))
        total_w += w_sum
        total_got += got
        scored.append(AreaScore(area, round(100 * got / w_sum, 1) if w_sum else None, gaps))
    overall = round(100 * total_got / total_w, 1) if total_w else None
    return scored, overall, unanswered


def score(answers: Mapping[str, Any], questionnaire: Questionnaire | None = None
          ) -> SelfCheckResult:
    """Score ``answers`` (question id -> answer) as described in the module docstring.

    An unknown question id or an answer out of range raises :class:`ValidationError` with
    the question id as its location (:func:`check_answers`).
    """
    qn = questionnaire or bundled_questionnaire()
    scored, overall, unanswered = weighted_scores(qn.areas, check_answers(answers, qn))
    areas: list[dict[str, Any]] = []
    actions: list[dict[str, Any]] = []
    for s in scored:
        area = s.area
        for q, answer, gap, order in s.gaps:
            actions.append({"question": q.id, "area": area.id, "area_en": area.name_en,
                            "area_ja": area.name_ja, "chapter": area.chapter,
                            "weight": q.weight, "answer": answer, "gap": gap,
                            "action_en": q.action_en, "action_ja": q.action_ja,
                            "_order": order})
        areas.append({"id": area.id, "chapter": area.chapter, "name_en": area.name_en,
                      "name_ja": area.name_ja, "score": s.score,
                      "questions": len(area.questions)})
    actions.sort(key=lambda a: (-a["gap"], a["chapter"], a["_order"]))
    for rank, a in enumerate(actions, 1):
        del a["_order"]
        a["priority"] = rank
    return SelfCheckResult(areas, overall, actions, unanswered)


def read_answers(path: Path, questionnaire: HasQuestions | None = None) -> dict[str, str]:
    """Answers from a YAML or JSON file: a mapping question id -> answer (JSON is YAML),
    at the top or under ``answers:``. Checked here (:func:`check_answers`), so that every
    refusal names the file, the line and the question id; a question answered twice is
    refused at its second line."""
    data, lines = read_yaml_file(path)
    prefix: tuple[Any, ...] = ()
    if isinstance(data, Mapping) and isinstance(data.get("answers"), Mapping):
        data, prefix = data["answers"], ("answers",)
    if not isinstance(data, Mapping):
        raise DataFormatError("expected a mapping of question id to answer",
                              location=Location(str(path), line_of(lines, ()) or 1))
    return check_answers(data, questionnaire, file=str(path), lines=lines, prefix=prefix)
