"""Shocks named by region and sector: parsing ``REGION/SECTOR=VALUE`` and scaling percentages.

Shared by ``econsec io`` (text options) and the web API (``{"region", "sector", "value"}``
objects). With a single-region table (``bundled:bea-2023``) the region may be left out, and
BEA industries may be named by code (``331``) or name ("Primary metals"). A value ending in
``%`` is a share of the base the model cuts: final demand (Leontief), value added (Ghosh);
inoperability values are fractions of output and take no ``%``. Unknown names raise
:class:`~econsec.errors.UnknownNameError` with close matches; malformed shocks, and cuts
above 100 %, raise :class:`~econsec.errors.ValidationError`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from econsec.errors import UnknownNameError, ValidationError
from econsec.io_models.mrio import MRIO
from econsec.suggest import close_matches

#: One parsed shock: (region, sector, value, value_is_a_fraction_of_the_base).
ShockEntry = tuple[str, str, float, bool]


def sector_names(ref: str) -> dict[str, str]:
    """Sector code → name for tables that have names (the bundled BEA and ICIO tables)."""
    if ref.startswith("bundled:bea"):
        from econsec.io_models.bea import industry_names

        return industry_names()
    if ref == "bundled:icio-2022":
        from econsec.io_models.icio import industry_names as icio_names

        return icio_names()
    return {}


def resolve_sector(mrio: MRIO, region: str | None, sector: str,
                   names: Mapping[str, str] | None = None, *, option: str = "--extract"
                   ) -> tuple[str, str]:
    """(region, sector) of a region (None or empty in a one-region table) and a sector code
    or name (when ``names``, code → name, is given)."""
    region = (region or "").strip()
    sector = sector.strip()
    if not region:
        if len(mrio.regions) != 1:
            raise ValidationError(f"{option} '{sector}': give the region (regions: "
                                  f"{', '.join(mrio.regions)})")
        region = mrio.regions[0]
    if not sector:
        raise ValidationError(f"{option} '{region}/': region and sector must not be empty")
    mrio.region_index(region)
    if sector in mrio.sectors:
        return region, sector
    names = names or {}
    by_name = {name.casefold(): code for code, name in names.items()}
    if sector.casefold() in by_name:
        return region, by_name[sector.casefold()]
    labels = {code: code for code in mrio.sectors}
    labels.update({name: code for code, name in names.items()})
    suggestions = [f"{c} ({names[c]})" if c in names else c
                   for c in close_matches(sector, labels)]
    raise UnknownNameError(sector, suggestions, kind="sector")


def resolve_target(mrio: MRIO, text: str, names: Mapping[str, str] | None = None,
                   *, option: str = "--extract") -> tuple[str, str]:
    """(region, sector) named by ``REGION/SECTOR`` (or ``SECTOR`` in a one-region table)."""
    text = text.strip()
    if "/" in text:
        region, sector = (part.strip() for part in text.split("/", 1))
        if not region or not sector:
            raise ValidationError(f"{option} '{text}': region and sector must not be empty")
        return resolve_sector(mrio, region, sector, names, option=option)
    if len(mrio.regions) == 1:
        return resolve_sector(mrio, None, text, names, option=option)
    raise ValidationError(f"{option} '{text}': write REGION/SECTOR (regions: "
                          f"{', '.join(mrio.regions)})")


def parse_value(raw: str | float, *, option: str, text: str) -> tuple[float, bool]:
    """A shock value: a number, or a string ``"-10"`` / ``"-10%"`` → (value, is_percent);
    a percentage is returned as a fraction."""
    if isinstance(raw, bool):
        raise ValidationError(f"{option} '{text}': the value must be a number")
    percent = False
    if isinstance(raw, int | float):
        value = float(raw)
    else:
        raw = raw.strip()
        percent = raw.endswith("%")
        try:
            value = float(raw[:-1] if percent else raw)
        except ValueError:
            raise ValidationError(f"{option} '{text}': '{raw}' is not a number") from None
    if not np.isfinite(value):
        raise ValidationError(f"{option} '{text}': the value must be finite")
    return (value / 100 if percent else value), percent


def parse_assignment(mrio: MRIO, text: str, names: Mapping[str, str] | None = None,
                     *, option: str) -> ShockEntry:
    """``REGION/SECTOR=VALUE`` → (region, sector, value, is_percent)."""
    target, sep, raw = text.rpartition("=")
    if not sep or not target.strip() or not raw.strip():
        raise ValidationError(f"{option} '{text}': write REGION/SECTOR=VALUE, e.g. "
                              f"{mrio.regions[0]}/{mrio.sectors[0]}=-100")
    value, percent = parse_value(raw, option=option, text=text)
    region, sector = resolve_target(mrio, target, names, option=option)
    return region, sector, value, percent


def build_shock(mrio: MRIO, entries: Sequence[ShockEntry], base: np.ndarray | None, *,
                option: str, labels: Sequence[str] | None = None
                ) -> list[tuple[str, str, float]]:
    """Absolute shocks ``(region, sector, value)``: a percentage times the sector's
    ``base`` (final demand or value added); ``base=None`` refuses percentages."""
    if not entries:
        raise ValidationError(f"give at least one {option} REGION/SECTOR=VALUE")
    shock = []
    for k, (region, sector, value, percent) in enumerate(entries):
        text = labels[k] if labels else f"{region}/{sector}"
        if percent:
            if base is None:
                raise ValidationError(f"{option} '{text}': give a fraction of output, not %")
            if value < -1:
                raise ValidationError(f"{option} '{text}': a cut above 100 %")
            reference = float(base[mrio.index(region, sector)])
            if reference <= 0:
                raise ValidationError(
                    f"{option} '{text}': a percentage needs a positive base, but "
                    f"{region}/{sector} has {reference:g} (negative final demand where imports "
                    "exceed domestic use); give the change in the table's unit instead"
                )
            value *= reference
        shock.append((region, sector, value))
    return shock
