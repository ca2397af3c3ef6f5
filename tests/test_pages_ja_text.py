"""Japanese pages show Japanese where econsec wrote the text: the worked scenarios' titles
and notes and the bundled BEA table's notes on the scenario page, a busy knowledge base on
the technology-management pages, and no English sentence of econsec's own catalogue on any
page (a real server on loopback; data names excepted)."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import time
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from econsec.i18n import catalogue, translator
from econsec.scenarios.catalogue import resolve_scenario
from econsec.scenarios.texts import format_param
from web_server import LiveServer, live_server, post

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
BUSY_EN = "the knowledge base is busy with another write; try again in a few seconds"
BUSY_JA = "ナレッジベースは別の書き込みの処理中です。数秒後にもう一度お試しください"


@pytest.fixture(scope="module")
def server(built_db: Path, tmp_path_factory: pytest.TempPathFactory,
           ) -> Iterator[LiveServer]:
    db = tmp_path_factory.mktemp("pages-ja") / "econsec.db"
    shutil.copy(built_db, db)
    with live_server(db) as live:
        yield live


def page_texts(server: LiveServer) -> dict[str, str]:
    """The translations the Japanese scenario page embeds for its script."""
    page = httpx.get(server.url + "/scenarios?lang=ja", timeout=30)
    assert page.status_code == 200
    found = re.search(r'<script type="application/json" id="scenario-texts">(.*?)</script>',
                      page.text, re.S)
    assert found
    return dict(json.loads(unescape(found.group(1))))


def page_render(texts: dict[str, str], pair: dict[str, Any]) -> str:
    """What ``scenarios.js`` shows for an ``{id, params}`` pair in Japanese."""
    ja = translator("ja")
    params = pair.get("params") or {}
    template = texts.get(pair["id"], pair["id"])
    return re.sub(r"%\((\w+)\)s|%%", lambda m: "%" if m.group(0) == "%%" else format_param(
        m.group(1), params[m.group(1)], ja), template)


# ------------------------------------------------------------------ scenario page


def test_worked_scenario_titles_are_japanese(server: LiveServer) -> None:
    page = visible_text(httpx.get(server.url + "/scenarios?lang=ja", timeout=30).text)
    assert "米国の一次金属の輸入削減（BEA 2023）" in page
    assert "U.S. primary metals import cut" not in page
    english = unescape(httpx.get(server.url + "/scenarios?lang=en", timeout=30).text)
    assert "U.S. primary metals import cut (BEA 2023)" in english


def test_every_worked_scenario_note_and_table_note_has_its_japanese() -> None:
    from econsec.io_models.bea import NOTE_IDS
    from econsec.scenarios.catalogue import worked_texts

    ja = catalogue("ja")
    for text in (*worked_texts(), *NOTE_IDS):
        assert text in ja and JAPANESE.search(ja[text]), text
        names = set(re.findall(r"%\((\w+)\)s", text))
        assert set(re.findall(r"%\((\w+)\)s", ja[text])) == names, text


def test_scenario_result_notes_read_in_japanese(server: LiveServer) -> None:
    """A short run of the worked BEA scenario: the file's notes and the table's notes
    come as pairs the Japanese page shows in Japanese; the JSON keeps English notes."""
    doc = yaml.safe_load(resolve_scenario("worked:bea-primary-metals").read_text("utf-8"))
    doc.update(horizon_days=15, compare_mitigations=False, mitigations=[])
    doc["events"][0].update(start_day=1, duration_days=5, recovery_days=5)
    doc.pop("ensemble", None)
    started = post(server.url + "/api/v1/scenarios/runs", json=doc, timeout=60)
    assert started.status_code == 202, started.text
    url = f"{server.url}/api/v1/scenarios/runs/{started.json()['id']}"
    deadline = time.monotonic() + 60
    while (job := httpx.get(url, timeout=30).json())["status"] not in ("done", "failed"):
        assert time.monotonic() < deadline, job
        time.sleep(0.1)
    assert job["status"] == "done", job.get("error")
    result = job["result"]
    texts = page_texts(server)
    assert any("negative intermediate flows" in n for n in result["notes"])
    assert len(result["note_texts"]) == len(result["notes"]) >= 8
    shown = [page_render(texts, pair) for pair in result["note_texts"]]
    for english, japanese in zip(result["notes"], shown, strict=True):
        assert JAPANESE.search(japanese), japanese
        assert english not in japanese
    assert any("負の中間フロー 5 件" in s for s in shown), shown
    assert any("合計の読み方" in s for s in shown), shown
    assert texts[result["name"]] == "米国の一次金属の輸入削減（BEA 2023）"
    assert texts[result["unit"]] == "百万ドル（名目）"


# ------------------------------------------------------------------ technology pages


def test_busy_store_on_a_tech_page_reads_in_japanese(
        db_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ECONSEC_BUSY_TIMEOUT", "0.3")
    form = {"technology": "semiconductor-photoresists", "counterparty": "Busy Ltd",
            "country": "CHN", "channel": "subsidiary", "decision_date": "2025-06-01"}
    with live_server(db_copy) as busy:
        holder = sqlite3.connect(db_copy, isolation_level=None)
        try:
            holder.execute("BEGIN IMMEDIATE")
            answers = {lang: post(f"{busy.url}/tech/cases?lang={lang}", data=form,
                                  timeout=60, follow_redirects=False) for lang in ("ja", "en")}
        finally:
            holder.execute("ROLLBACK")
            holder.close()
    ja, en = (unescape(answers[lang].text) for lang in ("ja", "en"))
    assert answers["ja"].status_code >= 400, answers["ja"].text
    assert BUSY_JA in ja and BUSY_EN not in ja
    assert BUSY_EN in en
    for word in ("INSERT", "sqlite", "[SQL"):
        assert word not in ja and word not in en


def test_unconfirmed_technology_notes_are_japanese(server: LiveServer) -> None:
    ja = visible_text(httpx.get(server.url + "/tech?lang=ja", timeout=30).text)
    assert "二次資料で事前報告対象の技術として挙げられています" in ja
    assert "2025年の追加として報じられていますが" in ja
    for english in ("Named among the prior-report technologies",
                    "Reported as a 2025 addition"):
        assert english not in ja
    en = visible_text(httpx.get(server.url + "/tech?lang=en", timeout=30).text)
    assert "Reported as a 2025 addition, but no citable source was found yet" in en


# ------------------------------------------------------------------ every page


PAGES = ("/", "/commodities", "/commodities/lithium", "/commodities/lithium/shares",
         "/countries", "/countries/CHN", "/countries/JPN", "/value-chain", "/data",
         "/scenarios", "/screening", "/tech", "/tech/cases", "/tech/selfcheck", "/nowhere")


def catalogue_sentences() -> dict[str, str]:
    """English sentences of econsec's own catalogue (four words or more, without
    placeholders) whose Japanese differs: shown in English on a Japanese page, they are
    untranslated text."""
    ja = catalogue("ja")
    return {en: text for en, text in ja.items()
            if len(en.split()) >= 4 and "%(" not in en and text != en}


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


@pytest.mark.parametrize("path", PAGES)
def test_no_english_catalogue_sentence_on_a_japanese_page(server: LiveServer,
                                                          path: str) -> None:
    answer = httpx.get(f"{server.url}{path}?lang=ja", timeout=60,
                       headers={"Accept": "text/html"})
    assert answer.status_code in (200, 404), (path, answer.status_code)
    shown = visible_text(answer.text)
    left = [en for en in catalogue_sentences() if en in shown]
    assert not left, (path, left)


def _figure(server: LiveServer, path: str, figure_id: str) -> dict[str, Any]:
    page = httpx.get(server.url + path, timeout=30)
    assert page.status_code == 200
    found = re.search(rf'<script type="application/json" id="{figure_id}">(.*?)</script>',
                      page.text, re.S)
    assert found, figure_id
    return dict(json.loads(unescape(found.group(1))))


def test_criticality_matrix_points_are_labelled_in_the_readers_language(
        server: LiveServer) -> None:
    ja = _figure(server, "/?lang=ja", "fig-matrix")["data"][0]["text"]
    en = _figure(server, "/?lang=en", "fig-matrix")["data"][0]["text"]
    assert len(ja) == len(en) > 40
    assert "Terbium" in en and "テルビウム" in ja
    assert sum(bool(JAPANESE.search(label)) for label in ja) == len(ja)
