"""Jinja2 environments bound to the translation layer: one per (template package, language).

Templates call ``{{ _("…") }}`` (Jinja's i18n extension with the catalogue's gettext) and
get ``t`` (the :class:`~econsec.i18n.Translator` for number, percent and date formats) and
``lang`` as globals.
"""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, PackageLoader, select_autoescape

from econsec.i18n import translator


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
    return env
