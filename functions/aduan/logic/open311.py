"""Open311 GeoReport v2, pure: our categories and tickets in its vocabulary, and its two formats.

Field names, list shapes, status values (`open`/`closed`) and the error list `[{code, description}]`
follow the spec at https://wiki.open311.org/GeoReport_v2. XML is the required format, JSON optional;
both are served.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from xml.etree import ElementTree

from aduan.logic import text
from aduan.logic.clock import for_display
from aduan.logic.publication import expected_datetime, mask_identity
from aduan.logic.status_machine import LABELS, Status
from aduan.logic.visibility import listed
from aduan.models.config import CityConfig
from aduan.models.ticket import Ticket
from aduan.models.transparency import Open311Settings

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
FORMATS = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
# Our statuses that are finished from the citizen's point of view.
CLOSED = frozenset({Status.RESOLVED, Status.CLOSED, Status.REJECTED, Status.DUPLICATE})
MAX_DAYS = 90
MAX_RESULTS = 1000
# XML element of each item of a list field.
_ITEM_TAGS = {"services": "service", "service_requests": "request", "errors": "error", "attributes": "attribute",
              "values": "value", "endpoints": "endpoint", "formats": "format"}


class Open311Error(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


def split_format(resource: str) -> tuple[str, str]:
    """`services.json` -> (`services`, `json`); an unknown or missing format is a 404."""
    name, dot, fmt = resource.rpartition(".")
    if not dot or fmt not in FORMATS or not name:
        raise Open311Error(404, f"{resource!r}: append .json or .xml to the resource")
    return name, fmt


def open_or_closed(status: Status) -> str:
    return "closed" if status in CLOSED else "open"


def statuses_for(wanted: list[str]) -> list[str]:
    """Our statuses behind Open311 `open`/`closed` (comma list)."""
    chosen: set[Status] = set()
    for value in wanted:
        if value not in ("open", "closed"):
            raise Open311Error(400, f"status must be open or closed, not {value!r}")
        chosen |= {s for s in Status if open_or_closed(s) == value}
    return sorted(s.value for s in chosen)


def discovery(settings: Open311Settings, base_url: str) -> dict[str, Any]:
    return {
        "changeset": settings.changeset,
        "contact": settings.contact,
        "key_service": settings.key_service,
        "endpoints": [{"specification": SPECIFICATION, "url": base_url, "changeset": settings.changeset,
                       "type": "production", "formats": ["text/xml", "application/json"]}],
    }


def services(config: CityConfig, settings: Open311Settings, language: str) -> list[dict[str, Any]]:
    return [{
        "service_code": category.id,
        "service_name": category.name(language),
        "description": f"{category.name_id} / {category.name_en}",
        "metadata": bool(settings.service_attributes.get(category.id)),
        "type": "realtime",
        "keywords": ",".join(category.keywords),
        "group": category.group,
    } for category in config.categories]


def service_definition(code: str, settings: Open311Settings) -> dict[str, Any]:
    attributes = sorted(settings.service_attributes.get(code, []), key=lambda a: a.order)
    return {"service_code": code, "attributes": [{
        "variable": a.variable, "code": a.code, "datatype": a.datatype, "required": a.required,
        "datatype_description": a.datatype_description or "", "order": a.order, "description": a.description,
        "values": [{"key": v.key, "name": v.name} for v in a.values],
    } for a in attributes]}


def status_notes(ticket: Ticket) -> str:
    label_id, label_en = LABELS[ticket.status]
    notes = f"{label_id} / {label_en}"
    if ticket.resolution and listed(ticket):
        notes += f": {mask_identity(ticket.resolution, ticket)}"
    return notes


def service_request(ticket: Ticket, config: CityConfig, decimals: int, media_url: str | None = None
                    ) -> dict[str, Any]:
    """One request as the public may see it (the public rules of logic.publication apply)."""
    zone = config.settings.timezone
    shown = listed(ticket)
    category = config.category(ticket.category_id) if ticket.category_id else None
    agency = config.agency(ticket.assigned_agency_id) if ticket.assigned_agency_id else None
    where = ticket.location if shown else None
    lat = where.lat if where else None
    lon = where.lon if where else None
    if ticket.anonymous and lat is not None and lon is not None:
        lat, lon = round(lat, decimals), round(lon, decimals)
    address = where.address if where and not ticket.anonymous else None
    return {
        "service_request_id": ticket.tracking_code,
        "status": open_or_closed(ticket.status),
        "status_notes": status_notes(ticket),
        "service_name": category.name(config.settings.default_language) if category else None,
        "service_code": ticket.category_id,
        "description": mask_identity(ticket.text, ticket) if shown else None,
        "agency_responsible": agency.name if agency else None,
        "service_notice": None,
        "requested_datetime": for_display(ticket.created_at, zone),
        "updated_datetime": for_display(ticket.updated_at, zone),
        "expected_datetime": for_display(expected_datetime(ticket), zone),
        "address": mask_identity(address, ticket) if address else None,
        "address_id": None,
        "zipcode": None,
        "lat": lat,
        "long": lon,
        "media_url": media_url,
    }


def errors(status: int, description: str) -> list[dict[str, Any]]:
    return [{"code": status, "description": description}]


def render(fmt: str, root: str, body: Any) -> str:
    """The body in JSON, or in XML under `root` (lists become repeated item elements)."""
    if fmt == "json":
        return json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    element = ElementTree.Element(root)
    _fill(element, root, body)
    return '<?xml version="1.0" encoding="utf-8"?>' + ElementTree.tostring(element, encoding="unicode")


def _fill(element: ElementTree.Element, name: str, value: Any) -> None:
    if isinstance(value, Mapping):
        for key, item in value.items():
            _fill(ElementTree.SubElement(element, key), key, item)
    elif isinstance(value, list):
        tag = _ITEM_TAGS.get(name, "item")
        for item in value:
            _fill(ElementTree.SubElement(element, tag), tag, item)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = text.safe_for_xml(str(value))  # one stored control character must not break the feed
