"""A read-only TAXII 2.1 server of the shared items (under ``/taxii2/``).

- ``GET /taxii2/``: discovery (answers without credentials; names the one API root);
- ``GET /taxii2/api/``: the API root;
- ``GET /taxii2/api/collections/`` and ``…/collections/{id}/``: the caller's collections:
  "all items I may see" (:data:`ALL_ITEMS_COLLECTION`, the same id for everybody, its
  content per caller) and one per working group the caller belongs to; a collection the
  caller has no right to answers 404 like one that does not exist;
- ``…/objects/`` (``limit``, ``next``, ``added_after``, ``match[id]``, ``match[type]``,
  ``match[version]``, ``match[spec_version]``; ``X-TAXII-Date-Added-First``/``-Last``
  headers), ``…/objects/{object_id}/``, ``…/objects/{object_id}/versions/`` and
  ``…/manifest/``.

The objects are :mod:`econsec.sharing.stix`'s: a ``report`` per item the caller may see,
with the identities and markings it refers to. Items come from
:meth:`econsec.sharing.items.ItemStore.list` (the gates in SQL, level-3 bodies withheld as
the store withholds them); nothing hidden is fetched, so nothing hidden shows in objects,
manifests, page sizes or dates.

Credentials: HTTP Basic with the user's name and password (the sign-in rules apply: failed
attempts count toward the lock-out; an account with a one-time-code second factor cannot
use Basic and uses its signed-in session instead) or the session cookie of a signed-in
browser. None: 401 with ``WWW-Authenticate: Basic``. Reading objects needs the
``item_export`` action (403 otherwise). In single-user local mode (no users) no items
exist and every TAXII path answers 404 saying so.

Answers are ``application/taxii+json;version=2.1``, errors TAXII error messages; a request
whose ``Accept`` admits neither that nor ``*/*`` gets 406. Every request is written to the
audit log (``read`` for discovery and collections, ``export`` for objects and manifests,
``deny`` for a refusal); the collections are read-only (``can_write`` false).
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from econsec.access.actor import Actor
from econsec.errors import (
    EconsecError,
    NotFoundError,
    NotSignedInError,
    ValidationError,
)
from econsec.i18n.terms import N_
from econsec.sharing.export import all_visible, require_export
from econsec.sharing.stix import NAMESPACE, StixEntry, collection_entries, stix_time
from econsec.web.problems import redact, status_of

router = APIRouter(tags=["TAXII 2.1"])

TAXII_MEDIA_TYPE = "application/taxii+json;version=2.1"
STIX_MEDIA_TYPE = "application/stix+json;version=2.1"
#: Objects per page when the client asks for no ``limit``, and the most a page holds.
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
#: The largest request the API root accepts (it accepts no writes at all).
MAX_CONTENT_LENGTH = 1024 * 1024
REALM = 'Basic realm="econsec TAXII", charset="UTF-8"'

#: The collection of every item the caller may see (one id for everybody).
ALL_ITEMS_COLLECTION = str(uuid.uuid5(NAMESPACE, "taxii-collection:all-items"))

DISABLED = N_("TAXII is off in single-user local mode: no shared items exist until user "
              "accounts are created (econsec users add)")
NO_CREDENTIALS = N_("TAXII needs credentials: HTTP Basic with your user name and password, "
                    "or the session cookie of a signed-in browser")
BAD_BASIC = N_("the Authorization header is not valid HTTP Basic (base64 of name:password)")
BASIC_NEEDS_TOTP = N_("this account signs in with a one-time code, which HTTP Basic cannot "
                      "carry: sign in in a browser or through /api/v1/session and send the "
                      "session cookie")
NO_COLLECTION = N_("no collection %(id)s")
NO_OBJECT = N_("no object %(id)s in this collection")
BAD_ACCEPT = N_("this server answers application/taxii+json;version=2.1 only")
BAD_LIMIT = N_("limit must be a whole number from 1, got '%(value)s'")
BAD_NEXT = N_("next is not a value this server gave out")
BAD_ADDED_AFTER = N_("added_after must be a timestamp such as 2026-01-31T00:00:00.000Z, "
                     "got '%(value)s'")
BAD_VERSION = N_("match[version] must be last, first, all or timestamps, got '%(value)s'")
ALL_ITEMS_TITLE = N_("All shared items I may see")
GROUP_TITLE = N_("Working group %(group)s")


class TaxiiNotAcceptable(EconsecError):
    """The client accepts no media type this server answers with (406)."""

    title = "not acceptable"


class TaxiiDisabled(NotFoundError):
    """Local mode: no TAXII (404)."""

    title = "TAXII disabled"


class BadCredentials(NotSignedInError):
    """No credentials, or credentials that do not sign in (401). ``audited``: the sign-in
    itself was written to the audit log already (:meth:`Accounts.authenticate`)."""

    title = "unauthorized"
    audited = False


# ------------------------------------------------------------------ answers


def taxii_json(document: dict[str, Any], status: int = 200,
               headers: dict[str, str] | None = None) -> Response:
    """A TAXII answer (compact JSON, the TAXII 2.1 media type, not cached anywhere)."""
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(body, status_code=status, media_type=TAXII_MEDIA_TYPE,
                    headers={"Cache-Control": "no-store", **(headers or {})})


def error_answer(error: EconsecError, database_url: str = "") -> Response:
    """A TAXII error message for ``error`` (401 with ``WWW-Authenticate``)."""
    if isinstance(error, TaxiiNotAcceptable):
        status = 406
    elif isinstance(error, ValidationError):
        status = 400
    else:
        status = status_of(error)
    headers = {"WWW-Authenticate": REALM} if status == 401 else None
    return taxii_json({"title": error.title, "description": redact(error.message, database_url),
                       "http_status": str(status)}, status=status, headers=headers)


def _accepts(accept: str | None) -> bool:
    """The ``Accept`` header admits the TAXII 2.1 media type (no header: anything goes)."""
    if accept is None or not accept.strip():
        return True
    for part in accept.split(","):
        media, *params = [token.strip().lower() for token in part.split(";")]
        values = dict(p.split("=", 1) for p in params if "=" in p)
        if values.get("q", "1").strip() in ("0", "0.0", "0.00", "0.000"):
            continue
        if media in ("*/*", "application/*"):
            return True
        if media == "application/taxii+json" and values.get("version", "2.1") == "2.1":
            return True
    return False


# ------------------------------------------------------------------ who asks


@dataclass
class Call:
    """One TAXII request: the app's state, the actor (None before sign-in) and its time."""

    state: Any
    request: Request
    at: datetime
    actor: Actor | None = None

    def audit(self, action: str, outcome: str = "ok", **detail: Any) -> None:
        from econsec.audit.log import AuditLog

        AuditLog(self.state.store.engine).record(
            actor=self.actor if self.actor is not None else "anonymous", action=action,
            resource=f"taxii:{self.request.url.path}", outcome=outcome,
            detail={"via": "taxii", **detail})


def _basic(header: str) -> tuple[str, str]:
    try:
        text = base64.b64decode(header.split(" ", 1)[1].strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, IndexError):
        raise BadCredentials(BAD_BASIC) from None
    name, colon, password = text.partition(":")
    if not colon or not name:
        raise BadCredentials(BAD_BASIC)
    return name, password


def sign_in(call: Call) -> Actor:
    """The caller as an actor: HTTP Basic, else the session cookie; 404 in local mode,
    401 without valid credentials."""
    from econsec.web.auth import accounts, auth_context, current_actor
    from econsec.web.signin import client_address

    users = accounts(call.state)
    if not users.any_users():
        raise TaxiiDisabled(DISABLED)
    header = call.request.headers.get("authorization", "")
    if header[:6].lower() == "basic ":
        name, password = _basic(header)
        result = users.authenticate(name, password, at=call.at,
                                    client=client_address(call.request.scope))
        if not result.ok or result.user_id is None:
            refused = BadCredentials(result.reason)
            refused.audited = True
            raise refused
        if result.needs_totp:
            raise BadCredentials(BASIC_NEEDS_TOTP)
        actor: Actor = users.actor(result.user_id, at=call.at)
        # the request's record (web.audit_requests) names the Basic caller, not "anonymous"
        auth_context(call.request.scope, call.state).actor = actor
        return actor
    try:
        return current_actor(call.request)
    except NotSignedInError:
        raise BadCredentials(NO_CREDENTIALS) from None


async def answer(request: Request, work: Callable[[Call], Response], *,
                 public: bool = False) -> Response:
    """Check ``Accept``, sign the caller in (unless ``public``), run ``work`` on a worker
    thread; refusals and errors become TAXII error messages (and audit records)."""
    state = request.app.state.econsec
    call = Call(state=state, request=request, at=datetime.now(UTC).replace(microsecond=0))

    def run() -> Response:
        try:
            if not _accepts(request.headers.get("accept")):
                raise TaxiiNotAcceptable(BAD_ACCEPT)
            if public:
                from econsec.web.auth import accounts

                if not accounts(state).any_users():
                    raise TaxiiDisabled(DISABLED)
            else:
                call.actor = sign_in(call)
            return work(call)
        except EconsecError as error:
            audited = isinstance(error, TaxiiDisabled) or getattr(error, "audited", False)
            # (a ForbiddenError was audited by require_export)
            if not audited and isinstance(error, NotFoundError | NotSignedInError
                                          | TaxiiNotAcceptable | ValidationError):
                call.audit("deny", outcome="denied", reason=error.msgid)
            return error_answer(error, state.database_url)

    return await run_in_threadpool(run)


# ------------------------------------------------------------------ collections


@dataclass(frozen=True)
class Collection:
    """One of the caller's collections: all their items, or one working group's."""

    id: str
    title: str
    description: str
    group: str | None = None

    def resource(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "description": self.description,
                "can_read": True, "can_write": False, "media_types": [STIX_MEDIA_TYPE]}


def group_collection_id(group: str) -> str:
    """The fixed id of working group ``group``'s collection."""
    return str(uuid.uuid5(NAMESPACE, f"taxii-collection:group:{group}"))


def collections_of(call: Call) -> list[Collection]:
    """The caller's collections: all items, then their working groups by name."""
    from econsec.web.auth import accounts

    actor = call.actor
    assert actor is not None
    found = [Collection(ALL_ITEMS_COLLECTION, ALL_ITEMS_TITLE,
                        "Every shared item you may see (levels, compartments, distribution "
                        "and dates applied)")]
    if actor.groups:
        for group in sorted(accounts(call.state).list_groups(), key=lambda g: g.name):
            if group.id in actor.groups:
                found.append(Collection(
                    group_collection_id(group.name),
                    GROUP_TITLE % {"group": group.title or group.name},
                    f"Shared items distributed to working group {group.name} that you may "
                    "see", group=group.name))
    return found


def collection_of(call: Call, collection_id: str) -> Collection:
    """The caller's collection ``collection_id``; 404 for any other id."""
    for collection in collections_of(call):
        if collection.id == collection_id:
            return collection
    raise NotFoundError(NO_COLLECTION, params={"id": collection_id[:64]})


def entries_of(call: Call, collection: Collection) -> list[StixEntry]:
    """The collection's objects for the caller (needs ``item_export``)."""
    from econsec.web.council import item_store

    assert call.actor is not None
    store = item_store(call.state)
    require_export(call.actor, store.audit, f"taxii:collection:{collection.id}")
    return collection_entries(all_visible(store, call.actor, at=call.at,
                                          group=collection.group))


# ------------------------------------------------------------------ filters and pages


def _timestamp(value: str, message: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.strip().replace("z", "Z"))
    except ValueError:
        raise ValidationError(message, params={"value": value[:64]}) from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _listed(values: str | None) -> list[str]:
    return [v.strip() for v in (values or "").split(",") if v.strip()]


def select_entries(entries: list[StixEntry], query: dict[str, str], *,
                   object_id: str | None = None) -> list[StixEntry]:
    """``entries`` narrowed by TAXII's ``added_after`` and ``match[…]`` filters."""
    chosen = entries
    if object_id is not None:
        chosen = [e for e in chosen if e.id == object_id]
    if query.get("added_after"):
        after = _timestamp(query["added_after"], BAD_ADDED_AFTER)
        chosen = [e for e in chosen if e.date_added > after]
    ids = _listed(query.get("match[id]"))
    if ids:
        chosen = [e for e in chosen if e.id in ids]
    types = _listed(query.get("match[type]"))
    if types:
        chosen = [e for e in chosen if e.type in types]
    specs = _listed(query.get("match[spec_version]"))
    if specs and "2.1" not in specs:
        chosen = []
    versions = _listed(query.get("match[version]"))
    if versions and not {"last", "first", "all"} & set(versions):
        wanted = {stix_time(_timestamp(v, BAD_VERSION)) for v in versions}
        chosen = [e for e in chosen if e.version in wanted]
    return chosen


def _limit(query: dict[str, str]) -> int:
    text = query.get("limit")
    if text is None or text == "":
        return DEFAULT_LIMIT
    try:
        limit = int(text)
    except ValueError:
        limit = 0
    if limit < 1:
        raise ValidationError(BAD_LIMIT, params={"value": text[:32]})
    return min(limit, MAX_LIMIT)


def _token(entry: StixEntry) -> str:
    key = f"{stix_time(entry.date_added)}|{entry.id}"
    return base64.urlsafe_b64encode(key.encode()).decode().rstrip("=")


def _after_token(entries: list[StixEntry], token: str) -> list[StixEntry]:
    try:
        padded = token + "=" * (-len(token) % 4)
        when, _, object_id = base64.urlsafe_b64decode(padded.encode()).decode().partition("|")
        key = (datetime.fromisoformat(when), object_id)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ValidationError(BAD_NEXT) from None
    if not object_id:
        raise ValidationError(BAD_NEXT)
    return [e for e in entries if (e.date_added, e.id) > key]


def page(entries: list[StixEntry], query: dict[str, str]
         ) -> tuple[list[StixEntry], bool, str | None, dict[str, str]]:
    """One page of ``entries`` after ``next``: the entries, ``more``, the ``next`` token
    and the date-added headers of the entries on the page."""
    limit = _limit(query)
    if query.get("next"):
        entries = _after_token(entries, query["next"])
    shown = entries[:limit]
    more = len(entries) > limit
    headers: dict[str, str] = {}
    if shown:
        headers = {"X-TAXII-Date-Added-First": stix_time(shown[0].date_added),
                   "X-TAXII-Date-Added-Last": stix_time(shown[-1].date_added)}
    return shown, more, _token(shown[-1]) if more else None, headers


# ------------------------------------------------------------------ routes


@router.get("/", summary="TAXII discovery")
async def discovery(request: Request) -> Response:
    """The server's discovery resource (no credentials needed; 404 in local mode)."""
    def work(call: Call) -> Response:
        root = str(request.url_for("api_root"))
        call.audit("read")
        return taxii_json({"title": "econsec TAXII 2.1",
                           "description": "Shared items of the council portal, per user",
                           "default": root, "api_roots": [root]})

    return await answer(request, work, public=True)


@router.get("/api/", summary="TAXII API root")
async def api_root(request: Request) -> Response:
    """The one API root (TAXII 2.1, read-only)."""
    def work(call: Call) -> Response:
        call.audit("read")
        return taxii_json({"title": "econsec shared items",
                           "description": "Read-only collections of the items you may see",
                           "versions": [TAXII_MEDIA_TYPE],
                           "max_content_length": MAX_CONTENT_LENGTH})

    return await answer(request, work)


@router.get("/api/collections/", summary="TAXII collections of the caller")
async def collections(request: Request) -> Response:
    """All items I may see, and one collection per working group of mine."""
    def work(call: Call) -> Response:
        found = collections_of(call)
        call.audit("read", collections=len(found))
        return taxii_json({"collections": [c.resource() for c in found]})

    return await answer(request, work)


@router.get("/api/collections/{collection_id}/", summary="A TAXII collection")
async def collection(request: Request, collection_id: str) -> Response:
    """One of the caller's collections; 404 for any other id."""
    def work(call: Call) -> Response:
        found = collection_of(call, collection_id)
        call.audit("read", collection=found.id)
        return taxii_json(found.resource())

    return await answer(request, work)


@dataclass
class Page:
    """One page of a collection's objects as a route shows it."""

    shown: list[StixEntry]
    more: bool
    following: str | None
    headers: dict[str, str]

    def document(self, **members: Any) -> dict[str, Any]:
        """``more``, ``next`` (when another page follows) and ``members``."""
        found: dict[str, Any] = {"more": self.more}
        if self.following:
            found["next"] = self.following
        found.update({key: value for key, value in members.items() if value})
        return found


def exported(call: Call, collection_id: str, query: dict[str, str], op: str, *,
             object_id: str | None = None) -> Page:
    """The page of the caller's collection ``collection_id`` that ``query`` asks for
    (of object ``object_id`` only: 404 when the caller has no such object), audited as
    an export of the ids on it."""
    found = collection_of(call, collection_id)
    chosen = select_entries(entries_of(call, found), query, object_id=object_id)
    if object_id is not None and not chosen:
        raise NotFoundError(NO_OBJECT, params={"id": object_id[:100]})
    shown, more, following, headers = page(chosen, query)
    call.audit("export", collection=found.id, ids=[e.id for e in shown], op=op)
    return Page(shown, more, following, headers)


@router.get("/api/collections/{collection_id}/objects/", summary="TAXII objects")
async def objects(request: Request, collection_id: str) -> Response:
    """An envelope of the collection's objects (paged by ``limit`` and ``next``)."""
    def work(call: Call) -> Response:
        got = exported(call, collection_id, dict(request.query_params), "objects")
        return taxii_json(got.document(objects=[e.as_dict() for e in got.shown]),
                          headers=got.headers)

    return await answer(request, work)


@router.get("/api/collections/{collection_id}/objects/{object_id}/", summary="A TAXII object")
async def one_object(request: Request, collection_id: str, object_id: str) -> Response:
    """The object ``object_id`` of the collection; 404 when the caller may not see it."""
    def work(call: Call) -> Response:
        got = exported(call, collection_id, dict(request.query_params), "object",
                       object_id=object_id)
        return taxii_json(got.document(objects=[e.as_dict() for e in got.shown]),
                          headers=got.headers)

    return await answer(request, work)


@router.get("/api/collections/{collection_id}/objects/{object_id}/versions/",
            summary="Versions of a TAXII object")
async def versions(request: Request, collection_id: str, object_id: str) -> Response:
    """The versions of ``object_id`` (econsec keeps the current version only)."""
    def work(call: Call) -> Response:
        query = {**request.query_params, "match[version]": "all"}
        got = exported(call, collection_id, query, "versions", object_id=object_id)
        return taxii_json(got.document(versions=[e.version for e in got.shown]),
                          headers=got.headers)

    return await answer(request, work)


@router.get("/api/collections/{collection_id}/manifest/", summary="TAXII manifest")
async def manifest(request: Request, collection_id: str) -> Response:
    """The manifest of the collection's objects (id, date added, version, media type)."""
    def work(call: Call) -> Response:
        got = exported(call, collection_id, dict(request.query_params), "manifest")
        return taxii_json(got.document(objects=[
            {"id": e.id, "date_added": stix_time(e.date_added), "version": e.version,
             "media_type": STIX_MEDIA_TYPE} for e in got.shown]), headers=got.headers)

    return await answer(request, work)
