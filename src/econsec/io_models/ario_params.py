"""Parameters of the ARIO simulator; the defaults are BoARIO 0.7.2's ``ARIOPsiModel``.

Every field maps to a BoARIO constructor argument (named in the field's comment). One
BoARIO step is one day (``temporal_units_by_step = 1``, the only value BoARIO says works).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class ARIOParams:
    """ARIO parameters (Hallegatte 2008; Guan et al. 2020; BoARIO's ``ARIOPsiModel``).

    - ``order_type``: ``"alt"`` (orders to a supplier weighted by its current production
      capacity, BoARIO's default) or ``"noalt"`` (fixed pre-shock shares);
    - ``alpha_base``, ``alpha_max``, ``alpha_tau``: overproduction α starts at 1, rises
      towards ``alpha_max`` with characteristic time ``alpha_tau`` days while demand exceeds
      production, and falls back when it does not (BoARIO ``alpha_base/alpha_max/alpha_tau``);
    - ``main_inv_dur``: inventory target in days of use for every input
      (``main_inv_dur``); ``inventory_days`` overrides it per input sector and
      ``infinite_inventories_sect`` makes inputs never constraining (BoARIO: none by
      default); durations ≤ 1 day are set to 2, as BoARIO does;
    - ``psi``: production is constrained only when an inventory falls below ``psi`` times its
      target (``psi_param``);
    - ``inventory_restoration_tau``: days to close an inventory gap (``inventory_restoration_tau``);
    - ``capital_to_va_ratio``: productive capital = ratio × value added, value added being
      ``x − 1ᵀZ`` clipped at 0, as BoARIO computes it (``productive_capital_to_VA_dict``
      absent → 4); ``productive_capital`` gives the vector directly, in the MRIO's unit;
    - ``monetary_factor``: BoARIO's model monetary factor (10⁶). It only sets how BoARIO
      rounds recovering capital losses: ``int(log10(monetary_factor)) + 1`` decimals;
    - ``iotable_year_to_temporal_unit_factor``: the table is yearly; daily flows are table
      flows / 365;
    - ``arbitrary_event_lag``: BoARIO applies a ``CapacityLoss`` ("arbitrary" event) one day
      late (see docs/ario.md); 1 reproduces BoARIO, 0 applies it on its start day;
    - ``rebuild_tau``: kept for parity with BoARIO; econsec has no rebuilding events.
    """

    order_type: str = "alt"
    alpha_base: float = 1.0
    alpha_max: float = 1.25
    alpha_tau: float = 365.0
    rebuild_tau: float = 60.0
    main_inv_dur: float = 90.0
    inventory_days: Mapping[str, float] | None = None
    infinite_inventories_sect: tuple[str, ...] = ()
    psi: float = 0.8
    inventory_restoration_tau: float = 60.0
    capital_to_va_ratio: float = 4.0
    productive_capital: np.ndarray | None = None
    monetary_factor: int = 10**6
    iotable_year_to_temporal_unit_factor: float = 365.0
    arbitrary_event_lag: int = 1

    @property
    def capital_rounding_decimals(self) -> int:
        """Decimals BoARIO rounds recovering capital losses to (event monetary factor equal
        to the model's): ``int(log10(monetary_factor)) + 1``."""
        return int(np.log10(self.monetary_factor)) + 1

    def to_dict(self) -> dict[str, object]:
        """Plain, JSON-friendly view of the parameters."""
        out: dict[str, object] = {}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if isinstance(value, np.ndarray):
                value = value.tolist()
            elif isinstance(value, Mapping):
                value = dict(value)
            elif isinstance(value, tuple):
                value = list(value)
            out[name] = value
        return out
