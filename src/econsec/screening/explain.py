"""Explanation steps of a screening score in any page language.

A step of an explanation (:class:`Step`) is the English text the CLI and the API have
always printed (a ``str``), carrying the same step as translatable notes (:class:`Note`:
an English message id with ``%(name)s`` parameters, a parameter possibly itself a note).
Pages render the notes through :mod:`econsec.i18n` (Japanese in ``screening.po``); the
English text keeps the technical detail (reading keys, form names) for the CLI and API.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from econsec.errors import translate_message


def N_(message: str) -> str:
    """Mark ``message`` for extraction (the catalogue test checks its Japanese)."""
    return message


@dataclass(frozen=True)
class Note:
    """One translatable sentence: message id and parameters (a value may be a note)."""

    message_id: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def translate(self, lang: str) -> str:
        if not self.params:
            return translate_message(self.message_id, None, lang)
        values = {k: v.translate(lang) if isinstance(v, Note) else v
                  for k, v in self.params.items()}
        return translate_message(self.message_id, values, lang)

    def to_dict(self) -> dict[str, Any]:
        """``{"id", "params"}`` (nested notes as such dictionaries)."""
        return {"id": self.message_id,
                "params": {k: v.to_dict() if isinstance(v, Note) else v
                           for k, v in self.params.items()}}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Note:
        params = data.get("params") or {}
        return cls(str(data["id"]), {k: cls.from_dict(v) if isinstance(v, Mapping) else v
                                     for k, v in params.items()})


class Step(str):
    """An explanation step: its English text (the ``str`` value) and its notes."""

    notes: tuple[Note, ...]

    def __new__(cls, text: str, notes: Iterable[Note] = ()) -> Step:
        step = super().__new__(cls, text)
        step.notes = tuple(notes)
        return step

    @classmethod
    def of(cls, message_id: str, **params: Any) -> Step:
        """A step whose English text is the message itself."""
        return cls(message_id % params if params else message_id, (Note(message_id, params),))


def step_notes(steps: Iterable[str], skip: Iterable[str] = ()) -> list[dict[str, Any]]:
    """The notes of ``steps`` as ``{"id", "params"}`` dictionaries (a plain string is a
    note without parameters); steps in ``skip`` are left out."""
    left_out = set(skip)
    notes: list[dict[str, Any]] = []
    for step in steps:
        if step in left_out:
            continue
        for note in (step.notes if isinstance(step, Step) else (Note(str(step)),)):
            notes.append(note.to_dict())
    return notes


def render_notes(notes: Iterable[Mapping[str, Any]], lang: str) -> list[str]:
    """Each ``{"id", "params"}`` note in ``lang``."""
    return [Note.from_dict(n).translate(lang) for n in notes]


#: Kinds of listed names, as the explanation calls them.
NAME_KINDS = {
    "name": N_("listed name"),
    "alias": N_("listed alias"),
    "previousName": N_("listed previous name"),
    "weakAlias": N_("listed weak alias"),
}
#: How a name was turned into comparable words, in words.
FORM_METHODS = {
    "latin": N_("Latin spelling"),
    "Hepburn": N_("Hepburn romanisation"),
    "Hepburn, loanwords": N_("Hepburn romanisation read as loanwords"),
    "pinyin": N_("pinyin"),
    "glossary": N_("a glossary translation"),
    "reading": N_("pronunciation (reading)"),
}
CAP_REASONS = {
    "vowels are compared loosely": N_("vowels are compared loosely"),
    "only generic words": N_("only generic words"),
    "a short reading or only generic words says little":
        N_("a short reading or only generic words says little"),
}
