"""Restricted-party lists bundled with econsec, converted to the screening entity model
at load time.

The source files sit byte for byte in ``econsec/data/screening/`` (their origin, licence
and checksums are in ``econsec/data/PROVENANCE.md`` and ``MANIFEST.csv``). Each
:class:`BundledList` names one list, its edition date, publisher and licence and the
converter that turns its file into :class:`~econsec.screening.entities.ListedEntity`
records (names, aliases, Japanese or Chinese names where the list gives them, countries,
birth or incorporation dates, designation date and source URL).

Entries a list marks as removed (the 1260H list's ``End date``, the PRC lists' ``End
date``) are left out. OFAC vessels and aircraft and EU vessels and assets are left out:
screening covers persons and legal entities.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from importlib import resources
from pathlib import Path

from econsec.errors import UnknownNameError
from econsec.screening.entities import ListedEntity, csv_records, physical_lines
from econsec.screening.match import country_code

#: Bump when a converter changes, so that an index loaded by an older one is refreshed.
CONVERTER_VERSION = 1


@dataclass(frozen=True)
class BundledList:
    """One bundled list: what it is, its edition and licence, and how to read it."""

    name: str
    title: str
    file: str  # relative to econsec/data/screening/
    edition: str  # ISO date of the edition (the state of the source file)
    publisher: str
    licence: str
    source_url: str
    japanese: bool  # loaded by ``econsec init``
    convert: Callable[[Path], list[ListedEntity]]

    @property
    def path(self) -> Path:
        return Path(str(resources.files("econsec") / "data" / "screening")) / self.file

    def entities(self) -> list[ListedEntity]:
        return self.convert(self.path)

    def to_dict(self) -> dict[str, object]:
        return {"name": self.name, "title": self.title, "edition": self.edition,
                "publisher": self.publisher, "licence": self.licence,
                "source_url": self.source_url, "file": self.file,
                "loaded_by_init": self.japanese}


def _split(text: str, sep: str) -> list[str]:
    return [part.strip() for part in text.split(sep) if part.strip()]


def _slug(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "-", text.casefold()).strip("-")[:80]


def _unique_id(prefix: str, key: str, seen: set[str]) -> str:
    """``prefix-slug`` of ``key``; a short hash of ``key`` when the slug is empty (a name
    in Chinese script) or already taken by another name."""
    entity_id = f"{prefix}-{_slug(key)}"
    if entity_id == f"{prefix}-" or entity_id in seen:
        entity_id = f"{prefix}-{_slug(key)[:40]}-" + hashlib.sha1(key.encode()).hexdigest()[:8]
    seen.add(entity_id)
    return entity_id.replace("--", "-")


_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
    start=1)}


def parse_date(text: str) -> str:
    """ISO date from the lists' formats (``2024-01-31``, ``31.01.2024``, ``31.1.24``,
    ``9 August 2025``, ``09 Feb 1951``, ``Feb 1951``, ``1951``); ``""`` when unreadable."""
    text = text.strip()
    if re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", text):
        return text
    if m := re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{2}|\d{4})", text):
        day, month, year = int(m[1]), int(m[2]), int(m[3])
        year += 2000 if year < 100 else 0
        return _iso(year, month, day)
    if m := re.fullmatch(r"(?:(\d{1,2}) )?([A-Za-z]{3})[a-z]* (\d{4})", text):
        named_month = _MONTHS.get(m[2].casefold())
        if named_month is None:
            return ""
        if m[1] is None:
            return f"{m[3]}-{named_month:02d}"
        return _iso(int(m[3]), named_month, int(m[1]))
    return ""


def _iso(year: int, month: int, day: int) -> str:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return ""


def _country(text: str) -> str:
    text = text.strip().rstrip(".")
    if not text or text.upper() == "EU":
        return ""
    code = country_code(text)
    return code if len(code) == 2 else ""


def _rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    return csv_records(path)


# -- METI / MOFA ------------------------------------------------------------------------
def meti_end_user_list(path: Path) -> list[ListedEntity]:
    """METI End User List: English name, Japanese name (where given), ``|``-separated
    aliases, country code, effective date."""
    out = []
    for _, r in _rows(path):
        names = [("name", n) for n in (r["name_en"], r["name_ja"]) if n]
        names += [("alias", a) for a in _split(r["aliases"], "|")]
        out.append(ListedEntity(
            r["id"], "Organization", tuple(names), tuple(filter(None, [_country(
                r["country_code"])])), (), ("jp-meti-eul",), r["effective_date"],
            r["source_url"]))
    return out


def _address_country(address: str) -> str:
    """The country an address ends with (``…, Yerevan, 0026, Armenia.`` → ``am``)."""
    parts = [p.strip(" .") for p in address.split(",") if p.strip(" .")]
    for part in reversed(parts[-2:]):
        code = _country(part)
        if code:
            return code
    return ""


def _export_ban(which: str, dataset: str) -> Callable[[Path], list[ListedEntity]]:
    def convert(path: Path) -> list[ListedEntity]:
        out: list[ListedEntity] = []
        for _, r in _rows(path):
            if r["list"] != which:
                continue
            english = [("alias", a) for a in _split(r["aliases_en"], "|")]
            country = _country(r["country_code"]) or _address_country(r["address"])
            if not r["name_ja"]:
                # The source's PDF parse split some entries: a row without a Japanese name
                # is either the English part of the previous entry (which then has none:
                # "第 140 修理工場" + "140" "Repair Plant JSC") or the rest of the previous
                # entry's address; neither is an entity of its own.
                previous = out[-1] if out else None
                if previous is None or any(n.isascii() for _, n in previous.names):
                    continue
                names = (*previous.names, ("name", f"{r['entry_number']} {r['name_en']}"),
                         *english)
                out[-1] = replace(previous, names=tuple(dict.fromkeys(names)),
                                  countries=previous.countries or ((country,) if country
                                                                   else ()))
                continue
            own = [("name", n) for n in (r["name_ja"], r["name_en"]) if n]
            own += [("alias", a) for a in _split(r["aliases_ja"], "|")] + english
            out.append(ListedEntity(r["id"], "Organization", tuple(dict.fromkeys(own)),
                                    (country,) if country else (), (), (dataset,),
                                    r["designation_date"], r["source_url"]))
        return out

    convert.__doc__ = f"METI/MOFA export-prohibition list: {which} entities."
    return convert


# -- United States ----------------------------------------------------------------------
def dod_1260h(path: Path) -> list[ListedEntity]:
    """DoD 1260H list: clean name, alias, previous names; rows with an ``End date`` are
    removals (an entity removed and listed again stays, with its later start date)."""
    merged: dict[str, dict[str, object]] = {}
    for _, r in _rows(path):
        key = r["Clean Name"] or r["Name"]
        item = merged.setdefault(key, {"names": [], "active": [], "url": ""})
        names = item["names"]
        assert isinstance(names, list)
        names += [("name", key)] + [("alias", a) for a in _split(r["Alias"], ";")]
        names += [("previousName", a) for a in _split(r["Previous Name"], ";")]
        if not r["End date"]:
            active = item["active"]
            assert isinstance(active, list)
            active.append(r["Start date"])
            item["url"] = item["url"] or r["Source Url"]
    out = []
    seen: set[str] = set()
    for key, item in merged.items():
        active = item["active"]
        assert isinstance(active, list) and isinstance(item["names"], list)
        if not active:
            continue
        out.append(ListedEntity(_unique_id("us-1260h", key, seen), "Company",
                                tuple(dict.fromkeys(item["names"])), ("cn",), (),
                                ("us-dod-1260h",), max(active), str(item["url"])))
    return out


_AKA = re.compile(r"\b([afn])\.k\.a\. '(.+?)'(?=[;.,]|$)")
_DOB = re.compile(r"\bDOB (?:circa )?(\d{1,2} [A-Z][a-z]{2} \d{4}|[A-Z][a-z]{2} \d{4}|\d{4})")
_NATIONALITY = re.compile(r"\b(?:[Nn]ationality|[Cc]itizen) ([A-Z][A-Za-z ]+?)(?=[;.]|$)")


def ofac_sdn(path: Path) -> list[ListedEntity]:
    """OFAC SDN (legacy ``sdn.csv``, no header): entities (``SDN_Type`` ``-0-``) and
    individuals; aliases (``a.k.a.``/``f.k.a.``), birth dates and nationality from the
    remarks. Vessels and aircraft are left out."""
    out = []
    reader = csv.reader(text for _, text in physical_lines(path))
    for row in reader:
        if len(row) < 12:
            continue  # the file's trailing DOS end-of-file byte
        ent_num, name, kind, program = (c.strip() for c in row[:4])
        remarks = "" if row[11].strip() == "-0-" else row[11].strip()
        if kind not in ("-0-", "individual") or not name:
            continue
        names = [("name", name)]
        names += [("previousName" if m[1] == "f" else "alias", m[2])
                  for m in _AKA.finditer(remarks)]
        dates = tuple(dict.fromkeys(filter(None, (parse_date(m) for m in
                                                  _DOB.findall(remarks)))))
        countries = tuple(dict.fromkeys(filter(None, (_country(c) for c in
                                                      _NATIONALITY.findall(remarks)))))
        out.append(ListedEntity(
            f"ofac-sdn-{ent_num}", "Person" if kind == "individual" else "LegalEntity",
            tuple(dict.fromkeys(names)), countries, dates, ("us-ofac-sdn", program), "",
            f"https://sanctionssearch.ofac.treas.gov/Details.aspx?id={ent_num}"))
    return out


# -- PRC ----------------------------------------------------------------------------------
def prc_lists(path: Path) -> list[ListedEntity]:
    """PRC countermeasure, Unreliable Entity and export-control lists: English and Chinese
    names, alias, country, announcement date; an entity on several lists is one entity
    (earliest date); rows with an ``End date`` are left out."""
    merged: dict[str, _PrcEntry] = {}
    for _, r in _rows(path):
        if r["End date"]:
            continue
        item = merged.setdefault(r["Name"], _PrcEntry(r["Type"], r["Source URL"]))
        item.names += [r["Name"], *_split(r["Alias"], ";"), *_split(r["Chinese name"], ";")]
        item.countries += [c for c in [_country(r["Country"])] if c]
        item.dates += [d for d in [parse_date(r["Date"])] if d]
        item.lists += [r["List"] or r["Topics"]]
    out = []
    seen: set[str] = set()
    for name, item in merged.items():
        names = list(dict.fromkeys(item.names))
        schema = item.schema
        out.append(ListedEntity(
            _unique_id("cn", name, seen), schema if schema in ("Person", "Company", "Organization")
            else "LegalEntity",
            (("name", names[0]), *(("alias", n) for n in names[1:])),
            tuple(dict.fromkeys(item.countries)), (),
            ("cn-countermeasures", *dict.fromkeys(item.lists)),
            min(item.dates, default=""), item.url))
    return out


@dataclass
class _PrcEntry:
    """One PRC-listed entity gathered over the rows (and lists) that name it."""

    schema: str
    url: str
    names: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)
    lists: list[str] = field(default_factory=list)


# -- European Union -----------------------------------------------------------------------
EU_SCHEMATA = {"LegalEntity": "LegalEntity", "Person": "Person", "Company": "Company",
               "Organization": "Organization"}


def eu_833(path: Path) -> list[ListedEntity]:
    """Regulation (EU) No 833/2014 annexes: name, ``;``-separated aliases, weak aliases,
    previous names, country, birth or incorporation date, start date, annex. Vessels
    (Annex XLII) and assets are left out."""
    out = []
    seen: set[str] = set()
    for _, r in _rows(path):
        schema = EU_SCHEMATA.get(r["schema"])
        if schema is None or not r["name"]:
            continue
        base = f"eu-833-{_slug(r['annex'])}-" + (r["recordId"] or _slug(r["name"]))
        entity_id, n = base, 1
        while entity_id in seen:
            n += 1
            entity_id = f"{base}-{n}"
        seen.add(entity_id)
        names = [("name", r["name"])]
        for prop in ("alias", "weakAlias", "previousName"):
            names += [(prop, a) for a in _split(r[prop], ";")]
        countries = [_country(c) for p in ("country", "nationality", "jurisdiction")
                     for c in _split(r[p], ";")] or [_address_country(r["address"])]
        dates = [parse_date(d) for p in ("birthDate", "incorporationDate")
                 for d in _split(r[p], ";")]
        out.append(ListedEntity(
            entity_id, schema, tuple(dict.fromkeys(names)),
            tuple(dict.fromkeys(filter(None, countries))), tuple(filter(None, dates)),
            ("eu-833-2014", f"Annex {r['annex']}"), parse_date(r["startDate"]),
            "https://eur-lex.europa.eu/eli/reg/2014/833/oj"))
    return out


_GOJ = ("Government of Japan Standard Terms of Use 2.0 (compatible with CC BY 4.0; credit "
        "METI/MOFA); parsed by the Ammitto project")
_OS = ("public government source; compiled by OpenSanctions in an MIT-licensed repository "
       "(attribution recommended)")

#: Every bundled list, by name.
BUNDLED: dict[str, BundledList] = {b.name: b for b in (
    BundledList("jp-meti-eul", "METI End User List (外国ユーザーリスト)",
                "jp_meti/meti_foreign_user_list_20250929.csv", "2025-09-29",
                "Ministry of Economy, Trade and Industry (Japan)", _GOJ,
                "https://www.meti.go.jp/policy/anpo/law00.html", True, meti_end_user_list),
    BundledList("jp-export-ban-russia", "Export prohibition: Russian entities (MOFA notice)",
                "jp_meti/meti_export_prohibition_russia_belarus_thirdcountry.csv",
                "2025-09-12", "Ministry of Foreign Affairs / METI (Japan)", _GOJ,
                "https://www.meti.go.jp/policy/external_economy/trade_control/02_export/"
                "17_russia/list_russia_tokutei.pdf", True,
                _export_ban("russia", "jp-export-ban-russia")),
    BundledList("jp-export-ban-belarus", "Export prohibition: Belarusian entities (MOFA "
                "notice)", "jp_meti/meti_export_prohibition_russia_belarus_thirdcountry.csv",
                "2025-09-12", "Ministry of Foreign Affairs / METI (Japan)", _GOJ,
                "https://www.meti.go.jp/policy/external_economy/trade_control/02_export/"
                "17_russia/list_belarus_tokutei.pdf", True,
                _export_ban("belarus", "jp-export-ban-belarus")),
    BundledList("jp-export-ban-third-countries", "Export prohibition: third-country "
                "entities (MOFA notice)",
                "jp_meti/meti_export_prohibition_russia_belarus_thirdcountry.csv",
                "2025-09-12", "Ministry of Foreign Affairs / METI (Japan)", _GOJ,
                "https://www.meti.go.jp/policy/external_economy/trade_control/02_export/"
                "17_russia/list_daisangoku_tokutei.pdf", True,
                _export_ban("third_country", "jp-export-ban-third-countries")),
    BundledList("us-dod-1260h", "US DoD Section 1260H Chinese military companies",
                "us_eu_cn/us_dod_1260h_chinese_military_companies.csv", "2026-06-08",
                "U.S. Department of Defense", "public domain (U.S. Government work); " + _OS,
                "https://www.defense.gov/", False, dod_1260h),
    BundledList("cn-countermeasures", "PRC countermeasure, Unreliable Entity and export-"
                "control lists", "us_eu_cn/cn_countermeasures_uel_export_control_lists.csv",
                "2026-08-05", "PRC Ministry of Foreign Affairs / Ministry of Commerce", _OS,
                "https://www.mofcom.gov.cn/", False, prc_lists),
    BundledList("eu-833-2014", "EU Regulation 833/2014 (Russia) annexes",
                "us_eu_cn/eu_reg_833_2014_russia_sectoral_annexes.csv", "2026-05-14",
                "Council of the European Union (Official Journal)",
                "EU legal acts, free reuse (Decision 2011/833/EU); " + _OS,
                "https://eur-lex.europa.eu/eli/reg/2014/833/oj", False, eu_833),
    BundledList("us-ofac-sdn", "US OFAC Specially Designated Nationals (snapshot)",
                "us_eu_cn/ofac_sdn_20240503.csv", "2024-05-03",
                "U.S. Treasury, Office of Foreign Assets Control",
                "public domain (U.S. Government work)",
                "https://sanctionssearch.ofac.treas.gov/", False, ofac_sdn),
)}

#: The lists ``econsec init`` loads.
JAPANESE = tuple(name for name, b in BUNDLED.items() if b.japanese)


def bundled_list(name: str) -> BundledList:
    """The bundled list ``name``; an unknown name lists the known ones."""
    try:
        return BUNDLED[name]
    except KeyError:
        raise UnknownNameError(name, list(BUNDLED), kind="bundled list") from None


def bundled_names(spec: str) -> list[str]:
    """``all`` → every bundled list, ``japanese`` → the Japanese ones, else one name."""
    if spec == "all":
        return list(BUNDLED)
    if spec in ("japanese", "jp"):
        return list(JAPANESE)
    return [bundled_list(spec).name]
