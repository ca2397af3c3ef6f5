"""Cross-script screening recall on real names: katakana ⇄ Latin.

The METI/MOFA export-prohibition lists (Russia, Belarus, third countries) print every
entity with a Japanese name (``name_ja``, mostly katakana with kanji common words) and an
English one (``name_en``), aliases in both. Two screening indexes are built from them:

* ``latin``: every entity with its Latin names only (as on the US, EU or UN lists);
* ``ja``: every entity with its Japanese names only (as a Japanese-only list).

A **katakana query** (``name_ja``) is screened against ``latin`` and a **Latin query**
(``name_en``) against ``ja``; it is *found* when the entity is among the results at or
above the candidate threshold (``econsec.screening.match.CANDIDATE_THRESHOLD``; the
``match`` threshold figures are printed too). Entities are split once and for all by a
hash of their id: 30 % held out (``sha256(id)[0] % 10 < 3``), never looked at while
developing the matcher; the dev part is the rest.

**Negative set**: names of entities absent from these lists, screened against both indexes
(any result at or above the candidate threshold is a false match): the METI End User List
(edition 2025-09-29) entries outside Russia and Belarus, the US DoD 1260H list, and
well-known Japanese companies written in Japanese (:data:`JAPANESE_COMPANIES`).

Latency: per-query p50/p95 against the ~670-entity index and, with ``--sdn``, against the
OFAC SDN list (~15k entities).

    .venv/bin/python benchmarks/screening_recall.py [--errors] [--sdn] [--split dev|held-out]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import statistics
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from econsec.screening.entities import ListedEntity
from econsec.screening.index import SqliteScreeningIndex
from econsec.screening.match import THRESHOLD, Query
from econsec.screening.names import normalise_name

try:  # the candidate threshold ("possible match"); older versions had only THRESHOLD
    from econsec.screening.match import CANDIDATE_THRESHOLD
except ImportError:  # pragma: no cover - baseline measurement on the old code
    CANDIDATE_THRESHOLD = THRESHOLD

ROOT = Path(__file__).resolve().parents[1]
SEARCH_DIRS = (ROOT / "src" / "econsec" / "data" / "screening",
               ROOT.parent / "shared" / "data" / "screening" / "jp_meti",
               ROOT.parent / "shared" / "data" / "screening" / "us_eu_cn")
PROHIBITION = "meti_export_prohibition_russia_belarus_thirdcountry.csv"
END_USER = "meti_foreign_user_list_20250929.csv"
DOD_1260H = "us_dod_1260h_chinese_military_companies.csv"
SDN = "ofac_sdn_20240503.csv"
HELD_OUT_SHARE = 3  # tenths

#: Well-known Japanese companies (none is on the export-prohibition lists), as Japanese
#: staff would type them.
JAPANESE_COMPANIES = (
    "トヨタ自動車", "ソニーグループ", "パナソニック", "日立製作所", "三菱電機", "東芝",
    "キヤノン", "ニコン", "オリンパス", "富士通", "日本電気", "シャープ", "京セラ",
    "村田製作所", "東京エレクトロン", "ファナック", "キーエンス", "デンソー", "ブリヂストン",
    "本田技研工業", "日産自動車", "スズキ", "マツダ", "スバル", "ヤマハ発動機",
    "川崎重工業", "三菱重工業", "ＩＨＩ", "コマツ", "クボタ", "ダイキン工業", "信越化学工業",
    "住友化学", "旭化成", "東レ", "三井物産", "三菱商事", "伊藤忠商事", "丸紅", "住友商事",
    "ソフトバンクグループ", "楽天グループ", "ユニクロ", "ファーストリテイリング",
    "任天堂", "セガサミーホールディングス", "バンダイナムコ", "カシオ計算機", "セイコーエプソン",
    "ルネサスエレクトロニクス", "ローム", "アドバンテスト", "ディスコ", "レーザーテック",
    "株式会社ミツトヨ", "ヤマザキマザック", "オークマ", "安川電機", "オムロン",
    "アルプスアルパイン",
    "日本製鉄", "ＪＦＥスチール", "神戸製鋼所", "ＪＸ金属", "住友電気工業", "古河電気工業",
    "株式会社アマダ", "ジェイテクト", "ＴＤＫ", "日本電産", "トーカロ", "株式会社フジクラ",
)


def find(name: str, dirs: Iterable[Path] = SEARCH_DIRS) -> Path | None:
    """The first ``name`` found in the bundled data folder or the shared data sets."""
    for folder in dirs:
        for path in sorted(folder.glob(f"**/{name}")) if folder.is_dir() else []:
            return path
    return None


def split_aliases(cell: str) -> list[str]:
    return [a.strip() for a in (cell or "").split(" | ") if a.strip()]


def held_out(entity_id: str) -> bool:
    """The fixed split: 30 % of ids, by hash, are held out."""
    return hashlib.sha256(entity_id.encode()).digest()[0] % 10 < HELD_OUT_SHARE


@dataclass
class Bilingual:
    id: str
    name_ja: str
    name_en: str
    aliases_ja: list[str] = field(default_factory=list)
    aliases_en: list[str] = field(default_factory=list)
    country: str = ""


def read_prohibition(path: Path) -> list[Bilingual]:
    """One record per id. The source repeats some ids on rows that hold only a piece of
    the address in ``name_en`` and no Japanese name (a PDF parsing artefact): the row
    with a Japanese name wins."""
    by_id: dict[str, Bilingual] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for r in csv.DictReader(handle):
            e = Bilingual(r["id"], r["name_ja"].strip(), r["name_en"].strip(),
                          split_aliases(r["aliases_ja"]), split_aliases(r["aliases_en"]),
                          r.get("country_code", "").lower())
            if e.id not in by_id or (e.name_ja and not by_id[e.id].name_ja):
                by_id[e.id] = e
    return list(by_id.values())


def _entity(e: Bilingual, names: list[str]) -> ListedEntity | None:
    names = [n for n in dict.fromkeys(names) if n]
    if not names:
        return None
    kinds = ["name"] + ["alias"] * (len(names) - 1)
    return ListedEntity(e.id, "Organization", tuple(zip(kinds, names, strict=True)),
                        (e.country,) if e.country else ())


def latin_entities(rows: list[Bilingual]) -> list[ListedEntity]:
    out = (_entity(e, [e.name_en, *e.aliases_en]) for e in rows)
    return [e for e in out if e is not None]


def japanese_entities(rows: list[Bilingual]) -> list[ListedEntity]:
    out = (_entity(e, [e.name_ja, *e.aliases_ja]) for e in rows)
    return [e for e in out if e is not None]


def negative_names() -> list[tuple[str, str]]:
    """(source, name) of entities absent from the export-prohibition lists."""
    names: list[tuple[str, str]] = [("japanese company", n) for n in JAPANESE_COMPANIES]
    path = find(END_USER)
    if path:
        with path.open(encoding="utf-8", newline="") as handle:
            for r in csv.DictReader(handle):
                if r["country_code"] not in {"RU", "BY"}:
                    names.append(("end user list", r["name_en"].strip()))
    path = find(DOD_1260H)
    if path:
        with path.open(encoding="utf-8", newline="") as handle:
            for r in csv.DictReader(handle):
                names.append(("1260H", (r.get("Clean Name") or r["Name"]).strip()))
    return [(s, n) for s, n in dict.fromkeys(names) if n]


@dataclass
class Outcome:
    query: str
    expected: str
    found_candidate: bool
    found_match: bool
    best: str
    best_score: float
    seconds: float


def screen_all(index: SqliteScreeningIndex, queries: list[tuple[str, str]],
               threshold: float = CANDIDATE_THRESHOLD) -> Iterator[Outcome]:
    for expected, name in queries:
        start = time.perf_counter()
        results = index.screen(Query(name), limit=10)
        seconds = time.perf_counter() - start
        mine = [r for r in results if r.entity.id == expected]
        score = mine[0].score if mine else 0.0
        top = results[0] if results else None
        yield Outcome(name, expected, score >= threshold, score >= THRESHOLD,
                      f"{top.entity.id} {top.matched_name!r} {top.score:.2f} "
                      f"{'; '.join(top.explanation)}" if top else "-",
                      top.score if top else 0.0, seconds)


@dataclass
class Figures:
    direction: str
    split: str
    n: int
    candidates: int
    matches: int
    misses: list[Outcome]

    @property
    def recall(self) -> float:
        return self.candidates / self.n if self.n else 0.0


def build(folder: Path, rows: list[Bilingual]) -> tuple[SqliteScreeningIndex,
                                                         SqliteScreeningIndex]:
    latin = SqliteScreeningIndex(folder / "latin.db")
    latin.load_entities(latin_entities(rows), "export-prohibition-latin")
    ja = SqliteScreeningIndex(folder / "ja.db")
    ja.load_entities(japanese_entities(rows), "export-prohibition-ja")
    return latin, ja


def recall(latin: SqliteScreeningIndex, ja: SqliteScreeningIndex, rows: list[Bilingual],
           split: str) -> tuple[list[Figures], list[float]]:
    """Recall both ways on one split (``dev``, ``held-out`` or ``all``) and latencies."""
    chosen = [e for e in rows if e.name_ja and e.name_en
              and (split == "all" or held_out(e.id) == (split == "held-out"))]
    figures = []
    latencies: list[float] = []
    for direction, index, queries in (
            ("katakana → Latin list", latin, [(e.id, e.name_ja) for e in chosen]),
            ("Latin → Japanese list", ja, [(e.id, e.name_en) for e in chosen])):
        outcomes = list(screen_all(index, queries))
        latencies += [o.seconds for o in outcomes]
        figures.append(Figures(direction, split, len(outcomes),
                               sum(o.found_candidate for o in outcomes),
                               sum(o.found_match for o in outcomes),
                               [o for o in outcomes if not o.found_candidate]))
    return figures, latencies


def same_entities(rows: list[Bilingual], negatives: list[tuple[str, str]]) -> set[str]:
    """Negative names that are a listed name, after normalisation: the same entity on two
    lists (e.g. a third-country entity also on the End User List), left out."""
    listed = {normalise_name(n).forms[0].tokens for e in rows
              for n in [e.name_en, *e.aliases_en] if n and normalise_name(n).forms}
    return {n for _, n in negatives
            if normalise_name(n).forms and normalise_name(n).forms[0].tokens in listed}


def false_matches(latin: SqliteScreeningIndex, ja: SqliteScreeningIndex,
                  threshold: float = CANDIDATE_THRESHOLD, *, cross_script_only: bool = False,
                  rows: list[Bilingual] | None = None, step: int = 1
                  ) -> tuple[int, list[tuple[str, str, str, float, str]]]:
    """(queries run, false matches as (source, query, index, score, result)).

    Cross-script queries are Latin names against the Japanese-only index and Japanese
    names against the Latin-only index; ``cross_script_only`` runs only those. ``step``
    keeps every step-th list name (all Japanese company names are kept)."""
    negatives = [(s, n) for i, (s, n) in enumerate(negative_names())
                 if s == "japanese company" or i % step == 0]
    if rows is None:
        path = find(PROHIBITION)
        rows = read_prohibition(path) if path else []
    skip = same_entities(rows, negatives)
    found = []
    runs = 0
    for name, index in (("latin", latin), ("ja", ja)):
        for source, query in negatives:
            japanese = source == "japanese company"
            if query in skip or (cross_script_only and japanese == (name == "ja")):
                continue
            runs += 1
            results = index.screen(Query(query), limit=1)
            if results and results[0].score >= threshold:
                r = results[0]
                found.append((source, query, name, r.score,
                              f"{r.entity.id} {r.matched_name!r}: {'; '.join(r.explanation)}"))
    return runs, found


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def sdn_latency(folder: Path, queries: list[str]) -> tuple[int, list[float]] | None:
    path = find(SDN)
    if path is None:
        return None
    entities = []
    with path.open(encoding="utf-8", errors="replace", newline="") as handle:
        for row in csv.reader(handle):
            if len(row) > 2 and row[1].strip():
                entities.append(ListedEntity(f"sdn-{row[0]}", "LegalEntity",
                                             (("name", row[1].strip()),)))
    entities = list({e.id: e for e in entities}.values())
    index = SqliteScreeningIndex(folder / "sdn.db")
    index.load_entities(entities, "ofac-sdn")
    times = []
    for q in queries:
        start = time.perf_counter()
        index.screen(Query(q), limit=10)
        times.append(time.perf_counter() - start)
    index.close()
    return len(entities), times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--errors", action="store_true", help="list the misses")
    parser.add_argument("--sdn", action="store_true", help="latency on the OFAC SDN list")
    parser.add_argument("--split", choices=("dev", "held-out", "all"), action="append")
    args = parser.parse_args(argv)
    path = find(PROHIBITION)
    if path is None:
        print(f"{PROHIBITION} not found in {', '.join(map(str, SEARCH_DIRS))}")
        return 1
    rows = read_prohibition(path)
    print(f"{path.name}: {len(rows)} entities, "
          f"{sum(bool(e.name_ja and e.name_en) for e in rows)} with both names; "
          f"candidate threshold {CANDIDATE_THRESHOLD}, match threshold {THRESHOLD}")
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        latin, ja = build(Path(tmp), rows)
        print(f"indexes built in {time.perf_counter() - start:.1f} s")
        latencies: list[float] = []
        print("| direction | split | n | found (candidate) | recall | found (match) |")
        print("|---|---|---:|---:|---:|---:|")
        all_figures = []
        for split in args.split or ["dev", "held-out"]:
            figures, times = recall(latin, ja, rows, split)
            latencies += times
            all_figures += figures
            for f in figures:
                print(f"| {f.direction} | {f.split} | {f.n} | {f.candidates} | "
                      f"{f.recall:.3f} | {f.matches} |")
        for label, only in (("cross-script", True), ("all", False)):
            runs, wrong = false_matches(latin, ja, cross_script_only=only, rows=rows)
            print(f"negative set ({label}): {runs} queries, {len(wrong)} false matches at "
                  f"{CANDIDATE_THRESHOLD} (rate {len(wrong) / max(runs, 1):.4f})")
            for item in wrong:
                print("  false:", *item)
        print(f"  left out as the same entity on two lists: "
              f"{sorted(same_entities(rows, negative_names()))}")
        print(f"latency, {len(latencies)} queries against ~670 entities: "
              f"p50 {percentile(latencies, 0.5) * 1000:.1f} ms, "
              f"p95 {percentile(latencies, 0.95) * 1000:.1f} ms")
        if args.errors:
            for f in all_figures:
                for o in f.misses:
                    print(f"miss [{f.direction}, {f.split}] {o.expected} {o.query!r} -> "
                          f"{o.best}")
        if args.sdn:
            sample = [e.name_en for e in rows if e.name_en][:150]
            sample += [e.name_ja for e in rows if e.name_ja][:150]
            result = sdn_latency(Path(tmp), sample)
            if result:
                n, times = result
                print(f"latency, {len(times)} queries against OFAC SDN ({n} entities): "
                      f"p50 {percentile(times, 0.5) * 1000:.1f} ms, "
                      f"p95 {percentile(times, 0.95) * 1000:.1f} ms, "
                      f"mean {statistics.mean(times) * 1000:.1f} ms")
        latin.close()
        ja.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
