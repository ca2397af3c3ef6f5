"""Japanese everywhere: every page in ``ja`` (a real server on loopback) shows no English
text of econsec's own — no sentence or sentence template of the catalogue, no unit, lens
tag, own source title or licence note, no screening explanation phrase or reading key —
data names excepted; screening explanations, units, lens tags, source texts, the 404
page and the reader of YAML/JSON documents read Japanese; lists sort by the Japanese name.
"""

from __future__ import annotations

import io
import re
import shutil
import sqlite3
import zipfile
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest

from econsec.datasets.sources import OWN_TEXTS
from econsec.documents import read_json, read_yaml
from econsec.errors import DataFormatError
from econsec.i18n import catalogue
from econsec.i18n.collation import japanese_key, sorted_by_name
from econsec.i18n.units import unit_text
from econsec.screening.entities import ListedEntity
from econsec.screening.explain import render_notes, step_notes
from econsec.screening.match import Query, score_entity
from econsec.web.screening_service import ScreeningService
from web_server import LiveServer, live_server, post

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")

SCREENING_LIST = (
    "id,name,aliases,country,birth_date,schema\n"
    "c1,Rostec State Corporation,ロステック,RU,,Company\n"
    "p1,Ivan Petrov,,RU,1970-01-02,Person\n"
    "c2,Rosatom State Atomic Energy Corporation,,RU,,Company\n"
    "c3,Novatek Holdings,,RU,,Company\n"
    "c4,Sibur Chemicals,,RU,,Company\n"
)
#: Screening queries whose explanations hold every kind of step: reading comparison with
#: a cap, country agreement and conflict, birth date agreement and conflicts, a name kept
#: as a possible match, a phonetic word, the distinctive-token rule, a reviewer decision.
QUERIES = (
    {"name": "ロステック", "country": "JPN"},
    {"name": "Rostec", "country": "RUS"},
    {"name": "Ivan Petrov", "birth_date": "1971"},
    {"name": "Ivan Petrov", "birth_date": "1970-05"},
    {"name": "イワン・ペトロフ", "birth_date": "1970"},
    {"name": "Rosatom"},
    {"name": "Sibur"},
)

#: English phrases of screening explanations (and the reading keys: ``RSTK:o..e.``).
EXPLANATION_PHRASES = (
    "agrees", "country conflict", "kept a possible match", "weighted by rarity",
    "(reading", "distinctive token", "the distinctive words agree", "reviewer decision",
    "birth date", "Hepburn", "token set", "capped at", "compared with the listed",
    "similarity",
)
READING_KEY = re.compile(r"\b[A-Z]{2,}:[a-z.]{2,}")
LENS_TAGS = re.compile(r"\b(?:computing|biotech|defence-space|clean-tech)\b")


@pytest.fixture(scope="module")
def server(built_db: Path, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("ja-everywhere")
    db = folder / "econsec.db"
    shutil.copy(built_db, db)
    with live_server(db) as live:
        live.state.services["screening"] = ScreeningService(folder / "screening.db")
        loaded = post(live.url + "/api/v1/screening/lists?name=sample",
                      files={"file": ("sample.csv", SCREENING_LIST.encode())}, timeout=60)
        assert loaded.status_code == 201, loaded.text
        decided = post(live.url + "/api/v1/screening/decisions", timeout=30,
                       json={"entity_id": "c4", "query": "Sibur",
                             "decision": "false_positive", "note": "another firm"})
        assert decided.status_code == 201, decided.text
        yield live


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def get(server: LiveServer, path: str, lang: str = "ja") -> httpx.Response:
    joiner = "&" if "?" in path else "?"
    return httpx.get(f"{server.url}{path}{joiner}lang={lang}", timeout=60,
                     headers={"Accept": "text/html"})


# ------------------------------------------------------------------ the guard


def catalogue_patterns() -> list[tuple[str, re.Pattern[str]]]:
    """Every English message of the catalogue whose Japanese differs, as a pattern of its
    shown text: a sentence of four words or more, or a template whose fixed text holds
    three words or more (each placeholder any text)."""
    patterns = []
    for en, ja in catalogue("ja").items():
        if ja == en:
            continue
        if "%(" not in en:
            if len(en.split()) >= 4:
                patterns.append((en, re.compile(re.escape(" ".join(en.split())))))
            continue
        fixed = re.split(r"%\(\w+\)[sdif]", en.replace("%%", "%"))
        if sum(len(re.findall(r"[A-Za-z]{2,}", part)) for part in fixed) < 3:
            continue
        body = ".{1,120}?".join(re.escape(" ".join(part.split())) for part in fixed)
        patterns.append((en, re.compile(body)))
    return patterns


def stored_units(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [u for (u,) in conn.execute("SELECT DISTINCT unit FROM observations")
                if u and u != unit_text(u, "ja")]


def english_left(text: str, units: list[str]) -> list[str]:
    """Our own English in a Japanese page's visible ``text``."""
    left = [en for en, pattern in CATALOGUE if pattern.search(text)]
    left += [u for u in units if re.search(rf"(?<![\w-]){re.escape(u)}(?![\w-])", text)]
    left += [s for s in OWN_TEXTS if s in text]
    left += LENS_TAGS.findall(text)
    left += [p for p in EXPLANATION_PHRASES if p in text]
    left += READING_KEY.findall(text)
    return left


CATALOGUE = catalogue_patterns()

PAGES = ("/", "/commodities", "/commodities/lithium", "/commodities/lithium/shares",
         "/commodities/cobalt", "/commodities/rare-earths", "/countries", "/countries/CHN",
         "/countries/JPN", "/countries/AUS", "/value-chain", "/data", "/scenarios",
         "/screening", "/tech", "/tech/cases", "/tech/selfcheck", "/tech/secret-loss",
         "/tech/conduct", "/nowhere",
         "/policy", "/policy/recommend?finding=technology:multilayer-ceramic-capacitors",
         "/regions", "/regions/AUS", "/regions/SAU", "/regions/MNG", "/regions/partners",
         "/regions/partners?item=rare-earths&hs=", "/regions/XXX", "/regions/partners?hs=999999",
         "/regions/partners?year=abc",
         "/infrastructure", "/infrastructure?include_planned=false",
         "/exercises", "/exercises/999",
         "/commodities/nowhere", "/countries/XXX", "/commodities/lithium?year=abc",
         "/countries?show=some", "/screening?birth_date=12345678901",
         *(f"/screening?{urlencode(q)}" for q in QUERIES))


def test_the_guard_sees_what_it_guards() -> None:
    """The patterns catch the English that used to be shown on Japanese pages."""
    shown = ("Rostec → RSTK:o..e. (reading) = RSTK:o.u.e.u (reading) ← ロステック (alias) "
             "[reading (capped at 0.95: vowels are compared loosely) 0.95]; country conflict: "
             "JPN ≠ RU (×0.9); 88,000 metric tons, lithium content; computing, defence-space; "
             "econsec curated tables (country groups, aliases, USGS commodity crosswalk, "
             "items); List sample is edition 2020, 900 days old (older than 365 days): load "
             "a newer edition.")
    left = english_left(shown, ["metric tons, lithium content"])
    for expected in ("metric tons, lithium content", "computing", "defence-space",
                     "country conflict", "capped at", "RSTK:o..e",
                     "List %(name)s is edition %(edition)s, %(days)s days old (older than "
                     "%(limit)s days): load a newer edition."):
        assert any(expected in x for x in left), (expected, left)


@pytest.mark.parametrize("path", PAGES)
def test_no_english_of_our_own_on_a_japanese_page(server: LiveServer, path: str) -> None:
    answer = get(server, path)
    assert answer.status_code in (200, 404, 422), (path, answer.status_code)
    shown = visible_text(answer.text)
    assert JAPANESE.search(shown)
    left = english_left(shown, stored_units(server.db))
    assert not left, (path, left)


#: Pages whose result is the answer to a form (POST): path and form data.
POSTED = (
    ("/tech/secret-loss", {"technology": "sponge-titanium", "share_lost": "0.1",
                           "years": "5"}),
    ("/tech/secret-loss", {"industry": "JPN/C26", "share_lost": "0.05", "years": "3",
                           "margin": "0.1"}),
    ("/tech/secret-loss", {"technology": "multilayer-ceramic-capacitors",
                           "share_lost": "0.1", "years": "5"}),
    ("/tech/secret-loss", {"technology": "sponge-titanium", "share_lost": "-1",
                           "years": "5"}),
    ("/tech/conduct", {"gov-1": "yes", "exp-1": "partly", "sc-1": "n/a"}),
)


@pytest.mark.parametrize(("path", "data"), POSTED, ids=[f"{p}-{i}" for i, (p, _d)
                                                        in enumerate(POSTED)])
def test_no_english_of_our_own_on_a_posted_japanese_page(server: LiveServer, path: str,
                                                         data: dict[str, str]) -> None:
    answer = post(f"{server.url}{path}?lang=ja", data=data, timeout=60)
    assert answer.status_code in (200, 422), (path, answer.status_code)
    shown = visible_text(answer.text)
    assert JAPANESE.search(shown)
    left = english_left(shown, stored_units(server.db))
    assert not left, (path, left)


# ------------------------------------------------------------------ screening


def test_screening_explanations_read_japanese_and_english(server: LiveServer) -> None:
    path = "/screening?" + urlencode({"name": "ロステック", "country": "JPN"})
    ja = visible_text(get(server, path).text)
    assert "照会名「ロステック」と掲載された別名「ロステック」を比較：類似度 1.00" in ja, ja
    assert "国が一致しません：JPN ≠ ru（×0.9）" in ja
    en = visible_text(get(server, path, "en").text)
    assert "ロステック compared with the listed alias ロステック: similarity 1.00" in en
    assert "country conflict: JPN ≠ ru (×0.9)" in en  # the technical line is kept
    rosatom = visible_text(get(server, "/screening?name=Rosatom").text)
    assert "掲載名の特徴的な語" in rosatom, rosatom
    petrov = visible_text(get(server, "/screening?" + urlencode(
        {"name": "Ivan Petrov", "birth_date": "1971"})).text)
    assert "生年月日が一致しません：1971 ≠ 1970-01-02（×0.75）" in petrov
    assert "相違があっても「該当の可能性あり」（0.8）として残しました" in petrov
    sibur = visible_text(get(server, "/screening?name=Sibur").text)
    assert "確認者の判断：誤検知" in sibur and "another firm" in sibur


def test_screening_api_keeps_its_english_and_adds_the_notes(server: LiveServer) -> None:
    doc = httpx.get(server.url + "/api/v1/screening/screen",
                    params={"name": "Rostec", "country": "RUS"}, timeout=60).json()
    best = doc["matches"][0]
    assert "RSTK" in best["explanation"] and "country RUS agrees" in best["explanation"]
    ids = [n["id"] for n in best["explanation_texts"]]
    assert "country %(country)s agrees" in ids
    assert render_notes(best["explanation_texts"], "ja")[-1] == "国 RUS が一致します"


def test_explanation_english_is_unchanged_and_every_note_translates() -> None:
    rostec = ListedEntity("c1", "Company", (("name", "Rostec State Corporation"),
                                             ("alias", "ロステック")), ("ru",))
    petrov = ListedEntity("p1", "Person", (("name", "Ivan Petrov"),), ("ru",),
                          ("1970-01-02",))
    result = score_entity(Query("Rostec", "JPN"), rostec)
    assert result.explanation == [
        "Rostec → RSTK:o..e. (reading) = RSTK:o.u.e.u (reading) ← ロステック (alias) "
        "[reading (capped at 0.95: vowels are compared loosely) 0.95]",
        "country conflict: JPN ≠ ru (×0.9)", "match"]
    ja = catalogue("ja")
    for query, entity in ((Query("Rostec", "JPN"), rostec), (Query("ロステック"), rostec),
                          (Query("Ivan Petrov", None, "1971"), petrov),
                          (Query("イワン・ペトロフ", None, "1970"), petrov)):
        notes = step_notes(score_entity(query, entity).explanation,
                           {"match", "possible match", "no match"})
        for note in notes:
            assert note["id"] in ja, note
        for line in render_notes(notes, "ja"):
            assert JAPANESE.search(line) and not READING_KEY.search(line), line


# ------------------------------------------------------------------ units, tags, sources


def test_units_are_composed_in_japanese() -> None:
    assert unit_text("metric tons, lithium content", "ja") == "トン（リチウム含有量）"
    assert unit_text("thousand metric dry tons", "ja") == "千乾燥トン"
    calcined = "thousand metric dry tons, calcined equivalent"
    assert unit_text(calcined, "ja") == "千乾燥トン（焼成換算）"
    assert unit_text("metric tons, lithium content", "en") == "metric tons, lithium content"
    assert unit_text("barrels, oil-sands output", "ja") == "barrels, oil-sands output"


def test_commodity_page_units_in_japanese(server: LiveServer) -> None:
    ja = visible_text(get(server, "/commodities/lithium").text)
    assert "トン（リチウム含有量）" in ja and "metric tons" not in ja
    en = visible_text(get(server, "/commodities/lithium", "en").text)
    assert "metric tons, lithium content" in en


def test_lens_tags_and_own_sources_in_japanese(server: LiveServer) -> None:
    ja = visible_text(get(server, "/").text)
    assert "コンピューティング" in ja and "防衛・宇宙" in ja
    assert "econsec が整備した表" in ja and "再配布の前に確認してください" in ja
    en = visible_text(get(server, "/", "en").text)
    assert "defence-space" in en and "verify before redistribution" in en


# ------------------------------------------------------------------ 404 and documents


@pytest.mark.parametrize(("path", "japanese"), [
    ("/nowhere", "このアドレスにはページがありません。"),
    ("/commodities/nowhere", "品目 'nowhere' は見つかりません"),
    ("/countries/XXX", "'XXX' は見つかりません"),
])
def test_not_found_pages_in_japanese(server: LiveServer, path: str, japanese: str) -> None:
    answer = get(server, path)
    assert answer.status_code == 404
    shown = visible_text(answer.text)
    assert japanese in shown and "unknown" not in shown, shown


def test_unknown_home_country_on_the_overview_in_japanese(server: LiveServer) -> None:
    ja = visible_text(get(server, "/?home=XYZ").text)
    assert "国 'XYZ' は見つかりません" in ja and "unknown country" not in ja
    assert "unknown country 'XYZ'" in visible_text(get(server, "/?home=XYZ", "en").text)


@pytest.mark.parametrize(("path", "japanese", "english"), [
    ("/commodities/lithium?year=abc", "query.year: 整数を指定してください",
     "query.year: Input should be a valid integer"),
    ("/countries?show=some", "パターン '^(producers|all)$' に合う値を指定してください",
     "String should match pattern '^(producers|all)$'"),
    ("/screening?birth_date=12345678901", "10 文字以内で指定してください",
     "String should have at most 10 characters"),
])
def test_malformed_query_pages_in_japanese(server: LiveServer, path: str, japanese: str,
                                           english: str) -> None:
    ja, en = (get(server, path, lang) for lang in ("ja", "en"))
    assert ja.status_code == en.status_code == 422
    assert japanese in visible_text(ja.text) and english not in visible_text(ja.text)
    assert english in visible_text(en.text)


def package(text: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("pkg/datapackage.json", text)
    return out.getvalue()


DOCUMENTS = {
    "malformed": ('{"resources": [}', "JSON の形式が正しくありません：値がありません",
                  "malformed JSON: Expecting value"),
    "duplicate": ('{"resources": [], "resources": []}',
                  "キー 'resources' が最上位に 2 回現れます",
                  "key 'resources' appears twice in the top level"),
    "deep": ('{"resources": ' + "[" * 80 + "]" * 80 + "}",
             "入れ子が 64 階層を超えるため、受け付けません", "nested deeper than 64 levels"),
}


@pytest.mark.parametrize("case", list(DOCUMENTS))
def test_broken_datapackage_on_the_data_page_reads_japanese(server: LiveServer,
                                                            case: str) -> None:
    text, japanese, english = DOCUMENTS[case]
    shown = {}
    for lang in ("ja", "en"):
        answer = post(f"{server.url}/data/preview?lang={lang}", timeout=30,
                      files={"file": ("pkg.zip", package(text), "application/zip")})
        assert answer.status_code == 200, answer.text
        shown[lang] = visible_text(answer.text)
    assert japanese in shown["ja"] and english not in shown["ja"], shown["ja"]
    assert english in shown["en"], shown["en"]


@pytest.mark.parametrize(("reader", "text", "japanese"), [
    (read_yaml, "a: 1\na: 2\n", "キー 'a' が最上位に 2 回現れます"),
    (read_yaml, "a:\n  b: 1\n  b: 2\n", "キー 'b' が a に 2 回現れます"),
    (read_yaml, "a: [1\n", "YAML の形式が正しくありません"),
    (read_yaml, "a: " + "[" * 70 + "]" * 70, "入れ子が 64 階層を超える"),
    (read_yaml, "a: &x [1]\n" + "".join(f"b{i}: *x\n" for i in range(1001)),
     "YAML のエイリアス（*名前）が 1000 個を超える"),
    (read_json, '{"a": 1, "a": 2}', "キー 'a' が最上位に 2 回現れます"),
    (read_json, '{"a": {"b": 1,\n "b": 2}}', "キー 'b' が a に 2 回現れます"),
    (read_json, "[" * 70 + "]" * 70, "入れ子が 64 階層を超える"),
    (read_json, " " * 8_000_001, "上限の 8,000,000 文字を超えています"),
])
def test_document_refusals_translate(reader: object, text: str, japanese: str) -> None:
    with pytest.raises(DataFormatError) as caught:
        reader(text, file="doc")  # type: ignore[operator]
    assert japanese in caught.value.translate("ja"), caught.value.translate("ja")
    assert not JAPANESE.search(str(caught.value))


def test_alias_bomb_refusal_translates() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{k}: &{k} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, k in zip("abcdef", "bcdefg", strict=True))
    with pytest.raises(DataFormatError) as caught:
        read_yaml(bomb, file="bomb.yaml")
    assert "ノードを超えるため、受け付けません" in caught.value.translate("ja")


# ------------------------------------------------------------------ sorting


def test_japanese_names_sort_by_reading() -> None:
    names = ["中国", "日本", "アメリカ合衆国", "韓国", "ガーナ", "カナダ", "ドイツ", "トルコ"]
    assert sorted_by_name(names, "ja", str) == [
        "アメリカ合衆国", "ガーナ", "カナダ", "韓国", "中国", "ドイツ", "トルコ", "日本"]
    assert japanese_key("中国") < japanese_key("日本")


@pytest.mark.parametrize(("path", "first", "later"), [
    ("/countries?show=all", "アイスランド", "中国"),
    ("/commodities", "亜鉛", "リチウム"),
])
def test_lists_sort_by_the_japanese_name(server: LiveServer, path: str, first: str,
                                         later: str) -> None:
    ja = get(server, path).text
    body = ja[ja.index("<tbody"):]
    assert 0 <= body.index(first) < body.index(later), (first, later)
