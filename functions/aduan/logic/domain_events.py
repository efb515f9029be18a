"""The public shape of a domain event on the bus (its EventBridge entry), built from the event as stored.

Consumers deduplicate on `detail.event_id`: the relay may publish an entry more than once
(stream retries), never zero times. Consumers read it back with models/events.py `read_event`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from aduan.models.events import (
    SLA_FIELDS,
    SLA_SOURCE,
    SOURCE,
    TRIAGE_EVENTS,
    TRIAGE_SOURCE,
    DomainEvent,
    read_event,
)

__all__ = ["SLA_SOURCE", "SOURCE", "TRIAGE_EVENTS", "TRIAGE_SOURCE", "bus_entry", "detail"]

DETAIL_FIELDS = frozenset({"event_id", "event_type", "occurred_at", "ticket_id", "tracking_code", "actor",
                           "from_status", "to_status", "action", "note", "internal", "data", "ticket_version"})


def _read(event: DomainEvent | Mapping[str, Any]) -> DomainEvent:
    """The event itself, or the one a stored timeline record holds."""
    found = event if isinstance(event, DomainEvent) else read_event(event)
    if found is None:
        raise ValueError("not a ticket's domain event")
    return found


def detail(stored: DomainEvent | Mapping[str, Any]) -> dict[str, Any]:
    event = _read(stored)
    body = event.model_dump(mode="json", include=set(DETAIL_FIELDS))
    body["ticket"] = event.ticket.model_dump(mode="json") if event.ticket else {}
    if event.is_sla:
        # SLA consumers read the stage fields at the top level (see docs/sla.md).
        body = {**body, **{name: getattr(event, name) for name in SLA_FIELDS}, **event.data,
                "occurred_at": event.occurred_at}
    return body


def bus_entry(stored: DomainEvent | Mapping[str, Any], bus_name: str) -> dict[str, Any]:
    """A PutEvents entry; `Time` is when it happened, not when it was relayed."""
    event = _read(stored)
    return {
        "Source": event.source,
        "DetailType": event.event_type,
        "Detail": json.dumps(detail(event), ensure_ascii=False, separators=(",", ":")),
        "EventBusName": bus_name,
        "Resources": [],
        "Time": event.occurred_at,
    }
