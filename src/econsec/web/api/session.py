"""``/api/v1/session``: sign in and out from scripts and tests.

``POST`` ``{"name", "password", "totp"?}`` sets the session cookie and answers
``{"csrf_token", "user", "expires_at"}``: the cookie goes with every later request and the
token in the ``X-CSRF-Token`` header of every state-changing one. A wrong name, password
or code, or a locked, suspended or expired account, is a 401 problem that does not say
which. ``DELETE`` ends the session. Without user accounts (single-user local mode) there
is nothing to sign in to: ``POST`` answers 409.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from econsec.i18n.terms import N_
from econsec.web.api.common import State, json_response, problem_responses
from econsec.web.auth import (
    accounts,
    auth_context,
    expired_cookie,
    now,
    session_cookie,
    sessions,
)
from econsec.web.problems import problem
from econsec.web.signin import (
    LOGIN_FAILED,
    TOTP_FAILED,
    TOTP_NEEDED,
    client_address,
    max_age,
    password_step,
    sign_out,
    totp_step,
)

router = APIRouter(prefix="/session", tags=["session"])

NO_ACCOUNTS = N_("this server has no user accounts (single-user local mode): there is "
                 "nothing to sign in to")


class SignInIn(BaseModel):
    """A user's name and password, and the TOTP code when the account has one."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(min_length=1, max_length=200)]
    password: Annotated[str, Field(min_length=1, max_length=1024)]
    totp: Annotated[str | None, Field(max_length=20)] = None


@router.post("", summary="Sign in", responses=problem_responses(401, 409, 422))
def sign_in(body: SignInIn, request: Request, state: State) -> Response:
    """Check the password (and code); a new session each time (the cookie's value
    changes), the previous session of this client ended."""
    context = auth_context(request.scope, state)
    if not context.users:
        return problem(409, "no user accounts", NO_ACCOUNTS)
    at = now()
    client = client_address(request.scope)
    attempt = password_step(state, body.name, body.password, at=at,
                            previous_cookie=context.cookie, client=client)
    store = sessions(state)
    if attempt.outcome == "totp":
        pending = store.get(attempt.cookie, at=at)
        if not body.totp or pending is None:
            store.end(attempt.cookie)
            return problem(401, "sign-in required", TOTP_NEEDED, totp_required=True)
        first = attempt.cookie
        attempt = totp_step(state, pending, first, body.totp, at=at, client=client)
        if attempt.outcome != "ok":
            store.end(first)
            return problem(401, "sign-in required", TOTP_FAILED)
    if attempt.outcome != "ok" or attempt.user_id is None:
        return problem(401, "sign-in required", LOGIN_FAILED)
    actor = accounts(state).actor(attempt.user_id, at=at)
    info = store.get(attempt.cookie, at=at)
    expires = info.ends_at(store.idle).isoformat() if info else None
    response = json_response({
        "csrf_token": attempt.csrf,
        "user": {"name": actor.name, "display_name": actor.display_name or actor.name,
                 "org": actor.org_name, "roles": sorted(r.value for r in actor.roles)},
        "expires_at": info.expires_at.isoformat() if info else None,
        "idle_expires_at": expires,
    })
    response.headers.append("set-cookie",
                            session_cookie(attempt.cookie, request.scope, max_age(state)))
    response.headers["cache-control"] = "no-store"
    return response


@router.delete("", status_code=204, summary="Sign out")
def sign_out_route(request: Request, state: State) -> Response:
    """End this client's session (nothing to do without one)."""
    context = auth_context(request.scope, state)
    sign_out(state, context.session, context.cookie)
    response = Response(status_code=204)
    response.headers.append("set-cookie", expired_cookie(request))
    return response

