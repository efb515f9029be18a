"""Timeline entries for notifications: every attempt and every provider status, visible to officers only
(internal). The citizen's address is never written there: an anonymous reporter stays anonymous to the
agency even in the delivery log."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from aduan.logic import ids
from aduan.logic.clock import to_storage
from aduan.logic.status_machine import EventType, Role
from aduan.models.events import TicketSnapshot
from aduan.models.outbound import OutboundMessage
from aduan.models.ticket import Actor, Ticket, TimelineEntry

NOTIFIER = Actor(role=Role.SYSTEM, id="notifier")
NOTES = {
    "sent": "Notification sent via {channel} to the {audience}",
    "retrying": "Notification via {channel} to the {audience} failed for now (attempt {attempt}); will retry",
    "failed": "Notification via {channel} to the {audience} failed: {error}",
    "suppressed": "Notification via {channel} to the {audience} not sent: they asked to stop (STOP)",
    "delivered": "Notification via {channel} to the {audience} delivered",
    "read": "Notification via {channel} to the {audience} read",
}


def about(message: OutboundMessage) -> TicketSnapshot | None:
    """The ticket a message is about, as far as its log entries name it, from the message itself; None when
    the message does not say (not made from a ticket's event): then the stored ticket is read."""
    if message.ticket_id and message.tracking_code and message.ticket_version is not None:
        return TicketSnapshot(id=message.ticket_id, tracking_code=message.tracking_code,
                              version=message.ticket_version)
    return None


def entry(ticket: Ticket | TicketSnapshot, message: OutboundMessage, outcome: str, moment: datetime, *,
          provider: str | None = None, attempt: int | None = None, error: str | None = None,
          error_code: str | None = None, provider_message_id: str | None = None, next_channel: str | None = None,
          event_id: str | None = None) -> TimelineEntry:
    data: dict[str, Any] = {"message_id": message.id, "kind": message.kind, "cause_id": message.cause_id,
                            "channel": message.channel.value, "audience": message.audience, "outcome": outcome,
                            "provider": provider, "attempt": attempt, "provider_message_id": provider_message_id,
                            "error_code": error_code, "error": error, "fallback_to": next_channel}
    if message.audience != "citizen":
        data["recipient"] = message.recipient  # an agency mailbox, not a person's identity
    else:
        # Provider ids can embed the number (WhatsApp's wamid does) and provider errors quote it: keep
        # both off the officers' timeline (the delivery record keeps the id for status callbacks).
        data.pop("provider_message_id")
        data["error"] = redact(error, message.recipient)
    note = NOTES.get(outcome, "Notification via {channel} to the {audience}: " + outcome).format(
        channel=message.channel.value, audience=message.audience, attempt=attempt,
        error=data.get("error") or error_code or "?")
    if next_channel:
        note += f"; trying {next_channel} next"
    return TimelineEntry(
        event_id=event_id or ids.new_id(moment), event_type=EventType.NOTIFICATION_RECORDED,
        occurred_at=to_storage(moment), ticket_id=ticket.id, tracking_code=ticket.tracking_code, actor=NOTIFIER,
        note=note, internal=True, data={key: value for key, value in data.items() if value is not None},
        ticket_version=ticket.version)


def redact(text: str | None, address: str) -> str | None:
    if not text:
        return text
    for form in sorted({address, address.lstrip("+"), address.removeprefix("+62")} - {""}, key=len, reverse=True):
        text = text.replace(form, "<citizen>")
    return text


def status_event_id(channel: str, provider_message_id: str, status: str) -> str:
    """Deterministic, so a redelivered provider callback is recorded once."""
    return "ntf_" + hashlib.sha256(f"{channel}|{provider_message_id}|{status}".encode()).hexdigest()[:26]
