"""Transfer cases and loaded designated-technology lists in the knowledge base.

Tables ``tech_lists``, ``transfer_cases`` and ``transfer_case_events`` (migration 0002).
Every change runs in ONE transaction and is validated before anything is written: an
unknown technology or country, a bad channel or an invalid status move raises and leaves
the database as it was. Reads return the plain dataclasses of :mod:`econsec.techmgmt.cases`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from econsec.datasets.countries import resolve_country
from econsec.errors import (
    EconsecError,
    Location,
    NotFoundError,
    StoreError,
    Term,
    UnknownNameError,
    ValidationError,
)
from econsec.i18n.terms import N_
from econsec.kb import models as m
from econsec.techmgmt.cases import (
    MAX_NOTE_CHARS,
    NO_CASE,
    CaseEvent,
    Decision,
    Status,
    TransferCase,
    assess_prior_report,
    check_decision_date,
    check_step_date,
    check_text,
    check_transition,
    parse_case_id,
    parse_channel,
    shown,
)
from econsec.techmgmt.groups import group_status
from econsec.techmgmt.registry import (
    Registry,
    TechnologyList,
    bundled_list,
    parse_technology_list,
)

LISTS = m.TECH_LISTS
CASES = m.TRANSFER_CASES
EVENTS = m.TRANSFER_CASE_EVENTS


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def parse_date(value: str | date, what: str = "date", field: str | None = None) -> date:
    """An ISO date (``YYYY-MM-DD``); :class:`ValidationError` naming ``what`` (and, as its
    location, the input ``field``) otherwise."""
    if isinstance(value, date):
        return value
    try:
        text = value.strip()
        if len(text) != 10:  # fromisoformat also takes 20250601 and week dates
            raise ValueError(text)
        return date.fromisoformat(text)
    except (ValueError, AttributeError):
        raise ValidationError(N_("%(what)s: '%(value)s' is not a date (YYYY-MM-DD)"),
                              params={"what": Term(what), "value": shown(value, 40)},
                              location=Location(column=field)) from None


def _located(exc: UnknownNameError, field: str) -> UnknownNameError:
    if exc.location.column is None:
        exc.location = Location(exc.location.file, exc.location.line, field)
    return exc


class TechStore:
    """Technology-management records on an open :class:`econsec.kb.store.Store`."""

    def __init__(self, store: Any) -> None:
        self.engine = store.engine

    def _write(self, work: Any) -> Any:
        try:
            with self.engine.begin() as conn:
                return work(conn)
        except EconsecError:
            raise
        except SQLAlchemyError as exc:
            # The database's own one-line reason: never the SQL or its parameters.
            original = getattr(exc, "orig", None) or exc
            reason = (str(original).splitlines() or [type(original).__name__])[0][:300]
            raise StoreError("write failed, nothing was stored: %(reason)s",
                             params={"reason": reason}) from exc

    # ------------------------------------------------------------------ lists

    def stored_lists(self) -> list[TechnologyList]:
        """Lists loaded with :meth:`save_list`, in loading order."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(LISTS).order_by(LISTS.c.loaded_at, LISTS.c.key)).mappings()
            return [parse_technology_list(r["yaml_text"], r["origin"] or r["key"],
                                          origin=r["origin"] or r["key"]) for r in rows]

    def registry(self) -> Registry:
        """The bundled list plus every stored list (newest notice date wins)."""
        return Registry([bundled_list(), *self.stored_lists()])

    def save_list(self, lst: TechnologyList) -> dict[str, Any]:
        """Store a validated list (same id and version again: replaced)."""
        row = {"key": lst.key, "list_id": lst.header.id, "version": lst.header.version,
               "notice_date": lst.header.notice_date.isoformat(), "title": lst.header.title,
               "publisher": lst.header.publisher, "origin": lst.origin, "sha256": lst.sha256,
               "yaml_text": lst.text, "loaded_at": _now()}

        def work(conn: Connection) -> None:
            conn.execute(LISTS.delete().where(LISTS.c.key == lst.key))
            conn.execute(insert(LISTS), [row])

        self._write(work)
        return lst.as_dict()

    # ------------------------------------------------------------------ cases

    def create_case(self, *, technology: str, counterparty: str, country: str, channel: str,
                    decision_date: str | date, actor: str = "", note: str = "",
                    org_id: int | None = None) -> TransferCase:
        """Validate and store a new case in status ``draft`` (with its first event).

        ``org_id``: the organisation whose case it is (the signed-in user's; None in
        single-user mode and on the command line): only that organisation sees it
        (:meth:`case`, :meth:`cases` and :meth:`move_case` with ``org_id``).

        ``technology``: id or name in a known list (:class:`UnknownTechnologyError` with
        close ids otherwise); ``country``: ISO code or name (:class:`UnknownCountryError`
        with suggestions otherwise).
        """
        try:
            tech = self.registry().resolve(technology)
        except UnknownNameError as exc:
            raise _located(exc, "technology") from None
        try:
            iso3 = resolve_country(country)
        except UnknownNameError as exc:
            raise _located(exc, "country") from None
        chan = parse_channel(channel)
        when = check_decision_date(parse_date(decision_date, N_("decision date"),
                                              "decision_date"),
                                   date.today())
        name = check_text(counterparty, "counterparty")
        if not name:
            raise ValidationError(N_("counterparty: a name is required"),
                                  location=Location(column="counterparty"))
        actor = check_text(actor, "actor")
        note = check_text(note, "note", limit=MAX_NOTE_CHARS, multiline=True)
        now = _now()

        def work(conn: Connection) -> int:
            result = conn.execute(insert(CASES).values(
                technology_id=tech.id, counterparty=name, country=iso3, channel=chan.value,
                decision_date=when.isoformat(), status=Status.DRAFT.value, created_at=now,
                created_by=actor, org_id=org_id))
            key = result.inserted_primary_key
            assert key is not None  # an INSERT of one row always has its key
            case_id = int(key[0])
            conn.execute(insert(EVENTS).values(
                case_id=case_id, seq=1, from_status=None, to_status=Status.DRAFT.value,
                on_date=date.today().isoformat(), actor=actor, note=note or "case created",
                recorded_at=now))
            return case_id

        return self.case(self._write(work), org_id=org_id)

    def case(self, case_id: int | str, *, org_id: int | None = None) -> TransferCase:
        """The case with its history; :class:`NotFoundError` when there is none (also for
        an id beyond :data:`~econsec.techmgmt.cases.MAX_CASE_ID`, and, with ``org_id``,
        for another organisation's case: the same answer, so its existence is not
        revealed), :class:`ValidationError` for an id that is not a whole number."""
        case_id = parse_case_id(case_id)
        with self.engine.connect() as conn:
            return self._case(conn, case_id, org_id)

    @staticmethod
    def _case(conn: Connection, case_id: int, org_id: int | None = None) -> TransferCase:
        case_id = parse_case_id(case_id)
        query = select(CASES).where(CASES.c.id == case_id)
        if org_id is not None:
            query = query.where(CASES.c.org_id == org_id)
        row = conn.execute(query).mappings().first()
        if row is None:
            raise NotFoundError(NO_CASE, params={"id": case_id},
                                location=Location(column="case_id"))
        events = tuple(
            CaseEvent(e["seq"], e["from_status"], e["to_status"],
                      date.fromisoformat(e["on_date"]), e["actor"], e["note"],
                      e["recorded_at"])
            for e in conn.execute(select(EVENTS).where(EVENTS.c.case_id == case_id)
                                  .order_by(EVENTS.c.seq)).mappings())
        return _to_case(row, events)

    def cases(self, *, org_id: int | None = None) -> list[TransferCase]:
        """Every case (without history), newest first; with ``org_id`` only that
        organisation's."""
        query = select(CASES).order_by(CASES.c.id.desc())
        if org_id is not None:
            query = query.where(CASES.c.org_id == org_id)
        with self.engine.connect() as conn:
            return [_to_case(r, ()) for r in conn.execute(query).mappings()]

    def move_case(self, case_id: int | str, status: str, *, note: str,
                  on: str | date | None = None, actor: str = "",
                  org_id: int | None = None) -> TransferCase:
        """Move a case to ``status`` with a dated note, in one transaction.

        Raises :class:`ValidationError` for a move :data:`~econsec.techmgmt.cases.TRANSITIONS`
        does not allow, an empty note, a date before the previous step or in the future
        (:func:`~econsec.techmgmt.cases.check_step_date`).
        """
        case_id = parse_case_id(case_id)
        today = date.today()
        when = (check_step_date(parse_date(on, N_("date"), "on"), today) if on is not None
                else today)
        note = check_text(note, "note", limit=MAX_NOTE_CHARS, multiline=True)
        actor = check_text(actor, "actor")
        if not note:
            raise ValidationError(N_("note: say why the case moves (a note is required)"),
                                  location=Location(column="note"))

        def work(conn: Connection) -> None:
            current = self._case(conn, case_id, org_id)
            target = check_transition(current.status, status)
            last = current.events[-1] if current.events else None
            if last is not None and when < last.on and last.from_status is not None:
                raise ValidationError(
                    N_("date %(date)s is before the previous step (%(previous)s)"),
                    params={"date": when.isoformat(), "previous": last.on.isoformat()},
                    location=Location(column="on"))
            seq = conn.execute(select(func.coalesce(func.max(EVENTS.c.seq), 0))
                               .where(EVENTS.c.case_id == case_id)).scalar_one() + 1
            conn.execute(update(CASES).where(CASES.c.id == case_id)
                         .values(status=target.value))
            conn.execute(insert(EVENTS).values(
                case_id=case_id, seq=seq, from_status=current.status.value,
                to_status=target.value, on_date=when.isoformat(), actor=actor,
                note=note, recorded_at=_now()))

        self._write(work)
        return self.case(case_id, org_id=org_id)

    def assess(self, case: TransferCase) -> Decision:
        """:func:`~econsec.techmgmt.cases.assess_prior_report` with this store's registry."""
        return assess_prior_report(case, self.registry(), group_status(case.country))


def _to_case(row: Any, events: tuple[CaseEvent, ...]) -> TransferCase:
    return TransferCase(row["id"], row["technology_id"], row["counterparty"], row["country"],
                        parse_channel(row["channel"]), date.fromisoformat(row["decision_date"]),
                        Status(row["status"]), row["created_at"], row["created_by"], events)
