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
