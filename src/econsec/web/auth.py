"""Who makes a web request, and the guards every route goes through.

Two modes, decided per request (several worker processes share one database, so nothing
is remembered between requests):

- **single-user local mode**: no user is defined (:meth:`Accounts.any_users` is false).
  Every request acts as :data:`~econsec.access.actor.LOCAL_ACTOR`; state-changing requests
  carry the server's token (:mod:`econsec.web.security`); every page says so in a banner.
- **users mode**: as soon as one user exists, every route but :data:`PUBLIC_PATHS` (the
  sign-in page and API, static assets, the health probe; the TAXII server's reads, which
  sign their callers in themselves) needs a
  signed-in session (:class:`SignInGate`): the API answers 401 (problem document), a
  page sends the browser to ``/login?next=<this page>``. The session is a cookie
  (:data:`SESSION_COOKIE`) kept in the database (:class:`~econsec.access.sessions.Sessions`);
  state-changing requests carry the *session's* CSRF token instead of the server's.

Routes get the actor with the :func:`current_actor` dependency; every state-changing route
declares :func:`require` with the :class:`~econsec.access.actions.Action` it performs
(``dependencies=[require(Action.IMPORT)]``, or ``actor: Actor = require(...)`` when it
needs the actor). A refusal is 403 and is written to the audit log.

Anything a route caches that depends on who asks goes under :func:`cache_key_for`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from econsec.access.actions import Action, forbidden
from econsec.access.actor import LOCAL_ACTOR, Actor
from econsec.access.sessions import SessionInfo, Sessions
from econsec.errors import Location, NotSignedInError, ValidationError
from econsec.i18n.terms import N_

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

log = logging.getLogger("econsec.web")

SESSION_COOKIE = "econsec_session"
"""The session cookie: HttpOnly, SameSite=Strict, Path=/, Secure on https."""

LOGIN_PATH = "/login"
#: Paths that answer without a session in users mode (exact).
PUBLIC_PATHS = frozenset({
    "/login", "/login/totp", "/logout", "/api/v1/session", "/api/v1/health",
    "/taxii2", "/taxii2/",
})
#: Path prefixes that answer without a session (static assets).
PUBLIC_PREFIXES = ("/static/",)
#: Read-only paths that sign their callers in themselves: the TAXII server (HTTP Basic or
#: this cookie; 401 with ``WWW-Authenticate``: :mod:`econsec.web.api.taxii`). Only GET and
#: HEAD requests pass the gate there without a session.
SELF_AUTHENTICATING_PREFIXES = ("/taxii2/",)
#: POSTs that need no CSRF token: signing in (no session exists yet; the origin checks
#: of :mod:`econsec.web.security` still apply). Signing out needs the session's token.
SIGN_IN_PATHS = frozenset({"/login", "/login/totp", "/api/v1/session"})

NOT_SIGNED_IN = N_("sign in first: this server has user accounts and this request needs a "
                   "signed-in session")
ACTOR_GIVEN = N_("actor: the signed-in user (%(name)s) is recorded as the actor; leave the "
                 "field out")

_SCOPE_KEY = "econsec.auth"


def now() -> datetime:
    """The current time (UTC, whole seconds)."""
    return datetime.now(UTC).replace(microsecond=0)


# ------------------------------------------------------------------ per-request context


@dataclass
class AuthContext:
    """What one request knows about its sender (computed once, kept in the ASGI scope)."""

    #: Users exist: users mode.
    users: bool
    #: The cookie's value (None without a cookie).
    cookie: str | None = None
    #: The live session of the cookie (None: none, expired or ended).
    session: SessionInfo | None = None
    #: The actor, once :func:`current_actor` built it.
    actor: Actor | None = field(default=None, repr=False)

    @property
    def signed_in(self) -> bool:
        """A live session that passed the second factor (if the user has one)."""
        return self.session is not None and self.session.verified


def _engine(state: Any) -> Any:
    return state.store.engine


def accounts(state: Any) -> Any:
    """:class:`econsec.access.accounts.Accounts` on the app's store."""
    from econsec.access.accounts import Accounts

    return Accounts(_engine(state))


def sessions(state: Any) -> Sessions:
    """:class:`Sessions` on the app's store with its live settings."""
    return Sessions(_engine(state), state.settings)


def _cookie(scope: Scope) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() != b"cookie":
            continue
        for part in value.decode("latin-1").split(";"):
            name, _, text = part.strip().partition("=")
            if name == SESSION_COOKIE and text:
                return text.strip('"')
    return None


def auth_context(scope: Scope, state: Any) -> AuthContext:
    """This request's :class:`AuthContext` (database look-ups on the first call only).

    A live session means users exist (no second query); without one, one cheap query says
    whether any user exists."""
    known = scope.get(_SCOPE_KEY)
    if isinstance(known, AuthContext):
        return known
    cookie = _cookie(scope)
    session = sessions(state).get(cookie, at=now()) if cookie else None
    users = session is not None or bool(accounts(state).any_users())
    context = AuthContext(users=users, cookie=cookie, session=session)
    scope[_SCOPE_KEY] = context
    return context


async def auth_context_async(scope: Scope, state: Any) -> AuthContext:
    """:func:`auth_context` off the event loop (it queries the database)."""
    known = scope.get(_SCOPE_KEY)
    if isinstance(known, AuthContext):
        return known
    return await run_in_threadpool(auth_context, scope, state)


def is_public(path: str, method: str = "GET") -> bool:
    """Requests that pass :class:`SignInGate` without a session in users mode."""
    if path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES):
        return True
    return method in ("GET", "HEAD") and path.startswith(SELF_AUTHENTICATING_PREFIXES)


async def expected_csrf(scope: Scope, state: Any) -> str | None:
    """The token a state-changing request must carry: the server's in local mode, the
    session's in users mode; None when none is checked (users mode without a session:
    signing in, or a request :class:`SignInGate` refuses with 401 anyway)."""
    path = str(scope.get("path", ""))
    context = await auth_context_async(scope, state)
    if not context.users:
        return str(state.csrf_token)
    signing_in = path in SIGN_IN_PATHS and scope.get("method") == "POST"
    if signing_in or context.session is None:
        return None
    return context.session.csrf_token


# ------------------------------------------------------------------ the gate


def safe_next(target: str | None) -> str:
    """``target`` when it is a path of this site (``/…``, not ``//host`` or ``/\\host``,
    no scheme, no control characters), else ``/``: no open redirect after sign-in."""
    if not target or len(target) > 2000 or not target.startswith("/"):
        return "/"
    if target.startswith(("//", "/\\")) or any(ord(c) < 32 or c == "\\" for c in target):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return "/"
    if parts.path in (LOGIN_PATH, "/login/totp", "/logout"):
        return "/"
    return target


def login_url(path: str, query: str = "") -> str:
    """``/login?next=`` this page (a same-site path)."""
    target = safe_next(path + (f"?{query}" if query else ""))
    return LOGIN_PATH if target == "/" else f"{LOGIN_PATH}?next={quote(target, safe='')}"


class SignInGate:
    """ASGI middleware: in users mode, a request to anything but :data:`PUBLIC_PATHS`
    without a signed-in session is answered here: 303 to the sign-in page for a browser
    navigating to a page, a 401 problem otherwise. Local mode: nothing to do."""

    def __init__(self, app: Any, settings: Callable[[], Any]) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or is_public(str(scope.get("path", "")),
                                                 str(scope.get("method", "GET"))):
            await self.app(scope, receive, send)
            return
        state = self.settings()
        context = await auth_context_async(scope, state)
        if not context.users:
            await self.app(scope, receive, send)
            return
        if context.signed_in:
            await self.app(scope, receive, _private(send))
            return
        await run_in_threadpool(_audit_unsigned, state, scope)
        await refuse_unsigned(scope, send, drop_cookie=context.session is None)


def _private(send: Send) -> Send:
    """``send`` that marks an answer to a signed-in user ``Cache-Control: private,
    no-store`` unless it says otherwise: no shared proxy keeps it, and the browser does not
    show it again from its cache after sign-out."""

    async def marked(message: Any) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", ()))
            if not any(key.lower() == b"cache-control" for key, _ in headers):
                headers.append((b"cache-control", b"private, no-store"))
                message["headers"] = headers
        await send(message)

    return marked


def _audit_unsigned(state: Any, scope: Scope) -> None:
    if str(scope.get("method", "GET")) in ("GET", "HEAD"):
        return  # a browser's first visit: the redirect to sign-in is not a denial worth a record
    audit(state, "anonymous", "deny", f"{scope.get('method')} {scope.get('path')}",
          outcome="denied", detail={"reason": "not signed in"})


async def refuse_unsigned(scope: Scope, send: Send, *, drop_cookie: bool = True) -> None:
    """The answer to a request that needs a session and has none (``drop_cookie``: remove
    the cookie of an ended session; a session waiting for its second factor keeps it)."""
    from econsec.web.security import _send_problem, _wants_page

    path = str(scope.get("path", ""))
    if _wants_page(scope):
        query = scope.get("query_string", b"").decode("latin-1")
        safe = str(scope.get("method", "GET")) in ("GET", "HEAD")
        location = login_url(path, query) if safe else LOGIN_PATH
        headers = [(b"location", location.encode("latin-1")), (b"content-length", b"0"),
                   (b"cache-control", b"no-store")]
        if drop_cookie and _cookie(scope):  # an ended session's cookie: drop it
            headers.append((b"set-cookie", _expired_cookie(scope).encode("latin-1")))
        await send({"type": "http.response.start", "status": 303, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
        return
    await _send_problem(send, 401, "sign-in required", NOT_SIGNED_IN, path)


def _secure(scope: Scope) -> bool:
    return str(scope.get("scheme", "http")) == "https"


def session_cookie(value: str, scope: Scope, max_age: int) -> str:
    """The ``Set-Cookie`` value of a new session."""
    secure = "; Secure" if _secure(scope) else ""
    return (f"{SESSION_COOKIE}={value}; Max-Age={max_age}; Path=/; HttpOnly; "
            f"SameSite=Strict{secure}")


def _expired_cookie(scope: Scope) -> str:
    secure = "; Secure" if _secure(scope) else ""
    return f"{SESSION_COOKIE}=; Max-Age=0; Path=/; HttpOnly; SameSite=Strict{secure}"


def expired_cookie(request: Request) -> str:
    """The ``Set-Cookie`` value that removes the session cookie."""
    return _expired_cookie(request.scope)


# ------------------------------------------------------------------ dependencies


def current_actor(request: Request) -> Actor:
    """FastAPI dependency: the actor of the request. :data:`LOCAL_ACTOR` when no users
    exist; :class:`NotSignedInError` (401) in users mode without a signed-in session."""
    state = request.app.state.econsec
    context = auth_context(request.scope, state)
    if not context.users:
        return LOCAL_ACTOR
    if context.actor is not None:
        return context.actor
    if context.session is None or not context.session.verified:
        raise NotSignedInError(NOT_SIGNED_IN)
    actor: Actor = accounts(state).actor(context.session.user_id, at=now())
    context.actor = actor
    return actor


def require(action: Action) -> Any:
    """A ``Depends`` that returns the actor when its roles grant ``action``; otherwise
    :class:`ForbiddenError` (403), recorded in the audit log as a denial."""

    def dependency(request: Request) -> Actor:
        actor = current_actor(request)
        if not actor.may(action):
            audit(request.app.state.econsec, actor, "deny",
                  f"{request.method} {request.url.path}", outcome="denied",
                  detail={"action": action.value})
            raise forbidden(action)
        return actor

    dependency.econsec_action = action  # type: ignore[attr-defined]
    dependency.__name__ = f"require_{action.value}"
    return Depends(dependency)


def required_action(call: Any) -> Action | None:
    """The action a dependency made by :func:`require` checks (None for any other)."""
    action = getattr(call, "econsec_action", None)
    return action if isinstance(action, Action) else None


def org_scope(actor: Actor) -> int | None:
    """The organisation whose own records (transfer cases) ``actor`` lists and opens: None
    (every record) in single-user local mode; a user without organisation sees none."""
    if actor.local:
        return None
    return actor.org_id if actor.org_id is not None else -1


def acting_name(actor: Actor, given: str = "") -> str:
    """Who a record names as having acted: the free text ``given`` in single-user local
    mode (as before accounts existed); the signed-in user otherwise (a different ``given``
    name is refused: nobody records in another's name)."""
    if actor.local:
        return given
    if given.strip() and given.strip() != actor.name:
        raise ValidationError(ACTOR_GIVEN, params={"name": actor.name},
                              location=Location(column="actor"))
    return actor.name


# ------------------------------------------------------------------ pages and caches


def page_csrf_token(request: Request) -> str:
    """The CSRF token pages carry: the session's in users mode, the server's otherwise."""
    state = request.app.state.econsec
    try:
        context = auth_context(request.scope, state)
    except Exception:  # an error page while the database fails: the server's token
        log.exception("the session of an error page could not be read")
        return str(state.csrf_token)
    if context.users:
        return context.session.csrf_token if context.session is not None else ""
    return str(state.csrf_token)


def page_identity(request: Request) -> dict[str, Any]:
    """What the base template shows about the reader: ``local_mode`` (the banner), and in
    users mode the signed-in ``user`` (name, display name, organisation) or None."""
    state = request.app.state.econsec
    try:
        context = auth_context(request.scope, state)
        if not context.users:
            return {"local_mode": True, "user": None}
        if not context.signed_in:
            return {"local_mode": False, "user": None}
        actor = current_actor(request)
    except Exception:  # an error page while the database fails: show no one
        log.exception("the reader of a page could not be read")
        return {"local_mode": False, "user": None}
    return {"local_mode": False, "user": {
        "name": actor.name, "display_name": actor.display_name or actor.name,
        "org": actor.org_name}}


def cache_key_for(actor: Actor, *parts: Any, at: datetime | None = None) -> tuple[Any, ...]:
    """A read-cache key for a result that depends on who asks: ``parts`` plus the actor's
    :meth:`~econsec.access.actor.Actor.visibility_key` (equal exactly for actors who may
    see the same items) and, for results that show an organisation's own records
    (transfer cases), its organisation. Results that are the same for everybody (the
    knowledge base's analyses) keep their plain keys."""
    when = at or now()
    return ("actor", actor.visibility_key(when), actor.org_id, *parts)


# ------------------------------------------------------------------ audit


def audit(state: Any, actor: Actor | str, action: str, resource: str, *,
          outcome: str = "ok", detail: Mapping[str, Any] | None = None) -> None:
    """Record a sign-in event or a denial in the audit log (:mod:`econsec.audit.log`)."""
    from econsec.audit.log import AuditLog

    AuditLog(_engine(state)).record(actor=actor, action=action, resource=resource,
                                    outcome=outcome, detail=dict(detail or {}))
