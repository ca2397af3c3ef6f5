"""JSON-ready copies of result documents: the one rule for every presenter.

JSON has no NaN or infinity: they become ``null``; tuples become lists and mapping keys
strings; a result model (pydantic, :mod:`econsec.analyses.models`) becomes its JSON dump.
The CLI's ``--format json``, the report and the web API all use :func:`jsonable`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any


def jsonable(value: Any) -> Any:
    """A copy of ``value`` that :func:`json.dumps` accepts and that reads back the same."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    dump = getattr(value, "model_dump", None)
    if dump is not None and not isinstance(value, type):  # a pydantic model
        return jsonable(dump(mode="json"))
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value
