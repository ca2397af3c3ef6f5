"""EU critical raw materials (CRM) method: supply risk (SR) and economic importance (EI).

Implements the European Commission's 2017 methodology, used for the 2020 and 2023
EU lists:

.. math::

    SR = \\left[\\mathrm{HHI}_{GS} \\cdot \\frac{IR}{2}
         + \\mathrm{HHI}_{EU} \\cdot \\left(1 - \\frac{IR}{2}\\right)\\right]
         \\cdot (1 - EoL_{RIR}) \\cdot SI_{SR}

    \\mathrm{HHI}_x = \\sum_c S_c^2 \\cdot \\mathrm{WGI}_c \\cdot t_c

    EI = \\frac{\\sum_s A_s \\cdot Q_s}{Q_{max}} \\cdot 10 \\cdot SI_{EI}

SR is computed per stage (E = extraction, P = processing) and the higher one is
reported. A material is critical when SR ≥ 1.0 and EI ≥ 2.8.

References
----------
- European Commission (2017), *Methodology for establishing the EU list of critical
  raw materials: guidelines* (Blengini et al.), Publications Office of the EU,
  doi:10.2873/769526.
- European Commission (2023), *Study on the critical raw materials for the EU 2023 -
  Final report* (Grohol & Veeh), doi:10.2873/725585 (Q_max = 204,200 M€).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from econsec.errors import EconsecError
from econsec.indicators.common import (
    MethodInfo,
    check_fraction,
    check_non_negative,
    check_number,
    check_positive,
    check_share,
    check_share_sum,
    invalid,
)
from econsec.indicators.concentration import GovernanceHHITerm, governance_weighted_hhi_terms

EC_2017 = (
    "European Commission (2017), Methodology for establishing the EU list of critical raw "
    "materials: guidelines, doi:10.2873/769526"
)
SUPPLY_RISK_METHOD = MethodInfo("EU CRM supply risk", "EC 2017 (2020 and 2023 lists)", EC_2017)
ECONOMIC_IMPORTANCE_METHOD = MethodInfo(
    "EU CRM economic importance", "EC 2017 (2020 and 2023 lists)", EC_2017
)
ASSESSMENT_METHOD = MethodInfo("EU CRM criticality", "EC 2017 (2020 and 2023 lists)", EC_2017)

#: Largest value added of a manufacturing sector in the 2023 assessment (million EUR).
Q_MAX_2023 = 204_200.0
#: Criticality thresholds of the EU method.
SR_THRESHOLD = 1.0
EI_THRESHOLD = 2.8

StageName = Literal["E", "P"]
STAGES: tuple[StageName, ...] = ("E", "P")


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class CountryShare:
    """A country's share of supply (fraction) and its trade-related factor ``t``."""

    country: str
    share: float
    t: float = 1.0


@dataclass(frozen=True)
class StageInputs:
    """Inputs of the supply risk of one stage (extraction or processing).

    ``global_supply`` and ``eu_sourcing`` are shares per country, either as
    :class:`CountryShare` records or as a ``{country: share}`` mapping (t = 1).
    ``import_reliance``, ``eol_rir`` and ``si_sr`` are fractions in [0, 1].
    """

    global_supply: Sequence[CountryShare] | Mapping[str, float]
    eu_sourcing: Sequence[CountryShare] | Mapping[str, float]
    import_reliance: float
    eol_rir: float
    si_sr: float


@dataclass(frozen=True)
class EndUse:
    """An end use: NACE sector, share of the material's use (fraction), sector value added (M€)."""

    sector: str
    share: float
    value_added: float


@dataclass(frozen=True)
class MaterialInput:
    """Everything the EU method needs for one material.

    ``wgi_scaled`` holds the scaled WGI (0-10) of the countries the material's
    shares name; :func:`assess_materials` uses it unless given a WGI mapping.
    """

    material: str
    stages: Mapping[str, StageInputs]
    end_uses: tuple[EndUse, ...]
    si_ei: float
    wgi_scaled: Mapping[str, float] = field(default_factory=dict)


# --------------------------------------------------------------------------- helpers


def wgi_scaled(estimates: Sequence[float]) -> float:
    r"""Rescale the six WGI estimates of a country to the EU method's 0-10 scale (10 = worst).

    .. math::

        \mathrm{WGI}_{scaled} = \operatorname{clip}\left(5 - 2 \cdot
            \frac{1}{6}\sum_{k=1}^{6} w_k,\; 0,\; 10\right)

    where :math:`w_k` are the estimates (about −2.5 … 2.5) of the six World Bank
    Worldwide Governance Indicators: voice and accountability, political stability
    and absence of violence, government effectiveness, regulatory quality, rule of
    law, control of corruption.

    Parameters
    ----------
    estimates : sequence of float
        Exactly six finite WGI estimates.

    Returns
    -------
    float
        Scaled WGI in [0, 10].

    Raises
    ------
    ValidationError
        Not exactly six values, or a value is NaN / not a number.

    References
    ----------
    European Commission (2017), doi:10.2873/769526, supply-risk section.

    Examples
    --------
    >>> wgi_scaled([1.0, 1.0, 1.0, 1.0, 1.0, 1.0])
    3.0
    """
    values = list(estimates)
    if len(values) != 6:
        raise invalid("estimates", f"needs the six WGI estimates, got {len(values)}")
    checked = [check_number(v, f"estimates[{i}]") for i, v in enumerate(values)]
    mean = math.fsum(checked) / 6.0
    return min(10.0, max(0.0, 5.0 - 2.0 * mean))


def import_reliance(imports: float, exports: float, domestic_production: float) -> float:
    r"""EU import reliance IR of the EU method.

    .. math::

        IR = \operatorname{clip}\left(\frac{I - X}{P + I - X},\; 0,\; 1\right)

    with EU imports :math:`I`, exports :math:`X` and domestic production :math:`P`
    (same units). A net exporter (:math:`I \le X`) has IR = 0; when apparent
    consumption :math:`P + I - X` is zero, IR = 0.

    Parameters
    ----------
    imports, exports, domestic_production : float
        Non-negative quantities.

    Returns
    -------
    float
        IR in [0, 1].

    Raises
    ------
    ValidationError
        A quantity is negative or NaN.

    References
    ----------
    European Commission (2017), doi:10.2873/769526.

    Examples
    --------
    >>> import_reliance(imports=90.0, exports=10.0, domestic_production=20.0)
    0.8
    """
    i = check_non_negative(imports, "imports")
    x = check_non_negative(exports, "exports")
    p = check_non_negative(domestic_production, "domestic_production")
    net = i - x
    consumption = p + net
    if net <= 0 or consumption <= 0:
        return 0.0
    return min(1.0, max(0.0, net / consumption))


def _share_mapping(
    shares: Sequence[CountryShare] | Mapping[str, float], field_name: str
) -> tuple[dict[str, float], dict[str, float]]:
    if isinstance(shares, Mapping):
        return dict(shares), {}
    out: dict[str, float] = {}
    t: dict[str, float] = {}
    for i, record in enumerate(shares):
        if record.country in out:
            raise invalid(
                f"{field_name}[{i}].country", f"country '{record.country}' is listed twice"
            )
        out[record.country] = record.share
        t[record.country] = record.t
    return out, t


# --------------------------------------------------------------------------- supply risk


@dataclass(frozen=True)
class StageSupplyRisk:
    """Supply risk of one stage with the terms it was made from.

    Attributes
    ----------
    stage : str
        ``"E"`` (extraction) or ``"P"`` (processing).
    sr : float
        ``[hhi_gs · IR/2 + hhi_eu · (1 − IR/2)] · (1 − eol_rir) · si_sr``.
    hhi_gs, hhi_eu : float
        Governance-weighted HHI of global supply and of EU sourcing.
    import_reliance, eol_rir, si_sr : float
        The inputs used.
    gs_terms, eu_terms : tuple of GovernanceHHITerm
        Per-country terms ``S² · WGI · t`` of the two HHIs.
    method : MethodInfo
    """

    stage: str
    sr: float
    hhi_gs: float
    hhi_eu: float
    import_reliance: float
    eol_rir: float
    si_sr: float
    gs_terms: tuple[GovernanceHHITerm, ...]
    eu_terms: tuple[GovernanceHHITerm, ...]
    method: MethodInfo = SUPPLY_RISK_METHOD


def supply_risk_stage(
    global_supply: Sequence[CountryShare] | Mapping[str, float],
    eu_sourcing: Sequence[CountryShare] | Mapping[str, float],
    import_reliance: float,
    eol_rir: float,
    si_sr: float,
    wgi: Mapping[str, float],
    *,
    stage: str = "",
) -> StageSupplyRisk:
    r"""Supply risk of one stage (extraction or processing) by the EU CRM method.

    .. math::

        SR = \left[\mathrm{HHI}_{GS} \cdot \frac{IR}{2}
             + \mathrm{HHI}_{EU} \cdot \left(1 - \frac{IR}{2}\right)\right]
             \cdot (1 - EoL_{RIR}) \cdot SI_{SR},
        \qquad \mathrm{HHI}_x = \sum_c S_c^2 \cdot \mathrm{WGI}_c \cdot t_c

    Parameters
    ----------
    global_supply : sequence of CountryShare or mapping of str to float
        Global supply shares :math:`S_c` (fractions, sum ≤ 1.02) with trade factors
        :math:`t_c` (default 1.0; 0.8 for EU members; above 1 under export
        restrictions). A mapping gives shares with t = 1.
    eu_sourcing : sequence of CountryShare or mapping of str to float
        EU sourcing shares (domestic production plus imports by origin).
    import_reliance : float
        IR in [0, 1], see :func:`import_reliance`.
    eol_rir : float
        End-of-life recycling input rate in [0, 1].
    si_sr : float
        Substitution index for supply risk in [0, 1].
    wgi : mapping of str to float
        Scaled WGI (0-10, 10 = worst, see :func:`wgi_scaled`) for every country named
        in the shares.
    stage : str, optional
        Label carried into the result (``"E"`` or ``"P"``).

    Returns
    -------
    StageSupplyRisk

    Raises
    ------
    ValidationError
        A country has no WGI value (the message names the country), a share or
        fraction is out of range or NaN, or a country is listed twice.

    References
    ----------
    European Commission (2017), *Methodology for establishing the EU list of critical
    raw materials: guidelines*, doi:10.2873/769526.
    """
    ir = check_fraction(import_reliance, "import_reliance")
    eol = check_fraction(eol_rir, "eol_rir")
    si = check_fraction(si_sr, "si_sr")
    gs_shares, gs_t = _share_mapping(global_supply, "global_supply")
    eu_shares, eu_t = _share_mapping(eu_sourcing, "eu_sourcing")
    gs_terms = governance_weighted_hhi_terms(gs_shares, wgi, gs_t, field="global_supply")
    eu_terms = governance_weighted_hhi_terms(eu_shares, wgi, eu_t, field="eu_sourcing")
    hhi_gs = math.fsum(term.contribution for term in gs_terms)
    hhi_eu = math.fsum(term.contribution for term in eu_terms)
    sr = (hhi_gs * ir / 2.0 + hhi_eu * (1.0 - ir / 2.0)) * (1.0 - eol) * si
    return StageSupplyRisk(
        stage=stage,
        sr=sr,
        hhi_gs=hhi_gs,
        hhi_eu=hhi_eu,
        import_reliance=ir,
        eol_rir=eol,
        si_sr=si,
        gs_terms=gs_terms,
        eu_terms=eu_terms,
    )


@dataclass(frozen=True)
class SupplyRiskResult:
    """Supply risk of a material: the higher of the extraction and processing stages.

    Attributes
    ----------
    sr : float
        max(SR_E, SR_P) over the stages given.
    stage : str
        Stage that gave ``sr`` (``"E"`` on a tie).
    sr_e, sr_p : float or None
        Per-stage SR; ``None`` for a stage that was not assessed.
    stages : tuple of StageSupplyRisk
        Details of each assessed stage (E first).
    method : MethodInfo
    """

    sr: float
    stage: str
    sr_e: float | None
    sr_p: float | None
    stages: tuple[StageSupplyRisk, ...]
    method: MethodInfo = SUPPLY_RISK_METHOD

    @property
    def sr_by_stage(self) -> dict[str, float | None]:
        """``{"E": sr_e, "P": sr_p}``."""
        return {"E": self.sr_e, "P": self.sr_p}


def supply_risk(stages: Mapping[str, StageInputs], wgi: Mapping[str, float]) -> SupplyRiskResult:
    r"""Supply risk of a material: each stage by :func:`supply_risk_stage`, the higher reported.

    .. math::

        SR = \max(SR_E, SR_P)

    over the stages present (E = extraction, P = processing).

    Parameters
    ----------
    stages : mapping of {"E", "P"} to StageInputs
        At least one stage.
    wgi : mapping of str to float
        Scaled WGI (0-10) for every country named in any stage.

    Returns
    -------
    SupplyRiskResult
        With ``sr_e`` / ``sr_p`` ``None`` for an absent stage and ``stage`` naming the
        stage that gave the maximum (extraction on a tie).

    Raises
    ------
    ValidationError
        No stage, an unknown stage name, or any error of :func:`supply_risk_stage`
        (its field names are prefixed with ``stages.E.`` / ``stages.P.``).

    References
    ----------
    European Commission (2017), doi:10.2873/769526.
    """
    if not stages:
        raise invalid("stages", "at least one stage (E or P) is needed")
    results: dict[str, StageSupplyRisk] = {}
    for name in stages:
        if name not in STAGES:
            raise invalid(
                f"stages.{name}",
                f"unknown stage '{name}'; use 'E' (extraction) or 'P' (processing)",
            )
    for name in STAGES:
        if name not in stages:
            continue
        inputs = stages[name]
        try:
            results[name] = supply_risk_stage(
                inputs.global_supply,
                inputs.eu_sourcing,
                inputs.import_reliance,
                inputs.eol_rir,
                inputs.si_sr,
                wgi,
                stage=name,
            )
        except EconsecError as error:
            _prefix_field(error, f"stages.{name}")
            raise
    best = max(results.values(), key=lambda r: r.sr)  # first (E) wins a tie
    return SupplyRiskResult(
        sr=best.sr,
        stage=best.stage,
        sr_e=results["E"].sr if "E" in results else None,
        sr_p=results["P"].sr if "P" in results else None,
        stages=tuple(results.values()),
    )


def _prefix_field(error: EconsecError, prefix: str) -> None:
    """Prefix the field an error names: ``global_supply[CHN]`` → ``stages.P.global_supply[CHN]``."""
    if error.location.column:
        error.location.column = f"{prefix}.{error.location.column}"
        error.args = (str(error),)


# --------------------------------------------------------------------------- economic importance


@dataclass(frozen=True)
class EndUseTerm:
    """One end use's term ``A_s · Q_s`` of the economic importance."""

    sector: str
    share: float
    value_added: float
    contribution: float


@dataclass(frozen=True)
class EconomicImportanceResult:
    """Economic importance with its terms.

    Attributes
    ----------
    ei : float
        ``weighted_value_added / q_max · 10 · si_ei``.
    weighted_value_added : float
        Σ_s A_s · Q_s (million EUR).
    q_max : float
        Largest value added of any manufacturing sector in the assessment.
    si_ei : float
        Substitution index for economic importance.
    terms : tuple of EndUseTerm
    method : MethodInfo
    """

    ei: float
    weighted_value_added: float
    q_max: float
    si_ei: float
    terms: tuple[EndUseTerm, ...]
    method: MethodInfo = ECONOMIC_IMPORTANCE_METHOD


def economic_importance(
    end_uses: Sequence[EndUse], si_ei: float, q_max: float = Q_MAX_2023
) -> EconomicImportanceResult:
    r"""Economic importance by the EU CRM method.

    .. math::

        EI = \frac{\sum_s A_s \cdot Q_s}{Q_{max}} \cdot 10 \cdot SI_{EI}

    where :math:`A_s` is the share of the material's end uses in NACE 2-digit
    sector :math:`s`, :math:`Q_s` that sector's EU value added and :math:`Q_{max}`
    the largest value added over **all** manufacturing sectors of the assessment
    (not only the material's own end uses): 204,200 M€ in the 2023 assessment.

    Parameters
    ----------
    end_uses : sequence of EndUse
        End uses (the same sector may appear for several applications). Shares
        are fractions adding up to at most 1.02; value added in the unit of ``q_max``.
    si_ei : float
        Substitution index for economic importance in [0, 1].
    q_max : float, default 204,200.0
        The assessment's largest sector value added (million EUR). Must not be
        smaller than any ``value_added``.

    Returns
    -------
    EconomicImportanceResult

    Raises
    ------
    ValidationError
        No end use, a share out of range or NaN, shares adding up to more than
        1.02, a negative value added, or a value added above ``q_max``.

    References
    ----------
    European Commission (2017), doi:10.2873/769526; European Commission (2023),
    doi:10.2873/725585 (Q_max).

    Examples
    --------
    >>> r = economic_importance([EndUse("C26", 0.5, 102_100.0)], si_ei=1.0)
    >>> round(r.ei, 6)
    2.5
    """
    if not end_uses:
        raise invalid("end_uses", "at least one end use is needed")
    qmax = check_positive(q_max, "q_max")
    si = check_fraction(si_ei, "si_ei")
    terms = []
    for i, use in enumerate(end_uses):
        share = check_share(use.share, f"end_uses[{i}].share")
        va = check_non_negative(use.value_added, f"end_uses[{i}].value_added")
        if va > qmax * (1 + 1e-9):
            raise invalid(
                f"end_uses[{i}].value_added",
                f"value added {va:g} of sector '{use.sector}' exceeds q_max {qmax:g}; q_max "
                "must be the largest value added of all manufacturing sectors",
            )
        terms.append(EndUseTerm(use.sector, share, va, share * va))
    check_share_sum((t.share for t in terms), "end_uses")
    weighted = math.fsum(t.contribution for t in terms)
    return EconomicImportanceResult(
        ei=weighted / qmax * 10.0 * si,
        weighted_value_added=weighted,
        q_max=qmax,
        si_ei=si,
        terms=tuple(terms),
    )


def is_critical(
    sr: float,
    ei: float,
    sr_threshold: float = SR_THRESHOLD,
    ei_threshold: float = EI_THRESHOLD,
) -> bool:
    r"""Whether a material is critical by the EU method: :math:`SR \ge 1.0 \wedge EI \ge 2.8`.

    Parameters
    ----------
    sr, ei : float
        Supply risk and economic importance (unrounded; the EC publishes them to
        one decimal).
    sr_threshold, ei_threshold : float
        Thresholds (defaults 1.0 and 2.8, EC 2017).

    Returns
    -------
    bool

    Examples
    --------
    >>> is_critical(1.2, 3.0), is_critical(0.9, 6.0)
    (True, False)
    """
    s = check_number(sr, "sr")
    e = check_number(ei, "ei")
    return s >= sr_threshold and e >= ei_threshold


# --------------------------------------------------------------------------- whole assessment


@dataclass(frozen=True)
class MaterialAssessment:
    """EU CRM result for one material.

    Attributes
    ----------
    material : str
    sr : float
        Supply risk (max over stages).
    sr_stage : str
        Stage that gave ``sr``.
    sr_by_stage : dict
        ``{"E": float | None, "P": float | None}``.
    ei : float
    critical : bool
    supply_risk : SupplyRiskResult
    economic_importance : EconomicImportanceResult
    sr_threshold, ei_threshold : float
    method : MethodInfo
    """

    material: str
    sr: float
    sr_stage: str
    sr_by_stage: Mapping[str, float | None]
    ei: float
    critical: bool
    supply_risk: SupplyRiskResult
    economic_importance: EconomicImportanceResult
    sr_threshold: float = SR_THRESHOLD
    ei_threshold: float = EI_THRESHOLD
    method: MethodInfo = ASSESSMENT_METHOD

    def to_dict(self) -> dict[str, object]:
        """``{material, sr, sr_stage, sr_by_stage: {E, P}, ei, critical, method}``."""
        return {
            "material": self.material,
            "sr": self.sr,
            "sr_stage": self.sr_stage,
            "sr_by_stage": dict(self.sr_by_stage),
            "ei": self.ei,
            "critical": self.critical,
            "method": self.method.to_dict(),
        }


def assess_material(
    material: MaterialInput,
    wgi: Mapping[str, float] | None = None,
    *,
    q_max: float = Q_MAX_2023,
    sr_threshold: float = SR_THRESHOLD,
    ei_threshold: float = EI_THRESHOLD,
) -> MaterialAssessment:
    """Supply risk, economic importance and criticality of one material.

    SR by :func:`supply_risk`, EI by :func:`economic_importance`, criticality by
    :func:`is_critical`. WGI values come from ``wgi`` when given, otherwise from
    ``material.wgi_scaled``.
    """
    sr_result = supply_risk(material.stages, material.wgi_scaled if wgi is None else wgi)
    ei_result = economic_importance(material.end_uses, material.si_ei, q_max)
    return MaterialAssessment(
        material=material.material,
        sr=sr_result.sr,
        sr_stage=sr_result.stage,
        sr_by_stage=sr_result.sr_by_stage,
        ei=ei_result.ei,
        critical=is_critical(sr_result.sr, ei_result.ei, sr_threshold, ei_threshold),
        supply_risk=sr_result,
        economic_importance=ei_result,
        sr_threshold=sr_threshold,
        ei_threshold=ei_threshold,
    )


def assess_materials(
    inputs: Sequence[MaterialInput],
    wgi: Mapping[str, float] | None = None,
    *,
    q_max: float = Q_MAX_2023,
    sr_threshold: float = SR_THRESHOLD,
    ei_threshold: float = EI_THRESHOLD,
) -> list[MaterialAssessment]:
    r"""EU CRM assessment of several materials, in input order.

    For each material: :math:`SR = \max_{stage} SR_{stage}`,
    :math:`EI = (\sum_s A_s Q_s / Q_{max}) \cdot 10 \cdot SI_{EI}`, critical iff
    :math:`SR \ge 1.0 \wedge EI \ge 2.8`.

    Parameters
    ----------
    inputs : sequence of MaterialInput
        E.g. from :func:`econsec.analyses.eu_crm_input.read_eu_crm_input`.
    wgi : mapping of str to float, optional
        Scaled WGI (0-10) per country; when omitted each material's own
        ``wgi_scaled`` is used.
    q_max, sr_threshold, ei_threshold : float
        See :func:`economic_importance` and :func:`is_critical`.

    Returns
    -------
    list of MaterialAssessment

    Raises
    ------
    ValidationError
        As :func:`supply_risk` and :func:`economic_importance`; the field is prefixed
        with ``materials[i].``.

    References
    ----------
    European Commission (2017), doi:10.2873/769526.
    """
    out = []
    for i, material in enumerate(inputs):
        try:
            out.append(
                assess_material(
                    material,
                    wgi,
                    q_max=q_max,
                    sr_threshold=sr_threshold,
                    ei_threshold=ei_threshold,
                )
            )
        except EconsecError as error:
            _prefix_field(error, f"materials[{i}]")
            raise
    return out


__all__ = [
    "EI_THRESHOLD",
    "Q_MAX_2023",
    "SR_THRESHOLD",
    "CountryShare",
    "EconomicImportanceResult",
    "EndUse",
    "EndUseTerm",
    "MaterialAssessment",
    "MaterialInput",
    "StageInputs",
    "StageSupplyRisk",
    "SupplyRiskResult",
    "assess_material",
    "assess_materials",
    "economic_importance",
    "import_reliance",
    "is_critical",
    "supply_risk",
    "supply_risk_stage",
    "wgi_scaled",
]
