"""Restricted-party screening: normalisation across scripts, scoring, index, decisions."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from econsec.errors import DataFormatError, ValidationError
from econsec.screening.batch import read_counterparties, screen_batch
from econsec.screening.entities import ListedEntity, read_csv_list, read_ftm_jsonl
from econsec.screening.index import SqliteScreeningIndex, screening_document
from econsec.screening.match import THRESHOLD, Query, compare_names, score_entity
from econsec.screening.names import fold_long_vowels, normalise_name, query_key

SAMPLE = Path(__file__).resolve().parents[1] / "src" / "econsec" / "data" / "screening"
PAIRS = Path(__file__).resolve().parents[1] / "benchmarks" / "data" / "screening_pairs.csv"


@pytest.fixture
def index(tmp_path: Path) -> SqliteScreeningIndex:
    """An index holding the fictitious sample list."""
    idx = SqliteScreeningIndex(tmp_path / "screening.db")
    idx.load_file(SAMPLE / "sample_list.jsonl", "sample")
    yield idx
    idx.close()


@pytest.mark.parametrize("a, b", [
    ("株式会社東芝", "Toshiba Corporation"),
    ("株式会社東芝", "Kabushiki Kaisha Toshiba"),
    ("株式会社東芝", "東芝"),
    ("華為技術有限公司", "华为技术有限公司"),
    ("華為技術有限公司", "Huawei Technologies Co., Ltd."),
    ("华为技术有限公司", "Huawei Technologies Co., Ltd."),
    ("佐藤 太郎", "Sato Taro"),
    ("佐藤 太郎", "Taro Satō"),
    ("佐藤 太郎", "サトウ タロウ"),
    ("Sato Taro", "サトウ タロウ"),
    ("トヨタ自動車株式会社", "Toyota Jidosha K.K."),
    ("王小明", "Wang Xiaoming"),
    ("Mohammed Al-Rashid", "Muhammad Alrashid"),
])
def test_same_names_across_scripts_match(a: str, b: str) -> None:
    assert compare_names(a, b).score >= THRESHOLD


@pytest.mark.parametrize("a, b", [
    ("佐藤 太郎", "Sato Jiro"),
    ("佐藤 太郎", "Saito Taro"),
    ("Mitsubishi Electric Corporation", "Mitsubishi Chemical Corporation"),
    ("Toyota Motor Corporation", "Toyota Industries Corporation"),
    ("王小明", "Wang Xiaodong"),
])
def test_different_names_do_not_match(a: str, b: str) -> None:
    assert compare_names(a, b).score < THRESHOLD


@pytest.mark.parametrize("raw, folded", [
    ("satou", "sato"), ("satoh", "sato"), ("oono", "ono"), ("yuuko", "yuko"),
    ("kouno", "kono"), ("tarou", "taro"),
])
def test_long_vowel_folding(raw: str, folded: str) -> None:
    assert fold_long_vowels(raw) == folded
    assert normalise_name("Satō Tarō").forms[0].tokens == ("sato", "taro")


@pytest.mark.parametrize("name", [
    "株式会社東芝", "(株)東芝", "㈱東芝", "東芝株式会社", "Toshiba K.K.", "Toshiba KK",
    "Kabushiki Kaisha Toshiba", "Toshiba Co., Ltd.", "Toshiba Corporation", "Toshiba Inc.",
    "Toshiba GmbH", "Toshiba LLC", "Toshiba S.A.", "Toshiba GK", "有限会社東芝",
    "Toshiba Yugen Kaisha", "合同会社東芝",
])
def test_company_forms_fold_away(name: str) -> None:
    normalised = normalise_name(name)
    assert normalised.company_forms, name
    assert normalised.forms[0].tokens == ("toshiba",), normalised


def test_chinese_forms_include_simplified_pinyin_and_glossary() -> None:
    methods = {f.method: f.tokens for f in normalise_name("華為技術有限公司").forms}
    assert ("hua", "wei", "ji", "shu") in {f.tokens for f in normalise_name("華為技術").forms}
    assert methods["glossary"] == ("huawei", "technology")


def test_explanations_say_what_matched_and_how() -> None:
    text = compare_names("トヨタ自動車株式会社", "Toyota Jidosha K.K.").describe("alias")
    assert "toyota jidosha (Hepburn)" in text
    assert "(alias)" in text
    assert "company form 株式会社 = kk" in text


def test_birth_date_conflict_lowers_the_score_and_says_so() -> None:
    entity = ListedEntity("p1", "Person", (("name", "Sato Taro"),), ("jp",), ("1970-04-01",))
    same = score_entity(Query("佐藤 太郎", "JPN", "1970-04-01"), entity)
    conflict = score_entity(Query("佐藤 太郎", "JPN", "1985-01-01"), entity)
    other_country = score_entity(Query("佐藤 太郎", "CHN"), entity)
    assert same.score == 1.0 and "agrees" in " ".join(same.explanation)
    assert conflict.score < THRESHOLD <= same.score
    assert "birth date conflict" in " ".join(conflict.explanation)
    assert other_country.score < same.score
    assert "country conflict" in " ".join(other_country.explanation)


def test_ftm_malformed_line_reports_its_number_and_loads_nothing(tmp_path: Path) -> None:
    good = (SAMPLE / "sample_list.jsonl").read_text(encoding="utf-8").splitlines()
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join([*good[:3], '{"id": "x", "schema": "Person", "prop', *good[3:]]),
                   encoding="utf-8")
    with pytest.raises(DataFormatError) as caught:
        read_ftm_jsonl(bad)
    assert caught.value.location.line == 4
    idx = SqliteScreeningIndex(tmp_path / "s.db")
    with pytest.raises(DataFormatError, match="line 4"):
        idx.load_file(bad, "bad")
    assert idx.lists() == [] and idx.entity_count() == 0


def test_ftm_unknown_schema_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "v.jsonl"
    path.write_text('{"id": "v1", "schema": "Vessel", "properties": {"name": ["X"]}}\n',
                    encoding="utf-8")
    with pytest.raises(DataFormatError, match=r"line 1.*Vessel"):
        read_ftm_jsonl(path)


def test_csv_list_is_read_with_aliases_and_line_numbers(tmp_path: Path) -> None:
    entities = read_csv_list(SAMPLE / "sample_list.csv")
    assert [e.id for e in entities] == ["sample-csv-1", "sample-csv-2", "sample-csv-3"]
    assert ("alias", "田中 花子") in entities[1].names
    assert entities[1].birth_dates == ("1982-07-15",)
    bad = tmp_path / "bad.csv"
    bad.write_text("id,name\na1,Alpha\na2,\n", encoding="utf-8")
    with pytest.raises(DataFormatError) as caught:
        read_csv_list(bad)
    assert caught.value.location.line == 3 and caught.value.location.column == "name"


def test_lists_show_source_hash_and_reload_replaces(index: SqliteScreeningIndex) -> None:
    index.load_file(SAMPLE / "sample_list.csv", "extra")
    listed = {item.name: item for item in index.lists()}
    assert listed["sample"].entities == 8 and listed["extra"].entities == 3
    assert len(listed["sample"].sha256) == 64
    assert listed["sample"].source_file.endswith("sample_list.jsonl")
    index.load_file(SAMPLE / "sample_list.csv", "extra")
    assert index.entity_count() == 11


def test_screen_finds_cross_script_match_best_first(index: SqliteScreeningIndex) -> None:
    results = index.screen(Query("Toto Seimitsu Kogyo Kabushiki Kaisha"))
    assert results[0].entity.id == "sample-ja-co-1" and results[0].score >= THRESHOLD
    doc = screening_document(index, Query("佐藤太郎", "JPN", "1970-04-01"),
                             index.screen(Query("佐藤太郎", "JPN", "1970-04-01")))
    first = doc["matches"][0]  # type: ignore[index]
    assert set(first) >= {"entity_id", "name", "list", "score", "match", "explanation"}
    assert first["entity_id"] == "sample-ja-p-1" and first["match"] is True
    scores = [m["score"] for m in doc["matches"]]  # type: ignore[union-attr]
    assert scores == sorted(scores, reverse=True)


def test_decisions_are_remembered_across_runs(tmp_path: Path) -> None:
    path = tmp_path / "screening.db"
    with SqliteScreeningIndex(path) as idx:
        idx.load_file(SAMPLE / "sample_list.jsonl", "sample")
        before = idx.screen(Query("Sato Taro"))[0]
        assert before.entity.id == "sample-ja-p-1" and before.decision is None
        idx.decide("sample-ja-p-1", "Sato Taro", "false_positive", "different person")
    with SqliteScreeningIndex(path) as idx:
        # Same normalised query written differently.
        after = {r.entity.id: r for r in idx.screen(Query("SATŌ, Tarō"))}
    demoted = after["sample-ja-p-1"]
    assert demoted.decision is not None and demoted.decision["decision"] == "false_positive"
    assert demoted.score < before.score and not demoted.is_match()
    assert "reviewer decision: false positive" in " ".join(demoted.explanation)
    assert query_key("SATŌ, Tarō") == query_key("Sato Taro")


def test_decide_rejects_unknown_entities(index: SqliteScreeningIndex) -> None:
    with pytest.raises(ValidationError):
        index.decide("nope", "x", "match")


def test_batch_screens_each_counterparty_with_progress(index: SqliteScreeningIndex,
                                                       tmp_path: Path) -> None:
    path = tmp_path / "counterparties.csv"
    path.write_text("ref,name,country,birth_date\n"
                    "c1,北斗電子株式会社,JPN,\n"
                    "c2,Nobody Known Here,,\n"
                    "c3,Wang Xiaoming,CHN,1968-02-03\n", encoding="utf-8")
    _, rows = read_counterparties(path)
    calls: list[tuple[str, int, int]] = []
    out = screen_batch(index, rows, progress=lambda *a: calls.append(a))
    assert [r["ref"] for r in out] == ["c1", "c2", "c3"]
    assert out[0]["entity_id"] == "sample-ja-co-2" and out[0]["match"] is True
    assert out[1]["match"] in (False, "")
    assert out[2]["entity_id"] == "sample-zh-p-1" and out[2]["match"] is True
    assert calls[-1] == ("screening", 3, 3)


def _pair_rows() -> list[dict[str, str]]:
    with PAIRS.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_labelled_pairs_regression_floor() -> None:
    """Every fourth labelled pair: precision and recall stay at or above 0.9."""
    rows = _pair_rows()[::4]
    tp = fp = fn = 0
    for row in rows:
        entity = ListedEntity("c", row["schema"], (("name", row["candidate"]),))
        hit = score_entity(Query(row["query"]), entity).score >= THRESHOLD
        label = row["label"] == "1"
        tp += hit and label
        fp += hit and not label
        fn += label and not hit
    assert len(rows) >= 75
    assert tp / (tp + fp) >= 0.9
    assert tp / (tp + fn) >= 0.9


def test_labelled_pairs_cover_the_categories() -> None:
    rows = _pair_rows()
    assert len(rows) >= 300
    assert {r["category"] for r in rows} >= {
        "ja_kanji_romaji", "ja_kana_romaji", "ja_company_form", "zh_simplified_traditional",
        "zh_pinyin", "latin_variants", "word_order", "company_forms", "hard_negative"}


def test_json_document_is_serialisable(index: SqliteScreeningIndex) -> None:
    query = Query("Huaxing Microelectronics")
    doc = screening_document(index, query, index.screen(query))
    assert json.loads(json.dumps(doc, ensure_ascii=False))["threshold"] == THRESHOLD


# -- lists that never mislead --------------------------------------------------------------
def test_screening_with_no_list_loaded_is_refused(tmp_path: Path) -> None:
    from econsec.screening.index import NoListLoadedError

    with SqliteScreeningIndex(tmp_path / "empty.db") as idx:
        with pytest.raises(NoListLoadedError, match="no screening list is loaded"):
            idx.screen(Query("Anything"))
        with pytest.raises(NoListLoadedError):
            screen_batch(idx, [{"name": "Anything"}])


def test_empty_file_under_an_existing_name_keeps_the_list(index: SqliteScreeningIndex,
                                                          tmp_path: Path) -> None:
    for text, name in (("", "empty.jsonl"), ("\n\n", "blank.jsonl"), ("id,name\n", "h.csv")):
        empty = tmp_path / name
        empty.write_text(text, encoding="utf-8")
        with pytest.raises(ValidationError, match=r"no entities.*'sample' is unchanged"):
            index.load_file(empty, "sample")
    with pytest.raises(ValidationError, match="unchanged"):
        index.load_entities(iter(()), "sample")
    (sample,) = index.lists()
    assert sample.entities == 8 and index.entity_count() == 8
    assert index.screen(Query("Toto Seimitsu Kogyo"))[0].entity.id == "sample-ja-co-1"


def test_every_result_names_the_lists_and_flags_an_old_edition(tmp_path: Path) -> None:
    from datetime import date

    from econsec.screening.index import STALE_AFTER_DAYS

    with SqliteScreeningIndex(tmp_path / "s.db") as idx:
        idx.load_file(SAMPLE / "sample_list.jsonl", "fresh", edition="2026-01-01")
        idx.load_file(SAMPLE / "sample_list.csv", "old", edition="2024-01-01")
        query = Query("Hokuto Denshi")
        doc = screening_document(idx, query, idx.screen(query), today=date(2026, 6, 1))
    screened = {x["name"]: x for x in doc["lists_screened"]}  # type: ignore[union-attr]
    assert screened["fresh"] == {"name": "fresh", "entities": 8, "edition": "2026-01-01",
                                 "edition_age_days": 151, "stale": False,
                                 "loaded_at": screened["fresh"]["loaded_at"]}
    assert screened["old"]["stale"] is True and screened["old"]["edition_age_days"] > \
        STALE_AFTER_DAYS
    (warning,) = doc["warnings"]  # type: ignore[misc]
    assert "'old'" in warning and "2024-01-01" in warning


def test_a_bad_edition_date_is_refused(tmp_path: Path) -> None:
    with SqliteScreeningIndex(tmp_path / "s.db") as idx:
        with pytest.raises(ValidationError, match="not a date"):
            idx.load_file(SAMPLE / "sample_list.csv", "x", edition="last year")
        assert idx.lists() == []


def test_exact_name_with_another_birth_date_is_a_possible_match(
        index: SqliteScreeningIndex) -> None:
    """Only the birth date (or country) differs: never presented as no match."""
    for query in (Query("Sato Taro", birth_date="1990-01-01"),
                  Query("Sato Taro", "USA", "1990-01-01")):
        doc = screening_document(index, query, index.screen(query))
        best = doc["matches"][0]  # type: ignore[index]
        assert best["entity_id"] == "sample-ja-p-1" and best["match"] is False
        assert best["status"] == "possible_match" and doc["status"] == "possible_match"


def test_status_says_no_match_only_without_candidates() -> None:
    from econsec.screening.index import document_status

    assert document_status([]) == "no_match"
    assert document_status(["low_similarity"]) == "low_similarity"
    assert document_status(["false_positive"]) == "low_similarity"
    assert document_status(["low_similarity", "possible_match"]) == "possible_match"
    assert document_status(["possible_match", "match"]) == "match"


def test_batch_rows_carry_status_and_lists(index: SqliteScreeningIndex, tmp_path: Path) -> None:
    from econsec.screening.batch import safe_rows

    rows = [{"name": "Sato Taro", "birth_date": "1990-01-01"},
            {"name": "=HYPERLINK(\"http://x\")"}]
    out = screen_batch(index, rows)
    assert out[0]["status"] == "possible_match"
    assert "sample (8 entities" in str(out[0]["lists_screened"])
    safe = safe_rows(out)
    assert str(safe[1]["name"]).startswith("'=")


# -- bundled lists ---------------------------------------------------------------------------
def test_bundled_lists_convert_with_their_metadata() -> None:
    from econsec.screening.bundled import BUNDLED, JAPANESE

    assert set(JAPANESE) == {"jp-meti-eul", "jp-export-ban-russia", "jp-export-ban-belarus",
                             "jp-export-ban-third-countries"}
    counts = {}
    for item in BUNDLED.values():
        assert item.path.is_file() and item.publisher and item.licence
        entities = item.entities()
        counts[item.name] = len(entities)
        assert len({e.id for e in entities}) == len(entities)
        designated = [e.designation_date for e in entities if e.designation_date]
        assert max(designated, default=item.edition) <= item.edition
        assert all(e.names and all(n.strip() for _, n in e.names) for e in entities)
    assert counts["jp-meti-eul"] == 835
    assert counts["jp-export-ban-belarus"] == 27  # three entries the source split in two
    assert 550 <= counts["jp-export-ban-russia"] <= 579  # address fragments of the source left out
    assert BUNDLED["jp-meti-eul"].edition == "2025-09-29"
    assert BUNDLED["us-ofac-sdn"].edition == "2024-05-03"


def test_bundled_entities_keep_japanese_names_and_leave_removals_out() -> None:
    from econsec.screening.bundled import BUNDLED

    russia = {e.id: e for e in BUNDLED["jp-export-ban-russia"].entities()}
    first = russia["jp.mofa.russia.1"]
    assert ("name", "株式会社アドミラルティ造船所") in first.names
    assert ("name", "Admiralty Shipyard JSC") in first.names
    assert first.countries == ("ru",) and first.designation_date == "2022-03-15"
    assert first.source_url.startswith("https://www.meti.go.jp/")
    # Rows that are only the rest of an address are not entities.
    assert not any("Bolshoy Bulvar" in n for e in russia.values() for _, n in e.names)
    milcorps = BUNDLED["us-dod-1260h"].entities()
    ended = 0
    with BUNDLED["us-dod-1260h"].path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    active = {r["Clean Name"] for r in rows if not r["End date"]}
    ended = {r["Clean Name"] for r in rows if r["End date"]} - active
    names = {e.caption for e in milcorps}
    assert ended and not names & ended and names == active


def test_ofac_snapshot_converts_entities_and_individuals() -> None:
    from econsec.screening.bundled import BUNDLED

    sdn = {e.id: e for e in BUNDLED["us-ofac-sdn"].entities()}
    assert 13_000 < len(sdn) < 14_966  # vessels and aircraft left out
    bank = sdn["ofac-sdn-306"]
    assert bank.schema == "LegalEntity" and ("alias", "BNC") in bank.names
    people = [e for e in sdn.values() if e.schema == "Person" and e.birth_dates]
    assert len(people) > 5000
    assert all(len(d) in (4, 7, 10) for e in people for d in e.birth_dates)


def test_bundled_ofac_loads_in_seconds_and_screens(tmp_path: Path) -> None:
    import time

    from econsec.screening.index import load_bundled

    with SqliteScreeningIndex(tmp_path / "s.db") as idx:
        started = time.perf_counter()
        loaded, fresh = load_bundled(idx, "us-ofac-sdn")
        seconds = time.perf_counter() - started
        assert fresh and loaded.entities > 13_000 and seconds < 60
        assert loaded.edition == "2024-05-03" and "public domain" in str(loaded.licence)
        again, fresh = load_bundled(idx, "us-ofac-sdn", force=False)
        assert not fresh and again.entities == loaded.entities
        best = idx.screen(Query("Banco Nacional de Cuba"))[0]
        assert best.entity.id == "ofac-sdn-306" and best.score >= THRESHOLD
