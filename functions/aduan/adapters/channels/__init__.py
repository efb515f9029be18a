"""One adapter per webhook path `/webhooks/{channel}`."""

from __future__ import annotations

from aduan.adapters.channels.base import ChannelAdapter
from aduan.adapters.channels.email import EmailAdapter
from aduan.adapters.channels.generic import GenericAdapter
from aduan.adapters.channels.messenger import MessengerAdapter
from aduan.adapters.channels.telegram import TelegramAdapter
from aduan.adapters.channels.twilio import TwilioAdapter
from aduan.adapters.channels.whatsapp import WhatsAppAdapter
from aduan.adapters.channels.x import XAdapter
from aduan.models.ticket import Channel

ADAPTERS: dict[str, ChannelAdapter] = {
    "whatsapp": WhatsAppAdapter(),
    "telegram": TelegramAdapter(),
    "twilio": TwilioAdapter(),
    "messenger": MessengerAdapter(Channel.MESSENGER, "page"),
    "instagram": MessengerAdapter(Channel.INSTAGRAM, "instagram"),
    "generic": GenericAdapter(),
    "email": EmailAdapter(),
    "x": XAdapter(),
}


def adapter_for(channel: str) -> ChannelAdapter | None:
    return ADAPTERS.get(channel)
