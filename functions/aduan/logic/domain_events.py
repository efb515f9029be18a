"""The public shape of a domain event, built from its stored timeline entry (the outbox record).

Consumers deduplicate on `detail.event_id`: the relay may publish an entry more than once
(stream retries), never zero times.
"""

from __future__ import annotations

import json
from typing import Any

SOURCE = "aduan.tickets"
# Triage's events travel through the same outbox but under their own source (cross-issue contract).
TRIAGE_SOURCE = "aduan.triage"
TRIAGE_EVENTS = frozenset({"TicketRouted", "DuplicateMerged"})
DETAIL_FIELDS = ("event_id", "event_type", "occurred_at", "ticket_id", "tracking_code", "actor",
                 "from_status", "to_status", "action", "note", "internal", "data", "ticket_version")


def detail(stored: dict[str, Any]) -> dict[str, Any]:
    body = {name: stored.get(name) for name in DETAIL_FIELDS}
    body["ticket"] = stored.get("ticket_snapshot", {})
    return body


def bus_entry(stored: dict[str, Any], bus_name: str) -> dict[str, Any]:
    """A PutEvents entry; `Time` is when it happened, not when it was relayed."""
    return {
        "Source": TRIAGE_SOURCE if stored["event_type"] in TRIAGE_EVENTS else SOURCE,
        "DetailType": stored["event_type"],
        "Detail": json.dumps(detail(stored), ensure_ascii=False, separators=(",", ":")),
        "EventBusName": bus_name,
        "Resources": [],
        "Time": stored["occurred_at"],
    }
