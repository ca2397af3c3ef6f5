"""Language of a request and the Jinja2 environment of the pages (one per language).

The language comes from ``?lang=ja|en``, then the ``econsec_lang`` cookie the toggle sets,
then ``Accept-Language``; English otherwise. Templates translate through the one catalogue
(:mod:`econsec.i18n`) with Jinja's i18n extension (``{{ _("…") }}``).
"""

from __future__ import annotations

from fastapi import Request
from jinja2 import Environment

from econsec.i18n import SUPPORTED_LANGUAGES
from econsec.i18n.templating import translated_environment

COOKIE = "econsec_lang"


def request_language(request: Request) -> str:
    """``ja`` or ``en`` for this request (query, cookie, Accept-Language, default en)."""
    for candidate in (request.query_params.get("lang"), request.cookies.get(COOKIE)):
        if candidate in SUPPORTED_LANGUAGES:
            return candidate
    accept = request.headers.get("accept-language", "").lower()
    for part in accept.split(","):
        code = part.split(";")[0].strip()[:2]
        if code in SUPPORTED_LANGUAGES:
            return code
    return "en"


def page_environment(lang: str) -> Environment:
    """The pages' Jinja2 environment for ``lang`` (``_``, ``gettext``, ``t`` formatters)."""
    return translated_environment("econsec.web", lang)
