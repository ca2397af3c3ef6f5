"""Market shares and concentration: shares, the Herfindahl-Hirschman index (HHI) and
the governance-weighted HHI of the EU critical raw materials method.

All functions are pure: plain mappings in, frozen dataclasses or floats out.

References
----------
- Herfindahl-Hirschman index: Hirschman, A. O. (1964), "The paternity of an index",
  *American Economic Review* 54(5), 761; HHI on a 0-1 scale (shares as fractions).
- Governance-weighted HHI: European Commission (2017), *Methodology for establishing
  the EU list of critical raw materials: guidelines*, Publications Office of the EU,
  doi:10.2873/769526, section on supply risk; as used for the 2020 and 2023 lists.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from econsec.indicators.common import (
    MethodInfo,
    check_non_negative,
    check_number,
    check_positive,
    check_share,
    check_share_sum,
    invalid,
    sum_scale,
    unscale,
)

SHARES_METHOD = MethodInfo(
    name="market shares and HHI",
    version="1",
    reference="share_c = v_c / D; HHI = Σ_c share_c² (0-1); Hirschman (1964)",
)

Basis = Literal["world-total", "reported"]

#: The reported values may add up to at most this much more than a published world total:
#: USGS rounds world totals to about two significant figures (e.g. 1,045 reported against a
#: total of 1,000 for magnesium metal in MCS 2025), so a few per cent are rounding, not error.
WORLD_TOTAL_TOLERANCE = 0.05


@dataclass(frozen=True)
class SharesResult:
    """Shares of a total, sorted largest first, with their HHI.

    Attributes
    ----------
    basis : {"world-total", "reported"}
        ``"world-total"``: the denominator is the published world total; ``"reported"``:
        the denominator is the sum of the reported (non-missing) values.
    denominator : float
        The number the values were divided by.
    shares : tuple of (key, share)
        Shares as fractions, largest first (ties by key).
    hhi : float
        Σ share² over the listed shares, 0-1. With the world-total basis the
        unreported remainder is *not* counted as one supplier (it is treated as
        spread over many small ones, contributing ~0), so ``hhi`` is a lower bound;
        ``hhi + unreported_share²`` is the upper bound.
    reported_total : float
        Sum of the reported values.
    unreported_share : float
        ``1 − Σ shares`` on the world-total basis (never below 0); 0 on the reported basis.
    missing : tuple of str
        Keys whose value was ``None`` (left out).
    method : MethodInfo
    """

    basis: Basis
    denominator: float
    shares: tuple[tuple[str, float], ...]
    hhi: float
    reported_total: float
    unreported_share: float
    missing: tuple[str, ...]
    method: MethodInfo = SHARES_METHOD

    def share(self, key: str) -> float:
        """Share of ``key``; 0.0 when it is not listed."""
        return dict(self.shares).get(key, 0.0)

    def as_mapping(self) -> dict[str, float]:
        """Shares as a ``{key: share}`` dictionary (largest first)."""
        return dict(self.shares)

    def rank(self, key: str) -> int | None:
        """1-based rank of ``key`` (ties share the better rank); ``None`` when its share is 0."""
        mine = self.share(key)
        if mine <= 0:
            return None
        return 1 + sum(1 for _, s in self.shares if s > mine)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready dictionary with stable snake_case keys."""
        return {
            "basis": self.basis,
            "denominator": self.denominator,
            "shares": dict(self.shares),
            "hhi": self.hhi,
            "reported_total": self.reported_total,
            "unreported_share": self.unreported_share,
            "missing": list(self.missing),
            "method": self.method.to_dict(),
        }


def market_shares(
    values: Mapping[str, float | None], *, total: float | None = None
) -> SharesResult:
    r"""Shares of each key in a total, and their HHI.

    .. math::

        s_c = \frac{v_c}{D}, \qquad \mathrm{HHI} = \sum_c s_c^2

    where the denominator :math:`D` is the published world total ``total`` when
    given (basis ``"world-total"``), otherwise the sum of the reported values
    (basis ``"reported"``, shares then add up to 1).

    Parameters
    ----------
    values : mapping of str to float or None
        Value per key (e.g. production per country). ``None`` means "not reported"
        (USGS "W", withheld) and is left out and listed in ``missing``.
    total : float, optional
        Published world total. Must be positive and not smaller than the sum of the
        reported values (up to 5 % more is accepted, :data:`WORLD_TOTAL_TOLERANCE`:
        published totals are rounded; the reported sum is then the denominator, so the
        shares add up to 1 and never to more).

    Returns
    -------
    SharesResult
        With the world-total basis the unreported remainder ``1 − Σ s_c`` is *not*
        counted as one supplier in the HHI; see :class:`SharesResult`.

    Raises
    ------
    ValidationError
        A value is negative or NaN; ``total`` is not positive or below the reported
        sum; nothing is reported on the reported basis.

    Examples
    --------
    >>> r = market_shares({"CHN": 60.0, "USA": 30.0, "AUS": 10.0})
    >>> r.shares
    (('CHN', 0.6), ('USA', 0.3), ('AUS', 0.1))
    >>> round(r.hhi, 4)
    0.46
    """
    reported: dict[str, float] = {}
    missing: list[str] = []
    for key, value in values.items():
        if value is None:
            missing.append(key)
            continue
        reported[key] = check_non_negative(value, f"values[{key}]")
    # Values near the float maximum (1.7e308 twice) are divided by the largest one before
    # they are added up, so that they give their shares instead of an overflow.
    scale = sum_scale(reported.values())
    scaled = {key: value / scale for key, value in reported.items()}
    scaled_total = math.fsum(scaled.values())
    reported_total = unscale(scaled_total, scale)

    basis: Basis
    if total is None:
        basis = "reported"
        if scaled_total <= 0:
            raise invalid("values", "no positive value is reported; shares are undefined")
        scaled_denominator = scaled_total
    else:
        basis = "world-total"
        scaled_denominator = check_positive(total, "total") / scale
        if scaled_total > scaled_denominator * (1.0 + WORLD_TOTAL_TOLERANCE):
            raise invalid(
                "total",
                f"world total {total:g} is smaller than the sum of the reported "
                f"values {reported_total:g} (more than {WORLD_TOTAL_TOLERANCE:.0%} apart)",
            )
        # A rounded world total a little below the reported sum would give shares over
        # 100 %: the reported sum is the denominator then.
        scaled_denominator = max(scaled_denominator, scaled_total)
    denominator = unscale(scaled_denominator, scale)

    shares = sorted(
        ((key, value / scaled_denominator) for key, value in scaled.items()),
        key=lambda kv: (-kv[1], kv[0]),
    )
    share_sum = math.fsum(s for _, s in shares)
    hhi_value = math.fsum(s * s for _, s in shares)
    unreported = max(0.0, 1.0 - share_sum) if basis == "world-total" else 0.0
    return SharesResult(
        basis=basis,
        denominator=denominator,
        shares=tuple(shares),
        hhi=hhi_value,
        reported_total=reported_total,
        unreported_share=unreported,
        missing=tuple(missing),
    )


def _share_items(
    shares: Mapping[str, float] | Sequence[float], field: str
) -> list[tuple[str, float]]:
    items = (
        list(shares.items())
        if isinstance(shares, Mapping)
        else [(str(i), s) for i, s in enumerate(shares)]
    )
    checked = [(key, check_share(value, f"{field}[{key}]")) for key, value in items]
    check_share_sum((s for _, s in checked), field)
    return checked


def hhi(shares: Mapping[str, float] | Sequence[float]) -> float:
    r"""Herfindahl-Hirschman index of shares given as fractions.

    .. math::

        \mathrm{HHI} = \sum_c s_c^2 \in [0, 1]

    Parameters
    ----------
    shares : mapping of str to float, or sequence of float
        Shares as fractions in [0, 1]; they may add up to at most 1.02 (published
        shares are rounded). Shares that add up to less than 1 leave the remainder
        uncounted (not treated as one supplier).

    Returns
    -------
    float
        The HHI on the 0-1 scale (multiply by 10,000 for the antitrust "points" scale).

    Raises
    ------
    ValidationError
        A share is negative, above 1, NaN, or the shares add up to more than 1.02.

    References
    ----------
    Hirschman, A. O. (1964), *American Economic Review* 54(5), 761.

    Examples
    --------
    >>> hhi([0.5, 0.5])
    0.5
    """
    return math.fsum(s * s for _, s in _share_items(shares, "shares"))


@dataclass(frozen=True)
class GovernanceHHITerm:
    """One country's term of the governance-weighted HHI: ``share² · wgi · t``."""

    country: str
    share: float
    wgi_scaled: float
    t: float
    contribution: float


def governance_weighted_hhi_terms(
    shares: Mapping[str, float],
    wgi_scaled: Mapping[str, float],
    t: Mapping[str, float] | None = None,
    *,
    field: str = "shares",
) -> tuple[GovernanceHHITerm, ...]:
    r"""Per-country terms :math:`S_c^2 \cdot \mathrm{WGI}_c \cdot t_c` of the weighted HHI.

    Parameters and errors as :func:`governance_weighted_hhi`; ``field`` names the
    shares in error messages. Terms come in the order of ``shares``.
    """
    checked = _share_items(shares, field)
    t = t or {}
    terms = []
    for country, share in checked:
        if country not in wgi_scaled:
            raise invalid(
                f"{field}[{country}]",
                f"no scaled WGI value for country '{country}'; add it to the WGI table",
            )
        wgi = check_number(wgi_scaled[country], f"wgi_scaled[{country}]")
        if not 0.0 <= wgi <= 10.0:
            raise invalid(f"wgi_scaled[{country}]", f"scaled WGI must be in 0-10, got {wgi:g}")
        factor = check_non_negative(t.get(country, 1.0), f"t[{country}]")
        terms.append(GovernanceHHITerm(country, share, wgi, factor, share * share * wgi * factor))
    return tuple(terms)


def governance_weighted_hhi(
    shares: Mapping[str, float],
    wgi_scaled: Mapping[str, float],
    t: Mapping[str, float] | None = None,
) -> float:
    r"""Governance-weighted HHI of the EU critical raw materials method.

    .. math::

        \mathrm{HHI}_{\mathrm{WGI},t} = \sum_c S_c^2 \cdot \mathrm{WGI}_c \cdot t_c

    Parameters
    ----------
    shares : mapping of str to float
        Supply share :math:`S_c` per country, as fractions (sum ≤ 1.02).
    wgi_scaled : mapping of str to float
        Scaled WGI per country on 0-10 (10 = worst governance), see
        :func:`econsec.indicators.eu_crm.wgi_scaled`. Every country in ``shares``
        must be present.
    t : mapping of str to float, optional
        Trade-related factor :math:`t_c` (0.8 for EU members, 1.0 by default, above
        1 under export restrictions); missing countries get 1.0.

    Returns
    -------
    float
        A number between 0 and 10 (times the largest ``t``).

    Raises
    ------
    ValidationError
        A country has no WGI value (the message names it), or a share / WGI / t is
        out of range.

    References
    ----------
    European Commission (2017), *Methodology for establishing the EU list of critical
    raw materials: guidelines*, doi:10.2873/769526.

    Examples
    --------
    >>> round(governance_weighted_hhi({"CHN": 0.8, "AUS": 0.2}, {"CHN": 6.0, "AUS": 1.0}), 6)
    3.88
    """
    terms = governance_weighted_hhi_terms(shares, wgi_scaled, t)
    return math.fsum(term.contribution for term in terms)
