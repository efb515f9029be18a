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
SLA_SOURCE = "aduan.sla"
# Always present in SLA events' detail (null when unknown), besides the common fields above.
SLA_FIELDS = ("stage", "agency_id", "category_id", "due_at", "rung")
DETAIL_FIELDS = ("event_id", "event_type", "occurred_at", "ticket_id", "tracking_code", "actor",
                 "from_status", "to_status", "action", "note", "internal", "data", "ticket_version")


def detail(stored: dict[str, Any]) -> dict[str, Any]:
    body = {name: stored.get(name) for name in DETAIL_FIELDS}
    body["ticket"] = stored.get("ticket_snapshot", {})
    if _is_sla(stored):
        # SLA consumers read the stage fields at the top level (see docs/sla.md).
        data = stored.get("data") or {}
        body = {**body, **{name: data.get(name) for name in SLA_FIELDS}, **data,
                "occurred_at": stored.get("occurred_at")}
    return body


def _is_sla(stored: dict[str, Any]) -> bool:
    return str(stored.get("event_type", "")).startswith("Sla")


def _source(stored: dict[str, Any]) -> str:
    if stored["event_type"] in TRIAGE_EVENTS:
        return TRIAGE_SOURCE
    return SLA_SOURCE if _is_sla(stored) else SOURCE


def bus_entry(stored: dict[str, Any], bus_name: str) -> dict[str, Any]:
    """A PutEvents entry; `Time` is when it happened, not when it was relayed."""
    return {
        "Source": _source(stored),
        "DetailType": stored["event_type"],
        "Detail": json.dumps(detail(stored), ensure_ascii=False, separators=(",", ":")),
        "EventBusName": bus_name,
        "Resources": [],
        "Time": stored["occurred_at"],
    }
