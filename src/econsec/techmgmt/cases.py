"""Prior-report transfer cases: the status workflow and the prior-report rules (pure).

Workflow (:data:`TRANSITIONS`)::

    draft -> reported -> in_dialogue -> closed
                 \\            \\
                  +------------+--> licence_required -> closed

``reported``: the prior report was filed with METI; ``in_dialogue``: METI and the company
discuss the transfer (the public-private dialogue); ``licence_required``: METI informed the
company that a FEFTA licence is needed (from ``reported`` or ``in_dialogue``); ``closed``:
the case is finished (after the dialogue, or once the licence decision is recorded).
A move not in the table raises :class:`~econsec.errors.ValidationError` naming from, to and
the allowed moves.

Bounds on what a case accepts (every refusal names the field in its location):

* case ids are whole numbers from 1 to :data:`MAX_CASE_ID` (2^63 - 1, SQLite's largest
  integer); any other number is "no such case", anything else is refused;
* the planned decision date lies between :data:`EARLIEST_DATE` (1950-01-01) and
  :data:`~econsec.techmgmt.limits.PLANNED_YEARS_AHEAD` (10) years from today;
* the date of a step (a status move) lies between :data:`EARLIEST_DATE` and
  :data:`STEP_DAYS_AHEAD` (1) day from today: a step records what happened, and a step
  dated in the far future would block every later step (they may not be dated earlier);
* names (counterparty, actor) hold no control characters and at most
  :data:`MAX_NAME_CHARS` characters; notes at most :data:`MAX_NOTE_CHARS` (line breaks and
  tabs allowed, other control characters not).

Prior-report rules (:func:`assess_prior_report`), after the FEFTA scheme in force from
2024-12-30 (FEFTA Art. 55-8, Foreign Exchange Order Art. 18-8(1), METI Notice No. 178 of
2024), as econsec reads it — not legal advice:

* **R1** the technology is designated on the planned decision date (newest list, entry in
  force on that date); an entry whose designation is unconfirmed (``sourced: false``) is
  treated as designated, and the reasons say so;
* **R2** the channel is one the scheme lists: investment in an overseas subsidiary or a
  joint venture, contract manufacturing abroad, licensing to a foreign firm;
* **R3** the counterparty is abroad (not in Japan).

A report is required iff R1, R2 and R3 hold. The reasons also state the country's
export-control Group A status (Appended Table 3 of the Export Trade Control Order): the
prior report does not depend on it, but a non-Group-A destination also falls under the
catch-all controls and deserves more scrutiny.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from econsec.errors import Location, NotFoundError, Term, ValidationError, translate_message
from econsec.i18n.terms import N_
from econsec.techmgmt.groups import GroupStatus
from econsec.techmgmt.limits import EARLIEST_DATE, PLANNED_YEARS_AHEAD, latest_planned_date
from econsec.techmgmt.registry import Registry
from econsec.textsafe import terminal_text


class Channel(StrEnum):
    """How the technology moves abroad."""

    SUBSIDIARY = "subsidiary"
    JOINT_VENTURE = "joint-venture"
    CONTRACT_MANUFACTURING = "contract-manufacturing"
    LICENSING = "licensing"


CHANNEL_LABELS = {
    Channel.SUBSIDIARY: N_("overseas subsidiary"),
    Channel.JOINT_VENTURE: N_("joint venture"),
    Channel.CONTRACT_MANUFACTURING: N_("contract manufacturing"),
    Channel.LICENSING: N_("licensing"),
}

#: Channels the prior-report scheme lists (rule R2).
REPORTABLE_CHANNELS = frozenset(Channel)


class Status(StrEnum):
    DRAFT = "draft"
    REPORTED = "reported"
    IN_DIALOGUE = "in_dialogue"
    LICENCE_REQUIRED = "licence_required"
    CLOSED = "closed"


STATUS_LABELS = {
    Status.DRAFT: N_("draft"),
    Status.REPORTED: N_("report filed"),
    Status.IN_DIALOGUE: N_("in dialogue"),
    Status.LICENCE_REQUIRED: N_("licence required"),
    Status.CLOSED: N_("closed"),
}

TRANSITIONS: dict[Status, tuple[Status, ...]] = {
    Status.DRAFT: (Status.REPORTED,),
    Status.REPORTED: (Status.IN_DIALOGUE, Status.LICENCE_REQUIRED),
    Status.IN_DIALOGUE: (Status.CLOSED, Status.LICENCE_REQUIRED),
    Status.LICENCE_REQUIRED: (Status.CLOSED,),
    Status.CLOSED: (),
}
"""Allowed moves: status -> statuses it may go to."""

HOME_COUNTRY = "JPN"

#: The largest case id (SQLite's largest integer); larger ids cannot exist.
MAX_CASE_ID = 2**63 - 1
#: A step may be dated at most this many days ahead of today (time zones).
STEP_DAYS_AHEAD = 1
MAX_NAME_CHARS = 500
MAX_NOTE_CHARS = 5000

#: Refusals shown on pages are message ids with named parameters (translated there).
NO_CASE = N_("no transfer case %(id)s")
#: Field names as refusals name them (``check_text``), for the translation catalogue.
FIELD_NAMES = (N_("counterparty"), N_("actor"), N_("note"))


def shown(value: object, limit: int = 80) -> str:
    """``value`` as it may be echoed in a one-line message: control characters (line
    breaks included) made visible, cut to ``limit`` characters."""
    text = terminal_text(str(value)).replace("\n", "\\n").replace("\t", "\\t")
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _field(name: str) -> Location:
    return Location(column=name)


def parse_case_id(value: str | int) -> int:
    """A case id from user input: a whole number (:class:`ValidationError` otherwise); a
    number outside 1 .. :data:`MAX_CASE_ID` is :class:`NotFoundError` (no such case)."""
    if isinstance(value, int) and not isinstance(value, bool):
        if not 1 <= value <= MAX_CASE_ID:
            raise NotFoundError(N_("no transfer case with that id (ids run from 1 to "
                                   "%(max)s)"), params={"max": MAX_CASE_ID},
                                location=_field("case_id"))
        return value
    text = str(value).strip()
    digits = text.lstrip("-")
    if not digits.isascii() or not digits.isdigit():
        raise ValidationError(N_("case id '%(id)s' is not a whole number"),
                              params={"id": shown(text, 40)}, location=_field("case_id"))
    if text.startswith("-") or len(digits.lstrip("0")) > len(str(MAX_CASE_ID)) \
            or not 1 <= int(digits) <= MAX_CASE_ID:
        raise NotFoundError(NO_CASE, params={"id": shown(text, 40)},
                            location=_field("case_id"))
    return int(digits)


def check_decision_date(when: date, today: date) -> date:
    """``when`` if it is a plausible planned decision date, else :class:`ValidationError`."""
    if when < EARLIEST_DATE:
        raise ValidationError(N_("decision date %(date)s is before %(earliest)s"),
                              params={"date": when.isoformat(),
                                      "earliest": EARLIEST_DATE.isoformat()},
                              location=_field("decision_date"))
    latest = latest_planned_date(today)
    if when > latest:
        raise ValidationError(
            N_("decision date %(date)s is more than %(years)s years ahead (latest: "
               "%(latest)s)"),
            params={"date": when.isoformat(), "years": PLANNED_YEARS_AHEAD,
                    "latest": latest.isoformat()}, location=_field("decision_date"))
    return when


def check_step_date(when: date, today: date) -> date:
    """``when`` if a step may be dated so (not before :data:`EARLIEST_DATE`, not more than
    :data:`STEP_DAYS_AHEAD` day after ``today``), else :class:`ValidationError`."""
    latest = today + timedelta(days=STEP_DAYS_AHEAD)
    if when < EARLIEST_DATE:
        raise ValidationError(N_("step date %(date)s is before %(earliest)s"),
                              params={"date": when.isoformat(),
                                      "earliest": EARLIEST_DATE.isoformat()},
                              location=_field("on"))
    if when > latest:
        raise ValidationError(
            N_("step date %(date)s is in the future (latest: %(latest)s); a step records "
               "what has happened"),
            params={"date": when.isoformat(), "latest": latest.isoformat()},
            location=_field("on"))
    return when


def check_text(value: str, name: str, *, limit: int = MAX_NAME_CHARS,
               multiline: bool = False) -> str:
    """``value`` stripped, if it has at most ``limit`` characters and no control characters
    (line breaks and tabs allowed when ``multiline``); :class:`ValidationError` otherwise."""
    text = value.strip()
    if len(text) > limit:
        raise ValidationError(N_("%(field)s: %(count)s characters, more than the limit of "
                                 "%(limit)s"),
                              params={"field": Term(name), "count": f"{len(text):,}",
                                      "limit": f"{limit:,}"}, location=_field(name))
    allowed = ("\n", "\t", "\r") if multiline else ()
    bad = next((c for c in text if unicodedata.category(c) == "Cc" and c not in allowed), None)
    if bad is not None:
        raise ValidationError(N_("%(field)s: control character %(char)s is not allowed "
                                 "('%(text)s')"),
                              params={"field": Term(name), "char": f"U+{ord(bad):04X}",
                                      "text": shown(text, 40)}, location=_field(name))
    return text


def parse_channel(value: str) -> Channel:
    """A :class:`Channel` from its value (``subsidiary`` …); ValidationError otherwise."""
    try:
        return Channel(value.strip().lower().replace("_", "-"))
    except ValueError:
        allowed = ", ".join(c.value for c in Channel)
        raise ValidationError(N_("unknown channel '%(value)s' (allowed: %(allowed)s)"),
                              params={"value": shown(value, 40), "allowed": allowed},
                              location=_field("channel")) from None


def parse_status(value: str) -> Status:
    """A :class:`Status` from its value (``in_dialogue``; ``in-dialogue`` also accepted)."""
    try:
        return Status(value.strip().lower().replace("-", "_").replace(" ", "_"))
    except ValueError:
        allowed = ", ".join(s.value for s in Status)
        raise ValidationError(N_("unknown status '%(value)s' (allowed: %(allowed)s)"),
                              params={"value": shown(value, 40), "allowed": allowed},
                              location=_field("status")) from None


def check_transition(current: Status | str, target: Status | str) -> Status:
    """``target`` as a :class:`Status` if ``current -> target`` is allowed, else
    :class:`ValidationError` naming both and the moves allowed from ``current``."""
    cur, new = parse_status(str(current)), parse_status(str(target))
    allowed = TRANSITIONS[cur]
    if new not in allowed:
        moves = ", ".join(s.value for s in allowed) or Term(N_("none (the case is closed)"))
        raise ValidationError(N_("cannot move a case from '%(current)s' to '%(target)s'; "
                                 "allowed from '%(current)s': %(moves)s"),
                              params={"current": cur.value, "target": new.value,
                                      "moves": moves}, location=_field("status"))
    return new


@dataclass(frozen=True)
class CaseEvent:
    """One dated step of a case: who moved it from where to where, when, and why."""

    seq: int
    from_status: str | None
    to_status: str
    on: date
    actor: str
    note: str
    recorded_at: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "from": self.from_status, "to": self.to_status,
                "on": self.on.isoformat(), "actor": self.actor, "note": self.note,
                "recorded_at": self.recorded_at}


@dataclass(frozen=True)
class TransferCase:
    """A planned transfer of a technology abroad and its prior-report history."""

    id: int
    technology_id: str
    counterparty: str
    country: str
    channel: Channel
    decision_date: date
    status: Status
    created_at: str = ""
    created_by: str = ""
    events: tuple[CaseEvent, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "technology_id": self.technology_id,
                "counterparty": self.counterparty, "country": self.country,
                "channel": self.channel.value, "decision_date": self.decision_date.isoformat(),
                "status": self.status.value, "created_at": self.created_at,
                "created_by": self.created_by,
                "allowed_moves": [s.value for s in TRANSITIONS[self.status]],
                "history": [e.as_dict() for e in self.events]}


Message = tuple[str, dict[str, Any]]
"""A message id (English, named placeholders) and its parameters."""


@dataclass(frozen=True)
class Decision:
    """Whether a prior report is required, and why (rule ids in ``rules``).

    ``reasons`` are English (CLI, API); ``messages`` the same reasons as message ids with
    parameters, for :meth:`reasons_in` another language (the pages, the HTML summary)."""

    required: bool
    reasons: list[str]
    rules: dict[str, bool] = field(default_factory=dict)
    group_a: bool | None = None
    designated: bool = False
    confirmed: bool = True
    messages: tuple[Message, ...] = ()

    def reasons_in(self, lang: str) -> list[str]:
        """The reasons in ``lang`` (``en``/``ja``)."""
        if not self.messages:
            return list(self.reasons)
        return [translate_message(msgid, params, lang) for msgid, params in self.messages]

    def as_dict(self) -> dict[str, Any]:
        return {"required": self.required, "reasons": list(self.reasons),
                "rules": dict(self.rules), "group_a": self.group_a,
                "designated": self.designated, "designation_confirmed": self.confirmed}


def assess_prior_report(case: TransferCase, registry: Registry,
                        groups: GroupStatus) -> Decision:
    """Decide whether ``case`` needs a prior report to METI (rules R1-R3 above).

    ``groups`` is the export-control status of ``case.country``
    (:func:`econsec.techmgmt.groups.group_status`). The designation is looked up on the
    case's planned decision date.
    """
    said: list[Message] = []
    designation = registry.find(case.technology_id, case.decision_date)
    undated = None
    if designation is None:
        undated = next((d for d in registry.designated(None)
                        if d.technology.id == case.technology_id
                        and not d.technology.sourced), None)
    r1 = designation is not None or undated is not None
    confirmed = designation is not None and designation.technology.sourced
    when = case.decision_date.isoformat()
    if designation is not None:
        t = designation.technology
        src = designation.source
        said.append((N_("R1: '%(tech)s' (%(id)s) is a designated technology on %(date)s: list "
                        "%(list)s, in force since %(effective)s%(cite)s."),
                     {"tech": t.name_en, "tech_ja": t.name_ja, "id": t.id, "date": when,
                      "list": designation.list.key, "effective": t.effective_date,
                      "cite": f" ({src.title}; {src.publisher})" if src else ""}))
    elif undated is not None:
        t = undated.technology
        said.append((N_("R1: '%(tech)s' (%(id)s) appears on list %(list)s as an unconfirmed "
                        "designation (no citable notice or date: %(note)s); treated as "
                        "designated until confirmed."),
                     {"tech": t.name_en, "tech_ja": t.name_ja, "id": t.id,
                      "list": undated.list.key, "note": t.note}))
    else:
        said.append((N_("R1: '%(tech)s' is not a designated technology on %(date)s, so no "
                        "prior report is required."),
                     {"tech": case.technology_id, "date": when}))
    r2 = case.channel in REPORTABLE_CHANNELS
    channel = {"channel": case.channel.value, "label": Term(CHANNEL_LABELS[case.channel])}
    said.append((N_("R2: the channel '%(channel)s' (%(label)s) is one the prior-report scheme "
                    "lists (overseas subsidiary or joint venture, contract manufacturing, "
                    "licensing).") if r2 else
                 N_("R2: the channel '%(channel)s' (%(label)s) is not one the scheme lists."),
                 channel))
    r3 = case.country != HOME_COUNTRY
    where = {"counterparty": case.counterparty, "country": groups.name_en,
             "country_ja": groups.name_ja, "iso3": case.country}
    said.append((N_("R3: the counterparty '%(counterparty)s' is in %(country)s (%(iso3)s), "
                    "abroad.") if r3 else
                 N_("R3: the counterparty '%(counterparty)s' is in %(country)s (%(iso3)s), "
                    "in Japan: not a transfer abroad."), where))
    if groups.group_a:
        said.append((N_("%(country)s is in export-control Group A (Appended Table 3 of the "
                        "Export Trade Control Order); the prior report does not depend on the "
                        "group."), where))
    else:
        said.append((N_("%(country)s is a non-Group-A country: the counterparty is in a "
                        "non-Group-A country, so catch-all export controls also apply; expect "
                        "closer scrutiny in the dialogue."), where))
    required = r1 and r2 and r3
    if not required:
        head = N_("No prior report is required (not all of R1, R2, R3 hold).")
    elif confirmed:
        head = N_("A prior report to METI is required before the transfer decision (R1, R2 "
                  "and R3 hold).")
    else:
        head = N_("A prior report to METI is required before the transfer decision (R1, R2 "
                  "and R3 hold). The designation is unconfirmed; check the current METI "
                  "notice.")
    said.insert(0, (head, {}))
    reasons = [translate_message(msgid, params, "en") for msgid, params in said]
    return Decision(required, reasons, {"R1": r1, "R2": r2, "R3": r3}, groups.group_a,
                    r1, confirmed, tuple(said))
