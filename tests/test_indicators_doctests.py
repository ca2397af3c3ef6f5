"""The examples in the indicator docstrings run and give what they show.

The modules are found by walking the ``econsec.indicators`` package, so a new indicator
module's examples run without being listed here.
"""

from __future__ import annotations

import doctest
import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest

import econsec.indicators as indicators

MODULES = sorted(
    info.name for info in pkgutil.walk_packages(indicators.__path__, f"{indicators.__name__}.")
)


def test_every_indicator_module_is_found() -> None:
    files = {p.stem for p in Path(indicators.__file__).parent.glob("*.py")} - {"__init__"}
    assert {name.rsplit(".", 1)[1] for name in MODULES} == files


@pytest.mark.parametrize("name", [indicators.__name__, *MODULES])
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name))
    assert result.failed == 0


def test_public_functions_are_documented_and_typed() -> None:
    for name in MODULES:
        module = importlib.import_module(name)
        for attr, obj in vars(module).items():
            if attr.startswith("_") or not inspect.isfunction(obj):
                continue
            if obj.__module__ != name:
                continue
            doc = inspect.getdoc(obj) or ""
            assert doc, f"{name}.{attr} has no docstring"
            assert obj.__annotations__.get("return") is not None, f"{name}.{attr} untyped"
