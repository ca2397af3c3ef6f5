"""Screening quality: precision, recall and F1 per category on the labelled pairs.

Runs econsec's matcher (``econsec.screening.match.score_entity``, match at its documented
threshold) and nomenklatura's ``logic-v2`` (FollowTheMoney entities, match at 0.70, yente's
default ``SCORE_THRESHOLD``) on ``benchmarks/data/screening_pairs.csv`` and prints both
side by side. ``--errors`` lists econsec's misclassified pairs.

    .venv/bin/python benchmarks/screening_quality.py [--errors]
"""

from __future__ import annotations

import csv
import sys
import time
from collections import defaultdict
from pathlib import Path

from econsec.screening.entities import ListedEntity
from econsec.screening.match import THRESHOLD, Query, score_entity

PAIRS = Path(__file__).parent / "data" / "screening_pairs.csv"
LOGIC_V2_THRESHOLD = 0.70


def read_pairs(path: Path = PAIRS) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def econsec_score(query: str, candidate: str, schema: str) -> float:
    entity = ListedEntity("candidate", schema, (("name", candidate),))
    return score_entity(Query(query), entity).score


def logic_v2_scorer():  # type: ignore[no-untyped-def]
    from followthemoney import model
    from nomenklatura.matching import get_algorithm

    algorithm = get_algorithm("logic-v2")
    assert algorithm is not None
    config = algorithm.default_config()

    def make(name: str, schema: str, entity_id: str):  # type: ignore[no-untyped-def]
        entity = model.make_entity(schema)
        entity.id = entity_id
        entity.add("name", name)
        return entity

    counter = iter(range(10**9))

    def score(query: str, candidate: str, schema: str) -> float:
        # Unique ids: nomenklatura caches comparisons by entity id.
        n = next(counter)
        return float(algorithm.compare(make(query, schema, f"q{n}"),
                                       make(candidate, schema, f"c{n}"), config).score)

    return score


def prf(pairs: list[tuple[int, bool]]) -> tuple[float, float, float, int, int]:
    """Precision, recall, F1, pair count and false positives (a category without any
    positive pair, such as hard_negative, is judged by its false positives)."""
    tp = sum(1 for label, hit in pairs if label and hit)
    fp = sum(1 for label, hit in pairs if not label and hit)
    fn = sum(1 for label, hit in pairs if label and not hit)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1, len(pairs), fp


def evaluate(rows: list[dict[str, str]], scorer, threshold: float  # type: ignore[no-untyped-def]
             ) -> dict[str, list[tuple[int, bool]]]:
    by_category: dict[str, list[tuple[int, bool]]] = defaultdict(list)
    for row in rows:
        hit = scorer(row["query"], row["candidate"], row["schema"]) >= threshold
        by_category[row["category"]].append((int(row["label"]), hit))
        by_category["overall"].append((int(row["label"]), hit))
    return by_category


def main(argv: list[str]) -> None:
    rows = read_pairs()
    started = time.perf_counter()
    ours = evaluate(rows, econsec_score, THRESHOLD)
    ours_time = time.perf_counter() - started
    started = time.perf_counter()
    theirs = evaluate(rows, logic_v2_scorer(), LOGIC_V2_THRESHOLD)
    theirs_time = time.perf_counter() - started
    print(f"{len(rows)} labelled pairs ({PAIRS.name}); econsec threshold {THRESHOLD}, "
          f"logic-v2 threshold {LOGIC_V2_THRESHOLD}")
    print(f"{'category':<27}{'n':>4}  {'econsec P':>9} {'R':>5} {'F1':>5} {'FP':>3}   "
          f"{'logic-v2 P':>10} {'R':>5} {'F1':>5} {'FP':>3}")
    categories = [*sorted(c for c in ours if c != "overall"), "overall"]
    for category in categories:
        p1, r1, f1, n, fp1 = prf(ours[category])
        p2, r2, f2, _, fp2 = prf(theirs[category])
        print(f"{category:<27}{n:>4}  {p1:>9.3f} {r1:>5.3f} {f1:>5.3f} {fp1:>3}   "
              f"{p2:>10.3f} {r2:>5.3f} {f2:>5.3f} {fp2:>3}")
    print(f"time: econsec {ours_time:.1f} s, logic-v2 {theirs_time:.1f} s")
    if "--errors" in argv:
        for row in rows:
            score = econsec_score(row["query"], row["candidate"], row["schema"])
            if (score >= THRESHOLD) != bool(int(row["label"])):
                print(f"  {row['category']:<26} label={row['label']} score={score:.3f} "
                      f"{row['query']} | {row['candidate']}")


if __name__ == "__main__":
    main(sys.argv[1:])
