"""The refusals of an import check: what the record is, then what is wrong with it.

Both parts are translatable message ids with parameters ("observation #3 (item
'lithium', …)", "value %(value)s is not a finite number"); the English text of an error
is ``<record>: <problem>`` and :meth:`translate` gives it in the reader's language.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from econsec.errors import (
    EconsecError,
    Location,
    Term,
    UnknownCommodityError,
    ValidationError,
    translate_message,
)


def N_(message: str) -> str:
    """Mark a refusal's message id for the catalogue (translated where it is shown)."""
    return message


Record = tuple[str, dict[str, Any]]
"""What a refusal is about (a message id and its parameters: "observation #3 (…)")."""

RECORD_PROBLEM = N_("%(record)s: %(problem)s")


def _record_line(error: EconsecError, record: Record, problem: str, lang: str,
                 located: bool) -> str:
    text = translate_message(RECORD_PROBLEM, {
        "record": translate_message(record[0], record[1], lang), "problem": problem}, lang)
    where = error.location.translate(lang) if located else ""
    return f"{where}: {text}" if where else text


class RecordValidationError(ValidationError):
    """A refusal of one record of a bundle: the record, then the problem; both are
    translatable templates (English ``str`` unchanged: ``<record>: <problem>``)."""

    def __init__(self, record: Record, message: str, *, location: Location | None = None,
                 params: Mapping[str, Any] | None = None) -> None:
        self.record = record
        super().__init__(message, location=location, params=params or {})
        self.message = RECORD_PROBLEM % {"record": record[0] % record[1],
                                         "problem": self.message}
        self.args = (str(self),)

    def translate(self, lang: str, *, located: bool = True) -> str:
        problem = translate_message(self.msgid, self._fill, lang)
        return _record_line(self, self.record, problem, lang, located)


class UnknownRecordItemError(UnknownCommodityError):
    """An item id of a record that neither the bundle nor the store knows."""

    def __init__(self, record: Record, name: str, suggestions: Sequence[str], *,
                 location: Location | None = None) -> None:
        self.record = record
        super().__init__(name, suggestions, location=location)
        self.message = RECORD_PROBLEM % {"record": record[0] % record[1],
                                         "problem": ITEMS_BY_ID % {"problem": self.message}}
        self.args = (str(self),)

    def translate(self, lang: str, *, located: bool = True) -> str:
        problem = translate_message(ITEMS_BY_ID, {
            "problem": super().translate(lang, located=False)}, lang)
        return _record_line(self, self.record, problem, lang, located)


ITEMS_BY_ID = N_("%(problem)s (items are given by id)")
OBSERVATION = N_("observation #%(n)s (item '%(item)s', area '%(area)s', year %(year)s, "
                 "measure '%(measure)s', source '%(source)s')")
TRADE_FLOW = N_("trade flow #%(n)s (item '%(item)s', %(exporter)s -> %(importer)s, "
                "year %(year)s, source '%(source)s')")
PRODUCT_FLOW = N_("product flow #%(n)s (%(version)s %(hs)s, %(exporter)s -> %(importer)s, "
                  "year %(year)s, source '%(source)s')")
EDGE = N_("bill-of-materials edge #%(n)s (%(input)s -> %(output)s, source '%(source)s')")
GOVERNANCE = N_("governance score #%(n)s (%(iso3)s, %(year)s, %(dimension)s, "
                "source '%(source)s')")
COUNTRY_RISK = N_("country risk #%(n)s (%(iso3)s, %(valid_from)s, source '%(source)s')")
ITEM = N_("item '%(item)s'")
UNKNOWN_COUNTRY = {
    "area": N_("unknown area country '%(code)s'"),
    "exporter": N_("unknown exporter country '%(code)s'"),
    "importer": N_("unknown importer country '%(code)s'"),
    "": N_("unknown country '%(code)s'"),
}
FACT_FIELDS = {"value": N_("value"), "quantity": N_("quantity"), "share": N_("share")}
ENUM_FIELDS = {"kind": N_("kind"), "service type": N_("service type"), "stage": N_("stage"),
               "measure": N_("measure")}
DUPLICATE = N_("duplicate")


def enum_value(enum: type, value: Any, what: str) -> str:
    """The value of ``enum`` named ``value``; a :class:`ValidationError` (a template with
    parameters, without the record) for others."""
    try:
        return str(enum(value).value)
    except ValueError:
        allowed = ", ".join(e.value for e in enum)  # type: ignore[attr-defined]
        raise ValidationError(N_("unknown %(what)s '%(value)s' (allowed: %(allowed)s)"),
                              params={"what": Term(ENUM_FIELDS.get(what, what)),
                                      "value": value, "allowed": allowed}) from None
