"""Timeline entries for notifications: every attempt and every provider status, visible to officers only
(internal). The citizen's address is never written there: an anonymous reporter stays anonymous to the
agency even in the delivery log."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError

from aduan.logic import ids
from aduan.logic.clock import from_storage, to_storage
from aduan.logic.status_machine import EventType, Role
from aduan.models.events import TicketSnapshot
from aduan.models.outbound import DeliveryReference, OutboundMessage
from aduan.models.ticket import Actor, Ticket, TimelineEntry

NOTIFIER = Actor(role=Role.SYSTEM, id="notifier")
NOTES = {
    "sending": "Notification via {channel} to the {audience} being sent",
    "sent": "Notification sent via {channel} to the {audience}",
    "retrying": "Notification via {channel} to the {audience} failed for now (attempt {attempt}); will retry",
    "failed": "Notification via {channel} to the {audience} failed: {error}",
    "suppressed": "Notification via {channel} to the {audience} not sent: they asked to stop (STOP)",
    "delivered": "Notification via {channel} to the {audience} delivered",
    "read": "Notification via {channel} to the {audience} read",
}


@dataclass(frozen=True)
class Logged:
    """What a log entry says about the message it is about (from the message, or from the reference a
    provider echoed back with a status)."""

    id: str
    kind: str
    cause_id: str
    channel: str
    audience: str
    recipient: str | None = None  # an agency mailbox is named; a citizen's address never is

    @classmethod
    def of(cls, message: OutboundMessage) -> Logged:
        return cls(message.id, message.kind, message.cause_id, message.channel.value, message.audience,
                   message.recipient if message.audience != "citizen" else None)


def about(message: OutboundMessage) -> TicketSnapshot | None:
    """The ticket a message is about, as far as its log entries name it, from the message itself; None when
    the message does not say (not made from a ticket's event): then the stored ticket is read."""
    if message.ticket_id and message.tracking_code and message.ticket_version is not None:
        return TicketSnapshot(id=message.ticket_id, tracking_code=message.tracking_code,
                              version=message.ticket_version)
    return None


def entry(ticket: Ticket | TicketSnapshot, message: OutboundMessage | Logged, outcome: str, moment: datetime, *,
          provider: str | None = None, attempt: int | None = None, error: str | None = None,
          error_code: str | None = None, provider_message_id: str | None = None, next_channel: str | None = None,
          event_id: str | None = None, address: str | None = None) -> TimelineEntry:
    """`address`: the citizen's, to redact from a provider's error (a message knows it; a reference does not)."""
    if isinstance(message, OutboundMessage):
        address = address or message.recipient
        message = Logged.of(message)
    data: dict[str, Any] = {"message_id": message.id, "kind": message.kind, "cause_id": message.cause_id,
                            "channel": message.channel, "audience": message.audience, "outcome": outcome,
                            "provider": provider, "attempt": attempt, "provider_message_id": provider_message_id,
                            "error_code": error_code, "error": error, "fallback_to": next_channel}
    if message.audience != "citizen":
        data["recipient"] = message.recipient  # an agency mailbox, not a person's identity
    else:
        # Provider ids can embed the number (WhatsApp's wamid does) and provider errors quote it: keep
        # both off the officers' timeline (the delivery record keeps the id for status callbacks).
        data.pop("provider_message_id")
        data["error"] = redact(error, address) if address else None
    note = NOTES.get(outcome, "Notification via {channel} to the {audience}: " + outcome).format(
        channel=message.channel, audience=message.audience, attempt=attempt,
        error=data.get("error") or error_code or "?")
    if outcome == "sent" and attempt and attempt > 1:
        note += f" (attempt {attempt})"  # the message's one entry: earlier attempts failed for now
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


def log_event_id(message_id: str) -> str:
    """The id of a message's own log entry (the sender's claim and outcome): derived from the message id."""
    return "ntf_" + hashlib.sha256(message_id.encode()).hexdigest()[:26]


def placed(message: OutboundMessage) -> OutboundMessage:
    """A message made from another (a fallback, a follow-up question) is placed just after it on the timeline."""
    if message.caused_at is None:
        return message
    return message.model_copy(update={
        "caused_at": to_storage(from_storage(message.caused_at) + timedelta(microseconds=1))})


def reference(ticket: Ticket | TicketSnapshot, message: OutboundMessage) -> str:
    """What a provider that echoes our reference with its statuses (WhatsApp's `biz_opaque_callback_data`)
    gives back: enough to write the status's log entry with no read; `f` says a failure has a fallback."""
    return DeliveryReference(t=ticket.tracking_code, i=ticket.id, n=ticket.version, m=message.id, k=message.kind,
                             c=message.cause_id, a=message.audience,
                             f=1 if message.data.get("fallbacks") else 0).model_dump_json()


def referenced(text: str | None, channel: str) -> tuple[TicketSnapshot, Logged, bool] | None:
    """The ticket, message and "has a fallback" a status's echoed reference names (None: none, or not ours)."""
    if not text:
        return None
    try:
        found = DeliveryReference.model_validate_json(text)
    except ValidationError:
        return None
    return (TicketSnapshot(id=found.i, tracking_code=found.t, version=found.n),
            Logged(found.m, found.k, found.c, channel, found.a), bool(found.f))


def status_event_id(channel: str, provider_message_id: str, status: str) -> str:
    """Deterministic, so a redelivered provider callback is recorded once."""
    return "ntf_" + hashlib.sha256(f"{channel}|{provider_message_id}|{status}".encode()).hexdigest()[:26]
