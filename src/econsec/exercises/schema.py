"""The exercise file format: a tabletop exercise (TTX) on a scenario, validated with pydantic.

An exercise names a scenario (a scenario file or ``worked:<name>``), the teams that play it
with their roles and the measures each team may take (ids of the 3P catalogue,
:mod:`econsec.policy.catalogue`, with parameter ranges that may be narrower than the
catalogue's), the injects the facilitator releases as exercise time passes (each at an
exercise minute and a simulated day, in English and Japanese, optionally changing one of
the scenario's events) and the decision points put to teams (options that may take
measures). Example::

    name: {en: Rare-earth licences withheld, ja: レアアース輸出許可の停止}
    scenario: worked:icio-china-critical-minerals-japan
    duration_minutes: 90
    teams:
      - id: government
        names: {en: Government (METI), ja: 政府（経済産業省）}
        role: {en: ..., ja: ...}
        measures:
          - {measure: stockpile-release, parameters: {days_of_use: {min: 10, max: 60}}}
    injects:
      - {id: licences, at_minute: 0, day: 10, text: {en: ..., ja: ...}}
      - id: escalation
        at_minute: 40
        day: 60
        text: {en: ..., ja: ...}
        event_change: {event: natural graphite, share: 0.95}
    decision_points:
      - id: stockpile
        at_minute: 10
        day: 20
        teams: [government]
        question: {en: ..., ja: ...}
        options:
          - {id: release, text: {en: ..., ja: ...},
             measures: [{measure: stockpile-release, parameters: {days_of_use: 60}}]}
          - {id: wait, text: {en: ..., ja: ...}}

Unknown keys are errors at every level; every problem is an :mod:`econsec.errors` error
naming the file, the line and the path of the value (``teams[1].measures[0].measure``).
:func:`check_against` checks what needs the scenario and the catalogue (measure ids,
parameter names and ranges, event labels).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator
from pydantic import ValidationError as PydanticValidationError

from econsec.documents import LineMap, format_path, line_of, read_yaml, validation_error
from econsec.errors import (
    DataFormatError,
    Location,
    NotFoundError,
    UnknownNameError,
    ValidationError,
)
from econsec.i18n.terms import N_
from econsec.policy.catalogue import Bilingual, Catalogue
from econsec.scenarios.schema import Scenario
from econsec.suggest import close_matches

Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=60)]
#: Event fields an inject may change (numeric fields of the scenario's events).
EVENT_CHANGE_FIELDS = ("share", "duration_days", "recovery_days")
WORKED_PACKAGE = "econsec.exercises"
NOT_ALLOWED_MEASURE = N_("team '%(team)s' may not take measure '%(measure)s' (its measures: "
                         "%(measures)s)")
OUT_OF_RANGE = N_("%(name)s of measure '%(measure)s' is %(value)s, outside the range "
                  "[%(low)s, %(high)s] allowed to team '%(team)s'")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Range(_Strict):
    """The range a team may choose a parameter in (inside the catalogue's range)."""

    min: float
    max: float

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if self.min > self.max:
            raise ValueError(f"min {self.min:g} is above max {self.max:g}")
        return self


class AllowedMeasure(_Strict):
    """A measure a team may take: its catalogue id and, per parameter, a narrower range."""

    measure: Slug
    parameters: dict[str, Range] = Field(default_factory=dict)


class Team(_Strict):
    """A team: ``id``, names, role and the measures it may take."""

    id: Slug
    names: Bilingual
    role: Bilingual
    measures: list[AllowedMeasure] = Field(default_factory=list)

    def allowed(self, measure_id: str) -> AllowedMeasure | None:
        return next((m for m in self.measures if m.measure == measure_id), None)


class EventChange(_Strict):
    """An inject's change of one scenario event (named by its label) from its release."""

    event: str
    share: float | None = None
    duration_days: int | None = None
    recovery_days: int | None = None

    def changes(self) -> dict[str, float | int]:
        return {k: v for k in EVENT_CHANGE_FIELDS if (v := getattr(self, k)) is not None}

    @model_validator(mode="after")
    def _something(self) -> EventChange:
        if not self.changes():
            raise ValueError("an event change sets at least one of "
                             + ", ".join(EVENT_CHANGE_FIELDS))
        return self


class Inject(_Strict):
    """News the facilitator releases at ``at_minute`` (exercise time) standing for
    simulated ``day``; ``teams``: who it is addressed to (empty: everybody)."""

    id: Slug
    at_minute: Annotated[int, Field(ge=0)]
    day: Annotated[int, Field(ge=0)]
    title: Bilingual
    text: Bilingual
    teams: list[Slug] = Field(default_factory=list)
    event_change: EventChange | None = None


class MeasureChoice(_Strict):
    """A measure with parameter values (a move, or what a decision option takes)."""

    measure: Slug
    parameters: dict[str, float] = Field(default_factory=dict)


class DecisionOption(_Strict):
    id: Slug
    text: Bilingual
    measures: list[MeasureChoice] = Field(default_factory=list)


class DecisionPoint(_Strict):
    """A question put to ``teams`` at ``at_minute`` (simulated ``day``); each team answers
    once with one of the ``options``."""

    id: Slug
    at_minute: Annotated[int, Field(ge=0)]
    day: Annotated[int, Field(ge=0)]
    teams: Annotated[list[Slug], Field(min_length=1)]
    question: Bilingual
    options: Annotated[list[DecisionOption], Field(min_length=2)]


class Exercise(_Strict):
    """An exercise file (see the module docstring)."""

    name: Bilingual
    description: Bilingual | None = None
    scenario: str
    duration_minutes: Annotated[int, Field(ge=1, le=24 * 60)]
    teams: Annotated[list[Team], Field(min_length=1, max_length=12)]
    injects: list[Inject] = Field(default_factory=list)
    decision_points: list[DecisionPoint] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)

    _file: str | None = PrivateAttr(None)
    _lines: dict[tuple[Any, ...], int] = PrivateAttr(default_factory=dict)

    @property
    def source_file(self) -> str | None:
        return self._file

    def location(self, path: Sequence[Any]) -> Location:
        return Location(self._file, line_of(self._lines, path), format_path(path) or None)

    def team(self, team_id: str) -> Team:
        for team in self.teams:
            if team.id == team_id:
                return team
        raise UnknownNameError(team_id, close_matches(team_id, [t.id for t in self.teams]),
                               kind="team", location=Location(column="team"))

    def timeline(self) -> list[Inject | DecisionPoint]:
        """Injects and decision points in the order they come due."""
        items: list[Inject | DecisionPoint] = [*self.injects, *self.decision_points]
        return sorted(items, key=lambda i: (i.at_minute, i.day, i.id))

    def item(self, item_id: str) -> Inject | DecisionPoint:
        for item in self.timeline():
            if item.id == item_id:
                return item
        raise UnknownNameError(item_id, close_matches(item_id, [i.id for i in self.timeline()]),
                               kind="inject or decision point", location=Location(column="item"))

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


def _fail(message: str, path: Sequence[Any], file: str | None, lines: LineMap
          ) -> ValidationError:
    return ValidationError(message, location=Location(file, line_of(lines, path),
                                                      format_path(path)))


def parse_exercise(data: Any, *, file: str | None = None, lines: LineMap | None = None
                   ) -> Exercise:
    """Validate a parsed exercise document: the schema, unique ids, teams named by
    injects and decision points, decision options' measures allowed to the teams."""
    lines = lines or {}
    if not isinstance(data, Mapping):
        raise DataFormatError("an exercise is a mapping with keys name, scenario, "
                              "duration_minutes, teams, injects, decision_points",
                              location=Location(file=file, line=1))
    try:
        exercise = Exercise.model_validate(data)
    except PydanticValidationError as exc:
        raise validation_error(exc, Exercise, file=file, lines=lines) from None
    _check_consistency(exercise, file, lines)
    exercise._file = file
    exercise._lines = dict(lines)
    return exercise


def _check_consistency(ex: Exercise, file: str | None, lines: LineMap) -> None:
    team_ids = [t.id for t in ex.teams]
    seen: dict[str, tuple[Any, ...]] = {}
    for i, team in enumerate(ex.teams):
        if team.id in seen:
            raise _fail(f"team id '{team.id}' is used twice", ("teams", i, "id"), file, lines)
        seen[team.id] = ("teams", i)
        measures = [m.measure for m in team.measures]
        for k, m in enumerate(measures):
            if measures.index(m) != k:
                raise _fail(f"measure '{m}' is listed twice for team '{team.id}'",
                            ("teams", i, "measures", k, "measure"), file, lines)
    ids: dict[str, str] = {}
    groups: list[tuple[str, Sequence[Inject | DecisionPoint]]] = [
        ("injects", ex.injects), ("decision_points", ex.decision_points)]
    for group, items in groups:
        for i, item in enumerate(items):
            where = (group, i)
            if item.id in ids:
                raise _fail(f"id '{item.id}' is used twice (also in {ids[item.id]})",
                            (*where, "id"), file, lines)
            ids[item.id] = group
            if item.at_minute > ex.duration_minutes:
                raise _fail(f"at_minute {item.at_minute} is after the end of the exercise "
                            f"(duration_minutes {ex.duration_minutes})",
                            (*where, "at_minute"), file, lines)
            for k, named in enumerate(item.teams):
                if named not in team_ids:
                    raise UnknownNameError(named, close_matches(named, team_ids), kind="team",
                                           location=Location(file, line_of(
                                               lines, (*where, "teams", k)),
                                               format_path((*where, "teams", k))))
    for i, point in enumerate(ex.decision_points):
        options = [o.id for o in point.options]
        for k, option in enumerate(point.options):
            if options.index(option.id) != k:
                raise _fail(f"option id '{option.id}' is used twice",
                            ("decision_points", i, "options", k, "id"), file, lines)
            for j, choice in enumerate(option.measures):
                path = ("decision_points", i, "options", k, "measures", j, "measure")
                allowed = [t.id for t in ex.teams if t.id in point.teams
                           and t.allowed(choice.measure) is not None]
                if len(allowed) != len(point.teams):
                    missing = sorted(set(point.teams) - set(allowed))
                    raise _fail(f"option '{option.id}' takes measure '{choice.measure}', "
                                f"which team(s) {', '.join(missing)} may not take (add it to "
                                "their measures)", path, file, lines)


def check_against(ex: Exercise, scenario: Scenario, catalogue: Catalogue) -> None:
    """Check what needs the scenario and the catalogue: every measure id exists, its
    parameter ranges lie inside the catalogue's, decision options' values lie inside the
    teams' ranges, and event changes name an event label of the scenario."""
    file = ex.source_file
    lines = ex._lines
    for i, team in enumerate(ex.teams):
        for k, allowed in enumerate(team.measures):
            path: tuple[Any, ...] = ("teams", i, "measures", k)
            try:
                measure = catalogue.get(allowed.measure)
            except UnknownNameError as exc:
                exc.location = Location(file, line_of(lines, (*path, "measure")),
                                        format_path((*path, "measure")))
                raise
            if measure.scenario is None:
                raise _fail(f"measure '{measure.id}' has no scenario representation, so a "
                            "move could not be recomputed; choose a simulated measure",
                            (*path, "measure"), file, lines)
            names = [p.name for p in measure.parameters]
            for name, rng in allowed.parameters.items():
                where = (*path, "parameters", name)
                if name not in names:
                    raise UnknownNameError(name, close_matches(name, names),
                                           kind=f"parameter of measure '{measure.id}'",
                                           location=Location(file, line_of(lines, where),
                                                             format_path(where)))
                p = measure.parameter(name)
                if rng.min < p.min or rng.max > p.max:
                    raise _fail(f"range [{rng.min:g}, {rng.max:g}] of '{name}' is not inside "
                                f"the catalogue's [{p.min:g}, {p.max:g}] ({p.unit})",
                                where, file, lines)
    for i, point in enumerate(ex.decision_points):
        for k, option in enumerate(point.options):
            for j, choice in enumerate(option.measures):
                path = ("decision_points", i, "options", k, "measures", j)
                for team_id in point.teams:
                    try:
                        check_choice(ex, team_id, choice, catalogue)
                    except ValidationError as exc:
                        raise _fail(exc.message, path, file, lines) from None
    labels = [e.label for e in scenario.events if e.label]
    for i, inject in enumerate(ex.injects):
        change = inject.event_change
        if change is not None and change.event not in labels:
            where = ("injects", i, "event_change", "event")
            raise UnknownNameError(change.event, close_matches(change.event, labels),
                                   kind="event label", location=Location(
                                       file, line_of(lines, where), format_path(where)))


def parameter_ranges(ex: Exercise, team_id: str, measure_id: str, catalogue: Catalogue
                     ) -> dict[str, tuple[float, float, float]]:
    """``{parameter: (min, max, default)}`` a team may choose for a measure: the team's
    range where the file narrows it, else the catalogue's; the default is clamped."""
    allowed = ex.team(team_id).allowed(measure_id)
    measure = catalogue.get(measure_id)
    out: dict[str, tuple[float, float, float]] = {}
    for p in measure.parameters:
        rng = allowed.parameters.get(p.name) if allowed is not None else None
        low, high = (rng.min, rng.max) if rng is not None else (p.min, p.max)
        out[p.name] = (low, high, min(max(p.default, low), high))
    return out


def check_choice(ex: Exercise, team_id: str, choice: MeasureChoice, catalogue: Catalogue
                 ) -> dict[str, float]:
    """The full parameter values of a team's choice (defaults filled in); a
    :class:`ValidationError` when the team may not take the measure or a value is outside
    the allowed range, :class:`UnknownNameError` for an unknown parameter."""
    team = ex.team(team_id)
    if team.allowed(choice.measure) is None:
        raise ValidationError(NOT_ALLOWED_MEASURE, params={
            "team": team_id, "measure": choice.measure,
            "measures": ", ".join(m.measure for m in team.measures)},
            location=Location(column="measure"))
    ranges = parameter_ranges(ex, team_id, choice.measure, catalogue)
    values: dict[str, float] = {}
    for name, value in choice.parameters.items():
        if name not in ranges:
            raise UnknownNameError(name, close_matches(name, list(ranges)),
                                   kind=f"parameter of measure '{choice.measure}'",
                                   location=Location(column=name))
        low, high, _ = ranges[name]
        if not low <= value <= high:
            raise ValidationError(OUT_OF_RANGE, params={
                "name": name, "measure": choice.measure, "value": f"{value:g}",
                "low": f"{low:g}", "high": f"{high:g}", "team": team_id},
                location=Location(column=name))
        values[name] = float(value)
    for name, (_, _, default) in ranges.items():
        values.setdefault(name, default)
    return values


# --------------------------------------------------------------------------- files


def worked_dir() -> Path:
    return Path(str(resources.files(WORKED_PACKAGE).joinpath("worked")))


def worked_exercises() -> list[str]:
    """The names of the worked exercises shipped with econsec."""
    return sorted(p.stem for p in worked_dir().glob("*.yaml"))


def resolve_exercise(ref: str | Path) -> Path:
    """The file of an exercise reference: a path or ``worked:<name>``."""
    text = str(ref)
    if text.startswith("worked:"):
        name = text.removeprefix("worked:")
        path = worked_dir() / f"{name}.yaml"
        if name in worked_exercises():
            return path
        known = worked_exercises()
        near = close_matches(name, known)
        hint = f"; did you mean: {', '.join(near)}?" if near else ""
        raise NotFoundError(f"no worked exercise '{name}'{hint} (known: {', '.join(known)})")
    path = Path(text)
    if not path.is_file():
        raise NotFoundError(f"exercise file '{text}' not found (worked exercises: "
                            f"{', '.join('worked:' + n for n in worked_exercises())})")
    return path


def load_exercise(ref: str | Path) -> tuple[Exercise, str]:
    """Read and validate an exercise file; returns it and the SHA-256 of its text."""
    path = resolve_exercise(ref)
    shown = str(ref) if str(ref).startswith("worked:") else str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DataFormatError(f"not UTF-8 text: {exc}", location=Location(file=shown)
                              ) from None
    return parse_text(text, file=shown)


def parse_text(text: str, *, file: str) -> tuple[Exercise, str]:
    """An exercise from YAML (or JSON) text, and the SHA-256 of the text."""
    data, lines = read_yaml(text, file=file)
    return parse_exercise(data, file=file, lines=lines), hashlib.sha256(
        text.encode("utf-8")).hexdigest()


def from_json(data: Mapping[str, Any]) -> Exercise:
    """An exercise kept as JSON in the knowledge base (validated again)."""
    return parse_exercise(json.loads(json.dumps(data)), file="stored exercise")


def scenario_ref(ex: Exercise) -> str:
    """The scenario reference, resolved against the exercise file's folder for a relative
    path."""
    ref = ex.scenario
    if ref.startswith("worked:") or ex.source_file is None or ex.source_file.startswith(
            ("worked:", "stored")):
        return ref
    candidate = Path(ex.source_file).parent / ref
    return str(candidate) if candidate.exists() else ref
