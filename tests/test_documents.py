"""The bounded YAML/JSON reader refuses hostile documents quickly, with a location."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

import pytest

from econsec.documents import MAX_DEPTH, depth_of, read_json, read_yaml
from econsec.errors import DataFormatError

BILLION_LAUGHS = textwrap.dedent("""\
    a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
    b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
    c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
    d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
    e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
    f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
    g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
    h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
    i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
    """)


def test_yaml_with_lines() -> None:
    data, lines = read_yaml("name: x\nevents:\n  - kind: a\n    size: 1\n", file="s.yaml")
    assert data == {"name": "x", "events": [{"kind": "a", "size": 1}]}
    assert lines[("events", 0, "size")] == 4


def test_billion_laughs_refused_fast() -> None:
    start = time.perf_counter()
    with pytest.raises(DataFormatError, match="aliases expand") as info:
        read_yaml(BILLION_LAUGHS, file="bomb.yaml")
    assert time.perf_counter() - start < 2
    assert str(info.value).startswith("bomb.yaml, line 1")


def test_many_aliases_refused() -> None:
    text = "a: &a 1\nb: [" + ", ".join(["*a"] * 2000) + "]\n"
    with pytest.raises(DataFormatError, match="aliases"):
        read_yaml(text, file="f.yaml")


@pytest.mark.parametrize("depth", [100, 3_000, 100_000])
def test_deep_yaml_refused(depth: int) -> None:
    start = time.perf_counter()
    with pytest.raises(DataFormatError, match="nested") as info:
        read_yaml("[" * depth + "]" * depth, file="deep.yaml")
    assert time.perf_counter() - start < 2
    assert info.value.location.file == "deep.yaml"


def test_deep_block_yaml_refused_at_its_line() -> None:
    text = "".join("  " * i + f"k{i}:\n" for i in range(MAX_DEPTH + 5)) + "  " * 70 + "v"
    with pytest.raises(DataFormatError, match="nested") as info:
        read_yaml(text, file="deep.yaml")
    assert info.value.location.line in (MAX_DEPTH, MAX_DEPTH + 1)


@pytest.mark.parametrize("depth", [100, 3_000, 100_000])
def test_deep_json_refused(depth: int) -> None:
    start = time.perf_counter()
    with pytest.raises(DataFormatError, match="nested"):
        read_json("[" * depth + "]" * depth, file="deep.json")
    assert time.perf_counter() - start < 2


def test_duplicate_key_refused_at_its_line() -> None:
    with pytest.raises(DataFormatError, match="'name' appears twice") as info:
        read_yaml("name: a\nhorizon: 3\nname: b\n", file="d.yaml")
    assert info.value.location.line == 3


def test_malformed_json_located() -> None:
    with pytest.raises(DataFormatError) as info:
        read_json('{"a": 1,\n "b": }', file="x.json", line=10)
    assert info.value.location.line == 11


def test_oversized_document_refused() -> None:
    with pytest.raises(DataFormatError, match="larger than the limit"):
        read_json(" " * 8_000_001, file="big.json")


def test_depth_of() -> None:
    assert depth_of(1) == 0
    assert depth_of({"a": [1, {"b": []}]}) == 4


def test_billion_laughs_memory_bounded_in_a_fresh_process() -> None:
    code = textwrap.dedent(f"""
        from econsec.documents import read_yaml
        from econsec.errors import DataFormatError
        try:
            read_yaml({BILLION_LAUGHS!r})
        except DataFormatError:
            pass
        # VmHWM, not ru_maxrss: Linux keeps ru_maxrss across exec (the pytest process's size)
        print(next(line for line in open('/proc/self/status')
                   if line.startswith('VmHWM:')).split()[1])
        """)
    peak_kib = int(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                                  text=True).stdout)
    assert peak_kib < 200 * 1024


def test_json_duplicate_key_refused_at_its_line() -> None:
    text = '{"resources": [{"name": "items"}],\n "resources": []}'
    with pytest.raises(DataFormatError, match="'resources' appears twice") as info:
        read_json(text, file="datapackage.json")
    assert info.value.location.line == 2


def test_deep_json_names_the_line_where_it_gets_too_deep() -> None:
    text = '{\n"x":\n' + "[" * 3000 + "]" * 3000 + "}"
    with pytest.raises(DataFormatError, match="nested") as info:
        read_json(text, file="deep.json", line=5)
    assert info.value.location.line == 7


def test_json_null_document_is_fine() -> None:
    assert read_json(" null ") is None


# ------------------------------------------------------------------ one reader, one translation


SCENARIO_JSON = """{
  "name": "json scenario",
  "mrio": "pymrio:test",
  "horizon_days": 50,
  "events": [
    {"type": "capacity_loss", "region": "reg2", "sector": "mining",
     "share": 1.5, "start_day": 3}
  ]
}
"""


def test_json_documents_have_a_line_map_like_yaml() -> None:
    from econsec.documents import read_document

    data, lines = read_document(SCENARIO_JSON, file="s.json", json_format=True)
    assert data["events"][0]["share"] == 1.5
    assert lines[("events",)] == 5 and lines[("events", 0)] == 6
    assert lines[("events", 0, "share")] == 7 and lines[("horizon_days",)] == 4
    text = '[1,\n [2, {"a":\n  [3, 4]}],\n "x,\\"[{:"]'
    _, lines = read_document(text, json_format=True)
    assert lines == {(): 1, (0,): 1, (1,): 2, (1, 0): 2, (1, 1): 2, (1, 1, "a"): 2,
                     (1, 1, "a", 0): 3, (1, 1, "a", 1): 3, (2,): 4}


def test_json_scenario_error_names_its_line(tmp_path) -> None:
    from econsec.errors import ValidationError
    from econsec.scenarios.schema import load_scenario

    path = tmp_path / "s.json"
    path.write_text(SCENARIO_JSON, encoding="utf-8")
    with pytest.raises(ValidationError, match="above 100 %") as info:
        load_scenario(path)
    assert (info.value.location.line, info.value.location.column) == (7, "events[0].share")


@pytest.mark.parametrize(("text", "json_format", "line"), [
    ("name: a\nevents: []\nname: b\n", False, 3),
    ('{"name": "a",\n "events": [],\n "name": "b"}', True, 3),
], ids=["yaml", "json"])
def test_duplicate_keys_refused_the_same_way_in_both_formats(text, json_format, line) -> None:
    from econsec.documents import read_document

    with pytest.raises(DataFormatError, match="key 'name' appears twice") as info:
        read_document(text, file="doc", json_format=json_format)
    assert info.value.location.line == line


def test_worked_scenarios_are_read_by_the_bounded_reader(tmp_path, monkeypatch) -> None:
    """The catalogue read worked scenarios with yaml.safe_load, which keeps the last of two
    equal keys; it uses the one reader now."""
    from econsec.scenarios import catalogue

    (tmp_path / "twice.yaml").write_text("name: first\nmrio: pymrio:test\nname: second\n",
                                         encoding="utf-8")
    monkeypatch.setattr(catalogue, "_worked_dir", lambda: tmp_path)
    with pytest.raises(DataFormatError, match="key 'name' appears twice") as info:
        catalogue.worked_scenarios()
    assert info.value.location.line == 3


def _tech_list_error(text: str):
    from econsec.techmgmt.registry import parse_technology_list

    with pytest.raises((DataFormatError, ValueError)) as info:
        parse_technology_list(text, "list.yaml")
    return info.value


def test_one_translation_of_validation_errors() -> None:
    """Scenarios and technology lists word an unknown key the same way (the technology
    reader said "technologies.0: unknown key 'colour'" before), with the allowed keys."""
    from econsec.scenarios.schema import parse_scenario

    with pytest.raises(DataFormatError) as scenario:
        parse_scenario({"name": "x", "mrio": "pymrio:test", "horizon_days": 5, "colour": 1,
                        "events": [{"type": "capacity_loss", "region": "a", "sector": "b",
                                    "share": 0.5, "start_day": 1}]}, file="s.yaml")
    assert scenario.value.message.startswith(
        "unknown key 'colour' in the top level (allowed keys: name, description, mrio,")
    error = _tech_list_error(
        "list:\n  id: l\n  version: '1'\n  title: T\n  publisher: METI\n"
        "  notice_date: 2025-03-01\n  colour: red\nsources: {}\ntechnologies: []\n")
    assert isinstance(error, DataFormatError)
    assert error.message.startswith("unknown key 'colour' in list (allowed keys: id, ")
    assert (error.location.line, error.location.column) == (7, "list.colour")


def test_values_not_allowed_are_validation_errors_with_a_fraction_hint() -> None:
    from typing import Annotated

    from pydantic import BaseModel, Field
    from pydantic import ValidationError as PydanticValidationError

    from econsec.documents import read_document, validation_error
    from econsec.errors import ValidationError

    class Share(BaseModel):
        share: Annotated[float, Field(ge=0, le=1)]
        items: Annotated[list[int], Field(min_length=1)] = [1]

    data, lines = read_document("share: 93.8\nitems: []\n", file="f.yaml")
    with pytest.raises(PydanticValidationError) as raw:
        Share.model_validate(data)
    error = validation_error(raw.value, Share, file="f.yaml", lines=lines)
    assert type(error) is ValidationError
    assert str(error) == (
        "f.yaml, line 1, column 'share': must be at most 1 (got 93.8) "
        "(shares are fractions: 0.25 = 25 %); also: items: must not be empty")


def test_eu_crm_input_refuses_a_key_given_twice_and_names_lines(tmp_path) -> None:
    """The EU CRM reader used json.loads (the last of two equal keys won, no line for a
    bad value); it reads through the one reader and translation now."""
    from econsec.analyses.eu_crm_input import read_eu_crm_input
    from econsec.errors import ValidationError

    def read(text: str):
        path = tmp_path / "input.json"
        path.write_text(text, encoding="utf-8")
        return read_eu_crm_input(path, wgi_scaled_default={}, resolve_country=str)

    with pytest.raises(DataFormatError, match="key 'materials' appears twice") as info:
        read('{"materials": [],\n "materials": []}')
    assert info.value.location.line == 2
    with pytest.raises(ValidationError, match="shares are fractions") as info:
        read('{"materials": [{"material": "Ga", "si_ei": 0.9,\n'
             ' "end_uses": [{"sector": "C26", "share": 0.7, "value_added": 1}],\n'
             ' "stages": {"P": {"global_supply": [{"country": "CHN",\n'
             '   "share": 93.8}], "eu_sourcing": [], "import_reliance": 0.5,\n'
             '   "eol_rir": 0, "si_sr": 0.9}}}]}')
    assert info.value.location.line == 4
    assert info.value.location.column == "materials[0].stages.P.global_supply[0].share"


@pytest.mark.parametrize(("text", "json_format"), [
    ("list:\n  - a: 1\n    b:\n      c: 1\n      c: 2\n", False),
    ('{"list": [{"a": 1,\n "b": {"c": 1,\n\n\n "c": 2}}]}', True),
], ids=["yaml", "json"])
def test_duplicate_key_message_is_the_same_in_yaml_and_json(text, json_format) -> None:
    """JSON said "appears twice in one object"; both formats name the mapping now."""
    from econsec.documents import read_document

    with pytest.raises(DataFormatError) as info:
        read_document(text, file="doc", json_format=json_format)
    assert str(info.value) == ("doc, line 5, column 'list[0].b.c': key 'c' appears twice in "
                               "list[0].b")
