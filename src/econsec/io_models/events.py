"""Shocks and mitigation measures a dynamic simulation applies (DESIGN §4, §5).

Each event and measure is defined here once, as a frozen pydantic model: the scenario file
reader validates ``events:`` and ``mitigations:`` into :data:`Event` and :data:`Mitigation`
(unions told apart by ``type``), and the ARIO simulator consumes the same objects. The
ranges of every field are checked when a model is built (from a file or in Python:
``CapacityLoss(region="reg2", sector="mining", share=0.5, start_day=5)``); what needs the
simulation's horizon is :func:`horizon_problem`, and what needs the MRIO, its names, is
marked by type (:data:`RegionName`, :data:`SectorName`) and listed by :func:`names_in`.

Days are simulation steps (day 0 is the first simulated day); shares are fractions
(0.5 = 50 %). ``to=None`` / ``by=None`` mean every region.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Union

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

# --------------------------------------------------------------------------- name markers


@dataclass(frozen=True)
class NameOf:
    """Marks a text field as the name of a region or sector of the MRIO (``kind``), so that
    :func:`names_in` finds it and the names can be checked against the table."""

    kind: Literal["region", "sector"]


REGION = NameOf("region")
SECTOR = NameOf("sector")
RegionName = Annotated[str, REGION]
SectorName = Annotated[str, SECTOR]

# --------------------------------------------------------------------------- value types


def _shock_share(value: float) -> float:
    """A shock size: a fraction in (0, 1]."""
    if value > 1:
        raise ValueError(f"share {value:g} is above 100 % (shares are fractions: 0.5 = 50 %)")
    if value < 0:
        raise ValueError(f"share {value:g} is negative; give the size of the cut as a "
                         "positive fraction (0.5 = 50 %)")
    if value == 0:
        raise ValueError("share 0 does nothing; give a fraction above 0 (0.5 = 50 %)")
    return value


def _demand_share(value: float) -> float:
    """A demand change: a fraction in [−1, 1] (−0.1 = −10 %)."""
    if value < -1:
        raise ValueError(f"share {value:g} would cut demand by more than 100 % "
                         "(−0.1 = −10 %)")
    if value > 1:
        raise ValueError(f"share {value:g} is above 100 % (shares are fractions: "
                         "0.1 = +10 %)")
    return value


def _capacity_increase(value: float) -> float:
    if value < 0:
        raise ValueError(f"max_capacity_increase {value:g} is negative")
    return value


def as_list(value: Any) -> Any:
    """Accept a single name where a list of names is expected."""
    return [value] if isinstance(value, str) else value


def _hs_codes(value: Any) -> Any:
    """HS codes as 6-digit strings: one code or a list (a code YAML read as a number is
    accepted when it has six digits)."""
    values = [value] if isinstance(value, str | int) and not isinstance(value, bool) else value
    if not isinstance(values, list | tuple) or not values:
        raise ValueError("hs is an HS code (\"284690\") or a list of them")
    out: list[str] = []
    for v in values:
        code = str(v).strip() if isinstance(v, str | int) and not isinstance(v, bool) else ""
        if not (code.isdigit() and len(code) in (4, 6)):
            raise ValueError(f"HS code {v!r} is not a 4- or 6-digit code; write it in quotes "
                             "(\"284690\")")
        out.append(code)
    return out


Share = Annotated[float, AfterValidator(_shock_share)]
DemandShare = Annotated[float, AfterValidator(_demand_share)]
Day = Annotated[int, Field(ge=0)]
Days = Annotated[int, Field(ge=1)]
NonNegDays = Annotated[int, Field(ge=0)]
Regions = Annotated[list[RegionName] | None, BeforeValidator(as_list)]
HsCodes = Annotated[list[str], BeforeValidator(_hs_codes)]
TradeYear = Annotated[int, Field(ge=1995, le=2100)]
Countries = Annotated[list[Annotated[str, Field(pattern=r"^[A-Za-z0-9]{3}$")]] | None,
                      BeforeValidator(as_list)]


class _Item(BaseModel):
    # NaN and infinities (YAML .nan/.inf, JSON NaN/Infinity) are refused everywhere
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


# --------------------------------------------------------------------------- events

class _ProductFields(_Item):
    """An event that names a traded product instead of an industry: ``hs`` (one HS code
    or a list) or ``commodity`` (an item of the knowledge base with HS codes), traded in
    ``year`` (default: the table's year), by the exporting ``countries`` of the region (all
    of them by default). Such an event is converted before a run
    (:mod:`econsec.io_models.product_shocks`): exactly one of ``sector``, ``hs`` and
    ``commodity`` is given."""

    @property
    def names_product(self) -> bool:
        """Whether the event names a product (to be converted) rather than an industry."""
        return getattr(self, "hs", None) is not None or getattr(self, "commodity", None) is not None

    @model_validator(mode="after")
    def _one_target(self) -> _ProductFields:
        given = [n for n in ("sector", "hs", "commodity") if getattr(self, n, None) is not None]
        if len(given) != 1:
            what = " and ".join(given) if given else "none of them"
            raise ValueError(f"name exactly one of sector, hs and commodity (got {what})")
        if not self.names_product and (getattr(self, "year", None) is not None
                                       or getattr(self, "countries", None) is not None):
            raise ValueError("year and countries go with a product (hs or commodity), not "
                             "with a sector")
        return self



class CapacityLoss(_ProductFields):
    """``capacity_loss``: productive capacity of (region, sector) falls by ``share`` from
    ``start_day`` for ``duration_days``, then recovers linearly over ``recovery_days``
    (BoARIO's "arbitrary" event, ``EventArbitraryProd``). With ``hs`` or ``commodity``
    instead of ``sector``, ``share`` is the share of the product's output lost."""

    type: Literal["capacity_loss"] = "capacity_loss"
    label: str | None = None
    region: RegionName
    sector: SectorName | None = None
    share: Share
    start_day: Day
    duration_days: Days = 1
    recovery_days: NonNegDays = 0
    hs: HsCodes | None = None
    commodity: str | None = None
    year: TradeYear | None = None
    countries: Countries = None


class CapitalDestroyed(_Item):
    """``capital_destroyed``: ``share_of_capital`` of the capital of (region, sector) is
    destroyed on ``start_day`` and rebuilt linearly over ``recovery_days``, starting after
    ``duration_days`` (BoARIO's "recovery" event, ``EventKapitalRecover`` with linear
    recovery, and its ``duration``, 1 by default)."""

    type: Literal["capital_destroyed"] = "capital_destroyed"
    label: str | None = None
    region: RegionName
    sector: SectorName
    share_of_capital: Share
    start_day: Day
    recovery_days: Days
    duration_days: Days = 1


class ExportRestriction(_ProductFields):
    """``export_restriction``: flows of ``sector`` from ``region`` to the regions in ``to``
    (every other region if omitted) are cut by ``share`` from ``start_day`` for
    ``duration_days``, then restored linearly over ``recovery_days``. With ``hs`` or
    ``commodity`` instead of ``sector``, ``share`` is the share of the product's flow cut."""

    type: Literal["export_restriction"] = "export_restriction"
    label: str | None = None
    region: RegionName
    sector: SectorName | None = None
    to: Regions = None
    share: Share
    start_day: Day
    duration_days: Days
    recovery_days: NonNegDays = 0
    hs: HsCodes | None = None
    commodity: str | None = None
    year: TradeYear | None = None
    countries: Countries = None


class Flow(_Item):
    """One flow through a chokepoint: origin region → destination region, one sector or
    all sectors (``sector`` omitted)."""

    origin: RegionName
    destination: RegionName
    sector: SectorName | None = None


class ChokepointClosure(_Item):
    """``chokepoint_closure``: a route (strait, sea lane, cable) closes and the ``flows``
    listed as passing through it are cut by ``share``."""

    type: Literal["chokepoint_closure"] = "chokepoint_closure"
    label: str | None = None
    route: str
    flows: Annotated[list[Flow], Field(min_length=1)]
    share: Share
    start_day: Day
    duration_days: Days
    recovery_days: NonNegDays = 0


class DemandChange(_Item):
    """``demand_change``: final demand for (region, sector) changes by ``share`` (−0.1 =
    −10 %) from ``start_day`` for ``duration_days``, from the regions in ``by`` (all if
    omitted)."""

    type: Literal["demand_change"] = "demand_change"
    label: str | None = None
    region: RegionName
    sector: SectorName
    share: DemandShare
    start_day: Day
    duration_days: Days
    by: Regions = None


# --------------------------------------------------------------------------- mitigations


class StockpileRelease(_Item):
    """``stockpile_release``: ``days_of_use`` days of ``region``'s pre-shock use of
    (``origin``, ``sector``) inputs are released from ``start_day``, at most
    ``daily_share`` of that use per day."""

    type: Literal["stockpile_release"] = "stockpile_release"
    label: str | None = None
    region: RegionName
    sector: SectorName
    origin: RegionName | None = None
    days_of_use: Annotated[float, Field(gt=0)]
    start_day: Day
    daily_share: Share = 1.0


class DiversifySupplier(_Item):
    """``diversify_supplier``: ``alternative`` ramps up over ``ramp_days`` from
    ``start_day`` to replace up to ``share`` of the ``sector`` flows cut from ``origin`` (to
    ``region``, or every region), with spare capacity up to ``max_capacity_increase`` of
    its own output."""

    type: Literal["diversify_supplier"] = "diversify_supplier"
    label: str | None = None
    sector: SectorName
    origin: RegionName
    alternative: RegionName
    region: RegionName | None = None
    share: Share
    start_day: Day
    ramp_days: NonNegDays
    max_capacity_increase: Annotated[float, AfterValidator(_capacity_increase)] = 0.1

    @model_validator(mode="after")
    def _two_regions(self) -> DiversifySupplier:
        if self.alternative == self.origin:
            raise ValueError(f"alternative '{self.alternative}' is the origin itself; name "
                             "another region")
        return self


class Substitute(_Item):
    """``substitute``: buyers of ``sector`` in ``region`` may switch up to ``share`` of an
    unfilled order to other suppliers of the same sector (in proportion to their spare
    capacity)."""

    type: Literal["substitute"] = "substitute"
    label: str | None = None
    region: RegionName
    sector: SectorName
    share: Share
    start_day: Day = 0


class Recycle(_Item):
    """``recycle``: ``share`` of ``region``'s pre-shock use of ``sector`` inputs is covered
    by secondary supply from ``start_day``, ramping up over ``ramp_days``."""

    type: Literal["recycle"] = "recycle"
    label: str | None = None
    region: RegionName
    sector: SectorName
    share: Share
    start_day: Day
    ramp_days: NonNegDays = 0


Event = Annotated[
    CapacityLoss | CapitalDestroyed | ExportRestriction | ChokepointClosure | DemandChange,
    Field(discriminator="type", title="event type"),
]
Mitigation = Annotated[
    StockpileRelease | DiversifySupplier | Substitute | Recycle,
    Field(discriminator="type", title="mitigation type"),
]
AnyItem = (CapacityLoss | CapitalDestroyed | ExportRestriction | ChokepointClosure
           | DemandChange | StockpileRelease | DiversifySupplier | Substitute | Recycle)

# --------------------------------------------------------------------------- checks


def horizon_problem(item: AnyItem, horizon: int) -> tuple[str, str] | None:
    """The field and the message of the first day of ``item`` outside a horizon of
    ``horizon`` days (days 0 … horizon − 1), or None when it fits."""
    if item.start_day >= horizon:
        return "start_day", (f"start_day {item.start_day} is beyond the horizon of {horizon} "
                             f"days (days run from 0 to {horizon - 1})")
    duration = getattr(item, "duration_days", None)
    if duration is not None and item.start_day + duration > horizon:
        return "duration_days", (f"start_day {item.start_day} + duration_days {duration} "
                                 f"runs past the horizon of {horizon} days")
    return None


FieldPath = tuple[str | int, ...]


def names_in(model: BaseModel, path: FieldPath = ()) -> list[tuple[FieldPath, str, str]]:
    """``(path, kind, name)`` of every region and sector name in ``model`` and the models
    it holds, found by their type (:class:`NameOf` markers), in field order."""
    out: list[tuple[FieldPath, str, str]] = []
    for name, field in type(model).model_fields.items():
        _walk(getattr(model, name), field.annotation, field.metadata, (*path, name), out)
    return out


def _walk(value: object, annotation: object, metadata: typing.Sequence[object], path: FieldPath,
          out: list[tuple[FieldPath, str, str]]) -> None:
    if value is None:
        return
    kind = next((m.kind for m in metadata if isinstance(m, NameOf)), None)
    if kind is not None and isinstance(value, str):
        out.append((path, kind, value))
        return
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is Annotated:
        _walk(value, args[0], args[1:], path, out)
    elif origin in (Union, types.UnionType):
        arm = next((a for a in args if a is not type(None) and _fits(value, a)), None)
        if arm is not None:
            _walk(value, arm, (), path, out)
    elif isinstance(value, BaseModel):
        out.extend(names_in(value, path))
    elif origin in (list, tuple) and isinstance(value, list | tuple) and args:
        for i, item in enumerate(value):
            _walk(item, args[0], (), (*path, i), out)


def _fits(value: object, annotation: object) -> bool:
    """Whether ``value`` is of the (possibly Annotated or generic) type ``annotation``."""
    while typing.get_origin(annotation) is Annotated:
        annotation = typing.get_args(annotation)[0]
    base = typing.get_origin(annotation) or annotation
    return not isinstance(base, type) or isinstance(value, base)
