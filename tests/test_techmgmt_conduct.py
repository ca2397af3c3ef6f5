"""Economic-security governance self-assessment (econsec.techmgmt.conduct): the bundled
questionnaire against the 3P catalogue, located refusals of bad files, scoring and the gap
report against an independent calculation, the CLI, the API and the page (ja/en)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from econsec.datasets._csv import data_dir
from econsec.documents import read_yaml
from econsec.errors import DataFormatError, EconsecError, ValidationError
from econsec.policy.catalogue import load_catalogue
from econsec.techmgmt.conduct import (
    PRIORITY_THRESHOLDS,
    assess,
    bundled_conduct,
    parse_conduct,
    template_answers,
)
from test_bad_input_techmgmt import _cli, _refused
from web_server import LiveServer, live_server, post

FILE = data_dir() / "techmgmt/conduct_selfcheck.yaml"
AREAS = {"board-oversight", "security-officer", "supply-chain", "technology-secrets",
         "export-control", "investment-review", "information-security", "personnel",
         "crisis-bcp", "public-private"}


def test_bundled_questionnaire_covers_the_areas_with_sources_and_measures() -> None:
    qn = bundled_conduct()
    assert {a.id for a in qn.areas} == AREAS
    catalogue_ids = set(load_catalogue().ids())
    for area in qn.areas:
        assert area.measures and set(area.measures) <= catalogue_ids, area.id
        for q in area.questions:
            assert set(q.basis) <= set(qn.sources) and q.ja and q.action_ja
    titles = " ".join(s.title for s in qn.sources.values())
    assert "技術流出対策ガイダンス" in titles and "アクションプラン" in titles
    assert any("Keidanren" in s.publisher for s in qn.sources.values())


def _parse(text: str) -> None:
    data, lines = read_yaml(text, file="q.yaml")
    parse_conduct(data, lines, "q.yaml")


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_unknown_measure_id_is_refused_at_its_line() -> None:
    text = FILE.read_text(encoding="utf-8")
    bad = text.replace("measures: [investment-screening]", "measures: [investment-screenin]")
    with pytest.raises(DataFormatError) as info:
        _parse(bad)
    assert info.value.location.line == _line_of(bad, "investment-screenin]")
    assert "did you mean: investment-screening" in str(info.value)


@pytest.mark.parametrize(("old", "new", "needle", "message"), [
    ("        basis: [mof-fefta-fdi]\n", "        basis: [mof-fdi]\n", "[mof-fdi]",
     "cites undefined source 'mof-fdi'"),
    ("      - id: gov-2\n", "      - id: gov-1\n", "- id: gov-1", "duplicate question id"),
    ("        weight: 5\n", "        weight: 9\n", "weight: 9", "weight"),
    ("    name_ja: 人材と内部者リスク\n", "    name_ja: 人材と内部者リスク\n    colour: red\n",
     "colour: red", "unknown key 'colour'"),
])
def test_bad_questionnaire_is_refused_with_the_line(old: str, new: str, needle: str,
                                                    message: str) -> None:
    text = FILE.read_text(encoding="utf-8")
    assert old in text
    bad = text.replace(old, new, 1)
    with pytest.raises(EconsecError) as info:
        _parse(bad)
    assert message in str(info.value)
    changed = next(i for i, (a, b) in enumerate(zip(text.splitlines(), bad.splitlines(),
                                                    strict=False), 1) if a != b)
    assert info.value.location.line == changed, str(info.value)
    assert needle in bad.splitlines()[changed - 1]


def test_malformed_yaml_names_the_line() -> None:
    with pytest.raises(DataFormatError) as info:
        _parse("version: '1'\nsources:\n  a: [unclosed\n")
    assert info.value.location.line is not None and info.value.location.file == "q.yaml"


def test_scores_and_gap_report_match_an_independent_calculation() -> None:
    qn = bundled_conduct()
    answers = {"gov-1": "yes", "gov-2": "partly", "gov-3": "no", "sc-1": "n/a",
               "sc-2": "yes", "sc-3": "partly", "exp-1": "yes", "exp-2": "yes",
               "exp-3": "yes", "tech-1": "partly"}
    result = assess(answers).as_dict()
    value = {"yes": 1.0, "partly": 0.5, "no": 0.0}
    total_w = total_got = 0.0
    expected = {}
    for area in qn.areas:
        w = got = 0.0
        for q in area.questions:
            answer = answers.get(q.id, "no")
            if answer == "n/a":
                continue
            w += q.weight
            got += q.weight * value[answer]
        expected[area.id] = round(100 * got / w, 1)
        total_w, total_got = total_w + w, total_got + got
    by_id = {a["id"]: a for a in result["areas"]}
    assert {k: v["score"] for k, v in by_id.items()} == expected
    assert result["overall"] == round(100 * total_got / total_w, 1)
    high, medium = PRIORITY_THRESHOLDS
    for a in result["areas"]:
        want = "high" if a["score"] < high else "medium" if a["score"] < medium else "low"
        assert a["priority"] == want
    assert by_id["export-control"]["priority"] == "low" and by_id["export-control"][
        "actions"] == [] and by_id["export-control"]["measures"] == []
    # areas ordered by priority, then gap; actions by gap
    ranks = [("high", "medium", "low").index(a["priority"]) for a in result["areas"]]
    assert ranks == sorted(ranks)
    gov = by_id["board-oversight"]
    assert [x["question"] for x in gov["actions"]] == ["gov-3", "gov-2"]  # 3·1 > 4·0.5
    assert gov["gap"] == pytest.approx(4 * 0.5 + 3)
    assert [m["id"] for m in gov["measures"]] == ["technology-management", "rd-platform"]
    assert gov["measures"][0]["name_ja"]
    assert "sc-1" not in result["unanswered"] and "off-1" in result["unanswered"]


def test_unknown_question_and_bad_answer_are_refused() -> None:
    with pytest.raises(ValidationError, match="did you mean: gov-1"):
        assess({"gov-11": "yes"})
    with pytest.raises(ValidationError, match="answer 'maybe'"):
        assess({"gov-1": "maybe"})


# ----------------------------------------------------------------------------- CLI


def test_cli_template_answers_and_refusals(tmp_path: Path) -> None:
    code, out, err = _cli("tech", "conduct-check", "--template", "--lang", "ja")
    assert code == 0 and out == template_answers(lang="ja"), err
    answers = tmp_path / "answers.yaml"
    answers.write_text(out.replace("gov-1: no", "gov-1: yes").replace("exp-1: no",
                                                                      "exp-1: partly"),
                       encoding="utf-8")
    code, out, err = _cli("tech", "conduct-check", "--answers", str(answers), "--format",
                          "json")
    assert code == 0, err
    doc = json.loads(out)
    expected = assess({q: "no" for q in bundled_conduct().questions()}
                      | {"gov-1": "yes", "exp-1": "partly"}).as_dict()
    assert doc["overall"] == expected["overall"] and doc["unanswered"] == []
    bad = tmp_path / "bad.yaml"
    bad.write_text("answers:\n  gov-1: yes\n  gov-9: no\n", encoding="utf-8")
    code, _out, err = _cli("tech", "conduct-check", "--answers", str(bad))
    _refused(code, err, str(bad), "line 3", "unknown question id 'gov-9'")
    code, _out, err = _cli("tech", "conduct-check")
    _refused(code, err, "--answers", "--template")


# ----------------------------------------------------------------------------- web


@pytest.fixture(scope="module")
def server(built_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    db = tmp_path_factory.mktemp("conduct") / "econsec.db"
    shutil.copy(built_db, db)
    with live_server(db) as live:
        yield live


def test_api_conduct(server: LiveServer) -> None:
    qn = httpx.get(server.url + "/api/v1/tech/conduct", timeout=30).json()
    assert len(qn["areas"]) == 10 and "meti-action-plan" in qn["sources"]
    api = server.url + "/api/v1/tech/conduct-check"
    answer = post(api, json={"answers": {"gov-1": "yes", "sc-1": "partly"}}, timeout=30)
    assert answer.status_code == 200, answer.text
    doc = answer.json()
    assert doc == json.loads(json.dumps(assess({"gov-1": "yes", "sc-1": "partly"}).as_dict()))
    assert post(api, json={"answers": {"gov-1": "maybe"}}, timeout=30).status_code == 422
    unknown = post(api, json={"answers": {"gov-9": "yes"}}, timeout=30)
    assert unknown.status_code == 422 and "gov-9" in unknown.text
    assert httpx.post(api, json={"answers": {}}, timeout=30).status_code in (401, 403)


def test_conduct_page_in_both_languages(server: LiveServer) -> None:
    form = httpx.get(server.url + "/tech/conduct?lang=ja", timeout=30)
    assert form.status_code == 200 and "取締役会による監督と経営戦略" in form.text
    assert 'href="/tech/conduct"' in httpx.get(server.url + "/tech?lang=ja").text
    ja = post(server.url + "/tech/conduct?lang=ja", data={"gov-1": "yes", "exp-1": "partly"},
              timeout=30)
    assert ja.status_code == 200
    assert "ガバナンスのギャップ報告" in ja.text and "優先度 高" in ja.text
    assert 'data-spec="fig-conduct"' in ja.text and 'href="/policy#measure-' in ja.text
    en = post(server.url + "/tech/conduct?lang=en", data={"gov-1": "yes"}, timeout=30)
    assert "Governance gap report" in en.text and "high priority" in en.text
    bad = post(server.url + "/tech/conduct?lang=ja", data={"gov-1": "maybe"}, timeout=30)
    assert bad.status_code == 422
