"""Trade-secret loss estimate (営業秘密の流出による経済的損失額の評価).

For a technology (a designated technology of the registry, or an industry of the home
country given as ``JPN/C26``) and an assumed leak: the profit lost on the market share a
competitor takes, over a number of years, discounted; and the ripple of the lost output
through the input-output model.

Market ``M`` (million USD a year), first of:

1. ``market_size`` given by the user;
2. the home country's exports of the technology's HS lines in bundled BACI (HS 2017,
   2024; :func:`econsec.datasets.baci.load_baci_hs17`, thousand USD / 1000);
3. the gross output of the home country's industry in the bundled OECD ICIO 2022 times
   ``segment_share`` (the part of the industry the technology stands for; 1 for an
   industry, required for a technology without bundled trade data).

Year ``t = 1 … T`` (lost share ``s``, catch-up in ``R`` years, growth ``g``, margin ``m``,
discount rate ``r``)::

    ramp_t        = min(1, t / R)            (1 when R = 0)
    lost_sales_t  = M · (1 + g)^(t−1) · s · ramp_t
    lost_profit_t = m · lost_sales_t
    pv_t          = lost_profit_t / (1 + r)^t     (end-of-year discounting)

Ripple (:class:`~econsec.io_models.static.StaticModel` on ``bundled:icio-2022``): the lost
sales as a final-demand cut of the home industry, ``Δx = (I − A)⁻¹ Δy`` (Leontief,
upstream: the industry and its suppliers), and as a cut of its primary supply,
``Δx' = Δv' (I − B)⁻¹`` (Ghosh, downstream: the industries that use its output). Both are
linear: the unit responses are solved once and scaled by each year's lost sales. *Direct*
is the cut itself, *indirect* the rest of the output change; the output lost at home and
abroad, and the home country's value added lost (the change weighted by each home
industry's value-added share ``va_i / x_i``). The two models are
alternatives, not additive.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from functools import cache
from typing import Annotated, Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from econsec.datasets._csv import data_dir
from econsec.datasets.baci import load_baci_hs17
from econsec.datasets.sources import source
from econsec.errors import DataFormatError, Location, Term, ValidationError
from econsec.i18n.terms import N_
from econsec.io_models.icio import industry_label, industry_names, region_label
from econsec.io_models.static import StaticModel
from econsec.suggest import close_matches
from econsec.techmgmt.registry import Registry, Technology, bundled_list
from econsec.techmgmt.yamlfile import read_yaml_file, validate

ASSUMPTIONS_FILE = "techmgmt/secret_loss_assumptions.yaml"
HOME = "JPN"
MAX_YEARS = 30
#: Top affected industries reported per model.
TOP = 10
ICIO_SOURCE = "oecd-icio-2022"
BACI_SOURCE = "cepii-baci-hs17-2024"
UNIT = "million USD"

#: How the market was found (translated on the pages).
MARKET_BASES = {
    "user": N_("given by the user"),
    "baci_exports": N_("the home country's exports of the technology's HS lines (BACI)"),
    "icio_output": N_("the gross output of the home industry (OECD ICIO 2022) × segment share"),
}
#: Assumption names (translated on the pages).
ASSUMPTION_LABELS = {
    "share_lost": N_("share of the market lost"), "years": N_("years counted"),
    "margin": N_("operating margin on lost sales"), "discount_rate": N_("discount rate (a year)"),
    "ramp_years": N_("years to the competitor's full catch-up"),
    "growth": N_("yearly market growth"), "segment_share": N_("segment share of the industry"),
    "market_size": N_("market size (million USD a year)"),
}
RIPPLE_LABELS = {"leontief": N_("Upstream (Leontief: the industry and its suppliers)"),
                 "ghosh": N_("Downstream (Ghosh: the industries that use its output)")}
USER_BASIS = N_("given by the user")
NOTE_NOT_ADDITIVE = N_(
    "The upstream and downstream ripples are two views of the same loss and must not be "
    "added. The ripple assumes fixed input coefficients and that nobody at home replaces "
    "the lost output.")
NOTE_YEARS = N_(
    "The market is valued in its base year's prices; the IO ripple uses the 2022 table's "
    "coefficients for every year.")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Default(_Strict):
    value: float
    basis_en: Annotated[str, Field(min_length=1, max_length=2000)]
    basis_ja: Annotated[str, Field(min_length=1, max_length=2000)]


class Defaults(_Strict):
    margin: Default
    discount_rate: Default
    ramp_years: Default
    growth: Default


class TechnologyIndustry(_Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=100)]
    industry: Annotated[str, Field(max_length=20)]


class AssumptionsFile(_Strict):
    version: Annotated[str, Field(min_length=1, max_length=40)]
    defaults: Defaults
    technologies: tuple[TechnologyIndustry, ...]


@dataclass(frozen=True)
class Assumptions:
    """The validated assumptions file: defaults and technology → ICIO industry."""

    version: str
    defaults: Defaults
    industries: dict[str, str]
    file: str


def parse_assumptions(data: Any, lines: dict[tuple[Any, ...], int], file: str,
                      known_technologies: set[str] | None = None) -> Assumptions:
    """Validate the assumptions document; unknown industries and technologies (when
    ``known_technologies`` is given) and ids given twice are refused at their line."""
    from econsec.documents import line_of

    parsed = validate(AssumptionsFile, data, lines, file)
    sectors = set(industry_names())
    found: dict[str, str] = {}
    for i, t in enumerate(parsed.technologies):
        if t.id in found:
            raise DataFormatError(f"technology '{t.id}' is listed twice",
                                  location=Location(file, line_of(lines, ("technologies", i,
                                                                          "id"))))
        if known_technologies is not None and t.id not in known_technologies:
            raise DataFormatError(f"unknown technology '{t.id}' (not in the designated-"
                                  "technology list)",
                                  location=Location(file, line_of(lines, ("technologies", i,
                                                                          "id"))))
        if t.industry not in sectors:
            near = close_matches(t.industry, sorted(sectors))
            raise DataFormatError(
                f"unknown ICIO industry '{t.industry}'"
                + (f"; did you mean: {', '.join(near)}?" if near else ""),
                location=Location(file, line_of(lines, ("technologies", i, "industry"))))
        found[t.id] = t.industry
    return Assumptions(parsed.version, parsed.defaults, found, file)


@cache
def bundled_assumptions() -> Assumptions:
    """The assumptions econsec ships (checked against the bundled technology list)."""
    path = data_dir() / ASSUMPTIONS_FILE
    data, lines = read_yaml_file(path)
    known = {t.id for t in bundled_list().technologies}
    return parse_assumptions(data, lines, f"econsec/data/{ASSUMPTIONS_FILE}", known)


@cache
def _baci_exports() -> dict[tuple[str, str], float]:
    """Exports per (exporter, HS 6) in bundled BACI HS 2017, 2024 (thousand USD)."""
    flows = load_baci_hs17()
    sums: dict[tuple[str, str], float] = {}
    for exporter, code, value in zip(flows.exporter, flows.hs_code, flows.value, strict=True):
        key = (exporter, code)
        sums[key] = sums.get(key, 0.0) + float(value)
    return sums


def home_exports(home: str, hs_codes: tuple[str, ...]) -> tuple[float, list[dict[str, Any]]]:
    """The home country's exports of ``hs_codes`` (6 digits) in bundled BACI 2024, in
    million USD, and the lines found; 0 and [] when no line is in the bundled extract."""
    sums = _baci_exports()
    found = [(code, sums[(home, code)] / 1000.0) for code in hs_codes
             if len(code) == 6 and (home, code) in sums]
    return sum(v for _, v in found), [{"hs6": code, "value": v} for code, v in found]


# ----------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class SecretLossInput:
    """What the user gives (None: the default of the assumptions file)."""

    share_lost: float
    years: int
    technology: str | None = None
    industry: str | None = None
    margin: float | None = None
    discount_rate: float | None = None
    ramp_years: float | None = None
    growth: float | None = None
    market_size: float | None = None
    segment_share: float | None = None


_RANGES: dict[str, tuple[float, float, bool]] = {
    # name: (low, high, low exclusive)
    "share_lost": (0.0, 1.0, True), "margin": (0.0, 1.0, True),
    "discount_rate": (0.0, 1.0, False), "ramp_years": (0.0, float(MAX_YEARS), False),
    "growth": (-0.5, 1.0, False), "market_size": (0.0, 1e9, True),
    "segment_share": (0.0, 1.0, True),
}


def _field(name: str) -> Term:
    """The shown name of an input field (translated with the message)."""
    return Term(ASSUMPTION_LABELS[name])


def _check_range(name: str, value: float | None) -> None:
    if value is None:
        return
    low, high, open_low = _RANGES[name]
    bad = (not np.isfinite(value) or value > high or value < low
           or (open_low and value == low))
    if bad:
        message = (N_("%(field)s must be more than %(low)s and at most %(high)s (got "
                      "%(value)s)") if open_low else
                   N_("%(field)s must be between %(low)s and %(high)s (got %(value)s)"))
        raise ValidationError(message, params={"field": _field(name), "low": f"{low:g}",
                                               "high": f"{high:g}", "value": f"{value:g}"},
                              location=Location(column=name))


def check_input(given: SecretLossInput) -> None:
    """Refuse values out of range, naming the field (its :class:`Location` column)."""
    if (given.technology is None) == (given.industry is None):
        raise ValidationError(N_("give either a technology or an industry (such as "
                                 "JPN/C26), not both or neither"),
                              location=Location(column="technology"))
    for name in _RANGES:
        _check_range(name, getattr(given, name))
    if isinstance(given.years, bool) or not 1 <= given.years <= MAX_YEARS:
        raise ValidationError(N_("%(field)s must be a whole number from 1 to %(high)s (got "
                                 "%(value)s)"),
                              params={"field": _field("years"), "high": MAX_YEARS,
                                      "value": given.years},
                              location=Location(column="years"))


def _resolve_industry(text: str, model: StaticModel) -> tuple[str, str]:
    """``JPN/C26`` or ``C26`` (home: Japan) → (region, sector) of the table."""
    region, _, sector = text.strip().rpartition("/")
    region = (region or HOME).upper()
    sector = sector.upper()
    mrio = model.mrio
    if region not in mrio.regions:
        near = close_matches(region, list(mrio.regions))
        raise ValidationError(N_("unknown ICIO region '%(name)s' (regions: %(known)s)"),
                              params={"name": region[:20],
                                      "known": ", ".join(near or mrio.regions[:8])},
                              location=Location(column="industry"))
    if sector not in mrio.sectors:
        near = close_matches(sector, list(mrio.sectors))
        raise ValidationError(N_("unknown ICIO industry '%(name)s' (industries: %(known)s)"),
                              params={"name": sector[:20],
                                      "known": ", ".join(near or mrio.sectors[19:24])},
                              location=Location(column="industry"))
    return region, sector


# ----------------------------------------------------------------------------- result


@dataclass(frozen=True)
class SecretLossResult:
    """The estimate with every input, assumption and source; see :meth:`as_dict`."""

    subject: dict[str, Any]
    market: dict[str, Any]
    assumptions: list[dict[str, Any]]
    years: list[dict[str, Any]]
    totals: dict[str, float]
    ripple: dict[str, dict[str, Any]]
    sources: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"subject": self.subject, "unit": UNIT, "market": self.market,
                "assumptions": self.assumptions, "years": self.years, "totals": self.totals,
                "ripple": self.ripple, "sources": self.sources, "notes": self.notes}


def _assumption(name: str, value: float, unit: str, given: bool, default: Default | None,
                ) -> dict[str, Any]:
    return {"name": name, "label": ASSUMPTION_LABELS[name], "value": value, "unit": unit,
            "given": given,
            "basis_en": USER_BASIS if given or default is None else " ".join(
                default.basis_en.split()),
            "basis_ja": "ユーザーが指定" if given or default is None else " ".join(
                default.basis_ja.split())}


def _ripple(model: StaticModel, index: int, amount: float, kind: str, home: str
            ) -> dict[str, Any]:
    """The output change (as losses, positive) of cutting ``amount`` at ``index``; the
    parts in the home region and abroad, and the home region's value added lost."""
    unit = np.zeros(model.mrio.n)
    unit[index] = -1.0
    if kind == "leontief":
        response = model.leontief(unit, check_bounds=False).delta_x
    else:
        response = model.ghosh(unit, check_bounds=False).delta_x
    loss = -response * amount
    va_share = np.divide(np.asarray(model.mrio.va, dtype=float), model.x,
                         out=np.zeros(model.mrio.n), where=model.x != 0)
    total = float(loss.sum())
    at_home = np.array([region == home for region, _ in model.labels])
    order = np.argsort(-np.abs(loss), kind="stable")[:TOP]
    top = []
    for i in order:
        region, sector = model.labels[int(i)]
        top.append({"region": region, "sector": sector,
                    "region_en": region_label(region, "en"),
                    "region_ja": region_label(region, "ja"),
                    "name_en": industry_label(sector, "en"),
                    "name_ja": industry_label(sector, "ja"), "output_loss": float(loss[i])})
    return {"model": kind, "label": RIPPLE_LABELS[kind], "direct": amount,
            "indirect": total - amount, "total": total,
            "multiplier": total / amount if amount else None,
            "home_output_loss": float(loss[at_home].sum()),
            "abroad_output_loss": float(loss[~at_home].sum()),
            "home_value_added_loss": float(va_share[at_home] @ loss[at_home]), "top": top}


def _source(key: str) -> dict[str, Any]:
    return asdict(source(key))


def estimate(given: SecretLossInput, model: StaticModel, registry: Registry | None = None,
             assumptions: Assumptions | None = None) -> SecretLossResult:
    """The loss estimate of the module docstring. ``model`` is the
    :class:`StaticModel` of ``bundled:icio-2022`` (its factorisations are reused)."""
    check_input(given)
    conf = assumptions or bundled_assumptions()
    d = conf.defaults
    mrio = model.mrio
    tech: Technology | None = None
    sources: list[dict[str, Any]] = []
    if given.technology is not None:
        tech = (registry or Registry([bundled_list()])).resolve(given.technology)
        sector = conf.industries.get(tech.id)
        if sector is None:
            raise ValidationError(
                N_("technology '%(id)s' has no industry in the assumptions file: give the "
                   "industry (such as JPN/C26) instead"),
                params={"id": tech.id}, location=Location(column="technology"))
        region = HOME
        sources.append({"key": "designated-technologies", "title": bundled_list().header.title,
                        "publisher": bundled_list().header.publisher,
                        "year": bundled_list().header.notice_date.year})
    else:
        region, sector = _resolve_industry(given.industry or "", model)
    index = mrio.index(region, sector)
    output = float(model.x[index])
    va_share = float(mrio.va[index]) / output if output else 0.0

    # market
    market: dict[str, Any]
    if given.market_size is not None:
        market = {"basis": "user", "value": given.market_size, "year": None, "lines": []}
    else:
        exports, lines = home_exports(region, tech.hs_codes) if tech else (0.0, [])
        if exports > 0:
            market = {"basis": "baci_exports", "value": exports, "year": 2024,
                      "lines": lines, "exporter": region}
            sources.append(_source(BACI_SOURCE))
        else:
            if tech is not None and given.segment_share is None:
                raise ValidationError(
                    N_("technology '%(id)s' has no HS line in the bundled trade data: give "
                       "the market size (million USD a year) or the segment share of "
                       "%(industry)s it stands for"),
                    params={"id": tech.id, "industry": f"{region}/{sector}"},
                    location=Location(column="segment_share"))
            share = given.segment_share if given.segment_share is not None else 1.0
            market = {"basis": "icio_output", "value": output * share, "year": 2022,
                      "lines": [], "industry_output": output, "segment_share": share}
    market["basis_label"] = MARKET_BASES[market["basis"]]
    market["unit"] = UNIT
    if not any(s.get("key") == ICIO_SOURCE for s in sources):
        sources.append(_source(ICIO_SOURCE))

    margin = given.margin if given.margin is not None else d.margin.value
    rate = given.discount_rate if given.discount_rate is not None else d.discount_rate.value
    ramp = given.ramp_years if given.ramp_years is not None else d.ramp_years.value
    growth = given.growth if given.growth is not None else d.growth.value
    assumptions_shown = [
        _assumption("share_lost", given.share_lost, "share", True, None),
        _assumption("years", given.years, "years", True, None),
        _assumption("margin", margin, "share", given.margin is not None, d.margin),
        _assumption("discount_rate", rate, "per year", given.discount_rate is not None,
                    d.discount_rate),
        _assumption("ramp_years", ramp, "years", given.ramp_years is not None, d.ramp_years),
        _assumption("growth", growth, "per year", given.growth is not None, d.growth),
    ]
    if market["basis"] == "icio_output":
        assumptions_shown.append(_assumption("segment_share", market["segment_share"],
                                             "share", given.segment_share is not None, None))
    for a in assumptions_shown:
        if a["name"] == "margin":
            a["reference"] = {"industry_value_added_share": round(va_share, 4),
                              "source": ICIO_SOURCE}

    rows = []
    for t in range(1, given.years + 1):
        ramp_t = 1.0 if ramp == 0 else min(1.0, t / ramp)
        market_t = market["value"] * (1 + growth) ** (t - 1)
        lost_sales = market_t * given.share_lost * ramp_t
        lost_profit = margin * lost_sales
        factor = 1.0 / (1 + rate) ** t
        rows.append({"year": t, "ramp": ramp_t, "market": market_t,
                     "lost_share": given.share_lost * ramp_t, "lost_sales": lost_sales,
                     "lost_profit": lost_profit, "discount_factor": factor,
                     "present_value": lost_profit * factor})
    totals = {"lost_sales": sum(r["lost_sales"] for r in rows),
              "lost_profit": sum(r["lost_profit"] for r in rows),
              "present_value": sum(r["present_value"] for r in rows)}

    peak = max(r["lost_sales"] for r in rows)
    final = float(model.y[index])
    if peak > final:
        raise ValidationError(
            N_("the lost sales of a year (%(lost)s million USD) exceed the final demand of "
               "%(industry)s in OECD ICIO 2022 (%(final)s million USD): lower the share "
               "lost, the segment share or the market size"),
            params={"lost": f"{peak:,.0f}", "industry": f"{region}/{sector}",
                    "final": f"{final:,.0f}"}, location=Location(column="share_lost"))
    ripple = {kind: _ripple(model, index, totals["lost_sales"], kind, region)
              for kind in ("leontief", "ghosh")}
    multiplier = ripple["leontief"]["multiplier"] or 0.0
    for r in rows:
        r["upstream_output_loss"] = r["lost_sales"] * multiplier

    subject = {"technology": tech.id if tech else None,
               "name_en": tech.name_en if tech else industry_label(sector, "en"),
               "name_ja": tech.name_ja if tech else industry_label(sector, "ja"),
               "hs_codes": list(tech.hs_codes) if tech else [],
               "region": region, "region_ja": region_label(region, "ja"),
               "industry": sector,
               "industry_en": industry_label(sector, "en"),
               "industry_ja": industry_label(sector, "ja"),
               "industry_output": output, "industry_final_demand": final}
    return SecretLossResult(subject, market, assumptions_shown, rows, totals, ripple,
                            sources, [NOTE_NOT_ADDITIVE, NOTE_YEARS])


def input_from_mapping(values: Mapping[str, Any]) -> SecretLossInput:
    """A :class:`SecretLossInput` from a mapping of field -> value (the API body, the page
    form); empty strings are left out, numbers are parsed with the field named on error."""
    def number(name: str) -> float | None:
        value = values.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        try:
            return float(value)
        except (TypeError, ValueError):
            raise ValidationError(N_("%(field)s is not a number: %(value)s"),
                                  params={"field": _field(name), "value": str(value)[:40]},
                                  location=Location(column=name)) from None

    years = number("years")
    share = number("share_lost")
    if share is None:
        raise ValidationError(N_("%(field)s is required"), params={"field": _field("share_lost")},
                              location=Location(column="share_lost"))
    if years is None or years != int(years):
        raise ValidationError(N_("%(field)s must be a whole number from 1 to %(high)s (got "
                                 "%(value)s)"),
                              params={"field": _field("years"), "high": MAX_YEARS,
                                      "value": values.get("years")},
                              location=Location(column="years"))
    text = {k: (str(values[k]).strip() or None) if values.get(k) is not None else None
            for k in ("technology", "industry")}
    return SecretLossInput(share_lost=share, years=int(years), technology=text["technology"],
                           industry=text["industry"], margin=number("margin"),
                           discount_rate=number("discount_rate"),
                           ramp_years=number("ramp_years"), growth=number("growth"),
                           market_size=number("market_size"),
                           segment_share=number("segment_share"))
