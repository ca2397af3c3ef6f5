"""Identity of the council portal: organisations, users, clearances, working groups,
sign-in (password, optional TOTP, lock-out) and break-glass grants, over the store's
tables (:mod:`econsec.kb.models`). Every change and every sign-in attempt is recorded in
the audit log inside the same write transaction (:class:`econsec.audit.log.AuditLog`).

Sign-in: the password is checked against its argon2id hash (:mod:`econsec.access.passwords`;
an unknown name is checked against a dummy hash so that it takes as long). Failures (wrong
passwords or one-time codes) are counted per (name, client address) in ``login_failures``:
after :data:`LOCK_AFTER` consecutive failures from one address the name is locked *for that
address* for :data:`LOCK_MINUTES` minutes, whatever is given from there meanwhile; the same
name from another address is not locked, so nobody keeps a known user out by failing on
purpose. Against guessing from many addresses, every attempt on a name that failed more than
:data:`SLOW_AFTER` times in the last :data:`SLOW_MINUTES` minutes (all addresses) waits
first (:func:`slowdown`: :data:`SLOW_STEP` seconds a failure beyond, at most
:data:`SLOW_MAX`), the right password too: slower, never refused. Unknown names are counted,
locked and slowed exactly as known ones, so none of this tells whether a name exists. The
account's own count (``users.failed_logins``) is kept for the administrator (``users
list``). A right password on a suspended or expired account, or of an organisation whose
contract has ended, is refused.
A one-time code (:mod:`econsec.access.totp`) is accepted once: the step it belongs to is
kept and no code of that step or an earlier one is accepted again.

Times are UTC; dates are the last day something is valid (an account that ``expires``
on 2027-03-31 may sign in on that day, not the day after).
"""

from __future__ import annotations

import difflib
import getpass
import re
import time
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from types import EllipsisType
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

from econsec.access import passwords, totp
from econsec.access.actions import Action, Role
from econsec.access.actor import Actor, Clearance
from econsec.access.models import GroupInfo, LoginResult, OrgInfo, UserInfo
from econsec.errors import (
    ForbiddenError,
    NotFoundError,
    Term,
    UnknownNameError,
    ValidationError,
)
from econsec.i18n.terms import N_
from econsec.kb.models import (
    BREAK_GLASS,
    CLEARANCE_COMPARTMENTS,
    CLEARANCES,
    GROUP_MEMBERS,
    GROUPS,
    LOGIN_FAILURES,
    ORGS,
    SESSIONS,
    USERS,
)

if TYPE_CHECKING:
    from econsec.audit.log import AuditLog

__all__ = ["Accounts", "GroupInfo", "LoginResult", "OrgInfo", "UnknownAccountError",
           "UserInfo", "cli_actor", "parse_day"]

#: Consecutive failed sign-ins (passwords or one-time codes) from one client address that
#: lock the name for that address …
LOCK_AFTER = 5
#: … for this many minutes.
LOCK_MINUTES = 15
#: Failures of a name from all addresses within SLOW_MINUTES beyond which every attempt on
#: it waits SLOW_STEP seconds a failure, at most SLOW_MAX (the per-account slow-down).
SLOW_AFTER = 10
SLOW_MINUTES = 15
SLOW_STEP = 0.2
SLOW_MAX = 2.0
#: Rows of login_failures older than this (and not locked) are dropped.
FORGET_AFTER = timedelta(days=1)
MAX_CLIENT = 64
BREAK_GLASS_MAX_MINUTES = 60
BREAK_GLASS_MIN_REASON = 20
ORG_KINDS = ("government", "company", "thinktank", "other")
LEVELS = (1, 2, 3)

_NAME = re.compile(r"\w[\w.@-]{0,199}")
_COMPARTMENT = re.compile(r"\w[\w.-]{0,99}")

# Sign-in outcomes (LoginResult.reason; kept in the audit log; pages translate them).
SIGNED_IN = N_("signed in")
TOTP_PENDING = N_("the password is right; a one-time code is still needed")
BAD_CREDENTIALS = N_("wrong name or password")
BAD_CODE = N_("wrong or already used one-time code")
LOCKED = N_("too many failed sign-ins: the account is locked for a while; try again later")
SUSPENDED = N_("the account is suspended")
EXPIRED = N_("the account has expired")
CONTRACT_ENDED = N_("the organisation's council contract has ended")

# Refusals of administrative changes.
BAD_NAME = N_("%(what)s name '%(name)s' is not allowed: use letters, digits and . _ @ - "
              "(at most 200 characters, starting with a letter or digit)")
BAD_COMPARTMENT = N_("compartment '%(name)s' is not allowed: use letters, digits and . _ - "
                     "(at most 100 characters)")
DUPLICATE = N_("%(what)s '%(name)s' already exists")
BAD_LEVEL = N_("clearance level must be 1, 2 or 3, got %(level)s")
BAD_KIND = N_("organisation kind must be one of %(kinds)s, got '%(kind)s'")
UNKNOWN_ROLES = N_("unknown role(s) %(names)s; known: %(known)s")
NO_ROLE = N_("a user needs at least one role")
ALREADY_MEMBER = N_("user '%(user)s' is already a member of group '%(group)s'")
NOT_MEMBER = N_("user '%(user)s' is not a member of group '%(group)s'")
BAD_DATE = N_("%(what)s must be a date YYYY-MM-DD, got '%(value)s'")
BAD_MINUTES = N_("break-glass access lasts 1 to %(max)s minutes, got %(minutes)s")
SHORT_REASON = N_("a break-glass reason needs at least %(min)s characters saying why")
NO_BREAK_GLASS = N_("user '%(name)s' may not open break-glass access (administrators "
                    "only, with a valid account)")

# Kinds of names (UnknownNameError's "unknown %(kind)s '%(name)s'").
USER = N_("user")
ORGANISATION = N_("organisation")
GROUP = N_("group")


def slowdown(failures: int) -> float:
    """Seconds every sign-in attempt on a name waits after ``failures`` failures of it
    (all addresses) in the last :data:`SLOW_MINUTES` minutes."""
    return min(SLOW_MAX, max(0, failures - SLOW_AFTER) * SLOW_STEP)


def _client(client: str | None) -> str:
    return (client or "")[:MAX_CLIENT]


class UnknownAccountError(UnknownNameError, NotFoundError):
    """A user, organisation or working group that does not exist (404 on the API)."""

    title = "not found"


def cli_actor() -> str:
    """Who makes a change from the command line, as the audit log names them."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:unknown"


def parse_day(value: str, what: str) -> date:
    """A ``YYYY-MM-DD`` date; :class:`ValidationError` naming ``what`` otherwise."""
    try:
        if len(value.strip()) != 10:
            raise ValueError(value)
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ValidationError(BAD_DATE, params={"what": what, "value": value}) from None


def _aware(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def _iso(at: datetime) -> str:
    return _aware(at).isoformat(timespec="seconds")


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _text(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _check_name(name: str, what: str) -> str:
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ValidationError(BAD_NAME, params={"what": Term(what), "name": name})
    return name


def _check_level(level: int) -> int:
    if isinstance(level, bool) or level not in LEVELS:
        raise ValidationError(BAD_LEVEL, params={"level": level})
    return int(level)


def _check_compartments(compartments: Iterable[str]) -> list[str]:
    found = sorted({c.strip() for c in compartments})
    for c in found:
        if not _COMPARTMENT.fullmatch(c):
            raise ValidationError(BAD_COMPARTMENT, params={"name": c})
    return found


def _check_kind(kind: str) -> str:
    if kind not in ORG_KINDS:
        raise ValidationError(BAD_KIND, params={"kinds": ", ".join(ORG_KINDS), "kind": kind})
    return kind


def _roles_text(roles: Iterable[str]) -> str:
    names = [r.strip().lower() for role in roles for r in role.replace(",", " ").split()]
    known = [role.value for role in Role]
    unknown = sorted({n for n in names if n not in known})
    if unknown:
        raise ValidationError(UNKNOWN_ROLES, params={"names": ", ".join(unknown),
                                                    "known": ", ".join(known)})
    if not names:
        raise ValidationError(NO_ROLE)
    return " ".join(sorted(set(names), key=known.index))


def _refusal(row: Any, on: date) -> str:
    """Why a right password does not sign in on ``on`` (empty: it does)."""
    if row["suspended"]:
        return SUSPENDED
    if row["expires"] and date.fromisoformat(row["expires"]) < on:
        return EXPIRED
    if row["contract_until"] and date.fromisoformat(row["contract_until"]) < on:
        return CONTRACT_ENDED
    return ""


def _shown(name: str) -> str:
    """A name given at sign-in as the audit log keeps it (bounded length)."""
    return name[:200]


class Accounts:
    """Organisations, users, clearances, groups, sign-in and break-glass over ``engine``.

    ``by``: who makes the administrative changes, as the audit log names them (default
    ``cli:<login name>``; a web page passes the signed-in :class:`Actor`).
    """

    def __init__(self, engine: Engine, *, by: Actor | str | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self._engine = engine
        self._by: Actor | str = by if by is not None else cli_actor()
        self._audit_log: AuditLog | None = None
        self._sleep = sleep

    # -- audit ---------------------------------------------------------------------------

    def _audit(self, conn: Connection, *, action: str, resource: str, outcome: str = "ok",
               detail: dict[str, Any] | None = None, actor: Actor | str | None = None) -> None:
        if self._audit_log is None:
            from econsec.audit.log import AuditLog

            self._audit_log = AuditLog(self._engine)
        self._audit_log.record(actor=self._by if actor is None else actor, action=action,
                               resource=resource, outcome=outcome, detail=detail or {},
                               conn=conn)

    def _via(self) -> str:
        return self._by if isinstance(self._by, str) else self._by.name

    def _admin(self, conn: Connection, resource: str, op: str, **detail: Any) -> None:
        self._audit(conn, action="admin", resource=resource, detail={"op": op, **detail})

    # -- look-ups ------------------------------------------------------------------------

    def any_users(self) -> bool:
        """True once a user exists (the server then requires sign-in)."""
        with self._engine.connect() as conn:
            return conn.execute(select(USERS.c.id).limit(1)).first() is not None

    @staticmethod
    def _id_of(conn: Connection, table: Any, name: str, kind: str, *,
               suggest: bool = True) -> int:
        found = conn.execute(select(table.c.id).where(table.c.name == name)).scalar()
        if found is None:
            close: list[str] = []
            if suggest:
                names = list(conn.execute(select(table.c.name)).scalars())
                close = difflib.get_close_matches(name, names, n=3)
            raise UnknownAccountError(name, close, kind=kind)
        return int(found)

    def _user_id(self, conn: Connection, name: str) -> int:
        return self._id_of(conn, USERS, name, USER, suggest=False)

    @staticmethod
    def _exists(conn: Connection, table: Any, name: str, what: str) -> None:
        if conn.execute(select(table.c.id).where(table.c.name == name)).first() is not None:
            raise ValidationError(DUPLICATE, params={"what": Term(what), "name": name})

    # -- organisations -------------------------------------------------------------------

    def add_org(self, name: str, *, title: str = "", kind: str = "company",
                certified_until: date | None = None, contract_until: date | None = None,
                ) -> int:
        """A new member organisation; its id."""
        _check_name(name, ORGANISATION)
        _check_kind(kind)
        with self._engine.begin() as conn:
            self._exists(conn, ORGS, name, ORGANISATION)
            org_id = conn.execute(insert(ORGS).values(
                name=name, title=title, kind=kind, certified_until=_text(certified_until),
                contract_until=_text(contract_until),
                created_at=_iso(datetime.now(UTC)))).inserted_primary_key
            assert org_id is not None
            self._admin(conn, f"org:{name}", "add_org", kind=kind, title=title,
                        certified_until=_text(certified_until),
                        contract_until=_text(contract_until))
        return int(org_id[0])

    def update_org(self, name: str, *, certified_until: date | EllipsisType | None = ...,
                   contract_until: date | EllipsisType | None = ...,
                   title: str | EllipsisType = ..., kind: str | EllipsisType = ...) -> None:
        """Change an organisation's dates, title or kind (``...``: unchanged; ``None``: no
        end date)."""
        values: dict[str, Any] = {}
        if not isinstance(certified_until, EllipsisType):
            values["certified_until"] = _text(certified_until)
        if not isinstance(contract_until, EllipsisType):
            values["contract_until"] = _text(contract_until)
        if not isinstance(title, EllipsisType):
            values["title"] = title
        if not isinstance(kind, EllipsisType):
            values["kind"] = _check_kind(kind)
        with self._engine.begin() as conn:
            org_id = self._id_of(conn, ORGS, name, ORGANISATION)
            if values:
                conn.execute(update(ORGS).where(ORGS.c.id == org_id).values(**values))
            self._admin(conn, f"org:{name}", "update_org", **values)

    def list_orgs(self) -> list[OrgInfo]:
        with self._engine.connect() as conn:
            counts: dict[int, int] = dict(conn.execute(select(USERS.c.org_id, func.count())
                                       .group_by(USERS.c.org_id)).all())
            rows = conn.execute(select(ORGS).order_by(ORGS.c.name)).mappings().all()
        return [OrgInfo(id=r["id"], name=r["name"], title=r["title"], kind=r["kind"],
                        certified_until=_day(r["certified_until"]),
                        contract_until=_day(r["contract_until"]),
                        users=int(counts.get(r["id"], 0)), created_at=r["created_at"])
                for r in rows]

    # -- groups --------------------------------------------------------------------------

    def add_group(self, name: str, *, title: str = "") -> int:
        """A new working group; its id."""
        _check_name(name, GROUP)
        with self._engine.begin() as conn:
            self._exists(conn, GROUPS, name, GROUP)
            key = conn.execute(insert(GROUPS).values(
                name=name, title=title,
                created_at=_iso(datetime.now(UTC)))).inserted_primary_key
            assert key is not None
            self._admin(conn, f"group:{name}", "add_group", title=title)
        return int(key[0])

    def add_member(self, group: str, user: str) -> None:
        with self._engine.begin() as conn:
            group_id = self._id_of(conn, GROUPS, group, GROUP)
            user_id = self._user_id(conn, user)
            if self._is_member(conn, group_id, user_id):
                raise ValidationError(ALREADY_MEMBER, params={"user": user, "group": group})
            conn.execute(insert(GROUP_MEMBERS).values(group_id=group_id, user_id=user_id,
                                                      since=_iso(datetime.now(UTC))))
            self._admin(conn, f"group:{group}", "add_member", user=user)

    def remove_member(self, group: str, user: str) -> None:
        with self._engine.begin() as conn:
            group_id = self._id_of(conn, GROUPS, group, GROUP)
            user_id = self._user_id(conn, user)
            if not self._is_member(conn, group_id, user_id):
                raise ValidationError(NOT_MEMBER, params={"user": user, "group": group})
            conn.execute(delete(GROUP_MEMBERS).where(GROUP_MEMBERS.c.group_id == group_id,
                                                     GROUP_MEMBERS.c.user_id == user_id))
            self._admin(conn, f"group:{group}", "remove_member", user=user)

    @staticmethod
    def _is_member(conn: Connection, group_id: int, user_id: int) -> bool:
        return conn.execute(select(GROUP_MEMBERS.c.user_id).where(
            GROUP_MEMBERS.c.group_id == group_id,
            GROUP_MEMBERS.c.user_id == user_id)).first() is not None

    def list_groups(self) -> list[GroupInfo]:
        with self._engine.connect() as conn:
            members: dict[int, list[str]] = {}
            for group_id, user in conn.execute(
                    select(GROUP_MEMBERS.c.group_id, USERS.c.name)
                    .join(USERS, USERS.c.id == GROUP_MEMBERS.c.user_id)
                    .order_by(USERS.c.name)):
                members.setdefault(group_id, []).append(user)
            rows = conn.execute(select(GROUPS).order_by(GROUPS.c.name)).mappings().all()
        return [GroupInfo(id=r["id"], name=r["name"], title=r["title"],
                          members=members.get(r["id"], []), created_at=r["created_at"])
                for r in rows]

    # -- users ---------------------------------------------------------------------------

    def add_user(self, name: str, *, org: str, roles: Iterable[str], password: str,
                 clearance_level: int, compartments: Iterable[str] = (),
                 groups: Iterable[str] = (), expires: date | None = None,
                 clearance_expires: date | None = None, display_name: str = "",
                 clearance_issued: date | None = None) -> int:
        """A new user with a clearance (issued today unless ``clearance_issued``) and
        working groups; its id. Nothing is stored when anything is refused."""
        _check_name(name, USER)
        roles_text = _roles_text(roles)
        level = _check_level(clearance_level)
        comps = _check_compartments(compartments)
        group_names = sorted(set(groups))
        password_hash = passwords.hash_password(password)
        now = _iso(datetime.now(UTC))
        with self._engine.begin() as conn:
            org_id = self._id_of(conn, ORGS, org, ORGANISATION)
            group_ids = [self._id_of(conn, GROUPS, g, GROUP) for g in group_names]
            self._exists(conn, USERS, name, USER)
            key = conn.execute(insert(USERS).values(
                name=name, display_name=display_name, org_id=org_id, roles=roles_text,
                password_hash=password_hash, totp_secret=None, failed_logins=0,
                locked_until=None, suspended=False, expires=_text(expires),
                created_at=now)).inserted_primary_key
            assert key is not None
            user_id = int(key[0])
            self._write_clearance(conn, user_id, level, comps,
                                  clearance_issued or datetime.now(UTC).date(),
                                  clearance_expires, False)
            for group_id in group_ids:
                conn.execute(insert(GROUP_MEMBERS).values(group_id=group_id, user_id=user_id,
                                                          since=now))
            self._admin(conn, f"user:{name}", "add_user", org=org, roles=roles_text.split(),
                        clearance_level=level, compartments=comps, groups=group_names,
                        expires=_text(expires), clearance_expires=_text(clearance_expires))
        return user_id

    @staticmethod
    def _write_clearance(conn: Connection, user_id: int, level: int, compartments: list[str],
                         issued: date, expires: date | None, suspended: bool) -> None:
        conn.execute(delete(CLEARANCE_COMPARTMENTS).where(
            CLEARANCE_COMPARTMENTS.c.user_id == user_id))
        conn.execute(delete(CLEARANCES).where(CLEARANCES.c.user_id == user_id))
        conn.execute(insert(CLEARANCES).values(user_id=user_id, level=level,
                                               issued=issued.isoformat(),
                                               expires=_text(expires), suspended=suspended))
        for c in compartments:
            conn.execute(insert(CLEARANCE_COMPARTMENTS).values(user_id=user_id, compartment=c))

    def set_password(self, name: str, password: str) -> None:
        """A new password (the user's sessions end; a lock-out is lifted)."""
        password_hash = passwords.hash_password(password)
        with self._engine.begin() as conn:
            user_id = self._user_id(conn, name)
            conn.execute(update(USERS).where(USERS.c.id == user_id).values(
                password_hash=password_hash, failed_logins=0, locked_until=None))
            conn.execute(delete(LOGIN_FAILURES).where(LOGIN_FAILURES.c.name == name))
            conn.execute(delete(SESSIONS).where(SESSIONS.c.user_id == user_id))
            self._admin(conn, f"user:{name}", "set_password")

    def suspend_user(self, name: str, suspended: bool = True) -> None:
        """Suspend (its sessions end) or reinstate an account."""
        with self._engine.begin() as conn:
            user_id = self._user_id(conn, name)
            conn.execute(update(USERS).where(USERS.c.id == user_id).values(
                suspended=suspended))
            if suspended:
                conn.execute(delete(SESSIONS).where(SESSIONS.c.user_id == user_id))
            self._admin(conn, f"user:{name}", "suspend" if suspended else "unsuspend")

    def set_clearance(self, name: str, *, level: int, compartments: Iterable[str] = (),
                      expires: date | None = None, suspended: bool = False,
                      issued: date | None = None) -> None:
        """Replace a user's clearance (re-issued today unless ``issued``)."""
        level = _check_level(level)
        comps = _check_compartments(compartments)
        with self._engine.begin() as conn:
            user_id = self._user_id(conn, name)
            self._write_clearance(conn, user_id, level, comps,
                                  issued or datetime.now(UTC).date(), expires, suspended)
            self._admin(conn, f"user:{name}", "set_clearance", level=level,
                        compartments=comps, expires=_text(expires), suspended=suspended)

    def enable_totp(self, name: str) -> str:
        """A new TOTP secret for the user (replacing any earlier one); the ``otpauth://``
        URI to show them once. From then on sign-in needs a one-time code."""
        secret = totp.new_secret()
        with self._engine.begin() as conn:
            user_id = self._user_id(conn, name)
            conn.execute(update(USERS).where(USERS.c.id == user_id).values(
                totp_secret=secret, totp_last_step=None))
            self._admin(conn, f"user:{name}", "enable_totp")
        return totp.provisioning_uri(secret, name)

    def list_users(self) -> list[UserInfo]:
        with self._engine.connect() as conn:
            comps: dict[int, list[str]] = {}
            for user_id, c in conn.execute(select(
                    CLEARANCE_COMPARTMENTS.c.user_id, CLEARANCE_COMPARTMENTS.c.compartment)
                    .order_by(CLEARANCE_COMPARTMENTS.c.compartment)):
                comps.setdefault(user_id, []).append(c)
            groups: dict[int, list[str]] = {}
            for user_id, g in conn.execute(
                    select(GROUP_MEMBERS.c.user_id, GROUPS.c.name)
                    .join(GROUPS, GROUPS.c.id == GROUP_MEMBERS.c.group_id)
                    .order_by(GROUPS.c.name)):
                groups.setdefault(user_id, []).append(g)
            rows = conn.execute(
                select(USERS, ORGS.c.name.label("org"), CLEARANCES.c.level,
                       CLEARANCES.c.issued, CLEARANCES.c.expires.label("c_expires"),
                       CLEARANCES.c.suspended.label("c_suspended"))
                .join(ORGS, ORGS.c.id == USERS.c.org_id)
                .outerjoin(CLEARANCES, CLEARANCES.c.user_id == USERS.c.id)
                .order_by(USERS.c.name)).mappings().all()
        return [UserInfo(
            id=r["id"], name=r["name"], display_name=r["display_name"], org=r["org"],
            roles=r["roles"].split(), clearance_level=r["level"],
            compartments=comps.get(r["id"], []), clearance_issued=_day(r["issued"]),
            clearance_expires=_day(r["c_expires"]),
            clearance_suspended=bool(r["c_suspended"]), groups=groups.get(r["id"], []),
            expires=_day(r["expires"]), suspended=bool(r["suspended"]),
            totp=r["totp_secret"] is not None, locked_until=r["locked_until"],
            created_at=r["created_at"]) for r in rows]

    # -- sign-in -------------------------------------------------------------------------

    # -- failures per (name, client address) ---------------------------------------------

    def _attempts(self, name: str, client: str, at: datetime) -> tuple[bool, int]:
        """Whether ``name`` is locked for ``client`` at ``at``, and its failures from all
        addresses in the last SLOW_MINUTES (a locked address counts LOCK_AFTER)."""
        since = _iso(at - timedelta(minutes=SLOW_MINUTES))
        table = LOGIN_FAILURES.c
        with self._engine.connect() as conn:
            rows = conn.execute(select(table.client, table.failures, table.locked_until,
                                       table.last_at)
                                .where(table.name == name[:200],
                                       or_(table.last_at >= since, table.locked_until > since))
                                ).all()
        locked = False
        failures = 0
        for address, count, until, last in rows:
            held = until is not None and datetime.fromisoformat(until) > at
            if address == client and held:
                locked = True
            if last >= since:
                failures += int(count)
            if until is not None and until > since:
                failures += LOCK_AFTER
        return locked, failures

    def _wait(self, name: str, client: str, at: datetime) -> bool:
        """Slow down an attempt on a name under attack (before any check, whatever the
        outcome); whether the name is locked for ``client``."""
        locked, failures = self._attempts(name, client, at)
        delay = slowdown(failures)
        if delay > 0:
            self._sleep(delay)
        return locked

    def _count_failure(self, conn: Connection, name: str, client: str, at: datetime
                       ) -> str | None:
        """One more failure of ``name`` from ``client``; the lock's end when this one
        locks it."""
        table = LOGIN_FAILURES
        values = {"name": name[:200], "client": client, "failures": 1, "last_at": _iso(at),
                  "locked_until": None}
        dialect = conn.dialect.name
        maker: Any = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = maker(table).values(**values)
        failures = int(conn.execute(statement.on_conflict_do_update(
            index_elements=[table.c.name, table.c.client],
            set_={"failures": table.c.failures + 1, "last_at": _iso(at)})
            .returning(table.c.failures)).scalar_one())
        conn.execute(delete(table).where(table.c.last_at < _iso(at - FORGET_AFTER),
                                         or_(table.c.locked_until.is_(None),
                                             table.c.locked_until < _iso(at))))
        if failures < LOCK_AFTER:
            return None
        until = _iso(at + timedelta(minutes=LOCK_MINUTES))
        conn.execute(update(table).where(table.c.name == name[:200], table.c.client == client)
                     .values(failures=0, locked_until=until))
        return until

    def _clear_failures(self, conn: Connection, name: str, client: str) -> None:
        table = LOGIN_FAILURES.c
        if conn.execute(select(table.failures).where(table.name == name[:200],
                                                     table.client == client)).first():
            conn.execute(delete(LOGIN_FAILURES).where(table.name == name[:200],
                                                      table.client == client))

    def authenticate(self, name: str, password: str, *, at: datetime,
                     client: str | None = None) -> LoginResult:
        """Check a name and password at ``at`` from ``client`` (the client's address;
        None: the command line); see the module's description."""
        at = _aware(at)
        client = _client(client)
        password = password[:passwords.MAX_LENGTH]
        locked = self._wait(name, client, at)
        with self._engine.begin() as conn:
            row = conn.execute(select(USERS, ORGS.c.contract_until)
                               .join(ORGS, ORGS.c.id == USERS.c.org_id)
                               .where(USERS.c.name == name)).mappings().first()
            if row is None:
                passwords.burn_time(password)
                detail: dict[str, Any] = {"reason": LOCKED if locked else BAD_CREDENTIALS,
                                          "client": client}
                if not locked:
                    until = self._count_failure(conn, name, client, at)
                    if until is not None:
                        detail["locked_until"] = until
                self._audit(conn, actor=_shown(name), action="login",
                            resource=f"user:{_shown(name)}", outcome="failed", detail=detail)
                return LoginResult(ok=False, reason=LOCKED if locked else BAD_CREDENTIALS)
            user_id = int(row["id"])
            matches = passwords.verify_password(row["password_hash"], password)
            if locked:
                self._audit(conn, actor=name, action="login", resource=f"user:{name}",
                            outcome="failed", detail={"reason": LOCKED, "client": client})
                return LoginResult(ok=False, reason=LOCKED)
            if not matches:
                reason = self._failed(conn, user_id, name, int(row["failed_logins"]), at,
                                      BAD_CREDENTIALS, client)
                return LoginResult(ok=False, reason=reason)
            self._clear_failures(conn, name, client)
            values: dict[str, Any] = {"failed_logins": 0, "locked_until": None}
            if passwords.needs_rehash(row["password_hash"]):
                values["password_hash"] = passwords.hasher().hash(password)
            conn.execute(update(USERS).where(USERS.c.id == user_id).values(**values))
            refusal = _refusal(row, at.date())
            if refusal:
                self._audit(conn, actor=name, action="login", resource=f"user:{name}",
                            outcome="failed", detail={"reason": refusal})
                return LoginResult(ok=False, user_id=None, reason=refusal)
            needs_totp = row["totp_secret"] is not None
            reason = TOTP_PENDING if needs_totp else SIGNED_IN
            self._audit(conn, actor=name, action="login", resource=f"user:{name}",
                        detail={"reason": reason, "rehashed": "password_hash" in values})
            return LoginResult(ok=True, user_id=user_id, needs_totp=needs_totp, reason=reason)

    def _failed(self, conn: Connection, user_id: int, name: str, failures: int, at: datetime,
                reason: str, client: str) -> str:
        """Count a failure (the account's count, and the name's from ``client``, which
        locks the name for that address at the LOCK_AFTER-th); the reason to give."""
        failures += 1
        values: dict[str, Any] = {"failed_logins": failures}
        detail: dict[str, Any] = {"reason": reason, "failures": failures, "client": client}
        until = self._count_failure(conn, name, client, at)
        if until is not None:
            values["locked_until"] = until  # shown by `users list` (the latest lock)
            detail["locked_until"] = until
        conn.execute(update(USERS).where(USERS.c.id == user_id).values(**values))
        self._audit(conn, actor=name, action="login", resource=f"user:{name}",
                    outcome="failed", detail=detail)
        return reason

    def verify_totp(self, user_id: int, code: str, *, at: datetime,
                    client: str | None = None) -> bool:
        """True when ``code`` is the user's one-time code around ``at`` and was not used
        before; a wrong code counts as a failed sign-in (from ``client``)."""
        at = _aware(at)
        client = _client(client)
        with self._engine.connect() as conn:
            known = conn.execute(select(USERS.c.name).where(USERS.c.id == user_id)).scalar()
        if known is None:
            return False
        locked = self._wait(str(known), client, at)
        with self._engine.begin() as conn:
            row = conn.execute(select(USERS).where(USERS.c.id == user_id)).mappings().first()
            if row is None or row["totp_secret"] is None:
                return False
            name = row["name"]
            if locked:
                self._audit(conn, actor=name, action="login", resource=f"user:{name}",
                            outcome="failed", detail={"reason": LOCKED, "factor": "totp",
                                                      "client": client})
                return False
            step = totp.matching_step(row["totp_secret"], code, at,
                                      last_step=row["totp_last_step"])
            if step is None:
                self._failed(conn, user_id, name, int(row["failed_logins"]), at, BAD_CODE,
                             client)
                return False
            self._clear_failures(conn, name, client)
            conn.execute(update(USERS).where(USERS.c.id == user_id).values(
                totp_last_step=step, failed_logins=0))
            self._audit(conn, actor=name, action="login", resource=f"user:{name}",
                        detail={"reason": SIGNED_IN, "factor": "totp"})
            return True

    # -- actors --------------------------------------------------------------------------

    def actor(self, user_id: int, *, at: datetime) -> Actor:
        """Everything the gates need about a user at ``at``: roles, organisation (kind,
        certification and contract dates), clearance and compartments, working groups,
        validity and an open break-glass grant. :class:`UnknownAccountError` when there is
        no such user."""
        with self._engine.connect() as conn:
            return self._actor(conn, user_id, _aware(at))

    def actor_by_name(self, name: str, *, at: datetime) -> Actor:
        """:meth:`actor` of the user called ``name`` (:class:`UnknownAccountError`, a
        :class:`NotFoundError`, when unknown)."""
        with self._engine.connect() as conn:
            return self._actor(conn, self._user_id(conn, name), _aware(at))

    def _actor(self, conn: Connection, user_id: int, at: datetime) -> Actor:
        row = conn.execute(
            select(USERS, ORGS.c.name.label("org_name"), ORGS.c.kind,
                   ORGS.c.certified_until, ORGS.c.contract_until)
            .join(ORGS, ORGS.c.id == USERS.c.org_id)
            .where(USERS.c.id == user_id)).mappings().first()
        if row is None:
            raise UnknownAccountError(f"#{user_id}", kind=USER)
        clearance: Clearance | None = None
        c = conn.execute(select(CLEARANCES).where(CLEARANCES.c.user_id == user_id)
                         ).mappings().first()
        if c is not None:
            comps = frozenset(conn.execute(
                select(CLEARANCE_COMPARTMENTS.c.compartment)
                .where(CLEARANCE_COMPARTMENTS.c.user_id == user_id)).scalars())
            clearance = Clearance(level=int(c["level"]), compartments=comps,
                                  issued=_day(c["issued"]), expires=_day(c["expires"]),
                                  suspended=bool(c["suspended"]))
        groups = frozenset(int(g) for g in conn.execute(
            select(GROUP_MEMBERS.c.group_id).where(GROUP_MEMBERS.c.user_id == user_id)
        ).scalars())
        now = _iso(at)
        glass = conn.execute(select(func.max(BREAK_GLASS.c.expires_at)).where(
            BREAK_GLASS.c.user_id == user_id, BREAK_GLASS.c.granted_at <= now,
            BREAK_GLASS.c.expires_at > now)).scalar()
        return Actor(
            name=row["name"], user_id=user_id, org_id=int(row["org_id"]),
            org_name=row["org_name"], org_kind=row["kind"],
            roles=frozenset(Role(r) for r in row["roles"].split()), clearance=clearance,
            groups=groups, account_expires=_day(row["expires"]),
            suspended=bool(row["suspended"]),
            org_certified_until=_day(row["certified_until"]),
            org_contract_until=_day(row["contract_until"]),
            break_glass_until=datetime.fromisoformat(glass) if glass else None,
            display_name=row["display_name"])

    # -- break-glass ---------------------------------------------------------------------

    def open_break_glass(self, user_id: int, reason: str, minutes: int, *,
                         at: datetime | None = None) -> datetime:
        """Open emergency access for ``user_id`` (need-to-know waived; levels,
        compartments and validity still apply) for ``minutes`` (at most 60) with a written
        ``reason`` (at least 20 characters); when it ends. Needs the BREAK_GLASS action
        (administrators) and a valid account; a refusal is audited too."""
        at = _aware(at or datetime.now(UTC)).replace(microsecond=0)
        reason = reason.strip()
        if isinstance(minutes, bool) or not 1 <= minutes <= BREAK_GLASS_MAX_MINUTES:
            raise ValidationError(BAD_MINUTES, params={"max": BREAK_GLASS_MAX_MINUTES,
                                                      "minutes": minutes})
        if len(reason) < BREAK_GLASS_MIN_REASON:
            raise ValidationError(SHORT_REASON, params={"min": BREAK_GLASS_MIN_REASON})
        actor = self.actor(user_id, at=at)
        if Action.BREAK_GLASS not in actor.actions or not actor.account_valid(at.date()):
            with self._engine.begin() as conn:
                self._audit(conn, actor=actor, action="break_glass",
                            resource=f"user:{actor.name}", outcome="denied",
                            detail={"reason": reason, "minutes": minutes})
            raise ForbiddenError(NO_BREAK_GLASS, params={"name": actor.name})
        until = at + timedelta(minutes=minutes)
        with self._engine.begin() as conn:
            conn.execute(insert(BREAK_GLASS).values(user_id=user_id, reason=reason,
                                                    granted_at=_iso(at),
                                                    expires_at=_iso(until)))
            self._audit(conn, actor=actor, action="break_glass",
                        resource=f"user:{actor.name}",
                        detail={"reason": reason, "minutes": minutes,
                                "expires_at": _iso(until), "via": self._via()})
        return until
