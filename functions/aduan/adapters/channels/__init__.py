"""One adapter per webhook path `/webhooks/{channel}`."""

from __future__ import annotations

from aduan.adapters.channels.base import ChannelAdapter
from aduan.adapters.channels.generic import GenericAdapter
from aduan.adapters.channels.messenger import MessengerAdapter
from aduan.adapters.channels.telegram import TelegramAdapter
from aduan.adapters.channels.twilio import TwilioAdapter
from aduan.adapters.channels.whatsapp import WhatsAppAdapter
from aduan.models.ticket import Channel

ADAPTERS: dict[str, ChannelAdapter] = {
    "whatsapp": WhatsAppAdapter(),
    "telegram": TelegramAdapter(),
    "twilio": TwilioAdapter(),
    "messenger": MessengerAdapter(Channel.MESSENGER, "page"),
    "instagram": MessengerAdapter(Channel.INSTAGRAM, "instagram"),
    "generic": GenericAdapter(),
}


def adapter_for(channel: str) -> ChannelAdapter | None:
    return ADAPTERS.get(channel)
