"""Name matching for screening: format characters, confusables, distinctive tokens,
conflicts that keep a possible match, and katakana ⇄ Latin recall on the real
export-prohibition lists (held-out part)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from econsec.screening.entities import ListedEntity
from econsec.screening.index import SqliteScreeningIndex
from econsec.screening.match import (
    CANDIDATE_THRESHOLD,
    THRESHOLD,
    Query,
    Rarity,
    compare_names,
    score_entity,
)
from econsec.screening.names import (
    NORMALISER_VERSION,
    clean_text,
    index_keys,
    name_keys,
    name_variants,
    normalise_name,
    reading_index_key,
)
from econsec.screening.reading import (
    kana_romaji,
    non_rhotic,
    reading_key,
    reading_token,
    split_katakana,
)

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "screening_recall.py"


def _bench():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("screening_recall", BENCH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["screening_recall"] = module
    spec.loader.exec_module(module)
    return module


def _index(tmp_path: Path, names: list[tuple[str, str]], **extra: str) -> SqliteScreeningIndex:
    idx = SqliteScreeningIndex(tmp_path / "s.db")
    entities = [ListedEntity(eid, "Organization", (("name", name),)) for eid, name in names]
    idx.load_entities(entities, "test")
    return idx


OTHERS = [("o1", "Tokyo Seimitsu"), ("o2", "Toto Ltd"), ("o3", "Seiko Instruments"),
          ("o4", "State Corporation Rostec"), ("o5", "State Research Institute of Aviation"),
          ("o6", "Atomic Energy Institute"), ("o7", "Energy Corporation Almaz"),
          ("o8", "National Energy Company"), ("o9", "Joint Stock Company Kazan Plant")]


@pytest.mark.parametrize("char", [
    "\u200b",  # zero-width space
    "\u200c",  # zero-width non-joiner
    "\u200d",  # zero-width joiner
    "\u00ad",  # soft hyphen
    "\ufeff",  # byte-order mark
    "\u200e",  # left-to-right mark
    "\u202e",  # right-to-left override
    "\u2066",  # left-to-right isolate
    "\u2060",  # word joiner
])
def test_format_characters_are_stripped_in_queries_and_lists(tmp_path: Path, char: str) -> None:
    query = f"To{char}to Sei{char}mitsu"
    assert normalise_name(query).forms[0].tokens == ("toto", "seimitsu")
    idx = _index(tmp_path, [("t1", "Toto Seimitsu"), ("t2", f"Ka{char}zan Opt{char}ics"),
                            *OTHERS])
    found = idx.screen(Query(query))
    assert found and found[0].entity.id == "t1" and found[0].score >= THRESHOLD
    listed = idx.screen(Query("Kazan Optics"))
    assert listed and listed[0].entity.id == "t2" and listed[0].score >= THRESHOLD
    idx.close()


@pytest.mark.parametrize("query", [
    "Тоtо Seimitsu",        # Cyrillic Т and о inside a Latin word
    "Toto Sеіmіtsu",        # Cyrillic е and і
    "Τοtο Seimitsu",        # Greek Τ and ο
    "ТОТО Seimitsu",        # a word made only of Cyrillic look-alikes beside a Latin word
    "ＴＯＴＯ　Ｓｅｉｍｉｔｓｕ",  # full-width letters and space (NFKC)
])
def test_confusable_letters_are_folded(tmp_path: Path, query: str) -> None:
    assert normalise_name(query).forms[0].tokens == ("toto", "seimitsu")
    idx = _index(tmp_path, [("t1", "Toto Seimitsu"), *OTHERS])
    found = idx.screen(Query(query))
    assert found[0].entity.id == "t1" and found[0].score >= THRESHOLD
    idx.close()
    listed = _index(tmp_path / "b", [("t1", "Тоtо Sеimitsu"), *OTHERS])
    assert listed.screen(Query("Toto Seimitsu"))[0].entity.id == "t1"
    listed.close()


def test_cyrillic_words_are_transliterated_not_folded() -> None:
    assert clean_text("Ростех") == "rostekh"
    assert normalise_name("АО Алмаз").forms[0].tokens == ("almaz",)


def test_distinctive_token_names_the_listed_entity(tmp_path: Path) -> None:
    idx = _index(tmp_path, [("r1", "State Atomic Energy Corporation Rosatom"), *OTHERS])
    found = idx.screen(Query("Rosatom"))
    assert found[0].entity.id == "r1"
    assert found[0].score >= CANDIDATE_THRESHOLD
    assert found[0].status == "possible match"
    assert "distinctive token rosatom (in 1 of 10 entities)" in "; ".join(found[0].explanation)
    idx.close()


@pytest.mark.parametrize("query", ["Corporation", "State", "Institute", "JSC", "State Company",
                                   "Energy Corporation"])
def test_common_words_do_not_make_candidates(tmp_path: Path, query: str) -> None:
    idx = _index(tmp_path, [("r1", "State Atomic Energy Corporation Rosatom"), *OTHERS,
                            ("x1", "State Atomic Research Center"),
                            ("x2", "Federal State Atomic Institute")])
    found = idx.screen(Query(query))
    assert all(r.score < CANDIDATE_THRESHOLD or r.matched_name.casefold() == query.casefold()
               for r in found), [(r.matched_name, r.score, r.explanation) for r in found]
    idx.close()


def test_exact_name_with_conflicting_birth_date_and_country_stays_a_candidate() -> None:
    entity = ListedEntity("p1", "Person", (("name", "Ivan Petrov"),), ("ru",), ("1970-04-01",))
    result = score_entity(Query("Ivan Petrov", "CHN", "1985-01-01"), entity)
    assert result.name_score == 1.0
    assert CANDIDATE_THRESHOLD <= result.score < THRESHOLD
    assert result.status == "possible match"
    text = "; ".join(result.explanation)
    assert "birth date conflict" in text and "country conflict" in text
    assert "kept a possible match" in text
    for query in (Query("Ivan Petrov", "CHN"), Query("Ivan Petrov", None, "1985-01-01")):
        assert score_entity(query, entity).score >= CANDIDATE_THRESHOLD


def test_different_name_is_not_lifted_by_the_conflict_floor() -> None:
    entity = ListedEntity("p1", "Person", (("name", "Ivan Petrov"),), ("ru",), ("1970-04-01",))
    assert score_entity(Query("Oleg Sidorov", "CHN", "1985-01-01"), entity).status == "no match"


@pytest.mark.parametrize("kana, romaji", [
    ("ズヴョーズダチカ", "zuvyozudachika"), ("ティホミロフ", "tihomirofu"),
    ("ヴィチャズ", "vichazu"), ("ドゥクス", "dukusu"), ("ファケル", "fakeru"),
    ("シュヴァベ", "shuvabe"), ("ウィン", "win"), ("イルクーツク", "irukutsuku"),
    ("ミャスィシェヴァ", "myasisheva"),
])
def test_kana_romaji_spells_foreign_sounds(kana: str, romaji: str) -> None:
    assert kana_romaji(kana).replace("shi", "si") in {romaji, romaji.replace("shi", "si")}


@pytest.mark.parametrize("latin, kana", [
    ("Almaz", "アルマズ"), ("Zvyozdochka", "ズヴョーズダチカ"), ("Tikhomirov", "ティホミロフ"),
    ("Temp", "テンプ"), ("Bryansk", "ブリャンスク"), ("Shvabe", "シュヴァベ"),
    ("Irkutsk", "イルクーツク"), ("Vympel", "ヴィムペル"), ("Toyota", "トヨタ"),
])
def test_reading_keys_agree_across_scripts(latin: str, kana: str) -> None:
    assert reading_key(latin.lower()) == reading_key(kana_romaji(kana))


@pytest.mark.parametrize("query, listed", [
    ("アルマズ株式会社", "Almaz JSC"),
    ("株式会社カザン光学機械工場", "Joint Stock Company Kazan Optical-Mechanical Plant"),
    ("有限責任会社アルグト", "Argut OOO"),
    ("株式会社ブリャンスク自動車工場", "Joint Stock Company Bryansk Automobile Plant"),
    ("Joint Stock Company Ulan-Ude Aviation Plant", "株式会社ウラン・ウデ航空工場"),
    ("極東造船・船舶修理センター", "Far Eastern Shipbuilding and Ship Repair Center"),
])
def test_katakana_and_latin_names_match(query: str, listed: str) -> None:
    comparison = compare_names(query, listed)
    assert comparison.score >= CANDIDATE_THRESHOLD, comparison.describe()
    assert "(reading)" in comparison.describe()


@pytest.mark.parametrize("query, listed", [
    ("コマツ", "KAMAZ PJSC"), ("キーエンス", "KNAAZ"), ("京セラ", "JSC SREI"),
    ("トヨタ自動車", "Joint Stock Company Tula Automobile Plant"),
    ("Electronics Institute", "電子科学研究所"),
])
def test_short_or_generic_readings_are_not_candidates(query: str, listed: str) -> None:
    assert compare_names(query, listed).score < CANDIDATE_THRESHOLD


def _rarity(common: dict[str, int], total: int = 650) -> Rarity:
    """A list of ``total`` entities in which the readings of ``common`` words are held by
    the given numbers of entities (every other word is rare)."""
    df = {reading_index_key(reading_token(w)): n for w, n in common.items()}
    return Rarity(df, total)


#: Words many names of an institutional list share (as on the export-prohibition lists).
COMMON = {"foreign": 7, "trading": 22, "association": 28, "severnaya": 6,
          "shipbuilding": 20, "factory": 115, "russian": 42, "research": 118,
          "center": 61, "roshia": 18}


@pytest.mark.parametrize("query, listed", [
    # the distinctive words agree; a translated or generic word differs or is missing
    ("対外経済団体マシュプリボリントルグ", "Foreign Trade Association Mashpriborintorg"),
    ("Foreign Trade Association Mashpriborintorg", "対外経済団体マシュプリボリントルグ"),
])
def test_distinctive_readings_that_agree_make_a_candidate(query: str, listed: str) -> None:
    before = compare_names(query, listed)
    comparison = compare_names(query, listed, _rarity(COMMON))
    assert comparison.score >= CANDIDATE_THRESHOLD > before.score, comparison.describe()


@pytest.mark.parametrize("query, listed", [
    # a distinctive word on one side has no counterpart on the other
    ("株式会社カザン光学工場", "Joint Stock Company Kazan Helicopter Plant"),
    ("対外経済団体マシュプリボリントルグ", "Foreign Trade Association Promexport"),
    ("株式会社ロシアヘリコプター", "Russian Submarines JSC"),
    # a short word (China, Korea, initials) on one side only is not generic
    ("Korea Computer Center", "電子コンピューター・テクノロジー科学研究所"),
    ("China International Consulting", "デバイス・コンサルティング"),
])
def test_distinctive_readings_that_differ_are_not_candidates(query: str, listed: str) -> None:
    assert compare_names(query, listed, _rarity(COMMON)).score < CANDIDATE_THRESHOLD


def test_vladi_in_katakana_reads_like_the_latin_name() -> None:
    assert kana_romaji("ウラジスラフ") == "vladisurafu"
    assert kana_romaji("ウラン") == "uran"
    comparison = compare_names("ウラジスラフ・ウラジーミロヴィチ・フェドレンコ",
                               "Vladislav Vladimirovich Fedorenko")
    assert comparison.score >= CANDIDATE_THRESHOLD, comparison.describe()


def test_name_keys_hold_the_reading_keys() -> None:
    keys = name_keys("アルマズ株式会社")
    assert "p:~ARMS" in keys and keys == index_keys("アルマズ株式会社")
    assert "p:~ARMS" in name_keys("Almaz JSC")


@pytest.fixture(scope="module")
def recall_setup(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    bench = _bench()
    path = bench.find(bench.PROHIBITION)
    assert path is not None, f"{bench.PROHIBITION} is bundled with econsec"
    rows = bench.read_prohibition(path)
    latin, ja = bench.build(tmp_path_factory.mktemp("recall"), rows)
    yield bench, rows, latin, ja
    latin.close()
    ja.close()


#: Held-out recall (0.706 katakana → Latin, 0.695 Latin → katakana with reading variants,
#: bracketed aliases, katakana compounds split and the general vocabulary; 0.594 / 0.599
#: with distinctive-word anchors alone, 0.10 before readings): a regression guard. The
#: goal, 0.95, is not reached (see docs/screening.md, "Cross-script recall").
HELD_OUT_RECALL_FLOOR = 0.69


def test_cross_script_recall_on_held_out_entities(recall_setup) -> None:  # type: ignore[no-untyped-def]
    bench, rows, latin, ja = recall_setup
    figures, latencies = bench.recall(latin, ja, rows, "held-out")
    assert sum(latencies) / len(latencies) < 0.3
    for f in figures:
        assert f.n > 150
        assert f.recall >= HELD_OUT_RECALL_FLOOR, (f.direction, f.recall,
                                                   [m.query for m in f.misses])


def test_no_false_match_on_entities_absent_from_the_list(recall_setup) -> None:  # type: ignore[no-untyped-def]
    bench, rows, latin, ja = recall_setup
    runs, wrong = bench.false_matches(latin, ja, cross_script_only=True, rows=rows, step=3)
    assert runs > 300
    assert wrong == []


@pytest.mark.parametrize("query, listed", [
    # katakana ジ writes Latin d (ラジオ radio)
    ("株式会社ラジオザヴォド", "Radiozavod JSC"),
    # a vowel + r before a consonant is a long vowel in katakana
    ("有限会社クラナーク", "Kranark LLC"),
    ("スーパーチップ有限会社", "Superchip Limited"),
    # a katakana compound holds a known word (ロシア + ヘリコプター)
    ("株式会社ロシアヘリコプター", "Russian Helicopters JSC"),
    # a final Latin b stays b (スナブ), only a final v is read f (-ov, -オフ)
    ("ラジオプリボルスナブ有限会社", "Radiopriborsnab LLC"),
])
def test_reading_variants_make_a_candidate(query: str, listed: str) -> None:
    assert compare_names(query, listed).score >= CANDIDATE_THRESHOLD, \
        compare_names(query, listed).describe()


def test_non_rhotic_variant_and_katakana_split() -> None:
    assert non_rhotic(reading_token("kranark")) == "KRNK:.a.a."
    assert non_rhotic(reading_token("kazan")) is None
    assert split_katakana("ベルオモホールディング") == ["ベルオモ", "ホールディング"]
    assert split_katakana("システム") == ["システム"]  # nothing left beside the known word


@pytest.mark.parametrize("name, variants", [
    ("有限会社エルコムテック（Elkomtex）", ["有限会社エルコムテック", "Elkomtex"]),
    ("クバンテク有限会社(別称、クバンテク及びクバンテク（HK）有限会社)",
     ["クバンテク有限会社", "クバンテク", "クバンテク 有限会社"]),
    ("Rostec (a.k.a. Russian Technologies; Rostekh)",
     ["Rostec", "Russian Technologies", "Rostekh"]),
    # a qualifier in the name's own script is not a name of its own
    ("China Unicom (Hong Kong) Limited", ["China Unicom Limited"]),
    ("Federal Security Service (FSB)", ["Federal Security Service"]),
    ("Acme (Pty) Ltd", ["Acme Ltd"]),
    ("Plain Name", []),
])
def test_bracketed_names(name: str, variants: list[str]) -> None:
    assert name_variants(name) == variants


def test_a_bracketed_alias_is_compared_but_a_qualifier_is_not() -> None:
    assert compare_names("Elkomtex", "有限会社エルコムテック（Elkomtex）").score >= THRESHOLD
    # "(Shenzhen)" alone does not make a Shenzhen company of the list a candidate
    listed = "シェンジェン 5G ハイテク・イノベーション有限会社"
    assert compare_names("Aspire Technologies (Shenzhen) Limited", listed).score \
        < CANDIDATE_THRESHOLD


def test_an_index_built_by_an_older_normaliser_is_indexed_again(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    index = SqliteScreeningIndex(path)
    index.load_entities([ListedEntity("x1", "Company", (("name", "ウラルワゴンザヴォド"),))],
                        "jp")
    # as an index of the previous version: no affix keys, another version number
    index.conn.execute("DELETE FROM keys WHERE key LIKE 'p:~<%' OR key LIKE 'p:~>%'")
    index.conn.execute("UPDATE names SET form = 'stale'")
    index.conn.execute("PRAGMA user_version = 1")
    index.close()
    with SqliteScreeningIndex(path) as again:
        assert again.conn.execute("PRAGMA user_version").fetchone()[0] == NORMALISER_VERSION
        assert again.conn.execute("SELECT count(*) FROM names WHERE form = 'stale'"
                                  ).fetchone()[0] == 0
        assert [r.entity.id for r in again.screen(Query("Uralvagonzavod"))] == ["x1"]
        assert again.lists()[0].entities == 1
