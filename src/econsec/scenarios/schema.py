"""The scenario file format (DESIGN §5): YAML or JSON, validated with pydantic 2.

A scenario names an MRIO, a horizon in days, the dynamic model and its parameters, the
events (shocks) and mitigations (measures), optional variants to compare and an optional
ensemble block. Events and mitigations are the models of :mod:`econsec.io_models.events`
(defined there once; the simulator takes the same objects). The file is read and its
validation errors translated by :mod:`econsec.documents`: unknown keys are errors that
name the key, where it is and the keys allowed there, and every problem raises an
:mod:`econsec.errors` error whose :class:`~econsec.errors.Location` carries the file, the
line (from the parsed YAML or JSON document) and, as ``column``, the path of the
offending value (``events[2].sector``).

Example (the shape of issue 3)::

    name: reg2 mining outage
    mrio: pymrio:test
    horizon_days: 365
    model: {type: ario, psi_param: 0.9}
    events:
      - {type: capacity_loss, region: reg2, sector: mining, share: 0.5, start_day: 5,
         duration_days: 30, recovery_days: 30}
    mitigations:
      - {type: stockpile_release, region: reg1, sector: mining, origin: reg2,
         days_of_use: 20, start_day: 6}
    compare_mitigations: true
    ensemble:
      runs: 50
      seed: 1
      parameters:
        model.psi_param: {dist: uniform, low: 0.7, high: 0.9}
        events[0].share: {dist: triangular, low: 0.3, mode: 0.5, high: 0.7}

Shares are fractions (0.5 = 50 %). Days are simulation steps; day 0 is the first simulated
day, and every ``start_day`` must fall inside the horizon.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    model_validator,
)
from pydantic import ValidationError as PydanticValidationError

from econsec.documents import (
    LineMap,
    format_path,
    line_of,
    read_document,
    unwrap_type,
    validation_error,
)
from econsec.errors import DataFormatError, Location, UnknownNameError, ValidationError
from econsec.io_models import events as ev
from econsec.suggest import close_matches


def _whole_days(value: int) -> int:
    if value < 1:
        raise ValueError(f"horizon_days must be at least 1 day (got {value!r})")
    return value


class _Strict(BaseModel):
    # NaN and infinities (YAML .nan/.inf, JSON NaN/Infinity) are refused everywhere
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


# --------------------------------------------------------------------------- ensembles


class UniformSpec(_Strict):
    """``uniform``: every value in [low, high] equally likely."""

    dist: Literal["uniform"]
    low: float
    high: float

    @model_validator(mode="after")
    def _ordered(self) -> UniformSpec:
        if self.low > self.high:
            raise ValueError(f"low {self.low:g} is above high {self.high:g}")
        return self


class NormalSpec(_Strict):
    """``normal``: mean and standard deviation ``sd``; ``clip: [low, high]`` bounds the
    draws (values outside are set to the bound)."""

    dist: Literal["normal"]
    mean: float
    sd: Annotated[float, Field(ge=0)]
    clip: tuple[float, float] | None = None

    @model_validator(mode="after")
    def _ordered(self) -> NormalSpec:
        if self.clip is not None and self.clip[0] > self.clip[1]:
            raise ValueError(f"clip [{self.clip[0]:g}, {self.clip[1]:g}] is not ordered")
        return self


class TriangularSpec(_Strict):
    """``triangular``: low ≤ mode ≤ high, most likely at ``mode``."""

    dist: Literal["triangular"]
    low: float
    mode: float
    high: float

    @model_validator(mode="after")
    def _ordered(self) -> TriangularSpec:
        if not self.low <= self.mode <= self.high or self.low == self.high:
            raise ValueError(f"need low <= mode <= high and low < high (got {self.low:g}, "
                             f"{self.mode:g}, {self.high:g})")
        return self


class ChoiceSpec(_Strict):
    """``choice``: one of ``values``, with optional ``weights`` (normalised)."""

    dist: Literal["choice"]
    values: Annotated[list[float], Field(min_length=1)]
    weights: list[Annotated[float, Field(ge=0)]] | None = None

    @model_validator(mode="after")
    def _weights(self) -> ChoiceSpec:
        if self.weights is not None:
            if len(self.weights) != len(self.values):
                raise ValueError(f"{len(self.weights)} weights for {len(self.values)} values")
            if sum(self.weights) <= 0:
                raise ValueError("weights add up to 0")
        return self


DistributionSpec = Annotated[
    UniformSpec | NormalSpec | TriangularSpec | ChoiceSpec,
    Field(discriminator="dist", title="distribution"),
]


class EnsembleSpec(_Strict):
    """``ensemble``: ``runs`` simulations with the ``parameters`` drawn from their
    distributions by a generator seeded with ``seed``. Parameter paths are
    ``model.<parameter>``, ``events[i].<field>`` or ``mitigations[i].<field>``."""

    runs: Annotated[int, Field(ge=1, le=100_000)] = 50
    seed: int = 0
    parameters: dict[str, DistributionSpec] = Field(default_factory=dict)


# --------------------------------------------------------------------------- scenario


class ModelSpec(BaseModel):
    """``model``: ``type: ario`` plus any :class:`econsec.io_models.ario.ARIOParams` field
    (checked against that class; defaults are BoARIO's ``ARIOPsiModel``)."""

    model_config = ConfigDict(extra="allow", frozen=True, allow_inf_nan=False)

    type: Literal["ario"] = "ario"

    @property
    def parameters(self) -> dict[str, Any]:
        """The parameters the file overrides."""
        return dict(self.model_extra or {})


class VariantSpec(_Strict):
    """One variant to compare: a ``name`` and the mitigations it applies (indices into
    ``mitigations`` or their labels; an empty list = no measure)."""

    name: str
    mitigations: list[int | str] = Field(default_factory=list)


class Scenario(_Strict):
    """A scenario file (see the module docstring)."""

    name: str
    description: str = ""
    mrio: str
    horizon_days: Annotated[int, Field(le=36_500), AfterValidator(_whole_days)]
    model: ModelSpec = Field(default_factory=ModelSpec)
    events: Annotated[list[ev.Event], Field(min_length=1)]
    mitigations: list[ev.Mitigation] = Field(default_factory=list)
    compare_mitigations: bool = False
    variants: list[VariantSpec] = Field(default_factory=list)
    ensemble: EnsembleSpec | None = None
    notes: list[str] = Field(default_factory=list)
    #: A region whose production change by industry the result lists (``region_losses``).
    report_region: ev.RegionName | None = None

    #: The file read and its path → line map (set by :func:`load_scenario`), so that
    #: errors found later (unknown names in the MRIO) still point at a line.
    _file: str | None = PrivateAttr(None)
    _lines: dict[tuple[Any, ...], int] = PrivateAttr(default_factory=dict)

    @property
    def source_file(self) -> str | None:
        """The scenario file this was read from, if any."""
        return self._file

    def location(self, path: Sequence[Any]) -> Location:
        """Where the value at ``path`` sits in the scenario file."""
        return Location(self._file, line_of(self._lines, path), format_path(path) or None)

    def mitigation_label(self, i: int) -> str:
        """The label of mitigation ``i``: its ``label`` or ``type region/sector``."""
        m = self.mitigations[i]
        if m.label:
            return m.label
        if isinstance(m, ev.DiversifySupplier):
            return f"{m.type} {m.sector} {m.origin}->{m.alternative}"
        return f"{m.type} {m.region}/{m.sector}"

    def variant_plan(self) -> list[tuple[str, tuple[int, ...]]]:
        """The variants to run: (name, indices of the mitigations applied), main run first.

        The main run applies every mitigation listed ("all measures", or "no measures" when
        there are none). ``compare_mitigations`` adds "no measures" and each mitigation
        alone; ``variants`` adds the listed combinations.
        """
        every = tuple(range(len(self.mitigations)))
        plan = [("all measures" if every else "no measures", every)]
        if self.compare_mitigations and every:
            plan.append(("no measures", ()))
            if len(every) > 1:
                plan += [(f"only {self.mitigation_label(i)}", (i,)) for i in every]
        labels = {self.mitigation_label(i): i for i in every}
        for v in self.variants:
            chosen = tuple(sorted({m if isinstance(m, int) else labels[m]
                                   for m in v.mitigations}))
            plan.append((v.name, chosen))
        return plan


# --------------------------------------------------------------------------- reading


def parse_scenario(data: Any, *, file: str | None = None, lines: LineMap | None = None
                   ) -> Scenario:
    """Validate a parsed scenario document: the schema, the days against the horizon, the
    model parameters, the mitigation references of variants and the ensemble paths.

    Names of regions and sectors need the MRIO: see :func:`check_names`.
    """
    lines = lines or {}
    if not isinstance(data, Mapping):
        raise DataFormatError("a scenario is a mapping with keys name, mrio, horizon_days, "
                              f"events, ... (got {type(data).__name__})",
                              location=Location(file=file, line=1))
    try:
        scenario = Scenario.model_validate(data)
    except PydanticValidationError as exc:
        raise validation_error(exc, Scenario, file=file, lines=lines) from None
    _check_consistency(scenario, file, lines)
    scenario._file = file
    scenario._lines = dict(lines)
    return scenario


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file (``.yaml``, ``.yml`` or ``.json``).

    The ``mrio`` is checked at once (:func:`resolve_mrio_ref`): a named table, or a pymrio
    folder given absolutely or relative to the file's folder (and inside it).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        from econsec.errors import NotFoundError

        raise NotFoundError(f"scenario file '{path}' not found") from None
    except UnicodeDecodeError as exc:
        raise DataFormatError(f"not UTF-8 text: {exc}", location=Location(file=str(path))
                              ) from exc
    data, lines = read_document(text, file=str(path),
                                json_format=path.suffix.lower() == ".json")
    scenario = parse_scenario(data, file=str(path), lines=lines)
    resolved = resolve_mrio_ref(scenario, path.parent)
    if resolved != scenario.mrio:
        copy = scenario.model_copy(update={"mrio": resolved})
        copy._file, copy._lines = scenario._file, scenario._lines
        scenario = copy
    return scenario


def check_varies(scenario: Scenario, runs: int | None = None) -> None:
    """Refuse an ensemble that varies nothing: ``runs`` (or the ensemble block's) identical
    runs would only repeat one result. Located at the ensemble block when there is one."""
    spec = scenario.ensemble
    if spec is not None and spec.parameters:
        return
    count = runs if runs is not None else (spec.runs if spec is not None else None)
    what = f"{count} runs" if count is not None else "an ensemble"
    if spec is None:
        raise ValidationError(
            f"{what} of a scenario that varies nothing would all give the same result: the "
            "scenario has no ensemble block; add one with parameters to vary (see "
            "'ensemble' in the scenario format), or run it once without --runs/--seed",
            location=Location(file=scenario.source_file))
    raise ValidationError(
        f"{what} of a scenario that varies nothing would all give the same result: "
        "ensemble.parameters is empty; list the parameters to vary, or remove the ensemble "
        "block to run the scenario once", location=scenario.location(("ensemble",)))


# --------------------------------------------------------------------------- MRIO reference

#: Table names every scenario may use: ``pymrio:test`` and ``bundled:<name>``.
PYMRIO_TEST = "pymrio:test"


def named_tables() -> list[str]:
    """The named MRIO tables (no server path): ``pymrio:test`` and the bundled ones."""
    from econsec.io_models.bea import BUNDLED

    return [PYMRIO_TEST, *(f"bundled:{key}" for key in BUNDLED)]


def check_named_table(scenario: Scenario) -> str:
    """``scenario.mrio`` if it is a named table (:func:`named_tables`), else a located
    :class:`ValidationError` that does not echo the value (it may be a server path)."""
    names = named_tables()
    if scenario.mrio in names:
        return scenario.mrio
    ref = scenario.mrio
    looks_named = ":" in ref.split("/")[0] and "/" not in ref and "\\" not in ref
    detail = f"unknown table '{ref}'" if looks_named and len(ref) <= 60 else "a file path"
    raise ValidationError(
        f"mrio names {detail}: scenarios sent to the web app may only name a bundled table "
        f"({', '.join(names)}); run scenarios on your own MRIO folders with the econsec "
        "command line", location=scenario.location(("mrio",)))


def resolve_mrio_ref(scenario: Scenario, folder: Path) -> str:
    """Check the ``mrio`` of a scenario read from a file in ``folder``: a named table
    (:func:`named_tables`), or a pymrio folder (with ``file_parameters.json``) or ``.zip``
    archive given as an absolute path or as a path relative to the scenario's folder that
    stays inside it. Returns the reference to load (a relative path made absolute); refuses
    with the line of ``mrio`` otherwise."""
    ref = scenario.mrio
    where = scenario.location(("mrio",))
    head = ref.split("/")[0]
    if ":" in head and not re.fullmatch(r"[A-Za-z]:", head) and not Path(ref).is_absolute():
        if ref in named_tables():
            return ref
        raise UnknownNameError(ref, close_matches(ref, named_tables()), kind="MRIO table",
                               location=where)
    if not ref.strip() or "\0" in ref:
        raise ValidationError("mrio is empty or holds a NUL character: give pymrio:test, "
                              "bundled:<name> or a pymrio folder", location=where)
    given = Path(ref).expanduser()
    if given.is_absolute():
        target = given
    else:
        base = folder.resolve()
        target = (base / given).resolve()
        if not target.is_relative_to(base):
            raise ValidationError(
                f"mrio '{ref}' leads outside the scenario's folder; give the MRIO folder as "
                "an absolute path or place it beside the scenario file", location=where)
    if not target.exists():
        from econsec.errors import NotFoundError

        raise NotFoundError(f"mrio '{ref}' not found (looked for {target}); give "
                            f"{', '.join(named_tables())} or a folder pymrio can load",
                            location=where)
    if target.is_dir():
        from econsec.io_models.loaders import PYMRIO_PARAMETERS_FILE  # no pymrio import

        if not (target / PYMRIO_PARAMETERS_FILE).is_file():
            raise DataFormatError(
                f"mrio '{ref}' is a folder but not a saved pymrio system (no "
                f"{PYMRIO_PARAMETERS_FILE} in it); save one with "
                "pymrio's IOSystem.save_all", location=where)
    elif target.suffix.lower() != ".zip":
        raise DataFormatError(f"mrio '{ref}' is a file, not a pymrio folder or .zip archive",
                              location=where)
    return str(target)


# --------------------------------------------------------------------------- checks


def _fail(message: str, path: Sequence[Any], file: str | None, lines: LineMap
          ) -> ValidationError:
    return ValidationError(message, location=Location(file=file, line=line_of(lines, path),
                                                      column=format_path(path)))


#: BoARIO's names of parameters that econsec's ``ARIOParams`` calls differently.
PARAMETER_ALIASES = {"psi_param": "psi"}


def _params_class() -> Any:
    from econsec.io_models.ario_params import ARIOParams

    return ARIOParams


def model_parameter_names() -> list[str]:
    """Names of the ARIO parameters a scenario may set: the fields of ``ARIOParams`` and
    BoARIO's names for them (:data:`PARAMETER_ALIASES`)."""
    names = [f.name for f in dataclasses.fields(_params_class())]
    return names + [alias for alias, name in PARAMETER_ALIASES.items() if name in names]


def numeric_model_parameters() -> list[str]:
    """The model parameters an ensemble may vary (numeric defaults)."""
    defaults = _params_class()()
    names = [f.name for f in dataclasses.fields(defaults)
             if isinstance(getattr(defaults, f.name), int | float)
             and not isinstance(getattr(defaults, f.name), bool)]
    return names + [alias for alias, name in PARAMETER_ALIASES.items() if name in names]


#: Ranges of numeric model parameters: (low, low inclusive, high).
_PARAMETER_RANGES = {
    "psi": (0.0, False, 1.0), "alpha_base": (0.0, False, None), "alpha_max": (0.0, False, None),
    "alpha_tau": (0.0, False, None), "main_inv_dur": (0.0, False, None),
    "inventory_restoration_tau": (0.0, False, None), "rebuild_tau": (0.0, False, None),
    "capital_to_va_ratio": (0.0, False, None), "monetary_factor": (1, True, None),
    "iotable_year_to_temporal_unit_factor": (0.0, False, None),
    "arbitrary_event_lag": (0, True, None),
}


def _coerce_parameter(name: str, value: Any, default: Any) -> Any:
    value = _coerce_value(name, value, default)
    low, inclusive, high = _PARAMETER_RANGES.get(name, (None, True, None))
    if low is not None and (value < low or (value == low and not inclusive)):
        raise ValueError(f"{name} must be {'at least' if inclusive else 'above'} {low:g} "
                         f"(got {value!r})")
    if high is not None and value > high:
        raise ValueError(f"{name} must be at most {high:g} (got {value!r})")
    return value


def _coerce_value(name: str, value: Any, default: Any) -> Any:
    if name == "order_type":
        if value not in ("alt", "noalt"):
            raise ValueError(f"order_type must be 'alt' or 'noalt' (got {value!r})")
        return value
    if name == "productive_capital":
        import numpy as np

        if value is None:
            return None
        try:
            array = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raise ValueError("productive_capital must be a list of numbers") from None
        if not np.all(np.isfinite(array)):
            raise ValueError("productive_capital holds NaN or infinite values")
        return array
    if name == "inventory_days":
        if value is None:
            return None
        if not isinstance(value, Mapping):
            raise ValueError("inventory_days must map sector names to days of use")
        days = {str(k): _finite(f"inventory_days.{k}", v) for k, v in value.items()}
        return days
    if isinstance(default, tuple):
        return tuple(str(v) for v in ev.as_list(value))
    if isinstance(default, bool):
        return bool(value)
    if isinstance(default, int) and not isinstance(value, bool):
        if isinstance(value, float) and not value.is_integer():
            raise ValueError(f"{name} must be a whole number (got {value!r})")
        return int(value)
    if isinstance(default, float):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{name} must be a number (got {value!r})")
        return _finite(name, value)
    return value


def _finite(name: str, value: Any) -> float:
    """``value`` as a finite float; NaN, infinities and non-numbers raise ValueError."""
    import math

    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name} must be a number (got {value!r})")
    if not math.isfinite(value):
        raise ValueError(f"{name} is {value!r}: give a finite number (NaN and infinities "
                         "are refused; list sectors in infinite_inventories_sect instead)")
    return float(value)


def ario_params(scenario: Scenario, overrides: Mapping[str, Any] | None = None) -> Any:
    """The ``ARIOParams`` of ``scenario``: BoARIO's ``ARIOPsiModel`` defaults with the
    file's overrides (BoARIO's names such as ``psi_param`` are accepted)."""
    defaults = _params_class()()
    values: dict[str, Any] = {}
    for name, value in {**scenario.model.parameters, **(overrides or {})}.items():
        field_name = PARAMETER_ALIASES.get(name, name)
        values[field_name] = _coerce_parameter(field_name, value,
                                               getattr(defaults, field_name))
    return dataclasses.replace(defaults, **values)


_PARAM_PATH = re.compile(r"^(?:model\.(\w+)|(events|mitigations)\[(\d+)\]\.(\w+))$")


def _numeric_field(model: type[BaseModel], name: str) -> bool:
    field = model.model_fields.get(name)
    if field is None:
        return False
    base = unwrap_type(field.annotation)
    return base in (int, float)


def _check_consistency(scenario: Scenario, file: str | None, lines: LineMap) -> None:
    horizon = scenario.horizon_days
    for group in ("events", "mitigations"):
        for i, item in enumerate(getattr(scenario, group)):
            problem = ev.horizon_problem(item, horizon)
            if problem is not None:
                raise _fail(problem[1], (group, i, problem[0]), file, lines)
    if scenario.model.parameters:
        allowed = model_parameter_names()
        params = scenario.model.parameters
        for name in params:
            if name not in allowed:
                near = close_matches(name, allowed, limit=1)
                hint = f"; did you mean '{near[0]}'?" if near else ""
                raise _fail(f"unknown model parameter '{name}'{hint} (allowed: "
                            f"{', '.join(allowed)})", ("model", name), file, lines)
        for name, value in params.items():
            field_name = PARAMETER_ALIASES.get(name, name)
            try:
                _coerce_parameter(field_name, value, getattr(_params_class()(), field_name))
            except (TypeError, ValueError) as exc:
                raise _fail(str(exc), ("model", name), file, lines) from None
    labels = [scenario.mitigation_label(i) for i in range(len(scenario.mitigations))]
    for v, variant in enumerate(scenario.variants):
        for k, ref in enumerate(variant.mitigations):
            path = ("variants", v, "mitigations", k)
            if isinstance(ref, int) and not 0 <= ref < len(labels):
                raise _fail(f"no mitigation {ref}: the scenario lists {len(labels)}",
                            path, file, lines)
            if isinstance(ref, str) and ref not in labels:
                raise UnknownNameError(ref, close_matches(ref, labels), kind="mitigation",
                                       location=Location(file, line_of(lines, path),
                                                         format_path(path)))
    if scenario.ensemble is not None:
        for key in scenario.ensemble.parameters:
            _check_parameter_path(scenario, key, file, lines)


def _check_parameter_path(scenario: Scenario, key: str, file: str | None,
                          lines: LineMap) -> None:
    path = ("ensemble", "parameters", key)
    m = _PARAM_PATH.match(key)
    if m is None:
        raise _fail(f"parameter '{key}' is not a path: use model.<parameter>, "
                    "events[i].<field> or mitigations[i].<field>", path, file, lines)
    if m.group(1):
        allowed = numeric_model_parameters()
        if m.group(1) not in allowed:
            near = close_matches(m.group(1), allowed, limit=1)
            hint = f"; did you mean '{near[0]}'?" if near else ""
            raise _fail(f"unknown or non-numeric model parameter '{m.group(1)}'{hint} "
                        f"(numeric parameters: {', '.join(allowed)})", path, file, lines)
        return
    group, index, name = m.group(2), int(m.group(3)), m.group(4)
    items = getattr(scenario, group)
    if index >= len(items):
        raise _fail(f"'{key}': the scenario has {len(items)} {group}", path, file, lines)
    item = items[index]
    if not _numeric_field(type(item), name):
        numeric = [f for f in type(item).model_fields if _numeric_field(type(item), f)]
        raise _fail(f"'{key}': {item.type} has no numeric field '{name}' (numeric fields: "
                    f"{', '.join(numeric)})", path, file, lines)


def suggestions(name: str, choices: Sequence[str]) -> list[str]:
    """Close matches (:func:`econsec.suggest.close_matches`); when one is near-certain
    (rapidfuzz WRatio ≥ 85), only those within 10 points of it."""
    from rapidfuzz import fuzz

    found = close_matches(name, choices)
    if not found:
        return found
    scores = [fuzz.WRatio(name, c) for c in found]
    best = max(scores)
    if best < 85:
        return found
    return [c for c, score in zip(found, scores, strict=True) if score >= best - 10]


def check_names(scenario: Scenario, regions: Sequence[str], sectors: Sequence[str]) -> None:
    """Check every region and sector name against the MRIO's; the first unknown one raises
    :class:`UnknownNameError` with close matches, at its path (``events[2].sector``) and
    line in the scenario file."""
    known = {"region": list(regions), "sector": list(sectors)}
    for path, kind, name in ev.names_in(scenario):
        if name not in known[kind]:
            raise UnknownTableNameError(name, suggestions(name, known[kind]), known[kind],
                                        kind=kind, location=scenario.location(path))


#: An unknown region or sector: the close matches, then every name the table has.
UNKNOWN_WITH_MATCHES = ("unknown %(kind)s '%(name)s'; did you mean: %(suggestions)s? The "
                        "table's names: %(valid)s")
UNKNOWN_WITHOUT_MATCHES = "unknown %(kind)s '%(name)s'; the table's names: %(valid)s"


class UnknownTableNameError(UnknownNameError):
    """A region or sector the scenario's table does not have; ``valid`` lists the table's
    names (also in the message, after the close matches)."""

    def __init__(self, name: str, suggestions: Sequence[str], valid: Sequence[str], *,
                 kind: str, location: Location | None = None) -> None:
        super().__init__(name, suggestions, location=location, kind=kind)
        self.valid = tuple(valid)
        fill = {**(self.params or {}), "valid": ", ".join(self.valid)}
        self.msgid = UNKNOWN_WITH_MATCHES if self.suggestions else UNKNOWN_WITHOUT_MATCHES
        self.params = self._fill = fill
        self.message = self.msgid % fill
        self.args = (str(self),)


def build_events(scenario: Scenario) -> list[ev.Event]:
    """The events (:mod:`econsec.io_models.events`) of ``scenario``, as the simulator takes
    them."""
    return list(scenario.events)


def build_mitigations(scenario: Scenario, indices: Sequence[int] | None = None
                      ) -> list[ev.Mitigation]:
    """The mitigations of ``scenario`` (only those at ``indices`` if given)."""
    chosen = range(len(scenario.mitigations)) if indices is None else indices
    return [scenario.mitigations[i] for i in chosen]


def with_values(scenario: Scenario, values: Mapping[str, Any]) -> Scenario:
    """A copy of ``scenario`` with ensemble parameter paths set to ``values``, re-validated
    (a drawn value outside a field's range raises :class:`ValidationError` naming it)."""
    data = scenario.model_dump(exclude={"ensemble"}, exclude_none=True)
    data["model"] = {"type": scenario.model.type, **scenario.model.parameters}
    for key, value in values.items():
        m = _PARAM_PATH.match(key)
        if m is None:
            raise ValidationError(f"parameter '{key}' is not a path",
                                  location=Location(column=f"ensemble.parameters[{key!r}]"))
        if m.group(1):
            data["model"][m.group(1)] = value
            continue
        item = data[m.group(2)][int(m.group(3))]
        spec = type(getattr(scenario, m.group(2))[int(m.group(3))])
        if unwrap_type(spec.model_fields[m.group(4)].annotation) is int:
            value = round(value)
        item[m.group(4)] = value
    try:
        out = Scenario.model_validate(data)
        _check_consistency(out, None, {})
    except PydanticValidationError as exc:
        error = validation_error(exc, Scenario)
        raise ValidationError(
            f"a drawn value is not allowed: {error.message} (values: "
            f"{', '.join(f'{k}={v:g}' for k, v in values.items())}); narrow or clip the "
            "distribution", location=error.location) from None
    except ValidationError as exc:
        raise ValidationError(f"a drawn value is not allowed: {exc.message}; narrow or "
                              "clip the distribution", location=exc.location) from None
    return out
