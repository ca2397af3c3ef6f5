"""Typed errors.

Every error says *what* went wrong and, where it applies, *where*: the file, line,
column and field. The CLI maps any :class:`EconsecError` to exit status 2 and prints
``str(error)``; the API (later) maps it to an RFC 9457 problem-details response.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


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


class EconsecError(Exception):
    """Base class of every error econsec raises on purpose."""

    exit_code = 2
    title = "econsec error"

    def __init__(self, message: str, *, location: Location | None = None) -> None:
        self.message = message
        self.location = location or Location()
        super().__init__(str(self))

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
        message = f"unknown {self.kind} '{name}'"
        if self.suggestions:
            message += "; did you mean: " + ", ".join(self.suggestions) + "?"
        super().__init__(message, location=location)


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
