"""Pure rules of how the city's organisation handles a complaint: whether a place lies outside the city
and whose authority it is then (docs/organisation.md)."""

from __future__ import annotations

from aduan.logic.geo import contains
from aduan.models.config import CityConfig
from aduan.models.ticket import Location

OUTSIDE_RULE = "outside-city"


def outside_note(config: CityConfig, location: Location | None) -> str | None:
    """None when the point is inside the city (or there is no point); else the desk's "di luar wilayah"
    flag naming the neighbouring government whose area holds it, when one is configured."""
    if location is None or location.lat is None or location.lon is None:
        return None
    lat, lon = location.lat, location.lon
    if any(area.geometry and contains(area.geometry, lat, lon) for area in config.areas):
        return None
    city = config.settings.city_name
    neighbour = next((n for n in config.settings.neighbours if contains(n.geometry, lat, lon)), None)
    if neighbour is None:
        return (f"Di luar wilayah {city}: bukan kewenangan kami, periksa pemerintah daerah setempat / "
                f"Outside {city}: not our authority, check the local government of that place")
    contact = f" ({neighbour.contact})" if neighbour.contact else ""
    return (f"Di luar wilayah {city}: bukan kewenangan kami, kemungkinan kewenangan {neighbour.name}{contact} / "
            f"Outside {city}: not our authority, most likely {neighbour.name}'s{contact}")
