"""Jinja2 environments bound to the translation layer: one per (template package, language).

Templates call ``{{ _("…") }}`` (Jinja's i18n extension with the catalogue's gettext) and
get ``t`` (the :class:`~econsec.i18n.Translator` for number, percent and date formats) and
``lang`` as globals, and the ``http_url`` filter: a URL from data (a source's address) becomes
a link only through it (``{% set href = s.url|http_url %}{% if href %}<a href="{{ href }}">``),
so a ``javascript:`` or ``data:`` address is shown as text, never made clickable.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from econsec.i18n import translator

_HTTP_URL = re.compile(r"https?://[^\s/?#\\]+(?:[/?#]\S*)?", re.IGNORECASE)


def http_url(value: Any) -> str:
    """``value`` when it is an absolute http(s) URL without spaces or control characters,
    else "" (show such a value as text, never as a link)."""
    if not isinstance(value, str):
        return ""
    text = value.strip()
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in text) or not _HTTP_URL.fullmatch(text):
        return ""
    return text


@cache
def translated_environment(package: str, lang: str, folder: str = "templates") -> Environment:
    """The environment for templates in ``package``/``folder`` translating into ``lang``."""
    t = translator(lang)
    env = Environment(
        loader=PackageLoader(package, folder),
        autoescape=select_autoescape(["html", "j2"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(t.gettext, t.ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals["t"] = t
    env.globals["lang"] = lang
    env.filters["http_url"] = http_url
    env.globals["http_url"] = http_url
    return env
