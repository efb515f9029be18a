"""What every channel's webhook is normalised into before it is queued for intake."""

from __future__ import annotations

import hashlib
from typing import Literal

from pydantic import ConfigDict, Field

from aduan.models.base import Model
from aduan.models.ticket import Channel

MediaKind = Literal["image", "video", "audio", "document", "sticker"]
DeliveryState = Literal["sent", "delivered", "read", "failed"]


def inbound_id(provider: str, provider_message_id: str) -> str:
    """Deterministic: every redelivery of one provider message maps to the same id."""
    digest = hashlib.sha256(f"{provider}|{provider_message_id}".encode()).hexdigest()
    return f"in_{digest[:32]}"


class MediaRef(Model):
    """A photo, video or file as the provider refers to it (a media id or a short-lived URL)."""

    model_config = ConfigDict(extra="forbid")
    kind: MediaKind
    ref: str = Field(description="provider media id / file_id, or the URL to download from")
    mime_type: str | None = None
    filename: str | None = None
    sha256: str | None = None
    size_bytes: int | None = None
    inline_key: str | None = Field(default=None, description="S3 key when the bytes came inside the payload")


class SharedLocation(Model):
    model_config = ConfigDict(extra="forbid")
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    name: str | None = None
    address: str | None = None


class InboundMessage(Model):
    """One citizen message, whatever channel it came by."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(description="inbound_id(provider, provider_message_id): the exactly-once key")
    channel: Channel
    provider: str = Field(description="who delivered it: whatsapp, twilio, telegram, meta, ses, x, generic:<name>")
    provider_message_id: str
    sender: str = Field(min_length=1, description="address on the channel: E.164, chat id, PSID, email, user id")
    sender_name: str | None = None
    reply_to: str | None = Field(default=None, description="where a reply goes when not the sender (chat id)")
    text: str | None = None
    subject: str | None = None
    media: list[MediaRef] = Field(default_factory=list)
    location: SharedLocation | None = None
    in_reply_to: str | None = Field(default=None, description="provider id of the message this answers")
    sent_at: str | None = Field(default=None, description="provider timestamp (UTC storage format)")
    received_at: str
    raw_key: str | None = Field(default=None, description="S3 key of the raw payload, for audit and replay")
    extra: dict[str, str] = Field(default_factory=dict)

    @property
    def group_id(self) -> str:
        """SQS FIFO group: one citizen's messages stay in order."""
        return f"{self.channel.value}:{self.sender}"


class DeliveryStatus(Model):
    """A provider's report on a message we sent (DeliveryStatusReported on the bus)."""

    model_config = ConfigDict(extra="forbid")
    channel: Channel
    provider_message_id: str
    status: DeliveryState
    error_code: str | None = None
    error_title: str | None = None
    occurred_at: str
    recipient: str | None = None
    # What we gave the provider with the message and it echoes with each status (WhatsApp's
    # `biz_opaque_callback_data`): names the ticket and message, so the status is logged without a lookup.
    reference: str | None = Field(default=None, max_length=512)
