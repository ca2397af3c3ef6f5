"""Technology management: designated-technology lists (real files, as-of, newer lists),
Group A, the case workflow and prior-report rules, the self-check, the CLI end to end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from econsec.errors import (
    DataFormatError,
    NotFoundError,
    UnknownCountryError,
    ValidationError,
)
from econsec.kb.store import open_store
from econsec.techmgmt.cases import (
    TRANSITIONS,
    Channel,
    Status,
    TransferCase,
    assess_prior_report,
    check_transition,
)
from econsec.techmgmt.groups import group_a_members, group_status
from econsec.techmgmt.registry import (
    Registry,
    UnknownTechnologyError,
    bundled_list,
    load_technology_list,
    parse_technology_list,
)
from econsec.techmgmt.selfcheck import bundled_questionnaire, score
from econsec.techmgmt.store import CASES, EVENTS, LISTS, TechStore

TEN_2024 = {
    "multilayer-ceramic-capacitors", "saw-baw-filters", "electrolytic-copper-foil",
    "dielectric-film", "barium-titanate-powder", "carbon-fibre-precursor",
    "sic-fibre-precursor", "semiconductor-photoresists", "non-ferrous-sputtering-targets",
    "electron-microscopes",
}

NEWER = """\
list:
  id: jp-meti-prior-report-technologies
  version: "2026-03-01"
  title: Test list with one addition
  publisher: METI
  notice_date: 2026-03-01
sources:
  n:
    title: Notice (test)
    publisher: METI
    url: https://example.org/notice
technologies:
  - id: multilayer-ceramic-capacitors
    name_en: Multilayer ceramic capacitors
    name_ja: 積層セラミックコンデンサ
    source: n
    notice_date: 2024-10-30
    effective_date: 2024-12-30
    sourced: true
  - id: quantum-widgets
    name_en: Quantum widgets
    name_ja: 量子ウィジェット
    source: n
    notice_date: 2026-03-01
    effective_date: 2026-05-01
    sourced: true
"""


@pytest.fixture
def tech(tmp_path: Path) -> TechStore:
    return TechStore(open_store(str(tmp_path / "kb.db")))


def _counts(tech: TechStore) -> tuple[int, int, int]:
    with tech.engine.connect() as conn:
        return tuple(conn.execute(select(func.count()).select_from(t)).scalar_one()
                     for t in (CASES, EVENTS, LISTS))  # type: ignore[return-value]


# ---------------------------------------------------------------------- data


def test_bundled_list_has_the_ten_of_2024_sourced_and_dated() -> None:
    lst = bundled_list()
    by_id = {t.id: t for t in lst.technologies}
    assert set(by_id) >= TEN_2024
    for tid in TEN_2024:
        t = by_id[tid]
        assert t.sourced and t.notice_date == date(2024, 10, 30)
        assert t.effective_date == date(2024, 12, 30)
        assert lst.source_of(t) is not None and lst.source_of(t).url.startswith("https://")
    for tid in ("magnetic-sensors", "sponge-titanium", "solid-electrolytes"):
        assert not by_id[tid].sourced and by_id[tid].note


def test_as_of_queries() -> None:
    reg = Registry([bundled_list()])
    assert reg.designated(date(2024, 12, 29)) == []
    assert {d.technology.id for d in reg.designated(date(2025, 1, 1))} == TEN_2024
    assert len(reg.designated()) == 13  # undated, unconfirmed entries only without a date
    assert reg.find("electron-microscopes", date(2025, 1, 1)) is not None
    assert reg.find("electron-microscopes", date(2024, 1, 1)) is None


def test_newer_list_wins_by_notice_date_without_code_change(tech: TechStore,
                                                           tmp_path: Path) -> None:
    path = tmp_path / "newer.yaml"
    path.write_text(NEWER, encoding="utf-8")
    tech.save_list(load_technology_list(path))
    reg = tech.registry()
    assert reg.current_list().header.version == "2026-03-01"
    assert reg.current_list(date(2025, 6, 1)).header.version == "2024-10-30"
    assert "quantum-widgets" not in {d.technology.id for d in reg.designated(date(2026, 4, 1))}
    assert "quantum-widgets" in {d.technology.id for d in reg.designated(date(2026, 5, 1))}
    assert len(reg.designated(date(2026, 5, 1))) == 2  # the newest list replaces the old


@pytest.mark.parametrize(("text", "line", "match"), [
    (NEWER.replace("    sourced: true\n  - id: quantum", "    sourced: true\n    colour: red\n"
                   "  - id: quantum"), 20, "unknown key 'colour'"),
    (NEWER.replace("effective_date: 2026-05-01", "effective_date: someday"), 25,
     "effective_date"),
    (NEWER.replace("    source: n\n    notice_date: 2026",
                   "    source: nope\n    notice_date: 2026"), 23, "undefined source 'nope'"),
    (NEWER.replace("  id: jp-meti", "  id: [jp-meti"), 3, "malformed YAML"),
])
def test_malformed_list_names_the_line(text: str, line: int, match: str) -> None:
    with pytest.raises(DataFormatError, match=match) as info:
        parse_technology_list(text, "x.yaml")
    assert info.value.location.line == line
    assert "x.yaml" in str(info.value)


def test_group_a_is_dated_data() -> None:
    assert len(group_a_members()) == 27
    assert group_status("KOR").group_a and group_status("Germany").group_a
    assert not group_status("China").group_a
    assert group_status("中国").iso3 == "CHN"
    with pytest.raises(UnknownCountryError, match="did you mean"):
        group_status("Chyna")


# ---------------------------------------------------------------------- workflow


def test_transitions() -> None:
    assert check_transition("draft", "reported") is Status.REPORTED
    assert check_transition("in_dialogue", "licence_required") is Status.LICENCE_REQUIRED
    with pytest.raises(ValidationError) as info:
        check_transition("draft", "closed")
    assert "from 'draft' to 'closed'" in str(info.value) and "reported" in str(info.value)
    assert TRANSITIONS[Status.CLOSED] == ()


def _case(country: str, channel: Channel = Channel.SUBSIDIARY,
          tech_id: str = "multilayer-ceramic-capacitors",
          when: date = date(2025, 6, 1)) -> TransferCase:
    return TransferCase(1, tech_id, "Acme Co.", country, channel, when, Status.DRAFT)


def test_prior_report_required_to_non_group_a_via_subsidiary() -> None:
    reg = Registry([bundled_list()])
    d = assess_prior_report(_case("CHN"), reg, group_status("CHN"))
    assert d.required and d.rules == {"R1": True, "R2": True, "R3": True}
    text = " ".join(d.reasons)
    assert "Multilayer ceramic capacitors" in text and "subsidiary" in text
    assert "non-Group-A" in text and d.group_a is False


def test_prior_report_decisions_for_other_cases() -> None:
    reg = Registry([bundled_list()])
    group_a = assess_prior_report(_case("USA", Channel.LICENSING), reg, group_status("USA"))
    assert group_a.required and group_a.group_a and "Group A" in " ".join(group_a.reasons)
    domestic = assess_prior_report(_case("JPN"), reg, group_status("JPN"))
    assert not domestic.required and domestic.rules["R3"] is False
    before = assess_prior_report(_case("CHN", when=date(2024, 11, 1)), reg, group_status("CHN"))
    assert not before.required and "not a designated technology" in before.reasons[1]
    unconfirmed = assess_prior_report(_case("VNM", tech_id="sponge-titanium"), reg,
                                      group_status("VNM"))
    assert unconfirmed.required and not unconfirmed.confirmed
    assert "unconfirmed" in " ".join(unconfirmed.reasons)


def test_case_lifecycle_with_history(tech: TechStore) -> None:
    case = tech.create_case(technology="積層セラミックコンデンサ", counterparty="Shenzhen X",
                            country="China", channel="joint-venture",
                            decision_date="2025-09-01", actor="alice")
    assert case.status is Status.DRAFT and case.country == "CHN"
    assert case.technology_id == "multilayer-ceramic-capacitors"
    tech.move_case(case.id, "reported", note="filed", on="2025-07-01", actor="alice")
    tech.move_case(case.id, "in-dialogue", note="METI asked", on="2025-07-10", actor="bob")
    done = tech.move_case(case.id, "closed", note="no concern", on="2025-08-01", actor="bob")
    assert [e.to_status for e in done.events] == ["draft", "reported", "in_dialogue", "closed"]
    assert [e.actor for e in done.events][1:] == ["alice", "bob", "bob"]
    assert done.events[2].on == date(2025, 7, 10) and done.events[2].note == "METI asked"
    assert tech.assess(done).required
    before = _counts(tech)
    with pytest.raises(ValidationError, match="allowed from 'closed': none"):
        tech.move_case(case.id, "reported", note="again")
    assert _counts(tech) == before


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    ({"technology": "multilayer ceramic capacitor"}, UnknownTechnologyError,
     "did you mean: multilayer-ceramic-capacitors"),
    ({"country": "XYZ"}, UnknownCountryError, "unknown country"),
    ({"channel": "franchise"}, ValidationError, "allowed: subsidiary"),
    ({"decision_date": "next week"}, ValidationError, "not a date"),
])
def test_bad_case_input_stores_nothing(tech: TechStore, kwargs: dict, error: type,
                                       match: str) -> None:
    args = {"technology": "electron-microscopes", "counterparty": "X", "country": "CHN",
            "channel": "licensing", "decision_date": "2025-06-01", **kwargs}
    with pytest.raises(error, match=match):
        tech.create_case(**args)
    assert _counts(tech) == (0, 0, 0)


def test_invalid_move_and_missing_case(tech: TechStore) -> None:
    case = tech.create_case(technology="electron-microscopes", counterparty="X",
                            country="IND", channel="contract-manufacturing",
                            decision_date="2025-06-01")
    before = _counts(tech)
    with pytest.raises(ValidationError, match="from 'draft' to 'closed'"):
        tech.move_case(case.id, "closed", note="skip")
    with pytest.raises(ValidationError, match="unknown status"):
        tech.move_case(case.id, "approved", note="?")
    with pytest.raises(NotFoundError):
        tech.move_case(999, "reported", note="x")
    assert _counts(tech) == before
    assert tech.case(case.id).status is Status.DRAFT


# ---------------------------------------------------------------------- self-check


def test_selfcheck_scoring_on_a_fixed_answer_set() -> None:
    qn = bundled_questionnaire()
    assert {a.chapter for a in qn.areas} == {1, 2}
    assert {a.id for a in qn.areas if a.chapter == 1} == {
        "offshoring-planning", "offshoring-contract", "offshoring-operation", "offshoring-exit"}
    answers = {q: "yes" for q in qn.questions()}
    answers.update({"p1": "no", "p2": "partly", "p3": "n/a", "s1": "no"})
    result = score(answers)
    areas = {a["id"]: a["score"] for a in result.areas}
    # planning: p1 w5 no, p2 w4 partly (2), p3 n/a -> 100 * 2 / 9
    assert areas["offshoring-planning"] == pytest.approx(22.2)
    assert areas["people-sns"] == pytest.approx(50.0)
    assert areas["offshoring-exit"] == 100.0
    assert [a["question"] for a in result.actions] == ["p1", "s1", "p2"]
    assert result.actions[0]["priority"] == 1 and result.unanswered == []
    assert score({}).overall == 0.0
    with pytest.raises(ValidationError, match="unknown question"):
        score({"zz": "yes"})
    with pytest.raises(ValidationError, match="not one of"):
        score({"p1": "maybe"})


# ---------------------------------------------------------------------- CLI


def _cli(*args: str, db: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    from econsec.cli import app as cli_app

    registered = any(g.name == "tech" for g in cli_app.app.registered_groups)
    entry = ["-m", "econsec", "tech"] if registered else ["-m", "econsec.cli.techmgmt_cmd"]
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200", "USER": "tester"}
    env.pop("ECONSEC_DB", None)
    proc = subprocess.run([sys.executable, *entry, *args, "--db", str(db)],
                          capture_output=True, text=True, env=env, timeout=120)
    if check:
        assert proc.returncode == 0, proc.stderr + proc.stdout
    return proc


def test_cli_end_to_end(tmp_path: Path) -> None:
    db = tmp_path / "kb.db"
    listed = json.loads(_cli("list", "--as-of", "2025-01-01", "--format", "json", db=db).stdout)
    assert {t["id"] for t in listed["technologies"]} == TEN_2024
    created = json.loads(_cli("case", "new", "--technology", "saw-baw-filters",
                              "--counterparty", "Foo Ltd", "--country", "CHN", "--channel",
                              "subsidiary", "--decision-date", "2025-06-01", "--format", "json",
                              db=db).stdout)
    assert created["prior_report"]["required"] and created["status"] == "draft"
    cid = str(created["id"])
    _cli("case", "move", cid, "reported", "--note", "filed", "--on", "2025-05-01", db=db)
    shown = json.loads(_cli("case", "show", cid, "--format", "json", db=db).stdout)
    assert [h["to"] for h in shown["history"]] == ["draft", "reported"]
    bad = _cli("case", "move", cid, "closed", "--note", "x", db=db, check=False)
    assert bad.returncode == 2 and "allowed from 'reported'" in bad.stderr
    unknown = _cli("case", "new", "--technology", "electron microscope", "--counterparty", "X",
                   "--country", "Chna", "--channel", "licensing", "--decision-date",
                   "2025-06-01", db=db, check=False)
    assert unknown.returncode == 2 and "electron-microscopes" in unknown.stderr
    assert len(json.loads(_cli("case", "list", "--format", "json", db=db).stdout)["cases"]) == 1
    html = tmp_path / "case.html"
    _cli("case", "export", cid, "--out", str(html), "--lang", "ja", db=db)
    text = html.read_text(encoding="utf-8")
    assert "事前報告" in text and "Foo Ltd" in text and "<script" not in text
    newer = tmp_path / "newer.yaml"
    newer.write_text(NEWER, encoding="utf-8")
    _cli("load", str(newer), db=db)
    later = json.loads(_cli("list", "--as-of", "2026-06-01", "--format", "json", db=db).stdout)
    assert later["list"]["version"] == "2026-03-01"
    broken = tmp_path / "broken.yaml"
    broken.write_text(NEWER.replace("sourced: true\n  - id: quantum",
                                    "sourced: maybe\n  - id: quantum"), encoding="utf-8")
    failed = _cli("load", str(broken), db=db, check=False)
    assert failed.returncode == 2 and "line 19" in failed.stderr
    answers = tmp_path / "answers.yaml"
    answers.write_text("p1: no\np2: yes\n", encoding="utf-8")
    check = json.loads(_cli("selfcheck", "--answers", str(answers), "--format", "json",
                            db=db).stdout)
    assert check["actions"][0]["question"] == "p1" and check["guidance"]["year"] == 2025
