"""The examples in the indicator docstrings run and give what they show."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "econsec.indicators.concentration",
    "econsec.indicators.criticality",
    "econsec.indicators.eu_crm",
    "econsec.indicators.geopolrisk",
    "econsec.indicators.import_reliance",
    "econsec.indicators.rca",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name))
    assert result.failed == 0


def test_public_functions_are_documented_and_typed() -> None:
    import inspect

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
