"""Screening speed: index N synthetic entities (default one million), then time queries.

Entities are generated from name parts with a fixed seed: Latin-script persons and
companies (syllable-built names, so the vocabulary is large as in real lists), Japanese
persons in kanji, Japanese companies with 株式会社, Chinese persons and companies. Queries
mix exact names, variants (other script, romanisation, word order, company form, typo)
and absent names. Prints indexing time, file size and p50/p95/p99 query latency.

    .venv/bin/python benchmarks/screening_speed.py [--entities 1000000] [--queries 300]
        [--index /tmp/screening_speed.db] [--reuse]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Iterator
from pathlib import Path

from econsec.screening.entities import ListedEntity
from econsec.screening.index import SqliteScreeningIndex
from econsec.screening.match import Query


def _words(text: str) -> list[str]:
    return text.split()


SYLLABLES = _words("ka ri no ta mi ro sa ve lo an der ber mar tin son el ia ko "
                   "vic ov en us ra to ni le do ha mo ja be ru fa zo ge pe li na "
                   "sto gra vin")
FIRST = _words("John Maria Ahmed Olga Pierre Hans Ivan Elena Carlos Fatima "
               "Wei Anna Peter Omar Sofia Luca Nikolai Amira Jorge Ingrid "
               "Tomas Leila Viktor Paulo Yusuf Hana Mikhail Greta Dmitri "
               "Rosa Karim Lena Stefan Ines Boris Mei Andrei Nadia Felix "
               "Aisha")
WORDS = _words("Precision Optics Materials Trading Logistics Systems "
               "Dynamics Semiconductor Energy Marine Capital Chemical "
               "Electronics Machinery Photonics Aerospace")
FORMS = ("Ltd", "LLC", "GmbH", "Co., Ltd.", "Corporation", "S.A.", "AG", "Inc.")
JA_FAM = _words("佐藤 鈴木 高橋 田中 伊藤 渡辺 山本 中村 小林 加藤 吉田 山田 佐々木 山口 松本 井上")
JA_GIV = _words("太郎 次郎 健一 浩 翔太 大輔 誠 花子 洋子 裕子 恵子 直樹 健太 一郎 修 智子")
JA_CO = _words("東都 北斗 南邦 西進 大和 昭栄 光陽 三協 日進 旭東 富士見 明星 協和 新星 平和 朝日")
JA_CO2 = _words("精密 電子 化学 機械 商事 工業 電機 製作所 物産 通信")
ZH_FAM = _words("王 李 张 刘 陈 杨 赵 黄 周 吴 徐 孙 马 朱 胡 郭")
ZH_GIV = _words("伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀英 霞 平 刚 桂英")
ZH_CO = _words("华星 中兴 东方 长城 新华 国泰 海天 金龙 天宇 宏达 恒通 瑞丰")
ZH_CO2 = _words("科技 电子 精密 材料 贸易 光电 机械 能源")


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()


def synthetic_entity(rng: random.Random, n: int) -> ListedEntity:
    kind = rng.random()
    if kind < 0.45:
        names: tuple[tuple[str, str], ...] = (("name", f"{rng.choice(FIRST)} {_word(rng)}"),)
        schema = "Person"
    elif kind < 0.75:
        core = " ".join(_word(rng) for _ in range(rng.randint(1, 2)))
        names = (("name", f"{core} {rng.choice(WORDS)} {rng.choice(FORMS)}"),)
        schema = "Company"
    elif kind < 0.85:
        names = (("name", f"{rng.choice(JA_FAM)} {rng.choice(JA_GIV)}"),)
        schema = "Person"
    elif kind < 0.9:
        names = (("name", f"{rng.choice(JA_CO)}{rng.choice(JA_CO2)}株式会社"),)
        schema = "Company"
    elif kind < 0.96:
        names = (("name", f"{rng.choice(ZH_FAM)}{rng.choice(ZH_GIV)}"),)
        schema = "Person"
    else:
        names = (("name", f"{rng.choice(ZH_CO)}{rng.choice(ZH_CO2)}有限公司"),)
        schema = "Company"
    if rng.random() < 0.2:
        names += (("alias", f"{_word(rng)} {_word(rng)}"),)
    country = rng.choice(("ru", "cn", "jp", "ir", "kp", "by", "sy", "ae", "tr", "de"))
    dates = (f"{rng.randint(1940, 2000)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
             ) if schema == "Person" else ()
    return ListedEntity(f"syn-{n}", schema, names, (country,), dates)


def entities(count: int, seed: int = 42) -> Iterator[ListedEntity]:
    rng = random.Random(seed)
    for n in range(count):
        yield synthetic_entity(rng, n)


def queries(count: int, total: int, seed: int = 7) -> list[tuple[str, str]]:
    """(kind, name): a third exact, a third variants, a third absent."""
    rng = random.Random(seed)
    picks = sorted(rng.sample(range(total), count))
    listed = {}
    for n, entity in enumerate(entities(total)):
        if n == picks[len(listed)] if len(listed) < len(picks) else False:
            listed[n] = entity.caption
        if len(listed) == len(picks):
            break
    names = list(listed.values())
    out = []
    for i, name in enumerate(names):
        if i % 3 == 0:
            out.append(("exact", name))
        elif i % 3 == 1:
            out.append(("variant", _variant(rng, name)))
        else:
            out.append(("absent", f"{rng.choice(FIRST)}a {_word(rng)}x{_word(rng)}"))
    return out


def _variant(rng: random.Random, name: str) -> str:
    parts = name.split()
    if any("\u4e00" <= c <= "\u9fff" for c in name):
        return name.replace(" ", "") if " " in name else name + " "
    if len(parts) >= 2 and rng.random() < 0.5:
        return " ".join(reversed(parts))
    word = max(parts, key=len)
    i = rng.randrange(1, len(word) - 1)
    typo = word[:i] + word[i + 1] + word[i] + word[i + 2:]
    return name.replace(word, typo)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--index", type=Path, default=Path("/tmp/screening_speed.db"))
    parser.add_argument("--reuse", action="store_true", help="Query an existing index.")
    args = parser.parse_args()
    if not args.reuse:
        for suffix in ("", "-wal", "-shm"):
            Path(str(args.index) + suffix).unlink(missing_ok=True)
        started = time.perf_counter()
        with SqliteScreeningIndex(args.index) as index:
            last = [0.0]

            def progress(step: str, done: int, total: int) -> None:
                if time.perf_counter() - last[0] > 30:
                    last[0] = time.perf_counter()
                    print(f"  {done:,}/{total:,} ({time.perf_counter() - started:.0f} s)",
                          flush=True)

            index.load_entities(entities(args.entities), "synthetic", progress=progress,
                                total=args.entities, source_file="synthetic")
        elapsed = time.perf_counter() - started
        size = sum(Path(str(args.index) + s).stat().st_size for s in ("", "-wal")
                   if Path(str(args.index) + s).exists())
        print(f"indexed {args.entities:,} entities in {elapsed:.0f} s "
              f"({args.entities / elapsed:,.0f}/s); index file {size / 1e6:.0f} MB")
    qs = queries(args.queries, args.entities)
    with SqliteScreeningIndex(args.index) as index:
        index.screen(Query("warm up"))
        timings: dict[str, list[float]] = {"exact": [], "variant": [], "absent": []}
        found = {"exact": 0, "variant": 0, "absent": 0}
        for kind, name in qs:
            started = time.perf_counter()
            results = index.screen(Query(name), limit=10)
            timings[kind].append((time.perf_counter() - started) * 1000)
            if results and results[0].score >= 0.85:
                found[kind] += 1
    every = sorted(t for ts in timings.values() for t in ts)

    def pct(values: list[float], p: float) -> float:
        return statistics.quantiles(values, n=100)[int(p) - 1] if len(values) > 1 else values[0]

    print(f"{len(every)} queries: p50 {pct(every, 50):.1f} ms, p95 {pct(every, 95):.1f} ms, "
          f"p99 {pct(every, 99):.1f} ms, max {every[-1]:.1f} ms")
    for kind, values in timings.items():
        print(f"  {kind:<8} n={len(values):<4} p50 {pct(sorted(values), 50):.1f} ms  "
              f"p95 {pct(sorted(values), 95):.1f} ms  top result a match: {found[kind]}")


if __name__ == "__main__":
    main()
