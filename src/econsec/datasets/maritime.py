"""Ports, maritime chokepoints and the curated sea-lane graph (``data/maritime/``).

- ``world_port_index_pub150_trimmed.csv``: NGA World Port Index (Pub. 150), 3,803 ports with
  19 of its 109 columns (name, UN/LOCODE, country, World Water Body, harbour size and type,
  depths, cargo facilities, coordinates) and an ISO alpha-3 column added by econsec.
- ``portwatch_chokepoints_28.csv``: the 28 maritime chokepoints of IMF PortWatch (id, name,
  coordinates).
- ``sea_regions.csv``, ``sea_lanes.csv`` and ``sea_chokepoint_names.csv`` (Japanese names of
  the chokepoints): **econsec curated** — sea regions (basins) as
  nodes with a reference point and the WPI water bodies they take ports from; lanes between
  regions as edges, a lane through a chokepoint naming it. A model of typical routes, not
  AIS tracks (docs/regions.md).

Each loader validates its file and raises :class:`~econsec.errors.DataFormatError` naming the
file, line and column of a bad cell. Results are cached per process.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from econsec.datasets._csv import data_dir, display_name, optional_number, parse_number, read_dicts
from econsec.errors import DataFormatError, Location

PORTS_FILE = "maritime/world_port_index_pub150_trimmed.csv"
CHOKEPOINTS_FILE = "maritime/portwatch_chokepoints_28.csv"
REGIONS_FILE = "maritime/sea_regions.csv"
NAMES_FILE = "maritime/sea_chokepoint_names.csv"
LANES_FILE = "maritime/sea_lanes.csv"
PORTS_SOURCE = "nga-wpi-pub150"
CHOKEPOINTS_SOURCE = "imf-portwatch-chokepoints"
LANES_SOURCE = "econsec-sea-lanes"
#: WPI harbour sizes, smallest first ("" = not given).
HARBOR_SIZES = ("Very Small", "Small", "Medium", "Large")
#: Cargo facilities kept from the WPI (column → label).
FACILITIES = ("container", "solid_bulk", "liquid_bulk", "oil_terminal", "lng_terminal")


@dataclass(frozen=True)
class Port:
    """A WPI port: harbour size is one of :data:`HARBOR_SIZES` or ``""``; facilities are the
    cargo facilities the WPI answers "Yes" for."""

    wpi_number: int
    name: str
    unlocode: str
    iso3: str
    water_body: str
    harbor_size: str
    harbor_type: str
    channel_depth_m: float | None
    max_vessel_length_m: float | None
    max_vessel_draft_m: float | None
    facilities: tuple[str, ...]
    lat: float
    lon: float


@dataclass(frozen=True)
class Chokepoint:
    id: str
    name: str
    lat: float
    lon: float
    #: Japanese name (econsec curated, ``sea_chokepoint_names.csv``).
    name_ja: str = ""


@dataclass(frozen=True)
class SeaRegion:
    id: str
    name_en: str
    name_ja: str
    lat: float
    lon: float
    water_bodies: tuple[str, ...]
    #: Further points inside the region that ports are matched to (the reference point
    #: alone cannot tell the Seto Inland Sea from the Sea of Japan).
    anchors: tuple[tuple[float, float], ...] = ()

    def points(self) -> tuple[tuple[float, float], ...]:
        return ((self.lat, self.lon), *self.anchors)


@dataclass(frozen=True)
class SeaLane:
    a: str
    b: str
    chokepoint: str | None
    note: str


@dataclass(frozen=True)
class Maritime:
    ports: tuple[Port, ...]
    chokepoints: tuple[Chokepoint, ...]
    regions: tuple[SeaRegion, ...]
    lanes: tuple[SeaLane, ...]


def _coordinate(raw: str, where: Location, limit: float) -> float:
    value = parse_number(raw, where)
    if not -limit <= value <= limit:
        raise DataFormatError(f"coordinate {value:g} outside ±{limit:g}", location=where)
    return value


def read_ports(path: Path) -> list[Port]:
    """The ports of a trimmed WPI file (columns as bundled)."""
    name = display_name(path)
    out = []
    required = ("wpi_number", "port", "iso3", "water_body", "harbor_size", "lat", "lon")
    for line, row in read_dicts(path, required=required):
        def at(col: str, line: int = line) -> Location:
            return Location(name, line, col)
        size = row["harbor_size"].strip()
        if size not in (*HARBOR_SIZES, ""):
            raise DataFormatError(f"unknown harbour size {size!r}", location=at("harbor_size"))
        iso3 = row["iso3"].strip()
        if len(iso3) != 3 or not iso3.isalpha():
            raise DataFormatError(f"not an ISO alpha-3 code: {iso3!r}", location=at("iso3"))
        out.append(Port(
            wpi_number=int(parse_number(row["wpi_number"], at("wpi_number"))),
            name=row["port"].strip(), unlocode=row.get("unlocode", "").strip(), iso3=iso3,
            water_body=row["water_body"].strip(), harbor_size=size,
            harbor_type=row.get("harbor_type", "").strip(),
            channel_depth_m=optional_number(row.get("channel_depth_m", ""), at("channel_depth_m")),
            max_vessel_length_m=optional_number(row.get("max_vessel_length_m", ""),
                                                at("max_vessel_length_m")),
            max_vessel_draft_m=optional_number(row.get("max_vessel_draft_m", ""),
                                               at("max_vessel_draft_m")),
            facilities=tuple(f for f in FACILITIES if row.get(f, "").strip() == "Yes"),
            lat=_coordinate(row["lat"], at("lat"), 90), lon=_coordinate(row["lon"], at("lon"), 180),
        ))
    return out


def read_chokepoints(path: Path) -> list[Chokepoint]:
    name = display_name(path)
    return [Chokepoint(row["portid"].strip(), row["portname"].strip(),
                       _coordinate(row["lat"], Location(name, line, "lat"), 90),
                       _coordinate(row["lon"], Location(name, line, "lon"), 180))
            for line, row in read_dicts(path, required=("portid", "portname", "lon", "lat"))]


def _anchors(raw: str, where: Location) -> tuple[tuple[float, float], ...]:
    out = []
    for point in (p.strip() for p in raw.split(";") if p.strip()):
        parts = point.split()
        if len(parts) != 2:
            raise DataFormatError(f"anchor {point!r} is not 'lat lon'", location=where)
        out.append((_coordinate(parts[0], where, 90), _coordinate(parts[1], where, 180)))
    return tuple(out)


def read_regions(path: Path) -> list[SeaRegion]:
    name = display_name(path)
    out = []
    for line, row in read_dicts(path, required=("id", "name_en", "name_ja", "lat", "lon",
                                                "water_bodies")):
        out.append(SeaRegion(
            row["id"].strip(), row["name_en"].strip(), row["name_ja"].strip(),
            _coordinate(row["lat"], Location(name, line, "lat"), 90),
            _coordinate(row["lon"], Location(name, line, "lon"), 180),
            tuple(w.strip() for w in row["water_bodies"].split(";") if w.strip()),
            _anchors(row.get("anchors", ""), Location(name, line, "anchors"))))
    return out


def read_lanes(path: Path, regions: set[str], chokepoints: set[str]) -> list[SeaLane]:
    """Lanes between known regions; a lane's chokepoint must be a known one."""
    name = display_name(path)
    out = []
    for line, row in read_dicts(path, required=("from", "to", "chokepoint", "note")):
        for col in ("from", "to"):
            if row[col].strip() not in regions:
                raise DataFormatError(f"unknown sea region {row[col]!r}",
                                      location=Location(name, line, col))
        cp = row["chokepoint"].strip() or None
        if cp is not None and cp not in chokepoints:
            raise DataFormatError(f"unknown chokepoint {cp!r}",
                                  location=Location(name, line, "chokepoint"))
        out.append(SeaLane(row["from"].strip(), row["to"].strip(), cp, row["note"].strip()))
    return out


def load_maritime(folder: Path | None = None) -> Maritime:
    """The four files of ``folder`` (default: the bundled ``data/maritime``), validated."""
    if folder is None:
        return _bundled()
    return _load(folder)


@cache
def _bundled() -> Maritime:
    return _load(data_dir() / "maritime")


def read_names_ja(path: Path, chokepoints: set[str]) -> dict[str, str]:
    name = display_name(path)
    out = {}
    for line, row in read_dicts(path, required=("portid", "name_ja")):
        if row["portid"].strip() not in chokepoints:
            raise DataFormatError(f"unknown chokepoint {row['portid']!r}",
                                  location=Location(name, line, "portid"))
        out[row["portid"].strip()] = row["name_ja"].strip()
    return out


def _load(folder: Path) -> Maritime:
    chokepoints = read_chokepoints(folder / Path(CHOKEPOINTS_FILE).name)
    names = read_names_ja(folder / Path(NAMES_FILE).name, {c.id for c in chokepoints})
    chokepoints = [replace(c, name_ja=names.get(c.id, "")) for c in chokepoints]
    regions = read_regions(folder / Path(REGIONS_FILE).name)
    lanes = read_lanes(folder / Path(LANES_FILE).name, {r.id for r in regions},
                       {c.id for c in chokepoints})
    ports = read_ports(folder / Path(PORTS_FILE).name)
    return Maritime(tuple(ports), tuple(chokepoints), tuple(regions), tuple(lanes))
