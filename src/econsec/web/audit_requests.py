"""ASGI middleware: once user accounts exist, every request is recorded in the audit log.

A record names the actor (the signed-in user, the TAXII caller signed in with HTTP
Basic, or ``anonymous``), the method and path (the
query string's parameter *names* only: values may hold search text or tokens), the
response status, and an outcome: ``denied`` for 401 and 403, and for 404 on a shared item
(an item the actor may not see answers 404 exactly like a missing one); ``failed`` for
5xx; ``ok`` otherwise. Static assets are not recorded. In single-user local mode nothing is
recorded (no accounts, nobody to tell apart).

The record is written after the response has been sent; a failure to write it is logged
(the response cannot be taken back).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl

from starlette.concurrency import run_in_threadpool

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

log = logging.getLogger("econsec.audit")

#: Paths never recorded (prefixes).
SKIPPED_PREFIXES = ("/static/",)
#: Paths whose 404 is a denial: shared items (hidden items answer 404).
ITEM_PREFIXES = ("/items/", "/api/v1/items/", "/taxii2/")


def outcome_of(status: int, path: str) -> str:
    """``denied``, ``failed`` or ``ok`` for a response ``status`` to ``path``."""
    if status in (401, 403):
        return "denied"
    if status == 404 and path.startswith(ITEM_PREFIXES):
        return "denied"
    if status >= 500:
        return "failed"
    return "ok"


def query_names(query_string: bytes) -> list[str]:
    """The parameter names of a query string (sorted, unique; values dropped)."""
    text = query_string.decode("latin-1")
    return sorted({name[:60] for name, _ in parse_qsl(text, keep_blank_values=True)})[:20]


class AuditRequests:
    """Record every request in users mode (see the module's documentation)."""

    def __init__(self, app: Any, settings: Callable[[], Any]) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", ""))
        if scope["type"] != "http" or path.startswith(SKIPPED_PREFIXES):
            await self.app(scope, receive, send)
            return
        status = [500]

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            await run_in_threadpool(self._record, scope, status[0])

    def _record(self, scope: Scope, status: int) -> None:
        from econsec.access.actor import Actor
        from econsec.audit.log import AuditLog
        from econsec.web.auth import auth_context

        try:
            state = self.settings()
            context = auth_context(scope, state)
            if not context.users:
                return
            if context.actor is not None:
                actor: Any = context.actor
            elif context.session is not None:
                actor = Actor(name=context.session.user_name,
                              user_id=context.session.user_id)
            else:
                actor = "anonymous"
            path = str(scope.get("path", ""))
            detail: dict[str, Any] = {"status": status}
            names = query_names(scope.get("query_string", b""))
            if names:
                detail["query"] = names
            AuditLog(state.store.engine).record(
                actor=actor, action="request", resource=f"{scope.get('method', 'GET')} {path}",
                outcome=outcome_of(status, path), detail=detail)
        except Exception:  # the response is sent: log, never raise
            log.exception("the audit record of a request could not be written")
