"""Criticality views: the SR × EI matrix, the dependence profile of an item for a home
country, and econsec's three lenses (external dependence, domestic advantage,
disruptive innovation).

Everything here is pure and every flag carries its reason (the metric, its value
and the threshold it crossed) so a report can show *why* an item is flagged.

References
----------
- SR × EI matrix: European Commission (2017), *Methodology for establishing the EU
  list of critical raw materials: guidelines*, doi:10.2873/769526 (thresholds 1.0 and 2.8).
- HHI thresholds: U.S. Department of Justice & FTC (2010), *Horizontal Merger
  Guidelines* §5.3 ("highly concentrated" above 2,500 points = 0.25).
- Net import reliance: USGS *Mineral Commodity Summaries*.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from econsec.indicators.common import (
    MethodInfo,
    check_fraction,
    check_number,
    invalid,
)
from econsec.indicators.concentration import (
    governance_weighted_hhi,
    market_shares,
)
from econsec.indicators.eu_crm import EI_THRESHOLD, SR_THRESHOLD

MATRIX_METHOD = MethodInfo(
    name="criticality matrix (supply risk × economic importance)",
    version="EC 2017 thresholds",
    reference="European Commission (2017), doi:10.2873/769526",
)
LENS_METHOD = MethodInfo(
    name="econsec three lenses",
    version="1",
    reference="econsec methods: external dependence, domestic advantage, disruptive innovation",
)
PROFILE_METHOD = MethodInfo(
    name="dependence profile",
    version="1",
    reference="econsec methods, dependence (world shares, HHI, governance-weighted HHI, EC 2017)",
)


class Quadrant(StrEnum):
    """Quadrant of the SR × EI matrix."""

    CRITICAL = "critical"
    HIGH_SUPPLY_RISK = "high supply risk"
    HIGH_ECONOMIC_IMPORTANCE = "high economic importance"
    LOW = "low"


@dataclass(frozen=True)
class MatrixPoint:
    """One item placed in the SR × EI matrix."""

    item: str
    sr: float
    ei: float
    quadrant: Quadrant


@dataclass(frozen=True)
class CriticalityMatrix:
    """Items placed in the SR × EI matrix with the thresholds used."""

    points: tuple[MatrixPoint, ...]
    sr_threshold: float
    ei_threshold: float
    method: MethodInfo = MATRIX_METHOD

    def by_quadrant(self) -> dict[Quadrant, tuple[str, ...]]:
        """Items per quadrant (every quadrant present, input order kept)."""
        return {q: tuple(p.item for p in self.points if p.quadrant is q) for q in Quadrant}

    def quadrant(self, item: str) -> Quadrant:
        """Quadrant of ``item``; ``KeyError`` if it is not in the matrix."""
        for p in self.points:
            if p.item == item:
                return p.quadrant
        raise KeyError(item)


def criticality_matrix(
    points: Sequence[tuple[str, float, float]],
    sr_threshold: float = SR_THRESHOLD,
    ei_threshold: float = EI_THRESHOLD,
) -> CriticalityMatrix:
    r"""Place items in the supply risk × economic importance matrix.

    .. math::

        \text{quadrant} = \begin{cases}
            \text{critical} & SR \ge SR^* \wedge EI \ge EI^* \\
            \text{high supply risk} & SR \ge SR^* \wedge EI < EI^* \\
            \text{high economic importance} & SR < SR^* \wedge EI \ge EI^* \\
            \text{low} & \text{otherwise}
        \end{cases}

    Parameters
    ----------
    points : sequence of (item, sr, ei)
    sr_threshold, ei_threshold : float
        :math:`SR^*` and :math:`EI^*` (defaults 1.0 and 2.8, EC 2017).

    Returns
    -------
    CriticalityMatrix

    Raises
    ------
    ValidationError
        NaN values or an item listed twice.

    Examples
    --------
    >>> m = criticality_matrix([("Ga", 1.5, 3.0), ("Cu", 0.3, 5.0)])
    >>> [p.quadrant.value for p in m.points]
    ['critical', 'high economic importance']
    """
    sr_t = check_number(sr_threshold, "sr_threshold")
    ei_t = check_number(ei_threshold, "ei_threshold")
    seen: set[str] = set()
    placed = []
    for i, (item, sr, ei) in enumerate(points):
        if item in seen:
            raise invalid(f"points[{i}]", f"item '{item}' is listed twice")
        seen.add(item)
        s = check_number(sr, f"points[{i}].sr")
        e = check_number(ei, f"points[{i}].ei")
        if s >= sr_t and e >= ei_t:
            q = Quadrant.CRITICAL
        elif s >= sr_t:
            q = Quadrant.HIGH_SUPPLY_RISK
        elif e >= ei_t:
            q = Quadrant.HIGH_ECONOMIC_IMPORTANCE
        else:
            q = Quadrant.LOW
        placed.append(MatrixPoint(item, s, e, q))
    return CriticalityMatrix(tuple(placed), sr_t, ei_t)


# --------------------------------------------------------------------------- dependence profile


@dataclass(frozen=True)
class DependenceProfile:
    """Where an item's world supply sits, seen from a home country.

    *Indispensability* (the home country's weight for others): ``home_share``,
    ``home_rank`` and ``supply_lost_without_home`` (the share of world supply that
    would go if the home country stopped supplying), ``hhi_without_home``.
    *Autonomy / dependence* (the mirror view): ``outside_share`` (world supply held
    neither by the home country nor its partners), the top supplier outside that
    group, the HHI and the governance-weighted HHI.

    Attributes
    ----------
    item : str
    home : str
    basis : str
        ``"world-total"`` or ``"reported"`` (see
        :func:`~econsec.indicators.concentration.market_shares`).
    home_share : float
    home_rank : int or None
        1 = largest producer; ``None`` when the home country produces nothing.
    top_supplier : str
    top_share : float
    hhi : float
        HHI of world supply (0-1).
    partner_share : float
        World share of the partners (excluding home).
    outside_share : float
        ``1 − home_share − partner_share`` (with the world-total basis this includes
        the unreported remainder).
    top_outside_supplier : str or None
    top_outside_share : float
    governance_weighted_hhi : float or None
        Σ S² · WGI_scaled (t = 1) when a WGI mapping was given.
    hhi_without_home : float or None
        HHI of the remaining suppliers, renormalised, if the home country were
        removed; ``None`` when nothing remains.
    supply_lost_without_home : float
        Equal to ``home_share``.
    net_import_reliance : float or None
        As given (e.g. from :func:`~econsec.indicators.import_reliance.net_import_reliance`).
    method : MethodInfo
    """

    item: str
    home: str
    basis: str
    home_share: float
    home_rank: int | None
    top_supplier: str
    top_share: float
    hhi: float
    partner_share: float
    outside_share: float
    top_outside_supplier: str | None
    top_outside_share: float
    governance_weighted_hhi: float | None
    hhi_without_home: float | None
    supply_lost_without_home: float
    net_import_reliance: float | None
    method: MethodInfo = PROFILE_METHOD

    def to_dict(self) -> dict[str, object]:
        """JSON-ready dictionary with stable snake_case keys."""
        out = {k: getattr(self, k) for k in self.__dataclass_fields__ if k != "method"}
        out["method"] = self.method.to_dict()
        return out


def dependence_profile(
    production: Mapping[str, float | None],
    home: str,
    partners: Collection[str] = (),
    wgi_scaled: Mapping[str, float] | None = None,
    *,
    total: float | None = None,
    net_import_reliance: float | None = None,
    item: str = "",
) -> DependenceProfile:
    r"""Dependence profile of an item for a home country.

    With shares :math:`s_c = v_c / D` (see
    :func:`~econsec.indicators.concentration.market_shares`), home :math:`h` and
    partner set :math:`G` (home excluded):

    .. math::

        \text{partner share} = \sum_{c \in G} s_c, \qquad
        \text{outside share} = 1 - s_h - \sum_{c \in G} s_c,

        \mathrm{HHI} = \sum_c s_c^2, \qquad
        \mathrm{HHI}_{WGI} = \sum_c s_c^2 \cdot \mathrm{WGI}_c, \qquad
        \mathrm{HHI}_{-h} = \sum_{c \ne h} \left(\frac{v_c}{\sum_{k \ne h} v_k}\right)^2

    Parameters
    ----------
    production : mapping of str to float or None
        Production (or exports, capacity) per country; ``None`` = not reported.
    home : str
        The home country's code.
    partners : collection of str
        The home country's partner group (the home country itself is ignored here).
    wgi_scaled : mapping of str to float, optional
        Scaled WGI (0-10) per country for the governance-weighted HHI; every
        reporting country must be present.
    total : float, optional
        Published world total (world-total basis); otherwise shares of the reported sum.
    net_import_reliance : float, optional
        The home country's net import reliance (fraction), carried into the result.
    item : str, optional
        Label carried into the result.

    Returns
    -------
    DependenceProfile

    Raises
    ------
    ValidationError
        As :func:`~econsec.indicators.concentration.market_shares`, or a reporting
        country without WGI.

    Examples
    --------
    >>> p = dependence_profile({"CHN": 70.0, "JPN": 20.0, "AUS": 10.0}, "JPN", {"AUS"})
    >>> p.home_share, p.home_rank, p.top_supplier, round(p.outside_share, 6)
    (0.2, 2, 'CHN', 0.7)
    """
    shares = market_shares(production, total=total)
    share_map = shares.as_mapping()
    group = set(partners) - {home}
    home_share = share_map.get(home, 0.0)
    partner_share = math.fsum(s for c, s in share_map.items() if c in group)
    outside_share = max(0.0, 1.0 - home_share - partner_share)
    top_supplier, top_share = shares.shares[0] if shares.shares else ("", 0.0)
    outside = [(c, s) for c, s in shares.shares if c != home and c not in group]
    top_outside, top_outside_share = outside[0] if outside else (None, 0.0)

    gw_hhi = None
    if wgi_scaled is not None:
        gw_hhi = governance_weighted_hhi({c: s for c, s in shares.shares if s > 0}, wgi_scaled)

    rest = {c: v for c, v in production.items() if c != home and v is not None}
    hhi_without = market_shares(rest).hhi if any(v > 0 for v in rest.values()) else None
    nir = None
    if net_import_reliance is not None:
        nir = check_number(net_import_reliance, "net_import_reliance")
    return DependenceProfile(
        item=item,
        home=home,
        basis=shares.basis,
        home_share=home_share,
        home_rank=shares.rank(home),
        top_supplier=top_supplier,
        top_share=top_share,
        hhi=shares.hhi,
        partner_share=partner_share,
        outside_share=outside_share,
        top_outside_supplier=top_outside,
        top_outside_share=top_outside_share,
        governance_weighted_hhi=gw_hhi,
        hhi_without_home=hhi_without,
        supply_lost_without_home=home_share,
        net_import_reliance=nir,
    )


# --------------------------------------------------------------------------- three lenses


class Lens(StrEnum):
    """econsec's three lenses (docs/methods.md)."""

    EXTERNAL_DEPENDENCE = "external dependence"
    DOMESTIC_ADVANTAGE = "domestic advantage"
    DISRUPTIVE_INNOVATION = "disruptive innovation"


@dataclass(frozen=True)
class Thresholds:
    """Configurable thresholds of the three lenses (all shares as fractions).

    Attributes
    ----------
    outside_share : float, default 0.5
        External dependence: share of world supply outside home + partners at or
        above this ...
    hhi : float, default 0.25
        ... *and* world-supply HHI at or above this (0.25 = 2,500 points, "highly
        concentrated" in the 2010 US Horizontal Merger Guidelines).
    net_import_reliance : float, default 0.5
        External dependence also when the home country's net import reliance is
        known and at or above this (USGS reports NIR; above 50 % means most of
        consumption is imported).
    advantage_share : float, default 0.25
        Domestic advantage: home world share at or above this ...
    advantage_rank : int, default 3
        ... or home rank at or above (≤) this (a top-3 producer) with at least
        ``advantage_rank_min_share`` of world supply ...
    advantage_rank_min_share : float, default 0.05
        ... so that third place with 0.4 % of a market one country holds at 98 % (Japan in
        gallium, USGS MCS 2025) is not called an advantage.
    innovation_domains : frozenset of str
        Disruptive innovation: the item carries one of these domain tags
        (default: computing, biotech, defence-space; the domain tags of ``items.csv``).
    share_growth : float, default 0.05
        Disruptive innovation also when the home world share rose by at least this
        many share points (0.05 = 5 points) between the first and the last year available.
    net_exporter_rank : int, default 3
        Not external dependence: a home country that is a net exporter of the item (bilateral
        trade) and producer no. ``net_exporter_rank`` or better is not flagged, whatever
        the world-supply concentration.
    """

    outside_share: float = 0.5
    hhi: float = 0.25
    net_import_reliance: float = 0.5
    advantage_share: float = 0.25
    advantage_rank: int = 3
    advantage_rank_min_share: float = 0.05
    innovation_domains: frozenset[str] = frozenset({"computing", "biotech", "defence-space"})
    share_growth: float = 0.05
    net_exporter_rank: int = 3

    def to_dict(self) -> dict[str, object]:
        """JSON-ready dictionary (domains sorted)."""
        return {
            "outside_share": self.outside_share,
            "hhi": self.hhi,
            "net_import_reliance": self.net_import_reliance,
            "advantage_share": self.advantage_share,
            "advantage_rank": self.advantage_rank,
            "advantage_rank_min_share": self.advantage_rank_min_share,
            "innovation_domains": sorted(self.innovation_domains),
            "share_growth": self.share_growth,
            "net_exporter_rank": self.net_exporter_rank,
        }


@dataclass(frozen=True)
class ItemMetrics:
    """What the lenses look at for one item, seen from a home country.

    ``home_share_by_year`` maps a year to the home country's world share in that
    year (for share growth); ``domains`` are the item's domain tags.

    The trade position, where bilateral trade is known: ``net_exporter`` (exports > imports),
    ``import_outside_share`` (share of the home country's imports from outside its
    partners), ``import_hhi`` (HHI of its import sources) and ``trade_label`` (what the
    figures are of, e.g. "refined metal, HS17 810820, 2024", quoted in the reasons).
    """

    item: str
    home: str
    home_share: float
    home_rank: int | None
    outside_share: float
    hhi: float
    net_import_reliance: float | None = None
    domains: tuple[str, ...] = ()
    home_share_by_year: Mapping[int, float] = field(default_factory=dict)
    net_exporter: bool | None = None
    import_outside_share: float | None = None
    import_hhi: float | None = None
    trade_label: str = ""

    @classmethod
    def from_profile(
        cls,
        profile: DependenceProfile,
        *,
        domains: Sequence[str] = (),
        home_share_by_year: Mapping[int, float] | None = None,
    ) -> ItemMetrics:
        """Build the lens inputs from a :class:`DependenceProfile`."""
        return cls(
            item=profile.item,
            home=profile.home,
            home_share=profile.home_share,
            home_rank=profile.home_rank,
            outside_share=profile.outside_share,
            hhi=profile.hhi,
            net_import_reliance=profile.net_import_reliance,
            domains=tuple(domains),
            home_share_by_year=dict(home_share_by_year or {}),
        )


@dataclass(frozen=True)
class LensFlag:
    """A lens that flagged an item, with the reasons (metric, value, threshold)."""

    lens: Lens
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class LensResult:
    """The lenses that flagged one item, with the thresholds used."""

    item: str
    flags: tuple[LensFlag, ...]
    thresholds: Thresholds
    method: MethodInfo = LENS_METHOD

    @property
    def lenses(self) -> tuple[Lens, ...]:
        """The lenses that flagged the item."""
        return tuple(f.lens for f in self.flags)

    @property
    def external_dependence(self) -> bool:
        return Lens.EXTERNAL_DEPENDENCE in self.lenses

    @property
    def domestic_advantage(self) -> bool:
        return Lens.DOMESTIC_ADVANTAGE in self.lenses

    @property
    def disruptive_innovation(self) -> bool:
        return Lens.DISRUPTIVE_INNOVATION in self.lenses

    def to_dict(self) -> dict[str, object]:
        """JSON-ready dictionary with stable snake_case keys."""
        return {
            "item": self.item,
            "flags": [{"lens": f.lens.value, "reasons": list(f.reasons)} for f in self.flags],
            "thresholds": self.thresholds.to_dict(),
            "method": self.method.to_dict(),
        }


def _pct(x: float) -> str:
    return f"{x * 100:.1f} %"


def classify_lenses(item_metrics: ItemMetrics, thresholds: Thresholds | None = None) -> LensResult:
    r"""Flag an item under econsec's three lenses, each flag with its reasons.

    - **External dependence** when
      (:math:`\text{outside share} \ge T_{out} \wedge \mathrm{HHI} \ge T_{HHI}`) or
      (:math:`\mathrm{NIR}` known :math:`\wedge\ \mathrm{NIR} \ge T_{NIR}`) or, where
      bilateral trade is known and the home country is not a net exporter, (share of its
      imports from outside its partners :math:`\ge T_{out}` :math:`\wedge` import HHI
      :math:`\ge T_{HHI}`); but never for a net exporter that is producer no.
      :math:`R_{net}` (3) or better.
    - **Domestic advantage** when :math:`s_h \ge T_{adv}` or
      (:math:`\text{rank}_h \le R_{adv} \wedge s_h \ge T_{rank}`).
    - **Disruptive innovation** when a domain tag is in the configured set, or
      :math:`s_{h,\text{last}} - s_{h,\text{first}} \ge T_{growth}` over the years given
      (at least two).

    Parameters
    ----------
    item_metrics : ItemMetrics
        E.g. ``ItemMetrics.from_profile(dependence_profile(...), domains=...)``.
    thresholds : Thresholds, optional
        Defaults documented on :class:`Thresholds`.

    Returns
    -------
    LensResult
        Flags in lens order; each reason names the metric, its value and the threshold.

    Raises
    ------
    ValidationError
        A share outside [0, 1] or NaN.

    Examples
    --------
    >>> m = ItemMetrics("gallium", "JPN", home_share=0.01, home_rank=8,
    ...                 outside_share=0.95, hhi=0.88)
    >>> classify_lenses(m).lenses
    (<Lens.EXTERNAL_DEPENDENCE: 'external dependence'>,)
    """
    t = thresholds or Thresholds()
    m = item_metrics
    home_share = check_fraction(m.home_share, "home_share", what="share")
    outside = check_fraction(m.outside_share, "outside_share", what="share")
    hhi_value = check_fraction(m.hhi, "hhi", what="HHI")
    flags: list[LensFlag] = []

    reasons: list[str] = []
    if outside >= t.outside_share and hhi_value >= t.hhi:
        reasons.append(
            f"{_pct(outside)} of world supply is outside {m.home} and its partners "
            f"(threshold {_pct(t.outside_share)}) and supply HHI is {hhi_value:.3f} "
            f"(threshold {t.hhi:.3f})"
        )
    if m.net_import_reliance is not None:
        nir = check_number(m.net_import_reliance, "net_import_reliance")
        if nir >= t.net_import_reliance:
            reasons.append(
                f"net import reliance of {m.home} is {_pct(nir)} "
                f"(threshold {_pct(t.net_import_reliance)})"
            )
    trade = f" ({m.trade_label})" if m.trade_label else ""
    if (m.net_exporter is False and m.import_outside_share is not None
            and m.import_hhi is not None):
        imp_out = check_fraction(m.import_outside_share, "import_outside_share", what="share")
        imp_hhi = check_fraction(m.import_hhi, "import_hhi", what="HHI")
        if imp_out >= t.outside_share and imp_hhi >= t.hhi:
            reasons.append(
                f"{_pct(imp_out)} of {m.home}'s imports{trade} come from outside its partners "
                f"(threshold {_pct(t.outside_share)}) and import HHI is {imp_hhi:.3f} "
                f"(threshold {t.hhi:.3f})"
            )
    if reasons and m.net_exporter and m.home_rank is not None and (
            m.home_rank <= t.net_exporter_rank):
        reasons = []  # a leading producer that exports more than it imports
    if reasons:
        flags.append(LensFlag(Lens.EXTERNAL_DEPENDENCE, tuple(reasons)))

    reasons = []
    if home_share > 0 and home_share >= t.advantage_share:
        reasons.append(
            f"{m.home} holds {_pct(home_share)} of world supply "
            f"(threshold {_pct(t.advantage_share)})"
        )
    if (
        m.home_rank is not None
        and home_share >= t.advantage_rank_min_share
        and home_share > 0
        and m.home_rank <= t.advantage_rank
    ):
        reasons.append(
            f"{m.home} is producer no. {m.home_rank} (top {t.advantage_rank}) with "
            f"{_pct(home_share)} of world supply (at least {_pct(t.advantage_rank_min_share)})"
        )
    if reasons:
        flags.append(LensFlag(Lens.DOMESTIC_ADVANTAGE, tuple(reasons)))

    reasons = []
    tagged = sorted(set(m.domains) & set(t.innovation_domains))
    if tagged:
        reasons.append(
            f"domain {', '.join(tagged)} is in the disruptive-innovation set "
            f"({', '.join(sorted(t.innovation_domains))})"
        )
    if len(m.home_share_by_year) >= 2:
        years = sorted(m.home_share_by_year)
        first, last = years[0], years[-1]
        s0 = check_fraction(m.home_share_by_year[first], f"home_share_by_year[{first}]")
        s1 = check_fraction(m.home_share_by_year[last], f"home_share_by_year[{last}]")
        growth = s1 - s0
        if growth >= t.share_growth:
            reasons.append(
                f"{m.home}'s world share grew by {growth * 100:.1f} points from {first} "
                f"to {last} ({_pct(s0)} → {_pct(s1)}; threshold {t.share_growth * 100:.1f} points)"
            )
    if reasons:
        flags.append(LensFlag(Lens.DISRUPTIVE_INNOVATION, tuple(reasons)))

    return LensResult(item=m.item, flags=tuple(flags), thresholds=t)
