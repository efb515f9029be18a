"""The public shape of a domain event on the bus (its EventBridge entry), built from its stored timeline
entry (the outbox record the ticket writer stored: dal/tickets.py `entry_item`).

Consumers read it back with models/events.py `read_event` and deduplicate on `detail.event_id`: the relay
may publish an entry more than once (stream retries), never zero times. Plain dicts here on purpose: the
event relay only translates, and keeps its cold start free of pydantic.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

SOURCE = "aduan.tickets"
# Triage's events travel through the same outbox but under their own source (cross-issue contract).
TRIAGE_SOURCE = "aduan.triage"
TRIAGE_EVENTS = frozenset({"TicketRouted", "DuplicateMerged"})
SLA_SOURCE = "aduan.sla"
# Always present in SLA events' detail (null when unknown), besides the common fields below.
SLA_FIELDS = ("stage", "agency_id", "category_id", "due_at", "rung")
DETAIL_FIELDS = ("event_id", "event_type", "occurred_at", "ticket_id", "tracking_code", "actor",
                 "from_status", "to_status", "action", "note", "internal", "data", "ticket_version")


def is_sla(event_type: str) -> bool:
    return event_type.startswith("Sla")


def source_of(event_type: str) -> str:
    if event_type in TRIAGE_EVENTS:
        return TRIAGE_SOURCE
    return SLA_SOURCE if is_sla(event_type) else SOURCE


def detail(stored: Mapping[str, Any]) -> dict[str, Any]:
    body = {name: stored.get(name) for name in DETAIL_FIELDS}
    body["ticket"] = stored.get("ticket_snapshot") or stored.get("ticket") or {}
    if is_sla(str(stored.get("event_type", ""))):
        # SLA consumers read the stage fields at the top level (see docs/sla.md).
        data = stored.get("data") or {}
        body = {**body, **{name: data.get(name) for name in SLA_FIELDS}, **data,
                "occurred_at": stored.get("occurred_at")}
    return body


def bus_entries(stored: Mapping[str, Any], bus_name: str) -> list[dict[str, Any]]:
    """The PutEvents entries an outbox stream record's new image stands for: a timeline entry that is a
    domain event, or the entries a new ticket's head carries inline (dal/ticket_items.py `PENDING`; written
    out later as `relayed_event` items, which are not published again). Anything else: none."""
    if stored.get("entity") == "event":
        return [bus_entry(stored, bus_name)]
    if stored.get("entity") == "ticket":
        return [bus_entry(entry, bus_name) for entry in stored.get("pending_events") or ()]
    return []


def bus_entry(stored: Mapping[str, Any], bus_name: str) -> dict[str, Any]:
    """A PutEvents entry; `Time` is when it happened, not when it was relayed."""
    return {
        "Source": source_of(str(stored["event_type"])),
        "DetailType": stored["event_type"],
        "Detail": json.dumps(detail(stored), ensure_ascii=False, separators=(",", ":")),
        "EventBusName": bus_name,
        "Resources": [],
        "Time": stored["occurred_at"],
    }
