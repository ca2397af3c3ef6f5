"""The Indo-Pacific as this module counts it, and the straits cable corridors pass.

**Strait rule** (documented in ``docs/infrastructure.md``): a cable passes a strait when a
segment of its schematic route (the pack's GeoJSON) comes within the strait's radius of the
strait's reference point. Distances are taken in a local equirectangular projection around
the point (exact enough within a few hundred km). The pack's routes are schematic, so a
passage is an indication of the corridor, not a surveyed fact. The list and the radii are
econsec's own (radii wide enough to cover the strait's width); Malacca's point sits mid-strait
(PortWatch's lies at its southern end, next to the Singapore Strait kept apart here).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

#: The Indo-Pacific countries and territories the regional analysis covers (Japan is the
#: home country and not listed): East and South-East Asia, South Asia, Oceania and the
#: Pacific islands.
INDO_PACIFIC: tuple[str, ...] = (
    # East Asia
    "KOR", "TWN", "CHN", "HKG", "MAC", "MNG",
    # South-East Asia (ASEAN and Timor-Leste)
    "BRN", "KHM", "IDN", "LAO", "MYS", "MMR", "PHL", "SGP", "THA", "VNM", "TLS",
    # South Asia
    "IND", "BGD", "LKA", "MDV", "PAK", "NPL", "BTN",
    # Oceania and the Pacific islands
    "AUS", "NZL", "PNG", "FJI", "SLB", "VUT", "NCL", "PYF", "WSM", "ASM", "TON", "KIR",
    "FSM", "MHL", "PLW", "NRU", "TUV", "GUM", "MNP", "COK", "NIU", "WLF", "TKL",
)
REGIONS = {"indo-pacific": INDO_PACIFIC}
"""Regions ``--region`` accepts."""


@dataclass(frozen=True)
class Strait:
    """A strait: reference point (lon, lat), the radius (km) of the rule and the id of the
    same chokepoint in IMF PortWatch's list (bundled as ``data/maritime/``), if it has one."""

    id: str
    name_en: str
    name_ja: str
    lon: float
    lat: float
    radius_km: float
    portwatch_id: str = ""


#: Reference points are IMF PortWatch's chokepoint coordinates where PortWatch lists the
#: strait (so the cable corridors relate to the sea-lane chokepoints of the regional view);
#: the Singapore Strait and the Suez land crossing are econsec's own points.
STRAITS: tuple[Strait, ...] = (
    Strait("luzon", "Luzon Strait", "ルソン海峡", 121.3523, 20.4889, 200.0, "chokepoint14"),
    Strait("taiwan", "Taiwan Strait", "台湾海峡", 119.8314, 24.7235, 150.0, "chokepoint11"),
    Strait("korea", "Korea (Tsushima) Strait", "朝鮮海峡（対馬海峡）",
           129.2092, 34.1308, 100.0, "chokepoint12"),
    Strait("tsugaru", "Tsugaru Strait", "津軽海峡", 140.3533, 41.3280, 40.0, "chokepoint13"),
    Strait("malacca", "Strait of Malacca", "マラッカ海峡", 100.8, 3.0, 200.0, "chokepoint5"),
    Strait("singapore", "Singapore Strait", "シンガポール海峡", 104.0, 1.2, 60.0),
    Strait("sunda", "Sunda Strait", "スンダ海峡", 105.7752, -5.9668, 80.0, "chokepoint19"),
    Strait("lombok", "Lombok Strait", "ロンボク海峡", 115.8014, -8.4191, 60.0, "chokepoint15"),
    Strait("makassar", "Makassar Strait", "マカッサル海峡",
           119.2571, 0.3523, 120.0, "chokepoint20"),
    Strait("torres", "Torres Strait", "トレス海峡", 142.2475, -9.8625, 100.0, "chokepoint18"),
    Strait("hormuz", "Strait of Hormuz", "ホルムズ海峡", 56.8598, 26.2969, 100.0, "chokepoint6"),
    Strait("bab-el-mandeb", "Bab-el-Mandeb", "バブ・エル・マンデブ海峡",
           43.3495, 12.7886, 100.0, "chokepoint4"),
    Strait("suez", "Suez (Egypt land crossing)", "スエズ（エジプト陸上横断）",
           32.55, 30.0, 120.0, "chokepoint1"),
)
_KM_LAT = 110.57
_KM_LON = 111.32


def _local(lon: float, lat: float, strait: Strait) -> tuple[float, float]:
    dlon = (lon - strait.lon + 180.0) % 360.0 - 180.0
    return (dlon * _KM_LON * math.cos(math.radians(strait.lat)), (lat - strait.lat) * _KM_LAT)


def _segment_distance(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Distance (km) from the origin to the segment a-b in the local plane."""
    ax, ay = a
    bx, by = b
    dx, dy = bx - ax, by - ay
    length = dx * dx + dy * dy
    t = 0.0 if length == 0 else max(0.0, min(1.0, -(ax * dx + ay * dy) / length))
    return math.hypot(ax + t * dx, ay + t * dy)


def passes(lines: Sequence[Sequence[tuple[float, float]]], strait: Strait) -> bool:
    """Whether a route (lines of (lon, lat)) passes ``strait`` (see the module)."""
    reach = strait.radius_km
    for line in lines:
        if not line:
            continue
        points = [_local(lon, lat, strait) for lon, lat in line]
        if len(points) == 1:
            if math.hypot(*points[0]) <= reach:
                return True
            continue
        for a, b in itertools.pairwise(points):
            # cheap rejection: both ends far on one side
            if (a[1] > reach and b[1] > reach) or (a[1] < -reach and b[1] < -reach):
                continue
            if (a[0] > reach and b[0] > reach) or (a[0] < -reach and b[0] < -reach):
                continue
            if abs(a[0] - b[0]) > 20000:  # a segment across the antimeridian: split far apart
                continue
            if _segment_distance(a, b) <= reach:
                return True
    return False


def straits_passed(lines: Sequence[Sequence[tuple[float, float]]]) -> list[str]:
    """The ids of the straits a route passes, in :data:`STRAITS` order."""
    return [s.id for s in STRAITS if passes(lines, s)]
