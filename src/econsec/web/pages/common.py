"""What every page handler needs: render a template in the request's language, read the
knowledge base through a small per-state cache, and name things in both languages.

Handlers call :func:`render`; the language comes from :func:`econsec.web.i18n.request_language`
and a ``?lang=`` query also sets the ``econsec_lang`` cookie (the toggle's links use it, so
the toggle works without JavaScript). Every page gets ``csrf_token`` (shown in the base
template's ``<meta name="csrf-token">``) and ``csrf_input()``, the hidden form field a
``method="post"`` form puts first so that it works without JavaScript too.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup, escape

from econsec.access.actions import Action
from econsec.datasets.sources import source_text
from econsec.i18n import SUPPORTED_LANGUAGES
from econsec.i18n.terms import N_
from econsec.i18n.units import unit_text
from econsec.web.assets import static_url
from econsec.web.auth import current_actor, page_csrf_token, page_identity
from econsec.web.common import read_cache
from econsec.web.i18n import COOKIE, page_environment, request_language
from econsec.web.state import WebState

#: Main navigation: (path, label). Labels are translated in the base template.
NAVIGATION = (
    ("/", N_("Overview")),
    ("/commodities", N_("Commodities")),
    ("/countries", N_("Countries")),
    ("/regions", N_("Regions")),
    ("/value-chain", N_("Value chain")),
    ("/scenarios", N_("Scenarios")),
    ("/policy", N_("Measures")),
    ("/data", N_("Data")),
    ("/tech", N_("Technology")),
    ("/screening", N_("Screening")),
    ("/exercises", N_("Exercises")),
    ("/infrastructure", N_("Infrastructure")),
)

#: Navigation shown only to readers whose roles grant the action: (path, label, action).
PERMITTED_NAVIGATION = (
    ("/items", N_("Shared items"), Action.ITEM_READ),
    ("/audit", N_("Audit log"), Action.AUDIT_READ),
)

#: Home countries offered on the overview and country pages, after the server's default home
#: country (any stored ISO3 also works via ?home=).
HOME_CHOICES = ("JPN", "USA", "DEU", "FRA", "GBR", "ITA", "CAN", "KOR", "AUS", "IND", "CHN")


def json_attr(value: Any) -> Markup:
    """``value`` as JSON safe inside a ``<script type="application/json">`` element."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return Markup(text.replace("</", "<\\/"))


def csrf_input(token: str) -> Markup:
    """The hidden ``csrf_token`` field (the first field of every POST form)."""
    return Markup('<input type="hidden" name="csrf_token" value="%s">') % escape(token)


def lang_url(request: Request, lang: str) -> str:
    """This page's URL with ``lang`` set (the other query parameters kept)."""
    params = dict(request.query_params)
    params["lang"] = lang
    query = "&".join(f"{k}={_quote(v)}" for k, v in params.items())
    return f"{request.url.path}?{query}"


def _quote(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")


def render(request: Request, template: str, *, status_code: int = 200, token: bool = True,
           **context: Any) -> HTMLResponse:
    """``template`` rendered in the request's language (cookie set when ``?lang=`` is given).

    ``token=False`` (the host refusal page): neither the server's token nor a cookie.
    ``context`` may replace the defaults (e.g. ``navigation=()``).
    """
    lang = request_language(request)
    env = page_environment(lang)
    values: dict[str, Any] = {
        "request": request, "path": request.url.path, "navigation": NAVIGATION,
        "lang_urls": {code: lang_url(request, code) for code in SUPPORTED_LANGUAGES},
        "json_attr": json_attr, "name": lambda obj, key="name": bilingual(obj, lang, key),
        "other_name": lambda obj, key="name": other_name(obj, lang, key),
        "unit": lambda value: unit_text(value, lang),
        "static": static_url,
        "source_text": lambda value: source_text(value, lang),
    }
    if token:
        csrf = page_csrf_token(request)
        values.update(csrf_token=csrf, csrf_input=lambda: csrf_input(csrf))
        values.update(page_identity(request))
        values["navigation"] = NAVIGATION + permitted_navigation(request)
    values.update(context)
    html = env.get_template(template).render(**values)
    response = HTMLResponse(html, status_code=status_code)
    wanted = request.query_params.get("lang")
    if token and wanted in SUPPORTED_LANGUAGES:
        response.set_cookie(COOKIE, wanted, max_age=365 * 24 * 3600, samesite="lax")
    return response


def permitted_navigation(request: Request) -> tuple[tuple[str, str], ...]:
    """The entries of :data:`PERMITTED_NAVIGATION` the reader's roles grant (none when the
    reader is not known, e.g. not signed in)."""
    try:
        actor = current_actor(request)
    except Exception:  # not signed in, or an error page while the database fails
        return ()
    return tuple((href, label) for href, label, action in PERMITTED_NAVIGATION
                 if actor.may(action))


def bilingual(obj: Any, lang: str, key: str = "name") -> str:
    """The name of ``obj`` (dict or record with ``{key}_en``/``{key}_ja``) in ``lang``.

    Falls back to the English name where no Japanese name is stored.
    """
    get = obj.get if isinstance(obj, dict) else (lambda k, d=None: getattr(obj, k, d))
    en, ja = get(f"{key}_en") or "", get(f"{key}_ja") or ""
    return (ja or en) if lang == "ja" else (en or ja)


def other_name(obj: Any, lang: str, key: str = "name") -> str:
    """The name in the other language, or "" when it is missing or the same."""
    other = bilingual(obj, "en" if lang == "ja" else "ja", key)
    return "" if other == bilingual(obj, lang, key) else other


def cached(state: WebState, key: tuple[Any, ...], build: Callable[[], Any]) -> Any:
    """``build()`` once per ``key`` and knowledge-base version, in the app's one read cache
    (shared with the JSON API; cleared by imports and by data changes it notices)."""
    return read_cache(state).get(("page", *key), build)


def plain(result: Any) -> Any:
    """An analysis result as the plain dictionaries and lists the templates read (a
    pydantic model dumped once; anything else as it is)."""
    dump = getattr(result, "model_dump", None)
    return dump() if callable(dump) else result


def home_query(state: WebState, home: str | None) -> str:
    """The home country a page asked for (``?home=``, trimmed, upper case), else the
    server's default home country (:attr:`WebState.home_country`)."""
    return (home or "").strip().upper() or state.home_country


def home_choices(state: WebState, current: str) -> list[Any]:
    """The stored countries offered as home: the default, :data:`HOME_CHOICES` and
    ``current`` (each once, in that order)."""
    countries = {c.iso3: c for c in state.store.countries()}
    codes = dict.fromkeys((state.home_country, *HOME_CHOICES, current))
    return [countries[c] for c in codes if c in countries]


def country_names(state: WebState) -> dict[str, dict[str, str]]:
    """``{iso3: {"en": name, "ja": name}}`` of every stored country (what charts label
    countries with), cached."""
    return cached(state, ("country_names",), lambda: {
        c.iso3: {"en": c.name_en, "ja": c.name_ja} for c in state.store.countries()})
