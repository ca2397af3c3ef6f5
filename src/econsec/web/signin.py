"""Signing in and out, shared by the sign-in page (:mod:`econsec.web.pages.login`) and the
JSON API (:mod:`econsec.web.api.session`): the password step, the TOTP step and a new
session on every success (rotation). Success, failure and lock-out are recorded in the
audit log by :class:`~econsec.access.accounts.Accounts`; sign-out is recorded here.
Failures say the same thing whatever the reason (wrong name, wrong password, locked,
suspended, expired), so that nobody learns which accounts exist; the audit log keeps the
reason."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from econsec.access.sessions import SessionInfo
from econsec.i18n.terms import N_
from econsec.web.auth import accounts, audit, sessions

LOGIN_FAILED = N_("The name or password is wrong, or the account is locked, suspended or "
                  "expired.")
TOTP_FAILED = N_("The code from the authenticator app is wrong or too old.")
TOTP_NEEDED = N_("This account has a second factor: give the 6-digit code of its "
                 "authenticator app.")

#: Longest name and password accepted (longer ones are refused without hashing them).
MAX_NAME = 200
MAX_PASSWORD = 1024


@dataclass(frozen=True)
class Attempt:
    """The outcome of the password step: ``ok`` (signed in: ``cookie``/``csrf`` of the new
    session), ``totp`` (right password, a code is still needed: a session that is not
    verified yet), or ``failed``."""

    outcome: str
    user_id: int | None = None
    cookie: str = ""
    csrf: str = ""


def _resource(name: str) -> str:
    return f"user:{name[:MAX_NAME]}"


def client_address(scope: Any) -> str:
    """The client's address as the server sees it (behind a proxy: as the proxy says,
    when ``econsec serve --forwarded-allow-ips`` trusts it); empty when unknown. The
    lock-out counts failures per (name, this address)."""
    client = scope.get("client")
    return str(client[0])[:64] if client else ""


def password_step(state: Any, name: str, password: str, *, at: datetime,
                  previous_cookie: str | None = None, client: str = "") -> Attempt:
    """Check ``name`` and ``password`` from ``client`` (its address); on success end the
    browser's previous session (if any) and start a new one (verified unless the user has
    TOTP)."""
    name = name.strip()
    if not name or len(name) > MAX_NAME or not password or len(password) > MAX_PASSWORD:
        audit(state, name[:MAX_NAME] or "anonymous", "login", _resource(name),
              outcome="failed", detail={"reason": "empty or oversized name or password"})
        return Attempt("failed")
    result = accounts(state).authenticate(name, password, at=at, client=client)  # audited
    if previous_cookie:
        sessions(state).end(previous_cookie)
    if result.ok and result.user_id is not None:
        verified = not result.needs_totp
        cookie, csrf = sessions(state).create(result.user_id, verified=verified, at=at)
        return Attempt("ok" if verified else "totp", result.user_id, cookie, csrf)
    return Attempt("failed")


def totp_step(state: Any, session: SessionInfo, cookie: str, code: str, *,
              at: datetime, client: str = "") -> Attempt:
    """Check the TOTP ``code`` of a session waiting for it; on success the session is
    replaced by a new, verified one (rotation)."""
    code = code.strip().replace(" ", "")
    ok = (code.isdigit() and len(code) <= 10
          and bool(accounts(state).verify_totp(session.user_id, code, at=at,
                                               client=client)))
    if not ok:  # a wrong code is audited (and counted towards the lock-out) by Accounts
        return Attempt("failed", session.user_id)
    store = sessions(state)
    store.end(cookie)
    new_cookie, csrf = store.create(session.user_id, verified=True, at=at)
    return Attempt("ok", session.user_id, new_cookie, csrf)

def sign_out(state: Any, session: SessionInfo | None, cookie: str | None) -> None:
    """End the session of ``cookie`` (recorded when there was one)."""
    if cookie:
        sessions(state).end(cookie)
    if session is not None:
        audit(state, session.user_name, "logout", _resource(session.user_name))


def max_age(state: Any) -> int:
    """The cookie's lifetime in seconds (the session's absolute lifetime)."""
    return max(1, int(float(state.settings.session_hours) * 3600))
