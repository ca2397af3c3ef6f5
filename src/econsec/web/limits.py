"""Limits on costly requests: how many at once per client, and how long one is waited for.

An input-output shock, an EU CRM assessment, the complexity of an uploaded matrix and the
preview of an uploaded file are computed synchronously while the request waits. They pass
:class:`ExpensiveRequests` (pure ASGI middleware, inside the security middleware):

- **per client** at most ``expensive_per_client`` such computations at once (the client is
  the peer address, or the address a trusted reverse proxy names: ``--forwarded-allow-ips``);
  one more is answered 429 with ``Retry-After``; **per server process** at most
  ``expensive_at_once`` (503 with ``Retry-After``);
- **time budget**: once its body has arrived, a request is waited for at most
  ``compute_seconds``; then it is answered 503 (the budget named). A Python thread cannot be
  stopped from outside, so the computation runs to its end in the background, and it keeps
  its client's slot until then: a client cannot pile up abandoned computations.

Size caps keep a single computation short in the first place (the shocks of an IO request,
``complexity_max_cells``, the body limits of :mod:`econsec.web.security`); scenario runs
are background jobs with their own cost cap and wall-time limit (:mod:`econsec.web.jobs`).
Settings: :class:`econsec.settings.Settings` (``ECONSEC_COMPUTE_SECONDS``,
``ECONSEC_EXPENSIVE_PER_CLIENT``, ``ECONSEC_EXPENSIVE_AT_ONCE``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections import Counter
from collections.abc import Callable
from typing import Any

from econsec.errors import translate_message
from econsec.i18n.terms import N_
from econsec.web.security import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("econsec.web")

#: (method, path) of the costly synchronous requests.
EXPENSIVE: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("POST", re.compile(r"/api/v1/io/[^/]+/?")),
    ("POST", re.compile(r"/api/v1/assessments/eu-crm/?")),
    ("POST", re.compile(r"/api/v1/complexity/?")),
    ("POST", re.compile(r"/api/v1/data/preview/?")),
    ("POST", re.compile(r"/data/preview/?")),
)

PER_CLIENT = N_("you already have %(count)s costly computation(s) running on this server (at "
                "most %(limit)s at once per client); wait for one to finish")
AT_ONCE = N_("the server is running %(count)s costly computations (at most %(limit)s at "
             "once); try again in a few seconds")
OVER_BUDGET = N_("the computation did not finish within this server's budget of %(seconds)s "
                 "seconds; send a smaller request (fewer shocks, materials or products) or "
                 "run it with the econsec command line")
#: The title of the page a browser gets for these answers.
PAGE_TITLE = N_("Request not carried out")
#: Seconds a refused client is told to wait.
RETRY_AFTER = 5


def is_expensive(method: str, path: str) -> bool:
    """True for the requests :class:`ExpensiveRequests` limits."""
    return any(method == m and pattern.fullmatch(path) for m, pattern in EXPENSIVE)


class Slots:
    """Costly computations running, per client (used on the event loop only)."""

    def __init__(self) -> None:
        self.running: Counter[str] = Counter()

    @property
    def total(self) -> int:
        return sum(self.running.values())

    def leave(self, client: str) -> None:
        self.running[client] -= 1
        if self.running[client] <= 0:
            del self.running[client]


class ExpensiveRequests:
    """See the module docstring. ``state()`` returns the live
    :class:`~econsec.web.state.WebState` (its ``settings`` hold the limits)."""

    def __init__(self, app: ASGIApp, state: Callable[[], Any]) -> None:
        self.app = app
        self.state = state
        self.slots = Slots()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_expensive(scope["method"], scope["path"]):
            await self.app(scope, receive, send)
            return
        settings = self.state().settings
        client = str((scope.get("client") or ("?",))[0])
        mine, limit = self.slots.running[client], settings.expensive_per_client
        if mine >= limit:
            await _refuse(scope, send, 429, PER_CLIENT, {"count": mine, "limit": limit})
            return
        if self.slots.total >= settings.expensive_at_once:
            await _refuse(scope, send, 503, AT_ONCE, {"count": self.slots.total,
                                                      "limit": settings.expensive_at_once})
            return
        self.slots.running[client] += 1
        received = asyncio.Event()
        started = abandoned = False

        async def receiving() -> Message:
            message = await receive()
            if message["type"] != "http.request" or not message.get("more_body", False):
                received.set()
            return message

        async def sending(message: Message) -> None:
            nonlocal started
            if abandoned:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        task = asyncio.ensure_future(self.app(scope, receiving, sending))
        task.add_done_callback(lambda done: self._finished(done, client))
        body = asyncio.ensure_future(received.wait())
        try:
            await asyncio.wait({task, body}, return_when=asyncio.FIRST_COMPLETED)
            if not task.done():
                await asyncio.wait_for(asyncio.shield(task), settings.compute_seconds)
        except TimeoutError:
            if started:
                await task
                return
            abandoned = True
            log.warning("%s %s over the compute budget of %s s (client %s): answered 503, "
                        "still computing", scope["method"], scope["path"],
                        settings.compute_seconds, client)
            await _refuse(scope, send, 503, OVER_BUDGET,
                          {"seconds": f"{settings.compute_seconds:g}"})
            return
        finally:
            body.cancel()
        task.result()  # re-raise what the app raised (the security middleware answers it)

    def _finished(self, task: asyncio.Future[None], client: str) -> None:
        self.slots.leave(client)
        if not task.cancelled() and task.exception() is not None:
            log.debug("a costly request ended with %r", task.exception())


async def _refuse(scope: Scope, send: Send, status: int, msgid: str,
                  params: dict[str, Any]) -> None:
    """A problem document (an error page for a browser) with ``Retry-After``."""
    from econsec.web.problems import wants_page
    from econsec.web.security import _headers

    headers = {"Retry-After": str(RETRY_AFTER)}
    if wants_page(_headers(scope), str(scope.get("path", ""))):
        from starlette.requests import Request

        from econsec.i18n import translator
        from econsec.web.i18n import request_language
        from econsec.web.pages.common import render

        request = Request(scope)
        lang = request_language(request)
        t = translator(lang)
        response = render(request, "not_found.html.j2", status_code=status, charts=False,
                          title=t.gettext(PAGE_TITLE),
                          message=translate_message(msgid, params, lang),
                          back=("/", t.gettext("Overview")))
        response.headers.update(headers)

        async def nothing() -> Message:
            return {"type": "http.disconnect"}

        await response(scope, nothing, send)
        return
    title = "too many requests" if status == 429 else "server busy"
    body = json.dumps({"type": "about:blank", "title": title, "status": status,
                       "detail": translate_message(msgid, params, "en"),
                       "instance": scope.get("path", "")}, ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/problem+json"),
        (b"content-length", str(len(body)).encode()),
        (b"retry-after", str(RETRY_AFTER).encode())]})
    await send({"type": "http.response.body", "body": body})
