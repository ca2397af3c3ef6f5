"""Checks on what a user hands screening: the query (name, country, birth date), a list's
name and its edition date.

- A name to screen must keep at least one letter or digit after the matcher's own
  normalisation (:func:`econsec.screening.names.normalise_name`): a query of spaces,
  zero-width characters, a NUL or punctuation only (``---``) would otherwise look clear.
- A birth date is ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (as lists give them), a real
  date, not before :data:`MIN_BIRTH_YEAR` and not in the future.
- A country is checked by the resolver the presenter passes (the CLI and the web app pass
  :func:`econsec.datasets.countries.resolve_country`, which knows codes, English and
  Japanese names and common spellings, and screen with the ISO code it returns); without
  one, by the matcher's own ISO 3166 lookup (a value the matcher could not compare with a
  listed country is refused rather than silently counted as a conflict). An unknown
  country is an :class:`~econsec.errors.UnknownCountryError` with close matches.
- A list name has no control or invisible format characters (they would recolour a
  terminal or hide in a report).
- An edition date is an ISO date from :data:`MIN_EDITION` to tomorrow (UTC).

Refusals are :class:`QueryError` (a :class:`~econsec.errors.ValidationError`): its
``template`` and ``params`` let a page show the message in the reader's language.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

from econsec.errors import Location, UnknownCountryError, ValidationError
from econsec.screening.match import Query
from econsec.screening.names import normalise_name
from econsec.suggest import close_matches

#: ``resolve(value, location=...)`` → ISO code, or UnknownCountryError.
CountryResolver = Callable[..., str]

#: Earliest birth (or incorporation) year a query may give.
MIN_BIRTH_YEAR = 1800
#: Earliest edition date of a list.
MIN_EDITION = date(1945, 1, 1)

_PARTIAL_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

EMPTY_NAME = "the name to screen is empty (it has no letter or digit once spaces, " \
    "invisible characters and punctuation are removed)"
BAD_BIRTH_DATE = "birth date '%(value)s' is not a date: give YYYY, YYYY-MM or YYYY-MM-DD"
OLD_BIRTH_DATE = "birth date '%(value)s' is before %(year)s"
FUTURE_BIRTH_DATE = "birth date '%(value)s' is in the future"
CONTROL_IN_LIST_NAME = "list name contains the control character %(char)s at position " \
    "%(position)s"
BAD_EDITION = "edition '%(value)s' is not a date (YYYY-MM-DD)"
EDITION_OUT_OF_RANGE = "edition '%(value)s' is outside %(first)s to %(last)s: give the date " \
    "the list was published"


class QueryError(ValidationError):
    """A refused screening input; ``template % params`` is the English message and
    :meth:`~econsec.errors.EconsecError.translate` gives it in the reader's language."""

    def __init__(self, template: str, params: dict[str, object] | None = None, *,
                 location: Location | None = None) -> None:
        super().__init__(template, params=params or {}, location=location)


def has_content(name: str) -> bool:
    """True when the normalised ``name`` keeps a letter or digit."""
    return any(any(ch.isalnum() for token in form.tokens for ch in token)
               for form in normalise_name(name).forms)


def check_query_name(name: str, where: Location | None = None) -> str:
    """``name`` stripped, or :class:`QueryError` when nothing comparable is left."""
    if not name.strip() or not has_content(name):
        raise QueryError(EMPTY_NAME, location=where)
    return name.strip()


def check_birth_date(value: str, where: Location | None = None,
                     today: date | None = None) -> str:
    """``value`` stripped when it is a plausible birth date (``YYYY[-MM[-DD]]``)."""
    text = value.strip()
    found = _PARTIAL_DATE.fullmatch(text)
    params: dict[str, object] = {"value": text}
    if not found:
        raise QueryError(BAD_BIRTH_DATE, params, location=where)
    year, month, day = (int(g) if g else None for g in found.groups())
    assert year is not None
    try:
        first = date(year, month or 1, day or 1)
    except ValueError:
        raise QueryError(BAD_BIRTH_DATE, params, location=where) from None
    if year < MIN_BIRTH_YEAR:
        raise QueryError(OLD_BIRTH_DATE, {**params, "year": MIN_BIRTH_YEAR}, location=where)
    if first > (today or datetime.now(UTC).date()):
        raise QueryError(FUTURE_BIRTH_DATE, params, location=where)
    return text


@lru_cache(maxsize=1)
def _iso_countries() -> dict[str, str]:
    """Spelling (codes, names) → ``Name (ISO3)`` for the suggestions of the ISO lookup."""
    import pycountry

    out: dict[str, str] = {}
    for c in pycountry.countries:
        label = f"{c.name} ({c.alpha_3})"
        for key in (c.alpha_2, c.alpha_3, c.name, getattr(c, "common_name", None),
                    getattr(c, "official_name", None)):
            if key:
                out[key] = label
    return out


#: Codes outside ISO 3166-1 that lists use, as the matcher compares them (Kosovo's
#: user-assigned code; the former Netherlands Antilles).
_OTHER_CODES = {"XK": "XK", "XKX": "XK", "KOSOVO": "XK", "AN": "AN", "ANT": "AN",
                "NETHERLANDS ANTILLES": "AN"}


def _iso_country(text: str, *, location: Location | None = None) -> str:
    import pycountry

    if text.upper() in _OTHER_CODES:
        return _OTHER_CODES[text.upper()]
    try:
        return str(pycountry.countries.lookup(text).alpha_3)
    except LookupError:
        raise UnknownCountryError(text, close_matches(text, _iso_countries()),
                                  location=location) from None


def check_country(value: str, where: Location | None = None,
                  resolve: CountryResolver | None = None) -> str:
    """The ISO code of a known country (``resolve``, else the ISO 3166 lookup); an unknown
    one raises :class:`~econsec.errors.UnknownCountryError` with close matches."""
    code = (resolve or _iso_country)(value.strip(), location=where)
    return _OTHER_CODES.get(code, code)


def check_query(query: Query, where: Location | None = None, *,
                resolve_country: CountryResolver | None = None) -> Query:
    """``query`` with its fields checked (the name stripped, the country as its ISO code,
    an empty country or birth date None)."""
    def at(column: str) -> Location:
        return Location(where.file if where else None, where.line if where else None, column)

    country = (query.country or "").strip()
    birth = (query.birth_date or "").strip()
    return Query(check_query_name(query.name, at("name")),
                 check_country(country, at("country"), resolve_country) if country else None,
                 check_birth_date(birth, at("birth_date")) if birth else None)


def check_list_name(name: str) -> str:
    """``name`` when it holds no control or invisible format character."""
    for position, char in enumerate(name, start=1):
        if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp"):
            raise QueryError(CONTROL_IN_LIST_NAME, {"char": f"U+{ord(char):04X}",
                                                    "position": position},
                             location=Location(column="name"))
    return name


def check_edition(value: str, today: date | None = None) -> str:
    """``value`` when it is an ISO date from :data:`MIN_EDITION` to tomorrow."""
    where = Location(column="edition")
    text = value.strip()
    try:
        if not _ISO_DATE.fullmatch(text):
            raise ValueError(text)
        edition = date.fromisoformat(text)
    except ValueError:
        raise QueryError(BAD_EDITION, {"value": text}, location=where) from None
    last = (today or datetime.now(UTC).date()) + timedelta(days=1)
    if not MIN_EDITION <= edition <= last:
        raise QueryError(EDITION_OUT_OF_RANGE, {"value": text, "first": MIN_EDITION.isoformat(),
                                                "last": last.isoformat()}, location=where)
    return text
