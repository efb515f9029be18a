"""Where a complaint is: point-in-polygon over the city's areas, area names in an address, distances,
and geohash cells (the key of the duplicate-search index).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from aduan.logic.normalise import words
from aduan.models.config import Area

_LEVEL_DEPTH = {"kota": 0, "kecamatan": 1, "kelurahan": 2}
_EARTH_RADIUS_M = 6_371_000.0
_BASE32 = "0123456789bcdefghjkmnpqrstuvwxyz"
GEOHASH_PRECISION = 6  # cells of about 1.2 km x 0.6 km


@dataclass(frozen=True)
class Located:
    area: Area
    method: str  # "point" (inside the polygon) or "address" (name found in the address text)
    matched: str | None = None


def _in_ring(lon: float, lat: float, ring: Sequence[Sequence[float]]) -> bool:
    """Ray casting; a point on the boundary may fall either way, which is fine for routing."""
    inside = False
    for (x1, y1), (x2, y2) in zip(((p[0], p[1]) for p in ring), ((p[0], p[1]) for p in ring[1:]), strict=False):
        if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def contains(geometry: dict[str, Any], lat: float, lon: float) -> bool:
    """GeoJSON Polygon/MultiPolygon (positions [lon, lat]); holes (inner rings) are excluded."""
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    for polygon in polygons:
        outer, holes = polygon[0], polygon[1:]
        if _in_ring(lon, lat, outer) and not any(_in_ring(lon, lat, hole) for hole in holes):
            return True
    return False


def locate_point(areas: Iterable[Area], lat: float, lon: float) -> Area | None:
    """The most detailed area (kelurahan before kecamatan before kota) whose polygon holds the point."""
    hits = [area for area in areas if area.geometry and contains(area.geometry, lat, lon)]
    return max(hits, key=lambda area: _LEVEL_DEPTH[area.level], default=None)


def match_address(areas: Iterable[Area], address: str) -> Located | None:
    """An area whose name or alias appears in the address as whole words ("Kel. Pleburan", "simpang
    lima"). A kelurahan named together with its own kecamatan is the surest; then detail, then length."""
    text = tuple(word.raw for word in words(address))
    found: list[Located] = []
    for area in areas:
        if area.level == "kota":
            continue
        for name in (area.name, *area.aliases):
            needle = _name_words(name)
            if needle and _contains_run(text, needle):
                found.append(Located(area, "address", name))
                break
    codes = {hit.area.code for hit in found}

    def rank(hit: Located) -> tuple[bool, int, int]:
        return (hit.area.parent_code in codes, _LEVEL_DEPTH[hit.area.level], len(hit.matched or ""))

    return max(found, key=rank, default=None)


@functools.lru_cache(maxsize=4096)
def _name_words(name: str) -> tuple[str, ...]:
    """An area name's words (names are configuration: a few hundred, asked for on every complaint)."""
    return tuple(word.raw for word in words(name))


def _contains_run(text: tuple[str, ...], needle: tuple[str, ...]) -> bool:
    size = len(needle)
    return any(text[start:start + size] == needle for start in range(len(text) - size + 1))


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * _EARTH_RADIUS_M * math.asin(math.sqrt(a))


def geohash(lat: float, lon: float, precision: int = GEOHASH_PRECISION) -> str:
    lat_range, lon_range = [-90.0, 90.0], [-180.0, 180.0]
    code: list[str] = []
    bits, value, even = 0, 0, True
    while len(code) < precision:
        span = lon_range if even else lat_range
        middle = (span[0] + span[1]) / 2
        coordinate = lon if even else lat
        value <<= 1
        if coordinate >= middle:
            value |= 1
            span[0] = middle
        else:
            span[1] = middle
        even, bits = not even, bits + 1
        if bits == 5:
            code.append(_BASE32[value])
            bits, value = 0, 0
    return "".join(code)


def _cell_size(precision: int) -> tuple[float, float]:
    """(degrees of latitude, degrees of longitude) of one cell."""
    lon_bits = (5 * precision + 1) // 2
    lat_bits = 5 * precision // 2
    return 180.0 / 2 ** lat_bits, 360.0 / 2 ** lon_bits


def covering_cells(lat: float, lon: float, radius_m: float, precision: int = GEOHASH_PRECISION) -> list[str]:
    """Every cell that intersects the square around the circle: a complaint within `radius_m` lies in
    one of them. Their number depends on the radius only, never on how many complaints exist."""
    dlat = math.degrees(radius_m / _EARTH_RADIUS_M)
    dlon = dlat / max(math.cos(math.radians(lat)), 1e-6)
    step_lat, step_lon = _cell_size(precision)
    cells = set()
    south, north = max(lat - dlat, -90.0), min(lat + dlat, 90.0)
    west, east = lon - dlon, lon + dlon
    y = south
    while True:
        x = west
        while True:
            cells.add(geohash(min(y, north), min(x, east), precision))
            if x >= east:
                break
            x = min(x + step_lon, east)
        if y >= north:
            break
        y = min(y + step_lat, north)
    return sorted(cells)
