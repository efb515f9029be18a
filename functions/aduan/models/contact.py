"""A citizen's identity on one channel (shared by channel intake and notifications)."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from aduan.models.base import Model
from aduan.models.ticket import Channel

Language = Literal["id", "en"]


def contact_id(channel: Channel, address: str) -> str:
    """Stable id of a channel identity; it is the `reporter.ref` of complaints filed from it."""
    return f"{channel.value}:{address}"


class Contact(Model):
    """One record per channel identity. `address` is what the provider knows the citizen by:
    a phone number in E.164 (WhatsApp, SMS), a Telegram chat id, an email address, a Meta PSID/IGSID,
    an X user id. `person_id` links the identities of one citizen across channels."""

    model_config = ConfigDict(extra="ignore")
    id: str
    channel: Channel
    address: str = Field(min_length=1, max_length=320)
    display_name: str | None = Field(default=None, max_length=200)
    person_id: str | None = None
    language: Language = "id"
    opted_out: bool = False
    # Who delivered their messages (e.g. `twilio` or `whatsapp` for WhatsApp): replies leave the same way.
    provider: str | None = Field(default=None, max_length=64)
    # The WhatsApp 24-hour customer-service window is counted from the citizen's last message.
    last_inbound_at: str | None = None
    created_at: str
    updated_at: str
