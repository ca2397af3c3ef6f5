"""Texts the scenario code produces for people (result notes, job progress, refusals) as
``(message id, parameters)`` pairs, rendered in the presenter's language.

The domain code builds a :class:`Text` whose ``id`` is the English message with named
``%(placeholders)s`` (marked with :func:`N_` so the catalogue test finds it) and whose
``params`` are plain JSON values: numbers stay numbers, names from a scenario file stay
as written. :func:`render` formats it for one language through the one translation
layer (``econsec.i18n``): the CLI and the JSON API render English, the web page renders
its own language (``static/scenarios.js`` applies the same rules to the pairs the API
sends beside the English text, with the translations the page embeds, see
:func:`known_messages`).

Rendering rules (also those of ``scenarios.js``): a number with thousands separators and
no decimals, or as a whole percentage where the parameter's name ends in ``_share``; a
list as quoted names joined with commas; anything else (names, preformatted figures) as
it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from econsec.i18n import Translator, translator

_KNOWN: set[str] = set()


def N_(message: str) -> str:
    """Mark ``message`` for extraction and remember it as a scenario text (the web page
    embeds the translation of every remembered message)."""
    _KNOWN.add(message)
    return message


def known_messages() -> frozenset[str]:
    """Every message id marked with :func:`N_` in the modules imported so far."""
    return frozenset(_KNOWN)


@dataclass(frozen=True)
class Text:
    """A message id (English, with ``%(name)s`` placeholders) and its parameters."""

    id: str
    params: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """``{"id": …, "params": {…}}``: what the API sends beside the English text."""
        return {"id": self.id, "params": dict(self.params)}

    def __str__(self) -> str:
        return render(self)


def _quoted(values: list[Any], lang: str) -> str:
    if lang == "ja":
        return "、".join(f"「{v}」" for v in values)
    return ", ".join(f"'{v}'" for v in values)


def format_param(name: str, value: Any, t: Translator) -> str:
    """One parameter as ``t``'s language shows it (see the module docstring)."""
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int | float):
        if name.endswith("_share"):
            return t.percent(float(value), 0)
        return t.number(float(value), 0)
    if isinstance(value, list | tuple):
        return _quoted(list(value), t.lang)
    return str(value)


def render(text: Text, t: Translator | None = None) -> str:
    """``text`` in the language of ``t`` (English by default)."""
    t = t or translator("en")
    template = t.gettext(text.id)
    values = {k: format_param(k, v, t) for k, v in text.params.items()}
    try:
        return template % values
    except (KeyError, ValueError, TypeError):  # a translation that lost a placeholder
        return text.id % {k: format_param(k, v, translator("en"))
                          for k, v in text.params.items()}


def render_all(texts: list[Text], t: Translator | None = None) -> list[str]:
    return [render(x, t) for x in texts]
