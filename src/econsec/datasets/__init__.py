"""Loaders for the bundled public data: typed records with their Source.

The package imports no loader until one is asked for (``from econsec.datasets import
load_bundled`` imports the loaders then), so that reading one country name does not load
every data set's reader.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "data_dir": "econsec.datasets._csv",
    "load_bundled": "econsec.datasets.bundled",
    "is_aggregate_label": "econsec.datasets.countries",
    "resolve_country": "econsec.datasets.countries",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'econsec.datasets' has no attribute {name!r}")
