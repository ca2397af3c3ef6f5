"""``/login`` (name and password, then the TOTP code when the account has one) and
``/logout`` (a form post with the session's CSRF token), in Japanese and English."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from econsec.i18n import translator
from econsec.web.auth import (
    auth_context,
    expired_cookie,
    login_url,
    now,
    safe_next,
    session_cookie,
)
from econsec.web.i18n import request_language
from econsec.web.pages.common import render
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
from econsec.web.state import WebState, get_state

router = APIRouter(include_in_schema=False)

State = Annotated[WebState, Depends(get_state)]


def _page(request: Request, *, step: str = "password", next_path: str = "/",
          error: str | None = None, name: str = "", status_code: int = 200) -> HTMLResponse:
    t = translator(request_language(request))
    context = auth_context(request.scope, request.app.state.econsec)
    response = render(request, "login.html.j2", status_code=status_code,
                      title=t.gettext("Sign in"), step=step, next_path=next_path,
                      error=t.gettext(error) if error else None, name=name,
                      totp_hint=t.gettext(TOTP_NEEDED),
                      users=context.users, navigation=(), charts=False)
    response.headers["cache-control"] = "no-store"
    return response


@router.get("/login", response_class=HTMLResponse)
def login(request: Request, next: Annotated[str | None, Query(max_length=2000)] = None
          ) -> Response:
    context = auth_context(request.scope, request.app.state.econsec)
    target = safe_next(next)
    if context.signed_in:
        return RedirectResponse(target, status_code=303)
    step = "totp" if context.session is not None else "password"
    return _page(request, step=step, next_path=target)


@router.post("/login", response_class=HTMLResponse)
def login_post(request: Request, state: State,
               name: Annotated[str, Form(max_length=200)] = "",
               password: Annotated[str, Form(max_length=1024)] = "",
               next: Annotated[str, Form(max_length=2000)] = "/") -> Response:
    context = auth_context(request.scope, state)
    target = safe_next(next)
    if not context.users:
        return RedirectResponse(target, status_code=303)
    attempt = password_step(state, name, password, at=now(), previous_cookie=context.cookie,
                            client=client_address(request.scope))
    response: Response
    if attempt.outcome == "failed":
        response = _page(request, next_path=target, error=LOGIN_FAILED, name=name,
                         status_code=401)
        if context.cookie:
            response.headers.append("set-cookie", expired_cookie(request))
        return response
    if attempt.outcome == "totp":
        response = _page(request, step="totp", next_path=target)
    else:
        response = RedirectResponse(target, status_code=303)
    response.headers.append("set-cookie",
                            session_cookie(attempt.cookie, request.scope, max_age(state)))
    return response


@router.post("/login/totp", response_class=HTMLResponse)
def login_totp(request: Request, state: State,
               code: Annotated[str, Form(max_length=20)] = "",
               next: Annotated[str, Form(max_length=2000)] = "/") -> Response:
    context = auth_context(request.scope, state)
    target = safe_next(next)
    if context.signed_in or not context.users:
        return RedirectResponse(target, status_code=303)
    if context.session is None or context.cookie is None:
        return RedirectResponse(login_url(target), status_code=303)
    attempt = totp_step(state, context.session, context.cookie, code, at=now(),
                        client=client_address(request.scope))
    if attempt.outcome != "ok":
        return _page(request, step="totp", next_path=target, error=TOTP_FAILED,
                     status_code=401)
    response = RedirectResponse(target, status_code=303)
    response.headers.append("set-cookie",
                            session_cookie(attempt.cookie, request.scope, max_age(state)))
    return response


@router.post("/logout")
def logout(request: Request, state: State) -> Response:
    context = auth_context(request.scope, state)
    sign_out(state, context.session, context.cookie)
    response = RedirectResponse("/login" if context.users else "/", status_code=303)
    response.headers.append("set-cookie", expired_cookie(request))
    return response

