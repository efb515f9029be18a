"""The outbound port: every message to a citizen or an officer leaves through it.

Channel intake (replies with tracking codes, status answers) and the notifier both produce
`OutboundMessage`s and hand them to an `OutboundPort`. Which adapter sits behind the port (record
only, local outbox, real providers) is wiring, so producers never change when sending changes.
"""

from __future__ import annotations

import hashlib
from typing import Any, Literal, Protocol

from pydantic import ConfigDict, Field

from aduan.models.base import Model
from aduan.models.contact import Language
from aduan.models.ticket import Channel

Audience = Literal["citizen", "officer", "supervisor"]


def message_id(cause_id: str, recipient: str, channel: Channel) -> str:
    """Deterministic, so a redelivered cause maps to the same message and is sent once."""
    digest = hashlib.sha256(f"{cause_id}|{channel.value}|{recipient}".encode()).hexdigest()
    return f"msg_{digest[:32]}"


class OutboundMessage(Model):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(description="message_id(cause_id, recipient, channel): the exactly-once key")
    cause_id: str = Field(description="the domain event id or inbound message id this answers")
    kind: str = Field(description="what it is, e.g. intake_ack, status_reply, TicketAssigned")
    channel: Channel
    recipient: str = Field(description="the address on that channel (E.164, chat id, email, PSID)")
    contact_id: str | None = None
    audience: Audience = "citizen"
    language: Language = "id"
    text: str = Field(min_length=1, max_length=4096)
    subject: str | None = None
    ticket_id: str | None = None
    tracking_code: str | None = None
    # The ticket's version the message was written from: its delivery log entries name it, so neither the
    # sender nor a status callback reads the ticket again (None: not made from a ticket, e.g. an intake reply).
    ticket_version: int | None = None
    # When its cause happened (the event's `occurred_at`, the inbound message's provider time): its delivery
    # log entry's place on the ticket's timeline, the same on every redelivery, so the sender's exactly-once
    # claim is that entry itself (None: no place on a timeline; the claim is a `DLV#` record).
    caused_at: str | None = None
    reply_to_provider_message_id: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)


class DeliveryReference(Model):
    """Our reference on a sent message, which the provider echoes with each status (WhatsApp's
    `biz_opaque_callback_data`, at most 512 characters): the ticket and message the status is about, so its
    log entry is written without a read. Short names: it travels with every message and status."""

    model_config = ConfigDict(extra="forbid")
    t: str = Field(min_length=1, max_length=40, pattern=r"^[A-Z0-9-]+$", description="tracking code")
    i: str = Field(min_length=1, max_length=40, description="ticket id")
    n: int = Field(ge=0, description="ticket version the message was written from")
    m: str = Field(min_length=1, max_length=80, description="our message id")
    k: str = Field(min_length=1, max_length=60, description="message kind")
    c: str = Field(min_length=1, max_length=120, description="cause id")
    a: Audience
    f: Literal[0, 1] = Field(0, description="1: a failure falls back to another channel")


class OutboundPort(Protocol):
    def send(self, message: OutboundMessage) -> None:
        """Accept the message durably for delivery (or record it); must be idempotent by `message.id`."""
