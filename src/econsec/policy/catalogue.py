"""The 3P policy measure catalogue (promotion, protection, partnership) as versioned data.

The catalogue is a YAML file (bundled: ``econsec/data/policy/measures.yaml``) with a
``version:`` key and a list of ``measures``. Each measure states the findings it addresses,
its parameters (unit, default, range), how the scenario engine represents it
(:class:`ScenarioEffect`: a mitigation of :mod:`econsec.io_models.events` or a change of the
scenario's supply-cut events; ``scenario: null`` when the engine cannot represent it), the
time it takes to take effect, a cost proxy with its basis and references. Names, summaries
and texts are given in English and Japanese.

The file is read with :mod:`econsec.documents` (bounded YAML with a path → line map) and
validated with pydantic: an unknown key, a missing Japanese text or a value out of range is
an :mod:`econsec.errors` error naming the file, the line and the key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator
from pydantic import ValidationError as PydanticValidationError

from econsec.documents import LineMap, line_of, read_yaml, validation_error
from econsec.errors import (
    DataFormatError,
    Location,
    NotFoundError,
    UnknownNameError,
    ValidationError,
)
from econsec.suggest import close_matches

__all__ = [
    "Catalogue", "CostProxy", "FindingKind", "Measure", "MeasureParameter", "Pillar",
    "ScenarioEffect", "bundled_catalogue_path", "load_catalogue", "parse_catalogue",
]

Pillar = Literal["promotion", "protection", "partnership"]
PILLARS: tuple[Pillar, ...] = ("promotion", "protection", "partnership")
FindingKind = Literal["concentrated_dependency", "scenario_loss", "technology_leakage",
                      "chokepoint_exposure", "single_point_of_failure", "governance_gap"]
#: The engine representations a measure may name: the mitigation types of
#: :mod:`econsec.io_models.events`, and two changes of the scenario's supply-cut events.
EffectType = Literal["stockpile_release", "diversify_supplier", "substitute", "recycle",
                     "shorten_events", "lower_event_share"]
LANGUAGES = ("en", "ja")


def _bilingual(value: dict[str, str]) -> dict[str, str]:
    """A text in English and Japanese: exactly the keys ``en`` and ``ja``, neither empty."""
    missing = [lang for lang in LANGUAGES if not str(value.get(lang, "")).strip()]
    if missing:
        names = {"en": "English", "ja": "Japanese"}
        raise ValueError("missing the " + " and ".join(f"{names[m]} text '{m}'"
                                                        for m in missing))
    extra = sorted(set(value) - set(LANGUAGES))
    if extra:
        raise ValueError(f"unknown language '{extra[0]}' (give en and ja)")
    return value


Bilingual = Annotated[dict[str, str], AfterValidator(_bilingual)]
Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=80)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class MeasureParameter(_Strict):
    """A parameter of a measure: its ``name`` (used in scenario mappings and on the command
    line), ``unit``, ``default`` and range [``min``, ``max``], and its names."""

    name: Slug
    names: Bilingual
    unit: str
    default: float
    min: float
    max: float

    @model_validator(mode="after")
    def _ordered(self) -> MeasureParameter:
        if not self.min <= self.default <= self.max:
            raise ValueError(f"default {self.default:g} is outside [min, max] = "
                             f"[{self.min:g}, {self.max:g}]")
        return self

    def check(self, value: float, measure: str) -> float:
        """``value`` if it lies in the range, else a :class:`ValidationError` naming it."""
        if not self.min <= value <= self.max:
            raise ValidationError(f"parameter '{self.name}' of measure '{measure}' is "
                                  f"{value:g}, outside [{self.min:g}, {self.max:g}] "
                                  f"({self.unit})")
        return value


class ScenarioEffect(_Strict):
    """How the scenario engine represents a measure.

    ``type`` is a mitigation type of :mod:`econsec.io_models.events` (``stockpile_release``,
    ``diversify_supplier``, ``substitute``, ``recycle``) added for each supply cut of the
    scenario, or ``shorten_events`` / ``lower_event_share``, which change the scenario's
    export restrictions themselves. ``fields`` maps fields of the engine's record to the
    measure's parameters (what :mod:`econsec.policy.apply` computes from them is stated in
    ``engine``, in both languages).
    """

    type: EffectType
    fields: dict[str, str] = Field(default_factory=dict)
    engine: Bilingual


class CostProxy(_Strict):
    """A stated cost proxy: ``kind`` (who bears it), ``value`` in ``unit`` and the basis."""

    kind: Literal["fiscal", "administrative", "private"]
    value: Annotated[float, Field(ge=0)]
    unit: str
    basis: Bilingual


class Measure(_Strict):
    """One measure of the catalogue (see the module docstring)."""

    id: Slug
    pillar: Pillar
    names: Bilingual
    summary: Bilingual
    addresses: Annotated[list[FindingKind], Field(min_length=1)]
    parameters: list[MeasureParameter] = Field(default_factory=list)
    scenario: ScenarioEffect | None
    not_simulated: Bilingual | None = None
    time_to_effect_days: Annotated[int, Field(ge=0, le=36_500)]
    cost_proxy: CostProxy
    references: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> Measure:
        names = [p.name for p in self.parameters]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"parameter '{twice[0]}' is given twice")
        if self.scenario is not None:
            for field, param in self.scenario.fields.items():
                if param not in names:
                    raise ValueError(f"scenario.fields.{field} names parameter '{param}', "
                                     f"which the measure does not have (parameters: "
                                     f"{', '.join(names) or 'none'})")
        elif self.not_simulated is None:
            raise ValueError("a measure without a scenario representation states why in "
                             "not_simulated (en and ja)")
        return self

    @property
    def simulated(self) -> bool:
        return self.scenario is not None

    def parameter(self, name: str) -> MeasureParameter:
        for p in self.parameters:
            if p.name == name:
                return p
        raise UnknownNameError(name, close_matches(name, [p.name for p in self.parameters]),
                               kind=f"parameter of measure '{self.id}'")

    def values(self, given: Mapping[str, float] | None = None) -> dict[str, float]:
        """Every parameter's value: ``given`` (checked against its range) or the default;
        an unknown name is an error with close matches."""
        given = dict(given or {})
        for name in given:
            self.parameter(name)
        return {p.name: p.check(float(given[p.name]), self.id) if p.name in given
                else p.default for p in self.parameters}

    def name(self, lang: str) -> str:
        return self.names.get(lang) or self.names["en"]


class _CatalogueFile(_Strict):
    version: Annotated[str, Field(min_length=1, max_length=40)]
    measures: Annotated[list[Measure], Field(min_length=1)]


@dataclass(frozen=True)
class Catalogue:
    """A validated catalogue: its ``version``, the file read and the measures in order."""

    version: str
    source_file: str
    measures: tuple[Measure, ...]

    def ids(self) -> list[str]:
        return [m.id for m in self.measures]

    def get(self, measure_id: str) -> Measure:
        """The measure with this id; :class:`UnknownNameError` with close matches."""
        for m in self.measures:
            if m.id == measure_id:
                return m
        raise UnknownNameError(measure_id, close_matches(measure_id, self.ids()),
                               kind="measure")

    def for_finding(self, kind: FindingKind) -> list[Measure]:
        """The measures that address findings of ``kind``, in catalogue order."""
        return [m for m in self.measures if kind in m.addresses]

    def by_pillar(self) -> dict[str, list[Measure]]:
        return {p: [m for m in self.measures if m.pillar == p] for p in PILLARS}


def parse_catalogue(data: Any, *, file: str, lines: LineMap | None = None) -> Catalogue:
    """Validate a parsed catalogue document (see the module docstring)."""
    lines = lines or {}
    if not isinstance(data, Mapping):
        raise DataFormatError("a measure catalogue is a mapping with keys version and "
                              "measures", location=Location(file=file, line=1))
    if isinstance(data.get("version"), int | float) and not isinstance(data["version"], bool):
        data = {**data, "version": str(data["version"])}
    try:
        parsed = _CatalogueFile.model_validate(data)
    except PydanticValidationError as exc:
        raise validation_error(exc, _CatalogueFile, file=file, lines=lines) from None
    seen: dict[str, int] = {}
    for i, m in enumerate(parsed.measures):
        if m.id in seen:
            raise ValidationError(f"measure id '{m.id}' is used twice (first by measures"
                                  f"[{seen[m.id]}])",
                                  location=Location(file, line_of(lines, ("measures", i, "id")),
                                                    f"measures[{i}].id"))
        seen[m.id] = i
    return Catalogue(parsed.version, file, tuple(parsed.measures))


def bundled_catalogue_path() -> Path:
    return Path(str(resources.files("econsec.data").joinpath("policy/measures.yaml")))


def load_catalogue(path: str | Path | None = None) -> Catalogue:
    """Read and validate a catalogue file (None: the bundled one, read once)."""
    if path is None:
        return _bundled()
    return _load(Path(path))


@lru_cache(maxsize=1)
def _bundled() -> Catalogue:
    return _load(bundled_catalogue_path())


def _load(path: Path) -> Catalogue:
    if not path.is_file():
        raise NotFoundError(f"measure catalogue '{path}' not found")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DataFormatError(f"not UTF-8 text: {exc.reason}",
                              location=Location(str(path))) from None
    data, lines = read_yaml(text, file=str(path))
    return parse_catalogue(data, file=str(path), lines=lines)
