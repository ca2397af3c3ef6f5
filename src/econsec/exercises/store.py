"""Exercise sessions in the knowledge base (migration 0005: ``exercises``,
``exercise_teams``, ``exercise_members``, ``exercise_log``), so that every browser and every
worker process sees the same exercise.

A step (:mod:`econsec.exercises.engine`) runs on the state read in its transaction and is
written with the next ``seq`` and a bumped ``revision`` only if nobody changed the exercise
in between (optimistic: the update checks the revision read; two steps at once are retried
in turn). Pages poll :meth:`ExerciseStore.revision` to know when to refresh.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from econsec.errors import NotFoundError, StoreError, ValidationError
from econsec.exercises.engine import ENDED, RUNNING, Entry, State
from econsec.exercises.schema import Exercise, from_json
from econsec.kb import models as m

EX, TEAMS, MEMBERS, LOG = m.EXERCISES, m.EXERCISE_TEAMS, m.EXERCISE_MEMBERS, m.EXERCISE_LOG
Step = Callable[[State], tuple[State, Entry]]
RETRIES = 8


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def parse_id(value: str | int) -> int:
    """An exercise id from a path or the command line; :class:`NotFoundError` otherwise."""
    text = str(value).strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 9:
        shown = text[:20] if text.isprintable() else "…"
        raise NotFoundError(f"no exercise '{shown}' (ids are whole numbers: econsec "
                            "exercise list)")
    return int(text)


class ExerciseStore:
    """Exercise sessions on ``engine`` (the knowledge base's)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # ------------------------------------------------------------ create and read

    def create(self, exercise: Exercise, *, name: str, sha256: str, actor: str,
               org_id: int | None = None) -> int:
        now = _now()
        with self.engine.begin() as conn:
            new_id = conn.execute(insert(EX).values(
                title=exercise.name["en"], definition_name=name[:200], definition_sha256=sha256,
                definition=json.dumps(exercise.to_json(), ensure_ascii=False),
                status="setup", clock=0, revision=1, baseline=None, baseline_job=None,
                created_by=actor, org_id=org_id, created_at=now, updated_at=now)
            ).inserted_primary_key
            exercise_id = int(new_id[0]) if new_id else 0
            for team in exercise.teams:
                conn.execute(insert(TEAMS).values(exercise_id=exercise_id, team=team.id))
            conn.execute(insert(LOG).values(
                exercise_id=exercise_id, seq=1, at=now, clock=0, kind="created", team=None,
                actor=actor, payload=json.dumps({"file": name[:200]}), result=None))
        return exercise_id

    def _row(self, conn: Any, exercise_id: int) -> Any:
        row = conn.execute(select(EX).where(EX.c.id == exercise_id)).first()
        if row is None:
            raise NotFoundError(f"no exercise {exercise_id} (econsec exercise list)")
        return row

    def info(self, exercise_id: int) -> dict[str, Any]:
        """The exercise's row without its definition and log."""
        with self.engine.connect() as conn:
            row = self._row(conn, exercise_id)
        return _info(row)

    def load(self, exercise_id: int) -> tuple[State, dict[str, Any]]:
        """The state (definition, status, clock, log) and the row's other facts."""
        with self.engine.connect() as conn:
            row = self._row(conn, exercise_id)
            entries = conn.execute(select(LOG).where(LOG.c.exercise_id == exercise_id)
                                   .order_by(LOG.c.seq)).all()
        return _state(row, entries), _info(row)

    def sessions(self, org_id: int | None = None) -> list[dict[str, Any]]:
        """Every exercise (of organisation ``org_id`` when given), newest first."""
        query = select(*[c for c in EX.c if c.name not in ("definition", "baseline")]
                       ).order_by(EX.c.id.desc())
        if org_id is not None:
            query = query.where(EX.c.org_id == org_id)
        with self.engine.connect() as conn:
            return [_info(row) for row in conn.execute(query)]

    def revision(self, exercise_id: int) -> int:
        with self.engine.connect() as conn:
            value = conn.execute(select(EX.c.revision).where(EX.c.id == exercise_id)).scalar()
        if value is None:
            raise NotFoundError(f"no exercise {exercise_id}")
        return int(value)

    # ------------------------------------------------------------ steps

    def step(self, exercise_id: int, step: Step) -> Entry:
        """Run ``step`` on the current state and write what it logs (retried when another
        step was written in between)."""
        for attempt in range(RETRIES):
            with self.engine.connect() as conn:
                row = self._row(conn, exercise_id)
                entries = conn.execute(select(LOG).where(LOG.c.exercise_id == exercise_id)
                                       .order_by(LOG.c.seq)).all()
            state = _state(row, entries)
            new_state, entry = step(state)
            seq = (entries[-1].seq if entries else 0) + 1
            now = _now()
            values: dict[str, Any] = {"status": new_state.status, "clock": new_state.clock,
                                      "revision": row.revision + 1, "updated_at": now}
            if new_state.status == RUNNING and row.started_at is None:
                values["started_at"] = now
            if new_state.status == ENDED and row.ended_at is None:
                values["ended_at"] = now
            try:
                with self.engine.begin() as conn:
                    changed = conn.execute(update(EX).where(
                        EX.c.id == exercise_id, EX.c.revision == row.revision
                    ).values(**values)).rowcount
                    if not changed:
                        raise _Conflict
                    conn.execute(insert(LOG).values(
                        exercise_id=exercise_id, seq=seq, at=now, clock=entry.clock,
                        kind=entry.kind, team=entry.team, actor=entry.actor[:200],
                        payload=json.dumps(entry.payload, ensure_ascii=False), result=None))
            except (_Conflict, IntegrityError):
                time.sleep(0.01 * (attempt + 1))
                continue
            return Entry(entry.kind, entry.clock, entry.actor, entry.team, entry.payload,
                         seq=seq, at=now)
        raise StoreError("the exercise changed too often at once; try again")

    def _touch(self, conn: Any, exercise_id: int) -> None:
        conn.execute(update(EX).where(EX.c.id == exercise_id).values(
            revision=EX.c.revision + 1, updated_at=_now()))

    def set_job(self, exercise_id: int, seq: int, job_id: str | None) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(LOG).where(LOG.c.exercise_id == exercise_id, LOG.c.seq == seq)
                         .values(job_id=job_id))
            self._touch(conn, exercise_id)

    def set_result(self, exercise_id: int, seq: int, result: dict[str, Any]) -> None:
        """Record the recomputed result of a move (and cache its baseline)."""
        with self.engine.begin() as conn:
            conn.execute(update(LOG).where(LOG.c.exercise_id == exercise_id, LOG.c.seq == seq)
                         .values(result=json.dumps(result, ensure_ascii=False)))
            self._touch(conn, exercise_id)
        if "baseline_key" in result:
            self.save_reference(exercise_id, "baselines", result["baseline"],
                                key=result["baseline_key"])

    def references(self, exercise_id: int) -> dict[str, Any]:
        """Cached reference runs: baselines by events key, and ``best`` (the best set)."""
        with self.engine.connect() as conn:
            text = conn.execute(select(EX.c.baseline).where(EX.c.id == exercise_id)).scalar()
        return json.loads(text) if text else {}

    def save_reference(self, exercise_id: int, section: str, value: Any,
                       key: str | None = None) -> None:
        """Keep ``value`` as reference ``section`` (under ``key`` in it when given)."""
        for _ in range(RETRIES):
            with self.engine.begin() as conn:
                text = conn.execute(select(EX.c.baseline).where(EX.c.id == exercise_id)
                                    ).scalar()
                refs = json.loads(text) if text else {}
                if key is None:
                    refs[section] = value
                else:
                    refs.setdefault(section, {})[key] = value
                changed = conn.execute(update(EX).where(
                    EX.c.id == exercise_id,
                    EX.c.baseline.is_(None) if text is None else EX.c.baseline == text
                ).values(baseline=json.dumps(refs, ensure_ascii=False),
                         revision=EX.c.revision + 1, updated_at=_now())).rowcount
            if changed:
                return
        raise StoreError("the exercise changed too often at once; try again")

    # ------------------------------------------------------------ members

    def user_id(self, name: str) -> int:
        with self.engine.connect() as conn:
            value = conn.execute(select(m.USERS.c.id).where(m.USERS.c.name == name)).scalar()
        if value is None:
            raise NotFoundError(f"no user '{name[:60]}'")
        return int(value)

    def assign(self, exercise_id: int, user: str, team: str, by: str) -> None:
        """Put ``user`` in ``team`` (replacing any team it had in this exercise)."""
        state, _ = self.load(exercise_id)
        state.exercise.team(team)
        if state.status == ENDED:
            raise ValidationError("the exercise has ended: teams no longer change")
        user_id = self.user_id(user)
        with self.engine.begin() as conn:
            conn.execute(MEMBERS.delete().where(MEMBERS.c.exercise_id == exercise_id,
                                                MEMBERS.c.user_id == user_id))
            conn.execute(insert(MEMBERS).values(exercise_id=exercise_id, user_id=user_id,
                                                team=team, since=_now(), added_by=by[:200]))
            self._touch(conn, exercise_id)

    def unassign(self, exercise_id: int, user: str) -> None:
        user_id = self.user_id(user)
        with self.engine.begin() as conn:
            conn.execute(MEMBERS.delete().where(MEMBERS.c.exercise_id == exercise_id,
                                                MEMBERS.c.user_id == user_id))
            self._touch(conn, exercise_id)

    def members(self, exercise_id: int) -> list[dict[str, str]]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(m.USERS.c.name, m.USERS.c.display_name, MEMBERS.c.team)
                                .join(m.USERS, m.USERS.c.id == MEMBERS.c.user_id)
                                .where(MEMBERS.c.exercise_id == exercise_id)
                                .order_by(MEMBERS.c.team, m.USERS.c.name)).all()
        return [{"user": r.name, "display_name": r.display_name or r.name, "team": r.team}
                for r in rows]

    def team_of(self, exercise_id: int, user_id: int) -> str | None:
        with self.engine.connect() as conn:
            value = conn.execute(select(MEMBERS.c.team).where(
                MEMBERS.c.exercise_id == exercise_id, MEMBERS.c.user_id == user_id)).scalar()
        return None if value is None else str(value)

    def count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(EX)).scalar() or 0)


class _Conflict(Exception):
    pass


def _info(row: Any) -> dict[str, Any]:
    data = row._mapping
    return {k: data[k] for k in ("id", "title", "definition_name", "definition_sha256",
                                 "status", "clock", "revision", "created_by", "org_id",
                                 "created_at", "started_at", "ended_at", "updated_at")
            if k in data}


def _state(row: Any, entries: Any) -> State:
    exercise = from_json(json.loads(row.definition))
    log = tuple(Entry(kind=e.kind, clock=e.clock, actor=e.actor, team=e.team,
                      payload=json.loads(e.payload), seq=e.seq, at=e.at,
                      result=json.loads(e.result) if e.result else None, job_id=e.job_id)
                for e in entries)
    return State(exercise, row.status, row.clock, log)
