"""Countries (ISO 3166-1), their Japanese names, groups, and name resolution.

Sources:

* ISO 3166-1 list: ``classifications/countries/iso3166-1_pycountry_26.2.16.csv``
  (pycountry 26.2.16, from Debian iso-codes; LGPL-2.1-or-later).
* Japanese (and extra English) names: Unicode CLDR through Babel,
  ``babel.Locale('ja').territories[iso2]``.
* Groups: ``curated/country_groups.csv`` (econsec's own list; source per row).
* Aliases: ``usgs_mcs_derived/usgs_mcs2025_country_to_iso3.csv`` (USGS labels) plus
  ``curated/country_aliases.csv`` (EU CRM, World Bank, US-trade spellings).

Two areas outside ISO 3166-1 are known as :func:`extra_areas`: Kosovo (``XKX``, the
user-assigned code used by the World Bank and the EU) and the former Netherlands
Antilles (``ANT``, a withdrawn code the WGI still uses).
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import cache
from pathlib import Path

from econsec.datasets._csv import data_dir, display_name, read_dicts
from econsec.errors import DataFormatError, Location, UnknownCountryError
from econsec.records import Country
from econsec.suggest import close_matches, strip_diacritics

ISO_FILE = "classifications/countries/iso3166-1_pycountry_26.2.16.csv"
GROUPS_FILE = "curated/country_groups.csv"
ALIASES_FILE = "curated/country_aliases.csv"
USGS_MAP_FILE = "usgs_mcs_derived/usgs_mcs2025_country_to_iso3.csv"

_EXTRA = (
    ("XKX", "XK", "", "Kosovo"),
    ("ANT", "AN", "530", "Netherlands Antilles"),
    ("SCG", "CS", "891", "Serbia and Montenegro"),
)
_EXTRA_JA = {"ANT": "オランダ領アンティル", "SCG": "セルビア・モンテネグロ"}

_AGGREGATE = re.compile(
    r"^(world(\s+total)?|total|other(s)?(\s+countries)?|rest\s+of(\s+the)?\s+world|"
    r"united\s+states\s+and\s+canada|european\s+union|eu\s*-?\s*27|eu|row)\b"
)


def normalise(name: str) -> str:
    """Case-folded, accent-free, single-spaced form of a name (NBSP becomes a space)."""
    return " ".join(strip_diacritics(name).replace("’", "'").split()).casefold()


def is_aggregate_label(label: str) -> bool:
    """True for publishers' aggregate rows: "World total (rounded)", "Other countries", …"""
    return bool(_AGGREGATE.match(normalise(label)))


@cache
def _ja_names() -> dict[str, str]:
    from babel import Locale

    return dict(Locale("ja").territories)


@cache
def _en_names() -> dict[str, str]:
    from babel import Locale

    return dict(Locale("en").territories)


def _iso_rows(path: Path | None = None) -> list[tuple[int, dict[str, str]]]:
    path = path or data_dir() / ISO_FILE
    need = ("alpha_2", "alpha_3", "numeric", "name")
    rows = list(read_dicts(path, required=need))
    for line, row in rows:
        for col, size in (("alpha_2", 2), ("alpha_3", 3), ("numeric", 3)):
            value = row[col]
            if len(value) != size or not (value.isdigit() if col == "numeric" else value.isalpha()):
                raise DataFormatError(
                    f"bad {col} code {value!r}", location=Location(display_name(path), line, col)
                )
    return rows


def load_groups(path: Path | None = None) -> dict[str, tuple[str, ...]]:
    """Group memberships by ISO alpha-3 from ``curated/country_groups.csv``."""
    path = path or data_dir() / GROUPS_FILE
    groups: dict[str, list[str]] = defaultdict(list)
    for line, row in read_dicts(path, required=("group", "iso3", "source")):
        iso3 = row["iso3"].strip()
        if len(iso3) != 3 or not iso3.isupper():
            raise DataFormatError(
                f"bad iso3 {iso3!r}", location=Location(display_name(path), line, "iso3")
            )
        if not row["source"].strip():
            raise DataFormatError(
                "group row without source", location=Location(display_name(path), line, "source")
            )
        groups[iso3].append(row["group"].strip())
    return {k: tuple(v) for k, v in groups.items()}


@cache
def _countries_cached() -> tuple[Country, ...]:
    return tuple(countries_from(None))


def countries_from(path: Path | None = None, groups_path: Path | None = None) -> list[Country]:
    """Countries read from an ISO 3166-1 CSV (default: the bundled pycountry copy).

    Display names are CLDR's short names ("South Korea", "Russia"; 韓国, ロシア) through
    Babel; the ISO name ("Korea, Republic of") stays resolvable by :func:`resolve_country`.
    """
    en, ja = _en_names(), _ja_names()
    groups = load_groups(groups_path)
    out = []
    for _line, row in _iso_rows(path):
        iso2, iso3 = row["alpha_2"], row["alpha_3"]
        out.append(
            Country(
                iso3=iso3,
                iso2=iso2,
                numeric=row["numeric"],
                name_en=en.get(iso2, row["name"]),
                name_ja=ja.get(iso2, row["name"]),
                groups=groups.get(iso3, ()),
            )
        )
    return out


def countries() -> list[Country]:
    """All 249 ISO 3166-1 countries with Japanese CLDR names and curated groups."""
    return list(_countries_cached())


def extra_areas() -> list[Country]:
    """Areas outside ISO 3166-1 that bundled data uses: Kosovo (XKX), Netherlands Antilles
    (ANT), Serbia and Montenegro (SCG, in BACI to 2005)."""
    ja = _ja_names()
    return [
        Country(iso3, iso2, num, name, ja.get(iso2) or _EXTRA_JA.get(iso3, name))
        for iso3, iso2, num, name in _EXTRA
    ]


def country(iso3: str) -> Country:
    """The country (or extra area) with ISO alpha-3 code ``iso3``."""
    for c in (*_countries_cached(), *extra_areas()):
        if c.iso3 == iso3:
            return c
    raise UnknownCountryError(iso3, _suggest(iso3))


def _alias_rows(path: Path, name_col: str) -> list[tuple[str, str | None]]:
    out: list[tuple[str, str | None]] = []
    for line, row in read_dicts(path, required=(name_col, "iso3")):
        iso3 = row["iso3"].strip() or None
        if iso3 is not None and (len(iso3) != 3 or not iso3.isupper()):
            raise DataFormatError(
                f"bad iso3 {iso3!r}", location=Location(display_name(path), line, "iso3")
            )
        out.append((row[name_col], iso3))
    return out


@cache
def _index() -> dict[str, str]:
    """Normalised name → ISO alpha-3 for every accepted spelling."""
    index: dict[str, str] = {}
    en, ja = _en_names(), _ja_names()
    for c in (*_countries_cached(), *extra_areas()):
        names = [c.iso3, c.iso2, c.name_en, c.name_ja, en.get(c.iso2, ""), ja.get(c.iso2, "")]
        for name in names:
            if name:
                index.setdefault(normalise(name), c.iso3)
    for _line, row in _iso_rows():
        for col in ("name", "official_name", "common_name"):
            if row.get(col):
                index.setdefault(normalise(row[col]), row["alpha_3"])
    for name, iso3 in _alias_rows(data_dir() / USGS_MAP_FILE, "usgs_country_name"):
        if iso3:
            index[normalise(name)] = iso3
    for name, iso3 in _alias_rows(data_dir() / ALIASES_FILE, "alias"):
        if iso3:
            index[normalise(name)] = iso3
    return index


_FOOTNOTE = re.compile(r"\s*\d+$")
_QUALIFIER = re.compile(r"\s*\([^()]*\)$")


#: Words that make a qualifier part of a country's identity ("Congo (DRC)", "Sudan (South)",
#: "Samoa (American)"): such a qualifier is never stripped to find a country.
_IDENTITY = re.compile(
    r"\b(south|north|east|west|southern|northern|eastern|western|democratic|republic|drc|"
    r"american|equatorial|kinshasa|brazzaville|people|peoples|islamic|united|federated|british|french|dutch|us|u\.s)\b"
)


def _candidates(key: str) -> list[str]:
    """Spellings to try: as is, then without footnote digits, the estimate 'e', and a
    parenthesised or comma qualifier that does not name part of a country's identity
    ("Canada (shipments)" → Canada; "Congo (DRC)" is not stripped to Congo)."""
    out = [key]
    stem = _FOOTNOTE.sub("", key).rstrip(" .")
    out.append(stem)
    if stem.endswith("e"):
        out.append(stem[:-1].rstrip())
    qualifier = _QUALIFIER.search(stem)
    if qualifier and not _IDENTITY.search(qualifier.group(0)):
        out.extend(_candidates(stem[: qualifier.start()]))
    if "," in stem:  # "Argentina, crude ore" -> Argentina; "Guinea, Equatorial" stays whole
        head, tail = stem.split(",", 1)
        if not _IDENTITY.search(tail):
            out.append(head.strip())
    return out


def _lookup(name: str) -> str | None:
    index = _index()
    for key in _candidates(normalise(name)):
        if key in index:
            return index[key]
    return None


def known_name(name: str) -> bool:
    """True when ``name`` as written (normalised) is a known spelling, without stripping."""
    return normalise(name) in _index()


def _suggest(name: str, limit: int = 3) -> list[str]:
    by_iso = {c.iso3: c for c in (*_countries_cached(), *extra_areas())}
    picked = close_matches(normalise(name), _index(), limit)
    return [f"{by_iso[i].name_en} ({i})" if i in by_iso else i for i in picked]


def resolve_country(name: str, *, location: Location | None = None) -> str:
    """ISO alpha-3 code for a code or name in any bundled publisher's spelling.

    Accepts alpha-3/alpha-2 codes, English/official/common names, Japanese CLDR names,
    USGS labels with footnote digits, a trailing estimate ``e`` or a qualifier in
    parentheses, and the EU CRM / World Bank / US-trade spellings. Raises
    :class:`UnknownCountryError` with up to three close matches otherwise (aggregate
    labels such as "World total" are not countries and raise too).
    """
    if not is_aggregate_label(name):
        found = _lookup(name)
        if found is not None:
            return found
    raise UnknownCountryError(name, _suggest(name), location=location)


def try_resolve_country(name: str) -> str | None:
    """Like :func:`resolve_country` but None when the name is unknown or an aggregate."""
    return None if is_aggregate_label(name) else _lookup(name)
