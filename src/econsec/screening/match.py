"""Scoring a query against a listed entity, with an explanation of every step.

Score of two names (:func:`compare_names`) is the best over all pairs of their forms
(:mod:`econsec.screening.names`) of a weighted token alignment:

* every token of one form is paired with its most similar token of the other
  (:func:`~econsec.screening.names.token_similarity`, greedy, each token used once), so
  word order does not matter;
* ``coverage_q = Σ w·s / Σ w`` over the query's tokens, ``coverage_c`` likewise over the
  candidate's, where generic business words weigh :data:`~econsec.screening.names.GENERIC_WEIGHT`;
* ``name score = (coverage_q + coverage_c) / 2`` (a missing generic word costs a
  little, an extra or different given name a lot). When the forms have different token
  counts the names are also compared run together (``Hua Wei`` / ``Huawei``) by the
  same edit-distance similarity.

The entity score is the best name score, then adjusted by the other properties:
a birth date that conflicts (different year) multiplies it by ``0.75``, a different day
in the same year by ``0.9``; a conflicting country by ``0.9``; a birth date that agrees
adds ``0.02`` (capped at 1). A result is a match when its score is at least
:data:`THRESHOLD`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz.distance import OSA

from econsec.screening.entities import ListedEntity
from econsec.screening.names import (
    NameForm,
    NormalisedName,
    normalise_name,
    token_similarity,
    token_weight,
)

#: Scores at or above this are matches (chosen on benchmarks/data/screening_pairs.csv,
#: see docs/screening.md).
THRESHOLD = 0.85
DOB_CONFLICT = 0.75
DOB_SAME_YEAR_CONFLICT = 0.9
COUNTRY_CONFLICT = 0.9
DOB_AGREES_BONUS = 0.02


@dataclass(frozen=True)
class NameComparison:
    """The best comparison of two names and how it was reached."""

    score: float
    query: NormalisedName
    candidate: NormalisedName
    query_form: NameForm | None = None
    candidate_form: NameForm | None = None
    how: str = ""

    def describe(self, kind: str = "name") -> str:
        if self.query_form is None or self.candidate_form is None:
            return f"{self.query.original} ≠ {self.candidate.original}"
        q, c = self.query_form, self.candidate_form
        left = self.query.original
        if q.method != "latin" or q.text != left.casefold():
            left += f" → {q.text} ({q.method})"
        right = self.candidate.original
        if c.method != "latin" or c.text != right.casefold():
            right = f"{c.text} ({c.method}) ← {right}"
        text = f"{left} = {right} ({kind}) [{self.how} {self.score:.2f}]"
        if self.query.company_forms and self.candidate.company_forms:
            text += (f"; company form {'/'.join(self.query.company_forms)} = "
                     f"{'/'.join(self.candidate.company_forms)}")
        return text


def _align(q: tuple[str, ...], c: tuple[str, ...]) -> tuple[float, str]:
    pairs = []
    for i, a in enumerate(q):
        for j, b in enumerate(c):
            sim, how = token_similarity(a, b)
            pairs.append((sim, i, j, how))
    pairs.sort(key=lambda p: -p[0])
    used_q: dict[int, float] = {}
    used_c: dict[int, float] = {}
    hows: list[str] = []
    for sim, i, j, how in pairs:
        if i in used_q or j in used_c:
            continue
        used_q[i] = sim
        used_c[j] = sim
        if sim > 0.5 and how != "exact":
            hows.append(f"{q[i]}~{c[j]} {how}")
    wq = sum(token_weight(t) for t in q) or 1.0
    wc = sum(token_weight(t) for t in c) or 1.0
    cov_q = sum(token_weight(t) * used_q.get(i, 0.0) for i, t in enumerate(q)) / wq
    cov_c = sum(token_weight(t) * used_c.get(j, 0.0) for j, t in enumerate(c)) / wc
    score = (cov_q + cov_c) / 2
    how = "token set" + (f" ({', '.join(hows)})" if hows else "")
    return score, how


@lru_cache(maxsize=200_000)
def compare_forms(q: tuple[str, ...], c: tuple[str, ...]) -> tuple[float, str]:
    """Score of two token forms in [0, 1] and a short description of how it was found."""
    if q == c:
        return 1.0, "exact"
    score, how = _align(q, c)
    if len(q) != len(c):
        a, b = "".join(q), "".join(c)
        joined = max(0.0, 1.0 - 2.0 * OSA.distance(a, b) / max(len(a), len(b)))
        if joined > score:
            score, how = joined, "joined"
    return score, how


def compare_names(query: str | NormalisedName, candidate: str | NormalisedName
                  ) -> NameComparison:
    """The best comparison over all forms of two names (see the module docstring)."""
    qn = query if isinstance(query, NormalisedName) else normalise_name(query)
    cn = candidate if isinstance(candidate, NormalisedName) else normalise_name(candidate)
    best = NameComparison(0.0, qn, cn)
    for qf in qn.forms:
        for cf in cn.forms:
            score, how = compare_forms(qf.tokens, cf.tokens)
            if score > best.score:
                best = NameComparison(score, qn, cn, qf, cf, how)
                if score >= 1.0:
                    return best
    return best


@lru_cache(maxsize=1024)
def country_code(value: str) -> str:
    """ISO 3166 alpha-2 in lower case from an alpha-2, alpha-3 or English name
    (``JPN``, ``jp``, ``Japan`` → ``jp``); unknown values are returned lower-cased."""
    import pycountry

    text = value.strip()
    try:
        found = pycountry.countries.lookup(text)
    except LookupError:
        return text.lower()
    return str(found.alpha_2).lower()


@dataclass
class Query:
    """What is screened: a name and optionally a country and a birth date."""

    name: str
    country: str | None = None
    birth_date: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        return {"name": self.name, "country": self.country, "birth_date": self.birth_date}


@dataclass
class ScoredEntity:
    """A listed entity scored against a query."""

    entity: ListedEntity
    list_name: str
    score: float
    name_score: float
    matched_name: str
    explanation: list[str] = field(default_factory=list)
    decision: dict[str, str] | None = None

    def is_match(self, threshold: float = THRESHOLD) -> bool:
        return self.score >= threshold


def score_entity(query: Query, entity: ListedEntity, list_name: str = "", *,
                 normalised: dict[str, NormalisedName] | None = None) -> ScoredEntity:
    """Score ``entity`` against ``query``: best name comparison, then birth date and
    country agreement or conflict (module docstring), with an explanation.

    ``normalised`` holds the entity's names already normalised (as stored in the index)."""
    qn = normalise_name(query.name)
    best: NameComparison | None = None
    best_kind = "name"
    for kind, name in entity.names:
        candidate = (normalised or {}).get(name) or normalise_name(name)
        comparison = compare_names(qn, candidate)
        if best is None or comparison.score > best.score:
            best, best_kind = comparison, kind
    assert best is not None
    score = best.score
    explanation = [best.describe(best_kind)]
    if query.birth_date and entity.birth_dates:
        score, note = _dates(query.birth_date, entity.birth_dates, score)
        explanation.append(note)
    if query.country and entity.countries:
        code = country_code(query.country)
        listed = {country_code(c) for c in entity.countries}
        if code in listed:
            explanation.append(f"country {query.country} agrees")
        else:
            score *= COUNTRY_CONFLICT
            explanation.append(f"country conflict: {query.country} ≠ "
                               f"{', '.join(sorted(entity.countries))} (×{COUNTRY_CONFLICT})")
    return ScoredEntity(entity, list_name, round(min(score, 1.0), 4), round(best.score, 4),
                        best.candidate.original, explanation)


def _dates(query_date: str, listed: tuple[str, ...], score: float) -> tuple[float, str]:
    q = query_date.strip()
    if any(d.startswith(q) or q.startswith(d) for d in listed):
        return min(1.0, score + DOB_AGREES_BONUS), f"birth date {q} agrees (+{DOB_AGREES_BONUS})"
    if any(d[:4] == q[:4] for d in listed):
        return (score * DOB_SAME_YEAR_CONFLICT,
                f"birth date conflict: {q} ≠ {', '.join(listed)}, same year "
                f"(×{DOB_SAME_YEAR_CONFLICT})")
    return (score * DOB_CONFLICT,
            f"birth date conflict: {q} ≠ {', '.join(listed)} (×{DOB_CONFLICT})")
