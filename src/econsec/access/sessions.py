"""Signed-in sessions, kept in the database (table ``sessions``) so that every worker
process of a deployment sees the same ones.

A session is a random cookie value (256 bits) given to the browser or script once; the
store keeps only its SHA-256, so a copy of the database signs nobody in. A session ends
``Settings.session_hours`` after sign-in (absolute) or ``Settings.session_idle_minutes``
after its last request (idle), whichever comes first, and when the user signs out
(:meth:`Sessions.end`), when every session of the user is ended (:meth:`Sessions.end_all`:
password change, suspension), or when the account is suspended or expired. Signing in
always makes a new session (rotation): a cookie value known before sign-in is never
promoted.

Each session has its own CSRF token, which the web app's forms and ``X-CSRF-Token``
headers must carry (:mod:`econsec.web.security`).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, delete, insert, select, update
from sqlalchemy.engine import Engine

from econsec.kb.models import SESSIONS, USERS
from econsec.settings import Settings

#: ``last_seen`` is written at most this often (a write per request would serialise reads
#: behind the write lock); shorter when the idle limit itself is short.
REFRESH_SECONDS = 60.0


@dataclass(frozen=True)
class SessionInfo:
    """A live session: whose, its CSRF token, and when it ends."""

    user_id: int
    user_name: str
    csrf_token: str
    created_at: datetime
    last_seen: datetime
    #: Absolute end (sign-in + ``session_hours``).
    expires_at: datetime
    #: False while the second factor (TOTP) is still to be given.
    verified: bool

    def ends_at(self, idle: timedelta) -> datetime:
        """When the session ends if no other request comes."""
        return min(self.expires_at, self.last_seen + idle)


def token_hash(cookie: str) -> str:
    """What the store keeps of a cookie value: its SHA-256 in hex."""
    return hashlib.sha256(cookie.encode("utf-8", "surrogateescape")).hexdigest()


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="seconds")


def _parse(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class Sessions:
    """Create, look up and end sessions on ``engine`` with the lifetimes of ``settings``
    (read at each call, so a changed setting applies to the next request)."""

    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine = engine
        self.settings = settings

    @property
    def lifetime(self) -> timedelta:
        """The absolute lifetime of a session."""
        return timedelta(hours=self.settings.session_hours)

    @property
    def idle(self) -> timedelta:
        """How long a session lives without a request."""
        return timedelta(minutes=self.settings.session_idle_minutes)

    def create(self, user_id: int, *, verified: bool, at: datetime) -> tuple[str, str]:
        """A new session of ``user_id``: ``(cookie value, csrf token)``. Expired sessions of
        every user are removed on the way."""
        cookie = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        now = _iso(at)
        with self.engine.begin() as conn:
            conn.execute(delete(SESSIONS).where(SESSIONS.c.expires_at < now))
            conn.execute(insert(SESSIONS).values(
                token_hash=token_hash(cookie), user_id=user_id, csrf_token=csrf,
                created_at=now, last_seen=now, expires_at=_iso(at + self.lifetime),
                verified=verified))
        return cookie, csrf

    def get(self, cookie: str, *, at: datetime) -> SessionInfo | None:
        """The live session of ``cookie`` (its ``last_seen`` moved to ``at``), or None when
        there is none, it expired (absolute or idle: then it is removed), or its user is
        suspended or past the account's end date."""
        if not cookie or len(cookie) > 200:
            return None
        key = token_hash(cookie)
        with self.engine.connect() as conn:
            row = conn.execute(
                select(SESSIONS, USERS.c.name, USERS.c.suspended, USERS.c.expires)
                .join(USERS, USERS.c.id == SESSIONS.c.user_id)
                .where(SESSIONS.c.token_hash == key)).mappings().first()
        if row is None:
            return None
        info = SessionInfo(
            user_id=int(row["user_id"]), user_name=str(row["name"]),
            csrf_token=str(row["csrf_token"]), created_at=_parse(row["created_at"]),
            last_seen=_parse(row["last_seen"]), expires_at=_parse(row["expires_at"]),
            verified=bool(row["verified"]))
        account_ended = bool(row["suspended"]) or (
            row["expires"] is not None and str(row["expires"]) < at.date().isoformat())
        if account_ended or at >= info.ends_at(self.idle):
            self._remove(key)
            return None
        refresh = min(REFRESH_SECONDS, self.idle.total_seconds() / 4)
        if (at - info.last_seen).total_seconds() >= refresh:
            with self.engine.begin() as conn:
                conn.execute(update(SESSIONS).where(SESSIONS.c.token_hash == key)
                             .values(last_seen=_iso(at)))
            info = SessionInfo(info.user_id, info.user_name, info.csrf_token,
                               info.created_at, at.replace(microsecond=0), info.expires_at,
                               info.verified)
        return info

    def verify(self, cookie: str) -> None:
        """Mark the session of ``cookie`` as having passed the second factor."""
        with self.engine.begin() as conn:
            conn.execute(update(SESSIONS).where(SESSIONS.c.token_hash == token_hash(cookie))
                         .values(verified=True))

    def end(self, cookie: str) -> None:
        """End the session of ``cookie`` (nothing happens when there is none)."""
        self._remove(token_hash(cookie))

    def end_all(self, user_id: int) -> int:
        """End every session of ``user_id``; returns how many there were."""
        with self.engine.begin() as conn:
            result = conn.execute(delete(SESSIONS).where(SESSIONS.c.user_id == user_id))
        return int(result.rowcount or 0)

    def count(self, user_id: int, *, at: datetime) -> int:
        """Live sessions of ``user_id`` at ``at`` (absolute lifetime only)."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(SESSIONS.c.token_hash).where(and_(
                SESSIONS.c.user_id == user_id, SESSIONS.c.expires_at > _iso(at)))).all()
        return len(rows)

    def _remove(self, key: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(SESSIONS).where(SESSIONS.c.token_hash == key))
