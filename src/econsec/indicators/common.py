"""Shared pieces of the indicator functions: method stamps and input checks.

Every indicator result carries a :class:`MethodInfo` saying which method (name,
version, reference) made the number. The checks raise
:class:`econsec.errors.ValidationError` whose location names the offending field,
so a message reads ``column 'shares[CHN]': share is negative (-0.1)``.

Published shares are rounded (the EU CRM tables print ``93.8%`` and ``<0.1%``), so
a set of shares may add up to slightly more than 1. :data:`SHARE_SUM_TOLERANCE`
allows sums up to ``1.02``; a single share may exceed 1 only by
:data:`SHARE_TOLERANCE` (floating-point rounding).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from dataclasses import dataclass

from econsec.errors import Location, ValidationError

#: A set of shares may sum to at most ``1 + SHARE_SUM_TOLERANCE`` (published shares are rounded).
SHARE_SUM_TOLERANCE = 0.02
#: A single share may exceed 1 by at most this much (floating-point rounding).
SHARE_TOLERANCE = 1e-6


@dataclass(frozen=True)
class MethodInfo:
    """Which method made a number: its name, version and bibliographic reference."""

    name: str
    version: str
    reference: str

    def __str__(self) -> str:
        return f"{self.name} ({self.version}); {self.reference}"

    def to_dict(self) -> dict[str, str]:
        """JSON-ready dictionary with stable snake_case keys."""
        return {"name": self.name, "version": self.version, "reference": self.reference}


def invalid(field: str, message: str) -> ValidationError:
    """Build a :class:`ValidationError` located at ``field``."""
    return ValidationError(message, location=Location(column=field))


def check_number(value: object, field: str) -> float:
    """Return ``value`` as a finite float; NaN, infinity and non-numbers are errors."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise invalid(field, f"must be a number, got {value!r}")
    number = float(value)
    if math.isnan(number):
        raise invalid(field, "is missing (NaN); give a number")
    if math.isinf(number):
        raise invalid(field, f"must be finite, got {number}")
    return number


def check_non_negative(value: object, field: str) -> float:
    """Return ``value`` as a finite float ≥ 0."""
    number = check_number(value, field)
    if number < 0:
        raise invalid(field, f"must not be negative, got {number:g}")
    return number


def check_positive(value: object, field: str) -> float:
    """Return ``value`` as a finite float > 0."""
    number = check_number(value, field)
    if number <= 0:
        raise invalid(field, f"must be positive, got {number:g}")
    return number


def check_fraction(value: object, field: str, *, what: str = "value") -> float:
    """Return ``value`` as a float in [0, 1] (a fraction, not a percentage)."""
    number = check_number(value, field)
    if number < 0:
        raise invalid(field, f"{what} must not be negative, got {number:g}")
    if number > 1.0 + SHARE_TOLERANCE:
        hint = " (give fractions, e.g. 0.25 for 25 %)" if number <= 100 else ""
        raise invalid(field, f"{what} must be at most 1, got {number:g}{hint}")
    return min(number, 1.0)


def check_share(value: object, field: str) -> float:
    """Return a share as a float in [0, 1]."""
    return check_fraction(value, field, what="share")


def check_share_sum(shares: Iterable[float], field: str) -> float:
    """Return the sum of ``shares``; more than ``1 + SHARE_SUM_TOLERANCE`` is an error."""
    total = math.fsum(shares)
    if total > 1.0 + SHARE_SUM_TOLERANCE:
        raise invalid(
            field,
            f"shares add up to {total:.4g}, more than 1 (up to {1 + SHARE_SUM_TOLERANCE:g} "
            "is accepted because published shares are rounded)",
        )
    return total


#: Values up to this size are added up as they are: a sum of up to 10⁸ of them stays finite.
SAFE_MAGNITUDE = 1e300


def sum_scale(values: Iterable[float]) -> float:
    """1, or the largest ``|v|`` when some value is so large that a sum could overflow."""
    largest = max((abs(v) for v in values), default=0.0)
    return largest if largest > SAFE_MAGNITUDE else 1.0


def unscale(scaled_value: float, scale: float) -> float:
    """``scaled_value · scale``: infinity where the product exceeds the float range (shares,
    computed from the scaled values, stay exact; JSON shows an infinite total as null)."""
    return scaled_value * scale


def safe_sum(values: Iterable[float]) -> float:
    """``math.fsum`` that gives infinity instead of raising ``OverflowError`` when finite
    values add up beyond the float range.

    >>> safe_sum([1.7e308, 1.7e308])
    inf
    """
    values = list(values)
    scale = sum_scale(values)
    return unscale(math.fsum(v / scale for v in values), scale)
