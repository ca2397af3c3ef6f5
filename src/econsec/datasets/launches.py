"""Orbital launch attempts 1957-2024 from Jonathan McDowell's launch log (JSR / GCAT, CC BY).

``space/launches/jsr_orbital_launches_1957_2024.csv``: one row per orbital launch attempt
(columns ``dt_min, year, lv_state, launch_code, vehicle, agency, site_raw``; see the
folder's ``PROVENANCE.txt``). ``lv_state`` is JSR's own code of the state that owns the
launch vehicle; :data:`STATE_CODES` maps it to ISO 3166-1 alpha-3:

===========  ========  ============================================================
JSR code     ISO3      note
===========  ========  ============================================================
US           USA
SU           –         Soviet Union (1957-1991): kept apart; successor RUS
RU           RUS       Russia (from 1992)
CN           CHN
F            FRA       France (national launchers, e.g. Diamant)
J            JPN
IN           IND
NZ           NZL       Rocket Lab Electron from Mahia (JSR codes the vehicle state NZ)
IR           IRN
IL           ISR
KP           PRK
KR           KOR
UK           GBR
BR           BRA
CYM          CYM       Cayman Islands: Sea Launch (Zenit-3SL), a Cayman-registered company
I            –         international (e.g. Scout launches from San Marco)
I-ESA        –         European Space Agency (Ariane from Kourou)
I-ELDO       –         European Launcher Development Organisation (Europa)
===========  ========  ============================================================

Entries without ISO3 are not countries (``LaunchState.kind``: ``historical`` or
``international``): they count in the world total but never in a country's figures.

The outcome is JSR's ``launch_code``: ``O`` (orbital) then ``S`` (success) or ``F``
(failure), sometimes followed by a number (``OS75``), kept in the record. A code of
another shape, a year outside 1957-2100, a year that disagrees with the date or an
unknown state code is refused with the file, line and column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from econsec.datasets._csv import data_dir, display_name, read_dicts
from econsec.errors import DataFormatError, Location

FILE = "space/launches/jsr_orbital_launches_1957_2024.csv"
SITES_FILE = "space/launches/launch_sites_geocoded.csv"
SOURCE_KEY = "jsr-launches"
_CODE = re.compile(r"^O([SF])(\d*)$")
_DATE = re.compile(r"^(\d{4})-\d{2}-\d{2}")


@dataclass(frozen=True)
class LaunchState:
    """A JSR launch-vehicle state code: its ISO3 (None if not a country) and names."""

    code: str
    iso3: str | None
    name_en: str
    name_ja: str
    kind: str = "country"  # country | historical | international
    successor: str | None = None


def _s(code: str, iso3: str | None, en: str, ja: str, kind: str = "country",
       successor: str | None = None) -> LaunchState:
    return LaunchState(code, iso3, en, ja, kind, successor)


#: JSR ``lv_state`` code → :class:`LaunchState` (the table in the module documentation).
STATE_CODES: dict[str, LaunchState] = {s.code: s for s in (
    _s("US", "USA", "United States", "アメリカ合衆国"),
    _s("SU", None, "Soviet Union", "ソビエト連邦", "historical", "RUS"),
    _s("RU", "RUS", "Russia", "ロシア"),
    _s("CN", "CHN", "China", "中国"),
    _s("F", "FRA", "France", "フランス"),
    _s("J", "JPN", "Japan", "日本"),
    _s("IN", "IND", "India", "インド"),
    _s("NZ", "NZL", "New Zealand", "ニュージーランド"),
    _s("IR", "IRN", "Iran", "イラン"),
    _s("IL", "ISR", "Israel", "イスラエル"),
    _s("KP", "PRK", "North Korea", "北朝鮮"),
    _s("KR", "KOR", "South Korea", "韓国"),
    _s("UK", "GBR", "United Kingdom", "イギリス"),
    _s("BR", "BRA", "Brazil", "ブラジル"),
    _s("CYM", "CYM", "Cayman Islands (Sea Launch)", "ケイマン諸島（シーローンチ）"),
    _s("I", None, "International", "国際", "international"),
    _s("I-ESA", None, "European Space Agency", "欧州宇宙機関", "international"),
    _s("I-ELDO", None, "European Launcher Development Organisation", "欧州ロケット開発機構",
       "international"),
)}


@dataclass(frozen=True)
class Launch:
    """One orbital launch attempt."""

    date: str  # UTC, ISO 8601 as in the log
    year: int
    state: str  # JSR code
    launch_code: str
    success: bool
    vehicle: str
    agency: str
    site: str

    @property
    def iso3(self) -> str | None:
        """The launch-vehicle state's ISO3 (None for the Soviet Union and international)."""
        return STATE_CODES[self.state].iso3


def read_launches(path: Path) -> list[Launch]:
    """The launch log at ``path`` in file order.

    Raises :class:`DataFormatError` naming the file, line and column of a bad cell."""
    name = display_name(path)
    out = []
    need = ("dt_min", "year", "lv_state", "launch_code", "vehicle", "agency", "site_raw")
    for line, row in read_dicts(path, required=need):
        state = row["lv_state"].strip()
        if state not in STATE_CODES:
            raise DataFormatError(
                f"unknown JSR state code {state!r} (known: {', '.join(sorted(STATE_CODES))})",
                location=Location(name, line, "lv_state"))
        code = row["launch_code"].strip()
        match = _CODE.match(code)
        if not match:
            raise DataFormatError(f"not a JSR orbital launch code (OS…/OF…): {code!r}",
                                  location=Location(name, line, "launch_code"))
        year_text = row["year"].strip()
        if not year_text.isdigit() or not 1957 <= int(year_text) <= 2100:
            raise DataFormatError(f"not a launch year: {year_text!r}",
                                  location=Location(name, line, "year"))
        date = row["dt_min"].strip()
        dated = _DATE.match(date)
        if not dated or dated.group(1) != year_text:
            raise DataFormatError(f"date {date!r} does not fall in year {year_text}",
                                  location=Location(name, line, "dt_min"))
        out.append(Launch(date, int(year_text), state, code, match.group(1) == "S",
                          row["vehicle"].strip(), row["agency"].strip(),
                          row["site_raw"].strip()))
    return out


@cache
def _bundled() -> tuple[Launch, ...]:
    return tuple(read_launches(data_dir() / FILE))


def bundled_launches() -> list[Launch]:
    """The bundled launch log (read once per process)."""
    return list(_bundled())
