"""Typed errors.

Every error says *what* went wrong and, where it applies, *where*: the file, line,
column and field. The CLI maps any :class:`EconsecError` to exit status 2 and prints
``str(error)``; the API maps it to an RFC 9457 problem-details response.

Translatable errors. The CLI and the API speak English; web pages speak the reader's
language. An error raised as ``EconsecError("decision date %(date)s is too late",
params={"date": "9999-12-31"})`` keeps its English message id (``msgid``) and parameters
(``params``): ``str(error)`` is the English text as before, and ``error.translate("ja")``
the same line through :mod:`econsec.i18n` (message id translated, then filled in). A
parameter wrapped in :class:`Term` is itself a message id and is translated too (a field
name, a fixed phrase); other parameters (user values, numbers, dates) are inserted as they
are. Without ``params`` the message is not a template and ``translate`` returns the
translation of the whole message, if the catalogue has one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


class Term(str):
    """A parameter value of a translatable error that is itself an English message id
    (translated with the message; English text unchanged)."""

    __slots__ = ()


def translate_message(msgid: str, params: Mapping[str, Any] | None, lang: str) -> str:
    """``msgid`` translated into ``lang`` and filled with ``params`` (:class:`Term` values
    translated too); the English text when the translation does not fit its parameters."""
    return _translated(msgid, params, lang)


def _translated(msgid: str, params: Mapping[str, Any] | None, lang: str) -> str:
    from econsec.i18n import translator

    gettext = translator(lang).gettext
    if params is None:
        return gettext(msgid)
    values = {k: gettext(v) if isinstance(v, Term) else v for k, v in params.items()}
    try:
        return gettext(msgid) % values
    except (KeyError, ValueError, TypeError):  # a broken translation: fall back to English
        return msgid % params


@dataclass
class Location:
    """Where in an input a problem sits. Lines are 1-based and count the header line."""

    file: str | None = None
    line: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        parts = []
        if self.file:
            parts.append(self.file)
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.column:
            parts.append(f"column '{self.column}'")
        return ", ".join(parts)

    def translate(self, lang: str) -> str:
        """:meth:`__str__` in ``lang``."""
        parts = []
        if self.file:
            parts.append(self.file)
        if self.line is not None:
            parts.append(_translated("line %(line)s", {"line": self.line}, lang))
        if self.column:
            parts.append(_translated("column '%(column)s'", {"column": self.column}, lang))
        return ", ".join(parts)


class EconsecError(Exception):
    """Base class of every error econsec raises on purpose."""

    exit_code = 2
    title = "econsec error"
    #: The parameters of a translatable message (None: the message is not a template).
    params: dict[str, Any] | None = None

    def __init__(self, message: str, *, location: Location | None = None,
                 params: Mapping[str, Any] | None = None) -> None:
        #: The English message id; with ``params`` a template with %(name)s placeholders.
        self.msgid = message
        self._fill: dict[str, Any] | None = None
        if params is not None:  # (a subclass may keep its own ``params``: left alone then)
            self.params = self._fill = dict(params)
            message = message % self._fill
        self.message = message
        self.location = location or Location()
        super().__init__(str(self))

    def translate(self, lang: str, *, located: bool = True) -> str:
        """The one-line message (location first, like ``str``) in ``lang`` (``en``/``ja``);
        without the location when ``located`` is false (a form that marks the field)."""
        text = _translated(self.msgid, self._fill, lang)
        where = self.location.translate(lang) if located else ""
        return f"{where}: {text}" if where else text

    def __str__(self) -> str:
        where = str(self.location)
        return f"{where}: {self.message}" if where else self.message

    def to_dict(self) -> dict[str, object]:
        """Problem-details style dictionary (RFC 9457 member names)."""
        return {
            "type": type(self).__name__,
            "title": self.title,
            "detail": self.message,
            "file": self.location.file,
            "line": self.location.line,
            "column": self.location.column,
        }


class DataFormatError(EconsecError):
    """An input file is malformed: bad encoding, missing columns, unparsable values."""

    title = "malformed input"


class ValidationError(EconsecError):
    """A value is well-formed but not allowed: a negative share, a share over 100 %."""

    title = "invalid value"


class UnknownNameError(EconsecError):
    """A name (commodity, country, region, sector) is not known; carries close matches."""

    title = "unknown name"
    kind = "name"

    def __init__(
        self,
        name: str,
        suggestions: Sequence[str] = (),
        *,
        location: Location | None = None,
        kind: str | None = None,
    ) -> None:
        self.name = name
        self.suggestions = tuple(suggestions)
        if kind:
            self.kind = kind
        params: dict[str, Any] = {"kind": Term(self.kind), "name": name}
        if self.suggestions:
            params["suggestions"] = ", ".join(self.suggestions)
            message = "unknown %(kind)s '%(name)s'; did you mean: %(suggestions)s?"
        else:
            message = "unknown %(kind)s '%(name)s'"
        super().__init__(message, location=location, params=params)


class UnknownCommodityError(UnknownNameError):
    kind = "commodity"


class UnknownCountryError(UnknownNameError):
    kind = "country"


class CyclicBillOfMaterialsError(ValidationError):
    """A bill of materials contains a cycle (an item is, indirectly, its own input)."""

    title = "cyclic bill of materials"


class NotFoundError(EconsecError):
    """A requested record (e.g. observations for a commodity and year) does not exist."""

    title = "not found"


class UnknownProductError(UnknownNameError, NotFoundError):
    """An HS product code that neither the bundled descriptions nor the stored flows know;
    carries close codes."""

    kind = "HS code"
    title = "not found"


class NotSignedInError(EconsecError):
    """The request needs a signed-in session (users exist on this server): 401 for the API,
    the sign-in page for a browser; the CLI exits with 77 (EX_NOPERM)."""

    exit_code = 77
    title = "sign-in required"


class ForbiddenError(EconsecError):
    """The signed-in actor's roles do not grant this action (403). Never used for an item
    the actor may not see: that answers :class:`NotFoundError`, as if it did not exist."""

    exit_code = 77
    title = "forbidden"


class StoreError(EconsecError):
    """The knowledge base cannot be opened, migrated or written."""

    title = "knowledge base error"


class BusyError(EconsecError):
    """The knowledge base is busy (another writer holds the lock) and waiting did not help.

    The web API answers 503 with ``Retry-After``; the CLI exits with 75 (EX_TEMPFAIL).
    Never carries SQL, parameters or database URLs: only what to do.
    """

    exit_code = 75
    title = "knowledge base busy"

    def __init__(self, message: str = "the knowledge base is busy with another write; "
                 "try again in a few seconds", *, retry_after: int = 5,
                 location: Location | None = None) -> None:
        self.retry_after = retry_after
        super().__init__(message, location=location)
