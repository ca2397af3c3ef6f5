"""The state machine of an exercise session, pure: what each step may do and what it logs.

An exercise is ``setup`` until the facilitator starts it, then ``running`` (``paused`` in
between if wanted) until it is ``ended``. Time is the exercise clock in minutes; advancing
it makes injects and decision points *due* (``at_minute`` reached); the facilitator
releases each due one once. The simulated day of the exercise is the latest day of what was
released (the scenario's day 0 before anything). Teams enter moves (measures with
parameters inside their allowed ranges) while the exercise runs, and answer each decision
point addressed to them once. Nothing is accepted after the end.

Each step returns the :class:`Entry` to append to the log; :mod:`econsec.exercises.store`
writes it in one transaction with the new status and clock.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from econsec.errors import Location, ValidationError
from econsec.exercises.schema import (
    DecisionPoint,
    Exercise,
    Inject,
    MeasureChoice,
    check_choice,
)
from econsec.i18n.terms import N_
from econsec.policy.catalogue import Catalogue

SETUP, RUNNING, PAUSED, ENDED = "setup", "running", "paused", "ended"
#: Moves a team may enter in one step, and in one exercise.
MAX_MEASURES_PER_MOVE = 6
MAX_MOVES_PER_TEAM = 30


@dataclass(frozen=True)
class Entry:
    """One line of the timeline (``exercise_log``)."""

    kind: str
    clock: int
    actor: str = ""
    team: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    seq: int = 0
    at: str = ""
    result: dict[str, Any] | None = None
    job_id: str | None = None


@dataclass(frozen=True)
class State:
    """An exercise session: its definition, status, clock and timeline."""

    exercise: Exercise
    status: str = SETUP
    clock: int = 0
    log: tuple[Entry, ...] = ()

    # ------------------------------------------------------------ derived

    def released(self) -> set[str]:
        return {e.payload["item"] for e in self.log
                if e.kind in ("inject_released", "decision_opened")}

    def due(self) -> list[Inject | DecisionPoint]:
        """Injects and decision points whose minute has come and that are not released."""
        done = self.released()
        return [i for i in self.exercise.timeline()
                if i.at_minute <= self.clock and i.id not in done]

    def day(self) -> int:
        """The simulated day: the latest day of what was released (0 before anything)."""
        days = [int(e.payload.get("day", 0)) for e in self.log
                if e.kind in ("inject_released", "decision_opened")]
        return max(days, default=0)

    def moves(self) -> list[Entry]:
        """Moves and decisions that take measures, in order."""
        return [e for e in self.log if e.kind in ("move", "decision")
                and e.payload.get("measures")]

    def decided(self, point_id: str, team: str) -> Entry | None:
        return next((e for e in self.log if e.kind == "decision" and e.team == team
                     and e.payload.get("decision") == point_id), None)

    def open_decisions(self, team: str) -> list[DecisionPoint]:
        """The released decision points addressed to ``team`` it has not answered."""
        done = self.released()
        return [p for p in self.exercise.decision_points
                if p.id in done and team in p.teams and self.decided(p.id, team) is None]

    def event_changes(self) -> list[dict[str, Any]]:
        """The event changes of the released injects, in release order."""
        out = []
        for e in self.log:
            if e.kind == "inject_released":
                item = self.exercise.item(e.payload["item"])
                if isinstance(item, Inject) and item.event_change is not None:
                    out.append({"event": item.event_change.event,
                                **item.event_change.changes(), "day": item.day})
        return out


ENDED_REFUSAL = N_("the exercise has ended: nothing more can be done in it")
WRONG_STATUS = N_("this step needs the exercise %(needed)s (it is %(status)s)")
BAD_MINUTES = N_("minutes must be between 1 and the %(left)s minute(s) left of the exercise "
                 "(got %(minutes)s)")
RELEASED_ALREADY = N_("'%(item)s' was released already")
NOT_DUE = N_("'%(item)s' is due at minute %(at)s; the clock is at %(clock)s")
NO_MEASURE = N_("a move takes at least one measure")
TOO_MANY_MEASURES = N_("a move takes at most %(limit)s measures")
TOO_MANY_MOVES = N_("team '%(team)s' has made the most moves an exercise takes (%(limit)s)")
NOT_A_DECISION = N_("'%(item)s' is an inject, not a decision point")
NOT_OPENED = N_("decision point '%(item)s' has not been opened yet")
NOT_ADDRESSED = N_("decision point '%(item)s' is not addressed to team '%(team)s'")
ANSWERED = N_("team '%(team)s' has answered decision point '%(item)s' already")
NO_OPTION = N_("decision point '%(item)s' has no option '%(option)s' (options: %(options)s)")


def _refuse(message: str, column: str | None = None, **params: Any) -> ValidationError:
    return ValidationError(message, location=Location(column=column), params=params)


def _need(state: State, *statuses: str) -> None:
    if state.status not in statuses:
        if state.status == ENDED:
            raise _refuse(ENDED_REFUSAL)
        raise _refuse(WRONG_STATUS, needed=" / ".join(statuses), status=state.status)


def start(state: State, actor: str) -> tuple[State, Entry]:
    _need(state, SETUP)
    entry = Entry("started", state.clock, actor)
    return replace(state, status=RUNNING), entry


def pause(state: State, actor: str) -> tuple[State, Entry]:
    _need(state, RUNNING)
    return replace(state, status=PAUSED), Entry("paused", state.clock, actor)


def resume(state: State, actor: str) -> tuple[State, Entry]:
    _need(state, PAUSED)
    return replace(state, status=RUNNING), Entry("resumed", state.clock, actor)


def advance(state: State, minutes: int, actor: str) -> tuple[State, Entry]:
    """Move the clock on by ``minutes`` (1 … the time left)."""
    _need(state, RUNNING)
    left = state.exercise.duration_minutes - state.clock
    if minutes < 1 or minutes > left:
        raise _refuse(BAD_MINUTES, "minutes", left=left, minutes=minutes)
    clock = state.clock + minutes
    due = [i.id for i in state.exercise.timeline()
           if state.clock < i.at_minute <= clock]
    return replace(state, clock=clock), Entry("advanced", clock, actor,
                                              payload={"minutes": minutes, "due": due})


def release(state: State, item_id: str, actor: str) -> tuple[State, Entry]:
    """Release a due inject or decision point (once)."""
    _need(state, RUNNING)
    item = state.exercise.item(item_id)
    if item.id in state.released():
        raise _refuse(RELEASED_ALREADY, "item", item=item.id)
    if item.at_minute > state.clock:
        raise _refuse(NOT_DUE, "item", item=item.id, at=item.at_minute, clock=state.clock)
    kind = "inject_released" if isinstance(item, Inject) else "decision_opened"
    return state, Entry(kind, state.clock, actor, payload={"item": item.id, "day": item.day})


def _choices(state: State, team: str, choices: Sequence[MeasureChoice],
             catalogue: Catalogue) -> list[dict[str, Any]]:
    if not choices:
        raise _refuse(NO_MEASURE, "measure")
    if len(choices) > MAX_MEASURES_PER_MOVE:
        raise _refuse(TOO_MANY_MEASURES, "measure", limit=MAX_MEASURES_PER_MOVE)
    out = []
    for choice in choices:
        values = check_choice(state.exercise, team, choice, catalogue)
        out.append({"measure": choice.measure, "parameters": values})
    return out


def move(state: State, team: str, choices: Sequence[MeasureChoice], catalogue: Catalogue,
         actor: str, note: str = "") -> tuple[State, Entry]:
    """A team's move: measures with parameters inside its allowed ranges, taking effect
    from the current simulated day."""
    _need(state, RUNNING)
    state.exercise.team(team)
    made = sum(1 for e in state.log if e.kind == "move" and e.team == team)
    if made >= MAX_MOVES_PER_TEAM:
        raise _refuse(TOO_MANY_MOVES, team=team, limit=MAX_MOVES_PER_TEAM)
    measures = _choices(state, team, choices, catalogue)
    payload = {"measures": measures, "day": state.day(), "note": note[:2000]}
    return state, Entry("move", state.clock, actor, team, payload)


def decide(state: State, team: str, point_id: str, option_id: str, catalogue: Catalogue,
           actor: str) -> tuple[State, Entry]:
    """A team's answer to a released decision point addressed to it (once)."""
    _need(state, RUNNING)
    state.exercise.team(team)
    point = state.exercise.item(point_id)
    if not isinstance(point, DecisionPoint):
        raise _refuse(NOT_A_DECISION, "decision", item=point_id)
    if point.id not in state.released():
        raise _refuse(NOT_OPENED, "decision", item=point.id)
    if team not in point.teams:
        raise _refuse(NOT_ADDRESSED, "decision", item=point.id, team=team)
    if state.decided(point.id, team) is not None:
        raise _refuse(ANSWERED, "decision", item=point.id, team=team)
    option = next((o for o in point.options if o.id == option_id), None)
    if option is None:
        raise _refuse(NO_OPTION, "option", item=point.id, option=option_id,
                      options=", ".join(o.id for o in point.options))
    measures = ([{"measure": c.measure,
                  "parameters": check_choice(state.exercise, team, c, catalogue)}
                 for c in option.measures])
    payload = {"decision": point.id, "option": option.id, "measures": measures,
               "day": state.day()}
    return state, Entry("decision", state.clock, actor, team, payload)


def end(state: State, actor: str) -> tuple[State, Entry]:
    _need(state, RUNNING, PAUSED)
    return replace(state, status=ENDED), Entry("ended", state.clock, actor)


def parse_choices(items: Sequence[Mapping[str, Any]]) -> list[MeasureChoice]:
    """Measure choices from JSON (``[{measure, parameters}]``), validated."""
    from pydantic import ValidationError as PydanticValidationError

    from econsec.documents import validation_error

    out = []
    for i, item in enumerate(items):
        try:
            out.append(MeasureChoice.model_validate(item))
        except PydanticValidationError as exc:
            error = validation_error(exc, MeasureChoice)
            raise ValidationError(f"measures[{i}]: {error.message}",
                                  location=Location(column=f"measures[{i}]")) from None
    return out
