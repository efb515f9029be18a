"""Pure rules of how the city's organisation handles a complaint: whether a place lies outside the city
and whose authority it is then (docs/organisation.md)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aduan.logic.geo import contains
from aduan.models.config import CityConfig
from aduan.models.sla_config import RungRecipient
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


def escalation_recipients(recipients: Sequence[RungRecipient], agency_path: Sequence[str],
                          holder: str | None) -> list[dict[str, Any]]:
    """Who a rung tells, resolved against the complaint's agency path (the holder at the end)."""
    path = list(agency_path) or ([holder] if holder else [])
    relative = {"holder": path[-1:], "parent": path[-2:-1] or path[-1:], "top": path[:1]}
    resolved = []
    for recipient in recipients:
        for agency_id in relative.get(recipient.agency, [recipient.agency]):
            resolved.append({"title_id": recipient.title_id, "title_en": recipient.title_en, "agency_id": agency_id})
    return resolved


def escalation_emails(recipients: Sequence[dict[str, Any]], config: CityConfig) -> tuple[str, ...]:
    """The mailboxes of the people a rung named: each agency head's own, else the agency's."""
    emails: list[str] = []
    for recipient in recipients:
        agency = config.agency(str(recipient.get("agency_id") or ""))
        if agency is not None:
            emails += agency.head_emails or agency.emails
    return tuple(dict.fromkeys(emails))
