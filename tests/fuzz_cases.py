"""Helper, no tests: run schemathesis' generated cases of OpenAPI operations against a live
server and collect every operation that fails (not only the first)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error


def server_error_failures(operations: Iterable[Any], base_url: str,
                          examples: Callable[[Any], int], **call: Any) -> list[str]:
    """Positive and negative examples (``examples(operation)`` of each) of every operation,
    sent to ``base_url`` with ``call`` (headers, session, …); the failures of the check
    ``not_a_server_error`` (no 5xx), one text per failing operation and mode."""
    failures: list[str] = []
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=examples(operation), deadline=None, derandomize=True,
                      database=None, suppress_health_check=list(HealthCheck))
            def run(case: Any) -> None:
                case.call_and_validate(base_url=base_url, checks=[not_a_server_error],
                                       timeout=30, **call)

            try:
                run()
            except Unsatisfiable:  # no invalid input exists (an operation without parameters)
                continue
            except Exception as exc:  # report every failing operation, not only the first
                failures.append(f"{operation.label} ({mode.value}): {exc}")
    return failures
