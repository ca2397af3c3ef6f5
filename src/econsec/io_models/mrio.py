"""A multi-regional input-output table as plain numpy arrays.

Sectors are ordered region-major, as pymrio orders them: index ``r * S + s`` is sector
``s`` of region ``r``. Monetary flows are in the table's own unit (``unit``).

- ``Z`` (n × n): inter-industry flows, row = supplying sector, column = using sector;
- ``Y`` (n × R·F): final demand, columns grouped by demanding region then category;
- ``x`` (n): gross output, ``x = Z·1 + Y·1``;
- ``va`` (n): value added, ``va = x − 1ᵀZ`` unless the source gives it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from econsec.errors import UnknownNameError, ValidationError
from econsec.suggest import close_matches


@dataclass(frozen=True, eq=False)
class MRIO:
    """An MRIO system (see the module docstring for shapes and ordering)."""

    name: str
    regions: tuple[str, ...]
    sectors: tuple[str, ...]
    Z: np.ndarray
    Y: np.ndarray
    x: np.ndarray
    va: np.ndarray
    unit: str = ""
    final_demand_categories: tuple[str, ...] = ("final demand",)
    source: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def n(self) -> int:
        """Number of (region, sector) pairs."""
        return len(self.regions) * len(self.sectors)

    @property
    def labels(self) -> list[tuple[str, str]]:
        """(region, sector) of every row, in order."""
        return [(r, s) for r in self.regions for s in self.sectors]

    def region_index(self, region: str) -> int:
        """Position of ``region``; unknown names raise with close matches."""
        if region in self.regions:
            return self.regions.index(region)
        raise UnknownNameError(region, close_matches(region, self.regions), kind="region")

    def sector_index(self, sector: str) -> int:
        """Position of ``sector``; unknown names raise with close matches."""
        if sector in self.sectors:
            return self.sectors.index(sector)
        raise UnknownNameError(sector, close_matches(sector, self.sectors), kind="sector")

    def index(self, region: str, sector: str) -> int:
        """Row of (``region``, ``sector``) in ``Z``, ``x`` and ``Y``."""
        return self.region_index(region) * len(self.sectors) + self.sector_index(sector)

    def final_demand_by_region(self) -> np.ndarray:
        """``Y`` summed over categories: n × R."""
        f = len(self.final_demand_categories)
        by_region: np.ndarray = self.Y.reshape(self.n, len(self.regions), f).sum(axis=2)
        return by_region

    def validate(self, *, rtol: float = 1e-6) -> MRIO:
        """Check shapes, signs and balance ``x = Z·1 + Y·1``; return ``self``.

        Raises :class:`ValidationError` naming the first offending (region, sector).
        """
        n = self.n
        if self.Z.shape != (n, n):
            raise ValidationError(f"{self.name}: Z has shape {self.Z.shape}, expected {(n, n)}")
        if self.Y.shape[0] != n or self.x.shape != (n,) or self.va.shape != (n,):
            raise ValidationError(f"{self.name}: Y, x or va do not have {n} rows")
        for what, arr in (("Z", self.Z), ("Y", self.Y), ("x", self.x)):
            if not np.all(np.isfinite(arr)):
                raise ValidationError(f"{self.name}: {what} holds NaN or infinite values")
        if np.any(self.Z < 0):
            i, j = map(int, np.argwhere(self.Z < 0)[0])
            raise ValidationError(
                f"{self.name}: negative intermediate flow Z from {self.labels[i]} to "
                f"{self.labels[j]} ({self.Z[i, j]:g})"
            )
        if np.any(self.x < 0):
            i = int(np.argmax(self.x < 0))
            raise ValidationError(f"{self.name}: negative gross output of {self.labels[i]}")
        total = self.Z.sum(axis=1) + self.Y.sum(axis=1)
        gap = np.abs(total - self.x) > rtol * np.maximum(np.abs(self.x), 1.0)
        if np.any(gap):
            i = int(np.argmax(gap))
            raise ValidationError(
                f"{self.name}: table is not balanced at {self.labels[i]}: output {self.x[i]:g} "
                f"but intermediate plus final use {total[i]:g}"
            )
        return self


def from_arrays(
    name: str,
    regions: Sequence[str],
    sectors: Sequence[str],
    Z: np.ndarray,
    Y: np.ndarray,
    *,
    va: np.ndarray | None = None,
    unit: str = "",
    final_demand_categories: Sequence[str] = ("final demand",),
    source: str = "",
) -> MRIO:
    """An :class:`MRIO` with ``x = Z·1 + Y·1`` and ``va = x − 1ᵀZ`` unless given."""
    Z = np.asarray(Z, dtype=float)
    Y = np.asarray(Y, dtype=float)
    if Y.ndim == 1:
        Y = Y[:, None]
    x = Z.sum(axis=1) + Y.sum(axis=1)
    va_arr = x - Z.sum(axis=0) if va is None else np.asarray(va, dtype=float)
    return MRIO(name, tuple(regions), tuple(sectors), Z, Y, x, va_arr, unit,
                tuple(final_demand_categories), source)
