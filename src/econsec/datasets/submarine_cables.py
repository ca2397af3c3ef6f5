"""The optional submarine-cable data pack (TeleGeography Submarine Cable Map data, late-2022
state; CC BY-NC-SA 3.0): read a folder the user points at. NEVER bundled with econsec.

A pack folder holds (the layout of the derived copy described in its ``PROVENANCE.txt``):

* ``cables.csv`` (required): ``id, name, rfs_year, is_planned, owners, suppliers,
  length_km`` (other columns ignored); owners and suppliers are comma-separated names.
* ``cable_landing_points.csv`` (required): one row per cable and landing point:
  ``cable_id, landing_point_id, landing_point_name, country, lon, lat`` (``is_tbd`` optional).
* ``cable-geo.json`` (optional): GeoJSON ``MultiLineString`` routes by ``properties.id``,
  schematic (drawn, not surveyed); used for the map and the strait rule.

Countries are TeleGeography's English names, resolved to ISO alpha-3 with econsec's country
names plus :data:`EXTRA_NAMES`. A malformed cell, an unknown country or a landing row of a
cable the cable list does not hold is refused with the file, line and column.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from econsec.datasets._csv import optional_number, read_dicts
from econsec.datasets.countries import try_resolve_country
from econsec.errors import DataFormatError, Location
from econsec.i18n.terms import N_
from econsec.records import Source

SOURCE_KEY = "telegeography-submarine-cables-2022"
LICENCE = "CC BY-NC-SA 3.0 (non-commercial, share-alike)"
LICENCE_URL = "https://creativecommons.org/licenses/by-nc-sa/3.0/"
PUBLISHER = "TeleGeography (open_undersea_cable_map)"
TITLE = "Submarine Cable Map data, late-2022 state"
URL = "https://github.com/stevesong/open_undersea_cable_map"
YEAR = 2022
CABLES_FILE = "cables.csv"
LANDINGS_FILE = "cable_landing_points.csv"
GEO_FILE = "cable-geo.json"
PACK_FILES = (CABLES_FILE, LANDINGS_FILE, GEO_FILE, "landing_points.csv",
              "landing-point-geo.json", "PROVENANCE.txt")
"""Files a pack may hold (copied when the pack is added); the first two are required."""
MAX_FILE_BYTES = 50 * 1024 * 1024
#: TeleGeography country names econsec's name list does not know.
EXTRA_NAMES = {"Saint Martin": "MAF", "Virgin Islands (U.K.)": "VGB"}



@dataclass(frozen=True)
class Cable:
    """A submarine cable system."""

    id: str
    name: str
    rfs_year: int | None
    planned: bool
    owners: tuple[str, ...]
    suppliers: tuple[str, ...]
    length_km: float | None


@dataclass(frozen=True)
class Landing:
    """A cable's landing at a landing point (station) of a country."""

    cable_id: str
    point_id: str
    point_name: str
    iso3: str
    lon: float
    lat: float


@dataclass(frozen=True)
class CablePack:
    """A read pack: cables by id, landings in file order, schematic routes by cable id."""

    cables: dict[str, Cable]
    landings: tuple[Landing, ...]
    routes: dict[str, tuple[tuple[tuple[float, float], ...], ...]] = field(default_factory=dict)
    sha256: str = ""
    folder: str = ""

    def source(self, file: str | None = None) -> Source:
        """The pack's :class:`Source` (its licence says non-commercial, share-alike)."""
        return Source(SOURCE_KEY, PUBLISHER, TITLE, YEAR, LICENCE, URL,
                      file if file is not None else self.folder, self.sha256,
                      "Submarine cable data from TeleGeography's Submarine Cable Map "
                      "(late-2022 state), CC BY-NC-SA 3.0; loaded as an optional pack")


def _split(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(p.strip() for p in text.split(",") if p.strip()))


def _file(folder: Path, name: str) -> Path:
    path = folder / name
    if not path.is_file():
        raise DataFormatError(N_("the cable pack has no file %(file)s"),
                              params={"file": name}, location=Location(str(folder)))
    if path.stat().st_size > MAX_FILE_BYTES:
        raise DataFormatError(N_("file too large for a cable pack: %(file)s"),
                              params={"file": name}, location=Location(str(folder)))
    return path


def pack_sha256(folder: Path) -> str:
    """SHA-256 over the pack's files present, in :data:`PACK_FILES` order (name and bytes)."""
    digest = hashlib.sha256()
    for name in PACK_FILES:
        path = folder / name
        if path.is_file():
            digest.update(name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _year(raw: str, where: Location) -> int | None:
    value = optional_number(raw, where)
    if value is None:
        return None
    if not value.is_integer() or not 1850 <= value <= 2100:
        raise DataFormatError(N_("not a year: %(value)s"), params={"value": raw},
                              location=where)
    return int(value)


def _bool(raw: str, where: Location) -> bool:
    text = raw.strip().casefold()
    if text in ("true", "1", "yes"):
        return True
    if text in ("false", "0", "no", ""):
        return False
    raise DataFormatError(N_("not true or false: %(value)s"), params={"value": raw},
                          location=where)


def read_cables(path: Path, name: str) -> dict[str, Cable]:
    """``cables.csv``: cables by id."""
    out: dict[str, Cable] = {}
    need = ("id", "name", "rfs_year", "is_planned", "owners", "suppliers", "length_km")
    for line, row in read_dicts(path, required=need):
        cid = row["id"].strip()
        if not cid:
            raise DataFormatError(N_("empty cable id"), location=Location(name, line, "id"))
        if cid in out:
            raise DataFormatError(N_("cable %(id)s given twice"), params={"id": cid},
                                  location=Location(name, line, "id"))
        length = optional_number(row["length_km"].replace("nan", "").replace("NaN", ""),
                                 Location(name, line, "length_km"))
        out[cid] = Cable(cid, row["name"].strip() or cid,
                         _year(row["rfs_year"], Location(name, line, "rfs_year")),
                         _bool(row["is_planned"], Location(name, line, "is_planned")),
                         _split(row["owners"]), _split(row["suppliers"]), length)
    return out


def country_iso3(name: str) -> str | None:
    """ISO alpha-3 of a TeleGeography country name (None if unknown)."""
    return EXTRA_NAMES.get(name.strip()) or try_resolve_country(name)


def _coordinate(raw: str, where: Location, bound: float) -> float:
    value = optional_number(raw, where)
    if value is None or not -bound <= value <= bound:
        raise DataFormatError(N_("not a coordinate: %(value)s"), params={"value": raw},
                              location=where)
    return value


def read_landings(path: Path, name: str, cables: dict[str, Cable]) -> tuple[Landing, ...]:
    """``cable_landing_points.csv``: the cables' landings (a pair given twice kept once)."""
    out: dict[tuple[str, str], Landing] = {}
    need = ("cable_id", "landing_point_id", "landing_point_name", "country", "lon", "lat")
    for line, row in read_dicts(path, required=need):
        cid = row["cable_id"].strip()
        if cid not in cables:
            raise DataFormatError(N_("landing of a cable not in cables.csv: %(id)s"),
                                  params={"id": cid}, location=Location(name, line, "cable_id"))
        point = row["landing_point_id"].strip()
        if not point:
            raise DataFormatError(N_("empty landing point id"),
                                  location=Location(name, line, "landing_point_id"))
        iso3 = country_iso3(row["country"])
        if iso3 is None:
            raise DataFormatError(N_("unknown country: %(value)s"),
                                  params={"value": row["country"]},
                                  location=Location(name, line, "country"))
        out.setdefault((cid, point), Landing(
            cid, point, row["landing_point_name"].strip() or point, iso3,
            _coordinate(row["lon"], Location(name, line, "lon"), 180.0),
            _coordinate(row["lat"], Location(name, line, "lat"), 90.0)))
    return tuple(out.values())


def read_routes(path: Path, name: str) -> dict[str, tuple[tuple[tuple[float, float], ...], ...]]:
    """``cable-geo.json``: each cable's schematic route as lines of (lon, lat)."""
    try:
        doc = json.loads(path.read_text("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataFormatError(N_("not a GeoJSON file: %(reason)s"), params={"reason": str(exc)},
                              location=Location(name)) from exc
    features = doc.get("features") if isinstance(doc, dict) else None
    if not isinstance(features, list):
        raise DataFormatError(N_("not a GeoJSON feature collection"), location=Location(name))
    out: dict[str, list[tuple[tuple[float, float], ...]]] = {}
    for number, feature in enumerate(features, 1):
        props = feature.get("properties") or {} if isinstance(feature, dict) else {}
        geometry = feature.get("geometry") or {} if isinstance(feature, dict) else {}
        cid = props.get("id") if isinstance(props, dict) else None
        lines = _lines(geometry)
        if not isinstance(cid, str) or lines is None:
            raise DataFormatError(N_("feature %(number)s is not a cable route"),
                                  params={"number": number}, location=Location(name))
        out.setdefault(cid, []).extend(lines)
    return {k: tuple(v) for k, v in out.items()}


def _lines(geometry: Any) -> list[tuple[tuple[float, float], ...]] | None:
    if not isinstance(geometry, dict):
        return None
    kind, coords = geometry.get("type"), geometry.get("coordinates")
    parts = [coords] if kind == "LineString" else coords if kind == "MultiLineString" else None
    if not isinstance(parts, list):
        return None
    lines = []
    for part in parts:
        try:
            lines.append(tuple((float(p[0]), float(p[1])) for p in part))
        except (TypeError, ValueError, IndexError):
            return None
    return lines


def read_pack(folder: Path) -> CablePack:
    """The pack in ``folder`` (see the module). Raises :class:`DataFormatError`."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DataFormatError(N_("not a folder: %(path)s"), params={"path": str(folder)},
                              location=Location(str(folder)))
    cables_path = _file(folder, CABLES_FILE)
    cables = read_cables(cables_path, CABLES_FILE)
    landings = read_landings(_file(folder, LANDINGS_FILE), LANDINGS_FILE, cables)
    routes = read_routes(_file(folder, GEO_FILE), GEO_FILE) if (folder / GEO_FILE).is_file() \
        else {}
    return CablePack(cables, landings, routes, pack_sha256(folder), str(folder))
