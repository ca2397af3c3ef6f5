"""What keeps other web sites, other host names and oversized bodies out of ``econsec serve``.

One pure ASGI middleware (:class:`SecurityMiddleware`) in front of every route:

- **Host check** (every request, reads too): the ``Host`` header must name the address the
  server is bound to, ``localhost``/``127.0.0.1``/``[::1]`` on its port, or a name given with
  ``--allowed-host``. Anything else is refused (400): a DNS-rebinding page whose name now
  points at 127.0.0.1 cannot read or change anything.
- **Cross-site request forgery** (POST, PUT, PATCH, DELETE): refused (403) when
  ``Sec-Fetch-Site`` says ``cross-site`` or ``same-site``, when ``Origin`` (or, without it,
  ``Referer``) names another origin, and when the request lacks the server's token: the
  ``X-CSRF-Token`` header (fetch, htmx, scripts) or the ``csrf_token`` form field (plain
  forms; it must be the form's first field). Pages carry the token in
  ``<meta name="csrf-token">``; ``econsec.js`` adds it to every form and request. Once
  users exist, the token is the signed-in session's instead of the server's
  (:func:`econsec.web.auth.expected_csrf`).
- **Body size** (every request): at most ``max_upload_bytes`` for ``multipart/form-data``
  uploads and ``max_body_bytes`` for any other body, counted on the received stream, so a
  chunked upload without ``Content-Length`` is stopped too (413 problem).
- **Headers** on every response: a Content-Security-Policy without inline script,
  ``frame-ancestors 'none'``, ``X-Frame-Options: DENY``, ``nosniff``, a same-origin
  referrer policy (``no-referrer`` would make browsers send ``Origin: null`` on our forms),
  a ``Permissions-Policy`` denying device features; ``Strict-Transport-Security`` on
  requests that came over https (as a trusted proxy says: ``--forwarded-allow-ips``).
- **Last resort**: an exception no handler turned into a response becomes a generic 500
  problem with an incident id; the traceback goes to the server log only.

Also here: the token file ``econsec serve`` writes for scripts, and the refusal to bind
beyond loopback without ``--allow-remote``.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import re
import secrets
import uuid
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect

from econsec.errors import ValidationError
from econsec.settings import default_token_file as default_token_file  # re-exported

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

log = logging.getLogger("econsec.web")

TOKEN_HEADER = "x-csrf-token"
TOKEN_FIELD = "csrf_token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
#: Multipart framing allowed on top of ``max_upload_bytes`` (boundaries, part headers).
MULTIPART_SLACK = 64 * 1024

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
    "worker-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
#: Browser features no page of econsec uses.
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", PERMISSIONS_POLICY.encode()),
)
#: Sent on responses to requests that came over https (directly, or as a trusted reverse
#: proxy says with ``X-Forwarded-Proto``: ``econsec serve --forwarded-allow-ips``).
STRICT_TRANSPORT_SECURITY = (b"strict-transport-security", b"max-age=31536000")


# ------------------------------------------------------------------------ tokens


def new_token() -> str:
    """A fresh random token (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)


_TOKEN = re.compile(r"[A-Za-z0-9_-]{32,128}")


def load_or_create_token(path: Path) -> str:
    """The token stored in ``path`` (readable by the user only); a new one is written when
    the file is missing, malformed or readable by others."""
    try:
        if path.is_file() and not (os.name == "posix" and path.stat().st_mode & 0o077):
            text = path.read_text(encoding="ascii").strip()
            if _TOKEN.fullmatch(text):
                return text
    except (OSError, UnicodeDecodeError):
        pass
    token = new_token()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_name(path.name + f".{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(token + "\n")
    os.replace(temporary, path)
    return token


# ------------------------------------------------------------------------ binding


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (127.0.0.0/8, ::1)."""
    name = host.strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def check_bind(host: str, allow_remote: bool, users: bool = False) -> str | None:
    """Refuse to listen beyond loopback unless ``allow_remote``; then return the warning to
    print (None for loopback). ``users``: user accounts exist (every request then needs a
    signed-in session, but passwords and cookies cross the network in clear without TLS)."""
    if is_loopback(host):
        return None
    if not allow_remote:
        who = ("anyone who can reach it could try passwords and read sessions in clear text "
               "(no TLS)" if users else "every machine that can reach this one could read "
               "and change the knowledge base (no user accounts exist)")
        raise ValidationError(
            f"--host {host}: {who}; keep the default 127.0.0.1 behind a TLS reverse proxy "
            "(docs/deployment.md), or pass --allow-remote if that is what you want")
    if users:
        return (f"WARNING: econsec listens on {host} without TLS: passwords and session "
                "cookies cross the network in clear. Put a TLS reverse proxy in front "
                "(docs/deployment.md).")
    return (f"WARNING: econsec listens on {host}: anyone who can reach this machine on the "
            "network can read the knowledge base and, with the token every page shows, "
            "change it. No user accounts exist (econsec users add). Use this only on a "
            "trusted network.")


# ------------------------------------------------------------------------ hosts and origins


@dataclass(frozen=True)
class HostPolicy:
    """Which ``Host`` header values the server answers.

    ``port`` None (an app made without a known port, e.g. in tests) accepts loopback names
    on any port. ``allowed`` entries are ``name`` (any port) or ``name:port``.
    """

    bind_host: str = "127.0.0.1"
    port: int | None = None
    allowed: tuple[str, ...] = ()

    def allows(self, host_header: str, scheme: str = "http") -> bool:
        parsed = split_host(host_header, scheme)
        if parsed is None:
            return False
        name, port = parsed
        for entry in self.allowed:
            allowed = split_host(entry, scheme, default_port=None)
            if allowed and allowed[0] == name and allowed[1] in (None, port):
                return True
        if self.port is not None and port != self.port:
            return False
        bind = self.bind_host.strip("[]").lower()
        if name in LOOPBACK_NAMES or name == bind:
            return True
        if _is_ip(name):
            # An address literal cannot be rebound by DNS: on a wildcard bind, any of the
            # machine's addresses; otherwise only loopback ones.
            return bind in ("0.0.0.0", "::", "") or is_loopback(name)
        return False


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}
_HOST = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(?::(\d{1,5}))?$")


def split_host(value: str, scheme: str = "http", *, default_port: int | str | None = "scheme"
               ) -> tuple[str, int | None] | None:
    """``("name", port)`` of a ``Host`` value (brackets removed, lower case); the scheme's
    default port when none is given; None when malformed."""
    match = _HOST.match(value.strip())
    if not match:
        return None
    name = match.group(1).strip("[]").lower().rstrip(".")
    if match.group(2):
        port: int | None = int(match.group(2))
    elif default_port == "scheme":
        port = _DEFAULT_PORTS.get(scheme, 80)
    else:
        port = default_port  # type: ignore[assignment]
    return name, port


def same_origin(origin: str, host_header: str, scheme: str = "http") -> bool:
    """True if ``origin`` (an Origin or Referer value) is this server as the request names it:
    the scheme the request came with (``http`` unless a TLS front end says otherwise), and
    host and port of ``Host`` (a Host without port means the scheme's default), all exact."""
    try:
        parts = urlsplit(origin.strip())
        origin_port = parts.port
    except ValueError:
        return False
    scheme = scheme.lower()
    if parts.scheme != scheme or scheme not in ("http", "https") or not parts.hostname:
        return False
    name = parts.hostname.lower().rstrip(".")
    return split_host(host_header, scheme) == (name, origin_port or _DEFAULT_PORTS[scheme])


# ------------------------------------------------------------------------ the middleware


class Refused(Exception):
    """A request the middleware answers itself with a problem document."""

    def __init__(self, status: int, title: str, detail: str, *, host: str = "") -> None:
        super().__init__(detail)
        self.status = status
        self.title = title
        self.detail = detail
        self.host = host


class UploadTooLarge(HTTPException):
    """The request body exceeds the app's limit: a 413 problem (raised while the body is
    read, so a route may catch it and answer in its own words)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(413, f"the upload exceeds the limit of {limit} bytes; nothing was "
                         "read or stored")


def _headers(scope: Scope) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in scope.get("headers", ()):
        name = key.decode("latin-1").lower()
        if name not in out:  # the first of repeated headers
            out[name] = value.decode("latin-1")
    return out


def body_limit(content_type: str, max_upload_bytes: int, max_body_bytes: int
               ) -> tuple[int, int]:
    """``(limit named in the refusal, bytes accepted)`` for a body of ``content_type``."""
    if content_type.split(";")[0].strip().lower() == "multipart/form-data":
        return max_upload_bytes, max_upload_bytes + MULTIPART_SLACK
    return max_body_bytes, max_body_bytes


class SecurityMiddleware:
    """See the module docstring. ``settings()`` returns the live :class:`WebState` (so a
    changed limit applies to the next request)."""

    def __init__(self, app: ASGIApp, settings: Callable[[], Any]) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                present = {k.lower() for k, _ in message.get("headers", ())}
                extra = [(k, v) for k, v in SECURITY_HEADERS if k not in present]
                if scope.get("scheme") == "https":
                    extra.append(STRICT_TRANSPORT_SECURITY)
                message["headers"] = [*message.get("headers", ()), *extra]
            await send(message)

        try:
            receive = await self.check(scope, receive)
            await self.app(scope, receive, send_with_headers)
        except Refused as refused:
            if started:
                raise
            if refused.status == 403 and _wants_page(scope):
                await _send_refusal_page(scope, send_with_headers)
                return
            if refused.status == 400 and _wants_page(scope):
                # no token on this page: whoever asked under a foreign name can read it
                await _send_error_page(scope, send_with_headers, 400, token=False,
                                       host=refused.host)
                return
            await _send_problem(send_with_headers, refused.status, refused.title,
                                refused.detail, scope.get("path", ""))
        except UploadTooLarge as large:
            if started:
                raise
            if _wants_page(scope):
                await _send_error_page(scope, send_with_headers, 413, limit=large.limit)
                return
            await _send_problem(send_with_headers, 413, "request failed", str(large.detail),
                                scope.get("path", ""))
        except ClientDisconnect:
            return  # the client went away while sending: nobody to answer
        except Exception:
            incident = uuid.uuid4().hex[:12]
            log.exception("incident %s: %s %s failed", incident, scope.get("method"),
                          scope.get("path"))
            if started:
                raise
            if _wants_page(scope):
                await _send_error_page(scope, send_with_headers, 500, incident=incident)
                return
            await _send_problem(send_with_headers, 500, "internal error",
                                f"the server could not complete the request (incident "
                                f"{incident}; details are in the server log)",
                                scope.get("path", ""), incident=incident)

    async def check(self, scope: Scope, receive: Receive) -> Receive:
        """Refuse (raise :class:`Refused`) or return the ``receive`` the app should use."""
        state = self.settings()
        headers = _headers(scope)
        scheme = scope.get("scheme", "http")
        host = headers.get("host", "")
        if not state.host_policy.allows(host, scheme):
            raise Refused(400, "host not allowed",
                          f"this server does not answer for the host name '{host[:100]}'; "
                          "open it as http://127.0.0.1:<port>/ or start it with "
                          "--allowed-host NAME", host=host)
        content_type = headers.get("content-type", "")
        named, limit = body_limit(content_type, state.max_upload_bytes, state.max_body_bytes)
        receive = _counting(receive, named, limit, headers.get("content-length", ""))
        if scope["method"] not in UNSAFE_METHODS:
            return receive
        fetch_site = headers.get("sec-fetch-site", "").lower()
        if fetch_site in ("cross-site", "same-site"):
            raise _forbidden(f"the request came from another site (Sec-Fetch-Site: "
                             f"{fetch_site})")
        origin = headers.get("origin")
        if origin is None and headers.get("referer"):
            origin = headers["referer"]
        if origin is not None and not same_origin(origin, host, scheme):
            raise _forbidden(f"the request came from another origin ({origin[:100]})")
        from econsec.web.auth import expected_csrf

        expected = await expected_csrf(scope, state)
        if expected is None:  # users mode without a session: signing in, or refused as 401
            return receive
        token = headers.get(TOKEN_HEADER)
        if token is None:
            token, receive = await _form_token(content_type, receive)
        if not token or not hmac.compare_digest(token.encode(), expected.encode()):
            raise _forbidden(
                "missing or wrong token: send the X-CSRF-Token header (pages and the API "
                "documentation do this for you; scripts read the token file that econsec "
                "serve names on start) or the csrf_token form field; reload the page if "
                "the server was restarted")
        return receive


def _forbidden(detail: str) -> Refused:
    return Refused(403, "cross-site request refused", detail)


def _counting(receive: Receive, named: int, limit: int, declared: str) -> Receive:
    """``receive`` that raises :class:`UploadTooLarge` when the app starts reading a body
    declared larger than ``limit`` or once more than ``limit`` bytes came (chunked)."""
    size = 0

    async def counted() -> Message:
        nonlocal size
        if size == 0 and declared.isdigit() and int(declared) > limit:
            raise UploadTooLarge(named)
        message = await receive()
        if message["type"] == "http.request":
            size += len(message.get("body", b"")) or 0
            if size > limit:
                raise UploadTooLarge(named)
        return message

    return counted


_FIRST_PART = re.compile(
    rb'\A--(?P<b>[^\r\n]+)\r\nContent-Disposition:[ \t]*form-data;[ \t]*'
    rb'name=(?:"csrf_token"|csrf_token)(?:;[^\r\n]*)?\r\n(?:[^\r\n]+\r\n)*\r\n'
    rb"(?P<v>[^\r\n]*)\r\n--", re.IGNORECASE)
#: How much of a multipart body is read to find the token (its first field).
PEEK_BYTES = 16 * 1024


async def _form_token(content_type: str, receive: Receive) -> tuple[str | None, Receive]:
    """The ``csrf_token`` field of a form body, and a ``receive`` that replays what was read.

    URL-encoded bodies are read whole (they are small: ``max_body_bytes``); of a multipart
    body only the start is read: the token must be the form's first field (``econsec.js``
    and the templates put it there), so a large upload is never held in memory here.
    """
    kind = content_type.split(";")[0].strip().lower()
    if kind not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return None, receive
    messages: list[Message] = []
    body = b""
    more = True
    while more and (kind != "multipart/form-data" or len(body) < PEEK_BYTES):
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        body += message.get("body", b"")
        more = bool(message.get("more_body", False))
        if kind == "multipart/form-data" and _FIRST_PART.match(body):
            break
    token: str | None = None
    if kind == "multipart/form-data":
        match = _FIRST_PART.match(body)
        if match:
            token = match.group("v").decode("latin-1")
    else:
        values = parse_qs(body.decode("latin-1"), keep_blank_values=True).get(TOKEN_FIELD)
        token = values[0] if values else None
    return token, _replay(messages, receive)


def _replay(messages: Iterable[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replayed() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed


def _wants_page(scope: Scope) -> bool:
    """A browser navigating to a page (a plain link or form post), not the API or htmx."""
    from econsec.web.problems import wants_page

    return wants_page(_headers(scope), str(scope.get("path", "")))


async def _nothing() -> Message:
    return {"type": "http.disconnect"}


async def _send_error_page(scope: Scope, send: Send, status: int, **options: Any) -> None:
    """The error page of ``status`` in the reader's language; the problem document if the
    page itself cannot be made (a broken template must not hide the original answer)."""
    from starlette.requests import Request

    from econsec.web.problems import error_page

    try:
        response = error_page(Request(scope), status, **options)
    except Exception:
        log.exception("the error page for %s could not be rendered", status)
        incident = {"incident": options["incident"]} if options.get("incident") else {}
        await _send_problem(send, status, "request failed", f"HTTP status {status}",
                            scope.get("path", ""), **incident)
        return
    await response(scope, _nothing, send)


async def _send_refusal_page(scope: Scope, send: Send) -> None:
    """A refused form post from a browser: a page in the reader's language (403)."""
    from starlette.requests import Request

    from econsec.i18n import translator
    from econsec.web.i18n import request_language
    from econsec.web.pages.common import render

    request = Request(scope)
    t = translator(request_language(request))
    response = render(
        request, "not_found.html.j2", status_code=403, charts=False,
        title=t.gettext("Request refused"),
        message=t.gettext("This request was refused: it did not come from a page of this "
                          "econsec server, or the page is out of date. Nothing was changed. "
                          "Reload the page and try again."),
        back=("/", t.gettext("Overview")))

    async def nothing() -> Message:
        return {"type": "http.disconnect"}

    await response(scope, nothing, send)


async def _send_problem(send: Send, status: int, title: str, detail: str, instance: str,
                        **extra: Any) -> None:
    import json

    body = {"type": "about:blank", "title": title, "status": status, "detail": detail,
            "instance": instance, **extra}
    data = json.dumps(body, ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/problem+json"),
                            (b"content-length", str(len(data)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": data})
