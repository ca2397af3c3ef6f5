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

Token weights: a generic business word weighs
:data:`~econsec.screening.names.GENERIC_WEIGHT`; when the list's token frequencies are known
(:class:`Rarity`, from the index) every weight is also scaled by the token's rarity in the
list, so words most listed names share (``state``, ``institute``, ``plant``) count little.

Cross-script **readings** (:mod:`econsec.screening.reading`: katakana ⇄ Latin consonant
skeletons) are compared only with readings, and only between a name in Latin script and
one in Japanese or Chinese script (within one script the other forms are better), token
by token with
:func:`reading_similarity`; a reading comparison scores at most :data:`READING_CAP`.

**Distinctive words across scripts** (with the list's rarity): two readings whose
distinctive words all agree score :data:`ANCHOR_SCORE` (a possible match) even when their
generic words differ or are missing on one side (:func:`_anchored`).

**Distinctive token**: a short query whose every token is found in a longer listed name,
one of them a distinctive token of that name (not a generic word, in at most
:data:`DISTINCTIVE_SHARE` of the list's entities), scores at least :data:`PARTIAL_SCORE`
(a possible match): ``Rosatom`` → ``State Atomic Energy Corporation Rosatom``.

The entity score is the best name score, then adjusted by the other properties:
a birth date that conflicts (different year) multiplies it by ``0.75``, a different day
in the same year by ``0.9``; a conflicting country by ``0.9``; a birth date that agrees
adds ``0.02`` (capped at 1). A name that matches (name score ≥ :data:`THRESHOLD`) is never
pushed below :data:`CANDIDATE_THRESHOLD` by a conflicting birth date or country: it stays
a **possible match** with the conflict explained. Status: ``match`` at or above
:data:`THRESHOLD`, ``possible match`` at or above :data:`CANDIDATE_THRESHOLD`, else
``no match``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz.distance import OSA, LCSseq, Levenshtein

from econsec.screening.entities import ListedEntity
from econsec.screening.explain import CAP_REASONS, FORM_METHODS, N_, NAME_KINDS, Note, Step
from econsec.screening.names import (
    GENERIC_WORDS,
    KNOWN_NAMES,
    READING,
    NameForm,
    NormalisedName,
    normalise_name,
    reading_index_key,
    token_similarity,
    token_weight,
)
from econsec.screening.reading import (
    non_rhotic,
    reading_key,
    slot_agreement,
    split_reading,
    word_readings,
)

#: Scores at or above this are matches (chosen on benchmarks/data/screening_pairs.csv,
#: see docs/screening.md).
THRESHOLD = 0.85
#: Scores at or above this (and below :data:`THRESHOLD`) are possible matches: shown as
#: candidates for review, never as a clear result (chosen on the export-prohibition lists'
#: katakana/Latin names, see docs/screening.md).
CANDIDATE_THRESHOLD = 0.80
#: Highest score of a comparison of cross-script readings (vowels are not compared).
READING_CAP = 0.95
#: Reading tokens less similar than this count as unmatched (no partial credit).
READING_MIN_SIMILARITY = 0.6
#: Weight of the better-covered side in a reading comparison (the other gets the rest).
READING_MAX_SHARE = 0.65
#: Score of a short query that names a distinctive token of a longer listed name.
PARTIAL_SCORE = 0.80
#: A token in at most this share of a list's entities (or at most 2 of them) is distinctive.
DISTINCTIVE_SHARE = 0.01
#: Tokens in at most this share of a list's entities weigh fully.
RARE_SHARE = 0.02
#: Pairs of forms scored again with the list's token rarity (the best unweighted ones).
RESCORED_PAIRS = 2
#: Score of cross-script readings whose distinctive (rare) words all agree.
ANCHOR_SCORE = 0.80
#: Reading tokens at least this similar are paired in an anchored comparison.
ANCHOR_MIN_SIMILARITY = 0.75
#: A reading token in more than this share of a list's entities may be left unpaired.
ANCHOR_SHARE = 0.02
#: Consonants the paired distinctive words must hold at least.
ANCHOR_INFORMATION = 5
#: Consonants of unpaired words (not generic, not common in the list) allowed on either
#: side, as a share of those of the anchors.
ANCHOR_LEFTOVER = 0.4
DOB_CONFLICT = 0.75
DOB_SAME_YEAR_CONFLICT = 0.9
COUNTRY_CONFLICT = 0.9
DOB_AGREES_BONUS = 0.02


#: Words most names of institutional lists share (besides the generic business words of
#: :data:`~econsec.screening.names.GENERIC_WORDS`): they weigh like generic words in
#: readings. Other translated words (``acoustics``, ``engine``) are content words.
COMMON_WORDS = frozenset({
    "institute", "research", "scientific", "plant", "production", "enterprise", "state",
    "federal", "design", "bureau", "center", "association", "russian", "company",
    "corporation", "technology", "engineering", "systems", "electronics", "electric",
    "machine", "instrument", "aviation", "central", "unitary", "all", "branch", "limited",
    "trading", "industry", "international", "services", "complex", "ministry", "service",
    "concern", "building", "development", "experimental", "communications", "radio",
    "microelectronics", "radioelectronics", "laboratory", "union", "organization",
})


def _generic_readings() -> frozenset[str]:
    words = set(GENERIC_WORDS) | COMMON_WORDS
    return frozenset({reading_key(w) for w in words if w}
                     | {split_reading(t)[0] for w in words if w for t in word_readings(w)})


#: Readings of generic words (weigh like generic words).
GENERIC_READINGS = _generic_readings()


@dataclass(frozen=True)
class Rarity:
    """How many of a list's entities hold each index key (``key_df`` of the index) and
    how many entities there are: token weights by inverse document frequency."""

    df: Mapping[str, int]
    total: int

    def count(self, token: str, reading: bool = False) -> int:
        key = reading_index_key(token) if reading else f"t:{token}"
        return self.df.get(key, 0)

    def factor(self, token: str, reading: bool = False) -> float:
        """1 for a token in at most :data:`RARE_SHARE` of the entities, less for common
        ones (``log(N/df) / log(1/RARE_SHARE)``), at least 0.1."""
        n = self.count(token, reading)
        if n <= 0 or self.total <= 0:
            return 1.0
        idf = math.log((self.total + 1) / (n + 0.5))
        return max(0.1, min(1.0, idf / math.log(1 / RARE_SHARE)))

    def distinctive(self, token: str, reading: bool = False) -> bool:
        n = self.count(token, reading)
        return n <= max(2, DISTINCTIVE_SHARE * self.total)


@lru_cache(maxsize=200_000)
def _base_weight(token: str, reading: bool) -> float:
    if reading:
        return 0.35 if split_reading(token)[0] in GENERIC_READINGS else 1.0
    return token_weight(token)


def weight(token: str, reading: bool = False, rarity: Rarity | None = None) -> float:
    """Weight of a token: generic words weigh less, and common words of the list less."""
    base = _base_weight(token, reading)
    return base * rarity.factor(token, reading) if rarity else base


def _vowel_agreement(va: str, vb: str) -> float:
    """Share of the shorter vowel pattern found in order in the longer one."""
    if not va or not vb:
        return 1.0 if va == vb else 0.0
    return LCSseq.similarity(va, vb) / min(len(va), len(vb))


#: Factor on the similarity of a reading compared in one of its variants
#: (:func:`~econsec.screening.reading.non_rhotic`, ``J`` read as ``D``/``S``/``T``).
VARIANT_FACTOR = 0.95


@lru_cache(maxsize=500_000)
def reading_similarity(a: str, b: str) -> tuple[float, str]:
    """Similarity of two reading tokens (:func:`reading_similarity_exact`), also with their
    variants at :data:`VARIANT_FACTOR`: a Latin ``r`` after a vowel left out
    (:func:`~econsec.screening.reading.non_rhotic`: ``Kranark`` / クラナーク) and ``J`` read
    as ``D``, ``S`` or ``T`` (katakana ジ and チ also write ``di``, ``zi``, ``ti``:
    ラジオ radio, ジクシス Zixis)."""
    sim, how = reading_similarity_exact(a, b)
    if sim >= 1.0:
        return sim, how
    best = sim
    for x, y in _variants(a, b):
        best = max(best, reading_similarity_exact(x, y)[0] * VARIANT_FACTOR)
    return (best, "reading") if best > sim else (sim, how)


def _variants(a: str, b: str) -> list[tuple[str, str]]:
    out = []
    ra, rb = non_rhotic(a), non_rhotic(b)
    if ra:
        out.append((ra, b))
    if rb:
        out.append((a, rb))
    if "J" in a.partition(":")[0] + b.partition(":")[0]:
        for x, y in [(a, b), *out]:
            for letter in "DST":
                fx, fy = x.replace("J", letter), y.replace("J", letter)  # slots: lower case
                if (fx, fy) != (x, y):
                    out.append((fx, fy))
    return out


@lru_cache(maxsize=500_000)
def reading_similarity_exact(a: str, b: str) -> tuple[float, str]:
    """Similarity of two reading tokens (``SKELETON:slots``): the skeletons' similarity
    (1 when equal, else ``1 − 1.5·d / max(len)`` with ``d`` the Levenshtein distance; 0 for
    skeletons under three letters that differ; 0 between an acronym without vowels and a
    word with vowels) times ``(1 + v) / 2`` where ``v`` is the
    vowels' agreement (slot by slot for equal skeletons,
    :func:`~econsec.screening.reading.slot_agreement`; else the share of the shorter vowel
    sequence found in order in the other)."""
    if a == b:
        return 1.0, "same reading"
    (ska, va), (skb, vb) = split_reading(a), split_reading(b)
    if bool(va) != bool(vb) and not (ska + skb).isdigit():
        return 0.0, "reading"  # an acronym (no vowel) is not a transcribed word
    if ska == skb:
        sim = 1.0
        vowels = slot_agreement(a, b)
    elif min(len(ska), len(skb)) < 3:
        return 0.0, "reading"
    else:
        sim = max(0.0, 1.0 - 1.5 * Levenshtein.distance(ska, skb) / max(len(ska), len(skb)))
        vowels = _vowel_agreement(va, vb)
    if sim >= 1.0 and vowels >= 1.0:
        return 1.0, "same reading"
    return sim * (1 + vowels) / 2, "reading"


def reading_information(tokens: tuple[str, ...]) -> float:
    """Consonants a reading holds (those of generic words count half): how much a match
    of it says."""
    return sum(len(sk) * (0.5 if sk in GENERIC_READINGS else 1.0)
               for sk, _ in map(split_reading, tokens))


def reading_cap(q: tuple[str, ...], c: tuple[str, ...]) -> float:
    """Highest score of a reading comparison: :data:`READING_CAP` when both readings hold
    four consonants or more (generic words count half); for three, :data:`PARTIAL_SCORE`
    if both hold the same words read the same, vowels included, else just under
    :data:`CANDIDATE_THRESHOLD`; below three, 0.6. Readings made only of generic words
    (``Electronics Institute``) stay under the candidate threshold unless they hold the
    same words (then at most 0.9)."""
    n = min(reading_information(q), reading_information(c))
    if n < 3:
        return 0.6
    if n < 4:
        exact = len(q) == len(c) and all(any(reading_similarity(a, b)[0] >= 1.0 for b in c)
                                         for a in q)
        return PARTIAL_SCORE if exact else CANDIDATE_THRESHOLD - 0.05
    if all(split_reading(t)[0] in GENERIC_READINGS for t in q + c):
        same = sorted(split_reading(t)[0] for t in q) == sorted(split_reading(t)[0] for t in c)
        return 0.9 if same else CANDIDATE_THRESHOLD - 0.05
    return READING_CAP


def _distinctive(token: str, reading: bool, rarity: Rarity | None) -> bool:
    if reading:
        skeleton = split_reading(token)[0]
        if skeleton in GENERIC_READINGS or len(skeleton) < 4:
            return False
    elif token in GENERIC_WORDS or len(token) < 4 or token.isdigit():
        return False
    return rarity.distinctive(token, reading) if rarity else True


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

    def describe_notes(self, kind: str = "name") -> tuple[Note, ...]:
        """:meth:`describe` as translatable notes: the original names, how they were
        compared in words (no reading keys) and the similarity."""
        listed = Note(NAME_KINDS.get(kind, N_("listed name")))
        names = {"query": self.query.original, "candidate": self.candidate.original,
                 "kind": listed}
        if self.query_form is None or self.candidate_form is None:
            return (Note(N_("%(query)s and the %(kind)s %(candidate)s do not compare"),
                         names),)
        notes = [Note(N_("%(query)s compared with the %(kind)s %(candidate)s: "
                         "similarity %(score)s"), {**names, "score": f"{self.score:.2f}"})]
        q, c = self.query_form.method, self.candidate_form.method
        if q == c != "latin":
            notes.append(Note(N_("both names compared by %(form)s"),
                              {"form": Note(FORM_METHODS.get(q, q))}))
        elif q != "latin" or c != "latin":
            notes.append(Note(N_("the query compared by %(query_form)s, the listed name by "
                                 "%(candidate_form)s"),
                              {"query_form": Note(FORM_METHODS.get(q, q)),
                               "candidate_form": Note(FORM_METHODS.get(c, c))}))
        notes += [n for n in how_notes(self.how)
                  if not (q == c == "reading" and n.message_id == "compared by pronunciation")]
        if self.query.company_forms and self.candidate.company_forms:
            notes.append(Note(N_("company form %(query)s = %(candidate)s"),
                              {"query": "/".join(self.query.company_forms),
                               "candidate": "/".join(self.candidate.company_forms)}))
        return tuple(notes)


_DISTINCTIVE = re.compile(r"distinctive token \S+(?: \(in (\d+) of (\d+) entities\))?")
_CAPPED = re.compile(r"\(capped at ([\d.]+): ([^)]*)\)")


def how_notes(how: str) -> list[Note]:
    """The comparison method ``how`` (as :func:`compare_forms` words it) in notes."""
    notes: list[Note] = []
    if how == "exact":
        notes.append(Note(N_("the names are the same once normalised")))
    elif how == "same reading":
        notes.append(Note(N_("the names read the same")))
    elif how.startswith("joined"):
        notes.append(Note(N_("compared with their words joined")))
    elif how.startswith("reading: the distinctive words agree"):
        notes.append(Note(N_("the distinctive words read alike; the other words are generic "
                             "or common in the list")))
    elif found := _DISTINCTIVE.match(how):
        n, total = found.groups()
        if n is not None:
            notes.append(Note(N_("a distinctive word of the listed name (in %(n)s of %(total)s "
                                 "entities) is in the query; the rest of its name is not"),
                              {"n": int(n), "total": int(total)}))
        else:
            notes.append(Note(N_("a distinctive word of the listed name is in the query; "
                                 "the rest of its name is not")))
    elif how.startswith("reading"):
        notes.append(Note(N_("compared by pronunciation")))
    elif how.startswith("token set"):
        notes.append(Note(N_("compared word by word")))
    if "~" in how and not how.startswith("reading:"):
        notes.append(Note(N_("some words are spelled differently but sound or look alike")))
    if "[weighted by rarity in the list]" in how:
        notes.append(Note(N_("words weighted by their rarity in the list")))
    if found := _CAPPED.search(how):
        cap, reason = found.groups()
        notes.append(Note(N_("similarity capped at %(cap)s: %(reason)s"),
                          {"cap": cap, "reason": Note(CAP_REASONS.get(reason, reason))}))
    return notes


@lru_cache(maxsize=500_000)
def _spelling_similarity(a: str, b: str) -> tuple[float, str]:
    """:func:`~econsec.screening.names.token_similarity` with its phonetic rule only for
    words of six letters or more (a Hepburn romanisation against a Latin spelling:
    ``komatsu`` is not ``kamaz``; readings compare such sounds with their vowels)."""
    sim, how = token_similarity(a, b)
    if how != "phonetic" or min(len(a), len(b)) >= 6:
        return sim, how
    return max(0.0, 1.0 - 2.0 * OSA.distance(a, b) / max(len(a), len(b))), "edit distance"


def _align(q: tuple[str, ...], c: tuple[str, ...], reading: bool = False,
           rarity: Rarity | None = None, partial: bool = True, phonetic: bool = True
           ) -> tuple[float, str]:
    similarity = (reading_similarity if reading
                  else token_similarity if phonetic else _spelling_similarity)
    floor = READING_MIN_SIMILARITY if reading else 0.0
    pairs: list[tuple[float, int, int, str]] = []
    for i, a in enumerate(q):
        for j, b in enumerate(c):
            sim, how = similarity(a, b)
            if sim > floor:
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
        if sim > 0.5 and how not in {"exact", "same reading"}:
            hows.append(f"{q[i]}~{c[j]} {how}")
    w_q = [weight(t, reading, rarity) for t in q]
    w_c = [weight(t, reading, rarity) for t in c]
    cov_q = sum(w * used_q.get(i, 0.0) for i, w in enumerate(w_q)) / (sum(w_q) or 1.0)
    cov_c = sum(w * used_c.get(j, 0.0) for j, w in enumerate(w_c)) / (sum(w_c) or 1.0)
    lesser, used = (q, used_q) if cov_q <= cov_c else (c, used_c)
    if reading and all(split_reading(t)[0] in GENERIC_READINGS
                       for i, t in enumerate(lesser) if i not in used):
        # Transcriptions add or drop generic words (a translated legal or common word):
        # when only such words are left over, the better-covered side counts more.
        share = READING_MAX_SHARE
        score = share * max(cov_q, cov_c) + (1 - share) * min(cov_q, cov_c)
    else:
        score = (cov_q + cov_c) / 2
    how = ("reading" if reading else "token set") + (f" ({', '.join(hows)})" if hows else "")
    if rarity is not None and any(w < 0.999 for w in w_q + w_c):
        how += " [weighted by rarity in the list]"
    if (partial and score < PARTIAL_SCORE and len(c) > len(q)
            and all(used_q.get(i, 0.0) >= 0.9 for i in range(len(q)))):
        exact = {c[j] for j in used_c} & set(q)  # readings: vowels equal too
        rare = [c[j] for j, sim in used_c.items()
                if sim >= 1.0 and (not reading or c[j] in exact)
                and _distinctive(c[j], reading, rarity)]
        if rare:
            n = f" (in {rarity.count(rare[0], reading)} of {rarity.total} entities)" \
                if rarity else ""
            return PARTIAL_SCORE, (f"distinctive token {rare[0]}{n} names the listed entity; "
                                   f"the rest of its name is not in the query")
    return score, how


def _generic_reading(token: str) -> bool:
    return split_reading(token)[0] in GENERIC_READINGS


def _common_reading(token: str, rarity: Rarity) -> bool:
    """A word of three consonants or more, generic or in more than :data:`ANCHOR_SHARE`
    of the list's entities (and more than two): it may be left over in an anchored
    comparison. Shorter words (``China``, ``Korea``, initials) are never common: their
    keys mix many different words."""
    return len(split_reading(token)[0]) >= 3 and (
        _generic_reading(token)
        or rarity.count(token, True) > max(2, ANCHOR_SHARE * rarity.total))


@lru_cache(maxsize=500_000)
def _anchor_similarity(a: str, b: str) -> float:
    """:func:`reading_similarity`, or :data:`ANCHOR_MIN_SIMILARITY` when the shorter
    skeleton (five consonants or more) begins or ends the longer one: one side wrote a
    compound (``Aerohydrodynamic``) the other wrote in two words."""
    sim = reading_similarity(a, b)[0]
    (ska, va), (skb, vb) = split_reading(a), split_reading(b)
    if sim < ANCHOR_MIN_SIMILARITY and "J" in ska + skb and min(len(ska), len(skb)) >= 4:
        # katakana ジ and チ also write "di", "zi" and "ti" (ラジオ radio)
        for letter in "DST":
            fa, fb = ska.replace("J", letter), skb.replace("J", letter)
            folded = max(0.0, 1.0 - 1.5 * Levenshtein.distance(fa, fb) / max(len(fa), len(fb)))
            sim = max(sim, folded * (1 + _vowel_agreement(va, vb)) / 2)
    short, long = sorted((ska, skb), key=len)
    if sim < ANCHOR_MIN_SIMILARITY and len(short) >= 5 and (
            long.startswith(short) or long.endswith(short)):
        return ANCHOR_MIN_SIMILARITY
    return sim


def _anchored(q: tuple[str, ...], c: tuple[str, ...], rarity: Rarity) -> str:
    """Why two readings are a possible match by their distinctive words, or ``""``.

    Tokens are paired greedily, most similar first (similarity at least
    :data:`ANCHOR_MIN_SIMILARITY`, :func:`_anchor_similarity`). *Anchors* are paired
    words, neither of them generic, at least one of them rare in the list
    (:func:`_common_reading` false). The anchors must hold :data:`ANCHOR_INFORMATION`
    consonants or more (times their similarity), one of them four or more; the words left
    unpaired on either side that are neither generic nor common in the list (each
    counting its consonants, at least three) at most :data:`ANCHOR_LEFTOVER` of that."""
    pairs = sorted(((_anchor_similarity(a, b), i, j) for i, a in enumerate(q)
                    for j, b in enumerate(c)), reverse=True)
    used_q: dict[int, int] = {}
    used_c: set[int] = set()
    for sim, i, j in pairs:
        if sim < ANCHOR_MIN_SIMILARITY:
            break
        if i not in used_q and j not in used_c:
            used_q[i] = j
            used_c.add(j)
    anchors = [(i, j) for i, j in sorted(used_q.items())
               if not _generic_reading(q[i]) and not _generic_reading(c[j])
               and not (_common_reading(q[i], rarity) and _common_reading(c[j], rarity))]
    lengths = [min(len(split_reading(q[i])[0]), len(split_reading(c[j])[0]))
               for i, j in anchors]
    information = sum(n * _anchor_similarity(q[i], c[j])
                      for n, (i, j) in zip(lengths, anchors, strict=True))
    if information < ANCHOR_INFORMATION or max(lengths, default=0) < 4:
        return ""
    for side, used in ((q, set(used_q)), (c, used_c)):
        left = sum(max(3, len(split_reading(t)[0])) for k, t in enumerate(side)
                   if k not in used and not _common_reading(t, rarity))
        if left > ANCHOR_LEFTOVER * information:
            return ""
    words = ", ".join(f"{q[i].partition(':')[0]}~{c[j].partition(':')[0]}"
                      for i, j in anchors)
    return (f"reading: the distinctive words agree ({words}); the others are generic or "
            f"common in the list")


@lru_cache(maxsize=200_000)
def _compare_cached(q: tuple[str, ...], c: tuple[str, ...], reading: bool, partial: bool,
                    phonetic: bool) -> tuple[float, str]:
    return _compare(q, c, reading, None, partial, phonetic)


def _compare(q: tuple[str, ...], c: tuple[str, ...], reading: bool,
             rarity: Rarity | None, partial: bool, phonetic: bool = True
             ) -> tuple[float, str]:
    if q == c:
        return 1.0, "exact"
    score, how = _align(q, c, reading, rarity, partial, phonetic)
    if reading and rarity is not None and score < ANCHOR_SCORE:
        anchored = _anchored(q, c, rarity)
        if anchored:
            return ANCHOR_SCORE, anchored
    if len(q) != len(c):
        if reading:
            parts = [[split_reading(t) for t in f if split_reading(t)[0] not in GENERIC_READINGS]
                     for f in (q, c)]
            sa, sb = ("".join(sk for sk, _ in p) for p in parts)
            va, vb = ("".join(v for _, v in p) for p in parts)
            generic_q, generic_c = (sorted(t.partition(":")[0] for t in f
                                           if t.partition(":")[0] in GENERIC_READINGS)
                                    for f in (q, c))
            joined = 0.0
            if sa and sb and generic_q == generic_c:
                joined = max(0.0, 1.0 - 1.5 * Levenshtein.distance(sa, sb)
                             / max(len(sa), len(sb)))
                joined *= (1 + _vowel_agreement(va, vb)) / 2
        else:
            a, b = "".join(q), "".join(c)
            joined = max(0.0, 1.0 - 2.0 * OSA.distance(a, b) / max(len(a), len(b)))
        if joined > score:
            score, how = joined, "joined"
    return score, how


def compare_forms(q: tuple[str, ...], c: tuple[str, ...], reading: bool = False,
                  rarity: Rarity | None = None, partial: bool = True, phonetic: bool = True
                  ) -> tuple[float, str]:
    """Score of two token forms in [0, 1] and a short description of how it was found.
    Readings (``reading=True``) score at most :func:`reading_cap`; ``partial`` allows the
    distinctive-token rule (Latin and reading forms; not syllable-wise pinyin); ``phonetic``
    the phonetic token rule (not between a Hepburn romanisation and a Latin spelling)."""
    if rarity is None:
        score, how = _compare_cached(q, c, reading, partial, phonetic)
    else:
        score, how = _compare(q, c, reading, rarity, partial, phonetic)
    if reading:
        cap = reading_cap(q, c)
        if score > cap:
            score = cap
            how += (f" (capped at {cap}: vowels are compared loosely)" if cap == READING_CAP
                    else f" (capped at {cap}: only generic words)" if cap == 0.9
                    else f" (capped at {cap}: a short reading or only generic words "
                         "says little)")
    return score, how


def _known_names_differ(qn: NormalisedName, cn: NormalisedName) -> bool:
    """Both names hold common Japanese names and not the same ones (``サイトウ`` /
    ``Sato``): the Hepburn forms decide, readings would blur the difference."""
    known_q = {t for t in qn.forms[0].tokens if t in KNOWN_NAMES} if qn.forms else set()
    known_c = {t for t in cn.forms[0].tokens if t in KNOWN_NAMES} if cn.forms else set()
    return bool(known_q) and bool(known_c) and known_q != known_c


def compare_names(query: str | NormalisedName, candidate: str | NormalisedName,
                  rarity: Rarity | None = None) -> NameComparison:
    """The best comparison over all forms of two names (see the module docstring);
    readings are compared only with readings.

    With ``rarity``, every pair of forms is first scored without it (cached), and the
    :data:`RESCORED_PAIRS` best pairs are scored again with the list's token rarity."""
    qn = query if isinstance(query, NormalisedName) else normalise_name(query)
    cn = candidate if isinstance(candidate, NormalisedName) else normalise_name(candidate)
    best = NameComparison(0.0, qn, cn)
    cross_script = ((qn.script == "latin") != (cn.script == "latin")
                    and not _known_names_differ(qn, cn))
    pairs: list[tuple[float, NameForm, NameForm, bool, bool, bool]] = []
    for qf in qn.forms:
        for cf in cn.forms:
            reading = qf.method == READING
            if reading != (cf.method == READING) or (reading and not cross_script):
                continue
            partial = qf.method == cf.method and qf.method in {"latin", READING}
            phonetic = {qf.method[:7], cf.method[:7]} != {"Hepburn", "latin"}
            score, how = compare_forms(qf.tokens, cf.tokens, reading, None, partial, phonetic)
            if rarity is not None and score < 1.0:
                pairs.append((score, qf, cf, reading, partial, phonetic))
            elif score > best.score:
                best = NameComparison(score, qn, cn, qf, cf, how)
                if score >= 1.0:
                    return best
    pairs.sort(key=lambda p: -p[0])
    for _, qf, cf, reading, partial, phonetic in pairs[:RESCORED_PAIRS]:
        score, how = compare_forms(qf.tokens, cf.tokens, reading, rarity, partial, phonetic)
        if score > best.score:
            best = NameComparison(score, qn, cn, qf, cf, how)
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

    @property
    def status(self) -> str:
        """``match``, ``possible match`` or ``no match`` (see the module docstring)."""
        return status_of(self.score)


def status_of(score: float, threshold: float = THRESHOLD,
              candidate_threshold: float = CANDIDATE_THRESHOLD) -> str:
    """``match`` at or above ``threshold``, ``possible match`` at or above
    ``candidate_threshold``, else ``no match``."""
    if score >= threshold:
        return "match"
    if score >= candidate_threshold:
        return "possible match"
    return "no match"


def score_entity(query: Query, entity: ListedEntity, list_name: str = "", *,
                 normalised: dict[str, NormalisedName] | None = None,
                 rarity: Rarity | None = None) -> ScoredEntity:
    """Score ``entity`` against ``query``: best name comparison, then birth date and
    country agreement or conflict (module docstring), with an explanation.

    ``normalised`` holds the entity's names already normalised (as stored in the index);
    ``rarity`` the list's key frequencies (token weights by rarity, distinctive tokens)."""
    qn = normalise_name(query.name)
    best: NameComparison | None = None
    best_kind = "name"
    for kind, name in entity.names:
        candidate = (normalised or {}).get(name) or normalise_name(name)
        comparison = compare_names(qn, candidate, rarity)
        if best is None or comparison.score > best.score:
            best, best_kind = comparison, kind
    assert best is not None
    score = best.score
    explanation: list[str] = [Step(best.describe(best_kind), best.describe_notes(best_kind))]
    if query.birth_date and entity.birth_dates:
        score, note = _dates(query.birth_date, entity.birth_dates, score)
        explanation.append(note)
    if query.country and entity.countries:
        code = country_code(query.country)
        listed = {country_code(c) for c in entity.countries}
        if code in listed:
            explanation.append(Step.of(N_("country %(country)s agrees"), country=query.country))
        else:
            score *= COUNTRY_CONFLICT
            explanation.append(Step.of(N_("country conflict: %(query)s ≠ %(listed)s "
                                          "(×%(factor)s)"), query=query.country,
                                       listed=", ".join(sorted(entity.countries)),
                                       factor=COUNTRY_CONFLICT))
    if best.score >= THRESHOLD and score < CANDIDATE_THRESHOLD:
        score = CANDIDATE_THRESHOLD
        explanation.append(Step.of(N_("the name matches: kept a possible match "
                                      "(%(threshold)s) despite the conflict"),
                                   threshold=CANDIDATE_THRESHOLD))
    explanation.append(status_of(min(score, 1.0)))
    return ScoredEntity(entity, list_name, round(min(score, 1.0), 4), round(best.score, 4),
                        best.candidate.original, explanation)


def _dates(query_date: str, listed: tuple[str, ...], score: float) -> tuple[float, Step]:
    q = query_date.strip()
    if any(d.startswith(q) or q.startswith(d) for d in listed):
        return min(1.0, score + DOB_AGREES_BONUS), Step.of(
            N_("birth date %(date)s agrees (+%(bonus)s)"), date=q, bonus=DOB_AGREES_BONUS)
    if any(d[:4] == q[:4] for d in listed):
        return score * DOB_SAME_YEAR_CONFLICT, Step.of(
            N_("birth date conflict: %(date)s ≠ %(listed)s, same year (×%(factor)s)"),
            date=q, listed=", ".join(listed), factor=DOB_SAME_YEAR_CONFLICT)
    return score * DOB_CONFLICT, Step.of(
        N_("birth date conflict: %(date)s ≠ %(listed)s (×%(factor)s)"),
        date=q, listed=", ".join(listed), factor=DOB_CONFLICT)
